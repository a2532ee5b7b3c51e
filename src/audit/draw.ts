/**
 * Pictures for examiners and reports, as PNG bytes: minutiae over a print, the region-of-interest mask,
 * the orientation field, heat maps (ridge frequency, quality), fingertip boxes over a photo, the side by
 * side comparison chart with mated minutiae, score distributions and the DET curve.
 *
 * Drawing is SVG (src/audit/draw-svg.ts) rendered by sharp's librsvg over the image: no canvas
 * dependency (STACK.md). Prints keep their true density: a picture of a 500 ppi print drawn at scale s
 * is written with density 500 × s ppi, so it prints at the finger's real size. Nothing here reads or
 * writes files; the caller writes the returned bytes.
 */
import sharp from 'sharp';
import { FingerliftError, invalidArgument } from '../errors.js';
import type { BlockMap, Mask, OrientationField } from '../enhance/types.js';
import type { AnyImage } from '../image/types.js';
import { checkImage as checkAnyImage, isRgb } from '../image/types.js';
import type { OrientedBox } from '../locate/types.js';
import type { Template } from '../minutiae/types.js';
import {
  DRAW_STYLE,
  boxesSvg,
  chartLayout,
  comparisonChartSvg,
  detSvg,
  esc,
  f2,
  minutiaeSvg,
  orientationSvg,
  scoresSvg,
  svgDocument,
  type DetPlotOptions,
  type DetPoint,
  type OrientationSample,
  type ScoresPlotOptions,
} from './draw-svg.js';

export { DRAW_STYLE, type DetPoint, type DetPlotOptions, type ScoresPlotOptions };
export * as svg from './draw-svg.js';

/** Defaults of the pictures, each with its reason. */
export const DRAW_DEFAULTS = {
  /** Output pixels per image pixel for overlays: 1 keeps the print's pixels one to one. */
  overlayScale: 1,
  /** The comparison chart is drawn at 2x so numbers stay legible on a 500 ppi print. */
  chartScale: 2,
  /** Orientation segments: one per 16 px block (Hong, Wan & Jain 1998 block size at 500 ppi). */
  orientationStep: 16,
  /** Orientation segment length as a share of the step. */
  orientationLength: 0.8,
  /** Heat map opacity over a print. */
  heatmapAlpha: 0.6,
  /** Share of the mask colour mixed into the background outside the region of interest. */
  maskTint: 0.35,
  /** Height of the colour bar strip under a heat map, output pixels at scale 1. */
  legendHeight: 34,
  /** zlib level for PNG: 6 is libpng's default balance of size and speed. */
  pngCompression: 6,
} as const;

/**
 * Viridis (van der Walt & Smith 2015, matplotlib's perceptually uniform colour map), nine stops at
 * 0, 1/8, ..., 1, linearly interpolated into a 256-entry table (RGB bytes).
 */
const VIRIDIS_STOPS = [0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21908c, 0x27ad81, 0x5dc863, 0xaadc32, 0xfde725];
export const VIRIDIS: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (VIRIDIS_STOPS.length - 1);
    const k = Math.min(VIRIDIS_STOPS.length - 2, Math.floor(t));
    const u = t - k;
    const a = VIRIDIS_STOPS[k]!;
    const b = VIRIDIS_STOPS[k + 1]!;
    for (let c = 0; c < 3; c++) {
      const sh = 16 - 8 * c;
      lut[i * 3 + c] = Math.round(((a >> sh) & 255) * (1 - u) + ((b >> sh) & 255) * u);
    }
  }
  return lut;
})();

/** Output size and density shared by the picture functions. */
export interface PictureOptions {
  /** Output pixels per image pixel (integer up-scaling uses nearest neighbour; the print's pixels stay visible). */
  scale?: number;
  /** Resolution of the image, ppi; the PNG's density is ppi × scale. Omit for photos of unknown scale. */
  ppi?: number;
}

function invalid(message: string): FingerliftError {
  return new FingerliftError('E_INVALID_ARGUMENT', message);
}

function checkScale(scale: number): number {
  if (!(scale > 0) || !Number.isFinite(scale) || scale > 16) throw invalid(`picture scale ${scale} is not in (0, 16]`);
  return scale;
}

/** An image whose size and data agree (see image/types checkImage), else E_INVALID_ARGUMENT naming `what`. */
function checkImage(image: AnyImage, what: string): void {
  checkAnyImage(image, what);
  const n = image.width * image.height * (isRgb(image) ? 3 : 1);
  if (!(image.width >= 1 && image.height >= 1) || image.data.length !== n) {
    throw invalid(`${what}: ${image.width} x ${image.height} image with ${image.data.length} values`);
  }
}

