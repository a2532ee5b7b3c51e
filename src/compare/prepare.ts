/**
 * Per-template precomputation for comparison: rescale to 500 ppi, quality weights, the neighbour edge
 * table (each minutia's "star" of edges to its nearest minutiae, sorted by length), the root edges
 * with their quantised shape keys and packed shapes, star angle masks (which edge pairs of two stars
 * can agree in direction), minutiae sorted by y, and the minutiae hull rasterised for overlap tests. A template
 * acting as probe also gets a tolerant index of its edge shapes (built lazily, once), so that a
 * comparison finds candidate minutia pairs by lookup instead of trying every pair.
 *
 * Edge shape of an edge from minutia i to minutia j (SourceAFIS EdgeShape; Vazan 2009-2023): its length
 * L (pixels), and the directions of i and of j measured from the edge direction φ = atan2(−dy, dx)
 * (radians, [0, 2π)). A rotation and translation of the print leaves the shape unchanged.
 */
import { FingerliftError } from '../errors.js';
import type { Template } from '../minutiae/types.js';
import { COMPARE_DEFAULTS, type CompareParams } from './params.js';

const TWO_PI = 2 * Math.PI;

/** A template ready for fast comparison. Treat as opaque and immutable; build with `prepare`. */
export interface PreparedTemplate {
  readonly kind: 'fingerlift.prepared-template';
  /** Optional identifier (file name, subject), returned by `search`. */
  readonly id?: string;
  /** The template it came from (original coordinates and ppi). */
  readonly source: Template;
  /** Scale applied to the source coordinates (workingPpi / source ppi). */
  readonly scale: number;
  /** Number of minutiae. */
  readonly n: number;
  /**
   * Minutia positions at the working resolution, pixels (origin top-left, y down). Geometry (x, y, dir,
   * weight, edge lengths and angles, root shapes) is stored as Float32, rounded once here: a gallery
   * template half the size streams faster through the caches in 1:N; scores move by rounding only
   * (EER and decision thresholds unchanged on the FVC sets, bench/compare.ts).
   */
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** Minutia directions, radians [0, 2π), counter-clockwise as displayed. */
  readonly dir: Float32Array;
  /** 1 = ridge ending, 2 = bifurcation. */
  readonly type: Uint8Array;
  /** Quality weight, mean 1 over the template. */
  readonly weight: Float32Array;
  /** Neighbour edge table, CSR: edges of minutia i are nbStart[i] .. nbStart[i+1]-1, by length. */
  readonly nbStart: Int32Array;
  /** Start minutia of each edge. */
  readonly nbFrom: Int32Array;
  readonly nbTo: Int32Array;
  readonly nbLen: Float32Array;
  /** Direction of the edge's start minutia relative to the edge, radians [0, 2π). */
  readonly nbA: Float32Array;
  /** Direction of the edge's end minutia relative to the edge, radians [0, 2π). */
  readonly nbB: Float32Array;
  /**
   * The neighbour edge table interleaved, one 16-byte record per edge e (what pairing two stars reads):
   * star[4e] = nbLen[e], star[4e + 1] = nbA[e], star[4e + 2] = nbB[e], star[4e + 3] = nbTo[e] (an exact
   * integer). A star of 9 edges is 144 contiguous bytes instead of pieces of four arrays.
   */
  readonly star: Float32Array;
  /** Undirected root edges (indices into the nb arrays), each unordered neighbour pair once. */
  readonly rootEdges: Int32Array;
  /** Quantised shape key of each root edge (exact bin), looked up in the other template's ProbeIndex. */
  readonly rootKey: Int32Array;
  /** Per root edge r, in root order: length, nbA, nbB at rootShape[3r .. 3r + 2]; start and end minutia at rootEnds[2r], rootEnds[2r + 1]. */
  readonly rootShape: Float32Array;
  readonly rootEnds: Int32Array;
  /**
   * Star angle masks (empty when stars have more than 16 edges), per minutia i a block of 2 x STAR_BINS
   * masks at i * 2 * STAR_BINS: bit r of block[k] is set when the direction nbA of edge r of i's star,
   * ± maxAngleError, touches angle bin k (bins 2π / STAR_BINS wide); block[STAR_BINS + k] likewise for
   * nbB. Pairing two stars then tests exactly only the edge pairs whose angles may agree (the probe
   * star's masks at the exact bins binA/binB of the reference star's edges), instead of every pair in
   * the length window. Read on the probe side only (in cache for a whole search), so it is stored
   * after the arrays a reference's comparison reads.
   */
  readonly starMask: Uint16Array;
  /** Minutiae sorted by y (ties by index), and their y: a y-window finds the minutiae near a point. */
  readonly byY: Int32Array;
  readonly ySorted: Float32Array;
  /** Exact angle bin of each edge's nbA and nbB (floor(angle / (2π / STAR_BINS))). */
  readonly binA: Uint8Array;
  readonly binB: Uint8Array;
  /** Convex hull of the minutiae, counter-clockwise as displayed, interleaved x, y (working resolution). */
  readonly hull: Float64Array;
  /**
   * The hull plus `overlapMargin`, rasterised and bit-packed: bit (i & 7) of area[i >> 3], i = r * areaCols + c,
   * is set when the cell centred at (areaX0 + (c + 0.5) * AREA_CELL, areaY0 + (r + 0.5) * AREA_CELL) lies
   * in it (one bit per cell: the raster of a whole print is a few cache lines).
   */
  readonly area: Uint8Array;
  readonly areaCols: number;
  readonly areaRows: number;
  readonly areaX0: number;
  readonly areaY0: number;
  /** The parameters the template was prepared with (the probe's govern a comparison; prepare both alike). */
  readonly params: Readonly<CompareParams>;
}

