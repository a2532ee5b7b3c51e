/**
 * Deblurring stage: PSF given by the user or estimated from the image, then Wiener (Wiener 1949) or
 * Richardson-Lucy (Richardson 1972, Lucy 1974) deconvolution in the frequency domain.
 *
 *   const { image, psf, evidence } = deblur(print, { psf: 'auto', method: 'wiener' });
 *
 * Input and output: GrayImage, height x width, row-major, [0, 1] (output clamped to [0, 1]).
 * Deterministic: same input and options give the same bytes (no randomness anywhere).
 */
import { FingerliftError } from '../../errors.js';
import type { GrayImage } from '../../image/types.js';
import type { Mask } from '../types.js';
import { DECONV } from './params.js';
import { formatPsf, validatePsf, type PsfSpec } from './psf.js';
import { richardsonLucy, wienerDeconvolve } from './deconvolve.js';
import { estimatePsf, type EstimatePsfOptions, type PsfEvidence } from './estimate.js';

export type DeblurMethod = 'wiener' | 'richardson-lucy';

export interface DeblurOptions {
  /** The blur to undo: a PSF model, or 'auto' to estimate it (default 'auto'). */
  psf?: PsfSpec | 'auto';
  /** Deconvolution method (default 'wiener', the fast one: one forward and one inverse DFT). */
  method?: DeblurMethod;
  /** Wiener noise-to-signal ratio, or 'auto' (GCV). Default 'auto' (DECONV.defaultNsr). */
  nsr?: number | 'auto';
  /** Richardson-Lucy iterations (default DECONV.rlIterations = 10). */
  iterations?: number;
  /** Richardson-Lucy total-variation weight (default 0 = plain RL; Dey et al. 2006 suggest about 2e-3). */
  tv?: number;
  /** Region of interest for the PSF estimate (tiles mostly outside it are ignored). */
  mask?: Mask;
  /** Options of the PSF estimate (models searched, ranges) when psf is 'auto'. */
  estimate?: Omit<EstimatePsfOptions, 'mask'>;
}

export interface DeblurEvidence {
  readonly method: DeblurMethod;
  /** 'given' when the caller's PSF was used, 'estimated' when it came from `estimatePsf`. */
  readonly psfSource: 'given' | 'estimated';
  /** The PSF in CLI form, e.g. "motion:7:45". */
  readonly psfText: string;
  /** True when the estimate found no blur worth undoing: the image is returned unchanged. */
  readonly skipped: boolean;
  /** Wiener NSR used (NaN for Richardson-Lucy or when skipped). */
  readonly nsr: number;
  /** Richardson-Lucy iterations and TV weight (undefined for Wiener). */
  readonly iterations?: number;
  readonly tv?: number;
  /** The estimate's evidence when psf was 'auto'. */
  readonly estimate?: PsfEvidence;
}

export interface DeblurResult {
  readonly image: GrayImage;
  readonly psf: PsfSpec;
  readonly evidence: DeblurEvidence;
}

/**
 * Undo a blur of `image` (a print or fingertip crop, height x width, [0, 1]).
 * @throws FingerliftError E_INVALID_ARGUMENT (bad image, PSF, method or parameters), E_TOO_SMALL
 *   (image under 32 x 32 with psf 'auto', under 8 x 8 otherwise).
 */
export function deblur(image: GrayImage, options: DeblurOptions = {}): DeblurResult {
  const method = options.method ?? 'wiener';
  if (method !== 'wiener' && method !== 'richardson-lucy')
    throw new FingerliftError('E_INVALID_ARGUMENT', `deblur: method must be 'wiener' or 'richardson-lucy', got ${JSON.stringify(method)}`, { input: 'method' });
  const want = options.psf ?? 'auto';
  let psf: PsfSpec;
  let estimate: PsfEvidence | undefined;
  if (want === 'auto') {
    const e = estimatePsf(image, { ...options.estimate, ...(options.mask ? { mask: options.mask } : {}) });
    psf = e.psf;
    estimate = e.evidence;
  } else {
    validatePsf(want);
    psf = want;
  }
  const base = { method, psfSource: want === 'auto' ? ('estimated' as const) : ('given' as const), psfText: formatPsf(psf), ...(estimate ? { estimate } : {}) };
  if (estimate?.noBlur) {
    return { image: { width: image.width, height: image.height, data: new Float32Array(image.data) }, psf, evidence: { ...base, skipped: true, nsr: NaN } };
  }
  if (method === 'wiener') {
    const r = wienerDeconvolve(image, psf, { nsr: options.nsr ?? DECONV.defaultNsr });
    return { image: r.image, psf, evidence: { ...base, skipped: false, nsr: r.nsr } };
  }
  const iterations = options.iterations ?? DECONV.rlIterations;
  const tv = options.tv ?? DECONV.rlTv;
  const r = richardsonLucy(image, psf, { iterations, tv });
  return { image: r.image, psf, evidence: { ...base, skipped: false, nsr: NaN, iterations, tv } };
}

export { psfKernel, psfOtf, psfSize, parsePsf, formatPsf, validatePsf, normaliseMotionAngle, scalePsf } from './psf.js';
export type { PsfSpec, GaussianPsf, DiskPsf, MotionPsf, PsfKernel, Otf } from './psf.js';
export { wienerDeconvolve, richardsonLucy } from './deconvolve.js';
export { applyPsf, type ApplyPsfOptions } from './blur.js';
export type { WienerOptions, RichardsonLucyOptions, DeconvolutionResult } from './deconvolve.js';
export { estimatePsf } from './estimate.js';
export type { EstimatePsfOptions, PsfEstimate, PsfEvidence, ModelFit, PsfModel } from './estimate.js';
export { ridgeBandClarity } from './clarity.js';
export type { RidgeBandClarity, RidgeBandClarityOptions } from './clarity.js';
