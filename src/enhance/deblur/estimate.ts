/**
 * Blind PSF identification: which blur (linear motion, Gaussian, defocus disk, or none) and which
 * parameters explain the image's power spectrum best. All evidence comes from Welch's (1967)
 * averaged periodogram of overlapping Hann-windowed tiles: averaging keeps what all tiles share
 * (the blur) and smooths away the ridge pattern, whose direction varies from tile to tile.
 *
 * 1. Motion (the one anisotropic model): motion blur shows as parallel dark lines (the zeros of
 *    its sinc) across the motion direction. For each (length, angle) on a grid (coarse, then
 *    refined), the OTF is divided out of the log spectrum and the anisotropy left (variance within
 *    rings of equal frequency) is measured; the right PSF leaves the spectrum nearly isotropic, as
 *    an unblurred print's is. The motion-blur "zero pattern" idea is that of Gennery 1973 and
 *    Cannon 1976 (blur identification from spectral zeros); the ring-variance score is ours.
 * 2. Isotropic blur (Gaussian, disk): generalised cross-validation of the regularised restoration
 *    (Reeves & Mersereau 1992, "Blur identification by the method of generalized cross-validation",
 *    IEEE Trans. Image Processing 1(3)) with a discrete Laplacian regulariser, minimised over the
 *    regularisation weight, on a grid of sigma / radius (coarse, then refined).
 * Motion is chosen when it removes at least ESTIMATE.motionMinGain of the anisotropy, or when its
 * GCV is also the lowest; otherwise the isotropic model with the lowest GCV, unless it beats "no
 * blur" by less than ESTIMATE.minGain. Deterministic: a fixed grid search, no randomness.
 *
 * Measured on FVC2002 DB1_B (bench/deblur.ts): motion length within 0.5 px and angle within 1 deg;
 * a Gaussian's sigma is estimated as the total blur, sensor softness (sigma about 0.65) included.
 */
import { FingerliftError } from '../../errors.js';
import { getCv, withMats } from '../../cv/index.js';
import type { GrayImage } from '../../image/types.js';
import type { Mask } from '../types.js';
import { ESTIMATE } from './params.js';
import { normaliseMotionAngle, psfKernel, psfSize, type PsfSpec } from './psf.js';
import { ccsBins, ccsPower, otfEvaluator, type CcsBins } from './spectrum.js';
import { minimiseGcv } from './gcv.js';

export type PsfModel = PsfSpec['kind'];

export interface EstimatePsfOptions {
  /** Blur models to consider. Default all three: ['gaussian', 'disk', 'motion']. */
  models?: PsfModel[];
  /** Region of interest (1 = fingerprint), same size as the image; tiles mostly outside it are ignored. */
  mask?: Mask;
  /** Largest Gaussian sigma searched, pixels (default ESTIMATE.gaussianMax = 5). */
  maxSigma?: number;
  /** Largest disk radius searched, pixels (default ESTIMATE.diskMax = 12). */
  maxRadius?: number;
  /** Largest motion length searched, pixels (default ESTIMATE.motionMax = 25). */
  maxLength?: number;
}

/** Best candidate of one model. */
export interface ModelFit {
  readonly psf: PsfSpec;
  /** GCV minimum (lower = explains the spectrum better; comparable within one estimate). */
  readonly gcv: number;
  /** Regularisation weight at that minimum (relative to the discrete Laplacian's |C|^2; not the Wiener NSR). */
  readonly nsr: number;
}