export interface PrepareOptions {
  id?: string;
  params?: Partial<CompareParams>;
}

/**
 * Edge-shape hash bins per tolerance: a bin is maxDistanceError / LENGTH_SUBDIVISION long and at least
 * maxAngleError / ANGLE_SUBDIVISION wide in each direction. Finer bins file each probe edge in more
 * bins but leave fewer non-matching edges to test per lookup: about 30 % of the candidates match with
 * bins as wide as the tolerances (3 bins per dimension), 12 % with bins twice as wide. Halving the
 * angle bins (about 5 x 5 angle bins per filed edge) tested about 200 candidates instead of 300 per
 * comparison on the FVC .iso gallery, and root voting took about 15 % less time (1:N on the FVC .iso
 * gallery, measured A/B in one process); halving the length bins as well gained less than it cost in
 * index size. Candidates are tested exactly, so the bins change speed only.
 */
export const LENGTH_SUBDIVISION = 1;
export const ANGLE_SUBDIVISION = 2;

/**
 * Quantisation of edge shapes for root lookup (bins `LENGTH_SUBDIVISION` and `ANGLE_SUBDIVISION` per
 * tolerance). Edges longer than `maxRootEdge` are not used as roots.
 */
export function hashGeometry(p: Readonly<CompareParams>): { lenBin: number; lenBins: number; angBins: number; angBin: number } {
  const angBins = Math.max(1, Math.floor((ANGLE_SUBDIVISION * TWO_PI) / p.maxAngleError));
  const lenBin = p.maxDistanceError / LENGTH_SUBDIVISION;
  return { lenBin, lenBins: Math.ceil(p.maxRootEdge / lenBin) + 1, angBins, angBin: TWO_PI / angBins };
}

export function hashKey(lb: number, ab: number, bb: number, angBins: number): number {
  return (lb * angBins + ab) * angBins + bb;
}

export function wrap2pi(a: number): number {
  const r = a % TWO_PI;
  return r < 0 ? r + TWO_PI : r;
}

/**
 * Tolerant index of a template's directed edges (both directions of every root edge, each filed in
 * every bin that its shape ± tolerance touches), so that one exact-bin lookup per root edge of the
 * other template finds every edge of matching shape (a superset, tested exactly afterwards). Built
 * lazily, once, when a template first acts as probe (gallery templates never pay for it).
 */
export interface ProbeIndex {
  /**
   * CSR over keys: items of key k are start[k] .. start[k+1]-1. 16-bit when the index holds fewer
   * than 65,536 items (nearly always), else 32-bit.
   */
  start: Uint16Array | Int32Array;
  /**
   * Per item: the directed edge q filed there (an edge is filed in every bin its shape ± tolerance
   * touches). 16-bit when there are fewer than 65,536 directed edges, else 32-bit.
   */
  item: Uint16Array | Int32Array;
  /** Per directed edge q: length shape[3q], directions shape[3q + 1], shape[3q + 2]. */
  shape: Float32Array;
  /** Per directed edge q: start and end minutia, ends[2q] and ends[2q + 1]. */
  ends: Int32Array;
}

