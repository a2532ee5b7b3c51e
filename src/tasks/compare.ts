/**
 * Comparison jobs behind `fingerlift compare`, `search` and `eval`: inputs may be images (a contact
 * print is extracted on the fly; a colour photo is lifted and its best usable fingertip used) or
 * templates (.xyt, .iso, .json).
 */
import { readInputFile } from '../fsread.js';
import { basename, extname } from 'node:path';
import { FingerliftError } from '../errors.js';
import type { AnyImage, GrayImage } from '../image/types.js';
import { isRgb, createGray } from '../image/types.js';
import { LIFTED_PRINT_NOTE, DEFAULT_MAX_PIXELS, decoderWarningLine, fileWarningLines, loadImage, maxImageFileBytes, readImageHeader, refuseFingerliftChart, withDecoderWarning, type LoadedImage } from '../image/io.js';
import { CHART_MARK, withPngText } from '../image/png.js';
import { printTooLargeFromHeader } from './print-size.js';
import { processPrint, liftPhoto, type PrintOptions } from '../pipeline.js';
import { detectTemplateFormat, readTemplateFile, TEMPLATE_EXTENSIONS, XYT_NO_RESOLUTION_NOTE, type TemplateFormat } from '../formats/index.js';
import { IMAGE_EXTENSIONS } from '../batch/expand.js';
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { JSON_TEMPLATE, type JsonTemplate } from '../formats/json.js';
import type { Template } from '../minutiae/types.js';
import { checkTemplate } from '../compare/prepare.js';
import { compare, prepare, prepareAcrossScales, compareAcrossScales, DECISION_THRESHOLDS, SCALE_SEARCH_THRESHOLDS, type CompareResult, type PreparedTemplate, type SearchCandidate } from '../compare/index.js';
import { drawComparisonChart } from '../audit/draw.js';

export interface ComparableOptions {
  /** Resolution of image inputs, ppi (contact prints: overrides the file; photos: at the fingertip). */
  ppi?: number;
  /** .xyt inputs: size of the image the minutiae came from (the format does not record it). */
  xytSize?: { width: number; height: number };
  /** How image inputs are read: 'auto' (colour with skin chroma = photo), 'print' or 'photo'. */
  imageKind?: 'auto' | 'print' | 'photo';
  /** A photo: the fingertip to compare (1-based, as `liftPhoto` numbers them), instead of the best usable one. */
  fingertip?: number;
  /** Refuse templates a comparison cannot take (over MAX_COMPARED_MINUTIAE minutiae, ...) on loading (default true; `convert` reads them). */
  comparisonLimits?: boolean;
}

/** An input ready to compare. */
export interface Comparable {
  path: string;
  /** File name without extension, the id in rankings. */
  id: string;
  kind: 'print' | 'photo' | 'template';
  template: Template;
  /** The print the minutiae are on (enhanced, 500 ppi) when the input was an image: for charts. */
  image?: GrayImage;
  notes: string[];
  /**
   * Warnings to say wherever this input's result is reported (also the first of `notes`): an image whose
   * decoder warned of damaged data ("warning: <path>: the decoder warned of damaged data: ..."). Absent
   * when there are none.
   */
  warnings?: string[];
}

const TEMPLATE_EXT = new Set(Object.values(TEMPLATE_EXTENSIONS).flat().map((e) => e.toLowerCase().replace(/^\./, '')));

function isTemplatePath(path: string): boolean {
  return TEMPLATE_EXT.has(extname(path).toLowerCase().replace(/^\./, ''));
}

const IMAGE_EXT = new Set<string>(IMAGE_EXTENSIONS);

/** How each template format is named in notes. */
const TEMPLATE_FORMAT_NAMES: Record<TemplateFormat, string> = { iso: 'an ISO/IEC 19794-2', ansi: 'an ANSI INCITS 378', json: 'a fingerlift JSON', xyt: 'a NIST .xyt' };

/**
 * The bytes of a file without a template extension when its content is a template ("FMR\0", JSON "{", or
 * .xyt text lines: `detectTemplateFormat`); undefined otherwise (then it is read as an image). A file with
 * an image extension is read so only when its first bytes are no image signature (`imageMagic`), and then
 * with a note that its extension misleads (a template saved as .png is read as the template it is). Files
 * over the template size limit are not read here.
 */
