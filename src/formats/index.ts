/**
 * Template files: NIST NBIS `.xyt`, ISO/IEC 19794-2:2005, ANSI INCITS 378-2004 and fingerlift JSON. `readTemplate` detects
 * the format from the content, then the file extension; `writeTemplate` writes any of them. All
 * conversions between the formats' origins, angle units and directions happen in this folder.
 */
import { extname } from 'node:path';
import { FingerliftError } from '../errors.js';
import { checkOptionsArg, checkTemplateArg, checkTemplateInput } from './args.js';
import type { Template } from '../minutiae/types.js';
import { looksLikeFmr, fmrStandard, readFmrRecord, isoViewToTemplate, writeIsoTemplate, type IsoRecord, type IsoWriteOptions } from './iso19794.js';
import { readJsonTemplate, writeJsonTemplate, type JsonTemplate } from './json.js';
import { readXyt, writeXyt, type XytOptions } from './xyt.js';

export * from './iso19794.js';
export * from './json.js';
export * from './json-text.js';
export * from './xyt.js';
export * from './reframe.js';

/** 'iso': ISO/IEC 19794-2:2005; 'ansi': ANSI INCITS 378-2004; 'xyt': NIST NBIS; 'json': fingerlift. */
export type TemplateFormat = 'xyt' | 'iso' | 'ansi' | 'json';

export const TEMPLATE_FORMATS: readonly TemplateFormat[] = ['xyt', 'iso', 'ansi', 'json'];

/** File extensions of each format (lower case, with the dot). */
export const TEMPLATE_EXTENSIONS: Record<TemplateFormat, readonly string[]> = {
  xyt: ['.xyt'],
  iso: ['.iso', '.ist', '.fmr'],
  ansi: ['.ansi', '.378'],
  json: ['.json'],
};

/** What reading needs beyond the bytes: image size and resolution for .xyt (which records neither). */
export interface ReadTemplateOptions {
  /** .xyt only: the size of the image the minutiae came from (required), pixels. */
  width?: number;
  height?: number;
  /** .xyt only: resolution, default 500. */
  ppi?: number;
  /** .xyt only: convention and angle unit. */
  xyt?: XytOptions;
}

/** Start of the note `readTemplateFile` gives for an .xyt read without a resolution (500 ppi is assumed). */
export const XYT_NO_RESOLUTION_NOTE = '.xyt holds no resolution';

/** The file's format, the Template (the first finger view for ISO), and the whole ISO record. */
export interface TemplateFile {
  format: TemplateFormat;
  template: Template;
  /** ISO and ANSI: every field and finger view, for identical rewriting (`writeIsoRecord`). */
  iso?: IsoRecord;
  /** Facts the reader noticed (extra finger views, missing quality, type not recorded). */
  notes: string[];
}

/**
 * The format of a template file: the content first ("FMR\0" -> iso or ansi by the length field, "{" ->
 * json), then the extension,
 * then content that looks like .xyt text (digits, signs, spaces and line breaks only).
 * @param name file name for detection by extension and messages; default 'template' (no extension).
 * @throws FingerliftError E_TEMPLATE_FORMAT when none fits (names the input); E_INVALID_ARGUMENT for
 *   bytes that are not a Uint8Array (or Buffer) or a name that is not a string.
 */
