/**
 * A lifted print PNG carries what the photo it came from warned of (trial 4, 2026-12-06): the decoder's
 * damage warning of the photo was lost through <name>.f1.png (compare, search and extract of it said
 * nothing); enhancing a lifted print dropped its "scale estimated" mark. Files built here from
 * fixtures/f1_photo.jpg (no binary test files).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIFTED_DAMAGED_NOTE, LIFTED_PHOTO_WARNING_NOTE, decoderWarningOf, encodeImage, inputWarningLine, loadImage } from '../src/image/io.js';
import { LIFTED_SOURCE_MARK, readLiftedPrintMark, readLiftedSourceWarnings } from '../src/image/png.js';
import { loadComparable } from '../src/tasks/compare.js';
import { runLiftJob } from '../src/tasks/lift.js';
import { runPrintJob } from '../src/tasks/print.js';
import { readJsonTemplate } from '../src/formats/json.js';
import { rejection } from './helpers/errors.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-lift-marks-'));
const fixture = (f: string): string => join(repoRoot, 'fixtures', f);
const cli = (...a: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...a], { cwd: tmp, encoding: 'utf8' });
const WARNING = 'the JPEG data is damaged (such as corrupt entropy-coded data or a bad chunk) and was decoded anyway';

/** f1_photo.jpg with 200 bytes of its scan overwritten with zeros at 60% of the file: libjpeg warns and decodes on. */
function damagedPhoto(): Buffer {
  const b = Buffer.from(readFileSync(fixture('f1_photo.jpg')));
  const at = Math.floor(b.length * 0.6);
  b.fill(0, at, at + 200);
  return b;
}

let liftedPath = '';

test('lift of a damaged photo: each print carries the decoder warning; loading it restores it for extract, compare and the summaries', async () => {
  const photo = join(tmp, 'corrupt.jpg');
  writeFileSync(photo, damagedPhoto());
  const out = await runLiftJob(photo, 'corrupt', {});
  assert.is(out.fields.decoderWarning, true, 'the photo itself warns');
  const print = out.files.find((f) => f.suffix === '.f1.png');
  assert.ok(print, 'f1 is usable');
  const marks = readLiftedSourceWarnings(print!.bytes);
  assert.equal(marks, { decoder: WARNING, warnings: [] });
  assert.ok(readLiftedPrintMark(print!.bytes) !== undefined, 'the scale mark is still there');
  liftedPath = join(tmp, 'corrupt.f1.png');
  writeFileSync(liftedPath, print!.bytes);
  const loaded = await loadImage(liftedPath);
  assert.ok(loaded.notes.some((n) => n.startsWith(LIFTED_DAMAGED_NOTE)), loaded.notes.join(' | '));
  assert.is(decoderWarningOf(loaded), WARNING);
  assert.is(inputWarningLine(liftedPath, loaded), `warning: ${liftedPath}: lifted from a photo whose decoder warned of damaged data: ${WARNING}; its pixels, and results from them, may differ from the original capture`);
  // extract: the summary's warning and the JSON template's decoderWarning.
  const ex = await runPrintJob('extract', liftedPath, 'corrupt.f1', { format: 'json' });
  assert.is(ex.fields.decoderWarning, true);
  assert.match(String(ex.fields.warning), /lifted from a photo whose decoder warned of damaged data/);
  const t = readJsonTemplate(ex.files.find((f) => f.suffix === '.json')!.bytes);
  assert.is(t.decoderWarning, WARNING);
  assert.is(t.scaleEstimated, true);
  // compare (and search and eval, which load the same comparables): the warning beside the results.
  const c = await loadComparable(liftedPath);
  assert.ok((c.warnings ?? []).some((w) => w.includes('lifted from a photo whose decoder warned of damaged data')), JSON.stringify(c.warnings));
  // lift of the print itself is refused as a print already lifted, not said with the photo's damage.
  const again = await rejection(runLiftJob(liftedPath, 'again', {}));
  assert.match(again.message, /a print fingerlift already lifted from a photo/);
  assert.not.match(again.message, /decoder/);
  // A clean photo's print carries no such mark.
  const clean = await runLiftJob(fixture('f1_photo.jpg'), 'f1_photo', {});
  assert.is(readLiftedSourceWarnings(clean.files.find((f) => f.suffix === '.f1.png')!.bytes), undefined);
});

