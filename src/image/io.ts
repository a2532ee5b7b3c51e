/**
 * Image input and output through sharp (libvips), with BMP through bmp-ts (sharp cannot read BMP).
 *
 * `loadImage` never changes the original; it returns float32 pixels in [0, 1], the resolution the file
 * itself declares (undefined when it declares none, never a silent 72), and a source record with the
 * SHA-256 of the exact bytes read, for the audit trail.
 */
import { fsErrorReason, readInputFile } from '../fsread.js';
import { createHash } from 'node:crypto';
import { writeFile, mkdir, rename, unlink, open as openPath, stat as statPath } from 'node:fs/promises';
import { dirname, extname, join as joinPath, resolve as resolvePath } from 'node:path';
import { threadId } from 'node:worker_threads';
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { decode as decodeBmp } from 'bmp-ts';
import { FingerliftError, invalidArgument } from '../errors.js';
import { readDeclaredDensity } from './density.js';
import { CHART_REFUSED, hasChartMark, liftedPrintMarkValue, liftedSourceMarkValues, pngDamage, readLiftedPrintMark, readLiftedSourceWarnings, withPngText, withPngTexts, LIFTED_PRINT_MARK, LIFTED_SOURCE_MARK, type LiftedSourceWarnings } from './png.js';
import { jpegDamage, jpegEnd } from './jpeg.js';
import { fmrStandard, looksLikeFmr } from '../formats/iso19794.js';
import { tiffDamage, tiffPages } from './tiff.js';
import type { AnyImage, GrayImage, RgbImage } from './types.js';
import { checkImage, isRgb } from './types.js';

/** Formats fingerlift reads. */
export const SUPPORTED_FORMATS = ['jpeg', 'png', 'tiff', 'webp', 'bmp'] as const;
export type ImageFormat = (typeof SUPPORTED_FORMATS)[number];

/** Where an image came from: enough to identify the exact bytes in an audit trail. */
export interface ImageSource {
  /** Path as given, when read from a file. */
  path?: string;
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  /** Size of the file in bytes. */
  bytes: number;
  format: ImageFormat;
  /** Size after EXIF orientation, pixels. */
  width: number;
  height: number;
  /** Bits per channel in the file: 1, 8 or 16. */
  bitDepth: number;
  /** Channels in the file (1 grey, 2 grey + alpha, 3 colour, 4 colour + alpha or CMYK). */
  channels: number;
  /** EXIF orientation tag (1-8) that was applied, when present. */
  exifOrientation?: number;
  /** Resolution the file declares, pixels per inch, before the plausibility check (the horizontal one). */
  declaredPpi?: number;
  /**
   * The vertical resolution the file declares, pixels per inch, when it differs from the horizontal one
   * (`declaredPpi`, which is used; a note starting "warning: " says so: `ANISOTROPIC_NOTE`).
   */
  declaredPpiY?: number;
  /** Header field the declared resolution came from. */
  densityField: string;
}

export interface LoadedImage {
  /** Grey (1-channel file) or RGB image, [0, 1], upright (EXIF orientation applied), alpha composited on white. */
  image: AnyImage;
  /**
   * Resolution in pixels per inch when the file declares a plausible one (`PLAUSIBLE_PPI`), else
   * undefined (absent, or implausible such as the 72/96 dpi that software writes by default).
   */
  ppi: number | undefined;
  source: ImageSource;
  /** Human-readable notes on what was decided (implausible density ignored, 16-bit scaled, ...). */
  notes: string[];
  /**
   * Present (true) for a print `fingerlift lift` wrote from a photo whose resolution it estimated (its PNG
   * carries `LIFTED_PRINT_MARK`): the file's 500 ppi is an estimate, uncertain by several percent, and a
   * template extracted from it is to have `scaleEstimated` (`processPrint`'s `source.scaleEstimated`).
   */
  scaleEstimated?: true;
  /** With `scaleEstimated`: the photo's resolution at the fingertip as `lift` estimated it, ppi. */
  estimatedPhotoPpi?: number;
  /**
   * A print `lift` wrote from a photo that warned (its PNG carries `LIFTED_SOURCE_MARK`): the photo's
   * decoder warning and own warnings, also restored as notes (`LIFTED_DAMAGED_NOTE`, `LIFTED_PHOTO_WARNING_NOTE`).
   */
  liftedSource?: LiftedSourceWarnings;
}

/** Start of the note `loadImage` records for a lifted print whose source photo's decoder warned of damaged data (`LIFTED_SOURCE_MARK`): `decoderWarningOf` reads it. */
export const LIFTED_DAMAGED_NOTE = 'a print lifted from a damaged photo';
/** Start of the warning notes `loadImage` records for a lifted print whose source photo had warnings of its own (`LIFTED_SOURCE_MARK`). */
export const LIFTED_PHOTO_WARNING_NOTE = 'warning: the photo this print was lifted from';

/** Start of the note `loadImage` records for a print `lift` wrote from a photo of estimated resolution (`LoadedImage.scaleEstimated`). */
export const LIFTED_PRINT_NOTE = 'a print fingerlift lifted from a photo';
/** Start of the warning note `loadImage` records when a file declares different horizontal and vertical resolutions. */
export const ANISOTROPIC_NOTE = 'warning: the file declares different horizontal and vertical resolutions';
/** Start of the warning note `loadImage` records when a PNG's pHYs chunk fails its CRC (and is ignored). */
export const DAMAGED_PHYS_NOTE = "warning: the PNG's resolution chunk (pHYs) is damaged";
/** Start of the warning note `loadImage` records for a PNG whose pHYs chunks are misplaced, of the wrong length or repeated (`DeclaredDensity.problem`). */
export const PHYS_NOTE = "warning: the PNG's resolution chunk (pHYs)";
/** Start of the warning note `loadImage` records for a JPEG whose data is whole but ends without its EOI marker. */
export const NO_EOI_NOTE = 'warning: JPEG ends without its EOI marker';

export interface LoadOptions {
  /** Largest accepted image, in pixels, checked from the header before decoding. Default 100 megapixels. */
  maxPixels?: number;
  /** Smallest accepted side, pixels. Default 32. */
  minSide?: number;
  /** Name used in error messages when loading from a Buffer. */
  name?: string;
}

/** Declared densities outside this range (ppi) are treated as unknown: [200, 20000]. */
export const PLAUSIBLE_PPI: readonly [number, number] = [200, 20000];
export const DEFAULT_MAX_PIXELS = 100_000_000;

/**
 * Largest image file read for a pixel limit: 8 bytes per pixel (16-bit RGBA, uncompressed) plus 16 MB of
 * headers and metadata; no image within the limit needs more, and a larger file is refused before it is read.
 */
export function maxImageFileBytes(maxPixels: number): number {
  return Math.min(2 ** 31 - 1, Math.ceil(maxPixels * 8 + 16 * 2 ** 20));
}
export const DEFAULT_MIN_SIDE = 32;

function sniffFormat(b: Uint8Array): string | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 42 && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 42))) return 'tiff';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'webp';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'gif';
  if (b.length >= 12 && b[4] === 0x66 && b[5] === 0x74 && b[6] === 0x79 && b[7] === 0x70) return 'heif';
  if (b.length >= 12 && b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0x0c && b[4] === 0x6a && b[5] === 0x50) return 'jp2';
  if (b.length >= 2 && b[0] === 0x50 && b[1]! >= 0x31 && b[1]! <= 0x36) return 'ppm';
  if (b.length >= 5 && /^\s*<(\?xml|svg)/i.test(String.fromCharCode(...b.subarray(0, 64)))) return 'svg';
  return undefined;
}

