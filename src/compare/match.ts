/**
 * 1:1 minutiae comparison: edge-shape root finding, local-similarity ranking of roots, pairing-graph
 * expansion along neighbour edges, and an overlap-aware score.
 *
 * Method (after SourceAFIS 3.x, Vazan 2009-2023, with MCC-style root ranking):
 * 1. Root finding: each template has a neighbour edge table (edges to its `neighbours` nearest
 *    minutiae, described by length and both minutia directions relative to the edge: invariant to
 *    rotation and translation). Every short root edge of the reference is looked up in the probe's
 *    tolerant edge index; an edge pair whose shapes agree within `maxDistanceError` and
 *    `maxAngleError` votes for its two minutia pairs, with weight 1 − e / pairErrorScale (e its edge
 *    error, as in the pair evidence of step 3). A pair's summed votes are a local similarity, as in
 *    the local structures of Jiang & Yau (ICPR 2000) and the local similarity sort of MCC (Cappelli,
 *    Ferrara & Maltoni, IEEE TPAMI 32(12), 2010). Only pairs with at least `minRootVotes` become roots.
 * 2. Expansion: from each of the `maxRoots` best-voted pairs (skipping pairs already inside an earlier
 *    pairing), a best-first search pairs the neighbours of paired minutiae whose edges agree, lowest
 *    edge error first (SourceAFIS pairing graph). Only local edge shapes are checked, so the elastic
 *    distortion of contact prints, which bends the print as a whole, is tolerated.
 * 3. Score of a pairing: summed pair evidence (1 for an exact edge fit, less for a loose one) x the
 *    geometric mean of the quality-weighted paired shares of both templates, each share taken over
 *    the minutiae in the common area only (the other template's minutiae hull mapped by the pairing's
 *    rigid fit), so a small partial print (a photo's fingertip, a latent) is judged on the part both
 *    show. A pairing of fewer than `minPairs` pairs scores 0. The best pairing wins (consolidated,
 *    see `consolidate`, when it has at least `minConsolidationPairs` pairs); its rigid least-squares
 *    fit is the reported transform.
 *
 * Score scale: 0 = nothing pairs; for real prints roughly the number of reliably mated minutiae in
 * the overlap (tens for a good genuine pair, about 1 for impostors). Thresholds: src/compare/index.ts.
 *
 * Speed (1:N over prepared templates; bench/compare.ts): everything that depends on one template is
 * in `prepare` (neighbour stars, root edges with their hash keys and packed shapes, star angle masks,
 * the common-area raster, minutiae sorted by y); all working memory is in a reusable MatchScratch (no
 * allocation per comparison); candidate edge pairs come from an edge-shape hash (root voting) and
 * from the probe's star angle masks at the reference edges' angle bins (expansion), both followed by
 * the exact tolerance tests, so they find exactly the pairs a full scan finds; a pairing is scored
 * only when bounds on its score (pair count, evidence, evidence x the share bound, then running bounds
 * in the overlap sums) can still beat the best so far. These change no result: scores, mated pairs
 * and transforms are bit for bit those of the plain algorithm (checked on all 102,400 ordered pairs of
 * the FVC .iso templates, with the vote counts of the time; the weighted votes keep the same code
 * paths; the layout changes below were checked likewise on the 25,280 protocol pairs). Likewise
 * checked on the 25,280 protocol pairs (FVC B sets, own extractor and .iso; bench/compare.ts): finer
 * angle bins of the root-vote hash and a 16-bit probe index (prepare.ts), the index ranges of all
 * root edges loaded before the vote tests, votes zeroed during root selection, the star pairing
 * visiting only probe edges with candidates, the overlap raster cell found without floor calls, and
 * in consolidation a y-window found by interpolation and skipped outside the reference's box.
 *
 * Speed of exhaustive 1:N (`npm run bench -- --only compare`, comparisons per CPU-second, FVC .iso
 * gallery, one core), 2026-12-06: 38,645 before, 51,725 after the result-preserving changes above
 * (about 1.16 x, A/B in one process) and minRootVotes 1, minPairs 4, minConsolidationPairs 4
 * (params.ts; own-extractor FVC EERs unchanged): about 1.3 x in all, A/B in one process.
 *
 * Memory layout (a 1:N search streams the gallery through the caches; against a gallery small enough
 * to stay cached the same probes ran about 25 % faster): the probe's edge index holds edge ids only;
 * each prepared template is one contiguous buffer, the arrays a comparison reads from the reference
 * first (root edges, interleaved 16-byte star records, edge angle bins, positions, a bit-packed common
 * area), those only a probe needs after them; geometry is stored as Float32 (rounded once in `prepare`,
 * all derived keys, bins and masks computed from the rounded values, arithmetic in Float64); `warm`
 * touches the reference's star records in order before the data-dependent expansion reaches them.
 *
 * Not exactly symmetric: compare(a, b) and compare(b, a) agree closely but may differ (root edges of
 * the reference are looked up in the probe's index; tie-breaks follow index order). Deterministic:
 * the same inputs give the same output, bit for bit.
 */
import type { Template } from '../minutiae/types.js';
import { AREA_CELL, STAR_BINS, isPrepared, prepare, probeIndex, wrap2pi, type PreparedTemplate, type ProbeIndex } from './prepare.js';

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

