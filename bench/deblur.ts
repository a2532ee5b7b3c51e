/**
 * Deblurring benchmark (issue 7, part 3).
 * - FVC2002 DB1_B prints blurred with known PSFs (Gaussian sigma 1.5 and 2.5 px; motion 7 and 11 px at
 *   0 and 45 degrees; spatial convolution, mirrored border, re-quantised to 8 bits), three columns:
 *   without deblurring, Wiener with the true PSF, Wiener with the PSF estimated from the blurred print.
 *   Restoration: PSNR against the unblurred original, ridge-band amplitude and block coherence.
 *   Recognition: minutiae recall against the original's minutiae (fingerlift's own extractor, within
 *   10 px and 30 degrees) and genuine-pair scores (the blurred probe against the 7 other unblurred
 *   impressions of the same finger, src/compare). "won back" = (estimated - blurred) / (original - blurred).
 * - PSF estimation accuracy per blur, and speed on a 500 x 500 print (CPU ms, median).
 * - ../shared/data/fingerphoto-quality: ridge-band clarity of fingertip crops before / after `deblur`
 *   with the estimated PSF (blurry photos, good photos for reference).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getCv, withMats } from '../src/cv/index.js';
import { compare, prepare, type PreparedTemplate } from '../src/compare/index.js';
import { applyPsf, deblur, estimatePsf, formatPsf, ridgeBandClarity, richardsonLucy, wienerDeconvolve, type PsfSpec } from '../src/enhance/deblur/index.js';
import { enhance, ridgeClarity } from '../src/enhance/index.js';
import type { Mask } from '../src/enhance/types.js';
import { loadImage } from '../src/image/io.js';
import { toGray } from '../src/image/ops.js';
import { isRgb, type GrayImage } from '../src/image/types.js';
import { angleDifference, extractMinutiae } from '../src/minutiae/index.js';
import type { Template } from '../src/minutiae/types.js';
import { dataDir } from '../test/helpers/data.js';
import { median, type BenchFn, type BenchSection } from './types.js';

const DEG = Math.PI / 180;
const BLURS: Array<[string, PsfSpec]> = [
  ['gaussian 1.5', { kind: 'gaussian', sigma: 1.5 }],
  ['gaussian 2.5', { kind: 'gaussian', sigma: 2.5 }],
  ['motion 7 @ 0', { kind: 'motion', length: 7, angle: 0 }],
  ['motion 7 @ 45', { kind: 'motion', length: 7, angle: 45 * DEG }],
  ['motion 11 @ 0', { kind: 'motion', length: 11, angle: 0 }],
  ['motion 11 @ 45', { kind: 'motion', length: 11, angle: 45 * DEG }],
];

const blur = (image: GrayImage, psf: PsfSpec): GrayImage => applyPsf(image, psf, { bits: 8 }); // spatial, mirrored border: independent of the DFT path

async function loadGray(path: string): Promise<GrayImage> {
  const { image } = await loadImage(path);
  return isRgb(image) ? toGray(image) : image;
}

function psnr(a: GrayImage, b: GrayImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i]! - b.data[i]!) ** 2;
  return 10 * Math.log10(a.data.length / Math.max(s, 1e-12));
}

/** Share of `ref` minutiae with a minutia of `got` within `tol` px and 30 degrees. */
function recall(ref: Template, got: Template, tol = 10): number {
  if (ref.minutiae.length === 0) return NaN;
  let hit = 0;
  for (const r of ref.minutiae)
    if (got.minutiae.some((g) => Math.hypot(g.x - r.x, g.y - r.y) <= tol && angleDifference(g.angle, r.angle) <= 30 * DEG)) hit++;
  return hit / ref.minutiae.length;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const mean = (v: number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const f1 = (v: number): string => v.toFixed(1);
const f2 = (v: number): string => v.toFixed(2);
const f3 = (v: number): string => v.toFixed(3);
const pct = (v: number): string => `${(100 * v).toFixed(0)}%`;
const wonBack = (orig: number, blurred: number, got: number): string => (Math.abs(orig - blurred) < 1e-9 ? 'n/a' : pct((got - blurred) / (orig - blurred)));

function angleOff(a: number, b: number): number {
  const d = Math.abs(a - b) % Math.PI;
  return Math.min(d, Math.PI - d) / DEG;
}

/** Estimate within the tolerances of test/deblur-estimate.test.ts (motion: 1 px, 3 deg; Gaussian: [s - 0.2, s + 0.5]). */
function withinTolerance(want: PsfSpec, got: PsfSpec): boolean {
  if (want.kind === 'motion') return got.kind === 'motion' && Math.abs(got.length - want.length) <= 1 && angleOff(got.angle, want.angle) <= 3;
  if (want.kind === 'gaussian') return got.kind === 'gaussian' && got.sigma >= want.sigma - 0.2 && got.sigma <= want.sigma + 0.5;
  return false;
}

interface Prepared {
  id: string;
  finger: string;
  image: GrayImage;
  template: Template;
  prepared: PreparedTemplate;
  mask: Mask;
}

const bench: BenchFn = async (ctx) => {
  const sections: BenchSection[] = [];
  const db = dataDir('fvc2002-db1b');
  const quick = ctx.quick;

  // ---- speed on a 500 x 500 print ----
  {
    let print: GrayImage;
    let source: string;
    if (db) {
      const g = await loadGray(join(db, '101_1.tif'));
      // 500 x 500 by mirroring the 388 x 374 print (cv.copyMakeBorder, BORDER_REFLECT_101).
      print = withMats('bench pad', (t) => {
        const cv = getCv();
        const m = t(new cv.Mat(g.height, g.width, cv.CV_32F));
        m.data32F.set(g.data);
        const o = t(new cv.Mat());
        cv.copyMakeBorder(m, o, 63, 63, 56, 56, cv.BORDER_REFLECT_101);
        return { width: o.cols, height: o.rows, data: new Float32Array(o.data32F) };
      });
      source = 'FVC2002 DB1_B 101_1 mirrored to 500 x 500';
    } else {
      const data = new Float32Array(500 * 500);
      for (let y = 0; y < 500; y++) for (let x = 0; x < 500; x++) data[y * 500 + x] = 0.5 + 0.4 * Math.cos((2 * Math.PI * Math.hypot(x - 250, y - 240)) / 9);
      print = { width: 500, height: 500, data };
      source = 'synthetic 500 x 500 ring pattern (../shared/data absent)';
    }
    const reps = quick ? 3 : 15;
    const rows: BenchSection['rows'] = [];
    const time = (name: string, f: () => unknown, n = reps): void => {
      f(); // warm up
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < n; i++) {
        const c0 = cpuMs();
        const t0 = performance.now();
        f();
        wall.push(performance.now() - t0);
        cpu.push(cpuMs() - c0);
      }
      rows.push({ operation: name, 'median CPU ms': f1(median(cpu)), 'median wall ms': f1(median(wall)), runs: n });
    };
    const blurred = blur(print, { kind: 'motion', length: 11, angle: 45 * DEG });
    time('Wiener, given PSF gaussian:2.5, NSR by GCV', () => wienerDeconvolve(blurred, { kind: 'gaussian', sigma: 2.5 }));
    time('Wiener, given PSF motion:11:45, NSR by GCV', () => wienerDeconvolve(blurred, { kind: 'motion', length: 11, angle: 45 * DEG }));
    time('Wiener, given PSF motion:11:45, NSR fixed 1e-2', () => wienerDeconvolve(blurred, { kind: 'motion', length: 11, angle: 45 * DEG }, { nsr: 1e-2 }));
    time('Richardson-Lucy, 10 iterations, motion:11:45', () => richardsonLucy(blurred, { kind: 'motion', length: 11, angle: 45 * DEG }), quick ? 3 : 5);
    time('estimatePsf (all three models)', () => estimatePsf(blurred), quick ? 2 : 5);
    time("deblur(psf: 'auto') = estimate + Wiener", () => deblur(blurred), quick ? 2 : 5);
    sections.push({ title: 'Deblurring speed on a 500 x 500 print (one core)', rows, notes: [`Input: ${source}. CPU ms = process user + system time, robust to other processes on the machine.`] });
  }

  if (!db) {
    sections.push({ title: 'Deblurring FVC2002 DB1_B prints blurred with known PSFs', rows: [], skipped: ['../shared/data/fvc2002-db1b absent'] });
  } else {
    // Quick: impression 1 of fingers 101, 105, 109 as probes; full: impressions 1 and 2 of all 10.
    const quickFingers = ['101', '105', '109'];
    const files = readdirSync(db)
      .filter((f) => f.endsWith('.tif') && (!quick || quickFingers.includes(f.split('_')[0]!)))
      .sort();
    ctx.log(`deblur: preparing ${files.length} reference templates`);
    const all: Prepared[] = [];
    for (const f of files) {
      const image = await loadGray(join(db, f));
      const e = enhance(image, { ppi: 500 });
      const template = extractMinutiae(e);
      all.push({ id: f.slice(0, -4), finger: f.split('_')[0]!, image, template, prepared: prepare(template), mask: e.mask });
    }
    const probes = all.filter((p) => p.id.endsWith('_1') || (!quick && p.id.endsWith('_2')));
    const templateOf = (im: GrayImage): Template => extractMinutiae(enhance(im, { ppi: 500 }));
    const genuine = (probe: Prepared, t: Template): number => {
      const pt = prepare(t);
      return mean(all.filter((r) => r.finger === probe.finger && r.id !== probe.id).map((r) => compare(pt, r.prepared).score));
    };
    const origGenuine = new Map(probes.map((p) => [p.id, genuine(p, p.template)]));
    const origBand = new Map(probes.map((p) => [p.id, ridgeBandClarity(p.image, { mask: p.mask }).bandRms]));
    const origCoh = new Map(probes.map((p) => [p.id, ridgeClarity(p.image, p.mask)]));

    const restRows: BenchSection['rows'] = [];
    const recogRows: BenchSection['rows'] = [];
    const estRows: BenchSection['rows'] = [];
    for (const [name, psf] of BLURS) {
      const acc: Record<string, number[]> = {};
      const push = (k: string, v: number): void => void (acc[k] ??= []).push(v);
      const estimates: string[] = [];
      let ok = 0;
      for (const p of probes) {
        const b = blur(p.image, psf);
        const t = wienerDeconvolve(b, psf).image;
        const e = deblur(b, { psf: 'auto' });
        estimates.push(e.evidence.psfText);
        if (withinTolerance(psf, e.psf)) ok++;
        const conds: Array<[string, GrayImage]> = [['blurred', b], ['true', t], ['est', e.image]];
        push('orig genuine', origGenuine.get(p.id)!);
        push('orig band', 1);
        push('orig coh', origCoh.get(p.id)!);
        for (const [c, im] of conds) {
          push(`${c} psnr`, psnr(p.image, im));
          push(`${c} band`, ridgeBandClarity(im, { mask: p.mask }).bandRms / origBand.get(p.id)!);
          push(`${c} coh`, ridgeClarity(im, p.mask));
          const tpl = templateOf(im);
          push(`${c} recall`, recall(p.template, tpl));
          push(`${c} genuine`, genuine(p, tpl));
        }
        ctx.log(`deblur ${name} ${p.id}: estimated ${e.evidence.psfText}`);
      }
      const m = (k: string): number => mean(acc[k] ?? []);
      restRows.push({
        blur: name,
        'PSNR dB blurred / true / est': `${f1(m('blurred psnr'))} / ${f1(m('true psnr'))} / ${f1(m('est psnr'))}`,
        'band amplitude vs original, blurred / true / est': `${f2(m('blurred band'))} / ${f2(m('true band'))} / ${f2(m('est band'))}`,
        'coherence orig / blurred / true / est': `${f3(m('orig coh'))} / ${f3(m('blurred coh'))} / ${f3(m('true coh'))} / ${f3(m('est coh'))}`,
      });
      recogRows.push({
        blur: name,
        'minutiae recall blurred / true / est': `${pct(m('blurred recall'))} / ${pct(m('true recall'))} / ${pct(m('est recall'))}`,
        'recall won back (est)': wonBack(1, m('blurred recall'), m('est recall')),
        'genuine score orig / blurred / true / est': `${f1(m('orig genuine'))} / ${f1(m('blurred genuine'))} / ${f1(m('true genuine'))} / ${f1(m('est genuine'))}`,
        'score won back (est)': wonBack(m('orig genuine'), m('blurred genuine'), m('est genuine')),
      });
      const counts = new Map<string, number>();
      for (const s of estimates) counts.set(s, (counts.get(s) ?? 0) + 1);
      estRows.push({
        'true PSF': formatPsf(psf),
        'within tolerance': `${ok} / ${probes.length}`,
        'estimates (count)': [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} (${n})`).join(', '),
      });
    }
    const n = probes.length;
    const common = `${n} probes (${quick ? 'impression 1 of fingers 101, 105, 109' : 'impressions 1 and 2 of the 10 fingers'}), each blurred by spatial convolution (mirrored border) and re-quantised to 8 bits. Wiener deconvolution, NSR chosen by GCV; 'est' = deblur(psf: 'auto').`;
    sections.push({ title: 'Deblurring FVC2002 DB1_B prints blurred with known PSFs: restoration', rows: restRows, notes: [common, 'band amplitude: RMS of the 5-15 px ridge band in the mask, relative to the unblurred original (1 = original). coherence: src/enhance ridgeClarity (mean block coherence) in the original\'s mask.'] });
    sections.push({
      title: 'Deblurring FVC2002 DB1_B: minutiae recall and genuine-pair scores',
      rows: recogRows,
      notes: [common, `recall: share of the original print's minutiae (fingerlift extractor) found within 10 px and 30 deg in the blurred / deblurred print. genuine score: src/compare score of the probe against the 7 other unblurred impressions of its finger (mean over ${n} x 7 pairs); 'orig' = the unblurred probe. won back = (est - blurred) / (orig - blurred).`],
    });
    sections.push({ title: 'PSF estimation accuracy on blurred FVC2002 DB1_B prints', rows: estRows, notes: ['Tolerance: motion length within 1 px and angle within 3 deg; Gaussian sigma in [s - 0.2, s + 0.5] (the estimate includes the sensor\'s own blur, sigma about 0.65).'] });
  }

  // ---- fingerphoto-quality ----
  const fq = dataDir('fingerphoto-quality');
  if (!fq) sections.push({ title: 'Deblurring fingerphoto-quality photos', rows: [], skipped: ['../shared/data/fingerphoto-quality absent'] });
  else {
    const rows: BenchSection['rows'] = [];
    for (const cls of ['blurry', 'good']) {
      for (const f of readdirSync(join(fq, cls)).sort().slice(0, quick ? (cls === 'good' ? 1 : 2) : undefined)) {
        const full = await loadGray(join(fq, cls, f));
        // Fingertip crop: 448 x 448 around (0.44 W, 0.42 H), where the fingertip sits in these photos.
        const side = Math.min(448, full.width, full.height);
        const x0 = Math.max(0, Math.min(full.width - side, Math.round(0.44 * full.width - side / 2)));
        const y0 = Math.max(0, Math.min(full.height - side, Math.round(0.42 * full.height - side / 2)));
        const data = new Float32Array(side * side);
        for (let y = 0; y < side; y++) data.set(full.data.subarray((y0 + y) * full.width + x0, (y0 + y) * full.width + x0 + side), y * side);
        const crop: GrayImage = { width: side, height: side, data };
        const c0 = cpuMs();
        const r = deblur(crop, { psf: 'auto', estimate: { maxSigma: 8, maxRadius: 20, maxLength: 30 } });
        const ms = cpuMs() - c0;
        const before = ridgeBandClarity(crop);
        const after = ridgeBandClarity(r.image);
        rows.push({
          photo: `${cls}/${f}`,
          'estimated PSF': r.evidence.skipped ? `none (${r.evidence.psfText})` : r.evidence.psfText,
          'band RMS before': f3(before.bandRms * 1000) + 'e-3',
          'band RMS after': f3(after.bandRms * 1000) + 'e-3',
          'coherence before': f3(ridgeClarity(crop)),
          'coherence after': f3(ridgeClarity(r.image)),
          'CPU ms': Math.round(ms),
        });
        ctx.log(`deblur ${cls}/${f}: ${r.evidence.psfText}`);
      }
    }
    sections.push({
      title: 'Deblurring fingerphoto-quality fingertip crops (estimated PSF, Wiener)',
      rows,
      notes: [
        '448 x 448 grey (luminance) crop of the fingertip of each 1392 x 1392 photo, at the photo\'s own scale (ridge period about 9 px in the good photos). band RMS: amplitude of the 5-15 px ridge band; coherence: src/enhance ridgeClarity over the whole crop. Estimation ranges widened for photos: sigma <= 8, radius <= 20, length <= 30 px.',
      ],
    });
  }
  return sections;
};

export default bench;
