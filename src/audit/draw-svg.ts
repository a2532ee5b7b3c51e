/**
 * SVG builders for the pictures of src/audit/draw.ts: pure functions from data to SVG text, tested
 * apart from rasterising. Coordinates are output pixels (origin top-left, y down); angles follow
 * DESIGN.md (radians, counter-clockwise as displayed: a direction a is the displacement
 * (cos a, -sin a)). Colours: the Okabe & Ito (2008) colour-blind-safe palette; minutia symbols
 * (circle at the point, tick along the direction) as in NIST's and SourceAFIS's minutia plots.
 */
import escapeHtml from 'escape-html';
import type { OrientedBox } from '../locate/types.js';
import { boxCorners } from '../locate/types.js';
import type { Minutia, Template } from '../minutiae/types.js';

/** Palette (Okabe & Ito 2008) and type faces; every colour the pictures use is here. */
export const DRAW_STYLE = {
  ending: '#D55E00', // vermilion
  bifurcation: '#0072B2', // blue
  genuine: '#0072B2',
  impostor: '#D55E00',
  threshold: '#000000',
  curve: '#0072B2',
  mask: '#CC79A7', // reddish purple: background tint
  maskEdge: '#7B2D5C', // the same hue, darker: region-of-interest boundary
  orientation: '#009E73', // bluish green
  box: '#E69F00', // orange
  unmated: '#999999',
  /** Cycled over mated pairs so neighbouring lines can be told apart. */
  mates: ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7'],
  font: 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
} as const;

/** Round for SVG output: deterministic text, small files. */
export const f2 = (v: number): string => (Math.round(v * 100) / 100).toString();
export const esc = (s: string): string => escapeHtml(s);

export function svgDocument(width: number, height: number, body: string[], background?: string): string {
  const bg = background ? `<rect x="0" y="0" width="${width}" height="${height}" fill="${background}"/>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bg}${body.join('')}</svg>`;
}

/** Text with a light halo so it reads on any print. */
export function haloText(x: number, y: number, text: string, size: number, fill: string, attrs = '', anchor = 'middle'): string {
  const common = `x="${f2(x)}" y="${f2(y)}" font-family="${DRAW_STYLE.font}" font-size="${f2(size)}" text-anchor="${anchor}"`;
  // The halo is a separate, class-less copy so that selecting by class finds each label once.
  const haloAttrs = attrs.replace(/class="[^"]*"/, 'class="halo"');
  return (
    `<text ${common} ${haloAttrs} stroke="#ffffff" stroke-width="${f2(size / 4)}" stroke-linejoin="round" fill="#ffffff" opacity="0.85">${esc(text)}</text>` +
    `<text ${common} ${attrs} fill="${fill}">${esc(text)}</text>`
  );
}

/**
 * Minutiae of `template` mapped into an image of `imageWidth` x `imageHeight` pixels and then scaled by
 * `scale`, as SVG coordinates (the centre of pixel (x, y) is at (x + 0.5, y + 0.5)). When the template's frame differs from the image (e.g. the 300 x 400 frame of the FVC `.iso`
 * files over 388 x 374 images), x and y are scaled separately and each direction is mapped through the
 * same anisotropic scale, so ticks still follow the ridges.
 */
export function mapMinutiae(template: Template, imageWidth: number, imageHeight: number, scale = 1): Minutia[] {
  const sx = (imageWidth / template.width) * scale;
  const sy = (imageHeight / template.height) * scale;
  const same = sx === sy;
  return template.minutiae.map((m) => ({
    ...m,
    x: (m.x + 0.5) * sx,
    y: (m.y + 0.5) * sy,
    angle: same ? m.angle : Math.atan2(Math.sin(m.angle) * sy, Math.cos(m.angle) * sx),
  }));
}

export interface MinutiaSymbolStyle {
  /** Circle radius, output pixels. */
  radius: number;
  /** Tick length from the centre, output pixels. */
  tick: number;
  strokeWidth: number;
  fontSize: number;
}

