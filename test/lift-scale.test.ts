/**
 * Photo prints carry a scale uncertainty (ridge-period prior): `prepareAcrossScales` /
 * `compareAcrossScales` compare at the resolution hypotheses of LIFT_DEFAULTS.scaleSearch.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LIFT_DEFAULTS } from '../src/pipeline.js';
import { prepareAcrossScales, compareAcrossScales } from '../src/compare/index.js';
import { compare, prepare } from '../src/compare/index.js';
import { FingerliftError } from '../src/errors.js';
import { search, DECISION_THRESHOLDS, SCALE_SEARCH_THRESHOLDS } from '../src/compare/index.js';
import { compareAll, pairUsesScaleSearch, rowThresholds, searchAcrossScales, thresholdsFor, usesScaleSearch, type Comparable } from '../src/tasks/compare.js';
import { readJsonTemplate, writeJsonTemplate } from '../src/formats/json.js';
import { Rng } from '../src/synthetic/index.js';
import type { Template, Minutia } from '../src/minutiae/types.js';

/** A seeded template: `n` minutiae spread over 300 x 400 px at 500 ppi, at least 12 px apart. */
function template(seed: number, n = 45): Template {
  const rng = new Rng(seed);
  const m: Minutia[] = [];
  while (m.length < n) {
    const x = 20 + rng.next() * 260, y = 20 + rng.next() * 360;
    if (m.some((q) => Math.hypot(q.x - x, q.y - y) < 12)) continue;
    m.push({ x, y, angle: rng.next() * 2 * Math.PI, type: rng.next() < 0.5 ? 'ending' : 'bifurcation', quality: 0.8 });
  }
  return { width: 300, height: 400, ppi: 500, minutiae: m };
}

/** The same finger seen k times larger (a photo print whose scale came out too big). */
function enlarged(t: Template, k: number): Template {
  return { ...t, width: Math.round(t.width * k), height: Math.round(t.height * k), minutiae: t.minutiae.map((q) => ({ ...q, x: q.x * k, y: q.y * k })) };
}

test('a print 20% too large: the scale search scores higher than the single scale, at the 1/1.1 hypothesis', () => {
  const ref = template(7);
  const probe = enlarged(ref, 1.2);
  const single = compare(prepare(probe), prepare(ref));
  const searched = compareAcrossScales(prepareAcrossScales(probe), prepare(ref));
  assert.ok(Math.abs(searched.scale - 1 / 1.1) < 1e-9, `best scale ${searched.scale}, expected 1/1.1`);
  assert.ok(searched.score > 1.2 * single.score, `searched ${searched.score.toFixed(2)} vs single ${single.score.toFixed(2)}`);
  assert.ok(searched.mated.length >= 0.8 * ref.minutiae.length, `${searched.mated.length} mated of ${ref.minutiae.length}`);
});

test('the scale search never scores below scale 1 and keeps scale 1 for a print at the right scale', () => {
  const ref = template(11);
  const r = compareAcrossScales(prepareAcrossScales(ref), prepare(ref));
  assert.is(r.scale, 1);
  assert.ok(r.score >= compare(prepare(ref), prepare(ref)).score);
  assert.equal(LIFT_DEFAULTS.scaleSearch.includes(1), true);
});

test('bad scale hypotheses are refused with E_INVALID_ARGUMENT', () => {
  for (const bad of [[], [0], [-1, 1], [Number.NaN]]) {
    try {
      prepareAcrossScales(template(3), bad);
      assert.unreachable(`accepted ${JSON.stringify(bad)}`);
    } catch (e) {
      assert.instance(e, FingerliftError);
      assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
    }
  }
});

