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
import { segmentMask, blockStats, reliabilityBlocks, referenceContrast, MASK_DEFAULTS, type MaskOptions } from './mask.js';
import { blockFrequencies, interpolateFrequency, type FrequencyOptions } from './frequency.js';
import { gaborFilter, type GaborOptions } from './gabor.js';
import { suppressPeriodicBackground, type BackgroundOptions } from './background.js';
import { blockStd, checkGray, checkRange, quantile } from './util.js';
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

/**
 * Largest image {@link enhance} takes, in pixels at 500 ppi (16 million: 4000 x 4000 px, 8 x 8 inches;
 * a whole palm at 500 ppi is about 2750 x 4000). Measured: a 4000 x 4000 print enhances and extracts in
 * 6 s with a peak RSS of 1.6 GB; a 7000 x 7000 one failed after 12 s when opencv-wasm's heap could not
 * allocate another 49 MB plane.
 */
export const MAX_ENHANCE_PIXELS = 16_000_000;

/** Defaults of the foreground crop of {@link enhance} ({@link CropOptions}). */
export const CROP_DEFAULTS = {
  /** A block is a candidate for the print when its grey-level standard deviation reaches this share of the
   *  mask's reference contrast: a third of the mask's own minContrast (0.3), so no block the mask could
   *  take lies outside the crop. */
  minContrast: 0.1,
  /** Blocks kept beyond the candidates on every side: 2 blocks (32 px at 500 ppi) cover the reach of the
   *  orientation smoothing (3 sigmas of 7 px), the frequency window (16 px) and the Gabor tile margin. */
  marginBlocks: 2,
  /** No crop when it would keep more than this share of the image (the copies would cost more than they save). */
  maxShare: 0.9,
} as const;

/**
 * Foreground crop: the stages after contrast equalisation (orientation field, region of interest, ridge
 * frequency, Gabor filter) run on the block-aligned bounding box of the blocks that show any grey-level
 * structure, plus a margin, instead of the whole image (FVC2004 DB1_B: about half of each image is blank).
 * The stretch and CLAHE still see the whole image, and the mask's reference contrast is the whole image's,
 * so the results inside the box are those of the whole image up to the border handling of the smoothing
 * filters, more than the margin away from any structure. Outside the box the results are those of a blank
 * area: mask 0, enhanced 1, orientation and coherence 0, frequency and quality 0.
 */
export interface CropOptions {
  /** Candidate blocks: standard deviation at least this share of the reference contrast (default 0.1). */
  minContrast?: number;
  /** Margin in blocks around the candidates (default 2). */
  marginBlocks?: number;
  /** Largest share of the image the crop may keep (default 0.9). */
  maxShare?: number;
}

export interface EnhanceOptions {
  /** Resolution of the input in ppi; undefined = unknown (assumed 500, noted). */
  ppi?: number;
  /** Block side (px) of the frequency and quality maps (default 16). */
  blockSize?: number;
  resample?: ResampleOptions;
  stretch?: Omit<StretchOptions, 'mask'>;
  clahe?: ClaheOptions;
  orientation?: OrientationOptions;
  mask?: Omit<MaskOptions, 'orientation' | 'blockSize' | 'reliability' | 'frameArea'>;
  frequency?: Omit<FrequencyOptions, 'blockSize'>;
  gabor?: GaborOptions;
  /** Periodic background suppression before anything else (off by default): true or its options. */
  suppressBackground?: boolean | BackgroundOptions;
  /** Quantile of |response| mapped to full contrast (default 0.9). */
  responseQuantile?: number;
  /** Foreground crop (see {@link CropOptions}; on by default): false to process the whole image. */
  crop?: boolean | CropOptions;
}

/** Timings of the stages of one {@link enhance} call (ms), for benchmarks and the audit trail. */
export type EnhanceTimings = Record<'resample' | 'background' | 'contrast' | 'orientation' | 'mask' | 'frequency' | 'gabor' | 'output', number>;

