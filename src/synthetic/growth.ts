/**
 * Ridge pattern grown by iterative, space-variant Gabor filtering from random seeds (SFinGe: Cappelli,
 * Erol, Maio & Maltoni 2000; Handbook of Fingerprint Recognition 2009 §7.4).
 *
 * The image starts empty except for a few seed dots. Each pass filters it with a bank of Gabor kernels
 * quantised in orientation and wavelength (by the DFT: one inverse transform per kernel in use), keeps at each
 * pixel the response of the kernels nearest its local orientation and wavelength (blended linearly
 * between the two nearest bins of each), then amplifies and clips to [-1, 1] (a soft binarisation).
 * Ridges spread from the seeds along the orientation field; minutiae appear where growing fronts meet
 * out of phase, as in SFinGe.
 *
 * Output field: height x width, row-major, in [-1, 1]; positive values are ridges.
 */
import { getCv, withMats } from '../cv/index.js';
import type { Rng } from './random.js';
import { GROWTH } from './params.js';

/** Growth options; defaults in GROWTH (params.ts). */
export interface GrowthOptions {
  /** Number of random seed dots (±1, radius 2 px). */
  seeds: number;
  /** Gain before clipping to [-1, 1] after each pass. */
  gain: number;
  /** Passes: at least `minIterations`, at most `maxIterations`; after the mean absolute change of a pass drops under `stableChange`, `settleIterations` more. */
  minIterations: number;
  maxIterations: number;
  stableChange: number;
  settleIterations: number;
}

export interface GrowthResult {
  /** Ridge field, height x width, row-major, in [-1, 1], positive on ridges. */
  field: Float32Array;
  /** Passes run. */
  iterations: number;
}

/**
 * An even-symmetric Gabor kernel for ridge orientation `theta` (radians, CCW as displayed) and
 * wavelength `lambda` (pixels), normalised so that its response to a unit-amplitude sinusoid of that
 * orientation and wavelength is 1. Row-major, size (2r+1) x (2r+1).
 */
export function gaborKernel(theta: number, lambda: number): { size: number; data: Float32Array } {
  const sa = GROWTH.sigmaAcross * lambda;
  const sl = GROWTH.sigmaAlong * lambda;
  const r = Math.ceil(GROWTH.kernelRadiusSigmas * Math.max(sa, sl));
  const size = 2 * r + 1;
  // Ridge direction in pixel coordinates (y down): (cos θ, −sin θ); normal: (sin θ, cos θ).
  const nx = Math.sin(theta);
  const ny = Math.cos(theta);
  const env = new Float64Array(size * size);
  const wave = new Float64Array(size * size);
  let envSum = 0;
  let waveSum = 0;
  for (let y = -r, i = 0; y <= r; y++)
    for (let x = -r; x <= r; x++, i++) {
      const across = x * nx + y * ny;
      const along = x * ny - y * nx;
      env[i] = Math.exp(-(across * across) / (2 * sa * sa) - (along * along) / (2 * sl * sl));
      wave[i] = Math.cos((2 * Math.PI * across) / lambda);
      envSum += env[i]!;
      waveSum += env[i]! * wave[i]!;
    }
  // Remove the small DC response of the even kernel (subtract a scaled envelope), then normalise the
  // response to the matched sinusoid: Σ kernel · cos = 1.
  const dc = waveSum / envSum;
  let norm = 0;
  for (let i = 0; i < env.length; i++) norm += env[i]! * (wave[i]! - dc) * wave[i]!;
  const data = new Float32Array(size * size);
  for (let i = 0; i < env.length; i++) data[i] = (env[i]! * (wave[i]! - dc)) / norm;
  return { size, data };
}

/** Per-pixel blend of (up to) four bank entries: two orientation bins x two wavelength bins. */
interface BankPlan {
  /** Wavelength of bin j: lambda0 + j * step. */
  lambda0: number;
  lambdaBins: number;
  /** For each kernel (o * lambdaBins + j): pixel indices using it, and their weights. */
  pixels: Int32Array[];
  weights: Float32Array[];
}