/**
 * Load an image file (or bytes) as float32 in [0, 1].
 * Formats: JPEG, PNG (8/16 bit, palette), TIFF (8/16 bit), WebP, BMP. EXIF orientation is applied; alpha is
 * composited on white; palette, CMYK and 16-bit are converted (16-bit keeps its precision in float32).
 * Damage the decoder works around (e.g. corrupt JPEG entropy data) is decoded anyway and recorded as a note
 * starting "decoder warning", the same for the same file whatever else runs in the process. A file of
 * several pages or frames (a multi-page TIFF, an animated WebP) has its first read, with the note
 * "TIFF holds N pages; page 1 read (...)" (`multiPageNote`); of a TIFF, the first page that is not a
 * reduced-resolution image (a thumbnail or preview, TIFF 6.0 NewSubfileType bit 0), with a note naming the
 * page read and why, or page 1 with a note starting "warning: every page of the TIFF" when all are
 * (`tiffPageToRead`).
 * Resolution: a file declaring different horizontal and vertical resolutions is read at the horizontal
 * one (unknown when that one is implausible) with a note starting "warning: " (`ANISOTROPIC_NOTE`); a PNG
 * pHYs chunk failing its CRC is ignored (resolution unknown) with one (`DAMAGED_PHYS_NOTE`), as is one of
 * a length other than 9 or after IDAT, and a second pHYs is said (`PHYS_NOTE`, the first is used). A print
 * `lift` wrote from a photo that warned carries the photo's warnings (`LIFTED_SOURCE_MARK`), restored as
 * notes (`LIFTED_DAMAGED_NOTE`, read by `decoderWarningOf`; `LIFTED_PHOTO_WARNING_NOTE`). Bytes of a
 * minutiae template are refused naming its format (`notAnImageMessage`). A JPEG whose scans are whole but which ends without
 * its EOI marker is decoded, with a warning note (`NO_EOI_NOTE`; zero bytes where the marker should be are
 * left out and counted in it). A print `lift` wrote from a photo of
 * estimated resolution (`LIFTED_PRINT_MARK`) has `scaleEstimated` and a note (`LIFTED_PRINT_NOTE`).
 * @throws FingerliftError E_NOT_FOUND (unreadable path), E_TOO_SMALL (zero bytes, side < minSide),
 *   E_TOO_LARGE (pixels > maxPixels, from the header), E_UNSUPPORTED_FORMAT (a known format we do not read),
 *   E_DECODE (not an image, corrupt or truncated, including a JPEG without its EOI marker whose scans are
 *   cut short or do not code the whole image (`jpegEnd`), and a BMP header field no BMP holds
 *   (`bmpInvalidField`); a TIFF whose strips or tiles cannot cover the size its
 *   header declares, or a TIFF, PNG or sequential or progressive Huffman JPEG whose compressed data cannot hold it: `tiffDamage`,
 *   `pngDamage`, `jpegDamage`),
 *   E_INVALID_ARGUMENT (input neither a path string nor a Uint8Array/Buffer; maxPixels or minSide not a
 *   positive number).
 */
export async function loadImage(input: string | Uint8Array, options: LoadOptions = {}): Promise<LoadedImage> {
  const f = await readForLoad(input, options, 'loadImage');
  const { bytes, name, maxPixels, minSide, format, page } = f;
  if (format === 'tiff') {
    // Before anything is decoded (libtiff decodes missing strips as black, and allocates the declared size).
    const damage = tiffDamage(bytes, page);
    if (damage !== undefined) throw new FingerliftError('E_DECODE', damage, { input: name });
  }
  const decoded = format === 'bmp' ? decodeBmpImage(bytes, name, maxPixels) : await decodeWithSharp(bytes, name, maxPixels, page);
  const { image } = decoded;
  if (image.width < minSide || image.height < minSide)
    throw new FingerliftError('E_TOO_SMALL', `image is ${image.width} x ${image.height} pixels; at least ${minSide} px a side is needed`, { input: name });
  f.notes.push(...decoded.notes);
  const source = sourceOf(f, { width: image.width, height: image.height, bitDepth: decoded.bitDepth, channels: decoded.channels, ...(decoded.orientation !== undefined ? { orientation: decoded.orientation } : {}) });
  return { image, ppi: f.ppi, source, notes: f.notes, ...liftedOf(f) };
}

/** The `scaleEstimated` fields of a file read by `readForLoad` (none unless it is a lifted print). */
function liftedOf(f: ReadForLoad): { scaleEstimated?: true; estimatedPhotoPpi?: number; liftedSource?: LiftedSourceWarnings } {
  return { ...(f.lifted ? { scaleEstimated: true, estimatedPhotoPpi: f.lifted.photoPpi } : {}), ...(f.liftedSource ? { liftedSource: f.liftedSource } : {}) };
}

/**
 * The `encodeImage` options that carry a lifted print's marks forward to an image made from it (an
 * enhanced print): its scale mark when `scaleEstimated` (the result's scale is still an estimate) and its
 * source photo's warnings. Empty for any other image.
 * @param loaded the input; @param scaleEstimated whether the result's scale is an estimate (false when a
 *   resolution was given).
 */
export function liftedMarksOf(loaded: Pick<LoadedImage, 'estimatedPhotoPpi' | 'liftedSource'>, scaleEstimated: boolean): Pick<SaveOptions, 'scaleEstimatedFromPpi' | 'sourceWarnings'> {
  return {
    ...(scaleEstimated && loaded.estimatedPhotoPpi !== undefined ? { scaleEstimatedFromPpi: loaded.estimatedPhotoPpi } : {}),
    ...(loaded.liftedSource ? { sourceWarnings: loaded.liftedSource } : {}),
  };
}

/** What `readImageInfo` tells of a file without decoding its pixels. */
export interface ImageInfo {
  /** As `LoadedImage.ppi`. */
  ppi: number | undefined;
  /**
   * As `LoadedImage.source` (size after EXIF orientation); for BMP `channels` is 1 when the file's
   * palette is all grey and 3 otherwise (`loadImage` also reads a 24- or 32-bit BMP whose pixels are all
   * grey as 1 channel: that takes a decode).
   */
  source: ImageSource;
  /**
   * The notes `loadImage` records that the headers tell (resolution, CMYK, alpha, palette, pages, the TIFF
   * page read, EXIF orientation); never the "decoder warning" note, nor a BMP's alpha, which take a decode.
   */
  notes: string[];
  /**
   * Why `loadImage` would refuse the file as damaged (E_DECODE: a TIFF whose strips or tiles cannot cover
   * its declared size, a PNG or JPEG whose compressed data cannot hold it), from the file's structure
   * alone; undefined when that structure is whole. Damage inside the compressed data shows only in a decode.
   */
  damage?: string;
  /** As `LoadedImage.scaleEstimated` (a lifted print's mark is read from the header chunks). */
  scaleEstimated?: true;
  /** As `LoadedImage.estimatedPhotoPpi`. */
  estimatedPhotoPpi?: number;
  /** As `LoadedImage.liftedSource`. */
  liftedSource?: LiftedSourceWarnings;
}

/**
 * What an image file's headers say, as `loadImage` would report it, without decoding its pixels: format,
 * size, bit depth, channels, resolution, SHA-256 of the bytes, and the notes the headers tell. Fast on a
 * huge file (no pixel buffer is allocated) and on a damaged one (its structure is checked, `damage`,
 * rather than refused).
 * @param input a file path, or the file's bytes; @param options as `loadImage` (`name` for bytes).
 * @throws FingerliftError as `loadImage` (E_NOT_FOUND, E_TOO_SMALL, E_TOO_LARGE from the header,
 *   E_UNSUPPORTED_FORMAT, E_DECODE for bytes that are no image or a header that cannot be read,
 *   E_INVALID_ARGUMENT), except that structural damage is returned in `damage`, not thrown.
 */
export async function readImageInfo(input: string | Uint8Array, options: LoadOptions = {}): Promise<ImageInfo> {
  const f = await readForLoad(input, options, 'readImageInfo');
  const { bytes, name, maxPixels, minSide, format, page } = f;
  let damage = format === 'tiff' ? tiffDamage(bytes, page) : undefined;
  let size: { width: number; height: number; bitDepth: number; channels: number; orientation?: number };
  if (format === 'bmp') {
    const h = bmpHeader(bytes, name, maxPixels);
    size = { width: h.width, height: h.height, bitDepth: h.bitPP <= 8 ? h.bitPP : 8, channels: h.bitPP <= 8 && bmpPaletteIsGrey(bytes, h) ? 1 : 3 };
    damage ??= h.damage;
  } else {
    const h = await sharpHeader(bytes, name, maxPixels, page);
    f.notes.push(...h.notes);
    damage ??= h.damage;
    size = { width: h.width, height: h.height, bitDepth: h.bitDepth, channels: h.channels, ...(h.orientation !== undefined ? { orientation: h.orientation } : {}) };
    // As `loadImage` notes it (after the decode's own note, which this never has).
    if (h.orientation !== undefined && h.orientation !== 1) f.notes.push(`EXIF orientation ${h.orientation} applied`);
  }
  if (size.width < minSide || size.height < minSide)
    throw new FingerliftError('E_TOO_SMALL', `image is ${size.width} x ${size.height} pixels; at least ${minSide} px a side is needed`, { input: name });
  return { ppi: f.ppi, source: sourceOf(f, size), notes: f.notes, ...(damage !== undefined ? { damage } : {}), ...liftedOf(f) };
}

