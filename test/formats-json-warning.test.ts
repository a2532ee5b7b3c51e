/**
 * Templates made from damaged images (the decoder warned and decoded anyway) carried no word of it in the
 * JSON template. The JSON format's optional "decoderWarning" records it (read, written, checked; files
 * without it read as before); extract -f json and lift fill it; compare reports it as it does an image's
 * warning; extract -f xyt/iso and convert to a format without the field say on stderr that it is not kept.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readJsonTemplate, writeJsonTemplate, type JsonTemplate } from '../src/formats/json.js';
import { readTemplateFile, writeTemplate } from '../src/formats/index.js';
import { runPrintJob } from '../src/tasks/print.js';
import { runLiftJob } from '../src/tasks/lift.js';
import { loadComparable } from '../src/tasks/compare.js';
import { FingerliftError } from '../src/errors.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-json-warning-'));
const fixture = (f: string): string => join(repoRoot, 'fixtures', f);
const cli = (...a: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...a], { cwd: tmp, encoding: 'utf8' });
const WARNING = 'the JPEG data is damaged (such as corrupt entropy-coded data or a bad chunk) and was decoded anyway';

/** A copy of a JPEG with bytes from `from` (a fraction of its length) on, every `step`, inverted: libjpeg warns and decodes on. */
function flipTail(jpg: Buffer, from: number, step: number): Buffer {
  const b = Buffer.from(jpg);
  for (let i = Math.floor(b.length * from); i < b.length - 2; i += step) b[i] = b[i]! ^ 0xff;
  return b;
}

const base: JsonTemplate = { width: 300, height: 400, ppi: 500, minutiae: [{ x: 10.5, y: 20, angle: 1, type: 'ending', quality: 0.8 }] };

