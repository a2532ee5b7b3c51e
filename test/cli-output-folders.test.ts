/**
 * Options that name an output file (convert -o, compare --chart, eval --plot / --det, --summary) refuse a
 * folder that does not exist: a usage error (exit 2) "[E_WRITE] folder <dir> does not exist: create it
 * first", before any work, and the folder is not created.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-out-folders-'));
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const fixture = (name: string): string => join(repoRoot, 'fixtures', name);

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('an output file in a folder that does not exist is refused (E_WRITE naming the folder), and the folder is not made', () => {
  // Templates of two fingers, two impressions each, alone in a folder (for eval).
  const names = ['f1_1', 'f1_2', 'f2_1', 'f2_2'];
  const x = cli('extract', ...names.map((f) => fixture(`${f}.png`)), '-o', join(tmp, 'gen'), '--format', 'json', '-q');
  assert.is(x.code, 0, x.stderr);
  const ev = join(tmp, 'ev');
  mkdirSync(ev);
  for (const f of names) copyFileSync(join(tmp, 'gen', `${f}.json`), join(ev, `${f}.json`));
  const t = join(ev, 'f1_1.json');
  const cases: Array<[string, string[]]> = [
    ['-o', ['convert', t, '--to', 'xyt', '-o', join(tmp, 'no1', 'deeper', 'x.xyt')]],
    ['--chart', ['compare', t, join(ev, 'f1_2.json'), '--chart', join(tmp, 'no2', 'c.png')]],
    ['--plot', ['eval', ev, '--plot', join(tmp, 'no3', 'p.png')]],
    ['--det', ['eval', ev, '--det', join(tmp, 'no4', 'd.csv')]],
    ['--summary', ['extract', fixture('f1_1.png'), '-o', join(tmp, 'out5'), '--summary', join(tmp, 'no5', 's.json'), '-q']],
  ];
  for (const [option, args] of cases) {
    const file = args[args.indexOf(option) + 1]!;
    const folder = file.slice(0, file.lastIndexOf('/'));
    const r = cli(...args);
    assert.is(r.code, 2, `${option}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`error: ${option} ${file}: [E_WRITE] folder ${folder} does not exist: create it first`), r.stderr);
    assert.not.ok(existsSync(join(tmp, folder.slice(tmp.length + 1).split('/')[0]!)), `${option}: no folder made`);
  }
  assert.not.ok(existsSync(join(tmp, 'out5')), 'extract made no -o folder either');
  // An existing folder (given relative, or the current one) is written as before.
  mkdirSync(join(tmp, 'yes'));
  assert.is(cli('convert', t, '--to', 'xyt', '-o', join('yes', 'x.xyt')).code, 0);
  assert.ok(existsSync(join(tmp, 'yes', 'x.xyt')));
  assert.is(cli('convert', t, '--to', 'iso', '-o', 'x.iso').code, 0);
  assert.ok(existsSync(join(tmp, 'x.iso')));
  // A summary in the -o folder itself is fine: the run makes that folder.
  const inOut = cli('extract', fixture('f1_1.png'), '-o', 'made', '--summary', join('made', 's.json'), '-q');
  assert.is(inOut.code, 0, inOut.stderr);
  assert.ok(existsSync(join(tmp, 'made', 's.json')));
  // Relative, the folder is named as typed.
  const rel = cli('convert', t, '--to', 'xyt', '-o', join('nope', 'x.xyt'));
  assert.is(rel.code, 2);
  assert.match(rel.stderr, /error: -o nope\/x\.xyt: \[E_WRITE\] folder nope does not exist: create it first/);
});

test.run();
