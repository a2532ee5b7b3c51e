/**
 * Batch runner: one task per input, in worker threads (piscina) when jobs > 1, inline when jobs = 1,
 * with identical outputs either way (the same `runJob` runs in both). A failed input never stops the
 * batch. Existing outputs are never overwritten without `force` (E_EXISTS); `resume` skips inputs
 * whose trail exists, whose input is unchanged, whose options are the same, and whose every recorded
 * output is on disk with its recorded SHA-256. `resume` + `force` skips those and redoes the others,
 * replacing what their trails recorded (an input cut short by an interruption has no trail and no files,
 * and is simply run).
 *
 * `--force` replaces only files an earlier fingerlift run of the same input recorded in its trail (and that
 * trail); any other existing file at an output path is refused (E_EXISTS), with or without it. "The same
 * input" means: the trail's recorded SHA-256 is this input's (the same content, even if moved), or its
 * recorded path is this very file (whose content changed since). A trail of another input that has the
 * same output name (`db1/101_1.tif` then `db2/101_1.tif`, or `x.png` then `x.tif`, given to separate runs
 * with one -o folder) is never replaced, not even with --force or --resume: E_EXISTS naming that input.
 * What --force did to the earlier run's files is returned per input (`BatchDone.replaced`: written over,
 * removed, kept because edited since; `formatReplaced` words it). A file of the earlier run edited since
 * (its SHA-256 no longer the recorded one) that this run would write over refuses the input (E_EXISTS
 * naming it): it is never written over. Replacement is all or nothing per input: a --force run of an input
 * that fails (a name too long, a folder in the way, a full disk) leaves the earlier run's outputs and trail
 * exactly as they were (see `runJob` in worker.ts, and the window it leaves to a process killed outright).
 * A skipped input's summary fields are the earlier run's, read from its trail and outputs (`resumedFields`). (Outputs
 * left without a trail by a process killed outright, SIGKILL or power loss, are such files: the message
 * names them; remove them or choose another -o folder.)
 *
 * Interruption (`signal`, e.g. the CLI's SIGINT/SIGTERM): no further input is started, an input in progress
 * that has not begun writing stops before its first write, one that has finishes (writing takes
 * milliseconds), and the result says so (`interrupted`). Every finished input has its outputs and trail,
 * an unfinished one has none, and no temporary file is left.
 *
 * Progress: a cli-progress bar on stderr when stderr is a terminal and not `quiet`; `onProgress` is
 * called after every input either way.
 */
import { availableParallelism } from 'node:os';
import { readFile, realpath } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import { Piscina } from 'piscina';
import { FingerliftError, humanText, invalidArgument, printable } from '../errors.js';
import { canonicalJson, jsonSafeParams, sha256Hex } from '../audit/hash.js';
import { checkOutputsOnDisk, loadTrail, resolveInputPath } from '../audit/verify.js';
import type { ExpandedInputs, InputFile } from './expand.js';
import type { BatchDone, BatchFailure, BatchFields, BatchResult } from './types.js';
import { decoderWarningLine, inputWarningLine } from '../image/io.js';
import { readTemplate, type TemplateFormat } from '../formats/index.js';
import type { Trail, TrailStep } from '../audit/trail.js';
import runJob, { type JobOutcome, type JobSpec } from './worker.js';
import { workerExecArgv } from '../workers.js';

/** Idle worker threads exit after this many ms (piscina `idleTimeout`). */
const WORKER_IDLE_MS = 1000;
/** Inputs in flight per worker thread (one running, one queued so the thread never waits). */
const IN_FLIGHT_PER_THREAD = 2;
/** File systems that ignore case by default: output names are compared case-insensitively there. */
const CASE_INSENSITIVE_FS = process.platform === 'darwin' || process.platform === 'win32';

export interface BatchProgress {
  /** Inputs finished so far (done + skipped + failed) and in total. */
  finished: number;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  /** The input that just finished. */
  path: string;
  status: 'done' | 'skipped' | 'failed';
}

