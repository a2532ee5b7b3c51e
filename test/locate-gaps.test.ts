/**
 * Fingers side by side in a whole-hand photo (issue 7: boxes around the fingertips of whole hands at low
 * resolution): the skin mask joins touching fingers, and src/locate/gaps.ts cuts it along the dark lines
 * where they touch; a skin-coloured background below the clamp of the skin threshold joins the hand, and
 * locate segments again at the photo's own threshold. Drawn hands, the 11K Hands photos of
 * ../shared/data/hands and fingerphoto-casual hand2.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { locateFingertips, insideBox } from '../src/locate/index.js';
import { loadImage } from '../src/image/io.js';
import type { RgbImage } from '../src/image/types.js';
import { Rng } from '../src/synthetic/index.js';
import { requireData } from './helpers/data.js';

/**
 * A hand seen from above on a white sheet, 900 x 1200 (height x width): the palm enters from the top
 * border, four fingers of width `fw` side by side point down, touching along dark 3 px lines (the shadow
 * where two fingers meet); the fingertips are half-ellipses reaching `a` px below the finger's sides
 * (a = fw / 2: round; smaller: the blunt tips of fingers held together), ending at the rows `tipY`. Skin (0.85, 0.62, 0.55) with a
 * little seeded noise. Returns the image and the fingertip centres (x, y).
 */
function drawnHand(fw: number, tipY: number[], a = fw / 2, web = a, thumb = false): { image: RgbImage; tips: Array<[number, number]> } {
  const width = 1200, height = 900, x0 = 600 - (tipY.length * fw) / 2, palmBottom = 330;
  // A thumb standing apart (as in most whole-hand photos): a finger of 0.8 fw, 1.2 fw left of the others, tip at row 600.
  const tx = x0 - 1.2 * fw - 0.4 * fw, tr = 0.4 * fw;
  const data = new Float32Array(width * height * 3);
  const rng = new Rng(5);
  const r = fw / 2;
  const tips: Array<[number, number]> = [];
  tipY.forEach((ty, k) => tips.push([x0 + k * fw + r, ty - a]));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let skin = y < palmBottom + 40 && x >= x0 - 10 && x < x0 + tipY.length * fw + 10;
      if (thumb && (y < palmBottom + 40 && x >= tx - tr && x < x0 ? true : Math.abs(x + 0.5 - tx) < tr && (y < 600 - tr || (y - (600 - tr)) ** 2 + (x + 0.5 - tx) ** 2 <= tr * tr))) skin = true;
      let shadow = false;
      const k = Math.floor((x - x0) / fw);
      if (k >= 0 && k < tipY.length) {
        const cx = x0 + k * fw + r, ty = tipY[k]!;
        if (y < ty - a || ((y - (ty - a)) / a) ** 2 + ((x + 0.5 - cx) / r) ** 2 <= 1) skin = true;
        // Fingertips held together touch: the notch between two of them is filled down to `web` px above the shorter one.
        const dl0 = x - (x0 + k * fw);
        if (k > 0 && dl0 < r && y < Math.min(ty, tipY[k - 1]!) - web) skin = true;
        if (k < tipY.length - 1 && dl0 >= r && y < Math.min(ty, tipY[k + 1]!) - web) skin = true;
        // The line where this finger touches its neighbour: from the palm down to the shorter fingertip.
        const dl = x - (x0 + k * fw);
        if (skin && k > 0 && dl < 2 && y > palmBottom && y < Math.min(ty, tipY[k - 1]!) - web) shadow = true;
        if (skin && k < tipY.length - 1 && dl >= fw - 1 && y > palmBottom && y < Math.min(ty, tipY[k + 1]!) - web) shadow = true;
      }
      const i = (y * width + x) * 3;
      const n = (rng.next() - 0.5) * 0.03;
      if (!skin) { data[i] = data[i + 1] = data[i + 2] = 0.96 + n; continue; }
      const f = shadow ? 0.62 : 1;
      data[i] = 0.85 * f + n; data[i + 1] = 0.62 * f + n; data[i + 2] = 0.55 * f + n;
    }
  return { image: { width, height, channels: 3, data } as RgbImage, tips };
}

test('four fingers side by side and a thumb apart on a white sheet: more boxes with the gap cut, each on a drawn fingertip', () => {
  const { image, tips } = drawnHand(70, [780, 790, 785, 770], 35, 16, true);
  const thumbTip: [number, number] = [600 - 2 * 70 - 1.6 * 70, 600 - 0.4 * 70];
  const all = [...tips, thumbTip];
  const off = locateFingertips(image, { name: 'drawn hand', fingerGaps: false });
  const on = locateFingertips(image, { name: 'drawn hand' });
  assert.ok(off.fingertips.length < 3, `precondition: without the gap cut ${off.fingertips.length} boxes`);
  assert.ok(on.fingertips.length >= 3 && on.fingertips.length > off.fingertips.length, `${on.fingertips.length} boxes with the cut, ${off.fingertips.length} without: ${on.diagnostics.notes.join('; ')}`);
  assert.ok(on.diagnostics.notes.some((n) => /fingers side by side/.test(n)), 'the decision is not in the notes');
  // Every box on a drawn fingertip, no fingertip boxed twice.
  const hit = on.fingertips.map((f) => all.findIndex(([x, y]) => insideBox(f.box, x, y)));
  assert.ok(hit.every((k) => k >= 0), `a box off every fingertip: ${on.fingertips.map((f) => `${Math.round(f.box.cx)},${Math.round(f.box.cy)}`).join(' ')}`);
  assert.is(new Set(hit).size, hit.length, 'a fingertip boxed twice');
});

