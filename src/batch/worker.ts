/**
 * Runs one batch input: imports the task module, builds the `BatchJob`, calls the task and turns any
 * failure into a `{ ok: false, code, message }` outcome. The same function runs inline (jobs = 1) and
 * as the piscina worker entry (its default export), so outputs are identical either way.
 */
import { link, lstat, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureDir, tempNameBeside } from '../image/io.js';
import { FingerliftError, isFingerliftError, printable, type ErrorCode } from '../errors.js';
import { fsErrorReason } from '../fsread.js';
import { sha256Hex } from '../audit/hash.js';
import { cvError } from '../cv/index.js';
import type { AuditTrail, TrailOutput } from '../audit/trail.js';
import { loadTrail } from '../audit/verify.js';
import type { BatchErrorCode, BatchFields, BatchJob, BatchTask, BatchTaskResult, ReplacedOutputs } from './types.js';

/** Plain-data description of one job (crosses to worker threads by structured clone). */
export interface JobSpec {
  /** URL (file:) of the task module. */
  taskModule: string;
  /** Export name of the task function. */
  task: string;
  input: string;
  name: string;
  outStem: string;
  trailPath: string;
  force: boolean;
  options: unknown;
  index: number;
  /** Inputs of the batch that this job's outputs could reach (real paths): never written or removed. */
  protect?: string[];
  /**
   * Interruption flag shared with the batch runner (an Int32Array of length 1 over a SharedArrayBuffer):
   * non-zero once the batch is interrupted. A job not yet started does not start; one that has not
   * written yet stops before its first write (nothing of it on disk); one that has begun writing
   * finishes (milliseconds). So no input is left half-written.
   */
  abort?: Int32Array;
}

export type JobOutcome =
  | { ok: true; index: number; outputs: TrailOutput[]; trail?: { path: string; sha256: string }; fields: BatchFields; ms: number; replaced?: ReplacedOutputs }
  | { ok: false; index: number; code: BatchErrorCode; message: string; ms: number; interrupted?: true };

/** Thrown inside a job that stops because the batch was interrupted (never leaves the worker). */
class Interrupted extends Error {}

const interrupted = (spec: JobSpec): boolean => spec.abort !== undefined && Atomics.load(spec.abort, 0) !== 0;

const ERROR_CODES = new Set<string>([
  'E_DECODE', 'E_UNSUPPORTED_FORMAT', 'E_TOO_LARGE', 'E_TOO_SMALL', 'E_NOT_FOUND', 'E_EXISTS', 'E_NO_FINGER',
  'E_TEMPLATE_FORMAT', 'E_TOO_FEW_MINUTIAE', 'E_INVALID_ARGUMENT', 'E_CV', 'E_VERIFY', 'E_WRITE',
]);

/**
 * Write a file atomically: the bytes go to a temporary file beside it first (a short hidden name,
 * `tempNameBeside`, so a real name near the 255-byte limit still fits), so a crash never leaves half a
 * file under the real name. Without `force` the temporary file is hard-linked to the name, which fails
 * when the name exists (E_EXISTS: never overwritten); with `force` it is renamed over it. Removing the
 * temporary file afterwards never replaces the error of the write itself.
 * @throws FingerliftError E_EXISTS as said; E_WRITE naming the file when the folder or file cannot be
 *   written (permissions, a file in the way, disk full, a name too long).
 */
