/**
 * Binary images and one-pixel skeletons: the 3x3 neighbourhood code, lookup tables built from it
 * (Rutovitz crossing number, Guo & Hall's connectivity number), and ridge tracing along a skeleton.
 *
 * Neighbourhood code: bit k (k = 0..7) is the neighbour P(k+2) in the usual thinning notation,
 * clockwise from north: P2 = N, P3 = NE, P4 = E, P5 = SE, P6 = S, P7 = SW, P8 = W, P9 = NW.
 * Pixels outside the image count as background.
 */

/** Binary image: height x width, row-major, 1 = ridge (foreground), 0 = valley or background. */
export interface BinaryImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** x offsets of P2..P9 (N, NE, E, SE, S, SW, W, NW). */
export const NX = [0, 1, 1, 1, 0, -1, -1, -1] as const;
/** y offsets of P2..P9 (image y grows downwards, so N is -1). */
export const NY = [-1, -1, 0, 1, 1, 1, 0, -1] as const;

/** The 8-bit neighbourhood code of pixel (x, y). */
export function neighbourCode(img: BinaryImage, x: number, y: number): number {
  const { width: w, height: h, data } = img;
  let code = 0;
  for (let k = 0; k < 8; k++) {
    const xx = x + NX[k]!;
    const yy = y + NY[k]!;
    if (xx >= 0 && yy >= 0 && xx < w && yy < h && data[yy * w + xx]) code |= 1 << k;
  }
  return code;
}

function bit(code: number, k: number): number {
  return (code >> (k & 7)) & 1;
}

/**
 * Rutovitz crossing number per code: half the number of 0/1 transitions around the 8-neighbourhood
 * (Rutovitz 1966; Arcelli & Sanniti di Baja 1985). 1 = ridge ending, 2 = ridge continues, 3 = bifurcation,
 * 4 = crossing.
 */
export const CROSSING_NUMBER: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    let s = 0;
    for (let k = 0; k < 8; k++) s += Math.abs(bit(c, k) - bit(c, k + 1));
    t[c] = s >> 1;
  }
  return t;
})();

/**
 * Guo & Hall's C(P) per code: the number of 8-connected foreground components among the neighbours
 * (Guo & Hall 1989, Comm. ACM 32(3), p. 359). A pixel with C = 1 and at least two neighbours can be
 * removed without changing connectivity.
 */
export const CONNECTIVITY: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    const p = (k: number): number => bit(c, k - 2);
    t[c] =
      (+!p(2) & (p(3) | p(4))) + (+!p(4) & (p(5) | p(6))) + (+!p(6) & (p(7) | p(8))) + (+!p(8) & (p(9) | p(2)));
  }
  return t;
})();

/** Number of set neighbours per code. */
export const NEIGHBOURS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) for (let k = 0; k < 8; k++) t[c]! += bit(c, k);
  return t;
})();

/** Where a trace along the skeleton stopped. */
export type TraceStop = 'ending' | 'junction' | 'limit';

export interface Trace {
  /** Pixel x of each step after the start (the start itself is not included). */
  xs: number[];
  ys: number[];
  stop: TraceStop;
}

/**
 * Walks a skeleton from (x0, y0) through its neighbour (x1, y1), one pixel per step, for at most
 * `maxSteps` steps. Stops at a ridge ending (crossing number 1, or a dead end), at a junction
 * (crossing number >= 3), or at the step limit. `blocked` pixel indices are never entered (used to keep
 * a trace from a bifurcation out of its sibling branches).
 */
