/**
 * Fingers pressed together (a "slap" of four fingers entering the photo from one side): the hand's
 * contour shows only shallow notches between the fingertips, so the contour-curvature detector of
 * fingertips.ts finds some tips twice and misses others. Here the fingers are separated on the extent
 * profile instead, a projection-profile method of the kind used to segment four-finger slap prints
 * (the task of NIST's NFSEG in NBIS): along the finger axis u (from where the hand
 * enters the photo toward the fingertips), every position v across the fingers gets the farthest hand
 * pixel E(v) = max u·p. Each fingertip is a rounded bump of E; fingers are split at the minima between
 * bumps. The axis is searched within ±30° of the entry direction (hand centroid minus the centroid of
 * its pixels on the photo border): the direction separating the most fingertips, among those the one
 * most perpendicular to the line through the outer tips (fingertips pressed together lie across the
 * fingers) and cutting the fingers into bands of the most equal widths.
 */
import { getCv, withMats } from '../cv/index.js';
import type { TipCandidate } from './fingertips.js';

/** Constants of the slap profile segmentation (working-resolution geometry). */
export const SLAP_DEFAULTS = {
  /**
   * A bump of the extent profile is a fingertip when its prominence (drop to the higher of the two
   * minima beside it) is at least this share of its half-width: a rounded fingertip of radius r drops
   * by about r where its neighbour's tip touches it; 0.25 accepts tips set back by up to 3/4 r.
   */
  minRoundness: 0.25,
  /** Smallest finger width, share of the hand's extent across the fingers. */
  minWidthShare: 0.08,
  /** Largest width ratio between the fingers of one hand. */
  maxWidthRatio: 2.2,
  /** At most four fingers press together in one hand (the thumb stands apart). */
  maxFingers: 4,
  /** At least this many fingers for the profile segmentation to replace the contour's candidates. */
  minFingers: 3,
  /**
   * Fingertips pressed together level with each other leave only shallow bumps on the extent profile
   * (a 1-3 px dip between 30 px wide fingers at the working resolution). Four bumps at a regular
   * spacing (each gap within this factor of the median gap, the gap at least the smallest finger
   * width) are taken as four fingers even when too shallow for minRoundness: a comb of equal widths
   * is the signature of a slap. Bumps must still rise by combMinProminence working pixels.
   * Measured on ridgebase/hands (bench/photo.ts): photos with exactly four boxes 3 -> 6 of 9 (21022 bg3 LEFT,
   * 21583 bg2 and bg3 LEFT, whose dips between the inner fingers are 1-3 px); hands and
   * fingerphoto-casual boxes unchanged.
   */
  combGapTolerance: 1.3,
  combMinProminence: 0.5,
  /** Shape score of a profile fingertip (the contour detector's merged fingers score 0.75-0.8). */
  shape: 0.8,
} as const;

export interface SlapHand {
  /** Fingertips found on the profile, in order across the hand. */
  tips: TipCandidate[];
  /** Label of the hand's connected component (8-connectivity, OpenCV's labelling, as in fingertips.ts). */
  label: number;
}

/**
 * Find fingers pressed together in each hand component of `mask` (width x height, 1 = hand) that
 * enters the photo through its border. Returns one entry per component with at least
 * `SLAP_DEFAULTS.minFingers` fingertips.
 */
export function slapFingertips(mask: Uint8Array, w: number, h: number): SlapHand[] {
  const cv = getCv();
  const labels = withMats('slapFingertips', (t) => {
    const m = t(new cv.Mat(h, w, cv.CV_8UC1));
    m.data.set(mask);
    const l = t(new cv.Mat());
    cv.connectedComponents(m, l, 8, cv.CV_32S);
    return new Int32Array(l.data32S);
  });
  let nLab = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > nLab) nLab = labels[i]!;
  const out: SlapHand[] = [];
  for (let lab = 1; lab <= nLab; lab++) {
    const tips = slapComponent(labels, lab, w, h);
    if (tips && tips.length >= SLAP_DEFAULTS.minFingers) out.push({ tips, label: lab });
  }
  return out;
}

