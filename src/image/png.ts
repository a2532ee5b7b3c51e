/**
 * A PNG must be able to hold the image its header declares before it is decoded: the decoder allocates
 * the declared size (height x width x channels) first, so a small file whose IHDR was edited to declare
 * tens of thousands of pixels a side costs gigabytes and seconds before failing. The pixel data of a
 * PNG is one zlib stream over the IDAT chunks (PNG, ISO/IEC 15948, 2003, sections 10 and 11.2), and
 * Deflate cannot expand a byte into more than 1032 (RFC 1951, 1996: a 258-byte match coded in 2 bits),
 * so a file whose IDAT bytes x 1032 are fewer than the filtered scanlines need is damaged, whatever the
 * image holds. (A bound, not an estimate: no real PNG comes near it.)
 */
import { crc32 } from 'node:zlib';
import { FingerliftError } from '../errors.js';

/** Largest Deflate expansion: bytes out per byte in (RFC 1951). */
export const DEFLATE_MAX_RATIO = 1032;

/**
 * Why a PNG's IDAT data cannot hold the image its header declares, as a "damaged PNG: ..." message, or
 * undefined when it can (or the header is unreadable: left to the decoder).
 * @param b the whole file, starting with the PNG signature.
 */
export function pngDamage(b: Uint8Array): string | undefined {
  if (b.length < 33) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') return undefined;
  const w = dv.getUint32(16);
  const h = dv.getUint32(20);
  const depth = b[24]!;
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[b[25]!];
  if (channels === undefined || w === 0 || h === 0) return undefined;
  const interlaced = b[28] === 1;
  const bits = depth * channels;
  // Filtered scanlines: one filter byte per row. Interlaced (Adam7) rows are more, so the pixel bytes alone are a lower bound.
  const needed = interlaced ? Math.ceil((w * h * bits) / 8) : h * (1 + Math.ceil((w * bits) / 8));
  let idat = 0;
  for (let off = 8; off + 8 <= b.length; ) {
    const len = dv.getUint32(off);
    const type = String.fromCharCode(b[off + 4]!, b[off + 5]!, b[off + 6]!, b[off + 7]!);
    if (type === 'IDAT') idat += Math.min(len, b.length - off - 8);
    if (type === 'IEND') break;
    off += 12 + len;
  }
  if (idat * DEFLATE_MAX_RATIO < needed)
    return `damaged PNG: the header declares ${w} x ${h} pixels (${needed} bytes of scanlines) but its ${idat} bytes of compressed data can hold at most ${idat * DEFLATE_MAX_RATIO} (the file may have been truncated or edited)`;
  return undefined;
}

/** PNG text chunk (keyword, value) that marks a picture fingerlift drew (a comparison chart), so that it is never read back as a fingerprint. */
export const CHART_MARK = { keyword: 'fingerlift', value: 'comparison chart' } as const;

/** Message of the error every command that reads a fingerprint image gives for a chart fingerlift drew. */
export const CHART_REFUSED = 'a comparison chart fingerlift drew (two prints side by side), not a fingerprint image: refused as an input (give the prints it was drawn from)';

/**
 * Whether PNG bytes carry fingerlift's chart mark: a tEXt chunk (PNG, ISO/IEC 15948, 2003, 11.3.4.3)
 * whose keyword and text are `CHART_MARK`, among the chunks before the first IDAT (`comparisonChart`
 * writes it right after IHDR, at byte 33). Only the bytes given are read: a file's first 4 KB hold the
 * mark of any chart fingerlift wrote. False for anything that is not a PNG.
 */
export function hasChartMark(b: Uint8Array): boolean {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 33 || !sig.every((v, i) => b[i] === v)) return false;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const want = `${CHART_MARK.keyword}\0${CHART_MARK.value}`;
  for (let off = 8; off + 8 <= b.length; ) {
    const len = dv.getUint32(off);
    const type = String.fromCharCode(b[off + 4]!, b[off + 5]!, b[off + 6]!, b[off + 7]!);
    if (type === 'IDAT' || type === 'IEND') return false;
    if (type === 'tEXt' && len === want.length && off + 8 + len <= b.length) {
      let same = true;
      for (let i = 0; i < len && same; i++) same = b[off + 8 + i] === want.charCodeAt(i);
      if (same) return true;
    }
    off += 12 + len;
  }
  return false;
}

