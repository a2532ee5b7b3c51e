/**
 * Types of fingertip localisation. Coordinates are pixels of the photo as loaded (EXIF orientation
 * applied): origin top-left, x right, y down. Angles are radians, counter-clockwise as displayed.
 */
import type { Mask } from '../enhance/types.js';

/**
 * A rotated rectangle in photo pixels. `angle` is the direction of the box's long (finger) axis,
 * pointing from the palm toward the fingertip, in radians, counter-clockwise from +x as displayed
 * (a finger pointing up has angle π/2). `width` is measured across the finger, `height` along it.
 */
export interface OrientedBox {
  /** Centre, photo pixels. */
  cx: number;
  cy: number;
  /** Extent across the finger axis, pixels. */
  width: number;
  /** Extent along the finger axis, pixels. */
  height: number;
  /** Finger axis toward the tip, radians, counter-clockwise as displayed, in (-π, π]. */
  angle: number;
  label?: string;
  /** Confidence in [0, 1]. */
  score?: number;
}

/** The four corners of a box, photo pixels, in the order tip-left, tip-right, base-right, base-left (as seen looking along the finger toward the tip). */
export function boxCorners(box: OrientedBox): Array<[number, number]> {
  const ux = Math.cos(box.angle);
  const uy = -Math.sin(box.angle); // image y grows downward
  const vx = -uy; // across the finger, to the finger's right when it points up
  const vy = ux;
  const h = box.height / 2;
  const w = box.width / 2;
  const at = (a: number, b: number): [number, number] => [box.cx + ux * a + vx * b, box.cy + uy * a + vy * b];
  return [at(h, -w), at(h, w), at(-h, w), at(-h, -w)];
}

/** True when the photo pixel (x, y) lies inside the box (the same side of all four edges). */
export function insideBox(box: OrientedBox, x: number, y: number): boolean {
  const poly = boxCorners(box);
  let s = 0;
  for (let i = 0; i < 4; i++) {
    const [x1, y1] = poly[i]!, [x2, y2] = poly[(i + 1) % 4]!;
    s += Math.sign((x2 - x1) * (y - y1) - (y2 - y1) * (x - x1));
  }
  return Math.abs(s) === 4;
}

/** Where the estimated resolution of a fingertip came from. */
export type PpiBasis = 'ridge-period' | 'finger-width';

/** One located fingertip (distal phalanx). */
export interface LocatedFingertip {
  /** Box around the distal phalanx, photo pixels. */
  box: OrientedBox;
  /** Confidence that this is a fingertip, [0, 1] (shape x skin x ridge texture). */
  score: number;
  /** Estimated resolution of the photo at this fingertip, pixels per inch (never invented: see `ppiBasis`). */
  estimatedPpi: number;
  ppiBasis: PpiBasis;
  /** Ridge period measured in the fingertip, photo pixels, when a ridge spectrum peak was found. */
  ridgePeriodPx?: number;
  /** Whether the ridges can be lifted (resolution and ridge texture sufficient). */
  usable: boolean;
  /** Why not usable (or a caution), in words. */
  reason?: string;
  /** Evidence behind the score, for the audit trail. */
  evidence: {
    /** Angle at the tip between the finger's two sides, degrees (small = pointed finger end). */
    tipAngleDeg: number;
    /** Width near the tip over width further down (≈ 1 for parallel finger sides). */
    parallelism: number;
    /** Ridge-band spectral peak over the background of the spectrum (1 = no peak). */
    ridgeSnr: number;
    /** Fraction of the box covered by the hand mask. */
    maskCoverage: number;
  };
}

/** What `locateFingertips` returns. */
export interface LocateResult {
  /** Hand / finger foreground mask at the working resolution (see `diagnostics.scale`). */
  handMask: Mask;
  /** Fingertips, best first. */
  fingertips: LocatedFingertip[];
  diagnostics: {
    /** Working-resolution pixels per photo pixel (≤ 1). */
    scale: number;
    /** Segmentation model used: colour (skin chromaticity) or luminance (grey photos). */
    segmentation: 'colour' | 'luminance';
    /** Skin chromaticity threshold (R-B)/(R+G+B) chosen for this photo, colour mode only. */
    skinThreshold?: number;
    /** Foreground fraction of the working image. */
    foregroundFraction: number;
    /** Fingertip candidates that passed the finger-shape test (before the texture / coverage checks). */
    candidates: number;
    /** Candidates examined and rejected, with reasons. */
    rejected: Array<{ x: number; y: number; reason: string }>;
    /** Milliseconds per step. */
    ms: Record<string, number>;
    notes: string[];
  };
}