export function traceRidge(
  skel: BinaryImage,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  maxSteps: number,
  blocked: readonly number[] = [],
): Trace {
  const { width: w, height: h, data } = skel;
  const xs: number[] = [x1];
  const ys: number[] = [y1];
  // Visited pixel indices: a trace is a few tens of pixels, so a linear scan of a small typed array
  // beats a hash set.
  const cap = blocked.length + 2 + Math.max(0, Math.ceil(maxSteps));
  const visited = cap <= VISITED.length ? VISITED : new Int32Array(cap);
  let nv = 0;
  visited[nv++] = y0 * w + x0;
  visited[nv++] = y1 * w + x1;
  for (const b of blocked) visited[nv++] = b;
  let x = x1;
  let y = y1;
  for (let step = 1; step < maxSteps; step++) {
    const cn = CROSSING_NUMBER[codeAt(data, w, h, x, y)]!;
    if (cn === 1) return { xs, ys, stop: 'ending' };
    if (cn >= 3) return { xs, ys, stop: 'junction' };
    let best = -1;
    let bestRank = 99;
    for (let k = 0; k < 8; k++) {
      const xx = x + NX[k]!;
      const yy = y + NY[k]!;
      if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
      const i = yy * w + xx;
      if (!data[i]) continue;
      let seen = false;
      for (let v = 0; v < nv && !seen; v++) seen = visited[v] === i;
      if (seen) continue;
      // Prefer a junction pixel (stop on the fork itself), then 4-neighbours, then diagonals.
      const rank = CROSSING_NUMBER[codeAt(data, w, h, xx, yy)]! >= 3 ? 0 : k % 2 === 0 ? 1 : 2;
      if (rank < bestRank) {
        bestRank = rank;
        best = k;
      }
    }
    if (best < 0) return { xs, ys, stop: 'ending' };
    x += NX[best]!;
    y += NY[best]!;
    visited[nv++] = y * w + x;
    xs.push(x);
    ys.push(y);
  }
  const cn = CROSSING_NUMBER[codeAt(data, w, h, x, y)]!;
  return { xs, ys, stop: cn === 1 ? 'ending' : cn >= 3 ? 'junction' : 'limit' };
}

/** Scratch for traceRidge's visited list (traces are short; longer ones get their own array). */
const VISITED = new Int32Array(256);

/** `neighbourCode` on raw data: direct loads away from the image edge, bounds-checked next to it. */
function codeAt(data: Uint8Array, w: number, h: number, x: number, y: number): number {
  if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1) return neighbourCode({ width: w, height: h, data }, x, y);
  const i = y * w + x;
  // (-v >>> 31) is 1 for any non-zero byte v: the same truth test as neighbourCode, without branches.
  return (
    (-data[i - w]! >>> 31) |
    ((-data[i - w + 1]! >>> 31) << 1) |
    ((-data[i + 1]! >>> 31) << 2) |
    ((-data[i + w + 1]! >>> 31) << 3) |
    ((-data[i + w]! >>> 31) << 4) |
    ((-data[i + w - 1]! >>> 31) << 5) |
    ((-data[i - 1]! >>> 31) << 6) |
    ((-data[i - w - 1]! >>> 31) << 7)
  );
}

/**
 * The first pixel of each branch leaving (x, y): one neighbour per 8-connected group of neighbours
 * (a 4-neighbour when the group has one). An ending has one branch, a bifurcation three.
 */
export function branchStarts(skel: BinaryImage, x: number, y: number): Array<[number, number]> {
  const code = neighbourCode(skel, x, y);
  const out: Array<[number, number]> = [];
  if (code === 0) return out;
  // Start the circular scan just after a background neighbour so that groups are not split.
  let start = 0;
  while (start < 8 && bit(code, start)) start++;
  if (start === 8) return out; // fully surrounded: not a skeleton point
  let groupBest = -1;
  for (let j = 1; j <= 8; j++) {
    const k = (start + j) % 8;
    if (bit(code, k)) {
      if (groupBest < 0 || (groupBest % 2 === 1 && k % 2 === 0)) groupBest = k;
    } else if (groupBest >= 0) {
      out.push([x + NX[groupBest]!, y + NY[groupBest]!]);
      groupBest = -1;
    }
  }
  if (groupBest >= 0) out.push([x + NX[groupBest]!, y + NY[groupBest]!]);
  return out;
}
