/**
 * fingerlift: lift fingerprints out of ordinary photographs for forensic comparison.
 *
 * The public API, nothing else. Conventions (DESIGN.md): images are row-major height x width Float32Array
 * in [0, 1] (0 = black); coordinates in pixels, origin top-left, x right, y down; resolution in ppi (the
 * working resolution is 500); orientation θ in [0, π) and minutia angles in [0, 2π), radians,
 * counter-clockwise as displayed, minutia directions as ISO/IEC 19794-2:2005 defines them. Every error
 * is a `FingerliftError` with a stable `code`.
 */

// Errors
export { FingerliftError, isFingerliftError, type ErrorCode } from './errors.js';

// Images: types, I/O, basic operations
export { type GrayImage, type RgbImage, type AnyImage, isRgb, createGray, createRgb, toNdarray, fromNdarray } from './image/types.js';
export { loadImage, saveImage, encodeImage, sha256Hex, SUPPORTED_FORMATS, PLAUSIBLE_PPI, DEFAULT_MAX_PIXELS, type LoadedImage, type LoadOptions, type SaveOptions, type ImageSource, type ImageFormat } from './image/io.js';
export { toGray, crop, flipHorizontal, flipVertical, invert, rotate, rotate90, resample, resize, type GrayMode } from './image/ops.js';

// The pipeline
export {
  processPrint,
  liftPhoto,
  decideResolution,
  detectPrintPolarity,
  enhanceRecorded,
  startRun,
  scopedTrail,
  PIPELINE_DEFAULTS,
  LIFT_DEFAULTS,
  REFERENCE_RIDGE_PERIOD_PX,
  type PrintOptions,
  type PrintResult,
  type LiftOptions,
  type LiftedFingertip,
  type ResolutionDecision,
  type PolarityDecision,
  type StepRecorder,
} from './pipeline.js';

// Stages
export * as locate from './locate/index.js';
export { locateFingertips, type OrientedBox, type LocatedFingertip, type LocateResult } from './locate/index.js';
export * as normalise from './normalise/index.js';
export { normaliseFingertip, detectPolarity, type NormaliseResult, type NormaliseDecisions } from './normalise/index.js';
export * as enhancement from './enhance/index.js';
export { enhance, ridgeClarity, estimateRidgePeriod, resampleTo500, stretchContrast, type EnhanceOptions, type EnhanceResult, type EnhanceTimings, type Mask, type OrientationField, type BlockMap } from './enhance/index.js';
export * as deblurring from './enhance/deblur/index.js';
export { deblur, estimatePsf, parsePsf, formatPsf, type PsfSpec, type DeblurOptions, type DeblurResult } from './enhance/deblur/index.js';
export * as minutiae from './minutiae/index.js';
export { extractMinutiae, extractMinutiaeDetailed, EXTRACT_DEFAULTS, type ExtractOptions, type Minutia, type MinutiaType, type Template } from './minutiae/index.js';
export * as comparison from './compare/index.js';
export { compare, prepare, prepareAcrossScales, compareAcrossScales, search, SearchPool, searchThreaded, MAX_SEARCH_THREADS, evaluate, allPairs, detCsv, eerInterval, eerDifference, type CompareResult, type PreparedTemplate, type SearchCandidate, type SearchOptions, type SearchPoolOptions, type ScaledProbe, type EvalResult, type EerInterval, type EerDifference, type BootstrapOptions } from './compare/index.js';
export * as formats from './formats/index.js';
export { readTemplate, readTemplateFile, writeTemplate, detectTemplateFormat, type TemplateFormat } from './formats/index.js';
export * as synthetic from './synthetic/index.js';

// Audit trail, pictures, report, batch
export { AuditTrail, describeInput, describeInputFile, type Trail, type TrailStep } from './audit/trail.js';
export { verifyTrail, verifyTrailFile, loadTrail, formatVerifyReport, type VerifyReport, type VerifyOptions, type VerifyMismatch, type FilesOnDisk, type Replay, type ReplayHashes, type ReplayResult } from './audit/verify.js';
export { replayFor } from './tasks/replay.js';
export { renderReport, type ReportData } from './audit/report.js';
export * as draw from './audit/draw.js';
export { runBatch, type RunBatchOptions } from './batch/run.js';
export { expandInputs } from './batch/expand.js';
