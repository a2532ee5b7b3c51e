/**
 * Frequency-domain plumbing for deconvolution: padding with a faded mirror (so the DFT's periodic
 * extension has no jump at the border), and OpenCV's packed real spectrum (CCS) with per-bin
 * tables, so that a real, even OTF becomes one `cv.multiply` with a multiplier laid out like the
 * spectrum (opencv-wasm has no mulSpectrums; with a real OTF none is needed).
 *
 * CCS layout of `cv.dft` of a real M x N array (both even), as in the OpenCV reference for `dft`:
 * column 0 holds the u = 0 frequencies and column N - 1 the u = N/2 ones, packed down the rows as
 * Re(0), Re(1), Im(1), ..., Re(M/2 - 1), Im(M/2 - 1), Re(M/2); columns 2u - 1, 2u (u = 1 .. N/2 - 1)
 * hold Re and Im of Y(v, u) in row v for every v. Checked against DFT_COMPLEX_OUTPUT in the tests.
 */
import { getCv, withMats, type Mat } from '../../cv/index.js';
import type { GrayImage } from '../../image/types.js';
import { placeKernelAtOrigin, type PsfKernel } from './psf.js';

/** One entry per independent frequency of a CCS spectrum. */
export interface CcsBins {
  readonly width: number;
  readonly height: number;
  /** Index of the real part in the CCS array. */
  readonly re: Int32Array;
  /** Index of the imaginary part, or -1 for bins whose value is real (DC and Nyquist). */
  readonly im: Int32Array;
  /** Number of full-spectrum bins this entry stands for (2 = itself and its conjugate, 1 = self-conjugate). */
  readonly weight: Float32Array;
  /** Frequency, cycles per pixel, in [-0.5, 0.5]. */
  readonly fx: Float32Array;
  readonly fy: Float32Array;
  /** Index of (v, u) in a full height x width frequency grid (for reading an `Otf`). */
  readonly full: Int32Array;
}

const binCache = new Map<string, CcsBins>();

/** Bin tables of an even height x width CCS spectrum (cached per size). */
export function ccsBins(width: number, height: number): CcsBins {
  const key = `${width}x${height}`;
  const hit = binCache.get(key);
  if (hit) return hit;
  if (width % 2 || height % 2) throw new Error(`ccsBins: sizes must be even, got ${width} x ${height}`);
  const n = (width * height) / 2 + 2;
  const re = new Int32Array(n);
  const im = new Int32Array(n);
  const weight = new Float32Array(n);
  const fx = new Float32Array(n);
  const fy = new Float32Array(n);
  const full = new Int32Array(n);
  let k = 0;
  const add = (r: number, i: number, w: number, u: number, v: number): void => {
    re[k] = r;
    im[k] = i;
    weight[k] = w;
    fx[k] = u / width;
    fy[k] = (v > height / 2 ? v - height : v) / height;
    full[k] = ((v + height) % height) * width + u;
    k++;
  };
  for (const [col, u] of [[0, 0], [width - 1, width / 2]] as const) {
    add(col, -1, 1, u, 0);
    for (let v = 1; v < height / 2; v++) add((2 * v - 1) * width + col, 2 * v * width + col, 2, u, v);
    add((height - 1) * width + col, -1, 1, u, height / 2);
  }
  for (let v = 0; v < height; v++)
    for (let u = 1; u < width / 2; u++) add(v * width + 2 * u - 1, v * width + 2 * u, 2, u, v);
  const bins = { width, height, re, im, weight, fx, fy, full };
  binCache.set(key, bins);
  return bins;
}

