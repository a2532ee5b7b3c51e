/**
 * Confidence intervals for the EER by the subsets bootstrap (Bolle, Ratha & Pankanti, "Error analysis of
 * pattern recognition systems: the subsets bootstrap", Computer Vision and Image Understanding 93(1),
 * 2004): comparisons that share a finger are not independent, so the resampling unit is the finger, not
 * the comparison. Each resample draws as many fingers as the set holds, with replacement; a finger drawn m
 * times weighs its genuine pairs m, and an impostor pair between fingers p and q weighs m_p x m_q (pairs
 * between two copies of one finger are never impostors, so they are left out). The EER of the weighted
 * scores follows the FVC definition of {@link evaluate} (with every weight 1 it is exactly evaluate's EER).
 *
 * The interval is the percentile interval of the resampled EERs. For two systems scored on the same pairs
 * (for example the same prints enhanced two ways), {@link eerDifference} applies each resample to both, so
 * the finger-to-finger variation common to both cancels: the sturdy way to tell whether a change moved the
 * EER or the set's sampling noise did. Randomness is seeded (mulberry32): the same inputs and options give
 * the same interval.
 */
import { FingerliftError, invalidArgument } from '../errors.js';
import { Rng } from '../synthetic/random.js';
import type { PairScores } from './eval.js';

/** Defaults of {@link eerInterval} and {@link eerDifference}. */
export const BOOTSTRAP_DEFAULTS = {
  /** Resamples (Bolle et al. 2004 use 1,000; the percentile interval's ends settle to about 0.1 % EER there). */
  resamples: 1000,
  /** Two-sided confidence level of the percentile interval. */
  level: 0.95,
  /** Seed of the resampling (mulberry32). */
  seed: 1,
} as const;

/**
 * Fewest fingers for which an interval is worth reporting (`fingerlift eval` prints none below it): with
 * n fingers a resample draws one finger only (no impostor pair: the resample is dropped) with probability
 * n^(1-n), 50% for 2 fingers, 11% for 3, 0.16% for 5; and a handful of fingers is no sample of a population.
 */
export const MIN_INTERVAL_FINGERS = 5;

export interface BootstrapOptions {
  /** Number of resamples, an integer in [10, 100000] (default 1000). */
  resamples?: number;
  /** Confidence level in (0, 1) (default 0.95). */
  level?: number;
  /** Seed (any finite number; default 1). */
  seed?: number;
}

export interface EerInterval {
  /** EER of the scores as given (fraction, FVC definition). */
  eer: number;
  /** Percentile interval of the resampled EERs (fractions). */
  low: number;
  high: number;
  /** Median of the resampled EERs (fraction). */
  median: number;
  level: number;
  /** Resamples the interval rests on: those that drew a single finger (no impostor pair) are dropped. */
  resamples: number;
  /** Distinct fingers (labels) resampled. */
  fingers: number;
}

export interface EerDifference {
  /** EER of A minus EER of B, as given (fraction; negative: A has the lower EER). */
  difference: number;
  /** Percentile interval of the resampled differences (fractions). */
  low: number;
  high: number;
  /** Share of resamples in which A's EER is lower than B's (ties count half). */
  shareALower: number;
  a: EerInterval;
  b: EerInterval;
}

type Pair = PairScores['pairs'][number];

/** Pair lists sorted by score, with the finger indices of both sides. */
interface Prepared {
  scores: Float64Array;
  genuine: Uint8Array;
  fa: Int32Array;
  fb: Int32Array;
}

function checkOptions(options: BootstrapOptions, what: string): { resamples: number; level: number; seed: number } {
  if (options === null || typeof options !== 'object') throw invalidArgument(`${what}: options`, 'an options object { resamples?, level?, seed? }', options);
  const o = { ...BOOTSTRAP_DEFAULTS, ...options };
  if (!(Number.isInteger(o.resamples) && o.resamples >= 10 && o.resamples <= 100000)) throw invalidArgument(`${what}: resamples`, 'an integer in [10, 100000]', o.resamples);
  if (!(typeof o.level === 'number' && o.level > 0 && o.level < 1)) throw invalidArgument(`${what}: level`, 'a confidence level in (0, 1)', o.level);
  if (!(typeof o.seed === 'number' && Number.isFinite(o.seed))) throw invalidArgument(`${what}: seed`, 'a finite number', o.seed);
  return o;
}

/** Finger index per item, and the count of distinct fingers. */
function fingerIndex(labels: ReadonlyArray<string>, what: string): { of: Int32Array; count: number } {
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) throw invalidArgument(`${what}: labels`, 'an array of finger labels (strings), one per item', labels);
  const ids = new Map<string, number>();
  const of = new Int32Array(labels.length);
  labels.forEach((l, i) => {
    let k = ids.get(l);
    if (k === undefined) ids.set(l, (k = ids.size));
    of[i] = k;
  });
  return { of, count: ids.size };
}

