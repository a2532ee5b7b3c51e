/**
 * Types shared by the batch runner, its worker and task modules.
 *
 * A task is an async function exported by a module (`taskModule` + export name `task`), so that worker
 * threads can import it: `(job: BatchJob<O>) => Promise<BatchTaskResult>`. It reads `job.input`,
 * writes its files through `job.write` (never overwriting without `force`) and its trail last through
 * `job.writeTrail`, and returns summary fields (counts, scores).
 */
import type { ErrorCode } from '../errors.js';
import type { AuditTrail, TrailOutput } from '../audit/trail.js';

/**
 * Error code of a failed input: a FingerliftError code, or E_INTERNAL for an unexpected exception
 * (a bug, or a worker that died).
 */
export type BatchErrorCode = ErrorCode | 'E_INTERNAL';

export interface BatchFailure {
  /** The input as given (absolute path of the file, or the pattern that matched nothing). */
  path: string;
  /** The input's output name (as `BatchDone.name`); absent for inputs that matched no file. */
  name?: string;
  code: BatchErrorCode;
  message: string;
  /** Milliseconds spent before failing (absent for inputs that were never run). */
  ms?: number;
}

/** Summary values of one input (minutiae count, fingertips, score, ...): flat, JSON and CSV friendly. */
export type BatchFields = Record<string, string | number | boolean | null>;

export interface BatchDone {
  path: string;
  /** Output name (see InputFile.name). */
  name: string;
  /** `done`: ran now; `skipped`: --resume found its outputs and trail matching. */
  status: 'done' | 'skipped';
  /** Files written (paths relative to the trail's folder, as in the trail). */
  outputs: TrailOutput[];
  /** The trail file and its SHA-256, when the task wrote one. */
  trail?: { path: string; sha256: string };
  fields: BatchFields;
  ms: number;
  /** Present when this input ran with `force` over an earlier run's trail: what became of that run's files. */
  replaced?: ReplacedOutputs;
}

/**
 * What a `force` run did to the files an earlier fingerlift run of the same input recorded in the trail
 * it replaced. Paths relative to the trail's folder, as trails record them; each list in trail order.
 */
export interface ReplacedOutputs {
  /** The command that trail records (e.g. "enhance"), or null when it names none. */
  command: string | null;
  /**
   * That run's outputs written over by this run (the same names); its trail is replaced too, not listed.
   * Each still had the SHA-256 that run recorded: a file edited since is never written over (the input is
   * refused with E_EXISTS naming it, and nothing of it changes).
   */
  overwritten: string[];
  /** That run's outputs this run does not write, removed (their content still had the recorded SHA-256). */
  removed: string[];
  /**
   * That run's outputs this run does not write whose content no longer has the recorded SHA-256 (edited
   * since, so no longer fingerlift's output): kept, not removed; no trail lists them any more.
   */
  kept: string[];
}

export interface BatchResult {
  /** Inputs that succeeded, in input order. */
  done: BatchDone[];
  /** Inputs that failed (including patterns that matched nothing), in input order. */
  failed: BatchFailure[];
  /** Wall time of the whole batch, milliseconds. */
  ms: number;
  /**
   * Present when the batch was interrupted (`RunBatchOptions.signal`): the abort reason (e.g. "SIGINT"),
   * the inputs finished (done, skipped or failed; their outputs are complete) and the inputs in total.
   * The unfinished inputs are in neither `done` nor `failed` and left no files.
   */
  interrupted?: { reason: string; finished: number; total: number };
}

/** What a task returns. */
export interface BatchTaskResult {
  /** Summary fields for the summary file. */
  fields?: BatchFields;
}

/** What a task receives. Everything but the methods is plain data (it crosses to worker threads). */
export interface BatchJob<O = unknown> {
  /** Absolute path of the input file. */
  input: string;
  /** Output name, '/'-separated, without extension (e.g. "sub/101_1"). */
  name: string;
  /** Absolute output path without extension: outputs are `${outStem}<suffix>`. */
  outStem: string;
  /** Where the trail goes: `${outStem}.trail.json`. */
  trailPath: string;
  /** Replace the outputs an earlier fingerlift run of this input recorded in its trail (never other files). */
  force: boolean;
  /** The command's options, as given to runBatch (structured-cloned into workers). */
  options: O;
  /** Position of the input in the batch (0-based). */
  index: number;
  /**
   * Write `${outStem}${suffix}` (e.g. suffix ".png"); creates folders. The bytes are staged beside the
   * name and put in place with the others just before the trail (`writeTrail`, or when the task returns),
   * so a refused output leaves every existing file untouched. An existing file is replaced only with
   * `force` and only when the existing trail of this input (`trailPath`, a previous fingerlift run) lists
   * it and its content still has the SHA-256 that trail recorded; otherwise FingerliftError E_EXISTS (a
   * file no fingerlift run of this input recorded, or one edited since, is never replaced). If the job
   * fails before its trail is in place, every name is given back what it held (see `runJob`). Returns its trail entry, path relative to the trail's folder. Record it with
   * `trail.output(entry.path, bytes)` or pass the trail to record it.
   */
  write(suffix: string, bytes: Uint8Array | string, trail?: AuditTrail): Promise<TrailOutput>;
  /** Put the staged outputs in place, then write the trail (last) to `trailPath`; an existing trail is
   *  replaced only with `force` and when it is a valid fingerlift trail. */
  writeTrail(trail: AuditTrail): Promise<{ path: string; sha256: string }>;
}

export type BatchTask<O = unknown> = (job: BatchJob<O>) => Promise<BatchTaskResult | void>;