/** A minutia symbol: circle at the point, tick along the direction, colour by type. */
export function minutiaSymbol(m: Minutia, s: MinutiaSymbolStyle, colour?: string, attrs = ''): string {
  const c = colour ?? (m.type === 'bifurcation' ? DRAW_STYLE.bifurcation : DRAW_STYLE.ending);
  const x2 = m.x + Math.cos(m.angle) * s.tick;
  const y2 = m.y - Math.sin(m.angle) * s.tick;
  const shape =
    m.type === 'bifurcation'
      ? `<rect x="${f2(m.x - s.radius)}" y="${f2(m.y - s.radius)}" width="${f2(2 * s.radius)}" height="${f2(2 * s.radius)}"`
      : `<circle cx="${f2(m.x)}" cy="${f2(m.y)}" r="${f2(s.radius)}"`;
  return (
    `<g class="minutia ${m.type}" stroke="${c}" stroke-width="${f2(s.strokeWidth)}" fill="none" ${attrs}>` +
    `${shape}/><line x1="${f2(m.x)}" y1="${f2(m.y)}" x2="${f2(x2)}" y2="${f2(y2)}"/></g>`
  );
}

/** Symbol sizes for a print of `ppi` drawn at `scale` (radius 5 px, tick 13 px at 500 ppi and scale 1). */
export function symbolStyle(ppi: number, scale: number): MinutiaSymbolStyle {
  const k = (ppi / 500) * scale;
  return { radius: 5 * k, tick: 13 * k, strokeWidth: Math.max(1, 1.5 * k), fontSize: Math.max(8, 10 * k) };
}

export interface MinutiaeSvgOptions {
  /** Number each minutia (1-based, in template order). Default false. */
  numbers?: boolean;
  /** Output pixels per image pixel. Default 1. */
  scale?: number;
  /** Resolution of the print, for symbol sizes (default the template's). */
  ppi?: number;
}

/** Minutiae overlay for an image of `width` x `height` pixels (scaled by `scale`). */
export function minutiaeSvg(template: Template, width: number, height: number, opts: MinutiaeSvgOptions = {}): string {
  const scale = opts.scale ?? 1;
  const style = symbolStyle(opts.ppi ?? template.ppi, scale);
  const ms = mapMinutiae(template, width, height, scale);
  const body = ms.map((m) => minutiaSymbol(m, style));
  if (opts.numbers) {
    ms.forEach((m, i) => body.push(haloText(m.x + style.radius + 1, m.y - style.radius - 1, String(i + 1), style.fontSize, '#000000', 'class="minutia-label"', 'start')));
  }
  body.push(legendTypes(Math.round(width * scale), style));
  return svgDocument(Math.round(width * scale), Math.round(height * scale), body);
}

function legendTypes(width: number, s: MinutiaSymbolStyle): string {
  const y = s.fontSize + 4;
  const x = width - 6;
  return (
    haloText(x, y, 'ridge ending', s.fontSize, DRAW_STYLE.ending, 'class="legend"', 'end') +
    haloText(x, y + s.fontSize + 3, 'bifurcation', s.fontSize, DRAW_STYLE.bifurcation, 'class="legend"', 'end')
  );
}

export interface OrientationSample {
  x: number;
  y: number;
  /** Ridge direction, radians [0, π), counter-clockwise as displayed. */
  theta: number;
  /** [0, 1]; draws the segment's opacity. */
  coherence: number;
}

/** Short segments along the ridge direction, centred on each sample, `length` output pixels long. */
export function orientationSvg(samples: OrientationSample[], width: number, height: number, length: number, strokeWidth = 1.5): string {
  const h = length / 2;
  const body = samples.map((s) => {
    const dx = Math.cos(s.theta) * h;
    const dy = -Math.sin(s.theta) * h;
    const op = Math.max(0.25, Math.min(1, s.coherence));
    return `<line x1="${f2(s.x - dx)}" y1="${f2(s.y - dy)}" x2="${f2(s.x + dx)}" y2="${f2(s.y + dy)}" stroke-opacity="${f2(op)}"/>`;
  });
  // Butt caps: librsvg renders round caps with per-line opacity about 4x slower (100 vs 23 ms measured).
  return svgDocument(width, height, [`<g stroke="${DRAW_STYLE.orientation}" stroke-width="${f2(strokeWidth)}">`, ...body, '</g>']);
}

