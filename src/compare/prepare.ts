/**
 * Per-template precomputation for comparison: rescale to 500 ppi, quality weights, the neighbour edge
 * table (each minutia's "star" of edges to its nearest minutiae, sorted by length), the root edges
 * with their quantised shape keys, and the minutiae hull rasterised for overlap tests. A template
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
  /** Minutia positions at the working resolution, pixels (origin top-left, y down). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Minutia directions, radians [0, 2π), counter-clockwise as displayed. */
  readonly dir: Float64Array;
  /** 1 = ridge ending, 2 = bifurcation. */
  readonly type: Uint8Array;
  /** Quality weight, mean 1 over the template. */
  readonly weight: Float64Array;
  /** Neighbour edge table, CSR: edges of minutia i are nbStart[i] .. nbStart[i+1]-1, by length. */
  readonly nbStart: Int32Array;
  /** Start minutia of each edge. */
  readonly nbFrom: Int32Array;
  readonly nbTo: Int32Array;
  readonly nbLen: Float64Array;
  /** Direction of the edge's start minutia relative to the edge, radians [0, 2π). */
  readonly nbA: Float64Array;
  /** Direction of the edge's end minutia relative to the edge, radians [0, 2π). */
  readonly nbB: Float64Array;
  /** Undirected root edges (indices into the nb arrays), each unordered neighbour pair once. */
  readonly rootEdges: Int32Array;
  /** Quantised shape key of each root edge (exact bin), looked up in the other template's ProbeIndex. */
  readonly rootKey: Int32Array;
  /** Convex hull of the minutiae, counter-clockwise as displayed, interleaved x, y (working resolution). */
  readonly hull: Float64Array;
  /**
   * The hull plus `overlapMargin`, rasterised: area[r * areaCols + c] = 1 when the cell centred at
   * (areaX0 + (c + 0.5) * AREA_CELL, areaY0 + (r + 0.5) * AREA_CELL) lies in it.
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
 * Quantisation of edge shapes for root lookup: bins twice the tolerance wide, so the two bins nearest
 * a value cover value ± tolerance. Edges longer than `maxRootEdge` are not used as roots.
 */
export function hashGeometry(p: Readonly<CompareParams>): { lenBin: number; lenBins: number; angBins: number; angBin: number } {
  const angBins = Math.max(1, Math.floor(TWO_PI / (2 * p.maxAngleError)));
  const lenBin = 2 * p.maxDistanceError;
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
 * Tolerant index of a template's directed edges (both directions of every table edge, each filed in
 * the 2 x 2 x 2 bins that cover its shape ± tolerance), so that one exact-bin lookup per root edge of
 * the other template finds every edge of matching shape. Built lazily, once, when a template first
 * acts as probe (gallery templates never pay for it).
 */
export interface ProbeIndex {
  /** CSR over keys: items of key k are start[k] .. start[k+1]-1. */
  start: Int32Array;
  /** Per item: shape and end minutiae of the directed edge. */
  len: Float64Array;
  a: Float64Array;
  b: Float64Array;
  from: Int32Array;
  to: Int32Array;
}

const probeIndexCache = new WeakMap<PreparedTemplate, ProbeIndex>();

/** The template's ProbeIndex (built on first use, then cached per template). */
export function probeIndex(t: PreparedTemplate): ProbeIndex {
  const hit = probeIndexCache.get(t);
  if (hit) return hit;
  const prm = t.params;
  const { lenBin, lenBins, angBins, angBin } = hashGeometry(prm);
  const nKeys = lenBins * angBins * angBins;
  const itemKey: number[] = [], itemSrc: number[] = [];
  // Each unordered edge once (the root edges), in both directions.
  for (let r = 0; r < t.rootEdges.length; r++) {
    const e = t.rootEdges[r]!;
    const L = t.nbLen[e]!;
    for (let rev = 0; rev < 2; rev++) {
      // Item 2e = edge e as stored (i -> j); 2e + 1 = reversed (j -> i).
      const a = rev ? wrap2pi(t.nbB[e]! - Math.PI) : t.nbA[e]!;
      const b = rev ? wrap2pi(t.nbA[e]! - Math.PI) : t.nbB[e]!;
      const lf = L / lenBin, af = a / angBin, bf = b / angBin;
      const lb0 = Math.floor(lf), ab0 = Math.floor(af), bb0 = Math.floor(bf);
      const lb1 = lf - lb0 < 0.5 ? lb0 - 1 : lb0 + 1, ab1 = af - ab0 < 0.5 ? ab0 - 1 : ab0 + 1, bb1 = bf - bb0 < 0.5 ? bb0 - 1 : bb0 + 1;
      for (const lb of [lb0, lb1]) {
        if (lb < 0 || lb >= lenBins) continue;
        for (const ab of [ab0, ab1])
          for (const bb of [bb0, bb1]) {
            itemKey.push(hashKey(lb, (ab + angBins) % angBins, (bb + angBins) % angBins, angBins));
            itemSrc.push(2 * e + rev);
          }
      }
    }
  }
  const m = itemKey.length;
  const start = new Int32Array(nKeys + 1);
  for (const k of itemKey) start[k + 1]!++;
  for (let k = 0; k < nKeys; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, nKeys);
  const len = new Float64Array(m), a = new Float64Array(m), b = new Float64Array(m), from = new Int32Array(m), to = new Int32Array(m);
  for (let q = 0; q < m; q++) {
    const slot = fill[itemKey[q]!]!++;
    const src = itemSrc[q]!, e = src >> 1, rev = src & 1;
    len[slot] = t.nbLen[e]!;
    a[slot] = rev ? wrap2pi(t.nbB[e]! - Math.PI) : t.nbA[e]!;
    b[slot] = rev ? wrap2pi(t.nbA[e]! - Math.PI) : t.nbB[e]!;
    from[slot] = rev ? t.nbTo[e]! : t.nbFrom[e]!;
    to[slot] = rev ? t.nbFrom[e]! : t.nbTo[e]!;
  }
  const idx: ProbeIndex = { start, len, a, b, from, to };
  probeIndexCache.set(t, idx);
  return idx;
}

