/**
 * Batch replacement is all-or-nothing per input: a --force run that fails leaves the earlier run's outputs
 * AND trail byte for byte as they were; a file edited since the earlier run (or no longer a file) is never
 * written over (E_EXISTS naming it); --summary --force replaces only a summary fingerlift wrote (never a
 * trail or a user's file); a --resume summary says of a skipped input what the first run said (the
 * decoder's warning of a damaged JPEG, from its trail).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { formatBatchSummary, formatReplaced, runBatch, fieldsFromTrail, type RunBatchOptions } from '../src/batch/run.js';
import { isFingerliftSummary, summaryCsv, summaryRows, writeSummary } from '../src/batch/summary.js';
import type { BatchResult } from '../src/batch/types.js';
import { loadTrail } from '../src/audit/verify.js';
import { FingerliftError } from '../src/errors.js';
import type { FilesOptions } from './fixtures-batch/files.js';
import { repoRoot, requireData } from './helpers/data.js';

const TASK = new URL('./fixtures-batch/files.ts', import.meta.url);
let root = '';

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fl-batch-replace-'));
});
test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (inputs: string[], outDir: string, options: FilesOptions, more: Partial<RunBatchOptions<FilesOptions>> = {}) =>
  runBatch({ inputs, jobs: 1, taskModule: TASK, task: 'writeFiles', options, outDir, quiet: true, ...more });

/** Every entry of a folder (hidden ones too) with its bytes: what "exactly as it was" compares. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of (await readdir(dir)).sort()) out[n] = await readFile(join(dir, n), 'latin1').catch((e: NodeJS.ErrnoException) => `<${e.code}>`);
  return out;
}

const errorOf = async (p: Promise<unknown>): Promise<FingerliftError> => {
  try {
    await p;
  } catch (e) {
    return e as FingerliftError;
  }
  throw new Error('expected a rejection');
};

test('a --force run that fails part-way (a name too long) leaves the earlier outputs AND trail exactly as they were', async () => {
  const d = join(root, 'long');
  await mkdir(d);
  const input = join(d, 'p.bin');
  await writeFile(input, 'first content');
  const out = join(d, 'out');
  assert.is((await run([input], out, { suffixes: ['.xyt', '.mask.png'] })).done.length, 1);
  const before = await snapshot(out);
  assert.equal(Object.keys(before), ['p.mask.png', 'p.trail.json', 'p.xyt']);
  // New content: --force redoes it; its .xyt (new bytes) is put in place first, then a name over 255 bytes fails.
  await writeFile(input, 'second content');
  const long = `.${'x'.repeat(300)}.png`;
  for (const suffixes of [['.xyt', long], ['.xyt', '.mask.png', long], [long, '.xyt']]) {
    const r = await run([input], out, { suffixes }, { force: true });
    assert.is(r.done.length, 0, formatBatchSummary(r));
    assert.is(r.failed[0]!.code, 'E_WRITE');
    assert.match(r.failed[0]!.message, /ENAMETOOLONG/);
    assert.equal(await snapshot(out), before, `${suffixes.length} outputs: every file of the earlier run as it was, no temporary file left`);
  }
  // The earlier run's trail still verifies its files (nothing absent).
  const trail = await loadTrail(join(out, 'p.trail.json'));
  assert.equal(trail.outputs.map((o) => o.path), ['p.xyt', 'p.mask.png']);
  // And a --force run that can write everything replaces them (the stale mask removed, reported).
  const r = await run([input], out, { suffixes: ['.xyt'] }, { force: true });
  assert.is(r.done.length, 1, formatBatchSummary(r));
  assert.equal(r.done[0]!.replaced, { command: 'files', overwritten: ['p.xyt'], removed: ['p.mask.png'], kept: [] });
  assert.equal(Object.keys(await snapshot(out)), ['p.trail.json', 'p.xyt']);
});

test('an earlier output that is now a folder: --force refuses the input (E_EXISTS) and changes nothing', async () => {
  const d = join(root, 'folder');
  await mkdir(d);
  const input = join(d, 'p.bin');
  await writeFile(input, 'content');
  const out = join(d, 'out');
  assert.is((await run([input], out, { suffixes: ['.xyt', '.minutiae.png'] })).done.length, 1);
  await rm(join(out, 'p.minutiae.png'));
  await mkdir(join(out, 'p.minutiae.png'));
  await writeFile(join(out, 'p.minutiae.png', 'inside'), 'kept');
  const before = await snapshot(out);
  const r = await run([input], out, { suffixes: ['.xyt', '.minutiae.png'] }, { force: true });
  assert.is(r.failed[0]!.code, 'E_EXISTS', formatBatchSummary(r));
  assert.match(r.failed[0]!.message, /p\.minutiae\.png: output of the earlier fingerlift run of this input, no longer a file .*nothing of this input was changed/);
  assert.equal(await snapshot(out), before);
  assert.is(await readFile(join(out, 'p.minutiae.png', 'inside'), 'utf8'), 'kept');
});

test('a file edited since the earlier run is never written over: --force and --resume --force refuse the input naming it', async () => {
  const d = join(root, 'edited');
  await mkdir(d);
  const input = join(d, 'p.bin');
  await writeFile(input, 'print');
  const out = join(d, 'out');
  const suffixes = ['.xyt', '.minutiae.png', '.mask.png'];
  assert.is((await run([input], out, { suffixes })).done.length, 1);
  await writeFile(join(out, 'p.xyt'), '# examiner note\n', { flag: 'a' });
  await writeFile(join(out, 'p.minutiae.png'), 'annotated by hand');
  const before = await snapshot(out);
  for (const mode of [{ force: true }, { force: true, resume: true }]) {
    const r = await run([input], out, { suffixes }, mode);
    assert.is(r.done.length, 0, `${JSON.stringify(mode)}: ${formatBatchSummary(r)}`);
    assert.is(r.failed[0]!.code, 'E_EXISTS');
    const m = r.failed[0]!.message;
    if (mode.resume) assert.ok(m.includes('cannot resume (output p.xyt is changed: edited since its trail was written); an edited output is never overwritten, also not with --force; nothing of this input was changed. Move the edited file(s) (p.xyt, p.minutiae.png) away'), m);
    else {
      assert.ok(m.includes(`${join(out, 'p.xyt')}, ${join(out, 'p.minutiae.png')}: edited since the earlier fingerlift run of this input`), m);
      assert.match(m, /not overwritten, also not with --force; nothing of this input was changed\. Move the edited file\(s\) away/);
    }
    assert.equal(await snapshot(out), before, `${JSON.stringify(mode)}: nothing changed`);
  }
  // Moved away: --force redoes the input (the edited files are the examiner's, elsewhere).
  await mkdir(join(d, 'kept'));
  for (const n of ['p.xyt', 'p.minutiae.png']) {
    await copyFile(join(out, n), join(d, 'kept', n));
    await rm(join(out, n));
  }
  const r = await run([input], out, { suffixes }, { force: true });
  assert.is(r.done.length, 1, formatBatchSummary(r));
  assert.equal(r.done[0]!.replaced, { command: 'files', overwritten: ['p.mask.png'], removed: [], kept: [] });
  assert.match(await readFile(join(out, 'p.xyt'), 'utf8'), /^\.xyt [0-9a-f]{64}\n$/);
  assert.match(formatReplaced(r)[0]!, /1 file\(s\) written over, 0 removed/);
});

const result = (status: 'done' | 'skipped' = 'done'): BatchResult => ({
  done: [{ path: '/in/a.tif', name: 'a', status, outputs: [{ path: 'a.xyt', sha256: 'ab'.repeat(32), size: 3 }], trail: { path: 'a.trail.json', sha256: 'cd'.repeat(32) }, fields: { minutiae: 3 }, ms: 1 }],
  failed: [],
  ms: 2,
});

test('writeSummary --force replaces only a summary fingerlift wrote: never a trail, a user\'s CSV or JSON', async () => {
  const d = join(root, 'summary');
  await mkdir(d);
  // A real trail (under any name), a user's notes, a JSON document of another shape: refused with force, untouched.
  const input = join(d, 'p.bin');
  await writeFile(input, 'x');
  await run([input], join(d, 'o1'), { suffixes: ['.xyt'] });
  await copyFile(join(d, 'o1', 'p.trail.json'), join(d, 'copied-trail.json'));
  await writeFile(join(d, 'notes.csv'), 'examiner,note\nme,"keep this"\n');
  await writeFile(join(d, 'other.json'), '{"counts":{"done":1,"skipped":0,"failed":0},"ms":1,"results":[],"mine":true}');
  for (const f of ['copied-trail.json', 'notes.csv', 'other.json']) {
    const p = join(d, f);
    const bytes = await readFile(p);
    assert.not.ok(await isFingerliftSummary(p), f);
    const e = await errorOf(writeSummary(result(), p, { force: true }));
    assert.is(e.code, 'E_EXISTS', f);
    assert.match(e.message, /exists and is not a summary fingerlift wrote/);
    assert.ok((await readFile(p)).equals(bytes), `${f} untouched`);
  }
  // A name like a trail's is never a summary's, existing or not.
  for (const f of [join(d, 'o1', 'p.trail.json'), join(d, 'new.trail.json')]) assert.is((await errorOf(writeSummary(result(), f, { force: true }))).code, 'E_INVALID_ARGUMENT');
  // Its own summaries (JSON with the marker, CSV with the header, and a JSON summary written before the marker) are replaced.
  for (const f of ['s.json', 's.csv']) {
    await writeSummary(result(), join(d, f));
    assert.ok(await isFingerliftSummary(join(d, f)), f);
    await writeSummary(result('skipped'), join(d, f), { force: true });
    assert.match(await readFile(join(d, f), 'utf8'), /skipped/);
  }
  assert.is(JSON.parse(await readFile(join(d, 's.json'), 'utf8')).fingerlift, 'batch summary');
  await writeFile(join(d, 'old.json'), '{\n  "counts": {"done": 1, "failed": 0, "skipped": 0},\n  "ms": 5,\n  "results": []\n}\n');
  assert.ok(await isFingerliftSummary(join(d, 'old.json')));
  await writeSummary(result(), join(d, 'old.json'), { force: true });
  // A CSV is recognised by its header line, also with the task's extra columns.
  assert.ok(summaryCsv(summaryRows(result())).startsWith('path,name,status,code,message,ms,outputs,trail,trailSha256,minutiae\r\n'));
});

test('CLI: --summary --force refuses a trail, a user\'s file and a run\'s output before any work; replaces its own summary', async () => {
  const d = join(root, 'cli');
  await mkdir(d);
  const input = join(d, 'p.tif');
  await writeFile(input, 'not an image');
  await mkdir(join(d, 'o1'));
  await writeFile(join(d, 'o1', '101_1.trail.json'), '{"an":"unrelated trail"}');
  await writeFile(join(d, 'notes.csv'), 'my notes\n');
  const fl = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), 'extract', input, '-o', join(d, 'out'), '-q', ...args], { encoding: 'utf8', cwd: d });
  for (const [summary, why] of [
    ['o1/101_1.trail.json', /named like an audit trail \(\*\.trail\.json\)/],
    ['notes.csv', /\[E_EXISTS\] exists and is not a summary fingerlift wrote/],
    ['out/p.json', /would take the place of an output of/],
  ] as const) {
    const r = fl('--summary', summary, '--force');
    assert.is(r.status, 2, `${summary}: ${r.stderr}`);
    assert.match(r.stderr, why);
    assert.not.match(r.stderr, /done, .* skipped/, 'refused before any work');
  }
  assert.not.ok(existsSync(join(d, 'out')), 'no empty -o folder left behind');
  assert.is(await readFile(join(d, 'o1', '101_1.trail.json'), 'utf8'), '{"an":"unrelated trail"}');
  assert.is(await readFile(join(d, 'notes.csv'), 'utf8'), 'my notes\n');
  // Its own summary: written, then replaced with --force (the input fails: not an image).
  let r = fl('--summary', 's.csv');
  assert.is(r.status, 1, r.stderr);
  r = fl('--summary', 's.csv', '--force');
  assert.is(r.status, 1, r.stderr);
  assert.match(await readFile(join(d, 's.csv'), 'utf8'), /^path,name,status,code,message,ms,outputs,trail,trailSha256\r\n.*p\.tif,p,failed,E_/);
});

test('--resume: a skipped input\'s summary says the decoder warning its first run said (from its trail)', async () => {
  const db = requireData('fvc2002-db1b', 'resume summary of a damaged JPEG');
  if (db === undefined) return;
  const d = join(root, 'resume');
  await mkdir(join(d, 'jp'), { recursive: true });
  const good = await sharp(join(db, '101_1.tif')).jpeg({ quality: 90 }).toBuffer();
  const bad = Buffer.from(good);
  for (let i = 2000; i < bad.length - 2; i += 997) bad[i] = bad[i]! ^ 0x55;
  await writeFile(join(d, 'jp', 'good.jpg'), good);
  await writeFile(join(d, 'jp', 'bad.jpg'), bad);
  const inputs = [join(d, 'jp', 'bad.jpg'), join(d, 'jp', 'good.jpg')];
  const opts = { inputs, jobs: 1, taskModule: new URL('../src/tasks/print.ts', import.meta.url), task: 'extractTask', options: {}, outDir: join(d, 'out'), quiet: true, command: 'extract' };
  const first = await runBatch(opts);
  assert.is(first.done.length, 2, formatBatchSummary(first));
  const pick = (r: BatchResult) => r.done.map((x) => ({ status: x.status, decoderWarning: x.fields.decoderWarning, warning: x.fields.warning }));
  const was = pick(first);
  assert.is(was[0]!.decoderWarning, true, 'the damaged JPEG is decoded with a warning');
  assert.match(String(was[0]!.warning), /^warning: .*bad\.jpg: the decoder warned of damaged data: the JPEG data is damaged/);
  assert.equal(was[1], { status: 'done', decoderWarning: false, warning: null });
  const again = await runBatch({ ...opts, resume: true });
  assert.equal(pick(again), was.map((w) => ({ ...w, status: 'skipped' })));
  // The same in the summary's rows.
  const col = (r: BatchResult) => summaryRows(r).map((row) => [row.name, row.decoderWarning, row.warning]);
  assert.equal(col(again), col(first));
  // From the trail alone: a trail without a load step gives no fields.
  assert.equal(fieldsFromTrail('/x', { steps: [{ name: 'other' }] }), {});
  assert.equal(fieldsFromTrail('/x', await loadTrail(join(d, 'out', 'good.trail.json'))), { decoderWarning: false, warning: null });
});

test.run();
