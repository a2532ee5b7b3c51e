/**
 * Downsampling of a photo to the working resolution of localisation, straight from the float pixels to
 * 8-bit. Each working pixel averages a grid of at most 4 x 4 samples spread evenly over the photo
 * pixels it covers (a sampled area average: enough anti-aliasing for skin segmentation and geometry,
 * and about 20 ms instead of a full pass over a 12 MP float photo; it also avoids copying the photo,
 * 144 MB as floats, into the WASM heap just to shrink it).
 */
import type { GrayImage, RgbImage } from '../image/types.js';
import { isRgb } from '../image/types.js';

export interface WorkingImage {
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB interleaved). */
  channels: 1 | 3;
  /** 8-bit pixels, row-major. */
  data: Uint8Array;
  /** Working pixels per photo pixel (≤ 1). */
  scale: number;
}

/** Samples per axis within one working pixel, at most. */
const MAX_SAMPLES = 4;

/** Downsample so the longest side is at most `maxSide`. */
export function toWorking(image: RgbImage | GrayImage, maxSide: number): WorkingImage {
  const channels = isRgb(image) ? 3 : 1;
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const w = Math.max(1, Math.round(image.width * scale));
  const h = Math.max(1, Math.round(image.height * scale));
  const sx = image.width / w;
  const sy = image.height / h;
  const kx = Math.max(1, Math.min(MAX_SAMPLES, Math.floor(sx)));
  const ky = Math.max(1, Math.min(MAX_SAMPLES, Math.floor(sy)));
  // Sample columns / rows of every working pixel (pixel centres of kx x ky sub-cells).
  const cols = new Int32Array(w * kx);
  for (let x = 0; x < w; x++)
    for (let k = 0; k < kx; k++) cols[x * kx + k] = Math.min(image.width - 1, Math.floor((x + (k + 0.5) / kx) * sx));
  const out = new Uint8Array(w * h * channels);
  const src = image.data;
  const norm = 255 / (kx * ky);
  const acc = new Float64Array(channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      acc.fill(0);
      for (let j = 0; j < ky; j++) {
        const row = Math.min(image.height - 1, Math.floor((y + (j + 0.5) / ky) * sy)) * image.width;
        for (let k = 0; k < kx; k++) {
          const i = row + cols[x * kx + k]!;
          if (channels === 3) {
            acc[0]! += src[i * 3]!;
            acc[1]! += src[i * 3 + 1]!;
            acc[2]! += src[i * 3 + 2]!;
          } else acc[0]! += src[i]!;
        }
      }
      for (let c = 0; c < channels; c++) {
        const v = acc[c]! * norm;
        out[(y * w + x) * channels + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
  }
  return { width: w, height: h, channels, data: out, scale: w / image.width };
}
