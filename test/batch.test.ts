import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import sharp from 'sharp';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expandInputs } from '../src/batch/expand.js';
import { batchExitCode, formatBatchSummary, runBatch, type BatchProgress } from '../src/batch/run.js';
import { summaryCsv, summaryRows, writeSummary } from '../src/batch/summary.js';
import type { BatchResult } from '../src/batch/types.js';
import { loadTrail } from '../src/audit/verify.js';
import { FingerliftError } from '../src/errors.js';

const TASK = new URL('./fixtures-batch/grey-png.ts', import.meta.url);
const OPTIONS = { sigma: 1.2 };

let root = '';
let inputs = '';
const bad = new Map<string, string>(); // file name -> expected error code

/** 200 inputs, 20 bad: 5 truncated, 5 empty, 5 with the wrong extension, 5 not images. */
async function makeInputs(dir: string): Promise<void> {
  await mkdir(join(dir, 'sub'), { recursive: true });
  const formats = ['png', 'jpg', 'tif'] as const;
  for (let i = 0; i < 180; i++) {
    const w = 24 + (i % 7);
    const h = 20 + (i % 5);
    const raw = Buffer.alloc(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * w + x] = Math.round(127.5 + 120 * Math.sin((x + i) * 0.9 + y * 0.4 * ((i % 3) + 1)));
    const fmt = formats[i % 3]!;
    const img = sharp(raw, { raw: { width: w, height: h, channels: 1 } });
    const bytes = fmt === 'png' ? await img.png().toBuffer() : fmt === 'jpg' ? await img.jpeg({ quality: 90 }).toBuffer() : await img.tiff().toBuffer();
    await writeFile(join(dir, i % 4 === 0 ? 'sub' : '', `good_${String(i).padStart(3, '0')}.${fmt}`), bytes);
  }
  const sample = await sharp(Buffer.alloc(32 * 32, 128), { raw: { width: 32, height: 32, channels: 1 } }).png().toBuffer();
  const jpeg = await sharp(Buffer.alloc(32 * 32, 128), { raw: { width: 32, height: 32, channels: 1 } }).jpeg().toBuffer();
  for (let i = 0; i < 5; i++) {
    const add = async (name: string, bytes: Buffer | string, code: string): Promise<void> => {
      await writeFile(join(dir, name), bytes);
      bad.set(name, code);
    };
    await add(`bad_truncated_${i}.png`, sample.subarray(0, Math.floor(sample.length * (0.3 + i * 0.1))), 'E_DECODE');
    await add(`bad_empty_${i}.png`, Buffer.alloc(0), 'E_TOO_SMALL');
    await add(`bad_wrongext_${i}.png`, jpeg, 'E_DECODE');
    await add(`bad_notimage_${i}.tif`, `not an image ${i}\n`.repeat(20), 'E_DECODE');
  }
  await writeFile(join(dir, 'README.txt'), 'ignored: not an image extension');
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(relative(dir, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)));
  return out.sort();
}

