import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/data.js';
import { loadImage } from '../src/image/io.js';
import { looksLikeContactPrint } from '../src/tasks/lift.js';
import type { GrayImage } from '../src/image/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-liftkind-'));
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('lift refuses a contact print (it would invert and mirror it as a camera photo) and points to extract; --image-kind photo lifts it anyway', () => {
  const print = join(repoRoot, 'fixtures', 'f1_1.png');
  const photo = join(repoRoot, 'fixtures', 'f1_photo.jpg');
  const r = cli('lift', print, photo, '-o', join(tmp, 'a'));
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /f1_1\.png.*E_INVALID_ARGUMENT|E_INVALID_ARGUMENT.*f1_1\.png/);
  assert.match(r.stderr, /contact print, not a camera photo/);
  assert.match(r.stderr, /fingerlift extract/);
  assert.ok(!existsSync(join(tmp, 'a', 'f1_1.f1.json')), 'the refused print left a template');
  assert.ok(existsSync(join(tmp, 'a', 'f1_photo.f1.json')), 'the photo beside it was not lifted');
  const forced = cli('lift', print, '-o', join(tmp, 'b'), '--image-kind', 'photo');
  assert.is(forced.code, 0, forced.stderr);
  assert.ok(existsSync(join(tmp, 'b', 'f1_1.f1.json')));
  assert.is(cli('lift', print, '-o', join(tmp, 'c'), '--image-kind', 'print').code, 2);
});

test('looksLikeContactPrint: a grey print on a light background is recognised with or without declared resolution; a colour photo never, a grey frame on a dark background never', async () => {
  const l = await loadImage(join(repoRoot, 'fixtures', 'f2_1.png'));
  const grey = l.image as GrayImage;
  assert.match(looksLikeContactPrint(grey, undefined) ?? '', /light background/);
  assert.match(looksLikeContactPrint(grey, 500) ?? '', /declares 500 ppi/);
  const p = await loadImage(join(repoRoot, 'fixtures', 'f1_photo.jpg'));
  assert.is(looksLikeContactPrint(p.image, 500), undefined);
  // The same print, inverted: a bright finger on a dark background, as a grey lab camera sees it.
  const dark = { ...grey, data: grey.data.map((v) => 1 - v) };
  assert.is(looksLikeContactPrint(dark, undefined), undefined);
});

test('a trail whose recorded imageKind was edited to a value the command does not take does not verify', () => {
  const print = join(repoRoot, 'fixtures', 'f1_1.png');
  assert.is(cli('enhance', print, '-o', join(tmp, 'v'), '-q').code, 0);
  const trail = join(tmp, 'v', 'f1_1.trail.json');
  assert.is(cli('verify', trail).code, 0);
  const t = JSON.parse(readFileSync(trail, 'utf8'));
  t.command.options.imageKind = 'photo';
  writeFileSync(trail, JSON.stringify(t));
  const r = cli('verify', trail);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /imageKind is "photo"/);
});

test('extract into the folder of an enhance run of the same input names that run and the way out', () => {
  const print = join(repoRoot, 'fixtures', 'f1_1.png');
  assert.is(cli('enhance', print, '-o', join(tmp, 'same'), '-q').code, 0);
  const r = cli('extract', print, '-o', join(tmp, 'same'));
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /E_EXISTS/);
  assert.match(r.stderr, /from the `enhance` run of that input: give this command another -o folder/);
  assert.ok(existsSync(join(tmp, 'same', 'f1_1.enhanced.png')), 'the enhance output was touched');
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
