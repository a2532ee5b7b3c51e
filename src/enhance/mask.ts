/**
 * Stage 2: region of interest (foreground) mask from block statistics, after Bazen & Gerez (2001, "Segmentation
 * of fingerprint images": grey-level variance and coherence per block) and Hong, Wan & Jain 1998 (blocks of
 * 16 px at 500 ppi), cleaned by morphology (Maltoni et al., Handbook of Fingerprint Recognition, 2009, 3.5):
 * closing and opening on the block grid, holes filled, small components dropped, then flat pixels (blank
 * border, saturated background) cut away near the outline at pixel level and the outline smoothed
 * (Gaussian of a quarter block, threshold one half).
 */
import { getCv, withMats } from '../cv/index.js';
import type { GrayImage } from '../image/types.js';
import type { BlockMap, Mask, OrientationField } from './types.js';
import { orientationField } from './orientation.js';
import { blockMean, blockStd, checkGray, checkRange, quantile, upsampleBlocksAbove } from './util.js';
import { borrow, giveBack } from './scratch.js';

/** Defaults of {@link segmentMask}, in pixels at 500 ppi. */
export const MASK_DEFAULTS = {
  /** Block side (px), Hong, Wan & Jain 1998. */
  blockSize: 16,
  /** Reference contrast: this quantile of the block standard deviations (the print's clear areas). */
  referenceQuantile: 0.9,
  /** A foreground block has a standard deviation of at least this share of the reference (Bazen & Gerez use
   *  a variance threshold; a relative one is independent of exposure). Set here by inspection of FVC2002,
   *  FVC2004, a latent and a contactless print. */
  minContrast: 0.3,
  /** ...and a mean coherence of at least this (white noise measured: median 0.14, 95th percentile 0.28 per pixel
   *  with the default orientation windows; block means spread less). */
  minCoherence: 0.25,
  /** ...and, when block ridge-frequency reliabilities are given, a 3 x 3-block mean reliability of at least
   *  this (the share of the oriented signature explained by one sinusoid; measured here: 5th percentile
   *  0.39-0.49 inside FVC prints, median 0.00-0.18 on their background, 0.30 on a latent's printed paper;
   *  0.2 / 0.3 / 0.4 gave minutiae F-measure 0.858 / 0.855 / 0.842 against the DB1_B SecuGen templates). */
  minReliability: 0.3,
  /** A pixel whose 5 x 5 standard deviation is under this share of the reference is flat (blank border). */
  flatContrast: 0.04,
  /** Components smaller than this share of the largest one are dropped (one region per finger). */
  keepFraction: 0.2,
  /** Components under this many blocks are dropped. */
  minBlocks: 4,
} as const;

export interface MaskOptions {
  blockSize?: number;
  referenceQuantile?: number;
  minContrast?: number;
  minCoherence?: number;
  minReliability?: number;
  flatContrast?: number;
  keepFraction?: number;
  minBlocks?: number;
  /** Orientation field of the same image, when already computed (saves its cost). */
  orientation?: OrientationField;
  /** Ridge-frequency reliability per block of the same image and block size (see blockFrequencies); used when given. */
  reliability?: BlockMap;
  /** Pixels of the whole image when `image` is a crop of it (enhance's foreground crop): the foreground share in
   *  the notes is of this many pixels. Default: the image's own. */
  frameArea?: number;
  /** Block statistics from {@link blockStats} for this image, orientation field, block size and reference quantile, when already computed (ignored otherwise). */
  stats?: MaskBlockStats;
}

export interface MaskResult {
  mask: Mask;
  /** Foreground score per block in [0, 1]: relative contrast x coherence (x reliability / 0.6, capped, when given). */
  score: BlockMap;
  /** Relative contrast per block (standard deviation / reference), clamped to [0, 1]. */
  contrast: BlockMap;
  notes: string[];
}

/**
 * Foreground mask of a grey print (height x width, [0, 1], contrast-stretched; before CLAHE, which lifts
 * background noise). Returns a height x width 0/1 mask: one smooth region per finger, no holes, blank
 * border and background excluded.
 * @throws FingerliftError E_INVALID_ARGUMENT for options out of range; E_TOO_SMALL under 8 px a side.
 */
