/**
 * Stage 1: bring a grey print to the working resolution of 500 ppi (the resolution every default of the
 * later stages is tuned for: Hong, Wan & Jain 1998; Kovesi's ridge functions; ISO/IEC 19794-4 and the
 * FBI/NIST 500 ppi standard for contact prints).
 */
import { resize } from '../image/ops.js';
import { FingerliftError } from '../errors.js';
import type { GrayImage } from '../image/types.js';
import { checkGray } from './util.js';

/** Defaults of {@link resampleTo500}. */
export const RESAMPLE_DEFAULTS = {
  /** Working resolution (ppi). 500 ppi: FBI IAFIS / ISO/IEC 19794-4 standard for contact prints. */
  targetPpi: 500,
  /** Plausible input resolutions (ppi), as image/io's PLAUSIBLE_PPI; outside them the ppi is rejected as an
   *  error in the metadata (a 72 or 96 dpi tag is a screen default, never a fingerprint's resolution). */
  minPpi: 200,
  maxPpi: 20000,
  /** Relative ppi difference under which no resampling is done (0.5%: under a pixel over 200 px). */
  tolerance: 0.005,
} as const;

export interface ResampleOptions {
  /** Working resolution in ppi (default 500). */
  targetPpi?: number;
  /** Lowest plausible input ppi (default 200). */
  minPpi?: number;
  /** Highest plausible input ppi (default 20000). */
  maxPpi?: number;
  /** Relative difference below which the image is returned unchanged (default 0.005). */
  tolerance?: number;
}

export interface ResampleResult {
  /** The image at the target resolution, [0, 1]; the input object itself when no resampling was needed. */
  image: GrayImage;
  /** Factor from input pixel coordinates to output pixel coordinates (targetPpi / input ppi; 1 when assumed). */
  scale: number;
  /** The resolution assumed or given for the input (ppi). */
  inputPpi: number;
  /** Decisions taken, for the audit trail. */
  notes: string[];
}

/**
 * Resample `image` (height x width, [0, 1]) from `ppi` to 500 ppi. Unknown ppi (undefined): assumed to
 * be 500, and a note says so. Down-sampling uses pixel-area averaging (cv.INTER_AREA, alias-free),
 * up-sampling bicubic interpolation (cv.INTER_CUBIC) clamped to [0, 1].
 * @throws FingerliftError E_INVALID_ARGUMENT for a ppi outside [minPpi, maxPpi]; E_TOO_SMALL for an empty image.
 */
export function resampleTo500(image: GrayImage, ppi: number | undefined, options: ResampleOptions = {}): ResampleResult {
  const o = { ...RESAMPLE_DEFAULTS, ...options };
  checkGray(image, 'resampleTo500');
  if (ppi === undefined) {
    return { image, scale: 1, inputPpi: o.targetPpi, notes: [`input resolution unknown: assumed ${o.targetPpi} ppi`] };
  }
  if (!Number.isFinite(ppi) || ppi < o.minPpi || ppi > o.maxPpi) {
    throw new FingerliftError(
      'E_INVALID_ARGUMENT',
      `resampleTo500: input resolution ${ppi} ppi is outside the plausible range [${o.minPpi}, ${o.maxPpi}] for a fingerprint`,
    );
  }
  const scale = o.targetPpi / ppi;
  if (Math.abs(scale - 1) <= o.tolerance) return { image, scale: 1, inputPpi: ppi, notes: [] };
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const resampled = resize(image, width, height); // area averaging down, bicubic up (clamped): image/ops
  return {
    image: resampled,
    scale,
    inputPpi: ppi,
    notes: [`resampled from ${ppi} ppi to ${o.targetPpi} ppi (scale ${scale.toFixed(4)}, ${image.width}x${image.height} -> ${width}x${height})`],
  };
}
