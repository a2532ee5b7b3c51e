/**
 * Decision thresholds of `compare` scores, measured on the developers' data: the four FVC B sets in
 * ../shared/data (FVC2002 DB1_B, DB2_B at 569 ppi, DB4_B; FVC2004 DB1_B), templates from fingerlift's own
 * extractor, all-pairs protocol, impostor scores of the four sets pooled (4 x 2,880 = 11,520 pairs): the
 * smallest score threshold whose FMR is at most 1% and 0.1%. Re-measured with
 * `npm run bench -- --only compare` whenever the extractor or the matcher changes (the bench prints
 * the thresholds it finds next to these).
 *
 * Last re-derived when the root votes became weighted (10 roots, consolidation from 3 pairs): on the
 * same own-extractor templates the previous matcher gave 3.33 and 4.61, this one 3.34 and 4.51.
 * Re-measured when prepared templates moved to Float32 geometry (scores move by rounding only):
 * 3.34 and 4.51 again (unrounded 3.3390 and 4.5134 before and after); SCALE_SEARCH_THRESHOLDS
 * likewise unchanged (3.7550 and 4.9267 before and after).
 * Re-measured 2026-12-06 when roots needed summed votes of 1 (minRootVotes), pairings of fewer than 4
 * pairs scored 0 (minPairs) and consolidation needed 4 pairs (minConsolidationPairs): 3.3390 and
 * 4.5134 unchanged; SCALE_SEARCH_THRESHOLDS 3.7595 (was 3.7550) and 4.9267, so 3.76 and 4.93 stand.
 *
 * A score at or above `fmr0_1` is strong evidence of the same finger in these sets; the thresholds do not
 * replace an examiner's verification of the mated minutiae on the comparison chart.
 */
export const DECISION_THRESHOLDS = {
  /** Score at which the pooled FMR is at most 1%. */
  fmr1: 3.34,
  /** Score at which the pooled FMR is at most 0.1% (11.5 of 11,520 impostor pairs). */
  fmr0_1: 4.51,
  source: 'FVC2002 DB1_B/DB2_B/DB4_B + FVC2004 DB1_B, pooled impostors, measured 2026-11-29, re-measured 2026-12-06 (matcher with consolidation from 4 pairs, 12 deg tolerance, weighted root votes >= 1, 10 roots, pairings of >= 4 pairs)',
} as const;

/**
 * Decision thresholds of `compareAcrossScales` scores (a photo probe compared at each of
 * `SCALE_HYPOTHESES`, the best kept), measured as DECISION_THRESHOLDS are but on scale-searched impostor
 * scores: the same pooled pairs with the first template of each pair searched across the scales.
 * Keeping the best of several tries raises impostor scores, so these thresholds are higher.
 */
export const SCALE_SEARCH_THRESHOLDS = {
  /** Score at which the pooled FMR of scale-searched comparisons is at most 1%. */
  fmr1: 3.76,
  /** Score at which the pooled FMR of scale-searched comparisons is at most 0.1%. */
  fmr0_1: 4.93,
  source: 'FVC2002 DB1_B/DB2_B/DB4_B + FVC2004 DB1_B, pooled impostors (11,520), first template of each pair compared at scales 1/1.1, 1, 1.1, measured 2026-11-29, re-measured 2026-12-06',
} as const;
