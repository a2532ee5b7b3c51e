/**
 * A TIFF's first image must be wholly in the file before it is decoded. libvips (libtiff) decodes a TIFF
 * whose strips were cut off, or whose header was edited to declare more rows than its strips hold, as
 * black pixels with at most a warning, and allocates whatever size the header declares (a 145 KB file
 * declaring 60000 x 60000 took 31 s and 17.7 GB): a damaged scan must never be processed as if it were
 * whole. The directory of the page to be read (IFD0, or the first page that is not a reduced-resolution
 * image: `tiffPages`) of a classic TIFF is read and checked against itself and against the file size (TIFF 6.0, Adobe 1992, sections 2, 3, 8 and 15):
 * - the strip (tags 273/279) or tile (324/325) count must be the one the image size requires,
 *   ceil(ImageLength / RowsPerStrip) strips, or ceil(ImageWidth / TileWidth) x ceil(ImageLength /
 *   TileLength) tiles (times SamplesPerPixel when PlanarConfiguration is 2);
 * - every strip or tile must end inside the file;
 * - uncompressed (Compression 1): each strip or tile must hold its rows x row bytes;
 * - Deflate (Compression 8 or 32946): the compressed bytes must be able to hold the image, at the
 *   format's hard limit of 1032 bytes out per byte in (RFC 1951, 1996: a 258-byte match in 2 bits).
 * Other compressions have no such bound; their data size is left to the decoder. BigTIFF is not read
 * (fingerlift does not accept it).
 */

/** The fields of one directory (IFD) that locate and size the image data. */
interface Ifd0 {
  width?: number;
  height?: number;
  bitsPerSample: number[];
  samplesPerPixel: number;
  compression: number;
  rowsPerStrip?: number;
  planar: number;
  stripOffsets?: number[];
  stripCounts?: number[];
  tileWidth?: number;
  tileLength?: number;
  tileOffsets?: number[];
  tileCounts?: number[];
  /** Tags present whose values lie (partly) outside the file. */
  outside: string[];
}

const DAMAGED = '(the file may have been truncated or edited)';

/**
 * Why an image (page) of a classic TIFF cannot be decoded whole, as a message starting "damaged TIFF:" or
 * "truncated TIFF:", or undefined when its strips or tiles cover the image the header declares (or the
 * layout is too unusual to judge, which is left to the decoder).
 * @param b the whole file (a little- or big-endian classic TIFF, magic 42).
 * @param page the page to check, 0-based in the file's chain of directories (default 0, the first; a page
 *   past the end of the chain is checked as the first). Messages about a page other than the first name it.
 */
