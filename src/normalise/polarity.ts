/**
 * Ridge polarity (are ridges dark or bright?) from two pieces of evidence:
 *
 * 1. Background (contact prints): where the sensor or card recorded no finger it shows the colour of
 *    the furrows (no contact). When at least 10% of the image is background (weak ridge-band energy)
 *    and no mask is given, a background brighter than the print means dark ridges. This decides the
 *    case of white ridges on black (../shared/cases/inverted).
 * 2. Profile asymmetry: after removing the local mean (Gaussian, 0.75 period), the skewness of the
 *    grey values tells which band is the narrow, deep one, and that band is the ridges. Measured:
 *    contact prints here (FVC2002 DB1/DB2/DB4, FVC2004 DB1, RidgeBase; 16 of 19 negative skewness)
 *    show dark ridge troughs between furrows that saturate to flat white; fingertip photos
 *    (fingerphoto-contact, fingerphoto-quality, fingerphoto-casual: positive skewness) show narrow
 *    specular highlights on the ridge crests, the bright ridges that issue 7's hand normalisation had
 *    to invert. So: skewness > 0 → bright ridges → invert.
 */
import { getCv, withMats } from '../cv/index.js';
import { FingerliftError, invalidArgument } from '../errors.js';
import type { Mask } from '../enhance/types.js';
import { checkImage, type GrayImage } from '../image/types.js';
import { estimateRidgePeriodSpectral } from './period.js';

export interface PolarityResult {
  /** Brightness of the ridges in the input. */
  ridges: 'dark' | 'bright';
  /** True when the image must be inverted for ridges to be dark. */
  invert: boolean;
  evidence: {
    /** Skewness of the band-passed grey values inside the mask (> 0: dark ridges). */
    skewness: number;
    /** Fraction of band-passed values below zero (the darker band's share of the area). */
    darkFraction: number;
    /** Ridge period used, pixels. */
    period: number;
    /** Background share of the image and its brightness relative to the print (undefined when < 10%). */
    backgroundFraction: number;
    backgroundMinusPrint?: number;
    /** Which evidence decided. */
    decidedBy: 'background' | 'skewness';
    /** Decision margin: |skewness|, or |background - print| / print spread. Under about 0.1 the call is weak. */
    confidence: number;
  };
}

/**
 * Decide whether ridges are dark or bright in a grey fingerprint (height x width, [0, 1]); usable on
 * contact prints and normalised photo prints alike.
 * @param options.mask foreground (1) to measure on; default the whole image.
 * @param options.period ridge period in pixels; estimated spectrally when absent.
 * @param options.modality 'contact' (default: scans, livescans, ink; the background evidence applies) or
 *   'photo' (normalised fingertip photos: skewness only).
 * @throws FingerliftError E_INVALID_ARGUMENT for a gray that is not a grey image (size and data must
 *   agree), options not an object, an unknown modality, when the mask size differs from the image or the period
 *   exceeds the image's short side; E_TOO_SMALL for images under 16 pixels a side.
 */
