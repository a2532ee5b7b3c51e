/**
 * Stage 7 (optional, off by default): periodic background suppression. Prints lifted from printed paper,
 * banknotes or woven fabric carry a strong periodic background; its energy sits in sharp peaks of the
 * Fourier spectrum. Peaks that stand far above the local spectral background and lie outside the ridge
 * band are removed with Gaussian notches (notch filtering, Gonzalez & Woods, Digital Image Processing,
 * 4th ed. 2018, 4.10; applied to latents on textured backgrounds by e.g. Yoon, Feng & Jain 2011).
 */
import { getCv, withMats, matFromFloat32 } from '../cv/index.js';
import type { GrayImage } from '../image/types.js';
import { checkGray, checkRange } from './util.js';

/** Defaults of {@link suppressPeriodicBackground} (frequencies for 500 ppi). */
export const BACKGROUND_DEFAULTS = {
  /** Ridge band kept untouched (wavelength, px), widened by `bandMargin` on both sides: Kovesi's 5-15 px. */
  minWavelength: 5,
  maxWavelength: 15,
  bandMargin: 1.25,
  /** Periods longer than this (px) are illumination, not background pattern, and are kept. */
  maxBackgroundWavelength: 40,
  /** A spectral sample is a peak when its magnitude exceeds the local (9 x 9 mean) magnitude by this factor. */
  peakFactor: 6,
  /** Gaussian notch sigma in spectrum samples. */
  notchSigma: 1.5,
} as const;

export interface BackgroundOptions {
  minWavelength?: number;
  maxWavelength?: number;
  bandMargin?: number;
  maxBackgroundWavelength?: number;
  peakFactor?: number;
  notchSigma?: number;
}

export interface BackgroundResult {
  /** The image with the periodic background removed, height x width, [0, 1]. */
  image: GrayImage;
  /** Number of spectral peaks removed (each conjugate pair counted twice). */
  peaks: number;
  notes: string[];
}

/**
 * Remove strong periodic background from a grey image (height x width, [0, 1]) by notching spectral
 * peaks outside the ridge band. Deterministic; the image is returned unchanged when no peak is found.
 * @throws FingerliftError E_INVALID_ARGUMENT for options out of range; E_TOO_SMALL under 16 px a side.
 */
export function suppressPeriodicBackground(image: GrayImage, options: BackgroundOptions = {}): BackgroundResult {
  const o = { ...BACKGROUND_DEFAULTS, ...options };
  checkGray(image, 'suppressPeriodicBackground', 16);
  checkRange(o.peakFactor, 'peakFactor', 1, 1e6);
  checkRange(o.notchSigma, 'notchSigma', 0.3, 50);
  checkRange(o.maxWavelength, 'maxWavelength', o.minWavelength, 1e4);
  const { width, height } = image;
  const cv = getCv();
  let mean = 0;
  for (let i = 0; i < image.data.length; i++) mean += image.data[i]!;
  mean /= image.data.length;
  const pw = cv.getOptimalDFTSize(width) as number;
  const ph = cv.getOptimalDFTSize(height) as number;
  const buf = new Float32Array(pw * ph);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) buf[y * pw + x] = image.data[y * width + x]! - mean;
  return withMats('suppressPeriodicBackground', (t) => {
    const src = t(matFromFloat32(buf, pw, ph));
    const spec = t(new cv.Mat());
    cv.dft(src, spec, cv.DFT_COMPLEX_OUTPUT, 0);
    const s: Float32Array = spec.data32F;
    const mag = new Float32Array(pw * ph);
    for (let i = 0; i < mag.length; i++) mag[i] = Math.hypot(s[2 * i]!, s[2 * i + 1]!);
    const magM = t(matFromFloat32(mag, pw, ph));
    const local = t(new cv.Mat());
    cv.blur(magM, local, new cv.Size(9, 9), new cv.Point(-1, -1), cv.BORDER_REFLECT);
    const loc: Float32Array = local.data32F;
    const bandLo = 1 / (o.maxWavelength * o.bandMargin);
    const bandHi = o.bandMargin / o.minWavelength;
    const fMin = 1 / o.maxBackgroundWavelength;
    const peaks: Array<[number, number]> = [];
    for (let v = 0; v < ph; v++) {
      const fy = (v <= ph / 2 ? v : v - ph) / ph;
      for (let u = 0; u < pw; u++) {
        const fx = (u <= pw / 2 ? u : u - pw) / pw;
        const f = Math.hypot(fx, fy);
        if (f < fMin || (f >= bandLo && f <= bandHi)) continue;
        const i = v * pw + u;
        const m = mag[i]!;
        if (m <= o.peakFactor * loc[i]!) continue;
        // Local maximum in its 3 x 3 neighbourhood (wrapping).
        let isMax = true;
        for (let dv = -1; dv <= 1 && isMax; dv++)
          for (let du = -1; du <= 1; du++) {
            if (!du && !dv) continue;
            const j = ((v + dv + ph) % ph) * pw + ((u + du + pw) % pw);
            if (mag[j]! > m) {
              isMax = false;
              break;
            }
          }
        if (isMax) peaks.push([u, v]);
      }
    }
    const notes: string[] = [];
    if (peaks.length === 0) {
      notes.push('periodic background: no spectral peak outside the ridge band; image unchanged');
      return { image, peaks: 0, notes };
    }
    const r = Math.ceil(3 * o.notchSigma);
    const gain = new Float32Array(pw * ph).fill(1);
    for (const [u, v] of peaks)
      for (let dv = -r; dv <= r; dv++)
        for (let du = -r; du <= r; du++) {
          const j = ((v + dv + ph) % ph) * pw + ((u + du + pw) % pw);
          const g = 1 - Math.exp(-(du * du + dv * dv) / (2 * o.notchSigma * o.notchSigma));
          if (g < gain[j]!) gain[j] = g;
        }
    const s2: Float32Array = spec.data32F;
    for (let i = 0; i < gain.length; i++) {
      s2[2 * i] = s2[2 * i]! * gain[i]!;
      s2[2 * i + 1] = s2[2 * i + 1]! * gain[i]!;
    }
    const back = t(new cv.Mat());
    cv.dft(spec, back, cv.DFT_INVERSE | cv.DFT_SCALE | cv.DFT_REAL_OUTPUT, 0);
    const b: Float32Array = back.data32F;
    const out = new Float32Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const v = b[y * pw + x]! + mean;
        out[y * width + x] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    notes.push(`periodic background: ${peaks.length} spectral peaks outside the ridge band notched`);
    return { image: { width, height, data: out }, peaks: peaks.length, notes };
  });
}