export function segmentMask(image: GrayImage, options: MaskOptions = {}): MaskResult {
  const o = { ...MASK_DEFAULTS, ...options };
  checkGray(image, 'segmentMask', 8);
  checkRange(o.blockSize, 'blockSize', 4, 256);
  checkRange(o.minContrast, 'minContrast', 0, 1);
  checkRange(o.minCoherence, 'minCoherence', 0, 1);
  const { width, height } = image;
  const bs = o.blockSize;
  const field = o.orientation ?? orientationField(image);
  const stats = o.stats && o.stats.blockSize === bs && o.stats.image === image && o.stats.field === field && o.stats.referenceQuantile === o.referenceQuantile ? o.stats : blockStats(image, field, bs, o.referenceQuantile);
  const { coherence: coh, contrast, ref } = stats;
  const nb = contrast.length;
  const notes: string[] = [];
  const score = new Float32Array(nb);
  const fg = new Uint8Array(nb);
  const { rows, cols } = stats;
  const rel = o.reliability && o.reliability.rows === rows && o.reliability.cols === cols ? mean3x3(o.reliability.data, cols, rows) : undefined;
  for (let i = 0; i < nb; i++) {
    score[i] = contrast[i]! * coh.data[i]! * (rel ? Math.min(1, rel[i]! / 0.6) : 1);
    fg[i] = contrast[i]! >= o.minContrast && coh.data[i]! >= o.minCoherence && (!rel || rel[i]! >= o.minReliability) ? 1 : 0;
  }
  const cleaned = cleanBlocks(fg, cols, rows, o.keepFraction, o.minBlocks);
  // Pixel mask: bilinear upsampling of the block mask thresholded at 0.5 (a smooth outline), minus flat pixels.
  // Flat pixels are cut only near the outline (within about a block), so saturated or blank spots inside a
  // print never make holes.
  const m = borrow(Uint8Array, width * height);
  const box = upsampleBlocksAbove({ blockSize: bs, rows, cols, data: Float32Array.from(cleaned) }, width, height, 0.5, m);
  const deep = borrow(Uint8Array, width * height);
  upsampleBlocksAbove({ blockSize: bs, rows, cols, data: Float32Array.from(erodeBlocks(cleaned, cols, rows)) }, width, height, 0.5, deep);
  let final: Uint8Array;
  let count = 0;
  if (box.y1 === 0) {
    final = new Uint8Array(width * height);
    giveBack(deep);
  } else {
    cutFlatPixels(image, m, deep, o.flatContrast * ref, box);
    giveBack(deep); // before cleanPixels borrows its scratch: fewer whole-image arrays at once
    final = cleanPixels(m, width, height, bs, box);
    for (let y = box.y0; y < box.y1; y++) for (let i = y * width + box.x0, e = y * width + box.x1; i < e; i++) count += final[i]!;
  }
  giveBack(m);
  if (count === 0 && Math.min(width, height) < 4 * bs) notes.push(`mask: no foreground found (the image, ${width} x ${height}, is under 4 blocks of ${bs} px a side: too small to judge)`);
  else if (count === 0) notes.push('mask: no foreground found (flat or featureless image)');
  else notes.push(`mask: ${((100 * count) / (o.frameArea ?? final.length)).toFixed(1)}% of the image is foreground`);
  return {
    mask: { width, height, data: final },
    score: { blockSize: bs, rows, cols, data: score },
    contrast: { blockSize: bs, rows, cols, data: contrast },
    notes,
  };
}

/** Block statistics of the mask (see {@link blockStats}), for the image, field and block size they were computed for. */
export interface MaskBlockStats {
  image: GrayImage;
  field: OrientationField;
  blockSize: number;
  referenceQuantile: number;
  rows: number;
  cols: number;
  /** Mean per-pixel coherence per block. */
  coherence: BlockMap;
  /** Relative contrast per block: standard deviation / reference, clamped to [0, 1] (0 when the reference is under 1e-6). */
  contrast: Float32Array;
  /** Reference standard deviation (the referenceQuantile of the structured blocks' standard deviations). */
  ref: number;
}

