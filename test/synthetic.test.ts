import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Rng,
  deriveSeed,
  generateMaster,
  generateImpression,
  renderPhoto,
  orientationAt,
  impressionForward,
  impressionInverse,
  thinZhangSuen,
  skeletonMinutiae,
  type MasterFingerprint,
} from '../src/synthetic/index.js';
import { gaussianBlur } from '../src/synthetic/noise.js';
import { isFingerliftError } from '../src/errors.js';
import type { Minutia } from '../src/minutiae/types.js';
import type { GrayImage, RgbImage } from '../src/image/types.js';

const DEG = Math.PI / 180;
const angleDiff = (a: number, b: number, period: number): number => {
  const d = Math.abs(a - b) % period;
  return Math.min(d, period - d);
};

/** A naive, independent extractor for the checks: local-mean binarisation, thinning, crossing number. */
function naiveMinutiae(img: GrayImage, mask: Uint8Array): Minutia[] {
  const { width, height } = img;
  const sm = gaussianBlur(img.data, width, height, 1);
  const mean = gaussianBlur(img.data, width, height, 8);
  const bin = new Uint8Array(width * height);
  for (let i = 0; i < bin.length; i++) bin[i] = mask[i] && sm[i]! < mean[i]! ? 1 : 0;
  return skeletonMinutiae(thinZhangSuen(bin, width, height), width, height, 9);
}

/** Fraction of truth minutiae with a detected minutia within 6 px whose direction agrees within 45 degrees. */
function hitRate(truth: Minutia[], found: Minutia[], dx = 0, dy = 0): number {
  let hit = 0;
  for (const t of truth)
    if (found.some((f) => Math.hypot(f.x - t.x - dx, f.y - t.y - dy) <= 6 && angleDiff(f.angle, t.angle, 2 * Math.PI) < 45 * DEG)) hit++;
  return hit / truth.length;
}

let loop: MasterFingerprint | undefined;
/** The full-size left-loop master shared by the impression and photo tests (generated once). */
const loopMaster = (): MasterFingerprint => (loop ??= generateMaster(101, { class: 'left-loop' }));

function checkMaster(m: MasterFingerprint, range: [number, number]): void {
  const n = m.minutiae.length;
  assert.ok(n >= range[0] && n <= range[1], `${m.class}: ${n} minutiae, expected ${range[0]}-${range[1]}`);
  const endings = m.minutiae.filter((q) => q.type === 'ending').length;
  assert.ok(endings > 0 && endings < n, `${m.class}: both types present (${endings} endings of ${n})`);
  const diffs = m.minutiae.map((q) => angleDiff(q.angle, orientationAt(m.orientationModel, q.x, q.y), Math.PI));
  const close = diffs.filter((d) => d < 20 * DEG).length / n;
  assert.ok(close >= 0.75, `${m.class}: ${(close * 100).toFixed(0)}% of directions within 20 deg of the model (mod pi)`);
  assert.ok(Math.max(...diffs) < 60 * DEG, `${m.class}: worst direction error ${(Math.max(...diffs) / DEG).toFixed(0)} deg`);
  for (const q of m.minutiae) {
    assert.ok(q.angle >= 0 && q.angle < 2 * Math.PI);
    assert.is(m.mask[Math.round(q.y) * m.width + Math.round(q.x)], 1, 'minutia inside the fingertip');
  }
}

