/**
 * Input faults from a fresh user's trial (2026-12-06), each file built here from a fixture print or a
 * small synthetic image and then edited or cut (no binary test files): a lifted print read back as an
 * image lost its "scale estimated" status; a PNG, TIFF or JPEG declaring different horizontal and vertical
 * resolutions, or a PNG whose pHYs chunk fails its CRC, was read with a silent scale; a template saved
 * under an image extension was refused; a JPEG missing only its EOI marker was refused; a BMP with an
 * impossible header field was called truncated; a huge print was decoded by compare before its size was
 * refused; search left out zero-score references silently; compare assumed 500 ppi for .xyt silently.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { ANISOTROPIC_NOTE, DAMAGED_PHYS_NOTE, LIFTED_PRINT_NOTE, NO_EOI_NOTE, encodeImage, loadImage, readImageInfo } from '../src/image/io.js';
import { LIFTED_PRINT_MARK, readLiftedPrintMark } from '../src/image/png.js';
import { jpegEnd } from '../src/image/jpeg.js';
import { compareAll, hasEstimatedScale, loadComparable } from '../src/tasks/compare.js';
import { runLiftJob } from '../src/tasks/lift.js';
import { runPrintJob, type JobOutput } from '../src/tasks/print.js';
import { processPrint } from '../src/pipeline.js';
import { writeTemplate } from '../src/formats/index.js';
import { toGray } from '../src/image/ops.js';
import { rejection } from './helpers/errors.js';
import { bmp24 } from './helpers/bmp.js';
import { pngChunks as chunks } from './helpers/png.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-faults-'));
const fixture = (f: string): string => join(repoRoot, 'fixtures', f);
const cli = (...a: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...a], { cwd: tmp, encoding: 'utf8' });


/** Copy of a PNG with its pHYs chunk set to x, y pixels per metre; its CRC recomputed, or made wrong. */
function setPhys(png: Buffer, x: number, y: number, goodCrc = true): Buffer {
  const c = chunks(png).find((k) => k.type === 'pHYs');
  if (!c) throw new Error('no pHYs chunk');
  const b = Buffer.from(png);
  b.writeUInt32BE(x, c.at + 8);
  b.writeUInt32BE(y, c.at + 12);
  b[c.at + 16] = 1;
  const crc = crc32(b.subarray(c.at + 4, c.at + 8 + c.len));
  b.writeUInt32BE(goodCrc ? crc : (crc ^ 0x5a5a) >>> 0, c.at + 8 + c.len);
  return b;
}

/** The fixture print f1_1 as a grey 500 ppi PNG (fingerlift's own encoder). */
async function printPng(extra: { scaleEstimatedFromPpi?: number } = {}): Promise<Buffer> {
  const loaded = await loadImage(fixture('f1_1.png'));
  return encodeImage(toGray(loaded.image), 'png', { ppi: 500, ...extra });
}

// 1. A lifted print's PNG keeps its "scale estimated" status.

test('a lifted print marked as of estimated scale loads with scaleEstimated, and its template is compared across scales', async () => {
  const marked = await printPng({ scaleEstimatedFromPpi: 412.4 });
  assert.equal(readLiftedPrintMark(marked), { photoPpi: 412 });
  const loaded = await loadImage(marked);
  assert.is(loaded.scaleEstimated, true);
  assert.is(loaded.estimatedPhotoPpi, 412);
  assert.ok(loaded.notes.some((n) => n.startsWith(LIFTED_PRINT_NOTE) && n.includes('412 ppi')), loaded.notes.join(' | '));
  assert.is((await readImageInfo(marked)).scaleEstimated, true);
  // The same print unmarked: a contact print of known scale.
  const plain = await loadImage(await printPng());
  assert.is(plain.scaleEstimated, undefined);
  assert.not.ok(plain.notes.some((n) => n.startsWith(LIFTED_PRINT_NOTE)));

  writeFileSync(join(tmp, 'lifted.f1.png'), marked);
  writeFileSync(join(tmp, 'plain.png'), await printPng());
  const lifted = await loadComparable(join(tmp, 'lifted.f1.png'));
  const contact = await loadComparable(join(tmp, 'plain.png'));
  assert.is(lifted.template.scaleEstimated, true);
  assert.ok(hasEstimatedScale(lifted));
  assert.not.ok(hasEstimatedScale(contact));
  assert.ok(lifted.notes.some((n) => n.startsWith(LIFTED_PRINT_NOTE)));
  const [row] = compareAll(lifted, [contact]);
  assert.ok(row!.scale !== undefined, 'the pair is compared across scales');
  const [plainRow] = compareAll(contact, [contact]);
  assert.is(plainRow!.scale, undefined);
});

