/**
 * The finger axis of a finger on its own (ridgebase crops: the finger leaves the frame on one side, the
 * contour's side pairs only approximate the axis): refined to the principal axis of the foreground
 * behind the tip (LOCATE_DEFAULTS.refineAxis).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { locateFingertips } from '../src/locate/index.js';
import { loadImage } from '../src/image/io.js';
import type { RgbImage } from '../src/image/types.js';
import { requireData } from './helpers/data.js';

const deg = (a: number): number => (a * 180) / Math.PI;
const off = (a: number, b: number): number => Math.abs(((((a - b) % 360) + 540) % 360) - 180);

test('crops of a left hand on background 2: every finger axis within 12 degrees of the crop\'s long side, toward the tip (right)', async () => {
  const d = requireData('ridgebase/crops', 'finger axis on crops');
  if (!d) return;
  const files = readdirSync(d).filter((n) => /^1_Apple_10727_2_LEFT_.*\.png$/.test(n));
  assert.is(files.length, 4);
  for (const f of files) {
    const { image } = await loadImage(join(d, f));
    const refined = locateFingertips(image as RgbImage, { name: f }).fingertips[0]!.box;
    assert.ok(off(deg(refined.angle), 0) <= 12, `${f}: axis ${deg(refined.angle).toFixed(0)} deg`);
  }
});

test('the refinement is what straightens the little finger of that hand (39 degrees without it)', async () => {
  const d = requireData('ridgebase/crops', 'finger axis refinement');
  if (!d) return;
  const f = readdirSync(d).find((n) => /^1_Apple_10727_2_LEFT_.*_3\.png$/.test(n))!;
  const { image } = await loadImage(join(d, f));
  const raw = locateFingertips(image as RgbImage, { name: f, refineAxis: false }).fingertips[0]!.box;
  const refined = locateFingertips(image as RgbImage, { name: f }).fingertips[0]!.box;
  assert.ok(off(deg(raw.angle), 0) > 20, `without refinement the axis is already ${deg(raw.angle).toFixed(0)} deg`);
  assert.ok(off(deg(refined.angle), 0) <= 12, `refined axis ${deg(refined.angle).toFixed(0)} deg`);
});

test.run();
