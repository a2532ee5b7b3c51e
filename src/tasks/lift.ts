/**
 * Batch task of `fingerlift lift`: per photo, per fingertip `<name>.f<k>.png` (enhanced print, 500 ppi)
 * and `<name>.f<k>.json` (template), with --overlays the located boxes on the photo
 * (`<name>.boxes.png`) and the minutiae on each print (`<name>.f<k>.minutiae.png`), a summary
 * `<name>.lift.json`, and the trail. Pure job + writer, as in print.ts, so `verify` can replay it.
 */
import { basename } from 'node:path';
import { liftPhoto, startRun, type LiftOptions, type LiftedFingertip } from '../pipeline.js';
import { decoderWarningOf, inputWarningLine, encodeImage, refuseFingerliftChart, withDecoderWarning } from '../image/io.js';
import { resample, toGray } from '../image/ops.js';
import { drawBoxes, drawMinutiae } from '../audit/draw.js';
import { writeTemplate } from '../formats/index.js';
import { parsePsf } from '../enhance/deblur/index.js';
import { stableStringify } from '../audit/hash.js';
import { renderReport, type ReportPicture } from '../audit/report.js';
import type { BatchJob, BatchTaskResult } from '../batch/types.js';
import type { JobFile, JobOutput } from './print.js';
import { printStagePictures } from './report.js';
import { looksLikePhoto } from './compare.js';
import { FingerliftError } from '../errors.js';
import { isRgb, type AnyImage, type GrayImage } from '../image/types.js';

export interface LiftTaskOptions {
  ppi?: number;
  /** Mirror to the contact view (default true; --no-mirror turns it off). */
  mirror?: boolean;
  psf?: string;
  deblurMethod?: 'wiener' | 'richardson-lucy';
  overlays?: boolean;
  report?: boolean;
  /**
   * What the inputs are: 'auto' (default) refuses an input that looks like a contact print
   * ({@link looksLikeContactPrint}), which needs `extract` (lift would invert and mirror it as a camera photo);
   * 'photo' lifts any input.
   */
  imageKind?: 'auto' | 'photo';
}

/**
 * Why an input given to `lift` looks like a contact print (undefined when it does not): an image without colour
 * (a camera photo of skin is red over blue) that declares a scanner's resolution (250-2000 ppi; phone photos
 * declare 72 or none) or lies on a light background (median grey of the outer 5% of the frame at least 0.3,
 * as paper or a sensor's platen; grey lab cameras photograph the finger against a dark one). Measured, border
 * medians: FVC2002 DB1_B / DB2_B / DB4_B, FVC2004 DB1_B, ridgebase and fingerphoto-contact contact prints
 * 0.45-1.00 (all 426 prints), the latent 0.45; contactless-ds1 lab-camera frames and its unwrapped prints
 * 0.00-0.15 (65 images). A grey copy of a camera photo on a light background is refused too (--image-kind photo).
 */
export function looksLikeContactPrint(image: AnyImage, declaredPpi: number | undefined): string | undefined {
  if (looksLikePhoto(image)) return undefined;
  if (declaredPpi !== undefined && declaredPpi >= 250 && declaredPpi <= 2000) return `no colour, and the file declares ${Math.round(declaredPpi)} ppi, a scanner's resolution`;
  const border = borderMedian(isRgb(image) ? toGray(image) : image);
  return border >= 0.3 ? `no colour, and a light background (median grey ${border.toFixed(2)} along the border) as on paper or a sensor` : undefined;
}

/** Median grey of the outer 5% of the frame (every second pixel), [0, 1]. */
function borderMedian(g: GrayImage): number {
  const { width: w, height: h, data } = g;
  const m = Math.max(1, Math.round(0.05 * Math.min(w, h)));
  const px: number[] = [];
  for (let y = 0; y < h; y += 2) for (let x = 0; x < w; x += 2) if (x < m || y < m || x >= w - m || y >= h - m) px.push(data[y * w + x]!);
  px.sort((a, b) => a - b);
  return px.length ? px[px.length >> 1]! : 0;
}

function liftOptions(o: LiftTaskOptions, name: string): LiftOptions {
  const l: LiftOptions = { mirror: o.mirror ?? true, name };
  if (o.ppi !== undefined) l.ppi = o.ppi;
  if (o.psf !== undefined) l.deblur = { psf: o.psf === 'auto' ? 'auto' : parsePsf(o.psf), method: o.deblurMethod ?? 'wiener' };
  return l;
}

/** Longest side of the boxes overlay (the photo is shown reduced). */
const OVERLAY_SIDE = 1600;