test('a drawn finger without neighbours is left to the contour detector (one box, no gap cut)', () => {
  const { image } = drawnHand(110, [780]);
  const res = locateFingertips(image, { name: 'one finger' });
  assert.is(res.fingertips.length, 1);
  assert.not.ok(res.diagnostics.notes.some((n) => /fingers side by side/.test(n)));
});

/**
 * A hand with four spread fingers (width 80 px, 50 px apart, rounded tips at the rows `tipY`) entering
 * from the top of a 900 x 1200 photo (height x width), on a beige sheet as bright as the skin (luminance
 * 0.63: no brightness split separates them) whose chromaticity (R-B)/(R+G+B)
 * is 0.088, above the clamp of the skin threshold (0.07), under the skin's 0.180. Seeded noise.
 */
function handOnBeige(tipY: number[]): { image: RgbImage; tips: Array<[number, number]> } {
  const width = 1200, height = 900, fw = 80, gap = 50, r = fw / 2;
  const x0 = 600 - (tipY.length * (fw + gap) - gap) / 2;
  const data = new Float32Array(width * height * 3);
  const rng = new Rng(9);
  const tips: Array<[number, number]> = tipY.map((ty, k) => [x0 + k * (fw + gap) + r, ty - r]);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let skin = y < 300 && x >= x0 - 20 && x < x0 + tipY.length * (fw + gap) - gap + 20;
      tips.forEach(([cx], k) => {
        const ty = tipY[k]!;
        if (Math.abs(x + 0.5 - cx) < r && (y < ty - r || (y - (ty - r)) ** 2 + (x + 0.5 - cx) ** 2 <= r * r)) skin = true;
      });
      const i = (y * width + x) * 3, n = (rng.next() - 0.5) * 0.03;
      const c = skin ? [0.8, 0.56, 0.47] : [0.68, 0.62, 0.52];
      data[i] = c[0]! + n; data[i + 1] = c[1]! + n; data[i + 2] = c[2]! + n;
    }
  return { image: { width, height, channels: 3, data } as RgbImage, tips };
}

test('a hand on a beige sheet: segmented again at the photo\'s own skin threshold, one box per fingertip', () => {
  const { image, tips } = handOnBeige([700, 760, 740, 660]);
  let off = 0;
  try {
    off = locateFingertips(image, { name: 'beige', otsuSkinRetry: 0 }).fingertips.length;
  } catch (e) {
    assert.is((e as { code?: string }).code, 'E_NO_FINGER');
  }
  assert.ok(off < 3, `precondition: at the clamped threshold ${off} boxes`);
  const on = locateFingertips(image, { name: 'beige' });
  assert.ok(on.diagnostics.notes.some((n) => /segmented again at the photo's own threshold/.test(n)), on.diagnostics.notes.join('; '));
  assert.is(on.fingertips.length, 4, `${on.fingertips.length} boxes`);
  for (const [x, y] of tips) assert.ok(on.fingertips.some((f) => insideBox(f.box, x, y)), `no box on the fingertip at ${x}, ${y}`);
});

test('fingerphoto-casual hand2 (a hand on a beige sheet): boxes on four fingertips', async () => {
  const d = requireData('fingerphoto-casual', 'skin threshold retry');
  if (!d) return;
  const { image } = await loadImage(join(d, 'hand2.jpeg'));
  const res = locateFingertips(image as RgbImage, { name: 'hand2.jpeg' });
  // Fingertip centres marked by eye on the photo (620 x 662), index to little finger.
  for (const [x, y] of [[236, 570], [364, 605], [510, 530], [585, 395]] as const)
    assert.ok(res.fingertips.some((b) => insideBox(b.box, x, y)), `no box on the fingertip at ${x}, ${y}: ${res.fingertips.map((b) => `${Math.round(b.box.cx)},${Math.round(b.box.cy)}`).join(' ')}`);
});

test('bad gap-cut and skin-retry options are refused with E_INVALID_ARGUMENT', () => {
  const { image } = drawnHand(90, [780, 790], 45, 20);
  for (const o of [{ gapMinFingerPx: 0 }, { gapWidthRatio: 0.5 }, { gapWidthRatio: Number.NaN }, { otsuSkinRetry: -0.1 }, { otsuSkinRetry: 2 }, { minRelativeWidth: 1 }, { minRelativeWidth: -1 }]) {
    try {
      locateFingertips(image, { name: 'drawn', ...o });
      assert.unreachable(`accepted ${JSON.stringify(o)}`);
    } catch (e) {
      assert.is((e as { code?: string }).code, 'E_INVALID_ARGUMENT');
    }
  }
});

test('11K Hands: the four fingers held together get four boxes (palm and back of the hand)', async () => {
  const d = requireData('hands', 'finger gaps on whole hands');
  if (!d) return;
  // Fingertip centres marked by eye on the photos (1600 x 1200), index to little finger.
  const marked: Record<string, Array<[number, number]>> = {
    'f_d.jpg': [[1000, 985], [900, 1020], [812, 955], [682, 810]],
    'f_p.jpg': [[515, 1075], [605, 1130], [700, 1085]],
  };
  for (const [f, pts] of Object.entries(marked)) {
    const { image } = await loadImage(join(d, f));
    const res = locateFingertips(image as RgbImage, { name: f });
    assert.ok(res.fingertips.length >= 4, `${f}: ${res.fingertips.length} boxes`);
    for (const [x, y] of pts) assert.ok(res.fingertips.some((b) => insideBox(b.box, x, y)), `${f}: no box on the fingertip at ${x}, ${y}`);
    // At this resolution no print is usable: boxes drawn, prints flagged, never invented.
    assert.ok(res.fingertips.every((b) => !b.usable && /resolution too low/.test(b.reason ?? '')), `${f}: a box flagged usable`);
  }
});

test.run();