/** An object with a `width` x `height` `data` array (mask, field, per-pixel map), else E_INVALID_ARGUMENT. */
function checkSized(v: unknown, what: string, expected: string): void {
  if (v === null || typeof v !== 'object' || !ArrayBuffer.isView((v as { data?: unknown }).data) && !ArrayBuffer.isView((v as { theta?: unknown }).theta))
    throw invalidArgument(what, expected, v);
}

/** A template object with a minutiae array, else E_INVALID_ARGUMENT. */
function checkTemplate(t: unknown, what: string): void {
  if (t === null || typeof t !== 'object' || !Array.isArray((t as Template).minutiae)) throw invalidArgument(what, 'a Template { width, height, ppi, minutiae }', t);
}

/** An options object (or undefined for the defaults), else E_INVALID_ARGUMENT. */
function checkOpts(o: unknown, what: string): void {
  if (o === null || typeof o !== 'object') throw invalidArgument(`${what}: options`, 'an options object', o);
}

/**
 * Grey or RGB float image ([0, 1]) -> interleaved RGB bytes (×255, rounded half up, clamped; NaN -> 0).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image (size and data must agree).
 */
export function toRgbBytes(image: AnyImage): Buffer {
  checkImage(image, 'toRgbBytes');
  const n = image.width * image.height;
  const out = Buffer.allocUnsafe(n * 3);
  const d = image.data;
  if (isRgb(image)) {
    for (let i = 0; i < n * 3; i++) {
      const v = d[i]! * 255 + 0.5;
      out[i] = v >= 255 ? 255 : v > 0 ? v : 0; // the store truncates: round half up; NaN fails both tests
    }
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const f = d[i]! * 255 + 0.5;
      const v = f >= 255 ? 255 : f > 0 ? f : 0;
      out[j] = v;
      out[j + 1] = v;
      out[j + 2] = v;
    }
  }
  return out;
}

interface RasterJob {
  rgb: Buffer;
  width: number;
  height: number;
  scale: number;
  ppi?: number;
  /** SVG overlays, sized to the (scaled, extended) output. */
  svgs: string[];
  /** White rows added under the image (output pixels), for legends. */
  extendBottom?: number;
}

async function rasterise(job: RasterJob): Promise<Buffer> {
  const outW = Math.max(1, Math.round(job.width * job.scale));
  const outH = Math.max(1, Math.round(job.height * job.scale));
  let img = sharp(job.rgb, { raw: { width: job.width, height: job.height, channels: 3 } });
  if (outW !== job.width || outH !== job.height) img = img.resize(outW, outH, { fit: 'fill', kernel: job.scale >= 1 ? 'nearest' : 'lanczos3' });
  if (job.extendBottom) {
    // extend runs after resize in sharp's pipeline; flatten it so the composite sees the final size.
    const buf = await img.extend({ bottom: job.extendBottom, background: '#ffffff' }).raw().toBuffer();
    img = sharp(buf, { raw: { width: outW, height: outH + job.extendBottom, channels: 3 } });
  }
  if (job.svgs.length) img = img.composite(job.svgs.map((s) => ({ input: Buffer.from(s), left: 0, top: 0 })));
  let png = img.png({ compressionLevel: DRAW_DEFAULTS.pngCompression });
  if (job.ppi !== undefined) png = png.withDensity(job.ppi * job.scale);
  return png.toBuffer();
}

export interface MinutiaeDrawOptions extends PictureOptions {
  /** Number the minutiae 1..n in template order. Default false. */
  numbers?: boolean;
}

/**
 * Minutiae over a print: circle (ridge ending, vermilion) or square (bifurcation, blue) at the point,
 * tick along the minutia direction. A template in another frame than the image (its width/height differ)
 * is mapped into the image.
 * @param gray the print, height x width, [0, 1].
 * @param template minutiae in the template's frame (pixels, ISO direction).
 * @returns PNG bytes, (width × scale) x (height × scale), density ppi × scale (ppi default template.ppi).
 * @throws FingerliftError E_INVALID_ARGUMENT for an inconsistent image or scale, or a template that is not
 *   a Template.
 */
