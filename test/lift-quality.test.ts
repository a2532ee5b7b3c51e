/**
 * The lift quality gate's ridge evidence (src/normalise/quality.ts, LIFT_DEFAULTS.minRidgeContrast):
 * a sharp synthetic print has it, the same print defocused (Gaussian PSF) has not; a JPEG-like block
 * grid along the photo's axes is not taken for ridges; on the real fingerphoto-quality photos a
 * defocused photo is refused with the reason before enhancement and a good one is lifted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { generateMaster } from '../src/synthetic/index.js';
import { applyPsf } from '../src/enhance/deblur/index.js';
import { measureRidgeEvidence, RIDGE_EVIDENCE_DEFAULTS } from '../src/normalise/quality.js';
import { liftPhoto, LIFT_DEFAULTS } from '../src/pipeline.js';
import { loadImage } from '../src/image/io.js';
import { isFingerliftError } from '../src/errors.js';
import { requireData } from './helpers/data.js';

const master = generateMaster(11);
const mask = { width: master.width, height: master.height, data: master.mask };
// Photo-like contrast: ridges a fifth of the range on skin of mean grey 0.55 (a contact print's ridges span it all).
const print = { width: master.width, height: master.height, data: master.image.data.map((v) => 0.55 + 0.2 * (v - 0.5)) };

test('a sharp synthetic print has ridge evidence; strongly defocused (Gaussian sigma 6 px), it has none', () => {
  const sharp = measureRidgeEvidence(print, mask);
  assert.ok(sharp.blocks > 100, `${sharp.blocks} blocks`);
  assert.ok(sharp.contrast > 20 * LIFT_DEFAULTS.minRidgeContrast, `sharp contrast ${sharp.contrast}`);
  assert.ok(sharp.concentration > 0.8, `sharp concentration ${sharp.concentration}`);
  // Defocus attenuates the ridge band; 8-bit quantisation as a camera would leave.
  const mild = measureRidgeEvidence(applyPsf(print, { kind: 'gaussian', sigma: 2 }, { bits: 8 }), mask);
  const strong = measureRidgeEvidence(applyPsf(print, { kind: 'gaussian', sigma: 6 }, { bits: 8 }), mask);
  assert.ok(mild.contrast < sharp.contrast && strong.contrast < mild.contrast, `not monotonic: ${sharp.contrast} ${mild.contrast} ${strong.contrast}`);
  assert.ok(mild.contrast > LIFT_DEFAULTS.minRidgeContrast, `mild blur (sigma 2 px) refused: ${mild.contrast}`);
  assert.ok(strong.contrast < LIFT_DEFAULTS.minRidgeContrast, `strong blur (sigma 6 px) passes: ${strong.contrast}`);
});

test('a block grid along the photo axes is left out when the grid angle is given', () => {
  // Faint block steps along both axes, period 8.85 px (JPEG blocking on a defocused photo), on grey 0.5.
  const W = 256, H = 256, P = RIDGE_EVIDENCE_DEFAULTS.period;
  const data = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = 0.5 + 0.02 * ((Math.floor(x / P) & 1) - 0.5) + 0.02 * ((Math.floor(y / P) & 1) - 0.5);
  const img = { width: W, height: H, data };
  const all = measureRidgeEvidence(img);
  const offGrid = measureRidgeEvidence(img, undefined, { gridAngle: 0 });
  assert.ok(all.contrast > LIFT_DEFAULTS.minRidgeContrast, `grid alone would not pass the gate anyway: ${all.contrast}`);
  assert.ok(offGrid.contrast < all.contrast / 10, `grid not left out: ${offGrid.contrast} vs ${all.contrast}`);
  // A rotated grid is not the photo's: with the grid angle at 45 degrees it still counts.
  assert.ok(measureRidgeEvidence(img, undefined, { gridAngle: Math.PI / 4 }).contrast > all.contrast / 2);
});

test('bad options and a mismatched mask are refused with E_INVALID_ARGUMENT', () => {
  const img = { width: 64, height: 64, data: new Float32Array(64 * 64).fill(0.5) };
  for (const bad of [{ block: 48 }, { period: 2 }, { bandRatio: 1 }, { quantile: 2 }, { gridStrip: 3 }]) {
    try {
      measureRidgeEvidence(img, undefined, bad);
      assert.unreachable(JSON.stringify(bad));
    } catch (e) {
      assert.ok(isFingerliftError(e) && e.code === 'E_INVALID_ARGUMENT', String(e));
    }
  }
  try {
    measureRidgeEvidence(img, { width: 32, height: 64, data: new Uint8Array(32 * 64) });
    assert.unreachable('mask size');
  } catch (e) {
    assert.ok(isFingerliftError(e) && e.code === 'E_INVALID_ARGUMENT', String(e));
  }
  try {
    liftPhoto(img, { minRidgeContrast: Number.NaN });
    assert.unreachable('minRidgeContrast NaN');
  } catch (e) {
    assert.ok(isFingerliftError(e) && e.code === 'E_INVALID_ARGUMENT', String(e));
  }
  // A flat image has blocks but no ridge contrast.
  const flat = measureRidgeEvidence(img);
  assert.is(flat.contrast, 0);
});

test('fingerphoto-quality: the defocused photo is refused before enhancement, the good one lifted', async () => {
  const d = requireData('fingerphoto-quality', 'lift quality gate');
  if (!d) return;
  const blurry = liftPhoto((await loadImage(join(d, 'blurry', 'blurry_01.jpeg'))).image, { name: 'blurry_01' });
  const b = blurry.fingertips[0];
  assert.ok(b, 'no fingertip located on blurry_01');
  assert.is(b!.usable, false);
  assert.match(b!.reason ?? '', /ridge-band contrast [\d.]+ below/);
  assert.ok(b!.normalised, 'the decision evidence (normalised decisions) is missing');
  assert.ok(b!.normalised!.decisions.ridgeEvidence.contrast < LIFT_DEFAULTS.minRidgeContrast);
  assert.is(b!.print, undefined, 'a refused print must not be enhanced');
  assert.is(b!.template, undefined, 'a refused print must not yield a template');
  const good = liftPhoto((await loadImage(join(d, 'good', 'good_02.jpeg'))).image, { name: 'good_02' });
  const g = good.fingertips[0];
  assert.ok(g?.usable, g?.reason);
  assert.ok(g!.normalised!.decisions.ridgeEvidence.contrast >= 5 * LIFT_DEFAULTS.minRidgeContrast, `good contrast ${g!.normalised!.decisions.ridgeEvidence.contrast}`);
  assert.ok(g!.normalised!.decisions.notes.some((n) => /quality gate/.test(n)), 'the gate decision is not recorded');
  // The gate can be switched off (research use): the defocused photo is then enhanced as before.
  const off = liftPhoto((await loadImage(join(d, 'blurry', 'blurry_01.jpeg'))).image, { name: 'blurry_01', minRidgeContrast: 0 });
  assert.ok(off.fingertips[0]?.template, 'minRidgeContrast 0 does not disable the gate');
});

test.run();