const probeIndexCache = new WeakMap<PreparedTemplate, ProbeIndex>();

/** Margin added to each tolerance when filing, so rounding at a bin edge never loses a match. */
const FILE_EPS = 1e-7;

/** The template's ProbeIndex (built on first use, then cached per template). */
export function probeIndex(t: PreparedTemplate): ProbeIndex {
  const hit = probeIndexCache.get(t);
  if (hit) return hit;
  const prm = t.params;
  const dTol = prm.maxDistanceError + FILE_EPS, aTol = prm.maxAngleError + FILE_EPS;
  const { lenBin, lenBins, angBins, angBin } = hashGeometry(prm);
  const nKeys = lenBins * angBins * angBins;
  const R = t.rootEdges.length;
  // Directed item q: root edge rootEdges[q >> 1], as stored (i -> j) when q is even, reversed if odd.
  const iLen = new Float32Array(2 * R), iA = new Float32Array(2 * R), iB = new Float32Array(2 * R);
  const iFrom = new Int32Array(2 * R), iTo = new Int32Array(2 * R);
  for (let r = 0; r < R; r++) {
    const e = t.rootEdges[r]!;
    for (let rev = 0; rev < 2; rev++) {
      const q = 2 * r + rev;
      iLen[q] = t.nbLen[e]!;
      iA[q] = rev ? wrap2pi(t.nbB[e]! - Math.PI) : t.nbA[e]!;
      iB[q] = rev ? wrap2pi(t.nbA[e]! - Math.PI) : t.nbB[e]!;
      iFrom[q] = rev ? t.nbTo[e]! : t.nbFrom[e]!;
      iTo[q] = rev ? t.nbFrom[e]! : t.nbTo[e]!;
    }
  }
  // Bin ranges of each item: every bin its shape ± tolerance touches (ranges never wrap onto themselves:
  // 2 x tolerance spans at most 2 x ANGLE_SUBDIVISION + 1 of the >= 4 x ANGLE_SUBDIVISION angle bins).
  // Per item: first bin and bin count along length, a and b (angle bins taken modulo angBins).
  const rng = new Int32Array(6 * 2 * R);
  for (let q = 0; q < 2 * R; q++) {
    const L = iLen[q]!, a = iA[q]!, b = iB[q]!;
    const l0 = Math.max(0, Math.floor((L - dTol) / lenBin)), l1 = Math.min(lenBins - 1, Math.floor((L + dTol) / lenBin));
    const a0 = Math.floor((a - aTol) / angBin), a1 = Math.floor((a + aTol) / angBin);
    const b0 = Math.floor((b - aTol) / angBin), b1 = Math.floor((b + aTol) / angBin);
    rng[6 * q] = l0; rng[6 * q + 1] = l1 - l0 + 1;
    rng[6 * q + 2] = ((a0 % angBins) + angBins) % angBins; rng[6 * q + 3] = a1 - a0 + 1;
    rng[6 * q + 4] = ((b0 % angBins) + angBins) % angBins; rng[6 * q + 5] = b1 - b0 + 1;
  }
  // 16-bit offsets and edge ids when they fit (nearly always): half the cache footprint of the lookups.
  let filings = 0;
  for (let q = 0; q < 2 * R; q++) filings += rng[6 * q + 1]! * rng[6 * q + 3]! * rng[6 * q + 5]!;
  const start = filings < 65536 ? new Uint16Array(nKeys + 1) : new Int32Array(nKeys + 1);
  const item = 2 * R < 65536 ? new Uint16Array(filings) : new Int32Array(filings);
  // Two passes over every (item, bin): count per key (into start[key]), then, with start[key] turned
  // into the end of the key's items, fill each key from its end down (order within a key is immaterial).
  for (let pass = 0; pass < 2; pass++) {
    for (let q = 0; q < 2 * R; q++) {
      const l0 = rng[6 * q]!, nl = rng[6 * q + 1]!, a0 = rng[6 * q + 2]!, na = rng[6 * q + 3]!, b0 = rng[6 * q + 4]!, nb = rng[6 * q + 5]!;
      for (let il = 0; il < nl; il++)
        for (let ia = 0, ab = a0; ia < na; ia++, ab = ab + 1 === angBins ? 0 : ab + 1)
          for (let ib = 0, bb = b0; ib < nb; ib++, bb = bb + 1 === angBins ? 0 : bb + 1) {
            const key = hashKey(l0 + il, ab, bb, angBins);
            if (pass === 0) start[key]!++;
            else {
              item[--start[key]!] = q;
            }
          }
    }
    if (pass === 0) {
      let acc = 0;
      for (let k = 0; k < nKeys; k++) { acc += start[k]!; start[k] = acc; }
      start[nKeys] = acc;
    }
  }
  // Compact: the index holds edge ids only (2 bytes per filing), the shapes and ends once per edge, so
  // the lookups of a whole search stay in the fastest caches.
  const shape = new Float32Array(6 * R), ends = new Int32Array(4 * R);
  for (let q = 0; q < 2 * R; q++) {
    shape[3 * q] = iLen[q]!; shape[3 * q + 1] = iA[q]!; shape[3 * q + 2] = iB[q]!;
    ends[2 * q] = iFrom[q]!; ends[2 * q + 1] = iTo[q]!;
  }
  const idx: ProbeIndex = { start, item, shape, ends };
  probeIndexCache.set(t, idx);
  return idx;
}

