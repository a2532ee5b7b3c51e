import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
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

test('stdout that cannot be written (a full disk: > /dev/full) is one typed line on stderr and exit 1, no stack trace; EPIPE stays quiet', () => {
  // A fresh-user trial: `info ... --json > /dev/full` printed "Error: ENOSPC ... at printJson (bin/common.ts:66)".
  assert.ok(existsSync('/dev/full'), 'this test needs /dev/full (Linux)');
  const bin = join(repoRoot, 'bin', 'fingerlift.js');
  const print = join(repoRoot, 'fixtures', 'f1_1.png');
  const runs: string[][] = [
    ['info', print, '--json'],
    ['info', print],
    ['compare', print, join(repoRoot, 'fixtures', 'f1_2.png'), '--json'],
    ['verify', join(tmp, 'absent.trail.json'), '--json'],
  ];
  for (const args of runs) {
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    assert.is(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.includes('E_WRITE'));
    assert.equal(lines, ['error: [E_WRITE] cannot write to standard output: no space left on device (ENOSPC)'], r.stderr);
    assert.not.match(r.stderr, /ENOSPC: |\n\s+at |Node\.js v/, r.stderr);
  }
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" info "${print}" --json | head -c 10 >/dev/null; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
  assert.match(r.stdout, /status=0/);
  assert.not.match(r.stderr, /EPIPE|E_WRITE|\n\s+at /, r.stderr);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
