import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsErrorReason, readInputFile } from '../src/fsread.js';
import { FingerliftError } from '../src/errors.js';
import { expandInputs } from '../src/batch/expand.js';
import { repoRoot } from './helpers/data.js';
import { errorCode, rejection } from './helpers/errors.js';
import { loadImage } from '../src/image/io.js';
import { loadComparable } from '../src/tasks/compare.js';
import { loadTrail } from '../src/audit/verify.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-fsread-'));

const code = errorCode;

test('readInputFile: a regular file is read whole; a missing one is E_NOT_FOUND, a folder E_UNSUPPORTED_FORMAT', async () => {
  const f = join(dir, 'a.bin');
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
  writeFileSync(f, bytes);
  assert.equal(Buffer.compare(await readInputFile(f, { maxBytes: 3000, what: 'test' }), bytes), 0);
  assert.is(await code(readInputFile(f, { maxBytes: 2999, what: 'test' })), 'E_TOO_LARGE');
  assert.is(await code(readInputFile(f, { maxBytes: 10, what: 'test', tooLargeCode: 'E_TEMPLATE_FORMAT' })), 'E_TEMPLATE_FORMAT');
  assert.is(await code(readInputFile(join(dir, 'missing.bin'), { maxBytes: 10, what: 'test' })), 'E_NOT_FOUND');
  assert.is(await code(readInputFile(dir, { maxBytes: 10, what: 'test' })), 'E_UNSUPPORTED_FORMAT');
  writeFileSync(join(dir, 'empty.bin'), '');
  assert.is((await readInputFile(join(dir, 'empty.bin'), { maxBytes: 10, what: 'test' })).length, 0);
});

test('endless inputs are refused before reading: /dev/zero and a FIFO (image, template, audit trail)', async () => {
  if (!existsSync('/dev/zero')) return;
  // Each of these read /dev/zero until memory ran out, or waited on the FIFO forever.
  assert.is(await code(loadImage('/dev/zero')), 'E_UNSUPPORTED_FORMAT');
  assert.is(await code(loadComparable('/dev/zero')), 'E_UNSUPPORTED_FORMAT');
  assert.is(await code(loadTrail('/dev/zero')), 'E_UNSUPPORTED_FORMAT');
  let fifo: string | undefined;
  try {
    execFileSync('mkfifo', [join(dir, 'pipe.iso')]);
    fifo = join(dir, 'pipe.iso');
  } catch {
    console.log('  SKIP the FIFO case: mkfifo is not available here');
  }
  if (fifo) {
    assert.is(await code(loadComparable(fifo)), 'E_UNSUPPORTED_FORMAT');
    assert.is(await code(loadTrail(fifo)), 'E_UNSUPPORTED_FORMAT');
  }
});

test('huge files are refused from their size, before a byte is read (sparse files: no disk used)', async () => {
  const big = join(dir, 'big.json');
  writeFileSync(big, '');
  truncateSync(big, 1.5 * 2 ** 30);
  assert.is(await code(loadComparable(big)), 'E_TEMPLATE_FORMAT');
  const png = join(dir, 'big.png');
  writeFileSync(png, '');
  truncateSync(png, 1.5 * 2 ** 30);
  // Over 8 bytes per pixel of the 100-megapixel limit (plus 16 MB): refused from its size...
  assert.is(await code(loadImage(png)), 'E_TOO_LARGE');
  // ...while a file within it is read and judged by its bytes (zeros: not an image).
  const small = join(dir, 'zeros.png');
  writeFileSync(small, '');
  truncateSync(small, 20 * 2 ** 20);
  assert.is(await code(loadImage(small, { maxPixels: 1e6 })), 'E_DECODE');
  assert.is(await code(loadImage(small, { maxPixels: 1e5 })), 'E_TOO_LARGE');
});

