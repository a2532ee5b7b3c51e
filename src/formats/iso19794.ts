/**
 * Finger minutiae records ("FMR\0", version " 20\0"): ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004.
 * Read, write (byte-identical round trip), convert to and from {@link Template}.
 *
 * ISO/IEC 19794-2:2005 layout (all integers big-endian):
 *
 * | bytes | field |
 * |---|---|
 * | 4 | format identifier "FMR\0" |
 * | 4 | version " 20\0" |
 * | 4 | record length in bytes (the whole record) |
 * | 2 | capture equipment: certification (top 4 bits), device type id (12 bits) |
 * | 2, 2 | image width, height (pixels) |
 * | 2, 2 | x, y resolution (pixels per centimetre) |
 * | 1 | number of finger views |
 * | 1 | reserved |
 * | per view: 4 | finger position, view number (top 4 bits) / impression type (low 4 bits), finger quality (0-100), number of minutiae |
 * | per minutia: 6 | type (top 2 bits: 01 ridge ending, 10 bifurcation, 00 other) + 14-bit x; 2 reserved bits + 14-bit y; angle in 1/256 turns; quality (0-100) |
 * | per view: 2 + n | extended data block length n, then n bytes (ridge counts, cores and deltas, vendor data) |
 *
 * Angle: counter-clockwise from +x as displayed (y down), 360/256 degrees per unit, pointing as the
 * standard defines (ridge ending: along the ridge into its body; bifurcation: along the valley that
 * ends in the fork) -- the same convention as {@link Minutia}. Checked against real records (SecuGen SDK
 * templates of the four FVC B sets, mapped back from their 300 x 400 frame to the images): the angle
 * mod π agrees with a structure-tensor ridge orientation of the image (median difference 7.6 degrees,
 * 84% within 20 degrees, 10,565 minutiae), while the clockwise reading does not (median 51 degrees);
 * and the sense is as the standard says: 89% of endings point toward darker (ridge) pixels 4-8 px
 * ahead, 85% of bifurcations toward lighter (valley) ones. test/formats-iso.test.ts repeats this on 24
 * images ("ISO angles follow the image ridge flow").
 *
 * Reading keeps every field (including reserved bits and the raw extended data) so that
 * `writeIsoRecord(readIsoRecord(bytes))` returns the identical bytes. Reading never allocates more
 * than the input's size: every length is checked against the bytes present before it is used.
 *
 * ANSI INCITS 378-2004 records share the layout with three differences: the length field is 2 bytes
 * (or 0 followed by 4 bytes when the record reaches 65,536 bytes), a 4-byte CBEFF product identifier
 * (owner, type) follows it (header 26 or 30 bytes), and angles are in 2-degree units (0..179). Both
 * start with "FMR\0 20\0"; they are told apart by the length field: when exactly one reading of it
 * (ISO's 4 bytes, ANSI's 2 or 0 + 4) equals the record's size, that one; when neither does (a damaged
 * length field), the reading whose header size and finger views end exactly at the last byte; otherwise
 * as FingerprintIO (Važan) does: first 2 bytes >= 26 -> ANSI; 1..25 -> ISO; 0 then next 2 bytes < 24 ->
 * ANSI (6-byte form); else ISO.
 */
import { FingerliftError, invalidArgument } from '../errors.js';
import { checkOptionsArg, checkTemplateArg, checkTemplateInput } from './args.js';
import type { Minutia, MinutiaType, Template } from '../minutiae/types.js';
import { wrapAngle } from '../minutiae/types.js';

/** Constants of the format (ISO/IEC 19794-2:2005; shared by ANSI INCITS 378-2004 except the header). */
export const ISO_FMR = {
  magic: [0x46, 0x4d, 0x52, 0x00] as const, // "FMR\0"
  version: [0x20, 0x32, 0x30, 0x00] as const, // " 20\0"
  headerBytes: 24,
  viewHeaderBytes: 4,
  minutiaBytes: 6,
  extendedLengthBytes: 2,
  maxCoordinate: 0x3fff,
  maxMinutiaePerView: 255,
  maxViews: 255,
  maxQuality: 100,
  /** Centimetres per inch, for the pixels-per-centimetre resolution field. */
  cmPerInch: 2.54,
} as const;

/** Minutia type codes of the record: 0 other, 1 ridge ending, 2 bifurcation (3 is reserved). */
export type IsoMinutiaType = 0 | 1 | 2;

