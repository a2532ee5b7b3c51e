/**
 * A TIFF whose first page (IFD) is a reduced-resolution image (a thumbnail or preview: TIFF 6.0
 * NewSubfileType, tag 254, bit 0 set) was read as the print. The first page that is not one is read, with
 * a note naming it and why; when every page is one, page 1 with a warning. The test TIFFs are written by
 * hand (uncompressed 8-bit grey, one strip a page), no binary test file.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImage, readImageHeader, readImageInfo, tiffPageToRead } from '../src/image/io.js';
import { tiffDamage, tiffPages } from '../src/image/tiff.js';
import { runPrintJob } from '../src/tasks/print.js';
import { repoRoot } from './helpers/data.js';
import { rejection } from './helpers/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-tiff-pages-'));
const cli = (...a: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...a], { cwd: tmp, encoding: 'utf8' });

interface Page {
  width: number;
  height: number;
  data: Uint8Array;
  /** Tag 254 (LONG), written when given. */
  newSubfileType?: number;
  /** Tag 255 (SHORT), written when given. */
  subfileType?: number;
  ppi: number;
}

/** Offsets of each page's directory and of its StripByteCounts value, for patching. */
interface Written {
  bytes: Buffer;
  ifds: number[];
  stripCountAt: number[];
}

/** A classic little-endian TIFF of uncompressed 8-bit grey pages, one strip each, written by hand (TIFF 6.0 sections 2, 8). */
function tiffOfPages(pages: Page[]): Written {
  const blocks: Buffer[] = [];
  const ifds: number[] = [];
  const stripCountAt: number[] = [];
  let at = 8;
  for (const p of pages) {
    const entries: Array<[number, number, number]> = []; // tag, type (3 SHORT, 4 LONG, 5 RATIONAL), value
    if (p.newSubfileType !== undefined) entries.push([254, 4, p.newSubfileType]);
    if (p.subfileType !== undefined) entries.push([255, 3, p.subfileType]);
    const dataAt = at;
    const resAt = dataAt + p.data.length;
    const ifdAt = resAt + 8;
    entries.push([256, 4, p.width], [257, 4, p.height], [258, 3, 8], [259, 3, 1], [262, 3, 1], [273, 4, dataAt], [277, 3, 1], [278, 4, p.height], [279, 4, p.data.length], [282, 5, resAt], [296, 3, 2]);
    const res = Buffer.alloc(8);
    res.writeUInt32LE(p.ppi, 0);
    res.writeUInt32LE(1, 4);
    const ifd = Buffer.alloc(2 + 12 * entries.length + 4);
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, value], i) => {
      const e = 2 + 12 * i;
      ifd.writeUInt16LE(tag, e);
      ifd.writeUInt16LE(type, e + 2);
      ifd.writeUInt32LE(1, e + 4);
      if (type === 3) ifd.writeUInt16LE(value, e + 8);
      else ifd.writeUInt32LE(value, e + 8);
      if (tag === 279) stripCountAt.push(ifdAt + e + 8);
    });
    ifds.push(ifdAt);
    blocks.push(Buffer.from(p.data), res, ifd);
    at = ifdAt + ifd.length;
  }
  const header = Buffer.from([0x49, 0x49, 42, 0, 0, 0, 0, 0]);
  header.writeUInt32LE(ifds[0]!, 4);
  const bytes = Buffer.concat([header, ...blocks]);
  ifds.forEach((o, i) => {
    const n = bytes.readUInt16LE(o);
    bytes.writeUInt32LE(ifds[i + 1] ?? 0, o + 2 + 12 * n);
  });
  return { bytes, ifds, stripCountAt };
}

const printRaw = await sharp(join(repoRoot, 'fixtures', 'f1_1.png')).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
const print: Page = { width: printRaw.info.width, height: printRaw.info.height, data: printRaw.data, ppi: 500 };
const thumbRaw = await sharp(printRaw.data, { raw: { width: print.width, height: print.height, channels: 1 } }).resize(80, 100).toColourspace('b-w').raw().toBuffer();
const thumb: Page = { width: 80, height: 100, data: thumbRaw, newSubfileType: 1, ppi: 125 };

const samePixels = (data: Float32Array, raw: Uint8Array): boolean => data.length === raw.length && data.every((v, i) => Math.round(v * 255) === raw[i]);

