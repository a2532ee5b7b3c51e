/**
 * Core image types. Row-major, `data[y * width + x]` (times 3 for RGB, interleaved R, G, B), float32
 * values in [0, 1], 0 = black. Coordinates: pixels, origin top-left, x right, y down.
 */
import ndarray from 'ndarray';

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

export function isRgb(image: AnyImage): image is RgbImage {
  return (image as RgbImage).channels === 3;
}

/** A new grey image of the given size (filled with `fill`, default 0). */
export function createGray(width: number, height: number, fill = 0): GrayImage {
  const data = new Float32Array(width * height);
  if (fill !== 0) data.fill(fill);
  return { width, height, data };
}

/** A new RGB image of the given size (black). */
export function createRgb(width: number, height: number): RgbImage {
  return { width, height, channels: 3, data: new Float32Array(width * height * 3) };
}

/**
 * An ndarray view sharing the image's buffer: shape [height, width] for grey, [height, width, 3] for
 * RGB, strides row-major. Writing through the view writes the image.
 */
export function toNdarray(image: GrayImage): ndarray.NdArray<Float32Array>;
export function toNdarray(image: RgbImage): ndarray.NdArray<Float32Array>;
export function toNdarray(image: AnyImage): ndarray.NdArray<Float32Array> {
  return isRgb(image)
    ? ndarray(image.data, [image.height, image.width, 3])
    : ndarray(image.data, [image.height, image.width]);
}

/**
 * Wrap an ndarray of shape [height, width] (grey) or [height, width, 3] (RGB) as an image. A
 * contiguous row-major Float32Array is shared; anything else is copied.
 * @throws FingerliftError E_INVALID_ARGUMENT for other shapes.
 */
export function fromNdarray(array: ndarray.NdArray): AnyImage {
  const [h, w, c] = array.shape as [number, number, number | undefined];
  if (array.shape.length === 2 || (array.shape.length === 3 && c === 3)) {
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
  // Deferred import would create a cycle; build the error by hand.
  throw Object.assign(new Error(`fromNdarray: shape [${array.shape.join(', ')}] is not [h, w] or [h, w, 3]`), {
    code: 'E_INVALID_ARGUMENT',
  });
}