/**
 * Enhance a grey print (height x width, [0, 1], ridges dark) into a clean ridge image at 500 ppi.
 * Returns the enhanced image ([0, 1], ridges dark, 1 outside the mask), the contrast-equalised input,
 * the mask, the per-pixel orientation field, the per-block ridge frequency (cycles/px) and quality
 * ([0, 1]), the scale factor applied and notes on the decisions taken. Deterministic.
 * @throws FingerliftError E_INVALID_ARGUMENT (bad image or options, implausible ppi), E_TOO_SMALL (under 16 px a side),
 *   E_TOO_LARGE (over MAX_ENHANCE_PIXELS at 500 ppi, checked before any work), E_CV.
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
      throw new FingerliftError('E_INVALID_ARGUMENT', `enhance: pixel ${i % image.width}, ${Math.floor(i / image.width)} is ${image.data[i]} (values must be finite numbers; grey images are expected in [0, 1])`);
    }
  }
  let t0 = performance.now();
  const lap = (name: keyof EnhanceTimings): void => {
    const t1 = performance.now();
    if (timings) timings[name] = (timings[name] ?? 0) + (t1 - t0);
    t0 = t1;
  };
  // Refused before any work when the 500 ppi image would be over the limit (opencv-wasm's heap runs out
  // late, after seconds of work, otherwise). The scale is the one resampleTo500 applies (500 / ppi).
  {
    const k = options.ppi !== undefined && options.ppi > 0 ? 500 / options.ppi : 1;
    const w = Math.round(image.width * k), h = Math.round(image.height * k);
    if (w * h > MAX_ENHANCE_PIXELS)
      throw new FingerliftError('E_TOO_LARGE', `enhance: ${image.width} x ${image.height} px${k !== 1 ? ` at ${options.ppi} ppi is ${w} x ${h} px at 500 ppi,` : ' at 500 ppi is'} over the enhancement limit of ${MAX_ENHANCE_PIXELS / 1e6} million pixels (a palm at 500 ppi is about 11 million): crop the print to the region to examine`);
  }
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
  const full = img;
  let bytes = borrow(Uint8Array, img.width * img.height);
  let stretched = stretchWithBytes(img, options.stretch, bytes);
  if (stretched.high - stretched.low < 32 / 255) {
    notes.push(`contrast: narrow grey range [${stretched.low.toFixed(4)}, ${stretched.high.toFixed(4)}] stretched to [0, 1]`);
  }
  const maskOptions = { ...MASK_DEFAULTS, ...options.mask, blockSize: bs };
  // The mask's reference contrast, from the whole image (a crop keeps it).
  const fullStd = blockStd(stretched.image.data, img.width, img.height, bs);
  const ref = referenceContrast(fullStd.data, maskOptions.referenceQuantile);
  const co = options.crop;
  if (!(co === undefined || typeof co === 'boolean' || (typeof co === 'object' && co !== null && !Array.isArray(co))))
    throw new FingerliftError('E_INVALID_ARGUMENT', `enhance: option crop is ${JSON.stringify(co)}, expected true, false or an options object`);
  const crop = co === false ? undefined : foregroundCrop(fullStd, ref, img.width, img.height, co === true ? {} : co);
  // CLAHE on the whole image (its tile grid follows the image's size: the same result with and without the crop).
  let equalised = claheBytes(bytes, img.width, img.height, options.clahe);
  giveBack(bytes);
  const wholeStretched = stretched.image;
  const wholeEqualised = equalised;
  if (crop) {
    const cw = crop.x1 - crop.x0;
    const ch = crop.y1 - crop.y0;
    const cs = borrow(Float32Array, cw * ch);
    const ce = new Float32Array(cw * ch);
    for (let y = 0; y < ch; y++) {
      const from = (crop.y0 + y) * img.width + crop.x0;
      cs.set(stretched.image.data.subarray(from, from + cw), y * cw);
      ce.set(equalised.data.subarray(from, from + cw), y * cw);
    }
    stretched = { ...stretched, image: { width: cw, height: ch, data: cs } };
    equalised = { width: cw, height: ch, data: ce };
    img = { width: cw, height: ch, data: cs };
    notes.push(`crop: columns ${crop.x0}-${crop.x1 - 1}, rows ${crop.y0}-${crop.y1 - 1} processed (${((100 * cw * ch) / (full.width * full.height)).toFixed(1)}% of the image); outside them no grey-level structure`);
  }
  lap('contrast');
  const field = orientationField(equalised, options.orientation);
  lap('orientation');
  // Block frequencies first: their reliability also tells ridges from background. Only the blocks whose
  // reliability the mask reads are estimated before it (the neighbourhoods of blocks with enough contrast and
  // coherence), then those under the mask that are still missing: the same result as estimating every block.
  // The crop is block-aligned: its blocks' standard deviations are those of the whole image's blocks it covers.
  const stats = blockStats(stretched.image, field, bs, maskOptions.referenceQuantile, ref, crop ? cropBlocks(fullStd, crop, img.width, img.height) : fullStd);
  const first = reliabilityBlocks(stats, maskOptions.minContrast, maskOptions.minCoherence);
  lap('mask');
  const freqOptions = { ...options.frequency, blockSize: bs };
  const raw = blockFrequencies(equalised, field, undefined, freqOptions, first);
  lap('frequency');
  const seg = segmentMask(stretched.image, { ...options.mask, blockSize: bs, orientation: field, reliability: raw.reliability, stats, frameArea: full.width * full.height });
  notes.push(...seg.notes);
  lap('mask');
  // The mask's bounding box: every later pass over the pixels visits only it (the same results).
  const under = blocksUnder(seg.mask, bs, stats.rows, stats.cols, first);
  if (under.rest) blockFrequencies(equalised, field, undefined, freqOptions, under.rest, raw);
  const freq = interpolateFrequency(raw, seg.mask, freqOptions);
  notes.push(...freq.notes);
  // Back in the whole image's frame for the Gabor filter, whose tiles follow the image's size: with and
  // without the crop it then sees the same tiles.
  let mask = seg.mask;
  let wholeField = field;
  let frequency = freq.frequency;
  let reliability = freq.reliability;
  let contrast = seg.contrast;
  let box = under.box;
  if (crop) {
    const { width: W, height: H } = full;
    mask = { width: W, height: H, data: place(seg.mask.data, crop, img.width, W, new Uint8Array(W * H)) };
    wholeField = { width: W, height: H, theta: place(field.theta, crop, img.width, W, new Float32Array(W * H)), coherence: place(field.coherence, crop, img.width, W, new Float32Array(W * H)) };
    frequency = placeBlocks(frequency, crop, W, H);
    reliability = placeBlocks(reliability, crop, W, H);
    contrast = placeBlocks(contrast, crop, W, H);
    box = box.y1 === 0 ? box : { x0: box.x0 + crop.x0, y0: box.y0 + crop.y0, x1: box.x1 + crop.x0, y1: box.y1 + crop.y0 };
    giveBack(stretched.image.data);
    stretched = { ...stretched, image: wholeStretched };
    equalised = wholeEqualised;
  }
  const norm: GrayImage = { width: full.width, height: full.height, data: normaliseInBox(equalised, mask, box.x0, box.y0, box.x1, box.y1) };
  lap('frequency');
  const gab = gaborFilter(norm, wholeField, frequency, mask, options.gabor);
  lap('gabor');
  // The normalised input is no longer needed: its array holds the |response| values of the quantile.
  const enhanced = toRidgeImage(gab.response, mask, box, responseQuantile, norm.data);
  // Scratch of this call only (never returned): back to the pool for the next call.
  giveBack(gab.response, norm.data, stretched.image.data);
  const quality = qualityMap(wholeField, mask, box, contrast, reliability);
  const result = { enhanced, normalised: equalised, mask, orientation: wholeField, frequency, quality };
  lap('output');
  return { ...result, ppi: 500, scale: resampled.scale, notes };
}

/**
 * The crop of {@link CropOptions}: the block-aligned box (x0, y0 multiples of the block side; x1, y1 too or the
 * image's edge) of the blocks whose standard deviation (`std`, blocks of the whole image) reaches
 * minContrast x `ref`, grown by the margin; undefined when there is none or it keeps more than maxShare.
 */