async function sniffTemplate(path: string): Promise<{ bytes: Buffer; note?: string } | undefined> {
  const ext = extname(path).toLowerCase().replace(/^\./, '');
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile() || st.size === 0 || st.size > JSON_TEMPLATE.maxBytes) return undefined;
  const bytes = await readInputFile(path, { maxBytes: JSON_TEMPLATE.maxBytes, what: 'template', tooLargeCode: 'E_TEMPLATE_FORMAT' });
  const named = IMAGE_EXT.has(ext);
  if (named && imageMagic(bytes) !== undefined) return undefined;
  let format: TemplateFormat;
  try {
    format = detectTemplateFormat(bytes, path);
  } catch {
    return undefined;
  }
  if (!named) return { bytes };
  return { bytes, note: `${basename(path)} holds ${TEMPLATE_FORMAT_NAMES[format]} template (by its content), not the image its extension .${ext} suggests: read as a template` };
}

/**
 * The image format whose signature starts `b` (JPEG, PNG, TIFF, BigTIFF, BMP, GIF, WebP), or undefined.
 * No template format starts this way: ISO/ANSI records start "FMR\0", JSON "{", .xyt with digits.
 */
export function imageMagic(b: Uint8Array): string | undefined {
  const at = (i: number, ...v: number[]): boolean => v.every((x, k) => b[i + k] === x);
  if (at(0, 0xff, 0xd8, 0xff)) return 'JPEG';
  if (at(0, 0x89, 0x50, 0x4e, 0x47)) return 'PNG';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a) || at(0, 0x49, 0x49, 0x2b, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2b)) return 'TIFF';
  if (at(0, 0x42, 0x4d) && b.length >= 26) return 'BMP';
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'GIF';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'WebP';
  return undefined;
}

/** Colour photo or contact print? A contact print is grey even when stored as RGB; skin is red over blue. */
export function looksLikePhoto(image: AnyImage): boolean {
  if (!isRgb(image)) return false;
  const d = image.data;
  let s = 0;
  const n = image.width * image.height;
  const step = Math.max(1, Math.floor(n / 20000));
  let k = 0;
  for (let i = 0; i < n; i += step, k++) s += Math.abs(d[3 * i]! - d[3 * i + 2]!);
  return s / k > 0.03;
}

/** Size an .xyt's minutiae span when the caller does not know the image size (matching is translation-invariant). */
function xytExtent(text: string): { width: number; height: number } {
  // Only lines of whole, non-negative, plausible numbers count: the reader then reports each bad line
  // with its own message (a garbage line must not turn into an "Infinity x 6" image size).
  let w = 1, h = 1;
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || !/^\d{1,6}$/.test(f[0]!) || !/^\d{1,6}$/.test(f[1]!)) continue;
    w = Math.max(w, Number(f[0]) + 1);
    h = Math.max(h, Number(f[1]) + 1);
  }
  return { width: w, height: h };
}

/**
 * Read a comparison input. The content decides what it is, whatever its extension: image bytes under a
 * template extension are read as the image, and template bytes (no image signature) under an image
 * extension as the template, each with a note saying so. An image whose decoder warned of damaged data
 * gives a comparable whose first note, and `warnings`, say so naming the file (`decoderWarningLine`); so do
 * a print whose file declares different x and y resolutions, a damaged pHYs chunk or no JPEG EOI marker,
 * and an .xyt read at the assumed 500 ppi: report `warnings` beside its results. A print fingerlift lifted
 * from a photo of estimated resolution (its PNG mark, `LoadedImage.scaleEstimated`) gives a template with
 * `scaleEstimated` (compared across scales), unless `ppi` is given.
 * @throws FingerliftError from the loader or the template reader (E_DECODE, E_TEMPLATE_FORMAT, ...),
 *   E_UNSUPPORTED_FORMAT for a comparison chart fingerlift drew (`refuseFingerliftChart`), E_TOO_LARGE for
 *   a print (imageKind 'print', or 'auto' and not a colour photo by a thumbnail) over the enhancement limit
 *   at the resolution its header or `ppi` gives, before decoding; E_NO_FINGER / E_TOO_FEW_MINUTIAE when a
 *   photo yields no usable fingertip.
 */
