/**
 * Thinning of a binary ridge image to one-pixel, 8-connected ridges.
 *
 * Guo & Hall 1989 ("Parallel thinning with two-subiteration algorithms", Comm. ACM 32(3) 359-373,
 * algorithm A1). The deletion rule of each subiteration is defined by a 256-entry table over the
 * neighbourhood code (`GUO_HALL_DELETE`) and evaluated bit-parallel, 32 pixels per machine word, as the
 * same rule written in Boolean operations on the eight shifted neighbour words (bit-sliced evaluation
 * of a 3x3 neighbourhood operator). A final sequential pass removes the pixels that are still
 * redundant (C(P) = 1 with two or more neighbours: staircase corners, one-pixel bumps), so that every
 * skeleton pixel that is not a ridge ending, bifurcation or crossing has crossing number 2 and exactly
 * the neighbours a crossing-number detector expects.
 */
import { FingerliftError } from '../errors.js';
import { packBits, type BitImage } from './bits.js';
import { CONNECTIVITY, NEIGHBOURS, type BinaryImage } from './skeleton.js';
import { checkBytesImage, checkOptionsArg } from './args.js';

/**
 * Guo & Hall's deletion tables, one per subiteration, indexed by neighbourhood code: the definition of
 * the rule (the bit-parallel evaluation in `thinBits` computes the same function; the tests check it
 * against these tables).
 */
export const GUO_HALL_DELETE: [Uint8Array, Uint8Array] = (() => {
  const tables: [Uint8Array, Uint8Array] = [new Uint8Array(256), new Uint8Array(256)];
  for (let c = 0; c < 256; c++) {
    const p = (k: number): number => (c >> (k - 2)) & 1;
    const n1 = (p(9) | p(2)) + (p(3) | p(4)) + (p(5) | p(6)) + (p(7) | p(8));
    const n2 = (p(2) | p(3)) + (p(4) | p(5)) + (p(6) | p(7)) + (p(8) | p(9));
    const n = Math.min(n1, n2);
    const ok = CONNECTIVITY[c] === 1 && n >= 2 && n <= 3;
    const m0 = (p(6) | p(7) | +!p(9)) & p(8);
    const m1 = (p(2) | p(3) | +!p(5)) & p(4);
    tables[0][c] = ok && m0 === 0 ? 1 : 0;
    tables[1][c] = ok && m1 === 0 ? 1 : 0;
  }
  return tables;
})();

export interface ThinOptions {
  /** Safety limit on Guo-Hall iterations (each is two subiterations); ridges 2r px wide need about r. */
  maxIterations?: number;
}

/** Defaults: 100 iterations thins ridges up to about 200 px wide, far beyond any 500 ppi ridge. */
export const THIN_DEFAULTS: Required<ThinOptions> = { maxIterations: 100 };

/**
 * Thins `binary` (1 = ridge) to one-pixel-wide, 8-connected ridges, preserving connectivity and the
 * number of holes. Returns a new image of the same size (height x width); the input is not changed.
 * Deterministic (pixel order is raster order).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not a binary image (Uint8Array data of
 *   width x height values) or options that are not an object.
 */
export function thin(binary: BinaryImage, options: ThinOptions = {}): BinaryImage {
  checkBytesImage('thin', 'binary', binary);
  checkOptionsArg('thin', options);
  const { width: w, height: h } = binary;
  if (binary.data.length !== w * h)
    throw new FingerliftError('E_INVALID_ARGUMENT', `thin: binary image data has ${binary.data.length} values, expected ${w}x${h}`);
  const { padded, list } = thinPadded(binary, options);
  const W = w + 2;
  const data = new Uint8Array(w * h);
  for (let j = 0; j < list.length; j++) {
    const i = list[j]!;
    data[(((i / W) | 0) - 1) * w + (i % W) - 1] = padded[i]!;
  }
  return { width: w, height: h, data };
}

/** A skeleton in a buffer padded with one background pixel on every side (row length width + 2). */
export interface PaddedSkeleton {
  /** (height + 2) x (width + 2), 1 = skeleton. */
  padded: Uint8Array;
  /** Padded indices of the skeleton pixels, raster order. */
  list: Int32Array;
}

/**
 * `thin` without the final copy: the skeleton in a padded buffer and the list of its pixels, for callers
 * that scan the skeleton next (the crossing number). The input's size is not checked.
 *
 * Bit-parallel: each row is packed into 32-bit words (pixel x at bit x + 1, a zero word on both sides,
 * a zero row above and below); a subiteration computes the deletion words of every row from the row
 * words above, at and below it, then clears them. Rows whose 3-row neighbourhood did not change since
 * the last subiteration with the same table are skipped (they would give the same, empty, answer).
 */
export function thinPadded(binary: BinaryImage, options: ThinOptions = {}): PaddedSkeleton {
  return thinBits(packBits(binary), options);
}

