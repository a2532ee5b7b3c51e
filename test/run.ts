/**
 * Test runner: runs every test/**\/*.test.ts file with uvu, each file in its own process (opencv-wasm
 * state and WASM heap are per process), two at a time, and closes with the line
 * `N passed, N failed` (uvu itself prints no failed count). Exit code 1 when anything failed.
 *
 *   npm test                 all files
 *   npm test -- enhance      only files whose path contains "enhance"
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { glob } from 'tinyglobby';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);
const files = (await glob('test/**/*.test.ts', { cwd: root, absolute: true }))
  .sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) process.stderr.write(`no test file under test/ matches ${filters.map((f) => `"${f}"`).join(' or ')}\n`);

interface Outcome {
  file: string;
  passed: number;
  skipped: number;
  failed: number;
  output: string;
  code: number;
}

function runFile(file: string): Promise<Outcome> {
  return new Promise((resolve) => {
    // Each file in its own node, with the garbage-collector setting of the fingerlift command (bin/fingerlift.js).
    const child = spawn(process.execPath, ['--single-threaded-gc', '--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      const num = (re: RegExp): number => {
        const m = output.match(re);
        return m ? Number(m[1]) : 0;
      };
      const total = num(/Total:\s+(\d+)/);
      const passed = num(/Passed:\s+(\d+)/);
      const skipped = num(/Skipped:\s+(\d+)/);
      let failed = Math.max(0, total - passed - skipped);
      // A file that crashed before uvu reported, or exited non-zero with no failed test, counts as one failure.
      if ((code ?? 1) !== 0 && failed === 0) failed = 1;
      resolve({ file, passed, skipped, failed, output, code: code ?? 1 });
    });
  });
}

const started = Date.now();
const outcomes: Outcome[] = [];
const queue = [...files];
const parallel = Math.max(1, Math.min(2, cpus().length));
await Promise.all(
  Array.from({ length: parallel }, async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const o = await runFile(f);
      outcomes.push(o);
      const name = relative(root, o.file);
      const status = o.failed > 0 ? 'FAIL' : 'ok  ';
      process.stdout.write(`${status} ${name}  (${o.passed} passed${o.skipped ? `, ${o.skipped} skipped` : ''}${o.failed ? `, ${o.failed} failed` : ''})\n`);
      for (const line of o.output.split('\n')) if (/^SKIP:/.test(line)) process.stdout.write(`     ${line}\n`);
    }
  }),
);
for (const o of outcomes.filter((x) => x.failed > 0)) {
  process.stdout.write(`\n===== ${relative(root, o.file)} =====\n${o.output}\n`);
}
const passed = outcomes.reduce((s, o) => s + o.passed, 0);
const failed = outcomes.reduce((s, o) => s + o.failed, 0);
const skipped = outcomes.reduce((s, o) => s + o.skipped, 0);
const skipLines = outcomes.reduce((s, o) => s + o.output.split('\n').filter((l) => /^SKIP:/.test(l)).length, 0);
if (skipLines > 0) process.stdout.write(`\n${skipLines} SKIP line(s) above: those tests passed without the ../shared data they also check (see test/helpers/data.ts)\n`);
process.stdout.write(`\n${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s${skipped ? `, ${skipped} skipped` : ''}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
