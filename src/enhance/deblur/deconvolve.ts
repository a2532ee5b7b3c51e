/**
 * Non-blind deconvolution with a known PSF, in the frequency domain with cv.dft:
 * - Wiener filter (Wiener 1949, "Extrapolation, Interpolation, and Smoothing of Stationary Time
 *   Series"): X = H* Y / (|H|^2 + NSR), with a constant noise-to-signal ratio, given or chosen by
 *   generalised cross-validation (Reeves & Mersereau 1992).
 * - Richardson-Lucy (Richardson 1972, JOSA 62(1); Lucy 1974, Astron. J. 79(6)):
 *   x <- x · (h ⋆ (y / (h * x))), optionally with total-variation regularisation
 *   (Dey et al. 2006, Microscopy Research and Technique 69(4)): divided by 1 - λ div(∇x / |∇x|).
 *
 * Both pad the image into a faded mirror first (see spectrum.ts) so that the DFT's wrap-around does
 * not ring. The supported PSFs are point-symmetric, so H is real and H* = H: each product is one
 * cv.multiply with a multiplier laid out like OpenCV's packed (CCS) spectrum.
 *
 * Images: height x width, row-major, [0, 1]; outputs are clamped to [0, 1].
 */
import { FingerliftError } from '../../errors.js';
import { getCv, withMats, type Mat } from '../../cv/index.js';
import type { GrayImage } from '../../image/types.js';
import { DECONV } from './params.js';
import { psfKernel, type PsfSpec } from './psf.js';
import { ccsBins, ccsMultiplier, ccsPower, cropClamped, otfAtBins, padTapered, planPadding, type PadPlan } from './spectrum.js';
import { minimiseGcv } from './gcv.js';

export interface WienerOptions {
  /** Noise-to-signal ratio (> 0), or 'auto' to choose it by GCV. Default 'auto' (DECONV.defaultNsr). */
  nsr?: number | 'auto';
}

export interface RichardsonLucyOptions {
  /** Iterations, >= 1. Default DECONV.rlIterations (10). */
  iterations?: number;
  /** Total-variation weight (Dey et al. 2006), >= 0; 0 = plain RL. Default DECONV.rlTv (0). */
  tv?: number;
}

export interface DeconvolutionResult {
  readonly image: GrayImage;
  /** The NSR used (Wiener) or NaN (Richardson-Lucy). */
  readonly nsr: number;
  /** Padded DFT grid, width x height. */
  readonly grid: { width: number; height: number };
}

