/**
 * Minutia direction, as ISO/IEC 19794-2:2005 §6.4.1.3 and ANSI INCITS 378-2004 define it (see types.ts):
 * - ridge ending: from the ending along its ridge into the ridge body;
 * - bifurcation: from the fork along the valley between the two branches, i.e. into the opening between
 *   them (the direction opposite to the stem).
 * The sense comes from tracing the skeleton a few pixels; the angle is then refined with the orientation
 * field (ridge direction mod π), which is smoother than a short skeleton trace (Maltoni et al. 2009,
 * §3.8.1: direction from the local ridge orientation, sense from the skeleton).
 */
import type { OrientationField } from '../enhance/types.js';
import { wrapAngle, type MinutiaType } from './types.js';
import { branchStarts, traceRidge, type BinaryImage } from './skeleton.js';

export interface DirectionOptions {
  /** Skeleton pixels traced from the minutia along each branch. */
  traceLength?: number;
  /** Trace steps skipped at the start (the pixels next to a fork bend towards it). */
  traceSkip?: number;
  /** The orientation field is used for a ridge ending only when it agrees with the trace within this angle, radians. */
  maxRefineDifference?: number;
  /** The same for a bifurcation, whose sense is settled by the stem (see tracedDirection), radians. */
  maxRefineDifferenceBifurcation?: number;
}

/**
 * Defaults at 500 ppi: about one ridge period (9-10 px) of trace, as NBIS mindtct and SourceAFIS sample
 * ridge direction over roughly one period; 35° agreement tolerance.
 */
export const DIRECTION_DEFAULTS: Required<DirectionOptions> = {
  traceLength: 10,
  traceSkip: 2,
  maxRefineDifference: (35 * Math.PI) / 180,
  maxRefineDifferenceBifurcation: (35 * Math.PI) / 180,
};

/** Direction θ = atan2(−dy, dx) of the mean displacement of trace steps [skip, length). */
function traceAngle(x: number, y: number, xs: number[], ys: number[], skip: number): number | undefined {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let i = Math.min(skip, xs.length - 1); i < xs.length; i++) {
    sx += xs[i]! - x;
    sy += ys[i]! - y;
    n++;
  }
  if (n === 0 || (sx === 0 && sy === 0)) return undefined;
  return wrapAngle(Math.atan2(-sy, sx));
}

/** Smallest absolute difference between two angles, [0, π]. */
export function angleDifference(a: number, b: number): number {
  const d = Math.abs(wrapAngle(a) - wrapAngle(b));
  return d > Math.PI ? 2 * Math.PI - d : d;
}

/**
 * The skeleton-traced direction of a minutia at (x, y), radians [0, 2π), or undefined when the skeleton
 * gives none (an isolated pixel, a bifurcation without three branches).
 *
 * Bifurcation: of its three branches the stem is the one that leaves against the other two along the
 * local ridge direction `ridgeDirection` (θ mod π, when given): the two arms leave the fork on one side,
 * the stem on the other. Without θ, or when the three do not split two to one, the stem is the branch
 * left over after the pair closest in direction. The direction is the arms' bisector plus the stem's
 * reverse.
 */
export function tracedDirection(
  skeleton: BinaryImage,
  x: number,
  y: number,
  type: MinutiaType,
  options: DirectionOptions = {},
  ridgeDirection?: number,
): number | undefined {
  const { traceLength, traceSkip } = { ...DIRECTION_DEFAULTS, ...options };
  const starts = branchStarts(skeleton, x, y);
  if (type === 'ending') {
    const s = starts[0];
    if (!s) return undefined;
    const t = traceRidge(skeleton, x, y, s[0], s[1], traceLength);
    return traceAngle(x, y, t.xs, t.ys, traceSkip);
  }
  if (starts.length < 3) return undefined;
  const w = skeleton.width;
  const blocked = starts.map(([bx, by]) => by * w + bx);
  const dirs: number[] = [];
  for (const [bx, by] of starts.slice(0, 3)) {
    const t = traceRidge(skeleton, x, y, bx, by, traceLength, blocked);
    const a = traceAngle(x, y, t.xs, t.ys, traceSkip);
    if (a === undefined) return undefined;
    dirs.push(a);
  }
  let stem = -1;
  if (ridgeDirection !== undefined && Number.isFinite(ridgeDirection)) {
    const side = dirs.map((a) => Math.cos(a - ridgeDirection) >= 0);
    const forward = side.filter(Boolean).length;
    if (forward === 1) stem = side.indexOf(true);
    else if (forward === 2) stem = side.indexOf(false);
  }
  if (stem < 0) {
    // The two branches closest in direction are the arms; the third is the stem.
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const d = angleDifference(dirs[(i + 1) % 3]!, dirs[(i + 2) % 3]!);
      if (d < best) {
        best = d;
        stem = i;
      }
    }
  }
  const a1 = dirs[(stem + 1) % 3]!;
  const a2 = dirs[(stem + 2) % 3]!;
  const s = dirs[stem]!;
  // Bisector of the arms plus the reverse of the stem: both point into the opening between the arms.
  const vx = Math.cos(a1) + Math.cos(a2) - Math.cos(s);
  const vy = Math.sin(a1) + Math.sin(a2) - Math.sin(s);
  return wrapAngle(Math.atan2(vy, vx));
}

/**
 * Refines a traced direction with the orientation field at (x, y): of the two senses of the ridge
 * direction, the one nearer the trace, weighted by the field's coherence, when within
 * `maxRefineDifference` of the trace; otherwise the trace.
 */
export function refineDirection(
  traced: number,
  orientation: OrientationField | undefined,
  x: number,
  y: number,
  options: DirectionOptions = {},
  type: MinutiaType = 'ending',
): number {
  const o = { ...DIRECTION_DEFAULTS, ...options };
  const maxRefineDifference = type === 'bifurcation' ? o.maxRefineDifferenceBifurcation : o.maxRefineDifference;
  if (!orientation) return traced;
  const i = Math.round(y) * orientation.width + Math.round(x);
  const theta = orientation.theta[i];
  const coh = orientation.coherence[i];
  if (theta === undefined || coh === undefined || !Number.isFinite(theta)) return traced;
  const cand = angleDifference(theta, traced) <= Math.PI / 2 ? theta : theta + Math.PI;
  if (angleDifference(cand, traced) > maxRefineDifference) return traced;
  const wo = Math.max(0, Math.min(1, coh)) * 2;
  const vx = Math.cos(traced) + wo * Math.cos(cand);
  const vy = Math.sin(traced) + wo * Math.sin(cand);
  return wrapAngle(Math.atan2(vy, vx));
}
