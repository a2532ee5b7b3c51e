/**
 * Inputs from a new user's trial that were used silently or cost a decode before being refused: an
 * image whose decoder warned of damaged data (compare, search, eval, extract, enhance and lift reported
 * results built on it without a word), a progressive JPEG whose header was edited to 9999 x 9999 (decoded,
 * 1.55 GB), a print too large to enhance at the resolution its header declares (refused only after the
 * decode), fingerlift's own comparison charts (extracted by `extract` and `lift`: a template of two prints),
 * and multi-page TIFFs and animated WebPs (page 1 read without a note). Fixtures and synthetic images only.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decoderWarningLine, loadImage, readImageHeader, refuseFingerliftChart } from '../src/image/io.js';
import { jpegDamage } from '../src/image/jpeg.js';
import { CHART_REFUSED, hasChartMark } from '../src/image/png.js';
import { runPrintJob } from '../src/tasks/print.js';
import { runLiftJob } from '../src/tasks/lift.js';
import { printTooLargeFromHeader } from '../src/tasks/print-size.js';
import { comparisonChart, compareAll, inputWarnings, loadComparable, withPngText } from '../src/tasks/compare.js';
import { MAX_ENHANCE_PIXELS } from '../src/enhance/index.js';
import { FingerliftError } from '../src/errors.js';
import { repoRoot } from './helpers/data.js';
import { rejection } from './helpers/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-inputs-'));
const fixture = (f: string): string => join(repoRoot, 'fixtures', f);
const cli = (...a: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...a], { cwd: tmp, encoding: 'utf8' });

/** A copy of a JPEG with bytes from `from` (a fraction of its length) on, every `step`, inverted: libjpeg warns ("bad Huffman code") and decodes on. */
function flipTail(jpg: Buffer, from: number, step: number): Buffer {
  const b = Buffer.from(jpg);
  for (let i = Math.floor(b.length * from); i < b.length - 2; i += step) b[i] = b[i]! ^ 0xff;
  return b;
}

const DAMAGED = /^warning: (.+): the decoder warned of damaged data: the JPEG data is damaged \(such as corrupt entropy-coded data or a bad chunk\) and was decoded anyway; its pixels, and results from them, may differ from the original capture$/;

test('a result built on an image whose decoder warned of damaged data says so, naming the file (compare notes, extract/enhance/lift fields); a clean one does not', async () => {
  const clean = await sharp(fixture('f1_1.png')).jpeg({ quality: 92 }).toBuffer();
  const bad = flipTail(clean, 0.85, 300);
  const badPath = join(tmp, 'corrupt print.jpeg');
  const cleanPath = join(tmp, 'clean-print.jpeg');
  writeFileSync(badPath, bad);
  writeFileSync(cleanPath, clean);
  assert.ok(decoderWarningLine(badPath, await loadImage(badPath)) !== undefined, 'the test file is decoded with a warning');
  // compare / search / eval read their inputs through loadComparable: its notes (printed, and in --json) carry the warning first.
  const c = await loadComparable(badPath, { imageKind: 'print' });
  assert.ok(c.template.minutiae.length > 0);
  assert.match(c.notes[0]!, DAMAGED);
  assert.is(DAMAGED.exec(c.notes[0]!)![1], badPath);
  assert.equal(c.warnings, [c.notes[0]]);
  const ok = await loadComparable(cleanPath, { imageKind: 'print' });
  assert.is(ok.warnings, undefined);
  assert.not.ok(ok.notes.some((n) => /decoder warned/.test(n)), ok.notes.join('; '));
  assert.equal(inputWarnings([ok, c, undefined, c]), c.warnings);
  // extract and enhance: the summary fields (--summary) say it, naming the file.
  for (const command of ['extract', 'enhance'] as const) {
    const out = await runPrintJob(command, badPath, 'x', { imageKind: 'print' });
    assert.is(out.fields.decoderWarning, true, command);
    assert.match(String(out.fields.warning), DAMAGED, command);
    assert.ok(String(out.fields.warning).includes(badPath), command);
    const fine = await runPrintJob(command, cleanPath, 'x', { imageKind: 'print' });
    assert.is(fine.fields.decoderWarning, false, command);
    assert.is(fine.fields.warning, null, command);
  }
  // lift: the photo's fingertip is lifted from the damaged file, and the fields say so.
  const photo = await sharp(fixture('f2_photo.jpg')).jpeg({ quality: 80 }).toBuffer();
  const badPhoto = join(tmp, 'corrupt-photo.jpeg');
  writeFileSync(badPhoto, flipTail(photo, 0.9, 400));
  const lifted = await runLiftJob(badPhoto, 'p', {});
  assert.ok(Number(lifted.fields.usable) >= 1, 'a usable fingertip from the damaged photo');
  assert.match(String(lifted.fields.warning), DAMAGED);
  assert.ok(String(lifted.fields.warning).includes(badPhoto));
  // ... and so does <name>.lift.json, beside the prints and templates that rest on those pixels.
  const liftJson = JSON.parse(Buffer.from(lifted.files.find((f) => f.suffix === '.lift.json')!.bytes).toString('utf8')) as { decoderWarning: string | null };
  assert.match(String(liftJson.decoderWarning), /^the JPEG data is damaged/);
  const photoC = await loadComparable(badPhoto);
  assert.is(photoC.kind, 'photo');
  assert.match(photoC.notes[0]!, DAMAGED);
  assert.ok(photoC.notes.some((n) => /^photo: fingertip/.test(n)), 'the fingertip note is kept');
  // The command line says it too: compare on stderr and in --json, extract on stderr; not for a clean file.
  const cmp = cli('compare', badPath, cleanPath, '--json');
  assert.is(cmp.status, 0, cmp.stderr);
  const doc = JSON.parse(cmp.stdout) as { warnings: string[] };
  assert.is(doc.warnings.length, 1);
  assert.match(doc.warnings[0]!, DAMAGED);
  assert.ok(cmp.stderr.split('\n').some((l) => l.startsWith('compare: warning: ') && l.includes(badPath)), cmp.stderr);
  const clean2 = cli('compare', cleanPath, cleanPath);
  assert.not.match(clean2.stderr, /decoder warned/);
  const ex = cli('extract', badPath, cleanPath, '-o', join(tmp, 'ex-out'), '-q');
  assert.is(ex.status, 0, ex.stderr);
  const lines = ex.stderr.split('\n').filter((l) => /decoder warned/.test(l));
  assert.is(lines.length, 1, ex.stderr);
  assert.ok(lines[0]!.startsWith('extract: warning: ') && lines[0]!.includes(badPath), lines[0]);
});