/** A file read and sniffed for `loadImage` or `readImageInfo`, before any decode. */
interface ReadForLoad {
  bytes: Uint8Array;
  name: string;
  path?: string;
  maxPixels: number;
  minSide: number;
  format: ImageFormat;
  sha256: string;
  /** The TIFF page to read, 0-based (0 for other formats): `tiffPageToRead`. */
  page: number;
  ppi: number | undefined;
  declared: { ppi: number | undefined; field: string; yPpi?: number };
  notes: string[];
  /** A lifted print's mark (`readLiftedPrintMark`). */
  lifted?: { photoPpi: number };
  /** A lifted print's source photo warnings (`readLiftedSourceWarnings`). */
  liftedSource?: LiftedSourceWarnings;
}

/** The checks and header reads `loadImage` and `readImageInfo` share: arguments, bytes, format, TIFF page, resolution. */
async function readForLoad(input: string | Uint8Array, options: LoadOptions, fn: string): Promise<ReadForLoad> {
  if (!((typeof input === 'string' && input !== '') || input instanceof Uint8Array))
    throw invalidArgument(`${fn}: input`, 'a file path (non-empty string) or the file bytes (Uint8Array or Buffer)', input);
  options ??= {};
  for (const k of ['maxPixels', 'minSide'] as const)
    if (options[k] !== undefined && !(typeof options[k] === 'number' && options[k] > 0))
      throw invalidArgument(`${fn}: ${k}`, 'a positive number', options[k]);
  const name = typeof input === 'string' ? input : (options.name ?? '<buffer>');
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const minSide = options.minSide ?? DEFAULT_MIN_SIDE;
  let bytes: Uint8Array;
  if (typeof input === 'string') bytes = await readInputFile(input, { maxBytes: maxImageFileBytes(maxPixels), what: 'image' });
  else bytes = input;
  if (bytes.length === 0) throw new FingerliftError('E_TOO_SMALL', 'file is empty (0 bytes)', { input: name });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const sniffed = sniffFormat(bytes);
  if (sniffed === undefined) throw new FingerliftError('E_DECODE', notAnImageMessage(bytes), { input: name });
  if (!(SUPPORTED_FORMATS as readonly string[]).includes(sniffed))
    throw new FingerliftError('E_UNSUPPORTED_FORMAT', `${sniffed.toUpperCase()} is not supported (use JPEG, PNG, TIFF, WebP or BMP)`, { input: name });
  const format = sniffed as ImageFormat;
  const notes: string[] = [];
  const tiff = format === 'tiff' ? tiffPageToRead(bytes) : { page: 0 };
  if (tiff.note !== undefined) notes.push(tiff.note);
  const declared = readDeclaredDensity(bytes, format, tiff.offset);
  const ppi = declared.ppi !== undefined && declared.ppi >= PLAUSIBLE_PPI[0] && declared.ppi <= PLAUSIBLE_PPI[1] ? declared.ppi : undefined;
  if (declared.ppi !== undefined && ppi === undefined)
    notes.push(`file declares ${round(declared.ppi)} ppi (${declared.field}), implausible for a fingerprint image: resolution treated as unknown`);
  if (declared.crcFailed)
    notes.push(`${DAMAGED_PHYS_NOTE} (its CRC does not match its bytes): ignored, resolution unknown (give --ppi if it is known)`);
  else if (declared.ppi === undefined && declared.problem === undefined) notes.push('file declares no resolution: ppi unknown');
  if (declared.problem !== undefined)
    notes.push(`${PHYS_NOTE} ${declared.problem}${declared.ppi === undefined && !declared.crcFailed ? ': resolution unknown (give --ppi if it is known)' : ''}`);
  if (declared.ppi !== undefined && declared.yPpi !== undefined) {
    // Prints are processed with square pixels: a silent choice of one of the two would give a wrong scale.
    const ratio = Math.max(declared.ppi, declared.yPpi) / Math.min(declared.ppi, declared.yPpi);
    const which = `${declared.field}: ${round(declared.ppi)} ppi across, ${round(declared.yPpi)} ppi down`;
    if (ppi === undefined)
      notes.push(`${ANISOTROPIC_NOTE} (${which}): fingerlift assumes square pixels and reads the horizontal one, ${round(declared.ppi)} ppi, which is implausible for a fingerprint, so the resolution is treated as unknown (resample the image to square pixels, or give --ppi)`);
    else
      notes.push(`${ANISOTROPIC_NOTE} (${which}): fingerlift assumes square pixels and uses the horizontal ${round(declared.ppi)} ppi, so lengths down the image are misjudged by a factor of ${ratio.toFixed(2)} (resample the image to square pixels first)`);
  }
  const lifted = format === 'png' ? readLiftedPrintMark(bytes) : undefined;
  if (lifted) notes.push(`${LIFTED_PRINT_NOTE} (its mark says so): its ${ppi === undefined ? '' : `${round(ppi)} ppi `}scale was estimated from the photo (about ${lifted.photoPpi} ppi at the fingertip), not measured: templates from it are compared across scales`);
  // The source photo's warnings, carried by the print's marks: every result built on the print says them.
  const liftedSource = format === 'png' ? readLiftedSourceWarnings(bytes) : undefined;
  if (liftedSource?.decoder !== undefined) notes.push(`${LIFTED_DAMAGED_NOTE} (its mark says so): the photo's decoder warned: ${liftedSource.decoder}`);
  for (const w of liftedSource?.warnings ?? []) notes.push(`${LIFTED_PHOTO_WARNING_NOTE} (its mark says so): ${w}`);
  return { bytes, name, ...(typeof input === 'string' ? { path: input } : {}), maxPixels, minSide, format, sha256, page: tiff.page, ppi: ppi === undefined ? undefined : round(ppi), declared, notes, ...(lifted ? { lifted } : {}), ...(liftedSource ? { liftedSource } : {}) };
}

/** The commands that take templates, said when a template is given where an image is read. */
const TEMPLATE_COMMANDS = 'templates are read by compare, search and eval, and converted by convert (info, enhance, extract and lift read images)';

/**
 * Why bytes that match no image format are refused: "not an image: ..." naming a template format when
 * the bytes are one (an ISO/IEC 19794-2 or ANSI INCITS 378 record, "FMR\0"; JSON text; text of numbers
 * only, as NIST .xyt and minutiae lists such as latent .mnt files hold) and which commands take templates.
 */
