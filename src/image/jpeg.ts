/**
 * A Huffman-coded DCT JPEG must be able to hold the image its frame header declares before it is decoded
 * (the decoder allocates the declared size first: a 289-byte baseline file whose SOF was edited to 9000 x
 * 9000 cost 1.7 GB, and a 29,868-byte progressive one declaring 9999 x 9999 cost 1.55 GB and seconds).
 * Bounds, from ITU-T T.81 (1992) | ISO/IEC 10918-1:
 * - A component i of a frame of X x Y samples is xi x yi = ceil(X Hi / Hmax) x ceil(Y Vi / Vmax) samples
 *   (A.1.1), coded as ceil(xi / 8) x ceil(yi / 8) blocks of 8 x 8 at least (an interleaved scan codes
 *   whole MCUs, so more); a complete scan codes every block of each component it holds.
 * - Huffman codes are 1 to 16 bits long (Annex C), so every coded symbol costs at least one bit.
 * - Sequential (SOF0 baseline, SOF1 extended): each block of a scan is coded with at least its DC
 *   difference code and an end-of-block code (F.1.2): 2 bits a block, in every scan.
 * - Progressive (SOF2): "For each component, a first DC scan shall precede any AC scans" (G.1.1.1.1), and
 *   a DC scan (Ss = 0) codes each block of its components with a Huffman DC difference code (first scan,
 *   G.1.2.1 / F.1.2.1) or one correction bit (refinement, G.1.2.1): at least 1 bit a block. End-of-band
 *   runs (G.1.2.2) skip blocks only in AC scans, which are not bounded here.
 * The bound is checked against each scan's own entropy-coded data (B.1.1.5, B.2.3): the bytes after its
 * SOS header up to the first marker other than a restart marker RSTn, leaving out RSTn markers and fill
 * bytes (a stuffed 0xFF 0x00 counts as the two bytes it takes). Anything else in the file (APPn, COM, DQT,
 * DHT segments, bytes after EOI) codes no block and does not count: padding a file cannot pass the check.
 * A frame holds at least one such scan (B.2.1), so a file with none is damaged too. Lossless, hierarchical
 * and arithmetic-coded frames (arithmetic coding can code a block in a fraction of a bit) are left to the
 * decoder.
 */

/** One scan of the frame: the component identifiers its header names, its spectral start, its data bytes. */
interface Scan { ids: number[]; ss: number; dataBytes: number }

/**
 * The number of entropy-coded data bytes of the scan starting at `start` (just after its SOS header) and
 * where it ends (the offset of the marker that ends it, or the end of `b`): the bytes as stored, a stuffed
 * 0xFF 0x00 as its two (at least the data they decode to: the bound stays a lower bound, and a flipped
 * byte that reads as stuffing does not take a flat image at the bound below it), restart markers (FF
 * D0-D7) and fill bytes (0xFF before a marker) not at all: they code nothing (B.1.1.5). A scan
 * ends at a marker that can start a segment or end the image (FF C0-FE except RSTn); 0xFF followed by
 * 0x01-0xBF (TEM and the reserved codes, B.1.1.3) inside the data is damage (a flipped byte, not a
 * segment), and the bytes after it are counted as the scan's: they cost the file as many bytes as data
 * would, so padding still cannot pass the bound, and a slightly damaged file is left to the decoder.
 */
function scanData(b: Uint8Array, start: number): { dataBytes: number; end: number } {
  let dataBytes = 0;
  let p = start;
  for (;;) {
    const q = b.indexOf(0xff, p);
    if (q < 0 || q + 1 >= b.length) return { dataBytes: dataBytes + (q < 0 ? b.length : q) - p, end: b.length };
    dataBytes += q - p;
    const m = b[q + 1]!;
    if (m === 0x00) { dataBytes += 2; p = q + 2; }
    else if (m >= 0xd0 && m <= 0xd7) p = q + 2;
    else if (m === 0xff) p = q + 1; // a fill byte before a marker
    else if (m < 0xc0) { dataBytes += 2; p = q + 2; } // TEM or a reserved code (B.1.1.3): damaged data, not a segment
    else return { dataBytes, end: q };
  }
}

