/**
 * Damaged image files from a user trial, each built here from a small synthetic image encoded with
 * sharp and then edited or cut: a TIFF whose header declares more than its strips or tiles hold (libtiff
 * decoded the missing part as black, silently), headers claiming huge sizes in small files (decoded for
 * 31 s and 17.7 GB), decoder warnings that went missing from notes when decodes ran in parallel, and
 * decoder messages spread over several lines or repeated.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Piscina } from 'piscina';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp, { type TiffOptions } from 'sharp';
import { decoderMessage, decoderWarningOf, loadImage, withDecoderWarning } from '../src/image/io.js';
import { runPrintJob } from '../src/tasks/print.js';
import { runLiftJob } from '../src/tasks/lift.js';
import { loadComparable } from '../src/tasks/compare.js';
import { tiffDamage } from '../src/image/tiff.js';
import { pngDamage } from '../src/image/png.js';
import { jpegDamage } from '../src/image/jpeg.js';
import { FingerliftError } from '../src/errors.js';
import { workerExecArgv } from '../src/workers.js';
import { errorCode, rejection } from './helpers/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-damage-'));
const W = 388, H = 374;

/** A 388 x 374 8-bit grey ridge-like pattern (dark ridges on light), encoded by sharp as TIFF with `opts`. */
async function greyTiff(opts: TiffOptions): Promise<Buffer> {
  const px = Buffer.alloc(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px[y * W + x] = Math.round(170 + 60 * Math.sin((x + 0.5 * y) / 3));
  return sharp(px, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').tiff(opts).toBuffer();
}

/** Copy of a little-endian classic TIFF with the inline SHORT or LONG value of IFD0 tag `tag` set to `value`. */
function setTag(tif: Buffer, tag: number, value: number): Buffer {
  const b = Buffer.from(tif);
  assert.is(b.readUInt16LE(0), 0x4949, 'little-endian TIFF');
  const ifd = b.readUInt32LE(4);
  for (let i = 0; i < b.readUInt16LE(ifd); i++) {
    const e = ifd + 2 + 12 * i;
    if (b.readUInt16LE(e) !== tag) continue;
    if (b.readUInt16LE(e + 2) === 3) b.writeUInt16LE(value, e + 8);
    else b.writeUInt32LE(value, e + 8);
    return b;
  }
  throw new Error(`tag ${tag} not in IFD0`);
}

async function decodeError(input: string | Uint8Array, options = {}): Promise<FingerliftError> {
  try {
    await loadImage(input, options);
  } catch (e) {
    assert.instance(e, FingerliftError);
    return e as FingerliftError;
  }
  throw new assert.Assertion({ message: `${String(typeof input === 'string' ? input : 'bytes')} loaded, expected an error`, operator: 'throws', expects: 'an error', actual: 'loaded' });
}

test('a grey TIFF whose ImageLength was doubled (374 -> 748) is E_DECODE naming the file and both row counts', async () => {
  const tif = await greyTiff({ compression: 'none' });
  const ok = await loadImage(tif);
  assert.equal([ok.image.width, ok.image.height, ok.source.channels], [W, H, 1]);
  assert.is(tiffDamage(tif), undefined);
  const f = join(tmp, 'half-missing.tif');
  writeFileSync(f, setTag(tif, 257, 2 * H));
  const e = await decodeError(f);
  assert.is(e.code, 'E_DECODE');
  assert.match(e.message, `${f}: damaged TIFF: the header declares 748 rows but its strips hold 374 (the file may have been truncated or edited)`);
  // RowsPerStrip edited to cover the whole image in one strip while two are listed: their bytes hold 374 rows.
  const one = await greyTiff({ compression: 'none' });
  const single = setTag(setTag(one, 278, 0xffff), 257, 2 * H); // RowsPerStrip 65535 >= ImageLength: one strip expected...
  assert.match(tiffDamage(single) ?? 'accepted', /declares 748 rows but its strips hold/); // ...but 2 listed
});

test('a tiled TIFF with ImageLength doubled, and a compressed one, are refused from their tile or strip count', async () => {
  const tiled = await greyTiff({ compression: 'none', tile: true, tileWidth: 64, tileHeight: 64 });
  assert.is((await loadImage(tiled)).image.height, H);
  const e = await decodeError(setTag(tiled, 257, 2 * H), { name: 'tiled.tif' });
  assert.is(e.code, 'E_DECODE');
  assert.match(e.message, /^tiled\.tif: damaged TIFF: the header declares 388 x 748 pixels, which needs 84 tiles of 64 x 64, but it lists 42/);
  const lzw = await greyTiff({ compression: 'lzw' });
  assert.is((await loadImage(lzw)).image.height, H);
  assert.match((await decodeError(setTag(lzw, 257, 2 * H), { name: 'lzw.tif' })).message, /declares 748 rows but its strips hold 512/);
});

test('small TIFFs claiming 9000 x 11000 or 60000 x 60000 pixels are refused before decoding', async () => {
  const tif = await greyTiff({ compression: 'none' });
  const big = setTag(setTag(tif, 256, 9000), 257, 11000);
  assert.ok(big.length < 150_000);
  const e = await decodeError(big, { name: 'big.tif' });
  assert.is(e.code, 'E_DECODE');
  assert.match(e.message, /damaged TIFF: the header declares 11000 rows but its strips hold 16 /);
  // Deflate, one strip (the strip count agrees with any height): refused by Deflate's 1032:1 bound.
  const deflate = await greyTiff({ compression: 'deflate' });
  const huge = setTag(setTag(setTag(deflate, 278, 60000), 256, 60000), 257, 60000);
  const oneStrip = Buffer.from(huge);
  // Make the strip count agree (one strip): keep the first of the two strip offsets and counts.
  const ifd = oneStrip.readUInt32LE(4);
  for (let i = 0; i < oneStrip.readUInt16LE(ifd); i++) {
    const en = ifd + 2 + 12 * i;
    const tag = oneStrip.readUInt16LE(en);
    if (tag === 273 || tag === 279) {
      const at = oneStrip.readUInt32LE(en + 8);
      oneStrip.writeUInt32LE(1, en + 4);
      oneStrip.writeUInt32LE(oneStrip.readUInt32LE(at), en + 8);
    }
  }
  const t0 = process.cpuUsage();
  const e2 = await decodeError(oneStrip, { name: 'huge.tif', maxPixels: 4e9 });
  const cpu = process.cpuUsage(t0);
  assert.is(e2.code, 'E_DECODE');
  assert.match(e2.message, /^huge\.tif: damaged TIFF: the header declares 60000 x 60000 pixels \(3600000000 bytes\) but its \d+ bytes of Deflate data can hold at most \d+ /);
  assert.ok(cpu.user + cpu.system < 2e6, `refused in ${(cpu.user + cpu.system) / 1000} ms of CPU, not after decoding`);
});

test('a PNG whose header claims far more pixels than its compressed data can hold is E_DECODE before decoding', async () => {
  const png = await sharp({ create: { width: 200, height: 150, channels: 3, background: '#808080' } }).png().toBuffer();
  assert.is(pngDamage(png), undefined);
  const edited = Buffer.from(png);
  edited.writeUInt32BE(60000, 16);
  edited.writeUInt32BE(60000, 20);
  edited.writeUInt32BE(crc32(edited.subarray(12, 29)) >>> 0, 29); // IHDR's CRC made right again
  const t0 = process.cpuUsage();
  const e = await decodeError(edited, { name: 'huge.png', maxPixels: 4e9 });
  const cpu = process.cpuUsage(t0);
  assert.is(e.code, 'E_DECODE');
  assert.match(e.message, /^huge\.png: damaged PNG: the header declares 60000 x 60000 pixels \(10800060000 bytes of scanlines\) but its \d+ bytes of compressed data can hold at most \d+ /);
  assert.ok(cpu.user + cpu.system < 2e6, `refused in ${(cpu.user + cpu.system) / 1000} ms of CPU, not after decoding`);
  assert.match(pngDamage(edited) ?? 'accepted', /^damaged PNG: the header declares 60000 x 60000 pixels \(10800060000 bytes of scanlines\)/);
});

/** Copy of a JPEG with its SOF0 frame's height and width set (bytes 5-8 of the SOF segment). */
function setJpegSize(jpg: Buffer, w: number, h: number): Buffer {
  const b = Buffer.from(jpg);
  for (let off = 2; off + 4 <= b.length; ) {
    const marker = b[off + 1]!;
    if (marker === 0xc0) {
      b.writeUInt16BE(h, off + 5);
      b.writeUInt16BE(w, off + 7);
      return b;
    }
    off += 2 + b.readUInt16BE(off + 2);
  }
  throw new Error('no SOF0 in the test JPEG');
}

test('a baseline JPEG whose frame header claims far more blocks than its bytes can code is E_DECODE before decoding', async () => {
  const px = Buffer.alloc(64 * 64, 128);
  const jpg = await sharp(px, { raw: { width: 64, height: 64, channels: 1 } }).jpeg({ quality: 90 }).toBuffer();
  assert.is(jpegDamage(jpg), undefined, 'an intact JPEG flagged');
  const huge = setJpegSize(jpg, 9000, 9000);
  const msg = jpegDamage(huge);
  assert.ok(msg && /damaged JPEG: the frame header declares 9000 x 9000 pixels/.test(msg), msg);
  const f = join(tmp, 'huge-header.jpg');
  writeFileSync(f, huge);
  const cpu0 = process.cpuUsage();
  assert.is(await errorCode(loadImage(f, { maxPixels: 4e9 })), 'E_DECODE');
  const cpu = process.cpuUsage(cpu0);
  assert.ok(cpu.user + cpu.system < 2e6, 'the header check should refuse it before decoding');
  // A large flat JPEG (the most compressible image there is) is within the bound; a progressive one is not checked.
  const flat = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#808080' } }).jpeg().toBuffer();
  assert.is(jpegDamage(flat), undefined);
  const prog = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).jpeg({ progressive: true }).toBuffer();
  assert.is(jpegDamage(prog), undefined);
});

test('messages: a cut-off TIFF says "truncated" once; decoder messages are one line, repeated lines kept once', async () => {
  const tif = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#884422' } }).tiff({ compression: 'none' }).toBuffer();
  const e = await decodeError(tif.subarray(0, 3000), { name: 'trunc.tif' });
  assert.is(e.code, 'E_DECODE');
  assert.is(e.message.match(/truncat/g)?.length, 1, e.message);
  assert.match(e.message, /^trunc\.tif: truncated TIFF: /);
  assert.is(decoderMessage(new Error('VipsJpeg: Corrupt JPEG data: bad Huffman code\nVipsJpeg: Corrupt JPEG data: bad Huffman code\n  VipsJpeg:   Premature end of input file\n')),
    'VipsJpeg: Corrupt JPEG data: bad Huffman code; VipsJpeg: Premature end of input file');
  const jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#884422' } }).jpeg().toBuffer();
  for (const cut of [0.3, 0.5, 0.8]) {
    const m = (await decodeError(jpeg.subarray(0, Math.floor(jpeg.length * cut)), { name: 'cut.jpg' })).message;
    assert.not.match(m, /[\r\n]/, m);
    const parts = m.split('; ');
    assert.is(new Set(parts).size, parts.length, m);
  }
});

/** A JPEG and a copy with flipped bytes in its entropy-coded data (libjpeg warns and decodes on). */
async function damagedJpeg(): Promise<{ good: Buffer; bad: Buffer }> {
  const good = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#a0705a' } }).composite([{ input: Buffer.from('<svg width="300" height="200"><circle cx="150" cy="100" r="60" fill="#402010"/></svg>') }]).jpeg({ quality: 90 }).toBuffer();
  const bad = Buffer.from(good);
  for (let i = 700; i < bad.length - 2; i += 50) bad[i] = bad[i]! ^ 0xff;
  return { good, bad };
}

const WARNING = /^decoder warning \(the file may be damaged; pixels may differ from the original capture\): the JPEG decoder \(libvips\) warned/;

test('the decoder warning of a damaged JPEG is in its notes on every load, however many decode at once (one thread)', async () => {
  const { good, bad } = await damagedJpeg();
  const png = await sharp(good).png().toBuffer();
  const inputs = [bad, good, png];
  const loads: Promise<{ i: number; notes: string[] }>[] = [];
  for (let r = 0; r < 8; r++) inputs.forEach((b, i) => loads.push(loadImage(b).then((l) => ({ i, notes: l.notes.filter((n) => n.startsWith('decoder warning')) }))));
  const got = await Promise.all(loads);
  const first = got.find((g) => g.i === 0)!.notes;
  assert.is(first.length, 1, first.join('; '));
  assert.match(first[0]!, WARNING);
  for (const g of got) assert.equal(g.notes, g.i === 0 ? first : [], `input ${g.i}`);
  // Same pixels as the lenient decode always gave.
  const l = await loadImage(bad);
  const ref = await sharp(bad, { failOn: 'truncated' }).raw().toBuffer();
  assert.is(l.image.data.length, ref.length);
  assert.ok(l.image.data.every((v, k) => Math.round(v * 255) === ref[k]), 'pixels');
});

test('the decoder warning of a damaged JPEG is in its notes on every load in two worker threads at once', async () => {
  const { good, bad } = await damagedJpeg();
  const url = new URL('./helpers/load-image-worker.ts', import.meta.url).href;
  // Two threads, as a batch with -j 2 runs (src/batch/run.ts), plus loads in this thread at the same time.
  const pool = new Piscina({ filename: url, minThreads: 2, maxThreads: 2, execArgv: workerExecArgv(url) });
  const task = { inputs: [bad, good], rounds: 6 };
  let results: string[][][];
  try {
    results = await Promise.all([pool.run(task) as Promise<string[][]>, pool.run(task) as Promise<string[][]>, loadImage(bad).then((l) => [l.notes.filter((n) => n.startsWith('decoder warning'))])]);
  } finally {
    await pool.destroy();
  }
  const all = results.flat();
  const expected = all[0]!;
  assert.is(expected.length, 1);
  assert.match(expected[0]!, WARNING);
  for (const [t, notes] of results.entries())
    notes.forEach((n, k) => assert.equal(n, t === 2 || k % 2 === 0 ? expected : [], `thread ${t}, load ${k}`));
});

/** A flat grey 300 x 300 JPEG (no fingerprint in it) and a copy with flipped bytes in its entropy-coded data. */
async function damagedFlatJpeg(): Promise<{ good: Buffer; bad: Buffer }> {
  const good = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#909090' } }).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer();
  const bad = Buffer.from(good);
  for (let i = 400; i < bad.length - 2; i += 40) bad[i] = bad[i]! ^ 0xff;
  return { good, bad };
}

const WARNED = / \(the decoder warned: the JPEG data is damaged \(such as corrupt entropy-coded data or a bad chunk\) and was decoded anyway; its pixels may differ from the original capture\)$/;

test('errors raised for an image the decoder warned about say so (enhance, extract, lift, compare); a clean image\'s do not', async () => {
  const { good, bad } = await damagedFlatJpeg();
  const badPath = join(tmp, 'flat-damaged.jpg');
  const goodPath = join(tmp, 'flat-clean.jpg');
  writeFileSync(badPath, bad);
  writeFileSync(goodPath, good);
  assert.ok(decoderWarningOf(await loadImage(badPath)) !== undefined, 'the damaged file is decoded with a warning');
  assert.is(decoderWarningOf(await loadImage(goodPath)), undefined);
  const runs: Array<[string, (path: string) => Promise<unknown>, string, RegExp]> = [
    ['enhance', (p) => runPrintJob('enhance', p, 'x', { imageKind: 'print' }), 'E_NO_FINGER', /no fingerprint region found/],
    ['extract', (p) => runPrintJob('extract', p, 'x', { imageKind: 'print' }), 'E_NO_FINGER', /no fingerprint region found/],
    ['lift', (p) => runLiftJob(p, 'x', {}), 'E_INVALID_ARGUMENT', /a contact print, not a camera photo/],
    ['compare', (p) => loadComparable(p, { imageKind: 'print' }), 'E_TOO_FEW_MINUTIAE', /no minutiae found in the print/],
  ];
  for (const [what, run, code, says] of runs) {
    const warned = await rejection(run(badPath));
    assert.is(warned.code, code, what);
    assert.match(warned.message, says, what);
    assert.match(warned.message, WARNED, `${what}: ${warned.message}`);
    assert.is(warned.input, badPath);
    assert.ok(warned.message.startsWith(`${badPath}: `) && warned.message.indexOf(badPath, 1) === -1, `${what}: the path once: ${warned.message}`);
    const clean = await rejection(run(goodPath));
    assert.is(clean.code, code, what);
    assert.not.match(clean.message, /decoder warned/, what);
  }
  // Only FingerliftErrors about the image: an output's error, a bug's error, or one already saying it are left as they are.
  const loaded = await loadImage(badPath);
  const write = new FingerliftError('E_WRITE', 'cannot write', { input: 'out.png' });
  assert.is(withDecoderWarning(write, loaded), write);
  const bug = new TypeError('x is undefined');
  assert.is(withDecoderWarning(bug, loaded), bug);
  const once = withDecoderWarning(new FingerliftError('E_NO_FINGER', 'no fingertip found', { input: 'a.jpg' }), loaded) as FingerliftError;
  assert.is(withDecoderWarning(once, loaded), once);
  assert.is(once.code, 'E_NO_FINGER');
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
