/**
 * Minutiae extraction: speed and accuracy on real data.
 * - FVC2002 DB1_B (80 images, 388x374, 500 ppi): minutiae per image; agreement with the SecuGen SDK's
 *   ISO/IEC 19794-2 minutiae of the same images (not ground truth: a second extractor's view; their
 *   300x400 coordinates mapped back with x*W/300, y*H/400): share of ours within 10 px of one of theirs
 *   and the reverse, and the direction difference of those nearest pairs; median ms of enhance and of
 *   extraction per image.
 * - ../shared/data/latent: recall of the 16 marked minutiae within 12 px.
 * - fixtures/ (synthetic prints with exact ground truth): precision and recall within 8 px, and within
 *   8 px and 20 degrees, on the clean masters and on the degraded impressions.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enhance } from '../src/enhance/index.js';
import { loadImage } from '../src/image/io.js';
import { toGray } from '../src/image/ops.js';
import { isRgb, type GrayImage } from '../src/image/types.js';
import { angleDifference, extractMinutiaeDetailed } from '../src/minutiae/index.js';
import type { Minutia } from '../src/minutiae/types.js';
import { dataDir, repoRoot } from '../test/helpers/data.js';
import { median, type BenchFn, type BenchSection } from './types.js';

interface Point {
  x: number;
  y: number;
  angle: number;
}

/** Minutiae of an ISO/IEC 19794-2:2005 record (first finger view), mapped from 300x400 to W x H. */
function isoMinutiae(bytes: Buffer, W: number, H: number): Point[] {
  const recW = bytes.readUInt16BE(14);
  const recH = bytes.readUInt16BE(16);
  const n = bytes[27]!;
  const out: Point[] = [];
  for (let k = 0, o = 28; k < n && o + 6 <= bytes.length; k++, o += 6) {
    const x = (bytes.readUInt16BE(o) & 0x3fff) * (W / recW);
    const y = (bytes.readUInt16BE(o + 2) & 0x3fff) * (H / recH);
    const a = (bytes[o + 4]! * 2 * Math.PI) / 256;
    // A direction (cos a, -sin a) in the stretched image becomes (cos a * W/recW, -sin a * H/recH).
    out.push({ x, y, angle: Math.atan2(Math.sin(a) * (H / recH), Math.cos(a) * (W / recW)) });
  }
  return out;
}

/** For each point of `a`, the nearest point of `b` within `tol` px (or undefined). */
function nearest(a: Point[], b: Point[], tol: number): Array<Point | undefined> {
  return a.map((p) => {
    let best: Point | undefined;
    let bd = tol;
    for (const q of b) {
      const d = Math.hypot(p.x - q.x, p.y - q.y);
      if (d <= bd) {
        bd = d;
        best = q;
      }
    }
    return best;
  });
}

async function loadGray(path: string): Promise<GrayImage> {
  const { image } = await loadImage(path);
  return isRgb(image) ? toGray(image) : image;
}

const q = (v: number, d = 1): string => v.toFixed(d);

