import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import sharp from 'sharp';
import { locateFingertips } from '../src/locate/index.js';
import { normaliseFingertip, detectPolarity, estimateRidgePeriodSpectral, estimateRidgePeriodTiles } from '../src/normalise/index.js';
import type { GrayImage, RgbImage } from '../src/image/types.js';
import { FingerliftError } from '../src/errors.js';
import { requireCase, requireData } from './helpers/data.js';

async function rgb(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: Float32Array.from(data, (v) => v / 255) };
}
async function gray(path: string): Promise<GrayImage> {
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: Float32Array.from(data, (v) => v / 255) };
}

test('ridgebase crops (finger pointing sideways): upright 500 ppi print with a ridge period of about 9.5 px', async () => {
  const d = requireData('ridgebase', 'normalise ridgebase crop');
  if (!d) return;
  const files = readdirSync(join(d, 'crops')).filter((f) => /^1_Apple_10727_3_RIGHT_.*_1\.png$|^1_Apple_11826_1_LEFT_.*_0\.png$/.test(f));
  assert.is(files.length, 2);
  for (const f of files) {
    const img = await rgb(join(d, 'crops', f));
    const loc = locateFingertips(img, { name: f });
    const box = loc.fingertips[0]!.box;
    // The crops point to either side: the axis is found, not assumed.
    assert.ok(Math.abs(Math.cos(box.angle)) > 0.8, `${f}: axis ${(box.angle * 180 / Math.PI).toFixed(0)} deg is not sideways`);
    const r = normaliseFingertip(img, box, { name: f });
    assert.is(r.ppi, 500);
    assert.is(r.decisions.ppiBasis, 'ridge-period');
    assert.ok(r.decisions.estimatedPpi > 250 && r.decisions.estimatedPpi < 2000, `${f}: ${r.decisions.estimatedPpi} ppi`);
    // Upright: the top centre of the print is the fingertip, the bottom centre the base of the box.
    const tipX = box.cx + Math.cos(box.angle) * box.height / 2, tipY = box.cy - Math.sin(box.angle) * box.height / 2;
    const [tx, ty] = r.toPhoto(r.print.width / 2, 0);
    assert.ok(Math.hypot(tx - tipX, ty - tipY) < 0.05 * box.height, `${f}: print top maps to (${tx.toFixed(0)}, ${ty.toFixed(0)}), tip at (${tipX.toFixed(0)}, ${tipY.toFixed(0)})`);
    const est = estimateRidgePeriodSpectral(r.print, { minPeriod: 4, maxPeriod: 20 });
    console.log(`${f.slice(0, 24)}: ${r.decisions.estimatedPpi} ppi, print period ${est.period.toFixed(2)} px (SNR ${est.snr.toFixed(1)}), grey ${r.decisions.grey.chosen}, inverted ${r.decisions.polarity.inverted}`);
    assert.ok(Math.abs(est.period - 9.5) < 1.5, `${f}: print ridge period ${est.period.toFixed(2)} px`);
    for (const v of r.print.data) if (!(v >= 0 && v <= 1)) assert.unreachable(`value ${v} outside [0, 1]`);
  }
});

test('decisions carry their evidence; mirroring is on by default and is a true left-right flip', async () => {
  const d = requireData('fingerphoto-quality', 'normalise decisions');
  if (!d) return;
  const img = await rgb(join(d, 'good/good_02.jpeg'));
  const box = locateFingertips(img).fingertips[0]!.box;
  const a = normaliseFingertip(img, box);
  assert.is(a.decisions.mirrored, true);
  assert.is(Object.keys(a.decisions.grey.ridgeSnr).length, 4);
  assert.ok(a.decisions.polarity.evidence && Number.isFinite(a.decisions.polarity.evidence.skewness));
  assert.is(a.decisions.unroll.applied, true);
  const b = normaliseFingertip(img, box, { mirror: false, polarity: a.decisions.polarity.inverted ? 'invert' : 'keep' });
  assert.is(b.decisions.mirrored, false);
  assert.is(b.print.width, a.print.width);
  const w = a.print.width, h = a.print.height;
  let diff = 0, same = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      diff += Math.abs(a.print.data[y * w + x]! - b.print.data[y * w + (w - 1 - x)]!);
      same += Math.abs(a.print.data[y * w + x]! - b.print.data[y * w + x]!);
    }
  assert.ok(diff / (w * h) < 0.02, `mirror is not a flip: mean difference ${(diff / (w * h)).toFixed(4)}`);
  assert.ok(same / (w * h) > 0.05, 'mirrored and unmirrored prints are identical');
  // Same input and options give byte-identical output.
  const c = normaliseFingertip(img, box);
  assert.equal(Buffer.from(c.print.data.buffer), Buffer.from(a.print.data.buffer));
});

