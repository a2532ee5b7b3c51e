/**
 * The pipeline: composes the stages in the order of the data flow and records each one in the audit
 * trail (name, full parameters with defaults, duration, SHA-256 of its output). Reads top to bottom as
 * DESIGN.md's data flow:
 *
 *   contact print: grey -> resolution -> polarity -> [deblur] -> enhance (resample, contrast, orientation,
 *                  mask, frequency, Gabor) -> extract minutiae -> Template
 *   photo:         locate fingertips -> per fingertip: normalise -> [deblur] -> enhance -> extract
 *
 * Stages never read files or print; this module neither (the CLI and batch tasks do), except for the
 * file-level helpers at the end, which load an input and start its trail.
 */
import { readInputFile } from './fsread.js';
import { checkGrayImage, checkImage, type AnyImage, type GrayImage, type RgbImage } from './image/types.js';
import { toGray, invert, type GrayMode } from './image/ops.js';
import { loadImage, maxImageFileBytes, DEFAULT_MAX_PIXELS, PLAUSIBLE_PPI, type LoadedImage, type LoadOptions } from './image/io.js';
import {
  enhance,
  estimateRidgePeriod,
  ENHANCE_DEFAULTS,
  MAX_ENHANCE_PIXELS,
  CROP_DEFAULTS,
  RESAMPLE_DEFAULTS,
  CONTRAST_DEFAULTS,
  ORIENTATION_DEFAULTS,
  MASK_DEFAULTS,
  FREQUENCY_DEFAULTS,
  GABOR_DEFAULTS,
  type EnhanceOptions,
  type EnhanceResult,
  type EnhanceTimings,
} from './enhance/index.js';
import { deblur, scalePsf, validatePsf, type DeblurOptions, type DeblurResult } from './enhance/deblur/index.js';
import { extractMinutiaeDetailed, resolveExtractOptions, type ExtractOptions, type ExtractDiagnostics } from './minutiae/index.js';
import type { Template } from './minutiae/types.js';
import { AuditTrail, describeInput } from './audit/trail.js';
import { FingerliftError, describeValue, invalidArgument } from './errors.js';
import { detectPolarity, normaliseFingertip, NORMALISE_DEFAULTS, PHOTO_PPI_RANGE, type NormaliseOptions, type NormaliseResult } from './normalise/index.js';
import { SCALE_HYPOTHESES } from './compare/scales.js';
import { locateFingertips, LOCATE_DEFAULTS, type LocateOptions, type LocateResult, type LocatedFingertip } from './locate/index.js';

/** What the stages need of a trail: `step` and `recordStep` (an AuditTrail, or a scope of one). */
export type StepRecorder = Pick<AuditTrail, 'step' | 'recordStep'>;

/**
 * A view of `trail` whose step names start with `prefix` (e.g. "f1." for the first fingertip of a photo).
 * @throws FingerliftError E_INVALID_ARGUMENT for a trail without `step` and `recordStep` methods or a prefix that is not a string.
 */
export function scopedTrail(trail: StepRecorder, prefix: string): StepRecorder {
  if (!(trail !== null && typeof trail === 'object' && typeof trail.step === 'function' && typeof trail.recordStep === 'function'))
    throw invalidArgument('scopedTrail: trail', 'an AuditTrail (or a scope of one)', trail);
  if (typeof prefix !== 'string') throw invalidArgument('scopedTrail: prefix', 'a step name prefix (string)', prefix);
  return {
    step: (name, params, fn, opts) => trail.step(prefix + name, params, fn, opts),
    recordStep: (name, params, ms, output, notes) => trail.recordStep(prefix + name, params, ms, output, notes),
  } as StepRecorder;
}

/** Mean ridge period of adult fingerprints at 500 ppi, pixels (about 0.48 mm; the normalisation target of issue 7 / Kovesi). */
export const REFERENCE_RIDGE_PERIOD_PX = 9.5;

/** Pipeline-level defaults (the stages' own defaults live in their modules). */
export const PIPELINE_DEFAULTS = {
  /** Grey conversion of colour contact prints: ITU-R BT.601 luma. */
  grey: 'luminance' as GrayMode,
  /**
   * When the resolution is unknown, a contact print is processed at 500 ppi if its measured ridge period
   * implies a resolution within this factor of 500 ppi (period 5.4-16.6 px at the 9.5 px reference), else
   * at the resolution the ridge period implies. Ridge periods at 500 ppi span the 5-15 px band (Hong, Wan &
   * Jain 1998; Kovesi), and the spectral estimate of a 500 ppi scan falls anywhere in it: measured on the
   * 320 FVC B prints (500 and 569 ppi), 6.2-14.6 px (1st-99th percentile 6.4-14.6). An earlier factor of
   * 1.25 (7.6-11.9 px) took 68 of those 320 prints for 630-760 ppi scans and shrank them; only a period
   * outside the population band is evidence of a scale other than about 500 ppi. Scans at 600-800 ppi
   * without resolution metadata therefore need `--ppi`.
   */
  ppiTolerance: 1.75,
  /** Minimum confidence of the ridge-period estimate to act on it. */
  periodConfidence: 0.2,
  /** Below this decision margin of `detectPolarity` (its documented weak-call level) a contact print keeps dark ridges. */
  polarityConfidence: 0.1,
} as const;