/** Rotated boxes with labels (label and score), in output pixels (boxes scaled by `scale`). */
export function boxesSvg(boxes: OrientedBox[], width: number, height: number, scale = 1): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 300));
  const font = Math.max(12, Math.round(Math.min(width, height) / 40));
  const body: string[] = [];
  boxes.forEach((b, i) => {
    const pts = boxCorners(b).map(([x, y]) => [x * scale, y * scale] as const);
    body.push(`<polygon class="box" points="${pts.map(([x, y]) => `${f2(x)},${f2(y)}`).join(' ')}" fill="none" stroke="${DRAW_STYLE.box}" stroke-width="${stroke}"/>`);
    // Tip edge (first two corners) drawn thicker so the finger's direction is visible.
    const [a, c] = [pts[0]!, pts[1]!];
    body.push(`<line x1="${f2(a[0])}" y1="${f2(a[1])}" x2="${f2(c[0])}" y2="${f2(c[1])}" stroke="${DRAW_STYLE.box}" stroke-width="${stroke * 2.5}"/>`);
    const label = `${b.label ?? `#${i + 1}`}${b.score !== undefined ? ` ${b.score.toFixed(2)}` : ''}`;
    const top = pts.reduce((p, q) => (q[1] < p[1] ? q : p));
    body.push(haloText(top[0], Math.max(font, top[1] - stroke * 2), label, font, '#000000', 'class="box-label"'));
  });
  return svgDocument(width, height, body);
}

export interface ChartPanel {
  template: Template;
  /** Image size, pixels (the template is mapped into it). */
  width: number;
  height: number;
  /** Panel title, e.g. "Probe" or a file name. */
  title: string;
}

export interface ChartLayout {
  /** Output pixels per image pixel. */
  scale: number;
  /** Gap between the two prints, output pixels. */
  gap: number;
  /** Height of the title band above the prints, output pixels. */
  header: number;
  /** Total size, output pixels. */
  width: number;
  height: number;
  /** Top-left of each print in the output. */
  probeAt: [number, number];
  referenceAt: [number, number];
}

export function chartLayout(probe: { width: number; height: number }, reference: { width: number; height: number }, scale: number): ChartLayout {
  const gap = Math.round(24 * scale);
  const header = Math.round(22 * scale) + 8;
  const pw = Math.round(probe.width * scale);
  const rw = Math.round(reference.width * scale);
  const h = Math.round(Math.max(probe.height, reference.height) * scale);
  return { scale, gap, header, width: pw + gap + rw, height: header + h + Math.round(18 * scale), probeAt: [0, header], referenceAt: [pw + gap, header] };
}

export interface ComparisonChartSvgOptions {
  /** Line under the prints, e.g. "score 74.2, 14 mated minutiae". */
  caption?: string;
  /** Draw the minutiae without a mate, small and grey. Default true. */
  showUnmated?: boolean;
  /** Resolution of both prints, for symbol sizes. Default the probe template's. */
  ppi?: number;
}

/**
 * Probe (left) and reference (right) side by side: mated minutiae numbered 1..k identically on both and
 * joined by lines; the numbers follow the order of `mated`. Every number is a `<text class="mate-label">`.
 * @throws RangeError when a mated index is outside its template (caller's bug, named).
 */