/**
 * Per-block contrast and coherence of {@link segmentMask} (image height x width, blocks of `blockSize` px).
 * The reference contrast is the quantile over blocks that hold any structure (std above 2% of the largest),
 * so a print filling a small part of a large blank scan is judged against its own contrast, not the blank's.
 * `reference`, when given, replaces that quantile (enhance passes the one of the whole image when it works on a
 * crop of it); `blockStds`, when given, are the image's block standard deviations already computed.
 */
export function blockStats(image: GrayImage, field: OrientationField, blockSize: number, referenceQuantile: number = MASK_DEFAULTS.referenceQuantile, reference?: number, blockStds?: BlockMap): MaskBlockStats {
  const { width, height } = image;
  const std = blockStds ?? blockStd(image.data, width, height, blockSize);
  const coherence = blockMean(field.coherence, width, height, blockSize);
  const ref = reference ?? referenceContrast(std.data, referenceQuantile);
  const contrast = new Float32Array(std.data.length);
  for (let i = 0; i < contrast.length; i++) contrast[i] = ref > 1e-6 ? Math.min(1, std.data[i]! / ref) : 0;
  return { image, field, blockSize, referenceQuantile, rows: std.rows, cols: std.cols, coherence, contrast, ref };
}

/**
 * Reference contrast of {@link blockStats}: the `referenceQuantile` of the block standard deviations `std` over the
 * blocks holding any structure (std above 2% of the largest; all blocks when fewer than 4 do).
 */
export function referenceContrast(std: Float32Array, referenceQuantile: number): number {
  let maxStd = 0;
  for (let i = 0; i < std.length; i++) if (std[i]! > maxStd) maxStd = std[i]!;
  const structured = std.filter((v) => v > 0.02 * maxStd);
  return quantile(structured.length >= 4 ? structured : std, referenceQuantile);
}

/**
 * The blocks whose ridge-frequency reliability can change the foreground decision of {@link segmentMask}:
 * the 3 x 3 neighbourhoods (the reach of its reliability mean) of the blocks that pass the contrast and
 * coherence tests. Reliability elsewhere is never read for the mask.
 */
export function reliabilityBlocks(stats: MaskBlockStats, minContrast: number = MASK_DEFAULTS.minContrast, minCoherence: number = MASK_DEFAULTS.minCoherence): Uint8Array {
  const { rows, cols, contrast } = stats;
  const coh = stats.coherence.data;
  const out = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (!(contrast[i]! >= minContrast && coh[i]! >= minCoherence)) continue;
      for (let rr = Math.max(0, r - 1); rr <= Math.min(rows - 1, r + 1); rr++)
        for (let cc = Math.max(0, c - 1); cc <= Math.min(cols - 1, c + 1); cc++) out[rr * cols + cc] = 1;
    }
  return out;
}

/** Mean over each cell's 3 x 3 neighbourhood (clipped at the grid's edge). */
function mean3x3(d: Float32Array, cols: number, rows: number): Float32Array {
  const out = new Float32Array(d.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      let s = 0;
      let n = 0;
      for (let rr = Math.max(0, r - 1); rr <= Math.min(rows - 1, r + 1); rr++)
        for (let cc = Math.max(0, c - 1); cc <= Math.min(cols - 1, c + 1); cc++) {
          s += d[rr * cols + cc]!;
          n++;
        }
      out[r * cols + c] = s / n;
    }
  return out;
}

/**
 * Two Float64 scratch arrays of at least `n` entries for {@link cutFlatPixels}, kept between calls (two
 * integral images of a whole print: 2.4 MB for an FVC2002 image; allocating them on every call made the
 * collector run more often). Arrays over 4 M entries (32 MB each) are not kept.
 */
let scratch: [Float64Array, Float64Array] | undefined;
function integralScratch(n: number): [Float64Array, Float64Array] {
  if (scratch && scratch[0].length >= n) return scratch;
  const fresh: [Float64Array, Float64Array] = [new Float64Array(n), new Float64Array(n)];
  if (n <= 1 << 22) scratch = fresh;
  return fresh;
}

/** Columns [x0, x1) and rows [y0, y1) of an image. */
interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Clear the pixels of `m` (height x width, 0/1, every set pixel inside `box`) that are set, lie outside the
 * eroded block mask (`deep`, height x width: 1 where its upsampling is >= 0.5) and whose 5 x 5 standard
 * deviation (borders reflected) is under `threshold`: the flat pixels near the outline. Window sums come from integral images of the values and their squares (Float64), so only the
 * pixels near the outline cost anything beyond two passes.
 */