test('processPrint: source.scaleEstimated marks the template, unless the resolution is given', async () => {
  const loaded = await loadImage(await printPng({ scaleEstimatedFromPpi: 380 }));
  const r = processPrint(loaded.image, { ppi: loaded.ppi, scaleEstimated: loaded.scaleEstimated === true });
  assert.is(r.template.scaleEstimated, true);
  const given = processPrint(loaded.image, { ppi: loaded.ppi, scaleEstimated: true }, { ppi: 500 });
  assert.is(given.template.scaleEstimated, undefined);
  assert.is((await rejection(Promise.resolve().then(() => processPrint(loaded.image, { scaleEstimated: 'yes' as unknown as boolean })))).code, 'E_INVALID_ARGUMENT');
  assert.is((await rejection(encodeImage(loaded.image, 'tiff', { ppi: 500, scaleEstimatedFromPpi: 400 }))).code, 'E_INVALID_ARGUMENT');
});

test('lift marks each print whose scale it estimated; a template from the photo says scaleEstimated', async () => {
  const out = await runLiftJob(fixture('f1_photo.jpg'), 'f1_photo', {});
  const prints = out.files.filter((f) => /^\.f\d+\.png$/.test(f.suffix));
  assert.ok(prints.length > 0, 'a print was lifted');
  for (const p of prints) {
    const json = JSON.parse(Buffer.from(out.files.find((f) => f.suffix === p.suffix.replace('.png', '.json'))!.bytes).toString('utf8'));
    assert.is(json.scaleEstimated, true);
    const mark = readLiftedPrintMark(p.bytes);
    assert.ok(mark !== undefined && mark.photoPpi > 0, `${p.suffix} carries ${LIFTED_PRINT_MARK.prefix}...`);
  }
});

test('extract of a lifted print (its PNG mark read) writes a template that says scaleEstimated, unless --ppi gives the resolution', async () => {
  const out = await runLiftJob(fixture('f1_photo.jpg'), 'f1_photo', {});
  const print = out.files.find((f) => /^\.f\d+\.png$/.test(f.suffix))!;
  const file = join(tmp, 'lifted.f1.png');
  writeFileSync(file, print.bytes);
  const json = (o: JobOutput): Record<string, unknown> => JSON.parse(Buffer.from(o.files.find((f) => f.suffix === '.json')!.bytes).toString('utf8'));
  assert.is(json(await runPrintJob('extract', file, 'lifted', { format: 'json' })).scaleEstimated, true);
  assert.is(json(await runPrintJob('extract', file, 'lifted', { format: 'json', ppi: 500 })).scaleEstimated, undefined);
});

// 2 and 3. Resolutions that differ across and down, and a damaged pHYs chunk.

