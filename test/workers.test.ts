/**
 * Worker threads start whatever the working directory: the parent's `--import tsx` (a bare name, resolved
 * against the working directory) once made a SearchPool fail with ERR_MODULE_NOT_FOUND after a program
 * changed directory (the README's API example run from a data folder).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepare, search, SearchPool } from '../src/index.js';
import type { Template } from '../src/minutiae/types.js';
import { workerExecArgv } from '../src/workers.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

test('bare --import names reach workers as absolute URLs', () => {
  const argv = workerExecArgv(new URL('../src/compare/search-worker.ts', import.meta.url).href);
  const i = argv.indexOf('--import');
  assert.ok(i >= 0, `execArgv ${JSON.stringify(argv)}`);
  assert.match(argv[i + 1]!, /^file:\/\//);
});

test('SearchPool on worker threads after a change of working directory', async () => {
  // Ground-truth files of the synthetic fixtures are supersets of a Template (fixtures/README.md).
  const gallery = ['f1_1', 'f1_2', 'f1_3', 'f1_4'].map((n) => prepare(JSON.parse(readFileSync(join(fixtures, `${n}.json`), 'utf8')) as Template, { id: n }));
  const cwd = process.cwd();
  const elsewhere = mkdtempSync(join(tmpdir(), 'fingerlift-cwd-'));
  process.chdir(elsewhere);
  try {
    const pool = new SearchPool(gallery, { threads: 2 });
    try {
      const got = await pool.search(gallery[0]!, { top: 4 });
      assert.equal(got, search(gallery[0]!, gallery, { top: 4 }));
    } finally {
      await pool.close();
    }
  } finally {
    process.chdir(cwd);
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test.run();
