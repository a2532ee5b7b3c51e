import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getCv, withMats, wasmHeapBytes, matFromGray, grayFromMat } from '../src/cv/index.js';
import { FingerliftError } from '../src/errors.js';

test('loader removes the abort handlers and the then trap', async () => {
  const before = process.listeners('unhandledRejection').length;
  const cv = getCv();
  assert.is(process.listeners('unhandledRejection').length, before);
  assert.is(typeof cv.then, 'undefined');
  const r = await Promise.resolve(cv); // would spin forever with cv.then present
  assert.is(r, cv);
});

test('OpenCV exceptions become FingerliftError E_CV with a message', () => {
  const cv = getCv();
  try {
    withMats('GaussianBlur', (t) => {
      const m = t(new cv.Mat(4, 4, cv.CV_8U));
      cv.GaussianBlur(m, m, new cv.Size(4, 4), 0); // even kernel: OpenCV assertion
    });
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, FingerliftError);
    assert.is((e as FingerliftError).code, 'E_CV');
    assert.match((e as Error).message, /ksize/);
  }
});

test('a WebAssembly trap inside OpenCV is E_CV and does not poison the next operation', () => {
  const first = getCv();
  let err: unknown;
  try {
    // A Gaussian of sigma 1.4e7 px: OpenCV's kernel size arithmetic divides by zero (a wasm trap), as a
    // ridge period of 1.9e7 px (--ppi 1e9) once did in a batch, after which every input aborted.
    withMats('trap test', (t) => {
      const m = t(new first.Mat(50, 50, first.CV_32F));
      first.GaussianBlur(m, m, new first.Size(0, 0), 1.4e7);
    });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof FingerliftError, `got ${String(err)}`);
  assert.is((err as FingerliftError).code, 'E_CV');
  assert.match((err as Error).message, /trap test/);
  const cv = getCv();
  assert.is.not(cv, first, 'a fresh OpenCV instance');
  const out = withMats('after the trap', (t) => {
    const m = t(new cv.Mat(20, 20, cv.CV_32F, new cv.Scalar(1)));
    cv.GaussianBlur(m, m, new cv.Size(0, 0), 2);
    return m.data32F[210];
  });
  assert.ok(Math.abs(out! - 1) < 1e-5, `blur of a constant after the trap: ${out}`);
});

test('1,000 allocate/operate/free cycles do not grow the WASM heap', () => {
  const cv = getCv();
  const img = { width: 256, height: 256, data: new Float32Array(256 * 256).map((_, i) => (i % 17) / 17) };
  const cycle = (): void => {
    withMats('cycle', (t) => {
      const m = t(matFromGray(img));
      const out = t(new cv.Mat());
      cv.GaussianBlur(m, out, new cv.Size(5, 5), 1.5);
      grayFromMat(out);
      throw new Error('also freed when an operation throws');
    });
  };
  for (let i = 0; i < 20; i++) try { cycle(); } catch { /* expected */ }
  const start = wasmHeapBytes();
  for (let i = 0; i < 1000; i++) try { cycle(); } catch { /* expected */ }
  assert.is(wasmHeapBytes(), start);
});

test.run();
