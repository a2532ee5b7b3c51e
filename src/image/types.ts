/**
 * Core image types. Row-major, `data[y * width + x]` (times 3 for RGB, interleaved R, G, B), float32
 * values in [0, 1], 0 = black. Coordinates: pixels, origin top-left, x right, y down.
 */
import ndarray from 'ndarray';
import { FingerliftError, describeValue, invalidArgument } from '../errors.js';

/** Grey image: height x width, row-major, values in [0, 1]. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** Colour image: height x width x 3, row-major, channels interleaved (R, G, B), values in [0, 1]. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
  readonly data: Float32Array;
}

export type AnyImage = GrayImage | RgbImage;

/** True for an RGB image (`channels: 3`); false for a grey image (and for anything that is not an image). */
export function isRgb(image: AnyImage): image is RgbImage {
  return (image as RgbImage | undefined)?.channels === 3;
}

/**
 * Check that a value is a grey or RGB image whose size and data agree (JavaScript callers are not held
 * to the types).
 * @param what names the function or input in the error message.
 * @throws FingerliftError E_INVALID_ARGUMENT when it is not an image: no object, width or height not a
 *   positive integer, data not a Float32Array of width x height (x 3 for RGB) values.
 */
export function checkImage(image: unknown, what: string): asserts image is AnyImage {
  const im = image as Partial<RgbImage> | null | undefined;
  if (!im || typeof im !== 'object' || !(im.data instanceof Float32Array))
    throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: expected an image { width, height, data: Float32Array } (grey) or with channels: 3 (RGB), got ${describeValue(image)}`);
  const channels = im.channels === 3 ? 3 : 1;
  if (!(Number.isInteger(im.width) && Number.isInteger(im.height) && im.width! > 0 && im.height! > 0) || im.data.length !== im.width! * im.height! * channels)
    throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: image ${String(im.width)} x ${String(im.height)}${channels === 3 ? ' x 3' : ''} with ${im.data.length} values: the size and the data disagree`);
}

/**
 * Check that a value is a grey image (not RGB) whose size and data agree.
 * @throws FingerliftError E_INVALID_ARGUMENT as `checkImage`, and for an RGB image (convert it with toGray).
 */
export function checkGrayImage(image: unknown, what: string): asserts image is GrayImage {
  checkImage(image, what);
  if ((image as Partial<RgbImage>).channels === 3) throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: expected a grey image, got an RGB image (convert it with toGray)`);
}

/**
 * A new grey image of the given size (filled with `fill`, default 0).
 * @throws FingerliftError E_INVALID_ARGUMENT for a width or height that is not a positive integer.
 */
export function createGray(width: number, height: number, fill = 0): GrayImage {
  checkSize(width, height, 'createGray');
  const data = new Float32Array(width * height);
  if (fill !== 0) data.fill(fill);
  return { width, height, data };
}

/**
 * A new RGB image of the given size (black).
 * @throws FingerliftError E_INVALID_ARGUMENT for a width or height that is not a positive integer.
 */
export function createRgb(width: number, height: number): RgbImage {
  checkSize(width, height, 'createRgb');
  return { width, height, channels: 3, data: new Float32Array(width * height * 3) };
}

/**
 * An ndarray view sharing the image's buffer: shape [height, width] for grey, [height, width, 3] for
 * RGB, strides row-major. Writing through the view writes the image.
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image (see {@link checkImage}).
 */
export function toNdarray(image: GrayImage): ndarray.NdArray<Float32Array>;
export function toNdarray(image: RgbImage): ndarray.NdArray<Float32Array>;
export function toNdarray(image: AnyImage): ndarray.NdArray<Float32Array> {
  checkImage(image, 'toNdarray');
  return isRgb(image)
    ? ndarray(image.data, [image.height, image.width, 3])
    : ndarray(image.data, [image.height, image.width]);
}

/**
 * Wrap an ndarray of shape [height, width] (grey) or [height, width, 3] (RGB) as an image. A
 * contiguous row-major Float32Array is shared; anything else is copied.
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an ndarray, or other shapes.
 */
export function fromNdarray(array: ndarray.NdArray): AnyImage {
  if (!array || typeof array !== 'object' || !Array.isArray(array.shape) || typeof array.get !== 'function')
    throw invalidArgument('fromNdarray', 'an ndarray of shape [height, width] or [height, width, 3]', array);
  const [h, w, c] = array.shape as [number, number, number | undefined];
  if ((array.shape.length === 2 || (array.shape.length === 3 && c === 3)) && h > 0 && w > 0) {
    const channels = array.shape.length === 2 ? 1 : 3;
    const n = h * w * channels;
    let data: Float32Array;
    const contiguous =
      array.data instanceof Float32Array &&
      array.offset === 0 &&
      array.stride[0] === w * channels &&
      array.stride[1] === channels &&
      (channels === 1 || array.stride[2] === 1) &&
      array.data.length === n;
    if (contiguous) data = array.data as Float32Array;
    else {
      data = new Float32Array(n);
      let i = 0;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          if (channels === 1) data[i++] = array.get(y, x) as number;
          else for (let k = 0; k < 3; k++) data[i++] = array.get(y, x, k) as number;
    }
    return channels === 1 ? { width: w, height: h, data } : { width: w, height: h, channels: 3, data };
  }
  throw new FingerliftError('E_INVALID_ARGUMENT', `fromNdarray: shape [${array.shape.join(', ')}] is not [height, width] or [height, width, 3]`);
}

function checkSize(width: number, height: number, what: string): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new FingerliftError('E_INVALID_ARGUMENT', `${what}: size ${String(width)} x ${String(height)} is not a pair of positive integers`);
}
