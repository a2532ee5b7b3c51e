/**
 * Damaged-file messages from a fresh user's trial (trial 4, 2026-12-06), each file built here: a BMP with
 * an impossible colour count was called "truncated compressed data"; a far pixel offset was said as a size;
 * an undefined BMP compression was accepted; a JPEG whose EOI was overwritten with zeros was called
 * truncated; a PNG pHYs of the wrong length, after IDAT or repeated was ignored or taken silently; a TIFF
 * of 72 ppi across and 500 down had contradicting notes; a TIFF transparency mask page was read as the print.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import sharp from 'sharp';
import { ANISOTROPIC_NOTE, NO_EOI_NOTE, PHYS_NOTE, encodeImage, loadImage, readImageInfo } from '../src/image/io.js';
import { tiffPages } from '../src/image/tiff.js';
import { toGray } from '../src/image/ops.js';
import { rejection } from './helpers/errors.js';
import { bmp24 } from './helpers/bmp.js';
import { pngChunk as chunk, pngChunks as chunks } from './helpers/png.js';
import { repoRoot } from './helpers/data.js';
import { join } from 'node:path';

const fixture = (f: string): string => join(repoRoot, 'fixtures', f);


test('BMP: biClrUsed too large, a pixel offset past the end, an undefined biCompression: each named', async () => {
  assert.is((await loadImage(bmp24())).image.width, 40);
  const used = bmp24();
  used.writeUInt32LE(100000, 46);
  const e1 = await rejection(loadImage(used, { name: 'u.bmp' }));
  assert.is(e1.code, 'E_DECODE');
  assert.match(e1.message, /invalid BMP header: biClrUsed is 100000 \(a colour table of 100000 entries would end at byte 400054, past the pixel data at byte 54 \(bfOffBits\)\)/);
  assert.not.match(e1.message, /compressed/);
  // An 8-bit palette BMP holds at most 256 colours.
  const pal = bmp24();
  pal.writeUInt16LE(8, 28);
  pal.writeUInt32LE(300, 46);
  assert.match((await rejection(loadImage(pal, { name: 'p.bmp' }))).message, /invalid BMP header: biClrUsed is 300 \(a 8-bit BMP's colour table holds at most 256 entries\)/);
  const far = bmp24();
  far.writeUInt32LE(10_000_000, 10);
  const e2 = await rejection(loadImage(far, { name: 'f.bmp' }));
  assert.match(e2.message, /truncated BMP: its pixel data starts at byte 10000000 \(bfOffBits\), past the end of the 4854-byte file/);
  const cut = bmp24().subarray(0, 3000);
  assert.match((await rejection(loadImage(cut, { name: 'c.bmp' }))).message, /truncated BMP: its 4800 bytes of pixel data \(40 rows of 120 bytes\) start at byte 54 \(bfOffBits\) and would end at byte 4854, past the end of the 3000-byte file/);
  assert.match((await readImageInfo(cut, { name: 'c.bmp' })).damage ?? '', /would end at byte 4854/);
  const comp = bmp24();
  comp.writeUInt32LE(9, 30);
  const e3 = await rejection(loadImage(comp, { name: 'k.bmp' }));
  assert.is(e3.code, 'E_DECODE');
  assert.match(e3.message, /invalid BMP header: biCompression is 9 \(no compression method has that number/);
});

test('JPEG whose EOI marker was overwritten with zero bytes: read with the EOI warning naming them, not "truncated"', async () => {
  const jpg = await sharp(fixture('f1_1.png')).jpeg({ quality: 90 }).toBuffer();
  assert.equal([...jpg.subarray(-2)], [0xff, 0xd9]);
  const padded = Buffer.concat([jpg.subarray(0, jpg.length - 2), Buffer.alloc(100)]);
  const l = await loadImage(padded, { name: 'z.jpg' });
  const note = l.notes.find((n) => n.startsWith(NO_EOI_NOTE));
  assert.ok(note?.includes('100 zero bytes end the file where the marker should be'), l.notes.join(' | '));
  assert.not.ok(l.notes.some((n) => n.startsWith('decoder warning')), l.notes.join(' | '));
  const whole = await loadImage(jpg);
  assert.ok(l.image.data.every((v, i) => v === whole.image.data[i]), 'the same pixels as the whole file');
});



/** pHYs data: x, y pixels per metre, unit metre, then `extra` bytes. */
function phys(ppm: number, extra = 0): Buffer {
  const d = Buffer.alloc(9 + extra);
  d.writeUInt32BE(ppm, 0);
  d.writeUInt32BE(ppm, 4);
  d[8] = 1;
  return d;
}

test('PNG pHYs: the wrong length or after IDAT is ignored with a warning; a second one is said (the first used)', async () => {
  const loaded = await loadImage(fixture('f1_1.png'));
  const png = await encodeImage(toGray(loaded.image), 'png', { ppi: 500 });
  const cs = chunks(png);
  const p = cs.find((c) => c.type === 'pHYs')!;
  const without = Buffer.concat([png.subarray(0, p.at), png.subarray(p.at + 12 + p.len)]);
  const iend = chunks(without).find((c) => c.type === 'IEND')!;
  const idat = chunks(without).find((c) => c.type === 'IDAT')!;
  const at = (pos: number, ...add: Buffer[]): Buffer => Buffer.concat([without.subarray(0, pos), ...add, without.subarray(pos)]);
  const long = await loadImage(at(idat.at, chunk('pHYs', phys(19685, 1))));
  assert.is(long.ppi, undefined);
  assert.ok(long.notes.includes(`${PHYS_NOTE} has 10 bytes of data, not the 9 ISO/IEC 15948 (11.3.5.3) defines: ignored: resolution unknown (give --ppi if it is known)`), long.notes.join(' | '));
  assert.not.ok(long.notes.some((n) => n.startsWith('file declares no resolution')));
  const late = await loadImage(at(iend.at, chunk('pHYs', phys(19685))));
  assert.is(late.ppi, undefined);
  assert.ok(late.notes.some((n) => n.startsWith(`${PHYS_NOTE} comes after the image data (IDAT)`)), late.notes.join(' | '));
  const two = await loadImage(at(idat.at, chunk('pHYs', phys(19685)), chunk('pHYs', phys(39370))));
  assert.is(two.ppi, 500);
  assert.ok(two.notes.includes(`${PHYS_NOTE} is repeated: a second one declares 1000 ppi; the first, 500 ppi, is used`), two.notes.join(' | '));
  // One valid pHYs: no warning.
  assert.not.ok((await loadImage(png)).notes.some((n) => n.startsWith(PHYS_NOTE)));
});

