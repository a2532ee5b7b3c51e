/**
 * Batch machinery: images per second through `runBatch` with jobs 1 and 2, and the cost of `--resume`
 * (every input skipped after hashing its input, outputs and trail).
 *
 * Task: test/fixtures-batch/grey-png.ts (sharp decode, OpenCV Gaussian blur, PNG encode, audit trail
 * written), on FVC2002 DB1_B (80 TIFFs, 388x374). This measures the runner, worker start-up (tsx and
 * opencv-wasm load per thread) and I/O, not extraction: the lead's `extract` benchmark uses the same
 * runner with the real pipeline task.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandInputs } from '../src/batch/expand.js';
import { runBatch } from '../src/batch/run.js';
import { dataDir } from '../test/helpers/data.js';
import { median, type BenchFn } from './types.js';

const TASK = new URL('../test/fixtures-batch/grey-png.ts', import.meta.url);

const bench: BenchFn = async (ctx) => {
  const dir = dataDir('fvc2002-db1b');
  const title = 'Batch runner throughput (FVC2002 DB1_B, decode + blur + PNG + trail)';
  if (!dir) return [{ title, rows: [], skipped: ['../shared/data/fvc2002-db1b absent'] }];
  const inputs = await expandInputs([dir], { extensions: ['tif'] });
  const reps = ctx.quick ? 1 : 3;
  const rows: Array<Record<string, string | number>> = [];
  const root = await mkdtemp(join(tmpdir(), 'fl-bench-batch-'));
  try {
    for (const jobs of [1, 2]) {
      const runs: number[] = [];
      const resumes: number[] = [];
      let done = 0;
      for (let r = 0; r < reps; r++) {
        const outDir = join(root, `j${jobs}-${r}`);
        ctx.log(`batch: jobs ${jobs}, run ${r + 1}/${reps}`);
        const res = await runBatch({ inputs, jobs, taskModule: TASK, task: 'greyPng', options: { sigma: 1 }, outDir, quiet: true });
        done = res.done.length;
        if (res.failed.length > 0) throw new Error(`bench batch: ${res.failed.length} inputs failed: ${res.failed[0]!.message}`);
        runs.push(res.ms);
        const again = await runBatch({ inputs, jobs, taskModule: TASK, task: 'greyPng', options: { sigma: 1 }, outDir, quiet: true, resume: true });
        resumes.push(again.ms);
      }
      const ms = median(runs);
      rows.push({
        jobs,
        images: done,
        'median s': +(ms / 1000).toFixed(2),
        'images/s': +(done / (ms / 1000)).toFixed(1),
        'resume (all skipped) s': +(median(resumes) / 1000).toFixed(2),
      });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return [
    {
      title,
      rows,
      notes: [`median of ${reps} run(s) each; worker start-up included (each thread loads tsx and opencv-wasm); the machine is shared, so expect noise`],
    },
  ];
};

export default bench;