/** Angle bins of the star masks (a power of two <= 256; 32 bins of 11.25 deg against a 12 deg tolerance). */
export const STAR_BINS = 32;

/** Star masks and edge bins (see PreparedTemplate.starMask). */
function starMasks(n: number, k: number, nbA: Float32Array, nbB: Float32Array, aTol: number): { starMask: Uint16Array; binA: Uint8Array; binB: Uint8Array } {
  const E = n * k;
  const binA = new Uint8Array(E), binB = new Uint8Array(E);
  const w = TWO_PI / STAR_BINS, tol = aTol + FILE_EPS;
  for (let e = 0; e < E; e++) { binA[e] = Math.floor(nbA[e]! / w) % STAR_BINS; binB[e] = Math.floor(nbB[e]! / w) % STAR_BINS; }
  if (k > 16) return { starMask: new Uint16Array(0), binA, binB };
  const starMask = new Uint16Array(n * 2 * STAR_BINS);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < k; r++) {
      const e = i * k + r;
      for (let side = 0; side < 2; side++) {
        const ang = side === 0 ? nbA[e]! : nbB[e]!, base = (2 * i + side) * STAR_BINS;
        const b0 = Math.floor((ang - tol) / w), b1 = Math.floor((ang + tol) / w);
        for (let b = b0; b <= b1; b++) starMask[base + (b & (STAR_BINS - 1))]! |= 1 << r;
      }
    }
  return { starMask, binA, binB };
}

/**
 * Convex hull (Andrew's monotone chain, 1979) of points, returned as interleaved x, y, counter-clockwise
 * as displayed (clockwise in pixel coordinates with y down).
 */
export function convexHull(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const n = x.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || y[b]! - y[a]! || a - b);
  if (n < 3) return Float64Array.from(idx.flatMap((i) => [x[i]!, y[i]!]));
  // cross of (a - o) x (b - o) in y-up coordinates
  const cross = (o: number, a: number, b: number): number => (x[a]! - x[o]!) * (y[o]! - y[b]!) - (y[o]! - y[a]!) * (x[b]! - x[o]!);
  const h: number[] = [];
  for (const i of idx) { while (h.length >= 2 && cross(h[h.length - 2]!, h[h.length - 1]!, i) <= 0) h.pop(); h.push(i); }
  const lower = h.length + 1;
  for (let k = n - 2; k >= 0; k--) { const i = idx[k]!; while (h.length >= lower && cross(h[h.length - 2]!, h[h.length - 1]!, i) <= 0) h.pop(); h.push(i); }
  h.pop();
  return Float64Array.from(h.flatMap((i) => [x[i]!, y[i]!]));
}

/**
 * True when (px, py) lies inside the convex hull or within `margin` pixels outside each of its edges
 * (hull counter-clockwise as displayed, as `convexHull` returns it).
 */
export function inHull(hull: Float64Array, px: number, py: number, margin: number): boolean {
  const m = hull.length >> 1;
  if (m < 3) return false;
  for (let k = 0; k < m; k++) {
    const ax = hull[2 * k]!, ay = hull[2 * k + 1]!;
    const k2 = k + 1 === m ? 0 : k + 1;
    const bx = hull[2 * k2]!, by = hull[2 * k2 + 1]!;
    // y-up cross of edge (a->b) with (a->p): >= 0 means left of the edge (inside for CCW)
    const ex = bx - ax, ey = ay - by, qx = px - ax, qy = ay - py;
    const c = ex * qy - ey * qx;
    if (c < -margin * Math.hypot(ex, ey)) return false;
  }
  return true;
}

