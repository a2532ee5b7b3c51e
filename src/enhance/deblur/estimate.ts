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
 * Measured on FVC2002 DB1_B (bench/deblur.ts, 20 prints): motion length within 0.5 px and angle within 2 deg;
 * a Gaussian's sigma is estimated as the total blur, sensor softness (sigma about 0.65) included.
 */
import { FingerliftError } from '../../errors.js';
import { withMats } from '../../cv/index.js';
import type { GrayImage } from '../../image/types.js';
import type { Mask } from '../types.js';
import { ESTIMATE } from './params.js';
import { normaliseMotionAngle, psfKernel, psfSize, type PsfSpec } from './psf.js';
import { otfEvaluator } from './spectrum.js';
import { anisotropy, rings, welch } from './periodogram.js';
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

const deg = Math.PI / 180;

/** Motion-blur evidence: the best (length, angle) by log-spectrum anisotropy. */
export interface MotionEvidence {
  readonly psf: PsfSpec;
  /** Anisotropy without any blur model, and with the best motion PSF (log-power variance within rings). */
  readonly anisotropyNone: number;
  readonly anisotropy: number;
  /** 1 - anisotropy / anisotropyNone; motion is chosen when >= ESTIMATE.motionMinGain. */
  readonly gain: number;
}

/** Natural log of a power spectrum, floored at 1e-12 of its peak (bin 0, DC, left out of the peak). */
function logSpectrum(power: Float32Array): Float32Array {
  let peak = 0;
  for (let k = 1; k < power.length; k++) peak = Math.max(peak, power[k]!);
  const out = new Float32Array(power.length);
  for (let k = 0; k < out.length; k++) out[k] = Math.log(power[k]! + 1e-12 * peak + 1e-30);
  return out;
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
  const logPower = logSpectrum(pg.power);

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
      // Coarse grid on a half-size periodogram (4x cheaper per candidate: it only has to land in the
      // right basin), fine grid around its best on the full one.
      const half = tile / 2 >= ESTIMATE.minCoarseTile ? tile / 2 : tile;
      const coarsePg = half === tile ? pg : welch(image, half, options.mask);
      const coarseRing = half === tile ? ring : rings(coarsePg.bins, half);
      const coarseLog = half === tile ? logPower : logSpectrum(coarsePg.power);
      const coarseOtf = half === tile ? otf : otfEvaluator(coarsePg.bins, track);
      const anisoAt = (psf: PsfSpec, coarse: boolean): number =>
        coarse
          ? anisotropy(coarseOtf(psfKernel(psf)), coarseLog, coarseRing, coarsePg.bins.weight, half)
          : anisotropy(otf(psfKernel(psf)), logPower, ring, pg.bins.weight, tile);
      const anisotropyNone = anisoAt({ kind: 'gaussian', sigma: 0 }, false);
      let best: { psf: PsfSpec; a: number } = { psf: { kind: 'gaussian', sigma: 0 }, a: Infinity };
      const consider = (length: number, angleDeg: number, coarse: boolean): void => {
        const psf: PsfSpec = { kind: 'motion', length, angle: normaliseMotionAngle(angleDeg * deg) };
        const a = anisoAt(psf, coarse);
        if (a < best.a) best = { psf, a };
      };
      for (const length of range(ESTIMATE.motionMin, maxLength, ESTIMATE.motionStep))
        for (const a of range(0, 180 - ESTIMATE.motionAngleCoarseDeg, ESTIMATE.motionAngleCoarseDeg)) consider(length, a, true);
      const b0 = best.psf as Extract<PsfSpec, { kind: 'motion' }>;
      const l0 = b0.length;
      const a0 = b0.angle / deg;
      best = { psf: b0, a: Infinity };
      const dl = ESTIMATE.motionStep - ESTIMATE.motionFineStep;
      for (const length of range(Math.max(ESTIMATE.motionMin, l0 - dl), Math.min(maxLength, l0 + dl), ESTIMATE.motionFineStep))
        for (const a of range(a0 - ESTIMATE.motionAngleCoarseDeg, a0 + ESTIMATE.motionAngleCoarseDeg, ESTIMATE.motionAngleFineDeg)) consider(length, a, false);
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
