/**
 * Shared result types of the enhancement stages (Hong, Wan & Jain 1998; Kovesi's ridge functions).
 * All maps are row-major. Block maps have `rows x cols` cells of `blockSize` pixels; cell (r, c) covers
 * pixels y in [r*blockSize, (r+1)*blockSize), x in [c*blockSize, (c+1)*blockSize).
 */
import type { GrayImage } from '../image/types.js';

/** Foreground (region of interest) mask: height x width, row-major, 1 = fingerprint, 0 = background. */
export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Orientation field. `theta` is the ridge direction in radians, [0, π), counter-clockwise from +x as
 * displayed (θ = atan2(−dy, dx)); `coherence` in [0, 1] is its reliability. Per pixel (height x width).
 */
export interface OrientationField {
  readonly width: number;
  readonly height: number;
  readonly theta: Float32Array;
  readonly coherence: Float32Array;
}

/** Per-block map of numbers: rows x cols, row-major, each cell `blockSize` x `blockSize` pixels. */
export interface BlockMap {
  readonly blockSize: number;
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Everything enhancement returns: the 500 ppi ridge image and the maps it was made from. */
export interface EnhanceResult {
  /** Enhanced image at 500 ppi, [0, 1], ridges dark, background outside the mask = 1. */
  readonly enhanced: GrayImage;
  /** The input after resampling to 500 ppi (and polarity/contrast fixes), before filtering, [0, 1]. */
  readonly normalised: GrayImage;
  readonly mask: Mask;
  readonly orientation: OrientationField;
  /** Ridge frequency, cycles per pixel at 500 ppi (1 / wavelength), per block; 0 outside the mask. */
  readonly frequency: BlockMap;
  /** Quality in [0, 1] per block (coherence x contrast x frequency reliability). */
  readonly quality: BlockMap;
  /** Resolution of `enhanced`: always 500. */
  readonly ppi: 500;
  /** Factor applied to input pixel coordinates to reach `enhanced` coordinates (500 / input ppi). */
  readonly scale: number;
  /** Decisions taken (assumed ppi, polarity inverted, ...), for the audit trail. */
  readonly notes: string[];
}