test('Rng: seeded, in range, reproducible; deriveSeed separates labels', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.equal(xs, Array.from({ length: 1000 }, () => b.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  assert.is.not(deriveSeed(1, 'master'), deriveSeed(1, 'photo'));
  assert.is.not(new Rng(43).next(), new Rng(42).next());
  assert.throws(() => new Rng(NaN), (e: unknown) => isFingerliftError(e, 'E_INVALID_ARGUMENT'));
});

test('orientation model: Poincare index +1/2 around a core, -1/2 around a delta', () => {
  const m = generateMaster(7, { class: 'right-loop', width: 160, height: 200, seeds: 4 });
  const index = (cx: number, cy: number): number => {
    let total = 0;
    const steps = 72;
    let prev = orientationAt(m.orientationModel, cx + 12, cy);
    for (let k = 1; k <= steps; k++) {
      const t = (2 * Math.PI * k) / steps;
      const cur = orientationAt(m.orientationModel, cx + 12 * Math.cos(t), cy - 12 * Math.sin(t));
      let d = cur - prev;
      if (d > Math.PI / 2) d -= Math.PI;
      if (d < -Math.PI / 2) d += Math.PI;
      total += d;
      prev = cur;
    }
    return total / (2 * Math.PI);
  };
  const core = m.orientationModel.cores[0]!;
  const delta = m.orientationModel.deltas[0]!;
  assert.ok(Math.abs(index(core.x, core.y) - 0.5) < 1e-6, `core index ${index(core.x, core.y)}`);
  assert.ok(Math.abs(index(delta.x, delta.y) + 0.5) < 1e-6, `delta index ${index(delta.x, delta.y)}`);
  assert.ok(delta.x < core.x, 'a right loop has its delta on the left');
});

test('determinism: the same seed gives identical masters and impressions, another seed differs', () => {
  const opts = { class: 'whorl' as const, width: 192, height: 224 };
  const a = generateMaster(11, opts);
  const b = generateMaster(11, opts);
  assert.ok(Buffer.from(a.image.data.buffer).equals(Buffer.from(b.image.data.buffer)), 'master pixels identical');
  assert.equal(a.minutiae, b.minutiae);
  const ia = generateImpression(a, 5);
  const ib = generateImpression(b, 5);
  assert.ok(Buffer.from(ia.image.data.buffer).equals(Buffer.from(ib.image.data.buffer)), 'impression pixels identical');
  assert.equal(ia.minutiae, ib.minutiae);
  const c = generateMaster(12, opts);
  assert.not.ok(Buffer.from(a.image.data.buffer).equals(Buffer.from(c.image.data.buffer)), 'another seed, another finger');
});

test('ground truth plausibility: right loop and arch masters (full size)', () => {
  checkMaster(generateMaster(505, { class: 'right-loop' }), [15, 80]);
  checkMaster(generateMaster(100, { class: 'arch' }), [6, 80]);
});

test('impression ground truth follows the transform (clean and degraded impressions)', () => {
  const m = loopMaster();
  for (const [seed, clean, floor] of [[10101, true, 0.75], [10102, false, 0.6], [10104, false, 0.6]] as const) {
    const imp = generateImpression(m, seed, { clean });
    assert.ok(imp.minutiae.length >= 10, `${imp.minutiae.length} truth minutiae in the impression`);
    const found = naiveMinutiae(imp.image, imp.mask);
    const hit = hitRate(imp.minutiae, found);
    // Controls: the same truth displaced by 11 px, and the master's untransformed coordinates.
    const shifted = hitRate(imp.minutiae, found, 9, 7);
    const untransformed = hitRate(m.minutiae, found);
    assert.ok(hit >= floor, `seed ${seed}: ${(hit * 100).toFixed(0)}% of truth minutiae on a detected minutia (floor ${floor * 100}%)`);
    assert.ok(hit - shifted >= 0.4 && hit - untransformed >= 0.4, `seed ${seed}: hit ${hit.toFixed(2)}, controls ${shifted.toFixed(2)} / ${untransformed.toFixed(2)}`);
  }
});

test('impression geometry: inverse undoes forward', () => {
  const m = generateMaster(3, { class: 'arch', width: 160, height: 200, seeds: 4 });
  const g = generateImpression(m, 9, { rotation: 0.3, tx: 12, ty: -8 }).geometry;
  let worst = 0;
  for (let y = 20; y < 200; y += 17)
    for (let x = 20; x < 160; x += 13) {
      const [fx, fy] = impressionForward(g, x, y);
      const [bx, by] = impressionInverse(g, fx, fy);
      worst = Math.max(worst, Math.hypot(bx - x, by - y));
    }
  assert.ok(worst < 0.01, `round trip error ${worst} px`);
});

test('photo: box contains the fingertip and its ridges; ground truth inside; same seed, same JPEG bytes', async () => {
  const m = loopMaster();
  const p = await renderPhoto(m, 77, { rotation: 1.2, ppi: 340 });
  const q = await renderPhoto(m, 77, { rotation: 1.2, ppi: 340 });
  assert.ok(p.jpeg.equals(q.jpeg), 'same seed, same JPEG bytes');
  assert.is(p.jpeg[0], 0xff);
  assert.is(p.jpeg[1], 0xd8);
  const b = p.fingertipBox;
  assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= p.width && b.y + b.height <= p.height, 'box inside the photo');
  const expected = 2 * m.shape.halfWidth * (p.ppi / 500);
  assert.ok(Math.max(b.width, b.height) > 0.8 * expected && Math.max(b.width, b.height) < 3 * expected, `box ${b.width} x ${b.height}, finger width ${expected.toFixed(0)}`);
  assert.ok(p.minutiae.length >= 10);
  for (const t of p.minutiae) assert.ok(t.x >= b.x - 1 && t.x <= b.x + b.width + 1 && t.y >= b.y - 1 && t.y <= b.y + b.height + 1, 'minutia in the box');
  // Ridge energy (difference of Gaussians at the ridge period) concentrates in the box.
  const img: RgbImage = p.image;
  const g = new Float32Array(p.width * p.height);
  for (let i = 0; i < g.length; i++) g[i] = (img.data[3 * i]! + img.data[3 * i + 1]! + img.data[3 * i + 2]!) / 3;
  const fine = gaussianBlur(g, p.width, p.height, 0.8);
  const coarse = gaussianBlur(g, p.width, p.height, 3);
  let inE = 0, inN = 0, outE = 0, outN = 0;
  for (let y = 0; y < p.height; y++)
    for (let x = 0; x < p.width; x++) {
      const i = y * p.width + x;
      const e = (fine[i]! - coarse[i]!) ** 2;
      if (x >= b.x && x < b.x + b.width && y >= b.y && y < b.y + b.height) { inE += e; inN++; } else { outE += e; outN++; }
    }
  assert.ok(inE / inN > 3 * (outE / outN), `ridge energy in the box ${(inE / inN).toExponential(2)} vs outside ${(outE / outN).toExponential(2)}`);
  // Mirrored: the photo's minutiae are the master's seen from the other side (handedness reversed).
  assert.is(p.mirrored, true);
});

test('bad options are FingerliftError E_INVALID_ARGUMENT naming the option', async () => {
  const bad = (fn: () => unknown, word: string): void => {
    try {
      fn();
      assert.unreachable('should throw');
    } catch (e) {
      assert.ok(isFingerliftError(e, 'E_INVALID_ARGUMENT'), String(e));
      assert.match((e as Error).message, word);
    }
  };
  bad(() => generateMaster(1, { width: 50 }), 'size');
  bad(() => generateMaster(1, { class: 'spiral' as never }), 'class');
  const m = generateMaster(1, { width: 160, height: 200, seeds: 4 });
  bad(() => generateImpression(m, 1, { pressure: 2 }), 'pressure');
  try {
    await renderPhoto(m, 1, { ppi: 5000 });
    assert.unreachable('should throw');
  } catch (e) {
    assert.ok(isFingerliftError(e, 'E_INVALID_ARGUMENT') && /ppi/.test((e as Error).message), String(e));
  }
});

test.run();
