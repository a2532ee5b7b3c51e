/**
 * Fingerprint comparison: prepare templates, compare 1:1 (score, mated minutiae, transform), search
 * 1:N, and evaluate with the FVC verification protocol. See match.ts for the method and its sources.
 *
 * Decision thresholds (score >= threshold means "same finger") at FMR 1 % and FMR 0.1 %, measured
 * with the FVC all-pairs protocol on the project's data (impostors of the four FVC sets pooled):
 * DECISION_THRESHOLDS in thresholds.ts; per-set figures from `npm run bench -- --only compare`. They
 * depend on the extractor and the matcher version: re-measure after changing either.
 */
export { compare, preselectScore, type CompareResult, type MatedPair, type RigidTransform } from './match.js';
export { prepare, isPrepared, type PreparedTemplate, type PrepareOptions } from './prepare.js';
export { search, type SearchOptions, type SearchCandidate } from './search.js';
export { SearchPool, searchThreaded, MAX_SEARCH_THREADS, type SearchPoolOptions } from './pool.js';
export { SCALE_HYPOTHESES, prepareAcrossScales, compareAcrossScales, type ScaledProbe } from './scales.js';
export { COMPARE_DEFAULTS, type CompareParams } from './params.js';
export { DECISION_THRESHOLDS, SCALE_SEARCH_THRESHOLDS } from './thresholds.js';
export { evaluate, detCsv, allPairs, EVAL_DEFAULTS, type EvalResult, type EvaluateOptions, type DetPoint, type OperatingPoint, type Histogram, type Labelled, type PairScores } from './eval.js';
export { eerInterval, eerDifference, BOOTSTRAP_DEFAULTS, MIN_INTERVAL_FINGERS, type BootstrapOptions, type EerInterval, type EerDifference } from './bootstrap.js';