test('a PNG declaring different x and y resolutions loads with a warning naming both; a pHYs chunk failing its CRC is ignored with a warning', async () => {
  const png = await printPng();
  const aniso = setPhys(png, 19685, 39370);
  const loaded = await loadImage(aniso);
  assert.is(loaded.ppi, 500);
  assert.is(loaded.source.declaredPpiY, 1000);
  const w = loaded.notes.find((n) => n.startsWith(ANISOTROPIC_NOTE));
  assert.ok(w && w.includes('500 ppi across') && w.includes('1000 ppi down'), loaded.notes.join(' | '));
  assert.ok((await readImageInfo(aniso)).notes.some((n) => n.startsWith(ANISOTROPIC_NOTE)));
  // Equal resolutions: no warning.
  assert.not.ok((await loadImage(setPhys(png, 19685, 19685))).notes.some((n) => n.startsWith(ANISOTROPIC_NOTE)));
  // Shown beside compare's results.
  writeFileSync(join(tmp, 'aniso.png'), aniso);
  const c = await loadComparable(join(tmp, 'aniso.png'));
  assert.ok(c.warnings?.some((x) => x.includes(ANISOTROPIC_NOTE.replace('warning: ', '')) && x.includes('aniso.png')), String(c.warnings));
  // And in the warning field of an extract summary (the batch's line on stderr and --summary column).
  const ex = await runPrintJob('extract', join(tmp, 'aniso.png'), 'aniso', { format: 'json' });
  assert.match(String(ex.fields.warning), /^warning: \S*aniso\.png: the file declares different horizontal and vertical resolutions/);
  const plain = await runPrintJob('extract', fixture('f1_1.png'), 'f1_1', { format: 'json' });
  assert.is(plain.fields.warning, null);

  const bad = setPhys(png, 19685, 19685, false);
  const l2 = await loadImage(bad);
  assert.is(l2.ppi, undefined);
  assert.is(l2.source.declaredPpi, undefined);
  assert.ok(l2.notes.some((n) => n.startsWith(DAMAGED_PHYS_NOTE)), l2.notes.join(' | '));
});

test('TIFF and JPEG (JFIF) declaring different x and y resolutions load with the warning', async () => {
  const loaded = await loadImage(fixture('f1_1.png'));
  const px = Buffer.from(Array.from(toGray(loaded.image).data, (v) => Math.round(v * 255)));
  const raw = { raw: { width: loaded.image.width, height: loaded.image.height, channels: 1 as const } };
  const tif = await sharp(px, raw).tiff({ xres: 500 / 25.4, yres: 250 / 25.4, resolutionUnit: 'inch' }).toBuffer();
  const t = await loadImage(tif);
  assert.ok(t.notes.some((n) => n.startsWith(ANISOTROPIC_NOTE) && n.includes('500 ppi across') && n.includes('250 ppi down')), t.notes.join(' | '));
  const plain = await sharp(px, raw).jpeg().toBuffer();
  assert.is(plain.indexOf(Buffer.from('JFIF\0', 'latin1')), -1, 'libvips wrote no JFIF segment: one is put in');
  // JFIF APP0 (JFIF 1.02): length 16, "JFIF\0", version 1.02, units 1 (dots per inch), X density 500, Y density 600, no thumbnail.
  const app0 = Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 2, 1, 500 >> 8, 500 & 255, 600 >> 8, 600 & 255, 0, 0]);
  const jpg = Buffer.concat([plain.subarray(0, 2), app0, plain.subarray(2)]);
  const j = await loadImage(jpg);
  assert.ok(j.notes.some((n) => n.startsWith(ANISOTROPIC_NOTE) && n.includes('600 ppi down')), j.notes.join(' | '));
});

// 4. A template saved under an image extension.