function planBank(orientation: Float32Array, wavelength: Float32Array): BankPlan {
  const nO = GROWTH.orientationBins;
  const step = GROWTH.wavelengthStep;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < wavelength.length; i++) {
    lo = Math.min(lo, wavelength[i]!);
    hi = Math.max(hi, wavelength[i]!);
  }
  const lambda0 = Math.floor(lo / step) * step;
  const lambdaBins = Math.max(2, Math.ceil((hi - lambda0) / step) + 1);
  const nK = nO * lambdaBins;
  const counts = new Int32Array(nK);
  const n = orientation.length;
  // Two passes: count, then fill (no per-pixel allocation).
  const visit = (fn: (k: number, i: number, w: number) => void): void => {
    for (let i = 0; i < n; i++) {
      const fo = (orientation[i]! / Math.PI) * nO;
      const o0 = Math.floor(fo);
      const wo = fo - o0;
      const fl = (wavelength[i]! - lambda0) / step;
      const l0 = Math.min(lambdaBins - 2, Math.max(0, Math.floor(fl)));
      const wl = Math.min(1, Math.max(0, fl - l0));
      const oa = ((o0 % nO) + nO) % nO;
      const ob = (oa + 1) % nO;
      if (1 - wo > 0 && 1 - wl > 0) fn(oa * lambdaBins + l0, i, (1 - wo) * (1 - wl));
      if (1 - wo > 0 && wl > 0) fn(oa * lambdaBins + l0 + 1, i, (1 - wo) * wl);
      if (wo > 0 && 1 - wl > 0) fn(ob * lambdaBins + l0, i, wo * (1 - wl));
      if (wo > 0 && wl > 0) fn(ob * lambdaBins + l0 + 1, i, wo * wl);
    }
  };
  visit((k) => counts[k]!++);
  const pixels = Array.from(counts, (c) => new Int32Array(c));
  const weights = Array.from(counts, (c) => new Float32Array(c));
  const fill = new Int32Array(nK);
  visit((k, i, w) => {
    const f = fill[k]!++;
    pixels[k]![f] = i;
    weights[k]![f] = w;
  });
  return { lambda0, lambdaBins, pixels, weights };
}

/**
 * Grow a ridge field over a width x height canvas that follows `orientation` (radians, [0, π)) and
 * `wavelength` (pixels), both height x width row-major.
 */
