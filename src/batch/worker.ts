/**
 * Runs one batch input: imports the task module, builds the `BatchJob`, calls the task and turns any
 * failure into a `{ ok: false, code, message }` outcome. The same function runs inline (jobs = 1) and
 * as the piscina worker entry (its default export), so outputs are identical either way.
 */
import { constants as fsConstants } from 'node:fs';
import { copyFile, link, lstat, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
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
    throw cannotWrite(path, e);
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

/** Most trails read in a folder when looking for the run that wrote a file (`otherRunOf`). */
const MAX_TRAILS_SCANNED = 10_000;

/**
 * The trail (other than this input's) in the folder of `path` that lists `path` among its outputs, with
 * the command and input it records: "corrupt.trail.json, lift of corrupt.jpg". Undefined when none does
 * (or the folder cannot be read). Trails that are not valid fingerlift trails are passed over.
 */
async function otherRunOf(path: string, spec: JobSpec): Promise<string | undefined> {
  const abs = resolve(path);
  const folder = dirname(abs);
  const own = resolve(spec.trailPath);
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => n.toLowerCase().endsWith('.trail.json')).sort();
  } catch {
    return undefined;
  }
  for (const name of names.slice(0, MAX_TRAILS_SCANNED)) {
    const trailPath = join(folder, name);
    if (trailPath === own) continue;
    const trail = await loadTrail(trailPath).catch(() => undefined);
    if (trail?.outputs.some((o) => resolve(folder, o.path) === abs))
      return `${name}, ${trail.command?.name ?? 'a run'} of ${basename(trail.input.path)}`;
  }
  return undefined;
}

/**
 * E_EXISTS for an existing file at an output path that --force may not replace: named as another run's
 * output when a trail in its folder lists it (`otherRunOf`), else as a file no trail lists.
 */
async function notOurs(path: string, spec: JobSpec): Promise<FingerliftError> {
  const other = await otherRunOf(path, spec);
  if (other !== undefined)
    return new FingerliftError(
      'E_EXISTS',
      `output ${path} exists and is an output of another run (${other}): not overwritten, also not with --force; choose another -o folder for this run`,
      { input: spec.input },
    );
  return new FingerliftError(
    'E_EXISTS',
    `output ${path} exists and was not written by a fingerlift run of this input (no trail of it lists that file): not overwritten, also not with --force. A run killed outright (SIGKILL, a crash, a power loss) after writing some outputs and before its trail leaves such files: if that is what it is, remove it by hand and run again; otherwise choose another -o folder`,
    { input: spec.input },
  );
}

/**
 * With --force, the outputs the previous run of this input listed in its trail but this run did not
 * write (e.g. the overlays of a run with --overlays, redone without, or `enhance`'s pictures under an
 * `extract` run) are taken away before the new trail replaces the old one: otherwise an old report or overlay
 * would sit beside the new trail as if it belonged to it. Taken away only when it is provably that run's
 * output: a file of this input's stem in the output folder whose content still has the SHA-256 the old
 * trail recorded, and not an input of the batch. One whose content changed (edited since) is no longer
 * fingerlift's output: kept, and listed in `kept`. Each is moved aside (`moveAside`, renamed to a hidden
 * temporary name beside it), not deleted: the job deletes it only once its new trail is written, and puts it
 * back if the job fails before that. An unreadable old trail takes nothing away (and returns undefined).
 * Returns what it did, with the command the old trail records.
 */
async function removeStaleOutputs(
  spec: JobSpec,
  written: readonly TrailOutput[],
  moveAside: (path: string) => Promise<void>,
): Promise<Omit<ReplacedOutputs, 'overwritten'> | undefined> {
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
    if (bytes === undefined) continue; // already gone (or not a file: left as it is)
    if (sha256Hex(bytes) !== o.sha256) {
      report.kept.push(o.path);
      continue;
    }
    await moveAside(path);
    report.removed.push(o.path);
  }
  return report;
}

/**
 * E_WRITE naming `path` for a failed file system call, with the reason as every message words it
 * (`fsErrorReason`: "cannot write /out/a.xyt: permission denied (EACCES)").
 */
function cannotWrite(path: string, e: unknown): FingerliftError {
  return new FingerliftError('E_WRITE', `cannot write ${printable(path)}: ${fsErrorReason(e)}`, { input: path, cause: e });
}

/**
 * Keep the current content of `path` under `backup` (a new name in the same folder) while `path` stays in
 * place: a hard link (no copy, same file), or a copy where the file system has no hard links.
 */