/**
 * Relative slack of the exact early exits: a pairing is dropped unscored only when an upper bound of
 * its score, inflated by this much, cannot beat the best so far. It covers the rounding of sums taken
 * in another order than the score's, so the early exits never change a result.
 */
const BOUND_SLACK = 1e-9;
/** Slack of the running early exits of `overlapScore` (their thresholds are computed, so a wider one). */
const EXIT_SLACK = 1e-6;

/**
 * Working memory of comparisons: vote counts, the pairing under construction, the best pairing so
 * far and the expansion heap, all typed arrays grown on demand and reused (no allocation per
 * comparison). One per thread of comparisons: `compare` uses a module-wide one (comparisons are
 * synchronous, so it is never shared by two running comparisons); `search` makes its own.
 */
export class MatchScratch {
  /** votes[p * ng + g]: summed vote weight of minutia pair (p, g) (see `vote`); zero between comparisons. */
  votes = new Float64Array(0);
  /** covered[p * ng + g] === stamp: the pair is inside a pairing already grown in this comparison. */
  covered = new Int32Array(0);
  stamp = 0;
  /** Pairs with votes > 0 in this comparison (to rank them and to clear votes). */
  touched = new Int32Array(0);
  nTouched = 0;
  /** The roots, best-voted first, and their votes. */
  rootList = new Int32Array(0);
  rootVotes = new Float64Array(0);
  /** pairP[p] = paired reference minutia or −1 (likewise pairG); all −1 between pairings. */
  pairP = new Int32Array(0);
  pairG = new Int32Array(0);
  /** Probe minutiae of the pairing in pairing order, with their edge error, support and pairing edge origin. */
  listP = new Int32Array(0);
  pairErr = new Float64Array(0);
  pairSup = new Int32Array(0);
  pairFrom = new Int32Array(0);
  /** Best pairing so far: pairs in pairing order, with error and support (to resume it for consolidation). */
  bestP = new Int32Array(0);
  bestG = new Int32Array(0);
  bestErr = new Float64Array(0);
  bestSup = new Int32Array(0);
  bestCount = 0;
  bestDx = 0;
  bestDy = 0;
  bestRot = 0;
  /** Quality weights of the current pairing's minutiae (`pairedWeights`). */
  pairedWp = 0;
  pairedWg = 0;
  /** Transform of the last `fitRigid`, with the cosine and sine of its rotation. */
  tDx = 0;
  tDy = 0;
  tRot = 0;
  tCos = 1;
  tSin = 0;
  /** Index range (probe edge filings) of each root edge of the reference, in `vote`. */
  lookLo = new Int32Array(0);
  lookHi = new Int32Array(0);
  /** Per edge of a probe star: mask of the reference star's edges that may agree with it (all 0 between uses). */
  starRows = new Int32Array(32);
  /** Sum of the loads of `warm` (kept so that they are not optimised away). */
  sink = 0;
  /** Binary min-heap of candidate pairs (probe, reference, pairing-edge origin, edge error). */
  heapP = new Int32Array(0);
  heapG = new Int32Array(0);
  heapF = new Int32Array(0);
  heapE = new Float64Array(0);

  /** Grow the buffers for an np x ng comparison with stars of kp and kg edges. */
  ensure(np: number, ng: number, kp: number, kg: number, maxRoots: number): void {
    if (this.rootList.length < maxRoots) {
      this.rootList = new Int32Array(maxRoots); this.rootVotes = new Float64Array(maxRoots);
    }
    if (this.votes.length < np * ng) {
      this.votes = new Float64Array(np * ng); this.covered = new Int32Array(np * ng); this.stamp = 0; this.touched = new Int32Array(np * ng);
    }
    if (this.pairP.length < np) {
      this.pairP = new Int32Array(np).fill(-1);
      this.listP = new Int32Array(np); this.pairErr = new Float64Array(np); this.pairSup = new Int32Array(np); this.pairFrom = new Int32Array(np);
      this.bestP = new Int32Array(np); this.bestG = new Int32Array(np); this.bestErr = new Float64Array(np); this.bestSup = new Int32Array(np);
    }
    if (this.pairG.length < ng) this.pairG = new Int32Array(ng).fill(-1);
    // Every paired probe minutia pushes at most kp x kg candidates, plus the root.
    const cap = 1 + Math.min(np, ng) * kp * kg;
    if (this.heapP.length < cap) {
      this.heapP = new Int32Array(cap); this.heapG = new Int32Array(cap); this.heapF = new Int32Array(cap); this.heapE = new Float64Array(cap);
    }
  }
}

const sharedScratch = new MatchScratch();

/** Floor of one vote's weight (keeps every agreeing edge pair a positive vote whatever pairErrorScale). */
const MIN_VOTE = 1 / 64;

/** Star size (neighbours per minutia) of a prepared template. */
function starSize(t: PreparedTemplate): number {
  return t.n > 0 ? t.nbStart[1]! - t.nbStart[0]! : 0;
}

/**
 * Votes for minutia pairs: every root edge of the reference is looked up (one exact bin) in the
 * probe's tolerant index; each probe edge of matching shape votes for its two minutia pairs, with
 * weight 1 − e / pairErrorScale (e = length error / maxDistanceError + the angle errors /
 * maxAngleError, 0..3; floored at MIN_VOTE): close fits rank a root above loose ones, where vote
 * counts left many ties to the index order.
 */
