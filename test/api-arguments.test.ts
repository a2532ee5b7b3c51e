/**
 * Bad arguments from plain JavaScript (no types to stop them) at the public API: every exported function
 * answers with a FingerliftError with a code, and a message that names the function, what it expected and
 * what it got, instead of a raw TypeError or a silent acceptance. Valid calls still work.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ndarray from 'ndarray';
import * as F from '../src/index.js';
import type { GrayImage, Template } from '../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = (...args: any[]) => unknown;
/** The function as plain JavaScript sees it: any arguments. */
const js = (f: unknown): Loose => f as Loose;

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-api-args-'));

// A small synthetic contact print (160 x 200, 500 ppi) and its template, for the valid calls.
const master = F.synthetic.generateMaster(7, { class: 'right-loop', width: 160, height: 200, seeds: 4 });
const print: GrayImage = master.image;
const printed = F.processPrint(print);
const template: Template = printed.template;
const prepared = F.prepare(template, { id: 'a' });
const gray = F.createGray(40, 40, 0.5);

async function outcome(call: () => unknown): Promise<{ error?: unknown; value?: unknown }> {
  try {
    return { value: await call() };
  } catch (error) {
    return { error };
  }
}

/** [call as a user writes it, the function the message must name, the call, expected code]. */
const BAD: Array<[string, string, () => unknown, F.ErrorCode]> = [
  // Reported by the fresh user.
  ['loadImage(undefined)', 'loadImage', () => js(F.loadImage)(undefined), 'E_INVALID_ARGUMENT'],
  ['loadImage(123)', 'loadImage', () => js(F.loadImage)(123), 'E_INVALID_ARGUMENT'],
  ['processPrint(undefined)', 'processPrint', () => js(F.processPrint)(undefined), 'E_INVALID_ARGUMENT'],
  ['processPrint({})', 'processPrint', () => js(F.processPrint)({}), 'E_INVALID_ARGUMENT'],
  ['extractMinutiae(undefined)', 'extractMinutiae', () => js(F.extractMinutiae)(undefined), 'E_INVALID_ARGUMENT'],
  ['extractMinutiae({})', 'extractMinutiae', () => js(F.extractMinutiae)({}), 'E_INVALID_ARGUMENT'],
  ['locateFingertips(undefined)', 'locateFingertips', () => js(F.locateFingertips)(undefined), 'E_INVALID_ARGUMENT'],
  ['search(template, undefined)', 'search', () => js(F.search)(template, undefined), 'E_INVALID_ARGUMENT'],
  ["writeTemplate(undefined, 'iso')", 'writeTemplate', () => js(F.writeTemplate)(undefined, 'iso'), 'E_INVALID_ARGUMENT'],
  ['readTemplate(undefined)', 'readTemplate', () => js(F.readTemplate)(undefined), 'E_INVALID_ARGUMENT'],
  ['verifyTrail(undefined)', 'verifyTrail', () => js(F.verifyTrail)(undefined, async () => new Map()), 'E_INVALID_ARGUMENT'],
  ['saveImage(gray, undefined)', 'saveImage', () => js(F.saveImage)(gray, undefined, { ppi: 500 }), 'E_INVALID_ARGUMENT'],
  ['encodeImage(undefined)', 'encodeImage', () => js(F.encodeImage)(undefined, 'png', { ppi: 500 }), 'E_INVALID_ARGUMENT'],
  ['toNdarray(undefined)', 'toNdarray', () => js(F.toNdarray)(undefined), 'E_INVALID_ARGUMENT'],
  ['runBatch(undefined)', 'runBatch', () => js(F.runBatch)(undefined), 'E_INVALID_ARGUMENT'],
  ['encodeImage(all NaN)', 'encodeImage', () => F.encodeImage({ width: 4, height: 4, data: new Float32Array(16).fill(NaN) }, 'png', { ppi: 500 }), 'E_INVALID_ARGUMENT'],
  ['encodeImage(an Infinity, 16 bit)', 'encodeImage', () => F.encodeImage({ width: 2, height: 1, data: Float32Array.of(0.5, Infinity) }, 'tiff', { ppi: 500, bitDepth: 16 }), 'E_INVALID_ARGUMENT'],
  ["processPrint(print, {}, { ppi: '500' })", 'processPrint', () => js(F.processPrint)(print, {}, { ppi: '500' }), 'E_INVALID_ARGUMENT'],
  ["processPrint(print, {}, { deblur: { psf: 'foo' } })", 'processPrint', () => js(F.processPrint)(print, {}, { deblur: { psf: 'foo' } }), 'E_INVALID_ARGUMENT'],
  // The same kind elsewhere in the API.
  ["processPrint(print, { ppi: '500' })", 'processPrint', () => js(F.processPrint)(print, { ppi: '500' }), 'E_INVALID_ARGUMENT'],
  ["processPrint(print, {}, { grey: 'purple' })", 'processPrint', () => js(F.processPrint)(print, {}, { grey: 'purple' }), 'E_INVALID_ARGUMENT'],
  ["liftPhoto(photo, { ppi: '300' })", 'liftPhoto', () => js(F.liftPhoto)(print, { ppi: '300' }), 'E_INVALID_ARGUMENT'],
  ["liftPhoto(photo, { deblur: { method: 'magic' } })", 'liftPhoto', () => js(F.liftPhoto)(print, { deblur: { method: 'magic' } }), 'E_INVALID_ARGUMENT'],
  ['decideResolution(undefined)', 'decideResolution', () => js(F.decideResolution)(undefined), 'E_INVALID_ARGUMENT'],
  ["decideResolution(gray, { option: '500' })", 'decideResolution', () => js(F.decideResolution)(gray, { option: '500' }), 'E_INVALID_ARGUMENT'],
  ['detectPrintPolarity({})', 'detectPrintPolarity', () => js(F.detectPrintPolarity)({}), 'E_INVALID_ARGUMENT'],
  ['detectPolarity(undefined)', 'detectPolarity', () => js(F.detectPolarity)(undefined), 'E_INVALID_ARGUMENT'],
  ['normaliseFingertip(undefined)', 'normaliseFingertip', () => js(F.normaliseFingertip)(undefined), 'E_INVALID_ARGUMENT'],
  ['normaliseFingertip(photo, undefined)', 'normaliseFingertip', () => js(F.normaliseFingertip)(print, undefined), 'E_INVALID_ARGUMENT'],
  ['scopedTrail(undefined, "f1.")', 'scopedTrail', () => js(F.scopedTrail)(undefined, 'f1.'), 'E_INVALID_ARGUMENT'],
  ['startRun(undefined)', 'startRun', () => js(F.startRun)(undefined, 'print', {}), 'E_INVALID_ARGUMENT'],
  ['toGray(undefined)', 'toGray', () => js(F.toGray)(undefined), 'E_INVALID_ARGUMENT'],
  ["toGray(rgb, 'purple')", 'toGray', () => js(F.toGray)(F.createRgb(4, 4), 'purple'), 'E_INVALID_ARGUMENT'],
  ['crop(undefined, 0, 0, 1, 1)', 'crop', () => js(F.crop)(undefined, 0, 0, 1, 1), 'E_INVALID_ARGUMENT'],
  ["crop(gray, '1', 0, 5, 5)", 'crop', () => js(F.crop)(gray, '1', 0, 5, 5), 'E_INVALID_ARGUMENT'],
  ['flipHorizontal({})', 'flipHorizontal', () => js(F.flipHorizontal)({}), 'E_INVALID_ARGUMENT'],
  ['flipVertical(undefined)', 'flipVertical', () => js(F.flipVertical)(undefined), 'E_INVALID_ARGUMENT'],
  ['invert({})', 'invert', () => js(F.invert)({}), 'E_INVALID_ARGUMENT'],
  ['rotate90(gray, 1.5)', 'rotate90', () => js(F.rotate90)(gray, 1.5), 'E_INVALID_ARGUMENT'],
  ['rotate(gray, undefined)', 'rotate', () => js(F.rotate)(gray, undefined), 'E_INVALID_ARGUMENT'],
  ['resample(undefined, 2)', 'resample', () => js(F.resample)(undefined, 2), 'E_INVALID_ARGUMENT'],
  ['resize(gray, 0, 10)', 'resize', () => js(F.resize)(gray, 0, 10), 'E_INVALID_ARGUMENT'],
  ['fromNdarray(undefined)', 'fromNdarray', () => js(F.fromNdarray)(undefined), 'E_INVALID_ARGUMENT'],
  ['fromNdarray(shape [2, 2, 4])', 'fromNdarray', () => F.fromNdarray(ndarray(new Float32Array(16), [2, 2, 4])), 'E_INVALID_ARGUMENT'],
  ["encodeImage(gray, 'jpeg')", 'encodeImage', () => js(F.encodeImage)(gray, 'jpeg', { ppi: 500 }), 'E_INVALID_ARGUMENT'],
  ['encodeImage(gray, png, undefined)', 'encodeImage', () => js(F.encodeImage)(gray, 'png', undefined), 'E_INVALID_ARGUMENT'],
  ['sha256Hex(undefined)', 'sha256Hex', () => js(F.sha256Hex)(undefined), 'E_INVALID_ARGUMENT'],
  ["loadImage(path, { maxPixels: 'many' })", 'loadImage', () => js(F.loadImage)('x.png', { maxPixels: 'many' }), 'E_INVALID_ARGUMENT'],
  ['extractMinutiaeDetailed({ enhanced: gray })', 'extractMinutiae', () => js(F.extractMinutiaeDetailed)({ enhanced: gray }), 'E_INVALID_ARGUMENT'],
  ['extractMinutiae(result, null)', 'extractMinutiae', () => js(F.extractMinutiae)(printed.enhancement, null), 'E_INVALID_ARGUMENT'],
  ['search(template, [prepared], null)', 'search', () => js(F.search)(template, [prepared], null), 'E_INVALID_ARGUMENT'],
  ['searchThreaded(template, undefined)', 'search', () => js(F.searchThreaded)(template, undefined), 'E_INVALID_ARGUMENT'],
  ['new SearchPool(undefined)', 'search', () => new (F.SearchPool as unknown as new (g: unknown) => unknown)(undefined), 'E_INVALID_ARGUMENT'],
  ['prepareAcrossScales(undefined)', 'prepareAcrossScales', () => js(F.prepareAcrossScales)(undefined), 'E_INVALID_ARGUMENT'],
  ['compareAcrossScales(undefined, template)', 'compareAcrossScales', () => js(F.compareAcrossScales)(undefined, template), 'E_INVALID_ARGUMENT'],
  ['evaluate(undefined, [1])', 'evaluate', () => js(F.evaluate)(undefined, [1]), 'E_INVALID_ARGUMENT'],
  ['allPairs(undefined, score)', 'allPairs', () => js(F.allPairs)(undefined, () => 0), 'E_INVALID_ARGUMENT'],
  ['allPairs(items, undefined)', 'allPairs', () => js(F.allPairs)([{ label: 'a', item: 1 }, { label: 'b', item: 2 }], undefined), 'E_INVALID_ARGUMENT'],
  ['detCsv(undefined)', 'detCsv', () => js(F.detCsv)(undefined), 'E_INVALID_ARGUMENT'],
  ['readTemplateFile(undefined)', 'readTemplateFile', () => js(F.readTemplateFile)(undefined), 'E_INVALID_ARGUMENT'],
  ['readTemplate(bytes, 42)', 'readTemplate', () => js(F.readTemplate)(new Uint8Array(4), 42), 'E_INVALID_ARGUMENT'],
  ['detectTemplateFormat(undefined)', 'detectTemplateFormat', () => js(F.detectTemplateFormat)(undefined), 'E_INVALID_ARGUMENT'],
  ["writeTemplate({ minutiae: [null] }, 'xyt')", 'writeTemplate', () => js(F.writeTemplate)({ width: 10, height: 10, ppi: 500, minutiae: [null] }, 'xyt'), 'E_INVALID_ARGUMENT'],
  ["writeTemplate({ width, height, ppi }, 'iso')", 'writeTemplate', () => js(F.writeTemplate)({ width: 10, height: 10, ppi: 500 }, 'iso'), 'E_INVALID_ARGUMENT'],
  ['verifyTrail(trail, undefined)', 'verifyTrail', async () => js(F.verifyTrail)(await trailOf(), undefined), 'E_INVALID_ARGUMENT'],
  ['verifyTrailFile(undefined, replay)', 'loadTrail', () => js(F.verifyTrailFile)(undefined, async () => new Map()), 'E_INVALID_ARGUMENT'],
  ['loadTrail(undefined)', 'loadTrail', () => js(F.loadTrail)(undefined), 'E_INVALID_ARGUMENT'],
  ['formatVerifyReport(undefined)', 'formatVerifyReport', () => js(F.formatVerifyReport)(undefined), 'E_INVALID_ARGUMENT'],
  ['describeInput(undefined)', 'describeInput', () => js(F.describeInput)(undefined), 'E_INVALID_ARGUMENT'],
  ['describeInputFile(undefined)', 'describeInputFile', () => js(F.describeInputFile)(undefined), 'E_INVALID_ARGUMENT'],
  ['renderReport(undefined)', 'renderReport', () => js(F.renderReport)(undefined), 'E_INVALID_ARGUMENT'],
  ['renderReport({})', 'renderReport', () => js(F.renderReport)({}), 'E_INVALID_ARGUMENT'],
  ['expandInputs(undefined)', 'expandInputs', () => js(F.expandInputs)(undefined), 'E_INVALID_ARGUMENT'],
  ["expandInputs('a.png')", 'expandInputs', () => js(F.expandInputs)('a.png'), 'E_INVALID_ARGUMENT'],
  ['runBatch({ inputs: undefined, ... })', 'runBatch', () => js(F.runBatch)({ taskModule: 'x.ts', options: {}, outDir: tmp }), 'E_INVALID_ARGUMENT'],
  ['runBatch({ inputs: [], outDir: undefined, ... })', 'runBatch', () => js(F.runBatch)({ inputs: [], taskModule: 'x.ts', options: {} }), 'E_INVALID_ARGUMENT'],
  // Stage namespaces (formats, draw, minutiae stages, normalise).
  ['formats.readIsoTemplate(undefined)', 'readIsoTemplate', () => js(F.formats.readIsoTemplate)(undefined), 'E_INVALID_ARGUMENT'],
  ['formats.readJsonTemplate(42)', 'readJsonTemplate', () => js(F.formats.readJsonTemplate)(42), 'E_INVALID_ARGUMENT'],
  ["formats.readXyt('1 2 3', 'a.xyt')", 'readXyt', () => js(F.formats.readXyt)('1 2 3', 'a.xyt'), 'E_INVALID_ARGUMENT'],
  ['formats.writeXyt(undefined)', 'writeXyt', () => js(F.formats.writeXyt)(undefined), 'E_INVALID_ARGUMENT'],
  ['formats.writeJsonTemplate(undefined)', 'writeJsonTemplate', () => js(F.formats.writeJsonTemplate)(undefined), 'E_INVALID_ARGUMENT'],
  ['formats.writeIsoTemplate(undefined)', 'templateToIsoRecord', () => js(F.formats.writeIsoTemplate)(undefined), 'E_INVALID_ARGUMENT'],
  ['formats.writeIsoRecord(undefined)', 'writeIsoRecord', () => js(F.formats.writeIsoRecord)(undefined), 'E_INVALID_ARGUMENT'],
  ['formats.isoViewToTemplate(undefined)', 'isoViewToTemplate', () => js(F.formats.isoViewToTemplate)(undefined), 'E_INVALID_ARGUMENT'],
  ['formats.fmrStandard(undefined)', 'fmrStandard', () => js(F.formats.fmrStandard)(undefined), 'E_INVALID_ARGUMENT'],
  ['draw.toRgbBytes(undefined)', 'toRgbBytes', () => js(F.draw.toRgbBytes)(undefined), 'E_INVALID_ARGUMENT'],
  ['draw.drawMinutiae(gray, undefined)', 'drawMinutiae', () => js(F.draw.drawMinutiae)(gray, undefined), 'E_INVALID_ARGUMENT'],
  ['draw.drawMask(gray, undefined)', 'drawMask', () => js(F.draw.drawMask)(gray, undefined), 'E_INVALID_ARGUMENT'],
  ['draw.drawOrientation(gray, undefined)', 'drawOrientation', () => js(F.draw.drawOrientation)(gray, undefined), 'E_INVALID_ARGUMENT'],
  ['draw.drawHeatmap(undefined, [0, 1])', 'drawHeatmap', () => js(F.draw.drawHeatmap)(undefined, [0, 1]), 'E_INVALID_ARGUMENT'],
  ['draw.drawBoxes(gray, undefined)', 'drawBoxes', () => js(F.draw.drawBoxes)(gray, undefined), 'E_INVALID_ARGUMENT'],
  ['draw.plotScores(undefined, [])', 'plotScores', () => js(F.draw.plotScores)(undefined, []), 'E_INVALID_ARGUMENT'],
  ['draw.plotDet(undefined)', 'plotDet', () => js(F.draw.plotDet)(undefined), 'E_INVALID_ARGUMENT'],
  ['minutiae.binarise(gray, undefined)', 'binarise', () => js(F.minutiae.binarise)(gray, undefined), 'E_INVALID_ARGUMENT'],
  ['minutiae.thin(undefined)', 'thin', () => js(F.minutiae.thin)(undefined), 'E_INVALID_ARGUMENT'],
  ['minutiae.removeSmallIslands({})', 'removeSmallIslands', () => js(F.minutiae.removeSmallIslands)({}), 'E_INVALID_ARGUMENT'],
  ['minutiae.crossingNumberMinutiae(undefined)', 'crossingNumberMinutiae', () => js(F.minutiae.crossingNumberMinutiae)(undefined), 'E_INVALID_ARGUMENT'],
  ['minutiae.maskBorderDistance(undefined)', 'maskBorderDistance', () => js(F.minutiae.maskBorderDistance)(undefined), 'E_INVALID_ARGUMENT'],
  ['minutiae.removeClusters(undefined)', 'removeClusters', () => js(F.minutiae.removeClusters)(undefined), 'E_INVALID_ARGUMENT'],
  ['minutiae.removeBrokenRidges(undefined)', 'removeBrokenRidges', () => js(F.minutiae.removeBrokenRidges)(undefined), 'E_INVALID_ARGUMENT'],
  ['minutiae.removeSpurs([], undefined)', 'removeSpurs', () => js(F.minutiae.removeSpurs)([], undefined), 'E_INVALID_ARGUMENT'],
  ['minutiae.selectUnderCap(undefined, [], 5)', 'selectUnderCap', () => js(F.minutiae.selectUnderCap)(undefined, [], 5), 'E_INVALID_ARGUMENT'],
  ['normalise.measureRidgeEvidence(undefined)', 'measureRidgeEvidence', () => js(F.normalise.measureRidgeEvidence)(undefined), 'E_INVALID_ARGUMENT'],
  ['normalise.estimateRidgePeriodSpectral(undefined)', 'estimateRidgePeriodSpectral', () => js(F.normalise.estimateRidgePeriodSpectral)(undefined), 'E_INVALID_ARGUMENT'],
  ['normalise.estimateRidgePeriodTiles(undefined)', 'estimateRidgePeriodTiles', () => js(F.normalise.estimateRidgePeriodTiles)(undefined), 'E_INVALID_ARGUMENT'],
];

