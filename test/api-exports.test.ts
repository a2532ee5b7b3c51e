/**
 * The API the README names is the API 'fingerlift' exports: every function, class and constant named in
 * README.md (the import line of its example, backticked names) is importable from the package's entry
 * (src/index.ts, which dist/src/index.js compiles); a trail verifies through the API alone (replayFor);
 * processPrint refuses a resolution that leaves the print under 16 px at 500 ppi before any stage.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../src/index.js';
import { repoRoot } from './helpers/data.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
/** Backticked names that are not exports: fields, Node's types, commands. */
const NOT_EXPORTS = new Set(['createdAt', 'Buffer', 'scaleEstimated', 'declaredPpi', 'ndarray', 'sharp', 'fingerlift', 'npx', 'prepack', 'timeout', 'Infinity']);

function readmeNames(): string[] {
  const names = new Set<string>();
  // The example's import line(s): import { a, b } from 'fingerlift'.
  for (const m of readme.matchAll(/import \{([^}]*)\} from 'fingerlift'/g)) for (const n of m[1]!.split(',')) names.add(n.trim());
  // Backticked API names: calls `name(...)`, camelCase or PascalCase identifiers, CONSTANTS (not error codes), `X.field`.
  for (const m of readme.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*|\.\*)?(\([^`]*\))?`/g)) {
    const n = m[1]!;
    if (NOT_EXPORTS.has(n) || /^E_/.test(n)) continue;
    if (m[2] !== undefined || m[0].endsWith('.*`') || /[a-z][A-Z]/.test(n) || /^[A-Z][a-z]/.test(n) || /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(n)) names.add(n);
  }
  // The paragraph that lists the exported stages names plain lower-case functions too (`enhance`, `deblur`).
  const para = /Every stage is exported on its own[\s\S]*?\n\n/.exec(readme)?.[0] ?? '';
  assert.ok(para.length > 0, 'README lists the exported stages');
  for (const m of para.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)(?:\.\*)?`/g)) names.add(m[1]!);
  for (const m of readme.matchAll(/`([a-z][A-Za-z0-9]*)\(/g)) names.add(m[1]!);
  return [...names].filter((n) => n !== '');
}

test('every API name README.md uses is exported by the package entry', () => {
  const names = readmeNames();
  // The list is not empty and holds those the trial found missing or that an importer needs to verify.
  for (const n of ['EXTRACT_DEFAULTS', 'enhance', 'deblur', 'allPairs', 'processPrint', 'loadImage', 'verifyTrail', 'verifyTrailFile', 'replayFor', 'formatVerifyReport', 'draw', 'synthetic', 'eerInterval']) assert.ok(names.includes(n), `README names ${n}`);
  const missing = names.filter((n) => !(n in api));
  assert.equal(missing, [], `README names these, 'fingerlift' does not export them: ${missing.join(', ')}`);
  // `EXTRACT_DEFAULTS.maxMinutiae`, as README writes it.
  assert.is(api.EXTRACT_DEFAULTS.maxMinutiae, 100);
  assert.is(api.EXTRACT_DEFAULTS, api.minutiae.EXTRACT_DEFAULTS);
});

test('the README example comment on the stated resolution names processPrint\'s third argument', () => {
  const i = readme.indexOf('{ ppi: 569 }');
  assert.ok(i > 0);
  // The sentence that holds it (from the previous full stop to the next full stop or colon) names processPrint:
  // under loadImage (two arguments), "the third argument" alone reads as loadImage's.
  const start = readme.lastIndexOf('.', i) + 1;
  const end = Math.min(...['.', ':'].map((c) => readme.indexOf(c, i + 12)).filter((k) => k > 0));
  assert.match(readme.slice(start, end), /processPrint/);
  assert.match(readme.slice(start, end), /third argument/);
});

test('a trail verifies through the API alone: verifyTrailFile(path, replayFor(path))', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fl-api-verify-'));
  const x = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), 'extract', join(repoRoot, 'fixtures', 'f1_1.png'), '-o', tmp, '--quiet'], { encoding: 'utf8' });
  assert.is(x.status, 0, x.stderr);
  const trailPath = join(tmp, 'f1_1.trail.json');
  const report = await api.verifyTrailFile(trailPath, api.replayFor(trailPath));
  assert.is(report.ok, true, api.formatVerifyReport(report));
  assert.equal([report.files.mode, report.files.checked], ['present', 1]);
  rmSync(tmp, { recursive: true, force: true });
});

test('processPrint: a source or option ppi that leaves the print under 16 px at 500 ppi is E_TOO_SMALL before any stage', () => {
  const image = api.createGray(388, 374, 0.5);
  const steps: string[] = [];
  const recorder = { step: (name: string, _p: unknown, fn: () => unknown) => (steps.push(name), fn()), recordStep: (name: string) => void steps.push(name) } as unknown as api.StepRecorder;
  for (const [source, options, size] of [[{ ppi: 1e9 }, {}, '0 x 0'], [{}, { ppi: 20000 }, '10 x 9']] as const) {
    let err: unknown;
    try {
      api.processPrint(image, source, options, recorder);
    } catch (e) {
      err = e;
    }
    assert.instance(err, api.FingerliftError);
    assert.is((err as api.FingerliftError).code, 'E_TOO_SMALL');
    assert.match((err as Error).message, new RegExp(`^388 x 374 px at \\d+ ppi is ${size} px at 500 ppi, under the 16 px minimum`));
    assert.not.match((err as Error).message, /detectPolarity/);
  }
  assert.equal(steps, [], 'no stage ran');
});

test.run();