/**
 * The PNG with a tEXt chunk (PNG, ISO/IEC 15948, 2003, 11.3.4.3) `keyword` = `value` inserted right after
 * IHDR: the 8-byte signature and the 25-byte IHDR chunk come first in every PNG, so the mark sits at byte 33.
 * @throws FingerliftError E_INVALID_ARGUMENT for bytes that are not a PNG starting with IHDR.
 */
export function withPngText(png: Uint8Array, keyword: string, value: string): Buffer {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 33 || !sig.every((v, i) => png[i] === v) || Buffer.from(png.subarray(12, 16)).toString('latin1') !== 'IHDR')
    throw new FingerliftError('E_INVALID_ARGUMENT', 'withPngText: not a PNG starting with its IHDR chunk');
  const body = Buffer.concat([Buffer.from('tEXt', 'latin1'), Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(value, 'latin1')]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length - 4);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([png.subarray(0, 33), len, body, crc, png.subarray(33)]);
}

/**
 * The mark of a print `lift` wrote from a photo whose resolution it estimated (the ridge period or the
 * finger's width, not a given `--ppi`): a tEXt chunk `fingerlift` = "lifted print, scale estimated: photo
 * <ppi> ppi" (`liftedPrintMarkValue`), written after IHDR as the chart mark is. The print is stored at 500
 * ppi (its pHYs), but that scale is uncertain by several percent: `loadImage` reads the mark
 * (`LoadedImage.scaleEstimated`), and a template extracted from such a print has `scaleEstimated`, so that
 * comparisons involving it search across scales as they do for the lifted JSON template.
 */
export const LIFTED_PRINT_MARK = { keyword: 'fingerlift', prefix: 'lifted print, scale estimated: photo ' } as const;

/**
 * The value of `LIFTED_PRINT_MARK` for a photo whose resolution at the fingertip was estimated as
 * `photoPpi` pixels per inch (rounded to a whole number).
 * @throws FingerliftError E_INVALID_ARGUMENT for a `photoPpi` that is not a positive finite number.
 */
export function liftedPrintMarkValue(photoPpi: number): string {
  if (!(typeof photoPpi === 'number' && Number.isFinite(photoPpi) && photoPpi > 0))
    throw new FingerliftError('E_INVALID_ARGUMENT', `liftedPrintMarkValue: expected the photo's estimated resolution, a positive number of pixels per inch, got ${String(photoPpi)}`);
  return `${LIFTED_PRINT_MARK.prefix}${Math.round(photoPpi)} ppi`;
}

/**
 * The text of every tEXt chunk with keyword `keyword` among a PNG's chunks before its first IDAT, whose
 * CRC-32 (ISO/IEC 15948 §5.3) matches (a damaged chunk is left out). Empty for bytes that are not a PNG.
 */
export function pngTexts(b: Uint8Array, keyword: string): string[] {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 33 || !sig.every((v, i) => b[i] === v)) return [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const key = `${keyword}\0`;
  const out: string[] = [];
  for (let off = 8; off + 12 <= b.length; ) {
    const len = dv.getUint32(off);
    const type = String.fromCharCode(b[off + 4]!, b[off + 5]!, b[off + 6]!, b[off + 7]!);
    if (type === 'IDAT' || type === 'IEND' || off + 12 + len > b.length) break;
    if (type === 'tEXt' && len > key.length && crc32(b.subarray(off + 4, off + 8 + len)) === dv.getUint32(off + 8 + len)) {
      const text = Buffer.from(b.buffer, b.byteOffset + off + 8, len).toString('latin1');
      if (text.startsWith(key)) out.push(text.slice(key.length));
    }
    off += 12 + len;
  }
  return out;
}