async function trailOf(): Promise<F.Trail> {
  const t = new F.AuditTrail({ command: 'test', options: {} });
  t.setInput(F.describeInput('in.png', new Uint8Array([1, 2, 3])));
  t.recordStep('noop', {}, 0, new Uint8Array([1]));
  return t.toJSON();
}

test('bad arguments: a FingerliftError with its code, naming the function, what it expected and what it got', async () => {
  const wrong: string[] = [];
  for (const [call, fn, run, code] of BAD) {
    const { error } = await outcome(run);
    if (!(error instanceof F.FingerliftError)) {
      wrong.push(`${call}: ${error === undefined ? 'no error' : `${(error as Error)?.name}: ${(error as Error)?.message}`}`);
      continue;
    }
    if (error.code !== code) wrong.push(`${call}: ${error.code} (expected ${code}): ${error.message}`);
    else if (!error.message.includes(fn)) wrong.push(`${call}: message does not name ${fn}: ${error.message}`);
  }
  assert.equal(wrong, [], wrong.join('\n'));
});

test('messages say what was given and what is accepted', async () => {
  const message = async (run: () => unknown): Promise<string> => {
    const { error } = await outcome(run);
    assert.instance(error, F.FingerliftError);
    return (error as F.FingerliftError).message;
  };
  // A string ppi: said to be a string, and that a number is needed.
  const ppi = await message(() => js(F.processPrint)(print, {}, { ppi: '500' }));
  assert.match(ppi, /must be a number/);
  assert.match(ppi, /the string "500"/);
  // An unknown PSF: the value given, and the accepted forms.
  const psf = await message(() => js(F.processPrint)(print, {}, { deblur: { psf: 'foo' } }));
  assert.match(psf, /the string "foo"/);
  assert.match(psf, /'auto' or a PSF object/);
  assert.match(psf, /parsePsf/);
  // What loadImage got.
  assert.match(await message(() => js(F.loadImage)(123)), /got the number 123/);
  // NaN in encodeImage: where, and that values must be finite.
  const nan = await message(() => F.encodeImage({ width: 3, height: 2, data: Float32Array.of(0, 0, 0, 0, NaN, 0) }, 'png', { ppi: 500 }));
  assert.match(nan, /value NaN at x 1, y 1/);
  assert.match(nan, /finite/);
  // A gallery that is not an array.
  assert.match(await message(() => js(F.search)(template, undefined)), /search: gallery: expected an array of PreparedTemplate, .*got undefined|search: gallery: expected an array of PreparedTemplate \(.*\), got undefined/);
});