export async function drawMinutiae(gray: AnyImage, template: Template, opts: MinutiaeDrawOptions = {}): Promise<Buffer> {
  checkImage(gray, 'drawMinutiae');
  checkTemplate(template, 'drawMinutiae: template');
  checkOpts(opts, 'drawMinutiae');
  const scale = checkScale(opts.scale ?? DRAW_DEFAULTS.overlayScale);
  const ppi = opts.ppi ?? template.ppi;
  const svg = minutiaeSvg(template, gray.width, gray.height, { numbers: opts.numbers ?? false, scale, ppi });
  return rasterise({ rgb: toRgbBytes(gray), width: gray.width, height: gray.height, scale, ppi, svgs: [svg] });
}

/**
 * The region-of-interest mask over a print: background (mask 0) tinted, the boundary drawn solid.
 * @param mask height x width, same size as `gray`, 1 = fingerprint.
 * @returns PNG bytes, density ppi × scale when ppi is given.
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image or a mask, or when the sizes differ.
 */
export async function drawMask(gray: AnyImage, mask: Mask, opts: PictureOptions = {}): Promise<Buffer> {
  checkImage(gray, 'drawMask');
  checkSized(mask, 'drawMask: mask', 'a Mask { width, height, data: Uint8Array }');
  checkOpts(opts, 'drawMask');
  const { width: w, height: h } = gray;
  if (mask.width !== w || mask.height !== h || mask.data.length !== w * h) {
    throw invalid(`drawMask: mask ${mask.width} x ${mask.height} does not match the ${w} x ${h} image`);
  }
  const scale = checkScale(opts.scale ?? DRAW_DEFAULTS.overlayScale);
  const rgb = toRgbBytes(gray);
  const tint = hexRgb(DRAW_STYLE.mask);
  const edgeColour = hexRgb(DRAW_STYLE.maskEdge);
  const t = DRAW_DEFAULTS.maskTint;
  const m = mask.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const inside = m[i] !== 0;
      const edge = inside && (x === 0 || y === 0 || x === w - 1 || y === h - 1 || m[i - 1] === 0 || m[i + 1] === 0 || m[i - w] === 0 || m[i + w] === 0);
      if (inside && !edge) continue;
      const k = edge ? 1 : t;
      const col = edge ? edgeColour : tint;
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(rgb[i * 3 + c]! * (1 - k) + col[c]! * k);
    }
  }
  return rasterise({ rgb, width: w, height: h, scale, ppi: opts.ppi, svgs: [] });
}

export interface OrientationDrawOptions extends PictureOptions {
  /** Draw only where the mask is 1. */
  mask?: Mask;
}

/**
 * The orientation field as short segments along the ridge direction, one per `step` x `step` block at
 * its centre, opacity by coherence (none where the coherence is 0: no orientation evidence there).
 * @param orientation per-pixel field, same size as `gray`.
 * @param step block size, pixels (default 16).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image or an orientation field,
 *   when sizes differ or step < 2.
 */
export async function drawOrientation(gray: AnyImage, orientation: OrientationField, step: number = DRAW_DEFAULTS.orientationStep, opts: OrientationDrawOptions = {}): Promise<Buffer> {
  checkImage(gray, 'drawOrientation');
  checkSized(orientation, 'drawOrientation: orientation', 'an OrientationField { width, height, theta, coherence }');
  checkOpts(opts, 'drawOrientation');
  const { width: w, height: h } = gray;
  if (orientation.width !== w || orientation.height !== h) {
    throw invalid(`drawOrientation: field ${orientation.width} x ${orientation.height} does not match the ${w} x ${h} image`);
  }
  if (opts.mask && (opts.mask.width !== w || opts.mask.height !== h)) throw invalid(`drawOrientation: mask ${opts.mask.width} x ${opts.mask.height} does not match the ${w} x ${h} image`);
  if (!(step >= 2) || !Number.isFinite(step)) throw invalid(`drawOrientation: step ${step} is under 2 pixels`);
  const scale = checkScale(opts.scale ?? DRAW_DEFAULTS.overlayScale);
  const samples: OrientationSample[] = [];
  for (let cy = step / 2; cy < h; cy += step) {
    for (let cx = step / 2; cx < w; cx += step) {
      const i = Math.floor(cy) * w + Math.floor(cx);
      if (opts.mask && opts.mask.data[i] === 0) continue;
      const theta = orientation.theta[i]!;
      if (!Number.isFinite(theta)) continue;
      // Coherence 0: no orientation evidence (a flat area, or outside enhance's foreground crop): nothing to draw.
      const coherence = orientation.coherence[i] ?? 1;
      if (coherence === 0) continue;
      samples.push({ x: cx * scale, y: cy * scale, theta, coherence });
    }
  }
  const svg = orientationSvg(samples, Math.round(w * scale), Math.round(h * scale), step * DRAW_DEFAULTS.orientationLength * scale, Math.max(1, 1.5 * scale));
  return rasterise({ rgb: toRgbBytes(gray), width: w, height: h, scale, ppi: opts.ppi, svgs: [svg] });
}