function vote(P: PreparedTemplate, G: PreparedTemplate, idx: ProbeIndex, s: MatchScratch): void {
  const prm = P.params;
  const dTol = prm.maxDistanceError, aTol = prm.maxAngleError;
  // Vote weight 1 − e / pairErrorScale (e = ΔL / dTol + (Δa + Δb) / aTol), as a pair's evidence.
  const wl = 1 / (dTol * prm.pairErrorScale), wa = 1 / (aTol * prm.pairErrorScale);
  const ng = G.n;
  const st = idx.start, nKeys = st.length - 1;
  const item = idx.item, shape = idx.shape, ends = idx.ends;
  const keys = G.rootKey, rShape = G.rootShape, rEnds = G.rootEnds, nr = keys.length;
  const votes = s.votes, touched = s.touched;
  let nT = s.nTouched;
  // The index ranges of every root edge first: independent loads from the probe's (large) key
  // table overlap, where the lookups interleaved with the tests below would wait one at a time.
  if (s.lookLo.length < nr) { s.lookLo = new Int32Array(nr); s.lookHi = new Int32Array(nr); }
  const lookLo = s.lookLo, lookHi = s.lookHi;
  for (let r = 0; r < nr; r++) {
    const key = keys[r]!;
    if (key < nKeys) { lookLo[r] = st[key]!; lookHi[r] = st[key + 1]!; } else { lookLo[r] = 0; lookHi[r] = 0; }
  }
  for (let r = 0; r < nr; r++) {
    const end = lookHi[r]!;
    let h = lookLo[r]!;
    if (h === end) continue;
    const L = rShape[3 * r]!, a = rShape[3 * r + 1]!, b = rShape[3 * r + 2]!, gi = rEnds[2 * r]!, gj = rEnds[2 * r + 1]!;
    for (; h < end; h++) {
      // Branch-free folded angle differences: min(|d|, 2π − |d|) equals adiff exactly.
      const q = item[h]!, q3 = 3 * q;
      let da = Math.abs(shape[q3 + 1]! - a), db = Math.abs(shape[q3 + 2]! - b);
      da = Math.min(da, TWO_PI - da); db = Math.min(db, TWO_PI - db);
      const dl = Math.abs(shape[q3]! - L);
      if (dl > dTol || Math.max(da, db) > aTol) continue;
      const w = Math.max(MIN_VOTE, 1 - dl * wl - (da + db) * wa);
      const c1 = ends[2 * q]! * ng + gi, c2 = ends[2 * q + 1]! * ng + gj;
      const v1 = votes[c1]!, v2 = votes[c2]!;
      if (v1 === 0) touched[nT++] = c1;
      votes[c1] = v1 + w;
      if (v2 === 0) touched[nT++] = c2;
      votes[c2] = votes[c2]! + w;
    }
  }
  s.nTouched = nT;
}

/**
 * Best-first expansion from one root pair (p0, g0), pairP/pairG all −1 on entry: fills pairP/pairG,
 * listP (pairing order), pairErr (edge error of the edge that paired each probe minutia) and pairSup
 * (edges other than that one which confirm the pair: a mesh of agreeing edges, where chance pairings
 * form a bare tree). Returns the number of pairs; `release` empties the pairing again.
 */
