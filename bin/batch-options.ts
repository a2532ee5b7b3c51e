/**
 * Options every batch subcommand shares, and the call into the batch runner (worker threads, progress
 * bar, summary file, exit code).
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { expandInputs } from '../src/batch/expand.js';
import { runBatch, batchExitCode, formatBatchSummary } from '../src/batch/run.js';
import { writeSummary } from '../src/batch/summary.js';
import type { BatchResult } from '../src/batch/types.js';
import { UsageError } from './common.js';

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
    .option('-j, --jobs <n>', `worker threads (default: number of cores, ${availableParallelism()})`, (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs must be a positive integer, got "${v}"`);
      return n;
    })
    .option('--force', 'overwrite existing outputs')
    .option('--resume', 'skip inputs whose outputs and trail already exist and match')
    .option('-q, --quiet', 'no progress bar')
    .option('--summary <file>', 'write per-file results as .json or .csv');
}

/** Module URL of a task in src/tasks (TypeScript source when running from source, JS from dist). */
export function taskModule(name: string): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`../src/tasks/${name}${ext}`, import.meta.url);
}

/** Expand the inputs, run the task over them, print the summary, write --summary, set the exit code. */
export async function runBatchCommand<O>(what: string, inputs: string[], opts: BatchCliOptions, module: string, task: string, options: O): Promise<BatchResult> {
  const expanded = await expandInputs(inputs);
  const result = await runBatch({
    inputs: expanded,
    jobs: opts.jobs ?? availableParallelism(),
    taskModule: taskModule(module),
    task,
    options,
    outDir: opts.out,
    force: opts.force ?? false,
    resume: opts.resume ?? false,
    quiet: opts.quiet ?? false,
  });
  if (opts.summary) await writeSummary(result, opts.summary, { force: opts.force ?? false });
  process.stderr.write(`${what}: ${formatBatchSummary(result)}\n`);
  process.exitCode = batchExitCode(result);
  return result;
}
