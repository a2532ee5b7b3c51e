/**
 * CLI messages from new-user trials: a file name holding a line break (or a carriage return, an escape
 * sequence) was printed raw, so one failure could look like two lines or forge one; an input that exists
 * but cannot be reached (a symbolic link loop, a path through a file, no permission) was reported as
 * "no such file or directory"; a damaged JPEG that yielded no finger did not say the decoder had warned.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { escapeControls, FingerliftError, humanText, printable } from '../src/errors.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-cli-msg-'));
chmodSync(tmp, 0o755); // the permission test runs the CLI as another user
function cli(args: string[], uid?: number): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], {
    encoding: 'utf8',
    cwd: tmp,
    ...(uid !== undefined ? { uid, gid: uid, env: { ...process.env, HOME: '/tmp' } } : {}),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Control characters other than the line feed that ends each line (none may reach the terminal). */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test('printable: a clean name unchanged; one with control characters quoted and escaped, JSON-style; idempotent', () => {
  assert.is(printable('/data/scans/101_1.png'), '/data/scans/101_1.png');
  assert.is(printable('C:\\scans\\a "b".png'), 'C:\\scans\\a "b".png');
  assert.is(printable('a\nb.png'), '"a\\nb.png"');
  assert.is(printable('a\r\n\tb'), '"a\\r\\n\\tb"');
  assert.is(printable('x\u001b[2Jy'), '"x\\u001b[2Jy"');
  assert.is(printable('x\u0085y\u2028z\u202ew'), '"x\\u0085y\\u2028z\\u202ew"');
  assert.is(printable('q"\\\n'), '"q\\"\\\\\\n"');
  for (const s of ['a\nb', 'x\u001b[2Jy', 'plain', 'x\u2028']) assert.is(printable(printable(s)), printable(s));
  assert.is(JSON.parse(printable('a\nb\u0007c')), 'a\nb\u0007c');
  assert.is(escapeControls('unknown option \'--x\nFAILED y\' "q"\\'), 'unknown option \'--x\\nFAILED y\' "q"\\');
  assert.is(humanText`FAILED ${'a\nb.png'}: [${'E_X'}] ${3} ${'m\r'}\n`, 'FAILED "a\\nb.png": [E_X] 3 "m\\r"\n');
});

test('FingerliftError names its input as printable shows it, once (also when an error is wrapped again)', () => {
  const e = new FingerliftError('E_DECODE', 'not an image', { input: 'a\nb.png' });
  assert.is(e.message, '"a\\nb.png": not an image');
  assert.is(e.input, 'a\nb.png');
  assert.is(new FingerliftError('E_DECODE', e.message, { input: 'a\nb.png' }).message, e.message);
  assert.is(new FingerliftError('E_DECODE', 'not an image', { input: 'ok.png' }).message, 'ok.png: not an image');
});