function preparePairs(pairs: ReadonlyArray<Pair>, finger: Int32Array, what: string): Prepared {
  if (!Array.isArray(pairs) || pairs.length === 0) throw invalidArgument(`${what}: pairs`, "a non-empty array of { a, b, genuine, score } (allPairs' pairs)", pairs);
  const n = pairs.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = pairs[i]!;
    if (p === null || typeof p !== 'object' || !Number.isInteger(p.a) || !Number.isInteger(p.b) || p.a < 0 || p.b < 0 || p.a >= finger.length || p.b >= finger.length)
      throw invalidArgument(`${what}: pairs[${i}]`, `{ a, b } indices into the ${finger.length} labels`, p);
    if (!Number.isFinite(p.score)) throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: pairs[${i}] score is not finite (${p.score})`);
    const same = finger[p.a] === finger[p.b];
    if (same !== Boolean(p.genuine)) throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: pairs[${i}] is marked ${p.genuine ? 'genuine' : 'impostor'} but its labels ${same ? 'agree' : 'differ'}`);
    order[i] = i;
  }
  order.sort((x, y) => pairs[x]!.score - pairs[y]!.score || x - y);
  const out: Prepared = { scores: new Float64Array(n), genuine: new Uint8Array(n), fa: new Int32Array(n), fb: new Int32Array(n) };
  for (let k = 0; k < n; k++) {
    const p = pairs[order[k]!]!;
    out.scores[k] = p.score;
    out.genuine[k] = p.genuine ? 1 : 0;
    out.fa[k] = finger[p.a]!;
    out.fb[k] = finger[p.b]!;
  }
  return out;
}

/**
 * FVC EER of weighted genuine and impostor scores (sorted ascending in `p`): FMR(t) = impostor weight with
 * score >= t / all impostor weight, FNMR(t) = genuine weight with score < t / all genuine weight, at every
 * distinct score and one above the largest; the EER interval rule of evaluate(). NaN when one side has no weight.
 */
function weightedEer(p: Prepared, m: Float64Array | undefined): number {
  const n = p.scores.length;
  let G = 0, I = 0;
  for (let k = 0; k < n; k++) {
    const w = weight(p, k, m);
    if (p.genuine[k]) G += w;
    else I += w;
  }
  if (!(G > 0) || !(I > 0)) return NaN;
  // Walk the distinct thresholds ascending: below[t] = weight of scores < t on each side.
  let gBelow = 0, iBelow = 0;
  let p1f = NaN, p1m = NaN; // last point with FNMR <= FMR (t1)
  let p2f = NaN, p2m = NaN; // first point with FNMR >= FMR (t2)
  let k = 0;
  for (;;) {
    const fnmr = gBelow / G;
    const fmr = (I - iBelow) / I;
    if (fnmr <= fmr) { p1f = fnmr; p1m = fmr; }
    if (Number.isNaN(p2f) && fnmr >= fmr) { p2f = fnmr; p2m = fmr; }
    if (k >= n) break;
    const s = p.scores[k]!;
    while (k < n && p.scores[k] === s) {
      const w = weight(p, k, m);
      if (p.genuine[k]) gBelow += w;
      else iBelow += w;
      k++;
    }
  }
  // Thresholds start at the smallest score (FNMR 0 <= FMR there), and end above the largest (FMR 0): both exist.
  if (p1f + p1m <= p2m + p2f) return (p1f + p1m) / 2;
  return (p2m + p2f) / 2;
}

function weight(p: Prepared, k: number, m: Float64Array | undefined): number {
  if (!m) return 1;
  return p.genuine[k] ? m[p.fa[k]!]! : m[p.fa[k]!]! * m[p.fb[k]!]!;
}

function resampleWeights(rng: Rng, fingers: number, into: Float64Array): void {
  into.fill(0);
  for (let i = 0; i < fingers; i++) into[rng.int(fingers)]!++;
}

function percentile(sorted: Float64Array, q: number): number {
  // Linear interpolation between order statistics (type 7 of Hyndman & Fan 1996).
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (h - lo);
}

function interval(eer: number, draws: Float64Array, level: number, fingers: number): EerInterval {
  const ok = draws.filter((v) => !Number.isNaN(v)).sort();
  const a = (1 - level) / 2;
  return { eer, low: percentile(ok, a), high: percentile(ok, 1 - a), median: percentile(ok, 0.5), level, resamples: ok.length, fingers };
}

