/**
 * The README's first command, and the photo job through the CLI, on the bundled synthetic fixtures
 * (no ../shared data needed: this runs on a user's clone too).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCALE_SEARCH_THRESHOLDS } from '../src/compare/thresholds.js';
import { SCALE_HYPOTHESES } from '../src/compare/scales.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-demo-'));

test('npm run demo finds the mate of the fixture photo and writes its results to ./out', () => {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(repoRoot, 'bin', 'demo.ts')], { cwd: tmp, encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /MATE FOUND/);
  for (const f of ['demo.chart.png', 'demo.comparisons.json', 'f1_photo.report.html', 'f1_photo.trail.json', 'f1_photo.boxes.png', 'f1_photo.lift.json'])
    assert.ok(existsSync(join(tmp, 'out', f)), f);
  const doc = JSON.parse(readFileSync(join(tmp, 'out', 'demo.comparisons.json'), 'utf8')) as { thresholds: { fmr0_1: number }; scaleSearch: unknown; results: Array<{ mated: boolean; score: number; scale?: number; match: boolean }> };
  // The photo's scores come from the scale search: judged with the thresholds measured on such scores.
  assert.equal(doc.thresholds, SCALE_SEARCH_THRESHOLDS);
  assert.equal(doc.scaleSearch, [...SCALE_HYPOTHESES]);
  for (const x of doc.results) {
    assert.ok(x.scale !== undefined, 'a result without its scale');
    assert.is(x.match, x.score >= SCALE_SEARCH_THRESHOLDS.fmr0_1);
  }
  assert.match(r.stdout, new RegExp(`threshold at FMR 0\\.1% ${SCALE_SEARCH_THRESHOLDS.fmr0_1}`));
  const minMated = Math.min(...doc.results.filter((x) => x.mated).map((x) => x.score));
  const maxNonMated = Math.max(...doc.results.filter((x) => !x.mated).map((x) => x.score));
  assert.ok(minMated > maxNonMated, `mated ${minMated} vs non-mated ${maxNonMated}`);
});

test('fingerlift lift writes a print per usable fingertip, and verify replays its trail', () => {
  const cli = (...a: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...a], { cwd: tmp, encoding: 'utf8' });
  const r = cli('lift', join(repoRoot, 'fixtures', 'f2_photo.jpg'), '-o', 'lifted', '-j', '1', '-q');
  assert.is(r.status, 0, r.stderr);
  const summary = JSON.parse(readFileSync(join(tmp, 'lifted', 'f2_photo.lift.json'), 'utf8')) as { decoderWarning: string | null; fingertips: Array<{ index: number; usable: boolean }> };
  assert.is(summary.decoderWarning, null, 'a clean photo: no decoder warning in lift.json');
  const usable = summary.fingertips.filter((f) => f.usable);
  assert.ok(usable.length >= 1);
  for (const f of usable) assert.ok(existsSync(join(tmp, 'lifted', `f2_photo.f${f.index}.png`)));
  // An unusable fingertip gets no print and no template on disk (only its box and reason in lift.json).
  for (const f of summary.fingertips.filter((t) => !t.usable)) {
    assert.not.ok(existsSync(join(tmp, 'lifted', `f2_photo.f${f.index}.png`)), `f${f.index} is unusable but has a print`);
    assert.not.ok(existsSync(join(tmp, 'lifted', `f2_photo.f${f.index}.json`)), `f${f.index} is unusable but has a template`);
  }
  const v = cli('verify', join('lifted', 'f2_photo.trail.json'));
  assert.is(v.status, 0, v.stdout + v.stderr);
});

test('a lift with --report verifies after its input moved (verify --inputs): the hashes the report lists follow the path', () => {
  const cli = (...a: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...a], { cwd: tmp, encoding: 'utf8' });
  mkdirSync(join(tmp, 'was'));
  mkdirSync(join(tmp, 'now'));
  copyFileSync(join(repoRoot, 'fixtures', 'f2_photo.jpg'), join(tmp, 'was', 'photo.jpg'));
  const r = cli('lift', join(tmp, 'was', 'photo.jpg'), '-o', 'reported', '--report', '-j', '1', '-q');
  assert.is(r.status, 0, r.stderr);
  renameSync(join(tmp, 'was', 'photo.jpg'), join(tmp, 'now', 'photo.jpg'));
  assert.is(cli('verify', join('reported', 'photo.trail.json')).status, 1, 'verified without its input');
  const v = cli('verify', join('reported', 'photo.trail.json'), '--inputs', join(tmp, 'now'));
  assert.is(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /OK: (\d+)\/\1 hashes reproduced/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
