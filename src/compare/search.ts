/**
 * 1:N search: one probe against a prepared gallery, candidates ranked by score (highest first).
 *
 * Single-threaded here: the probe is prepared once (its tolerant edge index is built once), then
 * compared with every gallery template in order, with one set of scratch buffers for the whole search.
 * `SearchPool` (pool.ts) runs the same shard functions below on worker threads over a shared copy of
 * the gallery and merges the shards' rankings, with results identical to `search`. Rates per core and
 * per thread count: bench/compare.ts.
 */
import { FingerliftError, invalidArgument } from '../errors.js';
import type { Template } from '../minutiae/types.js';
import { compareWith, MatchScratch, preselectWith, resultOf, type CompareResult } from './match.js';
import { isPrepared, prepare, probeIndex as probeIndexOf, type PreparedTemplate, type ProbeIndex } from './prepare.js';

export interface SearchOptions {
  /** Number of candidates returned (default 10). */
  top?: number;
  /** Candidates scoring below this are left out (default 0: keep all up to `top`). */
  minScore?: number;
  /**
   * Two-stage search: rank the whole gallery by `preselectScore` (votes only, no expansion) and
   * compare fully only the best `preselect` candidates. Default: off (every gallery template is
   * compared fully: exact). Trades a measured risk of missing a mate (bench/compare.ts) for speed.
   */
  preselect?: number;
}

export interface SearchCandidate {
  /** Position in the gallery array. */
  index: number;
  /** The gallery template's id (from `prepare(template, { id })`), when it has one. */
  id?: string;
  score: number;
  /** Full comparison result (mated minutiae, transform). */
  result: CompareResult;
}

/** Validated `top`, `minScore` and `preselect` of SearchOptions. */
export function searchSettings(options: SearchOptions): { top: number; minScore: number; preselect: number | undefined } {
  if (options === null || typeof options !== 'object') throw invalidArgument('search: options', 'an options object { top?, minScore?, preselect? }', options);
  const top = options.top ?? 10;
  const minScore = options.minScore ?? 0;
  if (!Number.isInteger(top) || top < 1) throw new FingerliftError('E_INVALID_ARGUMENT', `search: top must be a positive integer, got ${top}`);
  const pre = options.preselect;
  if (pre !== undefined && (!Number.isInteger(pre) || pre < 1)) throw new FingerliftError('E_INVALID_ARGUMENT', `search: preselect must be a positive integer, got ${pre}`);
  if (typeof minScore !== 'number' || Number.isNaN(minScore)) throw new FingerliftError('E_INVALID_ARGUMENT', `search: minScore must be a number, got ${String(minScore)}`);
  return { top, minScore, preselect: pre };
}

/** Ranking order of candidates: score descending, then gallery index ascending. */
export function byRank(a: { score: number; index: number }, b: { score: number; index: number }): number {
  return b.score - a.score || a.index - b.index;
}

/**
 * The `top` best of the listed gallery entries (`indices`, ascending; all of `lo` .. `hi` − 1 when
 * omitted) against a prepared probe, by score descending then index ascending; scores of 0 or below
 * `minScore` are left out. Only candidates entering the list get their mated minutiae and transform
 * materialised. Shared by `search` and the worker threads of `SearchPool`, so both rank alike.
 */
export function searchShard(
  P: PreparedTemplate, idx: ProbeIndex, gallery: ReadonlyArray<PreparedTemplate>, scratch: MatchScratch,
  top: number, minScore: number, lo: number, hi: number, indices?: ArrayLike<number>,
): SearchCandidate[] {
  const best: SearchCandidate[] = [];
  const m = indices ? indices.length : hi - lo;
  for (let q = 0; q < m; q++) {
    const i = indices ? indices[q]! : lo + q;
    const G = gallery[i]!;
    const score = compareWith(P, G, idx, scratch);
    if (score < minScore || score === 0) continue;
    if (best.length === top && score <= best[top - 1]!.score) continue;
    const cand: SearchCandidate = { index: i, ...(G.id !== undefined ? { id: G.id } : {}), score, result: resultOf(score, scratch) };
    let k = best.length < top ? best.length : top - 1;
    if (best.length < top) best.push(cand);
    while (k > 0 && best[k - 1]!.score < cand.score) { best[k] = best[k - 1]!; k--; }
    best[k] = cand;
  }
  return best;
}

/** Pre-selection scores (`preselectScore`) of gallery entries lo .. hi − 1 against a prepared probe. */
export function preselectShard(P: PreparedTemplate, idx: ProbeIndex, gallery: ReadonlyArray<PreparedTemplate>, scratch: MatchScratch, lo: number, hi: number): Float64Array {
  const out = new Float64Array(hi - lo);
  for (let i = lo; i < hi; i++) out[i - lo] = preselectWith(P, gallery[i]!, idx, scratch);
  return out;
}

/** The gallery entries kept by pre-selection: the `pre` best scores (ties: lower index), ascending. */
export function preselected(scores: Float64Array, pre: number): Int32Array {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  return Int32Array.from(order.sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, pre).sort((a, b) => a - b));
}

/** Check that the gallery is an array and every entry a PreparedTemplate. */
export function checkGallery(gallery: ReadonlyArray<unknown>): asserts gallery is ReadonlyArray<PreparedTemplate> {
  if (!Array.isArray(gallery)) throw invalidArgument('search: gallery', 'an array of PreparedTemplate (prepare(template, { id }) each)', gallery);
  gallery.forEach((G, i) => {
    if (!isPrepared(G)) throw new FingerliftError('E_INVALID_ARGUMENT', `search: gallery[${i}] is not a PreparedTemplate (call prepare(template, { id }) first)`);
  });
}

/**
 * Rank a prepared gallery against a probe (one thread; `SearchPool` for several).
 * @param probe Template or PreparedTemplate.
 * @param gallery PreparedTemplate[] (prepare each with its id once, keep them).
 * @returns at most `top` candidates, by score descending (ties: lower gallery index first).
 * @throws FingerliftError E_INVALID_ARGUMENT for a non-positive `top` or `preselect`, a gallery that is
 *   not an array or an entry that is not a PreparedTemplate; E_TEMPLATE_FORMAT from `prepare` for a
 *   malformed probe (also for one that is not a template object).
 */
export function search(probe: Template | PreparedTemplate, gallery: ReadonlyArray<PreparedTemplate>, options: SearchOptions = {}): SearchCandidate[] {
  const { top, minScore, preselect: pre } = searchSettings(options);
  checkGallery(gallery);
  const P = isPrepared(probe) ? probe : prepare(probe, { id: 'probe' });
  const idx = probeIndexOf(P);
  const scratch = new MatchScratch();
  if (pre !== undefined && pre < gallery.length) {
    const chosen = preselected(preselectShard(P, idx, gallery, scratch, 0, gallery.length), pre);
    return searchShard(P, idx, gallery, scratch, top, minScore, 0, 0, chosen);
  }
  return searchShard(P, idx, gallery, scratch, top, minScore, 0, gallery.length);
}