/** Copy of a JPEG with its first frame header's (SOF0/1/2) height and width set. */
function setJpegSize(jpg: Buffer, w: number, h: number): Buffer {
  const b = Buffer.from(jpg);
  for (let off = 2; off + 4 <= b.length; ) {
    const marker = b[off + 1]!;
    if (marker >= 0xc0 && marker <= 0xc2) {
      b.writeUInt16BE(h, off + 5);
      b.writeUInt16BE(w, off + 7);
      return b;
    }
    off += 2 + b.readUInt16BE(off + 2);
  }
  throw new Error('no SOF0-2 in the test JPEG');
}

test('a progressive JPEG whose header claims more blocks than its DC scans can code is E_DECODE before decoding; intact ones pass', async () => {
  const print = await sharp(fixture('f1_1.png')).resize(200).toBuffer();
  for (const channels of ['grey', 'colour'] as const) {
    let s = sharp(print);
    s = channels === 'grey' ? s.toColourspace('b-w') : s.toColourspace('srgb');
    const prog = await s.jpeg({ progressive: true, quality: 80 }).toBuffer();
    assert.is(jpegDamage(prog), undefined, `intact ${channels} progressive JPEG flagged`);
    // 4000 x 4000: 62,500 blocks a full component, one bit each in its DC scan: more than the file holds.
    const huge = setJpegSize(prog, 4000, 4000);
    const msg = jpegDamage(huge);
    assert.ok(msg && /^damaged JPEG: the frame header declares 4000 x 4000 pixels \(\d+ blocks of 8 x 8/.test(msg), `${channels}: ${msg}`);
    assert.match(msg!, /1 bit a block in the DC scan each component must have first \(T\.81 G\.1\.1\.1\.1\)/);
    const f = join(tmp, `huge-progressive-${channels}.jpg`);
    writeFileSync(f, huge);
    const cpu0 = process.cpuUsage();
    const e = await rejection(loadImage(f));
    const cpu = process.cpuUsage(cpu0);
    assert.is(e.code, 'E_DECODE');
    assert.ok(e.message.startsWith(`${f}: damaged JPEG`), e.message);
    assert.ok(cpu.user + cpu.system < 1e6, `refused in ${(cpu.user + cpu.system) / 1000} ms of CPU, not after decoding`);
  }
  // Grey 4000 x 4000: 250,000 blocks; colour 4:2:0: 250,000 + 2 x 62,500 named in its scans.
  const grey = jpegDamage(setJpegSize(await sharp(print).toColourspace('b-w').jpeg({ progressive: true }).toBuffer(), 4000, 4000))!;
  assert.match(grey, /\(250000 blocks of 8 x 8\) .* \(at least 31250 bytes: /);
  const colour = jpegDamage(setJpegSize(await sharp(print).jpeg({ progressive: true, chromaSubsampling: '4:2:0' }).toBuffer(), 4000, 4000))!;
  assert.match(colour, /\(375000 blocks of 8 x 8 in the 3 components its first DC scan codes\) .* \(at least 46875 bytes: /);
  // The most compressible images there are, large, progressive or not, grey or colour, any quality: within the bound.
  for (const progressive of [false, true])
    for (const q of [10, 90])
      for (const cs of ['b-w', 'srgb'] as const) {
        const flat = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: '#808080' } }).toColourspace(cs).jpeg({ quality: q, progressive }).toBuffer();
        assert.is(jpegDamage(flat), undefined, `flat ${cs} q${q} progressive ${progressive}`);
      }
});

