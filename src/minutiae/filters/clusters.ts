/**
 * Rule: dense clusters. Genuine minutiae are rarely closer than a ridge period or two; a crowd of them
 * in a small disc marks a smudge, a scar or a badly enhanced area, and all of its members are removed
 * (SourceAFIS, Važan 2009-2021, "minutia cloud" filter: radius 20 px, more than 4 neighbours; Maltoni
 * et al. 2009, §3.8.2).
 */
import type { Minutia } from '../types.js';
import { keepUnflagged, type FilterResult } from './common.js';
import { checkListArg, checkOptionsArg } from '../args.js';

export interface ClusterOptions {
  /** Neighbourhood radius, pixels. */
  radius?: number;
  /** A minutia with more than this many other minutiae within `radius` is removed. */
  maxNeighbours?: number;
}

/** Defaults: SourceAFIS's minutia-cloud parameters at 500 ppi. */
export const CLUSTER_DEFAULTS: Required<ClusterOptions> = { radius: 20, maxNeighbours: 4 };

/**
 * Removes every minutia that has more than `maxNeighbours` others within `radius` pixels.
 * @throws FingerliftError E_INVALID_ARGUMENT for minutiae that are not an array or options that are not an object.
 */
export function removeClusters(minutiae: Minutia[], options: ClusterOptions = {}): FilterResult {
  checkListArg('removeClusters', 'minutiae', minutiae);
  checkOptionsArg('removeClusters', options);
  const { radius, maxNeighbours } = { ...CLUSTER_DEFAULTS, ...options };
  const r2 = radius * radius;
  const drop = new Uint8Array(minutiae.length);
  minutiae.forEach((m, i) => {
    let n = 0;
    for (let j = 0; j < minutiae.length; j++) {
      if (j === i) continue;
      const o = minutiae[j]!;
      if ((o.x - m.x) ** 2 + (o.y - m.y) ** 2 <= r2) n++;
    }
    if (n > maxNeighbours) drop[i] = 1;
  });
  return keepUnflagged(minutiae, drop);
}
