/**
 * Comparison benchmark: FVC verification accuracy (all-pairs protocol: 280 genuine and 2,880 impostor
 * comparisons per 10 x 8 set) with templates from the .iso files beside each image (a commercial
 * extractor, SecuGen, on a 300 x 400 stretch of the image; mapped back as MANIFEST.md says) and, in the
 * full run, from fingerlift's own extractor; then 1:N speed (one core, probe against a prepared
 * gallery) and 1:1 latency.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { availableParallelism } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { compare, prepare, search, SearchPool, allPairs, evaluate, eerInterval, prepareAcrossScales, compareAcrossScales, DECISION_THRESHOLDS, SCALE_SEARCH_THRESHOLDS, type PreparedTemplate } from '../src/compare/index.js';
import { readIsoTemplate } from '../src/formats/iso19794.js';
import { wrapAngle, type Template } from '../src/minutiae/types.js';
import { dataDir } from '../test/helpers/data.js';
import { median, type BenchFn, type BenchSection } from './types.js';

/** The four FVC "B" sets and their resolutions (../shared/data/README.md). */
const SETS: ReadonlyArray<{ name: string; ppi: number }> = [
  { name: 'fvc2002-db1b', ppi: 500 },
  { name: 'fvc2002-db2b', ppi: 569 },
  { name: 'fvc2002-db4b', ppi: 500 },
  { name: 'fvc2004-db1b', ppi: 500 },
];

interface Item { id: string; finger: string; template: Template }

/** .iso minutiae mapped from the 300 x 400 stretch back to the W x H image (positions and angles). */
async function isoSet(dir: string, ppi: number): Promise<Item[]> {
  const out: Item[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.iso')).sort()) {
    const base = f.slice(0, -4);
    const meta = await sharp(join(dir, `${base}.tif`)).metadata();
    const W = meta.width!, H = meta.height!;
    const iso = readIsoTemplate(readFileSync(join(dir, f)), f);
    const sx = W / iso.width, sy = H / iso.height;
    out.push({
      id: base,
      finger: base.split('_')[0]!,
      template: {
        width: W, height: H, ppi,
        minutiae: iso.minutiae.map((m) => ({ ...m, x: m.x * sx, y: m.y * sy, angle: wrapAngle(Math.atan2(Math.sin(m.angle) * sy, Math.cos(m.angle) * sx)) })),
      },
    });
  }
  return out;
}

/** Templates from fingerlift's own pipeline: load -> grey -> enhance (to 500 ppi) -> extract. */
async function ownSet(dir: string, ppi: number): Promise<Item[]> {
  const { loadImage } = await import('../src/image/io.js');
  const { toGray } = await import('../src/image/ops.js');
  const { enhance } = await import('../src/enhance/index.js');
  const { extractMinutiae } = await import('../src/minutiae/index.js');
  const out: Item[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.tif')).sort()) {
    const { image } = await loadImage(join(dir, f));
    out.push({ id: f.slice(0, -4), finger: f.split('_')[0]!, template: extractMinutiae(enhance(toGray(image), { ppi })) });
  }
  return out;
}

const pct = (x: number): number => Math.round(x * 10000) / 100;

/** Impostor scores pooled over the sets (own extractor), single-scale and across scale hypotheses. */
interface Pooled { single: number[]; scaled: number[]; genuine: number[]; genuineScaled: number[] }

function accuracyRow(set: string, extractor: string, items: Item[], pooled?: Pooled): Record<string, string | number> {
  const prepared = items.map((it) => ({ id: it.id, label: it.finger, item: prepare(it.template, { id: it.id }) }));
  const pairs = allPairs(prepared, (a, b) => compare(a, b).score);
  if (pooled) {
    // The same pairs with the first of each pair searched across SCALE_HYPOTHESES (as a photo probe is).
    const scaled = new Map(items.map((it) => [it.id, prepareAcrossScales(it.template, undefined, it.id)]));
    const searched = allPairs(prepared, (a, b) => compareAcrossScales(scaled.get(a.id!)!, b).score);
    pooled.single.push(...pairs.impostor);
    pooled.genuine.push(...pairs.genuine);
    pooled.scaled.push(...searched.impostor);
    pooled.genuineScaled.push(...searched.genuine);
  }
  const e = evaluate(pairs.genuine, pairs.impostor);
  const ci = eerInterval(prepared.map((p) => p.label), pairs.pairs);
  const [p1, p01] = e.operatingPoints;
  const nm = items.map((i) => i.template.minutiae.length);
  return {
    set, extractor,
    'minutiae (mean)': Math.round((nm.reduce((a, b) => a + b, 0) / nm.length) * 10) / 10,
    genuine: e.genuineCount, impostor: e.impostorCount,
    'EER %': pct(e.eer), 'EER 95% CI %': `${pct(ci.low)}-${pct(ci.high)}`,
    'FNMR@FMR1% %': pct(p1!.fnmr), 'thr FMR1%': Math.round(p1!.threshold * 100) / 100,
    'FNMR@FMR0.1% %': pct(p01!.fnmr), 'thr FMR0.1%': Math.round(p01!.threshold * 100) / 100,
    'genuine mean': Math.round(e.genuineMean * 100) / 100, 'impostor mean': Math.round(e.impostorMean * 100) / 100,
  };
}

