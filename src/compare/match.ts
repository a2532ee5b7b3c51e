/**
 * 1:1 minutiae comparison: edge-shape root finding, local-similarity ranking of roots, pairing-graph
 * expansion along neighbour edges, and an overlap-aware score.
 *
 * Method (after SourceAFIS 3.x, Vazan 2009-2023, with MCC-style root ranking):
 * 1. Root finding: each template has a neighbour edge table (edges to its `neighbours` nearest
 *    minutiae, described by length and both minutia directions relative to the edge: invariant to
 *    rotation and translation). Every short root edge of the reference is looked up in the probe's
 *    tolerant edge index; an edge pair whose shapes agree within `maxDistanceError` and
 *    `maxAngleError` votes for its two minutia pairs. A pair's vote count is a local similarity, as in
 *    the local structures of Jiang & Yau (ICPR 2000) and the local similarity sort of MCC (Cappelli,
 *    Ferrara & Maltoni, IEEE TPAMI 32(12), 2010).
 * 2. Expansion: from each of the `maxRoots` most-voted pairs (skipping pairs already inside an earlier
 *    pairing), a best-first search pairs the neighbours of paired minutiae whose edges agree, lowest
 *    edge error first (SourceAFIS pairing graph). Only local edge shapes are checked, so the elastic
 *    distortion of contact prints, which bends the print as a whole, is tolerated.
 * 3. Score of a pairing: summed pair evidence (1 for an exact edge fit, less for a loose one) x the
 *    geometric mean of the quality-weighted paired shares of both templates, each share taken over
 *    the minutiae in the common area only (the other template's minutiae hull mapped by the pairing's
 *    rigid fit), so a small partial print (a photo's fingertip, a latent) is judged on the part both
 *    show. The best pairing wins; its rigid least-squares fit is the reported transform.
 *
 * Score scale: 0 = nothing pairs; for real prints roughly the number of reliably mated minutiae in
 * the overlap (tens for a good genuine pair, about 1 for impostors). Thresholds: src/compare/index.ts.
 *
 * Not exactly symmetric: compare(a, b) and compare(b, a) agree closely but may differ (root edges of
 * the reference are looked up in the probe's index; tie-breaks follow index order). Deterministic:
 * the same inputs give the same output, bit for bit.
 */
import type { Template } from '../minutiae/types.js';
import { inArea, isPrepared, prepare, probeIndex, wrap2pi, type PreparedTemplate } from './prepare.js';

const PI = Math.PI, TWO_PI = 2 * Math.PI;

export interface MatedPair {
  /** Index of the minutia in the probe template. */
  probe: number;
  /** Index of the minutia in the reference template. */
  reference: number;
}

/**
 * Rigid transform from probe to reference, least squares over the mated minutiae, in pixels at the
 * working resolution (500 ppi): reference (x, y) ≈ (cos r·x + sin r·y + dx, −sin r·x + cos r·y + dy),
 * i.e. the probe rotated by `rotation` radians counter-clockwise as displayed, then shifted.
 */
export interface RigidTransform {
  dx: number;
  dy: number;
  rotation: number;
}

export interface CompareResult {
  /** Similarity, >= 0, grows with evidence; 0 when nothing pairs. */
  score: number;
  mated: MatedPair[];
  transform: RigidTransform;
}

/** Difference of two angles in [0, 2π), folded into [0, π]. */
function adiff(a: number, b: number): number {
  let d = a - b;
  if (d < 0) d = -d;
  return d > PI ? TWO_PI - d : d;
}

// Scratch buffers reused across comparisons (one thread, no re-entrancy).
let votes = new Int32Array(0);
let covered = new Int32Array(0);
let stamp = 0;
let touched = new Int32Array(0);
let nTouched = 0;
let rootList = new Int32Array(0);
let pairP = new Int32Array(0), pairG = new Int32Array(0), bestP = new Int32Array(0), bestG = new Int32Array(0);
let heapP = new Int32Array(0), heapG = new Int32Array(0), heapF = new Int32Array(0), heapE = new Float64Array(0);
let listP = new Int32Array(0);
let pairErr = new Float64Array(0);
let pairSup = new Int32Array(0), pairFrom = new Int32Array(0);

