/**
 * The CLI's user-facing consistency: with --json every command prints one JSON document also on failure,
 * failures in one shape ({ failed: count, failures: [{ path, code, message }] }); --force replaces only
 * fingerlift's own chart, plot or DET table; numeric options are plain decimals; a resolution that makes
 * the print too small at 500 ppi is E_TOO_SMALL before any stage (no internal function name).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJsonTemplate } from '../src/formats/json.js';
import { readPngMark, isDetCsv, PLOT_MARK } from '../src/audit/marks.js';
import { CHART_MARK } from '../src/tasks/compare.js';
import { decimalNumber } from '../bin/common.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fl-cli-json-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

type Failures = { failed: number; failures: Array<{ path: string; code: string; message: string }> };

/** A small template: `seed` picks the finger, `jitter` the impression (a pixel or two apart). */
function template(seed: number, jitter: number): Uint8Array {
  const minutiae = Array.from({ length: 24 }, (_, i) => {
    const k = i + seed * 7;
    return { x: 20 + ((k * 37) % 250) + jitter, y: 30 + ((k * 53) % 300) + jitter, angle: (k * 0.7) % 6, type: k % 2 ? ('ending' as const) : ('bifurcation' as const), quality: 0.8 };
  });
  return writeJsonTemplate({ width: 300, height: 360, ppi: 500, minutiae });
}

const zero = join(tmp, 'zero.png');
const ev = join(tmp, 'ev');
test.before(() => {
  writeFileSync(zero, '');
  mkdirSync(ev);
  for (const [name, seed, jitter] of [['a_1', 1, 0], ['a_2', 1, 1], ['b_1', 2, 0], ['b_2', 2, 1]] as const) writeFileSync(join(ev, `${name}.json`), template(seed, jitter));
});

function failuresOf(stdout: string): Failures & Record<string, unknown> {
  const doc = JSON.parse(stdout) as Failures & Record<string, unknown>;
  assert.type(doc.failed, 'number');
  assert.ok(Array.isArray(doc.failures));
  assert.is(doc.failed, doc.failures.length);
  for (const f of doc.failures) assert.equal(Object.keys(f).sort(), ['code', 'message', 'path']);
  return doc;
}

