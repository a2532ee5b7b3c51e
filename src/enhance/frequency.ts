/**
 * Stage 5: ridge frequency per block (Hong, Wan & Jain 1998, section 2.4): the oriented window's
 * x-signature (grey levels averaged along the ridge direction, sampled across it) is fitted, by least
 * squares, with a sinusoid plus a constant at each candidate frequency of the 5-15 px wavelength band
 * at 500 ppi (Kovesi's ridgefreq band); the best fit's frequency is the block's frequency and the share of
 * the signature's variance it explains is its reliability (a maximum-likelihood spectral peak, unbiased
 * where the peak-counting of Hong and the FFT peak of a 32-sample window are coarse). Unreliable blocks
 * are filled by normalised convolution of the reliable ones (Hong's Gaussian interpolation) and the map
 * is low-pass filtered (Hong: 7x7 Gaussian over blocks).
 *
 * Also {@link estimateRidgePeriod}: a resolution-free estimate of the ridge period from the radially
 * averaged power spectrum, for ppi estimation (normalise) and sanity checks.
 */
import { getCv, withMats, matFromFloat32 } from '../cv/index.js';
import { FingerliftError } from '../errors.js';
import type { GrayImage } from '../image/types.js';
import type { BlockMap, Mask, OrientationField } from './types.js';
import { checkGray, checkMask, checkRange, gaussianBlur, blockCoverage } from './util.js';
import { borrow, giveBack } from './scratch.js';

/** Defaults of {@link ridgeFrequency}, in pixels at 500 ppi. */
export const FREQUENCY_DEFAULTS = {
  /** Block side (px): Hong, Wan & Jain 1998 use 16 x 16 blocks at 500 ppi. */
  blockSize: 16,
  /** Window length across the ridges (px): Hong's oriented window is 32 x 16 (l x w). */
  windowLength: 32,
  /** Window width along the ridges (px): Hong: 16. */
  windowWidth: 16,
  /** Wavelength band (px at 500 ppi): Kovesi's ridgefreq uses 5-15. */
  minWavelength: 5,
  maxWavelength: 15,
  /** Candidate frequencies tried per block, evenly spaced over the band (then refined by a parabola through
   *  the best three): 24 puts 5 candidates inside the fit's main lobe (width about 1/32 cycles/px). */
  candidates: 24,
  /** A block is reliable when the best sinusoid explains at least this share of its signature's variance. */
  minReliability: 0.35,
  /** Low-pass of the filled map (sigma in blocks); Hong: 7 x 7 Gaussian, i.e. sigma about 1. */
  smoothSigmaBlocks: 1,
  /** A block belongs to the region when at least this share of its pixels is in the mask. */
  minCoverage: 0.25,
  /** Frequency used when no block of the region is reliable: 1 / 9 px, the typical ridge period at 500 ppi
   *  (inter-ridge distance about 0.46 mm: Maltoni et al., Handbook of Fingerprint Recognition, 2009). */
  fallbackFrequency: 1 / 9,
} as const;

export interface FrequencyOptions {
  blockSize?: number;
  windowLength?: number;
  windowWidth?: number;
  minWavelength?: number;
  maxWavelength?: number;
  candidates?: number;
  minReliability?: number;
  smoothSigmaBlocks?: number;
  minCoverage?: number;
  fallbackFrequency?: number;
}

export interface FrequencyResult {
  /** Ridge frequency (cycles per pixel) per block, filled and smoothed inside the region; 0 outside. */
  frequency: BlockMap;
  /** Share of the signature's variance explained by the fitted sinusoid, [0, 1], per block (before filling). */
  reliability: BlockMap;
  /** Number of region blocks and of reliable ones among them. */
  blocks: number;
  reliableBlocks: number;
  notes: string[];
}

interface Candidate {
  f: number;
  cos: Float64Array;
  sin: Float64Array;
  // 2x2 inverse of [[Σcos², Σcos], [Σcos, L]] and 1 / Σsin²
  a: number;
  b: number;
  d: number;
  invSin: number;
}

