/**
 * Fingertip silhouette of a master fingerprint, after SFinGe (Cappelli, Maio & Maltoni 2002; Handbook of
 * Fingerprint Recognition 2009 §7.3): an upper half-ellipse for the tip, straight sides, and a rounded
 * lower edge (a quarter-ellipse on each side) where the finger's distal crease limits the print.
 */
import type { Rng } from './random.js';
import { MASTER } from './params.js';

/** Silhouette parameters, pixels (origin top-left, y down). */
export interface FingertipShape {
  cx: number;
  cy: number;
  halfWidth: number;
  /** Height of the tip half-ellipse above `cy`. */
  top: number;
  /** Distance from `cy` to the lower edge. */
  bottom: number;
  /** Height of the rounding of the lower corners. */
  bottomRound: number;
}

export function randomFingertipShape(width: number, height: number, rng: Rng): FingertipShape {
  const halfWidth = rng.uniform(MASTER.halfWidth[0], MASTER.halfWidth[1]);
  const top = rng.uniform(MASTER.top[0], MASTER.top[1]);
  const bottom = rng.uniform(MASTER.bottom[0], MASTER.bottom[1]);
  return { cx: width / 2 + rng.uniform(-6, 6), cy: height / 2 + (top - bottom) / 2 + rng.uniform(-6, 6), halfWidth, top, bottom, bottomRound: MASTER.bottomRound };
}

/**
 * Normalised "radius" of (x, y) in the silhouette: < 1 inside, 1 on the border, > 1 outside. Scaling
 * the shape about its centre by s keeps the points with value < s.
 */
export function shapeRadius(s: FingertipShape, x: number, y: number): number {
  const u = (x - s.cx) / s.halfWidth;
  if (y <= s.cy) {
    const v = (y - s.cy) / s.top;
    return Math.sqrt(u * u + v * v);
  }
  const straight = s.bottom - s.bottomRound;
  const v = Math.max(0, y - s.cy - straight) / s.bottomRound;
  // Rounded-rectangle lower part: superellipse of order 4 keeps the sides straight longer.
  const r4 = u * u * u * u + v * v * v * v;
  return Math.max(Math.abs(u), Math.sqrt(Math.sqrt(r4)));
}

/** Foreground mask, height x width, row-major, 1 inside the fingertip, 0 outside. */
export function fingertipMask(s: FingertipShape, width: number, height: number, scale = 1): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = 0, i = 0; y < height; y++) for (let x = 0; x < width; x++, i++) m[i] = shapeRadius(s, x, y) < scale ? 1 : 0;
  return m;
}
