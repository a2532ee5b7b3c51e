/**
 * The committed fixtures are exactly what `npm run fixtures` produces: regenerate them into a temporary
 * folder and compare every byte. Also checks the fixture set's ground truth for plausibility.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFixtures, FIXTURES_DIR, FIXTURE_SPEC, type FixtureSet } from '../fixtures/generate.js';
import { orientationAt } from '../src/synthetic/index.js';

const NOT_GENERATED = new Set(['README.md', 'generate.ts']);
let out = '';
let set: FixtureSet;

test.before(async () => {
  out = await mkdtemp(join(tmpdir(), 'fingerlift-fixtures-'));
  set = await generateFixtures(out);
});

test.after(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

test('regenerated fixtures are byte-identical to the committed ones, and no file is missing or extra', async () => {
  const committed = (await readdir(FIXTURES_DIR)).filter((f) => !NOT_GENERATED.has(f)).sort();
  assert.equal(set.files, committed, 'same file list (run `npm run fixtures` after changing the generator)');
  const differ: string[] = [];
  for (const f of set.files) {
    const [a, b] = await Promise.all([readFile(join(out, f)), readFile(join(FIXTURES_DIR, f))]);
    if (!a.equals(b)) differ.push(f);
  }
  assert.equal(differ, [], `files that differ: ${differ.join(', ')}`);
});

test('fixtures README describes every file', async () => {
  const readme = await readFile(join(FIXTURES_DIR, 'README.md'), 'utf8');
  for (const f of FIXTURE_SPEC.fingers) assert.ok(readme.includes(f.id), `README mentions ${f.id}`);
  for (const p of FIXTURE_SPEC.photos) assert.ok(readme.includes(`${p.id}.jpg`), `README mentions ${p.id}.jpg`);
});

test('fixture masters: minutiae counts, both types, directions along the orientation model', () => {
  for (const [id, m] of set.masters) {
    const n = m.minutiae.length;
    assert.ok(n >= 15 && n <= 80, `${id}: ${n} minutiae`);
    const endings = m.minutiae.filter((q) => q.type === 'ending').length;
    assert.ok(endings > 0 && endings < n, `${id}: both types`);
    let close = 0;
    for (const q of m.minutiae) {
      let d = Math.abs(q.angle - orientationAt(m.orientationModel, q.x, q.y)) % Math.PI;
      d = Math.min(d, Math.PI - d);
      if (d < (20 * Math.PI) / 180) close++;
    }
    assert.ok(close / n >= 0.75, `${id}: ${close}/${n} directions within 20 deg of the model`);
  }
});

test('fixture impressions and photos keep most of their master minutiae, inside their images', () => {
  for (const [id, imp] of set.impressions) {
    const m = set.masters.get(id.split('_')[0]!)!;
    assert.ok(imp.minutiae.length >= 0.5 * m.minutiae.length, `${id}: ${imp.minutiae.length} of ${m.minutiae.length}`);
    for (const q of imp.minutiae) assert.is(imp.mask[Math.round(q.y) * imp.image.width + Math.round(q.x)], 1, `${id}: minutia in the contact region`);
  }
  for (const [id, p] of set.photos) {
    const b = p.fingertipBox;
    assert.ok(p.minutiae.length >= 10, `${id}: ${p.minutiae.length} visible minutiae`);
    for (const q of p.minutiae) assert.ok(q.x >= b.x - 1 && q.x <= b.x + b.width + 1 && q.y >= b.y - 1 && q.y <= b.y + b.height + 1, `${id}: minutia in the box`);
  }
});

test.run();