test('--json on failure: compare, search, eval, info print one document with each failed input', () => {
  const c = cli('compare', zero, join(ev, 'a_1.json'), '--json');
  assert.is(c.code, 1);
  const cd = failuresOf(c.stdout);
  assert.equal([cd.probe, cd.comparisons], [null, []]);
  assert.equal(cd.failures.map((f) => [f.path, f.code]), [[zero, 'E_TOO_SMALL']]);

  const s = cli('search', zero, '--gallery', ev, '--json');
  assert.is(s.code, 1);
  const sd = failuresOf(s.stdout);
  assert.equal([sd.probe, sd.candidates], [null, []]);
  assert.equal(sd.failures.map((f) => f.code), ['E_TOO_SMALL']);

  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  const e = cli('eval', empty, '--json');
  assert.is(e.code, 1);
  assert.equal(failuresOf(e.stdout).failures.map((f) => [f.path, f.code]), [[empty, 'E_NOT_FOUND']]);

  const missing = join(tmp, 'no-such.png');
  const i = cli('info', missing, zero, '--json');
  assert.is(i.code, 1);
  const id = failuresOf(i.stdout);
  assert.equal(id.failures.map((f) => f.code).sort(), ['E_NOT_FOUND', 'E_TOO_SMALL']);
  const rows = id.files as Array<{ path: string; error?: { code: string } }>;
  assert.equal(rows.map((r) => r.error?.code).sort(), ['E_NOT_FOUND', 'E_TOO_SMALL'], 'the missing file has its row too');

  // A usage error (exit 2) with --json: still one document on stdout, saying why.
  for (const args of [['compare', zero, zero, '--chart', 'x.txt'], ['search', zero, '--gallery', ev, '--top', '0x3'], ['eval', ev, '--bogus'], ['verify', 'x.trail.json', '--inputs', join(tmp, 'nowhere')]]) {
    const u = cli(...args, '--json');
    assert.is(u.code, 2, u.stderr);
    const ud = failuresOf(u.stdout);
    assert.equal([ud.failed, typeof ud.usageError], [0, 'string'], args.join(' '));
  }
  // Success keeps the same fields: failed 0, failures [].
  const ok = cli('compare', join(ev, 'a_1.json'), join(ev, 'a_2.json'), '--json');
  assert.is(ok.code, 0, ok.stderr);
  const okd = failuresOf(ok.stdout);
  assert.equal([okd.failed, (okd.comparisons as unknown[]).length], [0, 1]);
  const evOk = cli('eval', ev, '--json');
  assert.is(evOk.code, 0, evOk.stderr);
  type EvalDoc = { failed: number; eer: number; eerInterval: { low: number; high: number; fingers: number; level: number } | null; fnmrAtFmr1: number | null; fnmrAtFmr01: number | null; notes: string[]; warnings: string[] };
  const evd = failuresOf(evOk.stdout) as unknown as EvalDoc;
  assert.is(evd.failed, 0);
  // 2 fingers, 4 impostor pairs: no interval, and neither FMR point can be measured: said, not given as numbers.
  assert.equal([evd.eerInterval, evd.fnmrAtFmr1, evd.fnmrAtFmr01, evd.warnings], [null, null, null, []]);
  assert.match(evd.notes.join('\n'), /no interval: 2 fingers, the bootstrap over fingers needs at least 5/);
  assert.match(evd.notes.join('\n'), /FMR 1% cannot be measured on 4 impostor pairs .* it needs at least 100\)/);
  const evText = cli('eval', ev).stdout;
  assert.match(evText, /EER \d+\.\d\d% \(no interval: 2 fingers[^)]*\)  FNMR@FMR1% n\/a  FNMR@FMR0\.1% n\/a\n/);
  assert.match(evText, /note: FMR 0\.1% cannot be measured on 4 impostor pairs/);
  // 6 fingers: the EER comes with its subsets-bootstrap interval over them.
  const ev6 = join(tmp, 'ev6');
  mkdirSync(ev6);
  for (let f = 1; f <= 6; f++) for (const j of [0, 1]) writeFileSync(join(ev6, `f${f}_${j + 1}.json`), template(f, j));
  const e6 = failuresOf(cli('eval', ev6, '--json').stdout) as unknown as EvalDoc;
  assert.ok(e6.eerInterval !== null && e6.eerInterval.fingers === 6 && e6.eerInterval.level === 0.95, JSON.stringify(e6));
  assert.ok(e6.eerInterval!.low <= e6.eer && e6.eer <= e6.eerInterval!.high, JSON.stringify(e6));
  assert.match(cli('eval', ev6).stdout, /EER \d+\.\d\d% \(95% CI \d+\.\d\d-\d+\.\d\d%, bootstrap over 6 fingers\)/);
  assert.equal((okd as unknown as { warnings: string[] }).warnings, []);
  // A reference given twice is compared once, and the output says so.
  const twice = cli('compare', join(ev, 'a_1.json'), join(ev, 'a_2.json'), join(ev, 'a_2.json'), '--json');
  assert.is(twice.code, 0, twice.stderr);
  assert.is((failuresOf(twice.stdout) as unknown as { comparisons: unknown[] }).comparisons.length, 1);
  assert.match(twice.stderr, /compare: \S*a_2\.json given 2 times: compared once/);
  // Three times: one line for the one file, with the count.
  const thrice = cli('compare', join(ev, 'a_1.json'), join(ev, 'a_2.json'), join(ev, 'a_2.json'), join(ev, 'a_2.json'));
  assert.is(thrice.stderr.split('\n').filter((l) => l.includes('compared once')).length, 1, thrice.stderr);
  assert.match(thrice.stderr, /a_2\.json given 3 times: compared once/);
});

