/**
 * A fresh-user trial (2026-12-06, third round) of outputs and messages:
 * - `convert --force` wrote over any existing file (an image, an audit trail); now only over a template;
 * - `convert` to .xyt dropped a resolution other than 500 ppi without a word;
 * - `--deblur-method` without `--psf` was ignored without a word;
 * - one file given three times was "2 input(s) given more than once", each path listed; a link in a folder
 *   to a file beside it was "given more than once" though the folder was given once;
 * - `x.tif x.png x.png.tif` in one run: x.png.tif failed, its outputs "would overwrite those of x.png";
 * - an output left by a run killed outright: the message did not say so, nor that removing it is the fix;
 * - E_WRITE said "EACCES" where every other message says "permission denied (EACCES)";
 * - `info > /dev/full` printed "info: 1 done" above its E_WRITE line;
 * - rows skipped by --resume had no results (minutiae, fingertips, usable) in the summary.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { expandInputs, formatRepeated, groupRepeated, uniqueNames } from '../src/batch/expand.js';
import { writeOutputFile } from '../src/batch/worker.js';
import { readTemplate } from '../src/formats/index.js';
import { writeBytes } from '../src/image/io.js';
import { repoRoot } from './helpers/data.js';
import { rejection } from './helpers/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-trial-out-'));
const bin = join(repoRoot, 'bin', 'fingerlift.js');
const fixture = (name: string): string => join(repoRoot, 'fixtures', name);
function cli(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
function dir(name: string): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  return d;
}

let template = ''; // a JSON template fingerlift wrote (extract -f json of fixtures/f1_1.png)
test.before(() => {
  const r = cli(tmp, 'extract', fixture('f1_1.png'), '-f', 'json', '-o', 'tpl', '-q');
  assert.is(r.code, 0, r.stderr);
  template = join(tmp, 'tpl', 'f1_1.json');
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('convert --force replaces an existing template only: an image, a trail, any other file is E_EXISTS naming what it is, untouched', () => {
  const d = dir('convert-force');
  copyFileSync(template, join(d, 't.json'));
  const image = readFileSync(fixture('f1_1.png'));
  writeFileSync(join(d, 'evidence.png'), image);
  const x = cli(d, 'extract', fixture('f1_1.png'), '-o', join(d, 'run'), '-q');
  assert.is(x.code, 0, x.stderr);
  const trail = readFileSync(join(d, 'run', 'f1_1.trail.json'));
  copyFileSync(join(d, 'run', 'f1_1.trail.json'), join(d, 'audit.trail.json'));
  writeFileSync(join(d, 'notes.txt'), 'case notes\n');
  for (const [out, what] of [
    ['evidence.png', /evidence\.png: \[E_EXISTS\] exists and is a PNG image, not a template: refusing to overwrite it even with --force/],
    ['audit.trail.json', /audit\.trail\.json: \[E_EXISTS\] exists and is not a template \(not a valid fingerlift JSON template: .*\): refusing to overwrite it even with --force/],
    ['notes.txt', /notes\.txt: \[E_EXISTS\] exists and is not a template \(.*\): refusing to overwrite it even with --force/],
  ] as const) {
    const before = readFileSync(join(d, out));
    for (const force of [['--force'], []]) {
      const r = cli(d, 'convert', 't.json', '--to', 'iso', '-o', out, ...force);
      assert.is(r.code, 1, r.stderr);
      assert.match(r.stderr, what);
      assert.equal(readFileSync(join(d, out)), before, `${out} untouched`);
    }
  }
  assert.equal(readFileSync(join(d, 'audit.trail.json')), trail);
  assert.equal(readFileSync(join(d, 'evidence.png')), image);
  // A device is no template either (root could otherwise rename over /dev/null).
  const dev = cli(d, 'convert', 't.json', '--to', 'iso', '-o', '/dev/null', '--force');
  assert.is(dev.code, 1, dev.stderr);
  assert.match(dev.stderr, /\/dev\/null: \[E_EXISTS\] exists and is not a template/);
  // Templates of each format are replaced with --force (and refused without it, "use --force").
  for (const to of ['xyt', 'iso', 'ansi', 'json']) {
    const out = `old.${to}`;
    assert.is(cli(d, 'convert', 't.json', '--to', to, '-o', out).code, 0);
    const again = cli(d, 'convert', 't.json', '--to', to, '-o', out);
    assert.is(again.code, 1);
    assert.match(again.stderr, /E_EXISTS.*use --force/);
    const other = to === 'json' ? 'iso' : 'json';
    const forced = cli(d, 'convert', 't.json', '--to', other, '-o', out, '--force');
    assert.is(forced.code, 0, `${to}: ${forced.stderr}`);
    assert.is(readTemplate(readFileSync(join(d, out)), out, other as 'iso' | 'json').minutiae.length, readTemplate(readFileSync(join(d, 't.json')), 't.json').minutiae.length);
  }
  // The input is still refused as output (usage error), also through a link.
  assert.is(cli(d, 'convert', 't.json', '--to', 'json', '-o', 't.json', '--force').code, 2);
  symlinkSync(join(d, 't.json'), join(d, 'link.json'));
  assert.is(cli(d, 'convert', 't.json', '--to', 'iso', '-o', 'link.json', '--force').code, 2);
});

test('convert to .xyt says on stderr that a resolution other than 500 ppi is not kept; coordinates are written as they are', () => {
  const d = dir('convert-ppi');
  const doc = JSON.parse(readFileSync(template, 'utf8')) as { ppi: number };
  assert.is(doc.ppi, 500);
  writeFileSync(join(d, 't500.json'), JSON.stringify(doc));
  writeFileSync(join(d, 't569.json'), JSON.stringify({ ...doc, ppi: 569 }));
  const plain = cli(d, 'convert', 't500.json', '--to', 'xyt', '-o', 't500.xyt');
  assert.is(plain.code, 0, plain.stderr);
  assert.not.match(plain.stderr, /ppi/);
  const r = cli(d, 'convert', 't569.json', '--to', 'xyt', '-o', 't569.xyt');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /^convert: t569\.json -> t569\.xyt \(\d+ minutiae\); \.xyt has no field for the resolution: the template's 569 ppi is not kept in t569\.xyt, whose readers assume 500 ppi \(the coordinates are written as they are, in pixels at 569 ppi/);
  assert.is(r.stderr.trim().split('\n').length, 1);
  assert.equal(readFileSync(join(d, 't569.xyt')), readFileSync(join(d, 't500.xyt')), 'the same minutiae, not resampled');
  // Formats that hold the resolution say nothing; from ISO (569 ppi read back as 568.96) to .xyt the note again.
  const iso = cli(d, 'convert', 't569.json', '--to', 'iso', '-o', 't569.iso');
  assert.not.match(iso.stderr, /resolution/);
  assert.match(cli(d, 'convert', 't569.iso', '--to', 'xyt', '-o', 'from-iso.xyt').stderr, /the template's 569 ppi is not kept/);
  // 500 ppi through ISO (197 px/cm, 500.38 ppi) is 500 ppi: no note.
  cli(d, 'convert', 't500.json', '--to', 'iso', '-o', 't500.iso');
  assert.not.match(cli(d, 'convert', 't500.iso', '--to', 'xyt', '-o', 'from-iso500.xyt').stderr, /resolution/);
});

test('--deblur-method without --psf is a usage error (exit 2) for enhance, extract and lift; with --psf it runs', () => {
  const d = dir('deblur');
  for (const cmd of ['enhance', 'extract', 'lift']) {
    const r = cli(d, cmd, fixture('f1_1.png'), '-o', join(d, `out-${cmd}`), '--deblur-method', 'richardson-lucy');
    assert.is(r.code, 2, `${cmd}: ${r.stderr}`);
    assert.is(r.stderr, 'error: --deblur-method richardson-lucy needs --psf: it chooses how the blur --psf describes is undone, and without --psf nothing is deblurred: add --psf auto (or gaussian:<sigma>, disk:<radius>, motion:<length>:<degrees>), or leave --deblur-method out\n');
    assert.not.ok(existsSync(join(d, `out-${cmd}`)), 'nothing created');
  }
  // The default method alone is no error; with --psf the method is used.
  const ok = cli(d, 'extract', fixture('f1_1.png'), '-o', join(d, 'ok'), '--psf', 'gaussian:1', '--deblur-method', 'richardson-lucy', '-q');
  assert.is(ok.code, 0, ok.stderr);
  assert.match(readFileSync(join(d, 'ok', 'f1_1.trail.json'), 'utf8'), /"method": "richardson-lucy"/);
});

test('a file reached more than once: one line per file, counting mentions and saying how (named again, a link beside it)', async () => {
  const d = dir('repeat');
  copyFileSync(fixture('f1_1.png'), join(d, '101_2.png'));
  const r = cli(d, 'extract', '101_2.png', '101_2.png', './101_2.png', '-o', 'out');
  assert.is(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => /times|more than once|link/.test(l));
  assert.equal(lines, [`extract: ${join(d, '101_2.png')} given 3 times: processed once`]);
  // A folder given once holding a file and a link to it: the link is named as such, not "given more than once".
  const f = dir('repeat/folder');
  copyFileSync(fixture('f1_1.png'), join(f, 'a.png'));
  symlinkSync('a.png', join(f, 'link.png'));
  const w = cli(d, 'extract', 'folder', '-o', 'out2', '-j', '1');
  assert.is(w.code, 0, w.stderr);
  assert.equal(w.stderr.split('\n').filter((l) => /times|more than once|link/.test(l)), [`extract: ${join(f, 'link.png')} is a link to ${join(f, 'a.png')} (the same file): processed once`]);
  assert.equal(readdirSync(join(d, 'out2')).sort(), ['a.trail.json', 'a.xyt'], 'under the file\'s own name');
  // The taken path and the words do not depend on the order of the arguments.
  const one = await groupRepeated([join(f, 'link.png'), join(f, 'a.png')]);
  const two = await groupRepeated([join(f, 'a.png'), join(f, 'link.png')]);
  assert.equal(one.unique, [join(f, 'a.png')]);
  assert.equal(formatRepeated('x', one.repeated), formatRepeated('x', two.repeated));
  // A folder given twice: its files were reached twice by it.
  const twice = await expandInputs([f, f]);
  assert.equal(formatRepeated('x', twice.repeated), [`x: ${join(f, 'a.png')} reached 2 times; ${join(f, 'link.png')} is a link to ${join(f, 'a.png')} (the same file; reached 2 times): processed once`]);
  rmSync(join(f, 'link.png'));
  assert.equal(formatRepeated('x', (await expandInputs([f, f])).repeated), [`x: ${join(f, 'a.png')} reached 2 times (by the folders or patterns given): processed once`]);
  // verify words it the same way.
  const v = cli(d, 'verify', join(d, 'out', '101_2.trail.json'), join(d, 'out', '.', '101_2.trail.json'));
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stderr, /^verify: \S+101_2\.trail\.json given 2 times: verified once$/m);
});

test('output names never collide within a run: x.tif x.png x.png.tif each get their own, whatever the argument order', async () => {
  const d = dir('names');
  const png = readFileSync(fixture('f1_1.png'));
  writeFileSync(join(d, 'x.png'), png);
  await sharp(png).tiff().toFile(join(d, 'x.tif'));
  await sharp(png).tiff().toFile(join(d, 'x.png.tif'));
  const orders = [['x.tif', 'x.png', 'x.png.tif'], ['x.png.tif', 'x.png', 'x.tif'], ['x.png', 'x.png.tif', 'x.tif']];
  for (const args of orders) {
    const e = await expandInputs(args, { cwd: d });
    assert.equal(e.files.map((f) => [f.path, f.name]), [[join(d, 'x.png'), 'x.png'], [join(d, 'x.png.tif'), 'x.png.tif'], [join(d, 'x.tif'), 'x.tif']]);
  }
  const r = cli(d, 'extract', 'x.tif', 'x.png', 'x.png.tif', '-o', 'o', '-j', '1');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /3 done, 0 skipped, 0 failed/);
  assert.equal(readdirSync(join(d, 'o')).sort(), ['x.png.tif.trail.json', 'x.png.tif.xyt', 'x.png.trail.json', 'x.png.xyt', 'x.tif.trail.json', 'x.tif.xyt']);
  // Chains and case: each name unique ignoring case, the last resort numbered after the first in code-unit order.
  assert.equal(uniqueNames(['a.png', 'a.png.tif', 'a.png.tif.jpg', 'a.tif']), ['a.png', 'a.png.tif', 'a.png.tif.jpg', 'a.tif']);
  assert.equal(uniqueNames(['x.tif', 'X.tif']), ['x.tif~2', 'X.tif']);
  assert.equal(uniqueNames(['X.tif', 'x.tif', 'x.tif~2.png']), ['X.tif', 'x.tif~3', 'x.tif~2']);
  assert.equal(uniqueNames(['sub/a.png', 'sub/a.tif', 'b.png']), ['sub/a.png', 'sub/a.tif', 'b']);
  const many = uniqueNames(['q.png', 'Q.png', 'q.PNG', 'q.tif', 'q']);
  assert.is(new Set(many.map((n) => n.toLowerCase())).size, 5, many.join(' '));
});

test('an output without a trail (a run killed outright) is refused naming that cause and the fix: remove it by hand', () => {
  const d = dir('killed');
  copyFileSync(fixture('f1_1.png'), join(d, '101_5.png'));
  mkdirSync(join(d, 'o'));
  writeFileSync(join(d, 'o', '101_5.xyt'), '100 100 90 50\n'); // as a killed run leaves it: an output, no trail
  for (const flags of [['--resume', '--force'], ['--force'], []]) {
    const r = cli(d, 'extract', '101_5.png', '-o', 'o', '-q', ...flags);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /101_5\.xyt exists and was not written by a fingerlift run of this input \(no trail of it lists that file\): not overwritten, also not with --force\. A run killed outright \(SIGKILL, a crash, a power loss\) after writing some outputs and before its trail leaves such files: if that is what it is, remove it by hand and run again; otherwise choose another -o folder/);
  }
  rmSync(join(d, 'o', '101_5.xyt'));
  assert.is(cli(d, 'extract', '101_5.png', '-o', 'o', '-q', '--resume', '--force').code, 0);
});

test('E_WRITE gives the reason as every message does ("... (ENOTDIR)"), not the bare code', async () => {
  const d = dir('ewrite');
  writeFileSync(join(d, 'afile'), 'x');
  const e = await rejection(writeOutputFile(join(d, 'afile', 'out.xyt'), 'x', false));
  assert.is(e.code, 'E_WRITE');
  assert.match(e.message, /cannot write \S+afile\/out\.xyt: a part of the path is a file, not a folder \(ENOTDIR\)$/);
  // writeBytes (convert, charts, reports) words it the same way.
  const w = await rejection(writeBytes(join(d, 'afile', 'out.iso'), 'x'));
  assert.is(w.code, 'E_WRITE');
  assert.match(w.message, /cannot write \S+afile\/out\.iso: a part of the path is a file, not a folder \(ENOTDIR\)$/);
  // Through a batch (an output folder below a file).
  const r = cli(d, 'extract', fixture('f1_1.png'), '-o', join(d, 'afile', 'sub'), '-q');
  assert.is(r.code, 2, 'an -o that cannot be made is a usage error');
  assert.match(r.stderr, /\(ENOTDIR\)/);
});

test('stdout that cannot be written (> /dev/full): info, verify, compare and eval print the one E_WRITE line, no summary above it', () => {
  if (!existsSync('/dev/full')) return;
  const d = dir('full');
  const x = cli(d, 'extract', fixture('f1_1.png'), '-o', 'o', '-q');
  assert.is(x.code, 0, x.stderr);
  const t = cli(d, 'extract', fixture('f1_1.png'), fixture('f1_2.png'), '-o', 't', '-q', '--format', 'json');
  assert.is(t.code, 0, t.stderr);
  for (const args of [['info', fixture('f1_1.png')], ['info', fixture('f1_1.png'), '--json'], ['verify', join(d, 'o', 'f1_1.trail.json')], ['compare', join(d, 't', 'f1_1.json'), join(d, 't', 'f1_2.json')], ['eval', join(d, 't')]]) {
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: d, stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    assert.is(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr, 'error: [E_WRITE] cannot write to standard output: no space left on device (ENOSPC)\n', args.join(' '));
  }
});

test('--resume: skipped rows of the summary carry the earlier run\'s results (extract: ppi, minutiae, types; lift: fingertips, usable, minutiae)', () => {
  const d = dir('resume');
  copyFileSync(fixture('f1_1.png'), join(d, 'a.png'));
  copyFileSync(fixture('f2_1.png'), join(d, 'b.png'));
  copyFileSync(fixture('f1_photo.jpg'), join(d, 'p.jpg'));
  type Row = Record<string, unknown>;
  const rows = (file: string): Row[] => (JSON.parse(readFileSync(join(d, file), 'utf8')) as { results: Row[] }).results;
  const same = (first: Row[], again: Row[], fields: string[]): void => {
    assert.is(again.length, first.length);
    for (let i = 0; i < first.length; i++) {
      assert.is(again[i]!.status, 'skipped');
      for (const k of fields) assert.equal(again[i]![k], first[i]![k], `${String(first[i]!.name)}: ${k}`);
    }
  };
  for (const [format, extra] of [['iso', ['endings', 'bifurcations']], ['json', ['endings', 'bifurcations']], ['xyt', []]] as const) {
    const args = ['extract', 'a.png', 'b.png', '-f', format, '-o', `x-${format}`, '-q'];
    assert.is(cli(d, ...args, '--summary', `x1-${format}.json`).code, 0);
    const r = cli(d, ...args, '--resume', '--summary', `x2-${format}.json`);
    assert.is(r.code, 0, r.stderr);
    same(rows(`x1-${format}.json`), rows(`x2-${format}.json`), ['ppi', 'ppiBasis', 'inverted', 'minutiae', 'decoderWarning', 'warning', ...extra]);
    // .xyt records no minutia type: left empty, not guessed.
    if (format === 'xyt') assert.equal(rows('x2-xyt.json').map((row) => [row.endings, row.bifurcations]), [[null, null], [null, null]]);
  }
  // Options recorded in the trail: --ppi (basis "option") and light ridges (inverted).
  const inv = ['extract', 'a.png', '--ppi', '500', '--polarity', 'light', '--image-kind', 'print', '-o', 'x-opt', '-q'];
  cli(d, ...inv, '--summary', 'o1.json');
  assert.is(cli(d, ...inv, '--resume', '--summary', 'o2.json').code, 0);
  same(rows('o1.json'), rows('o2.json'), ['ppi', 'ppiBasis', 'inverted', 'minutiae']);
  assert.equal([rows('o2.json')[0]!.ppiBasis, rows('o2.json')[0]!.inverted], ['option', true]);
  const lift = ['lift', 'p.jpg', '-o', 'l', '-q'];
  assert.is(cli(d, ...lift, '--summary', 'l1.json').code, 0);
  assert.is(cli(d, ...lift, '--resume', '--summary', 'l2.csv').code, 0);
  assert.is(cli(d, ...lift, '--resume', '--summary', 'l2.json').code, 0);
  same(rows('l1.json'), rows('l2.json'), ['fingertips', 'usable', 'minutiae', 'decoderWarning', 'warning']);
  assert.ok((rows('l2.json')[0]!.fingertips as number) >= 1);
  const csv = readFileSync(join(d, 'l2.csv'), 'utf8').split('\r\n');
  const cols = csv[0]!.split(',');
  const cells = csv[1]!.split(',');
  assert.is(cells[cols.indexOf('fingertips')], String(rows('l1.json')[0]!.fingertips));
});

test.run();