/** A scan header (SOS, T.81 B.2.3) and its entropy-coded data, as `walkSegments` reads them. */
interface ScanHeader {
  /** Component selectors Cs. */
  ids: number[];
  /** Spectral selection start Ss (0 when the header is cut short). */
  ss: number;
  /** Spectral selection end Se and successive approximation low bit Al; undefined when the header is cut short. */
  se: number | undefined;
  al: number | undefined;
  /** Bytes of entropy-coded data after the header (markers and stuffing excluded, as `scanData` counts them). */
  dataBytes: number;
}

/**
 * Walk the marker segments of a JPEG from after its SOI marker, as libjpeg reads them: bytes that are no
 * marker where one should be are stepped over to the next 0xFF (libjpeg's "extraneous bytes before
 * marker"), fill bytes (FF FF) and the markers without a length (SOI, RSTn, TEM) skipped. `segment` is
 * called for every segment with a length, with its marker, offset (of the FF) and length field; for SOS
 * also with the scan's header and data (then stepped over); returning false stops the walk.
 * @returns true when the walk reached the EOI marker (FF D9), false when the file ended, a length field
 *   was impossible, or `segment` stopped it first.
 */
function walkSegments(b: Uint8Array, segment: (marker: number, off: number, len: number, scan?: ScanHeader) => boolean): boolean {
  for (let off = 2; off + 1 < b.length; ) {
    if (b[off] !== 0xff) {
      const next = b.indexOf(0xff, off);
      if (next < 0) break;
      off = next;
      continue;
    }
    const marker = b[off + 1]!;
    if (marker === 0xff) { off++; continue; } // fill byte
    if (marker === 0xd9) return true; // EOI: what follows is not part of the image
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { off += 2; continue; }
    if (off + 4 > b.length) break;
    const len = (b[off + 2]! << 8) | b[off + 3]!;
    if (len < 2) break;
    if (marker === 0xda) {
      // SOS: Ns, then Ns (Cs, Td/Ta) pairs, then Ss, Se, Ah/Al (B.2.3); then the scan's entropy-coded data.
      const ns = off + 4 < b.length ? b[off + 4]! : 0;
      const ids: number[] = [];
      for (let j = 0; j < ns && off + 5 + 2 * j < b.length; j++) ids.push(b[off + 5 + 2 * j]!);
      const at = off + 5 + 2 * ns;
      const { dataBytes, end } = scanData(b, Math.min(b.length, off + 2 + len));
      const whole = at + 2 < b.length;
      if (!segment(marker, off, len, { ids, ss: at < b.length ? b[at]! : 0, se: whole ? b[at + 1]! : undefined, al: whole ? b[at + 2]! & 15 : undefined, dataBytes })) return false;
      off = end;
      continue;
    }
    if (!segment(marker, off, len)) return false;
    off += 2 + len;
  }
  return false;
}

/**
 * Why a JPEG cannot hold the image its frame header declares, as a "damaged JPEG: ..." message, or
 * undefined when it can (or the frame is not Huffman-coded sequential or progressive DCT, or the frame
 * header is unreadable: left to the decoder). Reads the marker segments up to EOI and each scan's
 * entropy-coded data (O(file length), one pass); bytes that are not a marker where one is expected are
 * stepped over to the next 0xFF, as libjpeg does (with a warning) when it decodes.
 * @param b the whole file, starting with the SOI marker (FF D8).
 */