test('detectPolarity: white ridges on black (cases/inverted) must be inverted; contact prints are not', async () => {
  const c = requireCase('inverted', 'polarity inverted case');
  const d = requireData('fvc2002-db1b', 'polarity contact prints');
  if (!c || !d) return;
  const inv = await gray(join(c, readdirSync(c).find((f) => f.endsWith('.png'))!));
  assert.is(detectPolarity(inv).invert, true);
  const orig = await gray(join(d, '103_2.tif'));
  assert.is(detectPolarity(orig).invert, false);
  // Inverting the image flips the decision (the rule is not a constant).
  const flipped = { ...orig, data: orig.data.map((v) => 1 - v) };
  assert.is(detectPolarity(flipped).invert, true);
  let wrong = 0;
  for (const f of ['101_1', '102_1', '104_1', '105_1', '106_1', '107_1', '108_1', '109_1', '110_1']) if (detectPolarity(await gray(join(d, `${f}.tif`))).invert) wrong++;
  assert.is(wrong, 0, `${wrong} of 9 FVC2002 DB1_B prints called inverted`);
});

test('bad input: a box outside the photo gives E_INVALID_ARGUMENT naming the photo', () => {
  const img: RgbImage = { width: 100, height: 100, channels: 3, data: new Float32Array(30000) };
  try {
    normaliseFingertip(img, { cx: 500, cy: 50, width: 40, height: 60, angle: 0 }, { name: 'p.jpg' });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, FingerliftError);
    assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
    assert.match((e as Error).message, /p\.jpg/);
  }
});

test('foreground mask: print pixels outside the hand are background (white, mask 0); a mismatched mask is refused', () => {
  // A synthetic photo: vertical ridges (period 12 px) on a 200 x 300 grey image; the finger box in the middle.
  const w = 200, h = 300;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = 0.5 + 0.3 * Math.cos((2 * Math.PI * x) / 12);
  const img: GrayImage = { width: w, height: h, data };
  const box = { cx: 100, cy: 150, width: 120, height: 180, angle: Math.PI / 2 };
  // Foreground at half resolution: only the left half of the photo is hand.
  const fm = { width: 100, height: 150, data: new Uint8Array(100 * 150) };
  for (let y = 0; y < 150; y++) for (let x = 0; x < 50; x++) fm.data[y * 100 + x] = 1;
  const r = normaliseFingertip(img, box, { ppi: 500, foreground: { mask: fm, scale: 0.5 } });
  let inside = 0, whiteOutside = true;
  for (let y = 0; y < r.print.height; y++)
    for (let x = 0; x < r.print.width; x++) {
      const i = y * r.print.width + x;
      const [px] = r.toPhoto(x, y);
      if (px < 99) { if (r.mask.data[i]) inside++; }
      else if (px > 101 && (r.mask.data[i] || r.print.data[i] !== 1)) whiteOutside = false;
    }
  assert.ok(inside > 0.3 * r.print.width * r.print.height, `${inside} foreground pixels on the hand side`);
  assert.ok(whiteOutside, 'pixels outside the hand mask are not white background');
  try {
    normaliseFingertip(img, box, { ppi: 500, foreground: { mask: { width: 100, height: 150, data: new Uint8Array(10) }, scale: 0.5 } });
    assert.unreachable('mismatched foreground mask accepted');
  } catch (e) {
    assert.instance(e, FingerliftError);
    assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
  }
});

/** Curved ridges whose local period runs from 9 px (top) to 15 px (bottom), plus uniform noise of `noise` x the ridge amplitude (deterministic). */
function driftingRidges(noise: number): GrayImage {
  const W = 384, H = 384, d = new Float32Array(W * H);
  let s = 7;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const a = 0.6 * Math.sin(x / 90);
      d[y * W + x] = 0.5 + 0.1 * Math.cos((2 * Math.PI * (x * Math.cos(a) + y * Math.sin(a))) / (9 + 6 * (y / H))) + noise * 0.1 * (2 * rnd() - 1);
    }
  return { width: W, height: H, data: d };
}

test('estimateRidgePeriodTiles: the median local period of curved ridges of drifting period, also under strong noise', () => {
  const band = { minPeriod: 3.54, maxPeriod: 22.1 };
  const clean = estimateRidgePeriodTiles(driftingRidges(0), band);
  const noisy = estimateRidgePeriodTiles(driftingRidges(2), band);
  // The local periods span about 9-15 px (median about 12); noise twice the ridge amplitude.
  for (const [what, e] of [['clean', clean], ['noisy', noisy]] as const) {
    assert.ok(e.period > 11 && e.period < 13, `${what}: ${e.period.toFixed(2)} px`);
    assert.ok(e.tiles >= 100, `${what}: ${e.tiles} tiles voted`);
  }
  // A flat image has no peak: NaN, no tile.
  const flat = estimateRidgePeriodTiles({ width: 128, height: 128, data: new Float32Array(128 * 128).fill(0.5) }, band);
  assert.ok(Number.isNaN(flat.period) && flat.tiles === 0);
  // A mask that leaves no tile three quarters inside: no estimate.
  const img = driftingRidges(0);
  const none = estimateRidgePeriodTiles(img, { ...band, mask: { width: img.width, height: img.height, data: new Uint8Array(img.width * img.height) } });
  assert.is(none.tiles, 0);
  assert.throws(() => estimateRidgePeriodTiles(img, { minPeriod: 5, maxPeriod: 4 }), (e: unknown) => e instanceof FingerliftError && e.code === 'E_INVALID_ARGUMENT');
  assert.throws(() => estimateRidgePeriodTiles(img, { ...band, mask: { width: 10, height: 10, data: new Uint8Array(100) } }), (e: unknown) => e instanceof FingerliftError && e.code === 'E_INVALID_ARGUMENT');
});

test.run();
