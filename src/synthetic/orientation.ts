/**
 * Orientation model of a synthetic master fingerprint.
 *
 * Loops, whorls and tented arches follow the zero-pole model of Sherlock & Monro (1993): with z a
 * point and c_k, d_k the cores and deltas as complex numbers in display coordinates (y up),
 *   θ(z) = θ∞ + ½ Σ_k arg(z − c_k) − ½ Σ_k arg(z − d_k)     (mod π),
 * so that the orientation turns by +π around a core and by −π around a delta (Poincaré index ±½).
 * A plain arch has no singular point; it is modelled as the level curves of a Gaussian bump
 * F(x, y) = y_up − A·exp(−(x−cx)²/2sx² − (y_up−cy)²/2sy²), whose tangent gives θ.
 *
 * Angles: ridge direction θ in [0, π), counter-clockwise from +x as displayed (DESIGN.md).
 */
import type { Rng } from './random.js';

export type FingerprintClass = 'arch' | 'tented-arch' | 'left-loop' | 'right-loop' | 'whorl';

export const FINGERPRINT_CLASSES: readonly FingerprintClass[] = ['arch', 'tented-arch', 'left-loop', 'right-loop', 'whorl'];

/** A singular point in pixel coordinates (origin top-left, y down). */
export interface SingularPoint {
  x: number;
  y: number;
}

export interface OrientationModel {
  class: FingerprintClass;
  cores: SingularPoint[];
  deltas: SingularPoint[];
  /** θ∞, radians: the orientation far from every singularity. */
  background: number;
  /** Arch parameters (only for 'arch'): bump centre, amplitude and widths, pixels. */
  arch?: { cx: number; cy: number; amplitude: number; sx: number; sy: number };
}

/**
 * Random singularities for a class, placed relative to the fingertip centre (cx, cy) as in real prints
 * (Henry classes; a right loop opens toward the right of the contact image, its delta lies lower left).
 */
export function randomOrientationModel(cls: FingerprintClass, cx: number, cy: number, rng: Rng): OrientationModel {
  const j = (s: number): number => rng.uniform(-s, s);
  const background = j(0.08);
  switch (cls) {
    case 'arch':
      return {
        class: cls,
        cores: [],
        deltas: [],
        background,
        arch: { cx: cx + j(15), cy: cy + 20 + j(25), amplitude: rng.uniform(70, 110), sx: rng.uniform(55, 80), sy: rng.uniform(80, 120) },
      };
    case 'tented-arch': {
      const x = cx + j(15);
      const yc = cy - 10 + j(20);
      return { class: cls, cores: [{ x, y: yc }], deltas: [{ x: x + j(6), y: yc + rng.uniform(45, 70) }], background };
    }
    case 'left-loop':
    case 'right-loop': {
      const side = cls === 'right-loop' ? -1 : 1;
      const core = { x: cx + side * -rng.uniform(5, 25), y: cy - 25 + j(20) };
      const delta = { x: core.x + side * rng.uniform(65, 100), y: core.y + rng.uniform(95, 135) };
      return { class: cls, cores: [core], deltas: [delta], background };
    }
    case 'whorl': {
      const x = cx + j(12);
      const y = cy - 10 + j(15);
      const half = rng.uniform(12, 22);
      const tilt = j(0.5);
      const c1 = { x: x - half * Math.sin(tilt), y: y - half * Math.cos(tilt) };
      const c2 = { x: x + half * Math.sin(tilt), y: y + half * Math.cos(tilt) };
      const dy = rng.uniform(85, 115);
      const d1 = { x: x - rng.uniform(85, 110), y: y + dy + j(15) };
      const d2 = { x: x + rng.uniform(85, 110), y: y + dy + j(15) };
      return { class: cls, cores: [c1, c2], deltas: [d1, d2], background };
    }
  }
}

/** Ridge orientation θ in [0, π) at pixel (x, y). */
export function orientationAt(model: OrientationModel, x: number, y: number): number {
  let t: number;
  if (model.arch) {
    const a = model.arch;
    // y_up = -y; F = y_up - A g, g = exp(-(x-cx)^2/2sx^2 - (y_up-cyu)^2/2sy^2), cyu = -cy.
    const dx = x - a.cx;
    const dyu = -y + a.cy;
    const g = a.amplitude * Math.exp(-(dx * dx) / (2 * a.sx * a.sx) - (dyu * dyu) / (2 * a.sy * a.sy));
    const fx = (g * dx) / (a.sx * a.sx);
    const fy = 1 + (g * dyu) / (a.sy * a.sy);
    // Tangent (fy, -fx) in y-up coordinates.
    t = Math.atan2(-fx, fy) + model.background;
  } else {
    let s = 0;
    for (const c of model.cores) s += Math.atan2(-(y - c.y), x - c.x);
    for (const d of model.deltas) s -= Math.atan2(-(y - d.y), x - d.x);
    t = model.background + 0.5 * s;
  }
  t %= Math.PI;
  return t < 0 ? t + Math.PI : t;
}

/** Per-pixel orientation field, height x width, row-major, radians in [0, π). */
export function orientationField(model: OrientationModel, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0, i = 0; y < height; y++) for (let x = 0; x < width; x++, i++) out[i] = orientationAt(model, x, y);
  return out;
}