export function jpegDamage(b: Uint8Array): string | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  interface Frame { w: number; h: number; bitsPerBlock: number; ids: number[]; blocks: number[] }
  let frame: Frame | undefined;
  const scans: Scan[] = [];
  let unsupported = false;
  walkSegments(b, (marker, off, len, scan) => {
    if (frame === undefined && marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      // SOFn: SOF0 (baseline) and SOF1 (extended sequential) with 2 bits a block, SOF2 (progressive) with 1.
      const bitsPerBlock = marker === 0xc0 || marker === 0xc1 ? 2 : marker === 0xc2 ? 1 : 0;
      if (bitsPerBlock === 0 || off + 10 > b.length) return (unsupported = true), false;
      const h = (b[off + 5]! << 8) | b[off + 6]!;
      const w = (b[off + 7]! << 8) | b[off + 8]!;
      const nc = b[off + 9]!;
      if (w === 0 || h === 0 || nc === 0 || off + 10 + 3 * nc > b.length || len < 8 + 3 * nc) return (unsupported = true), false;
      // Sampling factors (B.2.2: Hi, Vi in 1-4); a frame with others is left to the decoder.
      const ids: number[] = [], hs: number[] = [], vs: number[] = [];
      for (let i = 0; i < nc; i++) {
        ids.push(b[off + 10 + 3 * i]!);
        const f = b[off + 11 + 3 * i]!;
        hs.push(f >> 4);
        vs.push(f & 15);
      }
      if (hs.some((v) => v < 1 || v > 4) || vs.some((v) => v < 1 || v > 4)) return (unsupported = true), false;
      const hMax = Math.max(...hs), vMax = Math.max(...vs);
      // Component i: ceil(X Hi / Hmax) x ceil(Y Vi / Vmax) samples (A.1.1), in blocks of 8 x 8.
      const blocks = ids.map((_, i) => Math.ceil(Math.ceil((w * hs[i]!) / hMax) / 8) * Math.ceil(Math.ceil((h * vs[i]!) / vMax) / 8));
      frame = { w, h, bitsPerBlock, ids, blocks };
    } else if (scan !== undefined && frame !== undefined) scans.push({ ids: scan.ids, ss: scan.ss, dataBytes: scan.dataBytes });
    return true;
  });
  if (unsupported) return undefined;
  if (frame === undefined) return undefined;
  const { w, h, bitsPerBlock, ids, blocks } = frame;
  const progressive = bitsPerBlock === 1;
  const how = progressive ? '1 bit a block in the DC scan each component must have first (T.81 G.1.1.1.1)' : '2 bits a block in every scan';
  const head = `damaged JPEG: the frame header declares ${w} x ${h} pixels`;
  const tail = '(the file may have been truncated or edited)';
  // The scans bounded: every scan of a sequential frame, every DC scan (Ss = 0) of a progressive one.
  const bounded = scans.filter((s) => !progressive || s.ss === 0);
  if (bounded.length === 0) {
    const least = Math.min(...blocks);
    return `${head} (at least ${least} blocks of 8 x 8) but the file holds no ${progressive ? 'DC scan' : 'scan'} to code them (at least ${Math.ceil((least * bitsPerBlock) / 8)} bytes of entropy-coded data: ${how}) ${tail}`;
  }
  for (let k = 0; k < bounded.length; k++) {
    const s = bounded[k]!;
    const named = ids.flatMap((id, i) => (s.ids.includes(id) ? [i] : []));
    if (named.length === 0) continue; // a scan of no component of the frame: the decoder refuses it
    const need = named.reduce((a, i) => a + blocks[i]!, 0);
    const minBytes = Math.ceil((need * bitsPerBlock) / 8);
    if (s.dataBytes >= minBytes) continue;
    const which = progressive ? (k === 0 ? 'its first DC scan' : `its DC scan ${k + 1}`) : bounded.length === 1 ? 'its scan' : `its scan ${k + 1}`;
    const what = ids.length > 1 ? ` in the ${named.length} component${named.length > 1 ? 's' : ''} ${which} codes` : '';
    return `${head} (${need} blocks of 8 x 8${what}) but ${which} holds ${s.dataBytes} bytes of entropy-coded data, too few to code them (at least ${minBytes} bytes: ${how}) ${tail}`;
  }
  return undefined;
}