/**
 * Convex hull (Andrew's monotone chain, 1979) of points, returned as interleaved x, y, counter-clockwise
 * as displayed (clockwise in pixel coordinates with y down).
 */
export function convexHull(x: Float64Array, y: Float64Array): Float64Array {
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
  const area = new Uint8Array(cols * rows);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) area[r * cols + c] = inHull(hull, x0 + (c + 0.5) * AREA_CELL, y0 + (r + 0.5) * AREA_CELL, margin) ? 1 : 0;
  return { area, cols, rows, x0, y0 };
}

/** True when (px, py), pixels at 500 ppi, lies in the template's rasterised common area. */
export function inArea(t: PreparedTemplate, px: number, py: number): boolean {
  const c = Math.floor((px - t.areaX0) / AREA_CELL), r = Math.floor((py - t.areaY0) / AREA_CELL);
  return c >= 0 && r >= 0 && c < t.areaCols && r < t.areaRows && t.area[r * t.areaCols + c] === 1;
}

/** True for a PreparedTemplate (as opposed to a plain Template). */
export function isPrepared(t: unknown): t is PreparedTemplate {
  return typeof t === 'object' && t !== null && (t as { kind?: unknown }).kind === 'fingerlift.prepared-template';
}

function checkTemplate(t: Template, name: string): void {
  const bad = (msg: string): never => { throw new FingerliftError('E_TEMPLATE_FORMAT', `template ${name}: ${msg}`, { input: name }); };
  if (typeof t !== 'object' || t === null || !Array.isArray(t.minutiae)) bad('not a Template (needs a minutiae array)');
  if (!(t.ppi > 0) || !Number.isFinite(t.ppi)) bad(`ppi must be a positive number, got ${t.ppi}`);
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
 * @throws FingerliftError E_TEMPLATE_FORMAT for a non-positive ppi, non-finite coordinates or angles,
 *   an unknown minutia type or a quality outside [0, 1]; E_INVALID_ARGUMENT for bad params.
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
  const x = new Float64Array(n), y = new Float64Array(n), dir = new Float64Array(n), weight = new Float64Array(n);
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
  const nbStart = new Int32Array(n + 1), nbFrom = new Int32Array(E), nbTo = new Int32Array(E), nbLen = new Float64Array(E);
  const nbA = new Float64Array(E), nbB = new Float64Array(E);
  const order = new Int32Array(n), d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) { order[j] = j; const dx = x[j]! - x[i]!, dy = y[j]! - y[i]!; d2[j] = dx * dx + dy * dy; }
    d2[i] = Infinity;
    order.sort((a, b) => d2[a]! - d2[b]! || a - b);
    nbStart[i] = i * k;
    for (let r = 0; r < k; r++) {
      const j = order[r]!, e = i * k + r;
      const phi = Math.atan2(-(y[j]! - y[i]!), x[j]! - x[i]!);
      nbFrom[e] = i; nbTo[e] = j; nbLen[e] = Math.sqrt(d2[j]!);
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

  const hull = convexHull(x, y);
  const ar = rasteriseArea(hull, p.overlapMargin);
  return {
    kind: 'fingerlift.prepared-template',
    hull,
    area: ar.area, areaCols: ar.cols, areaRows: ar.rows, areaX0: ar.x0, areaY0: ar.y0,
    ...(options.id !== undefined ? { id: options.id } : {}),
    source: template,
    scale,
    n, x, y, dir, type, weight,
    nbStart, nbFrom, nbTo, nbLen, nbA, nbB,
    rootEdges: Int32Array.from(roots),
    rootKey: Int32Array.from(rootKeys),
    params: p,
  };
}