export async function loadComparable(path: string, options: ComparableOptions = {}): Promise<Comparable> {
  const id = basename(path, extname(path));
  const sniffed = isTemplatePath(path) ? undefined : await sniffTemplate(path);
  let templateBytes = isTemplatePath(path)
    ? await readInputFile(path, { maxBytes: JSON_TEMPLATE.maxBytes, what: 'template', tooLargeCode: 'E_TEMPLATE_FORMAT' })
    : sniffed?.bytes;
  // An image saved under a template's extension (a TIFF named .xyt) is read as the image its bytes say it is.
  const imageFormat = templateBytes ? imageMagic(templateBytes) : undefined;
  if (imageFormat) templateBytes = undefined;
  if (templateBytes) {
    if (options.fingertip !== undefined) throw new FingerliftError('E_INVALID_ARGUMENT', `a fingertip (${options.fingertip}) was asked for, but the input is a template: fingertips are chosen in photos`, { input: path });
    const bytes = templateBytes;
    // The format the content says (an ISO record saved as .xyt is read as ISO), else the extension's.
    const format = detectTemplateFormat(bytes, path);
    const notes: string[] = sniffed?.note !== undefined ? [sniffed.note] : [];
    let size = options.xytSize;
    if (format === 'xyt' && !size) {
      size = xytExtent(bytes.toString('latin1'));
      notes.push(`.xyt has no image size: ${size.width} x ${size.height} assumed from the minutiae (translation does not affect comparison)`);
    }
    const file = readTemplateFile(bytes, path, format, size ? { ...size, ...(options.ppi ? { ppi: options.ppi } : {}) } : {});
    // A resolution assumed for a format that records none is said beside the results, as a warning naming the file.
    const assumed = file.notes.filter((n) => n.startsWith(XYT_NO_RESOLUTION_NOTE)).map((n) => `warning: ${path}: ${n} (the format records none)`);
    const fileNotes = file.notes.filter((n) => !n.startsWith(XYT_NO_RESOLUTION_NOTE));
    // What the format reader accepts (up to 10,000 minutiae) may still be more than a comparison takes: refused here, per file.
    if (options.comparisonLimits ?? true) checkTemplate(file.template, path);
    // An empty template is no evidence: "no match" against it would mislead a report.
    if (file.template.minutiae.length === 0) throw new FingerliftError('E_TOO_FEW_MINUTIAE', 'the template holds no minutiae', { input: path });
    // A JSON template made from an image the decoder warned about says so ("decoderWarning"): reported as an image's warning is.
    const warned = (file.template as JsonTemplate).decoderWarning;
    if (warned !== undefined) {
      const warning = templateWarningLine(path, warned);
      return { path, id, kind: 'template', template: file.template, notes: [warning, ...assumed, ...notes, ...fileNotes], warnings: [warning, ...assumed] };
    }
    return { path, id, kind: 'template', template: file.template, notes: [...assumed, ...notes, ...fileNotes], ...(assumed.length > 0 ? { warnings: assumed } : {}) };
  }
  await refuseFingerliftChart(path);
  if (options.imageKind !== 'photo') {
    // A print too large to enhance at its resolution is refused from its header, before the decode (which
    // allocates the whole image: 512 MB for a 9000 x 9000 grey PNG). With imageKind 'auto' the image is
    // a print unless it is a colour photo: that is judged on a small thumbnail (`looksLikeThumbnailPhoto`).
    const bytes = await readInputFile(path, { maxBytes: maxImageFileBytes(DEFAULT_MAX_PIXELS), what: 'image' });
    const header = await readImageHeader(bytes);
    const tooLarge = header && printTooLargeFromHeader(header, options.ppi);
    if (tooLarge && (options.imageKind === 'print' || !(await looksLikeThumbnailPhoto(bytes))))
      throw new FingerliftError('E_TOO_LARGE', options.imageKind === 'print' ? tooLarge : `${tooLarge}; read as a contact print, not a colour photo (--image-kind photo reads it as a photo)`, { input: path });
    const loaded = await loadImage(bytes, { name: path });
    loaded.source.path = path;
    return comparableOf(path, id, loaded, imageFormat, options);
  }
  return comparableOf(path, id, await loadImage(path), imageFormat, options);
}

/** Longest side of the thumbnail `looksLikeThumbnailPhoto` judges, pixels. */
const PHOTO_THUMBNAIL_SIDE = 256;

