/**
 * Blind PSF estimation. Tolerances, measured (see the deblur report / bench/deblur.ts):
 * - motion: length within 1 px (the search's fine step is 0.5 px and a discrete line kernel changes
 *   little between neighbouring lengths), angle within 3 degrees (fine step 1 degree); on 20 FVC2002
 *   DB1_B prints x motion 7 and 11 px at 0 and 45 degrees (80 estimates, bench/deblur.ts) the
 *   estimate was off by at most 0.5 px and 2 degrees.
 * - Gaussian: the estimate is of the total blur, the print's own (sensor) softness included: unblurred
 *   DB1_B prints estimate to sigma 0.6-0.7, so sigma s added gives about sqrt(s^2 + 0.65^2); measured
 *   on 20 prints (bench/deblur.ts) 1.65-1.85 for s = 1.5 and 2.35-2.8 for s = 2.5: window
 *   [s - 0.2, s + 0.5]. On the synthetic print (no sensor blur) within 0.3 either way.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import sharp from 'sharp';
import { join } from 'node:path';
import type { GrayImage } from '../src/image/types.js';
import { applyPsf, deblur, estimatePsf, formatPsf, psfKernel, type PsfSpec } from '../src/enhance/deblur/index.js';
import { requireData } from './helpers/data.js';

const DEG = Math.PI / 180;

const blur = (image: GrayImage, psf: PsfSpec): GrayImage => applyPsf(image, psf, { bits: 8 }); // spatial, mirrored border: independent of the DFT path

/** Seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A print-like synthetic: ridges looping around two centres (all directions), square-ish profile, period about 9 px, light noise. */
function synthetic(w = 320, h = 320): GrayImage {
  const r = rng(7);
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const d = Math.hypot(x - w * 0.4, y - h * 0.45) + 0.5 * Math.hypot(x - w * 0.7, y - h * 0.7);
      data[y * w + x] = 0.5 + 0.4 * Math.tanh(2.5 * Math.cos((2 * Math.PI * d) / 13.5)) + 0.02 * (r() - 0.5);
    }
  return { width: w, height: h, data };
}

async function loadGray(path: string): Promise<GrayImage> {
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  const f = new Float32Array(info.width * info.height);
  for (let i = 0; i < f.length; i++) f[i] = data[i]! / 255;
  return { width: info.width, height: info.height, data: f };
}

function angleDiffDeg(a: number, b: number): number {
  const d = Math.abs(a - b) % Math.PI;
  return Math.min(d, Math.PI - d) / DEG;
}

function assertMotion(got: PsfSpec, want: { length: number; angle: number }, what: string): void {
  assert.is(got.kind, 'motion', `${what}: got ${formatPsf(got)}`);
  if (got.kind !== 'motion') return;
  assert.ok(Math.abs(got.length - want.length) <= 1, `${what}: length ${got.length} vs ${want.length}`);
  assert.ok(angleDiffDeg(got.angle, want.angle) <= 3, `${what}: angle ${formatPsf(got)} vs ${want.angle / DEG} deg`);
}

function assertGaussian(got: PsfSpec, lo: number, hi: number, what: string): void {
  assert.is(got.kind, 'gaussian', `${what}: got ${formatPsf(got)}`);
  if (got.kind === 'gaussian') assert.ok(got.sigma >= lo && got.sigma <= hi, `${what}: sigma ${got.sigma} not in [${lo}, ${hi}]`);
}

test('synthetic print: motion length and angle recovered', () => {
  const s = synthetic();
  for (const want of [
    { length: 7, angle: 0 },
    { length: 9, angle: 30 * DEG },
    { length: 11, angle: 135 * DEG },
  ]) {
    const e = estimatePsf(blur(s, { kind: 'motion', ...want }));
    assertMotion(e.psf, want, `synthetic motion ${want.length}@${want.angle / DEG}`);
    assert.not.ok(e.evidence.noBlur);
  }
});

test('synthetic print: Gaussian sigma recovered within 0.3 px', () => {
  const s = synthetic();
  for (const sigma of [1.5, 2.5]) assertGaussian(estimatePsf(blur(s, { kind: 'gaussian', sigma })).psf, sigma - 0.3, sigma + 0.3, `synthetic gaussian ${sigma}`);
});

