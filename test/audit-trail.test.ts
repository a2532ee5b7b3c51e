import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { getCv, grayFromMat, matFromGray, withMats } from '../src/cv/index.js';
import { canonicalJson, hashValue, jsonSafeParams, reviveParams, stableStringify } from '../src/audit/hash.js';
import { AuditTrail, describeInputFile, inputFromSource, TRAIL_SCHEMA, type Trail } from '../src/audit/trail.js';
import { loadImage } from '../src/image/io.js';
import { checkOutputsOnDisk, formatVerifyReport, loadTrail, parseTrail, verifyTrail, verifyTrailFile, type ReplayHashes } from '../src/audit/verify.js';
import { FingerliftError } from '../src/errors.js';
import type { GrayImage } from '../src/image/types.js';

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

test('hashValue: bytes as sha256sum, strings as UTF-8, typed arrays by bytes', () => {
  const bytes = new Uint8Array([1, 2, 3, 250]);
  assert.is(hashValue(bytes), sha(bytes));
  assert.is(hashValue(Buffer.from(bytes)), sha(bytes));
  assert.is(hashValue('ridge é'), sha(Buffer.from('ridge é', 'utf8')));
  const f = new Float32Array([0.25, -1, 3.5]);
  assert.is(hashValue(f), sha(new Uint8Array(f.buffer)));
  // a view into a larger buffer hashes only its own bytes
  const big = new Float32Array([9, 0.25, -1, 3.5, 9]);
  assert.is(hashValue(big.subarray(1, 4)), hashValue(f));
});

test('hashValue: images by pixels and shape', () => {
  const data = new Float32Array(12).map((_, i) => i / 12);
  const a: GrayImage = { width: 4, height: 3, data };
  const b: GrayImage = { width: 3, height: 4, data };
  assert.is.not(hashValue(a), hashValue(b));
  assert.is.not(hashValue(a), hashValue(data));
  assert.is(hashValue(a), hashValue({ width: 4, height: 3, data: new Float32Array(data) }));
  const c = { width: 4, height: 3, data: new Float32Array(data) };
  c.data[5] = Math.fround(c.data[5]! + 1e-6);
  assert.is.not(hashValue(a), hashValue(c));
  assert.is(hashValue({ width: 2, height: 2, channels: 3 as const, data: new Float32Array(12) }).length, 64);
});

test('canonicalJson: key order, -0, non-finite numbers, nested typed arrays; cycles and functions refused', () => {
  assert.is(canonicalJson({ b: 1, a: [2, { d: 3, c: undefined }] }), '{"a":[2,{"d":3}],"b":1}');
  assert.is(hashValue({ x: 1, y: 2 }), hashValue({ y: 2, x: 1 }));
  assert.is(canonicalJson(-0), '0');
  assert.is(canonicalJson([NaN, Infinity]), '[{"$number":"NaN"},{"$number":"Infinity"}]');
  assert.match(canonicalJson({ m: new Uint8Array([1]) }), /"\$bytes":"Uint8Array","length":1,"sha256":"[0-9a-f]{64}"/);
  const cyc: Record<string, unknown> = {};
  cyc.self = cyc;
  assert.throws(() => hashValue(cyc), (e: unknown) => e instanceof FingerliftError && e.code === 'E_INVALID_ARGUMENT' && /cyclic/.test(e.message));
  assert.throws(() => hashValue({ f: () => 1 }), (e: unknown) => e instanceof FingerliftError && /\$\.f/.test(e.message));
});

test('params round-trip through JSON with typed arrays and non-finite numbers', () => {
  const params = { psf: new Float32Array([0.25, 0.5, 0.25]), limit: Infinity, z: 1, a: undefined };
  const safe = JSON.parse(JSON.stringify(jsonSafeParams(params)));
  assert.equal(Object.keys(safe), ['limit', 'psf', 'z']);
  const back = reviveParams(safe) as { psf: Float32Array; limit: number };
  assert.instance(back.psf, Float32Array);
  assert.equal(Array.from(back.psf), [0.25, 0.5, 0.25]);
  assert.is(back.limit, Infinity);
});

test('stableStringify sorts keys at every level', () => {
  assert.is(stableStringify({ b: { y: 1, x: 2 }, a: 0 }), '{\n  "a": 0,\n  "b": {\n    "x": 2,\n    "y": 1\n  }\n}\n');
});

// ---------------------------------------------------------------------------------------------------
// A small real pipeline: decode with sharp, Gaussian blur with OpenCV, write PNG; replayed from the trail.

interface BlurParams {
  sigma: number;
  ksize: number;
}

async function decode(path: string): Promise<GrayImage> {
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  const out = new Float32Array(info.width * info.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i]! / 255;
  return { width: info.width, height: info.height, data: out };
}

function blur(img: GrayImage, p: BlurParams): GrayImage {
  const cv = getCv();
  return withMats('blur', (t) => {
    const src = t(matFromGray(img));
    const dst = t(new cv.Mat());
    cv.GaussianBlur(src, dst, new cv.Size(p.ksize, p.ksize), p.sigma, p.sigma, cv.BORDER_REFLECT_101);
    return grayFromMat(dst);
  });
}

