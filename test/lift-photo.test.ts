/**
 * liftPhoto's re-measurement of fingertips that locate's quick ridge check found unresolved
 * (LIFT_DEFAULTS.recheckUnresolved), on a ridgebase crop; locate's check is made to fail by demanding
 * an unreachable ridge SNR, normalise keeps its own (default) threshold.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { liftPhoto, LIFT_DEFAULTS } from '../src/pipeline.js';
import { loadImage } from '../src/image/io.js';
import { requireData } from './helpers/data.js';

test('a fingertip locate found unresolved is lifted when normalise measures its ridge period', async () => {
  const d = requireData('ridgebase/crops', 'lift recheck');
  if (!d) return;
  const f = readdirSync(d).find((n) => /^1_Apple_10727_2_LEFT_.*_0\.png$/.test(n));
  assert.ok(f, 'crop 10727 bg 2 LEFT index missing');
  const { image } = await loadImage(join(d, f!));
  assert.is(LIFT_DEFAULTS.recheckUnresolved, true);
  const locate = { minRidgeSnr: 1000 };
  const off = liftPhoto(image, { name: f!, locate, recheckUnresolved: false });
  assert.ok(off.fingertips.every((t) => !t.located.usable && !t.template), 'precondition: locate finds no resolved ridges in this crop');
  const on = liftPhoto(image, { name: f!, locate });
  const lifted = on.fingertips.filter((t) => t.template);
  assert.ok(lifted.length >= 1, on.fingertips.map((t) => t.reason).join('; '));
  for (const t of lifted) {
    assert.is(t.normalised!.decisions.ppiBasis, 'ridge-period');
    assert.ok(t.template!.minutiae.length >= LIFT_DEFAULTS.minMinutiae);
    assert.ok(t.normalised!.decisions.notes.some((n) => /quick ridge check/.test(n)), 'the re-measurement is not recorded in the decisions');
    assert.is(t.template!.scaleEstimated, true, 'a template lifted at an estimated resolution does not say so');
  }
  // The photo's resolution given: the scale is known, the template does not ask for a scale search.
  const given = liftPhoto(image, { name: f!, ppi: Math.round(lifted[0]!.normalised!.decisions.estimatedPpi) });
  const withPpi = given.fingertips.filter((t) => t.template);
  assert.ok(withPpi.length >= 1, given.fingertips.map((t) => t.reason).join('; '));
  for (const t of withPpi) {
    assert.is(t.normalised!.decisions.ppiBasis, 'given');
    assert.is(t.template!.scaleEstimated, undefined);
  }
});

test.run();