function ensure(np: number, ng: number, maxRoots: number): void {
  if (rootList.length < maxRoots) rootList = new Int32Array(maxRoots);
  if (votes.length < np * ng) { votes = new Int32Array(np * ng); covered = new Int32Array(np * ng); stamp = 0; touched = new Int32Array(np * ng); }
  if (pairP.length < np) { pairP = new Int32Array(np); bestP = new Int32Array(np); bestG = new Int32Array(np); listP = new Int32Array(np); pairErr = new Float64Array(np); pairSup = new Int32Array(np); pairFrom = new Int32Array(np); }
  if (pairG.length < ng) pairG = new Int32Array(ng);
}

let heapSize = 0;
function heapPush(p: number, g: number, from: number, e: number): void {
  if (heapSize >= heapP.length) {
    const cap = Math.max(256, heapP.length * 2);
    const nP = new Int32Array(cap), nG = new Int32Array(cap), nF = new Int32Array(cap), nE = new Float64Array(cap);
    nP.set(heapP); nG.set(heapG); nF.set(heapF); nE.set(heapE);
    heapP = nP; heapG = nG; heapF = nF; heapE = nE;
  }
  let i = heapSize++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heapE[parent]! <= e) break;
    heapP[i] = heapP[parent]!; heapG[i] = heapG[parent]!; heapF[i] = heapF[parent]!; heapE[i] = heapE[parent]!;
    i = parent;
  }
  heapP[i] = p; heapG[i] = g; heapF[i] = from; heapE[i] = e;
}
let popP = 0, popG = 0, popF = 0, popE = 0;
function heapPop(): void {
  popP = heapP[0]!; popG = heapG[0]!; popF = heapF[0]!; popE = heapE[0]!;
  const n = --heapSize;
  if (n === 0) return;
  const lp = heapP[n]!, lg = heapG[n]!, lf = heapF[n]!, le = heapE[n]!;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && heapE[c + 1]! < heapE[c]!) c++;
    if (heapE[c]! >= le) break;
    heapP[i] = heapP[c]!; heapG[i] = heapG[c]!; heapF[i] = heapF[c]!; heapE[i] = heapE[c]!;
    i = c;
  }
  heapP[i] = lp; heapG[i] = lg; heapF[i] = lf; heapE[i] = le;
}

/**
 * Votes for minutia pairs: every root edge of the reference is looked up (one exact bin) in the
 * probe's tolerant index; each probe edge of matching shape votes for its two minutia pairs.
 */
function vote(P: PreparedTemplate, G: PreparedTemplate): void {
  const prm = P.params;
  const dTol = prm.maxDistanceError, aTol = prm.maxAngleError;
  const ng = G.n;
  const idx = probeIndex(P);
  const st = idx.start, nKeys = st.length - 1;
  const roots = G.rootEdges, keys = G.rootKey;
  for (let r = 0; r < roots.length; r++) {
    const key = keys[r]!;
    if (key >= nKeys) continue;
    const end = st[key + 1]!;
    let h = st[key]!;
    if (h === end) continue;
    const f = roots[r]!;
    const L = G.nbLen[f]!, a = G.nbA[f]!, b = G.nbB[f]!, gi = G.nbFrom[f]!, gj = G.nbTo[f]!;
    for (; h < end; h++) {
      if (Math.abs(idx.len[h]! - L) > dTol || adiff(idx.a[h]!, a) > aTol || adiff(idx.b[h]!, b) > aTol) continue;
      const c1 = idx.from[h]! * ng + gi, c2 = idx.to[h]! * ng + gj;
      if (votes[c1]!++ === 0) touched[nTouched++] = c1;
      if (votes[c2]!++ === 0) touched[nTouched++] = c2;
    }
  }
}

/**
 * Best-first expansion from one root pair (p0, g0): fills pairP/pairG, listP (pairing order), pairErr
 * (edge error of the edge that paired each probe minutia) and pairSup (edges other than that one which
 * confirm the pair: a mesh of agreeing edges, where chance pairings form a bare tree). Returns the
 * number of pairs.
 */