test('--force replaces only fingerlift\'s own chart, plot and DET table; anything else is E_EXISTS, untouched', () => {
  const other = join(tmp, 'holiday.png');
  const otherBytes = readFileSync(join(repoRoot, 'fixtures', 'f1_1.png'));
  for (const name of ['holiday.png', 'chart.png', 'plot.png']) writeFileSync(join(tmp, name), otherBytes);
  writeFileSync(join(tmp, 'notes.csv'), 'a,b\n1,2\n');
  const a1 = join(ev, 'a_1.json'), a2 = join(ev, 'a_2.json');

  const c = cli('compare', a1, a2, '--chart', other, '--force', '--json');
  assert.is(c.code, 1, c.stderr);
  const cd = failuresOf(c.stdout);
  assert.equal(cd.failures.map((f) => [f.path, f.code]), [[other, 'E_EXISTS']]);
  assert.match(cd.failures[0]!.message, /not a comparison chart fingerlift wrote/);
  assert.equal(readFileSync(other), otherBytes);

  for (const [opt, file] of [['--plot', 'plot.png'], ['--det', 'notes.csv']] as const) {
    const before = readFileSync(join(tmp, file));
    const e = cli('eval', ev, opt, join(tmp, file), '--force');
    assert.is(e.code, 1, e.stderr);
    assert.match(e.stderr, /\[E_EXISTS\] .*not a (score plot|DET table) fingerlift wrote/);
    assert.equal(readFileSync(join(tmp, file)), before);
  }

  // fingerlift's own: written, then replaced with --force (and refused without it).
  const chart = join(tmp, 'own-chart.png'), plot = join(tmp, 'own-plot.png'), det = join(tmp, 'own-det.csv');
  assert.is(cli('compare', a1, a2, '--chart', chart).code, 0);
  assert.is(cli('eval', ev, '--plot', plot, '--det', det).code, 0);
  return Promise.all([readPngMark(chart), readPngMark(plot), isDetCsv(det), readPngMark(other)]).then(([cm, pm, d, om]) => {
    assert.equal([cm, pm, d, om], [CHART_MARK.value, PLOT_MARK.value, true, undefined]);
    // Without --force an existing file is an output refusal, E_EXISTS exit 1 (was a usage error, exit 2, without a
    // code), for compare --chart and eval --plot / --det alike, and in the --json document.
    const noForce = cli('compare', a1, a2, '--chart', chart, '--json');
    assert.is(noForce.code, 1, 'exists, no --force');
    assert.equal(failuresOf(noForce.stdout).failures.map((f) => [f.path, f.code]), [[chart, 'E_EXISTS']]);
    assert.match(noForce.stderr, /\[E_EXISTS\] .*exists \(a comparison chart fingerlift wrote\), not overwritten \(use --force to replace it\)/);
    for (const [opt, file] of [['--plot', plot], ['--det', det]] as const) {
      const e = cli('eval', ev, opt, file);
      assert.is(e.code, 1, e.stderr);
      assert.match(e.stderr, /\[E_EXISTS\] .*fingerlift wrote\), not overwritten \(use --force to replace it\)/);
    }
    const foreign = cli('eval', ev, '--plot', other);
    assert.is(foreign.code, 1, foreign.stderr);
    assert.match(foreign.stderr, /\[E_EXISTS\] .*not a score plot fingerlift wrote/, 'a foreign file is refused the same way with or without --force');
    assert.is(cli('compare', a1, a2, '--chart', chart, '--force').code, 0);
    assert.is(cli('eval', ev, '--plot', plot, '--det', det, '--force').code, 0);
    // A plot is not a chart: --chart --force does not replace it.
    assert.is(cli('compare', a1, a2, '--chart', plot, '--force').code, 1);
    assert.ok(existsSync(plot));
  });
});

test('numeric options are plain decimal numbers: 0x1f4, 5e2, Infinity, " 500" are usage errors', () => {
  assert.is(decimalNumber('569.5'), 569.5);
  assert.is(decimalNumber('500'), 500);
  for (const v of ['0x1f4', '0o764', '0b1', '5e2', 'Infinity', ' 500', '', '1_000']) assert.ok(Number.isNaN(decimalNumber(v)), v);
  const a1 = join(ev, 'a_1.json'), a2 = join(ev, 'a_2.json');
  for (const [opt, v] of [['--ppi', '0x1f4'], ['--ppi', '5e2'], ['--top', '0xa']] as const) {
    const r = cli(opt === '--top' ? 'search' : 'compare', a1, ...(opt === '--top' ? ['--gallery', ev] : [a2]), opt, v);
    assert.is(r.code, 2, `${opt} ${v}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${opt} must be`));
  }
  assert.is(cli('compare', a1, a2, '--ppi', '500').code, 0);
});

test('--ppi 20000 on a small print: E_TOO_SMALL saying its size at 500 ppi, no internal function name', () => {
  const img = join(repoRoot, 'fixtures', 'f1_1.png');
  const r = cli('compare', img, join(ev, 'a_1.json'), '--ppi', '20000', '--json');
  assert.is(r.code, 1, r.stderr);
  const d = failuresOf(r.stdout);
  assert.equal(d.failures.map((f) => [f.path, f.code]), [[img, 'E_TOO_SMALL']]);
  assert.match(d.failures[0]!.message, /^.*f1_1\.png: 320 x 400 px at 20000 ppi is 8 x 10 px at 500 ppi, under the 16 px minimum/);
  assert.not.match(r.stderr + r.stdout, /detectPolarity/);
  const x = cli('extract', img, '-o', join(tmp, 'x'), '--ppi', '20000', '--quiet');
  assert.is(x.code, 1);
  assert.match(x.stderr, /E_TOO_SMALL .*f1_1\.png: 320 x 400 px at 20000 ppi is 8 x 10 px at 500 ppi/);
});

test.run();
