/**
 * Resolution decisions on real scanner files that declare none (the FVC TIFFs): a ridge-period estimate
 * that implies a resolution no fingerprint is captured at is not acted on (found by a user trial:
 * FVC2004 DB1_B 101_8 was estimated at 45 ppi and failed in resampling).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadImage } from '../src/image/io.js';
import { decideResolution, processPrint } from '../src/pipeline.js';
import { toGray } from '../src/image/ops.js';
import { createGray } from '../src/image/types.js';
import { requireData } from './helpers/data.js';

test('an implausible ridge-period resolution falls back to 500 ppi with the reason; the print is processed', async () => {
  const db = requireData('fvc2004-db1b', 'resolution decision on FVC2004 DB1_B 101_8');
  if (!db) return;
  const loaded = await loadImage(join(db, '101_8.tif'));
  assert.is(loaded.ppi, undefined);
  const d = decideResolution(toGray(loaded.image), {});
  assert.is(d.ppi, 500);
  assert.is(d.basis, 'assumed-500');
  if (d.ridgePeriodPx !== undefined && (500 * 8.85) / d.ridgePeriodPx < 200) assert.match(d.note, /outside the plausible/);
  const r = processPrint(loaded.image, { ppi: loaded.ppi });
  assert.ok(r.template.minutiae.length >= 12, `${r.template.minutiae.length} minutiae`);
});

test('500 ppi scans with fine ridges are kept at 500 ppi (the ridge period lies in the 500 ppi population band)', async () => {
  const db = requireData('fvc2002-db4b', 'resolution decision on FVC2002 DB4_B finger 103');
  if (!db) return;
  for (const k of [1, 2, 6]) {
    const loaded = await loadImage(join(db, `103_${k}.tif`));
    const d = decideResolution(toGray(loaded.image), {});
    assert.is(d.ppi, 500, `103_${k}: ${d.note}`);
    assert.ok(d.ridgePeriodPx! < 7, `103_${k} has fine ridges (${d.ridgePeriodPx} px): the case this test is about`);
  }
});

test('a flat image gives 500 ppi assumed, never a resampling error', () => {
  const flat = createGray(200, 200, 0.5);
  const d = decideResolution(flat, {});
  assert.is(d.ppi, 500);
  assert.is(d.basis, 'assumed-500');
});

test.run();
