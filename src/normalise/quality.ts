/**
 * Ridge evidence of a normalised fingertip print, measured BEFORE any enhancement (a Gabor filter turns
 * any texture near the ridge frequency into ridge-like stripes, so evidence must come from the input).
 *
 * Per block (Hann-windowed tiles, half-overlapping, wholly inside the mask) the power spectrum gives:
 * - ridge-band contrast: RMS amplitude of the frequencies whose period lies in the ridge band around
 *   the expected period, divided by the block's mean grey level (a relative, exposure-invariant
 *   contrast, like the Michelson contrast of the ridge pattern). Defocus is a low-pass filter (the
 *   optical transfer function of a defocus disc or a Gaussian falls off fast at the ridge frequency), so
 *   it removes exactly this band while leaving the mean. What a defocused JPEG photo keeps in the band
 *   is mostly its 8 x 8 block grid, whose energy lies along the photo's axes: given `gridAngle`, the DFT
 *   samples along them are left out. Measured: defocused phone photos 0.002, sharp ones 0.006-0.19
 *   (see LIFT_DEFAULTS.minRidgeContrast in src/pipeline.ts).
 * - orientation concentration in the band: |Σ P·e^{2iθ}| / Σ P over the band's DFT samples (the
 *   spectral form of the orientation coherence of Kass & Witkin 1987 / Bazen & Gerez 2002): near 1 for
 *   parallel ridges, near 0 for isotropic noise or a grid equal in both axes. Recorded as evidence;
 *   not used by the lift gate (measured: defocused photos 0.57-0.63, prints with ridges 0.61-0.94, overlapping).
 * The fingertip's evidence is an upper quantile over the blocks (the best-resolved part of the pad,
 * default the 90th percentile), so a print with ridges over part of the pad (glare, partial focus)
 * keeps its evidence while a print with no resolved ridge anywhere has none. The spectral ridge-band
 * idea follows the frequency-domain quality measures reviewed by Alonso-Fernandez et al. (2007, "A
 * comparative study of fingerprint image-quality estimation methods", IEEE TIFS 2(4)), e.g. the
 * ring energy concentration of Chen, Dass & Jain (2005).
 */
import { getCv, withMats } from '../cv/index.js';
import type { Mask } from '../enhance/types.js';
import { FingerliftError } from '../errors.js';
import { checkImage, type GrayImage } from '../image/types.js';

/** Options of `measureRidgeEvidence`; every tunable constant of the measure is here. */
export interface RidgeEvidenceOptions {
  /** Expected ridge period, pixels (the normalised print's target period). Default 8.85 (NORMALISE_DEFAULTS.targetPeriod). */
  period: number;
  /** The ridge band: periods within [period / bandRatio, period * bandRatio]. Default 1.4 (about 6.3-12.4 px at 8.85 px; adult ridge periods at 500 ppi span about 5-15 px, Kovesi). */
  bandRatio: number;
  /** Block side, pixels (power of two). Default 32 (about 3.6 ridge periods: local enough for curved ridges). */
  block: number;
  /** Upper quantile over the blocks reported as the print's evidence. Default 0.9. */
  quantile: number;
  /**
   * Direction of the source photo's x axis in the print, radians (atan2 of its y-down components), when
   * the print was resampled from a photo: DFT samples within `gridStrip` bins of the photo's two axes (the
   * lines through the origin along them) are left out, because JPEG's 8 x 8 block grid puts its energy
   * there (a defocused JPEG photo shows almost only that grid). Absent: every direction counts.
   */
  gridAngle?: number;
  /** Half-width of the left-out strips along the photo axes, DFT bins. Default 1 (the Hann window's main lobe: a pattern on an axis spreads to its neighbouring bins). */
  gridStrip: number;
}

export const RIDGE_EVIDENCE_DEFAULTS: Readonly<RidgeEvidenceOptions> = Object.freeze({
  period: 8.85,
  bandRatio: 1.4,
  block: 32,
  quantile: 0.9,
  gridStrip: 1,
});

/** Ridge evidence of one print. */
export interface RidgeEvidence {
  /** Blocks measured (wholly inside the mask, not flat). */
  blocks: number;
  /** Ridge-band contrast (band RMS amplitude / block mean grey) at `quantile` over the blocks; 0 when no block. */
  contrast: number;
  /** Median ridge-band contrast over the blocks. */
  contrastMedian: number;
  /** Orientation concentration in the ridge band at `quantile` over the blocks, [0, 1] (evidence only). */
  concentration: number;
  /** Quantile used. */
  quantile: number;
}

/**
 * Measure the ridge evidence of a grey print (height x width, row-major, [0, 1]) inside its mask,
 * before flattening or enhancement (grey levels must still be proportional to the image's brightness).
 * @param gray the print at the resolution where its ridge period is about `options.period` pixels.
 * @param mask region of interest (same size; non-zero = inside). Absent: the whole image.
 * @throws FingerliftError E_INVALID_ARGUMENT for a gray that is not a grey image (size and data must agree),
 *   a mask that is not a Mask, when the mask size differs from the image or an option is out of range.
 */