async function keepCopy(path: string, backup: string): Promise<void> {
  try {
    await link(path, backup);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EMLINK') throw e;
    await copyFile(path, backup, fsConstants.COPYFILE_EXCL);
  }
}

/**
 * Run one job (inline or in a worker). Never throws: failures come back as outcomes.
 *
 * How an input's files are replaced (with --force over an earlier run of it): every output is first
 * written in full to a temporary file beside its name (staged); a file edited since the earlier run (its
 * SHA-256 no longer the one that run's trail recorded), or one that is not a file any more (a folder), is
 * never written over: the input is refused (E_EXISTS naming them) before anything is moved. Then the
 * staged outputs are put in place one by one, each existing one first kept under a hidden name beside it
 * (a hard link: the name never stops existing), the earlier run's outputs this run does not write are
 * moved aside too, and the trail is written last (renamed over the old one: atomic). Only then are the
 * kept earlier files deleted. When anything fails before the trail is in place (a name too long for the
 * file system, a folder in the way, a full disk), every name is given back what it held: the new files
 * are removed and the kept ones renamed back, so the earlier run's outputs and trail are exactly as they
 * were. What remains: a process killed outright (SIGKILL, power loss) during the milliseconds between the
 * first rename and the trail leaves new outputs beside the old trail (which `verify` then reports as
 * changed) and the earlier contents in hidden `.fl-*.tmp` files in the output folder.
 */
