import { Rng } from '../src/synthetic/random.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compare, prepare, search, SearchPool, searchThreaded, allPairs, evaluate } from '../src/compare/index.js';
import { packGallery, unpackGallery } from '../src/compare/pack.js';
import type { PreparedTemplate } from '../src/compare/index.js';
import { MAX_COMPARED_MINUTIAE, probeIndex } from '../src/compare/prepare.js';
import { FingerliftError } from '../src/errors.js';
import { readIsoTemplate } from '../src/formats/iso19794.js';
import type { Minutia, Template } from '../src/minutiae/types.js';
import { wrapAngle } from '../src/minutiae/types.js';
import { requireData } from './helpers/data.js';

/** The library's seeded generator (mulberry32), so the tests are deterministic. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** n minutiae spread over a w x h print, at least 14 px apart (about 1.5 ridge periods at 500 ppi). */
function randomTemplate(seed: number, n = 40, w = 360, h = 420): Template {
  const r = rng(seed);
  const ms: Minutia[] = [];
  while (ms.length < n) {
    const x = 20 + r() * (w - 40), y = 20 + r() * (h - 40);
    if (ms.some((m) => Math.hypot(m.x - x, m.y - y) < 14)) continue;
    ms.push({ x, y, angle: r() * 2 * Math.PI, type: r() < 0.5 ? 'ending' : 'bifurcation', quality: 0.3 + 0.7 * r() });
  }
  return { width: w, height: h, ppi: 500, minutiae: ms };
}

/** Rotate by `rot` (counter-clockwise as displayed) about the origin, shift, jitter, keep a window. */
function moved(t: Template, rot: number, dx: number, dy: number, seed: number, jitter = 1.5, keep?: (x: number, y: number) => boolean) {
  const r = rng(seed);
  const c = Math.cos(rot), s = Math.sin(rot);
  const index: number[] = []; // index[k] = source minutia of output minutia k
  const ms: Minutia[] = [];
  t.minutiae.forEach((m, i) => {
    const x = c * m.x + s * m.y + dx + (r() - 0.5) * 2 * jitter, y = -s * m.x + c * m.y + dy + (r() - 0.5) * 2 * jitter;
    if (keep && !keep(x, y)) return;
    index.push(i);
    ms.push({ ...m, x, y, angle: wrapAngle(m.angle + rot + (r() - 0.5) * 0.1) });
  });
  return { template: { ...t, width: 2000, height: 2000, minutiae: ms }, index };
}

const angDist = (a: number, b: number): number => {
  const d = Math.abs(wrapAngle(a) - wrapAngle(b));
  return Math.min(d, 2 * Math.PI - d);
};

test('self-comparison scores high and mates every minutia to itself', () => {
  const t = randomTemplate(1);
  const r = compare(t, t);
  assert.is(r.mated.length, t.minutiae.length);
  for (const m of r.mated) assert.is(m.probe, m.reference);
  assert.ok(r.score > 30, `self score ${r.score}`);
  assert.ok(Math.abs(r.transform.dx) < 1e-6 && Math.abs(r.transform.dy) < 1e-6 && angDist(r.transform.rotation, 0) < 1e-9);
});

for (const [rot, dx, dy] of [[0.7, 120, -40], [Math.PI, 500, 600], [4.4, -80, 390], [2.0, 300, 10]] as const) {
  test(`rotated ${rot} rad, shifted (${dx}, ${dy}) and cropped copy matches with the right transform`, () => {
    const t = randomTemplate(7);
    // keep only minutiae whose source lies in the left 60 % of the print: a partial impression
    const src = t.minutiae;
    const c = Math.cos(rot), s = Math.sin(rot);
    const { template: part, index } = moved(t, rot, dx, dy, 99, 1.5, (x, y) => {
      const u = x - dx, v = y - dy; // back to source coordinates
      return c * u - s * v < 0.6 * t.width;
    });
    assert.ok(index.length < src.length && index.length >= 15);
    const r = compare(t, part);
    assert.ok(r.mated.length >= index.length - 2, `mated ${r.mated.length} of ${index.length}`);
    for (const m of r.mated) assert.is(index[m.reference], m.probe, 'every mate is the true correspondence');
    assert.ok(angDist(r.transform.rotation, rot) < 0.02, `rotation ${r.transform.rotation} vs ${rot}`);
    assert.ok(Math.abs(r.transform.dx - dx) < 3 && Math.abs(r.transform.dy - dy) < 3, `shift ${r.transform.dx}, ${r.transform.dy}`);
    const other = compare(randomTemplate(8), part);
    assert.ok(r.score > 5 * Math.max(other.score, 1), `genuine ${r.score} vs impostor ${other.score}`);
  });
}

