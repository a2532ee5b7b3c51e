/**
 * Basic image operations on GrayImage / RgbImage (float32, [0, 1], row-major height x width).
 * Geometric resampling uses OpenCV (cv.resize, cv.warpAffine); none modifies its input.
 */
import { FingerliftError, invalidArgument } from '../errors.js';
import { getCv, withMats } from '../cv/index.js';
import type { AnyImage, GrayImage } from './types.js';
import { checkImage, isRgb } from './types.js';

/**
 * Argument checks shared by the operations (JavaScript callers are not held to the types).
 * Every operation below throws FingerliftError E_INVALID_ARGUMENT for something that is not an image
 * (see checkImage) or a numeric argument that is not a finite number.
 */
function checkFinite(v: unknown, what: string): asserts v is number {
  if (!(typeof v === 'number' && Number.isFinite(v))) throw invalidArgument(what, 'a finite number', v);
}

const GRAY_MODES: readonly GrayMode[] = ['luminance', 'red', 'green', 'blue'];

/** Grey conversion: ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B), or one channel. */
export type GrayMode = 'luminance' | 'red' | 'green' | 'blue';

/**
 * RGB to grey. A grey image is returned as is (same object).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image or an unknown mode.
 */
export function toGray(image: AnyImage, mode: GrayMode = 'luminance'): GrayImage {
  checkImage(image, 'toGray');
  if (!GRAY_MODES.includes(mode)) throw invalidArgument('toGray: mode', GRAY_MODES.join(', '), mode);
  if (!isRgb(image)) return image;
  const n = image.width * image.height;
  const out = new Float32Array(n);
  const src = image.data;
  if (mode === 'luminance') {
    for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = 0.299 * src[j]! + 0.587 * src[j + 1]! + 0.114 * src[j + 2]!;
  } else {
    const k = mode === 'red' ? 0 : mode === 'green' ? 1 : 2;
    for (let i = 0, j = k; i < n; i++, j += 3) out[i] = src[j]!;
  }
  return { width: image.width, height: image.height, data: out };
}

function channelsOf(image: AnyImage): 1 | 3 {
  return isRgb(image) ? 3 : 1;
}

function like<T extends AnyImage>(image: T, width: number, height: number, data: Float32Array): T {
  return (isRgb(image) ? { width, height, channels: 3, data } : { width, height, data }) as T;
}

/**
 * Crop the rectangle [x, x + width) x [y, y + height) (pixels; clipped to the image).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image, a coordinate that is not
 *   a finite number, or when the clipped rectangle is empty.
 */
export function crop<T extends AnyImage>(image: T, x: number, y: number, width: number, height: number): T {
  checkImage(image, 'crop');
  checkFinite(x, 'crop: x');
  checkFinite(y, 'crop: y');
  checkFinite(width, 'crop: width');
  checkFinite(height, 'crop: height');
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(image.width, Math.floor(x + width));
  const y1 = Math.min(image.height, Math.floor(y + height));
  if (x1 <= x0 || y1 <= y0) throw new FingerliftError('E_INVALID_ARGUMENT', `crop rectangle (${x}, ${y}, ${width} x ${height}) is outside the ${image.width} x ${image.height} image`);
  const c = channelsOf(image);
  const w = x1 - x0;
  const out = new Float32Array(w * (y1 - y0) * c);
  for (let yy = y0; yy < y1; yy++) out.set(image.data.subarray((yy * image.width + x0) * c, (yy * image.width + x1) * c), (yy - y0) * w * c);
  return like(image, w, y1 - y0, out);
}

