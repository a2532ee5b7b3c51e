/**
 * Small shared helpers of the enhancement stages: Gaussian smoothing through OpenCV, block statistics,
 * robust percentiles and input validation. Not part of the public API.
 */
import { getCv, withMats, matFromFloat32 } from '../cv/index.js';
import { FingerliftError } from '../errors.js';
import type { GrayImage } from '../image/types.js';
import type { BlockMap, Mask } from './types.js';
import { borrow, giveBack } from './scratch.js';

/** Gaussian blur of a height x width Float32Array (see src/cv). */
import { gaussianBlurFloat32 as gaussianBlur } from '../cv/index.js';
export { gaussianBlur };

/**
 * Per-block sums of a height x width array over cells of `blockSize` (and of its squares when `s2` is
 * given): each row segment is summed in a local accumulator first (one write per segment, not per pixel).
 */
function blockSums(data: ArrayLike<number>, width: number, height: number, blockSize: number, cols: number, s1: Float64Array, s2?: Float64Array): void {
  for (let y = 0; y < height; y++) {
    const base = ((y / blockSize) | 0) * cols;
    const row = y * width;
    for (let c = 0, x0 = 0; x0 < width; c++, x0 += blockSize) {
      const e = row + Math.min(width, x0 + blockSize);
      let a = 0;
      if (s2) {
        let q = 0;
        for (let i = row + x0; i < e; i++) {
          const v = data[i]!;
          a += v;
          q += v * v;
        }
        s2[base + c]! += q;
      } else for (let i = row + x0; i < e; i++) a += data[i]!;
      s1[base + c]! += a;
    }
  }
}

/** Pixels in block (r, c) of a height x width grid of `blockSize` cells (edge cells are partial). */
function cellCount(r: number, c: number, width: number, height: number, blockSize: number): number {
  return (Math.min(height, (r + 1) * blockSize) - r * blockSize) * (Math.min(width, (c + 1) * blockSize) - c * blockSize);
}

/** Per-block mean of a height x width array over cells of `blockSize` (partial edge cells averaged over their pixels). */
export function blockMean(data: ArrayLike<number>, width: number, height: number, blockSize: number): BlockMap {
  const rows = Math.ceil(height / blockSize);
  const cols = Math.ceil(width / blockSize);
  const sum = new Float64Array(rows * cols);
  blockSums(data, width, height, blockSize, cols, sum);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = sum[r * cols + c]! / cellCount(r, c, width, height, blockSize);
  return { blockSize, rows, cols, data: out };
}

/** Per-block standard deviation of a height x width array. */
export function blockStd(data: Float32Array, width: number, height: number, blockSize: number): BlockMap {
  const rows = Math.ceil(height / blockSize);
  const cols = Math.ceil(width / blockSize);
  const s1 = new Float64Array(rows * cols);
  const s2 = new Float64Array(rows * cols);
  blockSums(data, width, height, blockSize, cols, s1, s2);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const n = cellCount(r, c, width, height, blockSize);
      const m = s1[i]! / n;
      out[i] = Math.sqrt(Math.max(0, s2[i]! / n - m * m));
    }
  return { blockSize, rows, cols, data: out };
}

/** Fraction of mask pixels per block, in [0, 1]. */
export function blockCoverage(mask: Mask, blockSize: number): BlockMap {
  return blockMean(mask.data, mask.width, mask.height, blockSize);
}

/**
 * The q-quantile (q in [0, 1]) of the values (optionally only where `where[i]` is non-zero), from a
 * 4096-bin histogram between the minimum and the maximum: exact to 1/4096 of the range, no sorting.
 */
export function quantile(values: Float32Array, q: number, where?: Uint8Array): number {
  return quantiles(values, [q], where)[0]!;
}