export function notAnImageMessage(bytes: Uint8Array): string {
  let what: string | undefined;
  if (looksLikeFmr(bytes)) what = fmrStandard(bytes) === 'ansi' ? 'an ANSI INCITS 378 minutiae template (an "FMR" record)' : 'an ISO/IEC 19794-2 minutiae template (an "FMR" record)';
  else {
    let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    while (i < bytes.length && i < 1024 && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
    const head = bytes.subarray(i, Math.min(bytes.length, 4096));
    if (bytes[i] === 0x7b) what = 'JSON text (a fingerlift JSON template?)';
    else if (head.length > 0 && head.some((b) => b >= 0x30 && b <= 0x39)) {
      const integer = (b: number): boolean => (b >= 0x30 && b <= 0x39) || b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x2d || b === 0x2b;
      if (head.every(integer)) what = 'text of whole numbers only (a NIST .xyt minutiae template?)';
      else if (head.every((b) => integer(b) || b === 0x2e || b === 0x65 || b === 0x45))
        return 'not an image: the bytes are text of numbers with decimals, as a minutiae list holds (such as a latent .mnt file), not an image nor a template format fingerlift reads (NIST .xyt, ISO/IEC 19794-2, ANSI INCITS 378, fingerlift JSON; such a list must be rewritten as one of these first)';
    }
  }
  return what === undefined ? 'not an image: the bytes match no known image format' : `not an image: the bytes are ${what}, not an image; ${TEMPLATE_COMMANDS}`;
}

/** The source record of a file read by `readForLoad`, with its size, depth and channels. */
function sourceOf(f: ReadForLoad, size: { width: number; height: number; bitDepth: number; channels: number; orientation?: number }): ImageSource {
  const source: ImageSource = { sha256: f.sha256, bytes: f.bytes.length, format: f.format, width: size.width, height: size.height, bitDepth: size.bitDepth, channels: size.channels, densityField: f.declared.field };
  if (f.path !== undefined) source.path = f.path;
  if (size.orientation !== undefined) source.exifOrientation = size.orientation;
  if (f.declared.ppi !== undefined) source.declaredPpi = round(f.declared.ppi);
  if (f.declared.ppi !== undefined && f.declared.yPpi !== undefined) source.declaredPpiY = round(f.declared.yPpi);
  return source;
}

/** Start of the note `loadImage` records when a TIFF's first page is a reduced-resolution image and a later one is read. */
export const REDUCED_PAGE_NOTE = 'TIFF page';
/** Start of the note (a warning) `loadImage` records when every page of a TIFF is a reduced-resolution image. */
export const ALL_REDUCED_NOTE = 'warning: every page of the TIFF';

/**
 * The TIFF page `loadImage` reads: the first that is not a reduced-resolution image (TIFF 6.0 NewSubfileType
 * bit 0, or SubfileType 2: a thumbnail or preview, `tiffPages`) nor a transparency mask (NewSubfileType bit
 * 2), with a note when that is not page 1 ("TIFF
 * page 2 read (120 x 90): page 1 before it is a reduced-resolution image (...)"); when every page is one,
 * page 1 with a note that starts "warning: every page of the TIFF" (`ALL_REDUCED_NOTE`).
 * @param bytes the whole file (a classic TIFF). @returns `page` 0-based, `offset` its directory's offset
 *   (undefined for page 0), and the note.
 */
export function tiffPageToRead(bytes: Uint8Array): { page: number; offset?: number; note?: string } {
  const pages = tiffPages(bytes);
  const skipped = (p: { reduced: boolean; mask: boolean }): boolean => p.reduced || p.mask;
  if (pages.length === 0 || !skipped(pages[0]!)) return { page: 0 };
  const size = (p: { width: number; height: number }): string => `${p.width} x ${p.height}`;
  const k = pages.findIndex((p) => !skipped(p));
  const why = 'NewSubfileType bit 0 set: a thumbnail or preview, not the print';
  const masks = pages.slice(0, k < 0 ? pages.length : k).some((p) => p.mask && !p.reduced);
  if (!masks) {
    if (k < 0)
      return { page: 0, note: `${ALL_REDUCED_NOTE} (${pages.length}) is marked as a reduced-resolution image (${why}); page 1 (${size(pages[0]!)}) read, which may not be the full-resolution print` };
    const before = k === 1 ? `page 1 before it is a reduced-resolution image (${size(pages[0]!)}, ${why})` : `pages 1-${k} before it are reduced-resolution images (${pages.slice(0, k).map(size).join(', ')}; ${why})`;
    return { page: k, offset: pages[k]!.offset, note: `${REDUCED_PAGE_NOTE} ${k + 1} read (${size(pages[k]!)}): ${before}` };
  }
  // Transparency masks (NewSubfileType bit 2) are passed over as thumbnails are: neither is the print.
  const what = (p: { reduced: boolean; mask: boolean; width: number; height: number }): string => `${size(p)}, ${p.mask ? 'a transparency mask (NewSubfileType bit 2)' : 'a reduced-resolution image (NewSubfileType bit 0: a thumbnail or preview)'}`;
  if (k < 0)
    return { page: 0, note: `${ALL_REDUCED_NOTE} (${pages.length}) is marked as a transparency mask or a reduced-resolution image (${pages.map(what).join('; ')}); page 1 read, which may not be the print` };
  const before = k === 1 ? `page 1 before it is not the print (${what(pages[0]!)})` : `pages 1-${k} before it are not the print (${pages.slice(0, k).map(what).join('; ')})`;
  return { page: k, offset: pages[k]!.offset, note: `${REDUCED_PAGE_NOTE} ${k + 1} read (${size(pages[k]!)}): ${before}` };
}

/**
 * The note for a file holding more than one page or frame (a multi-page TIFF, an animated WebP), of
 * which only the first is read: "TIFF holds 2 pages; page 1 read". Undefined for a single image.
 * @param meta sharp's metadata of the file (`pages`: the number of pages or frames libvips found).
 */
export function multiPageNote(meta: Pick<Metadata, 'pages' | 'format'>, page = 0): string | undefined {
  const n = meta.pages ?? 1;
  if (!(n > 1)) return undefined;
  const format = String(meta.format ?? 'image');
  const unit = format === 'tiff' ? 'page' : 'frame';
  return `${format === 'tiff' ? 'TIFF' : format === 'webp' ? 'WebP' : format.toUpperCase()} holds ${n} ${unit}s; ${unit} ${page + 1} read (the others are not examined)`;
}

/**
 * Refuse a picture fingerlift drew itself (a comparison chart, marked with `CHART_MARK`) as a fingerprint
 * input: the one check of every command that reads fingerprint images (compare, search, eval, extract,
 * enhance, lift). A chart holds two prints side by side: extracted, it gave a template of both that
 * "matched" either. Only the first 4 KB are read, and only of a regular file (anything else is left to
 * the loader, which says what it is).
 * @param input a file path, or the file's bytes; @param name the input's name in the error (default the path).
 * @throws FingerliftError E_UNSUPPORTED_FORMAT for a chart.
 */
export async function refuseFingerliftChart(input: string | Uint8Array, name?: string): Promise<void> {
  let head: Uint8Array | undefined;
  if (typeof input !== 'string') head = input;
  else {
    const st = await statPath(input).catch(() => undefined);
    if (!st?.isFile()) return;
    const fh = await openPath(input, 'r').catch(() => undefined);
    if (!fh) return;
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }
  const label = name ?? (typeof input === 'string' ? input : undefined);
  if (hasChartMark(head)) throw new FingerliftError('E_UNSUPPORTED_FORMAT', CHART_REFUSED, label !== undefined ? { input: label } : {});
}

/** What a file's header says, read without decoding its pixels (`readImageHeader`). */
export interface ImageHeader {
  format: ImageFormat;
  /** Size as stored, pixels (before EXIF orientation, which does not change the pixel count). */
  width: number;
  height: number;
  /** Resolution declared, ppi, when plausible (`PLAUSIBLE_PPI`), as `loadImage` gives it; else undefined. */
  ppi: number | undefined;
  /** Resolution declared, ppi, as written (undefined when none). */
  declaredPpi: number | undefined;
}

/**
 * The format, size and resolution an image file declares, from its header only (nothing is decoded):
 * for checks that can refuse an input before it costs a decode. Undefined when the header cannot be read
 * (not an image, an unsupported format, a damaged header): `loadImage` then says why.
 * @param bytes the whole file.
 */
export async function readImageHeader(bytes: Uint8Array): Promise<ImageHeader | undefined> {
  const sniffed = sniffFormat(bytes);
  if (sniffed === undefined || !(SUPPORTED_FORMATS as readonly string[]).includes(sniffed)) return undefined;
  const format = sniffed as ImageFormat;
  // A TIFF's page as `loadImage` reads it (a reduced-resolution first page is passed over).
  const tiff = format === 'tiff' ? tiffPageToRead(bytes) : { page: 0 };
  let width = 0, height = 0;
  if (format === 'bmp') {
    if (bytes.length < 26) return undefined;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerSize = dv.getUint32(14, true);
    width = headerSize === 12 ? dv.getUint16(18, true) : Math.abs(dv.getInt32(18, true));
    height = headerSize === 12 ? dv.getUint16(20, true) : Math.abs(dv.getInt32(22, true));
  } else {
    try {
      const meta = await sharp(bytes, { limitInputPixels: false, ...(tiff.page > 0 ? { page: tiff.page } : {}) }).metadata();
      width = meta.width ?? 0;
      height = meta.height ?? 0;
    } catch {
      return undefined;
    }
  }
  if (!(width > 0 && height > 0)) return undefined;
  const declared = readDeclaredDensity(bytes, format, tiff.offset);
  const plausible = declared.ppi !== undefined && declared.ppi >= PLAUSIBLE_PPI[0] && declared.ppi <= PLAUSIBLE_PPI[1];
  return { format, width, height, ppi: plausible ? round(declared.ppi!) : undefined, declaredPpi: declared.ppi !== undefined ? round(declared.ppi) : undefined };
}

/** Start of the note `loadImage` records when the decoder warned of damage it worked around. */
export const DECODER_WARNING_NOTE = 'decoder warning';

/**
 * What the decoder warned of when it loaded this image, as a short clause ("the JPEG data is damaged (such
 * as corrupt entropy-coded data or a bad chunk) and was decoded anyway"), or undefined when it did not
 * warn. Read from the note `loadImage` recorded, whose text is fixed per format (the same for the same
 * file, whatever runs beside it: libvips' own warning texts are shared by the whole process).
 */
export function decoderWarningOf(loaded: Pick<LoadedImage, 'notes'>): string | undefined {
  const note = loaded.notes.find((n) => n.startsWith(DECODER_WARNING_NOTE));
  if (note === undefined) return liftedDecoderWarningOf(loaded);
  const format = /the (\w+) decoder \(libvips\)/.exec(note)?.[1];
  return `the ${format ?? 'image'} data is damaged (such as corrupt entropy-coded data or a bad chunk) and was decoded anyway`;
}

/** The clause of a lifted print's `LIFTED_DAMAGED_NOTE` (its source photo's decoder warned), or undefined. */
function liftedDecoderWarningOf(loaded: Pick<LoadedImage, 'notes'>): string | undefined {
  const note = loaded.notes.find((n) => n.startsWith(LIFTED_DAMAGED_NOTE));
  const at = note?.indexOf(LIFTED_DAMAGED_CLAUSE) ?? -1;
  return note === undefined || at < 0 ? undefined : note.slice(at + LIFTED_DAMAGED_CLAUSE.length);
}
const LIFTED_DAMAGED_CLAUSE = "the photo's decoder warned: ";

/**
 * The warning to report beside any result built on an image whose decoder warned of damaged data, naming
 * the file: "warning: <name>: the decoder warned of damaged data: the JPEG data is damaged (...) and was
 * decoded anyway; its pixels, and results from them, may differ from the original capture". Undefined
 * when the decoder did not warn. Said wherever such an input's result is reported (compare, search and
 * eval notes, the enhance, extract and lift summary fields), not only in the trail.
 * @param name the input as the user named it (a path); @param loaded the image (its notes).
 */
export function decoderWarningLine(name: string, loaded: Pick<LoadedImage, 'notes'>): string | undefined {
  const warning = decoderWarningOf(loaded);
  if (warning === undefined) return undefined;
  // A lifted print carrying its source photo's decoder warning (its mark): the photo was damaged, not this file.
  const lifted = !loaded.notes.some((n) => n.startsWith(DECODER_WARNING_NOTE));
  return `warning: ${name}: ${lifted ? 'lifted from a photo whose decoder warned of damaged data' : 'the decoder warned of damaged data'}: ${warning}; its pixels, and results from them, may differ from the original capture`;
}

/**
 * Every warning to report beside a result built on this image, as one line naming the file: the decoder's
 * (`decoderWarningLine`) and the file's own (its notes starting "warning: ": different horizontal and
 * vertical resolutions, a damaged PNG pHYs chunk, a JPEG without its EOI marker, a TIFF of reduced-resolution
 * pages only), joined with "; ". Undefined when there is none. Used for the `warning` field of the
 * enhance, extract and lift summaries (and their line on stderr).
 * @param name the input as the user named it (a path); @param loaded the image (its notes).
 */
export function inputWarningLine(name: string, loaded: Pick<LoadedImage, 'notes'>): string | undefined {
  const decoder = decoderWarningLine(name, loaded);
  const parts = [...(decoder !== undefined ? [decoder] : []), ...fileWarningLines(name, loaded)];
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * The file's own warnings (its notes starting "warning: ": `ANISOTROPIC_NOTE`, `PHYS_NOTE`, `NO_EOI_NOTE`,
 * `ALL_REDUCED_NOTE`, `LIFTED_PHOTO_WARNING_NOTE`), each as a line naming the file ("warning: <name>: ...");
 * the decoder's warning is `decoderWarningLine`'s. Empty when there is none.
 */
export function fileWarningLines(name: string, loaded: Pick<LoadedImage, 'notes'>): string[] {
  return loaded.notes.filter((n) => n.startsWith('warning: ')).map((n) => `warning: ${name}: ${n.slice('warning: '.length)}`);
}

/**
 * An error raised while working on a loaded image (no finger found, "a contact print, not a photo", no
 * minutiae, ...), said with the decoder's warning when there was one: the damage may be why. A
 * FingerliftError (other than E_WRITE and E_EXISTS, which are about outputs) becomes one of the same code,
 * input and cause whose message ends "(the decoder warned: the JPEG data is damaged (...) and was decoded
 * anyway; its pixels may differ from the original capture)"; anything else, or any error of an image
 * loaded without warning, is returned as it is.
 * @param e what was thrown; @param loaded the image it was thrown for (its notes).
 */
export function withDecoderWarning(e: unknown, loaded: Pick<LoadedImage, 'notes'>): unknown {
  const warning = decoderWarningOf(loaded);
  if (warning === undefined || !(e instanceof FingerliftError) || e.code === 'E_WRITE' || e.code === 'E_EXISTS' || e.message.includes('(the decoder warned: ') || e.message.includes('(the decoder of the photo it was lifted from warned: ')) return e;
  // The message already names the input (the constructor put it there): it is not prefixed twice.
  const lifted = !loaded.notes.some((n) => n.startsWith(DECODER_WARNING_NOTE));
  return new FingerliftError(e.code, `${e.message} (${lifted ? "the decoder of the photo it was lifted from warned" : 'the decoder warned'}: ${warning}; its pixels may differ from the original capture)`, { ...(e.input !== undefined ? { input: e.input } : {}), cause: e });
}

/**
 * A decoder's error message on one line: libvips joins several messages (often the same one repeated)
 * with newlines; each distinct line is kept once, in order, joined with "; ", white space collapsed.
 */
export function decoderMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines: string[] = [];
  for (const l of text.split(/[\r\n]+/)) {
    const t = l.replace(/\s+/g, ' ').trim();
    if (t !== '' && !lines.includes(t)) lines.push(t);
  }
  return lines.join('; ') || 'no message from the decoder';
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

interface Decoded {
  image: AnyImage;
  bitDepth: number;
  channels: number;
  orientation?: number;
  notes: string[];
}

/** What sharp's metadata tells of the page to be read, as `loadImage` reports it (no pixels decoded). */
interface SharpHeader {
  meta: Metadata;
  /** Size after EXIF orientation (sides swapped for orientations 5-8), pixels. */
  width: number;
  height: number;
  bitDepth: number;
  channels: number;
  orientation?: number;
  notes: string[];
  /** PNG and JPEG: why the compressed data cannot hold the image (`pngDamage`, `jpegDamage`, `jpegEnd`). */
  damage?: string;
  /** JPEG: the file ends without its EOI marker (its scans may still be whole: `jpegEnd`). */
  lacksEoi?: boolean;
  /** JPEG without its EOI marker: the zero bytes that end the file (`JpegEnd.zeroPadding`), left out of the decode. */
  zeroPadding?: number;
}

/**
 * The header of a file sharp reads, at `page`, checked against `maxPixels`.
 * @throws FingerliftError E_DECODE (header unreadable), E_TOO_LARGE, E_TOO_SMALL (zero size).
 */
async function sharpHeader(bytes: Uint8Array, name: string, maxPixels: number, page: number): Promise<SharpHeader> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, ...(page > 0 ? { page } : {}) }).metadata();
  } catch (e) {
    throw new FingerliftError('E_DECODE', `cannot read image header: ${decoderMessage(e)}`, { input: name, cause: e });
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w * h > maxPixels)
    throw new FingerliftError('E_TOO_LARGE', overPixelLimit(w, h, maxPixels), { input: name });
  if (w === 0 || h === 0) throw new FingerliftError('E_TOO_SMALL', `image has zero size (${w} x ${h})`, { input: name });
  let damage = meta.format === 'png' ? pngDamage(bytes) : meta.format === 'jpeg' ? jpegDamage(bytes) : undefined;
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
  const notes: string[] = [];
  // A JPEG cut right after its last scan lacks only its 2-byte EOI: decoded (with a warning) when its scans are whole.
  const end = meta.format === 'jpeg' ? jpegEnd(bytes) : { lacksEoi: false };
  if (end.lacksEoi) {
    if (end.incomplete !== undefined) damage ??= `truncated JPEG: the file ends without its EOI marker (FF D9) and ${end.incomplete} (the file may have been truncated)`;
    else if (end.zeroPadding !== undefined) notes.push(`${NO_EOI_NOTE} (FF D9): ${end.zeroPadding} zero byte${end.zeroPadding === 1 ? '' : 's'} end the file where the marker should be (its end may have been overwritten or padded; read as if the marker were there, the zeros left out; a scan cut short is refused)`);
    else notes.push(`${NO_EOI_NOTE} (FF D9): the end of the file may have been cut off (read as if the marker were there; a scan cut short is refused)`);
  }
  if (meta.space === 'cmyk') notes.push('CMYK converted to sRGB');
  if (meta.hasAlpha) notes.push('alpha composited on white');
  if (meta.isPalette) notes.push('palette expanded');
  const pages = multiPageNote(meta, page);
  if (pages !== undefined) notes.push(pages);
  const swapped = meta.orientation !== undefined && meta.orientation >= 5 && meta.orientation <= 8;
  const out: SharpHeader = {
    meta,
    width: swapped ? h : w,
    height: swapped ? w : h,
    bitDepth: sixteen ? 16 : meta.depth === 'uchar' && meta.bitsPerSample === 1 ? 1 : 8,
    channels: meta.channels ?? 3,
    notes,
    ...(damage !== undefined ? { damage } : {}),
    ...(end.lacksEoi ? { lacksEoi: true, ...(end.zeroPadding !== undefined ? { zeroPadding: end.zeroPadding } : {}) } : {}),
  };
  if (meta.orientation !== undefined) out.orientation = meta.orientation;
  return out;
}