export interface RunBatchOptions<O> {
  /** Files (strings are taken as files, output name = base name) or the result of `expandInputs`
   *  (its `failed` entries are carried into the result). */
  inputs: ExpandedInputs | ReadonlyArray<string | InputFile>;
  /** Worker threads; 1 runs inline in this thread. Default: `os.availableParallelism()`. */
  jobs?: number;
  /** Module that exports the task: a path (relative to cwd) or a file: URL. */
  taskModule: string | URL;
  /** Name of the exported task function (default "default"). */
  task?: string;
  /** Options passed to every job (must survive structured cloning: plain data). */
  options: O;
  /** Folder for outputs: input "sub/101_1.tif" found under a folder gives `${outDir}/sub/101_1.*`. */
  outDir: string;
  force?: boolean;
  resume?: boolean;
  quiet?: boolean;
  onProgress?: (p: BatchProgress) => void;
  /** The command as its trails record it (`command.name`, e.g. "extract"): an existing trail of another
   *  command is then named as such in E_EXISTS, without suggesting --resume (which cannot use it). */
  command?: string;
  /** Stops the batch (see above); its `reason` (e.g. "SIGINT") is returned in `interrupted.reason`. */
  signal?: AbortSignal;
}

function stemOf(name: string): string {
  const ext = extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

function toInputFiles(inputs: RunBatchOptions<unknown>['inputs']): { files: InputFile[]; failed: BatchFailure[] } {
  if (!Array.isArray(inputs)) {
    const e = inputs as ExpandedInputs;
    return { files: [...e.files], failed: [...e.failed] };
  }
  const files = (inputs as ReadonlyArray<string | InputFile>).map((i) =>
    typeof i === 'string' ? { path: resolve(i), name: stemOf(i.split(/[\\/]/).pop() ?? i) } : i,
  );
  return { files, failed: [] };
}

function taskModuleUrl(m: string | URL): string {
  if (m instanceof URL) return m.href;
  if (m.startsWith('file:')) return m;
  return pathToFileURL(isAbsolute(m) ? m : resolve(m)).href;
}

/**
 * Whose outputs does an existing trail record? `same`: this input (the trail's recorded SHA-256 is this
 * input's: the same content, even if moved or renamed); `changed`: this same file (its recorded path
 * resolves to it) whose content has changed since; `other`: another input that has the same output name
 * (`db1/101_1.tif` then `db2/101_1.tif` into one -o folder, or `x.png` then `x.tif`); `invalid`: not a
 * readable fingerlift trail; `unreadable`: this input cannot be read (its task then says why).
 */
type TrailOwner =
  | { kind: 'same' | 'changed'; command?: string }
  | { kind: 'other'; command?: string; path: string; sha256: string }
  | { kind: 'invalid'; why: string }
  | { kind: 'unreadable' };

async function trailOwner(file: InputFile, trailPath: string): Promise<TrailOwner> {
  let trail;
  try {
    trail = await loadTrail(trailPath);
  } catch (e) {
    return { kind: 'invalid', why: (e as Error).message };
  }
  let inputHash: string;
  try {
    inputHash = sha256Hex(await readFile(file.path));
  } catch {
    return { kind: 'unreadable' };
  }
  const command = trail.command?.name;
  const named = command !== undefined ? { command } : {};
  if (trail.input.sha256 === inputHash) return { kind: 'same', ...named };
  const real = (p: string): Promise<string> => realpath(p).catch(() => resolve(p));
  if ((await real(resolveInputPath(trail.input.path, trailPath))) === (await real(file.path))) return { kind: 'changed', ...named };
  return { kind: 'other', ...named, path: trail.input.path, sha256: trail.input.sha256 };
}

/**
 * Resume check: is this input already done? Returns the done record, or a failure explaining why its
 * existing trail cannot be kept or replaced (E_EXISTS), or undefined to run it.
 *
 * A trail of ANOTHER input (see `trailOwner`) is never replaced, not even with --force: its outputs are
 * that input's results. Without --force and --resume the message says whose trail it is (this input's,
 * this file with changed content, another command's run of it).
 */
async function resumeCheck(
  file: InputFile,
  trailPath: string,
  optionsHash: string,
  resume: boolean,
  force: boolean,
  command?: string,
): Promise<BatchDone | BatchFailure | undefined> {
  let trailText: string;
  try {
    trailText = await readFile(trailPath, 'utf8');
  } catch {
    return undefined; // no trail: run it (its writes refuse to overwrite leftovers without force)
  }
  const owner = await trailOwner(file, trailPath);
  if (owner.kind === 'unreadable') return undefined; // the task reads it and says why it cannot
  const cmd = (c: string | undefined): string => (c !== undefined ? `\`${printable(c)}\`` : 'fingerlift');
  const run = (c: string | undefined): string => `the ${cmd(c)} run`;
  if (owner.kind === 'other')
    return {
      path: file.path,
      code: 'E_EXISTS',
      message: `${trailPath}: trail exists from ${run(owner.command)} of another input, ${printable(owner.path)} (SHA-256 ${owner.sha256.slice(0, 12)}...), which has the same output name: not overwritten, also not with --force or --resume (they apply only to this input's own results); give this input another -o folder`,
    };
  if (owner.kind === 'invalid') {
    if (force && !resume) return undefined; // the job refuses it, naming the file (no fingerlift run of that input wrote it)
    return { path: file.path, code: 'E_EXISTS', message: `${trailPath}: exists and is not a readable fingerlift trail (${owner.why}): not overwritten, also not with --force; choose another -o folder` };
  }
  const otherCommand = owner.command !== undefined && command !== undefined && owner.command !== command;
  const changed = owner.kind === 'changed' ? ', whose content has changed since' : '';
  if (!resume) {
    if (force) return undefined;
    // `enhance` then `extract` into one folder share <name>.trail.json: --force would replace the other
    // command's outputs, and --resume cannot use another command's trail.
    if (otherCommand)
      return { path: file.path, code: 'E_EXISTS', message: `${trailPath}: trail exists (from ${run(owner.command)} of that input${changed}: give this command another -o folder to keep both), not overwritten (--resume cannot use another command's trail; --force would replace that run's outputs)` };
    if (owner.kind === 'changed')
      return { path: file.path, code: 'E_EXISTS', message: `${trailPath}: trail exists (from an earlier ${cmd(owner.command)} run of that input${changed}), not overwritten (use --force to replace that run's outputs with this content's)` };
    return { path: file.path, code: 'E_EXISTS', message: `${trailPath}: trail exists (from an earlier ${cmd(owner.command)} run of that input), not overwritten (use --force to replace that run's outputs, or --resume to skip finished inputs)` };
  }
  let edited: string[] = [];
  const why = await (async (): Promise<string | undefined> => {
    const trail = await loadTrail(trailPath).catch((e: unknown) => e as Error);
    if (trail instanceof Error) return trail.message;
    if (otherCommand) return `its trail is from ${run(owner.command)} of that input (give this command another -o folder to keep both)`;
    if (owner.kind === 'changed') return 'the content of this input changed since its trail was written';
    if (sha256Hex(canonicalJson(trail.command?.options ?? null)) !== optionsHash) return 'the options differ from those in its trail';
    const bad = await checkOutputsOnDisk(trail, trailPath);
    edited = bad.filter((b) => b.problem === 'differs').map((b) => b.name);
    if (bad.length > 0) return `output ${bad[0]!.name} ${bad[0]!.problem === 'missing' ? 'is missing' : bad[0]!.problem === 'outside' ? "lies outside the trail's folder" : 'is changed'}`;
    return undefined;
  })();
  // An output edited since (its SHA-256 no longer the recorded one) is never written over, also not with
  // --force: the input is refused before any work (the same options write the same outputs).
  if (why !== undefined && edited.length > 0) {
    const list = edited.slice(0, 5).map((n) => printable(n)).join(', ') + (edited.length > 5 ? `, ... (${edited.length - 5} more)` : '');
    return { path: file.path, code: 'E_EXISTS', message: `${trailPath}: cannot resume (${why}: edited since its trail was written); an edited output is never overwritten, also not with --force; nothing of this input was changed. Move the edited file(s) (${list}) away (or choose another -o folder) and run again` };
  }
  if (why !== undefined) {
    if (force) return undefined; // --resume --force: redo what does not match, overwriting it
    return { path: file.path, code: 'E_EXISTS', message: `${trailPath}: cannot resume (${why}); not overwritten without --force` };
  }
  const trail = await loadTrail(trailPath);
  return {
    path: file.path,
    name: file.name,
    status: 'skipped',
    outputs: trail.outputs,
    trail: { path: trailPath.split(/[\\/]/).pop()!, sha256: sha256Hex(trailText) },
    fields: await resumedFields(file.path, trail, trailPath),
    ms: 0,
  };
}

/**
 * The summary fields of an input skipped as done (--resume) that its trail gives, so its summary says
 * what the first run's said: for a trail with a `load` step (every image pipeline's: enhance, extract,
 * lift), `decoderWarning` (the decoder warned of damaged data: the step's note, `DECODER_WARNING_NOTE`) and
 * `warning` (the line naming the input with all its warnings, `inputWarningLine`, as the task words it; null when none).
 * Nothing for a trail without one. (The task's other fields, counts and scores, are not in the trail.)
 */
export function fieldsFromTrail(input: string, trail: { steps?: ReadonlyArray<{ name: string; notes?: string[] }> }): BatchFields {
  const load = trail.steps?.find((st) => st.name === 'load');
  if (load === undefined) return {};
  const notes = { notes: Array.isArray(load.notes) ? load.notes.filter((n): n is string => typeof n === 'string') : [] };
  const warning = inputWarningLine(input, notes);
  return { decoderWarning: decoderWarningLine(input, notes) !== undefined, warning: warning ?? null };
}

/**
 * The summary fields of an input skipped as done (--resume), as the earlier run's summary gave them,
 * from its trail and its outputs (which `resumeCheck` has just found on disk with their recorded
 * SHA-256), so that a resumed batch's summary has every row's results:
 * - every image pipeline's `decoderWarning` and `warning` (`fieldsFromTrail`);
 * - `lift`: `fingertips`, `usable` and `minutiae` (per fingertip, space-separated) from `<name>.lift.json`;
 * - `enhance` and `extract`: `ppi` (the `enhance.resample` step's), `ppiBasis` (the `resolution` step's:
 *   option, file, else assumed-500 at 500 ppi and ridge-period at any other), `inverted` (the `polarity`
 *   step changed the image: its output hash is not the `grey` step's) and `minutiae` (the `extract` step's
 *   count); `extract` also `endings` and `bifurcations` from its ISO, ANSI or JSON template (an .xyt records
 *   no minutia type: null).
 * A field whose source is not in the trail (another task's, an older trail) is left out.
 */
export async function resumedFields(input: string, trail: Trail, trailPath: string): Promise<BatchFields> {
  const fields: BatchFields = { ...fieldsFromTrail(input, trail) };
  const command = trail.command?.name;
  const step = (name: string): TrailStep | undefined => trail.steps?.find((st) => st.name === name);
  const output = async (suffix: RegExp): Promise<Buffer | undefined> => {
    const o = trail.outputs.find((x) => suffix.test(x.path));
    return o === undefined ? undefined : readFile(resolve(dirname(trailPath), o.path)).catch(() => undefined);
  };
  if (command === 'lift') {
    const bytes = await output(/\.lift\.json$/);
    try {
      const tips = (JSON.parse(bytes?.toString('utf8') ?? 'null') as { fingertips?: Array<{ usable?: unknown; minutiae?: unknown }> } | null)?.fingertips;
      if (Array.isArray(tips))
        Object.assign(fields, { fingertips: tips.length, usable: tips.filter((t) => t?.usable === true).length, minutiae: tips.map((t) => (typeof t?.minutiae === 'number' ? t.minutiae : 0)).join(' ') });
    } catch {
      // not a lift summary: its fields are left out
    }
  }
  if (command === 'enhance' || command === 'extract') {
    const resample = step('enhance.resample')?.params as { ppi?: unknown } | undefined;
    const resolution = step('resolution')?.params as { option?: unknown; file?: unknown } | undefined;
    if (typeof resample?.ppi === 'number') {
      fields.ppi = resample.ppi;
      // decideResolution: the option, else the file's, else 500 assumed, else the ridge period's (never within tolerance of 500).
      if (resolution !== undefined) fields.ppiBasis = resolution.option != null ? 'option' : resolution.file != null ? 'file' : resample.ppi === 500 ? 'assumed-500' : 'ridge-period';
    }
    const grey = step('grey')?.outputSha256, polarity = step('polarity')?.outputSha256;
    if (grey !== undefined && polarity !== undefined) fields.inverted = grey !== polarity;
    const counted = /^(\d+) minutiae \(/.exec(step('extract')?.notes?.[0] ?? '');
    if (counted) fields.minutiae = Number(counted[1]);
    if (command === 'extract' && counted) {
      const format = (step('write.template')?.params as { format?: unknown } | undefined)?.format;
      const bytes = typeof format === 'string' ? await output(new RegExp(`\\.${format}$`)) : undefined;
      let endings: number | null = null;
      if (bytes !== undefined && format !== 'xyt') {
        try {
          endings = readTemplate(bytes, input, format as TemplateFormat).minutiae.filter((m) => m.type === 'ending').length;
        } catch {
          endings = null;
        }
      }
      fields.endings = endings;
      fields.bifurcations = endings === null ? null : Number(counted[1]) - endings;
    }
  }
  return fields;
}

/**
 * Run `task` on every input. Never throws for a failing input (it is in `failed`); throws only for
 * bad arguments (FingerliftError E_INVALID_ARGUMENT: options not an object, inputs neither an array of
 * paths or InputFiles nor `expandInputs`'s result, jobs not a positive integer, no task module (a string
 * or URL), outDir not a non-empty string, task not a string).
 */
/** Most worker threads of a batch (each holds its own OpenCV heap, tens of MB). The CLI further caps
 *  --jobs at `os.availableParallelism()` (bin/batch-options.ts); a library caller gets what it asks for. */
export const MAX_JOBS = 256;

export async function runBatch<O>(opts: RunBatchOptions<O>): Promise<BatchResult> {
  const t0 = performance.now();
  if (opts === null || typeof opts !== 'object') throw invalidArgument('runBatch', 'an options object { inputs, taskModule, options, outDir, jobs?, ... }', opts);
  const inputs = opts.inputs as unknown;
  const isInput = (i: unknown): boolean => (typeof i === 'string' && i !== '') || (i !== null && typeof i === 'object' && typeof (i as InputFile).path === 'string' && typeof (i as InputFile).name === 'string');
  if (Array.isArray(inputs) ? !inputs.every(isInput) : !(inputs !== null && typeof inputs === 'object' && Array.isArray((inputs as ExpandedInputs).files) && Array.isArray((inputs as ExpandedInputs).failed)))
    throw invalidArgument('runBatch: inputs', "an array of file paths or { path, name }, or expandInputs()'s result", inputs);
  const jobs = opts.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) throw new FingerliftError('E_INVALID_ARGUMENT', `runBatch: jobs must be an integer in [1, ${MAX_JOBS}], got ${String(opts.jobs)}`);
  if (!(typeof opts.taskModule === 'string' ? opts.taskModule !== '' : opts.taskModule instanceof URL))
    throw invalidArgument('runBatch: taskModule', 'the task module (a path or file: URL)', opts.taskModule);
  if (!(typeof opts.outDir === 'string' && opts.outDir !== '')) throw invalidArgument('runBatch: outDir', 'an output folder (non-empty string)', opts.outDir);
  if (opts.task !== undefined && typeof opts.task !== 'string') throw invalidArgument('runBatch: task', 'the name of the exported task function (string)', opts.task);
  const taskUrl = taskModuleUrl(opts.taskModule);
  const task = opts.task ?? 'default';
  const outDir = resolve(opts.outDir);
  const force = opts.force ?? false;
  const resume = opts.resume ?? false;
  const options = opts.options;
  if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) throw invalidArgument('runBatch: signal', 'an AbortSignal', opts.signal);
  // Shared with the worker threads: set once the batch is interrupted.
  const abortFlag = new Int32Array(new SharedArrayBuffer(4));
  const aborted = (): boolean => Atomics.load(abortFlag, 0) !== 0;
  const onAbort = (): void => void Atomics.store(abortFlag, 0, 1);
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // Options as the trail records them (AuditTrail's `command.options`): compared on resume.
  const optionsHash = sha256Hex(canonicalJson(jsonSafeParams(options ?? {})));

  const { files, failed: preFailed } = toInputFiles(opts.inputs);
  const total = files.length;
  const slots: Array<BatchDone | BatchFailure | undefined> = new Array(total);

  let bar: cliProgress.SingleBar | undefined;
  if (!opts.quiet && process.stderr.isTTY && total > 0) {
    bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: '{bar} {value}/{total} | failed {failed} | {eta_formatted} left | {file}', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { failed: 0, file: '' });
  }
  const counts = { done: 0, skipped: 0, failed: 0 };
  const finish = (i: number, r: BatchDone | BatchFailure): void => {
    if ('code' in r && r.name === undefined) r = { ...r, name: files[i]!.name };
    slots[i] = r;
    const status = 'code' in r ? 'failed' : r.status;
    counts[status]++;
    const finished = counts.done + counts.skipped + counts.failed;
    bar?.update(finished, { failed: counts.failed, file: printable(files[i]!.name) });
    opts.onProgress?.({ finished, total, ...counts, path: r.path, status });
  };

  // Inputs that live where outputs go (-o is their folder) and are named like some input's outputs
  // (`a.enhanced.png` beside `a.png`): each job gets the ones its stem could reach, and never writes or
  // removes them, even with --force (an input is never overwritten).
  const outReal = await realpath(outDir).catch(() => outDir);
  const inOut = (await Promise.all(files.map(async (f) => realpath(f.path).catch(() => resolve(f.path)))))
    .filter((p) => p.startsWith(outReal + sep))
    .map((p) => outDir + p.slice(outReal.length)); // as the jobs name their outputs (under outDir as given)
  const reachable = (outStem: string): string[] => {
    const real = outStem + '.';
    return inOut.filter((p) => p.startsWith(real));
  };
  // Output names must be unique: a second input with the same output name fails instead of clobbering.
  const owner = new Map<string, string>();
  const specs: Array<JobSpec | undefined> = files.map((f, index) => {
    const outStem = join(outDir, ...f.name.split('/'));
    const key = CASE_INSENSITIVE_FS ? outStem.toLowerCase() : outStem;
    const prior = owner.get(key);
    if (prior !== undefined) {
      finish(index, { path: f.path, code: 'E_INVALID_ARGUMENT', message: `${f.path}: its outputs (${outStem}.*) would overwrite those of ${prior}; give the inputs distinct names` });
      return undefined;
    }
    owner.set(key, f.path);
    const protect = reachable(outStem);
    return { taskModule: taskUrl, task, input: f.path, name: f.name, outStem, trailPath: `${outStem}.trail.json`, force, options, index, abort: abortFlag, ...(protect.length > 0 ? { protect } : {}) };
  });

  const workerUrl = new URL(`./worker${extname(new URL(import.meta.url).pathname)}`, import.meta.url).href;
  // Worker threads start only when a first input needs running (a --resume that skips all starts none).
  let pool: Piscina | undefined;
  const getPool = (): Piscina =>
    (pool ??= new Piscina({ filename: workerUrl, minThreads: Math.min(jobs, total), maxThreads: Math.min(jobs, total), idleTimeout: WORKER_IDLE_MS, execArgv: workerExecArgv(workerUrl, taskUrl) }));

  const runOne = async (spec: JobSpec): Promise<void> => {
    const f = files[spec.index]!;
    if (aborted()) return;
    const pre = await resumeCheck(f, spec.trailPath, optionsHash, resume, force, opts.command);
    if (pre) return finish(spec.index, pre);
    if (aborted()) return;
    let out: JobOutcome;
    try {
      out = jobs > 1 ? ((await getPool().run(spec)) as JobOutcome) : await runJob(spec);
    } catch (e) {
      out = { ok: false, index: spec.index, code: 'E_INTERNAL', message: `worker failed: ${(e as Error)?.message ?? String(e)}`, ms: 0 };
    }
    if (!out.ok && out.interrupted) return; // stopped before writing: unfinished, no files
    if (out.ok) {
      const d: BatchDone = { path: f.path, name: f.name, status: 'done', outputs: out.outputs, fields: out.fields, ms: out.ms };
      if (out.trail) d.trail = out.trail;
      if (out.replaced) d.replaced = out.replaced;
      finish(spec.index, d);
    } else finish(spec.index, { path: f.path, code: out.code, message: out.message, ms: out.ms });
  };

  try {
    const todo = specs.filter((s): s is JobSpec => s !== undefined);
    // A bounded number of inputs in flight (resume checks and queued jobs), so a batch of 100,000 files
    // does not open them all at once; inputs are taken in order.
    let next = 0;
    const lanes = jobs > 1 ? jobs * IN_FLIGHT_PER_THREAD : 1;
    await Promise.all(
      Array.from({ length: Math.min(lanes, todo.length) }, async () => {
        while (next < todo.length && !aborted()) await runOne(todo[next++]!);
      }),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    bar?.stop();
    await pool?.destroy();
  }

  const done: BatchDone[] = [];
  const failed: BatchFailure[] = [...preFailed];
  for (const r of slots) if (r) ('code' in r ? failed.push(r) : done.push(r));
  const result: BatchResult = { done, failed, ms: Math.round((performance.now() - t0) * 1000) / 1000 };
  if (aborted()) {
    const reason = opts.signal?.reason;
    result.interrupted = { reason: typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : 'aborted', finished: counts.done + counts.skipped + counts.failed, total };
  }
  return result;
}