test('a reduced-resolution first page (NewSubfileType bit 0) is passed over: the print on page 2 is read, with a note', async () => {
  const { bytes } = tiffOfPages([thumb, print]);
  assert.equal(tiffPages(bytes).map((p) => [p.width, p.height, p.reduced]), [[80, 100, true], [print.width, print.height, false]]);
  // libvips itself reads page 1, the thumbnail, unless told otherwise.
  assert.is((await sharp(bytes).metadata()).width, 80);
  const l = await loadImage(bytes, { name: 'thumb-first.tif' });
  assert.is(l.image.width, print.width);
  assert.is(l.image.height, print.height);
  assert.ok(samePixels(l.image.data, print.data), 'the pixels of page 2');
  assert.is(l.ppi, 500, "page 2's resolution, not the thumbnail's 125");
  const note = `TIFF page 2 read (${print.width} x ${print.height}): page 1 before it is a reduced-resolution image (80 x 100, NewSubfileType bit 0 set: a thumbnail or preview, not the print)`;
  assert.ok(l.notes.includes(note), l.notes.join('; '));
  assert.ok(l.notes.includes('TIFF holds 2 pages; page 2 read (the others are not examined)'), l.notes.join('; '));
  // The header read that refuses large prints before a decode sees the same page.
  const h = await readImageHeader(bytes);
  assert.equal([h?.width, h?.height, h?.ppi], [print.width, print.height, 500]);
  const info = await readImageInfo(bytes);
  assert.equal([info.source.width, info.source.height, info.ppi], [print.width, print.height, 500]);
  assert.ok(info.notes.includes(note), info.notes.join('; '));
  // The older SubfileType (tag 255) value 2 says the same.
  const old = tiffOfPages([{ ...thumb, newSubfileType: undefined, subfileType: 2 }, print]).bytes;
  assert.is((await loadImage(old)).image.width, print.width);
  // Two thumbnails before the print.
  const two = tiffOfPages([thumb, { ...thumb, width: 40, height: 50, data: thumbRaw.subarray(0, 2000) }, print]).bytes;
  const l2 = await loadImage(two, { minSide: 16 });
  assert.is(l2.image.width, print.width);
  assert.ok(l2.notes.some((n) => n.startsWith(`TIFF page 3 read (${print.width} x ${print.height}): pages 1-2 before it are reduced-resolution images (80 x 100, 40 x 50;`)), l2.notes.join('; '));
});

test('every page reduced-resolution: page 1 is read with a warning; a plain TIFF, and a pyramid whose full-resolution page comes first, have no such note', async () => {
  const { bytes } = tiffOfPages([{ ...print, newSubfileType: 1 }, thumb]);
  const l = await loadImage(bytes);
  assert.is(l.image.width, print.width);
  assert.ok(l.notes.includes(`warning: every page of the TIFF (2) is marked as a reduced-resolution image (NewSubfileType bit 0 set: a thumbnail or preview, not the print); page 1 (${print.width} x ${print.height}) read, which may not be the full-resolution print`), l.notes.join('; '));
  const plain = await loadImage(tiffOfPages([print]).bytes);
  assert.not.ok(plain.notes.some((n) => /TIFF page|reduced-resolution/.test(n)), plain.notes.join('; '));
  const pyramid = await sharp(print.data, { raw: { width: print.width, height: print.height, channels: 1 } }).toColourspace('b-w').tiff({ pyramid: true, tile: true, tileWidth: 64, tileHeight: 64 }).toBuffer();
  const pages = tiffPages(pyramid);
  assert.ok(pages.length > 1 && !pages[0]!.reduced && pages.slice(1).every((p) => p.reduced), JSON.stringify(pages));
  assert.equal(tiffPageToRead(pyramid), { page: 0 });
  const p = await loadImage(pyramid);
  assert.is(p.image.width, print.width);
  assert.not.ok(p.notes.some((n) => /TIFF page|reduced-resolution/.test(n)), p.notes.join('; '));
});

test('damage is checked on the page read: a cut-off strip of page 2 is E_DECODE naming page 2; a cut-off thumbnail is not read', async () => {
  const w = tiffOfPages([thumb, print]);
  const bad = Buffer.from(w.bytes);
  bad.writeUInt32LE(print.data.length + 10_000_000, w.stripCountAt[1]!);
  assert.match(tiffDamage(bad, 1) ?? '', /^truncated TIFF: strip 1 of 1 runs to byte \d+ but the file has \d+ bytes/);
  const e = await rejection(loadImage(bad, { name: 'bad-page2.tif' }));
  assert.is(e.code, 'E_DECODE');
  assert.match(e.message, /^bad-page2\.tif: truncated TIFF: strip 1 of 1/);
  // The thumbnail's strip cut off: not the page read, so the print loads.
  const badThumb = Buffer.from(w.bytes);
  badThumb.writeUInt32LE(thumb.data.length + 10_000_000, w.stripCountAt[0]!);
  assert.is((await loadImage(badThumb)).image.width, print.width);
});

test('CLI: info and extract read page 2 and say so', async () => {
  const path = join(tmp, 'thumb-first.tif');
  writeFileSync(path, tiffOfPages([thumb, print]).bytes);
  const r = cli('info', '--json', path);
  assert.is(r.status, 0, r.stderr);
  const row = (JSON.parse(r.stdout) as { files: Array<{ width: number; height: number; ppi: number }> }).files[0]!;
  assert.equal([row.width, row.height, row.ppi], [print.width, print.height, 500]);
  assert.match(r.stderr, /^note: .*thumb-first\.tif: TIFF page 2 read \(320 x 400\): page 1 before it is a reduced-resolution image/m);
  const out = await runPrintJob('extract', path, 'thumb-first', {});
  const load = out.trail.toJSON().steps.find((s) => s.name === 'load');
  assert.ok(load?.notes?.some((n) => n.startsWith('TIFF page 2 read')), JSON.stringify(load?.notes));
  assert.is(out.fields.ppi, 500);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