function expand(P: PreparedTemplate, G: PreparedTemplate, p0: number, g0: number, s: MatchScratch): number {
  const dTol = P.params.maxDistanceError, aTol = P.params.maxAngleError;
  const pairP = s.pairP, pairG = s.pairG, pairErr = s.pairErr, pairSup = s.pairSup, pairFrom = s.pairFrom, listP = s.listP;
  const hP = s.heapP, hG = s.heapG, hF = s.heapF, hE = s.heapE;
  const pStart = P.nbStart, pLen = P.nbLen, pA = P.nbA, pB = P.nbB, pTo = P.nbTo;
  const gStart = G.nbStart, gLen = G.nbLen, gA = G.nbA, gB = G.nbB, gTo = G.nbTo, gRec = G.star;
  // Star masks of the probe (in cache for a whole search) against the exact angle bins of the
  // reference's edges (18 bytes per reference star instead of its 128-byte mask block).
  const mask = P.starMask, binA = G.binA, binB = G.binB, rows = s.starRows;
  const masked = mask.length > 0 && gStart[1]! - gStart[0]! <= 16;
  hP[0] = p0; hG[0] = g0; hF[0] = -1; hE[0] = 0;
  let size = 1;
  let count = 0;
  while (size > 0) {
    // Pop the least error (binary heap; the same sift order as a textbook heap, so ties pop alike).
    const p: number = hP[0]!, g: number = hG[0]!, from: number = hF[0]!, err: number = hE[0]!;
    const n = --size;
    if (n > 0) {
      const lp = hP[n]!, lg = hG[n]!, lf = hF[n]!, le = hE[n]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && hE[c + 1]! < hE[c]!) c++;
        if (hE[c]! >= le) break;
        hP[i] = hP[c]!; hG[i] = hG[c]!; hF[i] = hF[c]!; hE[i] = hE[c]!;
        i = c;
      }
      hP[i] = lp; hG[i] = lg; hF[i] = lf; hE[i] = le;
    }
    const pp: number = pairP[p]!;
    if (pp === g) { pairSup[p]!++; if (from >= 0) pairSup[from]!++; continue; } // a second edge reached the pair
    if (pp !== -1 || pairG[g] !== -1) continue;
    pairP[p] = g; pairG[g] = p; pairErr[p] = err; pairSup[p] = 0; pairFrom[p] = from; listP[count++] = p;
    // Pair the stars of p and g. Candidate edge pairs: those whose angle masks intersect (a superset
    // of the pairs within maxAngleError), tested exactly, in the order of a scan of g's star sorted by
    // length (ascending edge of p, then of g), so that pushes and ties are as in a plain scan.
    const ps: number = pStart[p]!, pe: number = pStart[p + 1]!, gs: number = gStart[g]!;
    if (masked) {
      // rows[r]: bit t set when edge t of g's star and edge r of p's star may agree in both directions
      // (p's masks at the reference edge's bins), transposed so that the edge pairs are visited as in a
      // scan ordered by p's edge, then g's.
      const pm: number = 2 * p * STAR_BINS, ge: number = gStart[g + 1]!;
      let any = 0;
      for (let f: number = gs, t = 1; f < ge; f++, t <<= 1) {
        let m: number = mask[pm + binA[f]!]! & mask[pm + STAR_BINS + binB[f]!]!;
        any |= m;
        while (m !== 0) { const low: number = m & -m; m ^= low; rows[31 - Math.clz32(low)]! |= t; }
      }
      // Visit p's edges that have candidates (the set bits of `any`), ascending as a scan would.
      while (any !== 0) {
        const lowE: number = any & -any;
        any ^= lowE;
        const r: number = 31 - Math.clz32(lowE), e: number = ps + r;
        let m: number = rows[r]!;
        rows[r] = 0;
        const L: number = pLen[e]!, lo = L - dTol, hi = L + dTol, ea = pA[e]!, eb = pB[e]!, pn = pTo[e]!;
        do {
          const low: number = m & -m;
          m ^= low;
          const f4: number = 4 * (gs + 31 - Math.clz32(low));
          const gl: number = gRec[f4]!;
          if (gl < lo || gl > hi) continue;
          let da = Math.abs(ea - gRec[f4 + 1]!), db = Math.abs(eb - gRec[f4 + 2]!);
          da = Math.min(da, TWO_PI - da); db = Math.min(db, TWO_PI - db);
          if (Math.max(da, db) > aTol) continue;
          const gn: number = gRec[f4 + 3]!;
          const pnp = pairP[pn]!;
          if (pnp === gn) { if (pn !== from) { pairSup[p]!++; pairSup[pn]!++; } continue; }
          if (pnp !== -1 || pairG[gn] !== -1) continue;
          size = heapPush(s, size, pn, gn, p, Math.abs(gl - L) / dTol + (da + db) / aTol);
        } while (m !== 0);
      }
      continue;
    }
    // Stars too large for masks (more than 16 edges): both sorted by length, so a sliding window over g's star.
    const ge: number = gStart[g + 1]!;
    let lo: number = gs;
    for (let e: number = ps; e < pe; e++) {
      const L: number = pLen[e]!;
      while (lo < ge && gLen[lo]! < L - dTol) lo++;
      const hi = L + dTol;
      if (lo >= ge) break; // every later probe edge is longer still
      const ea = pA[e]!, eb = pB[e]!;
      for (let f: number = lo; f < ge; f++) {
        const gl: number = gLen[f]!;
        if (gl > hi) break;
        let da = Math.abs(ea - gA[f]!), db = Math.abs(eb - gB[f]!);
        da = Math.min(da, TWO_PI - da); db = Math.min(db, TWO_PI - db);
        if (Math.max(da, db) > aTol) continue;
        const pn = pTo[e]!, gn = gTo[f]!;
        const pnp = pairP[pn]!;
        if (pnp === gn) { if (pn !== from) { pairSup[p]!++; pairSup[pn]!++; } continue; }
        if (pnp !== -1 || pairG[gn] !== -1) continue;
        size = heapPush(s, size, pn, gn, p, Math.abs(gl - L) / dTol + (da + db) / aTol);
      }
    }
  }
  return count;
}

/**
 * Push a candidate pair (probe minutia, reference minutia, the pair it was reached from, its error) on
 * the expansion heap: sift up, ties stay below their equal parent. Returns the new heap size.
 */
function heapPush(s: MatchScratch, size: number, pn: number, gn: number, from: number, err: number): number {
  const hP = s.heapP, hG = s.heapG, hF = s.heapF, hE = s.heapE;
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (hE[parent]! <= err) break;
    hP[i] = hP[parent]!; hG[i] = hG[parent]!; hF[i] = hF[parent]!; hE[i] = hE[parent]!;
    i = parent;
  }
  hP[i] = pn; hG[i] = gn; hF[i] = from; hE[i] = err;
  return size + 1;
}

/** Empty the pairing of `count` pairs (listP) so that pairP/pairG are all −1 again. */
function release(s: MatchScratch, count: number): void {
  const pairP = s.pairP, pairG = s.pairG, listP = s.listP;
  for (let k = 0; k < count; k++) { const p = listP[k]!; pairG[pairP[p]!] = -1; pairP[p] = -1; }
}

