/**
 * Geometry of a contact impression: skin distortion followed by a rigid placement on the sensor.
 *
 * Skin distortion after Cappelli, Maio & Maltoni (2001), "Modelling plastic distortion in fingerprint
 * images": inside a close-contact region (here a disc of radius r about the contact centre c) the skin
 * does not move; outside it, points follow a small rigid transform T, blended in by a brake function of
 * the distance d outside the disc,
 *   Δ(v) = v + (T(v) − v) · brake(d(v)),   brake(d) = 1 − exp(−d² / 2k²).
 * The impression then applies a global rotation φ about the canvas centre and a translation.
 *
 * `forward` maps master pixels to impression pixels (for ground truth); `inverse` maps impression
 * pixels back (for resampling with cv.remap), by fixed-point iteration on the smooth distortion.
 */
export interface ImpressionGeometry {
  /** Canvas centre, pixels (rotation centre of the placement). */
  cx: number;
  cy: number;
  /** Global rotation (radians, counter-clockwise as displayed) and translation (pixels). */
  rotation: number;
  tx: number;
  ty: number;
  /** Close-contact disc centre and radius, brake scale k, pixels. */
  contactX: number;
  contactY: number;
  contactRadius: number;
  brakeK: number;
  /** Distortion transform T: rotation (radians) about the contact centre and translation (pixels). */
  distortionRotation: number;
  distortionTx: number;
  distortionTy: number;
}

const FIXED_POINT_ITERATIONS = 12;

function distortionOffset(g: ImpressionGeometry, x: number, y: number): [number, number] {
  const ux = x - g.contactX;
  const uy = y - g.contactY;
  const d = Math.max(0, Math.hypot(ux, uy) - g.contactRadius);
  const brake = 1 - Math.exp(-(d * d) / (2 * g.brakeK * g.brakeK));
  if (brake === 0) return [0, 0];
  // Rotation counter-clockwise as displayed (y down): x' = x cos + y sin, y' = −x sin + y cos.
  const c = Math.cos(g.distortionRotation);
  const s = Math.sin(g.distortionRotation);
  const tx = g.contactX + ux * c + uy * s + g.distortionTx;
  const ty = g.contactY - ux * s + uy * c + g.distortionTy;
  return [(tx - x) * brake, (ty - y) * brake];
}

/** Master pixel → impression pixel. */
export function forward(g: ImpressionGeometry, x: number, y: number): [number, number] {
  const [dx, dy] = distortionOffset(g, x, y);
  const ux = x + dx - g.cx;
  const uy = y + dy - g.cy;
  const c = Math.cos(g.rotation);
  const s = Math.sin(g.rotation);
  return [g.cx + ux * c + uy * s + g.tx, g.cy - ux * s + uy * c + g.ty];
}

/** Impression pixel → master pixel (inverse of `forward` to well under 0.01 px for the model's ranges). */
export function inverse(g: ImpressionGeometry, x: number, y: number): [number, number] {
  const ux = x - g.tx - g.cx;
  const uy = y - g.ty - g.cy;
  const c = Math.cos(g.rotation);
  const s = Math.sin(g.rotation);
  const vx = g.cx + ux * c - uy * s;
  const vy = g.cy + ux * s + uy * c;
  let px = vx, py = vy;
  for (let k = 0; k < FIXED_POINT_ITERATIONS; k++) {
    const [dx, dy] = distortionOffset(g, px, py);
    px = vx - dx;
    py = vy - dy;
  }
  return [px, py];
}

/**
 * Map a direction (radians, CCW as displayed) at master point (x, y) through `map`, by mapping a point
 * `step` pixels along it.
 */
export function mapAngle(map: (x: number, y: number) => [number, number], x: number, y: number, angle: number, step = 3): { x: number; y: number; angle: number } {
  const [x0, y0] = map(x, y);
  const [x1, y1] = map(x + step * Math.cos(angle), y - step * Math.sin(angle));
  const a = Math.atan2(-(y1 - y0), x1 - x0);
  return { x: x0, y: y0, angle: a < 0 ? a + 2 * Math.PI : a };
}
