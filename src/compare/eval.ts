/**
 * The verification protocol: FMR, FNMR, EER, FNMR at fixed FMR, DET points and score histograms.
 *
 * Definitions follow the FVC protocol (Maio, Maltoni, Cappelli, Wayman & Jain, "FVC2000: Fingerprint
 * Verification Competition", IEEE TPAMI 24(3), 2002, §4; FVC2002/FVC2004 reuse them). A comparison is
 * accepted when its score is at least the threshold t (scores grow with evidence):
 * - FMR(t)  = share of impostor scores  >= t  (false match rate);
 * - FNMR(t) = share of genuine scores   <  t  (false non-match rate);
 * - EER: t1 = max{t : FNMR(t) <= FMR(t)}, t2 = min{t : FNMR(t) >= FMR(t)}; the interval
 *   [EERlow, EERhigh] is [FNMR(t1), FMR(t1)] when FNMR(t1) + FMR(t1) <= FMR(t2) + FNMR(t2), else
 *   [FMR(t2), FNMR(t2)]; EER = (EERlow + EERhigh) / 2 (FVC2000 §4, the "interpolated" EER).
 * - FNMR at FMR x ("FMR100" for x = 1 %, "FMR1000" for x = 0.1 %): the lowest FNMR over thresholds
 *   whose FMR is at most x, with that threshold.
 *
 * Candidate thresholds are every distinct score plus one above the largest (accept nothing).
 * Pairing for a labelled set (`allPairs`): genuine = every unordered pair of impressions of one
 * finger, impostor = every unordered pair of impressions of different fingers (for a 10 x 8 FVC "B"
 * set: 280 genuine and 2,880 impostor comparisons; ../shared/data/README.md).
 *
 * All functions here are pure; rates are fractions in [0, 1], not percent.
 */
import { FingerliftError, invalidArgument } from '../errors.js';

/** Default number of histogram bins over [min score, max score]. */
export const EVAL_DEFAULTS = { histogramBins: 40, fmrTargets: [0.01, 0.001] as number[] };

export interface DetPoint {
  threshold: number;
  fmr: number;
  fnmr: number;
}

export interface OperatingPoint {
  /** The FMR the point was asked for (fraction). */
  targetFmr: number;
  /** Smallest threshold with FMR <= targetFmr: accept when score >= threshold. */
  threshold: number;
  /** FMR reached at that threshold (fraction). */
  fmr: number;
  /** FNMR at that threshold (fraction). */
  fnmr: number;
}

export interface Histogram {
  /** Bin edges, length bins + 1; bin k holds scores in [edges[k], edges[k+1]) (the last bin is closed). */
  edges: number[];
  genuine: number[];
  impostor: number[];
}

export interface EvalResult {
  genuineCount: number;
  impostorCount: number;
  /** FVC EER (fraction): the midpoint of [eerLow, eerHigh]. */
  eer: number;
  eerLow: number;
  eerHigh: number;
  /** Threshold at the EER (t1 or t2 of the FVC definition, whichever gave the interval). */
  eerThreshold: number;
  /** One entry per asked FMR (default 1 % and 0.1 %). */
  operatingPoints: OperatingPoint[];
  /** Every candidate threshold, descending FMR. */
  det: DetPoint[];
  histogram: Histogram;
  genuineMean: number;
  impostorMean: number;
}

export interface EvaluateOptions {
  histogramBins?: number;
  /** FMR values (fractions) at which to report FNMR and the threshold. Default [0.01, 0.001]. */
  fmrTargets?: number[];
}

function checkScores(name: string, s: ArrayLike<number>): Float64Array {
  if (s === null || typeof s !== 'object' || typeof s.length !== 'number') throw invalidArgument(`evaluate: ${name}`, 'an array (or typed array) of scores', s);
  if (s.length === 0) throw new FingerliftError('E_INVALID_ARGUMENT', `evaluate: ${name} scores are empty`);
  const out = Float64Array.from(s);
  for (let i = 0; i < out.length; i++)
    if (!Number.isFinite(out[i]!)) throw new FingerliftError('E_INVALID_ARGUMENT', `evaluate: ${name} score ${i} is not finite (${out[i]})`);
  return out.sort();
}

/**
 * FVC verification figures from genuine and impostor score lists.
 * @throws FingerliftError E_INVALID_ARGUMENT when a list is not an array, is empty or holds a non-finite
 *   score, or for options out of range.
 */