/** CPU time of this process, ms (user + system): robust to other processes sharing the cores. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const bench: BenchFn = async (ctx) => {
  const sections: BenchSection[] = [];
  const db = dataDir('fvc2002-db1b');
  if (!db) sections.push({ title: 'Minutiae on FVC2002 DB1_B', rows: [], skipped: ['../shared/data/fvc2002-db1b absent'] });
  else {
    let files = readdirSync(db).filter((f) => f.endsWith('.tif')).sort();
    if (ctx.quick) files = files.filter((_, i) => i % 5 === 0);
    const counts: number[] = [];
    const enhanceMs: number[] = [];
    const extractMs: number[] = [];
    const jobMs: number[] = [];
    const enhanceCpu: number[] = [];
    const extractCpu: number[] = [];
    const jobCpu: number[] = [];
    const oursNear: number[] = [];
    const theirsNear: number[] = [];
    const angleDiffs: number[] = [];
    const qualityPaired: number[] = [];
    const qualityUnpaired: number[] = [];
    let ours = 0, theirs = 0, oursHit = 0, theirsHit = 0;
    // Decode every image before timing: the decoder's garbage would otherwise be collected (by V8's
    // GC helper threads, whose CPU time process.cpuUsage counts) inside the timed enhance calls.
    const grays: GrayImage[] = [];
    for (const f of files) grays.push(await loadGray(join(db, f)));
    extractMinutiaeDetailed(enhance(grays[0]!, { ppi: 500 })); // warm-up (JIT, opencv-wasm first calls)
    for (const [k, f] of files.entries()) {
      const gray = grays[k]!;
      // One job: enhance, then extract; enhance and extraction also reported apart.
      let c0 = cpuMs();
      let t0 = performance.now();
      const e = enhance(gray, { ppi: 500 });
      const c1 = cpuMs();
      const t1 = performance.now();
      let minutiae = extractMinutiaeDetailed(e).template.minutiae;
      const c2 = cpuMs();
      const t2 = performance.now();
      enhanceMs.push(t1 - t0);
      enhanceCpu.push(c1 - c0);
      jobMs.push(t2 - t0);
      jobCpu.push(c2 - c0);
      const reps = ctx.quick ? 1 : 3;
      const times: number[] = [t2 - t1];
      const cpus: number[] = [c2 - c1];
      for (let r = 1; r < reps; r++) {
        c0 = cpuMs();
        t0 = performance.now();
        minutiae = extractMinutiaeDetailed(e).template.minutiae;
        times.push(performance.now() - t0);
        cpus.push(cpuMs() - c0);
      }
      extractMs.push(median(times));
      extractCpu.push(median(cpus));
      counts.push(minutiae.length);
      const isoPath = join(db, f.replace(/\.tif$/, '.iso'));
      if (!existsSync(isoPath)) continue;
      const ref = isoMinutiae(readFileSync(isoPath), gray.width, gray.height);
      const a = nearest(minutiae, ref, 10);
      const b = nearest(ref, minutiae, 10);
      const ha = a.filter(Boolean).length;
      const hb = b.filter(Boolean).length;
      ours += minutiae.length;
      theirs += ref.length;
      oursHit += ha;
      theirsHit += hb;
      if (minutiae.length) oursNear.push(ha / minutiae.length);
      if (ref.length) theirsNear.push(hb / ref.length);
      a.forEach((p, i) => p && angleDiffs.push(angleDifference(minutiae[i]!.angle, p.angle)));
      a.forEach((p, i) => (p ? qualityPaired : qualityUnpaired).push(minutiae[i]!.quality));
      ctx.log(`minutiae ${f}: ${minutiae.length} (SecuGen ${ref.length}), ${q(extractMs[extractMs.length - 1]!)} ms`);
    }
    const deg = angleDiffs.map((d) => (d * 180) / Math.PI);
    sections.push({
      title: 'Minutiae on FVC2002 DB1_B: count and agreement with the SecuGen SDK .iso minutiae',
      rows: [
        {
          images: files.length,
          'minutiae median': median(counts),
          'min-max': `${Math.min(...counts)}-${Math.max(...counts)}`,
          'SecuGen per image': q(theirs / Math.max(1, theirsNear.length)),
          'ours within 10 px of theirs': `${q((100 * oursHit) / Math.max(1, ours))}%`,
          'theirs within 10 px of ours': `${q((100 * theirsHit) / Math.max(1, theirs))}%`,
          'paired direction diff median (deg)': q(median(deg)),
          'paired within 30 deg': `${q((100 * deg.filter((d) => d <= 30).length) / Math.max(1, deg.length))}%`,
        },
      ],
      notes: [
        'Pooled over all minutiae of all images; SecuGen coordinates mapped from 300x400 with x*W/300, y*H/400, directions mapped through the same stretch.',
        `Per-image median share: ours ${q(100 * median(oursNear))}%, theirs ${q(100 * median(theirsNear))}%.`,
        `Quality: median ${q(median(qualityPaired), 2)} for our minutiae with a SecuGen minutia within 10 px (${qualityPaired.length}), ${q(median(qualityUnpaired), 2)} for those without (${qualityUnpaired.length}).`,
      ],
    });
    sections.push({
      title: 'Minutiae extraction speed (FVC2002 DB1_B, one core)',
      rows: [
        {
          images: files.length,
          'enhance median ms': q(median(enhanceMs)),
          'extract median ms': q(median(extractMs)),
          'enhance + extract median ms': q(median(jobMs)),
          'enhance median CPU ms': q(median(enhanceCpu)),
          'extract median CPU ms': q(median(extractCpu)),
          'enhance + extract median CPU ms': q(median(jobCpu)),
        },
      ],
      notes: [
        'Images decoded before timing; one warm-up image. "enhance + extract" is one timed job per image (enhance, then the first extraction), median over images.',
        'Extraction alone: median of 3 runs per image (1 with --quick); enhance once per image.',
        'CPU ms = process user + system time over the call: equals wall time on an idle core, and stays meaningful when other processes share the 2 cores (wall time then inflates).',
      ],
    });
  }

  const latent = dataDir('latent');
  if (!latent) sections.push({ title: 'Minutiae on the latent', rows: [], skipped: ['../shared/data/latent absent'] });
  else {
    const rows: Array<Record<string, string | number>> = [];
    for (const f of readdirSync(join(latent, 'img_files')).filter((x) => x.endsWith('.bmp')).sort()) {
      const mnt = join(latent, 'mnt_files', f.replace(/\.bmp$/, '.mnt'));
      if (!existsSync(mnt)) continue;
      const lines = readFileSync(mnt, 'utf8').trim().split(/\r?\n/).slice(2);
      const marked = lines.map((l) => l.trim().split(/\s+/).map(Number)).map(([x, y, a]) => ({ x: x!, y: y!, angle: a! }));
      const gray = await loadGray(join(latent, 'img_files', f));
      const e = enhance(gray, { ppi: 500 });
      const ms = extractMinutiaeDetailed(e).template.minutiae;
      const hit = nearest(marked, ms, 12).filter(Boolean).length;
      const oursNearMarked = nearest(ms, marked, 12).filter(Boolean).length;
      rows.push({ image: f, mask: 'enhance()', marked: marked.length, extracted: ms.length, 'marked recalled within 12 px': `${hit}/${marked.length}`, 'ours within 12 px of a marked one': oursNearMarked });
      // The same with the supplied foreground mask (AND enhance's): extraction judged apart from segmentation.
      const segPath = join(latent, 'seg_files', f);
      if (existsSync(segPath)) {
        const seg = await loadGray(segPath);
        if (seg.width === e.mask.width && seg.height === e.mask.height) {
          const data = new Uint8Array(e.mask.data.length);
          for (let i = 0; i < data.length; i++) data[i] = e.mask.data[i] && seg.data[i]! > 0.5 ? 1 : 0;
          const ms2 = extractMinutiaeDetailed({ ...e, mask: { width: seg.width, height: seg.height, data } }).template.minutiae;
          const hit2 = nearest(marked, ms2, 12).filter(Boolean).length;
          rows.push({ image: f, mask: 'supplied seg mask', marked: marked.length, extracted: ms2.length, 'marked recalled within 12 px': `${hit2}/${marked.length}`, 'ours within 12 px of a marked one': nearest(ms2, marked, 12).filter(Boolean).length });
        }
      }
    }
    sections.push({
      title: 'Minutiae on the latent (../shared/data/latent, 16 marked minutiae)',
      rows,
      notes: ['Whole pipeline from the BMP at an assumed 500 ppi: enhance() then extractMinutiae(), default options. Only 16 minutiae are marked, so "ours near a marked one" is no precision.'],
    });
  }
  sections.push(await syntheticSection());
  return sections;
};

interface Truth {
  minutiae: Array<{ x: number; y: number; angle: number; type: string }>;
  ambiguous?: Array<{ x: number; y: number }>;
}

/** Precision / recall against the synthetic fixtures' ground truth (ambiguous minutiae count neither way). */
async function syntheticSection(): Promise<BenchSection> {
  const dir = join(repoRoot, 'fixtures');
  const rows: Array<Record<string, string | number>> = [];
  const groups: Array<[string, RegExp]> = [
    ['clean masters', /^f\d_master\.png$/],
    ['degraded impressions', /^f\d_\d\.png$/],
  ];
  for (const [label, re] of groups) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)).sort() : [];
    let tp = 0, tpAngle = 0, fp = 0, fn = 0, typeOk = 0;
    const endErr: number[] = [];
    const bifErr: number[] = [];
    for (const f of files) {
      const truth = JSON.parse(readFileSync(join(dir, f.replace(/\.png$/, '.json')), 'utf8')) as Truth;
      const ms = extractMinutiaeDetailed(enhance(await loadGray(join(dir, f)), { ppi: 500 })).template.minutiae;
      const used = new Set<number>();
      for (const m of ms) {
        let best = -1;
        let bd = 8;
        truth.minutiae.forEach((g, i) => {
          const d = Math.hypot(g.x - m.x, g.y - m.y);
          if (d <= bd && !used.has(i)) {
            bd = d;
            best = i;
          }
        });
        if (best >= 0) {
          used.add(best);
          tp++;
          const g = truth.minutiae[best]!;
          const err = (angleDifference(m.angle, g.angle) * 180) / Math.PI;
          if (err <= 20) tpAngle++;
          if (g.type === m.type) {
            typeOk++;
            (m.type === 'ending' ? endErr : bifErr).push(err);
          }
        } else if (!(truth.ambiguous ?? []).some((g) => Math.hypot(g.x - m.x, g.y - m.y) <= 8)) fp++;
      }
      fn += truth.minutiae.length - used.size;
    }
    if (files.length === 0) continue;
    rows.push({
      set: label,
      images: files.length,
      'precision 8 px': q(tp / Math.max(1, tp + fp), 2),
      'recall 8 px': q(tp / Math.max(1, tp + fn), 2),
      'precision 8 px 20 deg': q(tpAngle / Math.max(1, tp + fp), 2),
      'recall 8 px 20 deg': q(tpAngle / Math.max(1, tp + fn), 2),
      'type agrees': q(typeOk / Math.max(1, tp), 2),
      'ending angle err median (deg)': q(median(endErr)),
      'bifurcation angle err median (deg)': q(median(bifErr)),
    });
  }
  return {
    title: 'Minutiae against synthetic ground truth (fixtures/, enhance() + extractMinutiae())',
    rows,
    notes: [
      'A minutia of ours counts as true when a ground-truth minutia lies within 8 px (each used once); one near a ground-truth "ambiguous" minutia counts neither way.',
      'Angle errors are over position- and type-matched pairs.',
    ],
    ...(rows.length === 0 ? { skipped: ['fixtures/ has no synthetic prints'] } : {}),
  };
}

export default bench;