function buildCandidates(L: number, fMin: number, fMax: number, count: number): Candidate[] {
  const out: Candidate[] = [];
  // One candidate beyond each end of the band, so that a peak at the band edge is recognised as such.
  const step = (fMax - fMin) / (count - 1);
  for (let j = -1; j <= count; j++) {
    const f = fMin + j * step;
    const cos = new Float64Array(L);
    const sin = new Float64Array(L);
    let cc = 0;
    let c1 = 0;
    let ss = 0;
    for (let k = 0; k < L; k++) {
      const u = k - (L - 1) / 2;
      cos[k] = Math.cos(2 * Math.PI * f * u);
      sin[k] = Math.sin(2 * Math.PI * f * u);
      cc += cos[k]! * cos[k]!;
      c1 += cos[k]!;
      ss += sin[k]! * sin[k]!;
    }
    const det = cc * L - c1 * c1;
    out.push({ f, cos, sin, a: L / det, b: -c1 / det, d: cc / det, invSin: 1 / ss });
  }
  return out;
}

/**
 * Least-squares sinusoid-plus-constant fit energy of signature `x` (length L) at candidate `c`; `p1` is the
 * sum of `x` (0 for the zero-mean signatures of {@link blockFrequencies}, passed once for all candidates).
 */
function fitEnergy(x: Float64Array, c: Candidate, p1: number): number {
  let pc = 0;
  let ps = 0;
  const cos = c.cos;
  const sin = c.sin;
  for (let k = 0; k < x.length; k++) {
    const v = x[k]!;
    pc += v * cos[k]!;
    ps += v * sin[k]!;
  }
  return c.a * pc * pc + 2 * c.b * pc * p1 + c.d * p1 * p1 + ps * ps * c.invSin;
}

/** Raw per-block ridge frequency estimates, before filling and smoothing. */
export interface BlockFrequencies {
  /** Best-fitting frequency (cycles/px) per block; 0 where the peak lay outside the band or the block was skipped. */
  frequency: BlockMap;
  /** Share of the signature's variance explained by the fitted sinusoid, [0, 1], per block. */
  reliability: BlockMap;
}

/**
 * Ridge frequency of every block (or of the blocks with `minCoverage` of their pixels in `mask`) of a
 * grey print (height x width, any grey scale: each signature is fitted with its own offset and amplitude)
 * along the per-pixel orientation field, before filling (see {@link interpolateFrequency}).
 * With `blocks` (rows x cols, 0/1), only the blocks set there are estimated (each block's estimate depends
 * on nothing but its own window, so a later call can fill in others); with `into`, the estimates are
 * written into that result (same block grid) and it is returned; other blocks are left as they are.
 * @throws FingerliftError E_INVALID_ARGUMENT for sizes that do not match or options out of range.
 */