/** A per-pixel map: height x width, row-major. */
export interface PixelMap {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export interface HeatmapDrawOptions extends PictureOptions {
  /** Print to blend the colours over (its size is the output size). */
  base?: AnyImage;
  /** Output size when there is no base (default: the map's size, blocks x blockSize for a BlockMap). */
  width?: number;
  height?: number;
  /** Opacity of the colours over the base, default 0.6. */
  alpha?: number;
  /** Colour only where the mask is 1. */
  mask?: Mask;
  /** Colour bar under the picture with the range. Default true. */
  legend?: boolean;
  /** Legend title, e.g. "ridge frequency (cycles/pixel)". */
  label?: string;
}

const isBlockMap = (m: BlockMap | PixelMap): m is BlockMap => (m as BlockMap).blockSize !== undefined;

/**
 * A scalar map (per block or per pixel) in the viridis colour map, from range[0] (dark blue) to
 * range[1] (yellow); non-finite values and pixels outside the mask stay uncoloured.
 * @returns PNG bytes: the map's (or base's) size × scale, plus a colour-bar strip of
 *   `legendHeight` × scale pixels at the bottom when `legend` is on.
 * @throws FingerliftError E_INVALID_ARGUMENT for a map that is not a block or pixel map, a range that is not
 *   a pair of numbers or is empty, inconsistent sizes or data length.
 */
export async function drawHeatmap(map: BlockMap | PixelMap, range: readonly [number, number], opts: HeatmapDrawOptions = {}): Promise<Buffer> {
  checkSized(map, 'drawHeatmap: map', 'a BlockMap { blockSize, rows, cols, data } or a per-pixel map { width, height, data }');
  if (!Array.isArray(range) || range.length !== 2) throw invalidArgument('drawHeatmap: range', 'a pair [low, high] of numbers', range);
  checkOpts(opts, 'drawHeatmap');
  const [lo, hi] = range;
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) throw invalid(`drawHeatmap: range [${lo}, ${hi}] is empty`);
  const block = isBlockMap(map);
  if (block ? map.data.length !== map.rows * map.cols || !(map.blockSize >= 1) : map.data.length !== map.width * map.height) {
    throw invalid('drawHeatmap: map data length does not match its size');
  }
  if (opts.base) checkImage(opts.base, 'drawHeatmap base');
  const w = opts.base?.width ?? opts.width ?? (block ? map.cols * map.blockSize : map.width);
  const h = opts.base?.height ?? opts.height ?? (block ? map.rows * map.blockSize : map.height);
  if (!block && (map.width !== w || map.height !== h)) throw invalid(`drawHeatmap: map ${map.width} x ${map.height} does not match the ${w} x ${h} output`);
  if (opts.mask && (opts.mask.width !== w || opts.mask.height !== h)) throw invalid(`drawHeatmap: mask ${opts.mask.width} x ${opts.mask.height} does not match the ${w} x ${h} output`);
  const scale = checkScale(opts.scale ?? DRAW_DEFAULTS.overlayScale);
  const alpha = opts.base ? (opts.alpha ?? DRAW_DEFAULTS.heatmapAlpha) : 1;
  const rgb = opts.base ? toRgbBytes(opts.base) : Buffer.alloc(w * h * 3, 0xd0);
  const k = 255 / (hi - lo);
  for (let y = 0; y < h; y++) {
    const row = block ? Math.min(map.rows - 1, Math.floor(y / map.blockSize)) * map.cols : y * w;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (opts.mask && opts.mask.data[i] === 0) continue;
      const v = block ? map.data[row + Math.min(map.cols - 1, Math.floor(x / map.blockSize))]! : map.data[row + x]!;
      if (!Number.isFinite(v)) continue;
      const t = Math.max(0, Math.min(255, Math.round((v - lo) * k))) * 3;
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(rgb[i * 3 + c]! * (1 - alpha) + VIRIDIS[t + c]! * alpha);
    }
  }
  const svgs: string[] = [];
  let extendBottom: number | undefined;
  if (opts.legend ?? true) {
    extendBottom = Math.round(DRAW_DEFAULTS.legendHeight * scale);
    svgs.push(colourBarSvg(Math.round(w * scale), Math.round(h * scale), extendBottom, lo, hi, opts.label ?? ''));
  }
  return rasterise({ rgb, width: w, height: h, scale, ppi: opts.ppi, svgs, extendBottom });
}