function expand(P: PreparedTemplate, G: PreparedTemplate, p0: number, g0: number): number {
  const dTol = P.params.maxDistanceError, aTol = P.params.maxAngleError;
  pairP.fill(-1, 0, P.n); pairG.fill(-1, 0, G.n);
  heapSize = 0;
  heapPush(p0, g0, -1, 0);
  let count = 0;
  while (heapSize > 0) {
    heapPop();
    const p = popP, g = popG;
    if (pairP[p] === g) { pairSup[p]!++; pairSup[popF]!++; continue; } // a second edge reached the pair
    if (pairP[p] !== -1 || pairG[g] !== -1) continue;
    pairP[p] = g; pairG[g] = p; pairErr[p] = popE; pairSup[p] = 0; pairFrom[p] = popF; listP[count++] = p;
    // Pair the stars of p and g: both sorted by length, so a sliding window over g's star.
    const ps = P.nbStart[p]!, pe = P.nbStart[p + 1]!, gs = G.nbStart[g]!, ge = G.nbStart[g + 1]!;
    let lo = gs;
    for (let e = ps; e < pe; e++) {
      const L = P.nbLen[e]!;
      while (lo < ge && G.nbLen[lo]! < L - dTol) lo++;
      for (let f = lo; f < ge && G.nbLen[f]! <= L + dTol; f++) {
        const da = adiff(P.nbA[e]!, G.nbA[f]!);
        if (da > aTol) continue;
        const db = adiff(P.nbB[e]!, G.nbB[f]!);
        if (db > aTol) continue;
        const pn = P.nbTo[e]!, gn = G.nbTo[f]!;
        if (pairP[pn] === gn) { if (pn !== pairFrom[p]) { pairSup[p]!++; pairSup[pn]!++; } continue; }
        if (pairP[pn] !== -1 || pairG[gn] !== -1) continue;
        heapPush(pn, gn, p, Math.abs(G.nbLen[f]! - L) / dTol + (da + db) / aTol);
      }
    }
  }
  return count;
}

/** Least-squares rigid transform of the current pairing (listP/pairP, `count` pairs). */
function fitRigid(P: PreparedTemplate, G: PreparedTemplate, count: number): RigidTransform {
  if (count === 0) return { dx: 0, dy: 0, rotation: 0 };
  // y-up coordinates u = (x, -y): reference u ≈ R(r) u_probe + t.
  let mpx = 0, mpy = 0, mgx = 0, mgy = 0;
  for (let k = 0; k < count; k++) {
    const p = listP[k]!, g = pairP[p]!;
    mpx += P.x[p]!; mpy -= P.y[p]!; mgx += G.x[g]!; mgy -= G.y[g]!;
  }
  mpx /= count; mpy /= count; mgx /= count; mgy /= count;
  let sdot = 0, scross = 0, sdir = 0, cdir = 0;
  for (let k = 0; k < count; k++) {
    const p = listP[k]!, g = pairP[p]!;
    const ax = P.x[p]! - mpx, ay = -P.y[p]! - mpy, bx = G.x[g]! - mgx, by = -G.y[g]! - mgy;
    sdot += ax * bx + ay * by; scross += ax * by - ay * bx;
    const d = G.dir[g]! - P.dir[p]!;
    sdir += Math.sin(d); cdir += Math.cos(d);
  }
  // With one pair (or coincident points) the minutia directions give the rotation.
  const r = count >= 2 && sdot * sdot + scross * scross > 1e-9 ? Math.atan2(scross, sdot) : Math.atan2(sdir, cdir);
  const c = Math.cos(r), s = Math.sin(r);
  const tx = mgx - (c * mpx - s * mpy), ty = mgy - (s * mpx + c * mpy);
  return { dx: tx, dy: -ty, rotation: wrap2pi(r) };
}

/**
 * Score of the current pairing: the summed evidence of the pairs (at most the pair count) x geometric
 * mean of the quality-weighted paired shares of the two templates, each share taken over the minutiae inside the common area (the other template's
 * minutiae hull, mapped by the pairing's rigid transform, plus `overlapMargin`).
 */
function evidence(P: PreparedTemplate, G: PreparedTemplate, count: number): number {
  if (count < 2) return 0;
  const prm = P.params;
  // Evidence of each pair: 1 for an exact edge fit, falling linearly with its edge error
  // (length error / maxDistanceError + angle errors / maxAngleError, 0..3), times
  // unsupportedWeight without a confirming edge and typeMismatchWeight when the types differ.
  let eff = 0;
  for (let k = 0; k < count; k++) {
    const p = listP[k]!;
    const w = (1 - pairErr[p]! / prm.pairErrorScale) * (pairSup[p]! > 0 ? 1 : prm.unsupportedWeight);
    eff += P.type[p] === G.type[pairP[p]!] ? w : w * prm.typeMismatchWeight;
  }
  return eff;
}