export function comparisonChartSvg(
  probe: ChartPanel,
  reference: ChartPanel,
  mated: ReadonlyArray<{ probe: number; reference: number }>,
  layout: ChartLayout,
  opts: ComparisonChartSvgOptions = {},
): string {
  const s = layout.scale;
  const style = symbolStyle(opts.ppi ?? probe.template.ppi, s);
  const pm = mapMinutiae(probe.template, probe.width, probe.height, s).map((m) => ({ ...m, x: m.x + layout.probeAt[0], y: m.y + layout.probeAt[1] }));
  const rm = mapMinutiae(reference.template, reference.width, reference.height, s).map((m) => ({ ...m, x: m.x + layout.referenceAt[0], y: m.y + layout.referenceAt[1] }));
  const matedP = new Set<number>();
  const matedR = new Set<number>();
  for (const [k, p] of mated.entries()) {
    if (!pm[p.probe]) throw new RangeError(`mated pair ${k}: probe minutia ${p.probe} does not exist (${pm.length} minutiae)`);
    if (!rm[p.reference]) throw new RangeError(`mated pair ${k}: reference minutia ${p.reference} does not exist (${rm.length} minutiae)`);
    matedP.add(p.probe);
    matedR.add(p.reference);
  }
  const body: string[] = [];
  for (const [at, panel] of [[layout.probeAt, probe], [layout.referenceAt, reference]] as const) {
    body.push(`<rect class="panel" x="${f2(at[0] + 0.5)}" y="${f2(at[1] + 0.5)}" width="${f2(panel.width * s - 1)}" height="${f2(panel.height * s - 1)}" fill="none" stroke="#888888" stroke-width="1"/>`);
  }
  const titleSize = Math.round(14 * s);
  body.push(haloText(layout.probeAt[0] + 4, titleSize + 2, probe.title, titleSize, '#000000', 'class="title" font-weight="bold"', 'start'));
  body.push(haloText(layout.referenceAt[0] + 4, titleSize + 2, reference.title, titleSize, '#000000', 'class="title" font-weight="bold"', 'start'));
  if (opts.showUnmated ?? true) {
    const faint: MinutiaSymbolStyle = { ...style, radius: style.radius * 0.7, tick: style.tick * 0.7 };
    pm.forEach((m, i) => matedP.has(i) || body.push(minutiaSymbol(m, faint, DRAW_STYLE.unmated, 'opacity="0.8"')));
    rm.forEach((m, i) => matedR.has(i) || body.push(minutiaSymbol(m, faint, DRAW_STYLE.unmated, 'opacity="0.8"')));
  }
  const lines: string[] = [];
  const symbols: string[] = [];
  const labels: string[] = [];
  mated.forEach((p, k) => {
    const a = pm[p.probe]!;
    const b = rm[p.reference]!;
    const colour = DRAW_STYLE.mates[k % DRAW_STYLE.mates.length]!;
    lines.push(`<line class="mate-line" x1="${f2(a.x)}" y1="${f2(a.y)}" x2="${f2(b.x)}" y2="${f2(b.y)}" stroke="${colour}" stroke-width="${f2(Math.max(1, 0.8 * s))}" stroke-opacity="0.7"/>`);
    symbols.push(minutiaSymbol(a, style), minutiaSymbol(b, style));
    for (const m of [a, b]) labels.push(haloText(m.x + style.radius + 1, m.y - style.radius - 1, String(k + 1), style.fontSize, '#000000', 'class="mate-label" font-weight="bold"', 'start'));
  });
  body.push(...lines, ...symbols, ...labels);
  if (opts.caption) body.push(haloText(layout.width / 2, layout.height - Math.round(5 * s), opts.caption, Math.round(11 * s), '#000000', 'class="caption"'));
  return svgDocument(layout.width, layout.height, body);
}

// ---------------------------------------------------------------------------------------------------
// Plots: score histogram and DET curve.

export interface PlotFrame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function plotFrame(width: number, height: number): PlotFrame {
  return { width, height, left: 70, right: width - 20, top: 40, bottom: height - 55 };
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 x 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

const fmtTick = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(6))));

function axes(fr: PlotFrame, xTicks: Array<[number, string]>, yTicks: Array<[number, string]>, xLabel: string, yLabel: string, title: string): string[] {
  const b: string[] = [];
  b.push(`<rect x="${fr.left}" y="${fr.top}" width="${fr.right - fr.left}" height="${fr.bottom - fr.top}" fill="none" stroke="#000000" stroke-width="1"/>`);
  for (const [x, label] of xTicks) {
    b.push(`<line x1="${f2(x)}" y1="${fr.bottom}" x2="${f2(x)}" y2="${fr.bottom + 5}" stroke="#000000"/>`);
    b.push(`<line x1="${f2(x)}" y1="${fr.top}" x2="${f2(x)}" y2="${fr.bottom}" stroke="#000000" stroke-opacity="0.08"/>`);
    b.push(`<text class="tick" x="${f2(x)}" y="${fr.bottom + 18}" font-family="${DRAW_STYLE.font}" font-size="12" text-anchor="middle">${esc(label)}</text>`);
  }
  for (const [y, label] of yTicks) {
    b.push(`<line x1="${fr.left - 5}" y1="${f2(y)}" x2="${fr.left}" y2="${f2(y)}" stroke="#000000"/>`);
    b.push(`<line x1="${fr.left}" y1="${f2(y)}" x2="${fr.right}" y2="${f2(y)}" stroke="#000000" stroke-opacity="0.08"/>`);
    b.push(`<text class="tick" x="${fr.left - 8}" y="${f2(y + 4)}" font-family="${DRAW_STYLE.font}" font-size="12" text-anchor="end">${esc(label)}</text>`);
  }
  const midX = (fr.left + fr.right) / 2;
  const midY = (fr.top + fr.bottom) / 2;
  b.push(`<text x="${f2(midX)}" y="${fr.height - 14}" font-family="${DRAW_STYLE.font}" font-size="14" text-anchor="middle">${esc(xLabel)}</text>`);
  b.push(`<text x="16" y="${f2(midY)}" font-family="${DRAW_STYLE.font}" font-size="14" text-anchor="middle" transform="rotate(-90 16 ${f2(midY)})">${esc(yLabel)}</text>`);
  b.push(`<text class="plot-title" x="${f2(midX)}" y="24" font-family="${DRAW_STYLE.font}" font-size="16" font-weight="bold" text-anchor="middle">${esc(title)}</text>`);
  return b;
}

