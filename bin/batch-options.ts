/**
 * Options every batch subcommand shares, and the call into the batch runner (worker threads, progress
 * bar, summary file, exit code).
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import { ensureDir } from '../src/image/io.js';
import { availableParallelism } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { expandInputs, formatRepeated, formatSkipped } from '../src/batch/expand.js';
import { runBatch, batchExitCode, formatBatchSummary, formatReplaced, MAX_JOBS } from '../src/batch/run.js';
import { isFingerliftSummary, isTrailName, writeSummary } from '../src/batch/summary.js';
import type { BatchResult } from '../src/batch/types.js';
import { checkWritableFolder, failureOf, messageAfterPath, positiveInteger, UsageError } from './common.js';
import { humanText, printable } from '../src/errors.js';
import { fsErrorReason } from '../src/fsread.js';

export interface BatchCliOptions {
  out: string;
  jobs?: number;
  force?: boolean;
  resume?: boolean;
  quiet?: boolean;
  summary?: string;
}

export function addBatchOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-o, --out <dir>', 'folder for the outputs (inputs are never written to)')
    .option('-j, --jobs <n>', `worker threads (default and most used: the number of cores, ${availableParallelism()}; a larger value, up to ${MAX_JOBS}, is capped to it with a note)`, (v: string) => { const n = positiveInteger('--jobs')(v); if (n > MAX_JOBS) throw new UsageError(`--jobs must be at most ${MAX_JOBS}, got "${v}"`); return n; })
    .option('--force', "replace the outputs a previous fingerlift run of the same input recorded in its trail (never any other file)")
    .option('--resume', 'skip inputs whose outputs and trail already exist and match (with --force the others are redone over their recorded outputs)')
    .option('-q, --quiet', 'no progress bar')
    .option('--summary <file>', 'write per-file results as .json or .csv');
}

/** Module URL of a task in src/tasks (TypeScript source when running from source, JS from dist). */
export function taskModule(name: string): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`../src/tasks/${name}${ext}`, import.meta.url);
}

/**
 * Check, before any work, that the output folder can be created and written and that the summary file
 * has a known extension and does not exist (without --force): usage errors (exit 2), not failures after a
 * long batch. (`checkSummaryPath` checks the rest once the inputs are known.)
 */
export async function checkOutputs(outDir: string, summary: string | undefined, force: boolean): Promise<void> {
  // The summary first: a usage error should leave no empty -o folder behind.
  if (summary !== undefined) {
    if (summary === '-') throw new UsageError("--summary -: standard output carries the progress and results, not the summary: give a .json or .csv file name");
    const ext = extname(summary).toLowerCase();
    if (ext !== '.json' && ext !== '.csv') throw new UsageError(humanText`--summary ${summary}: must end in .json or .csv`);
    if (!force && existsSync(summary)) throw new UsageError(humanText`--summary ${summary}: exists (use --force to replace a summary fingerlift wrote)`);
    if (existsSync(summary) && !(await stat(summary)).isFile()) throw new UsageError(humanText`--summary ${summary}: not a file`);
    // A summary in the -o folder itself: that folder is made (and checked) just below; any other folder must exist.
    if (resolve(dirname(summary)) !== resolve(outDir)) await checkWritableFolder('--summary', summary);
  }
  try {
    await ensureDir(outDir);
    if (!(await stat(outDir)).isDirectory()) throw new Error('not a folder');
    const probe = await mkdtemp(join(outDir, '.fingerlift-write-test-'));
    await rm(probe, { recursive: true, force: true });
  } catch (e) {
    throw new UsageError(humanText`-o ${outDir}: cannot write there: ${fsErrorReason(e)}`);
  }
}

/**
 * The summary file must be neither an input nor a file of this run's outputs (`<stem>.*` of an input in
 * the output folder), nor named like a trail (`*.trail.json`), and an existing one (--force) must be a
 * summary fingerlift wrote (`isFingerliftSummary`: a trail or a user's file is never replaced). A usage
 * error before any work.
 */
async function checkSummaryPath(summary: string, outDir: string, files: ReadonlyArray<{ path: string; name: string }>): Promise<void> {
  const s = resolve(summary);
  const real = (p: string): string => { try { return realpathSync(p); } catch { return resolve(p); } };
  const sReal = real(s);
  for (const f of files) {
    if (real(f.path) === sReal) throw new UsageError(humanText`--summary ${summary}: is an input of this run`);
    const stem = join(resolve(outDir), ...f.name.split('/'));
    if (s.startsWith(stem + '.')) throw new UsageError(humanText`--summary ${summary}: would take the place of an output of ${f.path} (${stem}.*)`);
  }
  // Nor a trail (of any run), nor (with --force) any file but a summary fingerlift wrote, recognised by its content.
  if (isTrailName(summary)) throw new UsageError(humanText`--summary ${summary}: named like an audit trail (*.trail.json): choose another name`);
  if (existsSync(summary) && !(await isFingerliftSummary(summary)))
    throw new UsageError(humanText`--summary ${summary}: [E_EXISTS] exists and is not a summary fingerlift wrote: --force replaces only fingerlift's own summaries (not a trail or any other file); choose another name or remove the file`);
}

/** Signals that interrupt a batch, with the exit status a shell reports for them (128 + signal number). */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * The line printed when a batch was interrupted. @param force whether the batch ran with --force (the rerun
 * then needs it too, for inputs whose earlier outputs this run had begun to replace).
 */
export function interruptedMessage(what: string, i: NonNullable<BatchResult['interrupted']>, force: boolean): string {
  return `${what}: interrupted by ${i.reason} after ${i.finished} of ${i.total} inputs; outputs of finished inputs are complete; rerun with --resume${force ? ' --force' : ''} to finish`;
}