/** How a JPEG's data ends (`jpegEnd`). */
export interface JpegEnd {
  /** True when the file ends before an EOI marker (FF D9) ends the image (T.81 B.2.1: an image ends with EOI). */
  lacksEoi: boolean;
  /**
   * When `lacksEoi`: why the scans in the file cannot code the whole image (a sequential frame with a
   * component no scan codes; a progressive frame whose scans leave coefficients of a component
   * uncoded or not refined to full precision, T.81 G.1.1.1), as a clause; absent when they can.
   */
  incomplete?: string;
  /**
   * When `lacksEoi`: how many zero bytes end the file (written where its EOI marker should be, as a
   * padded or overwritten end leaves them; a scan's own data never ends with a zero byte, which the 1-bit
   * padding of T.81 F.1.2.3 rules out, except the stuffed zero after an FF data byte, which is kept).
   * Absent when the file does not end with a zero byte.
   */
  zeroPadding?: number;
}

/**
 * Whether a Huffman or arithmetic DCT JPEG ends without its EOI marker, and whether its scans could still
 * code the whole image (by their headers: which components, which coefficients Ss-Se, to which bit Al,
 * T.81 B.2.3). A file cut at the end of a scan loses only its EOI and decodes whole; one cut inside a scan
 * is found by the decoder (libjpeg warns that the data segment ends early); one cut between the scans of
 * a progressive frame is found here. Reads the marker segments as `jpegDamage` does (one pass).
 * @param b the whole file, starting with the SOI marker (FF D8); anything else gives `{ lacksEoi: false }`.
 */
export function jpegEnd(b: Uint8Array): JpegEnd {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return { lacksEoi: false };
  let frameIds: number[] | undefined;
  let progressive = false;
  const scans: Array<{ ids: number[]; ss: number; se: number; al: number }> = [];
  const reachedEoi = walkSegments(b, (marker, off, _len, scan) => {
    if (frameIds === undefined && marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      progressive = marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce;
      const nc = off + 9 < b.length ? b[off + 9]! : 0;
      frameIds = [];
      for (let i = 0; i < nc && off + 10 + 3 * i < b.length; i++) frameIds.push(b[off + 10 + 3 * i]!);
    } else if (scan !== undefined && scan.se !== undefined && scan.al !== undefined) scans.push({ ids: scan.ids, ss: scan.ss, se: scan.se, al: scan.al });
    return true;
  });
  if (reachedEoi) return { lacksEoi: false };
  let zeros = 0;
  while (zeros < b.length - 2 && b[b.length - 1 - zeros] === 0) zeros++;
  if (zeros > 0 && b[b.length - 1 - zeros] === 0xff) zeros--; // FF 00: a stuffed data byte, not padding
  const padding = zeros > 0 ? { zeroPadding: zeros } : {};
  if (frameIds === undefined) return { lacksEoi: true, ...padding };
  const missing: string[] = [];
  for (const id of frameIds) {
    const own = scans.filter((s) => s.ids.includes(id));
    if (!progressive) {
      if (own.length === 0) missing.push(`component ${id} is in no scan`);
      continue;
    }
    // Each of the 64 coefficients must be coded (Ss <= k <= Se) down to its last bit (Al = 0).
    const lowest = new Array<number>(64).fill(Infinity);
    for (const s of own) for (let k = s.ss; k <= Math.min(63, s.se); k++) lowest[k] = Math.min(lowest[k]!, s.al);
    const uncoded = lowest.filter((v) => v === Infinity).length;
    const coarse = lowest.filter((v) => v !== Infinity && v > 0).length;
    if (uncoded > 0) missing.push(`${uncoded} of the 64 coefficients of component ${id} are in no scan`);
    else if (coarse > 0) missing.push(`${coarse} of the 64 coefficients of component ${id} are not refined to full precision`);
  }
  return missing.length > 0 ? { lacksEoi: true, incomplete: `its ${progressive ? 'progressive ' : ''}scans do not code the whole image (${missing.join('; ')})`, ...padding } : { lacksEoi: true, ...padding };
}
