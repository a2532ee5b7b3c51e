/**
 * The examiner's HTML report: one self-contained file (pictures embedded as data: URIs, inline CSS, no
 * script, no network: a Content-Security-Policy forbids both) with the original and its located
 * fingertips, every intermediate stage with its parameters, the minutiae overlay, the comparison chart
 * and mated minutiae when a comparison ran, all hashes, the tool and dependency versions, and the
 * scientific reference of each step (SWGIT Section 5, 2010: every enhancement documented).
 *
 * `renderReport` is pure: the same data gives the same bytes (no clock read; the date shown is the
 * trail's `createdAt`). All text is escaped with `escape-html`.
 */
import escapeHtml from 'escape-html';
import { FingerliftError, invalidArgument } from '../errors.js';
import { parseTrail } from './verify.js';
import { stableStringify } from './hash.js';
import { PRACTICE_REFERENCES, referenceFor, type StepReference } from './references.js';
import type { Trail, TrailStep } from './trail.js';

/** A picture for the report: image bytes (PNG, JPEG, WebP, GIF) or SVG text. */
export interface ReportPicture {
  title: string;
  /** PNG / JPEG / WebP / GIF bytes, or SVG (text or bytes). */
  image: Uint8Array | string;
  /** MIME type; detected from the bytes when absent. */
  mime?: string;
  /** Short explanation under the picture. */
  caption?: string;
  /** Trail step this picture shows: its parameters, duration, output hash and reference are shown. */
  step?: string;
  /** Parameters to show when the picture has no trail step. */
  params?: unknown;
}

export interface ReportMinutia {
  x: number;
  y: number;
  /** Radians, [0, 2π), DESIGN.md convention. */
  angle: number;
  type?: string;
}

export interface ReportComparison {
  /** Names of the probe and the reference (file names or ids). */
  probe: string;
  reference: string;
  score: number;
  /** Decision threshold and the FMR it was set at, when known. */
  threshold?: number;
  thresholdFmr?: number;
  /** Side-by-side chart with the mated minutiae. */
  chart: ReportPicture;
  /** Mated minutia pairs, probe and reference coordinates in pixels. */
  mated: Array<{ probe: ReportMinutia; reference: ReportMinutia; similarity?: number }>;
  /** Trail step of the comparison (for parameters and reference). */
  step?: string;
}

export interface ReportData {
  /** Page title (default: "fingerlift report: <input file name>"). */
  title?: string;
  trail: Trail;
  /** The original photo or print with the located fingertips. */
  original?: ReportPicture;
  /** Every intermediate stage, in processing order. */
  stages?: ReportPicture[];
  /** The minutiae overlay. */
  minutiae?: ReportPicture;
  /** Minutiae counts to show beside the overlay. */
  minutiaeCounts?: { total: number; endings?: number; bifurcations?: number };
  comparison?: ReportComparison;
  /** Free-text notes (decisions taken, warnings). */
  notes?: string[];
  /** Extra or overriding references, by step name or name token. */
  references?: Record<string, StepReference>;
  /**
   * Show the run's clock readings (the trail's createdAt and each step's ms). Default true. Pass false
   * for a report that must replay byte for byte (it is then an output a replay can reproduce).
   */
  timings?: boolean;
}

// ---------------------------------------------------------------------------------------------------

const esc = (s: unknown): string => escapeHtml(String(s));

/** MIME type of image bytes from their signature (PNG, JPEG, GIF, WebP, SVG). */
export function detectMime(bytes: Uint8Array): string | undefined {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'image/gif';
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') return 'image/webp';
  const head = Buffer.from(b.subarray(0, Math.min(b.length, 512))).toString('utf8');
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return undefined;
}

/**
 * A data: URI for a picture.
 * @throws FingerliftError E_INVALID_ARGUMENT when the bytes are empty or not a known image type.
 */
