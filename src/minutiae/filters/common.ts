/**
 * Helpers shared by the false-minutiae filters: a pixel -> minutia lookup and the result shape.
 */
import type { Minutia } from '../types.js';

/** What a filter returns: the minutiae it kept and how many it removed. */
export interface FilterResult {
  kept: Minutia[];
  removed: number;
}

/** Keeps the minutiae whose flag in `drop` is 0. */
export function keepUnflagged(minutiae: Minutia[], drop: Uint8Array): FilterResult {
  const kept = minutiae.filter((_, i) => !drop[i]);
  return { kept, removed: minutiae.length - kept.length };
}

/** Index of minutiae by rounded pixel position, for finding the minutia at the end of a skeleton trace. */
export class MinutiaIndex {
  private readonly at = new Map<number, number>();
  constructor(private readonly minutiae: readonly Minutia[], private readonly width: number) {
    minutiae.forEach((m, i) => this.at.set(Math.round(m.y) * width + Math.round(m.x), i));
  }

  /** The index of a minutia of `type` at (x, y) or within `radius` pixels (Chebyshev), nearest first; -1 if none. */
  near(x: number, y: number, type: Minutia['type'], radius = 1): number {
    for (let r = 0; r <= radius; r++) {
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          if (Math.max(Math.abs(dx), Math.abs(dy)) !== r || x + dx < 0 || x + dx >= this.width) continue;
          const i = this.at.get((y + dy) * this.width + (x + dx));
          if (i !== undefined && this.minutiae[i]!.type === type) return i;
        }
      }
    }
    return -1;
  }
}
