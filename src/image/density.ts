/**
 * Read the resolution a file itself declares, from its own header fields, so that "absent" can be told
 * apart from a real 72: sharp reports 72 for a PNG with no pHYs chunk and for a JFIF header whose units
 * are 0 (aspect ratio only).
 *
 * Sources: PNG pHYs chunk (ISO/IEC 15948:2004 §11.3.5.3, unit 1 = metre); JPEG JFIF APP0 (JFIF 1.02,
 * units 1 = dots per inch, 2 = dots per cm, 0 = aspect ratio only) and Exif IFD0 XResolution/ResolutionUnit
 * (Exif 2.32, tags 282/296: unit 2 = inch, 3 = cm); TIFF IFD0 XResolution/ResolutionUnit (TIFF 6.0, 1992;
 * unit 1 = none); BMP BITMAPINFOHEADER biXPelsPerMeter.
 *
 * Every one of these fields declares the horizontal and the vertical resolution separately. fingerlift's
 * prints have square pixels: when the two differ, the horizontal one is used and `yPpi` carries the other
 * (the loader warns). A PNG chunk whose CRC-32 (ISO/IEC 15948 §5.3) does not match its bytes is not used:
 * `crcFailed` says so.
 */
import { crc32 } from 'node:zlib';

export interface DeclaredDensity {
  /** Pixels per inch the file declares, or undefined when it declares none (or units without scale). */
  ppi: number | undefined;
  /** Which header field said so. */
  field: 'pHYs' | 'JFIF' | 'Exif' | 'TIFF' | 'BMP' | 'none';
  /**
   * The vertical resolution, pixels per inch, when the field declares one different from the horizontal
   * (`ppi`, which is the one used); absent when they agree (within 0.5%) or only one is declared.
   */
  yPpi?: number;
  /** PNG: the pHYs chunk was present but its CRC did not match (damaged): not used, `ppi` undefined. */
  crcFailed?: boolean;
  /**
   * PNG: what is wrong with the file's pHYs chunks besides a CRC, as a clause after "the PNG's resolution
   * chunk (pHYs) ...": a length other than 9 bytes or a chunk after the image data (IDAT), not used
   * (`ppi` undefined when no valid one came before), or a second pHYs chunk (the first is used).
   */
  problem?: string;
}

/** Whether two declared resolutions differ by more than rounding (0.5%). */
function differ(x: number, y: number): boolean {
  return Math.abs(x - y) > 0.005 * Math.max(x, y);
}

/** `{ ppi, field }` with `yPpi` when the vertical resolution `y` (same unit) differs from `x`. */
function density(x: number, y: number, scale: number, field: DeclaredDensity['field']): DeclaredDensity {
  return y > 0 && differ(x, y) ? { ppi: x * scale, field, yPpi: y * scale } : { ppi: x * scale, field };
}

const NONE: DeclaredDensity = { ppi: undefined, field: 'none' };

/**
 * The resolution `bytes` (a whole file of `format`) declares, or `{ ppi: undefined, field: 'none' }`.
 * @param ifdOffset TIFF only: the byte offset of the directory (page) whose resolution is wanted
 *   (default the first directory's).
 */