/**
 * Expand the inputs, run the task over them, print the summary, write --summary, set the exit code.
 * SIGINT, SIGTERM or SIGHUP stop the batch (`runBatch`'s `signal`: inputs in progress finish or leave no
 * file): one line says how far it got, no summary file is written, and the process then ends by the same
 * signal (a shell sees 130, 143 or 129). Further signals while it stops are ignored (the launcher
 * bin/fingerlift.js forwards the terminal's Ctrl-C, which reaches this process too).
 */
export async function runBatchCommand<O>(what: string, inputs: string[], opts: BatchCliOptions, module: string, task: string, options: O, afterWarning?: string): Promise<BatchResult> {
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!stop.signal.aborted) stop.abort(sig);
  };
  for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) process.on(sig, onSignal);
  try {
    const result = await runBatchCommandUntil(what, inputs, opts, module, task, options, stop.signal, afterWarning);
    if (result.interrupted) {
      const sig = result.interrupted.reason as StopSignal;
      process.stderr.write(`${interruptedMessage(what, result.interrupted, opts.force ?? false)}\n`);
      process.exitCode = STOP_SIGNALS[sig];
      for (const s of Object.keys(STOP_SIGNALS) as StopSignal[]) process.off(s, onSignal);
      // End by the signal itself, so a calling shell or script sees it (a loop stops on Ctrl-C); should
      // another listener keep the process alive, it exits with the status above.
      process.kill(process.pid, sig);
    }
    return result;
  } finally {
    for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) process.off(sig, onSignal);
  }
}

async function runBatchCommandUntil<O>(what: string, inputs: string[], opts: BatchCliOptions, module: string, task: string, options: O, signal: AbortSignal, afterWarning?: string): Promise<BatchResult> {
  const outExisted = existsSync(opts.out);
  await checkOutputs(opts.out, opts.summary, opts.force ?? false);
  const expanded = await expandInputs(inputs);
  // Files fingerlift wrote itself (e.g. when -o is the input folder) are not inputs of the next run.
  if (expanded.ownOutputs.length > 0 && !opts.quiet) process.stderr.write(`${what}: ${expanded.ownOutputs.length} file(s) found in folders or by patterns and named like fingerlift outputs (*.enhanced.png, *.minutiae.png, ...) left out of the inputs (name such a file explicitly to process it)\n`);
  // A file reached more than once (named again, or found through a link to it) is processed once: said per file, how.
  if (!opts.quiet) for (const line of formatRepeated(what, expanded.repeated)) process.stderr.write(`${line}\n`);
  // Symbolic links to folders are not followed (a folder walk stays in the folder named): said, not silent.
  for (const line of formatSkipped(what, expanded.skipped)) process.stderr.write(`${line}\n`);
  if (opts.summary)
    await checkSummaryPath(opts.summary, opts.out, expanded.files).catch(async (e: unknown) => {
      if (!outExisted) await rmdir(opts.out).catch(() => undefined); // the -o folder this run made, still empty: not left behind
      throw e;
    });
  if (expanded.files.length === 0 && expanded.failed.length === 0) {
    process.stderr.write(`${what}: no input files${expanded.ownOutputs.length > 0 ? ` (all ${expanded.ownOutputs.length} found are named like fingerlift outputs)` : ''}: nothing done\n`);
    process.exitCode = 1;
  }
  // More worker threads than cores only add memory (an OpenCV heap each) and switching: measured
  // 2026-12-06 on 2 cores, 80 prints with --jobs 32 took 29.5 s and 2.0 GB against 19 s by default.
  // --jobs is accepted up to MAX_JOBS but capped at the cores available, with a note.
  const cores = availableParallelism();
  if (opts.jobs !== undefined && opts.jobs > cores) process.stderr.write(`${what}: --jobs ${opts.jobs} is more than the ${cores} core(s) available: using ${cores} worker thread(s)\n`);
  const result = await runBatch({
    inputs: expanded,
    jobs: Math.min(opts.jobs ?? cores, cores),
    taskModule: taskModule(module),
    task,
    options,
    outDir: opts.out,
    force: opts.force ?? false,
    resume: opts.resume ?? false,
    quiet: opts.quiet ?? false,
    command: what,
    signal,
  });
  // Files of earlier runs that --force replaced or removed are never a silent loss: one line per input.
  for (const line of formatReplaced(result)) process.stderr.write(`${what}: ${line}\n`);
  // Interrupted: no summary file (it would list a part, and refuse the --resume run without --force).
  if (result.interrupted) return result;
  let summaryFailed = false;
  if (opts.summary) {
    try {
      await writeSummary(result, opts.summary, { force: opts.force ?? false });
    } catch (e) {
      summaryFailed = true;
      const f = failureOf(opts.summary, e);
      process.stderr.write(humanText`--summary ${opts.summary}: [${f.code}] ${messageAfterPath(opts.summary, f.message)}\n`);
    }
  }
  // An input whose decoder warned of damaged data: its results may differ from the original capture's.
  // `afterWarning` follows a decoder's warning when the outputs cannot record it (a .xyt or ISO template; the
  // JSON template's "decoderWarning" holds the decoder's, not the file's own warnings such as its resolutions).
  for (const d of result.done)
    if (typeof d.fields.warning === 'string') {
      process.stderr.write(`${what}: ${printable(d.fields.warning)}\n`);
      if (afterWarning !== undefined && d.fields.decoderWarning === true) process.stderr.write(humanText`${what}: note: ${d.path}: ${afterWarning}\n`);
    }
  process.stderr.write(`${what}: ${formatBatchSummary(result)}\n`);
  process.exitCode = Math.max(batchExitCode(result), summaryFailed || (expanded.files.length === 0 && expanded.failed.length === 0) ? 1 : 0);
  return result;
}
