/**
 * Rule for the minutiae cap: when a print yields more minutiae than the template may hold, keep those
 * whose neighbourhood of the skeleton is clean. Noise (paper texture, print, smudges, background the
 * region of interest took in) breaks the skeleton into short pieces, each ending or forking, so the
 * crossing-number candidates crowd there, while a genuine minutia in a clear ridge flow has few other
 * candidates nearby (Maltoni et al., Handbook of Fingerprint Recognition, 2nd ed. 2009, §3.8.2: false
 * minutiae come in clusters in noisy regions; the same observation is SourceAFIS's "minutia cloud"
 * filter, Važan 2009-2021). The rule ranks by quality divided by the number of raw candidates within
 * `radius`; it only decides which minutiae are dropped over the cap, never a minutia's quality or the
 * template's order, so templates under the cap are unchanged.
 */
import type { MinutiaCandidate } from '../crossing.js';
import type { Minutia } from '../types.js';
import { checkListArg, checkOptionsArg } from '../args.js';
import { invalidArgument } from '../../errors.js';

export interface DensityOptions {
  /** Radius (pixels) within which raw crossing-number candidates are counted; 0 ranks by quality alone. */
  radius?: number;
}

/** Default at 500 ppi: the minutia-cloud radius of the cluster rule (SourceAFIS, 20 px). */
export const DENSITY_DEFAULTS: Required<DensityOptions> = { radius: 20 };

/**
 * The number of `candidates` within `radius` pixels of each minutia (the minutia's own candidate
 * included when it is one), by a grid of `radius`-sized cells.
 * @throws FingerliftError E_INVALID_ARGUMENT for lists that are not arrays or a radius that is not a positive number.
 */
export function candidateDensity(minutiae: readonly Minutia[], candidates: readonly MinutiaCandidate[], radius: number): Int32Array {
  checkListArg('candidateDensity', 'minutiae', minutiae);
  checkListArg('candidateDensity', 'candidates', candidates);
  if (!(typeof radius === 'number' && radius > 0 && Number.isFinite(radius))) throw invalidArgument('candidateDensity: radius', 'a positive number of pixels', radius);
  const out = new Int32Array(minutiae.length);
  if (minutiae.length === 0 || candidates.length === 0) return out;
  const cell = Math.max(1, radius);
  const grid = new Map<number, number[]>();
  const key = (cx: number, cy: number): number => cy * 1_000_003 + cx;
  candidates.forEach((c, i) => {
    const k = key(Math.floor(c.x / cell), Math.floor(c.y / cell));
    const list = grid.get(k);
    if (list) list.push(i);
    else grid.set(k, [i]);
  });
  const r2 = radius * radius;
  minutiae.forEach((m, j) => {
    const cx = Math.floor(m.x / cell);
    const cy = Math.floor(m.y / cell);
    let n = 0;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++)
        for (const i of grid.get(key(cx + dx, cy + dy)) ?? []) {
          const c = candidates[i]!;
          if ((c.x - m.x) ** 2 + (c.y - m.y) ** 2 <= r2) n++;
        }
    out[j] = n;
  });
  return out;
}

/**
 * The `max` minutiae to keep when there are more: ranked by quality / max(1, candidate density within
 * `radius`), ties by quality, then raster order. Returns the kept minutiae in their input order.
 * @throws FingerliftError E_INVALID_ARGUMENT for lists that are not arrays, a max that is not an integer >= 0
 *   or options that are not an object.
 */
export function selectUnderCap(minutiae: readonly Minutia[], candidates: readonly MinutiaCandidate[], max: number, options: DensityOptions = {}): Minutia[] {
  checkListArg('selectUnderCap', 'minutiae', minutiae);
  checkListArg('selectUnderCap', 'candidates', candidates);
  if (!(Number.isInteger(max) && max >= 0)) throw invalidArgument('selectUnderCap: max', 'an integer >= 0', max);
  checkOptionsArg('selectUnderCap', options);
  if (minutiae.length <= max) return [...minutiae];
  const { radius } = { ...DENSITY_DEFAULTS, ...options };
  const n = radius > 0 ? candidateDensity(minutiae, candidates, radius) : new Int32Array(minutiae.length).fill(1);
  const order = minutiae.map((m, i) => ({ i, s: m.quality / Math.max(1, n[i]!) }));
  order.sort((a, b) => {
    const p = minutiae[a.i]!, q = minutiae[b.i]!;
    return b.s - a.s || q.quality - p.quality || p.y - q.y || p.x - q.x;
  });
  const keep = new Uint8Array(minutiae.length);
  for (let k = 0; k < max; k++) keep[order[k]!.i] = 1;
  return minutiae.filter((_, i) => keep[i]);
}