async function encode(img: GrayImage): Promise<Buffer> {
  const u8 = Buffer.alloc(img.data.length);
  for (let i = 0; i < u8.length; i++) u8[i] = Math.round(Math.min(1, Math.max(0, img.data[i]!)) * 255);
  return sharp(u8, { raw: { width: img.width, height: img.height, channels: 1 } }).png({ compressionLevel: 6 }).toBuffer();
}

async function run(input: string, outDir: string, params: BlurParams): Promise<{ trail: AuditTrail; png: Buffer }> {
  const trail = new AuditTrail({ command: 'blur-demo', options: params });
  const img = await trail.step('decode', { greyscale: true }, () => decode(input));
  trail.setInput(await describeInputFile(input, { width: img.width, height: img.height }));
  const blurred = trail.step('gaussian-blur', params, () => blur(img, params));
  const png = await trail.step('encode-png', { compressionLevel: 6 }, () => encode(blurred));
  await writeFile(join(outDir, 'out.png'), png);
  trail.output('out.png', png);
  return { trail, png };
}

/** The replay: re-run every recorded step with its recorded parameters, return all hashes. */
async function replay(trail: Trail): Promise<ReplayHashes> {
  const h = new Map<string, string>();
  let img: GrayImage | undefined;
  let png: Buffer | undefined;
  for (const s of trail.steps) {
    if (s.name === 'decode') img = await decode(trail.input.path);
    else if (s.name === 'gaussian-blur') img = blur(img!, reviveParams(s.params) as BlurParams);
    else if (s.name === 'encode-png') png = await encode(img!);
    else throw new FingerliftError('E_VERIFY', `unknown step ${s.name}`);
    h.set(s.name, s.name === 'encode-png' ? hashValue(png!) : hashValue(img!));
  }
  h.set('out.png', hashValue(png!));
  return h;
}

async function makeInput(dir: string): Promise<string> {
  const w = 96;
  const h = 80;
  const raw = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * w + x] = Math.round(127.5 + 127.5 * Math.sin((x * Math.cos(0.6) + y * Math.sin(0.6)) * 0.7));
  const p = join(dir, 'ridges.png');
  await writeFile(p, await sharp(raw, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer());
  return p;
}