test("the photo's own warnings are carried too; a damaged mark chunk is ignored; a TIFF cannot carry them", async () => {
  const img = { width: 64, height: 64, data: new Float32Array(64 * 64).fill(0.5) };
  const png = await encodeImage(img, 'png', { ppi: 500, sourceWarnings: { warnings: ['JPEG ends without its EOI marker (FF D9): x'] } });
  const loaded = await loadImage(png);
  const note = loaded.notes.find((n) => n.startsWith(LIFTED_PHOTO_WARNING_NOTE));
  assert.is(note, `${LIFTED_PHOTO_WARNING_NOTE} (its mark says so): JPEG ends without its EOI marker (FF D9): x`);
  assert.is(decoderWarningOf(loaded), undefined);
  assert.is(inputWarningLine('p.png', loaded), `warning: p.png: the photo this print was lifted from (its mark says so): JPEG ends without its EOI marker (FF D9): x`);
  // Its CRC broken: the chunk is left out.
  const bad = Buffer.from(png);
  const at = bad.indexOf(Buffer.from(LIFTED_SOURCE_MARK.warningPrefix, 'latin1'));
  bad[at] = bad[at]! ^ 1;
  assert.is(readLiftedSourceWarnings(bad), undefined);
  assert.is((await rejection(encodeImage(img, 'tiff', { ppi: 500, sourceWarnings: { warnings: ['x'] } }))).code, 'E_INVALID_ARGUMENT');
});

test('enhance of a lifted print keeps its marks (scale estimated, source warnings); with --ppi the scale mark is dropped', async () => {
  assert.ok(liftedPath !== '');
  const en = await runPrintJob('enhance', liftedPath, 'corrupt.f1', {});
  const enhanced = en.files.find((f) => f.suffix === '.enhanced.png')!.bytes;
  assert.ok(readLiftedPrintMark(enhanced) !== undefined, 'scale mark carried forward');
  assert.equal(readLiftedSourceWarnings(enhanced), { decoder: WARNING, warnings: [] });
  const p = join(tmp, 'corrupt.f1.enhanced.png');
  writeFileSync(p, enhanced);
  const ex = await runPrintJob('extract', p, 'e', { format: 'json' });
  const t = readJsonTemplate(ex.files.find((f) => f.suffix === '.json')!.bytes);
  assert.is(t.scaleEstimated, true);
  assert.is(t.decoderWarning, WARNING);
  const given = await runPrintJob('enhance', liftedPath, 'corrupt.f1', { ppi: 500 });
  assert.is(readLiftedPrintMark(given.files.find((f) => f.suffix === '.enhanced.png')!.bytes), undefined);
  // A print that is not lifted gets no mark.
  const plain = await runPrintJob('enhance', fixture('f1_1.png'), 'f1_1', {});
  const b = plain.files.find((f) => f.suffix === '.enhanced.png')!.bytes;
  assert.is(readLiftedPrintMark(b), undefined);
  assert.is(readLiftedSourceWarnings(b), undefined);
});

test('CLI: extract --format json and search of a print lifted from a damaged photo say so', () => {
  assert.ok(liftedPath !== '');
  const ex = cli('extract', liftedPath, '-o', 'X', '--format', 'json', '-q');
  assert.is(ex.status, 0, ex.stderr);
  assert.match(ex.stderr, /warning: .*corrupt\.f1\.png: lifted from a photo whose decoder warned of damaged data/);
  assert.is(readJsonTemplate(readFileSync(join(tmp, 'X', 'corrupt.f1.json'))).decoderWarning, WARNING);
  mkdirSync(join(tmp, 'gallery'));
  writeFileSync(join(tmp, 'gallery', 'a.png'), readFileSync(fixture('f1_1.png')));
  const s = cli('search', liftedPath, '--gallery', join(tmp, 'gallery'), '--json');
  assert.is(s.status, 0, s.stderr);
  assert.match(s.stdout + s.stderr, /lifted from a photo whose decoder warned of damaged data/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
