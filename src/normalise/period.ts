/**
 * Spectral ridge-period estimate: the mean power spectrum of Hann-windowed tiles, averaged over rings
 * of equal spatial frequency (rotation invariant, so curved ridges of any direction add up), whitened
 * by f² (natural images fall off about as 1/f²), and its peak in the band of plausible ridge periods.
 * The same idea as the ridge-frequency block estimate of Hong, Wan & Jain (1998) and Kovesi's
 * `ridgefreq`, taken over the whole fingertip at once. Used both to judge whether a photo shows ridges
 * at all (`snr`) and to derive the photo's resolution from the known adult ridge period.
 */
import { getCv, withMats } from '../cv/index.js';
import { FingerliftError } from '../errors.js';
import { checkImage, type GrayImage } from '../image/types.js';

export interface RidgePeriodOptions {
  /** Shortest period searched, pixels. Default 3. */
  minPeriod?: number;
  /** Longest period searched, pixels. Default 25 (Hong, Wan & Jain 1998: 3-25 px at 500 ppi). */
  maxPeriod?: number;
  /** Only tiles whose centre lies inside this axis-aligned region are used (pixels, x0 <= x < x1). */
  region?: { x0: number; y0: number; x1: number; y1: number };
  /** Half-overlapping tiles (default true); false takes a quarter of the tiles, for quick comparisons. */
  overlap?: boolean;
}

export interface RidgePeriodEstimate {
  /** Dominant ridge period, pixels (NaN when no tile was usable). */
  period: number;
  /** Whitened peak power over the mean whitened power of the rest of the band (1 = no peak). */
  snr: number;
  /** Tile side used, pixels. */
  tile: number;
  /** Tiles used. */
  tiles: number;
}

/**
 * Estimate the dominant ridge period of a grey image (height x width, [0, 1]).
 * @throws FingerliftError E_INVALID_ARGUMENT for a gray that is not a grey image (size and data must
 *   agree), options that are not an object, or when the period range is empty or not positive.
 */
export function estimateRidgePeriodSpectral(gray: GrayImage, options: RidgePeriodOptions = {}): RidgePeriodEstimate {
  checkImage(gray, 'estimateRidgePeriodSpectral');
  if ((gray as { channels?: number }).channels === 3) throw new FingerliftError('E_INVALID_ARGUMENT', 'estimateRidgePeriodSpectral: expected a grey image, got an RGB image (convert it with toGray)');
  if (options === null || typeof options !== 'object') throw new FingerliftError('E_INVALID_ARGUMENT', 'estimateRidgePeriodSpectral: options must be an object');
  const minP = options.minPeriod ?? 3;
  const maxP = options.maxPeriod ?? 25;
  if (!(minP >= 2 && maxP > minP)) throw new FingerliftError('E_INVALID_ARGUMENT', `ridge period range [${minP}, ${maxP}] px: need 2 <= min < max`);
  // Tile: a power of two holding at least three periods of the longest ridge spacing.
  let N = 32;
  while (N < 3 * maxP && N < 128) N *= 2;
  const { width: W, height: H, data } = gray;
  const reg = options.region ?? { x0: 0, y0: 0, x1: W, y1: H };
  const half = N >> 1;
  const ring = new Float64Array(half + 1);
  const ringCount = new Float64Array(half + 1);
  // Ring index of every DFT sample (-1 outside the inscribed disc or at DC).
  const ringOf = new Int16Array(N * N);
  for (let v = 0; v < N; v++)
    for (let u = 0; u < N; u++) {
      const fu = u <= half ? u : u - N;
      const fv = v <= half ? v : v - N;
      const r = Math.round(Math.hypot(fu, fv));
      ringOf[v * N + u] = r <= half && r > 0 ? r : -1;
      if (r <= half) ringCount[r]!++;
    }
  const hann = new Float32Array(N);
  for (let i = 0; i < N; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / N);
  const tile = new Float32Array(N * N);
  const step = options.overlap === false ? N : half;
  let used = 0;
  if (W >= N && H >= N) {
    const cv = getCv();
    withMats('estimateRidgePeriodSpectral', (t) => {
      const src = t(new cv.Mat(N, N, cv.CV_32F));
      const dst = t(new cv.Mat());
      for (let y0 = 0; y0 + N <= H; y0 += step) {
        for (let x0 = 0; x0 + N <= W; x0 += step) {
          const cx = x0 + half, cy = y0 + half;
          if (cx < reg.x0 || cx >= reg.x1 || cy < reg.y0 || cy >= reg.y1) continue;
          let mean = 0;
          for (let y = 0; y < N; y++) {
            const row = (y0 + y) * W + x0;
            for (let x = 0; x < N; x++) mean += data[row + x]!;
          }
          mean /= N * N;
          let varSum = 0;
          for (let y = 0; y < N; y++) {
            const row = (y0 + y) * W + x0;
            for (let x = 0; x < N; x++) {
              const d = data[row + x]! - mean;
              varSum += d * d;
              tile[y * N + x] = d * hann[x]! * hann[y]!;
            }
          }
          if (varSum / (N * N) < 1e-7) continue; // flat tile: no texture
          src.data32F.set(tile);
          cv.dft(src, dst, cv.DFT_COMPLEX_OUTPUT);
          const f = dst.data32F as Float32Array;
          // Per-tile power normalised to unit total, so each tile votes equally.
          let total = 0;
          for (let i = 2; i < f.length; i += 2) total += f[i]! * f[i]! + f[i + 1]! * f[i + 1]!;
          if (total <= 0) continue;
          const inv = 1 / total;
          for (let q = 0; q < N * N; q++) {
            const r = ringOf[q]!;
            if (r < 0) continue;
            const k = q * 2;
            ring[r]! += (f[k]! * f[k]! + f[k + 1]! * f[k + 1]!) * inv;
          }
          used++;
        }
      }
    });
  }
  if (used === 0) return { period: NaN, snr: 1, tile: N, tiles: 0 };
  const kLo = Math.max(1, Math.floor(N / maxP));
  const kHi = Math.min(half - 1, Math.ceil(N / minP));
  const prof = new Float64Array(half + 1);
  for (let r = 1; r <= half; r++) prof[r] = (ring[r]! / ringCount[r]!) * r * r;
  let best = kLo;
  for (let r = kLo; r <= kHi; r++) if (prof[r]! > prof[best]!) best = r;
  // Parabolic interpolation of the peak.
  let kStar = best;
  if (best > 1 && best < half) {
    const a = prof[best - 1]!, b = prof[best]!, c = prof[best + 1]!;
    const den = a - 2 * b + c;
    if (den < 0) kStar = best + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den));
  }
  let rest = 0;
  let nRest = 0;
  for (let r = kLo; r <= kHi; r++) if (Math.abs(r - best) > 1) { rest += prof[r]!; nRest++; }
  const snr = nRest > 0 && rest > 0 ? prof[best]! / (rest / nRest) : 1;
  const atEdge = best === kLo || best === kHi;
  return { period: N / kStar, snr: atEdge ? Math.min(snr, 1) : snr, tile: N, tiles: used };
}
