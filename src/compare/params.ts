/**
 * Every tunable constant of the matcher, in one place, with its source. Distances are pixels at the
 * working resolution (500 ppi), angles radians.
 */

const DEG = Math.PI / 180;

export interface CompareParams {
  /** Working resolution: templates are rescaled to it in `prepare`. DESIGN.md. */
  workingPpi: number;
  /**
   * Neighbours per minutia in the edge table (the local structure, "star" of edges to the nearest
   * minutiae). SourceAFIS 3.x NeighborEdge table uses 9 (Vazan, SourceAFIS, 2009-2023).
   */
  neighbours: number;
  /**
   * Largest length difference between two matching edges, pixels at 500 ppi. SourceAFIS
   * FingerprintMatcher.maxDistanceError = 13 (about 1.5 ridge periods at 500 ppi).
   */
  maxDistanceError: number;
  /**
   * Largest difference of each edge-relative minutia direction, radians. SourceAFIS uses 10 deg;
   * 12 deg measured better with both extractors on FVC2002 DB1/DB2/DB4_B and FVC2004 DB1_B (10, 12
   * and 14 deg tried; bench/compare.ts), the minutia direction being the noisiest measurement.
   */
  maxAngleError: number;
  /**
   * Roots (seed minutia pairs) expanded per comparison, the best-voted first. SourceAFIS tries up to
   * 70 roots found by edge hashing; local-similarity sorting as in MCC's LSS (Cappelli, Ferrara &
   * Maltoni, IEEE TPAMI 32(12), 2010) lets far fewer suffice. 10 with quality-weighted votes measured
   * as accurate as 12 with vote counts on the four FVC B sets with both extractors, about 15 % fewer
   * expansions (8 and fewer lost a genuine pair on FVC2002 DB1_B .iso; bench/compare.ts).
   */
  maxRoots: number;
  /**
   * Root edges join each minutia to its nearest `rootNeighbours` (<= neighbours): short edges distort
   * least, and a handful of agreeing ones suffices to seed the expansion, which then uses all neighbours.
   */
  rootNeighbours: number;
  /**
   * A minutia pair needs summed vote weight above this to be tried as a root. Each agreeing edge pair
   * votes 1 − e / pairErrorScale (e its edge error, as a pair's evidence): 1 for an exact fit, 1/4 for
   * the worst admissible one. 0: any agreeing edge pair makes a root candidate.
   */
  minRootVotes: number;
  /** Edges shorter than this are not used as roots (their angles are unstable). Pixels. */
  minRootEdge: number;
  /** Edges longer than this are not used as roots (distortion grows with length). Pixels. */
  maxRootEdge: number;
  /** Quality floor in the per-minutia weight w = (floor + quality) / mean(floor + quality). */
  qualityFloor: number;
  /**
   * Margin around the other template's minutiae hull within which a minutia counts as in the common
   * area (overlap) when the paired share is computed. Pixels. Partial prints (photos, latents) are
   * judged on the overlap, not on the whole finger.
   */
  overlapMargin: number;
  /**
   * A pair's evidence is 1 − e / pairErrorScale, e = its edge error (length error / maxDistanceError +
   * the two angle errors / maxAngleError, in [0, 3]): with 4, the worst admissible pair still counts 1/4.
   * Accuracy terms of this kind are in SourceAFIS's scoring (distance and angle accuracy).
   */
  pairErrorScale: number;
  /**
   * Evidence factor of a pair whose minutia types differ. 1 = types ignored, as MCC does (Cappelli et
   * al. 2010): ending/bifurcation flips are common under pressure and inking changes.
   */
  typeMismatchWeight: number;
  /**
   * Evidence factor of a pair that no edge confirms besides the one that paired it. Genuine pairings
   * form a mesh of agreeing edges; chance pairings of impostors mostly form a bare tree. SourceAFIS
   * likewise scores "supported" pairs apart.
   */
  unsupportedWeight: number;
  /**
   * Consolidation radius around a rigidly mapped probe minutia, pixels; 0 disables consolidation.
   * 20 px is about two ridge periods at 500 ppi, room for the elastic distortion left by a rigid fit;
   * 15, 16, 20 and 25 px measured (bench/compare.ts), 15-20 alike, 25 admits more impostor mates.
   */
  consolidationDistance: number;
  /**
   * Consolidation needs a winning pairing of at least this many pairs: its rigid fit must be
   * over-determined (2 pairs fit any rigid transform exactly) to place further mates reliably. 3 and 4
   * measured alike (bench/compare.ts); it spares impostor comparisons a consolidation now and then.
   */
  minConsolidationPairs: number;
  /** Consolidation direction tolerance, radians. */
  consolidationAngle: number;
  /** Smallest overlap count used as denominator, so a tiny overlap cannot give a full share by chance. */
  minOverlap: number;
}

export const COMPARE_DEFAULTS: Readonly<CompareParams> = Object.freeze({
  workingPpi: 500,
  neighbours: 9,
  maxDistanceError: 13,
  maxAngleError: 12 * DEG,
  maxRoots: 10,
  minRootVotes: 0,
  rootNeighbours: 6,
  minRootEdge: 10,
  maxRootEdge: 260,
  qualityFloor: 0.25,
  overlapMargin: 20,
  minOverlap: 8,
  pairErrorScale: 4,
  typeMismatchWeight: 1,
  unsupportedWeight: 0.5,
  consolidationDistance: 20,
  consolidationAngle: 20 * DEG,
  minConsolidationPairs: 3,
});