export interface PsfEvidence {
  readonly method: 'welch-gcv+log-isotropy';
  /** Welch tile side (pixels) and number of tiles averaged. */
  readonly tile: number;
  readonly tiles: number;
  /** GCV of the no-blur hypothesis. */
  readonly none: ModelFit;
  /** Best fit of each model searched (motion: the best by anisotropy, with its GCV). */
  readonly fits: ModelFit[];
  /** Motion search evidence (when motion was searched). */
  readonly motion?: MotionEvidence;
  /**
   * Strength of the evidence for the chosen blur: for motion, the anisotropy gain; for Gaussian and
   * disk, the relative GCV gain over no blur, 1 - gcv / gcvNone (0 when no blur was chosen).
   */
  readonly gain: number;
  /** The chosen fit's regularisation weight (Laplacian-regularised GCV); `deblur` picks its Wiener NSR itself. */
  readonly nsr: number;
  /** True when no model beat "no blur" by ESTIMATE.minGain: `psf` is then a zero-sigma Gaussian. */
  readonly noBlur: boolean;
}

export interface PsfEstimate {
  readonly psf: PsfSpec;
  readonly evidence: PsfEvidence;
}

/** Welch periodogram at the bins of a T x T CCS spectrum. */
interface Periodogram {
  readonly bins: CcsBins;
  readonly power: Float32Array;
  readonly tiles: number;
  /** Regulariser |C|^2 per bin (discrete Laplacian), or undefined for the identity. */
  readonly reg: Float32Array | undefined;
}

/** |C(f)|^2 of the 5-point discrete Laplacian at each bin: (4 - 2 cos 2π fx - 2 cos 2π fy)^2. */
export function laplacianSquared(bins: CcsBins): Float32Array {
  const r = new Float32Array(bins.re.length);
  for (let k = 0; k < r.length; k++) {
    const c = 4 - 2 * Math.cos(2 * Math.PI * bins.fx[k]!) - 2 * Math.cos(2 * Math.PI * bins.fy[k]!);
    r[k] = c * c;
  }
  return r;
}

function welch(image: GrayImage, tile: number, mask: Mask | undefined): Periodogram {
  const bins = ccsBins(tile, tile);
  const step = Math.max(1, Math.round(tile * (1 - ESTIMATE.tileOverlap)));
  const origins: Array<[number, number, number]> = [];
  const fitX = Math.max(1, Math.floor((image.width - tile) / step) + 1);
  const fitY = Math.max(1, Math.floor((image.height - tile) / step) + 1);
  const x0 = Math.floor((image.width - (tile + (fitX - 1) * step)) / 2);
  const y0 = Math.floor((image.height - (tile + (fitY - 1) * step)) / 2);
  for (let j = 0; j < fitY; j++)
    for (let i = 0; i < fitX; i++) {
      const ox = x0 + i * step;
      const oy = y0 + j * step;
      let inMask = tile * tile;
      if (mask) {
        inMask = 0;
        for (let y = oy; y < oy + tile; y++) for (let x = ox; x < ox + tile; x++) inMask += mask.data[y * image.width + x]! ? 1 : 0;
      }
      if (inMask < ESTIMATE.tileMaskFraction * tile * tile) continue;
      let s = 0;
      let s2 = 0;
      for (let y = oy; y < oy + tile; y++)
        for (let x = ox; x < ox + tile; x++) {
          const v = image.data[y * image.width + x]!;
          s += v;
          s2 += v * v;
        }
      const n = tile * tile;
      origins.push([ox, oy, Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2))]);
    }
  if (origins.length === 0)
    throw new FingerliftError('E_TOO_SMALL', `PSF estimation: no ${tile} x ${tile} tile lies in the region of interest`, { input: 'image' });
  const stds = origins.map((o) => o[2]).sort((a, b) => a - b);
  const medianStd = stds[stds.length >> 1]!;
  const used = origins.filter((o) => o[2] >= ESTIMATE.flatTileFraction * medianStd && o[2] > 0);
  if (used.length === 0)
    throw new FingerliftError('E_INVALID_ARGUMENT', 'PSF estimation: the image is flat (no texture to estimate a blur from)', { input: 'image' });
  const hann = new Float32Array(tile);
  for (let i = 0; i < tile; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / tile);
  const power = new Float32Array(bins.re.length);
  const cv = getCv();
  withMats('PSF estimation periodogram', (track) => {
    const m = track(new cv.Mat(tile, tile, cv.CV_32F));
    const spec = track(new cv.Mat());
    const buf = new Float32Array(tile * tile);
    const p = new Float32Array(bins.re.length);
    for (const [ox, oy] of used) {
      let mean = 0;
      for (let y = 0; y < tile; y++) for (let x = 0; x < tile; x++) mean += image.data[(oy + y) * image.width + ox + x]!;
      mean /= tile * tile;
      for (let y = 0; y < tile; y++)
        for (let x = 0; x < tile; x++) buf[y * tile + x] = (image.data[(oy + y) * image.width + ox + x]! - mean) * hann[x]! * hann[y]!;
      m.data32F.set(buf);
      cv.dft(m, spec, 0);
      ccsPower(spec.data32F as Float32Array, bins, p);
      for (let k = 0; k < p.length; k++) power[k]! += p[k]!;
    }
  });
  for (let k = 0; k < power.length; k++) power[k]! /= used.length;
  return { bins, power, tiles: used.length, reg: laplacianSquared(bins) };
}