/** Least-squares rigid transform of the current pairing (listP/pairP, `count` pairs), into s.tDx/tDy/tRot. */
function fitRigid(P: PreparedTemplate, G: PreparedTemplate, count: number, s: MatchScratch): void {
  if (count === 0) { s.tDx = 0; s.tDy = 0; s.tRot = 0; s.tCos = 1; s.tSin = 0; return; }
  const listP = s.listP, pairP = s.pairP, px = P.x, py = P.y, gx = G.x, gy = G.y;
  // y-up coordinates u = (x, -y): reference u ≈ R(r) u_probe + t.
  let mpx = 0, mpy = 0, mgx = 0, mgy = 0;
  for (let k = 0; k < count; k++) {
    const p = listP[k]!, g = pairP[p]!;
    mpx += px[p]!; mpy -= py[p]!; mgx += gx[g]!; mgy -= gy[g]!;
  }
  mpx /= count; mpy /= count; mgx /= count; mgy /= count;
  let sdot = 0, scross = 0;
  for (let k = 0; k < count; k++) {
    const p = listP[k]!, g = pairP[p]!;
    const ax = px[p]! - mpx, ay = -py[p]! - mpy, bx = gx[g]! - mgx, by = -gy[g]! - mgy;
    sdot += ax * bx + ay * by; scross += ax * by - ay * bx;
  }
  let r: number;
  if (count >= 2 && sdot * sdot + scross * scross > 1e-9) r = Math.atan2(scross, sdot);
  else {
    // With one pair (or coincident points) the minutia directions give the rotation.
    let sdir = 0, cdir = 0;
    for (let k = 0; k < count; k++) {
      const p = listP[k]!, g = pairP[p]!;
      const d = G.dir[g]! - P.dir[p]!;
      sdir += Math.sin(d); cdir += Math.cos(d);
    }
    r = Math.atan2(sdir, cdir);
  }
  const c = Math.cos(r), sn = Math.sin(r);
  const tx = mgx - (c * mpx - sn * mpy), ty = mgy - (sn * mpx + c * mpy);
  const rot = wrap2pi(r);
  s.tDx = tx; s.tDy = -ty; s.tRot = rot;
  // cos and sin of tRot (for the overlap test): those of r when wrapping left it unchanged.
  if (rot === r) { s.tCos = c; s.tSin = sn; } else { s.tCos = Math.cos(rot); s.tSin = Math.sin(rot); }
}

/**
 * Summed evidence of the current pairing (at most the pair count). Evidence of each pair: 1 for an
 * exact edge fit, falling linearly with its edge error (length error / maxDistanceError + angle
 * errors / maxAngleError, 0..3), times unsupportedWeight without a confirming edge and
 * typeMismatchWeight when the types differ. The score is this x the overlap share (`overlapScore`).
 */
function evidence(P: PreparedTemplate, G: PreparedTemplate, count: number, s: MatchScratch): number {
  if (count < 2) return 0;
  const prm = P.params;
  const listP = s.listP, pairP = s.pairP, pairErr = s.pairErr, pairSup = s.pairSup, pt = P.type, gt = G.type;
  const scale = prm.pairErrorScale, unsup = prm.unsupportedWeight, mism = prm.typeMismatchWeight;
  let eff = 0;
  for (let k = 0; k < count; k++) {
    const p = listP[k]!;
    const w = (1 - pairErr[p]! / scale) * (pairSup[p]! > 0 ? 1 : unsup);
    eff += pt[p] === gt[pairP[p]!] ? w : w * mism;
  }
  return eff;
}

/** Quality weights of the paired minutiae, probe side (into s.pairedWp) and reference side (s.pairedWg). */
function pairedWeights(P: PreparedTemplate, G: PreparedTemplate, count: number, s: MatchScratch): void {
  const listP = s.listP, pairP = s.pairP, pw = P.weight, gw = G.weight;
  let wp = 0, wg = 0;
  for (let k = 0; k < count; k++) { const p = listP[k]!; wp += pw[p]!; wg += gw[pairP[p]!]!; }
  s.pairedWp = wp; s.pairedWg = wg;
}

/**
 * Upper bound of the overlap share before the transform is known: the overlap holds at least the paired
 * minutiae, so each share is at most paired / max(paired, minOverlap).
 */
function shareBound(s: MatchScratch, minOverlap: number): number {
  const pairedWp = s.pairedWp, pairedWg = s.pairedWg;
  return Math.sqrt((pairedWp / Math.max(pairedWp, minOverlap)) * (pairedWg / Math.max(pairedWg, minOverlap)));
}

/**
 * Score of the current pairing: `ev` (its evidence) x the geometric mean of the two quality-weighted
 * paired shares, each taken over the minutiae inside the common area (the other template's minutiae
 * hull, mapped by the pairing's rigid transform s.tDx/tDy/tRot, plus `overlapMargin`). Needs
 * `pairedWeights` of the same pairing first. Returns 0 instead when, after the probe side, the score
 * is known not to exceed `best` (an exact early exit: the reference share is at most
 * paired / max(paired, minOverlap)).
 */
