/**
 * Comparison of photo prints across resolution hypotheses. A photo print is rescaled to 500 ppi on an
 * estimated ridge period (src/normalise), so its true scale is uncertain by several percent; comparing
 * it at a few scales and keeping the best score recovers genuine pairs the rigid matcher would miss.
 * The search raises impostor scores as well, so its scores are judged with their own thresholds.
 */
import { FingerliftError, invalidArgument } from '../errors.js';
import type { Template } from '../minutiae/types.js';
import { compare, type CompareResult } from './match.js';
import { prepare, type PreparedTemplate } from './prepare.js';

/**
 * Resolution hypotheses of a photo print, as factors on its scale (see `prepareAcrossScales`). The
 * print is scaled to 500 ppi on the population ridge period, but fingers differ: the ridge period of
 * 500 ppi contact prints has quartiles 8.42-9.39 px around 8.85 (FVC2002 DB1_B + FVC2004 DB1_B, 160
 * prints), index fingers run about 15% wider than little fingers (ridgebase contact prints), and a
 * noisy photo's estimate adds its own error. Steps of 10% are about twice the matcher's own scale
 * tolerance (maxDistanceError 13 px on root edges of up to 260 px: 5%), so {1/1.1, 1, 1.1} covers
 * about +-15%. Measured on the ridgebase crops (bench/lift.ts): crops vs crops EER 8.3% -> 4.1% (FNMR at
 * FMR 1% 16.7% -> 8.3%), crops vs contact FNMR at FMR 1% 35% -> 27.5%. The search raises impostor scores
 * too (3 tries): decide on searched scores with `SCALE_SEARCH_THRESHOLDS` (thresholds.ts), measured on
 * searched impostor scores, not with `DECISION_THRESHOLDS`.
 */
export const SCALE_HYPOTHESES: readonly number[] = [1 / 1.1, 1, 1.1];

/** A photo print's template prepared for comparison at several resolution hypotheses (`SCALE_HYPOTHESES`). */
export interface ScaledProbe {
  scales: readonly number[];
  prepared: PreparedTemplate[];
}

/**
 * Prepare a lifted (photo) template at each scale hypothesis: scale k means the print is k times too
 * small, i.e. its true resolution is ppi / k (minutiae are rescaled by `prepare`, coordinates untouched).
 * @param template a lifted template (typically 500 ppi).
 * @throws FingerliftError E_TEMPLATE_FORMAT from `prepare`; E_INVALID_ARGUMENT for a template that is not
 *   an object, scales that are not a non-empty array of positive numbers.
 */
export function prepareAcrossScales(template: Template, scales: readonly number[] = SCALE_HYPOTHESES, id?: string): ScaledProbe {
  if (template === null || typeof template !== 'object') throw invalidArgument('prepareAcrossScales: template', 'a Template { width, height, ppi, minutiae }', template);
  if (!Array.isArray(scales) || scales.length === 0 || !scales.every((k) => k > 0 && Number.isFinite(k))) throw new FingerliftError('E_INVALID_ARGUMENT', `scale hypotheses ${JSON.stringify(scales)}: need positive numbers`);
  return { scales, prepared: scales.map((k) => prepare({ ...template, ppi: template.ppi / k }, id !== undefined ? { id } : {})) };
}

/**
 * Compare a photo print at each of its scale hypotheses with a reference (contact print or another photo
 * print at scale 1) and keep the best: the score of a search over scales, reported as such (`scale`).
 * @throws FingerliftError E_INVALID_ARGUMENT for a probe that is not a ScaledProbe (from
 *   `prepareAcrossScales`); from `compare` for a malformed reference.
 */
export function compareAcrossScales(probe: ScaledProbe, reference: Template | PreparedTemplate): CompareResult & { scale: number } {
  if (probe === null || typeof probe !== 'object' || !Array.isArray(probe.prepared) || !Array.isArray(probe.scales) || probe.prepared.length === 0 || probe.prepared.length !== probe.scales.length)
    throw invalidArgument('compareAcrossScales: probe', 'a ScaledProbe { scales, prepared } from prepareAcrossScales', probe);
  let best: (CompareResult & { scale: number }) | undefined;
  probe.prepared.forEach((p, k) => {
    const r = compare(p, reference);
    if (!best || r.score > best.score) best = { ...r, scale: probe.scales[k]! };
  });
  return best!;
}

