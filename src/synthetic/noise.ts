/**
 * Seeded noise fields and small raster helpers shared by the impression and photo renderers.
 * Blurs use cv.GaussianBlur (opencv-wasm), never a per-pixel JS convolution.
 */
import { getCv, withMats, matFromFloat32 } from '../cv/index.js';
import type { Rng } from './random.js';

/** Gaussian blur of a height x width float field (sigma in pixels; see src/cv); returns a new array. */
import { gaussianBlurFloat32 as gaussianBlur } from '../cv/index.js';
export { gaussianBlur };

/** White Gaussian noise, standard deviation 1. */
export function whiteNoise(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/**
 * Smooth random field: white noise blurred with a Gaussian of `sigma` pixels, rescaled to zero mean and
 * unit standard deviation. The noise is drawn on a grid 4x coarser and resized (bilinear), which keeps
 * the large blurs cheap.
 */
export function smoothNoise(width: number, height: number, sigma: number, rng: Rng): Float32Array {
  const f = 4;
  const w = Math.max(2, Math.ceil(width / f));
  const h = Math.max(2, Math.ceil(height / f));
  const coarse = gaussianBlur(whiteNoise(w * h, rng), w, h, Math.max(0.5, sigma / f));
  const cv = getCv();
  const out = withMats('synthetic smooth noise', (track) => {
    const src = track(matFromFloat32(coarse, w, h));
    const dst = track(new cv.Mat());
    cv.resize(src, dst, new cv.Size(width, height), 0, 0, cv.INTER_LINEAR);
    return new Float32Array(dst.data32F);
  });
  let mean = 0;
  for (let i = 0; i < out.length; i++) mean += out[i]!;
  mean /= out.length;
  let v = 0;
  for (let i = 0; i < out.length; i++) v += (out[i]! - mean) ** 2;
  const sd = Math.sqrt(v / out.length) || 1;
  for (let i = 0; i < out.length; i++) out[i] = (out[i]! - mean) / sd;
  return out;
}

/**
 * Resample a height x width float field at the positions (mapX, mapY) (output pixel → source pixel,
 * each outW x outH) with cv.remap, bilinear; outside the source, `border` (constant) is used.
 */
export function remapField(data: Float32Array, width: number, height: number, mapX: Float32Array, mapY: Float32Array, outW: number, outH: number, border: number): Float32Array {
  const cv = getCv();
  return withMats('synthetic remap', (track) => {
    const src = track(matFromFloat32(data, width, height));
    const mx = track(matFromFloat32(mapX, outW, outH));
    const my = track(matFromFloat32(mapY, outW, outH));
    const dst = track(new cv.Mat());
    cv.remap(src, dst, mx, my, cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(border, border, border, border));
    return new Float32Array(dst.data32F);
  });
}
