/**
 * Regression cases from ../shared/cases (README there): each fixes a whole kind of fault.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadImage, encodeImage } from '../src/image/io.js';
import { processPrint, type PrintResult } from '../src/pipeline.js';
import { compare } from '../src/compare/index.js';
import { DECISION_THRESHOLDS } from '../src/compare/thresholds.js';
import type { Template } from '../src/minutiae/types.js';
import { FingerliftError } from '../src/errors.js';
import { requireCase } from './helpers/data.js';
import sharp from 'sharp';

async function run(dir: string, file: string): Promise<PrintResult> {
  const l = await loadImage(join(dir, file));
  return processPrint(l.image, { ppi: l.ppi, declaredPpi: l.source.declaredPpi });
}

let original: PrintResult | undefined;
async function reference(): Promise<PrintResult | undefined> {
  const d = requireCase('no-density', 'original of the derived cases');
  if (!d) return undefined;
  original ??= await run(d, '103_2.png');
  return original;
}

/** Share of `a`'s minutiae with one of `b`'s within `px` pixels. */
function agreement(a: Template, b: Template, px: number): number {
  if (a.minutiae.length === 0) return 0;
  let hit = 0;
  for (const m of a.minutiae) if (b.minutiae.some((n) => Math.hypot(m.x - n.x, m.y - n.y) <= px)) hit++;
  return hit / a.minutiae.length;
}

test('no-density: loads, ppi unknown, 500 ppi assumed and recorded', async () => {
  const r = await reference();
  if (!r) return;
  assert.is(r.decisions.resolution.ppi, 500);
  assert.is(r.decisions.resolution.basis, 'assumed-500');
  assert.match(r.decisions.resolution.note, /no resolution/);
  assert.ok(r.template.minutiae.length >= 15, `${r.template.minutiae.length} minutiae`);
});

test('wrong-dpi: the 96 dpi tag is rejected, the scale comes from the ridge period, never 96', async () => {
  const d = requireCase('wrong-dpi', 'wrong dpi');
  if (!d) return;
  const r = await run(d, '103_2-tagged96.png');
  assert.is.not(r.decisions.resolution.ppi, 96);
  assert.ok(Math.abs(r.decisions.resolution.ppi - 500) < 1);
  assert.is(r.decisions.resolution.declaredPpi, 96.01);
  assert.match(r.decisions.resolution.note, /implausible/);
  assert.ok(r.decisions.resolution.ridgePeriodPx! > 7 && r.decisions.resolution.ridgePeriodPx! < 12);
});

test('binary-01: treated by its real range; works; saved output is not a 0/1 image', async () => {
  const d = requireCase('binary-01', 'binary 0/1');
  const ref = await reference();
  if (!d || !ref) return;
  const r = await run(d, '103_2-binary01.png');
  assert.ok(r.template.minutiae.length >= 10, `${r.template.minutiae.length} minutiae`);
  const png = await encodeImage(r.enhancement.enhanced, 'png', { ppi: 500 });
  const stats = await sharp(png).stats();
  assert.ok(stats.channels[0]!.max - stats.channels[0]!.min > 200, 'enhanced output spans the grey range');
  assert.ok(compare(r.template, ref.template).score >= DECISION_THRESHOLDS.fmr0_1, 'binarised copy matches the original');
});

test('inverted: polarity detected, ridges come out dark, minutiae equal the original within tolerance', async () => {
  const d = requireCase('inverted', 'inverted');
  const ref = await reference();
  if (!d || !ref) return;
  const r = await run(d, '103_2-inverted.png');
  assert.ok(r.decisions.polarity.inverted, r.decisions.polarity.note);
  assert.ok(agreement(r.template, ref.template, 8) >= 0.7, `agreement ${agreement(r.template, ref.template, 8)}`);
  assert.ok(agreement(ref.template, r.template, 8) >= 0.7);
  assert.ok(compare(r.template, ref.template).score >= DECISION_THRESHOLDS.fmr0_1);
});

test('low-contrast: minutiae found, self-comparison far above the FMR 0.1% threshold', async () => {
  const d = requireCase('low-contrast', 'low contrast');
  if (!d) return;
  const r = await run(d, '103_2-lowcontrast.png');
  assert.ok(r.template.minutiae.length >= 15, `${r.template.minutiae.length} minutiae`);
  const self = compare(r.template, r.template).score;
  assert.ok(self > 3 * DECISION_THRESHOLDS.fmr0_1, `self score ${self}`);
  const ref = await reference();
  if (ref) assert.ok(compare(r.template, ref.template).score >= DECISION_THRESHOLDS.fmr0_1);
});

test('tiny-patch: processed with few minutiae, or a typed error; never a crash', async () => {
  const d = requireCase('tiny-patch', 'tiny patch');
  if (!d) return;
  try {
    const r = await run(d, '103_2-patch64.png');
    assert.ok(r.template.minutiae.length < 15);
    assert.is(r.template.width, 64);
  } catch (e) {
    assert.instance(e, FingerliftError);
  }
});

test('exif-rotated: loads upright, minutiae equal the original within tolerance', async () => {
  const d = requireCase('exif-rotated', 'EXIF orientation 6');
  const ref = await reference();
  if (!d || !ref) return;
  const r = await run(d, '103_2-exif6.jpg');
  assert.is(r.enhancement.enhanced.width, 388);
  assert.is(r.enhancement.enhanced.height, 374);
  assert.ok(agreement(r.template, ref.template, 8) >= 0.7, `agreement ${agreement(r.template, ref.template, 8)}`);
  assert.ok(compare(r.template, ref.template).score >= DECISION_THRESHOLDS.fmr0_1);
});

test.run();