export function blockFrequencies(image: GrayImage, orientation: OrientationField, mask?: Mask, options: FrequencyOptions = {}, blocks?: Uint8Array, into?: BlockFrequencies): BlockFrequencies {
  const o = { ...FREQUENCY_DEFAULTS, ...options };
  checkGray(image, 'ridgeFrequency', 3);
  checkMask(mask, image.width, image.height, 'ridgeFrequency');
  if (orientation.width !== image.width || orientation.height !== image.height) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `ridgeFrequency: orientation field ${orientation.width} x ${orientation.height} does not match image ${image.width} x ${image.height}`);
  }
  checkRange(o.blockSize, 'blockSize', 4, 256);
  checkRange(o.minWavelength, 'minWavelength', 2, 1000);
  checkRange(o.maxWavelength, 'maxWavelength', o.minWavelength + 0.5, 1000);
  checkRange(o.windowLength, 'windowLength', 8, 1024);
  checkRange(o.windowWidth, 'windowWidth', 1, 1024);
  checkRange(o.candidates, 'candidates', 3, 1000);
  const { width, height, data } = image;
  const bs = o.blockSize;
  const rows = Math.ceil(height / bs);
  const cols = Math.ceil(width / bs);
  const nb = rows * cols;
  const inRegion = regionBlocks(mask, bs, rows, cols, o.minCoverage);
  const L = Math.round(o.windowLength);
  const W = Math.max(1, Math.round(o.windowWidth));
  const cands = buildCandidates(L, 1 / o.maxWavelength, 1 / o.minWavelength, Math.round(o.candidates));
  const sig = new Float64Array(L);
  const alongX = new Float64Array(W);
  const alongY = new Float64Array(W);
  const energies = new Float64Array(cands.length);
  if (blocks && blocks.length !== nb) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `ridgeFrequency: block selection of ${blocks.length} blocks does not match the ${rows} x ${cols} block grid`);
  }
  if (into && (into.frequency.rows !== rows || into.frequency.cols !== cols || into.frequency.blockSize !== bs)) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `ridgeFrequency: result to fill is ${into.frequency.rows} x ${into.frequency.cols} blocks of ${into.frequency.blockSize} px, not ${rows} x ${cols} of ${bs}`);
  }
  const freq = into ? into.frequency.data : new Float32Array(nb);
  const rel = into ? into.reliability.data : new Float32Array(nb);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const bi = r * cols + c;
      if (!inRegion[bi] || (blocks && !blocks[bi])) continue;
      if (into) {
        freq[bi] = 0;
        rel[bi] = 0;
      }
      const cx = Math.min(width - 1, (c + 0.5) * bs - 0.5);
      const cy = Math.min(height - 1, (r + 0.5) * bs - 0.5);
      const th = orientation.theta[Math.round(cy) * width + Math.round(cx)]!;
      // Ridge direction in pixel coordinates (y down): (cos θ, -sin θ); normal across the ridges: (sin θ, cos θ).
      const tx = Math.cos(th);
      const ty = -Math.sin(th);
      const nx = -ty;
      const ny = tx;
      let mean = 0;
      // Whole window inside the image (the usual case): no clamping needed per sample.
      const ru = ((L - 1) / 2) * (Math.abs(nx) + 0) + ((W - 1) / 2) * Math.abs(tx);
      const rv = ((L - 1) / 2) * Math.abs(ny) + ((W - 1) / 2) * Math.abs(ty);
      if (cx - ru >= 0 && cx + ru < width - 1 && cy - rv >= 0 && cy + rv < height - 1) {
        for (let j = 0; j < W; j++) {
          const v = j - (W - 1) / 2;
          alongX[j] = v * tx;
          alongY[j] = v * ty;
        }
        for (let k = 0; k < L; k++) {
          const u = k - (L - 1) / 2;
          const bx = cx + u * nx;
          const by = cy + u * ny;
          let acc = 0;
          for (let j = 0; j < W; j++) {
            const x = bx + alongX[j]!;
            const y = by + alongY[j]!;
            const x0 = x | 0;
            const y0 = y | 0;
            const fx = x - x0;
            const fy = y - y0;
            const p = y0 * width + x0;
            const top = data[p]! + (data[p + 1]! - data[p]!) * fx;
            acc += top + (data[p + width]! + (data[p + width + 1]! - data[p + width]!) * fx - top) * fy;
          }
          sig[k] = acc / W;
          mean += sig[k]!;
        }
      } else for (let k = 0; k < L; k++) {
        const u = k - (L - 1) / 2;
        let acc = 0;
        for (let j = 0; j < W; j++) {
          const v = j - (W - 1) / 2;
          let x = cx + u * nx + v * tx;
          let y = cy + u * ny + v * ty;
          x = x < 0 ? 0 : x > width - 1 ? width - 1 : x;
          y = y < 0 ? 0 : y > height - 1 ? height - 1 : y;
          const x0 = Math.min(width - 2, Math.floor(x));
          const y0 = Math.min(height - 2, Math.floor(y));
          const fx = x - x0;
          const fy = y - y0;
          const p = y0 * width + x0;
          acc +=
            (data[p]! * (1 - fx) + data[p + 1]! * fx) * (1 - fy) + (data[p + width]! * (1 - fx) + data[p + width + 1]! * fx) * fy;
        }
        sig[k] = acc / W;
        mean += sig[k]!;
      }
      mean /= L;
      let total = 0;
      let p1 = 0;
      for (let k = 0; k < L; k++) {
        sig[k]! -= mean;
        total += sig[k]! * sig[k]!;
        p1 += sig[k]!;
      }
      if (total <= 1e-12) continue;
      let best = 0;
      for (let j = 0; j < cands.length; j++) {
        energies[j] = fitEnergy(sig, cands[j]!, p1);
        if (energies[j]! > energies[best]!) best = j;
      }
      // The signature is zero-mean, so the constant term explains ~nothing: energy / total is the explained share.
      rel[bi] = Math.min(1, energies[best]! / total);
      if (best === 0 || best === cands.length - 1) continue; // peak outside the band
      const e0 = energies[best - 1]!;
      const e1 = energies[best]!;
      const e2 = energies[best + 1]!;
      const den = e0 - 2 * e1 + e2;
      const shift = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (e0 - e2)) / den)) : 0;
      freq[bi] = cands[best]!.f + shift * (cands[1]!.f - cands[0]!.f);
    }
  }
  return into ?? { frequency: { blockSize: bs, rows, cols, data: freq }, reliability: { blockSize: bs, rows, cols, data: rel } };
}