/** One minutia exactly as stored (integers in the record's units). */
export interface IsoMinutia {
  type: IsoMinutiaType;
  /** Pixels, 0..16383, origin top-left. */
  x: number;
  /** Pixels, 0..16383, origin top-left, y down. */
  y: number;
  /** The two reserved bits above y (0 in conforming records), kept for identical rewriting. */
  yReserved: number;
  /** Counter-clockwise from +x as displayed: ISO 0..255 in 1/256 turns (1.40625 deg); ANSI 0..179 in 2 deg. */
  angle: number;
  /** 0..100. */
  quality: number;
}

/** One finger view of the record. */
export interface IsoFingerView {
  /** 0 unknown, 1-10 right thumb .. left little (ISO/IEC 19794-2:2005 Table 2). */
  fingerPosition: number;
  /** 0..15, distinguishes several views of one finger. */
  viewNumber: number;
  /** 0 live-scan plain, 1 live-scan rolled, 2 non-live plain, 3 non-live rolled, 8 swipe. */
  impressionType: number;
  /** 0..100. */
  fingerQuality: number;
  minutiae: IsoMinutia[];
  /** The extended data block (ridge counts, cores and deltas, vendor areas), raw, without its length. */
  extendedData: Uint8Array;
}

/** Which standard a finger minutiae record follows: 'iso' ISO/IEC 19794-2:2005, 'ansi' ANSI INCITS 378-2004. */
export type FmrStandard = 'iso' | 'ansi';

/** Angle units per full turn: ISO/IEC 19794-2:2005 1/256 turn; ANSI INCITS 378-2004 2 degrees. */
export const FMR_ANGLE_STEPS: Record<FmrStandard, number> = { iso: 256, ansi: 180 };

/**
 * A whole finger minutiae record (ISO/IEC 19794-2:2005 or ANSI INCITS 378-2004): everything needed to
 * write the same bytes back.
 */
export interface IsoRecord {
  /** 'iso' (ISO/IEC 19794-2:2005) or 'ansi' (ANSI INCITS 378-2004); says the header layout and angle unit. */
  standard: FmrStandard;
  /** ANSI only: CBEFF product identifier owner and type (0 when absent). */
  productOwner: number;
  productType: number;
  /** ANSI only: the record uses the 6-byte length form (0x0000 then 4 bytes). */
  longLength: boolean;
  /** Capture equipment certification flags (4 bits). */
  certification: number;
  /** Capture device type id (12 bits, vendor-assigned; 0 unknown). */
  deviceType: number;
  /** Image size, pixels. */
  width: number;
  height: number;
  /** Resolution, pixels per centimetre (197 for 500 ppi). */
  xResolution: number;
  yResolution: number;
  /** The reserved byte after the view count (0 in conforming records). */
  reserved: number;
  views: IsoFingerView[];
}

/** ANSI INCITS 378-2004 header with the 2-byte length form (30 with the 6-byte form). */
const ANSI_HEADER_BYTES = 26;

const TITLE: Record<FmrStandard, string> = { iso: 'ISO/IEC 19794-2:2005', ansi: 'ANSI INCITS 378-2004' };

function bad(name: string, problem: string, standard: FmrStandard | undefined = 'iso'): FingerliftError {
  const what = standard ? `a valid ${TITLE[standard]} record` : 'a valid finger minutiae record (ISO/IEC 19794-2:2005 or ANSI INCITS 378-2004)';
  return new FingerliftError('E_TEMPLATE_FORMAT', `${name}: not ${what}: ${problem}`, { input: name });
}

/** An ISO/ANSI record object (from readFmrRecord or templateToIsoRecord), else E_INVALID_ARGUMENT. */
function checkRecordArg(fn: string, record: unknown): asserts record is IsoRecord {
  if (record === null || typeof record !== 'object' || !Array.isArray((record as IsoRecord).views))
    throw invalidArgument(`${fn}: record`, 'an ISO/ANSI record { standard, views, ... } (from readFmrRecord or templateToIsoRecord)', record);
}

function invalid(what: string, problem: string): FingerliftError {
  return new FingerliftError('E_INVALID_ARGUMENT', `${what}: ${problem}`);
}