/**
 * `looksLikePhoto` of an image file judged on a thumbnail of at most PHOTO_THUMBNAIL_SIDE pixels a side
 * (libvips shrinks a JPEG while decoding it and streams other formats, so a huge file costs little memory),
 * alpha dropped; false for a file the thumbnail cannot be made of (the full decode then says why).
 */
async function looksLikeThumbnailPhoto(bytes: Uint8Array): Promise<boolean> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: false, failOn: 'none' })
      .rotate()
      .resize(PHOTO_THUMBNAIL_SIDE, PHOTO_THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) return false;
    const f = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) f[i] = data[i]! / 255;
    return looksLikePhoto({ width: info.width, height: info.height, channels: 3, data: f });
  } catch {
    return false;
  }
}

/** `comparableFromImage`, its errors said with the decoder's warning and its result with the warning note. */
function comparableOf(path: string, id: string, loaded: LoadedImage, imageFormat: string | undefined, options: ComparableOptions): Comparable {
  let c: Comparable;
  try {
    c = comparableFromImage(path, id, loaded, imageFormat, options);
  } catch (e) {
    // What was (not) found in an image the decoder warned about is said with the warning: the damage may be why.
    throw withDecoderWarning(e, loaded);
  }
  // A result built on a damaged image is said to be so wherever it is reported (notes, JSON), not used silently.
  const warning = decoderWarningLine(path, loaded);
  return warning === undefined ? c : { ...c, notes: [warning, ...c.notes], warnings: [warning, ...(c.warnings ?? [])] };
}

/**
 * The warning reported beside results built on a JSON template whose "decoderWarning" says the image it was
 * made from was damaged: "warning: <path>: made from an image whose decoder warned of damaged data: <its
 * text>; its minutiae, and results from them, may differ from the original capture's".
 */
export function templateWarningLine(path: string, decoderWarning: string): string {
  return `warning: ${path}: made from an image whose decoder warned of damaged data: ${decoderWarning}; its minutiae, and results from them, may differ from the original capture's`;
}

/** The comparable of a loaded image: a photo's best (or chosen) fingertip, or a contact print's template. */
function comparableFromImage(path: string, id: string, loaded: LoadedImage, imageFormat: string | undefined, options: ComparableOptions): Comparable {
  const pre = imageFormat ? [`${basename(path)} holds a ${imageFormat} image (by its first bytes), not a template: read as an image`] : [];
  const kind = options.imageKind === 'print' || options.imageKind === 'photo' ? options.imageKind : looksLikePhoto(loaded.image) ? 'photo' : 'print';
  if (kind === 'photo') {
    const lifted = liftPhoto(loaded.image, { name: path, ...(options.ppi !== undefined ? { ppi: options.ppi } : {}) });
    let best: (typeof lifted.fingertips)[number] | undefined;
    if (options.fingertip !== undefined) {
      best = lifted.fingertips.find((f) => f.index === options.fingertip);
      if (!best) throw new FingerliftError('E_NO_FINGER', `fingertip ${options.fingertip} asked for, but ${lifted.fingertips.length} fingertip(s) were found (f1-f${lifted.fingertips.length})`, { input: path });
      if (!best.usable || !best.template || !best.print) throw new FingerliftError('E_TOO_FEW_MINUTIAE', `fingertip ${options.fingertip} is not usable: ${best.reason ?? 'no print'}`, { input: path });
    } else best = lifted.fingertips.filter((f) => f.usable && f.template).sort((a, b) => b.template!.minutiae.length * b.quality - a.template!.minutiae.length * a.quality)[0];
    if (!best?.template || !best.print)
      throw new FingerliftError('E_TOO_FEW_MINUTIAE', `no usable fingertip: ${lifted.fingertips.map((f) => `f${f.index}: ${f.reason ?? 'no print'}`).join('; ')}`, { input: path });
    // The file's own warnings (a JPEG without its EOI marker, different x and y resolutions, ...) are said beside the result.
    const photoWarnings = fileWarningLines(path, loaded);
    return { path, id, kind, template: best.template, image: best.print, notes: [...photoWarnings, ...pre, `photo: fingertip ${best.index} of ${lifted.fingertips.length} used (${best.template.minutiae.length} minutiae)`], ...(photoWarnings.length > 0 ? { warnings: photoWarnings } : {}) };
  }
  if (options.fingertip !== undefined) throw new FingerliftError('E_INVALID_ARGUMENT', `a fingertip (${options.fingertip}) was asked for, but the input is read as a contact print: fingertips are chosen in photos (--image-kind photo reads it as one)`, { input: path });
  const printOpts: PrintOptions = {};
  if (options.ppi !== undefined) printOpts.ppi = options.ppi;
  const r = processPrint(loaded.image, { ppi: loaded.ppi, declaredPpi: loaded.source.declaredPpi, scaleEstimated: loaded.scaleEstimated === true }, printOpts);
  if (r.template.minutiae.length === 0) throw new FingerliftError('E_TOO_FEW_MINUTIAE', `no minutiae found in the print (${r.extraction.candidates} candidates, all removed as unreliable)`, { input: path });
  // A print lifted from a photo at an estimated resolution (its PNG mark): its template's scale is an estimate.
  const lifted = r.template.scaleEstimated ? loaded.notes.filter((n) => n.startsWith(LIFTED_PRINT_NOTE)) : [];
  // Resolution warnings of the file (different x and y resolutions, a damaged pHYs chunk) are said beside the result.
  // So are those of the photo a lifted print came from (its marks).
  const warnings = fileWarningLines(path, loaded);
  return { path, id, kind, template: r.template, image: r.enhancement.enhanced, notes: [...warnings, ...pre, ...lifted, r.decisions.resolution.note, r.decisions.polarity.note], ...(warnings.length > 0 ? { warnings } : {}) };
}

