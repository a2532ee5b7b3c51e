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
   * A minutia pair needs summed vote weight of at least this to be tried as a root. Each agreeing edge
   * pair votes 1 − e / pairErrorScale (e its edge error, as a pair's evidence): 1 for an exact fit, 1/4
   * for the worst admissible one. 0: any agreeing edge pair makes a root candidate. 1: a root needs
   * (short of one exact fit) two agreeing edges, the start of a mesh; a pair seen by one edge only
   * mostly grows a chance pairing. With minPairs 4, 1 and 1.25 measured as accurate as 0 on the four
   * FVC B sets (own extractor: EERs unchanged; .iso: FVC2004 DB1_B 19.00 -> 18.93 % at 1, others
   * unchanged); 1.5 lost genuine pairs on FVC2002 DB1_B and FVC2004 DB1_B (own extractor;
   * bench/compare.ts).
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
   * measured alike (bench/compare.ts; 5 lost two genuine pairs on FVC2004 DB1_B, own extractor); 4
   * spares a consolidation to impostor comparisons whose best pairing is 3 chance pairs.
   */
  minConsolidationPairs: number;
  /**
   * A pairing of fewer pairs scores 0, so it is never scored nor consolidated (2 admits every pairing
   * that can score). About 70 % of the pairings grown in a comparison of the FVC .iso gallery have 2
   * or 3 pairs, nearly all chance pairings of impostors; unconsolidated, 3 pairs score at most 3 x
   * the share bound 3 / minOverlap (with weights near 1), far under the decision thresholds. 4
   * measured as accurate as 2 on the four FVC B sets (own extractor: EERs and pooled thresholds
   * unchanged; .iso: FVC2002 DB2_B 0.84 -> 0.86 %, FVC2004 DB1_B 19.63 -> 19.00 %, with
   * minConsolidationPairs 4 in both); 5 lost two genuine pairs on FVC2004 DB1_B (own extractor;
   * bench/compare.ts). Scoring fewer pairings makes 1:N faster.
   */
  minPairs: number;
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
  minRootVotes: 1,
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
  minConsolidationPairs: 4,
  minPairs: 4,
});