function overlapScore(P: PreparedTemplate, G: PreparedTemplate, s: MatchScratch, ev: number, best: number): number {
  const mo = P.params.minOverlap, pairedWp = s.pairedWp, pairedWg = s.pairedWg;
  const c = s.tCos, sn = s.tSin, tdx = s.tDx, tdy = s.tDy;
  const pairP = s.pairP, pairG = s.pairG;
  // Probe minutiae mapped into the reference, tested against the reference's area.
  const px = P.x, py = P.y, pw = P.weight, np = P.n;
  const gArea = G.area, gCols = G.areaCols, gRows = G.areaRows, gx0 = G.areaX0, gy0 = G.areaY0;
  // Early exit: the sums only grow, and once wpOver >= stopP the score cannot exceed `best`
  // (stopP solves ev x sqrt(pairedWp / wpOver x bound of the reference share) = best, with slack).
  const shareGBound = pairedWg / Math.max(pairedWg, mo);
  const grow = ev * (1 + EXIT_SLACK);
  const stopP = best > 0 ? (pairedWp * shareGBound * grow * grow) / (best * best) : Infinity;
  let wpOver = 0;
  for (let p = 0; p < np; p++) {
    if (wpOver >= stopP) return 0;
    if (pairP[p] !== -1) { wpOver += pw[p]!; continue; }
    const X = c * px[p]! + sn * py[p]! + tdx, Y = -sn * px[p]! + c * py[p]! + tdy;
    // Cell (floor of fx, fy): inside the raster exactly when 0 <= fx < cols and 0 <= fy < rows,
    // where the floor is a truncation.
    const fx = (X - gx0) / AREA_CELL, fy = (Y - gy0) / AREA_CELL;
    if (fx >= 0 && fy >= 0 && fx < gCols && fy < gRows) { const i = (fy | 0) * gCols + (fx | 0); if ((gArea[i >> 3]! >> (i & 7)) & 1) wpOver += pw[p]!; }
  }
  const shareP = pairedWp / Math.max(wpOver, mo);
  if (ev * Math.sqrt(shareP * shareGBound) * (1 + BOUND_SLACK) <= best) return 0;
  const stopG = best > 0 ? (pairedWg * shareP * grow * grow) / (best * best) : Infinity;
  // Reference minutiae mapped back into the probe (inverse transform), tested against the probe's area.
  const gx = G.x, gy = G.y, gw = G.weight, ng = G.n;
  const pArea = P.area, pCols = P.areaCols, pRows = P.areaRows, px0 = P.areaX0, py0 = P.areaY0;
  let wgOver = 0;
  for (let g = 0; g < ng; g++) {
    if (wgOver >= stopG) return 0;
    if (pairG[g] !== -1) { wgOver += gw[g]!; continue; }
    const u = gx[g]! - tdx, v = gy[g]! - tdy;
    const X = c * u - sn * v, Y = sn * u + c * v;
    const fx = (X - px0) / AREA_CELL, fy = (Y - py0) / AREA_CELL;
    if (fx >= 0 && fy >= 0 && fx < pCols && fy < pRows) { const i = (fy | 0) * pCols + (fx | 0); if ((pArea[i >> 3]! >> (i & 7)) & 1) wgOver += gw[g]!; }
  }
  return ev * Math.sqrt(shareP * (pairedWg / Math.max(wgOver, mo)));
}

/**
 * Global consolidation of the winning pairing: every still unpaired probe minutia is mapped by the
 * pairing's rigid fit into the reference and paired with the nearest unpaired reference minutia
 * within `consolidationDistance` and `consolidationAngle`, if any (greedy, probe order). This recovers
 * mates whose neighbour edges were lost to missing or spurious minutiae nearby, as BOZORTH3's and
 * SourceAFIS's local-to-global steps do. Such pairs carry no edge support, so they count as
 * unsupported, with an error from their residual. Returns the new pair count.
 */
