/**
 * Deeply nested JSON inputs (trails, JSON templates, JSON files in a gallery) are refused as that input's
 * typed error, "nested too deeply", through the one shared parser: never a RangeError (E_INTERNAL).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonNestingDepth, MAX_JSON_DEPTH, parseJsonText } from '../src/formats/json-text.js';
import { readJsonTemplate, writeJsonTemplate } from '../src/formats/json.js';
import { readTemplate } from '../src/formats/index.js';
import { loadTrail, verifyTrail } from '../src/audit/verify.js';
import { FingerliftError } from '../src/errors.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fl-json-depth-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const N = 200_000;
const deepArray = '['.repeat(N) + ']'.repeat(N);
const deepInFormat = `{"format":${'['.repeat(N)}${']'.repeat(N)}}`;

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function thrown(fn: () => unknown): FingerliftError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, FingerliftError, String(e));
    return e as FingerliftError;
  }
  throw new Error('did not throw');
}

test('jsonNestingDepth counts arrays and objects outside strings; parseJsonText refuses depth over the limit', () => {
  assert.is(jsonNestingDepth('{"a":[1,{"b":"[[[{{{"}],"c":"\\"["}'), 3);
  assert.is(jsonNestingDepth('[]'), 1);
  assert.is(jsonNestingDepth('5'), 0);
  assert.is(jsonNestingDepth(deepArray, 10), 11, 'stops past the limit');
  const at = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
  assert.ok(Array.isArray(parseJsonText(at, () => new Error('refused'))));
  const over = '[' + at + ']';
  const kinds: string[] = [];
  assert.throws(() => parseJsonText(over, (p) => (kinds.push(p.kind), new Error(p.problem))), /nested too deeply: more than 256 levels/);
  assert.throws(() => parseJsonText('{"a":', (p) => (kinds.push(p.kind), new Error(p.problem))), /^not JSON \(/);
  assert.equal(kinds, ['depth', 'syntax']);
});

test('a JSON template nested too deeply is E_TEMPLATE_FORMAT naming the file', () => {
  for (const text of [deepArray, deepInFormat]) {
    const e = thrown(() => readJsonTemplate(text, 'deep.json'));
    assert.is(e.code, 'E_TEMPLATE_FORMAT');
    assert.match(e.message, /^deep\.json: .*nested too deeply/);
    assert.is(thrown(() => readTemplate(Buffer.from(text), 'deep.json')).code, 'E_TEMPLATE_FORMAT');
  }
});

test('an audit trail nested too deeply is E_INVALID_ARGUMENT (as a trail that is not JSON), not a RangeError', async () => {
  const p = join(tmp, 'deep.trail.json');
  writeFileSync(p, deepArray);
  let err: unknown;
  await loadTrail(p).catch((e: unknown) => (err = e));
  assert.instance(err, FingerliftError);
  assert.is((err as FingerliftError).code, 'E_INVALID_ARGUMENT');
  assert.match((err as Error).message, /nested too deeply/);
  // Through the API, a deep value in a trail object is described, not stringified into a RangeError.
  let nested: unknown = 1;
  for (let i = 0; i < N; i++) nested = [nested];
  let api: unknown;
  await verifyTrail({ schema: nested } as never, async () => new Map()).catch((e: unknown) => (api = e));
  assert.instance(api, FingerliftError);
  assert.is((api as FingerliftError).code, 'E_INVALID_ARGUMENT');
});

test('CLI: verify, compare and search on deeply nested JSON report a typed error, never E_INTERNAL', () => {
  const trail = join(tmp, 'deep.json');
  writeFileSync(trail, deepArray);
  const v = cli('verify', trail, '--json');
  assert.is(v.code, 1, v.stderr);
  const doc = JSON.parse(v.stdout) as { failed: number; failures: Array<{ code: string; message: string }> };
  assert.is(doc.failed, 1);
  assert.is(doc.failures[0]!.code, 'E_INVALID_ARGUMENT');
  assert.match(doc.failures[0]!.message, /nested too deeply/);
  assert.not.match(v.stderr, /E_INTERNAL|RangeError/);
  const tpl = join(tmp, 'deepformat.json');
  writeFileSync(tpl, deepInFormat);
  const c = cli('compare', tpl, join(repoRoot, 'fixtures', 'f1_1.json'), '--json');
  assert.is(c.code, 1, c.stderr);
  const cd = JSON.parse(c.stdout) as { failures: Array<{ path: string; code: string; message: string }> };
  assert.equal(cd.failures.map((f) => [f.path, f.code]), [[tpl, 'E_TEMPLATE_FORMAT']]);
  assert.match(cd.failures[0]!.message, /nested too deeply/);
  // In a gallery named explicitly: the deep file fails as a template, the valid probe is read.
  const gallery = join(tmp, 'gallery');
  mkdirSync(gallery);
  writeFileSync(join(gallery, 'x.json'), deepInFormat);
  const probe = join(tmp, 'probe.json');
  const minutiae = Array.from({ length: 20 }, (_, i) => ({ x: 20 + ((i * 37) % 250), y: 30 + ((i * 53) % 300), angle: (i * 0.7) % 6, type: i % 2 ? ('ending' as const) : ('bifurcation' as const), quality: 0.8 }));
  writeFileSync(probe, writeJsonTemplate({ width: 300, height: 360, ppi: 500, minutiae }));
  const s = cli('search', probe, '--gallery', join(gallery, 'x.json'), '--json');
  assert.not.match(s.stderr, /E_INTERNAL|RangeError/);
  const sd = JSON.parse(s.stdout) as { probe: string | null; failures: Array<{ path: string; code: string }> };
  assert.is(sd.probe, probe);
  assert.equal(sd.failures.map((f) => [f.path, f.code]), [[join(gallery, 'x.json'), 'E_TEMPLATE_FORMAT']]);
});

test.run();
