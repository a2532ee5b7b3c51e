import { test } from 'uvu';
import * as assert from 'uvu/assert';
import sharp from 'sharp';
import { isFingerliftError } from '../src/errors.js';
import {
  drawMinutiae,
  drawMask,
  drawOrientation,
  drawHeatmap,
  drawBoxes,
  drawComparisonChart,
  plotScores,
  plotDet,
  VIRIDIS,
  DRAW_STYLE,
} from '../src/audit/draw.js';
import { comparisonChartSvg, chartLayout, minutiaeSvg, mapMinutiae, detSvg, scoresSvg, niceTicks } from '../src/audit/draw-svg.js';
import type { GrayImage } from '../src/image/types.js';
import type { Mask, OrientationField, BlockMap } from '../src/enhance/types.js';
import type { Template } from '../src/minutiae/types.js';

/** A 500 ppi-like grating: ridges of period 9 px at 30 degrees. */
function grating(width: number, height: number): GrayImage {
  const data = new Float32Array(width * height);
  const a = Math.PI / 6;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = 0.5 + 0.4 * Math.cos((2 * Math.PI * (x * Math.sin(a) + y * Math.cos(a))) / 9);
  return { width, height, data };
}

function template(width: number, height: number, n: number): Template {
  return {
    width,
    height,
    ppi: 500,
    minutiae: Array.from({ length: n }, (_, i) => ({
      x: 10 + ((i * 37) % (width - 20)),
      y: 10 + ((i * 23) % (height - 20)),
      angle: (i * 0.7) % (2 * Math.PI),
      type: i % 2 ? 'bifurcation' : 'ending',
      quality: 0.5,
    })),
  };
}

async function decode(png: Uint8Array): Promise<{ width: number; height: number; density?: number; data: Buffer; channels: number }> {
  assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const meta = await sharp(png).metadata();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { width: meta.width!, height: meta.height!, density: meta.density, data, channels: info.channels };
}

function expectInvalid(e: unknown, re: RegExp): void {
  assert.ok(isFingerliftError(e, 'E_INVALID_ARGUMENT'), `expected E_INVALID_ARGUMENT, got ${String(e)}`);
  assert.match((e as Error).message, re);
}

const G = grating(120, 100);
const T = template(120, 100, 12);

test('drawMinutiae: PNG of the scaled size at ppi x scale, symbols in the type colours, deterministic', async () => {
  const png = await drawMinutiae(G, T, { scale: 2, numbers: true });
  const d = await decode(png);
  assert.is(d.width, 240);
  assert.is(d.height, 200);
  assert.is(d.density, 1000);
  // A pixel on the circle of minutia 0 (an ending) carries the ending colour (vermilion: red high, blue low).
  const m = mapMinutiae(T, 120, 100, 2)[0]!;
  let found = false;
  for (let a = 0; a < 2 * Math.PI && !found; a += 0.05) {
    const x = Math.round(m.x + Math.cos(a) * 10);
    const y = Math.round(m.y + Math.sin(a) * 10);
    const i = (y * d.width + x) * d.channels;
    if (d.data[i]! > 180 && d.data[i + 2]! < 80) found = true;
  }
  assert.ok(found, 'no ending-coloured pixel on the circle');
  assert.equal(await drawMinutiae(G, T, { scale: 2, numbers: true }), png);
});

test('minutiaeSvg numbers every minutia when asked; mapMinutiae maps directions through an anisotropic frame', () => {
  const svg = minutiaeSvg(T, 120, 100, { numbers: true });
  assert.is((svg.match(/class="minutia (ending|bifurcation)"/g) ?? []).length, 12);
  assert.is((svg.match(/class="minutia-label"/g) ?? []).length, 12);
  assert.is((minutiaeSvg(T, 120, 100).match(/class="minutia-label"/g) ?? []).length, 0);
  // A 300 x 400 frame over a 388 x 374 image: 45 degrees becomes atan2(sin * 374/400, cos * 388/300).
  const t: Template = { width: 300, height: 400, ppi: 500, minutiae: [{ x: 150, y: 200, angle: Math.PI / 4, type: 'ending', quality: 0 }] };
  const m = mapMinutiae(t, 388, 374)[0]!;
  assert.ok(Math.abs(m.x - 150.5 * (388 / 300)) < 1e-9 && Math.abs(m.y - 200.5 * (374 / 400)) < 1e-9);
  assert.ok(Math.abs(m.angle - Math.atan2(374 / 400, 388 / 300)) < 1e-9);
});