export function tiffDamage(b: Uint8Array, page = 0): string | undefined {
  if (b.length < 8) return `truncated TIFF: ${b.length} bytes, shorter than a TIFF header`;
  const chain = page > 0 ? tiffPageOffsets(b) : [];
  const at = page > 0 && page < chain.length ? chain[page]! : undefined;
  const d = readIfd0(b, at, page);
  if (typeof d === 'string') return d;
  const which = at === undefined ? 'the first image' : `page ${page + 1}`;
  if (d.outside.length > 0) return `truncated TIFF: the ${d.outside.join(' and ')} of ${which} lie past the end of the ${b.length}-byte file ${DAMAGED}`;
  const { width: w, height: h } = d;
  if (w === undefined || h === undefined || w === 0 || h === 0) return undefined; // the decoder names a missing size
  const spp = d.samplesPerPixel;
  const bps = d.bitsPerSample[0] ?? 1;
  const planes = d.planar === 2 ? spp : 1;
  const sampleBits = d.planar === 2 ? bps : bps * spp; // bits per pixel within one plane
  const tiled = d.tileOffsets !== undefined || d.tileWidth !== undefined;
  const offsets = tiled ? d.tileOffsets : d.stripOffsets;
  const counts = tiled ? d.tileCounts : d.stripCounts;
  const unit = tiled ? 'tile' : 'strip';
  if (!offsets && d.compression === 6) return undefined; // old-style JPEG may locate its data by JPEGInterchangeFormat instead
  if (!offsets) return `damaged TIFF: the header lists no ${unit} offsets, so the image data cannot be found ${DAMAGED}`;
  if (counts && counts.length !== offsets.length)
    return `damaged TIFF: the header lists ${offsets.length} ${unit} offsets but ${counts.length} ${unit} byte counts ${DAMAGED}`;

  // Rows (or tile rows) and bytes each strip or tile must decode to, in the file's order.
  let expected: number;
  let bytesOf: (i: number) => number;
  if (tiled) {
    const tw = d.tileWidth ?? 0;
    const tl = d.tileLength ?? 0;
    if (tw === 0 || tl === 0) return `damaged TIFF: tile size ${tw} x ${tl} ${DAMAGED}`;
    const tiles = Math.ceil(w / tw) * Math.ceil(h / tl);
    expected = tiles * planes;
    if (offsets.length !== expected)
      return `damaged TIFF: the header declares ${w} x ${h} pixels, which needs ${expected} tiles of ${tw} x ${tl}, but it lists ${offsets.length} ${DAMAGED}`;
    const tileBytes = tl * Math.ceil((tw * sampleBits) / 8);
    bytesOf = () => tileBytes;
  } else {
    const rps = Math.min(d.rowsPerStrip ?? h, h);
    if (rps === 0) return `damaged TIFF: RowsPerStrip is 0 ${DAMAGED}`;
    const perPlane = Math.ceil(h / rps);
    expected = perPlane * planes;
    if (offsets.length !== expected) {
      // Rows the strips can hold: by count, and (uncompressed) by their bytes, which are exact.
      let held = Math.min(h, Math.floor(offsets.length / planes) * rps);
      if (d.compression === 1 && counts) held = Math.min(held, Math.floor(counts.reduce((s, c) => s + c, 0) / planes / Math.ceil((w * sampleBits) / 8)));
      return held < h
        ? `damaged TIFF: the header declares ${h} rows but its strips hold ${held} ${DAMAGED}`
        : `damaged TIFF: the header declares ${h} rows, which needs ${expected} strips of ${rps} rows, but it lists ${offsets.length} ${DAMAGED}`;
    }
    const rowBytes = Math.ceil((w * sampleBits) / 8);
    bytesOf = (i) => Math.min(rps, h - (i % perPlane) * rps) * rowBytes;
  }

  // Every strip or tile ends inside the file (with the byte counts, or the bytes it needs when uncompressed and uncounted).
  const uncompressed = d.compression === 1;
  for (let i = 0; i < offsets.length; i++) {
    const len = counts ? counts[i]! : uncompressed ? bytesOf(i) : 0;
    const end = offsets[i]! + len;
    if (end > b.length)
      return `truncated TIFF: ${unit} ${i + 1} of ${offsets.length} runs to byte ${end} but the file has ${b.length} bytes ${DAMAGED}`;
  }
  if (!counts) return undefined; // compressed without byte counts: left to the decoder

  if (uncompressed) {
    if (tiled) {
      for (let i = 0; i < counts.length; i++)
        if (counts[i]! < bytesOf(i))
          return `damaged TIFF: tile ${i + 1} of ${counts.length} holds ${counts[i]} bytes but an uncompressed tile needs ${bytesOf(i)} ${DAMAGED}`;
      return undefined;
    }
    // Rows each plane's strips really hold: a strip short of bytes holds only its whole rows.
    const perPlane = counts.length / planes;
    const rowBytes = Math.ceil((w * sampleBits) / 8);
    let held = h;
    for (let p = 0; p < planes; p++) {
      let rows = 0;
      for (let s = 0; s < perPlane; s++) {
        const i = p * perPlane + s;
        const need = bytesOf(i);
        rows += counts[i]! >= need ? need / rowBytes : Math.floor(counts[i]! / rowBytes);
      }
      held = Math.min(held, rows);
    }
    if (held < h) return `damaged TIFF: the header declares ${h} rows but its strips hold ${held} ${DAMAGED}`;
    return undefined;
  }
  if (d.compression === 8 || d.compression === 32946) {
    let packed = 0;
    let needed = 0;
    for (let i = 0; i < counts.length; i++) {
      packed += counts[i]!;
      needed += bytesOf(i);
    }
    if (packed * 1032 < needed)
      return `damaged TIFF: the header declares ${w} x ${h} pixels (${needed} bytes) but its ${packed} bytes of Deflate data can hold at most ${packed * 1032} ${DAMAGED}`;
  }
  return undefined;
}

/** One page of a TIFF as its directory declares it (`tiffPages`). */
export interface TiffPage {
  /** Byte offset of the page's directory (IFD). */
  offset: number;
  /** Size the directory declares, pixels (0 when it declares none). */
  width: number;
  height: number;
  /**
   * True for a reduced-resolution version of another image of the file (a thumbnail or preview): bit 0 of
   * NewSubfileType (tag 254) set, or the older SubfileType (tag 255) 2 (TIFF 6.0, Adobe 1992, section 8).
   */
  reduced: boolean;
  /** True for a transparency mask for another image of the file: bit 2 of NewSubfileType (tag 254) set (TIFF 6.0, section 8). */
  mask: boolean;
}

/** Most directories followed in a TIFF's chain (a loop or a damaged chain stops earlier). */
const MAX_PAGES = 10_000;