function foregroundCrop(std: BlockMap, ref: number, width: number, height: number, options: CropOptions = {}): Box | undefined {
  const o = { ...CROP_DEFAULTS, ...options };
  checkRange(o.minContrast, 'crop.minContrast', 0, 1);
  checkRange(o.marginBlocks, 'crop.marginBlocks', 0, 1000);
  if (!Number.isInteger(o.marginBlocks)) throw new FingerliftError('E_INVALID_ARGUMENT', `option crop.marginBlocks = ${o.marginBlocks} is not a whole number of blocks`);
  checkRange(o.maxShare, 'crop.maxShare', 0, 1);
  const { rows, cols, blockSize: bs, data } = std;
  const t = o.minContrast * ref;
  let r0 = rows;
  let r1 = -1;
  let c0 = cols;
  let c1 = -1;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      if (!(data[r * cols + c]! >= t) || !(ref > 1e-6)) continue;
      if (r < r0) r0 = r;
      if (r > r1) r1 = r;
      if (c < c0) c0 = c;
      if (c > c1) c1 = c;
    }
  if (r1 < 0) return undefined;
  const m = o.marginBlocks;
  const x0 = Math.max(0, c0 - m) * bs;
  const y0 = Math.max(0, r0 - m) * bs;
  const x1 = Math.min(width, (c1 + 1 + m) * bs);
  const y1 = Math.min(height, (r1 + 1 + m) * bs);
  // The stages need at least 16 px a side; a crop that small is not worth it anyway.
  if (x1 - x0 < 4 * bs || y1 - y0 < 4 * bs) return undefined;
  if ((x1 - x0) * (y1 - y0) > o.maxShare * width * height) return undefined;
  return { x0, y0, x1, y1 };
}

