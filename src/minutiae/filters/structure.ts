/**
 * Rules that read the skeleton around a minutia (Xiao & Raafat 1991, "Fingerprint image
 * post-processing: a combined statistical and structural approach", Pattern Recognition 24(10);
 * Maltoni et al., Handbook of Fingerprint Recognition, 2nd ed. 2009, §3.8.2, Fig. 3.39):
 * - spur: an ending whose ridge reaches a bifurcation within a short length (a side branch of noise);
 * - short ridge (island, fragment, dot): an ending whose ridge reaches another ending within a short length;
 * - hole (lake): a bifurcation two of whose branches meet the same bifurcation within a short length;
 * - bridge: a bifurcation joined to another bifurcation by a short segment running across the ridge flow.
 * Each removes both minutiae of the pair. Lengths are skeleton pixels at 500 ppi; a ridge period is
 * about 9 px (Hong, Wan & Jain 1998).
 */
import type { OrientationField } from '../../enhance/types.js';
import { angleDifference } from '../direction.js';
import { branchStarts, traceRidge, type BinaryImage } from '../skeleton.js';
import type { Minutia } from '../types.js';
import { keepUnflagged, MinutiaIndex, type FilterResult } from './common.js';
import { checkBytesImage, checkListArg, checkOptionsArg } from '../args.js';

/** Each length option set to 0 disables its rule. */
export interface StructureOptions {
  /** Spur: longest side branch removed, pixels. */
  maxSpurLength?: number;
  /** Short ridge: longest ridge fragment removed, pixels. */
  maxShortRidgeLength?: number;
  /** Hole: longest loop side removed, pixels. */
  maxHoleLength?: number;
  /** Bridge: longest bridge removed, pixels. */
  maxBridgeLength?: number;
  /** Bridge: smallest angle between the bridge and the local ridge direction, radians. */
  minBridgeAngle?: number;
}

/** Defaults: spur and bridge up to about 1.5 ridge periods, fragments and holes up to about 2 periods. */
export const STRUCTURE_DEFAULTS: Required<StructureOptions> = {
  maxSpurLength: 14,
  maxShortRidgeLength: 20,
  maxHoleLength: 20,
  maxBridgeLength: 14,
  minBridgeAngle: (40 * Math.PI) / 180,
};

/** The end of each branch of minutia `m` traced up to `maxSteps`, with the minutia found there (-1 if none). */
function branchEnds(skel: BinaryImage, index: MinutiaIndex, m: Minutia, maxSteps: number) {
  const x = Math.round(m.x);
  const y = Math.round(m.y);
  const starts = branchStarts(skel, x, y);
  const blocked = starts.map(([bx, by]) => by * skel.width + bx);
  return starts.map(([bx, by]) => {
    const t = traceRidge(skel, x, y, bx, by, maxSteps, blocked);
    const ex = t.xs[t.xs.length - 1]!;
    const ey = t.ys[t.ys.length - 1]!;
    const target = t.stop === 'ending' ? index.near(ex, ey, 'ending') : t.stop === 'junction' ? index.near(ex, ey, 'bifurcation') : -1;
    return { target, length: t.xs.length, ex, ey };
  });
}

function checkStructureArgs(fn: string, minutiae: unknown, skeleton: unknown, options: unknown): void {
  checkListArg(fn, 'minutiae', minutiae);
  checkBytesImage(fn, 'skeleton', skeleton);
  checkOptionsArg(fn, options);
}

/**
 * Removes ending/bifurcation pairs joined by a ridge of at most `maxSpurLength` pixels.
 * @throws FingerliftError E_INVALID_ARGUMENT for minutiae that are not an array, a skeleton that is not a
 *   skeleton image or options that are not an object.
 */
export function removeSpurs(minutiae: Minutia[], skeleton: BinaryImage, options: StructureOptions = {}): FilterResult {
  checkStructureArgs('removeSpurs', minutiae, skeleton, options);
  const { maxSpurLength } = { ...STRUCTURE_DEFAULTS, ...options };
  if (!(maxSpurLength >= 1)) return { kept: minutiae, removed: 0 }; // 0 disables the rule
  const index = new MinutiaIndex(minutiae, skeleton.width);
  const drop = new Uint8Array(minutiae.length);
  minutiae.forEach((m, i) => {
    if (m.type !== 'ending') return;
    const [end] = branchEnds(skeleton, index, m, maxSpurLength);
    if (end && end.target >= 0 && minutiae[end.target]!.type === 'bifurcation') drop[i] = drop[end.target] = 1;
  });
  return keepUnflagged(minutiae, drop);
}