/** True when the bytes start with the ISO/IEC 19794-2 (and ANSI 378) identifier "FMR\0" (false for anything that is not a Uint8Array). */
export function looksLikeFmr(bytes: Uint8Array): boolean {
  return bytes instanceof Uint8Array && bytes.length >= 4 && ISO_FMR.magic.every((b, i) => bytes[i] === b);
}

/**
 * Which standard an "FMR\0 20\0" record follows, from its length field (see the module comment).
 * Needs at least 12 bytes; shorter input reads as 'iso' (and then fails as truncated).
 * @throws FingerliftError E_INVALID_ARGUMENT for bytes that are not a Uint8Array (or Buffer).
 */
export function fmrStandard(bytes: Uint8Array): FmrStandard {
  checkTemplateInput('fmrStandard', bytes, '');
  const n = bytes.length;
  if (n < 12) return 'iso';
  const hi = (bytes[8]! << 8) | bytes[9]!;
  const lo = (bytes[10]! << 8) | bytes[11]!;
  const ansiLong = hi === 0 && n >= 14 ? ((lo * 65536) + ((bytes[12]! << 8) | bytes[13]!)) : -1;
  const isoFits = hi * 65536 + lo === n;
  const ansiFits = hi === n || ansiLong === n;
  if (isoFits !== ansiFits) return isoFits ? 'iso' : 'ansi';
  if (!isoFits) {
    // Neither length reading agrees with the size (a damaged length field): the views decide.
    const iso = viewsEndAtLastByte(bytes, ISO_FMR.headerBytes);
    const ansi = viewsEndAtLastByte(bytes, hi === 0 ? ANSI_HEADER_BYTES + 4 : ANSI_HEADER_BYTES);
    if (iso !== ansi) return iso ? 'iso' : 'ansi';
  }
  return hi >= ANSI_HEADER_BYTES || (hi === 0 && lo < ISO_FMR.headerBytes) ? 'ansi' : 'iso';
}

/** Do a header of `headerBytes` (view count in its second-to-last byte) and its finger views end exactly at the last byte? */
function viewsEndAtLastByte(bytes: Uint8Array, headerBytes: number): boolean {
  const n = bytes.length;
  if (n < headerBytes) return false;
  const views = bytes[headerBytes - 2]!;
  let o = headerBytes;
  for (let v = 0; v < views; v++) {
    if (o + ISO_FMR.viewHeaderBytes > n) return false;
    o += ISO_FMR.viewHeaderBytes + bytes[o + 3]! * ISO_FMR.minutiaBytes;
    if (o + ISO_FMR.extendedLengthBytes > n) return false;
    o += ISO_FMR.extendedLengthBytes + ((bytes[o]! << 8) | bytes[o + 1]!);
  }
  return views > 0 && o === n;
}

/**
 * Parse a finger minutiae record, ISO/IEC 19794-2:2005 or ANSI INCITS 378-2004 (told apart by the
 * length field). Every field is validated against its standard and against the bytes present; no
 * length is used before it is checked, so nothing larger than the input is ever allocated.
 * @param bytes the whole file.
 * @param name the file (or other input) name, used in error messages.
 * @param expect refuse the other standard (e.g. 'iso' for a strict ISO reader).
 * @throws FingerliftError E_TEMPLATE_FORMAT naming the input and the problem (empty, wrong identifier or
 *   version, length field disagreeing with the data, more minutiae than the data holds, truncated view,
 *   minutia outside the image, reserved type code, angle or quality out of range, trailing bytes);
 *   E_INVALID_ARGUMENT for bytes that are not a Uint8Array (or Buffer), a name that is not a string
 *   (default 'template') or an `expect` other than 'iso' or 'ansi'.
 */
