/**
 * NIST NBIS `.xyt` minutiae files (mindtct output, bozorth3 input): one minutia per line,
 * `x y theta [quality]`, integers separated by spaces.
 *
 * Two conventions, both from NBIS mindtct `xytreps.c` (NBIS 5.0, NIST 2015; NISTIR 7392, Watson et
 * al. 2007):
 *
 * - `'nist'` (mindtct default, `lfs2nist_minutia_XYT`): origin bottom-left, `y = height - row`; theta
 *   in whole degrees [0, 360), counter-clockwise from east, pointing "out and away from the ridge
 *   ending or bifurcation valley", i.e. the opposite of ISO/ANSI: `theta = (deg(angle) + 180) mod 360`.
 * - `'m1'` (mindtct `-m1`, `lfs2m1_minutia_XYT`, ANSI INCITS 378-2004): origin top-left, theta
 *   counter-clockwise from east in the ISO/ANSI direction. mindtct writes it in ANSI 378's 2-degree
 *   units (0..179, `t = t / 2`); bozorth3 `-m1` reads the column as degrees. `m1AngleUnit` says which
 *   (default 2, what mindtct writes).
 *
 * The quality column is `round(reliability × 100)` (0..100); bozorth3 takes 1 when it is absent
 * (`bz_load`), and so do we (quality 0.01). The format holds no minutia type (every minutia reads as a
 * ridge ending) and no image size or resolution: those come from the options.
 */
import { FingerliftError } from '../errors.js';
import { checkOptionsArg, checkTemplateArg, checkTemplateInput } from './args.js';
import type { Minutia, Template } from '../minutiae/types.js';
import { wrapAngle } from '../minutiae/types.js';

export type XytConvention = 'nist' | 'm1';

/** Defaults and limits (sources in the module comment). */
export const XYT_DEFAULTS = {
  convention: 'nist' as XytConvention,
  /** Degrees per theta unit in the m1 convention (mindtct -m1 writes 2-degree units). */
  m1AngleUnit: 2,
  /** Resolution assumed when none is given (DESIGN.md: 500 ppi when unknown). */
  ppi: 500,
  /** Quality (0..100) bozorth3 assigns when a file has three columns. */
  missingQuality: 1,
  /** Refuse files with more lines than this (bozorth3 reads at most 1000). */
  maxMinutiae: 10_000,
  /** Refuse inputs larger than this many bytes (a 10,000-line file is under 250 kB). */
  maxBytes: 1_000_000,
} as const;

export interface XytOptions {
  /** 'nist' (default) or 'm1'. */
  convention?: XytConvention;
  /** m1 only: degrees per theta unit, 2 (default, mindtct -m1) or 1 (tools that write degrees). */
  m1AngleUnit?: 1 | 2;
}

export interface XytReadOptions extends XytOptions {
  /** Width of the image the minutiae came from, pixels (the file does not record it). */
  width: number;
  /** Height of the image, pixels; needed to undo the bottom-left origin of the 'nist' convention. */
  height: number;
  /** Resolution, default 500. */
  ppi?: number;
}

function bad(name: string, problem: string): FingerliftError {
  return new FingerliftError('E_TEMPLATE_FORMAT', `${name}: not a valid .xyt minutiae file: ${problem}`, { input: name });
}

function unit(opts: XytOptions): number {
  const convention = opts.convention ?? XYT_DEFAULTS.convention;
  if (convention !== 'nist' && convention !== 'm1') {
    throw new FingerliftError('E_INVALID_ARGUMENT', `xyt convention "${String(convention)}" is not 'nist' or 'm1'`);
  }
  if (convention === 'nist') return 1;
  const u = opts.m1AngleUnit ?? XYT_DEFAULTS.m1AngleUnit;
  if (u !== 1 && u !== 2) throw new FingerliftError('E_INVALID_ARGUMENT', `xyt m1AngleUnit ${String(u)} is not 1 or 2 degrees`);
  return u;
}

/**
 * Parse an .xyt file into a Template of the given size.
 * @param input the file's bytes (ASCII) or text.
 * @param name the input's name, used in error messages.
 * @throws FingerliftError E_TEMPLATE_FORMAT (a line without 3 or 4 integers, inconsistent column
 *   counts, theta out of range, a minutia outside the image, too large); E_INVALID_ARGUMENT for a
 *   missing or non-positive width/height, an unknown convention, input that is neither bytes nor text,
 *   a name that is not a string or options that are not an object.
 */