function regionBlocks(mask: Mask | undefined, bs: number, rows: number, cols: number, minCoverage: number): Uint8Array {
  const coverage = mask ? blockCoverage(mask, bs).data : undefined;
  const inRegion = new Uint8Array(rows * cols);
  for (let i = 0; i < inRegion.length; i++) inRegion[i] = !coverage || coverage[i]! >= minCoverage ? 1 : 0;
  return inRegion;
}

/**
 * Fill and smooth raw block frequencies over the region (blocks with `minCoverage` of their pixels in
 * `mask`; all blocks without one): reliable blocks (reliability >= minReliability, peak inside the band)
 * are averaged with Gaussian weights (sigma `smoothSigmaBlocks`, doubled until every region block has
 * support), weighted by reliability (Hong's interpolation and low-pass in one normalised convolution).
 * Blocks outside the region are 0.
 */
export function interpolateFrequency(raw: BlockFrequencies, mask?: Mask, options: FrequencyOptions = {}): FrequencyResult {
  const o = { ...FREQUENCY_DEFAULTS, ...options };
  const { blockSize: bs, rows, cols } = raw.frequency;
  const nb = rows * cols;
  const inRegion = regionBlocks(mask, bs, rows, cols, o.minCoverage);
  const freq = raw.frequency.data;
  const rel = raw.reliability.data;
  let blocks = 0;
  let reliable = 0;
  const weight = new Float32Array(nb);
  for (let i = 0; i < nb; i++) {
    if (!inRegion[i]) continue;
    blocks++;
    if (freq[i]! > 0 && rel[i]! >= o.minReliability) {
      weight[i] = rel[i]!;
      reliable++;
    }
  }
  const notes: string[] = [];
  const filled = fillBlocks(freq, weight, inRegion, cols, rows, o.smoothSigmaBlocks);
  if (reliable === 0 && blocks > 0) {
    notes.push(`ridge frequency: no reliable block; used the fallback wavelength ${(1 / o.fallbackFrequency).toFixed(1)} px`);
    for (let i = 0; i < nb; i++) filled[i] = inRegion[i] ? o.fallbackFrequency : 0;
  } else if (blocks > 0 && reliable < blocks) {
    notes.push(`ridge frequency: ${blocks - reliable} of ${blocks} blocks unreliable, interpolated from neighbours`);
  }
  const fLo = 1 / o.maxWavelength;
  const fHi = 1 / o.minWavelength;
  for (let i = 0; i < nb; i++) if (inRegion[i]) filled[i] = Math.min(fHi, Math.max(fLo, filled[i]!));
  return {
    frequency: { blockSize: bs, rows, cols, data: filled },
    reliability: raw.reliability,
    blocks,
    reliableBlocks: reliable,
    notes,
  };
}

/**
 * Ridge frequency per block of a grey print (height x width) along the per-pixel orientation field:
 * {@link blockFrequencies} then {@link interpolateFrequency}. Blocks count as region when `minCoverage`
 * of their pixels are in `mask` (all blocks without a mask).
 * @throws FingerliftError E_INVALID_ARGUMENT for sizes that do not match or options out of range.
 */
export function ridgeFrequency(image: GrayImage, orientation: OrientationField, mask?: Mask, options: FrequencyOptions = {}): FrequencyResult {
  return interpolateFrequency(blockFrequencies(image, orientation, mask, options), mask, options);
}

/**
 * Normalised convolution over the block grid: value = G*(f w) / G*(w), with the smallest Gaussian sigma
 * (doubling from `sigma`) at which the block has support; region blocks only, others 0.
 */
