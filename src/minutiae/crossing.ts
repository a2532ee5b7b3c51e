/**
 * Minutia detection on a one-pixel skeleton by the Rutovitz crossing number
 * CN(P) = ½ Σ_{i=1..8} |P_i − P_{i+1}| (P_9 = P_1): CN = 1 is a ridge ending, CN = 3 a bifurcation
 * (Rutovitz 1966; Maltoni et al., Handbook of Fingerprint Recognition, 2nd ed. 2009, §3.8.1).
 * CN = 4 (two ridges crossing) is not a minutia type of ISO/IEC 19794-2:2005 and is skipped, as are
 * isolated pixels (CN = 0).
 */
import type { MinutiaType } from './types.js';
import { CROSSING_NUMBER, NEIGHBOURS, neighbourCode, type BinaryImage } from './skeleton.js';
import { checkBytesImage } from './args.js';

/** A detected minutia before direction, filtering and quality: integer pixel position on the skeleton. */
export interface MinutiaCandidate {
  x: number;
  y: number;
  type: MinutiaType;
}

/** The crossing number of skeleton pixel (x, y) (0 for background pixels). */
export function crossingNumber(skeleton: BinaryImage, x: number, y: number): number {
  if (!skeleton.data[y * skeleton.width + x]) return 0;
  return CROSSING_NUMBER[neighbourCode(skeleton, x, y)]!;
}

/**
 * Every ridge ending (CN = 1) and bifurcation (CN = 3, with at least three neighbours) of a skeleton
 * (height x width, 1 = ridge, one pixel wide as `thin` returns it), in raster order.
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not a skeleton image.
 */
export function crossingNumberMinutiae(skeleton: BinaryImage): MinutiaCandidate[] {
  checkBytesImage('crossingNumberMinutiae', 'skeleton', skeleton);
  const { width: w, height: h, data } = skeleton;
  const out: MinutiaCandidate[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!data[y * w + x]) continue;
      const code = neighbourCode(skeleton, x, y);
      const cn = CROSSING_NUMBER[code]!;
      if (cn === 1) out.push({ x, y, type: 'ending' });
      else if (cn === 3 && NEIGHBOURS[code]! >= 3) out.push({ x, y, type: 'bifurcation' });
    }
  }
  return out;
}