export async function writeOutputFile(path: string, bytes: Uint8Array | string, force: boolean): Promise<void> {
  const tmp = tempNameBeside(path);
  try {
    await ensureDir(dirname(path));
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
    if (force) await rename(tmp, path);
    else {
      try {
        await link(tmp, path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST')
          throw new FingerliftError('E_EXISTS', `output exists, not overwritten (use --force): ${path}`, { input: path });
        throw e;
      }
    }
  } catch (e) {
    if (e instanceof FingerliftError) throw e;
    throw new FingerliftError('E_WRITE', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { input: path, cause: e });
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

const modules = new Map<string, Promise<Record<string, unknown>>>();
let tsxRegistered = false;

/**
 * Import a module; a TypeScript task module (running from source) needs tsx's ESM hooks. Node 20
 * ignores `--import` in worker-thread execArgv for ESM hooks, so they are registered here through
 * tsx's API (tsx is a devDependency: only source checkouts and tests run .ts task modules).
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !/\.[mc]?ts$/.test(new URL(url).pathname) || tsxRegistered) throw e;
    const api = (await import('tsx/esm/api')) as { register: () => unknown };
    api.register();
    tsxRegistered = true;
    // A failed import is cached under its URL: import again under a distinct one.
    return (await import(`${url}${url.includes('?') ? '&' : '?'}tsx`)) as Record<string, unknown>;
  }
}

async function loadTask(spec: JobSpec): Promise<BatchTask> {
  let mod = modules.get(spec.taskModule);
  if (!mod) {
    mod = importModule(spec.taskModule);
    modules.set(spec.taskModule, mod);
  }
  const fn = (await mod)[spec.task];
  if (typeof fn !== 'function') throw new FingerliftError('E_INVALID_ARGUMENT', `task module ${spec.taskModule} has no function export "${spec.task}"`);
  return fn as BatchTask;
}

function toFailure(e: unknown): { code: BatchErrorCode; message: string } {
  if (isFingerliftError(e)) return { code: e.code, message: e.message };
  // A WebAssembly trap that escaped withMats: OpenCV is reset so that the next input does not inherit it.
  if (e instanceof WebAssembly.RuntimeError) { const f = cvError(e, 'OpenCV') as FingerliftError; return { code: f.code, message: f.message }; }
  const err = e as { code?: unknown; message?: unknown };
  if (typeof err?.code === 'string' && ERROR_CODES.has(err.code)) return { code: err.code as ErrorCode, message: String(err.message) };
  // A file system error that escaped a task: E_NOT_FOUND for a path that cannot be reached, named with its cause.
  if (typeof err?.code === 'string' && ['ENOENT', 'EACCES', 'EPERM', 'ELOOP', 'ENOTDIR', 'ENAMETOOLONG'].includes(err.code)) {
    const path = (e as NodeJS.ErrnoException).path;
    return { code: 'E_NOT_FOUND', message: `${path !== undefined ? `${printable(path)}: ` : ''}${fsErrorReason(e)}` };
  }
  return { code: 'E_INTERNAL', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}

/** An output that would land on an input of the batch is refused, with or without --force. */
function refuseInput(path: string, spec: JobSpec): void {
  if (spec.protect?.includes(path) || path === resolve(spec.input))
    throw new FingerliftError('E_INVALID_ARGUMENT', `output ${path} would overwrite an input of this batch; choose another -o folder`, { input: spec.input });
}

/**
 * The files an earlier fingerlift run of this input recorded as its outputs, which --force may replace:
 * the outputs listed in the existing trail at `spec.trailPath` (when it is a valid fingerlift trail) that
 * lie in this input's output names (`<outStem>.*`, in the output folder), and that trail itself. Nothing
 * when there is no trail or it is not a valid one: a file no fingerlift run of this input recorded (a
 * dataset's own `101_1.iso`, a user's `a.f1.png`) is never replaced, with or without --force. (That the
 * trail is this input's, not another input's with the same output name, the batch runner checks before
 * the job starts: `resumeCheck` in run.ts.) Each path maps to the SHA-256 the trail recorded for it
 * (undefined for the trail itself).
 */
async function replaceableOutputs(spec: JobSpec): Promise<Map<string, string | undefined>> {
  let trail;
  try {
    trail = await loadTrail(spec.trailPath);
  } catch {
    return new Map();
  }
  const trailPath = resolve(spec.trailPath);
  const prefix = resolve(spec.outStem) + '.';
  const out = new Map<string, string | undefined>([[trailPath, undefined]]);
  for (const o of trail.outputs) {
    const path = resolve(dirname(trailPath), o.path);
    if (path.startsWith(prefix)) out.set(path, o.sha256);
  }
  return out;
}

/** E_EXISTS for an existing file at an output path that --force may not replace. */
function notOurs(path: string, spec: JobSpec): FingerliftError {
  return new FingerliftError(
    'E_EXISTS',
    `output ${path} exists and was not written by a fingerlift run of this input (no trail of it lists that file): not overwritten, also not with --force; choose another -o folder`,
    { input: spec.input },
  );
}

/**
 * With --force, the outputs the previous run of this input listed in its trail but this run did not
 * write (e.g. the overlays of a run with --overlays, redone without, or `enhance`'s pictures under an
 * `extract` run) are removed before the new trail replaces the old one: otherwise an old report or overlay
 * would sit beside the new trail as if it belonged to it. Removed only when it is provably that run's
 * output: a file of this input's stem in the output folder whose content still has the SHA-256 the old
 * trail recorded, and not an input of the batch. One whose content changed (edited since) is no longer
 * fingerlift's output: kept, and listed in `kept`. An unreadable old trail removes nothing (and returns
 * undefined). Returns what it did, with the command the old trail records.
 */
async function removeStaleOutputs(spec: JobSpec, written: readonly TrailOutput[]): Promise<Omit<ReplacedOutputs, 'overwritten' | 'overwrittenChanged'> | undefined> {
  let old: { command?: { name?: unknown }; outputs?: Array<{ path?: unknown; sha256?: unknown }> };
  try {
    old = JSON.parse(await readFile(spec.trailPath, 'utf8')) as typeof old;
  } catch {
    return undefined;
  }
  const report = { command: typeof old?.command?.name === 'string' ? old.command.name : null, removed: [] as string[], kept: [] as string[] };
  const keep = new Set(written.map((o) => o.path));
  const folder = dirname(resolve(spec.outStem)) + sep;
  const prefix = resolve(spec.outStem) + '.';
  for (const o of Array.isArray(old?.outputs) ? old.outputs : []) {
    if (typeof o?.path !== 'string' || typeof o.sha256 !== 'string' || keep.has(o.path)) continue;
    const path = resolve(dirname(spec.trailPath), o.path);
    if (!path.startsWith(folder) || !path.startsWith(prefix) || path === resolve(spec.trailPath) || path === resolve(spec.input) || spec.protect?.includes(path)) continue;
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes === undefined) continue; // already gone
    if (sha256Hex(bytes) !== o.sha256) {
      report.kept.push(o.path);
      continue;
    }
    await rm(path, { force: true });
    report.removed.push(o.path);
  }
  return report;
}

/** Run one job (inline or in a worker). Never throws: failures come back as outcomes. */
export default async function runJob(spec: JobSpec): Promise<JobOutcome> {
  const t0 = performance.now();
  const ms = (): number => Math.round((performance.now() - t0) * 1000) / 1000;
  const outputs: TrailOutput[] = [];
  let trailInfo: { path: string; sha256: string } | undefined;
  let replaced: ReplacedOutputs | undefined;
  const trailDir = dirname(spec.trailPath);
  // Which existing files --force may replace: read once, before this job's own trail replaces the old one.
  let replaceable: Promise<Map<string, string | undefined>> | undefined;
  const earlier = (): Promise<Map<string, string | undefined>> => (replaceable ??= replaceableOutputs(spec));
  /**
   * May the existing file at `path` be replaced? false when there is none; true with --force when an
   * earlier run of this input recorded it; otherwise E_EXISTS ("use --force" for such a recorded output,
   * "not written by a fingerlift run of this input" for any other file).
   */
  const replaces = async (path: string): Promise<boolean> => {
    const exists = await lstat(path).then(() => true, () => false); // unreadable: the write itself says why
    if (!exists) return false;
    if ((await earlier()).has(path)) {
      if (spec.force) return true;
      throw new FingerliftError('E_EXISTS', `output exists, not overwritten (use --force): ${path}`, { input: path });
    }
    throw notOurs(path, spec);
  };
  // The outputs are staged (written in full to temporary files beside their names) and put in place
  // together just before the trail, so that an output that may not be replaced refuses the input before
  // any file of it (or of an earlier run of it) is touched.
  const staged = new Map<string, { tmp: string; replace: boolean }>();
  const committed: string[] = [];
  // Files of the earlier run written over (paths relative to the trail's folder), and those of them edited since.
  const overwritten: string[] = [];
  const overwrittenChanged: string[] = [];
  const stage = async (path: string, bytes: Uint8Array | string): Promise<void> => {
    if (staged.size === 0 && interrupted(spec)) throw new Interrupted();
    let s = staged.get(path);
    if (!s) {
      s = { tmp: tempNameBeside(path), replace: await replaces(path) };
      staged.set(path, s);
    }
    try {
      await ensureDir(dirname(path));
      await writeFile(s.tmp, bytes);
    } catch (e) {
      throw new FingerliftError('E_WRITE', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { input: path, cause: e });
    }
  };
  /** Put every staged output in place (renamed over a replaceable file, else linked: never over another). */
  const commit = async (): Promise<void> => {
    for (const [path, s] of staged) {
      if (committed.includes(path)) continue;
      try {
        if (s.replace && path !== resolve(spec.trailPath)) {
          const rel = relative(trailDir, path).split('\\').join('/');
          const recorded = (await earlier()).get(path);
          const now = await readFile(path).then((b) => sha256Hex(b), () => undefined);
          overwritten.push(rel);
          if (now !== undefined && now !== recorded) overwrittenChanged.push(rel);
        }
        if (s.replace) await rename(s.tmp, path);
        else await link(s.tmp, path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw notOurs(path, spec); // appeared since it was staged
        throw new FingerliftError('E_WRITE', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { input: path, cause: e });
      }
      committed.push(path);
      await rm(s.tmp, { force: true }).catch(() => undefined);
    }
  };
  const job: BatchJob = {
    input: spec.input,
    name: spec.name,
    outStem: spec.outStem,
    trailPath: spec.trailPath,
    force: spec.force,
    options: spec.options,
    index: spec.index,
    async write(suffix: string, bytes: Uint8Array | string, trail?: AuditTrail): Promise<TrailOutput> {
      const path = resolve(spec.outStem + suffix);
      if (suffix.length === 0 || !path.startsWith(dirname(spec.outStem) + sep))
        throw new FingerliftError('E_INVALID_ARGUMENT', `output suffix "${suffix}" leaves the output folder`);
      refuseInput(path, spec);
      await stage(path, bytes);
      const rel = relative(trailDir, path).split('\\').join('/');
      const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
      const entry: TrailOutput = trail ? trail.output(rel, data) : { path: rel, sha256: sha256Hex(data), size: data.length };
      const i = outputs.findIndex((o) => o.path === rel);
      if (i >= 0) outputs[i] = entry;
      else outputs.push(entry);
      return entry;
    },
    async writeTrail(trail: AuditTrail): Promise<{ path: string; sha256: string }> {
      const text = trail.serialize();
      const trailPath = resolve(spec.trailPath);
      refuseInput(trailPath, spec);
      if (staged.size === 0 && interrupted(spec)) throw new Interrupted();
      const replace = await replaces(trailPath);
      await commit();
      if (spec.force && replace) {
        const r = await removeStaleOutputs(spec, outputs);
        if (r) replaced = { command: r.command, overwritten, overwrittenChanged, removed: r.removed, kept: r.kept };
      }
      try {
        await writeOutputFile(trailPath, text, replace);
      } catch (e) {
        throw isFingerliftError(e) && e.code === 'E_EXISTS' ? notOurs(trailPath, spec) : e;
      }
      trailInfo = { path: basename(spec.trailPath), sha256: sha256Hex(text) };
      return trailInfo;
    },
  };
  try {
    if (interrupted(spec)) throw new Interrupted(); // queued before the interruption: never started
    const task = await loadTask(spec);
    const result = (await task(job)) as BatchTaskResult | undefined;
    await commit(); // a task that writes no trail
    const out: JobOutcome = { ok: true, index: spec.index, outputs, fields: { ...(result?.fields ?? {}) }, ms: ms() };
    if (trailInfo) out.trail = trailInfo;
    if (replaced && out.ok) out.replaced = replaced;
    return out;
  } catch (e) {
    // A job that fails after putting some outputs in place (a name too long for the file system, a full
    // disk) leaves no partial set behind: the files it wrote are removed (its trail is written last, so
    // there is none), and a re-run is not refused by them.
    if (!trailInfo) for (const path of committed) await rm(path, { force: true }).catch(() => undefined);
    if (e instanceof Interrupted) return { ok: false, index: spec.index, code: 'E_INTERNAL', message: 'interrupted before its first output', ms: ms(), interrupted: true };
    return { ok: false, index: spec.index, ...toFailure(e), ms: ms() };
  } finally {
    for (const { tmp } of staged.values()) await rm(tmp, { force: true }).catch(() => undefined);
  }
}