/** Offsets of the directories in a classic TIFF's chain, in order: stops at a loop, a directory outside the file, or MAX_PAGES. */
function tiffPageOffsets(b: Uint8Array): number[] {
  if (b.length < 8) return [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const out: number[] = [];
  const seen = new Set<number>();
  let at = dv.getUint32(4, le);
  while (at !== 0 && at + 2 <= b.length && !seen.has(at) && out.length < MAX_PAGES) {
    const n = dv.getUint16(at, le);
    if (at + 2 + 12 * n + 4 > b.length) {
      out.push(at); // its entries or link are cut off: tiffDamage says so for this page; no page follows
      break;
    }
    seen.add(at);
    out.push(at);
    at = dv.getUint32(at + 2 + 12 * n, le);
  }
  return out;
}

/**
 * The pages of a classic TIFF, from its chain of directories (IFDs), without decoding anything: each
 * one's declared size and whether it is a reduced-resolution image (`TiffPage.reduced`). The chain is
 * followed until its end, a loop, a directory outside the file, or 10,000 pages. Empty for bytes that
 * are not a classic TIFF whose first directory is in the file.
 * @param b the whole file (a little- or big-endian classic TIFF, magic 42).
 */
export function tiffPages(b: Uint8Array): TiffPage[] {
  if (b.length < 8 || !((b[0] === 0x49 && b[1] === 0x49 && b[2] === 42 && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 42))) return [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const pages: TiffPage[] = [];
  for (const offset of tiffPageOffsets(b)) {
    const n = dv.getUint16(offset, le);
    const page: TiffPage = { offset, width: 0, height: 0, reduced: false, mask: false };
    for (let i = 0; i < n && offset + 2 + 12 * (i + 1) <= b.length; i++) {
      const e = offset + 2 + 12 * i;
      const tag = dv.getUint16(e, le);
      const type = dv.getUint16(e + 2, le);
      // A single SHORT or LONG value sits in the entry itself.
      const value = type === 3 ? dv.getUint16(e + 8, le) : type === 4 ? dv.getUint32(e + 8, le) : undefined;
      if (value === undefined) continue;
      if (tag === 254) {
        page.reduced ||= (value & 1) === 1;
        page.mask ||= (value & 4) === 4;
      }
      else if (tag === 255) page.reduced ||= value === 2;
      else if (tag === 256) page.width = value;
      else if (tag === 257) page.height = value;
    }
    pages.push(page);
  }
  return pages;
}

/**
 * A directory's image-data fields, or a "truncated TIFF: ..." message when the directory is not in the
 * file. @param at its offset (default the first directory's, from the header); @param page its 0-based
 * number, for messages.
 */
function readIfd0(b: Uint8Array, at?: number, page = 0): Ifd0 | string {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const ifd = at ?? u32(4);
  const dir = at === undefined ? 'the first directory' : `the directory of page ${page + 1}`;
  if (ifd + 2 > b.length) return `truncated TIFF: ${dir} (offset ${ifd}) is past the end of the ${b.length}-byte file`;
  const n = u16(ifd);
  if (ifd + 2 + 12 * n > b.length) return `truncated TIFF: ${dir} (${n} entries) is cut off at byte ${b.length}`;
  /** Values of an entry of type BYTE, SHORT, LONG or LONG8; undefined for another type or values outside the file. */
  const values = (e: number): number[] | undefined => {
    const type = u16(e + 2);
    const count = u32(e + 4);
    const size = type === 1 ? 1 : type === 3 ? 2 : type === 4 ? 4 : type === 16 ? 8 : 0;
    if (size === 0 || count > 1e7) return undefined;
    const at = size * count <= 4 ? e + 8 : u32(e + 8);
    if (at + size * count > b.length) return undefined;
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++)
      out[i] = size === 1 ? b[at + i]! : size === 2 ? u16(at + 2 * i) : size === 4 ? u32(at + 4 * i) : Number(dv.getBigUint64(at + 8 * i, le));
    return out;
  };
  const d: Ifd0 = { bitsPerSample: [1], samplesPerPixel: 1, compression: 1, planar: 1, outside: [] };
  const NAMES: Record<number, string> = { 273: 'StripOffsets', 279: 'StripByteCounts', 324: 'TileOffsets', 325: 'TileByteCounts' };
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + 12 * i;
    const tag = u16(e);
    const v = (): number[] | undefined => {
      const r = values(e);
      const type = u16(e + 2);
      if (r === undefined && NAMES[tag] !== undefined && (type === 3 || type === 4 || type === 16)) d.outside.push(NAMES[tag]!);
      return r;
    };
    const one = (): number | undefined => v()?.[0];
    switch (tag) {
      case 256: d.width = one(); break;
      case 257: d.height = one(); break;
      case 258: d.bitsPerSample = v() ?? d.bitsPerSample; break;
      case 259: d.compression = one() ?? 1; break;
      case 273: d.stripOffsets = v(); break;
      case 277: d.samplesPerPixel = one() ?? 1; break;
      case 278: d.rowsPerStrip = one(); break;
      case 279: d.stripCounts = v(); break;
      case 284: d.planar = one() ?? 1; break;
      case 322: d.tileWidth = one(); break;
      case 323: d.tileLength = one(); break;
      case 324: d.tileOffsets = v(); break;
      case 325: d.tileCounts = v(); break;
    }
  }
  return d;
}
