/**
 * Photo-specific decisions of locate and normalise measured on the ridgebase crops (issue 7):
 * skin must be redder than green (a yellow-green background is not skin), a tight crop that yields no
 * usable fingertip contour is taken whole, photo polarity follows the reflectance prior (bright ridges)
 * with the skewness kept as evidence, and the print's ridge period matches that of 500 ppi contact
 * prints measured by the same estimator (NORMALISE_DEFAULTS.targetPeriod).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import sharp from 'sharp';
import { locateFingertips } from '../src/locate/index.js';
import { normaliseFingertip, estimateRidgePeriodSpectral, estimateRidgePeriodTiles, NORMALISE_DEFAULTS } from '../src/normalise/index.js';
import { FingerliftError } from '../src/errors.js';
import type { RgbImage } from '../src/image/types.js';
import { requireData } from './helpers/data.js';

async function rgb(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: Float32Array.from(data, (v) => v / 255) };
}

function crop(dir: string, re: RegExp): string {
  const f = readdirSync(join(dir, 'crops')).find((n) => re.test(n));
  assert.ok(f, `no crop matching ${re}`);
  return join(dir, 'crops', f!);
}

test('a crop on a yellow-green background: the fingertip is found on the finger, not on the grass', async () => {
  const d = requireData('ridgebase', 'photo locate on grass');
  if (!d) return;
  const img = await rgb(crop(d, /^1_Apple_10727_1_LEFT_.*_2\.png$/));
  const res = locateFingertips(img, { name: 'grass crop' });
  const f = res.fingertips.find((t) => t.usable);
  assert.ok(f, `no usable fingertip: ${res.fingertips.map((t) => t.reason).join('; ')}`);
  // The finger ends at about x = 420 of 604; the grass is to its right.
  const tipX = f!.box.cx + (Math.cos(f!.box.angle) * f!.box.height) / 2;
  assert.ok(tipX < 0.8 * img.width, `tip at x = ${tipX.toFixed(0)} of ${img.width}: the box reaches into the background`);
});

test('tight crops whose contour gave no usable fingertip are located (10727 bg 1, left hand)', async () => {
  const d = requireData('ridgebase', 'photo locate tight crops');
  if (!d) return;
  for (const k of [0, 1, 2]) {
    const img = await rgb(crop(d, new RegExp(`^1_Apple_10727_1_LEFT_.*_${k}\\.png$`)));
    const res = locateFingertips(img, { name: `crop ${k}` });
    assert.ok(res.fingertips.some((t) => t.usable), `crop ${k}: ${res.fingertips.map((t) => t.reason).join('; ')}`);
  }
});

test('photo polarity: reflectance prior inverts, skewness recorded; the print period matches contact prints', async () => {
  const d = requireData('ridgebase', 'photo polarity and scale');
  if (!d) return;
  const img = await rgb(crop(d, /^1_Apple_11826_1_LEFT_.*_2\.png$/));
  const box = locateFingertips(img).fingertips[0]!.box;
  const a = normaliseFingertip(img, box);
  assert.is(a.decisions.polarity.inverted, true);
  assert.is(a.decisions.polarity.how, 'auto');
  const sk = a.decisions.polarity.evidence?.skewness;
  assert.ok(sk !== undefined && Number.isFinite(sk));
  const b = normaliseFingertip(img, box, { polarity: 'skewness' });
  assert.is(b.decisions.polarity.inverted, sk! > 0);
  const est = estimateRidgePeriodSpectral(a.print, { minPeriod: NORMALISE_DEFAULTS.targetPeriod / 2.5, maxPeriod: NORMALISE_DEFAULTS.targetPeriod * 2.5 });
  assert.ok(Math.abs(est.period - NORMALISE_DEFAULTS.targetPeriod) < 0.1 * NORMALISE_DEFAULTS.targetPeriod, `print period ${est.period.toFixed(2)} px, target ${NORMALISE_DEFAULTS.targetPeriod}`);
  // periodCorrection 'tiles': the print's period, measured as the contact prints' reference was
  // (estimateRidgePeriodTiles), is that reference.
  const c = normaliseFingertip(img, box, { periodCorrection: 'tiles' });
  const tiles = estimateRidgePeriodTiles(c.print, { minPeriod: NORMALISE_DEFAULTS.targetPeriod / 2.5, maxPeriod: NORMALISE_DEFAULTS.targetPeriod * 2.5, mask: c.mask });
  assert.ok(Math.abs(tiles.period - NORMALISE_DEFAULTS.correctionPeriod) < 0.1 * NORMALISE_DEFAULTS.correctionPeriod, `'tiles' print period ${tiles.period.toFixed(2)} px, contact prints ${NORMALISE_DEFAULTS.correctionPeriod}`);
  assert.throws(() => normaliseFingertip(img, box, { periodCorrection: 'median' as never }), (e: unknown) => e instanceof FingerliftError && e.code === 'E_INVALID_ARGUMENT');
});

test.run();