function checkImage(image: GrayImage, what: string): void {
  if (!image || !(image.data instanceof Float32Array) || image.width < 1 || image.height < 1 || image.data.length !== image.width * image.height)
    throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: expected a GrayImage with width x height Float32Array data`, { input: 'image' });
  if (image.width < 8 || image.height < 8)
    throw new FingerliftError('E_TOO_SMALL', `${what}: image is ${image.width} x ${image.height}, at least 8 x 8 pixels needed`, { input: 'image' });
}

function plan(image: GrayImage, size: number): PadPlan {
  return planPadding(image.width, image.height, Math.max(DECONV.minPad, DECONV.padRadii * (size >> 1)));
}

/**
 * Wiener deconvolution of `image` by `psf`.
 * @throws FingerliftError E_INVALID_ARGUMENT (bad image, PSF or NSR), E_TOO_SMALL (under 8 x 8).
 */
export function wienerDeconvolve(image: GrayImage, psf: PsfSpec, options: WienerOptions = {}): DeconvolutionResult {
  checkImage(image, 'Wiener deconvolution');
  const nsrOpt = options.nsr ?? DECONV.defaultNsr;
  if (nsrOpt !== 'auto' && !(typeof nsrOpt === 'number' && nsrOpt > 0 && Number.isFinite(nsrOpt)))
    throw new FingerliftError('E_INVALID_ARGUMENT', `Wiener nsr must be a positive number or 'auto', got ${String(nsrOpt)}`, { input: 'nsr' });
  const kernel = psfKernel(psf);
  const p = plan(image, kernel.size);
  const bins = ccsBins(p.width, p.height);
  const h = otfAtBins(kernel, bins);
  const cv = getCv();
  return withMats('wienerDeconvolve', (track) => {
    const { mat } = padTapered(image, p, track);
    const spec = track(new cv.Mat());
    cv.dft(mat, spec, 0);
    let nsr: number;
    if (nsrOpt === 'auto') {
      // GCV on a fixed pseudo-random subset of about DECONV.gcvMaxBins bins (a regular stride would
      // sample a lattice of frequencies that can line up with motion-blur zeros). Bin 0 (DC) is kept
      // first and skipped by the GCV.
      const power = ccsPower(spec.data32F as Float32Array, bins);
      const keep = Math.max(1, Math.ceil(h.length / DECONV.gcvMaxBins));
      const idx: number[] = [0];
      for (let k = 1; k < h.length; k++) if ((Math.imul(k, 0x9e3779b1) >>> 16) % keep === 0) idx.push(k);
      const hs = Float32Array.from(idx, (k) => h[k]!);
      const ps = Float32Array.from(idx, (k) => power[k]!);
      const ws = Float32Array.from(idx, (k) => bins.weight[k]!);
      nsr = Math.min(DECONV.maxNsr, Math.max(DECONV.minNsr, minimiseGcv(hs, ps, ws).nsr));
    } else nsr = nsrOpt;
    const f = new Float32Array(h.length);
    for (let k = 0; k < h.length; k++) f[k] = h[k]! / (h[k]! * h[k]! + nsr);
    f[0] = 1; // keep the mean
    const m = track(new cv.Mat(p.height, p.width, cv.CV_32F));
    m.data32F.set(ccsMultiplier(f, bins));
    cv.multiply(spec, m, spec);
    const out = track(new cv.Mat());
    cv.dft(spec, out, cv.DFT_INVERSE | cv.DFT_SCALE | cv.DFT_REAL_OUTPUT);
    return { image: cropClamped(out, p), nsr, grid: { width: p.width, height: p.height } };
  });
}

/**
 * Richardson-Lucy deconvolution of `image` by `psf` (optionally RL-TV).
 * @throws FingerliftError E_INVALID_ARGUMENT (bad image, PSF, iterations or tv), E_TOO_SMALL.
 */
export function richardsonLucy(image: GrayImage, psf: PsfSpec, options: RichardsonLucyOptions = {}): DeconvolutionResult {
  checkImage(image, 'Richardson-Lucy deconvolution');
  const iterations = options.iterations ?? DECONV.rlIterations;
  const tv = options.tv ?? DECONV.rlTv;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 1000)
    throw new FingerliftError('E_INVALID_ARGUMENT', `Richardson-Lucy iterations must be an integer in [1, 1000], got ${iterations}`, { input: 'iterations' });
  if (!(tv >= 0 && tv < 1))
    throw new FingerliftError('E_INVALID_ARGUMENT', `Richardson-Lucy tv weight must be in [0, 1), got ${tv}`, { input: 'tv' });
  const kernel = psfKernel(psf);
  const p = plan(image, kernel.size);
  const bins = ccsBins(p.width, p.height);
  const h = otfAtBins(kernel, bins);
  const cv = getCv();
  return withMats('richardsonLucy', (track) => {
    const { mat: y } = padTapered(image, p, track);
    const off = DECONV.rlOffset;
    cv.add(y, track(new cv.Mat(p.height, p.width, cv.CV_32F, new cv.Scalar(off))), y);
    const hm = track(new cv.Mat(p.height, p.width, cv.CV_32F));
    hm.data32F.set(ccsMultiplier(h, bins));
    const floor = track(new cv.Mat(p.height, p.width, cv.CV_32F, new cv.Scalar(off * 1e-3)));
    const x = track(new cv.Mat(p.height, p.width, cv.CV_32F));
    x.data32F.set(y.data32F);
    const spec = track(new cv.Mat());
    const tmp = track(new cv.Mat());
    const inv = cv.DFT_INVERSE | cv.DFT_SCALE | cv.DFT_REAL_OUTPUT;
    const tvParts = tv > 0 ? { gx: track(new cv.Mat()), gy: track(new cv.Mat()), mag: track(new cv.Mat()), div: track(new cv.Mat()), t2: track(new cv.Mat()) } : undefined;
    for (let it = 0; it < iterations; it++) {
      // blurred estimate: h * x
      cv.dft(x, spec, 0);
      cv.multiply(spec, hm, spec);
      cv.dft(spec, tmp, inv);
      cv.max(tmp, floor, tmp);
      // ratio y / (h * x), correlated with h (h is symmetric: the same multiplier)
      cv.divide(y, tmp, tmp);
      cv.dft(tmp, spec, 0);
      cv.multiply(spec, hm, spec);
      cv.dft(spec, tmp, inv);
      cv.multiply(x, tmp, x);
      if (tvParts) applyTv(x, tv, tvParts);
      cv.max(x, floor, x);
    }
    return { image: cropClamped(x, p, off), nsr: NaN, grid: { width: p.width, height: p.height } };
  });
}

/** x <- x / (1 - tv · div(∇x / |∇x|)), the denominator kept in [1 - cap, 1 + cap] (Dey et al. 2006). */
function applyTv(x: Mat, tv: number, m: { gx: Mat; gy: Mat; mag: Mat; div: Mat; t2: Mat }): void {
  const cv = getCv();
  cv.Sobel(x, m.gx, cv.CV_32F, 1, 0, 1, 0.5, 0, cv.BORDER_REFLECT_101);
  cv.Sobel(x, m.gy, cv.CV_32F, 0, 1, 1, 0.5, 0, cv.BORDER_REFLECT_101);
  cv.magnitude(m.gx, m.gy, m.mag);
  const eps = 1e-4;
  const gx = m.gx.data32F as Float32Array;
  const gy = m.gy.data32F as Float32Array;
  const mag = m.mag.data32F as Float32Array;
  for (let i = 0; i < mag.length; i++) {
    const s = 1 / (mag[i]! + eps);
    gx[i]! *= s;
    gy[i]! *= s;
  }
  cv.Sobel(m.gx, m.div, cv.CV_32F, 1, 0, 1, 0.5, 0, cv.BORDER_REFLECT_101);
  cv.Sobel(m.gy, m.t2, cv.CV_32F, 0, 1, 1, 0.5, 0, cv.BORDER_REFLECT_101);
  const div = m.div.data32F as Float32Array;
  const d2 = m.t2.data32F as Float32Array;
  const xd = x.data32F as Float32Array;
  const cap = DECONV.rlTvMaxFactor;
  for (let i = 0; i < xd.length; i++) {
    let q = tv * (div[i]! + d2[i]!);
    if (q > cap) q = cap;
    else if (q < -cap) q = -cap;
    xd[i]! /= 1 - q;
  }
}
