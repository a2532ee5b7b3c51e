/**
 * Fingers pressed together (issue 7: four fingertip boxes on ridgebase/hands): the extent-profile
 * separation of src/locate/slap.ts on drawn masks, and on a real four-finger photo.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { slapFingertips } from '../src/locate/slap.js';
import { locateFingertips, type LocateResult } from '../src/locate/index.js';
import { loadImage } from '../src/image/io.js';
import type { RgbImage } from '../src/image/types.js';
import { requireData } from './helpers/data.js';

/** Mask (w x h) of `n` fingers of width `fw`, pressed together, entering from the right border and pointing left; tips at x = tipX[k], rounded (radius fw / 2). */
function slapMask(w: number, h: number, fw: number, tipX: number[], y0: number): Uint8Array {
  return flatSlapMask(w, h, fw, tipX, y0, fw / 2);
}

test('four fingers pressed together: four fingertips, one per finger, axis toward the tips', () => {
  const w = 360, h = 400, fw = 60, tips = [120, 80, 90, 140];
  const hands = slapFingertips(slapMask(w, h, fw, tips, 80), w, h);
  assert.is(hands.length, 1);
  const t = [...hands[0]!.tips].sort((a, b) => a.tipY - b.tipY);
  assert.is(t.length, 4);
  t.forEach((c, k) => {
    assert.ok(c.ux < -0.95, `finger ${k}: axis (${c.ux.toFixed(2)}, ${c.uy.toFixed(2)}) should point left`);
    assert.ok(Math.abs(c.tipY - (80 + k * fw + fw / 2)) < fw / 4, `finger ${k}: tip y ${c.tipY.toFixed(0)} off the finger's centre ${80 + k * fw + fw / 2}`);
    assert.ok(Math.abs(c.tipX - tips[k]!) < fw / 4, `finger ${k}: tip x ${c.tipX.toFixed(0)}, drawn at ${tips[k]}`);
    assert.ok(c.width > 0.6 * fw && c.width < 1.4 * fw, `finger ${k}: width ${c.width.toFixed(0)} for a ${fw} px finger`);
  });
});

/** Fingers as in slapMask whose tips are half-ellipses reaching `a` px beyond their sides' end (a = fw / 2: round tips; smaller: flat, level fingertips pressed together leave only shallow dips). */
function flatSlapMask(w: number, h: number, fw: number, tipX: number[], y0: number, a: number): Uint8Array {
  const m = new Uint8Array(w * h);
  const r = fw / 2;
  tipX.forEach((tx, k) => {
    const cy = y0 + k * fw + r;
    for (let y = Math.floor(cy - r); y < cy + r; y++)
      for (let x = 0; x < w; x++) {
        const dy = (y + 0.5 - cy) / r, dx = (x + 0.5 - (tx + a)) / a;
        if (x + 0.5 >= tx + a || dx * dx + dy * dy <= 1) m[y * w + x] = 1;
      }
  });
  return m;
}

test('four level fingertips with shallow dips (a regular comb on the extent profile): four fingertips', () => {
  // Dips of 0.12 finger widths: under minRoundness alone only the outer two or three bumps count.
  const w = 360, h = 400, fw = 60, tips = [100, 96, 98, 104];
  const hands = slapFingertips(flatSlapMask(w, h, fw, tips, 80, 0.12 * fw), w, h);
  assert.is(hands.length, 1);
  const t = [...hands[0]!.tips].sort((a, b) => a.tipY - b.tipY);
  assert.is(t.length, 4);
  t.forEach((c, k) => {
    assert.ok(Math.abs(c.tipY - (80 + k * fw + fw / 2)) < fw / 4, `finger ${k}: tip y ${c.tipY.toFixed(0)} off the finger's centre ${80 + k * fw + fw / 2}`);
    assert.ok(c.width > 0.6 * fw && c.width < 1.4 * fw, `finger ${k}: width ${c.width.toFixed(0)} for a ${fw} px finger`);
  });
});

test('one finger is not a slap: no profile fingertips', () => {
  const w = 360, h = 400;
  assert.is(slapFingertips(slapMask(w, h, 120, [100], 140), w, h).length, 0);
});

/** Locate the fingertips of the ridgebase/hands photo of `idBgHand` (e.g. "21022_2_RIGHT"); undefined (with a visible SKIP) without the data. */
async function locateHandPhoto(idBgHand: string, what: string): Promise<LocateResult | undefined> {
  const d = requireData('ridgebase/hands', what);
  if (!d) return undefined;
  const f = readdirSync(d).find((n) => n.startsWith(`1_test_${idBgHand}_`) && n.endsWith('.png'));
  assert.ok(f, `photo ${idBgHand} missing`);
  const { image } = await loadImage(join(d, f!));
  return locateFingertips(image as RgbImage, { name: f! });
}

test('ridgebase/hands: a four-finger photo gets four fingertip boxes across the fingers', async () => {
  const res = await locateHandPhoto('21022_2_RIGHT', 'slap fingertips');
  if (!res) return;
  assert.is(res.fingertips.length, 4, `${res.fingertips.length} boxes: ${res.diagnostics.notes.join('; ')}`);
  // One box per finger: centres at least half a finger width apart across the fingers.
  const c = res.fingertips.map((t) => t.box).sort((a, b) => a.cy - b.cy);
  for (let k = 1; k < 4; k++) assert.ok(c[k]!.cy - c[k - 1]!.cy > 0.5 * c[k]!.width, `boxes ${k - 1} and ${k} overlap across the fingers`);
});

/**
 * Four boxes, every axis within `maxDeg` degrees of +x (the fingers point right), their centres spread across
 * the fingers (at least half a box width apart); returns the boxes from top to bottom.
 */
function fourAlongFingersPointingRight(res: LocateResult, maxDeg: number): LocateResult['fingertips'][number]['box'][] {
  assert.is(res.fingertips.length, 4, `${res.fingertips.length} boxes: ${res.diagnostics.notes.join('; ')}`);
  for (const t of res.fingertips) assert.ok(Math.abs((t.box.angle * 180) / Math.PI) < maxDeg, `axis ${((t.box.angle * 180) / Math.PI).toFixed(0)} deg`);
  const c = res.fingertips.map((t) => t.box).sort((a, b) => a.cy - b.cy);
  for (let k = 1; k < 4; k++) assert.ok(c[k]!.cy - c[k - 1]!.cy > 0.5 * Math.min(c[k]!.width, c[k - 1]!.width), `boxes ${k - 1} and ${k} overlap across the fingers`);
  return c;
}

test('ridgebase/hands: fingertips level with each other (21022 bg 3 LEFT) get four boxes, one per finger', async () => {
  const res = await locateHandPhoto('21022_3_LEFT', 'slap fingertips, level tips');
  if (!res) return;
  // Before the comb rule: three boxes on an axis tilted by about 22 degrees, straddling two fingers.
  fourAlongFingersPointingRight(res, 10);
});

test('ridgebase/hands: staggered fingertips (21022 bg 2 LEFT, index and middle ahead) get four boxes along the fingers', async () => {
  const res = await locateHandPhoto('21022_2_LEFT', 'slap fingertips, staggered tips');
  if (!res) return;
  // Before: two boxes (one contour tip of finger width was not enough to use the profile) and, with the profile,
  // an axis 25 degrees off the fingers chosen by the tips line alone.
  const c = fourAlongFingersPointingRight(res, 12);
  // The fingertips are staggered: the two upper fingers reach further right than the lowest.
  assert.ok(c[0]!.cx > c[3]!.cx && c[1]!.cx > c[3]!.cx, 'box order along the fingers');
});

test.run();