test('templates with more minutiae than any fingerprint are refused before the quadratic work', async () => {
  const many = (n: number): Template => ({ width: 4000, height: 4000, ppi: 500, minutiae: Array.from({ length: n }, (_, i) => ({ x: (i * 37) % 4000, y: Math.floor(i / 4) * 3 % 4000, angle: (i % 628) / 100, type: 'ending' as const, quality: 0.5 })) });
  prepare(many(MAX_COMPARED_MINUTIAE));
  try { prepare(many(MAX_COMPARED_MINUTIAE + 1)); assert.unreachable(); } catch (e) { assert.is((e as FingerliftError).code, 'E_TEMPLATE_FORMAT'); }
  const { readTemplate } = await import('../src/formats/index.js');
  const json = JSON.stringify({ format: 'fingerlift-template', version: 1, ...many(10_001) });
  try { readTemplate(new TextEncoder().encode(json), 'big.json'); assert.unreachable(); } catch (e) { assert.is((e as FingerliftError).code, 'E_TEMPLATE_FORMAT'); }
});

test('an unrelated random template scores low and mates few minutiae', () => {
  const a = randomTemplate(11), self = compare(a, a).score;
  for (let seed = 20; seed < 30; seed++) {
    const r = compare(a, randomTemplate(seed));
    assert.ok(r.score < 0.15 * self, `seed ${seed}: ${r.score} vs self ${self}`);
    assert.ok(r.mated.length <= 8, `seed ${seed}: ${r.mated.length} mated`);
  }
});

test('templates at another ppi are rescaled to 500 ppi', () => {
  const t = randomTemplate(3);
  const at1000: Template = { ...t, ppi: 1000, minutiae: t.minutiae.map((m) => ({ ...m, x: 2 * m.x, y: 2 * m.y })) };
  const r = compare(t, at1000);
  assert.is(r.mated.length, t.minutiae.length);
  assert.ok(Math.abs(r.transform.dx) < 1e-6 && Math.abs(r.transform.dy) < 1e-6);
});

test('deterministic: same inputs give the same result, prepared or not', () => {
  const a = randomTemplate(5), { template: b } = moved(randomTemplate(5), 1.1, 50, 60, 3, 3);
  const r1 = compare(a, b), r2 = compare(prepare(a), prepare(b)), r3 = compare(a, b);
  assert.equal(r1, r2);
  assert.equal(r1, r3);
});

test('symmetry as documented: swapping probe and reference gives nearly the same score', () => {
  // Not exactly symmetric (documented): roots are looked up from the probe into the reference.
  const a = randomTemplate(5), { template: b } = moved(randomTemplate(5), 2.5, 10, 30, 4, 3, (x) => x > 0);
  const ab = compare(a, b), ba = compare(b, a);
  assert.ok(Math.abs(ab.score - ba.score) <= 0.1 * Math.max(ab.score, ba.score), `${ab.score} vs ${ba.score}`);
  assert.is(ab.mated.length, ba.mated.length);
});

test('tiny and empty templates score 0; malformed ones throw E_TEMPLATE_FORMAT', () => {
  const t = randomTemplate(2);
  assert.is(compare(t, { ...t, minutiae: [] }).score, 0);
  assert.is(compare({ ...t, minutiae: t.minutiae.slice(0, 1) }, t).score, 0);
  const bad = (tt: Template): void => {
    try { prepare(tt, { id: 'bad.json' }); assert.unreachable(); } catch (e) {
      assert.instance(e, FingerliftError);
      assert.is((e as FingerliftError).code, 'E_TEMPLATE_FORMAT');
      assert.match((e as Error).message, /bad\.json/);
    }
  };
  bad({ ...t, ppi: 0 });
  bad({ ...t, minutiae: [{ ...t.minutiae[0]!, x: NaN }] });
  bad({ ...t, minutiae: [{ ...t.minutiae[0]!, quality: 2 }] });
});