/** How the working resolution was decided, with the evidence (recorded in the trail). */
export interface ResolutionDecision {
  /** Resolution the print is taken to have, ppi. */
  ppi: number;
  basis: 'option' | 'file' | 'assumed-500' | 'ridge-period';
  /** Resolution the file declared (also when it was rejected as implausible). */
  declaredPpi?: number;
  /** Measured dominant ridge period, px of the input, and its confidence [0, 1]. */
  ridgePeriodPx?: number;
  periodConfidence?: number;
  note: string;
}

export interface PolarityDecision {
  /** True when the image was inverted so that ridges are dark. */
  inverted: boolean;
  basis: 'option' | 'detected' | 'default';
  /** Detector's evidence, when detected. */
  evidence?: Record<string, number>;
  note: string;
}

export interface PrintOptions {
  /** Resolution of the input, ppi: overrides the file's (e.g. 569 for FVC2002 DB2_B). */
  ppi?: number;
  /** Grey conversion for colour inputs (default luminance). */
  grey?: GrayMode;
  /** Ridges in the input: 'dark' (as a contact print), 'light' (invert), 'auto' (detect). Default 'auto'. */
  polarity?: 'auto' | 'dark' | 'light';
  /** Deblur before enhancement (off unless given): PSF ('auto' to estimate) and method. */
  deblur?: Omit<DeblurOptions, 'mask'>;
  enhance?: Omit<EnhanceOptions, 'ppi'>;
  extract?: ExtractOptions;
}

export interface PrintResult {
  /** The grey input (before resampling), [0, 1], ridges dark. */
  gray: GrayImage;
  enhancement: EnhanceResult;
  template: Template;
  extraction: ExtractDiagnostics;
  decisions: { resolution: ResolutionDecision; polarity: PolarityDecision; deblur?: DeblurResult['evidence'] };
}

/**
 * Decide the resolution of a contact print: the caller's, else the file's (when plausible), else 500 ppi
 * when the ridge period agrees with it, else the resolution the ridge period implies.
 * @param gray grey print, height x width, [0, 1].
 * @param given resolutions in ppi: `option` (the caller's), `file` (plausible, from the loader), `declared` (as written in the file).
 * @throws FingerliftError E_INVALID_ARGUMENT for a gray that is not a grey image, or a given value that is not a positive number.
 */
export function decideResolution(gray: GrayImage, given: { option?: number; file?: number; declared?: number } = {}): ResolutionDecision {
  checkGrayImage(gray, 'decideResolution');
  checkPpiFacts(given, 'decideResolution', ['option', 'file', 'declared']);
  if (given.option !== undefined) return { ppi: given.option, basis: 'option', note: `resolution given: ${given.option} ppi`, ...(given.declared !== undefined ? { declaredPpi: given.declared } : {}) };
  if (given.file !== undefined) return { ppi: given.file, basis: 'file', declaredPpi: given.file, note: `resolution from the file: ${given.file} ppi` };
  const declared = given.declared !== undefined ? { declaredPpi: given.declared } : {};
  const why = given.declared !== undefined
    ? `file declares ${given.declared} ppi, implausible for a fingerprint (ridges would be ${(REFERENCE_RIDGE_PERIOD_PX * given.declared / 500).toFixed(1)} px apart)`
    : 'file declares no resolution';
  let period: { periodPx: number; confidence: number };
  try {
    period = estimateRidgePeriod(gray);
  } catch {
    return { ppi: 500, basis: 'assumed-500', ...declared, note: `${why}; ridge period not measurable: 500 ppi assumed` };
  }
  if (!(period.periodPx > 0) || !Number.isFinite(period.periodPx))
    return { ppi: 500, basis: 'assumed-500', ...declared, note: `${why}; no ridge period found (featureless image): 500 ppi assumed` };
  const implied = (500 * REFERENCE_RIDGE_PERIOD_PX) / period.periodPx;
  const ev = { ridgePeriodPx: round2(period.periodPx), periodConfidence: round2(period.confidence) };
  // A period that implies a resolution no fingerprint is captured at (outside the resampler's plausible
  // range) is a wrong estimate (e.g. a crease or the print's outline taken for ridges), not a fact.
  if (implied < RESAMPLE_DEFAULTS.minPpi || implied > RESAMPLE_DEFAULTS.maxPpi)
    return { ppi: 500, basis: 'assumed-500', ...declared, ...ev, note: `${why}; ridge period ${ev.ridgePeriodPx} px would imply ${Math.round(implied)} ppi, outside the plausible ${RESAMPLE_DEFAULTS.minPpi}-${RESAMPLE_DEFAULTS.maxPpi} ppi: 500 ppi assumed` };
  const ratio = implied > 500 ? implied / 500 : 500 / implied;
  if (period.confidence < PIPELINE_DEFAULTS.periodConfidence || ratio <= PIPELINE_DEFAULTS.ppiTolerance)
    return { ppi: 500, basis: 'assumed-500', ...declared, ...ev, note: `${why}; ridge period ${ev.ridgePeriodPx} px (confidence ${ev.periodConfidence}) ${ratio <= PIPELINE_DEFAULTS.ppiTolerance ? 'is consistent with' : 'too uncertain to contradict'} 500 ppi: 500 ppi assumed` };
  const ppi = Math.round(implied);
  return { ppi, basis: 'ridge-period', ...declared, ...ev, note: `${why}; ridge period ${ev.ridgePeriodPx} px (confidence ${ev.periodConfidence}) implies about ${ppi} ppi: processed as ${ppi} ppi` };
}