/**
 * Removes pairs of endings joined by a ridge of at most `maxShortRidgeLength` pixels.
 * @throws FingerliftError E_INVALID_ARGUMENT for minutiae that are not an array, a skeleton that is not a
 *   skeleton image or options that are not an object.
 */
export function removeShortRidges(minutiae: Minutia[], skeleton: BinaryImage, options: StructureOptions = {}): FilterResult {
  checkStructureArgs('removeShortRidges', minutiae, skeleton, options);
  const { maxShortRidgeLength } = { ...STRUCTURE_DEFAULTS, ...options };
  if (!(maxShortRidgeLength >= 1)) return { kept: minutiae, removed: 0 }; // 0 disables the rule
  const index = new MinutiaIndex(minutiae, skeleton.width);
  const drop = new Uint8Array(minutiae.length);
  minutiae.forEach((m, i) => {
    if (m.type !== 'ending') return;
    const [end] = branchEnds(skeleton, index, m, maxShortRidgeLength);
    if (end && end.target >= 0 && end.target !== i && minutiae[end.target]!.type === 'ending') drop[i] = drop[end.target] = 1;
  });
  return keepUnflagged(minutiae, drop);
}

/**
 * Removes bifurcation pairs that close a loop (two branches reach the same bifurcation) of sides up to `maxHoleLength`.
 * @throws FingerliftError E_INVALID_ARGUMENT for minutiae that are not an array, a skeleton that is not a
 *   skeleton image or options that are not an object.
 */
export function removeHoles(minutiae: Minutia[], skeleton: BinaryImage, options: StructureOptions = {}): FilterResult {
  checkStructureArgs('removeHoles', minutiae, skeleton, options);
  const { maxHoleLength } = { ...STRUCTURE_DEFAULTS, ...options };
  if (!(maxHoleLength >= 1)) return { kept: minutiae, removed: 0 }; // 0 disables the rule
  const index = new MinutiaIndex(minutiae, skeleton.width);
  const drop = new Uint8Array(minutiae.length);
  minutiae.forEach((m, i) => {
    if (m.type !== 'bifurcation') return;
    const targets = branchEnds(skeleton, index, m, maxHoleLength).map((e) => e.target).filter((t) => t >= 0 && t !== i);
    const twice = targets.find((t, k) => targets.indexOf(t) !== k);
    if (twice !== undefined) drop[i] = drop[twice] = 1;
  });
  return keepUnflagged(minutiae, drop);
}

/**
 * Removes bifurcation pairs joined by a segment of at most `maxBridgeLength` pixels that crosses the
 * ridge direction of `orientation` by at least `minBridgeAngle` (without a field, every such short link).
 * @throws FingerliftError E_INVALID_ARGUMENT for minutiae that are not an array, a skeleton that is not a
 *   skeleton image or options that are not an object.
 */
export function removeBridges(minutiae: Minutia[], skeleton: BinaryImage, orientation: OrientationField | undefined, options: StructureOptions = {}): FilterResult {
  checkStructureArgs('removeBridges', minutiae, skeleton, options);
  const { maxBridgeLength, minBridgeAngle } = { ...STRUCTURE_DEFAULTS, ...options };
  if (!(maxBridgeLength >= 1)) return { kept: minutiae, removed: 0 }; // 0 disables the rule
  const index = new MinutiaIndex(minutiae, skeleton.width);
  const drop = new Uint8Array(minutiae.length);
  minutiae.forEach((m, i) => {
    if (m.type !== 'bifurcation') return;
    for (const end of branchEnds(skeleton, index, m, maxBridgeLength)) {
      if (end.target < 0 || end.target === i) continue;
      const o = minutiae[end.target]!;
      if (orientation) {
        const seg = Math.atan2(-(o.y - m.y), o.x - m.x);
        const mx = Math.round((m.x + o.x) / 2);
        const my = Math.round((m.y + o.y) / 2);
        const theta = orientation.theta[my * orientation.width + mx] ?? seg;
        const d = angleDifference(seg, theta);
        if (Math.min(d, Math.PI - d) < minBridgeAngle) continue;
      }
      drop[i] = drop[end.target] = 1;
    }
  });
  return keepUnflagged(minutiae, drop);
}