const deg = Math.PI / 180;

/** Ring index (radius in bins of 1 / tile cycles per pixel) of every bin. */
function rings(bins: CcsBins, tile: number): Int32Array {
  const r = new Int32Array(bins.re.length);
  for (let k = 0; k < r.length; k++) r[k] = Math.round(Math.hypot(bins.fx[k]!, bins.fy[k]!) * tile);
  return r;
}

/**
 * Anisotropy left in the log spectrum after dividing out a blur: the weighted variance, within
 * rings of equal radius, of log P(f) - log(H(f)^2 + floor). A print averaged over many tiles has a
 * nearly isotropic spectrum (ridges run in all directions), so motion blur, the one anisotropic
 * model, shows as direction-dependent fall-off with dark lines (sinc zeros) across the motion
 * direction; the right length and angle flatten it. The floor (relative to H(0) = 1) stands for
 * the noise that fills the zeros.
 */
function anisotropy(h: Float32Array, logPower: Float32Array, ring: Int32Array, weight: Float32Array, tile: number): number {
  const n = (tile >> 1) + 1;
  const sum = new Float64Array(n);
  const sq = new Float64Array(n);
  const cnt = new Float64Array(n);
  const floor = ESTIMATE.motionFloor;
  for (let k = 1; k < h.length; k++) {
    const r = ring[k]!;
    if (r < ESTIMATE.minRing || r >= n) continue;
    const v = logPower[k]! - Math.log(h[k]! * h[k]! + floor);
    const w = weight[k]!;
    sum[r]! += w * v;
    sq[r]! += w * v * v;
    cnt[r]! += w;
  }
  let total = 0;
  let count = 0;
  for (let r = 0; r < n; r++)
    if (cnt[r]! > 0) {
      total += sq[r]! - (sum[r]! * sum[r]!) / cnt[r]!;
      count += cnt[r]!;
    }
  return count > 0 ? total / count : 0;
}

/** Motion-blur evidence: the best (length, angle) by log-spectrum anisotropy. */
export interface MotionEvidence {
  readonly psf: PsfSpec;
  /** Anisotropy without any blur model, and with the best motion PSF (log-power variance within rings). */
  readonly anisotropyNone: number;
  readonly anisotropy: number;
  /** 1 - anisotropy / anisotropyNone; motion is chosen when >= ESTIMATE.motionMinGain. */
  readonly gain: number;
}

function range(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; lo + i * step <= hi + 1e-9; i++) out.push(Math.round((lo + i * step) * 1000) / 1000);
  return out;
}

function bestOf(fits: ModelFit[]): ModelFit {
  return fits.reduce((a, b) => (b.gcv < a.gcv ? b : a));
}

