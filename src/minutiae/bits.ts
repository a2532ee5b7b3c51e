/**
 * Bit-packed binary images for the raster stages of extraction (component clean-up, thinning): 32 pixels
 * per 32-bit word, so that runs are found with count-leading-zeros instead of a test per pixel, and
 * 3x3 neighbourhood rules are evaluated 32 pixels at a time.
 *
 * Layout (height + 2) rows of `stride` = words + 2 Int32 words, row-major: row y of the image is row
 * y + 1; pixel x sits at bit x + 1 of the row (bit b of word k is bit 32k + b, least significant first);
 * word 0 and word `stride - 1` of each row, the bit before pixel 0, the bits after pixel width - 1, and
 * rows 0 and height + 1 are always 0 (background): neighbour reads need no bounds checks.
 */
import type { BinaryImage } from './skeleton.js';

export interface BitImage {
  readonly width: number;
  readonly height: number;
  /** Words holding pixels per row: ceil((width + 2) / 32). */
  readonly words: number;
  /** Row length in words: `words + 2`. */
  readonly stride: number;
  readonly bits: Int32Array;
}

/** An all-background bit image of width x height. */
export function emptyBits(width: number, height: number): BitImage {
  const words = (width + 2 + 31) >>> 5;
  const stride = words + 2;
  return { width, height, words, stride, bits: new Int32Array(stride * (height + 2)) };
}

/** Packs a binary image (any non-zero byte = 1). */
export function packBits(img: BinaryImage): BitImage {
  const { width: w, height: h, data: src } = img;
  const out = emptyBits(w, h);
  const { words, stride, bits } = out;
  for (let y = 0; y < h; y++) {
    const s = y * w - 1; // pixel x sits at bit x + 1
    const r = (y + 1) * stride + 1;
    for (let k = 0; k < words; k++) {
      const b0 = k << 5;
      const b1 = Math.min(b0 + 32, w + 1);
      let word = 0;
      // Branch-free: (-v >>> 31) is 1 for a non-zero byte v, 0 for 0.
      for (let b = b0 === 0 ? 1 : b0; b < b1; b++) word |= (-src[s + b]! >>> 31) << (b & 31);
      bits[r + k] = word;
    }
  }
  return out;
}

/**
 * Unpacks into `out` (0/1 bytes), placing the image at (ox, oy) of an image `outWidth` pixels wide
 * (the caller makes sure it fits). Other bytes of `out` are not touched.
 */
export function unpackBits(img: BitImage, out: Uint8Array, outWidth: number, ox = 0, oy = 0): void {
  const { width: w, height: h, words, stride, bits } = img;
  for (let y = 0; y < h; y++) {
    const r = (y + 1) * stride + 1;
    const o = (oy + y) * outWidth + ox - 1; // bit b of the row is pixel b - 1
    for (let k = 0; k < words; k++) {
      const word = bits[r + k]!;
      const b0 = k << 5;
      const b1 = Math.min(b0 + 32, w + 1);
      for (let b = b0 === 0 ? 1 : b0; b < b1; b++) out[o + b] = (word >>> (b & 31)) & 1;
    }
  }
}

/**
 * Appends the runs of pixels equal to `value` in row y, left to right, as pixel columns
 * [start[n], end[n]) from index `n` on; returns the new count. The arrays must have room (a row holds at
 * most ceil(width / 2) runs).
 */
export function collectRuns(img: BitImage, y: number, value: 0 | 1, start: Int32Array, end: Int32Array, n: number): number {
  const { width: w, words, stride, bits } = img;
  const r = (y + 1) * stride + 1;
  const flip = value ? 0 : -1;
  const stop = w + 1; // bit after the last pixel
  let pos = 1;
  while (pos < stop) {
    // Next bit equal to `value` at or after pos.
    let k = pos >>> 5;
    let word = (bits[r + k]! ^ flip) & (-1 << (pos & 31));
    while (word === 0 && ++k < words) word = bits[r + k]! ^ flip;
    if (word === 0) break;
    const s = (k << 5) + 31 - Math.clz32(word & -word);
    if (s >= stop) break;
    // Next bit not equal to `value` after s.
    k = s >>> 5;
    word = ~(bits[r + k]! ^ flip) & (-1 << (s & 31));
    while (word === 0 && ++k < words) word = ~(bits[r + k]! ^ flip);
    const e = word === 0 ? stop : Math.min(stop, (k << 5) + 31 - Math.clz32(word & -word));
    start[n] = s - 1;
    end[n] = e - 1;
    n++;
    pos = e;
  }
  return n;
}

/** Sets pixels [x0, x1) of row y to `value`. */
export function fillRun(img: BitImage, y: number, x0: number, x1: number, value: 0 | 1): void {
  if (x1 <= x0) return;
  const { stride, bits } = img;
  const r = (y + 1) * stride + 1;
  const b0 = x0 + 1;
  const b1 = x1 + 1; // exclusive
  for (let k = b0 >>> 5; k <= (b1 - 1) >>> 5; k++) {
    const lo = k === b0 >>> 5 ? b0 & 31 : 0;
    const hi = k === (b1 - 1) >>> 5 ? ((b1 - 1) & 31) + 1 : 32;
    const m = (hi === 32 ? -1 : (1 << hi) - 1) & (-1 << lo);
    if (value) bits[r + k]! |= m;
    else bits[r + k]! &= ~m;
  }
}
