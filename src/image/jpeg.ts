/**
 * A baseline JPEG must be able to hold the image its frame header declares before it is decoded (the
 * decoder allocates the declared size first: a 289-byte file whose SOF was edited to 9000 x 9000 cost 1.7 GB).
 * In a sequential Huffman-coded JPEG (ITU-T T.81, 1992: SOF0 baseline, SOF1 extended) every 8 x 8 block of
 * every component in a scan is coded with at least its DC difference code and an end-of-block code, each
 * at least one bit long (Huffman codes are 1-16 bits, T.81 Annex C), so the entropy-coded data holds at
 * least 2 bits per block of the first component alone. A file shorter than that is damaged whatever the
 * image holds. Progressive (SOF2, whose EOB runs code many empty blocks at once), lossless and
 * arithmetic-coded frames have no such bound and are left to the decoder.
 */

/**
 * Why a JPEG cannot hold the image its frame header declares, as a "damaged JPEG: ..." message, or
 * undefined when it can (or the frame is not sequential Huffman, or the header is unreadable).
 * @param b the whole file, starting with the SOI marker (FF D8).
 */
export function jpegDamage(b: Uint8Array): string | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  // Walk the marker segments up to the first SOFn.
  for (let off = 2; off + 4 <= b.length; ) {
    if (b[off] !== 0xff) return undefined;
    const marker = b[off + 1]!;
    if (marker === 0xff) { off++; continue; } // fill byte
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { off += 2; continue; }
    const len = (b[off + 2]! << 8) | b[off + 3]!;
    if (len < 2) return undefined;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      // SOFn: only SOF0 (baseline) and SOF1 (extended sequential, Huffman) have the bound.
      if (marker !== 0xc0 && marker !== 0xc1) return undefined;
      if (off + 10 > b.length) return undefined;
      const h = (b[off + 5]! << 8) | b[off + 6]!;
      const w = (b[off + 7]! << 8) | b[off + 8]!;
      if (w === 0 || h === 0) return undefined;
      const blocks = Math.ceil(w / 8) * Math.ceil(h / 8);
      const minBytes = Math.ceil((blocks * 2) / 8);
      if (b.length < minBytes)
        return `damaged JPEG: the frame header declares ${w} x ${h} pixels (${blocks} blocks of 8 x 8) but the file's ${b.length} bytes cannot code them (at least ${minBytes} bytes: 2 bits a block) (the file may have been truncated or edited)`;
      return undefined;
    }
    off += 2 + len;
  }
  return undefined;
}