test('search ranks the mated template first and honours top', () => {
  const gallery: PreparedTemplate[] = [];
  for (let i = 0; i < 30; i++) gallery.push(prepare(randomTemplate(100 + i), { id: `g${i}` }));
  const { template: probe } = moved(randomTemplate(117), 0.4, 30, -20, 5, 2, (x, y) => x < 250 && y < 300);
  const hits = search(probe, gallery, { top: 5 });
  assert.ok(hits.length >= 1 && hits.length <= 5);
  assert.is(hits[0]!.id, 'g17');
  for (let k = 1; k < hits.length; k++) assert.ok(hits[k - 1]!.score >= hits[k]!.score);
  try { search(probe, gallery, { top: 0 }); assert.unreachable(); } catch (e) { assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT'); }
  // Two-stage search: preselecting 3 of 30 by votes still finds the mate, with the exhaustive score.
  const pre = search(probe, gallery, { top: 5, preselect: 3 });
  assert.ok(pre.length <= 3);
  assert.is(pre[0]!.id, 'g17');
  assert.is(pre[0]!.score, hits[0]!.score);
  try { search(probe, gallery, { preselect: 0 }); assert.unreachable(); } catch (e) { assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT'); }
});

test('star masks only speed up pairing: the plain length-window scan gives the same results', () => {
  const a = randomTemplate(41), b = randomTemplate(42);
  const { template: c } = moved(a, 0.9, 40, -30, 6, 2.5, (x) => x < 300);
  for (const [p, r] of [[a, c], [c, a], [a, b]] as const) {
    const P = prepare(p), R = prepare(r);
    assert.ok(R.starMask.length > 0);
    // A copy without masks takes the scan path (as stars of more than 16 edges do).
    const unmasked = { ...R, starMask: new Uint16Array(0) };
    assert.equal(compare(P, unmasked), compare(P, R));
  }
});

test('consolidation needs minConsolidationPairs pairs; a prepared template is one contiguous buffer', () => {
  const a = randomTemplate(61);
  const { template: c } = moved(a, 0.4, 25, -10, 8, 3, (x) => x < 280);
  const on = compare(prepare(c), prepare(a));
  const never = compare(prepare(c, { params: { minConsolidationPairs: 10_000 } }), prepare(a, { params: { minConsolidationPairs: 10_000 } }));
  const off = compare(prepare(c, { params: { consolidationDistance: 0 } }), prepare(a, { params: { consolidationDistance: 0 } }));
  assert.equal(never, off);
  assert.ok(on.mated.length >= off.mated.length && on.score >= off.score);
  const P = prepare(a);
  for (const f of ['x', 'nbLen', 'rootShape', 'starMask', 'area', 'hull'] as const) assert.ok(P[f].buffer === P.rootKey.buffer, f);
});

test('a pairing of fewer than minPairs pairs scores 0; with minPairs 2 the same triangle pairs', () => {
  // Three minutiae 40-60 px apart (every edge a root edge) and a rotated, shifted copy: one pairing of 3 pairs.
  const tri: Template = { width: 400, height: 400, ppi: 500, minutiae: [
    { x: 100, y: 100, angle: 0.3, type: 'ending', quality: 0.9 },
    { x: 150, y: 110, angle: 2.0, type: 'bifurcation', quality: 0.9 },
    { x: 120, y: 150, angle: 4.1, type: 'ending', quality: 0.9 },
  ] };
  const { template: copy } = moved(tri, 0.5, 60, 80, 3, 0.5);
  assert.is(compare(tri, copy).score, 0, 'default minPairs 4');
  const loose = { params: { minPairs: 2 } };
  const r = compare(prepare(tri, loose), prepare(copy, loose));
  assert.ok(r.score > 0);
  assert.is(r.mated.length, 3);
  for (const m of r.mated) assert.is(m.probe, m.reference);
});

test('the probe index is 16-bit when it fits, 32-bit for a very large template, and both compare alike', () => {
  const small = prepare(randomTemplate(71));
  assert.ok(probeIndex(small).start instanceof Uint16Array && probeIndex(small).item instanceof Uint16Array);
  // About 250 minutiae: over 65,536 filings, so 32-bit offsets.
  const bigT = randomTemplate(72, 250, 1400, 1400);
  const big = prepare(bigT);
  assert.ok(probeIndex(big).start instanceof Int32Array);
  const self = compare(big, prepare(bigT));
  assert.is(self.mated.length, 250);
  const { template: part } = moved(bigT, 1.1, 200, -50, 9, 1.5, (x, y) => x < 900 && y < 900);
  const r = compare(big, part);
  assert.ok(r.mated.length >= 0.8 * part.minutiae.length && r.score > 5 * compare(small, part).score, `mated ${r.mated.length} of ${part.minutiae.length}`);
});

test('a gallery packed into shared memory compares exactly like the prepared templates', () => {
  const g = [randomTemplate(51), randomTemplate(52), moved(randomTemplate(51), 2.2, 90, 15, 7, 2).template].map((t, i) => prepare(t, { id: `g${i}` }));
  const u = unpackGallery(packGallery(g));
  assert.is(u.length, 3);
  assert.ok(u[0]!.x.buffer instanceof SharedArrayBuffer);
  for (let i = 0; i < 3; i++) {
    assert.is(u[i]!.id, `g${i}`);
    for (let j = 0; j < 3; j++) assert.equal(compare(u[i]!, u[j]!), compare(g[i]!, g[j]!));
  }
});

test('SearchPool on 2 worker threads returns exactly what search returns', async () => {
  const gallery: PreparedTemplate[] = [];
  for (let i = 0; i < 70; i++) gallery.push(prepare(randomTemplate(200 + i), { id: `g${i}` }));
  gallery.push(prepare(moved(randomTemplate(217), 1.3, 20, 40, 9, 2).template, { id: 'g70' }));
  const probes = [moved(randomTemplate(217), 0.4, 30, -20, 5, 2, (x, y) => x < 250 && y < 300).template, randomTemplate(240), randomTemplate(999)];
  const pool = new SearchPool(gallery, { threads: 2 });
  try {
    for (const probe of probes)
      for (const options of [{ top: 5 }, { top: 3, preselect: 10 }, { top: 8, minScore: 1 }]) {
        const threaded = await pool.search(probe, options);
        assert.equal(threaded, search(probe, gallery, options));
      }
    const hits = await pool.search(probes[0]!, { top: 2 });
    assert.ok(hits[0]!.id === 'g17' || hits[0]!.id === 'g70', `rank 1 ${hits[0]!.id}`);
  } finally {
    await pool.close();
  }
  try { await pool.search(probes[0]!); assert.unreachable(); } catch (e) { assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT'); }
  try { new SearchPool(gallery, { threads: 0 }); assert.unreachable(); } catch (e) { assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT'); }
  // 9999 threads once ran the machine out of memory: refused; more threads than templates are not started.
  try { new SearchPool(gallery, { threads: 9999 }); assert.unreachable(); } catch (e) { assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT'); }
  const few = new SearchPool(gallery.slice(0, 2), { threads: 8 });
  assert.is(few.threads, 2);
  await few.close();
  assert.equal(await searchThreaded(probes[1]!, gallery, { top: 4, threads: 1 }), search(probes[1]!, gallery, { top: 4 }));
});

/** FVC image sizes from each set's MANIFEST.md: the .iso minutiae were made on a 300 x 400 stretch. */
function loadIsoSet(dir: string, W: number, H: number, ppi: number) {
  return readdirSync(dir).filter((f) => f.endsWith('.iso')).sort().map((f) => {
    const iso = readIsoTemplate(readFileSync(join(dir, f)), f);
    const sx = W / iso.width, sy = H / iso.height;
    const template: Template = {
      width: W, height: H, ppi,
      minutiae: iso.minutiae.map((m) => ({ ...m, x: m.x * sx, y: m.y * sy, angle: wrapAngle(Math.atan2(Math.sin(m.angle) * sy, Math.cos(m.angle) * sx)) })),
    };
    return { id: f.slice(0, -4), label: f.split('_')[0]!, item: prepare(template, { id: f }) };
  });
}

test('FVC2002 DB1_B (.iso templates): genuine scores above impostors, full-set EER under 2 %', () => {
  const dir = requireData('fvc2002-db1b', 'compare FVC2002 DB1_B EER');
  if (!dir) return;
  const items = loadIsoSet(dir, 388, 374, 500);
  assert.is(items.length, 80);
  const pairs = allPairs(items, (a, b) => compare(a, b).score);
  const e = evaluate(pairs.genuine, pairs.impostor);
  assert.is(e.genuineCount, 280);
  assert.is(e.impostorCount, 2880);
  assert.ok(e.genuineMean > 5 * e.impostorMean, `means ${e.genuineMean} / ${e.impostorMean}`);
  assert.ok(e.eer < 0.02, `EER ${(100 * e.eer).toFixed(2)} %`); // measured 1.06 % (bench/compare.ts)
});

test.run();