export function growRidges(
  orientation: Float32Array,
  wavelength: Float32Array,
  width: number,
  height: number,
  rng: Rng,
  options: Partial<GrowthOptions> = {},
): GrowthResult {
  const o: GrowthOptions = {
    seeds: options.seeds ?? Math.round(rng.uniform(GROWTH.seeds[0], GROWTH.seeds[1])),
    gain: options.gain ?? GROWTH.gain,
    minIterations: options.minIterations ?? GROWTH.minIterations,
    maxIterations: options.maxIterations ?? GROWTH.maxIterations,
    stableChange: options.stableChange ?? GROWTH.stableChange,
    settleIterations: options.settleIterations ?? GROWTH.settleIterations,
  };
  const n = width * height;
  const plan = planBank(orientation, wavelength);
  const field = new Float32Array(n);
  for (let s = 0; s < o.seeds; s++) {
    const x = 4 + rng.int(width - 8);
    const y = 4 + rng.int(height - 8);
    const v = rng.next() < 0.5 ? -1 : 1;
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) if (dx * dx + dy * dy <= 5) field[(y + dy) * width + x + dx] = v;
  }
  const cv = getCv();
  const acc = new Float32Array(n);
  let iterations = 0;
  // Filtering by the convolution theorem: one forward DFT of the (reflect-padded) field per pass, then
  // per kernel a complex product with its precomputed spectrum and one inverse DFT. OpenCV's filter2D
  // would redo the forward transforms for every kernel (about 2.7x slower here); mulSpectrums is not
  // in opencv-wasm, so the product is a typed-array loop. The Gabor kernels are even-symmetric, so
  // correlation and convolution coincide.
  const used = plan.pixels.map((px) => px.length > 0);
  const kernels = plan.pixels.map((px, k) => {
    if (px.length === 0) return undefined;
    const oBin = Math.floor(k / plan.lambdaBins);
    const lBin = k % plan.lambdaBins;
    return gaborKernel((oBin * Math.PI) / GROWTH.orientationBins, plan.lambda0 + lBin * GROWTH.wavelengthStep);
  });
  let r = 0;
  for (const g of kernels) if (g) r = Math.max(r, (g.size - 1) / 2);
  const pw = cv.getOptimalDFTSize(width + 2 * r) as number;
  const ph = cv.getOptimalDFTSize(height + 2 * r) as number;
  withMats('synthetic ridge growth', (track) => {
    const spectra: Array<Float32Array | undefined> = [];
    const kpad = track(new cv.Mat(ph, pw, cv.CV_32F));
    const kspec = track(new cv.Mat());
    for (let k = 0; k < kernels.length; k++) {
      const g = kernels[k];
      if (!g || !used[k]) {
        spectra.push(undefined);
        continue;
      }
      const buf = new Float32Array(pw * ph);
      const kr = (g.size - 1) / 2;
      for (let y = -kr, i = 0; y <= kr; y++)
        for (let x = -kr; x <= kr; x++, i++) buf[((y + ph) % ph) * pw + ((x + pw) % pw)] = g.data[i]!;
      kpad.data32F.set(buf);
      cv.dft(kpad, kspec, cv.DFT_COMPLEX_OUTPUT);
      spectra.push(new Float32Array(kspec.data32F));
    }
    const src = track(new cv.Mat(height, width, cv.CV_32F));
    const padded = track(new cv.Mat());
    const spec = track(new cv.Mat());
    const prod = track(new cv.Mat(ph, pw, cv.CV_32FC2));
    const out = track(new cv.Mat());
    const zero = new cv.Scalar(0, 0, 0, 0);
    const prev = new Float32Array(n);
    let settle = -1;
    for (let it = 0; it < o.maxIterations; it++) {
      src.data32F.set(field);
      cv.copyMakeBorder(src, padded, r, ph - height - r, r, pw - width - r, cv.BORDER_REFLECT, zero);
      cv.dft(padded, spec, cv.DFT_COMPLEX_OUTPUT);
      const S = new Float32Array(spec.data32F);
      acc.fill(0);
      for (let k = 0; k < spectra.length; k++) {
        const K = spectra[k];
        if (!K) continue;
        const P = prod.data32F;
        for (let j = 0; j < S.length; j += 2) {
          const a = S[j]!, b = S[j + 1]!, c = K[j]!, d = K[j + 1]!;
          P[j] = a * c - b * d;
          P[j + 1] = a * d + b * c;
        }
        cv.dft(prod, out, cv.DFT_INVERSE | cv.DFT_SCALE | cv.DFT_REAL_OUTPUT);
        const res = out.data32F;
        const px = plan.pixels[k]!;
        const w = plan.weights[k]!;
        for (let q = 0; q < px.length; q++) {
          const i = px[q]!;
          const y = (i / width) | 0;
          acc[i] = acc[i]! + w[q]! * res[(y + r) * pw + (i - y * width) + r]!;
        }
      }
      prev.set(field);
      let change = 0;
      for (let i = 0; i < n; i++) {
        const v = acc[i]! * o.gain;
        const c = v > 1 ? 1 : v < -1 ? -1 : v;
        change += Math.abs(c - prev[i]!);
        field[i] = c;
      }
      iterations = it + 1;
      if (settle < 0 && it + 1 >= o.minIterations && change / n < o.stableChange) settle = o.settleIterations;
      if (settle >= 0 && settle-- === 0) break;
    }
  });
  return { field, iterations };
}
