/**
 * Ridge enhancement (Hong, Wan & Jain 1998; Kovesi's ridge functions; Zuiderveld 1994): one function,
 * {@link enhance}, composing the stages, each of which is exported with its options:
 *
 *   resample to 500 ppi -> (optional periodic background suppression) -> robust contrast stretch -> CLAHE
 *   -> orientation field -> block ridge frequencies -> region of interest mask (contrast, coherence,
 *   frequency reliability) -> normalisation in the mask -> frequency map filled over the mask
 *   -> oriented Gabor filter -> enhanced image and per-block quality.
 *
 * The input is assumed ridges-dark (polarity is decided upstream, in normalise).
 *
 * "Minutiae F-measure" in the option docs: fingerlift's minutiae extractor run on the enhanced image of
 * every other FVC2002 DB1_B image (40), against the SecuGen SDK's .iso minutiae of the same images (see
 * bench/minutiae.ts), a pair counting within 10 px; a second extractor's view, not ground truth, used to
 * compare settings with each other (differences under 0.01 are noise).
 */
import type { GrayImage } from '../image/types.js';
import type { BlockMap, EnhanceResult, Mask, OrientationField } from './types.js';
import { resampleTo500, type ResampleOptions } from './resample.js';
import { stretchWithBytes, claheBytes, normaliseInBox, type ClaheOptions, type StretchOptions } from './contrast.js';
import { orientationField, type OrientationOptions } from './orientation.js';
import { segmentMask, blockStats, reliabilityBlocks, MASK_DEFAULTS, type MaskOptions } from './mask.js';
import { blockFrequencies, interpolateFrequency, type FrequencyOptions } from './frequency.js';
import { gaborFilter, type GaborOptions } from './gabor.js';
import { suppressPeriodicBackground, type BackgroundOptions } from './background.js';
import { checkGray, checkRange, quantile } from './util.js';
import { FingerliftError } from '../errors.js';
import { borrow, giveBack } from './scratch.js';

export * from './types.js';
export { resampleTo500, RESAMPLE_DEFAULTS, type ResampleOptions, type ResampleResult } from './resample.js';
export { stretchContrast, clahe, normaliseInMask, CONTRAST_DEFAULTS, type StretchOptions, type ClaheOptions } from './contrast.js';
export { orientationField, blockOrientation, ORIENTATION_DEFAULTS, type OrientationOptions, type BlockOrientation } from './orientation.js';
export { segmentMask, MASK_DEFAULTS, type MaskOptions, type MaskResult } from './mask.js';
export { ridgeFrequency, blockFrequencies, interpolateFrequency, estimateRidgePeriod, FREQUENCY_DEFAULTS, PERIOD_DEFAULTS, type FrequencyOptions, type FrequencyResult, type BlockFrequencies } from './frequency.js';
export { gaborFilter, gaborKernel, GABOR_DEFAULTS, type GaborOptions, type GaborResult, type Kernel } from './gabor.js';
export { suppressPeriodicBackground, BACKGROUND_DEFAULTS, type BackgroundOptions, type BackgroundResult } from './background.js';
export { ridgeClarity, CLARITY_DEFAULTS, type ClarityOptions } from './clarity.js';

/** Defaults of {@link enhance} itself. */
export const ENHANCE_DEFAULTS = {
  /** Block side of the frequency and quality maps (px at 500 ppi): Hong, Wan & Jain 1998. */
  blockSize: 16,
  /** The filter response is scaled so that this quantile of |response| in the mask reaches full black/white. */
  responseQuantile: 0.9,
} as const;

export interface EnhanceOptions {
  /** Resolution of the input in ppi; undefined = unknown (assumed 500, noted). */
  ppi?: number;
  /** Block side (px) of the frequency and quality maps (default 16). */
  blockSize?: number;
  resample?: ResampleOptions;
  stretch?: Omit<StretchOptions, 'mask'>;
  clahe?: ClaheOptions;
  orientation?: OrientationOptions;
  mask?: Omit<MaskOptions, 'orientation' | 'blockSize' | 'reliability'>;
  frequency?: Omit<FrequencyOptions, 'blockSize'>;
  gabor?: GaborOptions;
  /** Periodic background suppression before anything else (off by default): true or its options. */
  suppressBackground?: boolean | BackgroundOptions;
  /** Quantile of |response| mapped to full contrast (default 0.9). */
  responseQuantile?: number;
}

/** Timings of the stages of one {@link enhance} call (ms), for benchmarks and the audit trail. */
export type EnhanceTimings = Record<'resample' | 'background' | 'contrast' | 'orientation' | 'mask' | 'frequency' | 'gabor' | 'output', number>;

