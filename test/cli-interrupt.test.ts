/**
 * CLI batches: Ctrl-C / SIGTERM say how far the batch got and leave complete outputs only; --force never
 * replaces a file no fingerlift run of that input wrote; E_EXISTS and verify messages point the right way.
 * Runs bin/fingerlift.js (the launcher that re-execs node and forwards signals) on repository fixtures.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-cli-int-'));
const BIN = join(repoRoot, 'bin', 'fingerlift.js');
const fixture = (name: string): string => join(repoRoot, 'fixtures', name);
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** 12 print fixtures under distinct names. */
function prints(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 12; i++) copyFileSync(fixture(`f${(i % 3) + 1}_${(i % 4) + 1}.png`), join(dir, `p${String(i).padStart(2, '0')}.png`));
}

/**
 * Start `extract` on `inDir`, send `sig` to the launcher once the first trail exists (waiting for the file,
 * no time limit), and return how it ended.
 */
async function interrupt(inDir: string, outDir: string, sig: NodeJS.Signals, jobs: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'extract', inDir, '-o', outDir, '-j', jobs, '-q'], { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise((res) => child.stderr.on('close', res));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  let exited = false;
  void ended.then(() => (exited = true));
  while (!exited && !(existsSync(outDir) && readdirSync(outDir).some((f) => f.endsWith('.trail.json')))) await sleep(20);
  assert.not.ok(exited, `the batch ended before the first trail appeared: ${stderr}`);
  child.kill(sig);
  const end = await ended;
  await closed;
  return { ...end, stderr };
}

/** Each input has its trail and every output it lists (with its hash), or no file; no temporary files. */
function assertComplete(outDir: string): number {
  const files = readdirSync(outDir);
  assert.equal(files.filter((f) => f.startsWith('.')), [], 'no temporary files');
  const trails = files.filter((f) => f.endsWith('.trail.json'));
  for (const t of trails) {
    const trail = JSON.parse(readFileSync(join(outDir, t), 'utf8')) as { outputs: Array<{ path: string; sha256: string }> };
    for (const o of trail.outputs) assert.is(sha(join(outDir, o.path)), o.sha256, `${o.path} complete`);
  }
  const stems = new Set(trails.map((t) => t.replace(/\.trail\.json$/, '')));
  for (const f of files) assert.ok(stems.has(f.split('.')[0]!), `${f}: output of an unfinished input left behind`);
  return trails.length;
}

test('SIGINT stops a batch with one line, status 130 (by the signal), complete outputs only; --resume finishes it', async () => {
  const inDir = join(tmp, 'in');
  prints(inDir);
  const out = join(tmp, 'out-int');
  const r = await interrupt(inDir, out, 'SIGINT', '1');
  // The launcher ends by the same signal (a shell reports 130); should it ever exit instead, with 130.
  assert.ok(r.signal === 'SIGINT' || r.code === 130, `ended with ${r.code} / ${r.signal}: ${r.stderr}`);
  const m = /^extract: interrupted by SIGINT after (\d+) of 12 inputs; outputs of finished inputs are complete; rerun with --resume to finish$/m.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.not.match(r.stderr, /done, .* skipped, .* failed/, 'no closing summary of a partial batch');
  const finished = assertComplete(out);
  assert.is(finished, Number(m![1]));
  assert.ok(finished >= 1 && finished < 12);
  const again = cli('extract', inDir, '-o', out, '-j', '2', '-q', '--resume');
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`${12 - finished} done, ${finished} skipped, 0 failed`));
  assert.is(assertComplete(out), 12);
});

test('SIGTERM with worker threads: status 143 (by the signal), the same line, no temporary files', async () => {
  const inDir = join(tmp, 'in');
  const out = join(tmp, 'out-term');
  const r = await interrupt(inDir, out, 'SIGTERM', '2');
  assert.ok(r.signal === 'SIGTERM' || r.code === 143, `ended with ${r.code} / ${r.signal}: ${r.stderr}`);
  const m = /^extract: interrupted by SIGTERM after (\d+) of 12 inputs; outputs of finished inputs are complete; rerun with --resume to finish$/m.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.is(assertComplete(out), Number(m![1]));
});