/** Copy of a JPEG with `n` COM segments of `size` bytes each (at most 65533) after its SOI marker. */
function withComSegments(jpg: Buffer, n: number, size: number): Buffer {
  const com = Buffer.alloc(4 + size, 0x20);
  com[0] = 0xff; com[1] = 0xfe; com.writeUInt16BE(size + 2, 2);
  return Buffer.concat([jpg.subarray(0, 2), ...Array.from({ length: n }, () => com), jpg.subarray(2)]);
}

/** Copy of a JPEG with `n` restart markers (FF D0) at the start of its first scan's entropy-coded data. */
function withRestartMarkers(jpg: Buffer, n: number): Buffer {
  for (let off = 2; off + 4 <= jpg.length; ) {
    if (jpg[off + 1] === 0xda) {
      const at = off + 2 + jpg.readUInt16BE(off + 2);
      return Buffer.concat([jpg.subarray(0, at), Buffer.alloc(2 * n).fill(Buffer.from([0xff, 0xd0])), jpg.subarray(at)]);
    }
    off += 2 + jpg.readUInt16BE(off + 2);
  }
  throw new Error('no SOS in the test JPEG');
}

test('a JPEG whose frame header claims more blocks than its scans can code is refused however the file is padded (COM segments, bytes after EOI, restart markers)', async () => {
  // A fresh-user trial: a 29,868-byte progressive file declaring 9999 x 9999 was refused, but with 300 KB of
  // zeros after EOI, or five 64 KB COM segments, it was decoded (info 1.58 GB, lift 2.3 GB): the bound was
  // checked against the file's length, not against the data of its scans.
  const print = await sharp(fixture('f1_1.png')).resize(200).toBuffer();
  for (const progressive of [true, false])
    for (const cs of ['b-w', 'srgb'] as const) {
      const jpg = await sharp(print).toColourspace(cs).jpeg({ progressive, quality: 80 }).toBuffer();
      const what = `${cs} ${progressive ? 'progressive' : 'baseline'}`;
      const huge = setJpegSize(jpg, 9999, 9999);
      assert.ok(jpegDamage(huge), `${what}: unpadded not flagged`);
      // 9999 x 9999 in 4:2:0 colour: 2,343,750 blocks, 2 bits each (baseline): 585,938 bytes; the padding is more.
      const padded = {
        com: withComSegments(huge, 10, 65533),
        trailing: Buffer.concat([huge, Buffer.alloc(1_000_000)]),
        restarts: withRestartMarkers(huge, 400_000),
      };
      for (const [how, b] of Object.entries(padded)) {
        assert.ok(b.length > 650_000, `${what} ${how}: ${b.length} bytes`);
        const msg = jpegDamage(b);
        assert.ok(msg && msg.startsWith('damaged JPEG: the frame header declares 9999 x 9999 pixels'), `${what} padded with ${how}: ${msg}`);
        assert.match(msg!, progressive ? /but its first DC scan holds \d+ bytes of entropy-coded data, too few/ : /but its scan holds \d+ bytes of entropy-coded data, too few/);
      }
      const f = join(tmp, `padded-${cs}-${progressive}.jpg`);
      writeFileSync(f, padded.com);
      const cpu0 = process.cpuUsage();
      const e = await rejection(loadImage(f));
      const cpu = process.cpuUsage(cpu0);
      assert.is(e.code, 'E_DECODE', what);
      assert.ok(cpu.user + cpu.system < 1e6, `${what}: refused in ${(cpu.user + cpu.system) / 1000} ms of CPU, not after decoding`);
      // The same padding on the intact file changes nothing: it loads.
      for (const b of [withComSegments(jpg, 3, 65533), Buffer.concat([jpg, Buffer.alloc(10_000)])]) {
        assert.is(jpegDamage(b), undefined, `${what}: intact padded file flagged`);
        assert.is((await loadImage(b)).source.width, 200);
      }
    }
  // A large JPEG of real content, progressive or not, grey or colour: within the bound.
  for (const progressive of [true, false])
    for (const cs of ['b-w', 'srgb'] as const) {
      const big = await sharp(fixture('f1_photo.jpg')).resize(6000, 6000, { fit: 'fill' }).toColourspace(cs).jpeg({ progressive, quality: 85 }).toBuffer();
      assert.is(jpegDamage(big), undefined, `6000 x 6000 ${cs} progressive ${progressive}`);
    }
});