/** Copy a crop-sized array (rows of `cw` values) into the crop `c` of a whole-image array (rows of `width`); returns it. */
function place<A extends Float32Array | Uint8Array>(src: A, c: Box, cw: number, width: number, into: A): A {
  for (let y = 0; y < c.y1 - c.y0; y++) into.set(src.subarray(y * cw, (y + 1) * cw), (c.y0 + y) * width + c.x0);
  return into;
}

/** The blocks of a whole-image block map that the block-aligned crop `c` (width x height px) covers. */
function cropBlocks(m: BlockMap, c: Box, width: number, height: number): BlockMap {
  const bs = m.blockSize;
  const rows = Math.ceil(height / bs);
  const cols = Math.ceil(width / bs);
  const r0 = c.y0 / bs;
  const c0 = c.x0 / bs;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) data.set(m.data.subarray((r0 + r) * m.cols + c0, (r0 + r) * m.cols + c0 + cols), r * cols);
  return { blockSize: bs, rows, cols, data };
}

/** A block map of the crop `c` (block-aligned) placed into the block grid of a width x height image (0 elsewhere). */
function placeBlocks(m: BlockMap, c: Box, width: number, height: number): BlockMap {
  const bs = m.blockSize;
  const rows = Math.ceil(height / bs);
  const cols = Math.ceil(width / bs);
  const data = new Float32Array(rows * cols);
  const r0 = c.y0 / bs;
  const c0 = c.x0 / bs;
  for (let r = 0; r < m.rows; r++) data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), (r0 + r) * cols + c0);
  return { blockSize: bs, rows, cols, data };
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