async function decodeWithSharp(bytes: Uint8Array, name: string, maxPixels: number, page: number): Promise<Decoded> {
  const header = await sharpHeader(bytes, name, maxPixels, page);
  if (header.damage !== undefined) throw new FingerliftError('E_DECODE', header.damage, { input: name });
  const { meta } = header;
  const sixteen = header.bitDepth === 16;
  const grey = (meta.channels ?? 3) <= 2 && meta.space !== 'cmyk';
  const notes = header.notes;
  // Damage the decoder works around (corrupt JPEG entropy data, bad PNG chunks) is not fatal (failOn
  // 'truncated' still refuses files that end early), but it is recorded in a note. Whether there was any
  // is learnt from a first decode with failOn 'warning', which fails exactly when the loader warns: that
  // failure belongs to this call alone. libvips' warning texts are not used: sharp gathers them in one
  // queue for the whole process (all worker threads), emptied by whichever call finishes next, so with
  // decodes running in parallel a file's warning went to another call's listener or another file's
  // warning was attached to this one (of 160 loads of a damaged JPEG, 8 files at a time in one thread,
  // 143 lacked the note, and 22 loads of clean files had one); the error text of
  // the strict decode comes from libvips' process-wide error buffer, equally shared. The note's text is
  // therefore fixed per format: same file, same note, whatever runs beside it.
  // A JPEG without its EOI marker is decoded with one appended (libjpeg otherwise stops with "premature end
  // of JPEG image" even when every scan is whole), and only when that decode gives no warning at all: a
  // scan cut short then hits the appended marker before its data ends, and libjpeg warns of it.
  // Zero bytes where the marker should be are left out (libjpeg warns of "extraneous bytes" before it otherwise).
  const input = header.lacksEoi ? Buffer.concat([bytes.subarray(0, bytes.length - (header.zeroPadding ?? 0)), Buffer.from([0xff, 0xd9])]) : bytes;
  const decode = (failOn: 'warning' | 'truncated'): Promise<{ data: Buffer; info: OutputInfo }> => {
    // sharp takes an integer in [1, Number.MAX_SAFE_INTEGER] here (0 would mean no limit); the header was
    // checked against maxPixels itself above, and a whole number of pixels is over maxPixels exactly when
    // it is over its floor.
    let pipeline = sharp(input, { limitInputPixels: Math.max(1, Math.min(Math.floor(maxPixels), Number.MAX_SAFE_INTEGER)), failOn, ...(page > 0 ? { page } : {}) }).rotate();
    if (meta.hasAlpha) pipeline = pipeline.flatten({ background: sixteen ? { r: 65535, g: 65535, b: 65535 } : '#ffffff' });
    pipeline = grey ? pipeline.toColourspace(sixteen ? 'grey16' : 'b-w') : pipeline.toColourspace(sixteen ? 'rgb16' : 'srgb');
    return pipeline.raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  };
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await decode('warning');
  } catch (e) {
    if (header.lacksEoi)
      throw new FingerliftError('E_DECODE', `truncated JPEG: the file ends without its EOI marker (FF D9) and the decoder found its entropy-coded data incomplete or damaged (${decoderMessage(e)}; the file may have been truncated)`, { input: name, cause: e });
    try {
      raw = await decode('truncated');
    } catch (e) {
      throw new FingerliftError('E_DECODE', `cannot decode image (corrupt or truncated?): ${decoderMessage(e)}`, { input: name, cause: e });
    }
    notes.push(`${DECODER_WARNING_NOTE} (the file may be damaged; pixels may differ from the original capture): the ${String(meta.format).toUpperCase()} decoder (libvips) warned of a problem in the file's data (such as corrupt entropy-coded data or a bad chunk) and decoded it anyway`);
  }
  const { width, height, channels } = raw.info;
  const n = width * height * channels;
  const data = new Float32Array(n);
  if (sixteen) {
    const src = new Uint16Array(raw.data.buffer, raw.data.byteOffset, n);
    for (let i = 0; i < n; i++) data[i] = src[i]! / 65535;
  } else {
    const lut = new Float32Array(256);
    for (let i = 0; i < 256; i++) lut[i] = i / 255;
    const src = raw.data;
    for (let i = 0; i < n; i++) data[i] = lut[src[i]!]!;
  }
  const image: AnyImage = channels === 1 ? { width, height, data } : { width, height, channels: 3, data };
  if (channels !== 1 && channels !== 3) throw new FingerliftError('E_DECODE', `unexpected channel count ${channels} after conversion`, { input: name });
  const out: Decoded = {
    image,
    bitDepth: sixteen ? 16 : meta.depth === 'uchar' && meta.bitsPerSample === 1 ? 1 : 8,
    channels: meta.channels ?? channels,
    notes,
  };
  if (meta.orientation !== undefined) {
    out.orientation = meta.orientation;
    if (meta.orientation !== 1) notes.push(`EXIF orientation ${meta.orientation} applied`);
  }
  return out;
}

