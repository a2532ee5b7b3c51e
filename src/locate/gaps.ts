/**
 * Fingers side by side in a whole-hand photo: touching fingers leave no gap in the skin mask (the shadow
 * between them is skin-coloured too, and the mask's closing fills what is left), so the hand's contour
 * shows one blunt end where there are four fingertips. The line where two fingers touch is a long, thin,
 * dark valley of luminance, running along the fingers; the creases across the fingers (flexion creases,
 * knuckles) are dark valleys too, but short and across. Here the skin mask is cut along the long dark
 * valleys that run in the hand's dominant valley direction, and the fingertip detector runs on the cut
 * mask.
 *
 * Valleys: the black top-hat (Meyer 1979; Soille, "Morphological Image Analysis", 2003, §4.4) of
 * luminance with a disc a little wider than the gap, thresholded at a multiple of its median over the
 * hand. Long straight valleys: the union of openings by line segments at 12 directions (Soille & Talbot
 * 2001, "Directional morphological filtering", IEEE TPAMI 23), keeping the directions within
 * `gapAngleWindowDeg` of the direction with the most valley pixels (the fingers' direction where
 * fingers touch along their length).
 */
import { getCv, withMats } from '../cv/index.js';
import type { WorkingImage } from './working.js';
import type { TipCandidate } from './fingertips.js';

/** Constants of the finger-gap cut (working-resolution geometry, luminance in 0-255 grey levels). */
export const GAP_DEFAULTS = {
  /** Radius of the black top-hat disc, share of the working image's short side (0.01: 4 px at 480 x 360, gaps of 1-3 px). */
  radiusShare: 0.01,
  /** A valley pixel's top-hat reaches this multiple of the median top-hat over the hand mask. */
  contrastFactor: 4,
  /** ... and at least this many grey levels (of 255): a flat, evenly lit hand gives no valleys. */
  minContrast: 6,
  /** Length of the line segments of the directional openings, share of the square root of the hand's area (0.12: about one finger width). */
  lengthShare: 0.12,
  /** Valley directions kept around the dominant one, degrees on either side. */
  angleWindowDeg: 30,
  /** Directions of the line openings: every 15 degrees. */
  angleStepDeg: 15,
} as const;

/**
 * The skin mask (width x height, 1 = hand) cut along the long dark valleys of luminance inside it that
 * run in the dominant valley direction (see the module comment). Returns undefined for a grey working
 * image (no colour: the luminance is what segmented the hand) or a mask without valleys.
 */
