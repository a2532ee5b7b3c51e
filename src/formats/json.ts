/**
 * fingerlift's own JSON template: the {@link Template} exactly (float64 numbers, no rounding), with a
 * format name and version so that later versions can read older files.
 *
 * ```json
 * { "format": "fingerlift-template", "version": 1,
 *   "width": 388, "height": 374, "ppi": 500,
 *   "minutiae": [ { "x": 101.5, "y": 40, "angle": 1.5708, "type": "ending", "quality": 0.8 } ] }
 * ```
 * Conventions as DESIGN.md: x, y pixels from the top-left, y down; angle radians [0, 2π),
 * counter-clockwise as displayed, ISO/IEC 19794-2 direction; quality [0, 1]. A print lifted from a
 * photo at an estimated resolution also carries `"scaleEstimated": true` after `"ppi"` (see
 * {@link Template.scaleEstimated}); the field is optional, so version-1 files without it read as before.
 *
 * A template made from an image whose decoder warned of damaged data (corrupt entropy-coded data, a bad
 * chunk: decoded anyway, `loadImage`'s "decoder warning" note) carries `"decoderWarning"` after
 * `"scaleEstimated"` (or `"ppi"`): what the decoder warned of, as one line of text ("the JPEG data is
 * damaged (such as corrupt entropy-coded data or a bad chunk) and was decoded anyway", the text of
 * `decoderWarningOf` and of `<name>.lift.json`'s `decoderWarning`), a string of 1-2000 characters without
 * line breaks or other control characters. Its
 * minutiae may differ from those of the original capture. The field is optional and version 1 stays: files
 * without it read as before, and earlier fingerlift versions read files with it (they ignore it). NIST .xyt,
 * ISO/IEC 19794-2 and ANSI 378 records have no field for it.
 */
import { describeValue, escapeControls, FingerliftError } from '../errors.js';
import { checkTemplateArg, checkTemplateInput } from './args.js';
import { parseJsonText } from './json-text.js';
import type { Minutia, Template } from '../minutiae/types.js';

export const JSON_TEMPLATE = {
  format: 'fingerlift-template',
  version: 1,
  /** Refuse larger inputs (100,000 minutiae are under 10 MB). */
  maxBytes: 20_000_000,
  /** Most minutiae read (as NBIS .xyt's XYT_DEFAULTS.maxMinutiae): a rolled print holds about 250. */
  maxMinutiae: 10_000,
  /** Largest image side read, pixels (as the CLI's --xyt-size; ISO/ANSI records hold at most 65535). */
  maxSide: 100_000,
} as const;

/** A Template as the JSON format holds it: with the fields only this format keeps. */
export interface JsonTemplate extends Template {
  /**
   * What the decoder warned of when it decoded the image the minutiae came from (damaged data decoded
   * anyway), one line of text, 1-2000 characters; absent when it did not warn (or the file is older).
   */
  decoderWarning?: string;
}

export interface JsonTemplateFile extends JsonTemplate {
  format: typeof JSON_TEMPLATE.format;
  version: number;
}

/** Longest `decoderWarning` read or written, characters. */
const MAX_WARNING_CHARS = 2000;