test('a file name with a line break cannot split or forge a line: info, extract (batch) and compare print it escaped', () => {
  const forged = 'evil\nFAILED fake.png: [E_OK] forged.png';
  writeFileSync(join(tmp, forged), 'not an image');
  const missing = 'gone\r\n.png';
  const esc = 'esc\u001b[2J.png';
  writeFileSync(join(tmp, esc), 'not an image either');
  const runs = [
    cli(['info', forged, missing, esc]),
    cli(['extract', forged, missing, esc, '-o', 'out', '-q']),
    // A probe that cannot be read ends compare before its references are read: esc is not reached.
    cli(['compare', forged, missing, esc]),
  ];
  for (const [k, r] of runs.entries()) {
    assert.is(r.code, 1, r.stderr);
    assert.not.match(r.stderr, CONTROL, JSON.stringify(r.stderr));
    // One line per failure, each naming its file escaped; the forged text stays inside its line.
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.is(lines.filter((l) => /evil/.test(l)).length, 1, r.stderr);
    assert.ok(lines.some((l) => /"(\/[^"]*\/)?evil\\nFAILED fake\.png: \[E_OK\] forged\.png"/.test(l) && /E_DECODE/.test(l)), r.stderr);
    assert.ok(lines.some((l) => l.includes('"gone\\r\\n.png"') && /E_NOT_FOUND/.test(l)), r.stderr);
    if (k < 2) assert.ok(lines.some((l) => /"(\/[^"]*\/)?esc\\u001b\[2J\.png"/.test(l)), r.stderr);
    assert.not.ok(lines.some((l) => /^\s*FAILED fake\.png/.test(l)), r.stderr);
  }
  // JSON output stays JSON (escaped by JSON itself, the raw name in "path").
  const j = cli(['info', '--json', forged]);
  const doc = JSON.parse(j.stdout) as { files: Array<{ path: string }> };
  assert.is(doc.files[0]!.path, join(tmp, forged));
  // What Commander quotes as typed (an unknown option or command) is escaped too; its suggestion keeps its line.
  const opt = cli(['info', '--x\nFAILED y', 'a.png']);
  assert.is(opt.code, 2);
  assert.match(opt.stderr, /^error: unknown option '--x\\nFAILED y'\n/);
  const cmd = cli(['inf\no']);
  assert.match(cmd.stderr, /^error: unknown command 'inf\\no'\n\(Did you mean info\?\)\n/);
  // A usage error quoting a path is one line too.
  const u = cli(['extract', forged, '-o', 'out', '--summary', 'bad\nname.txt']);
  assert.is(u.code, 2);
  assert.match(u.stderr, /^error: --summary "bad\\nname\.txt": must end in \.json or \.csv\n/);
});

test('inputs that exist but cannot be reached say why, not "no such file": link loop, path through a file, name too long', () => {
  symlinkSync('loop-b.png', join(tmp, 'loop-a.png'));
  symlinkSync('loop-a.png', join(tmp, 'loop-b.png'));
  writeFileSync(join(tmp, 'plain'), 'a file');
  const long = `${'n'.repeat(300)}.png`;
  for (const args of [['info', 'loop-a.png', 'plain/x.png', long], ['extract', 'loop-a.png', 'plain/x.png', long, '-o', 'out2', '-q']]) {
    const r = cli(args);
    assert.is(r.code, 1);
    assert.match(r.stderr, /loop-a\.png: (\[E_NOT_FOUND\] )?symbolic link loop.*\(ELOOP\)/);
    assert.match(r.stderr, /plain\/x\.png: (\[E_NOT_FOUND\] )?a part of the path is a file, not a folder \(ENOTDIR\)/);
    assert.match(r.stderr, /nnnn\.png: (\[E_NOT_FOUND\] )?name too long.*\(ENAMETOOLONG\)/);
    assert.not.match(r.stderr, /no such file/);
  }
  // The probe of compare is read directly, not expanded: the same causes.
  const c = cli(['compare', 'loop-a.png', 'plain/x.png']);
  assert.match(c.stderr, /loop-a\.png: \[E_NOT_FOUND\] cannot read image: symbolic link loop/);
});

test('an input without read permission is "permission denied (EACCES)" (as user nobody when the tests run as root)', () => {
  const dir = join(tmp, 'perm');
  mkdirSync(join(dir, 'closed'), { recursive: true });
  writeFileSync(join(dir, 'locked.png'), 'x');
  chmodSync(join(dir, 'locked.png'), 0o000);
  chmodSync(join(dir, 'closed'), 0o000);
  const root = process.getuid?.() === 0;
  const r = cli(['info', join(dir, 'locked.png'), join(dir, 'closed'), join(dir, 'closed', 'in.png')], root ? 65534 : undefined);
  chmodSync(join(dir, 'closed'), 0o755);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /locked\.png: \[E_NOT_FOUND\] cannot read image: permission denied \(EACCES\)/);
  assert.match(r.stderr, /closed: \[E_NOT_FOUND\] cannot list the folder: permission denied \(EACCES\)/);
  assert.match(r.stderr, /in\.png: \[E_NOT_FOUND\] permission denied \(EACCES\)/);
  assert.not.match(r.stderr, /no such file|holds no file/);
});

test('a damaged JPEG with no fingerprint in it: the failure says the decoder warned (enhance), a clean one does not', async () => {
  const good = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#909090' } }).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer();
  const bad = Buffer.from(good);
  for (let i = 400; i < bad.length - 2; i += 40) bad[i] = bad[i]! ^ 0xff;
  writeFileSync(join(tmp, 'flat-damaged.jpg'), bad);
  writeFileSync(join(tmp, 'flat-clean.jpg'), good);
  const r = cli(['enhance', 'flat-damaged.jpg', 'flat-clean.jpg', '--image-kind', 'print', '-o', 'out3', '-q']);
  assert.is(r.code, 1, r.stderr);
  const line = (name: string): string => r.stderr.split('\n').find((l) => l.includes(name)) ?? '';
  assert.match(line('flat-damaged.jpg'), /E_NO_FINGER .*no fingerprint region found.* \(the decoder warned: the JPEG data is damaged .* and was decoded anyway; its pixels may differ from the original capture\)$/);
  assert.match(line('flat-clean.jpg'), /E_NO_FINGER .*no fingerprint region found/);
  assert.not.match(line('flat-clean.jpg'), /decoder warned/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
