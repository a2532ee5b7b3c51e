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
 *   difference code and an end-of-block code (F.1.2): 2 bits a block.
 * - Progressive (SOF2): "For each component, a first DC scan shall precede any AC scans" (G.1.1.1.1), so
 *   the file's first scan is a DC scan, and a DC scan codes each block of its components with a Huffman
 *   DC difference code (first scan, G.1.2.1 / F.1.2.1) or one correction bit (refinement, G.1.2.1): at
 *   least 1 bit a block. End-of-band runs (G.1.2.2) skip blocks only in AC scans, which come later.
 * So each component named in a scan header (SOS, B.2.3) of the file costs at least its blocks x bits a
 * block (2 sequential, 1 progressive: the DC scan it must have), and a frame holds at least one scan of at
 * least one component: the entropy-coded data of a complete file, hence the file, holds at least
 * max(smallest component, sum over the components its scans name) x bits a block. A file shorter than
 * that is damaged (truncated, or its header edited) whatever the image holds. Lossless, hierarchical and
 * arithmetic-coded frames (arithmetic coding can code a block in a fraction of a bit) are left to the decoder.
 */

/**
 * Why a JPEG cannot hold the image its frame header declares, as a "damaged JPEG: ..." message, or
 * undefined when it can (or the frame is not Huffman-coded sequential or progressive DCT, or the header
 * is unreadable: left to the decoder). Reads the marker segments and scan headers, stepping over the
 * entropy-coded data, and only when the file is shorter than all the frame's blocks could need.
 * @param b the whole file, starting with the SOI marker (FF D8).
 */
export function jpegDamage(b: Uint8Array): string | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  interface Frame { w: number; h: number; bitsPerBlock: number; ids: number[]; blocks: number[] }
  let frame: Frame | undefined;
  const scanned = new Set<number>();
  // Walk the marker segments: the first SOFn, then each SOS header (its entropy-coded data is skipped:
  // inside it a 0xFF byte is followed by 0x00 (stuffing) or a restart marker D0-D7, B.1.1.5).
  for (let off = 2; off + 4 <= b.length; ) {
    if (b[off] !== 0xff) {
      if (frame === undefined) return undefined;
      break;
    }
    const marker = b[off + 1]!;
    if (marker === 0xff) { off++; continue; } // fill byte
    if (marker === 0xd9) break; // EOI
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { off += 2; continue; }
    const len = (b[off + 2]! << 8) | b[off + 3]!;
    if (len < 2) break;
    if (frame === undefined && marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      // SOFn: SOF0 (baseline) and SOF1 (extended sequential) with 2 bits a block, SOF2 (progressive) with 1.
      const bitsPerBlock = marker === 0xc0 || marker === 0xc1 ? 2 : marker === 0xc2 ? 1 : 0;
      if (bitsPerBlock === 0) return undefined;
      if (off + 10 > b.length) return undefined;
      const h = (b[off + 5]! << 8) | b[off + 6]!;
      const w = (b[off + 7]! << 8) | b[off + 8]!;
      const nc = b[off + 9]!;
      if (w === 0 || h === 0 || nc === 0 || off + 10 + 3 * nc > b.length || len < 8 + 3 * nc) return undefined;
      // Sampling factors (B.2.2: Hi, Vi in 1-4); a frame with others is left to the decoder.
      const ids: number[] = [], hs: number[] = [], vs: number[] = [];
      for (let i = 0; i < nc; i++) {
        ids.push(b[off + 10 + 3 * i]!);
        const f = b[off + 11 + 3 * i]!;
        hs.push(f >> 4);
        vs.push(f & 15);
      }
      if (hs.some((v) => v < 1 || v > 4) || vs.some((v) => v < 1 || v > 4)) return undefined;
      const hMax = Math.max(...hs), vMax = Math.max(...vs);
      // Component i: ceil(X Hi / Hmax) x ceil(Y Vi / Vmax) samples (A.1.1), in blocks of 8 x 8.
      const blocks = ids.map((_, i) => Math.ceil(Math.ceil((w * hs[i]!) / hMax) / 8) * Math.ceil(Math.ceil((h * vs[i]!) / vMax) / 8));
      // A file long enough for every component is within the bound whatever its scans: no need to read them.
      if (b.length >= Math.ceil((blocks.reduce((a, v) => a + v, 0) * bitsPerBlock) / 8)) return undefined;
      frame = { w, h, bitsPerBlock, ids, blocks };
    } else if (marker === 0xda && frame !== undefined) {
      // SOS: Ns, then Ns (Cs, Td/Ta) pairs; then the scan's entropy-coded data.
      const ns = off + 4 < b.length ? b[off + 4]! : 0;
      for (let j = 0; j < ns && off + 5 + 2 * j < b.length; j++) scanned.add(b[off + 5 + 2 * j]!);
      let p = off + 2 + len;
      while (p + 1 < b.length) {
        if (b[p] !== 0xff) { p++; continue; }
        const m = b[p + 1]!;
        if (m === 0x00 || (m >= 0xd0 && m <= 0xd7)) p += 2;
        else if (m === 0xff) p++;
        else break;
      }
      off = p;
      continue;
    }
    off += 2 + len;
  }
  if (frame === undefined) return undefined;
  const { w, h, bitsPerBlock, ids, blocks } = frame;
  let named = 0;
  ids.forEach((id, i) => { if (scanned.has(id)) named += blocks[i]!; });
  const least = Math.max(Math.min(...blocks), named);
  const minBytes = Math.ceil((least * bitsPerBlock) / 8);
  if (b.length >= minBytes) return undefined;
  const what = named >= Math.min(...blocks) && ids.length > 1 ? ` in the ${[...scanned].filter((id) => ids.includes(id)).length} components its scans code` : ids.length > 1 ? ' in its smallest component' : '';
  const how = bitsPerBlock === 2 ? '2 bits a block' : '1 bit a block in the DC scan each component must have first (T.81 G.1.1.1.1)';
  return `damaged JPEG: the frame header declares ${w} x ${h} pixels (${least} blocks of 8 x 8${what}) but the file's ${b.length} bytes cannot code them (at least ${minBytes} bytes: ${how}) (the file may have been truncated or edited)`;
}
