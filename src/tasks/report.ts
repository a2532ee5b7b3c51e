/**
 * Builds the HTML report of a run from its trail and pictures. The report must replay byte for byte (it
 * is an output in the trail), so it is rendered with `timings: false`: the run's clock readings
 * (createdAt, per-step ms) stay in the trail JSON only.
 */
import type { AnyImage } from '../image/types.js';
import { encodeImage } from '../image/io.js';
import { renderReport, type ReportPicture, type ReportData } from '../audit/report.js';
import { drawMask, drawOrientation, drawHeatmap, drawMinutiae } from '../audit/draw.js';
import type { AuditTrail } from '../audit/trail.js';
import type { PrintResult } from '../pipeline.js';

export interface PrintReportInput {
  trail: AuditTrail;
  print: PrintResult;
  /** The original as loaded (shown first). */
  original: AnyImage;
  /** The enhanced print PNG, already encoded. */
  enhancedPng: Uint8Array;
  /** Extra content (fingertip boxes, a comparison). */
  extra?: Partial<ReportData>;
}

/** Every stage of one print as report pictures (each tied to its trail step). */
export async function printStagePictures(r: PrintResult, enhancedPng: Uint8Array, prefix = ''): Promise<ReportPicture[]> {
  const e = r.enhancement;
  return [
    { title: `${prefix}Grey input, ridges dark`, image: await encodeImage(r.gray, 'png', { ppi: r.decisions.resolution.ppi }), step: 'polarity', caption: r.decisions.polarity.note },
    { title: `${prefix}Contrast (CLAHE), 500 ppi`, image: await encodeImage(e.normalised, 'png', { ppi: 500 }), step: 'enhance.contrast' },
    { title: `${prefix}Region of interest`, image: await drawMask(e.normalised, e.mask, { ppi: 500 }), step: 'enhance.mask' },
    { title: `${prefix}Orientation field`, image: await drawOrientation(e.normalised, e.orientation, undefined, { ppi: 500 }), step: 'enhance.orientation' },
    { title: `${prefix}Ridge frequency (1/15 to 1/5 cycles per pixel)`, image: await drawHeatmap(e.frequency, [1 / 15, 1 / 5], { ppi: 500 }), step: 'enhance.frequency' },
    { title: `${prefix}Oriented Gabor filtering: enhanced print`, image: enhancedPng, step: 'enhance.gabor' },
    { title: `${prefix}Quality map`, image: await drawHeatmap(e.quality, [0, 1], { ppi: 500 }), step: 'enhance.quality' },
  ];
}

/** The report of an `enhance` / `extract` run of one print. */
export async function buildReport(input: PrintReportInput): Promise<string> {
  const { print: r } = input;
  const endings = r.template.minutiae.filter((m) => m.type === 'ending').length;
  const data: ReportData = {
    trail: input.trail.toJSON(),
    timings: false,
    original: { title: 'Original (as loaded, never altered)', image: await encodeImage(input.original, 'png', { ppi: r.decisions.resolution.ppi }), step: 'load' },
    stages: await printStagePictures(r, input.enhancedPng),
    minutiae: { title: 'Minutiae (circle: ridge ending, square: bifurcation)', image: await drawMinutiae(r.enhancement.enhanced, r.template, { ppi: 500 }), step: 'extract' },
    minutiaeCounts: { total: r.template.minutiae.length, endings, bifurcations: r.template.minutiae.length - endings },
    notes: [r.decisions.resolution.note, r.decisions.polarity.note, ...r.enhancement.notes],
    ...input.extra,
  };
  return renderReport(data);
}