test('a print too large to enhance at the resolution its header declares (or --ppi gives) is E_TOO_LARGE before decoding', async () => {
  const big = join(tmp, 'big500.png');
  writeFileSync(big, await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#c0c0c0' } }).toColourspace('b-w').withDensity(500).png().toBuffer());
  const header = await readImageHeader(readFileSync(big));
  assert.equal(header, { format: 'png', width: 5000, height: 4000, ppi: 500, declaredPpi: 500 });
  for (const command of ['extract', 'enhance'] as const) {
    const cpu0 = process.cpuUsage();
    const e = await rejection(runPrintJob(command, big, 'x', {}));
    const cpu = process.cpuUsage(cpu0);
    assert.is(e.code, 'E_TOO_LARGE', command);
    assert.match(e.message, /5000 x 4000 px at 500 ppi \(the file's\) is over the enhancement limit of 16 million pixels .* \(refused from the file's header, before decoding\)$/);
    assert.ok(cpu.user + cpu.system < 1e6, `${command}: ${(cpu.user + cpu.system) / 1000} ms of CPU`);
  }
  assert.is((await rejection(loadComparable(big, { imageKind: 'print' }))).code, 'E_TOO_LARGE');
  // The rule is processPrint's: sides scaled to 500 ppi and rounded, over MAX_ENHANCE_PIXELS.
  assert.is(MAX_ENHANCE_PIXELS, 16_000_000);
  assert.is(printTooLargeFromHeader({ width: 4000, height: 4000, ppi: 500 }), undefined);
  assert.ok(printTooLargeFromHeader({ width: 4001, height: 4000, ppi: 500 }));
  assert.is(printTooLargeFromHeader({ width: 8000, height: 8000, ppi: 1000 }), undefined);
  assert.ok(printTooLargeFromHeader({ width: 8002, height: 8000, ppi: 1000 }));
  // --ppi overrides the file's; no resolution known before decoding: not decided here (the ridge period decides later).
  assert.is(printTooLargeFromHeader({ width: 5000, height: 4000, ppi: 500 }, 1000), undefined);
  assert.match(printTooLargeFromHeader({ width: 5000, height: 4000, ppi: undefined }, 400) ?? '', /at 400 ppi \(given\)/);
  assert.is(printTooLargeFromHeader({ width: 9999, height: 9999, ppi: undefined }), undefined);
});

test('fingerlift\'s comparison charts are refused by every command that reads fingerprint images, with one error', async () => {
  const a = await loadComparable(fixture('f1_1.png'), { imageKind: 'print' });
  const b = await loadComparable(fixture('f1_2.png'), { imageKind: 'print' });
  const png = await comparisonChart(a, b, compareAll(a, [b])[0]!.result, 'test');
  const chart = join(tmp, 'chart.png');
  writeFileSync(chart, png);
  assert.ok(hasChartMark(png));
  const runs: Array<[string, () => Promise<unknown>]> = [
    ['extract', () => runPrintJob('extract', chart, 'x', {})],
    ['extract --image-kind print', () => runPrintJob('extract', chart, 'x', { imageKind: 'print' })],
    ['enhance', () => runPrintJob('enhance', chart, 'x', {})],
    ['lift', () => runLiftJob(chart, 'x', {})],
    ['lift --image-kind photo', () => runLiftJob(chart, 'x', { imageKind: 'photo' })],
    ['compare', () => loadComparable(chart)],
    ['compare --image-kind print', () => loadComparable(chart, { imageKind: 'print' })],
  ];
  for (const [what, run] of runs) {
    const e = await rejection(run());
    assert.is(e.code, 'E_UNSUPPORTED_FORMAT', what);
    assert.is(e.message, `${chart}: ${CHART_REFUSED}`, what);
    assert.is(e.input, chart, what);
  }
  // The mark is found among the chunks before the pixel data wherever it sits; a plain PNG has none.
  const plain = await sharp(fixture('f1_1.png')).withDensity(500).png().toBuffer();
  assert.not.ok(hasChartMark(plain));
  const afterPhys = withPngText(plain, 'Software', 'x');
  assert.not.ok(hasChartMark(afterPhys));
  assert.ok(hasChartMark(withPngText(afterPhys, 'fingerlift', 'comparison chart')));
  assert.not.ok(hasChartMark(withPngText(plain, 'fingerlift', 'comparison')));
  await refuseFingerliftChart(fixture('f1_1.png'));
  await refuseFingerliftChart(join(tmp, 'no such file.png')); // left to the loader, which says why
  // A folder holding a chart: extract processes the print and fails the chart (no chart.xyt written).
  const dir = join(tmp, 'prints');
  mkdirSync(dir);
  copyFileSync(fixture('f1_3.png'), join(dir, 'f1_3.png'));
  copyFileSync(chart, join(dir, 'chart.png'));
  const r = cli('extract', dir, '-o', join(tmp, 'out'));
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /1 done, 0 skipped, 1 failed/);
  assert.match(r.stderr, /E_UNSUPPORTED_FORMAT .*chart\.png: a comparison chart fingerlift drew/);
  assert.ok(existsSync(join(tmp, 'out', 'f1_3.xyt')));
  assert.not.ok(existsSync(join(tmp, 'out', 'chart.xyt')));
});