/**
 * The photo's estimated resolution (ppi) that a lifted print's `LIFTED_PRINT_MARK` records, or undefined
 * when the PNG bytes carry no such mark (or its chunk is damaged).
 */
export function readLiftedPrintMark(b: Uint8Array): { photoPpi: number } | undefined {
  for (const t of pngTexts(b, LIFTED_PRINT_MARK.keyword)) {
    if (!t.startsWith(LIFTED_PRINT_MARK.prefix)) continue;
    const m = /^(\d{1,6}) ppi$/.exec(t.slice(LIFTED_PRINT_MARK.prefix.length));
    if (m && Number(m[1]) > 0) return { photoPpi: Number(m[1]) };
  }
  return undefined;
}

/**
 * The marks of a print `lift` wrote from a photo that warned (its decoder worked around damaged data, or
 * the photo's own "warning: " notes: different x and y resolutions, a JPEG without its EOI marker, ...):
 * tEXt chunks `fingerlift` = "source photo decoder warning: <clause>" (at most one) and "source photo
 * warning: <text>" (one per note, without its "warning: "), after IHDR as `LIFTED_PRINT_MARK` is. Read back
 * (`readLiftedSourceWarnings`), `loadImage` restores them as notes, so every result built on the print says so.
 * The text is Latin-1 (PNG tEXt, ISO/IEC 15948 11.3.4.3): other characters are written as "?".
 */
export const LIFTED_SOURCE_MARK = { keyword: 'fingerlift', decoderPrefix: 'source photo decoder warning: ', warningPrefix: 'source photo warning: ' } as const;

/** What `LIFTED_SOURCE_MARK` chunks carry: the photo's decoder warning clause and its own warnings. */
export interface LiftedSourceWarnings {
  decoder?: string;
  warnings: string[];
}

/** Latin-1 text of one line (no control characters), at most 2000 characters, for a tEXt chunk. */
function textChunkValue(s: string): string {
  return s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?').slice(0, 2000);
}

/**
 * The PNG with one tEXt chunk (`keyword` = value) per entry of `values` inserted right after IHDR, in order.
 * @throws FingerliftError E_INVALID_ARGUMENT for bytes that are not a PNG starting with IHDR.
 */
export function withPngTexts(png: Uint8Array, keyword: string, values: readonly string[]): Buffer {
  let out = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  // Each is inserted at byte 33: the last first, so that they read in order.
  for (let i = values.length - 1; i >= 0; i--) out = withPngText(out, keyword, values[i]!);
  return out;
}

/** The tEXt values (`LIFTED_SOURCE_MARK`) that record a source photo's warnings; empty when there are none. */
export function liftedSourceMarkValues(w: LiftedSourceWarnings): string[] {
  const out: string[] = [];
  if (w.decoder !== undefined && w.decoder !== '') out.push(LIFTED_SOURCE_MARK.decoderPrefix + textChunkValue(w.decoder));
  for (const t of w.warnings) if (t !== '') out.push(LIFTED_SOURCE_MARK.warningPrefix + textChunkValue(t));
  return out;
}

/**
 * The source photo's warnings a lifted print's `LIFTED_SOURCE_MARK` chunks record, or undefined when the
 * PNG bytes carry none (damaged chunks, failing their CRC, are left out).
 */
export function readLiftedSourceWarnings(b: Uint8Array): LiftedSourceWarnings | undefined {
  let decoder: string | undefined;
  const warnings: string[] = [];
  for (const t of pngTexts(b, LIFTED_SOURCE_MARK.keyword)) {
    if (t.startsWith(LIFTED_SOURCE_MARK.decoderPrefix) && decoder === undefined) decoder = t.slice(LIFTED_SOURCE_MARK.decoderPrefix.length);
    else if (t.startsWith(LIFTED_SOURCE_MARK.warningPrefix)) warnings.push(t.slice(LIFTED_SOURCE_MARK.warningPrefix.length));
  }
  if (decoder === '') decoder = undefined;
  const kept = warnings.filter((w) => w !== '');
  return decoder === undefined && kept.length === 0 ? undefined : { ...(decoder !== undefined ? { decoder } : {}), warnings: kept };
}
