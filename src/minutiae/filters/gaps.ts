/**
 * Rule: broken ridge. Two ridge endings facing each other across a small gap are one ridge interrupted
 * by a crease, a scar or noise, not two minutiae (Xiao & Raafat 1991; Maltoni et al., Handbook of
 * Fingerprint Recognition, 2nd ed. 2009, §3.8.2, Fig. 3.39). Facing: each ending's direction (which
 * points into its own ridge body) is opposite, within a tolerance, to the direction of the gap towards
 * the other ending. Pairs are taken nearest first, each ending in at most one pair.
 */
import { angleDifference } from '../direction.js';
import type { Minutia } from '../types.js';
import { keepUnflagged, type FilterResult } from './common.js';
import { checkListArg, checkOptionsArg } from '../args.js';

export interface GapOptions {
  /** Largest gap bridged, pixels. */
  maxGap?: number;
  /** Largest deviation of each ending from facing the other, radians. */
  maxAngle?: number;
}

/** Defaults at 500 ppi: gaps up to about 2 ridge periods (18 px); 40° tolerance. */
export const GAP_DEFAULTS: Required<GapOptions> = { maxGap: 18, maxAngle: (40 * Math.PI) / 180 };

/**
 * Removes pairs of ridge endings that face each other across a gap of at most `maxGap` pixels.
 * @throws FingerliftError E_INVALID_ARGUMENT for minutiae that are not an array or options that are not an object.
 */
export function removeBrokenRidges(minutiae: Minutia[], options: GapOptions = {}): FilterResult {
  checkListArg('removeBrokenRidges', 'minutiae', minutiae);
  checkOptionsArg('removeBrokenRidges', options);
  const { maxGap, maxAngle } = { ...GAP_DEFAULTS, ...options };
  const endings = minutiae.map((m, i) => i).filter((i) => minutiae[i]!.type === 'ending');
  const pairs: Array<[number, number, number]> = [];
  for (let a = 0; a < endings.length; a++) {
    for (let b = a + 1; b < endings.length; b++) {
      const p = minutiae[endings[a]!]!;
      const q = minutiae[endings[b]!]!;
      const d = Math.hypot(q.x - p.x, q.y - p.y);
      if (d > maxGap || d === 0) continue;
      const pq = Math.atan2(-(q.y - p.y), q.x - p.x); // from p towards q
      // p's ridge body lies away from q, so p.angle ~ pq + π; q's ridge body lies away from p, so q.angle ~ pq.
      if (angleDifference(p.angle, pq + Math.PI) <= maxAngle && angleDifference(q.angle, pq) <= maxAngle) pairs.push([d, endings[a]!, endings[b]!]);
    }
  }
  pairs.sort((s, t) => s[0] - t[0] || s[1] - t[1] || s[2] - t[2]);
  const drop = new Uint8Array(minutiae.length);
  for (const [, i, j] of pairs) {
    if (drop[i] || drop[j]) continue;
    drop[i] = drop[j] = 1;
  }
  return keepUnflagged(minutiae, drop);
}