export default async function runJob(spec: JobSpec): Promise<JobOutcome> {
  const t0 = performance.now();
  const ms = (): number => Math.round((performance.now() - t0) * 1000) / 1000;
  const outputs: TrailOutput[] = [];
  let trailInfo: { path: string; sha256: string } | undefined;
  let replaced: ReplacedOutputs | undefined;
  const trailDir = dirname(spec.trailPath);
  const trailAbs = resolve(spec.trailPath);
  // Which existing files --force may replace: read once, before this job's own trail replaces the old one.
  let replaceable: Promise<Map<string, string | undefined>> | undefined;
  const earlier = (): Promise<Map<string, string | undefined>> => (replaceable ??= replaceableOutputs(spec));
  const relName = (path: string): string => relative(trailDir, path).split('\\').join('/');
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
    throw await notOurs(path, spec);
  };
  // The outputs are staged (written in full to temporary files beside their names) and put in place
  // together just before the trail, so that an output that may not be replaced refuses the input before
  // any file of it (or of an earlier run of it) is touched.
  const staged = new Map<string, { tmp: string; replace: boolean }>();
  // What the commit changed, to undo it if the job fails before its trail is in place: names that did not
  // exist (removed again), and names whose earlier file is kept under a backup name (renamed back).
  const created: string[] = [];
  const backups: Array<{ path: string; backup: string }> = [];
  // Files of the earlier run written over (paths relative to the trail's folder).
  const overwritten: string[] = [];
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
      throw cannotWrite(path, e);
    }
  };
  /** Move the file at `path` aside (renamed to a backup name beside it), to be deleted or put back later. */
  const moveAside = async (path: string): Promise<void> => {
    const backup = tempNameBeside(path);
    try {
      await rename(path, backup);
    } catch (e) {
      throw cannotWrite(path, e);
    }
    backups.push({ path, backup });
  };
  /**
   * Refuse, before anything is moved, to write over a file of the earlier run that was edited since (its
   * content no longer has the SHA-256 that run's trail recorded) or that is no longer a file.
   */
  const refuseEdited = async (): Promise<void> => {
    const edited: string[] = [];
    const notFiles: string[] = [];
    for (const [path, s] of staged) {
      if (!s.replace || path === trailAbs) continue;
      const st = await lstat(path).catch(() => undefined);
      if (st === undefined) continue; // gone since: simply written
      if (!st.isFile()) {
        notFiles.push(path);
        continue;
      }
      const now = await readFile(path).then((b) => sha256Hex(b), () => undefined);
      if (now !== (await earlier()).get(path)) edited.push(path);
    }
    const list = (names: string[]): string => names.map((n) => printable(n)).join(', ');
    if (edited.length > 0)
      throw new FingerliftError(
        'E_EXISTS',
        `${list(edited)}: edited since the earlier fingerlift run of this input (content no longer has the SHA-256 its trail recorded): not overwritten, also not with --force; nothing of this input was changed. Move the edited file(s) away (or choose another -o folder) and run again`,
        { input: spec.input },
      );
    if (notFiles.length > 0)
      throw new FingerliftError(
        'E_EXISTS',
        `${list(notFiles)}: output of the earlier fingerlift run of this input, no longer a file (a folder or link is in its place): not replaced, also not with --force; nothing of this input was changed. Move it away (or choose another -o folder) and run again`,
        { input: spec.input },
      );
  };
  /** Put every staged output in place (an existing one kept aside first, then renamed over; a new one linked: never over another). */
  const commit = async (): Promise<void> => {
    await refuseEdited();
    for (const [path, s] of staged) {
      if (s.replace && path !== trailAbs) {
        const st = await lstat(path).catch(() => undefined);
        if (st !== undefined) {
          const backup = tempNameBeside(path);
          try {
            await keepCopy(path, backup);
          } catch (e) {
            throw cannotWrite(path, e);
          }
          backups.push({ path, backup });
          overwritten.push(relName(path));
          try {
            await rename(s.tmp, path);
          } catch (e) {
            throw cannotWrite(path, e);
          }
          staged.delete(path);
          continue;
        }
      }
      try {
        await link(s.tmp, path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw await notOurs(path, spec); // appeared since it was staged
        throw cannotWrite(path, e);
      }
      created.push(path);
      staged.delete(path);
      await rm(s.tmp, { force: true }).catch(() => undefined);
    }
  };
  /** The job failed before its trail was in place: give every name back what it held. Returns what could not be. */
  const rollback = async (): Promise<string[]> => {
    const problems: string[] = [];
    for (const path of created.reverse()) await rm(path, { force: true }).catch(() => problems.push(`could not remove ${path}`));
    for (const { path, backup } of backups.reverse())
      await rename(backup, path).catch((e: unknown) => problems.push(`could not put back ${path} (its earlier content is in ${backup}: ${(e as NodeJS.ErrnoException).code ?? String(e)})`));
    created.length = 0;
    backups.length = 0;
    return problems;
  };
  /** The trail is in place: the earlier files kept aside are deleted. */
  const settle = async (): Promise<void> => {
    for (const { backup } of backups) await rm(backup, { force: true }).catch(() => undefined);
    created.length = 0;
    backups.length = 0;
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
      const rel = relName(path);
      const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
      const entry: TrailOutput = trail ? trail.output(rel, data) : { path: rel, sha256: sha256Hex(data), size: data.length };
      const i = outputs.findIndex((o) => o.path === rel);
      if (i >= 0) outputs[i] = entry;
      else outputs.push(entry);
      return entry;
    },
    async writeTrail(trail: AuditTrail): Promise<{ path: string; sha256: string }> {
      const text = trail.serialize();
      refuseInput(trailAbs, spec);
      if (staged.size === 0 && interrupted(spec)) throw new Interrupted();
      const replace = await replaces(trailAbs);
      await commit();
      let r: Omit<ReplacedOutputs, 'overwritten'> | undefined;
      if (spec.force && replace) r = await removeStaleOutputs(spec, outputs, moveAside);
      try {
        await writeOutputFile(trailAbs, text, replace);
      } catch (e) {
        throw isFingerliftError(e) && e.code === 'E_EXISTS' ? await notOurs(trailAbs, spec) : e;
      }
      await settle();
      if (r) replaced = { command: r.command, overwritten: [...overwritten], removed: r.removed, kept: r.kept };
      trailInfo = { path: basename(spec.trailPath), sha256: sha256Hex(text) };
      return trailInfo;
    },
  };
  try {
    if (interrupted(spec)) throw new Interrupted(); // queued before the interruption: never started
    const task = await loadTask(spec);
    const result = (await task(job)) as BatchTaskResult | undefined;
    await commit(); // a task that writes no trail
    await settle();
    const out: JobOutcome = { ok: true, index: spec.index, outputs, fields: { ...(result?.fields ?? {}) }, ms: ms() };
    if (trailInfo) out.trail = trailInfo;
    if (replaced && out.ok) out.replaced = replaced;
    return out;
  } catch (e) {
    // A job that fails after putting some outputs in place leaves every name as it was before it: its new
    // files removed (its trail is written last, so there is none), the earlier run's files put back (see above).
    const problems = trailInfo ? [] : await rollback();
    if (e instanceof Interrupted) return { ok: false, index: spec.index, code: 'E_INTERNAL', message: 'interrupted before its first output', ms: ms(), interrupted: true };
    const f = toFailure(e);
    if (problems.length > 0) f.message += `; undoing this input's writes: ${problems.join('; ')}`;
    return { ok: false, index: spec.index, ...f, ms: ms() };
  } finally {
    for (const { tmp } of staged.values()) await rm(tmp, { force: true }).catch(() => undefined);
  }
}
