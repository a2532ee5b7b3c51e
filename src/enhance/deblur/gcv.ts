/**
 * Generalised cross-validation (GCV) of a Wiener restoration, in the frequency domain (Golub, Heath &
 * Wahba 1979, "Generalized cross-validation as a method for choosing a good ridge parameter";
 * applied to blur identification by Reeves & Mersereau 1992, IEEE Trans. Image Processing 1(3)).
 *
 * For a circulant blur with real OTF H and the Wiener filter H / (H^2 + λ), the influence of each
 * frequency is a = H^2 / (H^2 + λ), and
 *
 *   GCV(H, λ) = Σ w (1 - a)^2 P  /  (Σ w (1 - a))^2
 *
 * with P the observed power and w the number of bins each entry stands for. It is the leave-one-out
 * prediction error of the restoration: lowest for the blur and noise-to-signal ratio λ that explain
 * the observed spectrum best. The DC bin is left out (the mean carries no blur information).
 */
import { ESTIMATE } from './params.js';

export interface GcvResult {
  /** GCV value at the best λ (same units for every H over the same spectrum: comparable). */
  gcv: number;
  /** The best noise-to-signal ratio λ. */
  nsr: number;
}

/** GCV at one λ. `h` is the OTF per bin, `power` the observed |Y|^2 per bin, `weight` bin multiplicities. */
export function gcvAt(h: Float32Array, power: Float32Array, weight: Float32Array, nsr: number, skip = 0, reg?: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < h.length; k++) {
    if (k === skip) continue;
    const h2 = h[k]! * h[k]!;
    const l = reg ? nsr * reg[k]! : nsr;
    const r = l / (h2 + l); // 1 - a
    const w = weight[k]!;
    num += w * r * r * power[k]!;
    den += w * r;
  }
  return den > 0 ? num / (den * den) : Infinity;
}

/**
 * The λ that minimises GCV for this OTF: a grid over log10 λ (ESTIMATE.log10Nsr*), then a
 * golden-section refinement in the best grid cell. `skip` is the DC bin index (0 in `ccsBins`).
 */
export function minimiseGcv(h: Float32Array, power: Float32Array, weight: Float32Array, skip = 0, reg?: Float32Array): GcvResult {
  const { log10NsrMin: lo, log10NsrMax: hi, log10NsrStep: step } = ESTIMATE;
  let best = lo;
  let bestV = Infinity;
  for (let e = lo; e <= hi + 1e-9; e += step) {
    const v = gcvAt(h, power, weight, 10 ** e, skip, reg);
    if (v < bestV) {
      bestV = v;
      best = e;
    }
  }
  // Golden-section search on [best - step, best + step].
  let a = Math.max(lo, best - step);
  let b = Math.min(hi, best + step);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = gcvAt(h, power, weight, 10 ** c, skip, reg);
  let fd = gcvAt(h, power, weight, 10 ** d, skip, reg);
  for (let i = 0; i < 10; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = gcvAt(h, power, weight, 10 ** c, skip, reg);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = gcvAt(h, power, weight, 10 ** d, skip, reg);
    }
  }
  const e = fc < fd ? c : d;
  const v = Math.min(fc, fd);
  return v < bestV ? { gcv: v, nsr: 10 ** e } : { gcv: bestV, nsr: 10 ** best };
}
