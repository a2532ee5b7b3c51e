/**
 * Photo front end: locate fingertips and normalise them (issue 7, parts 1-2).
 * - Speed: median wall-clock ms per stage for a 12 MP phone photo (fingerphoto-contact 1_1.jpg
 *   resized to 3000 x 4000 and re-encoded as JPEG in memory), one core, after one warm-up run
 *   (quick: 1 run, else 5).
 * - Accuracy: fingertip box IoU against the hand-drawn distal-phalanx masks of fingerphoto-contact
 *   (full 16 MP); boxes found per photo on ridgebase/hands and hands; on all ridgebase crops, the
 *   estimated ppi and the ridge period of the normalised print (target 9.5 px).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImage } from '../src/image/io.js';
import type { GrayImage, RgbImage } from '../src/image/types.js';
import { insideBox, locateFingertips } from '../src/locate/index.js';
import { estimateRidgePeriodSpectral, normaliseFingertip } from '../src/normalise/index.js';
import { dataDir } from '../test/helpers/data.js';
import { median, type BenchFn, type BenchSection } from './types.js';

type Photo = RgbImage | GrayImage;

const bench: BenchFn = async (ctx) => {
  const sections: BenchSection[] = [];
  const fc = dataDir('fingerphoto-contact');
  if (!fc) return [{ title: 'Photo locate / normalise', rows: [], skipped: ['../shared/data/fingerphoto-contact absent'] }];

  // --- Speed on a 12 MP photo.
  const jpeg = await sharp(join(fc, 'photo/1_1.jpg')).rotate().resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 92 }).toBuffer();
  const reps = ctx.quick ? 1 : 5;
  const per: Record<string, number[]> = {};
  const push = (k: string, v: number): void => void (per[k] ??= []).push(v);
  for (let r = -1; r < reps; r++) {
    ctx.log(`photo speed run ${r + 2}/${reps + 1}`);
    const t0 = performance.now();
    const { image } = await loadImage(jpeg, { name: '12mp.jpg' });
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const loc = locateFingertips(image as Photo);
    const t2 = performance.now();
    const c2 = process.cpuUsage();
    const norm = normaliseFingertip(image as Photo, loc.fingertips[0]!.box);
    const t3 = performance.now();
    const c3 = process.cpuUsage();
    const cpu = (a: NodeJS.CpuUsage): number => (a.user + a.system) / 1000;
    if (r < 0) continue; // warm-up
    push('decode (loadImage)', t1 - t0);
    for (const [k, v] of Object.entries(loc.diagnostics.ms)) push(`locate: ${k}`, v);
    push('locate (total)', t2 - t1);
    push('locate (total, process CPU)', cpu(c2) - cpu(c1));
    for (const [k, v] of Object.entries(norm.ms)) push(`normalise: ${k}`, v);
    push('normalise (total)', t3 - t2);
    push('normalise (total, process CPU)', cpu(c3) - cpu(c2));
    push('decode + locate + normalise', t3 - t0);
  }
  sections.push({
    title: 'Photo front end speed, 12 MP JPEG (4000 x 3000), one fingertip',
    rows: Object.entries(per).map(([stage, v]) => ({ stage, 'median ms': Math.round(median(v)), runs: v.length })),
    notes: [
      'Target for the whole lift of a 12 MP photo (with enhancement and extraction): under 3 s on one core.',
      'Wall-clock ms suffer from a busy machine; the process CPU rows are less sensitive (main thread plus libuv/sharp threads).',
    ],
  });

  // --- Locate accuracy: IoU on fingerphoto-contact at full resolution.
  const iouRows: Array<Record<string, string | number>> = [];
  for (const k of ['1_1', '1_2']) {
    const { image } = await loadImage(join(fc, `photo/${k}.jpg`));
    const mk = await sharp(join(fc, `mask/${k}_seg.jpg`)).rotate().greyscale().raw().toBuffer({ resolveWithObject: true });
    const loc = locateFingertips(image as Photo);
    const f = loc.fingertips[0]!;
    const box = f.box;
    const inside = (x: number, y: number): boolean => insideBox(box, x, y);
    let inter = 0, uni = 0;
    const W = mk.info.width;
    for (let y = 0; y < mk.info.height; y += 2)
      for (let x = 0; x < W; x += 2) {
        const v = mk.data[y * W + x]!;
        const gt = v > 60 && v < 200;
        const b = inside(x + 0.5, y + 0.5);
        if (gt && b) inter++;
        if (gt || b) uni++;
      }
    iouRows.push({ photo: k, boxes: loc.fingertips.length, IoU: Math.round((inter / uni) * 1000) / 1000, 'estimated ppi': f.estimatedPpi, basis: f.ppiBasis, usable: String(f.usable) });
  }
  sections.push({ title: 'Fingertip localisation vs hand-drawn masks (fingerphoto-contact, 16 MP)', rows: iouRows, notes: ['IoU of the distal-phalanx box with the grey (fingertip) region of the mask, every second pixel.'] });

  // --- Boxes per photo on hands.
  const countRows: Array<Record<string, string | number>> = [];
  for (const [set, sub] of [['ridgebase/hands', 'ridgebase/hands'], ['hands', 'hands'], ['fingerphoto-casual', 'fingerphoto-casual']] as const) {
    const d = dataDir(sub);
    if (!d) continue;
    const files = readdirSync(d).filter((f) => /\.(png|jpe?g)$/i.test(f)).filter((f) => set !== 'fingerphoto-casual' || f.startsWith('hand'));
    const counts: number[] = [];
    let usable = 0, errors = 0;
    for (const f of ctx.quick ? files.slice(0, 3) : files) {
      try {
        const { image } = await loadImage(join(d, f));
        const loc = locateFingertips(image as Photo);
        counts.push(loc.fingertips.length);
        usable += loc.fingertips.filter((t) => t.usable).length;
      } catch {
        counts.push(0);
        errors++;
      }
    }
    countRows.push({ set, photos: counts.length, 'boxes per photo': counts.join(' '), 'usable boxes': usable, 'E_NO_FINGER': errors });
  }
  sections.push({ title: 'Fingertip boxes found per hand photo', rows: countRows, notes: ['ridgebase/hands show four fingers each (expect 4); hands and fingerphoto-casual/hand* are whole hands at low resolution (expect boxes, none usable).'] });

  // --- One fingertip filling the frame (fingerphoto): one large usable box, not creases or mask pieces.
  const fp = dataDir('fingerphoto');
  if (fp) {
    const rows: Array<Record<string, string | number>> = [];
    for (const f of readdirSync(fp).filter((n) => /\.jpe?g$/i.test(n)).sort()) {
      const { image } = await loadImage(join(fp, f));
      try {
        const loc = locateFingertips(image as Photo, { name: f });
        const t = loc.fingertips[0]!;
        rows.push({ photo: f, boxes: loc.fingertips.length, 'box width / short side': Math.round((t.box.width / Math.min(image.width, image.height)) * 100) / 100, 'axis deg': Math.round((t.box.angle * 180) / Math.PI), 'estimated ppi': t.estimatedPpi, basis: t.ppiBasis, usable: String(t.usable) });
      } catch (e) {
        rows.push({ photo: f, boxes: 0, 'box width / short side': '-', 'axis deg': '-', 'estimated ppi': '-', basis: '-', usable: (e as Error).message.slice(0, 80) });
      }
    }
    sections.push({ title: 'Close-ups filling the frame (fingerphoto)', rows, notes: ['Each photo shows one fingertip pointing up (axis about 90 deg): expect one usable box about as wide as the photo (Right_index: the frame taken as the close-up, its ridge pattern standing in for a split skin mask).'] });
  }

  // --- Normalise on ridgebase crops.
  const rb = dataDir('ridgebase/crops');
  if (rb) {
    const files = readdirSync(rb).filter((f) => f.endsWith('.png')).sort();
    const periods: number[] = [];
    const ppis: number[] = [];
    let within = 0, inverted = 0, failed = 0;
    for (const f of ctx.quick ? files.slice(0, 6) : files) {
      try {
        const { image } = await loadImage(join(rb, f));
        const box = locateFingertips(image as Photo).fingertips[0]!.box;
        const r = normaliseFingertip(image as Photo, box);
        const p = estimateRidgePeriodSpectral(r.print, { minPeriod: 4, maxPeriod: 20 }).period;
        periods.push(p);
        ppis.push(r.decisions.estimatedPpi);
        if (Math.abs(p - 9.5) <= 1.5) within++;
        if (r.decisions.polarity.inverted) inverted++;
      } catch {
        failed++;
      }
    }
    const q = (v: number[], f: number): number => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(f * s.length))] ?? NaN; };
    sections.push({
      title: 'Normalisation of ridgebase fingertip crops',
      rows: [{
        crops: periods.length + failed, failed, 'print period median px': Math.round(median(periods) * 100) / 100,
        'period 10-90% px': `${q(periods, 0.1).toFixed(2)}-${q(periods, 0.9).toFixed(2)}`, 'within 9.5 +- 1.5': within,
        'estimated ppi median': Math.round(median(ppis)), inverted,
      }],
      notes: ['Print period measured spectrally on the normalised print; target 9.5 px at 500 ppi.'],
    });
  }
  return sections;
};

export default bench;
