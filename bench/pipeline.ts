/**
 * End to end, one core: file bytes to template (load, grey, resolution, polarity, enhance, extract) for
 * an FVC-sized print and a 1000 x 1000 print, and the whole lift of a 12 MP phone photo (decode, locate,
 * normalise, enhance, extract every usable fingertip). Median wall-clock ms and process CPU ms, and the
 * peak RSS of this process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { dataDir } from '../test/helpers/data.js';
import { loadImage, encodeImage } from '../src/image/io.js';
import { generateMaster } from '../src/synthetic/index.js';
import { processPrint, liftPhoto } from '../src/pipeline.js';
import { median, type BenchFn } from './types.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { expandInputs } from '../src/batch/expand.js';
import { runBatch } from '../src/batch/run.js';

async function time(runs: number, fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  await fn(); // warm-up (opencv-wasm load, JIT)
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const bench: BenchFn = async (ctx) => {
  const rows: Array<Record<string, string | number>> = [];
  const skipped: string[] = [];
  const runs = ctx.quick ? 3 : 10;
  const db1 = dataDir('fvc2002-db1b');
  const prints: Array<[string, Uint8Array]> = [];
  if (db1) prints.push(['FVC2002 DB1_B 101_1 (388 x 374, 500 ppi)', readFileSync(join(db1, '101_1.tif'))]);
  else skipped.push('FVC-sized print: ../shared/data/fvc2002-db1b absent');
  // A 1000 x 1000 synthetic master at 500 ppi (ridge period about 9 px, like a large rolled print).
  const big = generateMaster(1000, { width: 1000, height: 1000 });
  prints.push(['synthetic master 1000 x 1000, 500 ppi', await encodeImage(big.image, 'png', { ppi: 500 })]);
  for (const [name, bytes] of prints) {
    let minutiae = 0;
    const t = await time(runs, async () => {
      const l = await loadImage(bytes, { name });
      minutiae = processPrint(l.image, { ppi: l.ppi }, { ppi: 500 }).template.minutiae.length;
    });
    rows.push({ input: name, job: 'processPrint: load + grey + resolution + polarity detection + enhance + extract', 'median ms': t.wall.toFixed(0), 'median CPU ms': t.cpu.toFixed(0), runs, result: `${minutiae} minutiae` });
  }
  const fc = dataDir('fingerphoto-contact');
  if (fc) {
    const jpeg = await sharp(join(fc, 'photo/1_1.jpg')).rotate().resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 92 }).toBuffer();
    let result = '';
    const t = await time(ctx.quick ? 1 : 3, async () => {
      const l = await loadImage(jpeg, { name: '12 MP photo' });
      const r = liftPhoto(l.image, { name: '12 MP photo' });
      result = r.fingertips.map((f) => `f${f.index}: ${f.usable ? `${f.template?.minutiae.length ?? 0} minutiae` : 'unusable'}`).join(', ');
    });
    rows.push({ input: '12 MP photo (fingerphoto-contact 1_1 at 4000 x 3000)', job: 'decode + lift (locate, normalise, enhance, extract)', 'median ms': t.wall.toFixed(0), 'median CPU ms': t.cpu.toFixed(0), runs: ctx.quick ? 1 : 3, result });
  } else skipped.push('12 MP photo: ../shared/data/fingerphoto-contact absent');
  // `fingerlift extract` throughput through the batch runner (worker threads), FVC2002 DB1_B.
  const batchRows: Array<Record<string, string | number>> = [];
  if (db1) {
    const inputs = await expandInputs([db1], { extensions: ['tif'] });
    if (ctx.quick) inputs.files = inputs.files.slice(0, 16);
    const root = await mkdtemp(join(tmpdir(), 'fl-bench-extract-'));
    try {
      for (const jobs of [1, 2]) {
        ctx.log(`pipeline: extract, jobs ${jobs}`);
        const r = await runBatch({ inputs, jobs, taskModule: new URL('../src/tasks/print.ts', import.meta.url), task: 'extractTask', options: { polarity: 'auto', format: 'xyt' }, outDir: join(root, `j${jobs}`), quiet: true });
        batchRows.push({ jobs, images: inputs.files.length, done: r.done.length, failed: r.failed.length, seconds: (r.ms / 1000).toFixed(1), 'images/s': (r.done.length / (r.ms / 1000)).toFixed(1) });
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  return [{
    title: '`fingerlift extract` throughput, FVC2002 DB1_B (batch runner, worker threads)',
    rows: batchRows,
    notes: ['Wall time of runBatch including worker start-up (each thread loads tsx and opencv-wasm), decoding, enhancement, extraction, template and trail writing; the machine has 2 cores.'],
    ...(db1 ? {} : { skipped: ['../shared/data/fvc2002-db1b absent'] }),
  }, {
    title: 'End to end, one core',
    rows,
    notes: [`Peak RSS of the bench process so far: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB. CPU ms = process user + system time (sharp's decoder threads included). Targets: enhance + extract of an FVC print under 25 ms; 12 MP lift under 3 s.`],
    skipped,
  }];
};

export default bench;
