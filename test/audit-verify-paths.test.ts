/**
 * verify: recorded output paths are checked only inside the trail's folder; the verdict says what failed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trailIn } from './helpers/trails.js';
import { checkOutputsOnDisk, formatVerifyReport, verifyTrail } from '../src/audit/verify.js';
import { FingerliftError } from '../src/errors.js';

let root = '';
test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fl-verify-paths-'));
});
test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('checkOutputsOnDisk: paths leaving the trail folder (.., absolute, a link out of it) are reported, not read', async () => {
  const dir = join(root, 'case', 'out');
  // Files outside the folder with exactly the recorded content: were they read, they would match.
  await mkdir(join(root, 'case'), { recursive: true });
  await writeFile(join(root, 'case', 'secret.txt'), 'secret');
  const { trail, trailPath } = await trailIn(dir, [
    ['in.xyt', 'xyt'],
    ['../secret.txt', 'secret'],
    ['../../../../../../../../etc/hostname', 'x'],
    [join(root, 'case', 'secret.txt'), 'secret'],
    ['in.link.png', 'secret'],
    ['sub/in.png', 'png'],
  ]);
  await writeFile(join(dir, 'in.xyt'), 'xyt');
  await symlink(join(root, 'case', 'secret.txt'), join(dir, 'in.link.png'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'in.png'), 'png');
  const bad = await checkOutputsOnDisk(trail, trailPath);
  assert.equal(bad.map((m) => [m.name, m.problem, m.actual]), [
    ['../secret.txt', 'outside', null],
    ['../../../../../../../../etc/hostname', 'outside', null],
    [join(root, 'case', 'secret.txt'), 'outside', null],
    ['in.link.png', 'outside', null],
  ]);
  // Through verifyTrail --check-files: a failure of that trail, with a clear line.
  const replay = async (): Promise<Map<string, string>> => new Map(trail.outputs.map((o) => [o.path, o.sha256]));
  const r = await verifyTrail(trail, replay, { trailPath, checkFilesOnDisk: true });
  assert.is(r.ok, false);
  const text = formatVerifyReport(r);
  assert.match(text, /MISMATCH output path \.\.\/secret\.txt lies outside the trail's folder: not checked/);
  assert.match(text, /MISMATCH output path \.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname lies outside the trail's folder: not checked/);
  assert.not.match(text, /MISMATCH output path in\.xyt/);
  assert.match(text, /FAILED: \d+\/\d+ hashes reproduced, 4 mismatch\(es\)/);
});

test('a failed replay: the verdict says "replay failed: <reason>", not a bare count that reads as success', async () => {
  const { trail, trailPath } = await trailIn(join(root, 'replay'), [['in.xyt', 'xyt']]);
  const r = await verifyTrail(trail, async () => { throw new FingerliftError('E_DECODE', 'cannot decode in.bin'); }, { trailPath });
  assert.is(r.ok, false);
  const last = formatVerifyReport(r).split('\n').at(-1)!;
  assert.match(last, /^FAILED: replay failed: \[E_DECODE\] cannot decode in\.bin/);
  assert.match(last, /1\/1 input hashes matched/);
  const plain = await verifyTrail(trail, async () => { throw new Error('boom'); }, { trailPath });
  assert.match(formatVerifyReport(plain).split('\n').at(-1)!, /^FAILED: replay failed: \[E_VERIFY\] boom/);
});

test.run();
