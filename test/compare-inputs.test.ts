/**
 * What `compare` and `search` accept as inputs (a fresh user's trial): a template over the comparison's
 * minutiae limit fails for that file only; an image saved under a template extension is read as an image;
 * a photo's fingertip can be chosen; fingerlift's own comparison charts and JSON files that are not
 * templates are never compared as fingerprints. Fixtures only (no ../shared/data).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadComparable, comparisonChart, compareAll, imageMagic, withPngText, CHART_MARK } from '../src/tasks/compare.js';
import { writeJsonTemplate } from '../src/formats/json.js';
import { MAX_COMPARED_MINUTIAE } from '../src/compare/prepare.js';
import { FingerliftError } from '../src/errors.js';
import { Rng } from '../src/synthetic/index.js';
import type { Minutia, Template } from '../src/minutiae/types.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-cmpin-'));
const fixture = (f: string): string => join(repoRoot, 'fixtures', f);
const cli = (...a: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...a], { cwd: tmp, encoding: 'utf8' });

/** `n` seeded minutiae on a 2000 x 2000 image at 500 ppi. */
function bigTemplate(n: number): Template {
  const rng = new Rng(3);
  const m: Minutia[] = [];
  for (let i = 0; i < n; i++) m.push({ x: rng.next() * 1999, y: rng.next() * 1999, angle: rng.next() * 6.28, type: i % 2 ? 'ending' : 'bifurcation', quality: 0.5 });
  return { width: 2000, height: 2000, ppi: 500, minutiae: m };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, FingerliftError);
    return (e as FingerliftError).code;
  }
  return 'none';
}

test('a template over the comparison limit is refused on loading (E_TEMPLATE_FORMAT, naming the file); compare goes on past it', async () => {
  const big = join(tmp, 'm1001.json');
  writeFileSync(big, writeJsonTemplate(bigTemplate(MAX_COMPARED_MINUTIAE + 1)));
  try {
    await loadComparable(big);
    assert.unreachable('accepted');
  } catch (e) {
    assert.is((e as FingerliftError).code, 'E_TEMPLATE_FORMAT');
    assert.match((e as Error).message, /m1001\.json.*1001 minutiae, more than 1000/);
  }
  writeFileSync(join(tmp, 'ok.json'), writeJsonTemplate(bigTemplate(40)));
  const r = cli('compare', 'ok.json', 'ok.json', big);
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.not.match(r.stderr, /\n\s+at /, 'a stack trace');
  assert.match(r.stderr, /m1001\.json.*E_TEMPLATE_FORMAT|E_TEMPLATE_FORMAT.*m1001\.json/);
  assert.match(r.stdout, /ok\.json/);
  // convert needs no comparison: the large template converts to .xyt; ISO (255 per view) fails, naming the input.
  const cx = cli('convert', big, '--to', 'xyt', '-o', 'big.xyt');
  assert.is(cx.status, 0, cx.stderr);
  const ci = cli('convert', big, '--to', 'ansi', '-o', 'big.ansi');
  assert.is(ci.status, 1);
  assert.match(ci.stderr, /m1001\.json.*cannot be converted to ansi.*ANSI INCITS 378-2004 holds at most 255/);
  const s = cli('search', 'ok.json', '--gallery', tmp);
  assert.is(s.status, 1);
  assert.not.match(s.stderr, /\n\s+at /, 'a stack trace');
  assert.match(s.stdout, /1\.\s+\S+\s+\d+ mated/);
});

test('an image saved under a template extension is read as the image its bytes say; image signatures', async () => {
  copyFileSync(fixture('f1_1.png'), join(tmp, 'print.xyt'));
  const c = await loadComparable(join(tmp, 'print.xyt'), { imageKind: 'print' });
  assert.is(c.kind, 'print');
  assert.ok(c.notes.some((n) => /holds a PNG image/.test(n)), c.notes.join('; '));
  assert.is(imageMagic(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), 'JPEG');
  assert.is(imageMagic(new Uint8Array([0x49, 0x49, 0x2a, 0x00])), 'TIFF');
  assert.is(imageMagic(new TextEncoder().encode('{ "format": ')), undefined);
  assert.is(imageMagic(new TextEncoder().encode('FMR\0 20')), undefined);
  assert.is(imageMagic(new TextEncoder().encode('120 45 90 60\n')), undefined);
});

test('a fingertip is chosen in photos only: asked of a template or a print, E_INVALID_ARGUMENT', async () => {
  writeFileSync(join(tmp, 't.json'), writeJsonTemplate(bigTemplate(30)));
  assert.is(await codeOf(loadComparable(join(tmp, 't.json'), { fingertip: 1 })), 'E_INVALID_ARGUMENT');
  assert.is(await codeOf(loadComparable(fixture('f1_2.png'), { fingertip: 1, imageKind: 'print' })), 'E_INVALID_ARGUMENT');
  assert.is(await codeOf(loadComparable(fixture('f2_photo.jpg'), { fingertip: 9 })), 'E_NO_FINGER');
  const one = await loadComparable(fixture('f2_photo.jpg'), { fingertip: 1 });
  assert.ok(one.notes.some((n) => /fingertip 1 of/.test(n)), one.notes.join('; '));
});

