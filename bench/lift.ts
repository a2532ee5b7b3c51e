/**
 * Photo-to-contact accuracy (issue 7 acceptance) with the whole pipeline: lift (locate, normalise,
 * enhance, extract) the phone photos, extract the contact prints, compare with the project's matcher.
 *
 * - ridgebase crops vs contact prints: genuine when identity, hand and finger agree (40 / 728 pairs).
 * - ridgebase crops vs crops across backgrounds: identity 10727 gives the genuine pairs (24), every other
 *   crop pair is an impostor.
 * - fingerphoto-contact: 16 MP photos vs their contact prints (4 genuine) against impostors = the photos
 *   vs the ridgebase and FVC2002 DB1_B contact prints.
 * - fingerphoto: the two photos of each finger, and across fingers.
 * - ridgebase/hands: fingertips located per photo, usable prints, same finger (ordered across the hand)
 *   on different backgrounds above the FMR 0.1% threshold.
 * Each comparison row is followed by "same, scale search": the lifted (probe) template compared at the
 * resolution hypotheses of LIFT_DEFAULTS.scaleSearch (compareAcrossScales), the best score kept.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dataDir } from '../test/helpers/data.js';
import { loadImage } from '../src/image/io.js';
import { liftPhoto, LIFT_DEFAULTS } from '../src/pipeline.js';
import { prepareAcrossScales, compareAcrossScales, type ScaledProbe } from '../src/compare/scales.js';
import { loadComparable } from '../src/tasks/compare.js';
import { compare, prepare, evaluate, type PreparedTemplate } from '../src/compare/index.js';
import { DECISION_THRESHOLDS, SCALE_SEARCH_THRESHOLDS } from '../src/compare/thresholds.js';
import type { Template } from '../src/minutiae/types.js';
import type { BenchFn, BenchSection } from './types.js';

const FINGERS = ['Index', 'Middle', 'Ring', 'Little'];

interface Lifted {
  name: string;
  template?: PreparedTemplate;
  /** The same template at the resolution hypotheses of LIFT_DEFAULTS.scaleSearch. */
  scaled?: ScaledProbe;
  minutiae: number;
  note: string;
  /** The chosen fingertip passed the quality gate. */
  usable?: boolean;
  /** Ridge-band contrast of every normalised fingertip (decisions.ridgeEvidence.contrast). */
  contrasts?: number[];
}

async function liftBest(path: string): Promise<Lifted> {
  const l = await loadImage(path);
  try {
    const r = liftPhoto(l.image, { name: path });
    const contrasts = r.fingertips.flatMap((f) => (f.normalised ? [f.normalised.decisions.ridgeEvidence.contrast] : []));
    const best = r.fingertips.filter((f) => f.template).sort((a, b) => b.template!.minutiae.length - a.template!.minutiae.length)[0];
    if (!best?.template) return { name: path, minutiae: 0, note: r.fingertips.map((f) => f.reason).join('; '), usable: false, contrasts };
    return { name: path, template: prepare(best.template, { id: path }), scaled: prepareAcrossScales(best.template, LIFT_DEFAULTS.scaleSearch, path), minutiae: best.template.minutiae.length, note: `f${best.index}`, usable: best.usable, contrasts };
  } catch (e) {
    return { name: path, minutiae: 0, note: (e as Error).message };
  }
}

function score(a: Lifted | PreparedTemplate | undefined, b: Lifted | PreparedTemplate | undefined): number {
  const ta = a && 'minutiae' in a && 'note' in a ? a.template : (a as PreparedTemplate | undefined);
  const tb = b && 'minutiae' in b && 'note' in b ? b.template : (b as PreparedTemplate | undefined);
  return ta && tb ? compare(ta, tb).score : 0;
}

/** Score with a search over the probe's scale hypotheses (the reference at scale 1). */
function scoreScaled(a: Lifted | undefined, b: Lifted | PreparedTemplate | undefined): number {
  const tb = b && 'minutiae' in b && 'note' in b ? b.template : (b as PreparedTemplate | undefined);
  return a?.scaled && tb ? compareAcrossScales(a.scaled, tb).score : 0;
}