export function cutFingerGaps(work: WorkingImage, mask: Uint8Array): Uint8Array | undefined {
  if (work.channels !== 3) return undefined;
  const cv = getCv();
  const { width: w, height: h, data: d } = work;
  const n = w * h;
  let area = 0;
  for (let i = 0; i < n; i++) area += mask[i]!;
  if (area === 0) return undefined;
  const r = Math.max(1, Math.round(Math.min(w, h) * GAP_DEFAULTS.radiusShare));
  const len = Math.max(5, Math.round(GAP_DEFAULTS.lengthShare * Math.sqrt(area))) | 1;
  return withMats('cutFingerGaps', (t) => {
    const lum = t(new cv.Mat(h, w, cv.CV_8UC1));
    const L = lum.data as Uint8Array;
    for (let i = 0; i < n; i++) L[i] = Math.round(0.299 * d[i * 3]! + 0.587 * d[i * 3 + 1]! + 0.114 * d[i * 3 + 2]!);
    const disc = t(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(2 * r + 1, 2 * r + 1)));
    const hat = t(new cv.Mat());
    cv.morphologyEx(lum, hat, cv.MORPH_BLACKHAT, disc);
    const H = hat.data as Uint8Array;
    // Inside the hand, away from its outline (the top-hat of the skin/background edge is no gap).
    const inner = t(new cv.Mat(h, w, cv.CV_8UC1));
    inner.data.set(mask);
    cv.erode(inner, inner, disc);
    const I = inner.data as Uint8Array;
    const hist = new Float64Array(256);
    for (let i = 0; i < n; i++) if (mask[i]) hist[H[i]!]!++;
    let med = 0;
    for (let acc = 0; med < 255; med++) if ((acc += hist[med]!) >= area / 2) break;
    const thr = Math.max(GAP_DEFAULTS.minContrast, GAP_DEFAULTS.contrastFactor * med);
    const valley = t(new cv.Mat(h, w, cv.CV_8UC1));
    const V = valley.data as Uint8Array;
    let nv = 0;
    for (let i = 0; i < n; i++) if (I[i] && H[i]! >= thr) { V[i] = 1; nv++; } else V[i] = 0;
    if (nv === 0) return undefined;
    // Openings by line segments, one per direction.
    const nDir = Math.round(180 / GAP_DEFAULTS.angleStepDeg);
    const opened: Uint8Array[] = [];
    const counts = new Float64Array(nDir);
    const out = t(new cv.Mat());
    const c = (len - 1) / 2;
    for (let k = 0; k < nDir; k++) {
      const a = (k * GAP_DEFAULTS.angleStepDeg * Math.PI) / 180;
      const line = t(cv.Mat.zeros(len, len, cv.CV_8UC1));
      const dx = Math.cos(a) * c, dy = Math.sin(a) * c;
      cv.line(line, new cv.Point(Math.round(c - dx), Math.round(c - dy)), new cv.Point(Math.round(c + dx), Math.round(c + dy)), new cv.Scalar(1), 1);
      cv.morphologyEx(valley, out, cv.MORPH_OPEN, line);
      const o = Uint8Array.from(out.data as Uint8Array);
      let s = 0;
      for (let i = 0; i < n; i++) s += o[i]!;
      opened.push(o);
      counts[k] = s;
    }
    // The dominant direction: the most valley pixels, smoothed over the neighbouring directions (1-2-1).
    let dom = 0, best = -1;
    for (let k = 0; k < nDir; k++) {
      const v = counts[(k + nDir - 1) % nDir]! + 2 * counts[k]! + counts[(k + 1) % nDir]!;
      if (v > best) { best = v; dom = k; }
    }
    if (best <= 0) return undefined;
    const win = Math.round(GAP_DEFAULTS.angleWindowDeg / GAP_DEFAULTS.angleStepDeg);
    const gaps = t(cv.Mat.zeros(h, w, cv.CV_8UC1));
    const G = gaps.data as Uint8Array;
    for (let k = 0; k < nDir; k++) {
      const dk = Math.min(Math.abs(k - dom), nDir - Math.abs(k - dom));
      if (dk > win) continue;
      const o = opened[k]!;
      for (let i = 0; i < n; i++) if (o[i]) G[i] = 1;
    }
    // Cut: the gaps widened by one pixel, then a 3 x 3 opening removes the slivers left along them.
    const sq = t(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(3, 3)));
    cv.dilate(gaps, gaps, sq);
    const cut = t(new cv.Mat(h, w, cv.CV_8UC1));
    const C = cut.data as Uint8Array;
    const G2 = gaps.data as Uint8Array;
    for (let i = 0; i < n; i++) C[i] = mask[i] && !G2[i] ? 1 : 0;
    cv.morphologyEx(cut, cut, cv.MORPH_OPEN, sq);
    return Uint8Array.from(cut.data as Uint8Array);
  });
}

/**
 * The median of `widths` and how many of them lie within `ratio` of it (either way): the fingertips of one
 * hand are of similar width. Median of an empty list: 0.
 */
export function widthAgreement(widths: readonly number[], ratio: number): { median: number; similar: number } {
  if (widths.length === 0) return { median: 0, similar: 0 };
  const ws = [...widths].sort((a, b) => a - b);
  const median = ws[ws.length >> 1]!;
  return { median, similar: ws.filter((v) => v <= ratio * median && v * ratio >= median).length };
}

/** Candidates at least `minWidth` working pixels wide and within `ratio` of the median width of those. */
export function similarWidths(tips: readonly TipCandidate[], minWidth: number, ratio: number): TipCandidate[] {
  const wide = tips.filter((t) => t.width >= minWidth);
  const { median } = widthAgreement(wide.map((t) => t.width), ratio);
  return wide.filter((t) => t.width <= ratio * median && t.width * ratio >= median);
}

/**
 * The candidates whose tip lies on the outline of the uncut hand mask (width x height, 1 = hand): within
 * `share` of their width of the background (distance transform, L2). A fingertip of fingers side by side
 * is on the hand's outline; the ends of pieces cut out by creases inside the hand are not.
 */
export function onOutline(tips: readonly TipCandidate[], mask: Uint8Array, w: number, h: number, share: number): TipCandidate[] {
  const cv = getCv();
  return withMats('onOutline', (t) => {
    const m = t(new cv.Mat(h, w, cv.CV_8UC1));
    m.data.set(mask);
    const dist = t(new cv.Mat());
    cv.distanceTransform(m, dist, cv.DIST_L2, 3);
    const D = dist.data32F as Float32Array;
    return tips.filter((c) => {
      const x = Math.min(w - 1, Math.max(0, Math.round(c.tipX))), y = Math.min(h - 1, Math.max(0, Math.round(c.tipY)));
      return D[y * w + x]! <= Math.max(2, share * c.width);
    });
  });
}
