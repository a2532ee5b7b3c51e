/**
 * Master fingerprint: the clean ridge pattern of one synthetic finger in the contact view at 500 ppi,
 * with its ground-truth minutiae (SFinGe's master-fingerprint stage: Cappelli, Maio & Maltoni 2002).
 *
 *   shape (fingertip silhouette) → orientation model (Sherlock & Monro 1993) → ridge-wavelength map
 *   → ridges grown by iterative Gabor filtering from seeds → soft binarisation → skeleton → minutiae
 */
import type { GrayImage } from '../image/types.js';
import type { Minutia } from '../minutiae/types.js';
import { FingerliftError } from '../errors.js';
import { Rng, deriveSeed } from './random.js';
import { MASTER, GROWTH, TRUTH } from './params.js';
import { type FingerprintClass, type OrientationModel, FINGERPRINT_CLASSES, randomOrientationModel, orientationField } from './orientation.js';
import { type FingertipShape, randomFingertipShape, fingertipMask } from './shape.js';
import { growRidges } from './growth.js';
import { thinZhangSuen, skeletonMinutiae } from './skeleton.js';
import { gaussianBlur } from './noise.js';
import { getCv, withMats } from '../cv/index.js';

export interface MasterOptions {
  /** Pattern class; default: drawn from the seed. */
  class?: FingerprintClass;
  /** Canvas size, pixels (default 320 x 400). */
  width?: number;
  height?: number;
  /** Mean ridge wavelength, pixels at 500 ppi (default: drawn in [8.6, 9.6]). */
  wavelength?: number;
  /** Number of growth seeds (default: drawn in [34, 48]); fewer seeds, fewer minutiae. */
  seeds?: number;
}

export interface MasterFingerprint {
  seed: number;
  class: FingerprintClass;
  width: number;
  height: number;
  /** Always 500. */
  ppi: number;
  /**
   * Ridge profile, height x width, row-major, in [-1, 1]: the binarised grown pattern (ridge +1,
   * valley −1) smoothed by a Gaussian of `TRUTH.profileSigma` pixels, so that a threshold shift t
   * moves every ridge edge by about the same distance (pressure: t > 0 thickens ridges). Positive on
   * ridges; defined over the whole canvas.
   */
  ridges: Float32Array;
  /** Clean master image (ridges dark on white, outside the fingertip white), values in [0, 1]. */
  image: GrayImage;
  /** Fingertip foreground, height x width, 1 inside. */
  mask: Uint8Array;
  shape: FingertipShape;
  orientationModel: OrientationModel;
  /** Model orientation per pixel, radians [0, π), height x width. */
  orientation: Float32Array;
  /** Ridge wavelength per pixel, pixels, height x width. */
  wavelength: Float32Array;
  /** Ground-truth minutiae (pixel coordinates of this canvas, ISO directions, quality 1). */
  minutiae: Minutia[];
  /** Minutiae of the clean master left out of the truth because a ±0.25 threshold shift flips them ("don't care" points). */
  ambiguous: Minutia[];
  /** Gabor growth passes run. */
  iterations: number;
}

/** Smoothly varying ridge wavelength map: mean ± `variation` as a sum of three random plane waves. */
export function wavelengthMap(width: number, height: number, mean: number, rng: Rng): Float32Array {
  const waves = [0, 1, 2].map(() => {
    const period = rng.uniform(MASTER.wavelengthVariationPeriod[0], MASTER.wavelengthVariationPeriod[1]);
    const dir = rng.uniform(0, Math.PI);
    return { kx: (Math.cos(dir) * 2 * Math.PI) / period, ky: (Math.sin(dir) * 2 * Math.PI) / period, phase: rng.uniform(0, 2 * Math.PI) };
  });
  const amp = MASTER.wavelengthVariation / 3;
  const [lo, hi] = MASTER.wavelengthClamp;
  const out = new Float32Array(width * height);
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i++) {
      let v = mean;
      for (const w of waves) v += amp * Math.cos(w.kx * x + w.ky * y + w.phase);
      out[i] = Math.min(hi, Math.max(lo, v));
    }
  return out;
}

