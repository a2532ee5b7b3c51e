/**
 * 1:N search: one probe against a prepared gallery, candidates ranked by score (highest first).
 *
 * Single-threaded: the probe is prepared once (its tolerant edge index is built once), then compared
 * with every gallery template in order. For galleries past a few hundred thousand templates, split the
 * gallery over worker threads (each searching its share, then merge the rankings); the per-core rate is
 * in bench/compare.ts.
 */
import { FingerliftError } from '../errors.js';
import type { Template } from '../minutiae/types.js';
import { compare, preselectScore, type CompareResult } from './match.js';
import { isPrepared, prepare, type PreparedTemplate } from './prepare.js';

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

/**
 * Rank a prepared gallery against a probe.
 * @param probe Template or PreparedTemplate.
 * @param gallery PreparedTemplate[] (prepare each with its id once, keep them).
 * @returns at most `top` candidates, by score descending (ties: lower gallery index first).
 * @throws FingerliftError E_INVALID_ARGUMENT for a non-positive `top` or a gallery entry that is not a
 *   PreparedTemplate; E_TEMPLATE_FORMAT from `prepare` for a malformed probe.
 */
export function search(probe: Template | PreparedTemplate, gallery: ReadonlyArray<PreparedTemplate>, options: SearchOptions = {}): SearchCandidate[] {
  const top = options.top ?? 10;
  const minScore = options.minScore ?? 0;
  if (!Number.isInteger(top) || top < 1) throw new FingerliftError('E_INVALID_ARGUMENT', `search: top must be a positive integer, got ${top}`);
  const pre = options.preselect;
  if (pre !== undefined && (!Number.isInteger(pre) || pre < 1)) throw new FingerliftError('E_INVALID_ARGUMENT', `search: preselect must be a positive integer, got ${pre}`);
  const P = isPrepared(probe) ? probe : prepare(probe, { id: 'probe' });
  gallery.forEach((G, i) => {
    if (!isPrepared(G)) throw new FingerliftError('E_INVALID_ARGUMENT', `search: gallery[${i}] is not a PreparedTemplate (call prepare(template, { id }) first)`);
  });
  let order: number[] = gallery.map((_, i) => i);
  if (pre !== undefined && pre < gallery.length) {
    const ps = new Float64Array(gallery.length);
    for (let i = 0; i < gallery.length; i++) ps[i] = preselectScore(P, gallery[i]!);
    order = order.sort((a, b) => ps[b]! - ps[a]! || a - b).slice(0, pre).sort((a, b) => a - b);
  }
  const best: SearchCandidate[] = [];
  for (const i of order) {
    const G = gallery[i]!;
    const result = compare(P, G);
    if (result.score < minScore || result.score === 0) continue;
    if (best.length === top && result.score <= best[top - 1]!.score) continue;
    const cand: SearchCandidate = { index: i, ...(G.id !== undefined ? { id: G.id } : {}), score: result.score, result };
    let k = best.length < top ? best.length : top - 1;
    if (best.length < top) best.push(cand);
    while (k > 0 && best[k - 1]!.score < cand.score) { best[k] = best[k - 1]!; k--; }
    best[k] = cand;
  }
  return best;
}
