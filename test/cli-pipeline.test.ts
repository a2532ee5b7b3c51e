/**
 * The CLI end to end on real prints: extract / enhance / verify / convert / compare, exit codes, no
 * overwriting, resume.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, copyFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { repoRoot, requireData } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-clipipe-'));
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const db1 = requireData('fvc2002-db1b', 'CLI pipeline on FVC2002 DB1_B');
const inDir = join(tmp, 'in');

test('extract: templates, overlays and trails; a bad input is reported, the rest done, exit 1; inputs untouched', () => {
  if (!db1) return;
  spawnSync('mkdir', ['-p', inDir]);
  for (const f of ['101_1.tif', '101_2.tif', '102_1.tif']) copyFileSync(join(db1, f), join(inDir, f));
  writeFileSync(join(inDir, 'broken.tif'), 'II*\0garbage');
  const before = readFileSync(join(inDir, '101_1.tif'));
  const r = cli('extract', inDir, '-o', 'out', '--overlay', '-j', '1', '-q', '--summary', 'summary.json');
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /3 done, 0 skipped, 1 failed/);
  assert.match(r.stderr, /E_DECODE/);
  for (const n of ['101_1', '101_2', '102_1']) {
    assert.ok(existsSync(join(tmp, 'out', `${n}.xyt`)), n);
    assert.ok(existsSync(join(tmp, 'out', `${n}.minutiae.png`)));
    assert.ok(existsSync(join(tmp, 'out', `${n}.trail.json`)));
  }
  assert.equal(readFileSync(join(inDir, '101_1.tif')), before);
  const summary = JSON.parse(readFileSync(join(tmp, 'summary.json'), 'utf8')) as { counts: { done: number; failed: number }; results: Array<Record<string, unknown>> };
  assert.equal([summary.counts.done, summary.counts.failed], [3, 1]);
  assert.is(summary.results.length, 4);
  const xyt = readFileSync(join(tmp, 'out', '101_1.xyt'), 'utf8').trim().split('\n');
  assert.ok(xyt.length >= 15, `${xyt.length} minutiae`);
});

test('outputs are never overwritten without --force; --resume skips finished inputs', () => {
  if (!db1) return;
  const again = cli('extract', join(inDir, '101_1.tif'), '-o', 'out', '-j', '1', '-q');
  assert.is(again.code, 1);
  assert.match(again.stderr, /E_EXISTS/);
  const resumed = cli('extract', join(inDir, '101_1.tif'), '-o', 'out', '--overlay', '-j', '1', '-q', '--resume');
  assert.is(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /0 done, 1 skipped/);
  const otherOptions = cli('extract', join(inDir, '101_1.tif'), '-o', 'out', '-j', '1', '-q', '--resume');
  assert.is(otherOptions.code, 1); // a trail made with other options is not taken as done
  assert.match(otherOptions.stderr, /options differ/);
  const forced = cli('extract', join(inDir, '101_1.tif'), '-o', 'out', '-j', '1', '-q', '--force');
  assert.is(forced.code, 0, forced.stderr);
  // The first run drew the minutiae (--overlay), the forced one did not: the old overlay is gone with its
  // trail, so nothing in the folder looks like part of the new run; other inputs' files stay.
  assert.not.ok(existsSync(join(tmp, 'out', '101_1.minutiae.png')), 'stale overlay of the previous run removed');
  assert.ok(existsSync(join(tmp, 'out', '101_1.xyt')) && existsSync(join(tmp, 'out', '101_2.minutiae.png')));
  const trail = JSON.parse(readFileSync(join(tmp, 'out', '101_1.trail.json'), 'utf8')) as { outputs: Array<{ path: string }> };
  assert.equal(trail.outputs.map((o) => o.path), ['101_1.xyt']);
});

test('verify re-runs a trail and reproduces every hash; a tampered output fails it', () => {
  if (!db1) return;
  const ok = cli('verify', join('out', '101_2.trail.json'), '--check-files');
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /OK: \d+\/\d+ hashes reproduced/);
  copyFileSync(join(tmp, 'out', '101_2.trail.json'), join(tmp, 'out', 'renamed.trail.json'));
  assert.is(cli('verify', join('out', 'renamed.trail.json')).code, 0, 'a renamed trail still verifies');
  const edited = readFileSync(join(tmp, 'out', '101_2.trail.json'), 'utf8').replace('"gradientSigma": 1', '"gradientSigma": 2');
  writeFileSync(join(tmp, 'out', 'edited.trail.json'), edited);
  const e = cli('verify', join('out', 'edited.trail.json'));
  assert.is(e.code, 1, 'edited parameters are caught');
  const png = join(tmp, 'out', '101_2.minutiae.png');
  writeFileSync(png, Buffer.concat([readFileSync(png), Buffer.from([0])]));
  const bad = cli('verify', join('out', '101_2.trail.json'), '--check-files');
  assert.is(bad.code, 1);
  assert.match(bad.stdout, /MISMATCH/);
});

test('enhance --overlays writes 500 ppi pictures', async () => {
  if (!db1) return;
  const r = cli('enhance', join(inDir, '102_1.tif'), '-o', 'enh', '--overlays', '-j', '1', '-q');
  assert.is(r.code, 0, r.stderr);
  for (const s of ['enhanced', 'mask', 'orientation', 'frequency', 'quality']) assert.ok(existsSync(join(tmp, 'enh', `102_1.${s}.png`)), s);
  const meta = await sharp(join(tmp, 'enh', '102_1.enhanced.png')).metadata();
  assert.is(meta.density, 500);
  assert.is(meta.width, 388);
});

test('convert between formats and compare templates with images', () => {
  if (!db1) return;
  const c1 = cli('convert', join('out', '101_1.xyt'), '--to', 'iso', '-o', 'a.iso', '--xyt-size', '388x374');
  assert.is(c1.code, 0, c1.stderr);
  const c2 = cli('convert', 'a.iso', '--to', 'json', '-o', 'a.json');
  assert.is(c2.code, 0, c2.stderr);
  assert.ok(statSync(join(tmp, 'a.json')).size > 100);
  const again = cli('convert', 'a.iso', '--to', 'json', '-o', 'a.json');
  assert.is(again.code, 1);
  const cmp = cli('compare', 'a.json', join(inDir, '101_2.tif'), join(inDir, '102_1.tif'), '--json', '--chart', 'chart.png');
  assert.is(cmp.code, 0, cmp.stderr);
  const doc = JSON.parse(cmp.stdout) as { comparisons: Array<{ reference: string; score: number; mated: unknown[] }> };
  assert.is(doc.comparisons.length, 2);
  assert.match(doc.comparisons[0]!.reference, /101_2/); // the mate ranks first
  assert.ok(doc.comparisons[0]!.score > doc.comparisons[1]!.score);
  assert.ok(existsSync(join(tmp, 'chart.png')));
  const bad = cli('convert', join(inDir, 'broken.tif'), '--to', 'xyt', '-o', 'x.xyt');
  assert.is(bad.code, 1);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
