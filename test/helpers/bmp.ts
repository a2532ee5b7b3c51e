/** A 24-bit 40 x 40 BMP (BITMAPINFOHEADER, bottom-up rows, 500 ppi), mid grey: the base the BMP header tests edit. */
export function bmp24(): Buffer {
  const w = 40, h = 40, row = 120;
  const b = Buffer.alloc(54 + row * h, 0x80);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(0, 6);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(0, 30);
  b.writeUInt32LE(row * h, 34);
  b.writeInt32LE(19685, 38);
  b.writeInt32LE(19685, 42);
  b.writeUInt32LE(0, 46);
  b.writeUInt32LE(0, 50);
  return b;
}