function bad(name: string, problem: string): FingerliftError {
  return new FingerliftError('E_TEMPLATE_FORMAT', `${name}: not a valid fingerlift JSON template: ${problem}`, { input: name });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parse and validate a JSON template.
 * @throws FingerliftError E_TEMPLATE_FORMAT naming the input and the field at fault (not JSON, wrong
 *   `format`, a `version` newer than 1, nested deeper than MAX_JSON_DEPTH (256) arrays and objects, size not a positive integer, a minutia outside the image, an
 *   angle outside [0, 2π), an unknown type, a quality outside [0, 1]); E_INVALID_ARGUMENT for input that
 *   is neither bytes nor text or a name that is not a string (default 'template').
 */
export function readJsonTemplate(input: Uint8Array | string, name = 'template'): JsonTemplate {
  checkTemplateInput('readJsonTemplate', input, name, true);
  const size = input.length;
  if (size > JSON_TEMPLATE.maxBytes) throw bad(name, `${size} bytes is over the ${JSON_TEMPLATE.maxBytes}-byte limit`);
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  // Through the shared guarded parser: text nested deeper than MAX_JSON_DEPTH is refused before parsing.
  const doc = parseJsonText(text, (p) => bad(name, p.problem));
  if (!isObject(doc)) throw bad(name, 'the top level is not an object');
  if (doc.format !== JSON_TEMPLATE.format) throw bad(name, `"format" is ${JSON.stringify(doc.format)}, expected "${JSON_TEMPLATE.format}"`);
  if (!Number.isInteger(doc.version) || (doc.version as number) < 1) throw bad(name, `"version" is ${JSON.stringify(doc.version)}, expected 1`);
  if ((doc.version as number) > JSON_TEMPLATE.version) {
    throw bad(name, `"version" ${String(doc.version)} is newer than this fingerlift reads (${JSON_TEMPLATE.version}); update fingerlift`);
  }
  return checkFields(doc, (problem) => bad(name, problem));
}

/**
 * Check the Template fields of a parsed document (or a Template about to be written) and return a
 * clean Template; `fail` builds the error for a problem.
 */
function checkFields(doc: Record<string, unknown>, fail: (problem: string) => Error): JsonTemplate {
  const posInt = (k: string): number => {
    const v = doc[k];
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > JSON_TEMPLATE.maxSide) throw fail(`"${k}" is ${JSON.stringify(v)}, expected a whole number of pixels in 1-${JSON_TEMPLATE.maxSide}`);
    return v as number;
  };
  const width = posInt('width');
  const height = posInt('height');
  const ppi = doc.ppi;
  // 50-20000: the widest resolution range fingerlift works with (photos down to 50 ppi, prints up to 20000).
  if (typeof ppi !== 'number' || !Number.isFinite(ppi) || ppi < 50 || ppi > 20000) throw fail(`"ppi" is ${JSON.stringify(ppi)}, expected a resolution in 50-20000 pixels per inch`);
  const scaleEstimated = doc.scaleEstimated;
  if (scaleEstimated !== undefined && typeof scaleEstimated !== 'boolean') throw fail(`"scaleEstimated" is ${JSON.stringify(scaleEstimated)}, expected true or false (or no such field)`);
  const decoderWarning = doc.decoderWarning;
  if (decoderWarning !== undefined && !(typeof decoderWarning === 'string' && decoderWarning.length >= 1 && decoderWarning.length <= MAX_WARNING_CHARS && escapeControls(decoderWarning) === decoderWarning))
    throw fail(`"decoderWarning" is ${typeof decoderWarning === 'string' ? `a string of ${decoderWarning.length} characters${escapeControls(decoderWarning) !== decoderWarning ? ' holding a line break or another control character' : ''}` : describeValue(decoderWarning)}, expected one line of text of 1-${MAX_WARNING_CHARS} characters (or no such field)`);
  if (!Array.isArray(doc.minutiae)) throw fail('"minutiae" is not an array');
  if (doc.minutiae.length > JSON_TEMPLATE.maxMinutiae) throw fail(`${doc.minutiae.length} minutiae, more than ${JSON_TEMPLATE.maxMinutiae}: not a fingerprint template`);
  const minutiae: Minutia[] = doc.minutiae.map((m: unknown, i: number): Minutia => {
    const at = `minutiae[${i}]`;
    if (!isObject(m)) throw fail(`${at} is not an object`);
    const num = (k: string, lo: number, hi: number, hiOpen: boolean): number => {
      const v = m[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
        throw fail(`${at}.${k} is ${JSON.stringify(v)}, expected a number in [${lo}, ${hiOpen ? `${hi})` : `${hi}]`}`);
      }
      return v;
    };
    const x = num('x', 0, width, true);
    const y = num('y', 0, height, true);
    const angle = num('angle', 0, 2 * Math.PI, true);
    const quality = num('quality', 0, 1, false);
    if (m.type !== 'ending' && m.type !== 'bifurcation') throw fail(`${at}.type is ${JSON.stringify(m.type)}, expected "ending" or "bifurcation"`);
    return { x, y, angle, type: m.type, quality };
  });
  const out: JsonTemplate = scaleEstimated ? { width, height, ppi, minutiae, scaleEstimated: true } : { width, height, ppi, minutiae };
  if (decoderWarning !== undefined) out.decoderWarning = decoderWarning as string;
  return out;
}

/**
 * Serialise a Template as JSON (UTF-8): fixed key order, one minutia per line, numbers as JavaScript
 * prints them (shortest text that reads back to the same float64), so writing is deterministic and a
 * round trip is exact. `decoderWarning`, when the template has one, is written after `scaleEstimated`.
 * @throws FingerliftError E_INVALID_ARGUMENT when the template breaks a rule the reader checks (so
 *   every written file reads back).
 */
export function writeJsonTemplate(template: JsonTemplate): Uint8Array {
  checkTemplateArg('writeJsonTemplate', template);
  checkFields(template as unknown as Record<string, unknown>, (p) => new FingerliftError('E_INVALID_ARGUMENT', `template: ${p}`));
  const num = (v: number): string => JSON.stringify(v);
  const lines = template.minutiae.map(
    (m) =>
      `    { "x": ${num(m.x)}, "y": ${num(m.y)}, "angle": ${num(m.angle)}, ` +
      `"type": ${JSON.stringify(m.type)}, "quality": ${num(m.quality)} }`,
  );
  const text =
    `{\n  "format": "${JSON_TEMPLATE.format}",\n  "version": ${JSON_TEMPLATE.version},\n` +
    `  "width": ${num(template.width)},\n  "height": ${num(template.height)},\n  "ppi": ${num(template.ppi)},\n` +
    (template.scaleEstimated ? `  "scaleEstimated": true,\n` : '') +
    (template.decoderWarning !== undefined ? `  "decoderWarning": ${JSON.stringify(template.decoderWarning)},\n` : '') +
    `  "minutiae": [${lines.length ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
  return new TextEncoder().encode(text);
}
