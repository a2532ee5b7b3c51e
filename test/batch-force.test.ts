/**
 * Batch runner: what --force may replace (only files an earlier fingerlift run of the same input recorded
 * in its trail), and interruption (AbortSignal): finished inputs complete, unfinished ones leave nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatBatchSummary, runBatch, type RunBatchOptions } from '../src/batch/run.js';
import { checkOutputsOnDisk, loadTrail } from '../src/audit/verify.js';
import type { FilesOptions } from './fixtures-batch/files.js';

const TASK = new URL('./fixtures-batch/files.ts', import.meta.url);
let root = '';

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fl-batch-force-'));
});
test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (inputs: string[], outDir: string, options: FilesOptions, more: Partial<RunBatchOptions<FilesOptions>> = {}) =>
  runBatch({ inputs, jobs: 1, taskModule: TASK, task: 'writeFiles', options, outDir, quiet: true, ...more });

const names = async (dir: string): Promise<string[]> => (await readdir(dir)).sort();

test('--force replaces only the files the earlier run of that input recorded; any other file is refused, untouched', async () => {
  const dir = join(root, 'data');
  await mkdir(dir);
  const input = join(dir, 'a.bin');
  await writeFile(input, 'input bytes');
  // Files beside the input that fingerlift never wrote: a dataset's own template, a user's picture.
  await writeFile(join(dir, 'a.iso'), 'SDK template');
  await writeFile(join(dir, 'a.f1.png'), 'user picture');

  // No trail at all: nothing existing may be replaced, not even with --force; nothing is written.
  let r = await run([input], dir, { suffixes: ['.xyt', '.iso'] }, { force: true });
  assert.is(r.failed.length, 1, formatBatchSummary(r));
  assert.is(r.failed[0]!.code, 'E_EXISTS');
  assert.match(r.failed[0]!.message, /a\.iso exists and was not written by a fingerlift run of this input/);
  assert.match(r.failed[0]!.message, /choose another -o folder/);
  assert.is(await readFile(join(dir, 'a.iso'), 'utf8'), 'SDK template');
  assert.equal(await names(dir), ['a.bin', 'a.f1.png', 'a.iso'], 'no output, trail or temporary file written');
  // Without --force the same file is refused with the same reason (--force would not help).
  r = await run([input], dir, { suffixes: ['.iso'] });
  assert.match(r.failed[0]!.message, /not written by a fingerlift run of this input/);
  assert.not.match(r.failed[0]!.message, /use --force/);
  r = await run([input], dir, { suffixes: ['.f1.png'] }, { force: true });
  assert.is(r.failed[0]!.code, 'E_EXISTS');
  assert.is(await readFile(join(dir, 'a.f1.png'), 'utf8'), 'user picture');

  // A run that writes .xyt: its trail lists a.xyt.
  r = await run([input], dir, { suffixes: ['.xyt'] });
  assert.is(r.done.length, 1, formatBatchSummary(r));
  const trail1 = await readFile(join(dir, 'a.trail.json'));
  // Its trail lists another set of outputs than a run with --format iso would write: a.xyt may be
  // replaced, a.iso not, and the refusal comes before any file of the input is touched.
  await writeFile(join(dir, 'a.xyt'), 'edited');
  r = await run([input], dir, { suffixes: ['.xyt', '.iso'] }, { force: true });
  assert.is(r.failed[0]!.code, 'E_EXISTS', formatBatchSummary(r));
  assert.match(r.failed[0]!.message, /a\.iso exists and was not written by a fingerlift run of this input/);
  assert.is(await readFile(join(dir, 'a.iso'), 'utf8'), 'SDK template');
  assert.is(await readFile(join(dir, 'a.xyt'), 'utf8'), 'edited', 'the earlier run is left as it was');
  assert.ok((await readFile(join(dir, 'a.trail.json'))).equals(trail1));
  assert.equal(await names(dir), ['a.bin', 'a.f1.png', 'a.iso', 'a.trail.json', 'a.xyt']);

  // a.xyt was edited since that run: never written over, also not with --force (E_EXISTS naming it).
  r = await run([input], dir, { suffixes: ['.xyt', '.f2.txt'] }, { force: true });
  assert.is(r.failed[0]!.code, 'E_EXISTS', formatBatchSummary(r));
  assert.match(r.failed[0]!.message, /a\.xyt: edited since the earlier fingerlift run of this input/);
  assert.is(await readFile(join(dir, 'a.xyt'), 'utf8'), 'edited');
  assert.equal(await names(dir), ['a.bin', 'a.f1.png', 'a.iso', 'a.trail.json', 'a.xyt']);
  // Moved away: only recorded files and new names: replaced / written; the trail is replaced too.
  await rm(join(dir, 'a.xyt'));
  r = await run([input], dir, { suffixes: ['.xyt', '.f2.txt'] }, { force: true });
  assert.is(r.done.length, 1, formatBatchSummary(r));
  assert.match(await readFile(join(dir, 'a.xyt'), 'utf8'), /^\.xyt [0-9a-f]{64}\n$/);
  const trail = await loadTrail(join(dir, 'a.trail.json'));
  assert.equal(trail.outputs.map((o) => o.path), ['a.xyt', 'a.f2.txt']);
  assert.equal(await checkOutputsOnDisk(trail, join(dir, 'a.trail.json')), []);
  assert.is(await readFile(join(dir, 'a.iso'), 'utf8'), 'SDK template');
  assert.is(await readFile(join(dir, 'a.f1.png'), 'utf8'), 'user picture');
  // --resume --force redoes it (other options) under the same rule.
  r = await run([input], dir, { suffixes: ['.iso'] }, { force: true, resume: true });
  assert.is(r.failed[0]!.code, 'E_EXISTS');
  assert.is(await readFile(join(dir, 'a.iso'), 'utf8'), 'SDK template');
});

test('--force does not replace a file at the trail path that is not a fingerlift trail', async () => {
  const dir = join(root, 'badtrail');
  await mkdir(dir);
  const input = join(dir, 'b.bin');
  await writeFile(input, 'b');
  await writeFile(join(dir, 'b.trail.json'), '{"notes": "mine"}');
  const r = await run([input], dir, { suffixes: ['.xyt'] }, { force: true });
  assert.is(r.failed[0]!.code, 'E_EXISTS', formatBatchSummary(r));
  assert.match(r.failed[0]!.message, /b\.trail\.json exists and was not written by a fingerlift run/);
  assert.is(await readFile(join(dir, 'b.trail.json'), 'utf8'), '{"notes": "mine"}');
  assert.equal(await names(dir), ['b.bin', 'b.trail.json']);
});

async function makeInputs(dir: string, n: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = join(dir, `in${i}.bin`);
    await writeFile(p, `input ${i}`);
    out.push(p);
  }
  return out;
}

/** Every input has either its trail and all its recorded outputs, or no file at all; no temporary files. */
async function assertWholeOrNothing(out: string, inputs: string[], finished: number): Promise<void> {
  const files = await names(out);
  assert.equal(files.filter((f) => f.startsWith('.')), [], 'no temporary files');
  let complete = 0;
  for (const p of inputs) {
    const stem = p.split('/').pop()!.replace(/\.bin$/, '');
    const mine = files.filter((f) => f.startsWith(`${stem}.`));
    if (mine.length === 0) continue;
    const trailPath = join(out, `${stem}.trail.json`);
    assert.ok(mine.includes(`${stem}.trail.json`), `${stem}: outputs without a trail: ${mine.join(', ')}`);
    const trail = await loadTrail(trailPath);
    assert.equal(await checkOutputsOnDisk(trail, trailPath), []);
    assert.is(mine.length, trail.outputs.length + 1);
    complete++;
  }
  assert.is(complete, finished);
}