/** Cell side of the rasterised common-area test, pixels at 500 ppi (well under a ridge period x 2). */
export const AREA_CELL = 8;

function rasteriseArea(hull: Float64Array, margin: number): { area: Uint8Array; cols: number; rows: number; x0: number; y0: number } {
  const m = hull.length >> 1;
  if (m < 3) return { area: new Uint8Array(0), cols: 0, rows: 0, x0: 0, y0: 0 };
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let k = 0; k < m; k++) {
    minX = Math.min(minX, hull[2 * k]!); maxX = Math.max(maxX, hull[2 * k]!);
    minY = Math.min(minY, hull[2 * k + 1]!); maxY = Math.max(maxY, hull[2 * k + 1]!);
  }
  const x0 = minX - margin, y0 = minY - margin;
  const cols = Math.ceil((maxX - minX + 2 * margin) / AREA_CELL) + 1, rows = Math.ceil((maxY - minY + 2 * margin) / AREA_CELL) + 1;
  const area = new Uint8Array((cols * rows + 7) >> 3);
  // inHull per cell centre, with each edge's margin term -margin * |edge| computed once.
  const lim = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const k2 = k + 1 === m ? 0 : k + 1;
    lim[k] = -margin * Math.hypot(hull[2 * k2]! - hull[2 * k]!, hull[2 * k + 1]! - hull[2 * k2 + 1]!);
  }
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const px = x0 + (c + 0.5) * AREA_CELL, py = y0 + (r + 0.5) * AREA_CELL;
      let inside = 1;
      for (let k = 0; k < m; k++) {
        const ax = hull[2 * k]!, ay = hull[2 * k + 1]!;
        const k2 = k + 1 === m ? 0 : k + 1;
        const ex = hull[2 * k2]! - ax, ey = ay - hull[2 * k2 + 1]!, qx = px - ax, qy = ay - py;
        if (ex * qy - ey * qx < lim[k]!) { inside = 0; break; }
      }
      const i = r * cols + c;
      area[i >> 3]! |= inside << (i & 7);
    }
  return { area, cols, rows, x0, y0 };
}

/** True when (px, py), pixels at 500 ppi, lies in the template's rasterised common area. */
export function inArea(t: PreparedTemplate, px: number, py: number): boolean {
  const c = Math.floor((px - t.areaX0) / AREA_CELL), r = Math.floor((py - t.areaY0) / AREA_CELL);
  const i = r * t.areaCols + c;
  return c >= 0 && r >= 0 && c < t.areaCols && r < t.areaRows && ((t.area[i >> 3]! >> (i & 7)) & 1) === 1;
}

/** True for a PreparedTemplate (as opposed to a plain Template). */
export function isPrepared(t: unknown): t is PreparedTemplate {
  return typeof t === 'object' && t !== null && (t as { kind?: unknown }).kind === 'fingerlift.prepared-template';
}

/**
 * Most minutiae a compared template may hold. A rolled print holds about 250 (ISO/IEC 19794-2 records at
 * most 255 per view); preparing costs O(n² log n), so a 200,000-minutia file took two minutes to compare.
 */
export const MAX_COMPARED_MINUTIAE = 1000;

/**
 * Check that a template can be compared (as `prepare` does before its work), naming `name` in the error.
 * @throws FingerliftError E_TEMPLATE_FORMAT for something that is not a Template, a ppi that is not a
 *   positive number, more than MAX_COMPARED_MINUTIAE minutiae, a minutia with a non-finite x, y or angle,
 *   an unknown type or a quality outside [0, 1].
 */
export function checkTemplate(t: Template, name: string): void {
  const bad = (msg: string): never => { throw new FingerliftError('E_TEMPLATE_FORMAT', `template ${name}: ${msg}`, { input: name }); };
  if (typeof t !== 'object' || t === null || !Array.isArray(t.minutiae)) bad('not a Template (needs a minutiae array)');
  if (!(t.ppi > 0) || !Number.isFinite(t.ppi)) bad(`ppi must be a positive number, got ${t.ppi}`);
  if (t.minutiae.length > MAX_COMPARED_MINUTIAE) bad(`${t.minutiae.length} minutiae, more than ${MAX_COMPARED_MINUTIAE}: a fingerprint holds up to about 250 (prune by quality first)`);
  t.minutiae.forEach((m, i) => {
    if (!Number.isFinite(m.x) || !Number.isFinite(m.y) || !Number.isFinite(m.angle)) bad(`minutia ${i} has a non-finite x, y or angle`);
    if (m.type !== 'ending' && m.type !== 'bifurcation') bad(`minutia ${i} has type ${String(m.type)}`);
    if (!(m.quality >= 0 && m.quality <= 1)) bad(`minutia ${i} has quality ${m.quality} outside [0, 1]`);
  });
}