/** A BMP's header: size, bits per pixel, and a truncation of uncompressed pixel data found from the file size. */
interface BmpHeader {
  width: number;
  height: number;
  bitPP: number;
  headerSize: number;
  compression: number;
  damage?: string;
}

/**
 * Read a BMP's header (BITMAPCOREHEADER or BITMAPINFOHEADER and later), checked against `maxPixels`.
 * @throws FingerliftError E_DECODE (header cut off), E_TOO_LARGE, E_TOO_SMALL (zero size).
 */
function bmpHeader(bytes: Uint8Array, name: string, maxPixels: number): BmpHeader {
  if (bytes.length < 26) throw new FingerliftError('E_DECODE', 'truncated BMP header', { input: name });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = dv.getUint32(14, true);
  const w = headerSize === 12 ? dv.getUint16(18, true) : Math.abs(dv.getInt32(18, true));
  const h = headerSize === 12 ? dv.getUint16(20, true) : Math.abs(dv.getInt32(22, true));
  const bitPP = headerSize === 12 ? dv.getUint16(24, true) : bytes.length >= 30 ? dv.getUint16(28, true) : 0;
  const invalid = bmpInvalidField(bytes);
  if (invalid !== undefined) throw new FingerliftError('E_DECODE', invalid, { input: name });
  if (w * h > maxPixels)
    throw new FingerliftError('E_TOO_LARGE', overPixelLimit(w, h, maxPixels), { input: name });
  if (w === 0 || h === 0) throw new FingerliftError('E_TOO_SMALL', `image has zero size (${w} x ${h})`, { input: name });
  const offset = dv.getUint32(10, true);
  const rowBytes = Math.floor((bitPP * w + 31) / 32) * 4;
  const compression = headerSize >= 40 && bytes.length >= 34 ? dv.getUint32(30, true) : 0;
  const header: BmpHeader = { width: w, height: h, bitPP, headerSize, compression };
  if (compression === 0 && offset >= bytes.length) header.damage = `truncated BMP: its pixel data starts at byte ${offset} (bfOffBits), past the end of the ${bytes.length}-byte file`;
  else if (compression === 0 && offset + rowBytes * h > bytes.length)
    header.damage = `truncated BMP: its ${rowBytes * h} bytes of pixel data (${h} rows of ${rowBytes} bytes) start at byte ${offset} (bfOffBits) and would end at byte ${offset + rowBytes * h}, past the end of the ${bytes.length}-byte file`;
  return header;
}

/**
 * The first header field of a BMP that no valid file holds, as "invalid BMP header: <field> is <value>
 * (...)", or undefined. Checked (Microsoft BITMAPINFOHEADER, BITMAPCOREHEADER): the header size (12, or
 * 40 to 124: BITMAPINFOHEADER and its V2-V5 extensions); biWidth, which must be positive (only the height
 * may be negative, for top-down rows); biPlanes, which must be 1; biBitCount, which must be 1, 4, 8, 16,
 * 24 or 32 (1, 4, 8 or 24 in a core header); biCompression, which must be a defined method (0-6, 11-13);
 * biClrUsed, at most 2^biBitCount for 1-8 bits and a colour table ending before the pixel data
 * (bfOffBits). The decoder given such a header reads past its data and
 * reported it as truncated pixel data.
 * @param bytes the whole file, at least its 26 first bytes.
 */
