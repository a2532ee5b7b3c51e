/**
 * The fast raster paths of minutiae extraction against plain reference implementations of the same
 * definitions, on seeded random images and blob masks: bit-packed Guo-Hall thinning vs the per-pixel
 * lookup-table rule, run-based component clean-up vs a pixel flood fill, the per-point chamfer distance
 * vs OpenCV's distance transform, and the extractor's internal crop/padded path vs the public stages.
 */
import { Rng } from '../src/synthetic/random.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BorderDistance } from '../src/minutiae/filters/border.js';
import { collectRuns, fillRun, packBits, unpackBits } from '../src/minutiae/bits.js';
import { GUO_HALL_DELETE, paddedCode } from '../src/minutiae/thin.js';
import { CONNECTIVITY, NEIGHBOURS } from '../src/minutiae/skeleton.js';
import {
  crossingNumberMinutiae,
  extractMinutiaeDetailed,
  fillSmallHoles,
  maskBorderDistance,
  removeSmallIslands,
  candidateDensity,
  selectUnderCap,
  thin,
  type BinaryImage,
  type Minutia,
  type MinutiaCandidate,
} from '../src/minutiae/index.js';
import type { EnhanceResult } from '../src/enhance/types.js';

/** The library's seeded generator (mulberry32), so the tests are deterministic. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** Random image: discs of random radius (blobs, ridge-like strokes) plus salt noise. */
function randomImage(w: number, h: number, seed: number, density = 0.5): BinaryImage {
  const r = rng(seed);
  const data = new Uint8Array(w * h);
  const n = Math.round((w * h * density) / 30);
  for (let k = 0; k < n; k++) {
    const cx = r() * w, cy = r() * h, rad = 0.5 + r() * 4;
    for (let y = Math.max(0, Math.floor(cy - rad)); y <= Math.min(h - 1, Math.ceil(cy + rad)); y++)
      for (let x = Math.max(0, Math.floor(cx - rad)); x <= Math.min(w - 1, Math.ceil(cx + rad)); x++)
        if ((x - cx) ** 2 + (y - cy) ** 2 <= rad * rad) data[y * w + x] = 1;
  }
  for (let k = 0; k < w * h * 0.02; k++) { const i = Math.floor(r() * w * h); data[i] = data[i]! ^ 1; }
  return { width: w, height: h, data };
}

/** Guo & Hall A1 as defined: every foreground pixel tested with the subiteration's table, then the sequential clean-up. */
function referenceThin(img: BinaryImage): Uint8Array {
  const { width: w, height: h } = img;
  const W = w + 2;
  const d = new Uint8Array(W * (h + 2));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[(y + 1) * W + x + 1] = img.data[y * w + x] ? 1 : 0;
  for (let iter = 0; iter < 100; iter++) {
    let changed = false;
    for (const table of GUO_HALL_DELETE) {
      const del: number[] = [];
      for (let i = 0; i < d.length; i++) if (d[i] && table[paddedCode(d, i, W)]) del.push(i);
      for (const i of del) d[i] = 0;
      if (del.length) changed = true;
    }
    if (!changed) break;
  }
  for (let pass = 0; pass < 4; pass++) {
    let removed = 0;
    for (let i = 0; i < d.length; i++) {
      if (!d[i]) continue;
      const c = paddedCode(d, i, W);
      if (CONNECTIVITY[c] === 1 && NEIGHBOURS[c]! >= 2) {
        d[i] = 0;
        removed++;
      }
    }
    if (!removed) break;
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = d[(y + 1) * W + x + 1]!;
  return out;
}

/** Flood fill: flips `value` components (4 or 8 connected) smaller than minArea; valley ones on the edge stay. */
function referenceDrop(img: BinaryImage, value: 0 | 1, conn: 4 | 8, minArea: number): { data: Uint8Array; removed: number } {
  const { width: w, height: h } = img;
  const v = (i: number): number => (img.data[i] ? 1 : 0);
  const out = Uint8Array.from(img.data, (x) => (x ? 1 : 0));
  const seen = new Uint8Array(w * h);
  const nb = conn === 8 ? [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]] : [[1, 0], [-1, 0], [0, 1], [0, -1]];
  let removed = 0;
  for (let s = 0; s < w * h; s++) {
    if (seen[s] || v(s) !== value) continue;
    const comp = [s];
    seen[s] = 1;
    let edge = false;
    for (let k = 0; k < comp.length; k++) {
      const x = comp[k]! % w, y = (comp[k]! / w) | 0;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) edge = true;
      for (const [dx, dy] of nb) {
        const xx = x + dx!, yy = y + dy!;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const j = yy * w + xx;
        if (!seen[j] && v(j) === value) {
          seen[j] = 1;
          comp.push(j);
        }
      }
    }
    if (comp.length < minArea && !(value === 0 && edge)) {
      removed++;
      for (const j of comp) out[j] = 1 - value;
    }
  }
  return { data: out, removed };
}