export function measureRidgeEvidence(gray: GrayImage, mask?: Mask, options: Partial<RidgeEvidenceOptions> = {}): RidgeEvidence {
  checkImage(gray, 'measureRidgeEvidence');
  if ((gray as { channels?: number }).channels === 3) throw new FingerliftError('E_INVALID_ARGUMENT', 'measureRidgeEvidence: expected a grey image, got an RGB image (convert it with toGray)');
  if (mask !== undefined && !(mask !== null && typeof mask === 'object' && mask.data instanceof Uint8Array))
    throw new FingerliftError('E_INVALID_ARGUMENT', 'measureRidgeEvidence: mask must be a Mask { width, height, data: Uint8Array } or absent');
  if (options === null || typeof options !== 'object') throw new FingerliftError('E_INVALID_ARGUMENT', 'measureRidgeEvidence: options must be an object');
  const o: RidgeEvidenceOptions = { ...RIDGE_EVIDENCE_DEFAULTS, ...options };
  const N = o.block;
  if (!(N >= 16 && N <= 256 && (N & (N - 1)) === 0)) throw new FingerliftError('E_INVALID_ARGUMENT', `ridge evidence block ${N}: need a power of two in [16, 256]`);
  if (!(o.period >= 3 && o.period * o.bandRatio < N / 1.5) || !(o.bandRatio > 1)) throw new FingerliftError('E_INVALID_ARGUMENT', `ridge evidence period ${o.period} px, band ratio ${o.bandRatio}: need period >= 3, band ratio > 1 and the longest period under ${(N / 1.5).toFixed(1)} px`);
  if (!(o.gridStrip >= 0 && o.gridStrip <= 2) || (o.gridAngle !== undefined && !Number.isFinite(o.gridAngle))) throw new FingerliftError('E_INVALID_ARGUMENT', `ridge evidence grid angle ${o.gridAngle}, strip ${o.gridStrip} bins: need a finite angle and a strip in [0, 2] bins`);
  if (!(o.quantile >= 0 && o.quantile <= 1)) throw new FingerliftError('E_INVALID_ARGUMENT', `ridge evidence quantile ${o.quantile} outside [0, 1]`);
  const { width: W, height: H, data } = gray;
  if (mask && (mask.width !== W || mask.height !== H)) throw new FingerliftError('E_INVALID_ARGUMENT', `mask ${mask.width} x ${mask.height} does not match the ${W} x ${H} print`);
  const half = N >> 1;
  // DFT sample geometry: in the ridge band or not, and the doubled angle of its frequency.
  const rLo = N / (o.period * o.bandRatio), rHi = (N * o.bandRatio) / o.period;
  const gc = Math.cos(o.gridAngle ?? 0), gs = Math.sin(o.gridAngle ?? 0);
  const inBand = new Uint8Array(N * N), c2 = new Float32Array(N * N), s2 = new Float32Array(N * N);
  for (let v = 0; v < N; v++)
    for (let u = 0; u < N; u++) {
      const fu = u <= half ? u : u - N, fv = v <= half ? v : v - N;
      const r = Math.hypot(fu, fv), a = 2 * Math.atan2(fv, fu);
      // Off-grid: farther than gridStrip bins from both lines through the origin along the photo's axes.
      const offGrid = o.gridAngle === undefined || (Math.abs(fv * gc - fu * gs) > o.gridStrip && Math.abs(fu * gc + fv * gs) > o.gridStrip);
      inBand[v * N + u] = r >= rLo && r <= rHi && offGrid ? 1 : 0;
      c2[v * N + u] = Math.cos(a);
      s2[v * N + u] = Math.sin(a);
    }
  const hann = new Float32Array(N);
  let hann2 = 0;
  for (let i = 0; i < N; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) hann2 += (hann[i]! * hann[j]!) ** 2;
  // Parseval: Σ|F|² = N² Σ (w·x)², so the windowed RMS amplitude of the band is sqrt(Σ_band |F|² / (N² Σ w²)).
  const ampScale = 1 / (N * N * hann2);
  const contrasts: number[] = [], concs: number[] = [];
  if (W >= N && H >= N) {
    const cv = getCv();
    const tile = new Float32Array(N * N);
    withMats('measureRidgeEvidence', (t) => {
      const src = t(new cv.Mat(N, N, cv.CV_32F));
      const dst = t(new cv.Mat());
      for (let y0 = 0; y0 + N <= H; y0 += half)
        for (let x0 = 0; x0 + N <= W; x0 += half) {
          let inside = true, mean = 0;
          for (let y = 0; y < N && inside; y++) {
            const row = (y0 + y) * W + x0;
            for (let x = 0; x < N; x++) {
              if (mask && mask.data[row + x] === 0) { inside = false; break; }
              mean += data[row + x]!;
            }
          }
          if (!inside) continue;
          mean /= N * N;
          if (!(mean > 1e-3)) continue; // black block: no measurable contrast
          for (let y = 0; y < N; y++) {
            const row = (y0 + y) * W + x0;
            for (let x = 0; x < N; x++) tile[y * N + x] = (data[row + x]! - mean) * hann[x]! * hann[y]!;
          }
          src.data32F.set(tile);
          cv.dft(src, dst, cv.DFT_COMPLEX_OUTPUT);
          const f = dst.data32F as Float32Array;
          let band = 0, cs = 0, ss = 0;
          for (let k = 1; k < N * N; k++) {
            if (!inBand[k]) continue;
            const p = f[2 * k]! * f[2 * k]! + f[2 * k + 1]! * f[2 * k + 1]!;
            band += p;
            cs += p * c2[k]!;
            ss += p * s2[k]!;
          }
          contrasts.push(Math.sqrt(band * ampScale) / mean);
          concs.push(band > 0 ? Math.hypot(cs, ss) / band : 0);
        }
    });
  }
  const q = (v: number[], p: number): number => {
    if (!v.length) return 0;
    const s = Float64Array.from(v).sort();
    return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  };
  const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
  return { blocks: contrasts.length, contrast: r4(q(contrasts, o.quantile)), contrastMedian: r4(q(contrasts, 0.5)), concentration: r4(q(concs, o.quantile)), quantile: o.quantile };
}
