/**
 * Option values a fresh-user trial found taken or passed on unchecked: --max-pixels beyond what sharp
 * takes (E_DECODE from inside the decoder instead of a usage error), --psf parameters in hexadecimal or
 * with exponents (README: numbers are plain decimals), search --threads far over the cores (256 threads
 * on 2 cores: 13.3 s and 2.3 GB against 0.55 s), verify --check-files with --no-check-files (the last
 * one won silently).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePsf } from '../src/enhance/deblur/psf.js';
import { loadImage } from '../src/image/io.js';
import { FingerliftError } from '../src/errors.js';
import { repoRoot, requireData } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-options-'));
const print = join(repoRoot, 'fixtures', 'f1_1.png');
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('--max-pixels beyond Number.MAX_SAFE_INTEGER is a usage error stating the range; the largest safe value works', async () => {
  for (const v of ['9007199254740993', '9007199254740992', '99999999999999999999']) {
    const r = cli('info', print, '--max-pixels', v);
    assert.is(r.code, 2, `${v}: ${r.stderr}`);
    assert.is(r.stderr.trim().split('\n')[0], `error: --max-pixels must be a positive integer up to 9007199254740991, got "${v}"`);
    assert.not.match(r.stderr, /E_DECODE|limitInputPixels/);
  }
  const ok = cli('info', print, '--max-pixels', '9007199254740991');
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /\tpng\t/);
  // The library takes any positive number: one sharp refuses (not an integer, or over 2^53 - 1) is not passed on as is.
  for (const maxPixels of [1e20, Number.MAX_SAFE_INTEGER + 2, 1e6 + 0.5]) assert.ok((await loadImage(print, { maxPixels })).source.width > 0, String(maxPixels));
  const e = await loadImage(print, { maxPixels: 1000.5 }).then(() => undefined, (x: unknown) => x as FingerliftError);
  assert.is(e?.code, 'E_TOO_LARGE');
});

test('--psf parameters are plain decimals: hexadecimal, exponents, Infinity are usage errors (print and lift commands, and parsePsf)', () => {
  for (const bad of ['gaussian:0x1', 'gaussian:1e0', 'motion:5:1e1', 'disk:0b11', 'gaussian:Infinity', 'motion:5:', 'gaussian:1_0']) {
    assert.throws(() => parsePsf(bad), (e: unknown) => e instanceof FingerliftError && e.code === 'E_INVALID_ARGUMENT' && /plain decimal numbers/.test(e.message), bad);
  }
  assert.equal(parsePsf('gaussian:1.5'), { kind: 'gaussian', sigma: 1.5 });
  assert.equal(parsePsf('disk:.5'), { kind: 'disk', radius: 0.5 });
  assert.equal((parsePsf('motion:7:-30') as { length: number }).length, 7);
  for (const [command, ...rest] of [['extract', print], ['enhance', print], ['lift', join(repoRoot, 'fixtures', 'f1_photo.jpg')]] as const) {
    const r = cli(command, ...rest, '--psf', 'gaussian:0x1', '-o', join(tmp, `out-${command}`));
    assert.is(r.code, 2, `${command}: ${r.stderr}`);
    assert.match(r.stderr, /^error: --psf "gaussian:0x1": parameters must be plain decimal numbers/);
  }
});

test('search --threads over the cores is capped at them with a note, as --jobs is; the ranking is unchanged', () => {
  const db = requireData('fvc2002-db1b', 'CLI search over FVC .iso templates');
  if (!db) return;
  const gallery = join(tmp, 'gallery');
  mkdirSync(gallery, { recursive: true });
  for (const f of ['101_1', '101_2', '102_1', '102_2', '103_1', '103_2']) writeFileSync(join(gallery, `${f}.iso`), readFileSync(join(db, `${f}.iso`)));
  const cores = availableParallelism();
  const run = (threads: number) => cli('search', join(db, '101_3.iso'), '--gallery', gallery, '--top', '3', '--json', '--threads', String(threads));
  const one = run(1);
  assert.is(one.code, 0, one.stderr);
  assert.not.match(one.stderr, /more than the/);
  const many = run(256);
  assert.is(many.code, 0, many.stderr);
  assert.ok(cores < 256, 'this test needs fewer than 256 cores');
  assert.ok(many.stderr.split('\n').includes(`search: --threads 256 is more than the ${cores} core(s) available: using ${cores} worker thread(s)`), many.stderr);
  const ranking = (r: { stdout: string }) => (JSON.parse(r.stdout) as { candidates: Array<{ reference: string; score: number }> }).candidates.map((c) => [c.reference, c.score]);
  assert.equal(ranking(many), ranking(one));
  const atCores = run(cores);
  assert.not.match(atCores.stderr, /more than the/);
});

test('verify --check-files with --no-check-files (either order) is a usage error naming both; one of them alone is not', () => {
  const trail = join(tmp, 'absent.trail.json');
  for (const order of [['--check-files', '--no-check-files'], ['--no-check-files', '--check-files']]) {
    const r = cli('verify', trail, ...order);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: --check-files .* and --no-check-files .* contradict each other/);
    const j = cli('verify', trail, ...order, '--json');
    assert.is(j.code, 2);
    assert.match((JSON.parse(j.stdout) as { usageError: string }).usageError, /contradict each other/);
  }
  for (const alone of [['--check-files'], ['--no-check-files'], ['--check-files', '--check-files']]) {
    const r = cli('verify', trail, ...alone);
    assert.is(r.code, 1, r.stderr); // the trail is missing: a failed input, not a usage error
    assert.not.match(r.stderr, /contradict/);
  }
});

test('an option that takes a value, given twice, is a usage error naming it and both values, in every command; nothing is written', () => {
  const cases: Array<[string[], string]> = [
    [['info', print, '--max-pixels', '500000', '--max-pixels', '300000'], '--max-pixels given twice ("500000" and "300000")'],
    [['extract', print, '--ppi', '500', '--ppi', '300', '-o', 'rep-x'], '--ppi given twice ("500" and "300")'],
    [['extract', print, '-o', 'rep-a', '--out', 'rep-b'], '-o/--out given twice ("rep-a" and "rep-b")'],
    [['extract', print, '-f', 'json', '--format=iso', '-o', 'rep-f'], '-f/--format given twice ("json" and "iso")'],
    [['enhance', print, '--polarity', 'dark', '--polarity', 'dark', '-o', 'rep-e'], '--polarity given twice ("dark" and "dark")'],
    [['lift', join(repoRoot, 'fixtures', 'f1_photo.jpg'), '--psf', 'auto', '--psf', 'gaussian:1', '-o', 'rep-l'], '--psf given twice ("auto" and "gaussian:1")'],
    [['search', print, '--gallery', print, '--top', '3', '--top', '5'], '--top given twice ("3" and "5")'],
    [['eval', print, '--image-kind', 'print', '--image-kind', 'auto'], '--image-kind given twice ("print" and "auto")'],
    [['convert', 'a.json', '--to', 'xyt', '--to', 'iso', '-o', 'rep.xyt'], '--to given twice ("xyt" and "iso")'],
    [['verify', 'a.trail.json', '--inputs', 'x', '--inputs', 'y'], '--inputs given twice ("x" and "y")'],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr.split('\n')[0], `error: ${message}: give it once`, args.join(' '));
  }
  for (const out of ['rep-x', 'rep-a', 'rep-b', 'rep-f', 'rep-e', 'rep-l', 'rep.xyt']) assert.not.ok(existsSync(join(tmp, out)), out);
  // --json commands still print one document.
  const j = cli('compare', print, print, '--json', '--ppi', '500', '--ppi=500');
  assert.is(j.code, 2);
  assert.is((JSON.parse(j.stdout) as { usageError: string }).usageError, '--ppi given twice ("500" and "500"): give it once');
  // Once is fine, and flags without a value may be repeated as before.
  const once = cli('info', print, '--max-pixels', '500000', '--json', '--json');
  assert.is(once.code, 0, once.stderr);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