function fingertipSummary(f: LiftedFingertip): Record<string, unknown> {
  const b = f.located.box;
  return {
    index: f.index,
    box: { cx: round(b.cx), cy: round(b.cy), width: round(b.width), height: round(b.height), angleDeg: round((b.angle * 180) / Math.PI) },
    locateScore: round(f.located.score),
    // The photo's resolution at this fingertip as the print was made: normalise's measurement when the
    // fingertip was normalised (decisions.estimatedPpi), else locate's quick estimate; locate's is kept apart.
    estimatedPpi: Math.round(f.normalised ? f.normalised.decisions.estimatedPpi : f.located.estimatedPpi),
    ppiBasis: f.normalised ? f.normalised.decisions.ppiBasis : f.located.ppiBasis,
    locateEstimate: { estimatedPpi: Math.round(f.located.estimatedPpi), ppiBasis: f.located.ppiBasis },
    usable: f.usable,
    reason: f.reason ?? null,
    quality: f.quality,
    minutiae: f.template?.minutiae.length ?? 0,
    decisions: f.normalised ? { ...f.normalised.decisions, rotationDeg: round((f.normalised.decisions.rotation * 180) / Math.PI) } : null,
  };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * Run `lift` on one photo, in memory. Its summary fields say when the decoder warned of damaged data
 * (`decoderWarning`, and `warning`: the line naming the photo with every warning of the input, `inputWarningLine`; null when none).
 * @param stem output file stem (base name) used to name the files in the trail.
 * @throws FingerliftError from the loader; E_UNSUPPORTED_FORMAT before any decode for a comparison chart
 *   fingerlift drew (`refuseFingerliftChart`); E_INVALID_ARGUMENT for an input that is a print fingerlift lifted (its PNG marks) or looks like a contact
 *   print (imageKind 'auto'), and the pipeline's, said with the decoder's warning when there was one.
 */
export async function runLiftJob(input: string, stem: string, options: LiftTaskOptions): Promise<JobOutput> {
  if (!(options.imageKind === undefined || options.imageKind === 'auto' || options.imageKind === 'photo'))
    throw new FingerliftError('E_INVALID_ARGUMENT', `lift: imageKind is ${JSON.stringify(options.imageKind)}, expected "auto" or "photo"`, { input });
  // A chart fingerlift drew is refused before it is read (the same check as every command's).
  await refuseFingerliftChart(input);
  const { loaded, trail } = await startRun(input, 'lift', options);
  // A print this program lifted (its marks say so) is not lifted twice: said as what it is, not as a scan
  // (and not with its photo's damage, which is not why).
  if ((options.imageKind ?? 'auto') === 'auto' && (loaded.scaleEstimated === true || loaded.liftedSource !== undefined))
    throw new FingerliftError('E_INVALID_ARGUMENT', `a print fingerlift already lifted from a photo (its PNG mark says so), not a camera photo: use \`fingerlift extract\` for its template or \`fingerlift compare\`/\`search\` on it (it is already inverted, mirrored and scaled to about 500 ppi; --image-kind photo to lift it anyway)`, { input });
  let lifted: ReturnType<typeof liftPhoto>;
  try {
    const contact = (options.imageKind ?? 'auto') === 'auto' ? looksLikeContactPrint(loaded.image, loaded.source.declaredPpi) : undefined;
    if (contact)
      throw new FingerliftError('E_INVALID_ARGUMENT', `a contact print, not a camera photo (${contact}): use \`fingerlift extract\` for prints, which are neither inverted nor mirrored (or --image-kind photo to lift it anyway)`, { input });
    lifted = liftPhoto(loaded.image, liftOptions(options, input), trail);
  } catch (e) {
    // What was (not) found in a photo the decoder warned about is said with the warning: the damage may be why.
    throw withDecoderWarning(e, loaded);
  }
  const files: JobFile[] = [];
  const pictures: ReportPicture[] = [];
  const photoDecoderWarning = decoderWarningOf(loaded);
  const photoWarnings = loaded.notes.filter((n) => n.startsWith('warning: ')).map((n) => n.slice('warning: '.length));
  const sourceWarnings = photoDecoderWarning !== undefined || photoWarnings.length > 0 ? { ...(photoDecoderWarning !== undefined ? { decoder: photoDecoderWarning } : {}), warnings: photoWarnings } : undefined;
  for (const f of lifted.fingertips) {
    if (!f.print || !f.template) continue;
    // A print whose scale was estimated from the photo is marked so (`LIFTED_PRINT_MARK`): read back, it is compared across scales.
    // So is one from a photo that warned (its decoder's damage, its own "warning: " notes): read back, every result built on it says so.
    const png = await encodeImage(f.print, 'png', { ppi: 500, ...(f.template.scaleEstimated && f.normalised ? { scaleEstimatedFromPpi: f.normalised.decisions.estimatedPpi } : {}), ...(sourceWarnings ? { sourceWarnings } : {}) });
    // Only a usable fingertip gets a print and a template on disk: a template of an unusable one (too few
    // minutiae) would be compared like any other. The report still shows its stages, marked unusable.
    if (f.usable) {
      files.push({ suffix: `.f${f.index}.png`, bytes: png });
      // The template records the decoder's warning of the photo (its "decoderWarning"), as <name>.lift.json does.
      const warning = decoderWarningOf(loaded);
      files.push({ suffix: `.f${f.index}.json`, bytes: writeTemplate(warning !== undefined ? { ...f.template, decoderWarning: warning } : f.template, 'json') });
    }
    if (options.overlays || options.report) {
      const m = await drawMinutiae(f.print, f.template, { ppi: 500 });
      if (options.overlays && f.usable) files.push({ suffix: `.f${f.index}.minutiae.png`, bytes: m });
      if (options.report && f.result) pictures.push(...(await printStagePictures(f.result, png, `Fingertip ${f.index}${f.usable ? '' : ' (unusable)'}: `)).map((p) => ({ ...p, step: p.step ? `f${f.index}.${p.step}` : undefined } as ReportPicture)), { title: `Fingertip ${f.index}${f.usable ? '' : ` (unusable: ${f.reason ?? ''})`}: minutiae`, image: m, step: `f${f.index}.extract` });
    }
  }
  // The overlay shows the photo reduced to OVERLAY_SIDE (drawing on a full 12 MP photo costs seconds).
  const scale = Math.min(1, OVERLAY_SIDE / Math.max(loaded.image.width, loaded.image.height));
  const boxes = lifted.fingertips.map((f) => {
    const b = f.located.box;
    return { cx: b.cx * scale, cy: b.cy * scale, width: b.width * scale, height: b.height * scale, angle: b.angle, label: `f${f.index}${f.usable ? '' : ' (unusable)'}`, score: f.located.score };
  });
  const boxesPng = options.overlays || options.report
    ? await drawBoxes(scale < 1 ? resample(loaded.image, scale) : loaded.image, boxes, { scale: 1 })
    : undefined;
  if (options.overlays && boxesPng) files.push({ suffix: '.boxes.png', bytes: boxesPng });
  const summary = {
    photo: input,
    sha256: loaded.source.sha256,
    width: loaded.image.width,
    height: loaded.image.height,
    // Damage the decoder worked around: the prints and templates rest on those pixels (null: none).
    decoderWarning: decoderWarningOf(loaded) ?? null,
    fingertips: lifted.fingertips.map(fingertipSummary),
  };
  files.push({ suffix: '.lift.json', bytes: Buffer.from(stableStringify(summary), 'utf8') });
  if (options.report) {
    for (const f of files) trail.output(`${stem}${f.suffix}`, f.bytes);
    const html = renderReport({
      trail: trail.toJSON(),
      timings: false,
      ...(boxesPng ? { original: { title: 'Photo (never altered) with the located fingertips', image: boxesPng, step: 'locate' } } : {}),
      stages: pictures,
      notes: lifted.fingertips.map((f) => `fingertip ${f.index}: ${f.usable ? `usable, ${f.template?.minutiae.length ?? 0} minutiae, quality ${f.quality}` : `unusable: ${f.reason ?? ''}`}`),
    });
    files.push({ suffix: '.report.html', bytes: Buffer.from(html, 'utf8') });
  }
  const usable = lifted.fingertips.filter((f) => f.usable).length;
  // decoderWarning: the decoder warned of damage (the photo's note): said beside "no usable fingertip";
  // warning: the same, naming the photo, in the summary beside every result built on it.
  return { trail, files, fields: { fingertips: lifted.fingertips.length, usable, minutiae: lifted.fingertips.map((f) => f.template?.minutiae.length ?? 0).join(' '), decoderWarning: decoderWarningOf(loaded) !== undefined, warning: inputWarningLine(input, loaded) ?? null } };
}

export async function liftTask(job: BatchJob<LiftTaskOptions>): Promise<BatchTaskResult> {
  const out = await runLiftJob(job.input, basename(job.outStem), job.options);
  for (const f of out.files) await job.write(f.suffix, f.bytes, out.trail);
  await job.writeTrail(out.trail);
  return { fields: out.fields };
}
