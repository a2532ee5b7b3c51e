/**
 * Minutiae and templates, as DESIGN.md defines them.
 *
 * - x, y: pixels, origin top-left, x right, y down; sub-pixel allowed.
 * - angle: radians in [0, 2π), counter-clockwise as displayed (θ = atan2(−dy, dx) for a displacement
 *   (dx, dy) in pixel coordinates), pointing as ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 do:
 *   a ridge ending points from its end along the ridge into the ridge body; a bifurcation is the
 *   ending of the valley between its two branches, and points from the fork along that valley, into
 *   the opening between the branches (ISO/IEC 19794-2:2005 §6.4.1.3; ANSI INCITS 378-2004 §5.4.1.3).
 * - quality: [0, 1].
 */

export type MinutiaType = 'ending' | 'bifurcation';

export interface Minutia {
  x: number;
  y: number;
  /** Radians, [0, 2π), counter-clockwise as displayed, ISO/IEC 19794-2 direction convention. */
  angle: number;
  type: MinutiaType;
  /** [0, 1]. */
  quality: number;
}

export interface Template {
  /** Width of the image the minutiae came from, pixels. */
  width: number;
  /** Height of the image the minutiae came from, pixels. */
  height: number;
  /** Resolution, pixels per inch (500 after enhancement). */
  ppi: number;
  minutiae: Minutia[];
  /**
   * True for a print lifted from a photo whose resolution was estimated (from the ridge period or the
   * finger's width) rather than known: its 500 ppi scale is uncertain by several percent, so comparisons
   * that involve it search across scales (`SCALE_HYPOTHESES`, src/compare/scales.ts) and are judged with
   * the scale-search thresholds. Absent (or false) when the scale is known (contact prints, `--ppi`).
   * Kept by the JSON format only; NIST .xyt, ISO/IEC 19794-2 and ANSI 378 records have no field for it.
   */
  scaleEstimated?: boolean;
}

const TWO_PI = 2 * Math.PI;

/** Wrap an angle into [0, 2π). */
export function wrapAngle(a: number): number {
  const r = a % TWO_PI;
  return r < 0 ? r + TWO_PI : r;
}