test('a multi-page TIFF or an animated WebP: page 1 is read, and a note (shown by info, kept in the trail) says how many there are', async () => {
  const p1 = await sharp(fixture('f1_1.png')).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  const { width: W, height: H } = p1.info;
  const p2 = await sharp(fixture('f1_2.png')).toColourspace('b-w').resize(W, H, { fit: 'fill' }).raw().toBuffer();
  const tif = await sharp(Buffer.concat([p1.data, p2]), { raw: { width: W, height: 2 * H, channels: 1, pageHeight: H } }).toColourspace('b-w').tiff().toBuffer();
  assert.is((await sharp(tif).metadata()).pages, 2, 'the test TIFF has 2 pages');
  const multi = join(tmp, 'multi.tif');
  writeFileSync(multi, tif);
  const l = await loadImage(multi);
  assert.is(l.image.height, H);
  const page = async (k: number): Promise<Buffer> => sharp(tif, { page: k }).toColourspace('b-w').raw().toBuffer();
  const [first, second] = [await page(0), await page(1)];
  assert.is(first.length, W * H);
  assert.ok(l.image.data.every((v, i) => Math.round(v * 255) === first[i]), 'page 1 pixels');
  assert.not.ok(l.image.data.every((v, i) => Math.round(v * 255) === second[i]), 'not page 2');
  assert.ok(l.notes.includes('TIFF holds 2 pages; page 1 read (the others are not examined)'), l.notes.join('; '));
  const single = await loadImage(await sharp(p1.data, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').tiff().toBuffer());
  assert.not.ok(single.notes.some((n) => /pages?|frames?/.test(n)), single.notes.join('; '));
  // The trail of an extract records it with the load step.
  const out = await runPrintJob('extract', multi, 'multi', { ppi: 500 });
  const load = out.trail.toJSON().steps.find((s) => s.name === 'load');
  assert.ok(load?.notes?.includes('TIFF holds 2 pages; page 1 read (the others are not examined)'), JSON.stringify(load?.notes));
  // info --json shows the notes.
  const info = cli('info', '--json', multi);
  assert.is(info.status, 0, info.stderr);
  assert.ok((JSON.parse(info.stdout) as { files: Array<{ notes: string[] }> }).files[0]!.notes.includes('TIFF holds 2 pages; page 1 read (the others are not examined)'), info.stdout);
  // An animated WebP of two frames.
  const f1 = await sharp(fixture('f1_1.png')).png().toBuffer();
  const f2 = await sharp(fixture('f1_2.png')).resize(W, H, { fit: 'fill' }).png().toBuffer();
  const webp = await sharp([f1, f2], { join: { animated: true } }).webp({ lossless: true }).toBuffer();
  assert.is((await sharp(webp).metadata()).pages, 2, 'the test WebP has 2 frames');
  const w = await loadImage(webp);
  assert.is(w.image.height, H);
  assert.ok(w.notes.includes('WebP holds 2 frames; frame 1 read (the others are not examined)'), w.notes.join('; '));
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