test('comparison chart SVG: mated minutiae numbered 1..k on both prints, one joining line each', () => {
  const p = template(120, 100, 12);
  const r = template(110, 90, 9);
  const mated = [
    { probe: 0, reference: 3 },
    { probe: 5, reference: 1 },
    { probe: 7, reference: 8 },
    { probe: 11, reference: 0 },
  ];
  const layout = chartLayout({ width: 120, height: 100 }, { width: 110, height: 90 }, 2);
  const svg = comparisonChartSvg({ template: p, width: 120, height: 100, title: 'Probe' }, { template: r, width: 110, height: 90, title: 'Reference' }, mated, layout);
  const labels = [...svg.matchAll(/<text[^>]*class="mate-label"[^>]*fill="#000000">(\d+)<\/text>/g)].map((m) => Number(m[1]));
  assert.is(labels.length, 2 * mated.length);
  for (let k = 1; k <= mated.length; k++) assert.is(labels.filter((v) => v === k).length, 2, `label ${k}`);
  assert.is((svg.match(/class="mate-line"/g) ?? []).length, mated.length);
  // Unmated minutiae are drawn too (grey): 12 - 4 + 9 - 4.
  assert.is((svg.match(new RegExp(`stroke="${DRAW_STYLE.unmated}"`, 'g')) ?? []).length, 13);
  try {
    comparisonChartSvg({ template: p, width: 120, height: 100, title: 'P' }, { template: r, width: 110, height: 90, title: 'R' }, [{ probe: 0, reference: 9 }], layout);
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, RangeError);
    assert.match((e as Error).message, /reference minutia 9 does not exist/);
  }
});

test('drawComparisonChart: PNG of the layout size at ppi x scale; a bad mate index is E_INVALID_ARGUMENT', async () => {
  const r = grating(110, 90);
  const rt = template(110, 90, 9);
  const png = await drawComparisonChart(G, T, r, rt, [{ probe: 1, reference: 2 }], { caption: 'score 12.5' });
  const d = await decode(png);
  const layout = chartLayout(G, r, 2);
  assert.is(d.width, layout.width);
  assert.is(d.height, layout.height);
  assert.is(d.density, 1000);
  try {
    await drawComparisonChart(G, T, r, rt, [{ probe: 12, reference: 0 }]);
    assert.unreachable('should throw');
  } catch (e) {
    expectInvalid(e, /probe minutia 12 does not exist/);
  }
});

test('drawMask: inside unchanged, outside tinted, boundary solid; size mismatch refused', async () => {
  const mask: Mask = { width: 120, height: 100, data: new Uint8Array(120 * 100) };
  for (let y = 20; y < 80; y++) for (let x = 30; x < 90; x++) mask.data[y * 120 + x] = 1;
  const d = await decode(await drawMask(G, mask, { ppi: 500 }));
  assert.is(d.width, 120);
  assert.is(d.density, 500);
  const px = (x: number, y: number): number[] => [...d.data.subarray((y * 120 + x) * d.channels, (y * 120 + x) * d.channels + 3)];
  const g = Math.round(G.data[50 * 120 + 60]! * 255);
  assert.equal(px(60, 50), [g, g, g]);
  const out = px(5, 5);
  assert.ok(out[0] !== out[1], 'outside should be tinted');
  assert.equal(px(30, 50), [0x7b, 0x2d, 0x5c]);
  try {
    await drawMask(G, { width: 10, height: 10, data: new Uint8Array(100) });
    assert.unreachable('should throw');
  } catch (e) {
    expectInvalid(e, /mask 10 x 10 does not match the 120 x 100 image/);
  }
});

test('drawOrientation draws segments along the field', async () => {
  const n = 120 * 100;
  const field: OrientationField = { width: 120, height: 100, theta: new Float32Array(n).fill(Math.PI / 3), coherence: new Float32Array(n).fill(1) };
  const png = await drawOrientation(G, field, 16, { ppi: 500, scale: 2 });
  const d = await decode(png);
  assert.is(d.width, 240);
  assert.is(d.density, 1000);
  // The block centre (8, 8) at scale 2 is (16, 16): a segment passes through it (bluish green: green high, red low).
  const i = (16 * 240 + 16) * d.channels;
  assert.ok(d.data[i + 1]! > d.data[i]! + 40, `pixel ${[...d.data.subarray(i, i + 3)]}`);
});

