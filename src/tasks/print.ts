/**
 * Batch tasks for contact prints: `enhance` and `extract`. Each run is a pure job (input path + options
 * -> files in memory + audit trail) so that `fingerlift verify` can replay it and compare every hash;
 * the batch task writes the files (never overwriting without --force) and the trail last.
 */
import { basename } from 'node:path';
import { processPrint, startRun, type PrintOptions, type PrintResult } from '../pipeline.js';
import { DEFAULT_MAX_PIXELS, decoderWarningLine, liftedMarksOf, decoderWarningOf, inputWarningLine, encodeImage, maxImageFileBytes, readImageHeader, refuseFingerliftChart, withDecoderWarning } from '../image/io.js';
import { readInputFile } from '../fsread.js';
import { printTooLargeFromHeader } from './print-size.js';
import { drawMask, drawOrientation, drawHeatmap, drawMinutiae } from '../audit/draw.js';
import { writeTemplate, type TemplateFormat } from '../formats/index.js';
import { parsePsf } from '../enhance/deblur/index.js';
import type { AuditTrail } from '../audit/trail.js';
import type { BatchJob, BatchTaskResult } from '../batch/types.js';
import { buildReport } from './report.js';
import { FingerliftError } from '../errors.js';
import { looksLikePhoto } from './compare.js';

/** Options of `fingerlift enhance` / `fingerlift extract` (plain data: they cross to worker threads and into the trail). */
export interface PrintTaskOptions {
  /** Input resolution, ppi (overrides the file). */
  ppi?: number;
  /** 'auto' | 'dark' | 'light' (light = white ridges, inverted). */
  polarity?: 'auto' | 'dark' | 'light';
  /** Deblur with this PSF ("auto", "gaussian:1.5", "motion:7:45", "disk:3"); off when absent. */
  psf?: string;
  deblurMethod?: 'wiener' | 'richardson-lucy';
  /** extract: template format (default xyt). */
  format?: TemplateFormat;
  /** enhance: write the mask, orientation, frequency and quality pictures. */
  overlays?: boolean;
  /** extract: write the minutiae over the enhanced print. */
  overlay?: boolean;
  /** Write a self-contained HTML report. */
  report?: boolean;
  /**
   * What the inputs are: 'auto' (default) refuses a colour photo of a finger (`looksLikePhoto`: a contact
   * print is grey, skin is red over blue), which needs `lift`; 'print' processes any input as a print.
   */
  imageKind?: 'auto' | 'print';
}

export interface JobFile {
  /** Appended to the output stem, e.g. ".enhanced.png". */
  suffix: string;
  bytes: Uint8Array;
}

export interface JobOutput {
  trail: AuditTrail;
  files: JobFile[];
  fields: Record<string, string | number | boolean | null>;
}

function printOptions(o: PrintTaskOptions): PrintOptions {
  const p: PrintOptions = { polarity: o.polarity ?? 'auto' };
  if (o.ppi !== undefined) p.ppi = o.ppi;
  if (o.psf !== undefined) p.deblur = { psf: o.psf === 'auto' ? 'auto' : parsePsf(o.psf), method: o.deblurMethod ?? 'wiener' };
  return p;
}

async function overlayFiles(r: PrintResult): Promise<JobFile[]> {
  const e = r.enhancement;
  return [
    { suffix: '.mask.png', bytes: await drawMask(e.normalised, e.mask, { ppi: 500 }) },
    { suffix: '.orientation.png', bytes: await drawOrientation(e.normalised, e.orientation, undefined, { ppi: 500 }) },
    { suffix: '.frequency.png', bytes: await drawHeatmap(e.frequency, [1 / 15, 1 / 5], { ppi: 500 }) },
    { suffix: '.quality.png', bytes: await drawHeatmap(e.quality, [0, 1], { ppi: 500 }) },
  ];
}

/**
 * Run `enhance` or `extract` on one input, in memory. Its summary fields say when the decoder warned of
 * damaged data (`decoderWarning`, and `warning`: the line naming the file with every warning of the input, `inputWarningLine`; null when none).
 * @param stem output file stem (base name) used to name the files in the trail.
 * @throws FingerliftError from the loader (E_NOT_FOUND, E_DECODE, E_TOO_LARGE, ...); before any decode
 *   E_UNSUPPORTED_FORMAT for a comparison chart fingerlift drew (`refuseFingerliftChart`) and E_TOO_LARGE for
 *   a print over the enhancement limit at the resolution its header or `options.ppi` gives
 *   (`printTooLargeFromHeader`); E_INVALID_ARGUMENT (a colour photo, unless imageKind 'print'), E_NO_FINGER,
 *   E_TOO_FEW_MINUTIAE (extract) and the pipeline's, said with the decoder's warning when there was one.
 */