function cutFlatPixels(image: GrayImage, m: Uint8Array, deep: Uint8Array, threshold: number, box: PixelBox): void {
  const { width, height, data } = image;
  const W = width + 5;
  const H = height + 5;
  // Integral images over the image padded by 2 px (reflected, edge pixel repeated), with a leading zero row and column;
  // only the padded rows and columns up to the box's last window are filled (sums start at the top left corner, so
  // the entries computed are the same as over the whole image).
  const pw = box.x1 + 4;
  const ph = box.y1 + 4;
  const [s1, s2] = integralScratch(W * H);
  // Row 0 and column 0 are the zero border (every other entry read is written below).
  s1.fill(0, 0, W);
  s2.fill(0, 0, W);
  for (let r = W; r <= ph * W; r += W) {
    s1[r] = 0;
    s2[r] = 0;
  }
  const refl = (v: number, n: number): number => (v < 0 ? -v - 1 : v >= n ? 2 * n - v - 1 : v);
  const col = new Int32Array(width + 4);
  for (let px = 0; px < width + 4; px++) col[px] = refl(px - 2, width);
  for (let py = 0; py < ph; py++) {
    const row = refl(py - 2, height) * width;
    let a = 0;
    let b = 0;
    const o = (py + 1) * W;
    // Padded columns 2 .. width + 1 are image columns 0 .. width - 1 (no reflection lookup there).
    const inner = Math.min(pw, width + 2);
    let px = 0;
    for (; px < 2; px++) {
      const v = data[row + col[px]!]!;
      a += v;
      b += v * v;
      s1[o + px + 1] = s1[o - W + px + 1]! + a;
      s2[o + px + 1] = s2[o - W + px + 1]! + b;
    }
    for (let i = row + px - 2, k = o + px + 1; px < inner; px++, i++, k++) {
      const v = data[i]!;
      a += v;
      b += v * v;
      s1[k] = s1[k - W]! + a;
      s2[k] = s2[k - W]! + b;
    }
    for (; px < pw; px++) {
      const v = data[row + col[px]!]!;
      a += v;
      b += v * v;
      s1[o + px + 1] = s1[o - W + px + 1]! + a;
      s2[o + px + 1] = s2[o - W + px + 1]! + b;
    }
  }
  const t2 = threshold * threshold;
  for (let y = box.y0; y < box.y1; y++)
    for (let x = box.x0, i = y * width + box.x0; x < box.x1; x++, i++) {
      if (!m[i] || deep[i]) continue;
      // Window rows y-2..y+2 are padded rows y..y+4, i.e. integral rows y..y+5; same for columns.
      const a = y * W + x;
      const b = (y + 5) * W + x;
      const sum = s1[b + 5]! - s1[b]! - s1[a + 5]! + s1[a]!;
      const sq = s2[b + 5]! - s2[b]! - s2[a + 5]! + s2[a]!;
      const mean = sum / 25;
      if (sq / 25 - mean * mean < t2) m[i] = 0;
    }
}

/** Closing then opening (3 x 3 cross) on the block grid, holes filled, small components dropped. */
function cleanBlocks(fg: Uint8Array, cols: number, rows: number, keepFraction: number, minBlocks: number): Uint8Array {
  const cv = getCv();
  const morphed = withMats('mask morphology', (t) => {
    // Pad by 2 blocks so that closing does not glue to the image edge.
    const src = t(cv.matFromArray(rows, cols, cv.CV_8U, fg));
    const pad = t(new cv.Mat());
    cv.copyMakeBorder(src, pad, 2, 2, 2, 2, cv.BORDER_CONSTANT, new cv.Scalar(0));
    const k = t(cv.getStructuringElement(cv.MORPH_CROSS, new cv.Size(3, 3)));
    cv.morphologyEx(pad, pad, cv.MORPH_CLOSE, k);
    cv.morphologyEx(pad, pad, cv.MORPH_OPEN, k);
    const out = new Uint8Array(rows * cols);
    const d: Uint8Array = pad.data;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = d[(r + 2) * (cols + 4) + c + 2]! ? 1 : 0;
    return out;
  });
  return keepComponents(fillHoles(morphed, cols, rows), cols, rows, keepFraction, minBlocks);
}