test('CLI jobs: a photo probe is compared and searched across scales and judged with the scale-search thresholds', async () => {
  const ref = template(21);
  const others = [template(22), ref, template(23)];
  const asComparable = (t: Template, kind: Comparable['kind'], id: string): Comparable => ({ path: `${id}.json`, id, kind, template: t, notes: [] });
  const photo = asComparable(enlarged(ref, 1.2), 'photo', 'photo');
  const refs = others.map((t, i) => asComparable(t, 'template', `r${i}`));
  assert.is(thresholdsFor(photo), SCALE_SEARCH_THRESHOLDS);
  assert.is(thresholdsFor(photo, false), DECISION_THRESHOLDS);
  assert.is(thresholdsFor(refs[0]!), DECISION_THRESHOLDS);
  const rows = compareAll(photo, refs);
  assert.ok(rows.every((r) => r.scale !== undefined));
  assert.is(compareAll(photo, refs, false)[1]!.scale, undefined);
  const best = rows.reduce((a, b) => (b.score > a.score ? b : a));
  assert.is(best.reference, 'r1.json');
  assert.ok(Math.abs(best.scale! - 1 / 1.1) < 1e-9);
  // The 1:N ranking across scales agrees with the 1:1 scores, reference by reference.
  const gallery = others.map((t, i) => prepare(t, { id: `r${i}` }));
  const ranked = await searchAcrossScales(photo.template, (P) => search(P, gallery, { top: gallery.length }), 3);
  assert.is(ranked[0]!.id, 'r1');
  for (const c of ranked) assert.ok(Math.abs(c.score - rows[c.index]!.score) < 1e-12, `${c.id}: ${c.score} vs ${rows[c.index]!.score}`);
});

test('a lifted template saved as JSON keeps "scaleEstimated", and comparisons with it search across scales from either side', () => {
  const ref = template(31);
  const lifted: Template = { ...enlarged(ref, 1.2), scaleEstimated: true };
  const text = new TextDecoder().decode(writeJsonTemplate(lifted));
  assert.match(text, /"ppi": 500,\n  "scaleEstimated": true,\n/);
  const back = readJsonTemplate(text, 'lifted.json');
  assert.equal(back, lifted);
  // Without the flag the file is as before (no field), and reads back without it.
  const plain = new TextDecoder().decode(writeJsonTemplate(ref));
  assert.not.match(plain, /scaleEstimated/);
  assert.is(readJsonTemplate(plain).scaleEstimated, undefined);
  assert.is(readJsonTemplate(text.replace('"scaleEstimated": true', '"scaleEstimated": false')).scaleEstimated, undefined);
  try {
    readJsonTemplate(text.replace('"scaleEstimated": true', '"scaleEstimated": "yes"'), 'bad.json');
    assert.unreachable('accepted a string');
  } catch (e) {
    assert.instance(e, FingerliftError);
    assert.is((e as FingerliftError).code, 'E_TEMPLATE_FORMAT');
    assert.match((e as FingerliftError).message, /bad\.json.*"scaleEstimated" is "yes"/);
  }
  const asComparable = (t: Template, id: string): Comparable => ({ path: `${id}.json`, id, kind: 'template', template: t, notes: [] });
  const contact = asComparable(ref, 'contact');
  const liftedRef = asComparable(back, 'lifted');
  const other = asComparable(template(32), 'other');
  // As probe or as reference, the lifted template is compared across scales and judged with the searched thresholds.
  assert.is(usesScaleSearch(liftedRef), true);
  assert.is(usesScaleSearch(contact, true, [other, liftedRef]), true);
  assert.is(usesScaleSearch(contact, false, [liftedRef]), false);
  assert.is(usesScaleSearch(contact, true, [other]), false);
  assert.is(thresholdsFor(contact, true, [liftedRef]), SCALE_SEARCH_THRESHOLDS);
  const forward = compareAll(liftedRef, [contact])[0]!;
  const backward = compareAll(contact, [liftedRef])[0]!;
  assert.ok(Math.abs(forward.scale! - 1 / 1.1) < 1e-9, `probe lifted: best scale ${forward.scale}`);
  assert.ok(Math.abs(backward.scale! - 1.1) < 1e-9, `probe contact: best scale ${backward.scale}`);
  // Per pair: in one job, the pair with the lifted template is scale-searched, the pair of two known scales not.
  const mixed = compareAll(contact, [other, liftedRef]);
  assert.is(mixed[0]!.scale, undefined, 'a pair of two known scales was scale-searched');
  assert.ok(mixed[1]!.scale !== undefined);
  assert.is(rowThresholds(mixed[0]!), DECISION_THRESHOLDS);
  assert.is(rowThresholds(mixed[1]!), SCALE_SEARCH_THRESHOLDS);
  assert.is(pairUsesScaleSearch(contact, other), false);
  assert.is(pairUsesScaleSearch(contact, liftedRef), true);
  const single = compareAll(contact, [liftedRef], false)[0]!;
  assert.is(single.scale, undefined);
  assert.ok(backward.score > single.score, `searched ${backward.score.toFixed(2)} vs single ${single.score.toFixed(2)}`);
});

test.run();