test('a path that exists but cannot be reached is E_NOT_FOUND saying why, never "no such file" (ELOOP, ENOTDIR, ENAMETOOLONG, a dangling link)', async () => {
  // Reported by a trial: each of these said "does not exist" / "no such file or directory".
  const loop = join(dir, 'loop-a.png');
  symlinkSync(join(dir, 'loop-b.png'), loop);
  symlinkSync(loop, join(dir, 'loop-b.png'));
  writeFileSync(join(dir, 'plain'), 'a file, not a folder');
  const cases: Array<[string, RegExp]> = [
    [loop, /symbolic link loop.*\(ELOOP\)/],
    [join(dir, 'plain', 'x.png'), /a part of the path is a file, not a folder \(ENOTDIR\)/],
    [join(dir, `${'n'.repeat(300)}.png`), /name too long.*\(ENAMETOOLONG\)/],
  ];
  for (const [path, why] of cases) {
    for (const read of [() => readInputFile(path, { maxBytes: 10, what: 'image' }), () => loadImage(path), () => loadComparable(path), () => loadTrail(path)]) {
      const e = await rejection(read());
      assert.is(e.code, 'E_NOT_FOUND', path);
      assert.match(e.message, why);
      assert.not.match(e.message, /no such file|does not exist/);
    }
    const x = await expandInputs([path]);
    assert.is(x.failed.length, 1, path);
    assert.is(x.failed[0]!.code, 'E_NOT_FOUND');
    assert.match(x.failed[0]!.message, why);
    assert.not.match(x.failed[0]!.message, /no such file/);
  }
  // A link whose target is gone says so; a missing file is still "no such file or directory".
  symlinkSync(join(dir, 'gone.png'), join(dir, 'dangling.png'));
  assert.match((await expandInputs([join(dir, 'dangling.png')])).failed[0]!.message, /a symbolic link whose target does not exist \(ENOENT\)/);
  assert.match((await expandInputs([join(dir, 'missing.png')])).failed[0]!.message, /missing\.png: no such file or directory \(ENOENT\)/);
  assert.match((await rejection(loadImage(join(dir, 'missing.png')))).message, /cannot read image: no such file or directory \(ENOENT\)/);
});

test('fsErrorReason names the cause of every error code a read can meet, and keeps an unknown one', () => {
  const err = (code: string, message = `${code}: something, open '/x'`): NodeJS.ErrnoException => Object.assign(new Error(message), { code });
  assert.is(fsErrorReason(err('EACCES')), 'permission denied (EACCES)');
  assert.is(fsErrorReason(err('EPERM')), 'permission denied (operation not permitted) (EPERM)');
  assert.is(fsErrorReason(err('ENOENT')), 'no such file or directory (ENOENT)');
  assert.match(fsErrorReason(err('ELOOP')), /^symbolic link loop/);
  assert.match(fsErrorReason(err('EIO')), /^input\/output error/);
  assert.is(fsErrorReason(err('EWHATEVER', "EWHATEVER: odd failure, open '/x'")), 'odd failure (EWHATEVER)');
  assert.is(fsErrorReason(new Error('plain')), 'plain');
});

test('an input without read permission is E_NOT_FOUND "permission denied (EACCES)" (file, folder, a path through a closed folder)', async () => {
  const acc = join(dir, 'acc');
  mkdirSync(join(acc, 'closed'), { recursive: true });
  writeFileSync(join(acc, 'locked.png'), 'x');
  writeFileSync(join(acc, 'closed', 'inside.png'), 'x');
  chmodSync(join(acc, 'locked.png'), 0o000);
  chmodSync(join(acc, 'closed'), 0o000);
  const paths = [join(acc, 'locked.png'), join(acc, 'closed'), join(acc, 'closed', 'inside.png')];
  // Root reads anything whatever the mode: the same checks then run in a child process as user "nobody".
  const script = `
    const { readInputFile } = await import(${JSON.stringify(new URL('../src/fsread.ts', import.meta.url).href)});
    const { expandInputs } = await import(${JSON.stringify(new URL('../src/batch/expand.ts', import.meta.url).href)});
    const [file, folder, inside] = ${JSON.stringify(paths)};
    const out = {};
    try { await readInputFile(file, { maxBytes: 10, what: 'image' }); out.read = 'read'; } catch (e) { out.read = [e.code, e.message]; }
    const x = await expandInputs([folder, inside]);
    out.expand = x.failed.map((f) => [f.code, f.message]);
    process.stdout.write(JSON.stringify(out));`;
  let out: { read: string | [string, string]; expand: Array<[string, string]> };
  if (process.getuid?.() === 0) {
    chmodSync(dir, 0o755);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } });
    assert.is(r.status, 0, r.stderr);
    out = JSON.parse(r.stdout) as typeof out;
  } else {
    const read = await rejection(readInputFile(paths[0]!, { maxBytes: 10, what: 'image' }));
    out = { read: [read.code, read.message], expand: (await expandInputs(paths.slice(1))).failed.map((f) => [f.code, f.message]) };
  }
  chmodSync(join(acc, 'closed'), 0o755);
  assert.equal(out.read, ['E_NOT_FOUND', `${paths[0]}: cannot read image: permission denied (EACCES)`]);
  assert.equal(out.expand, [
    ['E_NOT_FOUND', `${paths[1]}: cannot list the folder: permission denied (EACCES)`],
    ['E_NOT_FOUND', `${paths[2]}: permission denied (EACCES)`],
  ]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
