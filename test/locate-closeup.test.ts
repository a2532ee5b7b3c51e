/**
 * A finger filling the frame (fingerphoto Right_index: one fingertip close up, a skin-coloured wooden
 * background splitting the skin mask in half; Left_index: the background taken into the skin mask) is
 * one large usable fingertip, its tip where the ridge pattern is; a whole-hand photo whose background texture shows a coarse periodic pattern (hands/test3,
 * sweater knit) is not turned into a usable close-up.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadImage } from '../src/image/io.js';
import type { GrayImage, RgbImage } from '../src/image/types.js';
import { locateFingertips } from '../src/locate/index.js';
import { requireData } from './helpers/data.js';

async function locateIn(dir: string, name: string): Promise<{ image: RgbImage | GrayImage; res: ReturnType<typeof locateFingertips> }> {
  const { image } = await loadImage(join(dir, `${name}.jpeg`));
  return { image: image as RgbImage | GrayImage, res: locateFingertips(image as RgbImage | GrayImage, { name }) };
}

test('close-up filling the frame: one usable fingertip box about as wide as the frame, tip up (fingerphoto Right_index)', async () => {
  const d = requireData('fingerphoto', 'locate close-up filling the frame');
  if (!d) return;
  for (const k of ['Right_index_fig_1', 'Right_index_fig_2']) {
    const { image, res } = await locateIn(d, k);
    assert.is(res.fingertips.length, 1, `${k}: ${res.fingertips.length} boxes`);
    const f = res.fingertips[0]!;
    assert.ok(f.usable, `${k}: ${f.reason}`);
    assert.is(f.ppiBasis, 'ridge-period');
    // Before the close-up rule: two boxes 11-14 px wide on the bottom crease, "about 18 ppi".
    assert.ok(f.box.width >= 0.6 * Math.min(image.width, image.height), `${k}: box ${f.box.width.toFixed(0)} px wide in a ${image.width} x ${image.height} photo`);
    assert.ok(f.estimatedPpi >= 300 && f.estimatedPpi <= 700, `${k}: ${f.estimatedPpi} ppi`);
    const deg = (f.box.angle * 180) / Math.PI;
    assert.ok(Math.abs(deg - 90) <= 20, `${k}: axis ${deg.toFixed(0)} deg, the tip is at the top`);
  }
});

test('close-up whose skin mask takes in a skin-coloured background: the frame, not the mask, gives the axis (fingerphoto Left_index)', async () => {
  const d = requireData('fingerphoto', 'locate close-up with a contaminated skin mask');
  if (!d) return;
  for (const k of ['Left_index_fig_1', 'Left_index_fig_2']) {
    const { image, res } = await locateIn(d, k);
    // The beige background is inside the skin mask (over 70% of the frame): its principal axis was tilted 31 and 13 degrees.
    assert.ok(res.diagnostics.foregroundFraction >= 0.6, `${k}: mask ${res.diagnostics.foregroundFraction}`);
    assert.is(res.fingertips.length, 1, `${k}: ${res.fingertips.length} boxes`);
    const f = res.fingertips[0]!;
    assert.ok(f.usable, `${k}: ${f.reason}`);
    assert.ok(f.box.width >= 0.9 * Math.min(image.width, image.height), `${k}: box ${f.box.width.toFixed(0)} px wide in a ${image.width} x ${image.height} photo`);
    const deg = (f.box.angle * 180) / Math.PI;
    assert.ok(Math.abs(deg - 90) <= 10, `${k}: axis ${deg.toFixed(0)} deg, the tip is at the top`);
    assert.ok(res.diagnostics.notes.some((n) => n.includes('elongated frame')), `${k}: the decision is recorded`);
  }
});

test('whole-hand photo with a coarse background texture: no usable close-up (hands/test3)', async () => {
  const d = requireData('hands', 'locate close-up false positive');
  if (!d) return;
  const { image } = await loadImage(join(d, 'test3.jpg'));
  const res = locateFingertips(image as RgbImage | GrayImage, { name: 'test3' });
  assert.ok(res.fingertips.length >= 1);
  assert.not.ok(res.fingertips.some((f) => f.usable), `usable: ${res.fingertips.filter((f) => f.usable).map((f) => `${f.box.width.toFixed(0)} px at ${f.estimatedPpi} ppi`).join(', ')}`);
});

test.run();