/** Smallest even size >= n whose only prime factors are 2, 3 and 5 (fast for OpenCV's DFT). */
export function dftSize(n: number): number {
  for (let m = Math.max(2, Math.ceil(n)); ; m++) {
    if (m % 2) continue;
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

/** Where the image sits inside the padded DFT grid. */
export interface PadPlan {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly top: number;
  readonly imageWidth: number;
  readonly imageHeight: number;
}

export function planPadding(imageWidth: number, imageHeight: number, pad: number): PadPlan {
  const width = dftSize(imageWidth + 2 * pad);
  const height = dftSize(imageHeight + 2 * pad);
  return { width, height, left: (width - imageWidth) >> 1, top: (height - imageHeight) >> 1, imageWidth, imageHeight };
}

/** Raised-cosine weights: 1 over the image, falling to 0 at the wrap-around point of the padding. */
function fadeWeights(n: number, start: number, length: number): Float32Array {
  const w = new Float32Array(n);
  const end = start + length; // exclusive
  const right = n - end; // pixels after the image; the wrap point is at n
  for (let i = 0; i < n; i++) {
    if (i >= start && i < end) w[i] = 1;
    else if (i < start) w[i] = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / (start + 0.5));
    else w[i] = 0.5 - 0.5 * Math.cos((Math.PI * (n - i - 0.5)) / (right + 0.5));
  }
  return w;
}

/**
 * The image mirrored (BORDER_REFLECT_101) into the padded grid, the mirror faded to the image mean
 * with a raised cosine toward the grid's edge. Returns a new CV_32F Mat (caller deletes, e.g. via
 * `track`) and the mean.
 */
export function padTapered(image: GrayImage, plan: PadPlan, track: <D extends { delete(): void }>(d: D) => D): { mat: Mat; mean: number } {
  const cv = getCv();
  const src = track(new cv.Mat(image.height, image.width, cv.CV_32F));
  src.data32F.set(image.data);
  const out = track(new cv.Mat());
  const bottom = plan.height - image.height - plan.top;
  const right = plan.width - image.width - plan.left;
  cv.copyMakeBorder(src, out, plan.top, bottom, plan.left, right, cv.BORDER_REFLECT_101);
  let mean = 0;
  for (let i = 0; i < image.data.length; i++) mean += image.data[i]!;
  mean /= Math.max(1, image.data.length);
  const wx = fadeWeights(plan.width, plan.left, image.width);
  const wy = fadeWeights(plan.height, plan.top, image.height);
  const d = out.data32F as Float32Array;
  for (let y = 0; y < plan.height; y++) {
    const fy = wy[y]!;
    const row = y * plan.width;
    if (fy === 1) {
      for (let x = 0; x < plan.left; x++) d[row + x] = mean + (d[row + x]! - mean) * wx[x]!;
      for (let x = plan.left + image.width; x < plan.width; x++) d[row + x] = mean + (d[row + x]! - mean) * wx[x]!;
    } else for (let x = 0; x < plan.width; x++) d[row + x] = mean + (d[row + x]! - mean) * fy * wx[x]!;
  }
  return { mat: out, mean };
}

/** Copy the image region of a padded CV_32F Mat out, clamped to [0, 1]. */
export function cropClamped(mat: Mat, plan: PadPlan, offset = 0): GrayImage {
  const d = mat.data32F as Float32Array;
  const w = plan.imageWidth;
  const h = plan.imageHeight;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (y + plan.top) * plan.width + plan.left;
    for (let x = 0; x < w; x++) {
      const v = d[src + x]! - offset;
      data[y * w + x] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return { width: w, height: h, data };
}

/**
 * Real OTF of a point-symmetric kernel at every CCS bin: H for bin k is `out[k]` (bins order of
 * `ccsBins`). Computed as the real DFT of the kernel centred at the origin.
 */
export function otfAtBins(kernel: PsfKernel, bins: CcsBins): Float32Array {
  return withMats('otfAtBins', (track) => otfEvaluator(bins, track)(kernel));
}

/**
 * A reusable OTF evaluator for many kernels on one grid (its two Mats live as long as `track`'s
 * scope). Each call returns a new Float32Array of H per bin.
 */
export function otfEvaluator(bins: CcsBins, track: <D extends { delete(): void }>(d: D) => D): (kernel: PsfKernel) => Float32Array {
  const cv = getCv();
  const k = track(new cv.Mat(bins.height, bins.width, cv.CV_32F, new cv.Scalar(0)));
  const s = track(new cv.Mat());
  const zero = new Float32Array(bins.width * bins.height);
  return (kernel) => {
    const buf = zero.slice();
    placeKernelAtOrigin(kernel, buf, bins.width, bins.height);
    k.data32F.set(buf);
    cv.dft(k, s, 0);
    const d = s.data32F as Float32Array;
    const h = new Float32Array(bins.re.length);
    for (let i = 0; i < h.length; i++) h[i] = d[bins.re[i]!]!;
    return h;
  };
}

/** A CCS-shaped multiplier: value `f[k]` at both the real and imaginary slot of bin k. */
export function ccsMultiplier(values: Float32Array, bins: CcsBins): Float32Array {
  const m = new Float32Array(bins.width * bins.height);
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    m[bins.re[k]!] = v;
    const i = bins.im[k]!;
    if (i >= 0) m[i] = v;
  }
  return m;
}

/** Power |Y|^2 at every CCS bin of a CCS spectrum array. */
export function ccsPower(spectrum: Float32Array, bins: CcsBins, out?: Float32Array): Float32Array {
  const p = out ?? new Float32Array(bins.re.length);
  for (let k = 0; k < p.length; k++) {
    const r = spectrum[bins.re[k]!]!;
    const i = bins.im[k]! >= 0 ? spectrum[bins.im[k]!]! : 0;
    p[k] = r * r + i * i;
  }
  return p;
}