test('TIFF of 72 ppi across and 500 down: one consistent account (resolution unknown); a transparency mask first page is passed over', async () => {
  const raw = await sharp(fixture('f1_1.png')).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  const rawOpts = { raw: { width: raw.info.width, height: raw.info.height, channels: 1 as const } };
  const tif = await sharp(raw.data, rawOpts).tiff({ xres: 72 / 25.4, yres: 500 / 25.4, resolutionUnit: 'inch' }).toBuffer();
  const t = await loadImage(tif);
  assert.is(t.ppi, undefined);
  const aniso = t.notes.find((n) => n.startsWith(ANISOTROPIC_NOTE));
  assert.ok(aniso?.includes('72 ppi, which is implausible for a fingerprint, so the resolution is treated as unknown'), t.notes.join(' | '));
  assert.not.ok(t.notes.some((n) => n.includes('uses the horizontal')), t.notes.join(' | '));
  // Two pages: a 40 x 50 mask (NewSubfileType 4) first, then the print.
  const mask = await sharp(Buffer.alloc(40 * 50, 255), { raw: { width: 40, height: 50, channels: 1 } }).tiff().toBuffer();
  const printTif = await sharp(raw.data, rawOpts).tiff({ xres: 500 / 25.4, yres: 500 / 25.4, resolutionUnit: 'inch' }).toBuffer();
  const joined = twoPages(mask, 4, printTif);
  assert.equal(tiffPages(joined).map((p) => [p.width, p.mask]), [[40, true], [raw.info.width, false]]);
  const l = await loadImage(joined, { name: 'mask-first.tif' });
  assert.is(l.image.width, raw.info.width);
  assert.is(l.ppi, 500);
  assert.ok(l.notes.includes(`TIFF page 2 read (${raw.info.width} x ${raw.info.height}): page 1 before it is not the print (40 x 50, a transparency mask (NewSubfileType bit 2))`), l.notes.join(' | '));
});

/**
 * A classic little-endian TIFF of two single-page little-endian TIFFs: the first's directory gets a
 * NewSubfileType (tag 254) entry of `subfile` and links to the second's (whose offsets are shifted).
 */
function twoPages(first: Buffer, subfile: number, second: Buffer): Buffer {
  const rebase = (b: Buffer, shift: number): Buffer => {
    const out = Buffer.from(b);
    const ifd = out.readUInt32LE(4);
    const n = out.readUInt16LE(ifd);
    const size = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8];
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + 12 * i;
      const type = out.readUInt16LE(e + 2);
      const count = out.readUInt32LE(e + 4);
      const tag = out.readUInt16LE(e);
      if (count * (size[type] ?? 1) > 4) out.writeUInt32LE(out.readUInt32LE(e + 8) + shift, e + 8);
      else if (tag === 273 || tag === 324) {
        if (type === 4) out.writeUInt32LE(out.readUInt32LE(e + 8) + shift, e + 8);
      }
    }
    // Strip offsets held out of line (several strips).
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + 12 * i;
      if (out.readUInt16LE(e) !== 273) continue;
      const count = out.readUInt32LE(e + 4);
      if (count > 1) {
        const at = out.readUInt32LE(e + 8) - shift;
        for (let k = 0; k < count; k++) out.writeUInt32LE(out.readUInt32LE(at + 4 * k) + shift, at + 4 * k);
      }
    }
    return out;
  };
  assert.is(first.readUInt16LE(0), 0x4949);
  assert.is(second.readUInt16LE(0), 0x4949);
  // The first page's directory rewritten with tag 254 added, at the end of the first file.
  const ifd = first.readUInt32LE(4);
  const n = first.readUInt16LE(ifd);
  const entries = first.subarray(ifd + 2, ifd + 2 + 12 * n);
  const e254 = Buffer.alloc(12);
  e254.writeUInt16LE(254, 0);
  e254.writeUInt16LE(4, 2);
  e254.writeUInt32LE(1, 4);
  e254.writeUInt32LE(subfile, 8);
  const newIfdAt = first.length + (first.length % 2);
  const newIfd = Buffer.concat([Buffer.from([n + 1, 0]), e254, entries, Buffer.alloc(4)]);
  const head = Buffer.concat([first, Buffer.alloc(first.length % 2), newIfd]);
  head.writeUInt32LE(newIfdAt, 4);
  const shift = head.length + (head.length % 2);
  const tail = rebase(second, shift);
  const out = Buffer.concat([head, Buffer.alloc(head.length % 2), tail]);
  // Link the first directory to the second's.
  out.writeUInt32LE(tail.readUInt32LE(4) + shift, newIfdAt + 2 + 12 * (n + 1));
  return out;
}

test.run();
