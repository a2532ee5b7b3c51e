/**
 * `fingerlift verify` replays through the CLI: a `lift --report` run whose input moved (the report holds the
 * path HTML-escaped, inside "<path> fingertip k", and the size and hash of <name>.lift.json, which holds the
 * path JSON-escaped), and a trail whose notes were edited (the decoder's warning of a damaged JPEG removed).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-verify-replay-'));
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('verify --inputs passes a lift --report run after its input moved (path raw, JSON- and HTML-escaped, in fingertip names); an edited report still fails', () => {
  // Folder names with characters that JSON and HTML escape (", &, <, >), relative as a user types them.
  for (const [from, to] of [['orig2', 'orig2_moved'], ['in "a"&b', 'moved <x>&"y"']] as const) {
    mkdirSync(join(tmp, from));
    copyFileSync(join(repoRoot, 'fixtures', 'f1_photo.jpg'), join(tmp, from, 'm.jpg'));
    const out = `MV-${from.length}`;
    const lift = cli('lift', join(from, 'm.jpg'), '-o', out, '--report', '-q');
    assert.is(lift.code, 0, lift.stderr);
    const html = readFileSync(join(tmp, out, 'm.report.html'), 'utf8');
    assert.ok(/ fingertip 1&quot;/.test(html), 'the report names the fingertip after the path');
    renameSync(join(tmp, from), join(tmp, to));
    const v = cli('verify', join(out, 'm.trail.json'), '--inputs', to);
    assert.is(v.code, 0, `${from} -> ${to}: ${v.stdout}${v.stderr}`);
    assert.match(v.stdout, /^OK: (\d+)\/\1 hashes reproduced/m);
    // A real edit of the report is still caught, with the input moved.
    writeFileSync(join(tmp, out, 'm.report.html'), html.replace('Files written', 'Files writen'));
    const edited = cli('verify', join(out, 'm.trail.json'), '--inputs', to);
    assert.is(edited.code, 1, edited.stdout);
    assert.match(edited.stdout, /MISMATCH output m\.report\.html \(on disk\): differs/);
  }
});

test('verify notices a step note removed from (or added to) a trail: the damaged JPEG\'s decoder warning', () => {
  // A damaged JPEG: bytes flipped throughout the entropy-coded data of the fixture photo (libjpeg warns and decodes on).
  const bad = readFileSync(join(repoRoot, 'fixtures', 'f1_photo.jpg'));
  for (let i = 700; i < bad.length - 2; i += 500) bad[i] = bad[i]! ^ 0xff;
  writeFileSync(join(tmp, 'corrupt.jpg'), bad);
  const lift = cli('lift', 'corrupt.jpg', '-o', 'RP', '-q');
  assert.is(lift.code, 0, lift.stderr);
  const trailPath = join(tmp, 'RP', 'corrupt.trail.json');
  const text = readFileSync(trailPath, 'utf8');
  const trail = JSON.parse(text) as { steps: Array<{ name: string; notes?: string[] }> };
  const load = trail.steps.find((s) => s.name === 'load')!;
  assert.ok(load.notes?.some((n) => /damaged/.test(n)), `the load step records the decoder warning: ${JSON.stringify(load.notes)}`);
  const ok = cli('verify', trailPath);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  // Every "damaged" note removed: the hashes all reproduce, the notes do not.
  for (const s of trail.steps) if (s.notes) s.notes = s.notes.filter((n) => !/damaged/.test(n));
  writeFileSync(trailPath, JSON.stringify(trail, null, 2));
  const removed = cli('verify', trailPath, '--json');
  assert.is(removed.code, 1, removed.stdout);
  const doc = JSON.parse(removed.stdout) as { reports: Array<{ ok: boolean; mismatches: Array<{ kind: string; name: string; problem: string; expected: string; actual: string }> }> };
  const m = doc.reports[0]!.mismatches;
  assert.is(m.length, 1, JSON.stringify(m));
  assert.is(m[0]!.name, 'load');
  assert.is(m[0]!.problem, 'notes');
  assert.match(m[0]!.actual, /decoder warning/);
  assert.not.match(m[0]!.expected, /decoder warning/);
  const human = cli('verify', trailPath);
  assert.match(human.stdout, /^MISMATCH step load: notes differ \(recorded "[^"]*", replay ".*decoder warning/m);
  assert.match(human.stdout, /^FAILED: /m);
  // A note added is a mismatch too.
  load.notes = [...(load.notes ?? []), 'no damage here'];
  writeFileSync(trailPath, JSON.stringify(trail, null, 2));
  assert.is(cli('verify', trailPath).code, 1);
  writeFileSync(trailPath, text);
  assert.is(cli('verify', trailPath).code, 0);
});

test.run();
