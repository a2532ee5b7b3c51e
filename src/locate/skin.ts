/**
 * Hand / finger foreground segmentation at the working resolution.
 *
 * Colour photos: skin is red over blue at any exposure and skin tone (Chai & Ngan 1999; Kakumanu,
 * Makrogiannis & Bourbakis 2007), so the chromaticity (R - B) / (R + G + B), smoothed, is thresholded at
 * the photo's own Otsu (1979) threshold, kept within `skinChromaticity` (the range that separates skin
 * from grey or white backgrounds here); skin must also be redder than green (Kovac, Peer & Solina 2003).
 * Grey photos (no chroma, e.g. lab cameras with a dark background): Otsu's threshold on blurred
 * luminance, finger = bright side.
 * Then morphological opening / closing, hole filling, small components dropped.
 */
import { getCv, withMats } from '../cv/index.js';
import type { LocateOptions } from './params.js';
import type { WorkingImage } from './working.js';

export interface Segmentation {
  /** width x height, 1 = hand / finger. */
  mask: Uint8Array;
  mode: 'colour' | 'luminance';
  /** Chromaticity threshold (R-B)/(R+G+B) used, colour mode. */
  skinThreshold?: number;
  /** The photo's own Otsu threshold of chromaticity before the clamp to `skinChromaticity`, colour mode. */
  skinOtsu?: number;
  /** Mean (smoothed) chromaticity of the pixels taken as skin before cleaning, colour mode. */
  skinMean?: number;
  notes: string[];
}

/** Segment the hand / finger in a working image. */
export function segmentHand(work: WorkingImage, p: LocateOptions): Segmentation {
  const cv = getCv();
  const { width: w, height: h } = work;
  const n = w * h;
  const notes: string[] = [];
  const mask = new Uint8Array(n);
  let mode: 'colour' | 'luminance' = 'luminance';
  let skinThreshold: number | undefined;
  let skinOtsu: number | undefined;
  let skinMean: number | undefined;

  const Y = new Float32Array(n);
  const Cr = new Float32Array(n);
  const Cb = new Float32Array(n);
  if (work.channels === 3) {
    const d = work.data;
    let sr = 0, sb = 0, srr = 0, sbb = 0;
    for (let i = 0; i < n; i++) {
      const r = d[i * 3]!, g = d[i * 3 + 1]!, b = d[i * 3 + 2]!;
      const y = 0.299 * r + 0.587 * g + 0.114 * b; // ITU-R BT.601
      const cr = (r - y) * 0.713 + 128;
      const cb = (b - y) * 0.564 + 128;
      Y[i] = y; Cr[i] = cr; Cb[i] = cb;
      sr += cr; sb += cb; srr += cr * cr; sbb += cb * cb;
    }
    const sdr = Math.sqrt(Math.max(0, srr / n - (sr / n) ** 2));
    const sdb = Math.sqrt(Math.max(0, sbb / n - (sb / n) ** 2));
    if (sdr >= p.greyChromaStd || sdb >= p.greyChromaStd) mode = 'colour';
    else notes.push(`chroma spread ${sdr.toFixed(2)}/${sdb.toFixed(2)} below ${p.greyChromaStd}: grey photo, luminance segmentation`);
  } else {
    for (let i = 0; i < n; i++) Y[i] = work.data[i]!;
  }

  if (mode === 'colour') {
    const d = work.data;
    const f = new Float32Array(n);
    const valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const r = d[i * 3]!, b = d[i * 3 + 2]!;
      const s = r + d[i * 3 + 1]! + b;
      // Chromaticity (R - B) / (R + G + B): skin is red over blue at any exposure; neutral grey = 0.
      if (s >= p.minSeedLuma * 3) { f[i] = (r - b) / s; valid[i] = 1; }
    }
    // Smooth the chromaticity (noise, ridges) before thresholding.
    withMats('segmentHand.chroma', (t) => {
      const m = t(new cv.Mat(h, w, cv.CV_32F));
      m.data32F.set(f);
      const k = 2 * Math.round(Math.min(w, h) / 150) + 1;
      cv.GaussianBlur(m, m, new cv.Size(k, k), 0);
      f.set(m.data32F);
    });
    const otsu = otsuThreshold(f, valid, -1, 1);
    const thr = Math.min(p.skinChromaticity[1], Math.max(p.skinChromaticity[0], otsu));
    let count = 0;
    // Skin is also redder than green (hue between red and yellow): Kovac, Peer & Solina 2003 ("Human skin
    // colour clustering for face detection", EUROCON; rule R > G, R > B). This keeps yellow-green
    // backgrounds (grass, foliage: red over blue too) out of the mask.
    let sum = 0;
    for (let i = 0; i < n; i++) if (valid[i] && f[i]! > thr && d[i * 3]! > d[i * 3 + 1]!) { mask[i] = 1; count++; sum += f[i]!; }
    if (count > 0) skinMean = sum / count;
    skinThreshold = thr;
    skinOtsu = otsu;
    notes.push(`skin chromaticity (R-B)/(R+G+B) > ${thr.toFixed(3)} (Otsu ${otsu.toFixed(3)}, clamped to [${p.skinChromaticity.join(', ')}]): ${(count / n * 100).toFixed(1)}% of pixels`);
  } else {
    withMats('segmentHand.otsu', (t) => {
      const m = t(new cv.Mat(h, w, cv.CV_8UC1));
      const yb = new Uint8Array(n);
      for (let i = 0; i < n; i++) yb[i] = Y[i]!;
      m.data.set(yb);
      const k = 2 * Math.round(Math.min(w, h) / 100) + 1;
      cv.GaussianBlur(m, m, new cv.Size(k, k), 0);
      const o = t(new cv.Mat());
      cv.threshold(m, o, 0, 1, cv.THRESH_BINARY | cv.THRESH_OTSU);
      mask.set(o.data as Uint8Array);
    });
  }
  cleanMask(mask, w, h, p);
  return { mask, mode, ...(skinThreshold !== undefined ? { skinThreshold } : {}), ...(skinOtsu !== undefined ? { skinOtsu } : {}), ...(skinMean !== undefined ? { skinMean } : {}), notes };
}