test('drawHeatmap: block values map to viridis ends; the colour bar adds a strip', async () => {
  const map: BlockMap = { blockSize: 10, rows: 2, cols: 3, data: Float32Array.from([0, 1, 0.5, 1, 0, NaN]) };
  const d = await decode(await drawHeatmap(map, [0, 1], { legend: false, ppi: 500 }));
  assert.is(d.width, 30);
  assert.is(d.height, 20);
  const px = (x: number, y: number): number[] => [...d.data.subarray((y * 30 + x) * d.channels, (y * 30 + x) * d.channels + 3)];
  assert.equal(px(5, 5), [VIRIDIS[0], VIRIDIS[1], VIRIDIS[2]]);
  assert.equal(px(15, 5), [VIRIDIS[765], VIRIDIS[766], VIRIDIS[767]]);
  assert.equal(px(25, 15), [0xd0, 0xd0, 0xd0]); // NaN stays uncoloured
  const withLegend = await decode(await drawHeatmap(map, [0, 1], { scale: 2, label: 'quality' }));
  assert.is(withLegend.width, 60);
  assert.is(withLegend.height, 40 + 68);
  try {
    await drawHeatmap(map, [1, 1]);
    assert.unreachable('should throw');
  } catch (e) {
    expectInvalid(e, /range \[1, 1\] is empty/);
  }
});

test('drawBoxes: rotated box edges in the box colour; maxSide shrinks a large photo', async () => {
  const box = { cx: 60, cy: 50, width: 40, height: 60, angle: Math.PI / 2, label: 'f1', score: 0.9 };
  const d = await decode(await drawBoxes(G, [box]));
  assert.is(d.width, 120);
  assert.is(d.density, undefined); // no ppi given: no density claimed
  const i = (50 * 120 + 40) * d.channels; // left edge of the box at x = cx - width/2
  assert.ok(d.data[i]! > 200 && d.data[i + 2]! < 60, `pixel ${[...d.data.subarray(i, i + 3)]}`);
  const small = await decode(await drawBoxes(G, [box], { maxSide: 60 }));
  assert.is(small.width, 60);
  assert.is(small.height, 50);
});

test('plotScores and plotDet: PNGs of the asked size; bad input is E_INVALID_ARGUMENT', async () => {
  const s = await decode(await plotScores([5, 6, 7, 8], [1, 2, 2, 3, 4], { thresholds: [{ value: 4.5, label: 'FMR 1%' }], width: 640, height: 400 }));
  assert.is(s.width, 640);
  assert.is(s.height, 400);
  const d = await decode(await plotDet([{ fmr: 0.5, fnmr: 0 }, { fmr: 0.01, fnmr: 0.1 }, { fmr: 0, fnmr: 0.6 }], { eer: 0.05 }));
  assert.is(d.width, 600);
  for (const [fn, re] of [
    [() => plotScores([], []), /no scores/],
    [() => plotScores([1, NaN], [2]), /not finite/],
    [() => plotDet([]), /no points/],
    [() => plotDet([{ fmr: 2, fnmr: 0 }]), /outside \[0, 1\]/],
  ] as const) {
    try {
      await fn();
      assert.unreachable('should throw');
    } catch (e) {
      expectInvalid(e, re);
    }
  }
});

test('plot SVGs: one bar per non-empty bin, threshold lines, DET curve with EER mark; nice ticks', () => {
  const svg = scoresSvg([10, 10, 20], [0, 1, 2], { bins: 10, thresholds: [{ value: 5, label: 'a' }, { value: 6, label: 'b' }] });
  assert.is((svg.match(/class="bar-genuine"/g) ?? []).length, 2);
  assert.is((svg.match(/class="bar-impostor"/g) ?? []).length, 2);
  assert.is((svg.match(/class="threshold"/g) ?? []).length, 2);
  const det = detSvg([{ fmr: 0.001, fnmr: 0.2 }, { fmr: 0.1, fnmr: 0.01 }], { eer: 0.03 });
  assert.match(det, /class="det-curve"/);
  assert.match(det, /EER 3%/);
  assert.match(det, />0\.1%</); // the axis starts at the decade of the smallest non-zero rate
  assert.not.match(det, />0\.01%</);
  assert.equal(niceTicks(0, 100, 5), [0, 20, 40, 60, 80, 100]);
});

test.run();
