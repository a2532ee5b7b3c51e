/**
 * The forward model of deblurring: convolve a grey image with a PSF (cv.filter2D, mirrored border), as a
 * camera or a moving finger blurs a print. For simulating blur (benchmarks, tests, training data);
 * independent of the DFT path the deconvolutions use.
 */
import { getCv, withMats } from '../../cv/index.js';
import type { GrayImage } from '../../image/types.js';
import { psfKernel, type PsfSpec } from './psf.js';

export interface ApplyPsfOptions {
  /** Quantise the result to this many bits per pixel (clamped to [0, 1]), as a sensor would; default: no quantisation. */
  bits?: number;
}

/**
 * Blur `image` (height x width, [0, 1]) with `psf`.
 * @throws FingerliftError E_INVALID_ARGUMENT for an invalid PSF (see psfKernel); E_CV if OpenCV fails.
 */
export function applyPsf(image: GrayImage, psf: PsfSpec, options: ApplyPsfOptions = {}): GrayImage {
  const cv = getCv();
  const k = psfKernel(psf);
  return withMats('applyPsf', (t) => {
    const km = t(new cv.Mat(k.size, k.size, cv.CV_32F));
    km.data32F.set(k.data);
    const src = t(new cv.Mat(image.height, image.width, cv.CV_32F));
    src.data32F.set(image.data);
    const out = t(new cv.Mat());
    cv.filter2D(src, out, cv.CV_32F, km, new cv.Point(-1, -1), 0, cv.BORDER_REFLECT_101);
    const d = new Float32Array(out.data32F);
    if (options.bits !== undefined) {
      const levels = 2 ** options.bits - 1;
      for (let i = 0; i < d.length; i++) d[i] = Math.round(Math.min(1, Math.max(0, d[i]!)) * levels) / levels;
    }
    return { width: image.width, height: image.height, data: d };
  });
}
