import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-pipe-'));

test('a reader that stops early (| head -1) ends the command quietly: no EPIPE stack trace, exit status kept', () => {
  for (let i = 0; i < 60; i++) copyFileSync(join(repoRoot, 'fixtures', 'f1_1.png'), join(tmp, `p${i}.png`));
  const bin = join(repoRoot, 'bin', 'fingerlift.js');
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" info "${tmp}" | head -1; echo "status=$?"`], { encoding: 'utf8' });
  assert.match(r.stdout, /p\d+\.png\tpng/);
  assert.not.match(r.stderr, /EPIPE|Unhandled|at /, r.stderr);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