function consolidate(P: PreparedTemplate, G: PreparedTemplate, count: number, s: MatchScratch): number {
  const prm = P.params;
  const R = prm.consolidationDistance, A = prm.consolidationAngle;
  if (!(R > 0)) return count;
  const rot = s.bestRot, c = Math.cos(rot), sn = Math.sin(rot), tdx = s.bestDx, tdy = s.bestDy;
  const pairP = s.pairP, pairG = s.pairG, pairSup = s.pairSup, pairErr = s.pairErr, listP = s.listP;
  const px = P.x, py = P.y, pdir = P.dir, gx = G.x, gdir = G.dir, ng = G.n;
  const byY = G.byY, ySorted = G.ySorted;
  const R2 = R * R, win = R + 1e-6;
  const yFirst = ySorted[0]!, yLast = ySorted[ng - 1]!, ySpan = yLast > yFirst ? ng / (yLast - yFirst) : 0;
  // The area box spans [areaX0, areaX0 + areaCols x AREA_CELL] and reaches at least overlapMargin
  // beyond every minutia (prepare), so with R <= overlapMargin a point over 1 px outside it has none within R.
  const xBox = G.areaCols > 0 && R <= prm.overlapMargin, xLo = G.areaX0 - 1, xHi = G.areaX0 + G.areaCols * AREA_CELL + 1;
  for (let p = 0; p < P.n; p++) {
    if (pairP[p] !== -1) continue;
    const X = c * px[p]! + sn * py[p]! + tdx, Y = -sn * px[p]! + c * py[p]! + tdy;
    const dir = wrap2pi(pdir[p]! + rot);
    // Nearest qualifying reference minutia (ties: the higher index, as a scan by index keeping the
    // last of equals would give), searched among those within R in y (a superset of those within R).
    let bestG = -1, bestD = R2;
    const y0 = Y - win, y1 = Y + win;
    // No reference minutia within R in y, or in x (every one lies in the area raster's box, which
    // extends overlapMargin beyond them).
    if (y1 < yFirst || y0 > yLast || (xBox && (X < xLo || X > xHi))) continue;
    // Lower bound (first k with ySorted[k] >= y0): guessed by interpolation, then stepped to (the
    // minutiae are spread fairly evenly in y, so a step or two instead of a binary search).
    let lo = y0 <= yFirst ? 0 : Math.min(ng - 1, Math.floor((y0 - yFirst) * ySpan));
    while (lo > 0 && ySorted[lo - 1]! >= y0) lo--;
    while (lo < ng && ySorted[lo]! < y0) lo++;
    for (let k = lo; k < ng && ySorted[k]! <= y1; k++) {
      const g = byY[k]!;
      if (pairG[g] !== -1) continue;
      const dx = gx[g]! - X, dy = ySorted[k]! - Y, d2 = dx * dx + dy * dy;
      if (d2 > bestD || (d2 === bestD && g < bestG) || adiff(gdir[g]!, dir) > A) continue;
      bestD = d2; bestG = g;
    }
    if (bestG < 0) continue;
    pairP[p] = bestG; pairG[bestG] = p; pairSup[p] = 0;
    pairErr[p] = Math.min(prm.pairErrorScale, Math.sqrt(bestD) / R + adiff(gdir[bestG]!, dir) / A);
    listP[count++] = p;
  }
  return count;
}

/**
 * Votes, then the roots: the `maxRoots` best-voted minutia pairs with summed weight above
 * minRootVotes (ties: lower probe, then lower reference index) in rootList, by insertion into a short
 * list sorted by votes. Returns their number.
 */
function selectRoots(P: PreparedTemplate, G: PreparedTemplate, idx: ProbeIndex, s: MatchScratch): number {
  const np = P.n, ng = G.n;
  const maxRoots = P.params.maxRoots;
  s.ensure(np, ng, starSize(P), starSize(G), maxRoots);
  s.nTouched = 0;
  if (++s.stamp === 0x7fffffff) { s.covered.fill(0); s.stamp = 1; }
  vote(P, G, idx, s);
  // One pass over the touched pairs: rank each into the short list and zero its votes (the votes are
  // clear again afterwards); the roots' votes stay in rootVotes.
  const votes = s.votes, touched = s.touched, rootList = s.rootList, rootV = s.rootVotes, nTouched = s.nTouched;
  let nRoots = 0, vLast = 0, cLast = 0; // the weakest root, once the list is full
  const minVotes = P.params.minRootVotes;
  for (let q = 0; q < nTouched; q++) {
    const c = touched[q]!;
    const v = votes[c]!;
    votes[c] = 0;
    if (v < minVotes || (nRoots === maxRoots && (v < vLast || (v === vLast && c > cLast)))) continue;
    let k = nRoots < maxRoots ? nRoots++ : nRoots - 1;
    while (k > 0 && (rootV[k - 1]! < v || (rootV[k - 1]! === v && rootList[k - 1]! > c))) { rootList[k] = rootList[k - 1]!; rootV[k] = rootV[k - 1]!; k--; }
    rootList[k] = c; rootV[k] = v;
    if (nRoots === maxRoots) { vLast = rootV[maxRoots - 1]!; cLast = rootList[maxRoots - 1]!; }
  }
  s.nTouched = 0;
  return nRoots;
}

/**
 * Touch every cache line of the reference's star records and edge bins, in order, before voting: a
 * gallery template is usually not in the caches when a 1:N search reaches it, and the expansion then
 * reaches its stars in a data-dependent order, one cache miss at a time. Independent loads in order
 * overlap and are prefetched instead (exhaustive 1:N about 8 % faster, measured A/B in one process
 * on the FVC .iso gallery). Changes no result.
 */
function warm(G: PreparedTemplate, s: MatchScratch): void {
  const rec = G.star, bins = G.binA, binsB = G.binB;
  let t = 0;
  for (let i = 0; i < rec.length; i += 16) t += rec[i]!;
  for (let i = 0; i < bins.length; i += 64) t += bins[i]! + binsB[i]!;
  s.sink = t;
}

/**
 * Pre-selection score for 1:N with the given scratch (see `preselectScore`); `idx` is the probe's
 * ProbeIndex.
 */
export function preselectWith(P: PreparedTemplate, G: PreparedTemplate, idx: ProbeIndex, s: MatchScratch): number {
  if (P.n < 2 || G.n < 2) return 0;
  const nRoots = selectRoots(P, G, idx, s);
  let sum = 0;
  for (let r = 0; r < nRoots; r++) sum += s.rootVotes[r]!;
  return sum / Math.sqrt(Math.max(1, P.rootEdges.length) * Math.max(1, G.rootEdges.length));
}