/**
 * Precompute everything a comparison needs from one template. Cost O(n² log n) for n minutiae;
 * a template with 0 or 1 minutiae is accepted and matches nothing.
 * @param template minutiae in pixels at `template.ppi`; rescaled to 500 ppi here.
 * @throws FingerliftError E_TEMPLATE_FORMAT for a non-positive ppi, more than MAX_COMPARED_MINUTIAE
 *   minutiae, non-finite coordinates or angles, an unknown minutia type or a quality outside [0, 1];
 *   E_INVALID_ARGUMENT for bad params.
 */
export function prepare(template: Template, options: PrepareOptions = {}): PreparedTemplate {
  const name = options.id ?? 'probe';
  checkTemplate(template, name);
  const p: Readonly<CompareParams> = options.params ? Object.freeze({ ...COMPARE_DEFAULTS, ...options.params }) : COMPARE_DEFAULTS;
  if (!(p.neighbours >= 1) || !(p.maxDistanceError > 0) || !(p.maxAngleError > 0) || !(p.maxAngleError <= Math.PI / 2) || !(p.maxRoots >= 1))
    throw new FingerliftError('E_INVALID_ARGUMENT', `prepare ${name}: compare params out of range (${JSON.stringify(p)})`);

  const ms = template.minutiae;
  const n = ms.length;
  const scale = p.workingPpi / template.ppi;
  const x = new Float32Array(n), y = new Float32Array(n), dir = new Float32Array(n), weight = new Float32Array(n);
  const type = new Uint8Array(n);
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const m = ms[i]!;
    x[i] = m.x * scale; y[i] = m.y * scale; dir[i] = wrap2pi(m.angle);
    type[i] = m.type === 'ending' ? 1 : 2;
    weight[i] = p.qualityFloor + m.quality; wsum += weight[i]!;
  }
  for (let i = 0; i < n; i++) weight[i] = (weight[i]! * n) / wsum;

  // Neighbour edge table: the k nearest minutiae of each minutia (ties by index), sorted by length.
  const k = Math.min(p.neighbours, Math.max(0, n - 1));
  const E = n * k;
  const nbStart = new Int32Array(n + 1), nbFrom = new Int32Array(E), nbTo = new Int32Array(E), nbLen = new Float32Array(E);
  const nbA = new Float32Array(E), nbB = new Float32Array(E);
  // k nearest by insertion into a sorted list of k: (squared distance, index) ascending.
  const selJ = new Int32Array(k), selD = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = x[j]! - x[i]!, dy = y[j]! - y[i]!, d = dx * dx + dy * dy;
      if (m === k && !(d < selD[k - 1]!)) continue; // a tie loses to the lower index already kept
      let q = m < k ? m++ : k - 1;
      while (q > 0 && selD[q - 1]! > d) { selD[q] = selD[q - 1]!; selJ[q] = selJ[q - 1]!; q--; }
      selD[q] = d; selJ[q] = j;
    }
    nbStart[i] = i * k;
    for (let r = 0; r < k; r++) {
      const j = selJ[r]!, e = i * k + r;
      const phi = Math.atan2(-(y[j]! - y[i]!), x[j]! - x[i]!);
      nbFrom[e] = i; nbTo[e] = j; nbLen[e] = Math.sqrt(selD[r]!);
      nbA[e] = wrap2pi(dir[i]! - phi); nbB[e] = wrap2pi(dir[j]! - phi);
    }
  }
  nbStart[n] = E;

  // Root edges: each unordered pair {i, j} of the table once, of a length whose angles are stable,
  // with the exact-bin key of its shape as stored (i -> j).
  const { lenBin, lenBins, angBins, angBin } = hashGeometry(p);
  const roots: number[] = [], rootKeys: number[] = [];
  for (let i = 0; i < n; i++)
    for (let e = nbStart[i]!; e < Math.min(nbStart[i + 1]!, nbStart[i]! + p.rootNeighbours); e++) {
      const j = nbTo[e]!;
      if (nbLen[e]! < p.minRootEdge || nbLen[e]! > p.maxRootEdge) continue;
      let keep = i < j;
      if (!keep) { // keep (i -> j) with i > j only when j's star lacks i
        keep = true;
        for (let f = nbStart[j]!; f < Math.min(nbStart[j + 1]!, nbStart[j]! + p.rootNeighbours); f++) if (nbTo[f] === i) { keep = false; break; }
      }
      if (!keep) continue;
      const lb = Math.min(lenBins - 1, Math.floor(nbLen[e]! / lenBin));
      roots.push(e);
      rootKeys.push(hashKey(lb, Math.floor(nbA[e]! / angBin) % angBins, Math.floor(nbB[e]! / angBin) % angBins, angBins));
    }

  const byY = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => y[a]! - y[b]! || a - b);
  const rootShape = new Float32Array(3 * roots.length), rootEnds = new Int32Array(2 * roots.length);
  roots.forEach((e, r) => {
    rootShape[3 * r] = nbLen[e]!; rootShape[3 * r + 1] = nbA[e]!; rootShape[3 * r + 2] = nbB[e]!;
    rootEnds[2 * r] = nbFrom[e]!; rootEnds[2 * r + 1] = nbTo[e]!;
  });
  const star = new Float32Array(4 * E);
  for (let e = 0; e < E; e++) { star[4 * e] = nbLen[e]!; star[4 * e + 1] = nbA[e]!; star[4 * e + 2] = nbB[e]!; star[4 * e + 3] = nbTo[e]!; }
  const hull = convexHull(x, y);
  const ar = rasteriseArea(hull, p.overlapMargin);
  const sm = starMasks(n, k, nbA, nbB, p.maxAngleError);
  // Every array in one buffer, in the order a comparison reads them (root voting, expansion, scoring,
  // consolidation): a 1:N search streams through the gallery, and one contiguous block per template
  // costs far fewer cache and TLB misses than two dozen scattered allocations.
  const a = contiguous({
    rootKey: Int32Array.from(rootKeys), rootShape, rootEnds,
    nbStart, star, binA: sm.binA, binB: sm.binB,
    x, y, weight, area: ar.area, dir, byY, ySorted: Float32Array.from(byY, (i) => y[i]!), type,
    // Read only when the template acts as probe (in cache for a whole search), or never by comparisons.
    starMask: sm.starMask, nbLen, nbA, nbB, nbTo, nbFrom, rootEdges: Int32Array.from(roots), hull,
  });
  return {
    kind: 'fingerlift.prepared-template',
    hull: a.hull,
    area: a.area, areaCols: ar.cols, areaRows: ar.rows, areaX0: ar.x0, areaY0: ar.y0,
    ...(options.id !== undefined ? { id: options.id } : {}),
    source: template,
    scale,
    n, x: a.x, y: a.y, dir: a.dir, type: a.type, weight: a.weight,
    nbStart: a.nbStart, star: a.star, nbFrom: a.nbFrom, nbTo: a.nbTo, nbLen: a.nbLen, nbA: a.nbA, nbB: a.nbB,
    rootEdges: a.rootEdges,
    rootKey: a.rootKey,
    rootShape: a.rootShape, rootEnds: a.rootEnds,
    starMask: a.starMask, binA: a.binA, binB: a.binB,
    byY: a.byY, ySorted: a.ySorted,
    params: p,
  };
}

type Typed = Float64Array | Float32Array | Int32Array | Uint16Array | Uint8Array;

/** Copies of the arrays, in the given order, as views of one ArrayBuffer (each view 8-byte aligned). */
function contiguous<T extends Record<string, Typed>>(arrays: T): T {
  let bytes = 0;
  for (const a of Object.values(arrays)) bytes += Math.ceil(a.byteLength / 8) * 8;
  const buf = new ArrayBuffer(Math.max(8, bytes));
  const out: Record<string, Typed> = {};
  let off = 0;
  for (const [name, a] of Object.entries(arrays)) {
    const Ctor = a.constructor as new (b: ArrayBuffer, o: number, l: number) => Typed;
    const v = new Ctor(buf, off, a.length);
    v.set(a as never);
    out[name] = v;
    off += Math.ceil(a.byteLength / 8) * 8;
  }
  return out as T;
}