export function readXyt(input: Uint8Array | string, name: string, opts: XytReadOptions): Template {
  checkTemplateInput('readXyt', input, name, true);
  checkOptionsArg('readXyt', opts);
  const { width, height } = opts;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new FingerliftError(
      'E_INVALID_ARGUMENT',
      `${name}: .xyt files do not record the image size; give the width and height (pixels) of the image the minutiae came from (got ${width} x ${height})`,
      { input: name },
    );
  }
  const ppi = opts.ppi ?? XYT_DEFAULTS.ppi;
  if (!(ppi > 0) || !Number.isFinite(ppi)) throw new FingerliftError('E_INVALID_ARGUMENT', `${name}: ppi ${ppi} is not a positive number`, { input: name });
  const nist = (opts.convention ?? XYT_DEFAULTS.convention) === 'nist';
  const deg = unit(opts);
  const thetaSteps = 360 / deg;
  const size = typeof input === 'string' ? input.length : input.length;
  if (size > XYT_DEFAULTS.maxBytes) throw bad(name, `${size} bytes is more than a minutiae file holds (limit ${XYT_DEFAULTS.maxBytes})`);
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  const lines = text.split(/\r?\n/);
  const minutiae: Minutia[] = [];
  let columns = 0;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!.trim();
    if (line === '') continue;
    const fields = line.split(/[ \t]+/);
    const where = `line ${li + 1}`;
    if (fields.length !== 3 && fields.length !== 4) throw bad(name, `${where} has ${fields.length} fields ("${clip(line)}"), expected x y theta [quality]`);
    if (columns === 0) columns = fields.length;
    else if (fields.length !== columns) throw bad(name, `${where} has ${fields.length} fields, earlier lines have ${columns}`);
    const v = fields.map((f) => (/^[+-]?\d+$/.test(f) ? Number(f) : NaN));
    if (v.some((x) => Number.isNaN(x))) throw bad(name, `${where} ("${clip(line)}") is not whole numbers`);
    const [x, yFile, t, q = XYT_DEFAULTS.missingQuality] = v as [number, number, number, number?];
    const y = nist ? height - yFile : yFile;
    if (x < 0 || x >= width || y < 0 || y >= height) {
      throw bad(name, `${where}: minutia (${x}, ${yFile}) is outside the ${width} x ${height} image (${nist ? 'bottom-left' : 'top-left'} origin)`);
    }
    // NBIS writes [0, 360) (or [0, 180) in 2-degree units); bozorth3 also accepts (-180, 180].
    if (t <= -thetaSteps / 2 || t >= thetaSteps) throw bad(name, `${where}: theta ${t} is outside the range of ${deg}-degree units`);
    if (q < 0 || q > 100) throw bad(name, `${where}: quality ${q} is outside 0..100`);
    const degrees = nist ? t * deg - 180 : t * deg;
    minutiae.push({ x, y, angle: wrapAngle((degrees * Math.PI) / 180), type: 'ending', quality: q / 100 });
    if (minutiae.length > XYT_DEFAULTS.maxMinutiae) throw bad(name, `more than ${XYT_DEFAULTS.maxMinutiae} minutiae`);
  }
  return { width, height, ppi, minutiae };
}

/**
 * Write a Template as .xyt text (ASCII, one `x y theta quality` line per minutia, '\n' endings, in the
 * template's order). x, y rounded to whole pixels; theta rounded to the convention's unit.
 * @throws FingerliftError E_INVALID_ARGUMENT for non-finite numbers, an unknown convention, something
 *   that is not a Template (a minutiae array of objects) or options that are not an object.
 */
export function writeXyt(template: Template, opts: XytOptions = {}): Uint8Array {
  checkTemplateArg('writeXyt', template);
  checkOptionsArg('writeXyt', opts);
  const nist = (opts.convention ?? XYT_DEFAULTS.convention) === 'nist';
  const deg = unit(opts);
  const thetaSteps = 360 / deg;
  let out = '';
  template.minutiae.forEach((m, i) => {
    if (![m.x, m.y, m.angle, m.quality].every(Number.isFinite)) {
      throw new FingerliftError('E_INVALID_ARGUMENT', `template minutia ${i} has a non-finite value`);
    }
    const x = Math.round(m.x);
    const y = nist ? template.height - Math.round(m.y) : Math.round(m.y);
    const degrees = (wrapAngle(m.angle) * 180) / Math.PI + (nist ? 180 : 0);
    const t = Math.round(degrees / deg) % thetaSteps;
    const q = Math.max(0, Math.min(100, Math.round(m.quality * 100)));
    out += `${x} ${y} ${t} ${q}\n`;
  });
  return new TextEncoder().encode(out);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