/**
 * Cheap pre-selection score for 1:N (no expansion): the summed vote weights of the roots, normalised by
 * sqrt(probe root edges x reference root edges). Ranks candidates roughly like `compare` at about a
 * third of its cost; `search` uses it with `preselect` to compare fully only the best candidates
 * (the usual two-stage AFIS search). Not a similarity to threshold.
 */
export function preselectScore(probe: PreparedTemplate, reference: PreparedTemplate): number {
  return preselectWith(probe, reference, probeIndex(probe), sharedScratch);
}

/** Keep the current pairing (listP etc., `count` pairs, transform s.t*) as the best so far. */
function keepBest(s: MatchScratch, count: number): void {
  const listP = s.listP, pairP = s.pairP, pairErr = s.pairErr, pairSup = s.pairSup;
  const bP = s.bestP, bG = s.bestG, bE = s.bestErr, bS = s.bestSup;
  for (let k = 0; k < count; k++) { const p = listP[k]!; bP[k] = p; bG[k] = pairP[p]!; bE[k] = pairErr[p]!; bS[k] = pairSup[p]!; }
  s.bestCount = count; s.bestDx = s.tDx; s.bestDy = s.tDy; s.bestRot = s.tRot;
}

/**
 * The comparison proper, on prepared templates with the probe's index and a scratch: returns the score
 * and leaves the best pairing in s.bestP/bestG/bestCount and its transform in s.bestDx/bestDy/bestRot.
 *
 * Pairings of fewer than minPairs pairs score 0 (they still cover their pairs, so no later root grows
 * them again). Exact early exits (they never change the result): a pairing is scored only if its pair
 * count, then its evidence, then its evidence x `shareBound` can beat the best so far (score <= evidence x share,
 * evidence <= pair count, share <= shareBound). The winning pairing is kept rather than grown again
 * for consolidation (growth is deterministic, so it is the same pairing); it is consolidated only
 * when it has at least minConsolidationPairs pairs.
 */
export function compareWith(P: PreparedTemplate, G: PreparedTemplate, idx: ProbeIndex, s: MatchScratch): number {
  s.bestCount = 0; s.bestDx = 0; s.bestDy = 0; s.bestRot = 0;
  const np = P.n, ng = G.n;
  if (np < 2 || ng < 2) return 0;
  const prm = P.params;
  warm(G, s);
  const nRoots = selectRoots(P, G, idx, s);
  const rootList = s.rootList, covered = s.covered, stamp = s.stamp, listP = s.listP, pairP = s.pairP;
  const minOverlap = prm.minOverlap, minPairs = Math.max(2, prm.minPairs);
  let best = 0;
  for (let r = 0; r < nRoots; r++) {
    const c = rootList[r]!;
    if (covered[c] === stamp) continue; // inside an earlier pairing: it would grow the same pairing again
    const p0 = (c / ng) | 0, g0 = c - p0 * ng;
    const count = expand(P, G, p0, g0, s);
    for (let k = 0; k < count; k++) covered[listP[k]! * ng + pairP[listP[k]!]!] = stamp;
    // Fewer than minPairs pairs scores 0; else score <= evidence <= pair count (shares are <= 1).
    if (count >= minPairs && count > best) {
      const ev = evidence(P, G, count, s);
      if (ev > best) {
        pairedWeights(P, G, count, s);
        if (ev * shareBound(s, minOverlap) * (1 + BOUND_SLACK) > best) {
          fitRigid(P, G, count, s);
          const sc = overlapScore(P, G, s, ev, best);
          if (sc > best) { best = sc; keepBest(s, count); }
        }
      }
    }
    release(s, count);
  }
  if (best > 0 && prm.consolidationDistance > 0 && s.bestCount >= prm.minConsolidationPairs) {
    // Resume the winning pairing, add globally consistent mates, score again.
    const pairG = s.pairG, pairErr = s.pairErr, pairSup = s.pairSup;
    const bP = s.bestP, bG = s.bestG, bE = s.bestErr, bS = s.bestSup;
    const n0 = s.bestCount;
    for (let k = 0; k < n0; k++) { const p = bP[k]!; listP[k] = p; pairP[p] = bG[k]!; pairG[bG[k]!] = p; pairErr[p] = bE[k]!; pairSup[p] = bS[k]!; }
    const count = consolidate(P, G, n0, s);
    fitRigid(P, G, count, s);
    const ev = evidence(P, G, count, s);
    pairedWeights(P, G, count, s);
    const sc = overlapScore(P, G, s, ev, best);
    if (sc > best) { best = sc; keepBest(s, count); }
    release(s, count);
  }
  return best;
}

/** The CompareResult of the best pairing left in a scratch by `compareWith`. */
export function resultOf(score: number, s: MatchScratch): CompareResult {
  const mated: MatedPair[] = [];
  for (let k = 0; k < s.bestCount; k++) mated.push({ probe: s.bestP[k]!, reference: s.bestG[k]! });
  return { score, mated, transform: { dx: s.bestDx, dy: s.bestDy, rotation: s.bestRot } };
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
  if (P.n < 2 || G.n < 2) return { score: 0, mated: [], transform: { dx: 0, dy: 0, rotation: 0 } };
  const score = compareWith(P, G, probeIndex(P), sharedScratch);
  return resultOf(score, sharedScratch);
}