/** Distance (pixels, city-block approximation refined by two passes) to the nearest background pixel of a mask. */
export function distanceInside(mask: Uint8Array, width: number, height: number): Float32Array {
  const d = new Float32Array(width * height);
  const big = width + height;
  const D = Math.SQRT2;
  for (let i = 0; i < d.length; i++) d[i] = mask[i] ? big : 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!d[i]) continue;
      let v = d[i]!;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) v = 1;
      if (x > 0) v = Math.min(v, d[i - 1]! + 1);
      if (y > 0) v = Math.min(v, d[i - width]! + 1);
      if (x > 0 && y > 0) v = Math.min(v, d[i - width - 1]! + D);
      if (x < width - 1 && y > 0) v = Math.min(v, d[i - width + 1]! + D);
      d[i] = v;
    }
  for (let y = height - 1; y >= 0; y--)
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (!d[i]) continue;
      let v = d[i]!;
      if (x < width - 1) v = Math.min(v, d[i + 1]! + 1);
      if (y < height - 1) v = Math.min(v, d[i + width]! + 1);
      if (x < width - 1 && y < height - 1) v = Math.min(v, d[i + width + 1]! + D);
      if (x > 0 && y < height - 1) v = Math.min(v, d[i + width - 1]! + D);
      d[i] = v;
    }
  return d;
}

/**
 * Drop minutiae closer than `minSeparation` to another (skeleton spurs, bridges, tiny islands: both
 * members go) and those within `margin` pixels of the mask border.
 */
export function cleanMinutiae(minutiae: Minutia[], inside: Float32Array, width: number, minSeparation: number, margin: number): Minutia[] {
  const keep = minutiae.map((m) => (inside[Math.round(m.y) * width + Math.round(m.x)] ?? 0) > margin);
  const s2 = minSeparation * minSeparation;
  for (let a = 0; a < minutiae.length; a++)
    for (let b = a + 1; b < minutiae.length; b++) {
      const dx = minutiae[a]!.x - minutiae[b]!.x;
      const dy = minutiae[a]!.y - minutiae[b]!.y;
      if (dx * dx + dy * dy < s2) keep[a] = keep[b] = false;
    }
  return minutiae.filter((_, i) => keep[i]);
}

/**
 * Binarise a ridge field at 0, settle the near-ambiguous spots (a morphological opening cuts ridge
 * necks thinner than 3 px, a closing fills valley gaps narrower than 3 px, 3 x 3 cross), and smooth the
 * result into a ridge profile in [-1, 1] (see MasterFingerprint.ridges).
 */
export function ridgeProfile(field: Float32Array, width: number, height: number, sigma: number = TRUTH.profileSigma): Float32Array {
  const cv = getCv();
  const bin = withMats('synthetic ridge profile', (track) => {
    const m = track(new cv.Mat(height, width, cv.CV_8U));
    const d = m.data;
    for (let i = 0; i < width * height; i++) d[i] = field[i]! > 0 ? 255 : 0;
    const k = track(cv.getStructuringElement(cv.MORPH_CROSS, new cv.Size(3, 3)));
    const anchor = new cv.Point(-1, -1);
    const border = cv.morphologyDefaultBorderValue();
    cv.morphologyEx(m, m, cv.MORPH_OPEN, k, anchor, 1, cv.BORDER_REPLICATE, border);
    cv.morphologyEx(m, m, cv.MORPH_CLOSE, k, anchor, 1, cv.BORDER_REPLICATE, border);
    const out = new Float32Array(width * height);
    const r = m.data;
    for (let i = 0; i < out.length; i++) out[i] = r[i] ? 1 : -1;
    return out;
  });
  return gaussianBlur(bin, width, height, sigma);
}

function minutiaeAtThreshold(ridges: Float32Array, width: number, height: number, threshold: number): Minutia[] {
  const bin = new Uint8Array(width * height);
  for (let i = 0; i < bin.length; i++) bin[i] = ridges[i]! > threshold ? 1 : 0;
  const found = skeletonMinutiae(thinZhangSuen(bin, width, height), width, height, TRUTH.traceLength);
  // A ridge bifurcation is the end of the valley between its branches (ISO/IEC 19794-2:2005 §6.4.1.3
  // defines its direction by that valley). Where the valley skeleton ends near the fork, its direction is
  // taken: tracing the three ridge branches is ambiguous where the fork's neck is thick.
  for (let i = 0; i < bin.length; i++) bin[i] = bin[i] ? 0 : 1;
  const valleyEndings = skeletonMinutiae(thinZhangSuen(bin, width, height), width, height, TRUTH.traceLength).filter((m) => m.type === 'ending');
  const r2 = TRUTH.valleyEndingRadius * TRUTH.valleyEndingRadius;
  return found.map((m) => {
    if (m.type !== 'bifurcation') return m;
    let best: Minutia | undefined;
    let bestD = r2;
    for (const v of valleyEndings) {
      const d = (v.x - m.x) ** 2 + (v.y - m.y) ** 2;
      if (d <= bestD) { bestD = d; best = v; }
    }
    return best ? { ...m, angle: best.angle } : m;
  });
}

