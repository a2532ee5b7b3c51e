import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import sharp from 'sharp';
import { locateFingertips, insideBox, type LocateResult } from '../src/locate/index.js';
import { FingerliftError } from '../src/errors.js';
import type { RgbImage, GrayImage } from '../src/image/types.js';
import { requireData } from './helpers/data.js';

/** Decode (EXIF-rotated) and shrink to `width` with sharp: large photos are downscaled first to keep tests fast. */
async function rgbAt(path: string, width?: number): Promise<RgbImage> {
  let s = sharp(path).rotate();
  if (width) s = s.resize({ width });
  const { data, info } = await s.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: Float32Array.from(data, (v) => v / 255) };
}
async function grayAt(path: string): Promise<GrayImage> {
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: Float32Array.from(data, (v) => v / 255) };
}

/** The box's axis points at the fingertip: just beyond the tip is background, inside the box is hand. */
function pointsToTip(res: LocateResult, k = 0): boolean {
  const { box } = res.fingertips[k]!;
  const s = res.diagnostics.scale, m = res.handMask;
  const ux = Math.cos(box.angle), uy = -Math.sin(box.angle);
  const at = (a: number): number => {
    const x = Math.round((box.cx + ux * a) * s), y = Math.round((box.cy + uy * a) * s);
    return x < 0 || y < 0 || x >= m.width || y >= m.height ? 0 : m.data[y * m.width + x]!;
  };
  return at(box.height * 0.5 + box.width * 0.25) === 0 && at(0) === 1;
}

function angleDeg(res: LocateResult): number {
  return (res.fingertips[0]!.box.angle * 180) / Math.PI;
}
function angleNear(a: number, b: number, tol: number): boolean {
  const d = Math.abs((((a - b) % 360) + 540) % 360 - 180);
  return d <= tol;
}

test('one fingertip close up: one usable box pointing at the tip (fingerphoto-quality, casual, contactless)', async () => {
  const q = requireData('fingerphoto-quality', 'locate close-up');
  const c = requireData('fingerphoto-casual', 'locate close-up');
  const l = requireData('contactless-ds1', 'locate close-up grey');
  if (!q || !c || !l) return;
  const cases: Array<[RgbImage | GrayImage, number, string]> = [
    [await rgbAt(join(q, 'good/good_01.jpeg')), 90, 'good_01'],
    [await rgbAt(join(c, 'sahibind.jpeg')), 90, 'sahibind'],
    [await grayAt(join(l, '1/raw/1_1_1_0.jpg')), 180, 'contactless 1_1_1_0'],
  ];
  for (const [img, dir, name] of cases) {
    const res = locateFingertips(img, { name });
    assert.is(res.fingertips.length, 1, `${name}: ${res.fingertips.length} boxes`);
    const f = res.fingertips[0]!;
    assert.ok(f.usable, `${name}: ${f.reason}`);
    assert.is(f.ppiBasis, 'ridge-period');
    assert.ok(angleNear(angleDeg(res), dir, 25), `${name}: axis ${angleDeg(res).toFixed(0)} deg, expected about ${dir}`);
    assert.ok(pointsToTip(res), `${name}: axis does not point at the tip`);
  }
});

test('fingerphoto-contact: fingertip box overlaps the hand-drawn distal-phalanx mask (IoU > 0.7)', async () => {
  const d = requireData('fingerphoto-contact', 'locate IoU');
  if (!d) return;
  // Measured at 1156 px wide (1/4 of 4624): IoU 0.818 (1_1) and 0.806 (1_2) with phalanxAspect 1.5.
  // 0.7 leaves room for other fingers while failing a box on the wrong phalanx or the wrong end (IoU < 0.3).
  for (const k of ['1_1', '1_2']) {
    const img = await rgbAt(join(d, `photo/${k}.jpg`), 1156);
    const mk = await sharp(join(d, `mask/${k}_seg.jpg`)).rotate().resize({ width: 1156 }).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.is(mk.info.width, img.width);
    const res = locateFingertips(img, { name: k });
    assert.is(res.fingertips.length, 1, `${k}: ${res.fingertips.length} boxes`);
    const box = res.fingertips[0]!.box;
    const inside = (x: number, y: number): boolean => insideBox(box, x, y);
    let inter = 0, uni = 0;
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++) {
        const v = mk.data[y * img.width + x]!;
        const gt = v > 60 && v < 200; // grey = fingertip
        const b = inside(x + 0.5, y + 0.5);
        if (gt && b) inter++;
        if (gt || b) uni++;
      }
    const iou = inter / uni;
    console.log(`fingerphoto-contact ${k}: fingertip IoU ${iou.toFixed(3)}`);
    assert.ok(iou > 0.7, `${k}: IoU ${iou.toFixed(3)}`);
  }
});

test('whole hands at low resolution: fingertip boxes, all flagged unusable with an estimated ppi', async () => {
  const d = requireData('hands', 'locate hands');
  if (!d) return;
  for (const f of ['f_d.jpg', 'f_p.jpg']) {
    const res = locateFingertips(await rgbAt(join(d, f)), { name: f });
    assert.ok(res.fingertips.length >= 1, `${f}: no boxes`);
    for (const t of res.fingertips) {
      assert.not.ok(t.usable, `${f}: a fingertip at ${t.estimatedPpi} ppi was called usable`);
      assert.match(t.reason ?? '', /ppi|ridge/);
      assert.ok(t.estimatedPpi > 20, `${f}: estimated ${t.estimatedPpi} ppi`);
    }
  }
});

