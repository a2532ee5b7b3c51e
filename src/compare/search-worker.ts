/**
 * Worker-thread side of `SearchPool` (piscina task module): unpacks the shared gallery once per
 * thread (from piscina's workerData), prepares each probe once per thread (prepare is deterministic,
 * so it equals the caller's), and runs the same shard functions as the single-thread `search`.
 */
import { workerData } from 'piscina';
import type { Template } from '../minutiae/types.js';
import { MatchScratch } from './match.js';
import { unpackGallery, withGalleryShape, type PackedGallery } from './pack.js';
import type { CompareParams } from './params.js';
import { prepare, probeIndex, type PreparedTemplate, type ProbeIndex } from './prepare.js';
import { preselectShard, searchShard, type SearchCandidate } from './search.js';

/** One task: a shard of a search. Plain data. */
export interface SearchTask {
  /** Distinguishes probes, so a thread prepares each probe once even when it runs several shards. */
  probeKey: number;
  probe: Template;
  params: CompareParams;
  kind: 'preselect' | 'search';
  lo: number;
  hi: number;
  /** For kind 'search' after pre-selection: the gallery entries to compare (ascending). */
  indices?: Int32Array;
  top: number;
  minScore: number;
}

let gallery: PreparedTemplate[] | undefined;
const scratch = new MatchScratch();
/** Probes prepared in this thread, most recent last (several searches may be in flight at once). */
const PROBE_CACHE = 16;
const probes = new Map<number, { P: PreparedTemplate; idx: ProbeIndex }>();

function probeOf(task: SearchTask): { P: PreparedTemplate; idx: ProbeIndex } {
  const hit = probes.get(task.probeKey);
  if (hit) return hit;
  // Given the gallery's object shape, so that the comparison code sees one shape only.
  const P = withGalleryShape(prepare(task.probe, { id: 'probe', params: task.params }));
  const entry = { P, idx: probeIndex(P) };
  probes.set(task.probeKey, entry);
  if (probes.size > PROBE_CACHE) probes.delete(probes.keys().next().value!);
  return entry;
}

export default function runSearchTask(task: SearchTask): Float64Array | SearchCandidate[] {
  gallery ??= unpackGallery((workerData as { gallery: PackedGallery }).gallery);
  const { P, idx } = probeOf(task);
  if (task.kind === 'preselect') return preselectShard(P, idx, gallery, scratch, task.lo, task.hi);
  return searchShard(P, idx, gallery, scratch, task.top, task.minScore, task.lo, task.hi, task.indices);
}
