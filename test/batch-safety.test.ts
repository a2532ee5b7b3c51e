/**
 * Batch safety: --force and --resume act only on THIS input's earlier results (never another input's with
 * the same output name); what --force replaced or removed is reported (files edited since are kept, never
 * written over);
 * folder walks do not follow symbolic links to folders, report broken entries, and are bounded; the CLI
 * caps --jobs at the cores available.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandInputs, formatSkipped, SKIPPED_LINES } from '../src/batch/expand.js';
import { formatBatchSummary, formatReplaced, runBatch, type RunBatchOptions } from '../src/batch/run.js';
import { loadTrail } from '../src/audit/verify.js';
import type { FilesOptions } from './fixtures-batch/files.js';
import { repoRoot } from './helpers/data.js';

const TASK = new URL('./fixtures-batch/files.ts', import.meta.url);
let root = '';

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fl-batch-safety-'));
});
test.after(async () => {
  chmodSync(root, 0o755);
  await rm(root, { recursive: true, force: true });
});

const run = (inputs: string[], outDir: string, options: FilesOptions, more: Partial<RunBatchOptions<FilesOptions>> = {}) =>
  runBatch({ inputs, jobs: 1, taskModule: TASK, task: 'writeFiles', options, outDir, quiet: true, ...more });

const names = async (dir: string): Promise<string[]> => (await readdir(dir)).sort();

test('--force and --resume never replace the results of ANOTHER input that has the same output name', async () => {
  const d = join(root, 'owner');
  await mkdir(join(d, 'db1'), { recursive: true });
  await mkdir(join(d, 'db2'), { recursive: true });
  const a = join(d, 'db1', '101_1.tif');
  const b = join(d, 'db2', '101_1.tif');
  await writeFile(a, 'print of finger 101 from DB1');
  await writeFile(b, 'print of finger 101 from DB2');
  const out = join(d, 'out');
  let r = await run([a], out, { suffixes: ['.xyt'] });
  assert.is(r.done.length, 1, formatBatchSummary(r));
  const xyt = await readFile(join(out, '101_1.xyt'));
  const trail = await readFile(join(out, '101_1.trail.json'));

  // db2's print into the same folder, in separate runs: refused in every mode, naming db1's print.
  for (const mode of [{}, { force: true }, { resume: true }, { resume: true, force: true }]) {
    r = await run([b], out, { suffixes: ['.xyt'] }, mode);
    assert.is(r.done.length, 0, `${JSON.stringify(mode)}: ${formatBatchSummary(r)}`);
    assert.is(r.failed[0]!.code, 'E_EXISTS', JSON.stringify(mode));
    const m = r.failed[0]!.message;
    assert.ok(m.includes(`of another input, ${a}`), `${JSON.stringify(mode)}: ${m}`);
    assert.match(m, /also not with --force or --resume/);
    assert.match(m, /give this input another -o folder/);
    assert.not.match(m, /run of that input|of this input|the input changed/, m);
    assert.ok((await readFile(join(out, '101_1.xyt'))).equals(xyt), `${JSON.stringify(mode)}: db1's output untouched`);
    assert.ok((await readFile(join(out, '101_1.trail.json'))).equals(trail), `${JSON.stringify(mode)}: db1's trail untouched`);
  }
  assert.is((await loadTrail(join(out, '101_1.trail.json'))).input.path, a);

  // x.png then x.tif (one stem, two inputs) in separate runs: the same.
  const png = join(d, 'x.png');
  const tif = join(d, 'x.tif');
  await writeFile(png, 'png bytes');
  await writeFile(tif, 'tif bytes');
  assert.is((await run([png], out, { suffixes: ['.xyt'] })).done.length, 1);
  r = await run([tif], out, { suffixes: ['.xyt'] }, { force: true });
  assert.is(r.failed[0]!.code, 'E_EXISTS');
  assert.ok(r.failed[0]!.message.includes(`of another input, ${png}`), r.failed[0]!.message);
  // --resume of the first input still skips it: its trail is its own.
  r = await run([png], out, { suffixes: ['.xyt'] }, { resume: true });
  assert.equal(r.done.map((x) => x.status), ['skipped'], formatBatchSummary(r));
});

test('a trail is this input\'s when its SHA-256 matches (moved) or its path is this file (content changed); messages say which', async () => {
  const d = join(root, 'same');
  await mkdir(join(d, 'moved'), { recursive: true });
  const a = join(d, 'a.bin');
  await writeFile(a, 'first content');
  const out = join(d, 'out');
  assert.is((await run([a], out, { suffixes: ['.xyt'] })).done.length, 1);
  // The same content under another path (moved, copied): --resume skips it, no --force needed.
  const moved = join(d, 'moved', 'a.bin');
  await copyFile(a, moved);
  let r = await run([moved], out, { suffixes: ['.xyt'] }, { resume: true });
  assert.equal(r.done.map((x) => x.status), ['skipped'], formatBatchSummary(r));
  // Without --force or --resume: an earlier run of that input.
  r = await run([moved], out, { suffixes: ['.xyt'] });
  assert.match(r.failed[0]!.message, /trail exists \(from an earlier `files` run of that input\), not overwritten \(use --force/);
  // Another command's trail for this input: named as such.
  r = await run([a], out, { suffixes: ['.xyt'] }, { command: 'extract' });
  assert.match(r.failed[0]!.message, /from the `files` run of that input: give this command another -o folder/);
  // The same file with new content: said so (not "another input"), --resume says the content changed, --force redoes it.
  await writeFile(a, 'second content');
  r = await run([a], out, { suffixes: ['.xyt'] });
  assert.match(r.failed[0]!.message, /from an earlier `files` run of that input, whose content has changed since/);
  r = await run([a], out, { suffixes: ['.xyt'] }, { resume: true });
  assert.match(r.failed[0]!.message, /cannot resume \(the content of this input changed since its trail was written\)/);
  r = await run([a], out, { suffixes: ['.xyt'] }, { force: true });
  assert.is(r.done.length, 1, formatBatchSummary(r));
  assert.equal(r.done[0]!.replaced, { command: 'files', overwritten: ['a.xyt'], removed: [], kept: [] });
});

test('two inputs with one output name in ONE run: distinct names from expandInputs; a forced collision fails, nothing overwritten', async () => {
  const d = join(root, 'onerun');
  await mkdir(join(d, 'a'), { recursive: true });
  await mkdir(join(d, 'b'), { recursive: true });
  await writeFile(join(d, 'a', '101_1.tif'), 'A');
  await writeFile(join(d, 'b', '101_1.tif'), 'B');
  const x = await expandInputs([join(d, 'a', '101_1.tif'), join(d, 'b', '101_1.tif')]);
  assert.equal(x.files.map((f) => f.name), ['a/101_1', 'b/101_1']);
  let r = await run([join(d, 'a', '101_1.tif'), join(d, 'b', '101_1.tif')], join(d, 'out'), { suffixes: ['.xyt'] }, { force: true });
  assert.is(r.done.length, 1);
  assert.is(r.failed[0]!.code, 'E_INVALID_ARGUMENT');
  assert.match(r.failed[0]!.message, /would overwrite those of .*a\/101_1\.tif/);
  assert.match(await readFile(join(d, 'out', '101_1.xyt'), 'utf8'), /^\.xyt /);
  assert.is((await loadTrail(join(d, 'out', '101_1.trail.json'))).input.path, join(d, 'a', '101_1.tif'));
  r = await runBatch({ inputs: x, jobs: 1, taskModule: TASK, task: 'writeFiles', options: { suffixes: ['.xyt'] }, outDir: join(d, 'out2'), quiet: true });
  assert.is(r.done.length, 2, formatBatchSummary(r));
});

test('--force over another run of this input: what it wrote over and removed is reported; a file edited since is kept, never written over', async () => {
  const d = join(root, 'replace');
  await mkdir(d);
  const input = join(d, 'in', 'p.bin');
  await mkdir(join(d, 'in'));
  await writeFile(input, 'print');
  const out = join(d, 'out');
  // "enhance --overlays": four pictures; then two files are edited by hand.
  assert.is((await run([input], out, { suffixes: ['.enhanced.png', '.mask.png', '.quality.png', '.xyt'] })).done.length, 1);
  const xyt = await readFile(join(out, 'p.xyt'));
  await writeFile(join(out, 'p.quality.png'), 'edited by hand');
  await writeFile(join(out, 'p.xyt'), 'edited too');
  // "extract --force" would write p.xyt over the edited one: refused (E_EXISTS naming it), nothing changed.
  let r = await run([input], out, { suffixes: ['.xyt'] }, { force: true });
  assert.is(r.failed[0]!.code, 'E_EXISTS', formatBatchSummary(r));
  assert.match(r.failed[0]!.message, /p\.xyt: edited since the earlier fingerlift run of this input/);
  assert.is(await readFile(join(out, 'p.xyt'), 'utf8'), 'edited too');
  assert.equal(await names(out), ['p.enhanced.png', 'p.mask.png', 'p.quality.png', 'p.trail.json', 'p.xyt']);
  // p.xyt as that run wrote it again: written over; the unchanged pictures removed, the edited one (not written now) kept.
  await writeFile(join(out, 'p.xyt'), xyt);
  r = await run([input], out, { suffixes: ['.xyt'] }, { force: true });
  assert.is(r.done.length, 1, formatBatchSummary(r));
  assert.equal(r.done[0]!.replaced, { command: 'files', overwritten: ['p.xyt'], removed: ['p.enhanced.png', 'p.mask.png'], kept: ['p.quality.png'] });
  assert.equal(await names(out), ['p.quality.png', 'p.trail.json', 'p.xyt']);
  assert.is(await readFile(join(out, 'p.quality.png'), 'utf8'), 'edited by hand');
  const lines = formatReplaced(r);
  assert.is(lines.length, 1);
  assert.match(lines[0]!, /p\.bin: --force replaced the `files` run's trail and outputs: 1 file\(s\) written over, 2 removed/);
  assert.not.match(lines[0]!, /written over although edited/);
  assert.match(lines[0]!, /kept 1 file\(s\) edited since that run .*: p\.quality\.png/);
  // A run without --force replaces nothing and reports nothing.
  await rm(out, { recursive: true });
  assert.equal(formatReplaced(await run([input], out, { suffixes: ['.xyt'] })), []);
});

test('folder walk: symbolic links to folders are not followed (each listed once); broken entries are failures, each with its reason', async () => {
  const d = join(root, 'evid');
  await mkdir(join(d, 'sub'), { recursive: true });
  await writeFile(join(d, 'a.tif'), 'a');
  await writeFile(join(d, 'sub', 'b.png'), 'b');
  await symlink('/', join(d, 'rootlink'));
  await symlink('..', join(d, 'sub', 'up'));
  await symlink(join(d, 'a.tif'), join(d, 'sub', 'alias.tif')); // a link to a file is taken (once: same file)
  await symlink(join(d, 'nowhere'), join(d, 'dangling.tif'));
  await symlink('loop.tif', join(d, 'loop.tif'));
  await symlink('lb', join(d, 'la'));
  await symlink('la', join(d, 'lb'));
  await symlink(join(d, 'nowhere'), join(d, 'notes.txt')); // not an input: nothing said
  spawnSync('mkfifo', [join(d, 'x.tif')]);
  const x = await expandInputs([d, join(d, 'sub')]);
  assert.equal(x.files.map((f) => f.path), [join(d, 'a.tif'), join(d, 'sub', 'b.png')]);
  assert.equal([...new Set(x.duplicates)], [join(d, 'sub', 'alias.tif'), join(d, 'sub', 'b.png')]);
  assert.equal(x.skipped.map((s) => s.path), [join(d, 'la'), join(d, 'lb'), join(d, 'rootlink'), join(d, 'sub', 'up')], 'each once, though sub/ was walked twice');
  assert.match(x.skipped[2]!.reason, /a symbolic link to a folder \(-> \/\): not followed/);
  assert.match(x.skipped[0]!.reason, /ELOOP/);
  assert.equal(x.failed.map((f) => [f.path, f.code]), [
    [join(d, 'dangling.tif'), 'E_NOT_FOUND'],
    [join(d, 'loop.tif'), 'E_NOT_FOUND'],
    [join(d, 'x.tif'), 'E_UNSUPPORTED_FORMAT'],
  ]);
  assert.match(x.failed[0]!.message, /a symbolic link whose target does not exist/);
  assert.match(x.failed[1]!.message, /symbolic link loop/);
  assert.match(x.failed[2]!.message, /not a regular file/);
  // Globs do not follow links to folders either.
  const g = await expandInputs([join(d, '**', '*.png')]);
  assert.equal(g.files.map((f) => f.path), [join(d, 'sub', 'b.png')]);
  // The lines for the terminal: one per entry, at most SKIPPED_LINES, then a count.
  const many = Array.from({ length: SKIPPED_LINES + 3 }, (_, i) => ({ path: `/p/${i}`, reason: 'r' }));
  const lines = formatSkipped('info', many);
  assert.is(lines.length, SKIPPED_LINES + 1);
  assert.is(lines[0], 'info: skipped /p/0: r');
  assert.is(lines.at(-1), 'info: skipped 3 more symbolic link(s) (not followed)');
});

test('folder walk: a subfolder that cannot be listed is a failure naming it; the rest is taken', async () => {
  const d = join(root, 'closed');
  mkdirSync(join(d, 'locked'), { recursive: true });
  await writeFile(join(d, 'a.tif'), 'a');
  await writeFile(join(d, 'locked', 'b.tif'), 'b');
  chmodSync(join(d, 'locked'), 0o000);
  const script = `
    const { expandInputs } = await import(${JSON.stringify(new URL('../src/batch/expand.ts', import.meta.url).href)});
    const x = await expandInputs([${JSON.stringify(d)}]);
    process.stdout.write(JSON.stringify({ files: x.files.map((f) => f.path), failed: x.failed.map((f) => [f.code, f.message]) }));`;
  let out: { files: string[]; failed: Array<[string, string]> };
  // Root lists anything whatever the mode: the walk then runs in a child process as user "nobody".
  if (process.getuid?.() === 0) {
    chmodSync(root, 0o755);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } });
    assert.is(r.status, 0, r.stderr);
    out = JSON.parse(r.stdout) as typeof out;
  } else {
    const x = await expandInputs([d]);
    out = { files: x.files.map((f) => f.path), failed: x.failed.map((f) => [f.code, f.message]) };
  }
  chmodSync(join(d, 'locked'), 0o755);
  assert.equal(out.files, [join(d, 'a.tif')]);
  assert.equal(out.failed, [['E_NOT_FOUND', `${join(d, 'locked')}: cannot list the folder: permission denied (EACCES)`]]);
});

test('folder walk is bounded: more files or entries than the maximum is E_TOO_LARGE naming the folder, none taken', async () => {
  const d = join(root, 'big');
  await mkdir(join(d, 'deep'), { recursive: true });
  for (let i = 0; i < 6; i++) await writeFile(join(d, `f${i}.png`), 'x');
  for (let i = 0; i < 6; i++) await writeFile(join(d, 'deep', `n${i}.txt`), 'x');
  let x = await expandInputs([d], { maxFiles: 5 });
  assert.equal(x.files, []);
  assert.equal(x.failed.map((f) => f.code), ['E_TOO_LARGE']);
  assert.match(x.failed[0]!.message, /big: folder holds more than 5 files with an accepted extension: none of it taken/);
  x = await expandInputs([d], { maxEntries: 10 });
  assert.equal(x.failed.map((f) => f.code), ['E_TOO_LARGE']);
  assert.match(x.failed[0]!.message, /holds more than 10 entries/);
  x = await expandInputs([join(d, '*.png')], { maxFiles: 5 });
  assert.equal(x.failed.map((f) => f.code), ['E_TOO_LARGE']);
  x = await expandInputs([d], { maxFiles: 6, maxEntries: 14 });
  assert.is(x.files.length, 6);
  // A link back to the root, which a walk following links would enter again and again: one skip line.
  symlinkSync(d, join(d, 'deep', 'again'));
  x = await expandInputs([d], { maxFiles: 6, maxEntries: 15 });
  assert.equal([x.files.length, x.failed.length, x.skipped.length], [6, 0, 1]);
  try {
    await expandInputs([d], { maxFiles: 0 });
    assert.unreachable('maxFiles 0 accepted');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'E_INVALID_ARGUMENT');
  }
});

// ---------------------------------------------------------------------------------------------------
// The command line.

const cli = (cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], { encoding: 'utf8', cwd });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

test('CLI: another input with the same output name is refused with --force, naming it; --force over enhance says what it removed and kept', async () => {
  const d = join(root, 'cli');
  await mkdir(join(d, 'db1'), { recursive: true });
  await mkdir(join(d, 'db2'), { recursive: true });
  await copyFile(join(repoRoot, 'fixtures', 'f1_1.png'), join(d, 'db1', 'p.png'));
  await copyFile(join(repoRoot, 'fixtures', 'f1_2.png'), join(d, 'db2', 'p.png'));
  assert.is(cli(d, 'extract', 'db1/p.png', '-o', 'x', '-q').code, 0);
  const trail = await readFile(join(d, 'x', 'p.trail.json'));
  const r = cli(d, 'extract', 'db2/p.png', '-o', 'x', '-q', '--force');
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /E_EXISTS .*db2\/p\.png: .*trail exists from the `extract` run of another input, .*db1\/p\.png/);
  assert.ok((await readFile(join(d, 'x', 'p.trail.json'))).equals(trail), "db1's results untouched");

  assert.is(cli(d, 'enhance', 'db1/p.png', '-o', 'outR', '--overlays', '-q').code, 0);
  await writeFile(join(d, 'outR', 'p.quality.png'), 'edited');
  const f = cli(d, 'extract', 'db1/p.png', '-o', 'outR', '--force', '-q', '--jobs', '256');
  assert.is(f.code, 0, f.stderr);
  assert.match(f.stderr, /extract: .*p\.png: --force replaced the `enhance` run's trail and outputs: 0 file\(s\) written over, 4 removed \(not written by this run\); kept 1 file\(s\) edited since that run .*: p\.quality\.png/);
  assert.equal(await names(join(d, 'outR')), ['p.quality.png', 'p.trail.json', 'p.xyt']);
  // --jobs above the cores available is capped, with a note.
  assert.ok(f.stderr.includes(`extract: --jobs 256 is more than the ${availableParallelism()} core(s) available: using ${availableParallelism()} worker thread(s)`), f.stderr);
});

test('CLI: a folder with a link to / and broken entries: the link is a skip line, the broken entries failures (exit 1), nothing walked beyond', async () => {
  const d = join(root, 'cli-evid');
  await mkdir(d);
  await copyFile(join(repoRoot, 'fixtures', 'f1_1.png'), join(d, 'p.png'));
  await symlink('/', join(d, 'rootlink'));
  await symlink(join(d, 'gone.png'), join(d, 'dangling.png'));
  spawnSync('mkfifo', [join(d, 'x.tif')]);
  const r = cli(root, 'info', d);
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stdout.trim().split('\n').length, 1, r.stdout);
  assert.match(r.stderr, /info: skipped .*rootlink: a symbolic link to a folder \(-> \/\): not followed/);
  assert.match(r.stderr, /dangling\.png: \[E_NOT_FOUND\] a symbolic link whose target does not exist/);
  assert.match(r.stderr, /x\.tif: \[E_UNSUPPORTED_FORMAT\] not a regular file/);
  const e = cli(root, 'extract', d, '-o', join(root, 'cli-evid-out'), '-q');
  assert.is(e.code, 1, e.stderr);
  assert.match(e.stderr, /extract: skipped .*rootlink/);
  assert.match(e.stderr, /1 done, 0 skipped, 2 failed/);
});

test.run();