test('a comparison chart carries fingerlift\'s mark and is refused as an input; other galleries\' JSON files are left out with a note', async () => {
  const a = await loadComparable(fixture('f1_1.png'), { imageKind: 'print' });
  const b = await loadComparable(fixture('f1_2.png'), { imageKind: 'print' });
  const png = await comparisonChart(a, b, compareAll(a, [b])[0]!.result, 'test');
  const mark = Buffer.from(`tEXt${CHART_MARK.keyword}\0${CHART_MARK.value}`, 'latin1');
  assert.ok(png.subarray(37, 37 + mark.length).equals(mark), 'the mark is not right after IHDR');
  const gallery = join(tmp, 'gallery');
  mkdirSync(gallery);
  writeFileSync(join(gallery, 'my chart.png'), png);
  assert.is(await codeOf(loadComparable(join(gallery, 'my chart.png'))), 'E_UNSUPPORTED_FORMAT');
  // The chart still decodes as a PNG (the text chunk is a valid one).
  const sharp = (await import('sharp')).default;
  assert.ok((await sharp(png).metadata()).width! > 0);
  assert.throws(() => withPngText(new Uint8Array(10), 'k', 'v'), (e: unknown) => (e as FingerliftError).code === 'E_INVALID_ARGUMENT');
  // A gallery of a print, its ground-truth JSON and the chart: the JSON is left out with a note, the chart fails.
  copyFileSync(fixture('f1_3.png'), join(gallery, 'f1_3.png'));
  copyFileSync(fixture('f1_3.json'), join(gallery, 'f1_3.truth.json'));
  const r = cli('search', fixture('f1_4.png'), '--gallery', gallery, '--image-kind', 'print');
  assert.match(r.stderr, /1 JSON file\(s\) found in the folders are not fingerlift templates/);
  assert.match(r.stderr, /my chart\.png.*E_UNSUPPORTED_FORMAT|E_UNSUPPORTED_FORMAT.*my chart\.png/);
  assert.match(r.stdout, /f1_3/);
  assert.not.match(r.stdout, /truth|chart/);
  // Named explicitly, a JSON file that is not a template is an error.
  const n = cli('compare', fixture('f1_4.png'), join(gallery, 'f1_3.truth.json'), '--image-kind', 'print');
  assert.is(n.status, 1);
  assert.match(n.stderr, /E_TEMPLATE_FORMAT/);
  assert.ok(readFileSync(join(gallery, 'f1_3.truth.json')).length > 0);
});

test('a FIFO linked into a gallery is refused, never opened; template sizes are bounded (read and drawn)', async () => {
  const g = join(tmp, 'gfifo');
  mkdirSync(g);
  const made = spawnSync('mkfifo', [join(tmp, 'fifo')]);
  if (made.status === 0) {
    symlinkSync(join(tmp, 'fifo'), join(g, 's.tif'));
    symlinkSync(join(tmp, 'fifo'), join(g, 's.json'));
    writeFileSync(join(g, 'ok.json'), writeJsonTemplate(bigTemplate(40)));
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), 'search', join(g, 'ok.json'), '--gallery', g], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
    assert.is(r.signal, null, 'search hung on a FIFO in the gallery');
    assert.is(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /not a regular file/);
  } else console.log('SKIP: mkfifo unavailable: the FIFO case is not tested here');
  // Width and height of a JSON template: 1-100000 pixels.
  const huge = new TextDecoder().decode(writeJsonTemplate(bigTemplate(30))).replace('"width": 2000', '"width": 200000');
  writeFileSync(join(tmp, 'wide.json'), huge);
  assert.is(await codeOf(loadComparable(join(tmp, 'wide.json'))), 'E_TEMPLATE_FORMAT');
  // 60000 x 60000 reads, compares, but its chart (a blank canvas of that size) is refused at once.
  const big = new TextDecoder().decode(writeJsonTemplate(bigTemplate(30))).replace('"width": 2000', '"width": 60000').replace('"height": 2000', '"height": 60000');
  writeFileSync(join(tmp, 'big60k.json'), big);
  const c = cli('compare', join(tmp, 'big60k.json'), join(tmp, 'big60k.json'), '--chart', join(tmp, 'big.png'));
  assert.is(c.status, 1, c.stdout + c.stderr);
  assert.match(c.stderr, /E_TOO_LARGE.*too large to draw/);
  assert.not.match(c.stderr, /E_INTERNAL|RangeError/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
