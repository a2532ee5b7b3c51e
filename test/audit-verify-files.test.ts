/**
 * verify checks the delivered files by default: a recorded output present on disk with other bytes is a
 * mismatch (exit 1) without --check-files; one absent is listed, not failed; --check-files stays strict;
 * --no-check-files leaves the disk alone; the closing line says what was checked.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trailIn } from './helpers/trails.js';
import { formatVerifyReport, verifyTrail, verifyTrailFile } from '../src/audit/verify.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fl-verify-files-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('API: a trail file is checked against the files on disk by default; absent ones listed; strict and off modes', async () => {
  const { trail, trailPath } = await trailIn(join(tmp, 'api'), [['in.xyt', 'xyt'], ['in.png', 'png']], true);
  const replay = async (): Promise<Map<string, string>> => new Map(trail.outputs.map((o) => [o.path, o.sha256]));
  const clean = await verifyTrailFile(trailPath, replay);
  assert.is(clean.ok, true);
  assert.equal(clean.files, { mode: 'present', checked: 2, matched: 2, absent: [], outside: 0 });
  assert.match(formatVerifyReport(clean), /OK: 5\/5 hashes reproduced \(input and replay 3\/3; files on disk: 2 checked, 0 absent\)$/);

  // Tampered: the default catches it (before: OK, only --check-files did).
  await writeFile(join(tmp, 'api', 'in.xyt'), 'tampered');
  const tampered = await verifyTrailFile(trailPath, replay);
  assert.is(tampered.ok, false);
  assert.equal(tampered.mismatches.map((m) => [m.name, m.problem]), [['in.xyt (on disk)', 'differs']]);
  assert.match(formatVerifyReport(tampered), /MISMATCH output in\.xyt \(on disk\): differs/);
  assert.match(formatVerifyReport(tampered), /FAILED: 4\/5 hashes reproduced, 1 mismatch\(es\) \(input and replay 3\/3; files on disk: 2 checked \(1 differ\), 0 absent\)$/);
  // Off: not looked at, and the line says so.
  const off = await verifyTrailFile(trailPath, replay, { checkFilesOnDisk: false });
  assert.is(off.ok, true);
  assert.match(formatVerifyReport(off), /files on disk: not checked\)$/);

  // Absent: listed, not a failure by default; a mismatch with the strict check.
  await writeFile(join(tmp, 'api', 'in.xyt'), 'xyt');
  rmSync(join(tmp, 'api', 'in.png'));
  const absent = await verifyTrailFile(trailPath, replay);
  assert.is(absent.ok, true);
  assert.equal(absent.files.absent, ['in.png']);
  assert.match(formatVerifyReport(absent), /absent output in\.png: not on disk, not checked/);
  assert.match(formatVerifyReport(absent), /files on disk: 1 checked, 1 absent \(not checked\)\)$/);
  const strict = await verifyTrailFile(trailPath, replay, { checkFilesOnDisk: true });
  assert.is(strict.ok, false);
  assert.equal(strict.mismatches.map((m) => [m.name, m.problem]), [['in.png (on disk)', 'missing']]);
  // A trail in memory without a trail path: the disk is not looked at unless asked.
  assert.is((await verifyTrail(trail, replay)).files.mode, 'off');
  // A bad value for the option is an argument error.
  let code = '';
  await verifyTrailFile(trailPath, replay, { checkFilesOnDisk: 'yes' as unknown as boolean }).catch((e: { code: string }) => (code = e.code));
  assert.is(code, 'E_INVALID_ARGUMENT');
});

test('CLI: plain `verify` fails a tampered output (exit 1), lists an absent one, --check-files strict, --no-check-files off', () => {
  const out = join(tmp, 'cli');
  const x = cli('extract', join(repoRoot, 'fixtures', 'f1_1.png'), '-o', out, '--quiet');
  assert.is(x.code, 0, x.stderr);
  const trail = join(out, 'f1_1.trail.json'), xyt = join(out, 'f1_1.xyt');
  const ok = cli('verify', trail);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /OK: (\d+)\/\1 hashes reproduced \(input and replay (\d+)\/\2; files on disk: 1 checked, 0 absent\)/);
  const original = readFileSync(xyt);
  appendFileSync(xyt, '1 1 1 1\n');
  const bad = cli('verify', trail);
  assert.is(bad.code, 1, bad.stdout);
  assert.match(bad.stdout, /MISMATCH output f1_1\.xyt \(on disk\): differs/);
  assert.match(bad.stdout, /^FAILED: /m);
  const badJson = cli('verify', trail, '--json');
  assert.is(badJson.code, 1);
  const doc = JSON.parse(badJson.stdout) as { reports: Array<{ files: { mode: string; checked: number; matched: number } }>; failed: number; failures: Array<{ code: string }> };
  assert.equal([doc.reports[0]!.files.mode, doc.reports[0]!.files.checked, doc.reports[0]!.files.matched, doc.failed, doc.failures[0]!.code], ['present', 1, 0, 1, 'E_VERIFY']);
  const offCli = cli('verify', trail, '--no-check-files');
  assert.is(offCli.code, 0, offCli.stdout);
  assert.match(offCli.stdout, /files on disk: not checked/);
  unlinkSync(xyt);
  const gone = cli('verify', trail);
  assert.is(gone.code, 0, gone.stdout);
  assert.match(gone.stdout, /absent output f1_1\.xyt: not on disk, not checked/);
  assert.match(gone.stdout, /files on disk: 0 checked, 1 absent \(not checked\)/);
  const strict = cli('verify', trail, '--check-files');
  assert.is(strict.code, 1, strict.stdout);
  assert.match(strict.stdout, /MISMATCH output f1_1\.xyt \(on disk\): missing/);
  writeFileSync(xyt, original);
  assert.is(cli('verify', trail, '--check-files').code, 0);
});

test.run();