function fillBlocks(f: Float32Array, w: Float32Array, region: Uint8Array, cols: number, rows: number, sigma: number): Float32Array {
  const n = f.length;
  const out = new Float32Array(n);
  const fw = new Float32Array(n);
  for (let i = 0; i < n; i++) fw[i] = f[i]! * w[i]!;
  let todo = 0;
  for (let i = 0; i < n; i++) if (region[i]) todo++;
  const done = new Uint8Array(n);
  let s = Math.max(0.5, sigma);
  for (let iter = 0; iter < 12 && todo > 0; iter++, s *= 2) {
    const num = gaussianBlur(fw, cols, rows, s);
    const den = gaussianBlur(w, cols, rows, s);
    for (let i = 0; i < n; i++) {
      if (!region[i] || done[i]) continue;
      if (den[i]! > 1e-3) {
        out[i] = num[i]! / den[i]!;
        done[i] = 1;
        todo--;
      }
    }
    if (Math.max(cols, rows) < s) break;
  }
  return out;
}

/** Defaults of {@link estimateRidgePeriod}. */
export const PERIOD_DEFAULTS = {
  /** Shortest and longest period searched (px). 3 px is just above the Nyquist limit. */
  minPeriod: 3,
  /** Longest period as a share of the shorter image side (a period needs at least ~4 cycles to show a peak). */
  maxPeriodFraction: 0.25,
  /** Confidence compares the peak with the spectrum at this ratio above and below its frequency. */
  prominenceRatio: 1.5,
  /** Largest square analysed around the region's centre (px); larger inputs are cropped, never scaled. */
  maxSide: 1024,
} as const;

/**
 * Estimate the dominant ridge period (px per ridge-valley cycle) of a grey print at any resolution: the
 * power spectrum of the (masked, mean-removed, Hann-windowed) image is averaged over rings, weighted by
 * f^2 (the spectrum of the gradient, which whitens the 1/f^2 fall-off of illumination and mask edges),
 * and its peak is refined by a parabola in log-frequency. At 500 ppi a fingerprint gives 7-12 px, so
 * `500 * 9 / periodPx` is a rough ppi estimate. `confidence` in [0, 1] is 1 - (larger ring energy at 1.5x
 * and 1/1.5x the peak frequency) / (peak ring energy): near 1 for a clean print, 0 for noise or a peak at
 * the edge of the searched band.
 * @throws FingerliftError E_TOO_SMALL for images under 16 px a side; E_INVALID_ARGUMENT for a mismatched or empty mask.
 */