/** The pids whose parent is `ppid` (from /proc). */
function childrenOf(ppid: number): number[] {
  const kids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) kids.push(Number(d));
    } catch {
      // ended meanwhile
    }
  }
  return kids;
}

/** Is `pid` running (a zombie, ended but not yet reaped by whoever adopted it, is not)? */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('kill -9 of the launcher: its child (the real work) ends within 2 s, leaving complete outputs only, no temporary files', async () => {
  if (process.platform !== 'linux') return; // reads /proc
  const inDir = join(tmp, 'in');
  const out = join(tmp, 'out-kill9');
  const launcher = spawn(process.execPath, [BIN, 'extract', inDir, '-o', out, '-j', '2', '-q'], { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  launcher.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ended = new Promise<void>((res) => launcher.on('exit', () => res()));
  let exited = false;
  void ended.then(() => (exited = true));
  while (!exited && !(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.trail.json')))) await sleep(20);
  assert.not.ok(exited, `the batch ended before the first trail appeared: ${stderr}`);
  const kids = childrenOf(launcher.pid!);
  assert.is(kids.length, 1, `one child of the launcher: ${kids.join(', ')}`);
  const worker = kids[0]!;
  assert.ok(running(worker));
  process.kill(launcher.pid!, 'SIGKILL'); // the launcher only, not its child
  await ended;
  const t0 = Date.now();
  while (running(worker) && Date.now() - t0 < 5000) await sleep(20);
  const took = Date.now() - t0;
  assert.not.ok(running(worker), 'the orphaned child still runs after 5 s');
  assert.ok(took < 2000, `the orphaned child ended after ${took} ms`);
  // It stopped as on SIGTERM: complete outputs of finished inputs, nothing else (no .fl-*.tmp), and not all 12.
  const finished = assertComplete(out);
  assert.ok(finished >= 1 && finished < 12, `${finished} of 12 finished`);
  assert.equal(readdirSync(out).filter((f) => /^\.fl-.*\.tmp$/.test(f)), []);
});

test('--force never replaces a file beside the input that no fingerlift run of it wrote (dataset template, user file)', () => {
  const data = join(tmp, 'data');
  mkdirSync(data);
  copyFileSync(fixture('f1_1.png'), join(data, '101_1.png'));
  writeFileSync(join(data, '101_1.iso'), 'FMR\0 written by a commercial SDK');
  const before = sha(join(data, '101_1.iso'));
  const r = cli('extract', join(data, '101_1.png'), '-o', data, '--format', 'iso', '--force', '-q', '-j', '1');
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /E_EXISTS/);
  assert.match(r.stderr, /101_1\.iso exists and was not written by a fingerlift run of this input.*choose another -o folder/);
  assert.is(sha(join(data, '101_1.iso')), before, 'the dataset file is untouched');
  assert.equal(readdirSync(data).sort(), ['101_1.iso', '101_1.png'], 'nothing else written');
  // An .xyt run there is fine; its trail does not list 101_1.iso, so --format iso --force is still refused
  // and the .xyt run's files stay as they are.
  assert.is(cli('extract', join(data, '101_1.png'), '-o', data, '-q', '-j', '1').code, 0);
  const xyt = sha(join(data, '101_1.xyt'));
  const trail = sha(join(data, '101_1.trail.json'));
  const again = cli('extract', join(data, '101_1.png'), '-o', data, '--format', 'iso', '--force', '-q', '-j', '1');
  assert.is(again.code, 1, again.stderr);
  assert.match(again.stderr, /101_1\.iso exists and was not written by a fingerlift run/);
  assert.is(sha(join(data, '101_1.iso')), before);
  assert.is(sha(join(data, '101_1.xyt')), xyt);
  assert.is(sha(join(data, '101_1.trail.json')), trail);
  // Its own outputs are replaced with --force, as before.
  const forced = cli('extract', join(data, '101_1.png'), '-o', data, '--force', '-q', '-j', '1');
  assert.is(forced.code, 0, forced.stderr);
  // lift: a user's a.f1.png beside a.jpg.
  const photos = join(tmp, 'photos');
  mkdirSync(photos);
  copyFileSync(fixture('f1_photo.jpg'), join(photos, 'a.jpg'));
  writeFileSync(join(photos, 'a.f1.png'), 'the user\'s own picture');
  const lift = cli('lift', join(photos, 'a.jpg'), '-o', photos, '--force', '-q', '-j', '1');
  assert.is(lift.code, 1, lift.stderr);
  assert.match(lift.stderr, /a\.f1\.png exists and was not written by a fingerlift run of this input/);
  assert.is(readFileSync(join(photos, 'a.f1.png'), 'utf8'), 'the user\'s own picture');
  assert.equal(readdirSync(photos).sort(), ['a.f1.png', 'a.jpg']);
});

test('an output of another run in the folder (a lift\'s fingertip template) is named as such, not as a file no trail lists', () => {
  const dir = join(tmp, 'RP3');
  mkdirSync(dir);
  copyFileSync(fixture('f1_photo.jpg'), join(dir, 'corrupt.jpg'));
  assert.is(cli('lift', join(dir, 'corrupt.jpg'), '-o', dir, '-q', '-j', '1').code, 0);
  const before = sha(join(dir, 'corrupt.f1.json'));
  // extract of the lifted print writes corrupt.f1.json, which the lift trail lists: refused, with or without --force.
  for (const force of [['--force'], []]) {
    const r = cli('extract', join(dir, 'corrupt.f1.png'), '-o', dir, '--format', 'json', '-q', '-j', '1', ...force);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /corrupt\.f1\.json exists and is an output of another run \(corrupt\.trail\.json, lift of corrupt\.jpg\): not overwritten, also not with --force; choose another -o folder/);
    assert.not.match(r.stderr, /no trail of it lists|SIGKILL/);
  }
  assert.is(sha(join(dir, 'corrupt.f1.json')), before, 'the lift output is untouched');
  // A file no trail lists keeps the other message (with the SIGKILL hint).
  writeFileSync(join(dir, 'other.json'), '{}');
  copyFileSync(fixture('f1_1.png'), join(dir, 'other.png'));
  const u = cli('extract', join(dir, 'other.png'), '-o', dir, '--format', 'json', '--force', '-q', '-j', '1');
  assert.is(u.code, 1, u.stderr);
  assert.match(u.stderr, /other\.json exists and was not written by a fingerlift run of this input \(no trail of it lists that file\)/);
});

test('E_EXISTS after another command\'s run suggests another -o folder, not --resume; verify --check-files stays in the trail folder', () => {
  const dir = join(tmp, 'same');
  assert.is(cli('extract', fixture('f1_1.png'), '-o', dir, '-q', '-j', '1').code, 0);
  const r = cli('enhance', fixture('f1_1.png'), '-o', dir, '-q', '-j', '1');
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /from the `extract` run of that input: give this command another -o folder/);
  assert.match(r.stderr, /--resume cannot use another command's trail/);
  assert.not.match(r.stderr, /or --resume to skip/);
  const resumed = cli('enhance', fixture('f1_1.png'), '-o', dir, '-q', '-j', '1', '--resume');
  assert.is(resumed.code, 1);
  assert.match(resumed.stderr, /its trail is from the `extract` run of that input/);

  // A hand-edited trail listing a file outside its folder: not read, a failure of that trail.
  const trailPath = join(dir, 'f1_1.trail.json');
  const t = JSON.parse(readFileSync(trailPath, 'utf8')) as { outputs: Array<{ path: string; sha256: string; size: number }> };
  t.outputs.push({ path: '../../../../../../../../etc/hostname', sha256: '0'.repeat(64), size: 1 });
  writeFileSync(join(dir, 'edited.trail.json'), JSON.stringify(t));
  const v = cli('verify', join(dir, 'edited.trail.json'), '--check-files');
  assert.is(v.code, 1, v.stdout + v.stderr);
  assert.match(v.stdout, /MISMATCH output path \.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname lies outside the trail's folder: not checked/);
  assert.match(v.stderr, /output path\(s\) outside the trail's folder, not checked/);
  assert.match(cli('verify', trailPath, '--check-files').stdout, /^OK: /m);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