/** Exit code for the CLI: 0 when every input succeeded (or was skipped), 1 when any failed. */
export function batchExitCode(r: BatchResult): 0 | 1 {
  return r.failed.length > 0 ? 1 : 0;
}

/**
 * One line per input that ran with --force over an earlier run's trail (`BatchDone.replaced`), saying
 * which command's outputs were replaced, how many files were written over and removed, and naming the
 * files kept because they were edited since that run (no longer fingerlift's output; no trail lists them
 * now). (A file this run would write over that was edited since refuses the input instead: E_EXISTS.)
 * Empty when --force replaced nothing.
 */
export function formatReplaced(r: BatchResult): string[] {
  const lines: string[] = [];
  const list = (names: string[]): string => names.slice(0, 5).map((n) => printable(n)).join(', ') + (names.length > 5 ? `, ... (${names.length - 5} more)` : '');
  for (const d of r.done) {
    const x = d.replaced;
    if (!x) continue;
    const by = x.command !== null ? `\`${printable(x.command)}\`` : 'earlier fingerlift';
    let line = `${printable(d.path)}: --force replaced the ${by} run's trail and outputs: ${x.overwritten.length} file(s) written over, ${x.removed.length} removed (not written by this run)`;
    if (x.kept.length > 0) line += `; kept ${x.kept.length} file(s) edited since that run (no longer fingerlift's output, listed by no trail now): ${list(x.kept)}`;
    lines.push(line);
  }
  return lines;
}

/** One-paragraph end-of-batch summary for the terminal. */
export function formatBatchSummary(r: BatchResult): string {
  const skipped = r.done.filter((d) => d.status === 'skipped').length;
  const lines = [`${r.done.length - skipped} done, ${skipped} skipped, ${r.failed.length} failed in ${(r.ms / 1000).toFixed(1)} s`];
  // Paths and messages as `printable` shows them (a name holding a line break cannot split or forge a line);
  // a message that starts with its path (errors name their input, raw or printable) does not repeat it.
  for (const f of r.failed) {
    const prefix = [f.path, printable(f.path)].find((p) => f.message.startsWith(p));
    lines.push(humanText`  ${f.code}  ${f.path}: ${prefix !== undefined ? f.message.slice(prefix.length).replace(/^:\s*/, '') : f.message}`);
  }
  return lines.join('\n');
}