test('"decoderWarning": written after scaleEstimated, read back exactly; a file without it reads as before (no such key)', () => {
  const text = new TextDecoder().decode(writeJsonTemplate({ ...base, scaleEstimated: true, decoderWarning: WARNING }));
  assert.match(text, /"ppi": 500,\n {2}"scaleEstimated": true,\n {2}"decoderWarning": "the JPEG data is damaged \(such as corrupt entropy-coded data or a bad chunk\) and was decoded anyway",\n {2}"minutiae": \[/);
  assert.match(text, /"version": 1,/);
  assert.equal(readJsonTemplate(text), { ...base, scaleEstimated: true, decoderWarning: WARNING });
  const old = new TextDecoder().decode(writeJsonTemplate(base));
  assert.not.match(old, /decoderWarning/);
  const read = readJsonTemplate(old);
  assert.equal(read, base);
  assert.not.ok('decoderWarning' in read);
  // Through the format-independent reader and writer too; .xyt and ISO cannot hold it.
  const file = readTemplateFile(Buffer.from(text), 't.json');
  assert.is((file.template as JsonTemplate).decoderWarning, WARNING);
  assert.is(Buffer.from(writeTemplate(file.template, 'json')).toString('utf8'), text);
  assert.not.match(Buffer.from(writeTemplate(file.template, 'xyt')).toString('latin1'), /damaged/);
});

test('a bad "decoderWarning" is E_TEMPLATE_FORMAT naming the file and the field; writing one is E_INVALID_ARGUMENT', () => {
  const good = JSON.parse(new TextDecoder().decode(writeJsonTemplate(base))) as Record<string, unknown>;
  const cases: Array<[unknown, RegExp]> = [
    [42, /"decoderWarning" is the number 42, expected one line of text of 1-2000 characters \(or no such field\)/],
    ['', /"decoderWarning" is a string of 0 characters, expected/],
    ['x'.repeat(2001), /"decoderWarning" is a string of 2001 characters, expected/],
    ['two\nlines', /"decoderWarning" is a string of 9 characters holding a line break or another control character, expected/],
    [null, /"decoderWarning" is null, expected/],
  ];
  for (const [value, message] of cases) {
    const text = JSON.stringify({ ...good, decoderWarning: value });
    assert.throws(() => readJsonTemplate(text, 'bad.json'), (e: unknown) => e instanceof FingerliftError && e.code === 'E_TEMPLATE_FORMAT' && e.message.startsWith('bad.json: not a valid fingerlift JSON template: ') && message.test(e.message), String(value));
    assert.throws(() => writeJsonTemplate({ ...base, decoderWarning: value as string }), (e: unknown) => e instanceof FingerliftError && e.code === 'E_INVALID_ARGUMENT' && message.test(e.message), String(value));
  }
});

test('extract -f json and lift record the decoder warning in the template; compare reports it; a clean input has none', async () => {
  const clean = await sharp(fixture('f1_1.png')).jpeg({ quality: 92 }).toBuffer();
  const badPath = join(tmp, 'corrupt-print.jpeg');
  const cleanPath = join(tmp, 'clean-print.jpeg');
  writeFileSync(badPath, flipTail(clean, 0.85, 300));
  writeFileSync(cleanPath, clean);
  const out = await runPrintJob('extract', badPath, 'x', { imageKind: 'print', format: 'json' });
  const t = readJsonTemplate(out.files.find((f) => f.suffix === '.json')!.bytes);
  assert.is(t.decoderWarning, WARNING);
  assert.ok(t.minutiae.length > 0);
  const fine = await runPrintJob('extract', cleanPath, 'x', { imageKind: 'print', format: 'json' });
  assert.not.ok('decoderWarning' in readJsonTemplate(fine.files.find((f) => f.suffix === '.json')!.bytes));
  // compare, search and eval read it back as a warning beside the results.
  const templatePath = join(tmp, 'corrupt-print.json');
  writeFileSync(templatePath, out.files.find((f) => f.suffix === '.json')!.bytes);
  const c = await loadComparable(templatePath);
  const line = `warning: ${templatePath}: made from an image whose decoder warned of damaged data: ${WARNING}; its minutiae, and results from them, may differ from the original capture's`;
  assert.equal(c.warnings, [line]);
  assert.is(c.notes[0], line);
  // lift: each fingertip's template carries it, as <name>.lift.json does.
  const photo = await sharp(fixture('f2_photo.jpg')).jpeg({ quality: 80 }).toBuffer();
  const badPhoto = join(tmp, 'corrupt-photo.jpeg');
  writeFileSync(badPhoto, flipTail(photo, 0.9, 400));
  const lifted = await runLiftJob(badPhoto, 'p', {});
  const templates = lifted.files.filter((f) => /^\.f\d+\.json$/.test(f.suffix));
  assert.ok(templates.length >= 1, 'a usable fingertip');
  for (const f of templates) assert.is(readJsonTemplate(f.bytes).decoderWarning, WARNING, f.suffix);
});

test('CLI: extract -f xyt says the template cannot record the warning (-f json does not); convert to xyt says the field is not kept', async () => {
  const clean = await sharp(fixture('f1_2.png')).jpeg({ quality: 92 }).toBuffer();
  const badPath = join(tmp, 'damaged.jpeg');
  writeFileSync(badPath, flipTail(clean, 0.85, 300));
  const note = /^extract: note: .*damaged\.jpeg: the \.xyt template cannot record this warning \(only the JSON template has a field for it, "decoderWarning"; use -f json\); it is kept in the trail$/m;
  const xyt = cli('extract', badPath, '-o', 'out-xyt', '-q');
  assert.is(xyt.status, 0, xyt.stderr);
  assert.match(xyt.stderr, /^extract: warning: .*damaged\.jpeg: the decoder warned of damaged data/m);
  assert.match(xyt.stderr, note);
  const json = cli('extract', badPath, '-o', 'out-json', '-f', 'json', '-q');
  assert.is(json.status, 0, json.stderr);
  assert.not.match(json.stderr, /cannot record/);
  const templatePath = join(tmp, 'out-json', 'damaged.json');
  assert.is(readJsonTemplate(readFileSync(templatePath)).decoderWarning, WARNING);
  const conv = cli('convert', templatePath, '--to', 'iso', '-o', 'damaged.iso');
  assert.is(conv.status, 0, conv.stderr);
  assert.match(conv.stderr, /warning: .*damaged\.json: made from an image whose decoder warned of damaged data/);
  assert.match(conv.stderr, /iso has no field for the template's "decoderWarning" \(the image it was made from was damaged\): damaged\.iso does not carry it/);
  const same = cli('convert', templatePath, '--to', 'json', '-o', 'again.json');
  assert.is(same.status, 0, same.stderr);
  assert.equal(readFileSync(join(tmp, 'again.json')), readFileSync(templatePath));
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