export interface ScoresPlotOptions {
  /** Vertical lines, e.g. [{ value: 41.2, label: 'FMR 0.1%' }]. */
  thresholds?: Array<{ value: number; label: string }>;
  /** Number of histogram bins. Default 40. */
  bins?: number;
  /** Size in pixels. Default 900 x 500. */
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
}

/**
 * Score distributions as two histograms of relative frequency (each class sums to 1, so 280 genuine
 * and 2,880 impostor scores compare on one axis), with threshold lines and counts in the legend.
 * @throws RangeError when both lists are empty or hold a non-finite score.
 */
export function scoresSvg(genuine: readonly number[], impostor: readonly number[], opts: ScoresPlotOptions = {}): string {
  const all = [...genuine, ...impostor];
  if (all.length === 0) throw new RangeError('plotScores: no scores');
  if (!all.every(Number.isFinite)) throw new RangeError('plotScores: a score is not finite');
  const fr = plotFrame(opts.width ?? 900, opts.height ?? 500);
  const bins = Math.max(1, Math.round(opts.bins ?? 40));
  let lo = Math.min(...all, ...(opts.thresholds ?? []).map((t) => t.value));
  let hi = Math.max(...all, ...(opts.thresholds ?? []).map((t) => t.value));
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const bw = (hi - lo) / bins;
  const hist = (v: readonly number[]): number[] => {
    const h = new Array<number>(bins).fill(0);
    for (const s of v) h[Math.min(bins - 1, Math.floor((s - lo) / bw))]! += 1 / v.length;
    return h;
  };
  const hg = hist(genuine);
  const hi2 = hist(impostor);
  const ymax = Math.max(...hg, ...hi2) * 1.08 || 1;
  const X = (v: number): number => fr.left + ((v - lo) / (hi - lo)) * (fr.right - fr.left);
  const Y = (v: number): number => fr.bottom - (v / ymax) * (fr.bottom - fr.top);
  const body = axes(
    fr,
    niceTicks(lo, hi).filter((t) => t >= lo && t <= hi).map((t) => [X(t), fmtTick(t)]),
    niceTicks(0, ymax, 5).filter((t) => t <= ymax).map((t) => [Y(t), `${Number((t * 100).toPrecision(4))}%`]),
    opts.xLabel ?? 'score',
    'share of comparisons',
    opts.title ?? 'Score distributions',
  );
  const bars = (h: number[], colour: string, cls: string): string =>
    h.map((v, i) => (v > 0 ? `<rect class="${cls}" x="${f2(X(lo + i * bw))}" y="${f2(Y(v))}" width="${f2(X(lo + (i + 1) * bw) - X(lo + i * bw))}" height="${f2(fr.bottom - Y(v))}" fill="${colour}" fill-opacity="0.45" stroke="${colour}" stroke-width="1"/>` : '')).join('');
  body.push(bars(hi2, DRAW_STYLE.impostor, 'bar-impostor'), bars(hg, DRAW_STYLE.genuine, 'bar-genuine'));
  (opts.thresholds ?? []).forEach((t, k) => {
    const x = X(t.value);
    body.push(`<line class="threshold" x1="${f2(x)}" y1="${fr.top}" x2="${f2(x)}" y2="${fr.bottom}" stroke="${DRAW_STYLE.threshold}" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    // Labels stagger downwards so close thresholds stay readable.
    body.push(haloText(x + 4, fr.top + 14 + 16 * k, `${t.label} (${fmtTick(Number(t.value.toPrecision(4)))})`, 12, '#000000', 'class="threshold-label"', 'start'));
  });
  const lx = fr.right - 190;
  body.push(`<rect x="${lx}" y="${fr.top + 26}" width="14" height="14" fill="${DRAW_STYLE.genuine}" fill-opacity="0.45" stroke="${DRAW_STYLE.genuine}"/>`);
  body.push(`<text x="${lx + 20}" y="${fr.top + 38}" font-family="${DRAW_STYLE.font}" font-size="13">genuine (n = ${genuine.length})</text>`);
  body.push(`<rect x="${lx}" y="${fr.top + 46}" width="14" height="14" fill="${DRAW_STYLE.impostor}" fill-opacity="0.45" stroke="${DRAW_STYLE.impostor}"/>`);
  body.push(`<text x="${lx + 20}" y="${fr.top + 58}" font-family="${DRAW_STYLE.font}" font-size="13">impostor (n = ${impostor.length})</text>`);
  return svgDocument(fr.width, fr.height, body, '#ffffff');
}

export interface DetPoint {
  /** False match rate, [0, 1]. */
  fmr: number;
  /** False non-match rate, [0, 1]. */
  fnmr: number;
}

export interface DetPlotOptions {
  /** Size in pixels. Default 600 x 600. */
  width?: number;
  height?: number;
  title?: string;
  /** Curve name for the legend. */
  label?: string;
  /** Mark the equal error rate (a value in [0, 1]) on the diagonal. */
  eer?: number;
  /** Smallest rate on the axes (a power of ten). Default: the decade below the smallest non-zero rate, at least 1e-5. */
  minRate?: number;
}

/**
 * DET curve (FNMR against FMR) on log10 axes from `minRate` to 100%, with the FMR = FNMR diagonal. Rates
 * of 0 cannot sit on a log axis and are drawn on its edge (minRate). The curve joins the points in
 * order of increasing FMR.
 * @throws RangeError for an empty list or a rate outside [0, 1].
 */
export function detSvg(points: readonly DetPoint[], opts: DetPlotOptions = {}): string {
  if (points.length === 0) throw new RangeError('plotDet: no points');
  for (const p of points) if (!(p.fmr >= 0 && p.fmr <= 1 && p.fnmr >= 0 && p.fnmr <= 1)) throw new RangeError(`plotDet: rate outside [0, 1]: ${JSON.stringify(p)}`);
  const fr = plotFrame(opts.width ?? 600, opts.height ?? 600);
  const nonzero = points.flatMap((p) => [p.fmr, p.fnmr]).filter((v) => v > 0);
  const minRate = opts.minRate ?? Math.max(1e-5, 10 ** Math.floor(Math.log10(nonzero.length ? Math.min(...nonzero) : 1e-3)));
  const lmin = Math.log10(minRate);
  const L = (v: number): number => (Math.log10(Math.max(minRate, v)) - lmin) / -lmin;
  const X = (v: number): number => fr.left + L(v) * (fr.right - fr.left);
  const Y = (v: number): number => fr.bottom - L(v) * (fr.bottom - fr.top);
  const decades: number[] = [];
  for (let e = Math.round(lmin); e <= 0; e++) decades.push(10 ** e);
  const pct = (v: number): string => `${Number((v * 100).toPrecision(3))}%`;
  const body = axes(fr, decades.map((d) => [X(d), pct(d)]), decades.map((d) => [Y(d), pct(d)]), 'false match rate (FMR)', 'false non-match rate (FNMR)', opts.title ?? 'DET curve');
  body.push(`<line x1="${f2(X(minRate))}" y1="${f2(Y(minRate))}" x2="${f2(X(1))}" y2="${f2(Y(1))}" stroke="#000000" stroke-opacity="0.35" stroke-dasharray="4 4"/>`);
  const sorted = [...points].sort((a, b) => a.fmr - b.fmr || b.fnmr - a.fnmr);
  body.push(`<polyline class="det-curve" points="${sorted.map((p) => `${f2(X(p.fmr))},${f2(Y(p.fnmr))}`).join(' ')}" fill="none" stroke="${DRAW_STYLE.curve}" stroke-width="2"/>`);
  if (opts.eer !== undefined && opts.eer > 0) {
    body.push(`<circle class="eer" cx="${f2(X(opts.eer))}" cy="${f2(Y(opts.eer))}" r="5" fill="none" stroke="${DRAW_STYLE.impostor}" stroke-width="2"/>`);
    body.push(haloText(X(opts.eer) + 8, Y(opts.eer) - 8, `EER ${pct(opts.eer)}`, 13, '#000000', 'class="eer-label"', 'start'));
  }
  if (opts.label) body.push(`<text x="${fr.right - 8}" y="${fr.top + 18}" font-family="${DRAW_STYLE.font}" font-size="13" text-anchor="end" fill="${DRAW_STYLE.curve}">${esc(opts.label)}</text>`);
  return svgDocument(fr.width, fr.height, body, '#ffffff');
}