test('interrupted batch: no new input starts, an input in progress stops before writing, nothing half-written', async () => {
  const inputs = await makeInputs(join(root, 'int-in'), 3);
  const out = join(root, 'int-out');
  const gate = join(root, 'gate');
  const stop = new AbortController();
  const running = run(inputs, out, { suffixes: ['.a', '.b'], gate }, { signal: stop.signal });
  // Wait (no time limit) until the first input is in progress, waiting at the gate.
  while (!(await access(`${gate}.waiting`).then(() => true, () => false))) await sleep(10);
  stop.abort('SIGINT');
  await writeFile(gate, '');
  const r = await running;
  assert.equal(r.interrupted, { reason: 'SIGINT', finished: 0, total: 3 });
  assert.is(r.done.length + r.failed.length, 0);
  assert.equal(await readdir(out).catch(() => []), [], 'nothing written');
  // Resumed, every input is done.
  const again = await run(inputs, out, { suffixes: ['.a', '.b'] }, { resume: true });
  assert.is(again.done.length, 3, formatBatchSummary(again));
  assert.is(again.interrupted, undefined);
});

test('interrupted after the first input (worker threads): finished inputs complete, the others left no file; --resume finishes', async () => {
  const inputs = await makeInputs(join(root, 'int2-in'), 10);
  const out = join(root, 'int2-out');
  const stop = new AbortController();
  const r = await run(inputs, out, { suffixes: ['.a', '.b', '.c'] }, { jobs: 2, signal: stop.signal, onProgress: () => stop.abort('SIGTERM') });
  assert.ok(r.interrupted, 'interrupted');
  assert.is(r.interrupted!.reason, 'SIGTERM');
  assert.is(r.interrupted!.total, 10);
  // 2 threads x 2 inputs in flight: at most 4 were started.
  assert.ok(r.interrupted!.finished >= 1 && r.interrupted!.finished <= 4, `${r.interrupted!.finished} finished`);
  assert.is(r.done.length + r.failed.length, r.interrupted!.finished);
  await assertWholeOrNothing(out, inputs, r.done.length);
  const again = await run(inputs, out, { suffixes: ['.a', '.b', '.c'] }, { jobs: 2, resume: true });
  assert.is(again.failed.length, 0, formatBatchSummary(again));
  assert.is(again.done.filter((d) => d.status === 'skipped').length, r.done.length);
  await assertWholeOrNothing(out, inputs, 10);
});

test('an AbortSignal already aborted runs nothing; a signal that is not an AbortSignal is refused', async () => {
  const inputs = await makeInputs(join(root, 'int3-in'), 2);
  const r = await run(inputs, join(root, 'int3-out'), { suffixes: ['.a'] }, { signal: AbortSignal.abort('SIGHUP') });
  assert.equal(r.interrupted, { reason: 'SIGHUP', finished: 0, total: 2 });
  assert.equal(await readdir(join(root, 'int3-out')).catch(() => []), []);
  try {
    await run(inputs, join(root, 'int3-out'), { suffixes: ['.a'] }, { signal: 'SIGINT' as unknown as AbortSignal });
    assert.unreachable('accepted a string signal');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'E_INVALID_ARGUMENT');
  }
});

test.run();
