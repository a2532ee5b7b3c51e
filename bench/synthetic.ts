/**
 * Synthetic fingerprints (src/synthetic): generation speed, and the project's extractor (enhance +
 * extractMinutiae) scored against exact ground truth on clean and degraded contact impressions.
 *
 * Matching rule for precision/recall: a detected minutia matches a truth minutia within 10 px and 30°
 * (one-to-one, greedy by distance). Detections are counted only where the truth is defined: inside the
 * impression's contact region, more than 10 px from its border, and not within 10 px of an ambiguous
 * ("don't care") minutia of the truth. Seeds are fixed (masters 9001.., all
 * five classes in turn), so the numbers are reproducible; they are not the fixture seeds.
 * Needs no ../shared/data.
 */
import { generateMaster, generateImpression, renderPhoto, FINGERPRINT_CLASSES, type Impression } from '../src/synthetic/index.js';
import { distanceInside } from '../src/synthetic/master.js';
import { enhance } from '../src/enhance/index.js';
import { extractMinutiae } from '../src/minutiae/index.js';
import type { Minutia } from '../src/minutiae/types.js';
import { median, type BenchFn, type BenchSection } from './types.js';

const TOL_PX = 10;
const TOL_ANGLE = (30 * Math.PI) / 180;

function score(truth: Minutia[], found: Minutia[]): number {
  const pairs: Array<[number, number, number]> = [];
  truth.forEach((t, i) =>
    found.forEach((f, j) => {
      const d = Math.hypot(t.x - f.x, t.y - f.y);
      let a = Math.abs(t.angle - f.angle) % (2 * Math.PI);
      a = Math.min(a, 2 * Math.PI - a);
      if (d <= TOL_PX && a <= TOL_ANGLE) pairs.push([d, i, j]);
    }),
  );
  pairs.sort((p, q) => p[0] - q[0]);
  const ti = new Set<number>();
  const fj = new Set<number>();
  for (const [, i, j] of pairs) if (!ti.has(i) && !fj.has(j)) (ti.add(i), fj.add(j));
  return ti.size;
}

function inTruthRegion(imp: Impression): (m: Minutia) => boolean {
  const { width, height } = imp.image;
  const inside = distanceInside(imp.mask, width, height);
  return (m) => {
    const x = Math.round(m.x), y = Math.round(m.y);
    return x >= 0 && y >= 0 && x < width && y < height && inside[y * width + x]! > 10;
  };
}

const bench: BenchFn = async (ctx) => {
  const masters = ctx.quick ? 2 : 5;
  const perMaster = ctx.quick ? 2 : 4;
  const t = { master: [] as number[], impression: [] as number[], photo: [] as number[] };
  const acc = { clean: { truth: 0, found: 0, matched: 0, images: 0 }, degraded: { truth: 0, found: 0, matched: 0, images: 0 } };
  const masterCounts: number[] = [];
  for (let k = 0; k < masters; k++) {
    ctx.log(`synthetic: master ${k + 1}/${masters}`);
    let t0 = performance.now();
    const m = generateMaster(9001 + k, { class: FINGERPRINT_CLASSES[k % FINGERPRINT_CLASSES.length]! });
    t.master.push(performance.now() - t0);
    masterCounts.push(m.minutiae.length);
    t0 = performance.now();
    await renderPhoto(m, 9001 + k);
    t.photo.push(performance.now() - t0);
    for (let i = 0; i < perMaster; i++)
      for (const kind of ['clean', 'degraded'] as const) {
        t0 = performance.now();
        const imp = generateImpression(m, (9001 + k) * 10 + i, { clean: kind === 'clean' });
        if (kind === 'degraded') t.impression.push(performance.now() - t0);
        const keep = inTruthRegion(imp);
        // Detections near an ambiguous ("don't care") minutia count neither way.
        const dontCare = (f: Minutia): boolean => imp.ambiguous.some((q) => Math.hypot(q.x - f.x, q.y - f.y) <= TOL_PX);
        const found = extractMinutiae(enhance(imp.image, { ppi: 500 })).minutiae.filter((f) => keep(f) && !dontCare(f));
        const a = acc[kind];
        a.images++;
        a.truth += imp.minutiae.length;
        a.found += found.length;
        a.matched += score(imp.minutiae, found);
      }
  }
  const speed: BenchSection = {
    title: 'Synthetic generation speed (one core)',
    rows: [
      { stage: 'master 320 x 400 (Gabor growth + ground truth)', n: t.master.length, 'median ms': Math.round(median(t.master)) },
      { stage: 'contact impression 320 x 400', n: t.impression.length, 'median ms': Math.round(median(t.impression)) },
      { stage: 'photo 640 x 480 (incl. JPEG encode/decode)', n: t.photo.length, 'median ms': Math.round(median(t.photo)) },
    ],
    notes: [`ground-truth minutiae per master: ${masterCounts.join(', ')}`],
  };
  const pr: BenchSection = {
    title: 'Minutiae precision / recall against synthetic ground truth (enhance + extractMinutiae)',
    rows: (['clean', 'degraded'] as const).map((kind) => {
      const a = acc[kind];
      return {
        impressions: `${kind} (${a.images})`,
        'truth minutiae': a.truth,
        detected: a.found,
        matched: a.matched,
        precision: a.found ? Math.round((1000 * a.matched) / a.found) / 1000 : 0,
        recall: a.truth ? Math.round((1000 * a.matched) / a.truth) / 1000 : 0,
      };
    }),
    notes: [
      `match: within ${TOL_PX} px and 30 degrees, one-to-one (greedy by distance); detections counted only inside the contact region, > 10 px from its border`,
      'detections within 10 px of an ambiguous truth minutia (one that flips type under a ±0.25 ridge-threshold shift) are not counted',
      `${masters} masters (classes in turn) x ${perMaster} impressions, each rendered clean and degraded`,
    ],
  };
  return [speed, pr];
};

export default bench;