test('a photo of a wall (no skin, only texture) gives E_NO_FINGER', () => {
  // Plain textured wall: neutral grey-blue plaster with seeded noise and a brick-like grid.
  const w = 400, h = 300;
  const img: RgbImage = { width: w, height: h, channels: 3, data: new Float32Array(w * h * 3) };
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const mortar = y % 40 < 3 || (x + (Math.floor(y / 40) % 2) * 30) % 60 < 3 ? -0.2 : 0;
      const v = 0.6 + mortar + (rnd() - 0.5) * 0.1;
      const i = (y * w + x) * 3;
      img.data[i] = v * 0.95; img.data[i + 1] = v; img.data[i + 2] = v * 1.05;
    }
  try {
    locateFingertips(img, { name: 'wall' });
    assert.unreachable('should throw E_NO_FINGER');
  } catch (e) {
    assert.instance(e, FingerliftError);
    assert.is((e as FingerliftError).code, 'E_NO_FINGER');
    assert.match((e as Error).message, /wall/);
  }
});

test('bad input: tiny image gives E_TOO_SMALL', () => {
  const img: RgbImage = { width: 10, height: 10, channels: 3, data: new Float32Array(300) };
  try { locateFingertips(img); assert.unreachable(); } catch (e) { assert.is((e as FingerliftError).code, 'E_TOO_SMALL'); }
});

test('ridgebase/hands: four fingers pressed together give four parallel fingertip boxes (measured count)', async () => {
  const d = requireData('ridgebase/hands', 'locate four fingers');
  if (!d) return;
  const { readdirSync } = await import('node:fs');
  const files = readdirSync(d).filter((f) => f.endsWith('.png')).sort();
  let four = 0;
  const counts: number[] = [];
  for (const f of files) {
    let n = 0;
    try {
      const res = locateFingertips(await rgbAt(join(d, f)), { name: f });
      n = res.fingertips.length;
      if (n === 4) {
        four++;
        // One hand: the four axes agree within 20 degrees and the boxes do not overlap at their centres.
        const a0 = res.fingertips[0]!.box.angle;
        for (const t of res.fingertips) assert.ok(Math.abs(Math.sin(t.box.angle - a0)) < Math.sin(Math.PI / 9), `${f}: axes not parallel`);
        for (const s of res.fingertips) for (const t of res.fingertips) if (s !== t) assert.ok(Math.hypot(s.box.cx - t.box.cx, s.box.cy - t.box.cy) > 0.6 * Math.min(s.box.width, t.box.width), `${f}: boxes overlap`);
      }
    } catch { /* E_NO_FINGER counts as 0 */ }
    counts.push(n);
  }
  console.log(`ridgebase/hands: boxes per photo ${counts.join(' ')}; exactly four in ${four} of ${files.length}`);
  // Measured 2026-11-29: exactly four in 2 of 9 (boxes per photo 3 2 3 3 5 0 4 4 3); 2026-12-06, with the slap
  // profile, the brightness split of a skin-coloured background and the width spread in the slap axis
  // choice: 8 of 9 (4 4 4 4 5 4 4 4 4); with a box several times narrower than its four neighbours dropped
  // (minRelativeWidth): 9 of 9. A guard against regressions.
  assert.ok(four >= 9, `exactly four boxes in only ${four} of ${files.length} photos`);
});

test('a hand on a dark skin-coloured background (brown carpet): the skin region is split by brightness and the fingers found', () => {
  // Dark brown carpet, red over blue like skin ((R-B)/(R+G+B) about 0.4), and a bright hand whose four fingers
  // enter from the right edge, tips to the left, with gaps between them: the skin-colour region covers the whole
  // photo, so only its brighter part shows the fingers.
  const w = 480, h = 360;
  const img: RgbImage = { width: w, height: h, channels: 3, data: new Float32Array(w * h * 3) };
  let seed = 777;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const fingers = [70, 145, 220, 295].map((cy, k) => ({ cy, tip: [150, 120, 130, 170][k]!, r: 30 }));
  const inFinger = (x: number, y: number): boolean =>
    x >= 420 ||
    fingers.some((f) => (x >= f.tip && Math.abs(y - f.cy) <= f.r) || Math.hypot(x - f.tip, y - f.cy) <= f.r);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const n = rnd() * 0.04;
      const [r, g, b] = inFinger(x, y) ? [0.85, 0.62, 0.52] : [0.26, 0.14, 0.07];
      img.data[i] = r + n; img.data[i + 1] = g + n; img.data[i + 2] = b + n;
    }
  const res = locateFingertips(img, { name: 'carpet' });
  assert.ok(res.diagnostics.notes.some((n) => /split by luminance/.test(n)), `no split recorded: ${res.diagnostics.notes.join('; ')}`);
  assert.ok(res.fingertips.length >= 3, `${res.fingertips.length} fingertips`);
  // Each box centre lies on a finger, toward its tip (left of the palm edge).
  for (const t of res.fingertips) {
    assert.ok(inFinger(Math.round(t.box.cx), Math.round(t.box.cy)) && t.box.cx < 420, `box at ${t.box.cx.toFixed(0)}, ${t.box.cy.toFixed(0)} is not on a finger`);
    assert.ok(Math.cos(t.box.angle - Math.PI) > Math.cos(Math.PI / 6), `axis ${(t.box.angle * 180 / Math.PI).toFixed(0)} deg does not point left`);
  }
  // Without the split (fraction above 1: never) the same photo has no fingertip.
  assert.throws(() => locateFingertips(img, { name: 'carpet', splitSkinFraction: 1.01 }), (e: unknown) => e instanceof FingerliftError && e.code === 'E_NO_FINGER' && /carpet/.test((e as Error).message));
});

test.run();