/** Geometric mean of the two quality-weighted paired shares over the common area, in [0, 1]. */
function overlapShare(P: PreparedTemplate, G: PreparedTemplate, count: number, t: RigidTransform): number {
  const prm = P.params;
  const c = Math.cos(t.rotation), s = Math.sin(t.rotation);
  let wpPaired = 0, wgPaired = 0;
  for (let k = 0; k < count; k++) { const p = listP[k]!; wpPaired += P.weight[p]!; wgPaired += G.weight[pairP[p]!]!; }
  // Probe minutiae mapped into the reference, tested against the reference's area.
  let wpOver = 0;
  for (let p = 0; p < P.n; p++) {
    const X = c * P.x[p]! + s * P.y[p]! + t.dx, Y = -s * P.x[p]! + c * P.y[p]! + t.dy;
    if (pairP[p] !== -1 || inArea(G, X, Y)) wpOver += P.weight[p]!;
  }
  // Reference minutiae mapped back into the probe (inverse transform), tested against the probe's area.
  let wgOver = 0;
  for (let g = 0; g < G.n; g++) {
    const u = G.x[g]! - t.dx, v = G.y[g]! - t.dy;
    if (pairG[g] !== -1 || inArea(P, c * u - s * v, s * u + c * v)) wgOver += G.weight[g]!;
  }
  return Math.sqrt((wpPaired / Math.max(wpOver, prm.minOverlap)) * (wgPaired / Math.max(wgOver, prm.minOverlap)));
}

/**
 * Global consolidation of the winning pairing: every still unpaired probe minutia is mapped by the
 * pairing's rigid fit into the reference and paired with the nearest unpaired reference minutia
 * within `consolidationDistance` and `consolidationAngle`, if any (greedy, probe order). This recovers
 * mates whose neighbour edges were lost to missing or spurious minutiae nearby, as BOZORTH3's and
 * SourceAFIS's local-to-global steps do. Such pairs carry no edge support, so they count as
 * unsupported, with an error from their residual. Returns the new pair count.
 */
function consolidate(P: PreparedTemplate, G: PreparedTemplate, count: number, t: RigidTransform): number {
  const prm = P.params;
  const R = prm.consolidationDistance, A = prm.consolidationAngle;
  if (!(R > 0)) return count;
  const c = Math.cos(t.rotation), s = Math.sin(t.rotation);
  for (let p = 0; p < P.n; p++) {
    if (pairP[p] !== -1) continue;
    const X = c * P.x[p]! + s * P.y[p]! + t.dx, Y = -s * P.x[p]! + c * P.y[p]! + t.dy;
    const dir = wrap2pi(P.dir[p]! + t.rotation);
    let bestG = -1, bestD = R * R;
    for (let g = 0; g < G.n; g++) {
      if (pairG[g] !== -1) continue;
      const dx = G.x[g]! - X, dy = G.y[g]! - Y, d2 = dx * dx + dy * dy;
      if (d2 > bestD || adiff(G.dir[g]!, dir) > A) continue;
      bestD = d2; bestG = g;
    }
    if (bestG < 0) continue;
    pairP[p] = bestG; pairG[bestG] = p; pairSup[p] = 0;
    pairErr[p] = Math.min(prm.pairErrorScale, Math.sqrt(bestD) / R + adiff(G.dir[bestG]!, dir) / A);
    listP[count++] = p;
  }
  return count;
}

/**
 * Votes, then the roots: the `maxRoots` most-voted minutia pairs (ties: lower probe, then lower
 * reference index) in rootList, by insertion into a short list sorted by votes. Returns their number.
 */
function selectRoots(P: PreparedTemplate, G: PreparedTemplate): number {
  const np = P.n, ng = G.n;
  ensure(np, ng, P.params.maxRoots);
  nTouched = 0;
  if (++stamp === 0x7fffffff) { covered.fill(0); stamp = 1; }
  vote(P, G);
  const maxRoots = P.params.maxRoots;
  let nRoots = 0;
  const minVotes = P.params.minRootVotes;
  for (let q = 0; q < nTouched; q++) {
    const c = touched[q]!;
    const v = votes[c]!;
    if (v < minVotes || (nRoots === maxRoots && (v < votes[rootList[nRoots - 1]!]! || (v === votes[rootList[nRoots - 1]!]! && c > rootList[nRoots - 1]!)))) continue;
    let k = nRoots < maxRoots ? nRoots++ : nRoots - 1;
    while (k > 0 && (votes[rootList[k - 1]!]! < v || (votes[rootList[k - 1]!]! === v && rootList[k - 1]! > c))) { rootList[k] = rootList[k - 1]!; k--; }
    rootList[k] = c;
  }
  return nRoots;
}