export function dataUri(p: Pick<ReportPicture, 'image' | 'mime' | 'title'>): string {
  const bytes = typeof p.image === 'string' ? Buffer.from(p.image, 'utf8') : Buffer.from(p.image.buffer, p.image.byteOffset, p.image.byteLength);
  if (bytes.length === 0) throw new FingerliftError('E_INVALID_ARGUMENT', `report picture "${p.title}" is empty`);
  const mime = p.mime ?? detectMime(bytes);
  if (!mime || !/^image\/(png|jpeg|gif|webp|svg\+xml)$/.test(mime))
    throw new FingerliftError('E_INVALID_ARGUMENT', `report picture "${p.title}" is not PNG, JPEG, GIF, WebP or SVG${mime ? ` (${mime})` : ''}`);
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

function paramsBlock(params: unknown): string {
  if (params === undefined) return '';
  const text = stableStringify(params).trimEnd();
  return `<pre class="params">${esc(text)}</pre>`;
}

function shortHash(h: string): string {
  return `<code title="${esc(h)}">${esc(h.slice(0, 16))}…</code>`;
}

function citations(ref: StepReference | undefined): string {
  if (!ref) return '<span class="muted">none recorded</span>';
  return `<ul class="cite">${ref.citations.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>`;
}

function figure(p: ReportPicture, trail: Trail, refs: Record<string, StepReference> | undefined, timings: boolean, cls = ''): string {
  const step: TrailStep | undefined = p.step !== undefined ? trail.steps.find((s) => s.name === p.step) : undefined;
  if (p.step !== undefined && !step) throw new FingerliftError('E_INVALID_ARGUMENT', `report picture "${p.title}" names step "${p.step}", which the trail does not record`);
  const ref = p.step !== undefined ? referenceFor(p.step, refs) : undefined;
  const meta: string[] = [];
  if (step) {
    meta.push(`<div class="meta">step <b>${esc(step.name)}</b>${timings ? ` · ${esc(step.ms.toFixed(1))} ms` : ''} · output ${shortHash(step.outputSha256)}</div>`);
    if (ref) meta.push(`<div class="meta">${esc(ref.method)}</div>`);
    if (step.notes?.length) meta.push(`<ul class="notes">${step.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  }
  return `<figure class="${esc(cls)}">
<img src="${dataUri(p)}" alt="${esc(p.title)}">
<figcaption><h3>${esc(p.title)}</h3>${p.caption ? `<p>${esc(p.caption)}</p>` : ''}${meta.join('')}${paramsBlock(step ? step.params : p.params)}</figcaption>
</figure>`;
}

const CSS = `
:root{--fg:#1b1b1b;--muted:#666;--line:#d0d0d0;--accent:#0b5394;--bg:#fff}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:2px solid var(--accent);padding-bottom:3px}
h3{font-size:14px;margin:6px 0 2px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre.params{background:#f6f8fa;border:1px solid var(--line);padding:6px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:18px}
figure{margin:0;border:1px solid var(--line);padding:8px;break-inside:avoid}
figure.wide{grid-column:1/-1}
figure img{display:block;max-width:100%;height:auto;margin:0 auto;image-rendering:auto}
.meta{color:var(--muted);font-size:12px}.muted{color:var(--muted)}
ul.cite,ul.notes{margin:2px 0;padding-left:18px}
.hash{word-break:break-all}
.score{font-size:20px;font-weight:600}
footer{margin-top:28px;color:var(--muted);font-size:12px}
@media print{body{padding:0}figure{page-break-inside:avoid}}
`;

/**
 * Render the report. Pure and deterministic.
 * @throws FingerliftError E_INVALID_ARGUMENT for data that is not an object, a trail that is not a valid
 *   trail (checked as `parseTrail` checks a file), a picture that is empty, not an image, or names a step
 *   the trail does not record.
 */
export function renderReport(data: ReportData): string {
  if (data === null || typeof data !== 'object') throw invalidArgument('renderReport', 'report data { trail, original?, stages?, minutiae?, ... }', data);
  parseTrail(data.trail, 'renderReport: trail');
  const { trail } = data;
  const refs = data.references;
  const timings = data.timings ?? true;
  const inputName = trail.input.path.split(/[\\/]/).pop() ?? trail.input.path;
  const title = data.title ?? `fingerlift report: ${inputName}`;
  const parts: string[] = [];

  const inputRow = (i: Trail['input']): string =>
    `<tr><td>${esc(i.role ?? 'input')}</td><td>${esc(i.path)}</td><td class="num">${esc(i.size)}</td><td class="num">${i.width === null ? '—' : `${esc(i.width)} × ${esc(i.height)}`}</td><td class="num">${i.ppi === null ? 'not stated' : esc(i.ppi)}</td><td class="hash"><code>${esc(i.sha256)}</code></td></tr>`;
  parts.push(`<header><h1>${esc(title)}</h1>
<div class="meta">${esc(trail.tool)} ${esc(trail.version)}${timings ? ` · run ${esc(trail.createdAt)}` : ''}${trail.command ? ` · command <b>${esc(trail.command.name)}</b>` : ''}</div></header>
<h2>Input (never altered)</h2>
<table><tr><th>role</th><th>path</th><th>bytes</th><th>pixels (w × h)</th><th>ppi</th><th>SHA-256</th></tr>
${[trail.input, ...(trail.otherInputs ?? [])].map(inputRow).join('\n')}</table>`);
  if (trail.command) parts.push(`<details><summary>Command options</summary>${paramsBlock(trail.command.options)}</details>`);

  if (data.original) parts.push(`<h2>Original</h2><div class="grid">${figure(data.original, trail, refs, timings, 'wide')}</div>`);
  if (data.stages?.length) parts.push(`<h2>Processing stages</h2><div class="grid">${data.stages.map((s) => figure(s, trail, refs, timings)).join('\n')}</div>`);
  if (data.minutiae) {
    const c = data.minutiaeCounts;
    const counts = c ? `<p>${esc(c.total)} minutiae${c.endings !== undefined ? ` · ${esc(c.endings)} ridge endings` : ''}${c.bifurcations !== undefined ? ` · ${esc(c.bifurcations)} bifurcations` : ''}</p>` : '';
    parts.push(`<h2>Minutiae</h2>${counts}<div class="grid">${figure(data.minutiae, trail, refs, timings, 'wide')}</div>`);
  }
  if (data.comparison) {
    const cmp = data.comparison;
    const decision =
      cmp.threshold !== undefined
        ? ` · threshold ${esc(cmp.threshold)}${cmp.thresholdFmr !== undefined ? ` (FMR ${esc(cmp.thresholdFmr)})` : ''}: <b>${cmp.score >= cmp.threshold ? 'at or above threshold' : 'below threshold'}</b>`
        : '';
    const deg = (a: number): string => ((a * 180) / Math.PI).toFixed(0);
    const rows = cmp.mated
      .map(
        (m, i) =>
          `<tr><td class="num">${i + 1}</td><td class="num">${esc(m.probe.x.toFixed(1))}</td><td class="num">${esc(m.probe.y.toFixed(1))}</td><td class="num">${esc(deg(m.probe.angle))}</td><td>${esc(m.probe.type ?? '')}</td><td class="num">${esc(m.reference.x.toFixed(1))}</td><td class="num">${esc(m.reference.y.toFixed(1))}</td><td class="num">${esc(deg(m.reference.angle))}</td><td>${esc(m.reference.type ?? '')}</td><td class="num">${m.similarity === undefined ? '' : esc(m.similarity.toFixed(3))}</td></tr>`,
      )
      .join('\n');
    parts.push(`<h2>Comparison</h2>
<p>probe <b>${esc(cmp.probe)}</b> × reference <b>${esc(cmp.reference)}</b>: score <span class="score">${esc(cmp.score.toFixed(4))}</span>${decision} · ${esc(cmp.mated.length)} mated minutiae</p>
<div class="grid">${figure({ ...cmp.chart, step: cmp.chart.step ?? cmp.step }, trail, refs, timings, 'wide')}</div>
<table><tr><th>#</th><th>probe x</th><th>probe y</th><th>angle °</th><th>type</th><th>reference x</th><th>reference y</th><th>angle °</th><th>type</th><th>similarity</th></tr>
${rows}</table>`);
  }
  if (data.notes?.length) parts.push(`<h2>Notes</h2><ul class="notes">${data.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);

  // Every step, with parameters, hash and reference.
  parts.push(`<h2>Processing steps and references</h2>
<table><tr><th>#</th><th>step</th><th>method</th><th>reference</th><th>parameters</th>${timings ? '<th>ms</th>' : ''}<th>output SHA-256</th></tr>
${trail.steps
  .map((s, i) => {
    const ref = referenceFor(s.name, refs);
    return `<tr><td class="num">${i + 1}</td><td><b>${esc(s.name)}</b>${s.notes?.length ? `<ul class="notes">${s.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}</td><td>${ref ? esc(ref.method) : '<span class="muted">—</span>'}</td><td>${citations(ref)}</td><td>${paramsBlock(s.params)}</td>${timings ? `<td class="num">${esc(s.ms.toFixed(1))}</td>` : ''}<td class="hash"><code>${esc(s.outputSha256)}</code></td></tr>`;
  })
  .join('\n')}</table>`);

  parts.push(`<h2>Files written</h2>
<table><tr><th>path</th><th>bytes</th><th>SHA-256</th></tr>
${trail.outputs.map((o) => `<tr><td>${esc(o.path)}</td><td class="num">${esc(o.size)}</td><td class="hash"><code>${esc(o.sha256)}</code></td></tr>`).join('\n')}</table>`);

  const deps = Object.entries(trail.environment.dependencies).sort(([a], [b]) => (a < b ? -1 : 1));
  parts.push(`<h2>Environment</h2>
<table><tr><th>tool</th><td>${esc(trail.tool)} ${esc(trail.version)}</td></tr>
<tr><th>Node.js</th><td>${esc(trail.environment.node)} (${esc(trail.environment.platform)}/${esc(trail.environment.arch)})</td></tr>
${deps.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n')}
<tr><th>trail schema</th><td>${esc(trail.schema)}</td></tr></table>
<footer>${timings ? '' : '<p>Run time and step durations are in the trail file (left out here so that this report itself replays byte for byte).</p>'}<p>Reproduce: <code>fingerlift verify ${esc(inputName.replace(/\.[^.]*$/, ''))}.trail.json</code> re-runs every step from the original with the recorded parameters and checks each SHA-256 above.</p>
<ul class="cite">${PRACTICE_REFERENCES.map((r) => `<li>${esc(r)}</li>`).join('')}</ul></footer>`);

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(trail.tool)} ${esc(trail.version)}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${parts.join('\n')}
</body>
</html>
`;
}