export function readFmrRecord(bytes: Uint8Array, name = 'template', expect?: FmrStandard): IsoRecord {
  checkTemplateInput('readFmrRecord', bytes, name);
  if (expect !== undefined && expect !== 'iso' && expect !== 'ansi') throw invalidArgument('readFmrRecord: expect', "'iso' or 'ansi'", expect);
  const n = bytes.length;
  const either = expect === undefined ? undefined : expect;
  if (n === 0) throw bad(name, 'the file is empty (0 bytes)', either);
  if (!looksLikeFmr(bytes)) throw bad(name, `wrong format identifier ${hex(bytes.subarray(0, 4))} (expected "FMR\\0")`, either);
  if (n < 12) throw bad(name, `truncated: ${n} bytes, shorter than any record header`, either);
  if (!ISO_FMR.version.every((b, i) => bytes[4 + i] === b)) {
    const v = String.fromCharCode(...bytes.subarray(4, 7));
    throw bad(name, `version "${v}" is not " 20" (ISO/IEC 19794-2:2005, ANSI INCITS 378-2004); other versions are not read`, either);
  }
  const standard = fmrStandard(bytes);
  if (expect !== undefined && standard !== expect) {
    throw bad(name, `this is an ${TITLE[standard]} record (told by its length field)`, expect);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
  let length: number;
  let o: number; // offset of the capture equipment field
  let longLength = false;
  let productOwner = 0;
  let productType = 0;
  if (standard === 'iso') {
    length = dv.getUint32(8);
    o = 12;
  } else {
    length = dv.getUint16(8);
    o = 10;
    if (length === 0) {
      if (n < 14) throw bad(name, `truncated: ${n} bytes, shorter than the 6-byte length field`, standard);
      length = dv.getUint32(10);
      o = 14;
      longLength = true;
    }
  }
  const headerBytes = o + (standard === 'ansi' ? 4 : 0) + 12; // 24 (ISO), 26 or 30 (ANSI)
  if (length !== n) {
    throw bad(name, `the record length field says ${length} bytes but the data holds ${n}${length > n ? ' (truncated or wrong length)' : ''}`, standard);
  }
  if (n < headerBytes) throw bad(name, `truncated: ${n} bytes, shorter than the ${headerBytes}-byte record header`, standard);
  if (standard === 'ansi') {
    productOwner = dv.getUint16(o);
    productType = dv.getUint16(o + 2);
    o += 4;
  }
  const equipment = dv.getUint16(o);
  const record: IsoRecord = {
    standard,
    productOwner,
    productType,
    longLength,
    certification: equipment >> 12,
    deviceType: equipment & 0x0fff,
    width: dv.getUint16(o + 2),
    height: dv.getUint16(o + 4),
    xResolution: dv.getUint16(o + 6),
    yResolution: dv.getUint16(o + 8),
    reserved: bytes[o + 11]!,
    views: [],
  };
  const viewCount = bytes[o + 10]!;
  o += 12;
  const fail = (problem: string): FingerliftError => bad(name, problem, standard);
  if (record.width === 0 || record.height === 0) throw fail(`image size ${record.width} x ${record.height} pixels`);
  if (record.xResolution === 0 || record.yResolution === 0) throw fail(`resolution ${record.xResolution} x ${record.yResolution} pixels per cm`);
  if (viewCount === 0) throw fail('the record holds no finger view');
  const steps = FMR_ANGLE_STEPS[standard];
  for (let v = 0; v < viewCount; v++) {
    const where = `finger view ${v + 1} of ${viewCount}`;
    if (o + ISO_FMR.viewHeaderBytes > n) throw fail(`${where} starts at byte ${o} but the record ends at ${n} (truncated)`);
    const count = bytes[o + 3]!;
    const view: IsoFingerView = {
      fingerPosition: bytes[o]!,
      viewNumber: bytes[o + 1]! >> 4,
      impressionType: bytes[o + 1]! & 0x0f,
      fingerQuality: bytes[o + 2]!,
      minutiae: [],
      extendedData: new Uint8Array(0),
    };
    if (view.fingerQuality > ISO_FMR.maxQuality) throw fail(`${where}: finger quality ${view.fingerQuality} is over 100`);
    o += ISO_FMR.viewHeaderBytes;
    const need = count * ISO_FMR.minutiaBytes + ISO_FMR.extendedLengthBytes;
    if (o + need > n) {
      const holds = Math.max(0, Math.floor((n - o - ISO_FMR.extendedLengthBytes) / ISO_FMR.minutiaBytes));
      throw fail(`${where} says ${count} minutiae but the record holds at most ${holds}`);
    }
    for (let i = 0; i < count; i++, o += ISO_FMR.minutiaBytes) {
      const xw = dv.getUint16(o);
      const yw = dv.getUint16(o + 2);
      const type = xw >> 14;
      const m: IsoMinutia = { type: type as IsoMinutiaType, x: xw & 0x3fff, y: yw & 0x3fff, yReserved: yw >> 14, angle: bytes[o + 4]!, quality: bytes[o + 5]! };
      const which = `${where}, minutia ${i + 1}`;
      if (type === 3) throw fail(`${which}: type code 11 is reserved`);
      if (m.x >= record.width || m.y >= record.height) throw fail(`${which}: position (${m.x}, ${m.y}) is outside the ${record.width} x ${record.height} image`);
      if (m.angle >= steps) throw fail(`${which}: angle ${m.angle} is over ${steps - 1} (${360 / steps}-degree units)`);
      if (m.quality > ISO_FMR.maxQuality) throw fail(`${which}: quality ${m.quality} is over 100`);
      view.minutiae.push(m);
    }
    const extLength = dv.getUint16(o);
    o += ISO_FMR.extendedLengthBytes;
    if (o + extLength > n) throw fail(`${where}: extended data block of ${extLength} bytes runs past the end of the record`);
    view.extendedData = bytes.slice(o, o + extLength);
    o += extLength;
    record.views.push(view);
  }
  if (o !== n) throw fail(`${n - o} bytes after the last finger view (the views and the length field disagree)`);
  return record;
}

/**
 * Parse an ISO/IEC 19794-2:2005 record (an ANSI INCITS 378-2004 record is refused with a message that
 * says so; use {@link readFmrRecord} to accept both). @throws as {@link readFmrRecord}.
 */
export function readIsoRecord(bytes: Uint8Array, name = 'template'): IsoRecord {
  checkTemplateInput('readIsoRecord', bytes, name);
  return readFmrRecord(bytes, name, 'iso');
}

/**
 * Serialise a record in its standard's layout. `writeIsoRecord(readFmrRecord(b))` equals `b` byte for
 * byte, for both standards.
 * @throws FingerliftError E_INVALID_ARGUMENT for a record that is not an object with a views array, or
 *   when a field is outside its range (names the field).
 */
export function writeIsoRecord(record: IsoRecord): Uint8Array {
  checkRecordArg('writeIsoRecord', record);
  checkRecord(record);
  const ansi = record.standard === 'ansi';
  let body = 0;
  for (const v of record.views) {
    body += ISO_FMR.viewHeaderBytes + v.minutiae.length * ISO_FMR.minutiaBytes + ISO_FMR.extendedLengthBytes + v.extendedData.length;
  }
  const long = ansi && (record.longLength || ANSI_HEADER_BYTES + body > 0xffff);
  const header = ansi ? ANSI_HEADER_BYTES + (long ? 4 : 0) : ISO_FMR.headerBytes;
  const length = header + body;
  if (length > 0xffffffff) throw invalid('record', `${length} bytes is over the 4-byte length field`);
  const out = new Uint8Array(length);
  const dv = new DataView(out.buffer);
  out.set(ISO_FMR.magic, 0);
  out.set(ISO_FMR.version, 4);
  let o: number;
  if (!ansi) {
    dv.setUint32(8, length);
    o = 12;
  } else {
    if (long) {
      dv.setUint16(8, 0);
      dv.setUint32(10, length);
      o = 14;
    } else {
      dv.setUint16(8, length);
      o = 10;
    }
    dv.setUint16(o, record.productOwner);
    dv.setUint16(o + 2, record.productType);
    o += 4;
  }
  dv.setUint16(o, (record.certification << 12) | record.deviceType);
  dv.setUint16(o + 2, record.width);
  dv.setUint16(o + 4, record.height);
  dv.setUint16(o + 6, record.xResolution);
  dv.setUint16(o + 8, record.yResolution);
  out[o + 10] = record.views.length;
  out[o + 11] = record.reserved;
  o += 12;
  for (const v of record.views) {
    out[o] = v.fingerPosition;
    out[o + 1] = (v.viewNumber << 4) | v.impressionType;
    out[o + 2] = v.fingerQuality;
    out[o + 3] = v.minutiae.length;
    o += ISO_FMR.viewHeaderBytes;
    for (const m of v.minutiae) {
      dv.setUint16(o, (m.type << 14) | m.x);
      dv.setUint16(o + 2, (m.yReserved << 14) | m.y);
      out[o + 4] = m.angle;
      out[o + 5] = m.quality;
      o += ISO_FMR.minutiaBytes;
    }
    dv.setUint16(o, v.extendedData.length);
    o += ISO_FMR.extendedLengthBytes;
    out.set(v.extendedData, o);
    o += v.extendedData.length;
  }
  return out;
}

function checkRecord(r: IsoRecord): void {
  const int = (v: number, lo: number, hi: number, what: string): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw invalid(`ISO record ${what}`, `${v} is not an integer in ${lo}..${hi}`);
  };
  if (r.standard !== 'iso' && r.standard !== 'ansi') throw invalid('record standard', `${String(r.standard)} is not 'iso' or 'ansi'`);
  int(r.productOwner, 0, 0xffff, 'productOwner');
  int(r.productType, 0, 0xffff, 'productType');
  int(r.certification, 0, 15, 'certification');
  int(r.deviceType, 0, 0x0fff, 'deviceType');
  int(r.width, 1, 0xffff, 'width');
  int(r.height, 1, 0xffff, 'height');
  int(r.xResolution, 1, 0xffff, 'xResolution');
  int(r.yResolution, 1, 0xffff, 'yResolution');
  int(r.reserved, 0, 255, 'reserved');
  int(r.views.length, 1, ISO_FMR.maxViews, 'number of finger views');
  r.views.forEach((v, k) => {
    const w = `view ${k + 1}`;
    int(v.fingerPosition, 0, 255, `${w} fingerPosition`);
    int(v.viewNumber, 0, 15, `${w} viewNumber`);
    int(v.impressionType, 0, 15, `${w} impressionType`);
    int(v.fingerQuality, 0, 100, `${w} fingerQuality`);
    int(v.minutiae.length, 0, ISO_FMR.maxMinutiaePerView, `${w} number of minutiae (prune to the best 255 first)`);
    int(v.extendedData.length, 0, 0xffff, `${w} extended data length`);
    v.minutiae.forEach((m, i) => {
      const mw = `${w} minutia ${i + 1}`;
      int(m.type, 0, 2, `${mw} type`);
      int(m.x, 0, Math.min(ISO_FMR.maxCoordinate, r.width - 1), `${mw} x`);
      int(m.y, 0, Math.min(ISO_FMR.maxCoordinate, r.height - 1), `${mw} y`);
      int(m.yReserved, 0, 3, `${mw} yReserved`);
      int(m.angle, 0, FMR_ANGLE_STEPS[r.standard] - 1, `${mw} angle`);
      int(m.quality, 0, 100, `${mw} quality`);
    });
  });
}

