/**
 * A file's own warnings (a JPEG without its EOI marker, different horizontal and vertical resolutions) are
 * said beside every result built on it, whichever route the input takes: a colour photo compared (lifted on
 * the fly), and a contact print extracted to a template format that cannot record them, where the note
 * "the .xyt template cannot record this warning (only the JSON template has a field ...)" would be untrue
 * (the JSON template's "decoderWarning" holds the decoder's warning only) and is not printed.
 * Found by a fresh user's trial (2026-12-06): compare of a photo without EOI printed no warning.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pngChunk, pngChunks } from './helpers/png.js';
import { loadComparable } from '../src/tasks/compare.js';
import { NO_EOI_NOTE } from '../src/image/io.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-warnroutes-'));
const fixture = (f: string): string => join(repoRoot, 'fixtures', f);
const bin = join(repoRoot, 'bin', 'fingerlift.js');

/** A PNG with a pHYs chunk of `x` and `y` pixels per metre inserted after IHDR (a valid CRC). */
function withPhys(png: Buffer, x: number, y: number): Buffer {
  const data = Buffer.alloc(9);
  data.writeUInt32BE(x, 0);
  data.writeUInt32BE(y, 4);
  data[8] = 1;
  const ihdrEnd = 8 + 4 + 4 + 13 + 4;
  // Any pHYs already there goes (the inserted one is the only one).
  const rest = pngChunks(png).filter((c) => c.at >= ihdrEnd && c.type !== 'pHYs').map((c) => png.subarray(c.at, c.at + 12 + c.len));
  return Buffer.concat([png.subarray(0, ihdrEnd), pngChunk('pHYs', data), ...rest]);
}

test('compare of a colour photo without its EOI marker warns beside the result', async () => {
  const jpeg = readFileSync(fixture('f1_photo.jpg'));
  assert.is(jpeg.readUInt16BE(jpeg.length - 2), 0xffd9, 'the fixture ends with EOI');
  const file = join(tmp, 'noeoi.jpg');
  writeFileSync(file, jpeg.subarray(0, jpeg.length - 2));
  const c = await loadComparable(file);
  assert.is(c.kind, 'photo');
  assert.ok(c.warnings?.some((w) => w.includes('noeoi.jpg') && w.includes(NO_EOI_NOTE.replace('warning: ', ''))), String(c.warnings));
});

test('extract -f xyt of a print with different x and y resolutions: the warning, without the untrue "JSON has a field for it" note', () => {
  const file = join(tmp, 'aniso.png');
  writeFileSync(file, withPhys(readFileSync(fixture('f1_1.png')), 19685, 39370));
  const r = spawnSync(process.execPath, [bin, 'extract', file, '-o', join(tmp, 'out')], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /extract: warning: \S*aniso\.png: the file declares different horizontal and vertical resolutions/);
  assert.not.match(r.stderr, /cannot record this warning/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
