/**
 * A TIFF's first image must lie inside the file: libvips decodes a TIFF whose strips were cut off as
 * black pixels without an error, and a cut-off scan must never be processed as if it were whole. The
 * strip (tags 273/279) or tile (324/325) offsets and byte counts of IFD0 are checked against the file size
 * (TIFF 6.0, 1992, sections 2 and 15).
 */

/** Why the TIFF's first image is incomplete, or undefined when its data lies inside the file. */
export function tiffTruncation(b: Uint8Array): string | undefined {
  if (b.length < 8) return `${b.length} bytes: shorter than a TIFF header`;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const ifd = u32(4);
  if (ifd + 2 > b.length) return `the first directory (offset ${ifd}) is past the end of the ${b.length}-byte file`;
  const n = u16(ifd);
  if (ifd + 2 + 12 * n > b.length) return `the first directory (${n} entries) is cut off`;
  const values = (e: number): number[] | undefined => {
    const type = u16(e + 2);
    const count = u32(e + 4);
    const size = type === 3 ? 2 : type === 4 ? 4 : type === 16 ? 8 : 0;
    if (size === 0 || count > 1e7) return undefined;
    const at = size * count <= 4 ? e + 8 : u32(e + 8);
    if (at + size * count > b.length) return undefined;
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(size === 2 ? u16(at + 2 * i) : size === 4 ? u32(at + 4 * i) : Number(dv.getBigUint64(at + 8 * i, le)));
    return out;
  };
  let offsets: number[] | undefined;
  let counts: number[] | undefined;
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + 12 * i;
    const tag = u16(e);
    if (tag === 273 || tag === 324) offsets = values(e);
    else if (tag === 279 || tag === 325) counts = values(e);
  }
  if (!offsets || !counts) return undefined; // unusual layout: left to the decoder
  let end = 0;
  for (let i = 0; i < Math.min(offsets.length, counts.length); i++) end = Math.max(end, offsets[i]! + counts[i]!);
  return end > b.length ? `image data runs to byte ${end} but the file has ${b.length} bytes: truncated` : undefined;
}