/**
 * Ground-truth minutiae of a ridge field (positive = ridge) inside a mask: binarise at 0, thin,
 * crossing number, clean (see `cleanMinutiae`). Only minutiae that are stable under a ridge-threshold
 * shift of ±`TRUTH.stabilityShift` are kept (same type within `TRUTH.stabilityDistance` pixels at both
 * shifted thresholds): a fork whose neck is nearly open or an ending nearly touching the next ridge
 * would flip type (and direction by π) with the slightest change of pressure, and is no reliable truth.
 */
export function groundTruthMinutiae(ridges: Float32Array, mask: Uint8Array, width: number, height: number, margin: number = TRUTH.borderMargin): Minutia[] {
  return groundTruth(ridges, mask, width, height, margin).minutiae;
}

/**
 * As `groundTruthMinutiae`, and also the minutiae left out as unstable (`ambiguous`): evaluators may
 * treat detections near them as neither right nor wrong ("don't care" points).
 */
export function groundTruth(ridges: Float32Array, mask: Uint8Array, width: number, height: number, margin: number = TRUTH.borderMargin): { minutiae: Minutia[]; ambiguous: Minutia[] } {
  const found = minutiaeAtThreshold(ridges, width, height, 0);
  const cleaned = cleanMinutiae(found, distanceInside(mask, width, height), width, TRUTH.minSeparation, margin);
  const shifted = [-TRUTH.stabilityShift, TRUTH.stabilityShift].map((t) => minutiaeAtThreshold(ridges, width, height, t));
  const d2 = TRUTH.stabilityDistance * TRUTH.stabilityDistance;
  const stable = (m: Minutia): boolean => shifted.every((set) => set.some((q) => q.type === m.type && (q.x - m.x) ** 2 + (q.y - m.y) ** 2 <= d2));
  const minutiae: Minutia[] = [];
  const ambiguous: Minutia[] = [];
  for (const m of cleaned) (stable(m) ? minutiae : ambiguous).push(m);
  return { minutiae, ambiguous };
}

/**
 * Generate a master fingerprint from a seed.
 * @param seed any finite number (low 32 bits used); the same seed and options give identical output.
 * @throws FingerliftError E_INVALID_ARGUMENT for a non-finite seed or a canvas under 128 x 128 pixels.
 */
export function generateMaster(seed: number, options: MasterOptions = {}): MasterFingerprint {
  const width = options.width ?? MASTER.width;
  const height = options.height ?? MASTER.height;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 128 && height >= 128 && width * height <= 4_000_000))
    throw new FingerliftError('E_INVALID_ARGUMENT', `synthetic master size ${width} x ${height}: width and height must be integers >= 128, at most 4 MP`);
  const rng = new Rng(deriveSeed(seed, 'master'));
  const cls = options.class ?? rng.pick(FINGERPRINT_CLASSES);
  if (!FINGERPRINT_CLASSES.includes(cls)) throw new FingerliftError('E_INVALID_ARGUMENT', `synthetic master class "${String(cls)}": expected one of ${FINGERPRINT_CLASSES.join(', ')}`);
  const shape = randomFingertipShape(width, height, rng);
  const orientationModel = randomOrientationModel(cls, shape.cx, shape.cy, rng);
  const orientation = orientationField(orientationModel, width, height);
  const mean = options.wavelength ?? rng.uniform(MASTER.wavelength[0], MASTER.wavelength[1]);
  if (!(mean >= 5 && mean <= 15)) throw new FingerliftError('E_INVALID_ARGUMENT', `synthetic master wavelength ${mean}: expected 5-15 pixels`);
  const wavelength = wavelengthMap(width, height, mean, rng);
  const growth = growRidges(orientation, wavelength, width, height, rng.fork(), options.seeds !== undefined ? { seeds: options.seeds } : {});
  const ridges = ridgeProfile(growth.field, width, height);
  const mask = fingertipMask(shape, width, height);
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = mask[i] ? 0.5 - 0.5 * Math.tanh(GROWTH.renderSlope * ridges[i]!) : 1;
  const { minutiae, ambiguous } = groundTruth(ridges, mask, width, height);
  return { seed, class: cls, width, height, ppi: MASTER.ppi, ridges, image: { width, height, data }, mask, shape, orientationModel, orientation, wavelength, minutiae, ambiguous, iterations: growth.iterations };
}