const sizes: Array<[number, number]> = [[1, 1], [5, 3], [31, 7], [32, 9], [33, 12], [63, 40], [64, 33], [97, 71], [130, 90]];

test('bits: pack/unpack round trip, runs and run fills on widths around the word size', () => {
  sizes.forEach(([w, h], k) => {
    const img = randomImage(w, h, 100 + k);
    const b = packBits(img);
    const back = new Uint8Array(w * h);
    unpackBits(b, back, w);
    assert.equal(Array.from(back), Array.from(img.data), `round trip ${w}x${h}`);
    for (let y = 0; y < h; y++) {
      for (const value of [0, 1] as const) {
        const start = new Int32Array(w), end = new Int32Array(w);
        const n = collectRuns(b, y, value, start, end, 0);
        const runs = Array.from({ length: n }, (_, k): [number, number] => [start[k]!, end[k]!]);
        const expected: Array<[number, number]> = [];
        for (let x = 0; x < w; ) {
          if (img.data[y * w + x] !== value) { x++; continue; }
          const x0 = x;
          while (x < w && img.data[y * w + x] === value) x++;
          expected.push([x0, x]);
        }
        assert.equal(runs, expected, `runs of ${value} in row ${y} of ${w}x${h}`);
      }
    }
    // Fill every other run of ridge with background: the unpacked image changes exactly there.
    const r = rng(k);
    const x0 = Math.floor(r() * w), x1 = x0 + Math.floor(r() * (w - x0 + 1));
    fillRun(b, 0, x0, x1, 0);
    unpackBits(b, back, w);
    for (let x = 0; x < w; x++) assert.is(back[x], x >= x0 && x < x1 ? 0 : img.data[x], `fillRun ${x0}..${x1} at ${x}`);
  });
});

test('thin (bit-parallel Guo-Hall) equals the per-pixel table definition on random images', () => {
  sizes.forEach(([w, h], k) => {
    for (const density of [0.3, 0.8, 2]) {
      const img = randomImage(w, h, 7 * k + Math.round(density * 10), density);
      assert.equal(Array.from(thin(img).data), Array.from(referenceThin(img)), `${w}x${h} density ${density}`);
    }
  });
});

test('removeSmallIslands / fillSmallHoles (run-based) equal a pixel flood fill', () => {
  sizes.forEach(([w, h], k) => {
    const img = randomImage(w, h, 1000 + k, 0.9);
    for (const area of [1, 5, 30]) {
      const a = removeSmallIslands(img, { minIslandArea: area });
      const ra = referenceDrop(img, 1, 8, area);
      assert.equal(Array.from(a.image.data), Array.from(ra.data), `islands ${w}x${h} < ${area}`);
      assert.is(a.removed, ra.removed);
      const b = fillSmallHoles(img, { maxHoleArea: area });
      const rb = referenceDrop(img, 0, 4, area);
      assert.equal(Array.from(b.image.data), Array.from(rb.data), `holes ${w}x${h} < ${area}`);
      assert.is(b.removed, rb.removed);
    }
  });
});