/** Pixels per centimetre -> pixels per inch (×2.54). */
export function ppiFromPixelsPerCm(pxPerCm: number): number {
  return pxPerCm * ISO_FMR.cmPerInch;
}

/** Pixels per inch -> the record's integer pixels per centimetre (500 ppi -> 197). */
export function pixelsPerCmFromPpi(ppi: number): number {
  return Math.round(ppi / ISO_FMR.cmPerInch);
}

const TYPE_FROM_ISO: Record<IsoMinutiaType, MinutiaType> = { 0: 'ending', 1: 'ending', 2: 'bifurcation' };

/**
 * The Template of one finger view (default the first). x, y are the record's pixels; angle radians
 * (units × 2π/256); quality /100 (SecuGen and other SDKs write 0 = not reported: it reads as 0);
 * ppi = x resolution × 2.54 (197 px/cm reads as 500.38 ppi). Type "other" (code 0) reads as a ridge
 * ending, the commoner kind; the record keeps the code.
 * @throws FingerliftError E_INVALID_ARGUMENT for a record that is not an object with a views array, or
 *   when the view does not exist.
 */
export function isoViewToTemplate(record: IsoRecord, viewIndex = 0): Template {
  checkRecordArg('isoViewToTemplate', record);
  const view = record.views[viewIndex];
  if (!view) throw invalid('ISO record', `has ${record.views.length} finger view(s); view index ${viewIndex} does not exist`);
  const step = (2 * Math.PI) / FMR_ANGLE_STEPS[record.standard];
  const minutiae: Minutia[] = view.minutiae.map((m) => ({
    x: m.x,
    y: m.y,
    angle: m.angle * step,
    type: TYPE_FROM_ISO[m.type],
    quality: m.quality / ISO_FMR.maxQuality,
  }));
  return { width: record.width, height: record.height, ppi: ppiFromPixelsPerCm(record.xResolution), minutiae };
}