test('white noise has no blur: estimate says so and deblur returns the input unchanged', () => {
  const r = rng(3);
  const noise: GrayImage = { width: 160, height: 160, data: new Float32Array(160 * 160).map(() => r()) };
  const e = estimatePsf(noise);
  assert.ok(e.evidence.noBlur, `estimated ${formatPsf(e.psf)}, gain ${e.evidence.gain}`);
  const d = deblur(noise);
  assert.ok(d.evidence.skipped);
  assert.ok(Buffer.from(d.image.data.buffer).equals(Buffer.from(noise.data.buffer)));
  assert.is.not(d.image.data, noise.data, 'a copy, not the caller\'s buffer');
});

test('a region-of-interest mask limits the tiles used; an empty one is refused', () => {
  const s = synthetic();
  const b = blur(s, { kind: 'motion', length: 9, angle: 30 * DEG });
  const data = new Uint8Array(s.width * s.height);
  for (let y = 0; y < s.height; y++) for (let x = 0; x < 200; x++) data[y * s.width + x] = 1;
  const e = estimatePsf(b, { models: ['motion'], mask: { width: s.width, height: s.height, data } });
  assertMotion(e.psf, { length: 9, angle: 30 * DEG }, 'masked');
  assert.ok(e.evidence.tiles < estimatePsf(b, { models: ['gaussian'] }).evidence.tiles, 'fewer tiles inside the mask');
  try {
    estimatePsf(b, { mask: { width: s.width, height: s.height, data: new Uint8Array(s.width * s.height) } });
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code?: string }).code, 'E_TOO_SMALL');
  }
});

test('estimatePsf is deterministic', () => {
  const b = blur(synthetic(200, 160), { kind: 'motion', length: 7, angle: 60 * DEG });
  assert.equal(estimatePsf(b), estimatePsf(b));
});

test('FVC2002 DB1_B: Gaussian sigma and motion length/angle recovered', async () => {
  const dir = requireData('fvc2002-db1b', 'deblur PSF estimation on FVC2002 DB1_B');
  if (!dir) return;
  const a = await loadGray(join(dir, '101_1.tif'));
  const b = await loadGray(join(dir, '105_3.tif'));
  assertGaussian(estimatePsf(blur(a, { kind: 'gaussian', sigma: 1.5 })).psf, 1.3, 2.0, '101_1 gaussian 1.5');
  assertGaussian(estimatePsf(blur(b, { kind: 'gaussian', sigma: 2.5 })).psf, 2.3, 3.0, '105_3 gaussian 2.5');
  for (const [im, name, want] of [
    [a, '101_1', { length: 7, angle: 45 * DEG }],
    [a, '101_1', { length: 11, angle: 0 }],
    [b, '105_3', { length: 7, angle: 0 }],
    [b, '105_3', { length: 11, angle: 45 * DEG }],
  ] as const)
    assertMotion(estimatePsf(blur(im, { kind: 'motion', ...want })).psf, want, `${name} motion ${want.length}@${want.angle / DEG}`);
});

test('FVC2002 DB1_B: deblurring with the estimated PSF wins back most of the PSNR the blur cost', async () => {
  const dir = requireData('fvc2002-db1b', 'deblur auto on FVC2002 DB1_B');
  if (!dir) return;
  const a = await loadGray(join(dir, '103_4.tif'));
  const psnr = (x: GrayImage): number => {
    let s = 0;
    for (let i = 0; i < x.data.length; i++) s += (x.data[i]! - a.data[i]!) ** 2;
    return 10 * Math.log10(x.data.length / s);
  };
  for (const psf of [{ kind: 'gaussian', sigma: 2.5 }, { kind: 'motion', length: 11, angle: 45 * DEG }] as PsfSpec[]) {
    const blurred = blur(a, psf);
    const r = deblur(blurred, { psf: 'auto' });
    assert.is(r.evidence.psfSource, 'estimated');
    assert.ok(r.evidence.estimate !== undefined);
    // Measured: +8 to +13 dB for these blurs (blurred 15.7-17.3 dB).
    assert.ok(psnr(r.image) > psnr(blurred) + 5, `${formatPsf(psf)}: ${psnr(blurred).toFixed(1)} dB blurred, ${psnr(r.image).toFixed(1)} dB deblurred with ${r.evidence.psfText}`);
  }
});

test.run();
