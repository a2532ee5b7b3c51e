/**
 * Minutia quality in [0, 1]: the geometric mean of the local ridge-orientation coherence and the
 * enhancer's block quality (coherence x contrast x frequency reliability), times a factor that falls
 * linearly to 0 at the border of the region of interest. Reliability of a minutia follows the clarity of
 * the ridge flow around it and its distance from the foreground border (NIST NBIS mindtct's minutia
 * reliability from its quality map and the distance to invalid blocks, Watson et al., NISTIR 7392, 2007;
 * Chen, Dass & Jain 2005 for coherence as a local quality measure).
 */
import type { BlockMap, OrientationField } from '../enhance/types.js';

export interface QualityOptions {
  /** Distance to the mask border (pixels) from which the border factor is 1. */
  fullQualityDistance?: number;
}

/** Default at 500 ppi: about 3.5 ridge periods. */
export const QUALITY_DEFAULTS: Required<QualityOptions> = { fullQualityDistance: 32 };

/** The block quality at pixel (x, y), or undefined without a map. */
function blockValue(map: BlockMap | undefined, x: number, y: number): number | undefined {
  if (!map || map.blockSize <= 0) return undefined;
  const r = Math.min(map.rows - 1, Math.max(0, Math.floor(y / map.blockSize)));
  const c = Math.min(map.cols - 1, Math.max(0, Math.floor(x / map.blockSize)));
  return map.data[r * map.cols + c];
}

/**
 * Quality in [0, 1] of a minutia at pixel (x, y). `borderDistance` is the per-pixel distance to the mask
 * border (pixels, height x width); `orientation` gives the coherence; `blockQuality` is the enhancer's map.
 */
export function minutiaQuality(
  x: number,
  y: number,
  width: number,
  borderDistance: Float32Array,
  orientation: OrientationField | undefined,
  blockQuality: BlockMap | undefined,
  options: QualityOptions = {},
): number {
  const i = Math.round(y) * width + Math.round(x);
  return qualityWithDistance(x, y, width, borderDistance[i] ?? 0, orientation, blockQuality, options);
}

/** `minutiaQuality` with the distance to the mask border (pixels) at the minutia given as a number. */
export function qualityWithDistance(
  x: number,
  y: number,
  width: number,
  distance: number,
  orientation: OrientationField | undefined,
  blockQuality: BlockMap | undefined,
  options: QualityOptions = {},
): number {
  const { fullQualityDistance } = { ...QUALITY_DEFAULTS, ...options };
  const i = Math.round(y) * width + Math.round(x);
  const coherence = clamp(orientation?.coherence[i]);
  const block = clamp(blockValue(blockQuality, x, y));
  const border = Math.min(1, Math.max(0, distance / fullQualityDistance));
  return Math.sqrt(coherence * block) * border;
}

function clamp(v: number | undefined): number {
  return v === undefined || !Number.isFinite(v) ? 1 : Math.max(0, Math.min(1, v));
}