export function bmpInvalidField(bytes: Uint8Array): string | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = dv.getUint32(14, true);
  const bad = (field: string, value: number, want: string): string => `invalid BMP header: ${field} is ${value} (${want})`;
  if (headerSize !== 12 && !(headerSize >= 40 && headerSize <= 124)) return bad('the header size (biSize)', headerSize, 'must be 12, or 40 to 124 bytes');
  if (headerSize === 12) {
    const planes = dv.getUint16(22, true);
    const bits = dv.getUint16(24, true);
    if (planes !== 1) return bad('bcPlanes', planes, 'must be 1');
    if (![1, 4, 8, 24].includes(bits)) return bad('bcBitCount', bits, 'must be 1, 4, 8 or 24 bits per pixel');
    return undefined;
  }
  if (bytes.length < 30) return undefined; // cut off: said as a truncated header
  const width = dv.getInt32(18, true);
  if (width <= 0) return bad('biWidth', width, 'the width must be a positive number of pixels; only the height may be negative');
  const planes = dv.getUint16(26, true);
  if (planes !== 1) return bad('biPlanes', planes, 'must be 1');
  const bits = dv.getUint16(28, true);
  if (![1, 4, 8, 16, 24, 32].includes(bits)) return bad('biBitCount', bits, 'must be 1, 4, 8, 16, 24 or 32 bits per pixel');
  if (bytes.length < 34) return undefined;
  const compression = dv.getUint32(30, true);
  // Defined: BI_RGB 0, BI_RLE8 1, BI_RLE4 2, BI_BITFIELDS 3, BI_JPEG 4, BI_PNG 5, BI_ALPHABITFIELDS 6, and the CMYK 11-13.
  if (!((compression >= 0 && compression <= 6) || (compression >= 11 && compression <= 13))) return bad('biCompression', compression, 'no compression method has that number: 0 (none), 1 (RLE8), 2 (RLE4), 3 (bit fields) and 4-6, 11-13 are defined');
  if (bytes.length < 50) return undefined;
  const used = dv.getUint32(46, true);
  if (bits <= 8 && used > 2 ** bits) return bad('biClrUsed', used, `a ${bits}-bit BMP's colour table holds at most ${2 ** bits} entries`);
  const offset = dv.getUint32(10, true);
  const table = 14 + headerSize + (headerSize === 40 && compression === 3 ? 12 : 0) + 4 * used;
  if (used > 0 && table > offset) return bad('biClrUsed', used, `a colour table of ${used} entries would end at byte ${table}, past the pixel data at byte ${offset} (bfOffBits)`);
  return undefined;
}

/**
 * True when every entry of a palette BMP's colour table (1, 4 or 8 bits per pixel) has R = G = B, as in
 * the grey BMPs scanners write; false when it has a colour entry or its table is cut off.
 */
function bmpPaletteIsGrey(bytes: Uint8Array, h: BmpHeader): boolean {
  const entry = h.headerSize === 12 ? 3 : 4; // RGBTRIPLE or RGBQUAD, stored B, G, R
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const used = h.headerSize >= 40 && bytes.length >= 50 ? dv.getUint32(46, true) : 0;
  const n = used > 0 && used <= 2 ** h.bitPP ? used : 2 ** h.bitPP;
  const at = 14 + h.headerSize;
  if (at + n * entry > bytes.length) return false;
  for (let i = 0; i < n; i++) {
    const e = at + i * entry;
    if (bytes[e] !== bytes[e + 1] || bytes[e + 1] !== bytes[e + 2]) return false;
  }
  return true;
}

function decodeBmpImage(bytes: Uint8Array, name: string, maxPixels: number): Decoded {
  const header = bmpHeader(bytes, name, maxPixels);
  if (header.damage !== undefined) throw new FingerliftError('E_DECODE', header.damage, { input: name });
  const { bitPP, compression } = header;
  let bmp: ReturnType<typeof decodeBmp>;
  try {
    bmp = decodeBmp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)); // pixels as A, B, G, R bytes
  } catch (e) {
    // The decoder reads past the end of compressed (RLE) pixel data that stops early: say so, not its offset arithmetic.
    const truncated = e instanceof RangeError && /offset|out of range|beyond/i.test(e.message);
    const message = !truncated ? `cannot decode BMP: ${decoderMessage(e)}`
      : compression === 1 || compression === 2 ? `truncated BMP: the ${compression === 1 ? 'RLE8' : 'RLE4'} pixel data ends before the image does (${bytes.length} bytes)`
      : `cannot decode BMP: the decoder read past the end of the ${bytes.length}-byte file (a header field and the data disagree: ${decoderMessage(e)})`;
    throw new FingerliftError('E_DECODE', message, { input: name, cause: e });
  }
  const n = bmp.width * bmp.height;
  const px = bmp.data;
  // Grey when every pixel has R = G = B (8-bit grey BMPs are palette images with a grey ramp).
  const A = 0, B = 1, G = 2, R = 3;
  let grey = true;
  for (let i = 0; i < n && grey; i++) {
    const r = px[4 * i + R]!;
    if (px[4 * i + G] !== r || px[4 * i + B] !== r) grey = false;
  }
  const notes: string[] = [];
  // Only 32-bit BMPs can carry alpha; many write 0 there meaning "unused", so all-zero alpha is opaque.
  let hasAlpha = false;
  if (bitPP === 32) {
    let anyNonZero = false;
    let anyTranslucent = false;
    for (let i = 0; i < n; i++) {
      const a = px[4 * i + A]!;
      if (a !== 0) anyNonZero = true;
      if (a < 255) anyTranslucent = true;
    }
    hasAlpha = anyNonZero && anyTranslucent;
  }
  if (hasAlpha) notes.push('alpha composited on white');
  const blend = (v: number, a: number): number => (hasAlpha ? (v * a + 255 * (255 - a)) / 65025 : v / 255);
  let image: AnyImage;
  if (grey) {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = blend(px[4 * i + R]!, px[4 * i + A]!);
    image = { width: bmp.width, height: bmp.height, data };
  } else {
    const data = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      const a = px[4 * i + A]!;
      data[3 * i] = blend(px[4 * i + R]!, a);
      data[3 * i + 1] = blend(px[4 * i + G]!, a);
      data[3 * i + 2] = blend(px[4 * i + B]!, a);
    }
    image = { width: bmp.width, height: bmp.height, channels: 3, data };
  }
  return { image, bitDepth: bitPP <= 8 ? bitPP : 8, channels: grey ? 1 : 3, notes };
}

export interface SaveOptions {
  /** Resolution written into the file (PNG pHYs, TIFF XResolution), pixels per inch. Required: a print must keep its scale. */
  ppi: number;
  /** Overwrite an existing file. Default false (E_EXISTS). */
  overwrite?: boolean;
  /** Bits per channel, 8 (default) or 16. */
  bitDepth?: 8 | 16;
  /**
   * PNG only: the warnings of the photo the print was lifted from (its decoder's, its own "warning: "
   * notes), written as `LIFTED_SOURCE_MARK` chunks: `loadImage` restores them (`LoadedImage.liftedSource`).
   */
  sourceWarnings?: LiftedSourceWarnings;
  /**
   * PNG only: the image is a print lifted from a photo whose resolution at the fingertip was estimated as
   * this many ppi (not given): the file is marked so (`LIFTED_PRINT_MARK`, a tEXt chunk after IHDR), and
   * `loadImage` reports it (`LoadedImage.scaleEstimated`).
   */
  scaleEstimatedFromPpi?: number;
}

/**
 * Encode an image as PNG or TIFF bytes with its true resolution (format from `format`). Values are
 * clamped to [0, 1] before quantisation to 8 or 16 bits (e.g. a filter's overshoot to -0.02 is written
 * as black); NaN and infinite values are refused, never written as black.
 * With `scaleEstimatedFromPpi` (PNG), the bytes carry the lifted print's mark (`LIFTED_PRINT_MARK`); with
 * `sourceWarnings` (PNG), its source photo's warnings (`LIFTED_SOURCE_MARK`).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image (size and data must
 *   agree), a format other than 'png' or 'tiff', a missing or non-positive `ppi`, a bit depth other than
 *   8 or 16, a `scaleEstimatedFromPpi` that is not a positive number or given for a TIFF, or data
 *   holding a NaN or infinite value.
 */