/**
 * Cheap pre-selection score for 1:N (no expansion): the summed votes of the roots, normalised by
 * sqrt(probe root edges x reference root edges). Ranks candidates roughly like `compare` at about a
 * third of its cost; `search` uses it with `preselect` to compare fully only the best candidates
 * (the usual two-stage AFIS search). Not a similarity to threshold.
 */
export function preselectScore(probe: PreparedTemplate, reference: PreparedTemplate): number {
  if (probe.n < 2 || reference.n < 2) return 0;
  const nRoots = selectRoots(probe, reference);
  let sum = 0;
  for (let r = 0; r < nRoots; r++) sum += votes[rootList[r]!]!;
  for (let q = 0; q < nTouched; q++) votes[touched[q]!] = 0;
  return sum / Math.sqrt(Math.max(1, probe.rootEdges.length) * Math.max(1, reference.rootEdges.length));
}

/**
 * Compare a probe with a reference (1:1).
 * @param probe a Template (prepared on the fly) or a PreparedTemplate (faster when reused).
 * @param reference likewise; both are rescaled to 500 ppi by `prepare`.
 * @returns score (>= 0, grows with evidence), mated minutia indices into each template's `minutiae`,
 *   and the probe-to-reference rigid transform at 500 ppi.
 * @throws FingerliftError E_TEMPLATE_FORMAT from `prepare` for malformed templates.
 */
export function compare(probe: Template | PreparedTemplate, reference: Template | PreparedTemplate): CompareResult {
  const P = isPrepared(probe) ? probe : prepare(probe, { id: 'probe' });
  const G = isPrepared(reference) ? reference : prepare(reference, { id: 'reference' });
  const np = P.n, ng = G.n;
  if (np < 2 || ng < 2) return { score: 0, mated: [], transform: { dx: 0, dy: 0, rotation: 0 } };
  const nRoots = selectRoots(P, G);
  let best = 0, bestCount = 0;
  let bestT: RigidTransform = { dx: 0, dy: 0, rotation: 0 };
  for (let r = 0; r < nRoots; r++) {
    const c = rootList[r]!;
    if (covered[c] === stamp) continue; // inside an earlier pairing: it would grow the same pairing again
    const p0 = (c / ng) | 0, g0 = c - p0 * ng;
    const count = expand(P, G, p0, g0);
    for (let k = 0; k < count; k++) covered[listP[k]! * ng + pairP[listP[k]!]!] = stamp;
    if (count <= best) continue; // score <= evidence <= pair count (shares are <= 1): cannot win
    const ev = evidence(P, G, count);
    if (ev <= best) continue;
    const t = fitRigid(P, G, count);
    const s = ev * overlapShare(P, G, count, t);
    if (s > best) {
      best = s; bestCount = count; bestT = t;
      for (let k = 0; k < count; k++) { bestP[k] = listP[k]!; bestG[k] = pairP[listP[k]!]!; }
    }
  }
  for (let q = 0; q < nTouched; q++) votes[touched[q]!] = 0;
  if (best > 0 && P.params.consolidationDistance > 0) {
    // Re-grow the winning pairing (deterministic), add globally consistent mates, score again.
    const count = consolidate(P, G, expand(P, G, bestP[0]!, bestG[0]!), bestT);
    const t = fitRigid(P, G, count);
    const s = evidence(P, G, count) * overlapShare(P, G, count, t);
    if (s > best) {
      best = s; bestCount = count; bestT = t;
      for (let k = 0; k < count; k++) { bestP[k] = listP[k]!; bestG[k] = pairP[listP[k]!]!; }
    }
  }
  const mated: MatedPair[] = [];
  for (let k = 0; k < bestCount; k++) mated.push({ probe: bestP[k]!, reference: bestG[k]! });
  return { score: best, mated, transform: bestT };
}