export function detectPolarity(gray: GrayImage, options: { mask?: Mask; period?: number; modality?: 'contact' | 'photo' } = {}): PolarityResult {
  checkImage(gray, 'detectPolarity');
  if ('channels' in gray && gray.channels === 3) throw new FingerliftError('E_INVALID_ARGUMENT', 'detectPolarity: expected a grey image, got an RGB image (convert it with toGray)');
  if (options === null || typeof options !== 'object') throw invalidArgument('detectPolarity: options', 'an options object', options);
  if (options.modality !== undefined && options.modality !== 'contact' && options.modality !== 'photo') throw invalidArgument('detectPolarity: modality', "'contact' or 'photo'", options.modality);
  const modality = options.modality ?? 'contact';
  const { width: w, height: h } = gray;
  if (w < 16 || h < 16) throw new FingerliftError('E_TOO_SMALL', `detectPolarity: ${w} x ${h} px is too small`);
  if (options.mask && (options.mask.width !== w || options.mask.height !== h))
    throw new FingerliftError('E_INVALID_ARGUMENT', `detectPolarity: mask ${options.mask.width} x ${options.mask.height} differs from image ${w} x ${h}`);
  let period = options.period;
  if (period !== undefined && period > 0 && !(Number.isFinite(period) && period <= Math.min(w, h)))
    throw new FingerliftError('E_INVALID_ARGUMENT', `detectPolarity: ridge period ${period} px does not fit in a ${w} x ${h} image`);
  if (period === undefined || !(period > 0)) {
    const est = estimateRidgePeriodSpectral(gray, { minPeriod: 3, maxPeriod: 25 });
    period = Number.isFinite(est.period) ? est.period : 9.5;
  }
  const cv = getCv();
  const band = withMats('detectPolarity', (t) => {
    const img = t(new cv.Mat(h, w, cv.CV_32F));
    img.data32F.set(gray.data);
    const low = t(new cv.Mat());
    const sig = Math.max(1, period! * 0.75);
    const k = 2 * Math.ceil(3 * sig) + 1;
    cv.GaussianBlur(img, low, new cv.Size(k, k), sig, sig, cv.BORDER_REFLECT);
    const hp = t(new cv.Mat());
    cv.subtract(img, low, hp);
    const s2 = Math.max(0.5, period! / 10); // noise only; keeps the ridge profile's asymmetry
    const k2 = 2 * Math.ceil(3 * s2) + 1;
    cv.GaussianBlur(hp, hp, new cv.Size(k2, k2), s2, s2, cv.BORDER_REFLECT);
    if (options.mask) return { hp: new Float32Array(hp.data32F), energy: new Float32Array(0) };
    // Local RMS of the band (sigma 2 periods): where it is weak there are no ridges (background). So wide
    // a blur is smooth at the scale of half a period, so it is computed on the squared band averaged
    // over d x d cells (d about half a period) and interpolated back: the same map within a few per
    // cent, at 1/d^2 of the cost (the full-resolution blur was a third of this function's time).
    const sq = t(new cv.Mat());
    cv.multiply(hp, hp, sq);
    const d = Math.max(1, Math.min(Math.floor(period! / 2), Math.floor(Math.min(w, h) / 16)));
    const s3 = (2 * period!) / d;
    const k3 = 2 * Math.ceil(3 * s3) + 1;
    if (d > 1) {
      const small = t(new cv.Mat());
      cv.resize(sq, small, new cv.Size(Math.ceil(w / d), Math.ceil(h / d)), 0, 0, cv.INTER_AREA);
      cv.GaussianBlur(small, small, new cv.Size(k3, k3), s3, s3, cv.BORDER_REFLECT);
      cv.resize(small, sq, new cv.Size(w, h), 0, 0, cv.INTER_LINEAR);
    } else cv.GaussianBlur(sq, sq, new cv.Size(k3, k3), s3, s3, cv.BORDER_REFLECT);
    return { hp: new Float32Array(hp.data32F), energy: new Float32Array(sq.data32F) };
  });
  // Skip a border of one period (filter edge effects) and everything outside the mask.
  let m = options.mask?.data;
  if (!m) {
    // Foreground: local band energy above a fifth of its 95th percentile.
    const thr = 0.2 * kthSmallest(Float32Array.from(band.energy), Math.floor(band.energy.length * 0.95));
    m = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) m[i] = band.energy[i]! > thr ? 1 : 0;
  }
  const b = Math.min(Math.floor(period), Math.floor(Math.min(w, h) / 4));
  let n = 0, s1 = 0, neg = 0;
  for (let y = b; y < h - b; y++)
    for (let x = b; x < w - b; x++) {
      const i = y * w + x;
      if (!m[i]) continue;
      n++; s1 += band.hp[i]!; if (band.hp[i]! < 0) neg++;
    }
  const mean = n ? s1 / n : 0;
  let m2 = 0, m3 = 0;
  for (let y = b; y < h - b; y++)
    for (let x = b; x < w - b; x++) {
      const i = y * w + x;
      if (!m[i]) continue;
      const d = band.hp[i]! - mean;
      m2 += d * d; m3 += d * d * d;
    }
  const skew = n && m2 > 0 ? m3 / n / Math.pow(m2 / n, 1.5) : 0;
  // Background evidence: pixels of weak band energy (outside the automatic foreground).
  let nb = 0, sb = 0, sf = 0, nf = 0, sff = 0;
  for (let i = 0; i < w * h; i++) {
    if (m[i]) { sf += gray.data[i]!; sff += gray.data[i]! ** 2; nf++; } else { sb += gray.data[i]!; nb++; }
  }
  const bgFraction = nb / (w * h);
  const spread = nf ? Math.sqrt(Math.max(1e-12, sff / nf - (sf / nf) ** 2)) : 1;
  const bgDiff = nb && nf ? sb / nb - sf / nf : 0;
  const useBackground = modality === 'contact' && !options.mask && bgFraction >= 0.1 && Math.abs(bgDiff) > 0.5 * spread;
  let ridges: 'dark' | 'bright';
  if (useBackground) ridges = bgDiff > 0 ? 'dark' : 'bright';
  else ridges = skew <= 0 ? 'dark' : 'bright';
  return {
    ridges,
    invert: ridges === 'bright',
    evidence: {
      skewness: round3(skew),
      darkFraction: round3(n ? neg / n : 0.5),
      period: round3(period),
      backgroundFraction: round3(bgFraction),
      ...(bgFraction >= 0.1 ? { backgroundMinusPrint: round3(bgDiff) } : {}),
      decidedBy: useBackground ? 'background' : 'skewness',
      confidence: round3(useBackground ? Math.abs(bgDiff) / spread : Math.abs(skew)),
    },
  };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * The k-th smallest value (0-based) of `a`, exactly, in expected linear time (Hoare's selection,
 * "FIND", 1961; median-of-three pivots). Reorders `a` in place.
 */
function kthSmallest(a: Float32Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot value.
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!; a[i] = a[j]!; a[j] = t;
        i++; j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