export async function encodeImage(image: AnyImage, format: 'png' | 'tiff', options: Omit<SaveOptions, 'overwrite'>): Promise<Buffer> {
  // Checked here because JavaScript callers are not held to the types: sharp's own errors would not say what is wrong.
  checkImage(image, 'encodeImage');
  if (format !== 'png' && format !== 'tiff') throw invalidArgument('encodeImage: format', "'png' or 'tiff'", format);
  const channels = isRgb(image) ? 3 : 1;
  if (!(typeof options?.ppi === 'number' && Number.isFinite(options.ppi) && options.ppi > 0))
    throw invalidArgument('encodeImage: ppi', 'the resolution to write, a positive number of pixels per inch (a saved print needs its scale)', options?.ppi);
  if (options.bitDepth !== undefined && options.bitDepth !== 8 && options.bitDepth !== 16)
    throw invalidArgument('encodeImage: bitDepth', '8 or 16', options.bitDepth);
  const estimated = options.scaleEstimatedFromPpi;
  if (estimated !== undefined) {
    if (format !== 'png') throw invalidArgument('encodeImage: scaleEstimatedFromPpi', "no value for a TIFF (the lifted print's mark is a PNG text chunk)", estimated);
    if (!(typeof estimated === 'number' && Number.isFinite(estimated) && estimated > 0)) throw invalidArgument('encodeImage: scaleEstimatedFromPpi', "the photo's estimated resolution, a positive number of pixels per inch", estimated);
  }
  const sixteen = options.bitDepth === 16;
  const n = image.width * image.height * channels;
  const d = image.data;
  // Quantise to integers of `max` (255 or 65535), checking on the way that every value is finite:
  // `v - v` is 0 for a finite value and NaN for NaN or an infinity (no overflow on huge finite values);
  // the first bad value is then looked for, to name it.
  const quantise = <T extends Uint8Array | Uint16Array>(out: T, max: number): T => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = d[i]!;
      sum += v - v;
      out[i] = Math.round(clamp01(v) * max);
    }
    if (Number.isNaN(sum)) {
      let i = 0;
      while (Number.isFinite(d[i]!)) i++;
      const p = Math.floor(i / channels);
      throw new FingerliftError('E_INVALID_ARGUMENT', `encodeImage: value ${d[i]} at x ${p % image.width}, y ${Math.floor(p / image.width)}${channels === 3 ? `, channel ${i % 3}` : ''}: image values must be finite numbers (they are clamped to [0, 1])`);
    }
    return out;
  };
  const raw = { raw: { width: image.width, height: image.height, channels: channels as 1 | 3 } };
  let s: Sharp = sixteen
    ? sharp(quantise(new Uint16Array(n), 65535), raw).toColourspace(channels === 1 ? 'grey16' : 'rgb16')
    : sharp(quantise(Buffer.allocUnsafe(n), 255), raw);
  if (!sixteen && channels === 1) s = s.toColourspace('b-w');
  s = s.withDensity(options.ppi);
  if (options.sourceWarnings !== undefined && format !== 'png') throw invalidArgument('encodeImage: sourceWarnings', "no value for a TIFF (the lifted print's marks are PNG text chunks)", options.sourceWarnings);
  const sourceMarks = options.sourceWarnings ? liftedSourceMarkValues(options.sourceWarnings) : [];
  if (format === 'png' && (estimated !== undefined || sourceMarks.length > 0)) {
    const png = await s.png({ compressionLevel: 9 }).toBuffer();
    const marked = sourceMarks.length > 0 ? withPngTexts(png, LIFTED_SOURCE_MARK.keyword, sourceMarks) : png;
    return estimated !== undefined ? withPngText(marked, LIFTED_PRINT_MARK.keyword, liftedPrintMarkValue(estimated)) : marked;
  }
  return format === 'png' ? s.png({ compressionLevel: 9 }).toBuffer() : s.tiff({ compression: 'lzw', xres: options.ppi / 25.4, yres: options.ppi / 25.4, resolutionUnit: 'inch' }).toBuffer();
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/**
 * Save a grey or RGB image as PNG or TIFF (by the path's extension) with its true resolution (values
 * clamped to [0, 1], as `encodeImage`). Parent folders are created. Never overwrites unless `overwrite` is set.
 * @returns the bytes written (for hashing in the audit trail).
 * @throws FingerliftError E_EXISTS (file exists), E_UNSUPPORTED_FORMAT (extension not .png/.tif/.tiff),
 *   E_INVALID_ARGUMENT (path not a non-empty string; otherwise as `encodeImage`), E_WRITE (the file cannot be written).
 */
export async function saveImage(image: AnyImage, path: string, options: SaveOptions): Promise<Buffer> {
  if (!(typeof path === 'string' && path !== '')) throw invalidArgument('saveImage: path', 'a file path (non-empty string)', path);
  const ext = extname(path).toLowerCase();
  const format = ext === '.png' ? 'png' : ext === '.tif' || ext === '.tiff' ? 'tiff' : undefined;
  if (!format) throw new FingerliftError('E_UNSUPPORTED_FORMAT', `cannot save as "${ext}": use .png, .tif or .tiff`, { input: path });
  const bytes = await encodeImage(image, format, options);
  await writeBytes(path, bytes, options.overwrite ?? false);
  return bytes;
}

/**
 * "image is W x H = N megapixels, over the limit of M megapixels"; in whole pixels when the limit is
 * under a megapixel or both round to the same tenth of a megapixel (a limit of 1000 is not "0.0").
 */
export function overPixelLimit(width: number, height: number, maxPixels: number): string {
  const n = width * height;
  const mp = (v: number): string => `${(v / 1e6).toFixed(1)} megapixels`;
  if (maxPixels >= 1e6 && mp(n) !== mp(maxPixels)) return `image is ${width} x ${height} = ${mp(n)}, over the limit of ${mp(maxPixels)}`;
  return `image is ${width} x ${height} = ${n} pixels, over the limit of ${maxPixels} pixels`;
}

let tempCounter = 0;

/**
 * A fresh temporary file name in the folder of `path`, for writing a file before renaming (or linking)
 * it to its real name: short and hidden (`.fl-<pid>-<thread>-<n>.tmp`, at most about 40 characters),
 * so it fits the file system's name limit (255 bytes) whatever the length of the real name (a suffix
 * such as `<name>.tmp-<pid>` would push a long name over it). Unique per process, thread and call.
 */
export function tempNameBeside(path: string): string {
  tempCounter += 1;
  return joinPath(dirname(path), `.fl-${process.pid}-${threadId}-${tempCounter}.tmp`);
}

/**
 * Write bytes to a new file (parent folders created), atomically refusing to replace an existing one
 * unless `overwrite`. Removing a leftover temporary file never replaces the error of the write itself.
 * @throws FingerliftError E_EXISTS (exists, no `overwrite`), E_WRITE naming the file (permissions, a
 * folder in the way, disk full, a name too long).
 */
export async function writeBytes(path: string, bytes: Uint8Array | string, overwrite = false): Promise<void> {
  const cannot = (e: unknown): FingerliftError =>
    e instanceof FingerliftError ? e : new FingerliftError('E_WRITE', `cannot write ${path}: ${fsErrorReason(e)}`, { input: path, cause: e });
  try {
    await ensureDir(dirname(path));
  } catch (e) {
    throw cannot(e);
  }
  if (overwrite) {
    // Replace by renaming a new file over the name: a link at `path` is replaced, never the file it points to.
    const tmp = tempNameBeside(path);
    try {
      await writeFile(tmp, bytes, { flag: 'w' });
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw cannot(e);
    }
    return;
  }
  try {
    await writeFile(path, bytes, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new FingerliftError('E_EXISTS', 'output exists; refusing to overwrite (use --force)', { input: path, cause: e });
    throw cannot(e);
  }
}

/**
 * Create a folder and its missing parents, one level at a time. (Node's `mkdir(..., { recursive: true })`
 * never returns for a path under /proc on Linux; creating level by level fails at once instead.)
 * @throws the file system error (ENOENT, EACCES, ENOTDIR, ...) of the first level that cannot be made.
 */
export async function ensureDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let d = resolvePath(dir);
  for (;;) {
    try {
      const st = await statPath(d);
      if (!st.isDirectory()) throw Object.assign(new Error(`${d} is not a folder`), { code: 'ENOTDIR' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      missing.push(d);
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  for (const m of missing.reverse()) {
    try {
      await mkdir(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** SHA-256 (hex) of bytes (a string is hashed as UTF-8). @throws FingerliftError E_INVALID_ARGUMENT for anything else. */
export function sha256Hex(bytes: Uint8Array | string): string {
  if (!(typeof bytes === 'string' || bytes instanceof Uint8Array)) throw invalidArgument('sha256Hex', 'a Uint8Array, Buffer or string', bytes);
  return createHash('sha256').update(bytes).digest('hex');
}

export type { GrayImage, RgbImage };