/**
 * Pixel-level cleanup: the outline smoothed by a Gaussian of a quarter block (sigma) thresholded at one
 * half (rounds corners, cuts bridges and specks narrower than about half a block, keeps straight edges in
 * place), then parts under 4 blocks' area or a fifth of the largest dropped. The blur runs at half
 * resolution for sigma >= 2 px (together with the integral-image flat test, 0.07% of the mask pixels of
 * 20 FVC2002 DB1_B images changed against the full-resolution version).
 */
function cleanPixels(m: Uint8Array, width: number, height: number, blockSize: number, box: PixelBox): Uint8Array {
  const sigma = blockSize / 4;
  const half = sigma >= 2 && width >= 16 && height >= 16;
  // With even sides, only a crop around the set pixels is smoothed: its corners at even coordinates (the same
  // 2 x 2 cells and bilinear weights as over the whole image) and a margin of a block plus 8 px of zeros (beyond
  // the smoothing's reach, so the values inside, and the zeros outside, are those of the whole image).
  if (!half || width % 2 || height % 2) return cleanCrop(m, width, height, blockSize, { x0: 0, y0: 0, x1: width, y1: height });
  const margin = blockSize + 8;
  const x0 = Math.max(0, box.x0 - margin) & ~1;
  const y0 = Math.max(0, box.y0 - margin) & ~1;
  const x1 = Math.min(width, (box.x1 + margin + 1) & ~1);
  const y1 = Math.min(height, (box.y1 + margin + 1) & ~1);
  if (x1 - x0 < 16 || y1 - y0 < 16) return cleanCrop(m, width, height, blockSize, { x0: 0, y0: 0, x1: width, y1: height });
  return cleanCrop(m, width, height, blockSize, { x0, y0, x1, y1 });
}

/** {@link cleanPixels} over the pixels of `crop` (every set pixel of `m` and enough zeros around them); the result is height x width. */
function cleanCrop(m: Uint8Array, width: number, height: number, blockSize: number, crop: PixelBox): Uint8Array {
  const cv = getCv();
  const cw = crop.x1 - crop.x0;
  const ch = crop.y1 - crop.y0;
  const whole = cw === width && ch === height;
  // Scratch arrays of the whole image's size (whatever the crop's), so the pool keeps one size; views of the crop's.
  const openedFull = borrow(Uint8Array, width * height);
  const opened = openedFull.subarray(0, cw * ch);
  // The crop's pixels, in a scratch array of the whole image's size.
  const full = whole ? undefined : borrow(Uint8Array, width * height);
  const part = full ? full.subarray(0, cw * ch) : m;
  if (full) for (let y = 0; y < ch; y++) part.set(m.subarray((y + crop.y0) * width + crop.x0, (y + crop.y0) * width + crop.x1), y * cw);
  withMats('mask pixel smoothing', (t) => {
    const src = t(cv.matFromArray(ch, cw, cv.CV_8U, part));
    if (full) giveBack(full);
    const f = t(new cv.Mat());
    src.convertTo(f, cv.CV_32F, 1, 0);
    const sigma = blockSize / 4;
    // The blur (sigma >= 2 px) is done at half resolution: pixel-area averaging, the remaining blur, bilinear
    // back up (a quarter of the cost; the smoothed outline moves by a small fraction of a pixel).
    const half = sigma >= 2 && width >= 16 && height >= 16;
    if (half) {
      const low = t(new cv.Mat());
      cv.resize(f, low, new cv.Size(Math.round(cw / 2), Math.round(ch / 2)), 0, 0, cv.INTER_AREA);
      const sl = Math.sqrt(sigma * sigma - 3 / 12) / 2;
      const k = 2 * Math.ceil(3 * sl) + 1;
      cv.GaussianBlur(low, low, new cv.Size(k, k), sl, sl, cv.BORDER_CONSTANT);
      cv.resize(low, f, new cv.Size(cw, ch), 0, 0, cv.INTER_LINEAR);
    } else {
      const k = 2 * Math.ceil(3 * sigma) + 1;
      cv.GaussianBlur(f, f, new cv.Size(k, k), sigma, sigma, cv.BORDER_CONSTANT);
    }
    const d: Float32Array = f.data32F;
    for (let i = 0; i < opened.length; i++) opened[i] = d[i]! >= 0.5 ? 1 : 0;
  });
  if (whole) {
    const kept = keepComponents(opened, cw, ch, 0.2, blockSize * blockSize * 4);
    giveBack(openedFull);
    return kept;
  }
  // The crop's result, in place of its input (a scratch view), then into a fresh whole-image mask.
  const kept = keepComponents(opened, cw, ch, 0.2, blockSize * blockSize * 4, opened);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < ch; y++) out.set(kept.subarray(y * cw, (y + 1) * cw), (y + crop.y0) * width + crop.x0);
  giveBack(openedFull);
  return out;
}