/** Mirror left-right (x -> width - 1 - x). @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image. */
export function flipHorizontal<T extends AnyImage>(image: T): T {
  checkImage(image, 'flipHorizontal');
  const c = channelsOf(image);
  const { width: w, height: h } = image;
  const out = new Float32Array(image.data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = image.data[(y * w + (w - 1 - x)) * c + k]!;
  return like(image, w, h, out);
}

/** Mirror top-bottom (y -> height - 1 - y). @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image. */
export function flipVertical<T extends AnyImage>(image: T): T {
  checkImage(image, 'flipVertical');
  const c = channelsOf(image);
  const { width: w, height: h } = image;
  const out = new Float32Array(image.data.length);
  for (let y = 0; y < h; y++) out.set(image.data.subarray((h - 1 - y) * w * c, (h - y) * w * c), y * w * c);
  return like(image, w, h, out);
}

/** 1 - v for every value (white ridges on black become dark ridges on white). @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image. */
export function invert<T extends AnyImage>(image: T): T {
  checkImage(image, 'invert');
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 1 - image.data[i]!;
  return like(image, image.width, image.height, out);
}

/**
 * Rotate by a multiple of 90 degrees counter-clockwise as displayed (exact, no resampling).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image or quarterTurns not an integer.
 */
export function rotate90<T extends AnyImage>(image: T, quarterTurns: number): T {
  checkImage(image, 'rotate90');
  if (!Number.isInteger(quarterTurns)) throw invalidArgument('rotate90: quarterTurns', 'an integer', quarterTurns);
  const q = ((quarterTurns % 4) + 4) % 4;
  if (q === 0) return like(image, image.width, image.height, new Float32Array(image.data));
  const c = channelsOf(image);
  const { width: w, height: h } = image;
  const nw = q === 2 ? w : h;
  const nh = q === 2 ? h : w;
  const out = new Float32Array(image.data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      // CCW quarter turn: (x, y) -> (y, w - 1 - x)
      const [nx, ny] = q === 1 ? [y, w - 1 - x] : q === 2 ? [w - 1 - x, h - 1 - y] : [h - 1 - y, x];
      for (let k = 0; k < c; k++) out[(ny * nw + nx) * c + k] = image.data[(y * w + x) * c + k]!;
    }
  return like(image, nw, nh, out);
}

export interface RotateOptions {
  /** Value for pixels that come from outside the input. Default 1 (white paper). */
  fill?: number;
  /** Grow the canvas so nothing is cut off. Default true. */
  expand?: boolean;
}

/**
 * Rotate by `angle` radians counter-clockwise as displayed, about the image centre, bilinear.
 * Returns the image and the 2x3 affine matrix mapping input (x, y) to output (x, y).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image, an angle or fill that is
 *   not a finite number.
 */
export function rotate<T extends AnyImage>(image: T, angle: number, options: RotateOptions = {}): { image: T; matrix: [number, number, number, number, number, number] } {
  checkImage(image, 'rotate');
  checkFinite(angle, 'rotate: angle');
  if (options.fill !== undefined) checkFinite(options.fill, 'rotate: fill');
  const cv = getCv();
  const fill = options.fill ?? 1;
  const expand = options.expand ?? true;
  const { width: w, height: h } = image;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const nw = expand ? Math.ceil(Math.abs(w * cos) + Math.abs(h * sin)) : w;
  const nh = expand ? Math.ceil(Math.abs(w * sin) + Math.abs(h * cos)) : h;
  // Displayed CCW rotation with y down: x' = cos*x + sin*y, y' = -sin*x + cos*y (about the centres).
  const cx = (w - 1) / 2, cy = (h - 1) / 2, ncx = (nw - 1) / 2, ncy = (nh - 1) / 2;
  const m: [number, number, number, number, number, number] = [cos, sin, ncx - cos * cx - sin * cy, -sin, cos, ncy + sin * cx - cos * cy];
  const c = channelsOf(image);
  const data = withMats('rotate', (t) => {
    const src = t(new cv.Mat(h, w, c === 1 ? cv.CV_32F : cv.CV_32FC3));
    src.data32F.set(image.data);
    const dst = t(new cv.Mat());
    const M = t(cv.matFromArray(2, 3, cv.CV_64F, m));
    cv.warpAffine(src, dst, M, new cv.Size(nw, nh), cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(fill, fill, fill, fill));
    return new Float32Array(dst.data32F);
  });
  return { image: like(image, nw, nh, data), matrix: m };
}

/**
 * Resample by `factor` (> 1 enlarges): area averaging when shrinking (no aliasing), bicubic when enlarging.
 * Output size: round(width * factor) x round(height * factor), at least 1.
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image, a non-positive or non-finite factor.
 */
export function resample<T extends AnyImage>(image: T, factor: number): T {
  checkImage(image, 'resample');
  if (!(typeof factor === 'number' && factor > 0 && Number.isFinite(factor))) throw invalidArgument('resample: factor', 'a positive finite number', factor);
  const nw = Math.max(1, Math.round(image.width * factor));
  const nh = Math.max(1, Math.round(image.height * factor));
  return resize(image, nw, nh);
}

/**
 * Resize to exactly width x height (area when shrinking, bicubic when enlarging).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image, or a width or height that is
 *   not a positive integer.
 */
export function resize<T extends AnyImage>(image: T, width: number, height: number): T {
  checkImage(image, 'resize');
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new FingerliftError('E_INVALID_ARGUMENT', `resize: size ${String(width)} x ${String(height)} is not a pair of positive integers`);
  if (width === image.width && height === image.height) return like(image, width, height, new Float32Array(image.data));
  const cv = getCv();
  const c = channelsOf(image);
  const shrinking = width * height < image.width * image.height;
  const data = withMats('resize', (t) => {
    const src = t(new cv.Mat(image.height, image.width, c === 1 ? cv.CV_32F : cv.CV_32FC3));
    src.data32F.set(image.data);
    const dst = t(new cv.Mat());
    cv.resize(src, dst, new cv.Size(width, height), 0, 0, shrinking ? cv.INTER_AREA : cv.INTER_CUBIC);
    const out = new Float32Array(dst.data32F);
    if (!shrinking) for (let i = 0; i < out.length; i++) out[i] = out[i]! < 0 ? 0 : out[i]! > 1 ? 1 : out[i]!; // bicubic overshoot
    return out;
  });
  return like(image, width, height, data);
}
