/**
 * `npm run demo`: the main job on the bundled fixture photo. Lifts the fingerprint from
 * fixtures/f1_photo.jpg (a synthetic finger photographed by a camera), compares it with the contact
 * impressions of the same finger (f1_*.png) and of two other fingers (f2_*, f3_*), and writes everything
 * into ./out/ (lifted print, overlays, comparison chart, audit trail, HTML report). The demo's own output
 * files are replaced on each run (they are the demo's, not a user's).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLiftJob } from '../src/tasks/lift.js';
import { loadComparable, compareAll, comparisonChart, thresholdsFor, usesScaleSearch, type Comparable } from '../src/tasks/compare.js';
import { SCALE_HYPOTHESES } from '../src/compare/scales.js';
import { readTemplate } from '../src/formats/index.js';
import { loadImage } from '../src/image/io.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const fixtures = join(root, 'fixtures');
const out = resolve(process.cwd(), 'out');
const started = performance.now();
mkdirSync(out, { recursive: true });

const photo = join(fixtures, 'f1_photo.jpg');
const stem = 'f1_photo';
const lifted = await runLiftJob(photo, stem, { overlays: true, report: true, mirror: true });
for (const f of lifted.files) {
  writeFileSync(join(out, `${stem}${f.suffix}`), f.bytes);
  lifted.trail.output(`${stem}${f.suffix}`, f.bytes);
}
const liftMs = performance.now() - started;

const fingertips = JSON.parse(lifted.files.find((f) => f.suffix === '.lift.json')!.bytes.toString()) as { fingertips: Array<{ index: number; usable: boolean; minutiae: number; reason: string | null; estimatedPpi: number }> };
const usable = fingertips.fingertips.filter((f) => f.usable).sort((a, b) => b.minutiae - a.minutiae)[0];
if (!usable) {
  process.stdout.write(`demo: no usable fingertip lifted from ${photo}: ${fingertips.fingertips.map((f) => f.reason).join('; ')}\n`);
  process.exit(1);
}
const templateFile = lifted.files.find((f) => f.suffix === `.f${usable.index}.json`)!;
const printFile = join(out, `${stem}.f${usable.index}.png`);
const probe: Comparable = {
  path: printFile,
  id: `f1_photo (fingertip ${usable.index})`,
  kind: 'photo',
  template: readTemplate(templateFile.bytes, templateFile.suffix),
  image: (await loadImage(printFile)).image as Comparable['image'] & object,
  notes: [],
};

const refs = readdirSync(fixtures).filter((f) => /^f\d_\d\.png$/.test(f)).sort();
const references: Comparable[] = [];
for (const r of refs) references.push(await loadComparable(join(fixtures, r), { imageKind: 'print' }));
const rows = compareAll(probe, references).sort((a, b) => b.score - a.score);
// The photo's scale is estimated: compareAll searched scales, so its scores are judged with the scale-search thresholds.
const thresholds = thresholdsFor(probe, true, references);
const isMate = (path: string): boolean => /[/\\]f1_\d\.png$/.test(path);
const best = rows[0]!;
const bestRef = references.find((r) => r.path === best.reference)!;
const chart = await comparisonChart(probe, bestRef, best.result, `score ${best.score.toFixed(2)}, ${best.mated} mated minutiae; FMR 0.1% threshold ${thresholds.fmr0_1}`);
writeFileSync(join(out, 'demo.chart.png'), chart);
writeFileSync(join(lifted.trail ? out : out, `${stem}.trail.json`), lifted.trail.serialize());
const results = rows.map((r) => ({ reference: r.reference.slice(root.length + 1), mated: isMate(r.reference), score: Math.round(r.score * 1000) / 1000, ...(r.scale !== undefined ? { scale: Math.round(r.scale * 1000) / 1000 } : {}), matedMinutiae: r.mated, match: r.score >= thresholds.fmr0_1 }));
writeFileSync(join(out, 'demo.comparisons.json'), JSON.stringify({ probe: probe.id, scaleSearch: usesScaleSearch(probe, true, references) ? SCALE_HYPOTHESES : false, thresholds, results }, null, 2) + '\n');

const genuine = rows.filter((r) => isMate(r.reference));
const impostor = rows.filter((r) => !isMate(r.reference));
const minGenuine = Math.min(...genuine.map((r) => r.score));
const maxImpostor = Math.max(...impostor.map((r) => r.score));
const ok = isMate(best.reference) && best.score >= thresholds.fmr0_1;
const s = (v: number): string => v.toFixed(2);
process.stdout.write(
  [
    `fingerlift demo: ${photo.slice(root.length + 1)} -> fingertip ${usable.index} lifted (${usable.minutiae} minutiae, photo at about ${usable.estimatedPpi} ppi) in ${(liftMs / 1000).toFixed(1)} s`,
    `compared with ${references.length} contact prints: best ${best.reference.slice(root.length + 1)}, score ${s(best.score)} (${best.mated} mated minutiae); threshold at FMR 0.1% ${thresholds.fmr0_1}`,
    `same finger (4 prints): scores ${genuine.map((r) => s(r.score)).join(', ')}; other fingers (8): highest ${s(maxImpostor)}`,
    `${ok ? 'MATE FOUND' : 'NO MATE ABOVE THRESHOLD'}${minGenuine > maxImpostor ? '; every mated score is above every non-mated one' : ''}. Total ${((performance.now() - started) / 1000).toFixed(1)} s. Results in ${out}/ (report: ${stem}.report.html, chart: demo.chart.png)`,
  ].join('\n') + '\n',
);
process.exitCode = ok ? 0 : 1;
