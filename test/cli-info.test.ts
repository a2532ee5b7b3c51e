/**
 * `fingerlift info` read each image from its headers only (`readImageInfo`), no longer decoding it: the
 * same fields as `loadImage` reports, fast on a huge image, and a damaged one described as far as its
 * headers go. `--decode` decodes as the other commands do (the decoder's warning needs it).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { loadImage, readImageInfo } from '../src/image/io.js';
import { repoRoot, requireData } from './helpers/data.js';
import { rejection } from './helpers/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-info-'));
const fixture = (f: string): string => join(repoRoot, 'fixtures', f);
const cli = (...a: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...a], { cwd: tmp, encoding: 'utf8' });

interface Row { path: string; format?: string; width?: number; height?: number; bitDepth?: number; channels?: number; ppi?: number | null; notes?: string[]; decoded?: boolean; error?: { code: string; message: string } }
const rows = (stdout: string): Row[] => (JSON.parse(stdout) as { files: Row[] }).files;

/** A PNG whose IHDR was edited to declare `w` x `h` (CRC fixed): its header reads, its pixels do not decode. */
function editedPng(w: number, h: number): Buffer {
  const b = Buffer.from(readFileSync(fixture('f1_1.png')));
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
  return b;
}

test('readImageInfo gives what loadImage gives, without the pixels: fixtures, 16-bit, EXIF-rotated, CMYK, alpha, real BMPs', async () => {
  const inputs: Array<[string, Uint8Array | string]> = [
    ['f1_1.png', fixture('f1_1.png')],
    ['f1_photo.jpg', fixture('f1_photo.jpg')],
    ['16-bit', await sharp(fixture('f1_1.png')).toColourspace('grey16').png().toBuffer()],
    ['rotated', await sharp(fixture('f1_photo.jpg')).withMetadata({ orientation: 6 }).jpeg().toBuffer()],
    ['cmyk', await sharp(fixture('f1_photo.jpg')).toColourspace('cmyk').jpeg().toBuffer()],
    ['alpha', await sharp(fixture('f1_1.png')).ensureAlpha(0.5).png().toBuffer()],
    ['tiff', await sharp(fixture('f1_1.png')).toColourspace('b-w').withDensity(569).tiff().toBuffer()],
  ];
  const cl = requireData('contactless-ds1', 'info on BMP');
  if (cl) inputs.push(['bmp', join(cl, '1', 'SIRE-1_1_1.bmp')]);
  const lat = requireData('latent', 'info on BMP');
  if (lat) inputs.push(['latent bmp', join(lat, 'img_files', '1.bmp')]);
  for (const [what, input] of inputs) {
    const l = await loadImage(input);
    const i = await readImageInfo(input);
    assert.equal(i.source, l.source, what);
    assert.is(i.ppi, l.ppi, what);
    assert.equal(i.notes, l.notes, what);
    assert.is(i.damage, undefined, what);
  }
  const rotated = await readImageInfo(inputs[3]![1]);
  assert.is(rotated.source.exifOrientation, 6);
});

test('info reads headers only: a JPEG with damaged entropy data is described without a decode; --decode finds the damage', async () => {
  const jpg = Buffer.from(await sharp(fixture('f1_photo.jpg')).jpeg({ quality: 90 }).toBuffer());
  for (let i = Math.floor(jpg.length * 0.5); i < jpg.length - 2; i += 97) jpg[i] = jpg[i]! ^ 0xff;
  const path = join(tmp, 'damaged.jpg');
  writeFileSync(path, jpg);
  assert.ok((await loadImage(path)).notes.some((n) => n.startsWith('decoder warning')), 'the decoder warns of this file');
  const r = cli('info', '--json', path);
  assert.is(r.status, 0, r.stderr);
  const [row] = rows(r.stdout);
  assert.is(row!.decoded, false);
  assert.is(row!.format, 'jpeg');
  assert.not.ok(row!.notes!.some((n) => n.startsWith('decoder warning')), 'a header read cannot see it');
  assert.not.match(r.stderr, /decoder warn/);
  const d = cli('info', '--json', '--decode', path);
  assert.is(d.status, 0, d.stderr);
  const [drow] = rows(d.stdout);
  assert.is(drow!.decoded, true);
  assert.ok(drow!.notes!.some((n) => n.startsWith('decoder warning')), JSON.stringify(drow));
  assert.match(d.stderr, /^warning: .*damaged\.jpg: decoder warning/m);
});