function slapComponent(L: Int32Array, lab: number, w: number, h: number): TipCandidate[] | undefined {
  // Centroid, border entry centroid.
  let n = 0, sx = 0, sy = 0, nb = 0, bx = 0, by = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (L[y * w + x] !== lab) continue;
      n++; sx += x; sy += y;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) { nb++; bx += x; by += y; }
    }
  if (n < 0.02 * w * h || nb < 3) return undefined;
  const cx = sx / n, cy = sy / n;
  let ex = cx - bx / nb, ey = cy - by / nb;
  const el = Math.hypot(ex, ey);
  if (el < 1) return undefined;
  ex /= el; ey /= el;
  // The finger axis: the direction, within ±30° of the entry direction (5° steps), whose extent
  // profile separates the most fingertips (ties: see the score below).
  const pts: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (L[y * w + x] === lab) pts.push(x, y);
  let best: TipCandidate[] | undefined, bestScore = -1;
  const e0 = Math.atan2(ey, ex);
  for (let d = -30; d <= 30; d += 5) {
    const a = e0 + (d * Math.PI) / 180;
    const r = profileTips(pts, Math.cos(a), Math.sin(a), w, h);
    if (!r) continue;
    // Fingertips of fingers pressed together lie across the axis: among axes separating as many
    // fingertips, the one most perpendicular to the line through the outer tips.
    const f = r.tips[0]!, l = r.tips[r.tips.length - 1]!;
    const across = Math.abs((l.tipX - f.tipX) * Math.cos(a) + (l.tipY - f.tipY) * Math.sin(a)) / (Math.hypot(l.tipX - f.tipX, l.tipY - f.tipY) || 1);
    // The fingers of one hand are of similar width: an axis at a slant to the fingers cuts them into bands of
    // unequal width where the fingertips are staggered, so the spread of the widths (log of the largest over
    // the smallest, at most log maxWidthRatio = 0.79) counts against an axis too. Measured on ridgebase/hands:
    // 21022 bg2 LEFT (index and middle fingertips well ahead of the others) took an axis 25 degrees off the
    // fingers by `across` alone (boxes across two fingers each); 4 of the 9 photos' axes moved by 5-10 degrees.
    // A comb of shallow bumps (regularComb) only where no axis separates as many fingertips by their
    // roundness alone (5 outweighs `across` + `spread`, under 1.8).
    const ws = r.tips.map((t) => t.width);
    const spread = Math.log(Math.max(...ws) / Math.max(1, Math.min(...ws)));
    const score = r.tips.length * 10 - across - spread - (r.comb ? 5 : 0);
    if (score > bestScore) { bestScore = score; best = r.tips; }
  }
  return best;
}

/** Fingertips on the extent profile along the axis (ux, uy), working pixels; undefined when fewer than minFingers. */
function profileTips(pts: number[], ux: number, uy: number, w: number, h: number): { tips: TipCandidate[]; comb: boolean } | undefined {
  const vx = -uy, vy = ux;
  // Extent profile E(v) = max t over the component, 1 px bins in v.
  let vmin = Infinity, vmax = -Infinity;
  for (let i = 0; i < pts.length; i += 2) { const v = pts[i]! * vx + pts[i + 1]! * vy; if (v < vmin) vmin = v; if (v > vmax) vmax = v; }
  const nv = Math.floor(vmax - vmin) + 1;
  if (nv < 16) return undefined;
  const E = new Float64Array(nv).fill(-Infinity);
  for (let i = 0; i < pts.length; i += 2) {
    const x = pts[i]!, y = pts[i + 1]!;
    const k = Math.floor(x * vx + y * vy - vmin);
    const t = x * ux + y * uy;
    if (t > E[k]!) E[k] = t;
  }
  for (let k = 1; k < nv; k++) if (E[k] === -Infinity) E[k] = E[k - 1]!;
  // Light smoothing (3-tap, twice).
  for (let pass = 0; pass < 2; pass++) {
    const c = Float64Array.from(E);
    for (let k = 1; k < nv - 1; k++) E[k] = (c[k - 1]! + c[k]! + c[k + 1]!) / 3;
  }
  // Fingertips touching the photo border are not tips.
  const tMaxPhoto = (k: number): boolean => {
    const v = vmin + k, t = E[k]!;
    const x = ux * t + vx * v, y = uy * t + vy * v;
    return x <= 1 || y <= 1 || x >= w - 2 || y >= h - 2;
  };
  // Local maxima with their prominence (drop to the higher of the minima toward the next higher point
  // on either side, or the profile's end).
  const minW = SLAP_DEFAULTS.minWidthShare * nv;
  const peaks: Array<{ k: number; lo: number; hi: number; prom: number }> = [];
  for (let k = 1; k < nv - 1; k++) {
    if (!(E[k]! >= E[k - 1]! && E[k]! > E[k + 1]!)) continue;
    let lo = k, loMin = E[k]!, hi = k, hiMin = E[k]!;
    for (let j = k - 1; j >= 0 && E[j]! <= E[k]!; j--) if (E[j]! < loMin) { loMin = E[j]!; lo = j; }
    for (let j = k + 1; j < nv && E[j]! <= E[k]!; j++) if (E[j]! < hiMin) { hiMin = E[j]!; hi = j; }
    const prom = E[k]! - Math.max(loMin, hiMin);
    const half = Math.max(1, Math.min(k - lo, hi - k));
    if (prom < SLAP_DEFAULTS.minRoundness * half || half < minW / 2 || tMaxPhoto(k)) continue;
    peaks.push({ k, lo, hi, prom });
  }
  let viaComb = false;
  if (peaks.length < SLAP_DEFAULTS.maxFingers) {
    const comb = regularComb(E, peaks.map((q) => q.k), minW, tMaxPhoto);
    if (comb) { peaks.length = 0; peaks.push(...comb.map((k) => ({ k, lo: k, hi: k, prom: 0 }))); viaComb = true; }
  }
  if (peaks.length < SLAP_DEFAULTS.minFingers) return undefined;
  // Four fingers at most press together (the thumb stands apart): keep the four roundest bumps.
  if (peaks.length > SLAP_DEFAULTS.maxFingers) {
    const round = (q: { k: number; lo: number; hi: number; prom: number }): number => q.prom / Math.max(1, Math.min(q.k - q.lo, q.hi - q.k));
    peaks.sort((a, b) => round(b) - round(a));
    peaks.splice(SLAP_DEFAULTS.maxFingers);
  }
  peaks.sort((a, b) => a.k - b.k);
  // Finger boundaries: the lowest point of E between neighbouring peaks; outer boundaries mirror the
  // neighbour's half-width (limited to the profile's ends).
  const cuts: number[] = [];
  for (let i = 0; i + 1 < peaks.length; i++) {
    let m = peaks[i]!.k;
    for (let j = peaks[i]!.k; j <= peaks[i + 1]!.k; j++) if (E[j]! < E[m]!) m = j;
    cuts.push(m);
  }
  // Inner fingers span cut to cut; an outer finger spans from its cut to its outer side near the tip:
  // outward while the profile stays within one inner finger width of its tip.
  const inner: number[] = [];
  for (let i = 1; i < cuts.length; i++) inner.push(cuts[i]! - cuts[i - 1]!);
  const wRef = inner.length ? inner.sort((a, b) => a - b)[inner.length >> 1]! : Math.abs(cuts[0]! - peaks[0]!.k) * 2;
  const tips: TipCandidate[] = [];
  for (let i = 0; i < peaks.length; i++) {
    const k = peaks[i]!.k;
    let left = i > 0 ? cuts[i - 1]! : k, right = i < cuts.length ? cuts[i]! : k;
    if (i === 0) while (left > 0 && E[left - 1]! >= E[k]! - wRef && right - left < wRef) left--;
    if (i === peaks.length - 1) while (right < nv - 1 && E[right + 1]! >= E[k]! - wRef && right - left < wRef) right++;
    const width = right - left;
    const centre = (left + right) / 2;
    const t = E[k]!;
    const v = vmin + centre;
    tips.push({ tipX: ux * t + vx * v, tipY: uy * t + vy * v, ux, uy, width, tipAngleDeg: 0, parallelism: 1, shape: SLAP_DEFAULTS.shape, comp: -1 });
  }
  const ws = tips.map((c) => c.width).sort((a, b) => a - b);
  if (ws[ws.length - 1]! > SLAP_DEFAULTS.maxWidthRatio * ws[0]!) {
    // Drop outliers against the median width rather than give up.
    const med = ws[ws.length >> 1]!;
    const kept = tips.filter((c) => c.width <= SLAP_DEFAULTS.maxWidthRatio * med && c.width >= med / SLAP_DEFAULTS.maxWidthRatio);
    return kept.length >= SLAP_DEFAULTS.minFingers ? { tips: kept, comb: viaComb } : undefined;
  }
  return { tips, comb: viaComb };
}