/** Header and view fields a Template does not carry; defaults give a plain, unknown-finger record. */
export interface IsoWriteOptions {
  /** 'iso' (default, ISO/IEC 19794-2:2005) or 'ansi' (ANSI INCITS 378-2004). */
  standard?: FmrStandard;
  /** ANSI only: CBEFF product identifier owner and type, default 0. */
  productOwner?: number;
  productType?: number;
  /** Default 0 (unknown finger). */
  fingerPosition?: number;
  /** Default 0. */
  viewNumber?: number;
  /** Default 0 (live-scan plain); 2 (non-live plain) suits a print lifted from a photo. */
  impressionType?: number;
  /** 0..100; default 0 (not assessed). */
  fingerQuality?: number;
  /** Capture device type id, default 0 (unknown). */
  deviceType?: number;
}

/**
 * A one-view record from a Template: x, y rounded to whole pixels (clamped into the image when rounding
 * reaches its edge), angle rounded to 1/256 turns, quality ×100 rounded, resolution
 * `round(ppi / 2.54)` px/cm in both directions.
 * @throws FingerliftError E_INVALID_ARGUMENT for a minutia outside the image, more than 255 minutiae,
 *   non-finite numbers, a size over 65535 pixels, or something that is not a Template (a minutiae array
 *   of objects) or options that are not an object.
 */