/** Several quantiles from one histogram (see {@link quantile}); NaN for no values. */
export function quantiles(values: Float32Array, qs: number[], where?: Uint8Array): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  if (where) {
    for (let i = 0; i < values.length; i++) {
      if (!where[i]) continue;
      const v = values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      n++;
    }
  } else {
    // Two running minima and maxima (even and odd elements): half as long a chain of dependent comparisons.
    let lo1 = Infinity;
    let hi1 = -Infinity;
    const len = values.length;
    let i = 0;
    for (; i + 1 < len; i += 2) {
      const a = values[i]!;
      const b = values[i + 1]!;
      if (a < lo) lo = a;
      if (a > hi) hi = a;
      if (b < lo1) lo1 = b;
      if (b > hi1) hi1 = b;
    }
    if (i < len) {
      const a = values[i]!;
      if (a < lo) lo = a;
      if (a > hi) hi = a;
    }
    if (lo1 < lo) lo = lo1;
    if (hi1 > hi) hi = hi1;
    n = len;
  }
  if (n === 0) return qs.map(() => NaN);
  if (hi <= lo) return qs.map(() => lo);
  const bins = 4096;
  // Four histograms, pixel i counted in copy i mod 4 (loop unrolled by four), summed after: neighbouring pixels
  // mostly fall in the same bin, and one counter makes each increment wait for the previous one (about twice
  // as fast; the counts are the same).
  const hist4 = borrow(Int32Array, 4 * bins); // counts < 2^31 (typed arrays are shorter)
  const scale = (bins - 1) / (hi - lo);
  const len = values.length;
  const len4 = len - (len & 3);
  // (x + 0.5) | 0 is Math.round(x) for x >= 0.
  if (where) {
    let i = 0;
    for (; i < len4; i += 4) {
      if (where[i]) hist4[((values[i]! - lo) * scale + 0.5) | 0]!++;
      if (where[i + 1]) hist4[bins + (((values[i + 1]! - lo) * scale + 0.5) | 0)]!++;
      if (where[i + 2]) hist4[2 * bins + (((values[i + 2]! - lo) * scale + 0.5) | 0)]!++;
      if (where[i + 3]) hist4[3 * bins + (((values[i + 3]! - lo) * scale + 0.5) | 0)]!++;
    }
    for (; i < len; i++) if (where[i]) hist4[((values[i]! - lo) * scale + 0.5) | 0]!++;
  } else {
    let i = 0;
    for (; i < len4; i += 4) {
      hist4[((values[i]! - lo) * scale + 0.5) | 0]!++;
      hist4[bins + (((values[i + 1]! - lo) * scale + 0.5) | 0)]!++;
      hist4[2 * bins + (((values[i + 2]! - lo) * scale + 0.5) | 0)]!++;
      hist4[3 * bins + (((values[i + 3]! - lo) * scale + 0.5) | 0)]!++;
    }
    for (; i < len; i++) hist4[((values[i]! - lo) * scale + 0.5) | 0]!++;
  }
  const hist = hist4.subarray(0, bins);
  for (let b = 0; b < bins; b++) hist[b] = hist4[b]! + hist4[b + bins]! + hist4[b + 2 * bins]! + hist4[b + 3 * bins]!;
  const out = qs.map((q) => {
    if (q <= 0) return lo;
    if (q >= 1) return hi;
    const target = q * (n - 1);
    let acc = 0;
    for (let b = 0; b < bins; b++) {
      acc += hist[b]!;
      if (acc > target) return lo + b / scale;
    }
    return hi;
  });
  giveBack(hist4);
  return out;
}

/** Throws E_INVALID_ARGUMENT / E_TOO_SMALL unless `image` is a well-formed GrayImage of at least `minSide` pixels a side. */
export function checkGray(image: GrayImage, what: string, minSide = 1): void {
  if (!image || !(image.data instanceof Float32Array) || !Number.isInteger(image.width) || !Number.isInteger(image.height)) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: expected a GrayImage { width, height, data: Float32Array }`);
  }
  if ((image as { channels?: number }).channels === 3) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: expected a grey image, got RGB (convert it with toGray first)`);
  }
  if (image.data.length !== image.width * image.height) {
    throw new FingerliftError(
      'E_INVALID_ARGUMENT',
      `${what}: data length ${image.data.length} is not width x height = ${image.width} x ${image.height}`,
    );
  }
  if (image.width < minSide || image.height < minSide) {
    throw new FingerliftError('E_TOO_SMALL', `${what}: image ${image.width} x ${image.height} is under the minimum side of ${minSide} pixels`);
  }
}