/**
 * Enhance a grey print (height x width, [0, 1], ridges dark) into a clean ridge image at 500 ppi.
 * Returns the enhanced image ([0, 1], ridges dark, 1 outside the mask), the contrast-equalised input,
 * the mask, the per-pixel orientation field, the per-block ridge frequency (cycles/px) and quality
 * ([0, 1]), the scale factor applied and notes on the decisions taken. Deterministic.
 * @throws FingerliftError E_INVALID_ARGUMENT (bad image or options, implausible ppi), E_TOO_SMALL (under 16 px a side), E_CV.
 */
export function enhance(image: GrayImage, options: EnhanceOptions = {}, timings?: Partial<EnhanceTimings>): EnhanceResult {
  const bs = options.blockSize ?? ENHANCE_DEFAULTS.blockSize;
  const responseQuantile = options.responseQuantile ?? ENHANCE_DEFAULTS.responseQuantile;
  checkGray(image, 'enhance', 16);
  checkRange(bs, 'blockSize', 4, 256);
  checkRange(responseQuantile, 'responseQuantile', 0.5, 1);
  const px = image.data;
  for (let i = 0; i < px.length; i++) {
    const v = px[i]!;
    // v - v is NaN for NaN and +-Infinity, 0 for every finite value.
    if (v - v !== 0) {
      throw new FingerliftError('E_INVALID_ARGUMENT', `enhance: pixel ${i % image.width}, ${Math.floor(i / image.width)} is ${image.data[i]} (values must be finite, in [0, 1])`);
    }
  }
  let t0 = performance.now();
  const lap = (name: keyof EnhanceTimings): void => {
    const t1 = performance.now();
    if (timings) timings[name] = (timings[name] ?? 0) + (t1 - t0);
    t0 = t1;
  };
  const resampled = resampleTo500(image, options.ppi, options.resample);
  const notes = [...resampled.notes];
  let img = resampled.image;
  checkGray(img, 'enhance (after resampling to 500 ppi)', 16);
  lap('resample');
  if (options.suppressBackground) {
    const bg = suppressPeriodicBackground(img, options.suppressBackground === true ? {} : options.suppressBackground);
    img = bg.image;
    notes.push(...bg.notes);
  }
  lap('background');
  // The stretch also writes the 8-bit image CLAHE works on (one pass instead of two).
  const bytes = borrow(Uint8Array, img.width * img.height);
  const stretched = stretchWithBytes(img, options.stretch, bytes);
  if (stretched.high - stretched.low < 32 / 255) {
    notes.push(`contrast: narrow grey range [${stretched.low.toFixed(4)}, ${stretched.high.toFixed(4)}] stretched to [0, 1]`);
  }
  const equalised = claheBytes(bytes, img.width, img.height, options.clahe);
  giveBack(bytes);
  lap('contrast');
  const field = orientationField(equalised, options.orientation);
  lap('orientation');
  // Block frequencies first: their reliability also tells ridges from background. Only the blocks whose
  // reliability the mask reads are estimated before it (the neighbourhoods of blocks with enough contrast and
  // coherence), then those under the mask that are still missing: the same result as estimating every block.
  const maskOptions = { ...MASK_DEFAULTS, ...options.mask, blockSize: bs };
  const stats = blockStats(stretched.image, field, bs, maskOptions.referenceQuantile);
  const first = reliabilityBlocks(stats, maskOptions.minContrast, maskOptions.minCoherence);
  lap('mask');
  const freqOptions = { ...options.frequency, blockSize: bs };
  const raw = blockFrequencies(equalised, field, undefined, freqOptions, first);
  lap('frequency');
  const seg = segmentMask(stretched.image, { ...options.mask, blockSize: bs, orientation: field, reliability: raw.reliability, stats });
  notes.push(...seg.notes);
  const mask = seg.mask;
  lap('mask');
  // The mask's bounding box: every later pass over the pixels visits only it (the same results).
  const { rest, box } = blocksUnder(mask, bs, stats.rows, stats.cols, first);
  if (rest) blockFrequencies(equalised, field, undefined, freqOptions, rest, raw);
  const norm: GrayImage = { width: img.width, height: img.height, data: normaliseInBox(equalised, mask, box.x0, box.y0, box.x1, box.y1) };
  const freq = interpolateFrequency(raw, mask, freqOptions);
  notes.push(...freq.notes);
  lap('frequency');
  const gab = gaborFilter(norm, field, freq.frequency, mask, options.gabor);
  lap('gabor');
  // The normalised input is no longer needed: its array holds the |response| values of the quantile.
  const enhanced = toRidgeImage(gab.response, mask, box, responseQuantile, norm.data);
  // Scratch of this call only (never returned): back to the pool for the next call.
  giveBack(gab.response, norm.data, stretched.image.data);
  const quality = qualityMap(field, mask, box, seg.contrast, freq.reliability);
  lap('output');
  return {
    enhanced,
    normalised: equalised,
    mask,
    orientation: field,
    frequency: freq.frequency,
    quality,
    ppi: 500,
    scale: resampled.scale,
    notes,
  };
}