/** Erosion of the block mask by its 3 x 3 neighbourhood (cells on the grid's edge count their outside as background). */
function erodeBlocks(m: Uint8Array, cols: number, rows: number): Uint8Array {
  const out = new Uint8Array(m.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      let all = 1;
      for (let rr = r - 1; rr <= r + 1 && all; rr++)
        for (let cc = c - 1; cc <= c + 1; cc++)
          if (rr < 0 || cc < 0 || rr >= rows || cc >= cols || !m[rr * cols + cc]) {
            all = 0;
            break;
          }
      out[r * cols + c] = all;
    }
  return out;
}

/** Background components that do not touch the border are holes: set them to 1. */
function fillHoles(m: Uint8Array, width: number, height: number): Uint8Array {
  const cv = getCv();
  return withMats('mask fill holes', (t) => {
    const inv = borrow(Uint8Array, m.length);
    for (let i = 0; i < m.length; i++) inv[i] = m[i] ? 0 : 1;
    const src = t(cv.matFromArray(height, width, cv.CV_8U, inv));
    giveBack(inv);
    const labels = t(new cv.Mat());
    const stats = t(new cv.Mat());
    const cent = t(new cv.Mat());
    const n = cv.connectedComponentsWithStats(src, labels, stats, cent, 4, cv.CV_32S) as number;
    const st: Int32Array = stats.data32S;
    const isHole = new Uint8Array(n);
    for (let l = 1; l < n; l++) {
      const x = st[l * 5]!;
      const y = st[l * 5 + 1]!;
      const w = st[l * 5 + 2]!;
      const h = st[l * 5 + 3]!;
      isHole[l] = x > 0 && y > 0 && x + w < width && y + h < height ? 1 : 0;
    }
    const lab: Int32Array = labels.data32S;
    const out = new Uint8Array(m);
    for (let i = 0; i < out.length; i++) if (isHole[lab[i]!]) out[i] = 1;
    return out;
  });
}

/**
 * Keep the components (8-connected) with at least `fraction` of the largest one's area and `minArea` cells;
 * the result (height x width, 0/1) is written into `into` when given (its first height x width entries).
 */
function keepComponents(m: Uint8Array, width: number, height: number, fraction: number, minArea: number, into?: Uint8Array): Uint8Array {
  const cv = getCv();
  return withMats('mask components', (t) => {
    const src = t(cv.matFromArray(height, width, cv.CV_8U, m));
    const labels = t(new cv.Mat());
    const stats = t(new cv.Mat());
    const cent = t(new cv.Mat());
    const n = cv.connectedComponentsWithStats(src, labels, stats, cent, 8, cv.CV_32S) as number;
    const st: Int32Array = stats.data32S;
    let largest = 0;
    for (let l = 1; l < n; l++) largest = Math.max(largest, st[l * 5 + 4]!);
    const keep = new Uint8Array(n);
    for (let l = 1; l < n; l++) {
      const a = st[l * 5 + 4]!;
      keep[l] = a >= fraction * largest && a >= Math.min(minArea, largest) ? 1 : 0;
    }
    const lab: Int32Array = labels.data32S;
    const out = into ?? new Uint8Array(m.length);
    for (let i = 0; i < m.length; i++) out[i] = keep[lab[i]!]!;
    return out;
  });
}