/** A trail without its timing (ms, createdAt), which legitimately differs between runs. */
function timeless(text: string): unknown {
  const t = JSON.parse(text);
  delete t.createdAt;
  for (const s of t.steps) delete s.ms;
  return t;
}

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fl-batch-'));
  inputs = join(root, 'in');
  await makeInputs(inputs);
});
test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('expandInputs: directories, globs, files; sorted, deduplicated; missing inputs as E_NOT_FOUND', async () => {
  const all = await expandInputs([inputs]);
  assert.is(all.files.length, 200);
  assert.is(all.failed.length, 0);
  const paths = all.files.map((f) => f.path);
  assert.equal(paths, [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  assert.ok(all.files.some((f) => f.name === 'sub/good_000'));
  assert.not.ok(all.files.some((f) => f.path.endsWith('README.txt')));

  await symlink(join(inputs, 'good_001.jpg'), join(root, 'link.jpg'));
  const mixed = await expandInputs([join(inputs, '*.jpg'), join(inputs, 'good_001.jpg'), join(root, 'link.jpg'), join(root, 'missing.png'), join(root, 'nomatch-*.png'), join(inputs, 'README.txt')], { extensions: ['.JPG', 'png'] });
  assert.is(mixed.files.filter((f) => f.name === 'good_001').length, 1, 'the same file named three ways is taken once');
  assert.ok(mixed.files.some((f) => f.path.endsWith('README.txt')), 'an explicitly named file is always taken');
  assert.is(mixed.files.length, 45 + 1, '45 top-level JPEGs and the README');
  assert.equal(mixed.failed.map((f) => f.code), ['E_NOT_FOUND', 'E_NOT_FOUND']);
  assert.match(mixed.failed[0]!.message, /missing\.png: no such file/);
  assert.match(mixed.failed[1]!.message, /no file matches/);
  await rm(join(root, 'link.jpg'));
});

let serial: BatchResult;
let parallel: BatchResult;

test('200 inputs, 20 bad, jobs = 1: exactly 180 done, 20 failed with their codes; the batch goes on', async () => {
  const progress: BatchProgress[] = [];
  serial = await runBatch({ inputs: await expandInputs([inputs]), jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: join(root, 'out1'), quiet: true, onProgress: (p) => progress.push(p) });
  assert.is(serial.done.length, 180, formatBatchSummary(serial));
  assert.is(serial.failed.length, 20);
  assert.is(batchExitCode(serial), 1);
  for (const f of serial.failed) {
    const name = f.path.split('/').pop()!;
    assert.is(f.code, bad.get(name), `${name}: ${f.code} ${f.message}`);
    assert.ok(f.message.includes(f.path), `message names the input: ${f.message}`);
  }
  assert.is(progress.length, 200);
  assert.equal(progress.at(-1), { ...progress.at(-1)!, finished: 200, total: 200, done: 180, failed: 20, skipped: 0 });
  const written = await filesUnder(join(root, 'out1'));
  assert.is(written.length, 360, '180 PNGs + 180 trails');
  const d = serial.done.find((x) => x.name === 'sub/good_000')!;
  assert.equal(d.outputs.map((o) => o.path), ['good_000.png']);
  assert.is(d.trail!.path, 'good_000.trail.json');
  assert.is(d.fields.width, 24);
});

test('jobs = 2 (piscina workers) gives byte-identical outputs and the same trail hashes', async () => {
  parallel = await runBatch({ inputs: await expandInputs([inputs]), jobs: 2, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: join(root, 'out2'), quiet: true });
  assert.is(parallel.done.length, 180, formatBatchSummary(parallel));
  assert.is(parallel.failed.length, 20);
  // Same inputs fail with the same codes (libvips' error text can differ between threads: not compared).
  assert.equal(parallel.failed.map((f) => [f.path, f.code]), serial.failed.map((f) => [f.path, f.code]));
  const a = await filesUnder(join(root, 'out1'));
  assert.equal(await filesUnder(join(root, 'out2')), a);
  for (const f of a) {
    const x = await readFile(join(root, 'out1', f));
    const y = await readFile(join(root, 'out2', f));
    if (f.endsWith('.png')) assert.ok(x.equals(y), `${f} differs between jobs 1 and 2`);
    else assert.equal(timeless(y.toString()), timeless(x.toString()), `${f}: trail differs beyond timing`);
  }
  assert.equal(parallel.done.map((d) => d.outputs), serial.done.map((d) => d.outputs));
});

test('existing outputs are not overwritten without force; resume skips matching ones; force redoes, but never over an edited file', async () => {
  const out = join(root, 'out1');
  const again = await runBatch({ inputs: await expandInputs([inputs]), jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: out, quiet: true });
  assert.is(again.done.length, 0);
  assert.is(again.failed.filter((f) => f.code === 'E_EXISTS').length, 180);

  const victim = join(out, 'good_005.png');
  const before = await readFile(victim);
  await writeFile(victim, Buffer.from('edited by hand'));
  const resumed = await runBatch({ inputs: await expandInputs([inputs]), jobs: 2, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: out, quiet: true, resume: true });
  assert.is(resumed.done.filter((d) => d.status === 'skipped').length, 179);
  const refused = resumed.failed.filter((f) => f.code === 'E_EXISTS');
  assert.is(refused.length, 1);
  assert.match(refused[0]!.message, /good_005\.png is changed/);
  assert.not.match(refused[0]!.message, /without --force/, '--force would not help: an edited file is never written over');
  assert.equal(await readFile(victim, 'utf8'), 'edited by hand', 'never overwritten without force');

  const otherOptions = await runBatch({ inputs: [join(inputs, 'good_001.jpg')], jobs: 1, taskModule: TASK, task: 'greyPng', options: { sigma: 2 }, outDir: out, quiet: true, resume: true });
  assert.match(otherOptions.failed[0]!.message, /options differ/);

  // --resume --force: the 179 matching inputs are skipped; the edited file is never written over, also not
  // with --force (the examiner's edit would be lost): that input is refused naming it, and nothing of it changes.
  const both = await runBatch({ inputs: await expandInputs([inputs]), jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: out, quiet: true, resume: true, force: true });
  assert.is(both.done.filter((d) => d.status === 'skipped').length, 179);
  assert.equal(both.done.filter((d) => d.status === 'done').map((d) => d.name), []);
  assert.equal(both.failed.filter((f) => f.code === 'E_EXISTS').map((f) => f.name), ['good_005']);
  assert.match(both.failed.find((f) => f.code === 'E_EXISTS')!.message, /cannot resume \(output good_005\.png is changed: edited since its trail was written\); an edited output is never overwritten, also not with --force; .*Move the edited file\(s\) \(good_005\.png\) away/);
  assert.equal(await readFile(victim, 'utf8'), 'edited by hand', 'an edited file is never written over');
  // Moved away: --resume --force redoes that input.
  await rm(victim);
  const redone = await runBatch({ inputs: await expandInputs([inputs]), jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: out, quiet: true, resume: true, force: true });
  assert.is(redone.done.filter((d) => d.status === 'skipped').length, 179);
  assert.equal(redone.done.filter((d) => d.status === 'done').map((d) => d.name), ['good_005']);
  assert.ok((await readFile(victim)).equals(before), 'redone with the same bytes');
  await writeFile(victim, Buffer.from('edited again'));

  // --force alone: the same (refused while edited; redone once the edited file is moved away).
  let forced = await runBatch({ inputs: [join(inputs, 'good_005.tif')], jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: out, quiet: true, force: true });
  assert.is(forced.failed[0]?.code, 'E_EXISTS', formatBatchSummary(forced));
  assert.equal(await readFile(victim, 'utf8'), 'edited again');
  await rm(victim);
  forced = await runBatch({ inputs: [join(inputs, 'good_005.tif')], jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: out, quiet: true, force: true });
  assert.is(forced.done.length, 1, formatBatchSummary(forced));
  assert.ok((await readFile(victim)).equals(before), 'force rewrites the same bytes');
  const trail = await loadTrail(join(out, 'good_005.trail.json'));
  assert.is(trail.outputs[0]!.sha256, forced.done[0]!.outputs[0]!.sha256);
});

test('colliding output names fail instead of overwriting; a missing task export is reported', async () => {
  await mkdir(join(root, 'twins', 'a'), { recursive: true });
  await mkdir(join(root, 'twins', 'b'), { recursive: true });
  const png = await readFile(join(inputs, 'good_003.png'));
  await writeFile(join(root, 'twins', 'a', 'x.png'), png);
  await writeFile(join(root, 'twins', 'b', 'x.png'), png);
  const r = await runBatch({ inputs: [join(root, 'twins', 'a', 'x.png'), join(root, 'twins', 'b', 'x.png')], jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: join(root, 'twins-out'), quiet: true });
  assert.is(r.done.length, 1);
  assert.is(r.failed[0]!.code, 'E_INVALID_ARGUMENT');
  assert.match(r.failed[0]!.message, /would overwrite/);
  const twins = await expandInputs([join(root, 'twins', 'a'), join(root, 'twins', 'b')]);
  assert.equal(twins.files.map((f) => f.name), ['a/x', 'b/x'], 'inputs from two folders keep their folder in the output name');
  const both = await runBatch({ inputs: twins, jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: join(root, 'twins-out2'), quiet: true });
  assert.is(both.done.length, 2);
  assert.equal(await filesUnder(join(root, 'twins-out2')), ['a/x.png', 'a/x.trail.json', 'b/x.png', 'b/x.trail.json']);
  // Same stem, different extensions, in one folder: each keeps its extension in its name and gets its own result.
  await mkdir(join(root, 'stems'), { recursive: true });
  await writeFile(join(root, 'stems', 'y.png'), png);
  await writeFile(join(root, 'stems', 'y.tif'), Buffer.from('not a tiff'));
  await writeFile(join(root, 'stems', 'z.enhanced.png'), png);
  await writeFile(join(root, 'stems', 'z.trail.json'), '{}');
  const stems = await expandInputs([join(root, 'stems')], { extensions: ['png', 'tif', 'json'] });
  assert.equal(stems.files.map((f) => f.name), ['y.png', 'y.tif']);
  assert.equal(stems.ownOutputs.map((f) => basename(f)).sort(), ['z.enhanced.png', 'z.trail.json'], "fingerlift's own outputs are not inputs");
  // ... unless named explicitly (a lifted print hand.f1.png is an input of extract); a file named twice is taken once.
  const named = await expandInputs([join(root, 'stems', 'z.enhanced.png'), join(root, 'stems', 'y.png'), join(root, 'stems', '..', 'stems', 'y.png')]);
  assert.equal(named.files.map((f) => f.name), ['y', 'z.enhanced']);
  assert.equal(named.ownOutputs, []);
  assert.equal(named.duplicates.map((f) => basename(f)), ['y.png']);
  const device = await expandInputs(['/dev/null']);
  assert.equal(device.failed.map((f) => f.code), ['E_UNSUPPORTED_FORMAT'], 'a device is not "missing"');
  const stemRun = await runBatch({ inputs: stems, jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: join(root, 'stems-out'), quiet: true });
  assert.is(stemRun.done.length, 1);
  assert.is(stemRun.failed.length, 1);
  assert.is(stemRun.failed[0]!.code, 'E_DECODE', 'the bad file fails with its own reason, not a name collision');
  const none = await runBatch({ inputs: [join(inputs, 'good_003.png')], jobs: 1, taskModule: TASK, task: 'nope', options: OPTIONS, outDir: join(root, 'none-out'), quiet: true });
  assert.match(none.failed[0]!.message, /no function export "nope"/);
  try {
    await runBatch({ inputs: [], jobs: 0, taskModule: TASK, options: OPTIONS, outDir: root });
    assert.unreachable();
  } catch (e) {
    assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
  }
});

test('worker threads start when node runs with per-process options (--single-threaded-gc): only module-loading options are passed on', async () => {
  const script = `
    const { runBatch } = await import(${JSON.stringify(new URL('../src/batch/run.ts', import.meta.url).href)});
    const r = await runBatch({ inputs: ${JSON.stringify([join(inputs, 'good_003.png'), join(inputs, 'good_001.jpg')])}, jobs: 2,
      taskModule: ${JSON.stringify(fileURLToPath(TASK))}, task: 'greyPng', options: ${JSON.stringify(OPTIONS)}, outDir: ${JSON.stringify(join(root, 'gc-out'))}, quiet: true });
    console.log(JSON.stringify({ done: r.done.length, failed: r.failed.map((f) => f.message) }));`;
  const child = spawnSync(process.execPath, ['--single-threaded-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(child.status, 0, child.stderr);
  assert.equal(JSON.parse(child.stdout.trim().split('\n').pop()!), { done: 2, failed: [] });
});

test('a worker that dies (or a task bug) fails its own input only, with E_INTERNAL', async () => {
  const crashDir = join(root, 'crash');
  await mkdir(crashDir, { recursive: true });
  for (const n of ['a', 'b', 'crash', 'd']) await writeFile(join(crashDir, `${n}.png`), await readFile(join(inputs, 'good_003.png')));
  for (const jobs of [1, 2]) {
    const r = await runBatch({ inputs: await expandInputs([crashDir]), jobs, taskModule: TASK, task: 'greyPngOrCrash', options: OPTIONS, outDir: join(root, `crash-out-${jobs}`), quiet: true });
    assert.equal(r.done.map((d) => d.name), ['a', 'b', 'd'], `jobs ${jobs}`);
    assert.equal(r.failed.map((f) => [f.path.split('/').pop(), f.code]), [['crash.png', 'E_INTERNAL']], `jobs ${jobs}: ${formatBatchSummary(r)}`);
  }
});

test('output names near the 255-byte limit are written (short temporary names); a name over it fails E_WRITE naming the file, not a cleanup error', async () => {
  const dir = join(root, 'longnames');
  await mkdir(dir, { recursive: true });
  const stem = 'b'.repeat(244); // outputs <stem>.png (248) and <stem>.trail.json (255 bytes)
  await writeFile(join(dir, `${stem}.png`), await readFile(join(inputs, 'good_003.png')));
  const out = join(root, 'longnames-out');
  const r = await runBatch({ inputs: await expandInputs([dir]), jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: out, quiet: true });
  assert.equal(r.failed, [], formatBatchSummary(r));
  assert.equal(await readdir(out), [`${stem}.png`, `${stem}.trail.json`]);
  const { writeOutputFile } = await import('../src/batch/worker.js');
  const tooLong = join(out, `${'e'.repeat(300)}.xyt`);
  for (const force of [false, true]) {
    try {
      await writeOutputFile(tooLong, 'x', force);
      assert.unreachable();
    } catch (e) {
      assert.is((e as FingerliftError).code, 'E_WRITE', String(e));
      assert.ok((e as Error).message.includes(tooLong) && (e as Error).message.includes('ENAMETOOLONG'), (e as Error).message);
    }
  }
  assert.equal((await readdir(out)).length, 2, 'no temporary file left');
  // One byte longer: <stem>.png fits (249 bytes), its trail (256) does not. The job fails, and the output it
  // wrote before the trail is removed: no partial set, and a re-run is not refused by leftovers.
  const dir2 = join(root, 'longnames2');
  await mkdir(dir2, { recursive: true });
  await writeFile(join(dir2, `${stem}b.png`), await readFile(join(inputs, 'good_003.png')));
  const out2 = join(root, 'longnames-out2');
  const r2 = await runBatch({ inputs: await expandInputs([dir2]), jobs: 1, taskModule: TASK, task: 'greyPng', options: OPTIONS, outDir: out2, quiet: true });
  assert.equal(r2.failed.map((f) => f.code), ['E_WRITE'], formatBatchSummary(r2));
  assert.equal(await readdir(out2), [], 'a failed job left outputs');
});

test('writeSummary: JSON and CSV with paths, hashes, fields, codes; no overwrite without force', async () => {
  const json = join(root, 'summary.json');
  const csv = join(root, 'summary.csv');
  await writeSummary(serial, json);
  await writeSummary(serial, csv);
  const j = JSON.parse(await readFile(json, 'utf8'));
  assert.equal(j.counts, { done: 180, skipped: 0, failed: 20 });
  assert.is(j.results.length, 200);
  const failedRow = j.results.find((r: { status: string }) => r.status === 'failed');
  assert.match(failedRow.code, /^E_/);
  for (const row of j.results.filter((r: { status: string }) => r.status === 'failed')) assert.match(row.name, /^bad_/, 'a failed input keeps its name');
  const text = await readFile(csv, 'utf8');
  const lines = text.trimEnd().split('\r\n');
  assert.is(lines.length, 201);
  assert.match(lines[0]!, /^path,name,status,code,message,ms,outputs,trail,trailSha256,height,meanGrey,width$/);
  assert.match(text, /good_000\.png=[0-9a-f]{64}/);
  try {
    await writeSummary(serial, csv);
    assert.unreachable();
  } catch (e) {
    assert.is((e as FingerliftError).code, 'E_EXISTS');
  }
  try {
    await writeSummary(serial, join(root, 'summary.txt'));
    assert.unreachable();
  } catch (e) {
    assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
  }
  // quoting and formula guard
  const tricky = summaryCsv(summaryRows({ done: [], failed: [{ path: '=cmd|x,"y"', code: 'E_DECODE', message: 'a\nb' }], ms: 1 }));
  assert.match(tricky, /^"'=cmd\|x,""y""",,failed,E_DECODE,"a\nb",,,,\r\n$/m);
});

test.run();
