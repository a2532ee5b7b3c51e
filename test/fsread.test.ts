import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputFile } from '../src/fsread.js';
import { errorCode } from './helpers/errors.js';
import { loadImage } from '../src/image/io.js';
import { loadComparable } from '../src/tasks/compare.js';
import { loadTrail } from '../src/audit/verify.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-fsread-'));

const code = errorCode;

test('readInputFile: a regular file is read whole; a missing one is E_NOT_FOUND, a folder E_UNSUPPORTED_FORMAT', async () => {
  const f = join(dir, 'a.bin');
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
  writeFileSync(f, bytes);
  assert.equal(Buffer.compare(await readInputFile(f, { maxBytes: 3000, what: 'test' }), bytes), 0);
  assert.is(await code(readInputFile(f, { maxBytes: 2999, what: 'test' })), 'E_TOO_LARGE');
  assert.is(await code(readInputFile(f, { maxBytes: 10, what: 'test', tooLargeCode: 'E_TEMPLATE_FORMAT' })), 'E_TEMPLATE_FORMAT');
  assert.is(await code(readInputFile(join(dir, 'missing.bin'), { maxBytes: 10, what: 'test' })), 'E_NOT_FOUND');
  assert.is(await code(readInputFile(dir, { maxBytes: 10, what: 'test' })), 'E_UNSUPPORTED_FORMAT');
  writeFileSync(join(dir, 'empty.bin'), '');
  assert.is((await readInputFile(join(dir, 'empty.bin'), { maxBytes: 10, what: 'test' })).length, 0);
});

test('endless inputs are refused before reading: /dev/zero and a FIFO (image, template, audit trail)', async () => {
  if (!existsSync('/dev/zero')) return;
  // Each of these read /dev/zero until memory ran out, or waited on the FIFO forever.
  assert.is(await code(loadImage('/dev/zero')), 'E_UNSUPPORTED_FORMAT');
  assert.is(await code(loadComparable('/dev/zero')), 'E_UNSUPPORTED_FORMAT');
  assert.is(await code(loadTrail('/dev/zero')), 'E_UNSUPPORTED_FORMAT');
  let fifo: string | undefined;
  try {
    execFileSync('mkfifo', [join(dir, 'pipe.iso')]);
    fifo = join(dir, 'pipe.iso');
  } catch {
    console.log('  SKIP the FIFO case: mkfifo is not available here');
  }
  if (fifo) {
    assert.is(await code(loadComparable(fifo)), 'E_UNSUPPORTED_FORMAT');
    assert.is(await code(loadTrail(fifo)), 'E_UNSUPPORTED_FORMAT');
  }
});

test('huge files are refused from their size, before a byte is read (sparse files: no disk used)', async () => {
  const big = join(dir, 'big.json');
  writeFileSync(big, '');
  truncateSync(big, 1.5 * 2 ** 30);
  assert.is(await code(loadComparable(big)), 'E_TEMPLATE_FORMAT');
  const png = join(dir, 'big.png');
  writeFileSync(png, '');
  truncateSync(png, 1.5 * 2 ** 30);
  // Over 8 bytes per pixel of the 100-megapixel limit (plus 16 MB): refused from its size...
  assert.is(await code(loadImage(png)), 'E_TOO_LARGE');
  // ...while a file within it is read and judged by its bytes (zeros: not an image).
  const small = join(dir, 'zeros.png');
  writeFileSync(small, '');
  truncateSync(small, 20 * 2 ** 20);
  assert.is(await code(loadImage(small, { maxPixels: 1e6 })), 'E_DECODE');
  assert.is(await code(loadImage(small, { maxPixels: 1e5 })), 'E_TOO_LARGE');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