/**
 * Four local maxima of the extent profile E at a regular spacing (see SLAP_DEFAULTS.combGapTolerance),
 * including every bump already accepted (`strict`); among such sets the one with the highest summed
 * extent. Undefined when none exists.
 */
function regularComb(E: Float64Array, strict: number[], minW: number, atBorder: (k: number) => boolean): number[] | undefined {
  const nv = E.length;
  const cand: Array<{ k: number; prom: number }> = [];
  for (let k = 1; k < nv - 1; k++) {
    if (!(E[k]! >= E[k - 1]! && E[k]! > E[k + 1]!) || atBorder(k)) continue;
    let loMin = E[k]!, hiMin = E[k]!;
    for (let j = k - 1; j >= 0 && E[j]! <= E[k]!; j--) loMin = Math.min(loMin, E[j]!);
    for (let j = k + 1; j < nv && E[j]! <= E[k]!; j++) hiMin = Math.min(hiMin, E[j]!);
    const prom = E[k]! - Math.max(loMin, hiMin);
    if (prom >= SLAP_DEFAULTS.combMinProminence || strict.includes(k)) cand.push({ k, prom });
  }
  if (cand.length < 4 || cand.length > 16) return undefined;
  const tol = SLAP_DEFAULTS.combGapTolerance;
  let best: number[] | undefined, bestV = -Infinity;
  const n = cand.length;
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++)
      for (let c = b + 1; c < n; c++)
        for (let d = c + 1; d < n; d++) {
          const ks = [cand[a]!.k, cand[b]!.k, cand[c]!.k, cand[d]!.k];
          if (!strict.every((s) => ks.includes(s))) continue;
          const gaps = [ks[1]! - ks[0]!, ks[2]! - ks[1]!, ks[3]! - ks[2]!];
          const med = [...gaps].sort((x, y) => x - y)[1]!;
          if (gaps.some((g) => g < minW || g > tol * med || g * tol < med)) continue;
          const v = ks.reduce((acc, k) => acc + E[k]!, 0);
          if (v > bestV) { bestV = v; best = ks; }
        }
  return best;
}