/**
 * Each of `keys` of `facts` absent or a positive finite number (ppi; a declared resolution, as written in a
 * file, may be 0), else E_INVALID_ARGUMENT.
 */
function checkPpiFacts(facts: unknown, what: string, keys: readonly string[]): void {
  if (facts === null || typeof facts !== 'object') throw invalidArgument(what, `resolution facts { ${keys.join(', ')} } (ppi, each optional)`, facts);
  for (const k of keys) {
    const v = (facts as Record<string, unknown>)[k];
    const declared = k.startsWith('declared');
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && (declared ? v >= 0 : v > 0)))
      throw invalidArgument(`${what}: ${k}`, declared ? 'a number of ppi >= 0' : 'a positive number of ppi', v);
  }
}

/** The deblur options of the pipeline checked up front (they are used after several stages): PSF and method. */
function checkDeblurOption(d: unknown, what: string): void {
  if (d === undefined) return;
  if (d === null || typeof d !== 'object') throw invalidArgument(`${what}: deblur`, "deblur options { psf?, method? }", d);
  const { psf, method } = d as { psf?: unknown; method?: unknown };
  if (method !== undefined && method !== 'wiener' && method !== 'richardson-lucy') throw invalidArgument(`${what}: deblur.method`, "'wiener' or 'richardson-lucy'", method);
  if (psf === undefined || psf === 'auto') return;
  if (psf === null || typeof psf !== 'object')
    throw invalidArgument(`${what}: deblur.psf`, `'auto' or a PSF object { kind: 'gaussian', sigma } | { kind: 'disk', radius } | { kind: 'motion', length, angle }${typeof psf === 'string' ? ' (text such as "gaussian:2" is read by parsePsf)' : ''}`, psf);
  validatePsf(psf as Parameters<typeof validatePsf>[0]);
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Full enhancement parameters, defaults included, for the trail. */
export function enhanceParams(options: EnhanceOptions): Record<string, unknown> {
  return {
    ppi: options.ppi ?? null,
    blockSize: options.blockSize ?? ENHANCE_DEFAULTS.blockSize,
    responseQuantile: options.responseQuantile ?? ENHANCE_DEFAULTS.responseQuantile,
    resample: { ...RESAMPLE_DEFAULTS, ...options.resample },
    contrast: { ...CONTRAST_DEFAULTS, ...options.stretch, ...options.clahe },
    orientation: { ...ORIENTATION_DEFAULTS, ...options.orientation },
    mask: { ...MASK_DEFAULTS, ...options.mask },
    frequency: { ...FREQUENCY_DEFAULTS, ...options.frequency },
    gabor: { ...GABOR_DEFAULTS, ...options.gabor },
    suppressBackground: options.suppressBackground ?? false,
    crop: options.crop === false ? false : { ...CROP_DEFAULTS, ...(typeof options.crop === 'object' ? options.crop : {}) },
  };
}

/**
 * Enhance a grey print and record every enhancement stage in the trail (each stage's output is hashed:
 * mask, orientation field, frequency map, quality map, enhanced image).
 */
export function enhanceRecorded(gray: GrayImage, options: EnhanceOptions, trail?: StepRecorder): EnhanceResult {
  const timings: Partial<EnhanceTimings> = {};
  const r = enhance(gray, options, timings);
  if (trail) {
    const p = enhanceParams(options);
    const ms = (k: keyof EnhanceTimings): number => timings[k] ?? 0;
    trail.recordStep('enhance.resample', { ppi: p.ppi, ...(p.resample as object) }, ms('resample'), { scale: r.scale }, r.notes.filter((n) => /resolution|ppi|resampl/i.test(n)));
    // The foreground crop is decided right after the contrast stretch (its box is in the notes).
    const cropNotes = r.notes.filter((n) => n.startsWith('crop: '));
    trail.recordStep('enhance.contrast', { ...(p.contrast as object), crop: p.crop }, ms('background') + ms('contrast'), r.normalised, cropNotes.length ? cropNotes : undefined);
    trail.recordStep('enhance.orientation', p.orientation, ms('orientation'), { theta: r.orientation.theta, coherence: r.orientation.coherence });
    trail.recordStep('enhance.mask', { ...(p.mask as object), blockSize: p.blockSize }, ms('mask'), r.mask.data);
    trail.recordStep('enhance.frequency', { ...(p.frequency as object), blockSize: p.blockSize }, ms('frequency'), r.frequency.data);
    trail.recordStep('enhance.gabor', p.gabor, ms('gabor'), r.enhanced);
    trail.recordStep('enhance.quality', { blockSize: p.blockSize, responseQuantile: p.responseQuantile }, ms('output'), r.quality.data, r.notes);
  }
  return r;
}

/** Shortest side of a print at 500 ppi, pixels: enhancement's smallest block neighbourhood (16 px, about 0.8 mm). */
export const MIN_PRINT_SIDE_500 = 16;

/**
 * Refuse a print that is under {@link MIN_PRINT_SIDE_500} pixels a side once resampled from `ppi` to 500 ppi.
 * @param width, height the print's size, pixels; `ppi` its resolution.
 * @throws FingerliftError E_TOO_SMALL saying the size at 500 ppi.
 */
function checkSizeAt500(width: number, height: number, ppi: number): void {
  const k = 500 / ppi, w = Math.round(width * k), h = Math.round(height * k);
  if (w < MIN_PRINT_SIDE_500 || h < MIN_PRINT_SIDE_500)
    throw new FingerliftError('E_TOO_SMALL', `${width} x ${height} px at ${ppi} ppi is ${w} x ${h} px at 500 ppi, under the ${MIN_PRINT_SIDE_500} px minimum a side: too small to enhance as a fingerprint (is the resolution right?)`);
}

/**
 * A contact print (or a normalised fingertip) from image to template.
 * @param image grey or colour print, height x width, [0, 1].
 * @param source resolution facts from the loader (`ppi` plausible, `declaredPpi` as written), ppi; default
 *   `{}` (resolution unknown: decided from the options or the ridge period). `scaleEstimated`: the image is
 *   a print lifted from a photo whose resolution was estimated (`LoadedImage.scaleEstimated`): unless
 *   `options.ppi` gives the resolution, the template then has `scaleEstimated` (compared across scales).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image (size and data must agree),
 *   a source ppi that is not a positive number, an options `ppi` that is not a number in PLAUSIBLE_PPI, an
 *   unknown polarity or grey mode, a deblur PSF or method that is not one of those accepted; E_TOO_SMALL
 *   for a print under 16 px a side, as given or at 500 ppi at its resolution (checked before any stage
 *   when the resolution is stated, else right after it is decided); from the stages (E_INVALID_ARGUMENT, E_CV).
 */
export function processPrint(image: AnyImage, source: { ppi?: number | undefined; declaredPpi?: number | undefined; scaleEstimated?: boolean | undefined } = {}, options: PrintOptions = {}, trail?: StepRecorder): PrintResult {
  const step = <T>(name: string, params: unknown, fn: () => T, notes?: (v: T) => string[]): T => (trail ? trail.step(name, params, fn, notes ? { notes } : undefined) : fn());
  checkImage(image, 'processPrint');
  checkPpiFacts(source, 'processPrint: source', ['ppi', 'declaredPpi']);
  if (source.scaleEstimated !== undefined && typeof source.scaleEstimated !== 'boolean') throw invalidArgument('processPrint: source: scaleEstimated', 'true, false or undefined', source.scaleEstimated);
  if (options === null || typeof options !== 'object') throw invalidArgument('processPrint: options', 'an options object', options);
  if (options.ppi !== undefined && !(typeof options.ppi === 'number' && options.ppi >= PLAUSIBLE_PPI[0] && options.ppi <= PLAUSIBLE_PPI[1]))
    throw new FingerliftError('E_INVALID_ARGUMENT', `processPrint: ppi must be a number in [${PLAUSIBLE_PPI.join(', ')}] (a print's resolution, ppi), got ${describeValue(options.ppi)}`);
  if (options.polarity !== undefined && !['auto', 'dark', 'light'].includes(options.polarity))
    throw new FingerliftError('E_INVALID_ARGUMENT', `processPrint: polarity must be 'auto', 'dark' or 'light', got ${describeValue(options.polarity)}`);
  if (options.grey !== undefined && !['luminance', 'red', 'green', 'blue'].includes(options.grey)) throw invalidArgument('processPrint: grey', "'luminance', 'red', 'green' or 'blue'", options.grey);
  checkDeblurOption(options.deblur, 'processPrint');
  // Enhancement needs 16 px a side at 500 ppi; a smaller input is no print (said here, not by an inner stage).
  if (image.width < 16 || image.height < 16) throw new FingerliftError('E_TOO_SMALL', `${image.width} x ${image.height} px is too small for a fingerprint (at least ${MIN_PRINT_SIDE_500} px a side)`);
  // A stated resolution (the caller's, else the file's) is checked before any stage runs: at a very high
  // one the print shrinks under the minimum at 500 ppi (`--ppi 20000` on a 388 x 374 scan).
  const stated = options.ppi ?? source.ppi;
  if (stated !== undefined) checkSizeAt500(image.width, image.height, stated);
  const greyMode = options.grey ?? PIPELINE_DEFAULTS.grey;
  let gray = step('grey', { mode: greyMode, input: 'channels' in image ? 'rgb' : 'grey' }, () => toGray(image, greyMode));

  const resolution = step('resolution', { option: options.ppi ?? null, file: source.ppi ?? null, declared: source.declaredPpi ?? null, ...PIPELINE_DEFAULTS, referencePeriodPx: REFERENCE_RIDGE_PERIOD_PX },
    () => decideResolution(gray, { ...(options.ppi !== undefined ? { option: options.ppi } : {}), ...(source.ppi !== undefined ? { file: source.ppi } : {}), ...(source.declaredPpi !== undefined ? { declared: source.declaredPpi } : {}) }),
    (d) => [d.note]);
  // Too small or too large to enhance at 500 ppi: refused now, not by polarity, deblurring or enhancement.
  checkSizeAt500(gray.width, gray.height, resolution.ppi);
  {
    const k = 500 / resolution.ppi, w = Math.round(gray.width * k), h = Math.round(gray.height * k);
    if (w * h > MAX_ENHANCE_PIXELS)
      throw new FingerliftError('E_TOO_LARGE', `${gray.width} x ${gray.height} px at ${resolution.ppi} ppi${k !== 1 ? ` is ${w} x ${h} px at 500 ppi,` : ' is'} over the enhancement limit of ${MAX_ENHANCE_PIXELS / 1e6} million pixels (a palm at 500 ppi is about 11 million): crop the print to the region to examine`);
  }

  const polarityMode = options.polarity ?? 'auto';
  const decidePolarity = (): PolarityDecision =>
    polarityMode === 'light'
      ? { inverted: true, basis: 'option', note: 'ridges given as light: inverted' }
      : polarityMode === 'dark'
        ? { inverted: false, basis: 'option', note: 'ridges given as dark: not inverted' }
        : detectPrintPolarity(gray, resolution.ridgePeriodPx ?? (REFERENCE_RIDGE_PERIOD_PX * resolution.ppi) / 500);
  const applyPolarity = (): { decision: PolarityDecision; image: GrayImage } => {
    const decision = decidePolarity();
    return { decision, image: decision.inverted ? invert(gray) : gray };
  };
  const polarized = trail
    ? trail.step('polarity', { mode: polarityMode, minConfidence: PIPELINE_DEFAULTS.polarityConfidence }, applyPolarity, { hashOf: (v) => v.image, notes: (v) => [v.decision.note] })
    : applyPolarity();
  const polarity = polarized.decision;
  gray = polarized.image;

  let deblurEvidence: DeblurResult['evidence'] | undefined;
  if (options.deblur) {
    const d = step('deblur', { method: 'wiener', psf: 'auto', ...options.deblur }, () => deblur(gray, options.deblur), (v) => [`deblur: ${v.evidence.psfSource} PSF ${v.evidence.psfText}${v.evidence.skipped ? ' (no blur found: unchanged)' : ''}`]);
    gray = d.image;
    deblurEvidence = d.evidence;
  }

  const enhancement = enhanceRecorded(gray, { ...options.enhance, ppi: resolution.ppi }, trail);
  const extracted = step('extract', resolveExtractOptions(options.extract), () => extractMinutiaeDetailed(enhancement, options.extract), (v) => [`${v.template.minutiae.length} minutiae (${v.diagnostics.candidates} candidates)`]);
  // A lifted print's 500 ppi is the photo's estimated scale: its template says so, unless the caller gave the resolution.
  const scaleEstimated = source.scaleEstimated === true && resolution.basis !== 'option';
  return {
    gray,
    enhancement,
    template: scaleEstimated ? { ...extracted.template, scaleEstimated: true } : extracted.template,
    extraction: extracted.diagnostics,
    decisions: { resolution, polarity, ...(deblurEvidence ? { deblur: deblurEvidence } : {}) },
  };
}

/**
 * Ridge polarity of a contact print, decided by `detectPolarity` (background brightness, then profile skewness).
 * @param gray grey print, height x width, [0, 1]; `periodPx` its ridge period, pixels, when known.
 * @throws FingerliftError E_INVALID_ARGUMENT for a gray that is not a grey image or a periodPx that is not a positive number.
 */
export function detectPrintPolarity(gray: GrayImage, periodPx?: number): PolarityDecision {
  checkGrayImage(gray, 'detectPrintPolarity');
  if (periodPx !== undefined && !(typeof periodPx === 'number' && Number.isFinite(periodPx) && periodPx > 0)) throw invalidArgument('detectPrintPolarity: periodPx', 'a positive number of pixels', periodPx);
  const p = detectPolarity(gray, { modality: 'contact', ...(periodPx !== undefined ? { period: periodPx } : {}) });
  const e = p.evidence;
  const evidence: Record<string, number> = { skewness: round2(e.skewness), darkFraction: round2(e.darkFraction), backgroundFraction: round2(e.backgroundFraction), confidence: round2(e.confidence), period: round2(e.period) };
  if (e.backgroundMinusPrint !== undefined) evidence.backgroundMinusPrint = round2(e.backgroundMinusPrint);
  if (e.confidence < PIPELINE_DEFAULTS.polarityConfidence)
    return { inverted: false, basis: 'default', evidence, note: `polarity evidence weak (confidence ${evidence.confidence} < ${PIPELINE_DEFAULTS.polarityConfidence}): the contact-print convention, dark ridges, is kept` };
  const why = e.decidedBy === 'background' ? `background ${e.backgroundMinusPrint !== undefined && e.backgroundMinusPrint < 0 ? 'darker' : 'brighter'} than the print` : `ridge profile skewness ${evidence.skewness}`;
  return { inverted: p.invert, basis: 'detected', evidence, note: p.invert ? `${why}: light ridges, inverted to dark ridges (confidence ${evidence.confidence})` : `${why}: ridges dark (confidence ${evidence.confidence})` };
}

/** A loaded input with its trail started (tool, versions, input hash, size, ppi). */
export interface StartedRun {
  loaded: LoadedImage;
  trail: AuditTrail;
}

/**
 * Load an image file and start its audit trail (`command` and its full options are recorded so that
 * `fingerlift verify` can replay the run).
 * @throws FingerliftError from `loadImage` (E_NOT_FOUND, E_DECODE, E_TOO_LARGE, E_TOO_SMALL, E_UNSUPPORTED_FORMAT);
 *   E_INVALID_ARGUMENT for a path or command that is not a non-empty string.
 */
export async function startRun(path: string, command: string, options: unknown, load: LoadOptions = {}): Promise<StartedRun> {
  if (!(typeof path === 'string' && path !== '')) throw invalidArgument('startRun: path', 'a file path (non-empty string)', path);
  if (!(typeof command === 'string' && command !== '')) throw invalidArgument('startRun: command', 'the command name (non-empty string)', command);
  const bytes = await readInputFile(path, { maxBytes: maxImageFileBytes(load.maxPixels ?? DEFAULT_MAX_PIXELS), what: 'image' });
  const loaded = await loadImage(bytes, { ...load, name: path });
  loaded.source.path = path;
  const trail = new AuditTrail({ command, options });
  trail.setInput(describeInput(path, bytes, { width: loaded.image.width, height: loaded.image.height, ...(loaded.ppi !== undefined ? { ppi: loaded.ppi } : {}) }));
  trail.recordStep('load', { path, ...load }, 0, loaded.image, loaded.notes);
  return { loaded, trail };
}

// -------------------------------------------------------------------------------------------------
// Photos.

/** Options of `liftPhoto`. */
export interface LiftOptions {
  /** Resolution of the photo at the fingertips, ppi, when known (a scale in the picture); else estimated from the ridge period. */
  ppi?: number;
  /** Mirror to the view of a contact print (default true: a camera sees the finger, a contact print its mirror image). */
  mirror?: boolean;
  /** Approximate unroll of the finger's cylinder (default true). */
  unroll?: boolean;
  /** Deblur each normalised fingertip (off unless given). A given PSF is in photo pixels (rescaled with the print). */
  deblur?: Omit<DeblurOptions, 'mask'>;
  locate?: Partial<LocateOptions>;
  normalise?: Partial<Omit<NormaliseOptions, 'ppi' | 'mirror' | 'unroll' | 'name'>>;
  enhance?: Omit<EnhanceOptions, 'ppi'>;
  extract?: ExtractOptions;
  /** At most this many fingertips are lifted (best located first). Default 10. */
  maxFingertips?: number;
  /** Re-measure the ridges of fingertips that locate found unresolved at a usable resolution (see LIFT_DEFAULTS). */
  recheckUnresolved?: boolean;
  /** Mask each print with the located hand (skin) mask, so background beside the finger is not lifted. Default LIFT_DEFAULTS.foreground. */
  foreground?: boolean;
  /** Smallest ridge-band contrast of the normalised print for it to be lifted (see LIFT_DEFAULTS.minRidgeContrast); 0 disables the check. */
  minRidgeContrast?: number;
  /** Name of the photo for messages. */
  name?: string;
}

/** Lift quality gate: a print with fewer minutiae than this is reported unusable (too little ridge detail to compare). */
export const LIFT_DEFAULTS = {
  minMinutiae: 12,
  /**
   * Ridge-evidence gate, checked before enhancement (a Gabor filter turns any texture near the ridge
   * frequency, e.g. JPEG 8 x 8 blocking on a defocused photo, into ridge-like stripes): the normalised
   * print's ridge-band contrast (`decisions.ridgeEvidence.contrast`: band RMS amplitude over mean grey,
   * 90th percentile of 32 px blocks, the photo's axes left out; src/normalise/quality.ts) must reach this.
   * Chosen from the measured distributions (bench/lift.ts, "Lift quality gate" section): defocused photos
   * (fingerphoto-quality/blurry, the 3 of 5 that reach normalise) 0.0022-0.0023; prints with visible
   * ridges from 0.0062 (glare_02, the weakest, 33 minutiae) up: ridgebase crops 0.0114-0.188 (34 prints),
   * ridgebase/hands usable 0.0088-0.064 (19), fingerphoto-quality good 0.044-0.064, dark 0.029-0.067,
   * glare 0.0062-0.038, fingerphoto-contact 0.099-0.167, fingerphoto 0.039-0.111. 0.004 is about the
   * geometric mean of 0.0023 and 0.0062 (1.7x above the defocused maximum, 1.55x below the weakest
   * sharp print). A Gaussian defocus of sigma s px scales the band by about exp(-2 pi^2 s^2 / T^2) at
   * period T, so between a photo-like print (contrast about 0.05-0.2) and this threshold lies a blur of
   * about 0.35-0.45 ridge periods (test/lift-quality.test.ts: refused at 6 px = 0.68 periods).
   */
  minRidgeContrast: 0.004,
  maxFingertips: 10,
  /**
   * Mask prints with the located hand mask (background beside the finger white, as in a contact print).
   * Off: measured on the ridgebase crops it moved crops vs crops and crops vs contact in opposite
   * directions by one pair each (EER 20.8 -> 16.6%, FNMR at FMR 1% vs contact 35 -> 37.5%).
   */
  foreground: false,
  /**
   * Fingertips that locate's quick ridge check (one pad square) found unresolved, at a usable resolution, are
   * normalised anyway and lifted when normalise's thorough estimate finds the ridge period. Measured
   * (bench/lift.ts): ridgebase crops 31/32 lifted instead of 30/32 before LOCATE_DEFAULTS.refineAxis (with
   * it locate resolves all 32 itself); usable fingertips on ridgebase/hands 13 -> 17 (before the slap profile).
   */
  recheckUnresolved: true,
  /** Resolution hypotheses of a photo print for comparison: `SCALE_HYPOTHESES` (src/compare/scales.ts). */
  scaleSearch: SCALE_HYPOTHESES,
} as const;

/** One lifted fingertip. */
export interface LiftedFingertip {
  /** Index, 1-based, in the order located (best first). */
  index: number;
  located: LocatedFingertip;
  /** Present when the fingertip could be normalised (also when the quality gate then refused it: its `decisions.ridgeEvidence` is the evidence). */
  normalised?: NormaliseResult;
  /** Present when the print was enhanced (it passed the ridge-evidence gate). */
  result?: PrintResult;
  /** The print (enhanced, 500 ppi) and its template, when lifted; the template has `scaleEstimated`
   *  set unless the photo's resolution was given (`LiftOptions.ppi`). */
  print?: GrayImage;
  template?: Template;
  /** Quality gate: usable for comparison, with the reason when not. */
  usable: boolean;
  reason?: string;
  /** Mean block quality inside the region of interest, [0, 1]. */
  quality: number;
}

/**
 * The whole photo job: locate fingertips, then for each one normalise (grey, upright, mirrored,
 * unrolled, 500 ppi, ridges dark), [deblur], enhance and extract minutiae. Fingertips whose ridges are
 * not resolved are reported unusable with the estimated ppi, never lifted from invented detail (a
 * fingertip that locate's quick check found unresolved at a usable resolution is lifted only when
 * normalise's own ridge-period measurement succeeds: `recheckUnresolved`; a normalised print whose
 * ridge-band contrast is below `LIFT_DEFAULTS.minRidgeContrast`, e.g. a defocused photo, is refused with
 * the reason before enhancement, without print or template). Compare the templates with
 * `compareAcrossScales` to allow for the scale uncertainty of a photo print.
 * @param image RGB (or grey) photo, height x width, [0, 1], EXIF orientation applied.
 * @throws FingerliftError E_NO_FINGER when no fingertip is found; E_TOO_SMALL for tiny photos;
 *   E_INVALID_ARGUMENT for something that is not an image, a `ppi` that is not a number in
 *   PHOTO_PPI_RANGE, a minRidgeContrast that is not a finite number >= 0, or a deblur PSF or method that
 *   is not one of those accepted.
 */
export function liftPhoto(image: AnyImage, options: LiftOptions = {}, trail?: StepRecorder): { located: LocateResult; fingertips: LiftedFingertip[] } {
  if (options === null || typeof options !== 'object') throw invalidArgument('liftPhoto: options', 'an options object', options);
  const name = options.name ?? 'photo';
  checkImage(image, `liftPhoto ${name}`);
  if (options.ppi !== undefined && !(typeof options.ppi === 'number' && options.ppi >= PHOTO_PPI_RANGE[0] && options.ppi <= PHOTO_PPI_RANGE[1]))
    throw new FingerliftError('E_INVALID_ARGUMENT', `liftPhoto: ppi must be a number in [${PHOTO_PPI_RANGE.join(', ')}] (a photo's resolution at the fingertips, ppi), got ${describeValue(options.ppi)}`, { input: name });
  checkDeblurOption(options.deblur, 'liftPhoto');
  if (options.minRidgeContrast !== undefined && !(Number.isFinite(options.minRidgeContrast) && options.minRidgeContrast >= 0))
    throw new FingerliftError('E_INVALID_ARGUMENT', `minRidgeContrast ${options.minRidgeContrast}: need a finite number >= 0`, { input: name });
  const locateNotes = (r: LocateResult): string[] => [`${r.fingertips.length} fingertip(s) located (${r.fingertips.filter((f) => f.usable).length} usable); segmentation ${r.diagnostics.segmentation}`, ...r.diagnostics.notes];
  // The hash covers what locating decided (mask, fingertips), not its timings.
  const located = trail
    ? trail.step('locate', { ...LOCATE_DEFAULTS, ...options.locate }, () => locateFingertips(image as RgbImage, { ...options.locate, name }), { notes: locateNotes, hashOf: (r) => ({ mask: r.handMask.data, fingertips: r.fingertips }) })
    : locateFingertips(image as RgbImage, { ...options.locate, name });
  const out: LiftedFingertip[] = [];
  const max = options.maxFingertips ?? LIFT_DEFAULTS.maxFingertips;
  located.fingertips.slice(0, max).forEach((tip, i) => {
    const k = i + 1;
    // Locate's ridge check is a quick one (one pad square, one scale). A fingertip it found unresolved at a
    // usable resolution gets the thorough measurement of normalise (every grey channel, wider period band,
    // overlapping tiles): lifted only if normalise finds the ridge period itself.
    const recheck = !tip.usable && (options.recheckUnresolved ?? LIFT_DEFAULTS.recheckUnresolved) && tip.ppiBasis === 'finger-width' && tip.estimatedPpi >= (options.locate?.minUsablePpi ?? LOCATE_DEFAULTS.minUsablePpi);
    const unusable = (): void => void out.push({ index: k, located: tip, usable: false, reason: `${tip.reason ?? 'ridges not resolved'} (estimated ${Math.round(tip.estimatedPpi)} ppi from the ${tip.ppiBasis})`, quality: 0 });
    if (!tip.usable && !recheck) return unusable();
    const scope = trail ? scopedTrail(trail, `f${k}.`) : undefined;
    const nOpts: Partial<NormaliseOptions> = { ...options.normalise, mirror: options.mirror ?? true, unroll: options.unroll ?? true, name: `${name} fingertip ${k}` };
    if (options.foreground ?? LIFT_DEFAULTS.foreground) nOpts.foreground = { mask: located.handMask, scale: located.diagnostics.scale };
    if (options.ppi !== undefined) nOpts.ppi = options.ppi;
    try {
      const normalised = scope
        ? scope.step('normalise', { ...NORMALISE_DEFAULTS, ...nOpts, ...(nOpts.foreground ? { foreground: 'the locate step\'s hand mask' } : {}) }, () => normaliseFingertip(image as RgbImage, tip.box, nOpts), { hashOf: (v: NormaliseResult) => v.print, notes: (v: NormaliseResult) => v.decisions.notes })
        : normaliseFingertip(image as RgbImage, tip.box, nOpts);
      if (recheck && normalised.decisions.ppiBasis !== 'ridge-period') return unusable();
      if (recheck) normalised.decisions.notes.push(`locate's quick ridge check found none (${tip.reason ?? 'unresolved'}); normalise measured a ridge period of ${normalised.decisions.ridgePeriodPx} photo px (SNR ${normalised.decisions.ridgeSnr}): lifted`);
      // Ridge-evidence gate, before enhancement: no print and no template from ridges that are not there.
      const ev = normalised.decisions.ridgeEvidence;
      const minContrast = options.minRidgeContrast ?? LIFT_DEFAULTS.minRidgeContrast;
      const refused = ev.contrast < minContrast;
      const why = `blurred or featureless: ridge-band contrast ${ev.contrast} below ${minContrast} (${Math.round(ev.quantile * 100)}th percentile of ${ev.blocks} blocks, median ${ev.contrastMedian})`;
      const gateNote = refused ? `quality gate: ${why}: not enhanced` : `quality gate: ridge-band contrast ${ev.contrast} >= ${minContrast}`;
      normalised.decisions.notes.push(gateNote);
      scope?.recordStep('gate', { minRidgeContrast: minContrast }, 0, ev, [gateNote]);
      if (refused) return void out.push({ index: k, located: tip, normalised, usable: false, reason: why, quality: 0 });
      const printOpts: PrintOptions = { ppi: 500, polarity: 'dark' };
      // A PSF given for the photo is in photo pixels: the print was rescaled by decisions.scale.
      if (options.deblur) {
        const psf = options.deblur.psf;
        printOpts.deblur = psf && psf !== 'auto' ? { ...options.deblur, psf: scalePsf(psf, normalised.decisions.scale) } : options.deblur;
      }
      if (options.enhance) printOpts.enhance = options.enhance;
      if (options.extract) printOpts.extract = options.extract;
      const result = processPrint(normalised.print, { ppi: 500 }, printOpts, scope);
      const quality = meanQuality(result.enhancement);
      const n = result.template.minutiae.length;
      const usable = n >= LIFT_DEFAULTS.minMinutiae;
      // A resolution estimated from the photo (not given) leaves the print's scale uncertain: the template says
      // so, and comparisons involving it (also from its saved JSON) search across scales.
      const template: Template = normalised.decisions.ppiBasis === 'given' ? result.template : { ...result.template, scaleEstimated: true };
      const lifted: LiftedFingertip = { index: k, located: tip, normalised, result, print: result.enhancement.enhanced, template, usable, quality };
      if (!usable) lifted.reason = `too few minutiae (${n} < ${LIFT_DEFAULTS.minMinutiae}): too little clear ridge detail`;
      out.push(lifted);
    } catch (e) {
      if (!(e instanceof FingerliftError)) throw e;
      out.push({ index: k, located: tip, usable: false, reason: `${e.code}: ${e.message}`, quality: 0 });
    }
  });
  return { located, fingertips: out };
}

function meanQuality(e: EnhanceResult): number {
  let s = 0, n = 0;
  for (let i = 0; i < e.quality.data.length; i++) if (e.quality.data[i]! > 0) { s += e.quality.data[i]!; n++; }
  return n > 0 ? Math.round((s / n) * 1000) / 1000 : 0;
}