export function templateToIsoRecord(template: Template, opts: IsoWriteOptions = {}): IsoRecord {
  checkTemplateArg('templateToIsoRecord', template);
  checkOptionsArg('templateToIsoRecord', opts);
  const { width, height, ppi } = template;
  const standard = opts.standard ?? 'iso';
  const std = standard === 'ansi' ? 'ANSI INCITS 378-2004' : 'ISO/IEC 19794-2';
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0xffff || height > 0xffff) {
    throw invalid('template', `image size ${width} x ${height} cannot be stored in ${std} (1..65535 pixels)`);
  }
  if (!(ppi > 0) || !Number.isFinite(ppi)) throw invalid('template', `ppi ${ppi} is not a positive number`);
  if (template.minutiae.length > ISO_FMR.maxMinutiaePerView) {
    throw invalid('template', `${template.minutiae.length} minutiae; ${std} holds at most 255 per finger view (prune to the best 255 first)`);
  }
  const res = pixelsPerCmFromPpi(ppi);
  const steps = FMR_ANGLE_STEPS[standard];
  if (steps === undefined) throw invalid('record standard', `${String(standard)} is not 'iso' or 'ansi'`);
  const minutiae = template.minutiae.map((m, i): IsoMinutia => {
    if (![m.x, m.y, m.angle, m.quality].every(Number.isFinite) || m.x < 0 || m.y < 0 || m.x >= width || m.y >= height) {
      throw invalid('template', `minutia ${i} at (${m.x}, ${m.y}) is outside the ${width} x ${height} image or not finite`);
    }
    return {
      type: m.type === 'bifurcation' ? 2 : 1,
      x: Math.min(width - 1, Math.round(m.x)),
      y: Math.min(height - 1, Math.round(m.y)),
      yReserved: 0,
      angle: Math.round((wrapAngle(m.angle) / (2 * Math.PI)) * steps) % steps,
      quality: Math.max(0, Math.min(100, Math.round(m.quality * 100))),
    };
  });
  return {
    standard,
    productOwner: opts.productOwner ?? 0,
    productType: opts.productType ?? 0,
    longLength: false,
    certification: 0,
    deviceType: opts.deviceType ?? 0,
    width,
    height,
    xResolution: res,
    yResolution: res,
    reserved: 0,
    views: [
      {
        fingerPosition: opts.fingerPosition ?? 0,
        viewNumber: opts.viewNumber ?? 0,
        impressionType: opts.impressionType ?? 0,
        fingerQuality: opts.fingerQuality ?? 0,
        minutiae,
        extendedData: new Uint8Array(0),
      },
    ],
  };
}

/** Read the Template of the first finger view. @throws as {@link readIsoRecord}. */
export function readIsoTemplate(bytes: Uint8Array, name = 'template'): Template {
  checkTemplateInput('readIsoTemplate', bytes, name);
  return isoViewToTemplate(readIsoRecord(bytes, name), 0);
}

/** Write a Template as a one-view record. @throws as {@link templateToIsoRecord}. */
export function writeIsoTemplate(template: Template, opts: IsoWriteOptions = {}): Uint8Array {
  return writeIsoRecord(templateToIsoRecord(template, opts));
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** The same record type under a standard-neutral name. */
export type FmrRecord = IsoRecord;
