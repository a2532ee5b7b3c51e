/**
 * 1:N search on worker threads: `SearchPool` packs a prepared gallery once into shared memory
 * (pack.ts), starts `threads` worker threads (piscina) that read it without copying, and answers
 * each search by splitting the gallery into contiguous shards, searching them in parallel with the
 * same functions as the single-thread `search`, and merging the shards' rankings (score descending,
 * then gallery index ascending). The results are identical to `search(probe, gallery, options)`,
 * including with `preselect` (the pre-selection scores are gathered from every shard first, then the
 * chosen entries compared). Rates by thread count: bench/compare.ts.
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { Piscina } from 'piscina';
import { FingerliftError, invalidArgument } from '../errors.js';
import type { Template } from '../minutiae/types.js';
import { packGallery } from './pack.js';
import { workerExecArgv } from '../workers.js';
import { isPrepared, prepare, type PreparedTemplate } from './prepare.js';
import { byRank, checkGallery, preselected, search, searchSettings, type SearchCandidate, type SearchOptions } from './search.js';
import type { SearchTask } from './search-worker.js';

/** Shards per thread per search at most (several, so that a slow thread does not hold the others up). */
const SHARDS_PER_THREAD = 4;
/**
 * Smallest shard, gallery templates: a task costs a message each way and, once per thread and probe,
 * the probe's preparation (about as much as 10 to 20 comparisons), so shards are kept well above that.
 */
const MIN_SHARD = 128;
/** Idle worker threads exit after this many ms (piscina `idleTimeout`); the pool restarts them on demand. */
const WORKER_IDLE_MS = 30_000;

/** Most worker threads a SearchPool accepts (each costs about 25 MB and a share of the gallery). */
export const MAX_SEARCH_THREADS = 256;

export interface SearchPoolOptions {
  /**
   * Worker threads (default `os.availableParallelism()`), at most MAX_SEARCH_THREADS; never more than the
   * gallery has templates (extra threads would have nothing to search). 1 searches in the calling thread, no workers.
   */
  threads?: number;
}

let probeKeys = 0;

export class SearchPool {
  /** Number of worker threads (1: searches run in the calling thread). */
  readonly threads: number;
  private readonly gallery: ReadonlyArray<PreparedTemplate>;
  private pool: Piscina | undefined;
  private closed = false;

  /**
   * @param gallery PreparedTemplate[] (prepared once, with ids); packed into shared memory once here.
   * @throws FingerliftError E_INVALID_ARGUMENT for a gallery entry that is not a PreparedTemplate or
   *   a `threads` that is not an integer in [1, MAX_SEARCH_THREADS].
   */
  constructor(gallery: ReadonlyArray<PreparedTemplate>, options: SearchPoolOptions = {}) {
    checkGallery(gallery);
    if (options === null || typeof options !== 'object') throw invalidArgument('SearchPool: options', 'an options object { threads? }', options);
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_SEARCH_THREADS)
      throw new FingerliftError('E_INVALID_ARGUMENT', `SearchPool: threads must be an integer in [1, ${MAX_SEARCH_THREADS}], got ${threads}`);
    this.threads = Math.min(threads, Math.max(1, gallery.length));
    this.gallery = gallery.slice();
    if (this.threads > 1) {
      const workerUrl = new URL(`./search-worker${extname(new URL(import.meta.url).pathname)}`, import.meta.url).href;
      this.pool = new Piscina({
        filename: workerUrl, minThreads: this.threads, maxThreads: this.threads, idleTimeout: WORKER_IDLE_MS,
        workerData: { gallery: packGallery(this.gallery) }, execArgv: workerExecArgv(workerUrl),
      });
    }
  }

  /** Gallery size. */
  get size(): number {
    return this.gallery.length;
  }

  /**
   * Rank the gallery against a probe; the same result as `search(probe, gallery, options)`.
   * @throws FingerliftError E_INVALID_ARGUMENT for bad options, a closed pool, or a PreparedTemplate
   *   probe whose source minutiae are missing (the workers prepare the probe from its source);
   *   E_TEMPLATE_FORMAT from `prepare` for a malformed probe.
   */
  async search(probe: Template | PreparedTemplate, options: SearchOptions = {}): Promise<SearchCandidate[]> {
    if (this.closed) throw new FingerliftError('E_INVALID_ARGUMENT', 'SearchPool.search: the pool is closed');
    const { top, minScore, preselect: pre } = searchSettings(options);
    const P = isPrepared(probe) ? probe : prepare(probe, { id: 'probe' });
    if (!this.pool) return search(P, this.gallery, options);
    if (P.source.minutiae.length !== P.n)
      throw new FingerliftError('E_INVALID_ARGUMENT', `SearchPool.search: probe ${P.id ?? ''} has no source minutiae to send to the worker threads`);
    const pool = this.pool;
    const N = this.gallery.length;
    const base = { probeKey: ++probeKeys, probe: P.source, params: { ...P.params }, top, minScore };
    const shards = (m: number): Array<[number, number]> => {
      const k = Math.min(m, this.threads * Math.max(1, Math.min(SHARDS_PER_THREAD, Math.floor(m / (this.threads * MIN_SHARD)))));
      return Array.from({ length: k }, (_, s) => [Math.floor((s * m) / k), Math.floor(((s + 1) * m) / k)] as [number, number]).filter(([a, b]) => b > a);
    };
    let parts: SearchCandidate[][];
    if (pre !== undefined && pre < N) {
      const scores = new Float64Array(N);
      await Promise.all(shards(N).map(async ([lo, hi]) => {
        scores.set((await pool.run({ ...base, kind: 'preselect', lo, hi } satisfies SearchTask)) as Float64Array, lo);
      }));
      const chosen = preselected(scores, pre);
      parts = await Promise.all(shards(chosen.length).map(([a, b]) =>
        pool.run({ ...base, kind: 'search', lo: 0, hi: 0, indices: chosen.slice(a, b) } satisfies SearchTask) as Promise<SearchCandidate[]>));
    } else {
      parts = await Promise.all(shards(N).map(([lo, hi]) => pool.run({ ...base, kind: 'search', lo, hi } satisfies SearchTask) as Promise<SearchCandidate[]>));
    }
    return parts.flat().sort(byRank).slice(0, top);
  }

  /** Stop the worker threads. Searches still running finish first. */
  async close(): Promise<void> {
    this.closed = true;
    const p = this.pool;
    this.pool = undefined;
    if (p) await p.close();
  }
}

/**
 * One-off threaded search: start a pool, search, close it. For repeated searches keep a SearchPool
 * (packing the gallery and starting threads cost more than a search of a small gallery).
 * @throws FingerliftError as `SearchPool` and `search` (E_INVALID_ARGUMENT for a gallery that is not an
 *   array of PreparedTemplate, options out of range; E_TEMPLATE_FORMAT for a malformed probe).
 */
export async function searchThreaded(probe: Template | PreparedTemplate, gallery: ReadonlyArray<PreparedTemplate>, options: SearchOptions & SearchPoolOptions = {}): Promise<SearchCandidate[]> {
  if (options === null || typeof options !== 'object') throw invalidArgument('searchThreaded: options', 'an options object { top?, minScore?, preselect?, threads? }', options);
  const pool = new SearchPool(gallery, { ...(options.threads !== undefined ? { threads: options.threads } : {}) });
  try {
    return await pool.search(probe, options);
  } finally {
    await pool.close();
  }
}