const bench: BenchFn = async (ctx) => {
  const sections: BenchSection[] = [];
  const present = SETS.filter((s) => dataDir(s.name));
  if (present.length === 0) {
    return [{ title: 'Comparison', rows: [], skipped: ['../shared/data absent: no FVC sets to compare'] }];
  }

  // Accuracy.
  const rows: Array<Record<string, string | number>> = [];
  const isoItems: Item[] = [];
  for (const s of present) {
    ctx.log(`compare: ${s.name} (.iso templates)`);
    const items = await isoSet(dataDir(s.name)!, s.ppi);
    isoItems.push(...items);
    rows.push(accuracyRow(s.name, 'SecuGen .iso', items));
  }
  const skipped: string[] = [];
  const pooled: Pooled = { single: [], scaled: [], genuine: [], genuineScaled: [] };
  if (ctx.quick) skipped.push("fingerlift's own extractor (full run only: it enhances and extracts 80 images per set)");
  else {
    for (const s of present) {
      ctx.log(`compare: ${s.name} (own extractor)`);
      try {
        rows.push(accuracyRow(s.name, 'fingerlift', await ownSet(dataDir(s.name)!, s.ppi), pooled));
      } catch (e) {
        skipped.push(`${s.name} with the own extractor failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  sections.push({
    title: 'Verification accuracy, FVC all-pairs protocol',
    rows,
    notes: [
      'Genuine: all pairs of impressions of one finger (10 x 28); impostor: all pairs of different fingers (2,880). One genuine pair = 0.36 % FNMR.',
      'EER by the FVC definition (midpoint of [EERlow, EERhigh]); FNMR at FMR x: lowest FNMR with FMR <= x; thr = score threshold (accept when score >= thr).',
      'EER 95% CI: subsets bootstrap over the 10 fingers (Bolle, Ratha & Pankanti 2004; 1,000 resamples, seed 1): with 10 fingers per set, EERs inside each other\'s interval are not shown to differ (compare two systems with eerDifference, which pairs the resamples).',
    ],
    ...(skipped.length ? { skipped } : {}),
  });
  if (pooled.single.length > 0) {
    const round2 = (x: number): number => Math.round(x * 100) / 100;
    const thrRow = (kind: string, genuine: number[], impostor: number[], documented: { fmr1: number; fmr0_1: number }): Record<string, string | number> => {
      const e = evaluate(genuine, impostor);
      const [p1, p01] = e.operatingPoints;
      const at = (t: number): number => impostor.filter((x) => x >= t).length;
      return {
        scores: kind, impostor: impostor.length,
        'measured thr FMR1%': round2(p1!.threshold), 'measured thr FMR0.1%': round2(p01!.threshold),
        'documented thr FMR1%': documented.fmr1, 'impostors >= it': at(documented.fmr1),
        'documented thr FMR0.1%': documented.fmr0_1, 'impostors >= it ': at(documented.fmr0_1),
        'pooled FNMR@FMR0.1% %': pct(p01!.fnmr),
      };
    };
    sections.push({
      title: 'Decision thresholds, pooled impostors (own extractor, the sets above)',
      rows: [
        thrRow('compare (one scale)', pooled.genuine, pooled.single, DECISION_THRESHOLDS),
        thrRow('compareAcrossScales (probe at each of SCALE_HYPOTHESES)', pooled.genuineScaled, pooled.scaled, SCALE_SEARCH_THRESHOLDS),
      ],
      notes: [
        'Measured thr: the smallest score whose pooled FMR is at most 1 % / 0.1 %. Documented: src/compare/thresholds.ts; its FMR holds when "impostors >= it" is at most 1 % / 0.1 % of the impostor count.',
        'Scale search keeps the best of several comparisons, so its impostor scores are higher: photo probes are judged with SCALE_SEARCH_THRESHOLDS.',
      ],
    });
  }

  // Speed: 1:N over a prepared gallery of every .iso template, one core.
  const gallery: PreparedTemplate[] = isoItems.map((it) => prepare(it.template, { id: it.id }));
  const probes = isoItems.filter((_, i) => i % (ctx.quick ? 16 : 4) === 0).map((it) => prepare(it.template, { id: it.id }));
  const reps = ctx.quick ? 1 : 3;
  search(probes[0]!, gallery, { top: 10 }); // warm-up (JIT)
  const rates: number[] = [], cpuRates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    for (const p of probes) search(p, gallery, { top: 10 });
    const ms = performance.now() - t0, cu = process.cpuUsage(c0);
    const n = probes.length * gallery.length;
    rates.push(n / (ms / 1000));
    cpuRates.push(n / ((cu.user + cu.system) / 1e6));
  }
  // Two-stage 1:N (preselect the best 10 % by votes, compare those fully): rate and agreement.
  const M = Math.max(1, Math.round(gallery.length / 10));
  const preRates: number[] = [];
  let agree = 0;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    for (const p of probes) search(p, gallery, { top: 10, preselect: M });
    const cu = process.cpuUsage(c0);
    preRates.push((probes.length * gallery.length) / ((cu.user + cu.system) / 1e6));
  }
  for (const p of probes) if (search(p, gallery, { top: 1, preselect: M })[0]?.index === search(p, gallery, { top: 1 })[0]?.index) agree++;
  // 1:1 latency: unprepared templates (prepare both + compare) and prepared ones.
  const lat: number[] = [], latPrepared: number[] = [], latWarm: number[] = [], prepMs: number[] = [];
  for (let k = 0; k < (ctx.quick ? 100 : 400); k++) {
    const a = isoItems[(k * 7) % isoItems.length]!.template, b = isoItems[(k * 13 + 1) % isoItems.length]!.template;
    let t0 = performance.now();
    const pa = prepare(a);
    prepMs.push(performance.now() - t0);
    t0 = performance.now();
    compare(a, b);
    lat.push(performance.now() - t0);
    const pb = prepare(b);
    t0 = performance.now();
    compare(pa, pb);
    latPrepared.push(performance.now() - t0);
    // Again: the probe's edge index is now cached (as in 1:N, or when one probe meets many references).
    t0 = performance.now();
    for (let r = 0; r < 10; r++) compare(pa, pb);
    latWarm.push((performance.now() - t0) / 10);
  }
  sections.push({
    title: 'Comparison speed (one core)',
    rows: [
      { measure: '1:N search, comparisons per second (wall clock, median of runs)', value: Math.round(median(rates)), count: `${probes.length} probes x ${gallery.length} gallery x ${reps}` },
      { measure: '1:N search, comparisons per second of process CPU time', value: Math.round(median(cpuRates)), count: `${probes.length} probes x ${gallery.length} gallery x ${reps}` },
      { measure: `1:N two-stage search (preselect ${M} of ${gallery.length}), gallery templates per second of CPU time`, value: Math.round(median(preRates)), count: `${probes.length} probes x ${gallery.length} gallery x ${reps}` },
      { measure: 'two-stage search: rank-1 candidate identical to the exhaustive search', value: `${agree}/${probes.length}`, count: `${probes.length} probes` },
      { measure: '1:1 compare(Template, Template) latency, ms (median; includes prepare of both)', value: Math.round(median(lat) * 1000) / 1000, count: `${lat.length}` },
      { measure: '1:1 compare(prepared, prepared) latency, ms (median; first comparison of the probe: builds its edge index)', value: Math.round(median(latPrepared) * 1000) / 1000, count: `${latPrepared.length}` },
      { measure: '1:1 compare(prepared, prepared) latency, ms (median; probe edge index cached)', value: Math.round(median(latWarm) * 1000) / 1000, count: `${latWarm.length} x 10` },
      { measure: 'prepare(template) ms (median)', value: Math.round(median(prepMs) * 1000) / 1000, count: `${prepMs.length}` },
    ],
    notes: ['Gallery: every .iso template of the FVC sets present (prepared once). Wall-clock rates suffer when other processes share the cores; the CPU-time rate is less sensitive.'],
  });

  // 1:N on worker threads (SearchPool): rate by thread count and identity with the single-thread search.
  const threadRows: Array<Record<string, string | number>> = [];
  const counts = [...new Set([1, 2, availableParallelism()])].filter((t) => t <= Math.max(2, availableParallelism())).sort((a, b) => a - b);
  const reference = probes.map((p) => search(p, gallery, { top: 10 }));
  for (const threads of counts) {
    const pool = new SearchPool(gallery, { threads });
    try {
      await pool.search(probes[0]!, { top: 10 }); // start the threads, warm up
      const wall: number[] = [], cpu: number[] = [];
      let same = 0;
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now(), c0 = process.cpuUsage();
        const res = await Promise.all(probes.map((p) => pool.search(p, { top: 10 })));
        const ms = performance.now() - t0, cu = process.cpuUsage(c0);
        wall.push((probes.length * gallery.length) / (ms / 1000));
        cpu.push((probes.length * gallery.length) / ((cu.user + cu.system) / 1e6));
        if (r === 0) same = res.filter((x, i) => isDeepStrictEqual(x, reference[i])).length;
      }
      threadRows.push({
        threads, 'comparisons/s (wall clock)': Math.round(median(wall)), 'comparisons per CPU-second (all threads)': Math.round(median(cpu)),
        'identical to search()': `${same}/${probes.length}`, count: `${probes.length} probes x ${gallery.length} gallery x ${reps}`,
      });
    } finally {
      await pool.close();
    }
  }
  sections.push({
    title: '1:N search on worker threads (SearchPool)',
    rows: threadRows,
    notes: [
      `Probes searched concurrently (${probes.length} at once), each split into gallery shards. ${availableParallelism()} cores available; the wall-clock rate scales with threads only on otherwise idle cores.`,
      'Identical: the whole candidate list (indices, scores, mated minutiae, transforms) deep-equals the single-thread search.',
    ],
  });
  return sections;
};

export default bench;