/** Throws E_INVALID_ARGUMENT unless `value` is a finite number in [min, max]. */
export function checkRange(value: number, name: string, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `option ${name} = ${value} is outside [${min}, ${max}]`);
  }
}

/** Throws E_INVALID_ARGUMENT unless the mask has the image's size. */
export function checkMask(mask: Mask | undefined, width: number, height: number, what: string): void {
  if (mask && (mask.width !== width || mask.height !== height || mask.data.length !== width * height)) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: mask ${mask.width} x ${mask.height} does not match image ${width} x ${height}`);
  }
}

/**
 * Bilinear upsampling of a block map to height x width pixels, block centres aligned (cell (r, c) sits at
 * pixel ((c + 0.5) * blockSize - 0.5, (r + 0.5) * blockSize - 0.5)); edges clamp; through cv.resize
 * (INTER_LINEAR) to the whole-block size, then thresholded: sets `out[i]` (height x width, zero-filled by the
 * caller) to 1 where the upsampled value is >= `threshold`. Returns the bounding box of those pixels (columns
 * [x0, x1), rows [y0, y1); all 0 when there are none).
 */
export function upsampleBlocksAbove(map: BlockMap, width: number, height: number, threshold: number, out: Uint8Array): { x0: number; y0: number; x1: number; y1: number } {
  const { blockSize: bs, rows, cols } = map;
  const cv = getCv();
  return withMats('upsampleBlocks', (t) => {
    const src = t(matFromFloat32(map.data, cols, rows));
    const dst = t(new cv.Mat());
    const W = cols * bs;
    cv.resize(src, dst, new cv.Size(W, rows * bs), 0, 0, cv.INTER_LINEAR);
    const full: Float32Array = dst.data32F;
    // A block whose 3 x 3 neighbourhood (clipped at the grid's edge) is all 0 or all 1 upsamples to that value
    // over its whole cell, up to float rounding (the bilinear weights sum to 1), which cannot cross a threshold
    // inside (0.001, 0.999): only the other cells are read pixel by pixel.
    const d = map.data;
    const shortcut = threshold > 1e-3 && threshold < 1 - 1e-3;
    const uniform = new Int8Array(rows * cols).fill(-1); // -1: read the pixels; 0 / 1: all below / all at or above
    for (let r = 0; r < rows && shortcut; r++)
      for (let c = 0; c < cols; c++) {
        const v = d[r * cols + c]!;
        if (v !== 0 && v !== 1) continue;
        let same = true;
        for (let rr = Math.max(0, r - 1); rr <= Math.min(rows - 1, r + 1) && same; rr++)
          for (let cc = Math.max(0, c - 1); cc <= Math.min(cols - 1, c + 1); cc++)
            if (d[rr * cols + cc] !== v) {
              same = false;
              break;
            }
        if (same) uniform[r * cols + c] = v;
      }
    let x0 = width;
    let x1 = -1;
    let y0 = -1;
    let y1 = -1;
    for (let y = 0; y < height; y++) {
      let first = -1;
      let last = -1;
      const ur = ((y / bs) | 0) * cols;
      for (let c = 0, xs = 0; xs < width; c++, xs += bs) {
        const xe = Math.min(width, xs + bs);
        const u = uniform[ur + c]!;
        if (u === 0) continue;
        if (u === 1) {
          out.fill(1, y * width + xs, y * width + xe);
          if (first < 0) first = xs;
          last = xe - 1;
          continue;
        }
        for (let x = xs, j = y * W + xs, i = y * width + xs; x < xe; x++, i++, j++) {
          if (full[j]! >= threshold) {
            out[i] = 1;
            if (first < 0) first = x;
            last = x;
          }
        }
      }
      if (first < 0) continue;
      if (y0 < 0) y0 = y;
      y1 = y;
      if (first < x0) x0 = first;
      if (last > x1) x1 = last;
    }
    return y0 < 0 ? { x0: 0, y0: 0, x1: 0, y1: 0 } : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
  });
}
