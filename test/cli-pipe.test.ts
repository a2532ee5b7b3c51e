import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeTemplate } from '../src/formats/index.js';
import type { Template } from '../src/minutiae/types.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-pipe-'));

test('a reader that stops early (| head -1) ends the command quietly: no EPIPE stack trace, exit status kept', () => {
  for (let i = 0; i < 60; i++) copyFileSync(join(repoRoot, 'fixtures', 'f1_1.png'), join(tmp, `p${i}.png`));
  const bin = join(repoRoot, 'bin', 'fingerlift.js');
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" info "${tmp}" | head -1; echo "status=$?"`], { encoding: 'utf8' });
  assert.match(r.stdout, /p\d+\.png\tpng/);
  assert.not.match(r.stderr, /EPIPE|Unhandled|at /, r.stderr);
});

test('stdout that cannot be written (a full disk: > /dev/full) is one typed line on stderr and exit 1, no stack trace; EPIPE stays quiet', () => {
  // A fresh-user trial: `info ... --json > /dev/full` printed "Error: ENOSPC ... at printJson (bin/common.ts:66)".
  assert.ok(existsSync('/dev/full'), 'this test needs /dev/full (Linux)');
  const bin = join(repoRoot, 'bin', 'fingerlift.js');
  const print = join(repoRoot, 'fixtures', 'f1_1.png');
  const runs: string[][] = [
    ['info', print, '--json'],
    ['info', print],
    ['compare', print, join(repoRoot, 'fixtures', 'f1_2.png'), '--json'],
    ['verify', join(tmp, 'absent.trail.json'), '--json'],
  ];
  for (const args of runs) {
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    assert.is(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.includes('E_WRITE'));
    assert.equal(lines, ['error: [E_WRITE] cannot write to standard output: no space left on device (ENOSPC)'], r.stderr);
    assert.not.match(r.stderr, /ENOSPC: |\n\s+at |Node\.js v/, r.stderr);
  }
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" info "${print}" --json | head -c 10 >/dev/null; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
  assert.match(r.stdout, /status=0/);
  assert.not.match(r.stderr, /EPIPE|E_WRITE|\n\s+at /, r.stderr);
});

test('convert -o - writes the template to standard output (text and binary formats), never a file named "-"; a binary one is refused on a terminal', () => {
  const template: Template = { width: 300, height: 400, ppi: 500, minutiae: [{ x: 10.5, y: 20, angle: 1, type: 'ending', quality: 0.8 }, { x: 150, y: 200.25, angle: 4, type: 'bifurcation', quality: 0.5 }] };
  const dir = mkdtempSync(join(tmp, 'convert-'));
  writeFileSync(join(dir, 't.json'), writeTemplate(template, 'json'));
  const bin = join(repoRoot, 'bin', 'fingerlift.js');
  const run = (...a: string[]) => spawnSync(process.execPath, [bin, ...a], { cwd: dir });
  for (const to of ['xyt', 'json', 'iso', 'ansi'] as const) {
    const r = run('convert', 't.json', '--to', to, '-o', '-');
    assert.is(r.status, 0, r.stderr.toString());
    const file = run('convert', 't.json', '--to', to, '-o', `t-file.${to}`);
    assert.is(file.status, 0, file.stderr.toString());
    assert.ok(Buffer.compare(r.stdout, readFileSync(join(dir, `t-file.${to}`))) === 0, `${to}: stdout holds the same bytes as the file`);
    assert.is(r.stderr.toString(), 'convert: t.json -> standard output (2 minutiae)\n');
  }
  assert.not.ok(existsSync(join(dir, '-')), 'no file named "-"');
  // A file named "-" is still reachable as ./-
  assert.is(run('convert', 't.json', '--to', 'xyt', '-o', './-').status, 0);
  assert.ok(existsSync(join(dir, '-')));
  // On a terminal (script(1) gives the command one): binary formats are a usage error, text formats are printed.
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (script.status === 0) {
    const tty = (to: string) => spawnSync('script', ['-qc', `"${process.execPath}" "${bin}" convert t.json --to ${to} -o -; echo "status=$?"`, '/dev/null'], { cwd: dir, encoding: 'utf8' });
    const iso = tty('iso');
    assert.match(iso.stdout, /error: -o -: refusing to write a binary ISO\/IEC 19794-2 template to a terminal: redirect standard output to a file or a pipe, or give -o <file>/);
    assert.match(iso.stdout, /status=2/);
    assert.match(tty('ansi').stdout, /status=2/);
    const xyt = tty('xyt');
    const firstLine = readFileSync(join(dir, 't-file.xyt'), 'utf8').split('\n')[0]!;
    assert.ok(xyt.stdout.split(/\r?\n/).includes(firstLine), `${firstLine} in ${xyt.stdout}`);
    assert.match(xyt.stdout, /status=0/);
  } else process.stdout.write('  (no script(1): terminal refusal not tested)\n');
  // Options that name a picture, a table or a summary file do not take "-": a usage error saying why.
  const print = join(repoRoot, 'fixtures', 'f1_1.png');
  const chart = run('compare', print, print, '--chart', '-');
  assert.is(chart.status, 2);
  assert.match(chart.stderr.toString(), /^error: --chart -: standard output carries the command's results, not the \.png file: give a file name/);
  const summary = run('extract', print, '-o', 'out', '--summary', '-');
  assert.is(summary.status, 2);
  assert.match(summary.stderr.toString(), /^error: --summary -: standard output carries the progress and results/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