function colourBarSvg(width: number, top: number, strip: number, lo: number, hi: number, label: string): string {
  const font = Math.max(9, Math.round(strip * 0.32));
  const barW = Math.max(40, Math.round(width * 0.45));
  const barH = Math.max(6, Math.round(strip * 0.3));
  const x0 = 6;
  const y0 = top + Math.round(strip * 0.15);
  const stops = VIRIDIS_STOPS.map((c, i) => `<stop offset="${f2(i / (VIRIDIS_STOPS.length - 1))}" stop-color="#${c.toString(16).padStart(6, '0')}"/>`).join('');
  const num = (v: number): string => String(Number(v.toPrecision(3)));
  const ty = y0 + barH + font + 1;
  return svgDocument(width, top + strip, [
    `<defs><linearGradient id="viridis" x1="0" y1="0" x2="1" y2="0">${stops}</linearGradient></defs>`,
    `<rect class="colour-bar" x="${x0}" y="${y0}" width="${barW}" height="${barH}" fill="url(#viridis)" stroke="#000000" stroke-width="0.5"/>`,
    `<text x="${x0}" y="${ty}" font-family="${DRAW_STYLE.font}" font-size="${font}">${esc(num(lo))}</text>`,
    `<text x="${x0 + barW}" y="${ty}" font-family="${DRAW_STYLE.font}" font-size="${font}" text-anchor="end">${esc(num(hi))}</text>`,
    `<text x="${x0 + barW + 8}" y="${y0 + barH}" font-family="${DRAW_STYLE.font}" font-size="${font}">${esc(label)}</text>`,
  ]);
}

export interface BoxesDrawOptions extends PictureOptions {
  /** Shrink the picture so its longer side is at most this many pixels (photos are large). */
  maxSide?: number;
}

/**
 * Rotated boxes (fingertips located in a photo) with their labels and scores; the tip edge is drawn
 * thicker.
 * @param image the photo (RGB or grey), photo pixels; boxes in the same pixels.
 * @throws FingerliftError E_INVALID_ARGUMENT for an inconsistent image or scale, or boxes that are not an
 *   array of OrientedBox objects.
 */
export async function drawBoxes(image: AnyImage, boxes: readonly OrientedBox[], opts: BoxesDrawOptions = {}): Promise<Buffer> {
  checkImage(image, 'drawBoxes');
  if (!Array.isArray(boxes) || !boxes.every((b) => b !== null && typeof b === 'object'))
    throw invalidArgument('drawBoxes: boxes', 'an array of OrientedBox { cx, cy, width, height, angle } (from locateFingertips)', boxes);
  checkOpts(opts, 'drawBoxes');
  let scale = opts.scale ?? 1;
  if (opts.maxSide !== undefined) scale = Math.min(scale, opts.maxSide / Math.max(image.width, image.height));
  checkScale(scale);
  const svg = boxesSvg([...boxes], Math.round(image.width * scale), Math.round(image.height * scale), scale);
  return rasterise({ rgb: toRgbBytes(image), width: image.width, height: image.height, scale, ppi: opts.ppi, svgs: [svg] });
}

export interface ComparisonChartOptions extends PictureOptions {
  /** Panel titles. Default "Probe" and "Reference". */
  probeTitle?: string;
  referenceTitle?: string;
  /** Line under the prints (score, counts, threshold). */
  caption?: string;
  /** Draw unmated minutiae small and grey. Default true. */
  showUnmated?: boolean;
}

/**
 * The examiner's comparison chart: probe (left) and reference (right) side by side, the mated minutiae
 * numbered 1..k identically on both and joined by lines, unmated minutiae faint.
 * @param mated pairs of minutia indices (into probeTemplate.minutiae and refTemplate.minutiae).
 * @returns PNG bytes (default scale 2, density ppi × scale with ppi the probe template's).
 * @throws FingerliftError E_INVALID_ARGUMENT for a mated index outside its template, bad images, templates
 *   that are not Templates or mated pairs that are not an array.
 */