/**
 * Estimate the PSF that blurred `image` (height x width, row-major, [0, 1]; a print at about 500 ppi
 * or a photo crop). Returns the best PSF and the evidence (GCV of every model's best fit).
 * Deterministic: a fixed grid search, no randomness.
 * @throws FingerliftError E_INVALID_ARGUMENT (bad image or options, flat image), E_TOO_SMALL (under 32 x 32,
 *   or no tile in the mask).
 */
export function estimatePsf(image: GrayImage, options: EstimatePsfOptions = {}): PsfEstimate {
  if (!image || !(image.data instanceof Float32Array) || image.data.length !== image.width * image.height)
    throw new FingerliftError('E_INVALID_ARGUMENT', 'PSF estimation: expected a GrayImage with width x height Float32Array data', { input: 'image' });
  if (image.width < 32 || image.height < 32)
    throw new FingerliftError('E_TOO_SMALL', `PSF estimation: image is ${image.width} x ${image.height}, at least 32 x 32 pixels needed`, { input: 'image' });
  if (options.mask && (options.mask.width !== image.width || options.mask.height !== image.height))
    throw new FingerliftError('E_INVALID_ARGUMENT', `PSF estimation: mask is ${options.mask.width} x ${options.mask.height}, image ${image.width} x ${image.height}`, { input: 'mask' });
  const models = options.models ?? ['gaussian', 'disk', 'motion'];
  for (const m of models)
    if (m !== 'gaussian' && m !== 'disk' && m !== 'motion')
      throw new FingerliftError('E_INVALID_ARGUMENT', `PSF estimation: unknown model "${String(m)}" (gaussian, disk, motion)`, { input: 'models' });
  const maxSigma = options.maxSigma ?? ESTIMATE.gaussianMax;
  const maxRadius = options.maxRadius ?? ESTIMATE.diskMax;
  const maxLength = options.maxLength ?? ESTIMATE.motionMax;
  for (const [name, v] of [['maxSigma', maxSigma], ['maxRadius', maxRadius], ['maxLength', maxLength]] as const)
    if (!(v > 0 && v <= 60)) throw new FingerliftError('E_INVALID_ARGUMENT', `PSF estimation: ${name} must be in (0, 60] pixels, got ${v}`, { input: name });

  // Tile: 3x the largest kernel searched, a power of two in [minTile, maxTile], no larger than the image.
  const extent = Math.max(
    models.includes('gaussian') ? psfSize({ kind: 'gaussian', sigma: maxSigma }) : 0,
    models.includes('disk') ? psfSize({ kind: 'disk', radius: maxRadius }) : 0,
    models.includes('motion') ? psfSize({ kind: 'motion', length: maxLength, angle: 0 }) : 0,
  );
  let tile = ESTIMATE.minTile;
  while (tile < 3 * extent && tile < ESTIMATE.maxTile) tile *= 2;
  while (tile > Math.min(image.width, image.height)) tile /= 2;
  if (tile < 32) throw new FingerliftError('E_TOO_SMALL', 'PSF estimation: image too small for the spectrum tiles', { input: 'image' });
  const pg = welch(image, tile, options.mask);
  const ring = rings(pg.bins, tile);
  const logPower = new Float32Array(pg.power.length);
  let peak = 0;
  for (let k = 1; k < pg.power.length; k++) peak = Math.max(peak, pg.power[k]!);
  for (let k = 0; k < logPower.length; k++) logPower[k] = Math.log(pg.power[k]! + 1e-12 * peak + 1e-30);

  return withMats('estimatePsf', (track) => {
    const otf = otfEvaluator(pg.bins, track);
    const fit = (psf: PsfSpec): ModelFit => {
      const r = minimiseGcv(otf(psfKernel(psf)), pg.power, pg.bins.weight, 0, pg.reg);
      return { psf, gcv: r.gcv, nsr: r.nsr };
    };
    const none = fit({ kind: 'gaussian', sigma: 0 });
    const fits: ModelFit[] = [];
    let motion: MotionEvidence | undefined;
    if (models.includes('motion')) {
      const aniso = (psf: PsfSpec): number => anisotropy(otf(psfKernel(psf)), logPower, ring, pg.bins.weight, tile);
      const anisotropyNone = aniso({ kind: 'gaussian', sigma: 0 });
      let best: { psf: PsfSpec; a: number } = { psf: { kind: 'gaussian', sigma: 0 }, a: Infinity };
      const consider = (length: number, angleDeg: number): void => {
        const psf: PsfSpec = { kind: 'motion', length, angle: normaliseMotionAngle(angleDeg * deg) };
        const a = aniso(psf);
        if (a < best.a) best = { psf, a };
      };
      for (const length of range(ESTIMATE.motionMin, maxLength, ESTIMATE.motionStep))
        for (const a of range(0, 180 - ESTIMATE.motionAngleCoarseDeg, ESTIMATE.motionAngleCoarseDeg)) consider(length, a);
      const b0 = best.psf as Extract<PsfSpec, { kind: 'motion' }>;
      const l0 = b0.length;
      const a0 = b0.angle / deg;
      const dl = ESTIMATE.motionStep - ESTIMATE.motionFineStep;
      for (const length of range(Math.max(ESTIMATE.motionMin, l0 - dl), Math.min(maxLength, l0 + dl), ESTIMATE.motionFineStep))
        for (const a of range(a0 - ESTIMATE.motionAngleCoarseDeg, a0 + ESTIMATE.motionAngleCoarseDeg, ESTIMATE.motionAngleFineDeg)) consider(length, a);
      motion = { psf: best.psf, anisotropyNone, anisotropy: best.a, gain: anisotropyNone > 0 ? 1 - best.a / anisotropyNone : 0 };
      fits.push(fit(best.psf));
    }
    // Isotropic models: coarse grid, then a finer one around the best.
    const search = (make: (v: number) => PsfSpec, lo: number, hi: number, step: number): ModelFit => {
      const coarse = bestOf(range(lo, hi, step).map((v) => fit(make(v))));
      const v0 = coarse.psf.kind === 'gaussian' ? coarse.psf.sigma : coarse.psf.kind === 'disk' ? coarse.psf.radius : 0;
      const fine = range(Math.max(lo, v0 - step), Math.min(hi, v0 + step), ESTIMATE.isotropicFineStep).map((v) => fit(make(v)));
      return bestOf([coarse, ...fine]);
    };
    if (models.includes('gaussian')) fits.push(search((sigma) => ({ kind: 'gaussian', sigma }), 0.25, maxSigma, ESTIMATE.gaussianStep));
    if (models.includes('disk')) fits.push(search((radius) => ({ kind: 'disk', radius }), ESTIMATE.diskMin, maxRadius, ESTIMATE.diskStep));
    const isotropic = fits.filter((f) => f.psf.kind !== 'motion');
    // Motion when its anisotropy evidence is strong, or when it also explains the spectrum best (GCV).
    const motionFit = fits.find((f) => f.psf.kind === 'motion');
    const isMotion =
      motion !== undefined &&
      motionFit !== undefined &&
      motion.gain > 0 &&
      (motion.gain >= ESTIMATE.motionMinGain || isotropic.every((f) => motionFit.gcv < f.gcv));
    const chosen = isMotion ? motionFit! : isotropic.length ? bestOf(isotropic) : none;
    const gain = isMotion ? motion!.gain : 1 - chosen.gcv / none.gcv;
    const noBlur = !isMotion && !(gain >= ESTIMATE.minGain);
    return {
      psf: noBlur ? none.psf : chosen.psf,
      evidence: {
        method: 'welch-gcv+log-isotropy' as const,
        tile,
        tiles: pg.tiles,
        none,
        fits,
        ...(motion ? { motion } : {}),
        gain: noBlur ? 0 : gain,
        nsr: noBlur ? none.nsr : chosen.nsr,
        noBlur,
      },
    };
  });
}