export function readDeclaredDensity(bytes: Uint8Array, format: string, ifdOffset?: number): DeclaredDensity {
  try {
    switch (format) {
      case 'png':
        return pngDensity(bytes);
      case 'jpeg':
        return jpegDensity(bytes);
      case 'tiff':
        return tiffDensity(bytes, 0, ifdOffset);
      case 'bmp':
        return bmpDensity(bytes);
      default:
        return NONE;
    }
  } catch {
    return NONE; // a malformed optional field is not a decode error; the decoder judges the pixels
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function pngDensity(b: Uint8Array): DeclaredDensity {
  const dv = view(b);
  let p = 8;
  let seenIdat = false;
  let found: DeclaredDensity | undefined;
  const problems: string[] = [];
  // Every chunk to IEND: a pHYs of the wrong length, after IDAT or repeated is said, not silently taken or dropped.
  while (p + 12 <= b.length) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
    if (type === 'IEND') break;
    if (type === 'IDAT') seenIdat = true;
    else if (type === 'pHYs' && p + 12 + len <= b.length) {
      if (seenIdat) problems.push(`comes after the image data (IDAT), where ISO/IEC 15948 (11.3.5.3) does not allow it: ignored`);
      else if (len !== 9) problems.push(`has ${len} bytes of data, not the 9 ISO/IEC 15948 (11.3.5.3) defines: ignored`);
      // The CRC covers the type and the data (ISO/IEC 15948 §5.3): a damaged chunk says nothing reliable.
      else if (crc32(b.subarray(p + 4, p + 8 + len)) !== dv.getUint32(p + 8 + len)) {
        if (found === undefined) found = { ...NONE, crcFailed: true };
      } else {
        const ppux = dv.getUint32(p + 8);
        const ppuy = dv.getUint32(p + 12);
        const unit = b[p + 16];
        const d = unit === 1 && ppux > 0 ? density(ppux, ppuy, 0.0254, 'pHYs') : NONE;
        const ppi = (v: DeclaredDensity): string => (v.ppi === undefined ? 'no resolution in inches' : `${Math.round(v.ppi * 100) / 100} ppi`);
        if (found === undefined) found = d;
        else problems.push(`is repeated: a second one declares ${ppi(d)}${found.crcFailed ? ' (also ignored: the first is damaged)' : `; the first, ${ppi(found)}, is used`}`);
      }
    }
    p += 12 + len;
  }
  const out = found ?? NONE;
  return problems.length > 0 ? { ...out, problem: problems.join('; it also ') } : out;
}

function jpegDensity(b: Uint8Array): DeclaredDensity {
  const dv = view(b);
  let p = 2;
  let jfif: DeclaredDensity = NONE;
  while (p + 4 <= b.length && b[p] === 0xff) {
    const marker = b[p + 1]!;
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image
    const len = dv.getUint16(p + 2);
    const seg = p + 4;
    if (marker === 0xe0 && len >= 14 && b[seg] === 0x4a && b[seg + 1] === 0x46 && b[seg + 2] === 0x49 && b[seg + 3] === 0x46) {
      const units = b[seg + 7];
      const xd = dv.getUint16(seg + 8);
      const yd = dv.getUint16(seg + 10);
      if (xd > 0 && units === 1) jfif = density(xd, yd, 1, 'JFIF');
      else if (xd > 0 && units === 2) jfif = density(xd, yd, 2.54, 'JFIF');
    } else if (marker === 0xe1 && len >= 16 && b[seg] === 0x45 && b[seg + 1] === 0x78 && b[seg + 2] === 0x69 && b[seg + 3] === 0x66) {
      const exif = tiffDensity(b.subarray(seg + 6, p + 2 + len), 0);
      if (exif.ppi !== undefined) return { ...exif, field: 'Exif' };
    }
    p += 2 + len;
  }
  return jfif;
}

function tiffDensity(b: Uint8Array, base: number, ifdOffset?: number): DeclaredDensity {
  const dv = view(b);
  const le = b[base] === 0x49;
  const u16 = (o: number): number => dv.getUint16(base + o, le);
  const u32 = (o: number): number => dv.getUint32(base + o, le);
  const ifd = ifdOffset ?? u32(4);
  const n = u16(ifd);
  let xres: number | undefined;
  let yres: number | undefined;
  let unit = 2; // TIFF 6.0 default: inch
  const rational = (e: number): number | undefined => {
    const off = u32(e + 8);
    const den = u32(off + 4);
    return den > 0 ? u32(off) / den : undefined;
  };
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + 12 * i;
    const tag = u16(e);
    if (tag === 282) xres = rational(e);
    else if (tag === 283) yres = rational(e);
    else if (tag === 296) unit = u16(e + 8);
  }
  if (xres === undefined || !(xres > 0) || unit === 1) return NONE;
  return density(xres, yres ?? 0, unit === 3 ? 2.54 : 1, 'TIFF');
}

function bmpDensity(b: Uint8Array): DeclaredDensity {
  if (b.length < 46) return NONE;
  const ppm = view(b).getInt32(38, true);
  const ppmY = view(b).getInt32(42, true);
  return ppm > 0 ? density(ppm, ppmY, 0.0254, 'BMP') : NONE;
}