/**
 * The warnings of a job's inputs (`Comparable.warnings`: a damaged image's decoder warning, naming the
 * file), each once, in input order: to print beside the results (text) and list in a JSON result.
 */
export function inputWarnings(inputs: ReadonlyArray<Comparable | undefined>): string[] {
  const out: string[] = [];
  for (const c of inputs) for (const w of c?.warnings ?? []) if (!out.includes(w)) out.push(w);
  return out;
}

/** A comparison of a probe with one reference, and the decision at the documented thresholds. */
export interface ComparisonRow {
  reference: string;
  score: number;
  mated: number;
  result: CompareResult;
  /** Set when the probe was compared across scale hypotheses: the scale that scored best. */
  scale?: number;
}

/** Decision thresholds that apply to a score: scale-searched scores have their own (higher) ones. */
export type Thresholds = typeof DECISION_THRESHOLDS | typeof SCALE_SEARCH_THRESHOLDS;

/**
 * Whether an input's 500 ppi scale is an estimate: a photo, or a template lifted from one at an estimated
 * resolution (`Template.scaleEstimated`, kept in fingerlift's JSON templates).
 */
export function hasEstimatedScale(c: Comparable): boolean {
  return c.kind === 'photo' || c.template.scaleEstimated === true;
}

/**
 * Whether the comparison of `probe` with `reference` searches across scale hypotheses: when either has an
 * estimated scale (`hasEstimatedScale`), unless `scaleSearch` is false. The probe is the one rescaled; the
 * hypotheses are symmetric (1/1.1, 1, 1.1), so a reference's uncertainty is covered as well as the
 * probe's. Two contact prints (or templates of known resolution) compare at their scale only, also in a
 * job where other pairs involve a photo.
 */
export function pairUsesScaleSearch(probe: Comparable, reference: Comparable, scaleSearch = true): boolean {
  return scaleSearch && (hasEstimatedScale(probe) || hasEstimatedScale(reference));
}

/** Whether any pair of a job searches across scales (`pairUsesScaleSearch`; without references: the probe's own scale). */
export function usesScaleSearch(probe: Comparable, scaleSearch = true, references: readonly Comparable[] = []): boolean {
  return scaleSearch && (hasEstimatedScale(probe) || references.some(hasEstimatedScale));
}

/**
 * The thresholds to judge a job's scores with when they are all of one kind (see `usesScaleSearch`); a job
 * whose pairs differ judges each row by `rowThresholds`.
 */
export function thresholdsFor(probe: Comparable, scaleSearch = true, references: readonly Comparable[] = []): Thresholds {
  return usesScaleSearch(probe, scaleSearch, references) ? SCALE_SEARCH_THRESHOLDS : DECISION_THRESHOLDS;
}