export function detectTemplateFormat(bytes: Uint8Array, name = 'template'): TemplateFormat {
  checkTemplateInput('detectTemplateFormat', bytes, name);
  if (looksLikeFmr(bytes)) return fmrStandard(bytes);
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 byte-order mark
  while (i < bytes.length && i < 1024 && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (bytes[i] === 0x7b) return 'json';
  const ext = extname(name).toLowerCase();
  for (const f of TEMPLATE_FORMATS) if (TEMPLATE_EXTENSIONS[f].includes(ext)) return f;
  const head = bytes.subarray(0, 4096);
  if (head.length > 0 && head.every((b) => (b >= 0x30 && b <= 0x39) || b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x2d || b === 0x2b)) {
    return 'xyt';
  }
  throw new FingerliftError(
    'E_TEMPLATE_FORMAT',
    `${name}: ${bytes.length === 0 ? 'the file is empty (0 bytes)' : 'not a template format fingerlift reads (NIST .xyt, ISO/IEC 19794-2:2005, ANSI INCITS 378-2004, fingerlift JSON)'}`,
    { input: name },
  );
}

/**
 * Read a template file with everything it holds.
 * @param bytes the file's content.
 * @param name the file name (for format detection by extension, and in every error message); default
 *   'template' (no extension: the format is detected from the content).
 * @param format skip detection.
 * @throws FingerliftError E_TEMPLATE_FORMAT (malformed or unknown content), E_INVALID_ARGUMENT (bytes not
 *   a Uint8Array or Buffer, a name that is not a string, an unknown format, .xyt without `width`/`height`).
 */
export function readTemplateFile(bytes: Uint8Array, name = 'template', format?: TemplateFormat, opts: ReadTemplateOptions = {}): TemplateFile {
  checkTemplateInput('readTemplateFile', bytes, name);
  checkOptionsArg('readTemplateFile', opts);
  const f = format ?? detectTemplateFormat(bytes, name);
  const notes: string[] = [];
  switch (f) {
    case 'iso':
    case 'ansi': {
      const iso = readFmrRecord(bytes, name, f);
      if (iso.views.length > 1) notes.push(`${iso.views.length} finger views; the template is the first, the record keeps all`);
      if (iso.xResolution !== iso.yResolution) notes.push(`x and y resolution differ (${iso.xResolution} / ${iso.yResolution} px/cm); ppi is from x`);
      const first = iso.views[0]!;
      if (first.minutiae.length > 0 && first.minutiae.every((m) => m.quality === 0)) notes.push('minutia quality not reported (all 0)');
      const others = first.minutiae.filter((m) => m.type === 0).length;
      if (others > 0) notes.push(`${others} minutiae of type "other" read as ridge endings`);
      return { format: f, template: isoViewToTemplate(iso, 0), iso, notes };
    }
    case 'json':
      return { format: f, template: readJsonTemplate(bytes, name), notes };
    case 'xyt': {
      const { width, height, ppi, xyt } = opts;
      notes.push('.xyt holds no minutia type: every minutia reads as a ridge ending');
      if (ppi === undefined) notes.push(`${XYT_NO_RESOLUTION_NOTE}: 500 ppi assumed`);
      return { format: f, template: readXyt(bytes, name, { width: width ?? NaN, height: height ?? NaN, ppi, ...xyt }), notes };
    }
    default:
      throw new FingerliftError('E_INVALID_ARGUMENT', `${name}: unknown template format "${String(f)}" (xyt, iso, ansi, json)`, { input: name });
  }
}

/**
 * Read a template file (format detected unless given). For ISO records the Template is the first finger
 * view; use {@link readTemplateFile} or `readIsoRecord` for all views.
 * @throws as {@link readTemplateFile}.
 */
export function readTemplate(bytes: Uint8Array, name = 'template', format?: TemplateFormat, opts: ReadTemplateOptions = {}): Template {
  checkTemplateInput('readTemplate', bytes, name);
  return readTemplateFile(bytes, name, format, opts).template;
}

/** Per-format write options. */
export interface WriteTemplateOptions {
  xyt?: XytOptions;
  iso?: IsoWriteOptions;
}

/**
 * Serialise a Template: .xyt text (x, y, theta rounded to whole units), ISO/IEC 19794-2:2005 or ANSI
 * INCITS 378-2004 (one finger view; x, y whole pixels, angle 1/256 turn or 2 degrees), or JSON (exact,
 * and the only one to keep `scaleEstimated` and `decoderWarning`).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not a Template (an object with a
 *   minutiae array of objects), when the template cannot be stored in the format (names the problem), or
 *   for an unknown format.
 */
export function writeTemplate(template: JsonTemplate, format: TemplateFormat, opts: WriteTemplateOptions = {}): Uint8Array {
  checkTemplateArg('writeTemplate', template);
  checkOptionsArg('writeTemplate', opts);
  switch (format) {
    case 'xyt':
      return writeXyt(template, opts.xyt);
    case 'iso':
    case 'ansi':
      return writeIsoTemplate(template, { ...opts.iso, standard: format });
    case 'json':
      return writeJsonTemplate(template);
    default:
      throw new FingerliftError('E_INVALID_ARGUMENT', `unknown template format "${String(format)}" (xyt, iso, ansi, json)`);
  }
}
