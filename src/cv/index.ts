/**
 * The one opencv-wasm loader (OpenCV 4.3 compiled to WebAssembly), and `Mat` lifetime helpers.
 *
 * Loading is synchronous (about 0.2 s, about 74 MB RSS) and happens on first use of `getCv()`.
 * Pitfalls handled here once (see STACK.md): the module object has a `then` method that makes any
 * promise resolved with it spin forever, so it is deleted; the module installs process-wide
 * `unhandledRejection` / `uncaughtException` handlers that abort the process, so they are removed;
 * OpenCV throws numbers (pointers into the WASM heap), translated here into `FingerliftError('E_CV')`.
 *
 * WASM memory is not garbage-collected: every Mat, MatVector and CLAHE must be `.delete()`d. Use
 * `withMats` / `track` so that happens also when an operation throws.
 */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { FingerliftError } from '../errors.js';
import type { GrayImage } from '../image/types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Cv = any;
export type Mat = { delete(): void; isDeleted?: () => boolean; rows: number; cols: number; data32F: Float32Array; data: Uint8Array; type(): number };

let cvModule: Cv | undefined;
let translate: ((cv: Cv, e: unknown) => unknown) | undefined;

/** The loaded OpenCV module (loads it on first call). */
export function getCv(): Cv {
  if (cvModule) return cvModule;
  const before = {
    rejection: new Set(process.listeners('unhandledRejection')),
    exception: new Set(process.listeners('uncaughtException')),
  };
  const require = createRequire(import.meta.url);
  const ocv = require('opencv-wasm') as { cv: Cv; cvTranslateError: (cv: Cv, e: unknown) => unknown };
  const cv = ocv.cv;
  if (typeof cv.then === 'function') delete cv.then;
  for (const l of process.listeners('unhandledRejection')) if (!before.rejection.has(l)) process.removeListener('unhandledRejection', l);
  for (const l of process.listeners('uncaughtException')) if (!before.exception.has(l)) process.removeListener('uncaughtException', l);
  translate = ocv.cvTranslateError;
  cvModule = cv;
  return cv;
}

/**
 * Forget the loaded module so that the next `getCv()` instantiates a fresh one. A WebAssembly trap
 * (division by zero, an abort) inside OpenCV leaves its heap and stack in an undefined state: every later
 * call would abort too (measured: `abort(83)` on every following input of a batch), so the instance is
 * dropped. Mats of the old instance die with it.
 */
export function resetCv(): void {
  cvModule = undefined;
  translate = undefined;
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('opencv-wasm'));
  for (const k of Object.keys(require.cache)) if (k.startsWith(dir + sep)) delete require.cache[k];
}

/**
 * Turn whatever OpenCV threw into an Error with a readable message. A WebAssembly trap also resets the
 * module (`resetCv`) so that the next input starts from a sound OpenCV.
 */
export function cvError(e: unknown, what: string): Error {
  if (e instanceof FingerliftError) return e;
  if (e instanceof WebAssembly.RuntimeError) {
    resetCv();
    return new FingerliftError('E_CV', `OpenCV stopped in ${what} (${e.message.replace(/\. Build with .*$/, '')}); OpenCV is reloaded for the next operation`);
  }
  if (e instanceof Error) return e;
  let msg = String(e);
  if (typeof e === 'number' && cvModule) {
    try {
      const t = translate ? translate(cvModule, e) : cvModule.exceptionFromPtr(e).msg;
      msg = t instanceof Error ? t.message : String(t);
    } catch {
      /* keep the number */
    }
  }
  return new FingerliftError('E_CV', `OpenCV failed in ${what}: ${msg}`);
}

/** Something with a `delete()` method (Mat, MatVector, CLAHE, ...). */
export interface Deletable {
  delete(): void;
}

/**
 * Run `fn` with a `track` function; every object passed to `track` is deleted when `fn` returns or
 * throws. OpenCV's numeric exceptions are translated to `FingerliftError('E_CV')`.
 *
 *   const out = withMats('blur', (track) => { const m = track(new cv.Mat()); ...; return copy; });
 */
export function withMats<T>(what: string, fn: (track: <D extends Deletable>(d: D) => D) => T): T {
  const owned: Deletable[] = [];
  const track = <D extends Deletable>(d: D): D => {
    owned.push(d);
    return d;
  };
  try {
    return fn(track);
  } catch (e) {
    throw cvError(e, what);
  } finally {
    for (let i = owned.length - 1; i >= 0; i--) {
      try {
        owned[i]!.delete();
      } catch {
        /* already deleted */
      }
    }
  }
}

/** A CV_32F Mat holding a copy of the grey image (caller deletes it; prefer `withMats`). */
export function matFromGray(image: GrayImage): Mat {
  const cv = getCv();
  const m = new cv.Mat(image.height, image.width, cv.CV_32F);
  m.data32F.set(image.data);
  return m;
}

/** A CV_32F Mat from a Float32Array of height x width values (copied). */
export function matFromFloat32(data: Float32Array, width: number, height: number): Mat {
  const cv = getCv();
  const m = new cv.Mat(height, width, cv.CV_32F);
  m.data32F.set(data);
  return m;
}

/** Copy a CV_32F Mat out to a new GrayImage (the Mat is not deleted). */
export function grayFromMat(m: Mat): GrayImage {
  const cv = getCv();
  if (m.type() !== cv.CV_32F) throw new FingerliftError('E_CV', `grayFromMat: expected CV_32F, got type ${m.type()}`);
  return { width: m.cols, height: m.rows, data: new Float32Array(m.data32F) };
}

/** Copy a CV_32F Mat out to a new Float32Array (the Mat is not deleted). */
export function float32FromMat(m: Mat): Float32Array {
  return new Float32Array(m.data32F);
}

/** Bytes of the WASM heap currently reserved (it grows, never shrinks). */
export function wasmHeapBytes(): number {
  const cv = getCv();
  return (cv.HEAPU8 as Uint8Array | undefined)?.length ?? (cv.wasmMemory?.buffer?.byteLength as number | undefined) ?? 0;
}

/**
 * Gaussian blur of a height x width Float32Array (sigma in pixels, kernel 2*ceil(3 sigma)+1, reflected
 * border) through cv.GaussianBlur; returns a new array (a copy when sigma <= 0).
 */
export function gaussianBlurFloat32(data: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (sigma <= 0) return new Float32Array(data);
  const cv = getCv();
  return withMats('GaussianBlur', (t) => {
    const src = t(matFromFloat32(data, width, height));
    const dst = t(new cv.Mat());
    const k = 2 * Math.ceil(3 * sigma) + 1;
    cv.GaussianBlur(src, dst, new cv.Size(k, k), sigma, sigma, cv.BORDER_REFLECT);
    return new Float32Array(dst.data32F);
  });
}
