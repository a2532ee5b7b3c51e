/**
 * Seeded pseudo-random numbers for the synthetic generator. Every random draw in src/synthetic goes
 * through an `Rng` built from a 32-bit seed, so a seed gives byte-identical output on every machine
 * (no `Math.random` anywhere).
 *
 * Generator: mulberry32 (Tommy Ettinger, 2017; public domain): 32-bit state, period 2^32, passes
 * PractRand to 2^32 bytes, which is ample for image synthesis. Normal deviates by the Box-Muller
 * transform (Box & Muller 1958).
 */
import { FingerliftError } from '../errors.js';

export class Rng {
  private state: number;

  /**
   * @param seed any finite number; its low 32 bits are used.
   * @throws FingerliftError E_INVALID_ARGUMENT when the seed is not a finite number.
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new FingerliftError('E_INVALID_ARGUMENT', `synthetic seed must be a finite number, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal deviate (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A new independent generator derived from this one (for sub-stages that must not shift each other's draws). */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }
}

/** Derive a 32-bit seed from a base seed and a label (FNV-1a over the label, mixed with the seed). */
export function deriveSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
