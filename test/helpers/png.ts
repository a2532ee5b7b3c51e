import { crc32 } from 'node:zlib';

/** The chunks of a PNG (after its 8-byte signature): type, offset of the chunk, data length. */
export function pngChunks(b: Buffer): Array<{ type: string; at: number; len: number }> {
  const out = [];
  for (let o = 8; o + 12 <= b.length; ) {
    const len = b.readUInt32BE(o);
    out.push({ type: b.toString('latin1', o + 4, o + 8), at: o, len });
    o += 12 + len;
  }
  return out;
}

/** A PNG chunk of `type` with `data`, its CRC right (PNG 1.2, section 5.3). */
export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