test('valid calls still work (defaults: processPrint source {}, readTemplate name)', async () => {
  // processPrint with no second argument: source defaults to {} (resolution decided from the print).
  assert.is(template.ppi, 500);
  assert.is(template.width, print.width);
  assert.ok(template.minutiae.length >= 12, `${template.minutiae.length} minutiae`);
  assert.is(printed.decisions.resolution.ppi, 500);
  // Same result with an explicit empty source (deterministic).
  assert.equal(F.processPrint(print, {}).template, template);
  // extractMinutiae on enhance's result.
  assert.equal(F.extractMinutiae(printed.enhancement), template);
  // readTemplate without a name: 'template', format from the content.
  for (const format of ['iso', 'json'] as const) {
    const bytes = F.writeTemplate(template, format);
    const back = F.readTemplate(bytes);
    assert.is(back.minutiae.length, template.minutiae.length, format);
    assert.is(F.readTemplateFile(bytes).format, format === 'iso' ? 'iso' : 'json');
  }
  // search with a prepared gallery.
  const found = F.search(template, [prepared]);
  assert.is(found.length, 1);
  assert.ok(found[0]!.score > 0);
  // encode/save/load round trip; values outside [0, 1] are clamped (documented).
  const clampMe: GrayImage = { width: 2, height: 1, data: Float32Array.of(-0.5, 1.5) };
  const loaded = await F.loadImage(await F.encodeImage(clampMe, 'png', { ppi: 500 }), { minSide: 1 });
  assert.equal(Array.from(loaded.image.data), [0, 1]);
  const path = join(tmp, 'g.png');
  await F.saveImage(gray, path, { ppi: 500 });
  const again = await F.loadImage(path);
  assert.is(again.ppi, 500);
  assert.is(again.image.width, 40);
  // ndarray views both ways.
  const view = F.toNdarray(gray);
  assert.equal(view.shape, [40, 40]);
  assert.is(F.fromNdarray(view).data, gray.data);
  // Image operations.
  assert.is(F.crop(gray, 0, 0, 10, 5).width, 10);
  assert.is(F.rotate90(gray, 1).height, 40);
  assert.is(F.resize(gray, 20, 10).width, 20);
  // Audit trail verification with a replay that reproduces the recorded step.
  const trail = await trailOf();
  const report = await F.verifyTrail(trail, async () => new Map([['noop', trail.steps[0]!.outputSha256]]), { checkInput: false });
  assert.ok(report.ok, F.formatVerifyReport(report));
  // Stage functions on valid input.
  assert.ok(F.formats.looksLikeFmr(F.writeTemplate(template, 'iso')));
  assert.is(js(F.formats.looksLikeFmr)(undefined), false);
  assert.is(F.formats.readIsoTemplate(F.writeTemplate(template, 'iso')).minutiae.length, template.minutiae.length);
  const binary = F.minutiae.binarise(printed.enhancement.enhanced, printed.enhancement.mask);
  assert.is(F.minutiae.thin(binary).data.length, binary.data.length);
  assert.ok((await F.draw.drawMinutiae(printed.enhancement.enhanced, template)).length > 0);
  // runBatch with nothing to do still runs.
  const batch = await F.runBatch({ inputs: [], jobs: 1, taskModule: new URL('./fixtures-batch/grey-png.ts', import.meta.url), task: 'greyPng', options: { sigma: 1 }, outDir: join(tmp, 'out'), quiet: true });
  assert.is(batch.done.length + batch.failed.length, 0);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