test('info on an image whose header declares more than its data holds: the header is reported (exit 0); --decode refuses it (E_DECODE, exit 1)', () => {
  const path = join(tmp, 'edited.png');
  writeFileSync(path, editedPng(3000, 2500));
  const r = cli('info', '--json', path);
  assert.is(r.status, 0, r.stderr);
  const [row] = rows(r.stdout);
  assert.equal([row!.format, row!.width, row!.height, row!.bitDepth, row!.channels, row!.ppi], ['png', 3000, 2500, 8, 1, 500]);
  const d = cli('info', '--json', '--decode', path);
  assert.is(d.status, 1);
  assert.is(rows(d.stdout)[0]!.error?.code, 'E_DECODE');
});

test('a structurally damaged image (a TIFF strip past the end of the file): info says what its headers say, and fails it E_DECODE', async () => {
  const tif = Buffer.from(await sharp(fixture('f1_1.png')).toColourspace('b-w').tiff({ compression: 'none' }).toBuffer());
  const ifd = tif.readUInt32LE(4);
  const n = tif.readUInt16LE(ifd);
  // StripByteCounts (LONG) of the last strip, grown past the end of the file.
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + 12 * i;
    if (tif.readUInt16LE(e) !== 279) continue;
    const count = tif.readUInt32LE(e + 4);
    tif.writeUInt32LE(tif.length * 4, count === 1 ? e + 8 : tif.readUInt32LE(e + 8) + 4 * (count - 1));
  }
  const path = join(tmp, 'cut.tif');
  writeFileSync(path, tif);
  assert.match((await readImageInfo(path)).damage ?? '', /^truncated TIFF: strip (\d+) of \1 runs to byte/);
  assert.is((await rejection(loadImage(path))).code, 'E_DECODE');
  const r = cli('info', '--json', path);
  assert.is(r.status, 1);
  const doc = JSON.parse(r.stdout) as { files: Row[]; failed: number };
  assert.is(doc.failed, 1);
  const row = doc.files[0]!;
  assert.equal([row.format, row.width, row.height, row.error?.code], ['tiff', 320, 400, 'E_DECODE']);
  assert.match(row.error!.message, /truncated TIFF: strip \d+ of \d+ runs to byte/);
  const h = cli('info', path);
  assert.match(h.stdout, /\ttiff\t320x400\t8-bit\t1 ch\t/);
  assert.match(h.stderr, /info: 0 done, 1 failed/);
  assert.match(h.stderr, /FAILED .*cut\.tif: \[E_DECODE\] truncated TIFF/);
});

test('info on a huge image costs no decode: 12000 x 12000 (144 MP) over the default limit is refused from the header, within the limit described in CPU time far below a decode', async () => {
  const path = join(tmp, 'huge.png');
  await sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#808080' } }).png({ compressionLevel: 1 }).toFile(path);
  const over = cli('info', path);
  assert.is(over.status, 1);
  assert.match(over.stderr, /E_TOO_LARGE\] image is 12000 x 12000 = 144\.0 megapixels, over the limit of 100\.0 megapixels/);
  // CPU time of this process: the header read against a full decode (the decode takes over 0.3 s of CPU).
  const cpu = async (f: () => Promise<unknown>): Promise<number> => {
    const t = process.cpuUsage();
    await f();
    const d = process.cpuUsage(t);
    return (d.user + d.system) / 1000;
  };
  const info = await cpu(() => readImageInfo(path, { maxPixels: 2e8 }));
  const load = await cpu(() => loadImage(path, { maxPixels: 2e8 }));
  assert.ok(info * 10 < load, `header read ${info} ms CPU, decode ${load} ms`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