/** `thinPadded` of a bit-packed image; the image is thinned in place. */
export function thinBits(img: BitImage, options: ThinOptions = {}): PaddedSkeleton {
  const { maxIterations } = { ...THIN_DEFAULTS, ...options };
  const { width: w, height: h, words: nw, stride: S, bits } = img;
  const del = new Int32Array(S * (h + 2));
  // Subiteration index at which each row last lost pixels (-3: never); a row is evaluated when it or a
  // vertical neighbour changed within the last two subiterations (or in the first two subiterations).
  const lastChange = new Int32Array(h + 2).fill(-3);
  let t = 0;
  for (let iter = 0; iter < maxIterations; iter++) {
    let changed = false;
    for (let sub = 0; sub < 2; sub++, t++) {
      let any = false;
      for (let y = 1; y <= h; y++) {
        const rowDel = y * S;
        if (t >= 2 && lastChange[y - 1]! < t - 2 && lastChange[y]! < t - 2 && lastChange[y + 1]! < t - 2) {
          del.fill(0, rowDel + 1, rowDel + 1 + nw);
          continue;
        }
        const up = rowDel - S;
        const dn = rowDel + S;
        let rowAny = 0;
        for (let k = 1; k <= nw; k++) {
          const c = bits[rowDel + k]!;
          if (c === 0) {
            del[rowDel + k] = 0;
            continue;
          }
          const u = bits[up + k]!;
          const d = bits[dn + k]!;
          const p2 = u; // N
          const p3 = (u >>> 1) | (bits[up + k + 1]! << 31); // NE
          const p4 = (c >>> 1) | (bits[rowDel + k + 1]! << 31); // E
          const p5 = (d >>> 1) | (bits[dn + k + 1]! << 31); // SE
          const p6 = d; // S
          const p7 = (d << 1) | (bits[dn + k - 1]! >>> 31); // SW
          const p8 = (c << 1) | (bits[rowDel + k - 1]! >>> 31); // W
          const p9 = (u << 1) | (bits[up + k - 1]! >>> 31); // NW
          // C(P) = 1: exactly one of the four terms of Guo & Hall's connectivity number.
          const t1 = ~p2 & (p3 | p4);
          const t2 = ~p4 & (p5 | p6);
          const t3 = ~p6 & (p7 | p8);
          const t4 = ~p8 & (p9 | p2);
          const c1 = (t1 | t2 | t3 | t4) & ~((t1 & t2) | (t3 & t4) | ((t1 | t2) & (t3 | t4)));
          // 2 <= min(N1, N2) <= 3: both counts >= 2 and not both 4.
          const a1 = p9 | p2, b1 = p3 | p4, e1 = p5 | p6, f1 = p7 | p8;
          const a2 = p2 | p3, b2 = p4 | p5, e2 = p6 | p7, f2 = p8 | p9;
          const ge1 = (a1 & b1) | (e1 & f1) | ((a1 | b1) & (e1 | f1));
          const ge2 = (a2 & b2) | (e2 & f2) | ((a2 | b2) & (e2 | f2));
          const n = ge1 & ge2 & ~(a1 & b1 & e1 & f1 & a2 & b2 & e2 & f2);
          const m = sub === 0 ? (p6 | p7 | ~p9) & p8 : (p2 | p3 | ~p5) & p4;
          const x = c & c1 & n & ~m;
          del[rowDel + k] = x;
          rowAny |= x;
        }
        if (rowAny !== 0) any = true;
      }
      if (any) {
        changed = true;
        for (let y = 1; y <= h; y++) {
          const r = y * S;
          let rowAny = 0;
          for (let k = 1; k <= nw; k++) {
            const x = del[r + k]!;
            if (x !== 0) {
              bits[r + k]! &= ~x;
              rowAny = 1;
            }
          }
          if (rowAny) lastChange[y] = t;
        }
      }
    }
    if (!changed) break;
  }
  // Back to one byte per pixel (padded, row length w + 2) and the raster-order list of skeleton pixels
  // (words left to right, bits low to high: raster order).
  const W = w + 2;
  const padded = new Uint8Array(W * (h + 2));
  let count = 0;
  for (let y = 1; y <= h; y++) {
    const r = y * S + 1;
    for (let k = 0; k < nw; k++) count += popcount(bits[r + k]!);
  }
  const list = new Int32Array(count);
  count = 0;
  for (let y = 1; y <= h; y++) {
    const r = y * S + 1;
    for (let k = 0; k < nw; k++) {
      let x = bits[r + k]!;
      while (x !== 0) {
        const i = y * W + (k << 5) + 31 - Math.clz32(x & -x);
        x &= x - 1;
        padded[i] = 1;
        list[count++] = i;
      }
    }
  }
  removeRedundantPixels(padded, W, list);
  let k = 0;
  for (let j = 0; j < count; j++) if (padded[list[j]!]) list[k++] = list[j]!;
  return { padded, list: list.subarray(0, k) };
}

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Neighbourhood code (bit k = P(k+2), clockwise from north) of index `i` in a padded buffer of row length W. */
export function paddedCode(d: Uint8Array, i: number, W: number): number {
  return (
    d[i - W]! |
    (d[i - W + 1]! << 1) |
    (d[i + 1]! << 2) |
    (d[i + W + 1]! << 3) |
    (d[i + W]! << 4) |
    (d[i + W - 1]! << 5) |
    (d[i - 1]! << 6) |
    (d[i - W - 1]! << 7)
  );
}

/**
 * Sequentially deletes skeleton pixels that connect nothing (C(P) = 1 and two or more neighbours):
 * the corners of 4-connected staircases and one-pixel bumps (the tip of a pixel triangle) that Guo-Hall
 * can leave. Each would otherwise give the crossing number a false bifurcation next to a false ending.
 * Deleting one such simple point at a time keeps connectivity; a pixel with one neighbour is never
 * deleted, so a ridge is shortened by at most the one pixel of such a bump at its end.
 */
function removeRedundantPixels(d: Uint8Array, W: number, list: Int32Array): void {
  for (let pass = 0; pass < 4; pass++) {
    let removed = 0;
    for (let j = 0; j < list.length; j++) {
      const i = list[j]!;
      if (!d[i]) continue;
      const code = paddedCode(d, i, W);
      if (CONNECTIVITY[code] === 1 && NEIGHBOURS[code]! >= 2) {
        d[i] = 0;
        removed++;
      }
    }
    if (removed === 0) break;
  }
}