export async function runPrintJob(command: 'enhance' | 'extract', input: string, stem: string, options: PrintTaskOptions): Promise<JobOutput> {
  if (!(options.imageKind === undefined || options.imageKind === 'auto' || options.imageKind === 'print'))
    throw new FingerliftError('E_INVALID_ARGUMENT', `${command}: imageKind is ${JSON.stringify(options.imageKind)}, expected "auto" or "print"`, { input });
  // Refused before the decode: a chart fingerlift drew (two prints side by side), and a print too large to
  // enhance at the resolution its header (or --ppi) gives.
  const head = await readInputFile(input, { maxBytes: maxImageFileBytes(DEFAULT_MAX_PIXELS), what: 'image' });
  await refuseFingerliftChart(head, input);
  const header = await readImageHeader(head);
  const tooLarge = header && printTooLargeFromHeader(header, options.ppi);
  if (tooLarge) throw new FingerliftError('E_TOO_LARGE', tooLarge, { input });
  const { loaded, trail } = await startRun(input, command, options);
  // A finger photo enhanced as a contact print gives a template of nothing (its ridge period, scale and
  // mirror are not those of a print): measured on fingerphoto Right_index, 48 minutiae that matched a
  // synthetic non-mate better than anything.
  let r: PrintResult;
  try {
    if ((options.imageKind ?? 'auto') === 'auto' && looksLikePhoto(loaded.image))
      throw new FingerliftError('E_INVALID_ARGUMENT', `a colour photo, not a contact print: use \`fingerlift lift\` for finger photos (or --image-kind print to process it as a print anyway)`, { input });
    r = processPrint(loaded.image, { ppi: loaded.ppi, declaredPpi: loaded.source.declaredPpi, scaleEstimated: loaded.scaleEstimated === true }, printOptions(options), trail);
    // Nothing to examine is a failure of this input, not a silent empty result.
    if (!r.enhancement.mask.data.includes(1))
      throw new FingerliftError('E_NO_FINGER', 'no fingerprint region found: the region-of-interest mask is empty (blank, flat or featureless image)', { input });
    if (command === 'extract' && r.template.minutiae.length === 0)
      throw new FingerliftError('E_TOO_FEW_MINUTIAE', `no minutiae found (${r.extraction.candidates} candidates, all removed as unreliable)`, { input });
  } catch (e) {
    // What was (not) found in an image the decoder warned about is said with the warning: the damage may be why.
    throw withDecoderWarning(e, loaded);
  }
  const files: JobFile[] = [];
  const enhancedPng = await trail.step('write.enhanced', { format: 'png', ppi: 500 }, () => encodeImage(r.enhancement.enhanced, 'png', { ppi: 500, ...liftedMarksOf(loaded, r.template.scaleEstimated === true) }));
  if (command === 'enhance') {
    files.push({ suffix: '.enhanced.png', bytes: enhancedPng });
    if (options.overlays) files.push(...(await overlayFiles(r)));
  } else {
    const format = options.format ?? 'xyt';
    // A JSON template records the decoder's warning (its "decoderWarning"); .xyt and ISO have no field for it.
    const warning = decoderWarningOf(loaded);
    const template = format === 'json' && warning !== undefined ? { ...r.template, decoderWarning: warning } : r.template;
    const bytes = trail.step('write.template', { format }, () => writeTemplate(template, format));
    files.push({ suffix: `.${format}`, bytes });
    if (options.overlay) files.push({ suffix: '.minutiae.png', bytes: await drawMinutiae(r.enhancement.enhanced, r.template, { ppi: 500 }) });
  }
  const endings = r.template.minutiae.filter((m) => m.type === 'ending').length;
  if (options.report) {
    for (const f of files) trail.output(`${stem}${f.suffix}`, f.bytes);
    files.push({ suffix: '.report.html', bytes: Buffer.from(await buildReport({ trail, print: r, original: loaded.image, enhancedPng }), 'utf8') });
  }
  return {
    trail,
    files,
    fields: {
      ppi: r.decisions.resolution.ppi,
      ppiBasis: r.decisions.resolution.basis,
      inverted: r.decisions.polarity.inverted,
      minutiae: r.template.minutiae.length,
      endings,
      bifurcations: r.template.minutiae.length - endings,
      // The decoder warned of damaged data: said in the summary beside the result, not only in the trail.
      decoderWarning: decoderWarningLine(input, loaded) !== undefined,
      warning: inputWarningLine(input, loaded) ?? null,
    },
  };
}

async function writeJob(job: BatchJob<PrintTaskOptions>, out: JobOutput): Promise<BatchTaskResult> {
  for (const f of out.files) await job.write(f.suffix, f.bytes, out.trail);
  await job.writeTrail(out.trail);
  return { fields: out.fields };
}

/** Batch task of `fingerlift enhance`. */
export async function enhanceTask(job: BatchJob<PrintTaskOptions>): Promise<BatchTaskResult> {
  return writeJob(job, await runPrintJob('enhance', job.input, basename(job.outStem), job.options));
}

/** Batch task of `fingerlift extract`. */
export async function extractTask(job: BatchJob<PrintTaskOptions>): Promise<BatchTaskResult> {
  return writeJob(job, await runPrintJob('extract', job.input, basename(job.outStem), job.options));
}