/** The thresholds for one row: scale-searched scores (a row with `scale`) have their own. */
export function rowThresholds(row: { scale?: number | undefined }): Thresholds {
  return row.scale !== undefined ? SCALE_SEARCH_THRESHOLDS : DECISION_THRESHOLDS;
}

/** Decision words for a score at the given thresholds. */
export function decisionAt(score: number, t: Thresholds): string {
  if (score >= t.fmr0_1) return 'match (FMR 0.1%)';
  if (score >= t.fmr1) return 'match (FMR 1%)';
  return 'no match';
}

/**
 * Compare a probe with each reference: across scale hypotheses for the pairs where either side's scale is
 * estimated (`pairUsesScaleSearch`; those rows carry the best `scale`), at scale 1 for the others.
 */
export function compareAll(probe: Comparable, references: Comparable[], scaleSearch = true): ComparisonRow[] {
  let S: ReturnType<typeof prepareAcrossScales> | undefined;
  let P: PreparedTemplate | undefined;
  return references.map((r) => {
    const R = prepare(r.template, { id: r.id });
    if (pairUsesScaleSearch(probe, r, scaleSearch)) {
      S ??= prepareAcrossScales(probe.template, undefined, probe.id);
      const { scale, ...result } = compareAcrossScales(S, R);
      return { reference: r.path, score: result.score, mated: result.mated.length, result, scale };
    }
    P ??= prepare(probe.template, { id: probe.id });
    const result = compare(P, R);
    return { reference: r.path, score: result.score, mated: result.mated.length, result };
  });
}

/**
 * 1:N for a probe across scale hypotheses: one search per scale (by `searchAt`, e.g. `search` or a
 * SearchPool's), each reference kept at its best scale, ranked by score then gallery order (as `search`).
 * @param searchAt ranks the whole gallery (or its pre-selection) against one prepared probe.
 */
export async function searchAcrossScales(
  probe: Template,
  searchAt: (P: PreparedTemplate) => SearchCandidate[] | Promise<SearchCandidate[]>,
  top = 10,
): Promise<Array<SearchCandidate & { scale: number }>> {
  const S = prepareAcrossScales(probe);
  const best = new Map<number, SearchCandidate & { scale: number }>();
  for (let k = 0; k < S.prepared.length; k++) {
    for (const c of await searchAt(S.prepared[k]!)) {
      const prev = best.get(c.index);
      if (!prev || c.score > prev.score) best.set(c.index, { ...c, scale: S.scales[k]! });
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.index - b.index).slice(0, top);
}

/** Largest blank canvas a chart draws for a template without its image, pixels (16 million, as MAX_ENHANCE_PIXELS). */
const MAX_CHART_CANVAS = 16_000_000;

/** PNG text chunk (keyword, value) that marks a picture fingerlift drew (a comparison chart), so that it is never read back as a fingerprint (`refuseFingerliftChart`). */
export { CHART_MARK };

/** Insert a PNG tEXt chunk after IHDR (moved to src/image/png.ts; re-exported here, where it was first). */
export { withPngText };

/**
 * The examiner's chart of one comparison (a blank canvas stands in for a template without its image), as
 * PNG bytes marked as a fingerlift chart (`CHART_MARK`): `loadComparable` refuses such a file, so a chart
 * saved among the references is never compared as a fingerprint (it holds both prints).
 */
export async function comparisonChart(probe: Comparable, reference: Comparable, result: CompareResult, caption: string): Promise<Buffer> {
  const canvas = (c: Comparable): GrayImage => {
    if (c.image) return c.image;
    // A template without its image is drawn on a blank canvas of its image size: bounded, as images are.
    if (c.template.width * c.template.height > MAX_CHART_CANVAS)
      throw new FingerliftError('E_TOO_LARGE', `chart: the template's image size ${c.template.width} x ${c.template.height} is over ${MAX_CHART_CANVAS / 1e6} million pixels: too large to draw`, { input: c.path });
    return createGray(c.template.width, c.template.height, 1);
  };
  const png = await drawComparisonChart(canvas(probe), probe.template, canvas(reference), reference.template, result.mated, {
    probeTitle: `Probe: ${probe.id}`,
    referenceTitle: `Reference: ${reference.id}`,
    caption,
  });
  return withPngText(png, CHART_MARK.keyword, CHART_MARK.value);
}