function row(set: string, genuine: number[], impostor: number[]): Record<string, string | number> {
  const r = evaluate(genuine, impostor);
  const pct = (v: number | undefined): string => (v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  return {
    set,
    genuine: genuine.length,
    impostor: impostor.length,
    'EER': pct(r.eer),
    'FNMR@FMR1%': pct(r.operatingPoints[0]?.fnmr),
    'FNMR@FMR0.1%': pct(r.operatingPoints[1]?.fnmr),
    'genuine median': median(genuine).toFixed(2),
    'genuine 25/75%': `${quantile(genuine, 0.25).toFixed(2)}/${quantile(genuine, 0.75).toFixed(2)}`,
    'impostor 99%': quantile(impostor, 0.99).toFixed(2),
    'impostor max': Math.max(...impostor).toFixed(2),
    'genuine > every impostor': genuine.filter((g) => g > Math.max(...impostor)).length,
  };
}

/** "min-max (n)" of a list of values. */
function spread(v: number[]): string {
  return v.length ? `${Math.min(...v)}-${Math.max(...v)} (${v.length})` : 'none';
}

function quantile(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
}

const bench: BenchFn = async (ctx) => {
  const rb = dataDir('ridgebase');
  if (!rb) return [{ title: 'Photo-to-contact accuracy', rows: [], skipped: ['../shared/data/ridgebase absent'] }];
  const sections: BenchSection[] = [];
  const rows: Array<Record<string, string | number>> = [];
  const notes: string[] = [];

  // Contact prints (500 dpi).
  const contactFiles = readdirSync(join(rb, 'contact')).filter((f) => f.endsWith('.bmp')).sort();
  const contacts = new Map<string, PreparedTemplate>();
  for (const f of contactFiles) contacts.set(f, prepare((await loadComparable(join(rb, 'contact', f), { imageKind: 'print', ppi: 500 })).template, { id: f }));
  ctx.log(`lift: ${contacts.size} ridgebase contact prints extracted`);

  // Crops.
  const cropFiles = readdirSync(join(rb, 'crops')).filter((f) => f.endsWith('.png')).sort();
  const crops: Array<Lifted & { id: string; bg: string; hand: string; finger: string }> = [];
  for (const f of ctx.quick ? cropFiles.filter((_, i) => i % 2 === 0) : cropFiles) {
    const p = f.split('_');
    const fingerId = Number(basename(f, '.png').split('_').pop());
    crops.push({ ...(await liftBest(join(rb, 'crops', f))), id: p[2]!, bg: p[3]!, hand: p[4]!, finger: FINGERS[fingerId]! });
  }
  const liftedCrops = crops.filter((c) => c.template).length;
  ctx.log(`lift: ${liftedCrops}/${crops.length} ridgebase crops lifted`);
  notes.push(`ridgebase crops lifted: ${liftedCrops}/${crops.length} (median ${median(crops.map((c) => c.minutiae))} minutiae), usable ${crops.filter((c) => c.usable).length}/${crops.length}; ridge-band contrast of the normalised crops ${spread(crops.flatMap((c) => c.contrasts ?? []))}`);

  const g1: number[] = [], i1: number[] = [], g1s: number[] = [], i1s: number[] = [];
  for (const c of crops)
    for (const [f, t] of contacts) {
      const [, id, hand, finger] = basename(f, '.bmp').split('_');
      const mated = id === c.id && hand!.toUpperCase() === c.hand && finger === c.finger;
      (mated ? g1 : i1).push(score(c, t));
      (mated ? g1s : i1s).push(scoreScaled(c, t));
    }
  rows.push(row('ridgebase: crops vs contact prints', g1, i1));
  rows.push(row('  same, scale search', g1s, i1s));

  const g2: number[] = [], i2: number[] = [], g2s: number[] = [], i2s: number[] = [];
  for (let a = 0; a < crops.length; a++)
    for (let b = a + 1; b < crops.length; b++) {
      const A = crops[a]!, B = crops[b]!;
      const mated = A.id === B.id && A.hand === B.hand && A.finger === B.finger;
      (mated ? g2 : i2).push(score(A, B));
      (mated ? g2s : i2s).push(scoreScaled(A, B));
    }
  rows.push(row('ridgebase: crops vs crops across backgrounds', g2, i2));
  rows.push(row('  same, scale search', g2s, i2s));
  notes.push(`crops vs crops genuine scores (single scale): ${[...g2].sort((a, b) => a - b).map((v) => v.toFixed(1)).join(' ')}; with scale search: ${[...g2s].sort((a, b) => a - b).map((v) => v.toFixed(1)).join(' ')}`);
  notes.push(`scale search: each lifted template compared at the resolution hypotheses ${LIFT_DEFAULTS.scaleSearch.map((k) => k.toFixed(3)).join(', ')} (LIFT_DEFAULTS.scaleSearch), best score kept`);

  // fingerphoto-contact: 16 MP photos vs contact prints; impostors: the photos vs ridgebase and DB1_B.
  const fpc = dataDir('fingerphoto-contact');
  const db1 = dataDir('fvc2002-db1b');
  if (fpc && db1) {
    const photos = await Promise.all(['1_1.jpg', '1_2.jpg'].map((f) => liftBest(join(fpc, 'photo', f))));
    const own: PreparedTemplate[] = [];
    for (const f of ['1_1.bmp', '1_2.bmp']) own.push(prepare((await loadComparable(join(fpc, 'contact', f), { imageKind: 'print' })).template, { id: f }));
    const others: PreparedTemplate[] = [...contacts.values()];
    const dbFiles = readdirSync(db1).filter((f) => f.endsWith('.tif')).sort();
    for (const f of ctx.quick ? dbFiles.slice(0, 16) : dbFiles) others.push(prepare((await loadComparable(join(db1, f), { imageKind: 'print', ppi: 500 })).template, { id: f }));
    const g3 = photos.flatMap((p) => own.map((o) => score(p, o)));
    const i3 = photos.flatMap((p) => others.map((o) => score(p, o)));
    rows.push(row('fingerphoto-contact: 16 MP photos vs contact prints', g3, i3));
    rows.push(row('  same, scale search', photos.flatMap((p) => own.map((o) => scoreScaled(p, o))), photos.flatMap((p) => others.map((o) => scoreScaled(p, o)))));
    notes.push(`fingerphoto-contact photos: ${photos.map((p) => `${basename(p.name)} ${p.minutiae} minutiae (${p.note}, ridge-band contrast ${(p.contrasts ?? []).join('/')})`).join(', ')}; genuine scores ${g3.map((s) => s.toFixed(2)).join(', ')}`);
  }

  // fingerphoto: two photos of each of two fingers.
  const fp = dataDir('fingerphoto');
  if (fp) {
    const names = ['Left_index_fig_1.jpeg', 'Left_index_fig_2.jpeg', 'Right_index_fig_1.jpeg', 'Right_index_fig_2.jpeg'];
    const l = await Promise.all(names.map((n) => liftBest(join(fp, n))));
    const pairs: string[] = [];
    for (let a = 0; a < 4; a++) for (let b = a + 1; b < 4; b++) {
      const same = names[a]!.split('_fig')[0] === names[b]!.split('_fig')[0];
      const s = score(l[a], l[b]);
      const ss = scoreScaled(l[a], l[b]);
      pairs.push(`${names[a]!.replace('.jpeg', '')} vs ${names[b]!.replace('.jpeg', '')} (${same ? 'mated' : 'non-mated'}): ${s.toFixed(2)}, ${s >= DECISION_THRESHOLDS.fmr0_1 ? 'above' : 'below'} the FMR 0.1% threshold ${DECISION_THRESHOLDS.fmr0_1}; scale search ${ss.toFixed(2)}, ${ss >= SCALE_SEARCH_THRESHOLDS.fmr0_1 ? 'above' : 'below'} its threshold ${SCALE_SEARCH_THRESHOLDS.fmr0_1}`);
    }
    notes.push(`fingerphoto: ${pairs.join('; ')}`);
  }

  // ridgebase/hands: four fingertips per photo, same finger across backgrounds.
  const handFiles = readdirSync(join(rb, 'hands')).filter((f) => f.endsWith('.png')).sort();
  interface HandTip { template?: Template; usable: boolean; ppi: number }
  const hands: Array<{ id: string; hand: string; bg: string; tips: HandTip[]; located: number; usable: number }> = [];
  for (const f of ctx.quick ? handFiles.slice(0, 3) : handFiles) {
    const p = f.split('_');
    const l = await loadImage(join(rb, 'hands', f));
    try {
      const r = liftPhoto(l.image, { name: f });
      // More than four boxes: a stray detection (a small skin-coloured blob away from the hand) would shift
      // the order, so keep the four widest boxes (the four fingertips of one hand are of similar width).
      const four = r.fingertips.length > 4 ? [...r.fingertips].sort((a, b) => b.located.box.width - a.located.box.width).slice(0, 4) : r.fingertips;
      // Order across the fingers: by position along the across-finger direction (the mean finger axis,
      // palm to tip, turned by 90 degrees clockwise as displayed), the same way round for every photo of one
      // hand: for a palm-side view this is index to little on a LEFT hand, little to index on a RIGHT one.
      const ax = four.reduce((s, t) => s + Math.cos(t.located.box.angle), 0), ay = four.reduce((s, t) => s - Math.sin(t.located.box.angle), 0);
      const across = (t: (typeof four)[number]): number => -ay * t.located.box.cx + ax * t.located.box.cy;
      const order = [...four].sort((a, b) => across(a) - across(b));
      hands.push({ id: p[2]!, bg: p[3]!, hand: p[4]!, tips: order.map((t) => ({ ...(t.template ? { template: t.template } : {}), usable: t.usable, ppi: t.located.estimatedPpi })), located: r.fingertips.length, usable: r.fingertips.filter((t) => t.usable).length });
    } catch (e) {
      hands.push({ id: p[2]!, bg: p[3]!, hand: p[4]!, tips: [], located: 0, usable: 0 });
      notes.push(`${f}: ${(e as Error).message}`);
    }
  }
  let same = 0, above = 0, aboveScaled = 0, bothUsable = 0, aboveUsable = 0;
  const handPairs: string[] = [];
  for (let a = 0; a < hands.length; a++)
    for (let b = a + 1; b < hands.length; b++) {
      const A = hands[a]!, B = hands[b]!;
      if (A.id !== B.id || A.hand !== B.hand || A.tips.length !== 4 || B.tips.length !== 4) continue;
      const names = A.hand === 'RIGHT' ? [...FINGERS].reverse() : FINGERS;
      for (let k = 0; k < 4; k++) {
        same++;
        const ta = A.tips[k]!, tb = B.tips[k]!;
        const s = ta.template && tb.template ? compare(prepare(ta.template), prepare(tb.template)).score : undefined;
        const ss = ta.template && tb.template ? compareAcrossScales(prepareAcrossScales(ta.template), prepare(tb.template)).score : undefined;
        if (s !== undefined && s >= DECISION_THRESHOLDS.fmr0_1) above++;
        if (ss !== undefined && ss >= SCALE_SEARCH_THRESHOLDS.fmr0_1) aboveScaled++;
        if (ta.usable && tb.usable) {
          bothUsable++;
          if (s !== undefined && s >= DECISION_THRESHOLDS.fmr0_1) aboveUsable++;
        }
        const side = (t: HandTip): string => `${t.usable ? 'usable' : t.template ? 'lifted, refused' : 'not lifted'} ${Math.round(t.ppi)} ppi`;
        handPairs.push(`${A.id} ${A.hand} ${names[k]} bg${A.bg} (${side(ta)}) vs bg${B.bg} (${side(tb)}): ${s === undefined ? 'no template' : `${s.toFixed(2)} / scale search ${ss!.toFixed(2)}`}`);
      }
    }
  notes.push(`ridgebase/hands: fingertips located per photo ${hands.map((h) => h.located).join(', ')}; usable ${hands.map((h) => h.usable).join(', ')}; same finger across backgrounds (photos with 4 fingertips, the four widest when more, ordered across the fingers): ${above}/${same} above the FMR 0.1% threshold ${DECISION_THRESHOLDS.fmr0_1} (${aboveScaled}/${same} with the scale search, above its own threshold ${SCALE_SEARCH_THRESHOLDS.fmr0_1}); both prints usable: ${aboveUsable}/${bothUsable} above`);
  notes.push(`ridgebase/hands pairs (score / scale-search score): ${handPairs.join('; ')}`);
  sections.push({ title: 'Photo-to-contact and photo-to-photo accuracy (whole pipeline)', rows, notes });

  // Quality gate on fingerphoto-quality (one finger photographed good / defocused / dark / with glare).
  const fq = dataDir('fingerphoto-quality');
  if (fq) {
    const qRows: Array<Record<string, string | number>> = [];
    const qNotes: string[] = [];
    for (const cond of ['good', 'blurry', 'dark', 'glare']) {
      const files = readdirSync(join(fq, cond)).filter((f) => /\.jpe?g$/i.test(f)).sort();
      const verdicts: string[] = [];
      const contrasts: number[] = [];
      let usable = 0;
      for (const f of ctx.quick ? files.slice(0, 2) : files) {
        const l = await loadImage(join(fq, cond, f));
        try {
          const r = liftPhoto(l.image, { name: f });
          const tip = r.fingertips[0];
          if (tip?.usable) usable++;
          const c = tip?.normalised?.decisions.ridgeEvidence.contrast;
          if (c !== undefined) contrasts.push(c);
          verdicts.push(`${basename(f).replace(/\.jpe?g$/i, '')} ${tip?.usable ? `usable (${tip.template?.minutiae.length ?? 0} minutiae)` : 'refused'}${c !== undefined ? `, contrast ${c}` : ''}`);
          if (tip && !tip.usable) qNotes.push(`${cond}/${f}: ${tip.reason}`);
        } catch (e) {
          verdicts.push(`${f} error`);
          qNotes.push(`${cond}/${f}: ${(e as Error).message}`);
        }
      }
      qRows.push({ set: `fingerphoto-quality/${cond}`, photos: verdicts.length, usable, 'ridge-band contrast': spread(contrasts), verdicts: verdicts.join('; ') });
    }
    qNotes.unshift(`gate: ridge-band contrast of the normalised print >= LIFT_DEFAULTS.minRidgeContrast = ${LIFT_DEFAULTS.minRidgeContrast} (src/normalise/quality.ts), then >= ${LIFT_DEFAULTS.minMinutiae} minutiae; the first located fingertip of each photo`);
    sections.push({ title: 'Lift quality gate on fingerphoto-quality', rows: qRows, notes: qNotes });
  }
  return sections;
};

export default bench;