test('a template saved as .png or .tif is read as the template it is, with a note; also in a search gallery', async () => {
  const c = await loadComparable(fixture('f1_1.png'));
  const iso = writeTemplate(c.template, 'iso');
  const json = writeTemplate({ ...c.template }, 'json');
  writeFileSync(join(tmp, 'tmpl.png'), iso);
  writeFileSync(join(tmp, 'tmpl.tif'), json);
  const a = await loadComparable(join(tmp, 'tmpl.png'));
  assert.is(a.kind, 'template');
  assert.ok(a.notes.some((n) => n.includes('ISO/IEC 19794-2 template (by its content)') && n.includes('.png')), a.notes.join(' | '));
  const b = await loadComparable(join(tmp, 'tmpl.tif'));
  assert.is(b.kind, 'template');
  assert.is(b.template.minutiae.length, c.template.minutiae.length);
  // Bytes that are neither an image nor a template keep the image error.
  writeFileSync(join(tmp, 'junk.png'), 'this is neither');
  assert.is((await rejection(loadComparable(join(tmp, 'junk.png')))).code, 'E_DECODE');

  const r = cli('compare', fixture('f1_1.png'), 'tmpl.png', '--json');
  assert.is(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.is(doc.comparisons.length, 1);
  mkdirSync(join(tmp, 'gallery'));
  writeFileSync(join(tmp, 'gallery', 'g1.tif'), json);
  writeFileSync(join(tmp, 'gallery', 'g2.png'), iso);
  const s = cli('search', fixture('f1_2.png'), '--gallery', 'gallery', '--json');
  assert.is(s.status, 0, s.stderr);
  assert.is(JSON.parse(s.stdout).gallerySize, 2);
});

// 5. A JPEG without its EOI marker.

test('a JPEG missing only its EOI loads with a warning; one cut inside or between scans is refused', async () => {
  const loaded = await loadImage(fixture('f1_1.png'));
  const px = Buffer.from(Array.from(toGray(loaded.image).data, (v) => Math.round(v * 255)));
  const raw = { raw: { width: loaded.image.width, height: loaded.image.height, channels: 1 as const } };
  for (const progressive of [false, true]) {
    const jpg = await sharp(px, raw).jpeg({ quality: 90, progressive }).toBuffer();
    const whole = await loadImage(jpg);
    const noEoi = jpg.subarray(0, jpg.length - 2);
    assert.equal(jpegEnd(noEoi), { lacksEoi: true });
    const l = await loadImage(noEoi);
    assert.ok(l.notes.some((n) => n.startsWith(NO_EOI_NOTE)), l.notes.join(' | '));
    assert.ok(Buffer.from(l.image.data.buffer).equals(Buffer.from(whole.image.data.buffer)), 'the same pixels as the whole file');
    const cut = await rejection(loadImage(jpg.subarray(0, jpg.length - 300), { name: 'cut.jpg' }));
    assert.is(cut.code, 'E_DECODE');
    assert.match(cut.message, /cut\.jpg: truncated JPEG: the file ends without its EOI marker/);
    if (progressive) {
      // Cut right before its last scan: every scan in the file is whole, but the image is not.
      const lastSos = jpg.lastIndexOf(Buffer.from([0xff, 0xda]));
      const e = await rejection(loadImage(jpg.subarray(0, lastSos)));
      assert.is(e.code, 'E_DECODE');
      assert.match(e.message, /progressive scans do not code the whole image/);
    }
  }
});

// 6. BMP header fields no BMP holds.


test('a BMP with biBitCount 0 or a negative width is refused naming the field and its value', async () => {
  assert.is((await loadImage(bmp24())).image.width, 40);
  const zeroBits = bmp24();
  zeroBits.writeUInt16LE(0, 28);
  const e1 = await rejection(loadImage(zeroBits, { name: 'a.bmp' }));
  assert.is(e1.code, 'E_DECODE');
  assert.match(e1.message, /invalid BMP header: biBitCount is 0 /);
  const negative = bmp24();
  negative.writeInt32LE(-40, 18);
  const e2 = await rejection(loadImage(negative, { name: 'b.bmp' }));
  assert.is(e2.code, 'E_DECODE');
  assert.match(e2.message, /invalid BMP header: biWidth is -40 /);
  assert.not.match(e2.message, /truncated/);
  // A top-down BMP (negative height) is valid.
  const topDown = bmp24();
  topDown.writeInt32LE(-40, 22);
  assert.is((await loadImage(topDown)).image.height, 40);
});

// 7. A huge print refused from its header by compare.

test('compare (image kind auto) refuses a print too large to enhance from its header, before decoding', async () => {
  const side = 4200; // 17.6 million pixels at 500 ppi, over the 16 million enhancement limit
  const grey = await sharp({ create: { width: side, height: side, channels: 3, background: '#808080' } }).toColourspace('b-w').png().toBuffer();
  writeFileSync(join(tmp, 'big.png'), grey);
  const e = await rejection(loadComparable(join(tmp, 'big.png'), { ppi: 500 }));
  assert.is(e.code, 'E_TOO_LARGE');
  assert.match(e.message, /before decoding/);
  const rgb = await sharp({ create: { width: side, height: side, channels: 3, background: '#777777' } }).jpeg().withMetadata({ density: 500 }).toBuffer();
  writeFileSync(join(tmp, 'big.jpg'), rgb);
  const e2 = await rejection(loadComparable(join(tmp, 'big.jpg'), { imageKind: 'auto' }));
  assert.is(e2.code, 'E_TOO_LARGE');
  assert.match(e2.message, /before decoding.*not a colour photo/);
});

// 8 and 9. search's unlisted references; compare's .xyt resolution.

test('search says how many references scored 0 and are not listed; compare warns that an .xyt has no resolution', async () => {
  const c = await loadComparable(fixture('f1_1.png'));
  mkdirSync(join(tmp, 'g8'));
  writeFileSync(join(tmp, 'g8', 'same.json'), writeTemplate(c.template, 'json'));
  // Minutiae that mate with none of the probe's: all in a tight cluster, all the same direction.
  const far = { width: 600, height: 600, ppi: 500, minutiae: Array.from({ length: 14 }, (_, i) => ({ x: 10 + 3 * (i % 4), y: 10 + 3 * Math.floor(i / 4), angle: 0.1, type: 'ending' as const, quality: 0.5 })) };
  writeFileSync(join(tmp, 'g8', 'far.json'), writeTemplate(far, 'json'));
  const s = cli('search', fixture('f1_1.png'), '--gallery', 'g8', '--json');
  assert.is(s.status, 0, s.stderr);
  const doc = JSON.parse(s.stdout);
  assert.is(doc.gallerySize, 2);
  assert.is(doc.candidates.length, 1);
  assert.is(doc.unlisted, 1);
  assert.match(doc.notes[0], /1 of the 2 references is not listed: it scored 0/);
  const t = cli('search', fixture('f1_1.png'), '--gallery', 'g8');
  assert.match(t.stdout, /note: 1 of the 2 references is not listed/);

  writeFileSync(join(tmp, 'probe.xyt'), writeTemplate(c.template, 'xyt'));
  const x = cli('compare', 'probe.xyt', fixture('f1_2.png'));
  assert.is(x.status, 0, x.stderr);
  assert.match(x.stderr, /compare: warning: probe\.xyt: \.xyt holds no resolution: 500 ppi assumed/);
  const xj = cli('compare', 'probe.xyt', fixture('f1_2.png'), '--json');
  assert.ok(JSON.parse(xj.stdout).warnings.some((w: string) => w.includes('.xyt holds no resolution')));
  // Several .xyt inputs: one line on stderr with their count, each in the JSON document.
  mkdirSync(join(tmp, 'gx'));
  writeFileSync(join(tmp, 'gx', 'a.xyt'), writeTemplate(c.template, 'xyt'));
  writeFileSync(join(tmp, 'gx', 'b.xyt'), writeTemplate(c.template, 'xyt'));
  const g = cli('search', 'probe.xyt', '--gallery', 'gx');
  assert.is(g.status, 0, g.stderr);
  assert.match(g.stderr, /search: warning: 3 \.xyt inputs hold no resolution: 500 ppi assumed for each/);
  assert.is(JSON.parse(cli('search', 'probe.xyt', '--gallery', 'gx', '--json').stdout).warnings.length, 3);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
