/**
 * Thinning of a binary ridge image to one-pixel, 8-connected ridges.
 *
 * Guo & Hall 1989 ("Parallel thinning with two-subiteration algorithms", Comm. ACM 32(3) 359-373,
 * algorithm A1) with both subiterations as 256-entry lookup tables over the neighbourhood code, run on
 * a shrinking list of foreground pixels. A final sequential pass removes the pixels that are still
 * redundant (C(P) = 1 with two or more neighbours: staircase corners, one-pixel bumps), so that every
 * skeleton pixel that is not a ridge ending, bifurcation or crossing has crossing number 2 and exactly
 * the neighbours a crossing-number detector expects.
 */
import { FingerliftError } from '../errors.js';
import { CONNECTIVITY, NEIGHBOURS, type BinaryImage } from './skeleton.js';

/** Guo & Hall's deletion tables, one per subiteration, indexed by neighbourhood code. */
const DELETE: [Uint8Array, Uint8Array] = (() => {
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
 * @throws FingerliftError E_INVALID_ARGUMENT if `data.length !== width * height`.
 */
export function thin(binary: BinaryImage, options: ThinOptions = {}): BinaryImage {
  const { maxIterations } = { ...THIN_DEFAULTS, ...options };
  const { width: w, height: h } = binary;
  if (binary.data.length !== w * h)
    throw new FingerliftError('E_INVALID_ARGUMENT', `thin: binary image data has ${binary.data.length} values, expected ${w}x${h}`);
  // Work on a copy padded with one background pixel on every side: no bounds checks in the loops.
  const W = w + 2;
  const d = new Uint8Array(W * (h + 2));
  let n = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (binary.data[y * w + x]) {
        d[(y + 1) * W + x + 1] = 1;
        n++;
      }
  let list = new Int32Array(n);
  n = 0;
  for (let i = 0; i < d.length; i++) if (d[i]) list[n++] = i;
  const marked = new Int32Array(n);

  for (let iter = 0; iter < maxIterations; iter++) {
    let changed = false;
    for (let sub = 0; sub < 2; sub++) {
      const table = DELETE[sub as 0 | 1];
      let m = 0;
      for (let j = 0; j < n; j++) {
        const i = list[j]!;
        if (table[paddedCode(d, i, W)]) marked[m++] = i;
      }
      for (let j = 0; j < m; j++) d[marked[j]!] = 0;
      if (m > 0) changed = true;
      let k = 0;
      for (let j = 0; j < n; j++) if (d[list[j]!]) list[k++] = list[j]!;
      n = k;
    }
    if (!changed) break;
  }
  list = list.subarray(0, n);
  removeRedundantPixels(d, W, list);
  const data = new Uint8Array(w * h);
  for (let j = 0; j < list.length; j++) {
    const i = list[j]!;
    if (!d[i]) continue;
    const y = ((i / W) | 0) - 1;
    data[y * w + (i % W) - 1] = 1;
  }
  return { width: w, height: h, data };
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