export function estimateRidgePeriod(gray: GrayImage, mask?: Mask): { periodPx: number; confidence: number } {
  checkGray(gray, 'estimateRidgePeriod', 16);
  checkMask(mask, gray.width, gray.height, 'estimateRidgePeriod');
  const { width, height } = gray;
  // Region: the mask's bounding box (or the whole image), cropped to maxSide around its centre.
  let x0 = 0;
  let y0 = 0;
  let x1 = width - 1;
  let y1 = height - 1;
  if (mask) {
    x0 = width;
    y0 = height;
    x1 = -1;
    y1 = -1;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        if (mask.data[y * width + x]) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
    if (x1 < 0) throw new FingerliftError('E_INVALID_ARGUMENT', 'estimateRidgePeriod: the mask is empty');
  }
  const cap = PERIOD_DEFAULTS.maxSide;
  if (x1 - x0 + 1 > cap) {
    const c = (x0 + x1) >> 1;
    x0 = c - (cap >> 1);
    x1 = x0 + cap - 1;
  }
  if (y1 - y0 + 1 > cap) {
    const c = (y0 + y1) >> 1;
    y0 = c - (cap >> 1);
    y1 = y0 + cap - 1;
  }
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  if (w < 16 || h < 16) throw new FingerliftError('E_TOO_SMALL', `estimateRidgePeriod: region ${w} x ${h} is under 16 px a side`);
  let s1 = 0;
  let n = 0;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const i = y * width + x;
      if (mask && !mask.data[i]) continue;
      s1 += gray.data[i]!;
      n++;
    }
  const mean = s1 / Math.max(1, n);
  const cv = getCv();
  const pw = cv.getOptimalDFTSize(w) as number;
  const ph = cv.getOptimalDFTSize(h) as number;
  const buf = borrow(Float32Array, pw * ph);
  const hx = new Float32Array(w);
  for (let x = 0; x < w; x++) hx[x] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (x + 0.5)) / w);
  for (let y = 0; y < h; y++) {
    const hy = 0.5 - 0.5 * Math.cos((2 * Math.PI * (y + 0.5)) / h);
    for (let x = 0; x < w; x++) {
      const i = (y + y0) * width + x + x0;
      if (mask && !mask.data[i]) continue;
      buf[y * pw + x] = (gray.data[i]! - mean) * hx[x]! * hy;
    }
  }
  const spec = withMats('estimateRidgePeriod dft', (t) => {
    const m = t(matFromFloat32(buf, pw, ph));
    giveBack(buf);
    const out = t(new cv.Mat());
    cv.dft(m, out, cv.DFT_COMPLEX_OUTPUT, 0);
    const d: Float32Array = out.data32F;
    const copy = borrow(Float32Array, d.length);
    copy.set(d);
    return copy;
  });
  const minP = PERIOD_DEFAULTS.minPeriod;
  const maxP = Math.max(minP * 2, PERIOD_DEFAULTS.maxPeriodFraction * Math.min(w, h));
  // Rings in log-frequency, 60 per decade.
  const perDecade = 60;
  const lfMin = Math.log10(1 / maxP);
  const lfMax = Math.log10(1 / minP);
  const nbins = Math.max(3, Math.ceil((lfMax - lfMin) * perDecade) + 1);
  const acc = new Float64Array(nbins);
  const cnt = new Float64Array(nbins);
  for (let v = 0; v < ph; v++) {
    const fy = (v <= ph / 2 ? v : v - ph) / ph;
    for (let u = 0; u < pw; u++) {
      const fx = (u <= pw / 2 ? u : u - pw) / pw;
      const f2 = fx * fx + fy * fy;
      if (f2 <= 0) continue;
      const lf = 0.5 * Math.log10(f2);
      const b = Math.round((lf - lfMin) * perDecade);
      if (b < 0 || b >= nbins) continue;
      const re = spec[2 * (v * pw + u)]!;
      const im = spec[2 * (v * pw + u) + 1]!;
      acc[b]! += (re * re + im * im) * f2;
      cnt[b]! += 1;
    }
  }
  giveBack(spec);
  const prof = new Float64Array(nbins);
  for (let b = 0; b < nbins; b++) prof[b] = cnt[b]! > 0 ? acc[b]! / cnt[b]! : 0;
  // Light smoothing over three bins, then the peak.
  const sm = new Float64Array(nbins);
  for (let b = 0; b < nbins; b++) sm[b] = (prof[Math.max(0, b - 1)]! + 2 * prof[b]! + prof[Math.min(nbins - 1, b + 1)]!) / 4;
  let best = 0;
  for (let b = 0; b < nbins; b++) if (sm[b]! > sm[best]!) best = b;
  if (!(sm[best]! > 0)) return { periodPx: NaN, confidence: 0 };
  let shift = 0;
  if (best > 0 && best < nbins - 1) {
    const e0 = sm[best - 1]!;
    const e1 = sm[best]!;
    const e2 = sm[best + 1]!;
    const den = e0 - 2 * e1 + e2;
    if (den < 0) shift = Math.max(-0.5, Math.min(0.5, (0.5 * (e0 - e2)) / den));
  }
  const f = Math.pow(10, lfMin + (best + shift) / perDecade);
  // Prominence: the peak against the ring energy at 1.5 x and 1 / 1.5 x its frequency (beyond the searched
  // band counts as the band's edge); a peak at the band's edge is no peak (confidence 0).
  const off = Math.round(Math.log10(PERIOD_DEFAULTS.prominenceRatio) * perDecade);
  let confidence = 0;
  if (best >= 2 && best <= nbins - 3) {
    const side = Math.max(sm[Math.max(0, best - off)]!, sm[Math.min(nbins - 1, best + off)]!);
    confidence = Math.max(0, Math.min(1, 1 - side / sm[best]!));
  }
  return { periodPx: 1 / f, confidence };
}
