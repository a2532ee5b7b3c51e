/**
 * Ridge clarity of a print: how strongly and how consistently the ridge pattern stands out. Used as
 * deblurring evidence (before / after) and in the benchmark.
 *
 * - `bandRms`: root-mean-square grey-level amplitude of the ridge band, wavelengths
 *   CLARITY.minWavelength..maxWavelength pixels (5-15 px at 500 ppi, Kovesi), measured exactly by
 *   Parseval on the DFT. Blur lowers it (a Gaussian of sigma s keeps exp(-2 π^2 s^2 / λ^2) of a
 *   ridge wave of wavelength λ); deblurring raises it back.
 * - `coherence`: mean orientation coherence of the gradient structure tensor averaged over
 *   CLARITY.block-pixel windows (Kass & Witkin 1987; Bazen & Gerez 2002), in [0, 1]: 1 for
 *   perfectly parallel ridges, lower where noise or ringing breaks them up.
 */
import { FingerliftError } from '../../errors.js';
import { getCv, withMats } from '../../cv/index.js';
import type { GrayImage } from '../../image/types.js';
import type { Mask } from '../types.js';
import { CLARITY } from './params.js';
import { ccsBins, ccsPower, dftSize } from './spectrum.js';

export interface RidgeBandClarity {
  /** RMS amplitude of the ridge band (grey levels, image in [0, 1]), over the region of interest. */
  readonly bandRms: number;
  /** Mean structure-tensor coherence over the region of interest, [0, 1]. */
  readonly coherence: number;
}

export interface RidgeBandClarityOptions {
  /** Region of interest (1 = fingerprint), same size as the image. Default: the whole image. */
  mask?: Mask;
  /** Ridge wavelength band, pixels. Default CLARITY.minWavelength / maxWavelength (5, 15). */
  minWavelength?: number;
  maxWavelength?: number;
}

/**
 * Ridge clarity of `image` (height x width, row-major, [0, 1]).
 * @throws FingerliftError E_INVALID_ARGUMENT for a malformed image or mask, or a bad band.
 */
export function ridgeBandClarity(image: GrayImage, options: RidgeBandClarityOptions = {}): RidgeBandClarity {
  const { width: w, height: h } = image;
  if (!(image.data instanceof Float32Array) || image.data.length !== w * h || w < 8 || h < 8)
    throw new FingerliftError('E_INVALID_ARGUMENT', 'ridge clarity: expected a GrayImage of at least 8 x 8 pixels', { input: 'image' });
  const mask = options.mask;
  if (mask && (mask.width !== w || mask.height !== h))
    throw new FingerliftError('E_INVALID_ARGUMENT', `ridge clarity: mask is ${mask.width} x ${mask.height}, image ${w} x ${h}`, { input: 'mask' });
  const lo = options.minWavelength ?? CLARITY.minWavelength;
  const hi = options.maxWavelength ?? CLARITY.maxWavelength;
  if (!(lo >= 2 && hi > lo)) throw new FingerliftError('E_INVALID_ARGUMENT', `ridge clarity: band ${lo}-${hi} px is not valid (need 2 <= min < max)`, { input: 'band' });

  let n = 0;
  let mean = 0;
  for (let i = 0; i < w * h; i++)
    if (!mask || mask.data[i]) {
      mean += image.data[i]!;
      n++;
    }
  if (n === 0) return { bandRms: 0, coherence: 0 };
  mean /= n;
  const W = dftSize(w);
  const H = dftSize(h);
  const bins = ccsBins(W, H);
  const cv = getCv();
  return withMats('ridgeBandClarity', (track) => {
    const m = track(new cv.Mat(H, W, cv.CV_32F, new cv.Scalar(0)));
    const d = m.data32F as Float32Array;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (!mask || mask.data[i]) d[y * W + x] = image.data[i]! - mean;
      }
    const spec = track(new cv.Mat());
    cv.dft(m, spec, 0);
    const p = ccsPower(spec.data32F as Float32Array, bins);
    const f2lo = 1 / (hi * hi);
    const f2hi = 1 / (lo * lo);
    let band = 0;
    for (let k = 0; k < p.length; k++) {
      const f2 = bins.fx[k]! ** 2 + bins.fy[k]! ** 2;
      if (f2 >= f2lo && f2 <= f2hi) band += bins.weight[k]! * p[k]!;
    }
    // Parseval: sum |x|^2 = sum |X|^2 / (W H); the mean square is over the n pixels of the region.
    const bandRms = Math.sqrt(band / (W * H) / n);

    const src = track(new cv.Mat(h, w, cv.CV_32F));
    src.data32F.set(image.data);
    const gx = track(new cv.Mat());
    const gy = track(new cv.Mat());
    cv.Sobel(src, gx, cv.CV_32F, 1, 0, 3, 1, 0, cv.BORDER_REFLECT_101);
    cv.Sobel(src, gy, cv.CV_32F, 0, 1, 3, 1, 0, cv.BORDER_REFLECT_101);
    const xx = track(new cv.Mat());
    const yy = track(new cv.Mat());
    const xy = track(new cv.Mat());
    cv.multiply(gx, gx, xx);
    cv.multiply(gy, gy, yy);
    cv.multiply(gx, gy, xy);
    const ksize = new cv.Size(CLARITY.block, CLARITY.block);
    const anchor = new cv.Point(-1, -1);
    cv.boxFilter(xx, xx, -1, ksize, anchor, true, cv.BORDER_REFLECT_101);
    cv.boxFilter(yy, yy, -1, ksize, anchor, true, cv.BORDER_REFLECT_101);
    cv.boxFilter(xy, xy, -1, ksize, anchor, true, cv.BORDER_REFLECT_101);
    const a = xx.data32F as Float32Array;
    const b = yy.data32F as Float32Array;
    const c = xy.data32F as Float32Array;
    let coh = 0;
    let m2 = 0;
    for (let i = 0; i < w * h; i++) {
      if (mask && !mask.data[i]) continue;
      const s = a[i]! + b[i]!;
      if (s <= 1e-12) continue;
      coh += Math.sqrt((a[i]! - b[i]!) ** 2 + 4 * c[i]! ** 2) / s;
      m2++;
    }
    return { bandRms, coherence: m2 ? coh / m2 : 0 };
  });
}