export function evaluate(genuine: ArrayLike<number>, impostor: ArrayLike<number>, options: EvaluateOptions = {}): EvalResult {
  if (options === null || typeof options !== 'object') throw invalidArgument('evaluate: options', 'an options object { histogramBins?, fmrTargets? }', options);
  if (options.fmrTargets !== undefined && !Array.isArray(options.fmrTargets)) throw invalidArgument('evaluate: fmrTargets', 'an array of FMR values in [0, 1]', options.fmrTargets);
  const bins = options.histogramBins ?? EVAL_DEFAULTS.histogramBins;
  const targets = options.fmrTargets ?? EVAL_DEFAULTS.fmrTargets;
  if (!Number.isInteger(bins) || bins < 1) throw new FingerliftError('E_INVALID_ARGUMENT', `evaluate: histogramBins must be a positive integer, got ${bins}`);
  const g = checkScores('genuine', genuine);
  const im = checkScores('impostor', impostor);
  const ng = g.length, ni = im.length;

  // Candidate thresholds: distinct scores ascending, then one above the maximum.
  const all = Float64Array.from([...g, ...im]).sort();
  const thr: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) thr.push(all[i]!);
  const top = thr[thr.length - 1]!;
  thr.push(top + Math.max(1e-9, Math.abs(top) * 1e-9));

  // Sweep: count genuine < t and impostor >= t with two pointers.
  const det: DetPoint[] = new Array(thr.length);
  let gi = 0, ii = 0;
  for (let k = 0; k < thr.length; k++) {
    const t = thr[k]!;
    while (gi < ng && g[gi]! < t) gi++;
    while (ii < ni && im[ii]! < t) ii++;
    det[k] = { threshold: t, fmr: (ni - ii) / ni, fnmr: gi / ng };
  }

  // FVC EER.
  let k1 = -1, k2 = -1;
  for (let k = 0; k < det.length; k++) if (det[k]!.fnmr <= det[k]!.fmr) k1 = k; // max t with FNMR <= FMR
  for (let k = 0; k < det.length; k++) if (det[k]!.fnmr >= det[k]!.fmr) { k2 = k; break; } // min t with FNMR >= FMR
  let eerLow: number, eerHigh: number, eerThreshold: number;
  const p1 = k1 >= 0 ? det[k1]! : undefined, p2 = det[k2 >= 0 ? k2 : det.length - 1]!;
  if (p1 && p1.fnmr + p1.fmr <= p2.fmr + p2.fnmr) { eerLow = p1.fnmr; eerHigh = p1.fmr; eerThreshold = p1.threshold; }
  else { eerLow = p2.fmr; eerHigh = p2.fnmr; eerThreshold = p2.threshold; }

  const operatingPoints = targets.map((target): OperatingPoint => {
    if (!(target >= 0 && target <= 1)) throw new FingerliftError('E_INVALID_ARGUMENT', `evaluate: FMR target ${target} outside [0, 1]`);
    // FMR falls as t rises: the first (smallest) t with FMR <= target has the lowest FNMR.
    const p = det.find((d) => d.fmr <= target)!; // the last point has FMR 0
    return { targetFmr: target, threshold: p.threshold, fmr: p.fmr, fnmr: p.fnmr };
  });

  const lo = all[0]!, hi = top;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * width);
  const hist = (s: Float64Array): number[] => {
    const h = new Array<number>(bins).fill(0);
    for (const v of s) h[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
    return h;
  };
  const mean = (s: Float64Array): number => s.reduce((a, b) => a + b, 0) / s.length;
  return {
    genuineCount: ng,
    impostorCount: ni,
    eer: (eerLow + eerHigh) / 2,
    eerLow,
    eerHigh,
    eerThreshold,
    operatingPoints,
    det,
    histogram: { edges, genuine: hist(g), impostor: hist(im) },
    genuineMean: mean(g),
    impostorMean: mean(im),
  };
}

/**
 * DET points as CSV text: header `threshold,fmr,fnmr`, one line per candidate threshold.
 * @throws FingerliftError E_INVALID_ARGUMENT for a result without a `det` array (from `evaluate`).
 */
export function detCsv(result: Pick<EvalResult, 'det'>): string {
  if (!Array.isArray(result?.det)) throw invalidArgument('detCsv', "evaluate()'s result { det: DetPoint[] }", result);
  return 'threshold,fmr,fnmr\n' + result.det.map((d) => `${d.threshold},${d.fmr},${d.fnmr}`).join('\n') + '\n';
}

/** A template (or anything comparable) with its finger label. */
export interface Labelled<T> {
  /** Finger identity (e.g. "101" for 101_3.tif): items with the same label form genuine pairs. */
  label: string;
  item: T;
  /** Optional name (file) of the item. */
  id?: string;
}

export interface PairScores {
  genuine: number[];
  impostor: number[];
  /** Indices into the input list (a < b) and the score, in comparison order. */
  pairs: Array<{ a: number; b: number; genuine: boolean; score: number }>;
}

/**
 * Runs every unordered pair (a < b) of `items` through `score(items[a].item, items[b].item)`:
 * same finger -> genuine, else impostor. With n items that is n(n-1)/2 comparisons.
 * @throws FingerliftError E_INVALID_ARGUMENT when items is not an array of { label, item }, score is not a
 *   function, or there is no genuine or no impostor pair.
 */
export function allPairs<T>(items: ReadonlyArray<Labelled<T>>, score: (a: T, b: T) => number): PairScores {
  if (!Array.isArray(items)) throw invalidArgument('allPairs: items', 'an array of { label, item }', items);
  items.forEach((it, i) => {
    if (it === null || typeof it !== 'object' || typeof it.label !== 'string') throw invalidArgument(`allPairs: items[${i}]`, '{ label: string, item }', it);
  });
  if (typeof score !== 'function') throw invalidArgument('allPairs: score', 'a function (a, b) => number', score);
  const out: PairScores = { genuine: [], impostor: [], pairs: [] };
  for (let a = 0; a < items.length; a++)
    for (let b = a + 1; b < items.length; b++) {
      const s = score(items[a]!.item, items[b]!.item);
      const genuine = items[a]!.label === items[b]!.label;
      (genuine ? out.genuine : out.impostor).push(s);
      out.pairs.push({ a, b, genuine, score: s });
    }
  if (out.genuine.length === 0 || out.impostor.length === 0)
    throw new FingerliftError('E_INVALID_ARGUMENT', `allPairs: ${items.length} items give ${out.genuine.length} genuine and ${out.impostor.length} impostor pairs; both are needed`);
  return out;
}