test('BorderDistance.at equals maskBorderDistance (OpenCV DIST_L2, 5x5) everywhere; capped values stay >= cap', () => {
  sizes.slice(2).forEach(([w, h], k) => {
    for (const density of [1, 4, 12]) {
      const mask = randomImage(w, h, 500 + k * 3 + density, density);
      const full = maskBorderDistance(mask);
      const bd = new BorderDistance(mask);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          assert.is(bd.at(x, y), full[y * w + x], `${w}x${h} (${x}, ${y})`);
          const c = bd.at(x, y, 3);
          assert.ok(full[y * w + x]! >= 3 ? c >= 3 : c === full[y * w + x], `capped at (${x}, ${y})`);
        }
    }
  });
});

test('extractMinutiaeDetailed: the cropped, bit-packed path gives the public stages\' skeleton and candidates', () => {
  const w = 150, h = 120;
  const r = rng(42);
  // A sinusoidal ridge pattern with breaks, inside an elliptical mask away from the image edge.
  const enhanced = new Float32Array(w * h).fill(1);
  const mask = new Uint8Array(w * h);
  const theta = new Float32Array(w * h), coherence = new Float32Array(w * h).fill(0.8);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (((x - 80) / 55) ** 2 + ((y - 60) / 45) ** 2 > 1) continue;
      mask[y * w + x] = 1;
      enhanced[y * w + x] = 0.5 + 0.5 * Math.sin((2 * Math.PI * (x + 6 * Math.sin(y / 15))) / 9) + (r() - 0.5) * 0.6;
      theta[y * w + x] = Math.PI / 2;
    }
  const e = {
    enhanced: { width: w, height: h, data: enhanced },
    normalised: { width: w, height: h, data: enhanced },
    mask: { width: w, height: h, data: mask },
    orientation: { width: w, height: h, theta, coherence },
    frequency: { blockSize: 16, rows: 8, cols: 10, data: new Float32Array(80).fill(1 / 9) },
    quality: { blockSize: 16, rows: 8, cols: 10, data: new Float32Array(80).fill(0.8) },
    ppi: 500,
    scale: 1,
    notes: [],
  } as EnhanceResult;
  const d = extractMinutiaeDetailed(e);
  assert.equal(Array.from(d.skeleton.data), Array.from(thin(d.binary).data), 'skeleton = thin(binary)');
  assert.is(crossingNumberMinutiae(d.skeleton).length, d.diagnostics.candidates, 'candidates = crossing number of the skeleton');
  assert.ok(d.diagnostics.candidates > 10, `pattern gives candidates (${d.diagnostics.candidates})`);
  for (let i = 0; i < w * h; i++) if (!mask[i]) assert.is(d.binary.data[i], 0, 'no ridge outside the mask');
});

test('selectUnderCap: over the cap, minutiae amid crowds of crossing-number candidates go first', () => {
  const m = (x: number, y: number, quality: number): Minutia => ({ x, y, angle: 0, type: 'ending', quality });
  // Two clean minutiae of middling quality, three of higher quality inside a crowd of candidates.
  const clean = [m(10, 10, 0.4), m(200, 10, 0.35)];
  const crowded = [m(100, 100, 0.9), m(104, 100, 0.8), m(100, 106, 0.7)];
  const candidates: MinutiaCandidate[] = [...clean, ...crowded].map((p) => ({ x: p.x, y: p.y, type: 'ending' }));
  for (let k = 0; k < 12; k++) candidates.push({ x: 95 + (k % 4) * 4, y: 95 + Math.floor(k / 4) * 5, type: 'bifurcation' });
  const all = [...crowded, ...clean];
  const kept = selectUnderCap(all, candidates, 3);
  assert.equal(kept.map((p) => p.quality).sort(), [0.35, 0.4, 0.9], 'both clean minutiae and the best crowded one');
  assert.equal(selectUnderCap(all, candidates, 5), all, 'under the cap nothing is dropped, order kept');
  assert.equal(selectUnderCap(all, candidates, 3, { radius: 0 }).map((p) => p.quality), [0.9, 0.8, 0.7], 'radius 0: quality alone');
  assert.equal(Array.from(candidateDensity(clean, candidates, 20)), [1, 1]);
});

test.run();