/**
 * EER with a subsets-bootstrap confidence interval over fingers (Bolle, Ratha & Pankanti 2004).
 * @param labels finger label per item (as given to allPairs), length = number of items.
 * @param pairs the scored pairs of those items (allPairs(...).pairs: indices a, b into `labels`).
 * @returns the EER as given and the percentile interval of `resamples` resampled EERs (fractions).
 * @throws FingerliftError E_INVALID_ARGUMENT for labels that are not strings, pairs that do not index the
 *   labels or whose genuine flag disagrees with them, a non-finite score, fewer than 2 fingers, no genuine
 *   or no impostor pair, or options out of range.
 */
export function eerInterval(labels: ReadonlyArray<string>, pairs: ReadonlyArray<Pair>, options: BootstrapOptions = {}): EerInterval {
  const o = checkOptions(options, 'eerInterval');
  const f = fingerIndex(labels, 'eerInterval');
  const p = preparePairs(pairs, f.of, 'eerInterval');
  checkSides(p, f.count, 'eerInterval');
  const rng = new Rng(o.seed);
  const m = new Float64Array(f.count);
  const draws = new Float64Array(o.resamples);
  for (let r = 0; r < o.resamples; r++) {
    resampleWeights(rng, f.count, m);
    draws[r] = weightedEer(p, m);
  }
  return interval(weightedEer(p, undefined), draws, o.level, f.count);
}

/**
 * Paired subsets bootstrap of EER(A) - EER(B) for two systems scored on the same pairs of the same items
 * (each resample of fingers applied to both): the interval of the difference excludes 0 when the change
 * is larger than what the choice of fingers explains.
 * @param pairsA, pairsB allPairs(...).pairs of the two systems over the same items, in the same order.
 * @throws FingerliftError E_INVALID_ARGUMENT as {@link eerInterval}, and when the two pair lists do not
 *   hold the same pairs in the same order.
 */
export function eerDifference(labels: ReadonlyArray<string>, pairsA: ReadonlyArray<Pair>, pairsB: ReadonlyArray<Pair>, options: BootstrapOptions = {}): EerDifference {
  const o = checkOptions(options, 'eerDifference');
  const f = fingerIndex(labels, 'eerDifference');
  if (!Array.isArray(pairsA) || !Array.isArray(pairsB) || pairsA.length !== pairsB.length)
    throw new FingerliftError('E_INVALID_ARGUMENT', `eerDifference: the two systems must be scored on the same pairs (${Array.isArray(pairsA) ? pairsA.length : 'no'} vs ${Array.isArray(pairsB) ? pairsB.length : 'no'} pairs)`);
  for (let i = 0; i < pairsA.length; i++)
    if (pairsA[i]?.a !== pairsB[i]?.a || pairsA[i]?.b !== pairsB[i]?.b)
      throw new FingerliftError('E_INVALID_ARGUMENT', `eerDifference: pair ${i} is (${pairsA[i]?.a}, ${pairsA[i]?.b}) for A but (${pairsB[i]?.a}, ${pairsB[i]?.b}) for B: the two systems must be scored on the same pairs in the same order`);
  const pa = preparePairs(pairsA, f.of, 'eerDifference');
  const pb = preparePairs(pairsB, f.of, 'eerDifference');
  checkSides(pa, f.count, 'eerDifference');
  const rng = new Rng(o.seed);
  const m = new Float64Array(f.count);
  const da = new Float64Array(o.resamples), db = new Float64Array(o.resamples), dd = new Float64Array(o.resamples);
  let lower = 0, valid = 0;
  for (let r = 0; r < o.resamples; r++) {
    resampleWeights(rng, f.count, m);
    da[r] = weightedEer(pa, m);
    db[r] = weightedEer(pb, m);
    dd[r] = da[r]! - db[r]!;
    if (!Number.isNaN(dd[r]!)) {
      valid++;
      lower += dd[r]! < 0 ? 1 : dd[r] === 0 ? 0.5 : 0;
    }
  }
  const a = interval(weightedEer(pa, undefined), da, o.level, f.count);
  const b = interval(weightedEer(pb, undefined), db, o.level, f.count);
  const d = interval(a.eer - b.eer, dd, o.level, f.count);
  return { difference: d.eer, low: d.low, high: d.high, shareALower: valid > 0 ? lower / valid : NaN, a, b };
}

function checkSides(p: Prepared, fingers: number, what: string): void {
  if (fingers < 2) throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: the items hold ${fingers} finger(s); resampling fingers needs at least 2`);
  let g = 0;
  for (let k = 0; k < p.genuine.length; k++) g += p.genuine[k]!;
  if (g === 0 || g === p.genuine.length) throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: ${g} genuine and ${p.genuine.length - g} impostor pairs; both are needed`);
}
