/**
 * Ridge clarity metric: the mean block orientation certainty (coherence of the gradient structure tensor
 * summed over a block, Bazen & Gerez 2002, eq. 7; the block "orientation certainty level" of Lim, Jiang &
 * Yau 2002 and NFIQ 2.0 (ISO/IEC 29794-4:2017) is the same eigenvalue contrast) over the blocks inside the
 * region of interest. In [0, 1]: 1 for perfectly parallel straight ridges in every block, near 0 for
 * isotropic noise. Independent of grey-level scale and offset, so it compares an image before and after
 * enhancement directly.
 */
import { getCv, withMats, matFromFloat32 } from '../cv/index.js';
import type { GrayImage } from '../image/types.js';
import type { Mask } from './types.js';
import { checkGray, checkMask, checkRange } from './util.js';

/** Defaults of {@link ridgeClarity}. */
export const CLARITY_DEFAULTS = {
  /** Block side (px at 500 ppi), Hong, Wan & Jain 1998 and NFIQ 2.0's local blocks are 16-32 px. */
  blockSize: 16,
  /** A block counts when at least this share of its pixels is in the mask. */
  minCoverage: 0.75,
} as const;

export interface ClarityOptions {
  blockSize?: number;
  minCoverage?: number;
}

/**
 * Mean block coherence of `image` (height x width, any range) over the blocks covered by `mask`
 * (all full blocks without a mask). Returns NaN when no block qualifies.
 * @throws FingerliftError E_INVALID_ARGUMENT for a mask of another size or a block size out of [4, 256].
 */
export function ridgeClarity(image: GrayImage, mask?: Mask, options: ClarityOptions = {}): number {
  const bs = options.blockSize ?? CLARITY_DEFAULTS.blockSize;
  const minCoverage = options.minCoverage ?? CLARITY_DEFAULTS.minCoverage;
  checkGray(image, 'ridgeClarity', 3);
  checkMask(mask, image.width, image.height, 'ridgeClarity');
  checkRange(bs, 'blockSize', 4, 256);
  const { width, height } = image;
  const cv = getCv();
  const [gx, gy] = withMats('ridgeClarity', (t) => {
    const src = t(matFromFloat32(image.data, width, height));
    const dx = t(new cv.Mat());
    const dy = t(new cv.Mat());
    cv.Sobel(src, dx, cv.CV_32F, 1, 0, 3, 1, 0, cv.BORDER_REFLECT);
    cv.Sobel(src, dy, cv.CV_32F, 0, 1, 3, 1, 0, cv.BORDER_REFLECT);
    return [new Float32Array(dx.data32F), new Float32Array(dy.data32F)];
  });
  const rows = Math.floor(height / bs);
  const cols = Math.floor(width / bs);
  let sum = 0;
  let count = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      let xx = 0;
      let yy = 0;
      let xy = 0;
      let inMask = 0;
      for (let y = r * bs; y < (r + 1) * bs; y++)
        for (let x = c * bs, i = y * width + x; x < (c + 1) * bs; x++, i++) {
          if (mask && !mask.data[i]) continue;
          inMask++;
          const a = gx[i]!;
          const b = gy[i]!;
          xx += a * a;
          yy += b * b;
          xy += a * b;
        }
      if (inMask < minCoverage * bs * bs) continue;
      const tr = xx + yy;
      sum += tr > 1e-12 ? Math.sqrt((xx - yy) * (xx - yy) + 4 * xy * xy) / tr : 0;
      count++;
    }
  return count > 0 ? sum / count : NaN;
}