test('trail records input, steps with full params and hashes, outputs, versions from package.json', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fl-trail-'));
  try {
    const input = await makeInput(dir);
    const { trail, png } = await run(input, dir, { sigma: 1.5, ksize: 7 });
    const t = trail.toJSON();
    assert.is(t.schema, TRAIL_SCHEMA);
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    assert.is(t.tool, pkg.name);
    assert.is(t.version, pkg.version);
    const sharpPkg = JSON.parse(await readFile(new URL('../node_modules/sharp/package.json', import.meta.url), 'utf8'));
    assert.is(t.environment.dependencies.sharp, sharpPkg.version);
    assert.match(t.environment.dependencies['opencv-wasm']!, /^\d+\.\d+/);
    assert.is(t.input.sha256, sha(await readFile(input)));
    assert.is(t.input.size, (await readFile(input)).length);
    assert.is(t.input.width, 96);
    assert.equal(t.steps.map((s) => s.name), ['decode', 'gaussian-blur', 'encode-png']);
    assert.equal(t.steps[1]!.params, { ksize: 7, sigma: 1.5 });
    assert.ok(t.steps.every((s) => s.ms >= 0 && /^[0-9a-f]{64}$/.test(s.outputSha256)));
    assert.equal(t.outputs, [{ path: 'out.png', sha256: sha(png), size: png.length }]);
    assert.equal(t.command, { name: 'blur-demo', options: { ksize: 7, sigma: 1.5 } });
    // stable key order
    const text = trail.serialize();
    assert.is(text, stableStringify(JSON.parse(text)));
    assert.equal(parseTrail(JSON.parse(text), 'x'), t);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('inputFromSource agrees with hashing the file again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fl-src-'));
  try {
    const input = await makeInput(dir);
    const loaded = await loadImage(input);
    const a = inputFromSource(loaded.source, loaded.ppi);
    const b = await describeInputFile(input, { width: loaded.source.width, height: loaded.source.height, ...(loaded.ppi !== undefined ? { ppi: loaded.ppi } : {}) });
    assert.equal(a, b);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('repeated step names are made unique; a throwing step is not recorded', () => {
  const trail = new AuditTrail();
  trail.step('gabor', {}, () => 1);
  trail.step('gabor', {}, () => 2);
  assert.throws(() => trail.step('bad', {}, () => { throw new Error('boom'); }), /boom/);
  trail.setInput({ path: 'x', sha256: sha('x'), size: 1, width: null, height: null, ppi: null });
  assert.equal(trail.toJSON().steps.map((s) => s.name), ['gabor', 'gabor#2']);
});

test('verify: a real replay reproduces every hash; tampering is reported per item', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fl-verify-'));
  try {
    const input = await makeInput(dir);
    const { trail } = await run(input, dir, { sigma: 1.5, ksize: 7 });
    const trailPath = join(dir, 'out.trail.json');
    await writeFile(trailPath, trail.serialize());

    const ok = await verifyTrailFile(trailPath, replay, { checkFilesOnDisk: true });
    assert.ok(ok.ok, formatVerifyReport(ok));
    assert.is(ok.checked, 1 + 3 + 1 + 1);
    assert.is(ok.matched, ok.checked);
    assert.is(ok.mismatches.length, 0);
    assert.match(formatVerifyReport(ok), /^OK: 6\/6/m);

    // A different parameter recorded: the blur, the PNG and the output no longer match; decode does.
    const t = await loadTrail(trailPath);
    const edited: Trail = JSON.parse(JSON.stringify(t));
    (edited.steps[1]!.params as BlurParams).sigma = 1.6;
    const bad = await verifyTrail(edited, replay, { trailPath });
    assert.not.ok(bad.ok);
    assert.equal(bad.mismatches.map((m) => `${m.kind}:${m.name}:${m.problem}`), ['step:gaussian-blur:differs', 'step:encode-png:differs', 'output:out.png:differs']);
    assert.match(formatVerifyReport(bad), /MISMATCH step gaussian-blur: differs/);

    // The original changed on disk: reported as an input mismatch.
    await writeFile(input, Buffer.concat([await readFile(input), Buffer.from([0])]));
    const moved = await verifyTrail(t, replay, { trailPath });
    assert.equal(moved.mismatches.map((m) => `${m.kind}:${m.problem}`), ['input:differs']);

    // A relative input path is found beside the trail; a moved input can be named explicitly.
    const rel: Trail = { ...t, input: { ...t.input, path: 'ridges.png' } };
    assert.equal((await verifyTrail(rel, async () => new Map(), { trailPath })).mismatches.filter((m) => m.kind === 'input').map((m) => m.problem), ['differs'], 'found beside the trail (and changed above)');
    const moved2 = join(dir, 'moved.png');
    await writeFile(moved2, await readFile(input));
    const elsewhere = await verifyTrail({ ...t, input: { ...t.input, path: '/nowhere/ridges.png' } }, async () => new Map(), { trailPath, inputPath: moved2 });
    assert.equal(elsewhere.mismatches.filter((m) => m.kind === 'input').map((m) => m.problem), ['differs']);

    // A replay that fails is reported, not thrown; an unexpected extra step is reported.
    const failing = await verifyTrail(t, async () => { throw new FingerliftError('E_DECODE', 'cannot decode'); }, { checkInput: false });
    assert.equal(failing.error, { code: 'E_DECODE', message: 'cannot decode' });
    assert.not.ok(failing.ok);
    const extra = await verifyTrail(t, async (tr) => new Map([...(await replay(tr)), ['gabor', sha('x')]]), { checkInput: false });
    assert.equal(extra.mismatches.map((m) => m.problem), ['unexpected']);

    // An output changed on disk after the run.
    await writeFile(join(dir, 'out.png'), Buffer.from('tampered'));
    assert.equal((await checkOutputsOnDisk(t, trailPath)).map((m) => m.problem), ['differs']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loadTrail: clear errors naming the file and the field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fl-load-'));
  try {
    const missing = join(dir, 'none.trail.json');
    try {
      await loadTrail(missing);
      assert.unreachable();
    } catch (e) {
      assert.is((e as FingerliftError).code, 'E_NOT_FOUND');
      assert.ok((e as Error).message.includes(missing));
    }
    const notJson = join(dir, 'a.trail.json');
    await writeFile(notJson, '{ nope');
    try {
      await loadTrail(notJson);
      assert.unreachable();
    } catch (e) {
      assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
      assert.match((e as Error).message, /not valid JSON/);
    }
    const trail = new AuditTrail();
    trail.setInput({ path: 'x.png', sha256: sha('x'), size: 1, width: 1, height: 1, ppi: null });
    trail.step('s', {}, () => 1);
    const good = trail.toJSON();
    const cases: Array<[(t: Record<string, any>) => void, RegExp]> = [
      [(t) => (t.schema = 'other/1'), /\$\.schema: expected "fingerlift-trail\/1"/],
      [(t) => (t.steps[0].outputSha256 = 'abc'), /\$\.steps\[0\]\.outputSha256: expected a SHA-256/],
      [(t) => delete t.input, /\$\.input: expected an object/],
      [(t) => (t.steps = [t.steps[0], t.steps[0]]), /occurs twice/],
      [(t) => (t.outputs = 'x'), /\$\.outputs: expected an array/],
    ];
    for (const [edit, re] of cases) {
      const t = JSON.parse(JSON.stringify(good));
      edit(t);
      const p = join(dir, 'bad.trail.json');
      await writeFile(p, JSON.stringify(t));
      try {
        await loadTrail(p);
        assert.unreachable(`accepted: ${re}`);
      } catch (e) {
        assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
        assert.match((e as Error).message, re);
        assert.ok((e as Error).message.includes(p));
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