/** Columns [x0, x1) and rows [y0, y1) holding every mask pixel (all empty, x0 = x1 = y0 = y1 = 0, for an empty mask). */
interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The blocks (rows x cols of `bs` px) holding a mask pixel and not set in `done` (undefined when there are
 * none), and the mask's bounding box.
 */
function blocksUnder(mask: Mask, bs: number, rows: number, cols: number, done: Uint8Array): { rest: Uint8Array | undefined; box: Box } {
  const out = new Uint8Array(rows * cols);
  const { width, height, data } = mask;
  let any = false;
  let x0 = width;
  let x1 = -1;
  let y0 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const r = ((y / bs) | 0) * cols;
    let first = -1;
    let last = -1;
    for (let x = 0, i = y * width; x < width; x++, i++) {
      if (!data[i]) continue;
      if (first < 0) first = x;
      last = x;
      const b = r + ((x / bs) | 0);
      if (!done[b] && !out[b]) {
        out[b] = 1;
        any = true;
      }
    }
    if (first < 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  const box = y0 < 0 ? { x0: 0, y0: 0, x1: 0, y1: 0 } : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
  return { rest: any ? out : undefined, box };
}

/**
 * Map the Gabor response to [0, 1] with ridges dark: 0.5 + 0.5 * response / A (clamped), A = quantile of
 * |response|; 1 outside the mask (whose pixels all lie in `box`). `scratch` (at least as long as the mask's
 * pixel count) is overwritten.
 */
function toRidgeImage(resp: Float32Array, mask: Mask, box: Box, q: number, scratch: Float32Array): GrayImage {
  // |response| of the mask pixels only (the same quantile as over the whole image restricted to the mask).
  const { width, height } = mask;
  const md = mask.data;
  let j = 0;
  for (let y = box.y0; y < box.y1; y++) for (let i = y * width + box.x0, e = y * width + box.x1; i < e; i++) if (md[i]) scratch[j++] = Math.abs(resp[i]!);
  const a = quantile(scratch.subarray(0, j), q);
  const k = a > 1e-9 ? 0.5 / a : 0;
  const out = new Float32Array(resp.length).fill(1);
  for (let y = box.y0; y < box.y1; y++)
    for (let i = y * width + box.x0, e = y * width + box.x1; i < e; i++) {
      if (!md[i]) continue;
      const v = 0.5 + resp[i]! * k;
      out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  return { width, height, data: out };
}

/**
 * Per-block quality in [0, 1]: mean coherence of the block's mask pixels x relative contrast x
 * sqrt(frequency reliability) x the block's mask coverage; 0 outside the mask.
 */
function qualityMap(field: OrientationField, mask: Mask, box: Box, contrast: BlockMap, reliability: BlockMap): BlockMap {
  const { rows, cols, blockSize } = contrast;
  const nb = rows * cols;
  const cohSum = new Float32Array(nb);
  const inMask = new Float32Array(nb);
  const { width, height } = mask;
  const md = mask.data;
  const coh = field.coherence;
  // Per block, the mask pixels' coherence summed row segment by row segment (rows and columns outside the
  // mask's bounding box hold none).
  for (let y = box.y0; y < box.y1; y++) {
    const r = ((y / blockSize) | 0) * cols;
    for (let x0 = box.x0 - (box.x0 % blockSize); x0 < box.x1; x0 += blockSize) {
      const b = r + x0 / blockSize;
      const xs = Math.max(x0, box.x0);
      const xe = Math.min(box.x1, x0 + blockSize);
      let n = 0;
      let c = 0;
      for (let i = y * width + xs, e = y * width + xe; i < e; i++) {
        if (md[i]) {
          n++;
          c += coh[i]!;
        }
      }
      inMask[b]! += n;
      cohSum[b]! += c;
    }
  }
  const data = new Float32Array(nb);
  for (let i = 0; i < nb; i++) {
    if (!inMask[i]) continue;
    const r = (i / cols) | 0;
    const cc = i - r * cols;
    // Pixels of the block (edge blocks are partial).
    const count = (Math.min(height, (r + 1) * blockSize) - r * blockSize) * (Math.min(width, (cc + 1) * blockSize) - cc * blockSize);
    const q = (cohSum[i]! / inMask[i]!) * contrast.data[i]! * Math.sqrt(Math.max(0, reliability.data[i]!)) * (inMask[i]! / count);
    data[i] = q < 0 ? 0 : q > 1 ? 1 : q;
  }
  return { blockSize, rows, cols, data };
}