/** Opening and closing (elliptic element ~1.5% of the short side), holes filled, small components dropped; in place. */
export function cleanMask(mask: Uint8Array, w: number, h: number, p: LocateOptions): number {
  const cv = getCv();
  return withMats('cleanMask', (t) => {
    const m = t(new cv.Mat(h, w, cv.CV_8UC1));
    m.data.set(mask);
    const r = Math.max(1, Math.round(Math.min(w, h) * 0.0075));
    const se = t(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(2 * r + 1, 2 * r + 1)));
    cv.morphologyEx(m, m, cv.MORPH_OPEN, se);
    cv.morphologyEx(m, m, cv.MORPH_CLOSE, se);
    const contours = t(new cv.MatVector());
    const hier = t(new cv.Mat());
    cv.findContours(m, contours, hier, cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE);
    const areas: number[] = [];
    for (let i = 0; i < contours.size(); i++) {
      const c = contours.get(i);
      areas.push(cv.contourArea(c));
      c.delete();
    }
    const largest = Math.max(0, ...areas);
    const keep = t(new cv.MatVector());
    for (let i = 0; i < areas.length; i++) {
      if (areas[i]! >= p.minComponentFraction * w * h && areas[i]! >= p.minComponentRelative * largest) {
        const c = contours.get(i);
        keep.push_back(c);
        c.delete();
      }
    }
    const out = t(cv.Mat.zeros(h, w, cv.CV_8UC1));
    if (keep.size() > 0) cv.drawContours(out, keep, -1, new cv.Scalar(1), cv.FILLED);
    mask.set(out.data as Uint8Array);
    return keep.size() as number;
  });
}

/** Otsu's (1979) threshold of the values `v[i]` with `valid[i]`, on a 256-bin histogram over [lo, hi]. */
export function otsuThreshold(v: Float32Array, valid: Uint8Array, lo: number, hi: number): number {
  const bins = 256;
  const hist = new Float64Array(bins);
  let total = 0;
  for (let i = 0; i < v.length; i++) {
    if (!valid[i]) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((v[i]! - lo) / (hi - lo)) * bins)));
    hist[b]!++;
    total++;
  }
  if (total === 0) return (lo + hi) / 2;
  let sumAll = 0;
  for (let b = 0; b < bins; b++) sumAll += b * hist[b]!;
  let w0 = 0, sum0 = 0, best = -1, bestB = 0;
  for (let b = 0; b < bins - 1; b++) {
    w0 += hist[b]!;
    sum0 += b * hist[b]!;
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = sum0 / w0, m1 = (sumAll - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) ** 2;
    if (between > best) { best = between; bestB = b; }
  }
  return lo + ((bestB + 1) / bins) * (hi - lo);
}

/**
 * The skin-coloured region of `seg` (a colour segmentation) split by brightness: Otsu's (1979) threshold of
 * the working image's luminance (ITU-R BT.601) over the region's pixels, the brighter and the darker part each
 * cleaned as {@link segmentHand} cleans its mask. Parts left empty by the cleaning are dropped.
 */
export function splitByLuminance(work: WorkingImage, seg: Segmentation, p: LocateOptions): Segmentation[] {
  const { width: w, height: h, data: d } = work;
  const n = w * h;
  const Y = new Float32Array(n);
  for (let i = 0; i < n; i++) Y[i] = (0.299 * d[i * 3]! + 0.587 * d[i * 3 + 1]! + 0.114 * d[i * 3 + 2]!) / 255;
  const thr = otsuThreshold(Y, seg.mask, 0, 1);
  const out: Segmentation[] = [];
  for (const bright of [true, false]) {
    const mask = new Uint8Array(n);
    let count = 0;
    for (let i = 0; i < n; i++)
      if (seg.mask[i] && (Y[i]! > thr) === bright) {
        mask[i] = 1;
        count++;
      }
    if (count === 0 || cleanMask(mask, w, h, p) === 0) continue;
    out.push({
      ...seg,
      mask,
      notes: [...seg.notes, `skin-coloured region over ${Math.round((100 * seg.mask.reduce((a, v) => a + v, 0)) / n)}% of the photo and no fingertip in it: split by luminance at ${Math.round(thr * 255)} (Otsu), the ${bright ? 'brighter' : 'darker'} part taken as the hand`],
    });
  }
  return out;
}