export async function drawComparisonChart(
  probeGray: AnyImage,
  probeTemplate: Template,
  refGray: AnyImage,
  refTemplate: Template,
  mated: ReadonlyArray<{ probe: number; reference: number }>,
  opts: ComparisonChartOptions = {},
): Promise<Buffer> {
  checkImage(probeGray, 'drawComparisonChart probe');
  checkImage(refGray, 'drawComparisonChart reference');
  checkTemplate(probeTemplate, 'drawComparisonChart: probe template');
  checkTemplate(refTemplate, 'drawComparisonChart: reference template');
  if (!Array.isArray(mated)) throw invalidArgument('drawComparisonChart: mated', 'an array of { probe, reference } minutia indices', mated);
  checkOpts(opts, 'drawComparisonChart');
  const scale = checkScale(opts.scale ?? DRAW_DEFAULTS.chartScale);
  const ppi = opts.ppi ?? probeTemplate.ppi;
  const layout = chartLayout(probeGray, refGray, scale);
  let svg: string;
  try {
    svg = comparisonChartSvg(
      { template: probeTemplate, width: probeGray.width, height: probeGray.height, title: opts.probeTitle ?? 'Probe' },
      { template: refTemplate, width: refGray.width, height: refGray.height, title: opts.referenceTitle ?? 'Reference' },
      mated,
      layout,
      { caption: opts.caption, showUnmated: opts.showUnmated, ppi },
    );
  } catch (e) {
    if (e instanceof RangeError) throw invalid(`drawComparisonChart: ${e.message}`);
    throw e;
  }
  const panel = async (img: AnyImage): Promise<Buffer> =>
    sharp(toRgbBytes(img), { raw: { width: img.width, height: img.height, channels: 3 } })
      .resize(Math.round(img.width * scale), Math.round(img.height * scale), { fit: 'fill', kernel: scale >= 1 ? 'nearest' : 'lanczos3' })
      .png({ compressionLevel: 1 })
      .toBuffer();
  const [p, r] = await Promise.all([panel(probeGray), panel(refGray)]);
  let png = sharp({ create: { width: layout.width, height: layout.height, channels: 3, background: '#ffffff' } })
    .composite([
      { input: p, left: layout.probeAt[0], top: layout.probeAt[1] },
      { input: r, left: layout.referenceAt[0], top: layout.referenceAt[1] },
      { input: Buffer.from(svg), left: 0, top: 0 },
    ])
    .png({ compressionLevel: DRAW_DEFAULTS.pngCompression });
  if (ppi !== undefined) png = png.withDensity(ppi * scale);
  return png.toBuffer();
}

async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).png({ compressionLevel: DRAW_DEFAULTS.pngCompression }).toBuffer();
}

/**
 * Score distributions (histograms of relative frequency for genuine and impostor comparisons) with
 * threshold lines, as PNG (default 900 x 500).
 * @throws FingerliftError E_INVALID_ARGUMENT when a list is not an array, there are no scores or a score is not finite.
 */
export async function plotScores(genuine: readonly number[], impostor: readonly number[], opts: ScoresPlotOptions = {}): Promise<Buffer> {
  if (!Array.isArray(genuine)) throw invalidArgument('plotScores: genuine', 'an array of scores', genuine);
  if (!Array.isArray(impostor)) throw invalidArgument('plotScores: impostor', 'an array of scores', impostor);
  checkOpts(opts, 'plotScores');
  try {
    return await svgToPng(scoresSvg(genuine, impostor, opts));
  } catch (e) {
    if (e instanceof RangeError) throw invalid(e.message);
    throw e;
  }
}

/**
 * DET curve (FNMR against FMR, log10 axes, FMR = FNMR diagonal, optional EER mark) as PNG (default
 * 600 x 600).
 * @throws FingerliftError E_INVALID_ARGUMENT for points that are not an array, no points or a rate outside [0, 1].
 */
export async function plotDet(points: readonly DetPoint[], opts: DetPlotOptions = {}): Promise<Buffer> {
  if (!Array.isArray(points)) throw invalidArgument('plotDet: points', "an array of DET points { threshold, fmr, fnmr } (evaluate()'s det)", points);
  checkOpts(opts, 'plotDet');
  try {
    return await svgToPng(detSvg(points, opts));
  } catch (e) {
    if (e instanceof RangeError) throw invalid(e.message);
    throw e;
  }
}

function hexRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
