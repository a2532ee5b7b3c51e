/**
 * Every tunable constant of normalisation (photo fingertip → contact-compatible 500 ppi print), with
 * its source. Options passed to `normaliseFingertip` override these field by field.
 */
export type GreyChannel = 'luminance' | 'red' | 'green' | 'blue';

export interface NormaliseOptions {
  /** Known resolution of the photo at the fingertip, ppi; when absent it is estimated from the ridge period. */
  ppi?: number;
  /** Grey conversion: 'auto' picks the candidate with the strongest ridge-band spectral peak. Default 'auto'. */
  grey: 'auto' | GreyChannel;
  /** Polarity: 'auto' decides from the ridge/valley width asymmetry (`detectPolarity`). Default 'auto'. */
  polarity: 'auto' | 'keep' | 'invert';
  /** Mirror left-right to the view of a contact print (a camera sees the finger, a contact print its mirror image). Default true. */
  mirror: boolean;
  /** Approximate unroll: a cylinder across the finger width (arc length instead of its projection). Default true. */
  unroll: boolean;
  /**
   * Largest angle around the cylinder kept by the unroll, radians. A flat contact impression records
   * about ±60° of the finger's circumference; beyond that the photo sees the skin too obliquely.
   * Default π/3.
   */
  unrollMaxAngle: number;
  /** Target ridge period at 500 ppi, pixels (adult mean inter-ridge distance ≈ 0.48 mm). Default 9.5. */
  targetPeriod: number;
  /** Typical adult fingertip width, mm: the prior resolution when no ridge period can be measured. Default 16. */
  fingerWidthMm: number;
  /** Smallest ridge spectral SNR at which a measured period is trusted. Default 2. */
  minRidgeSnr: number;
  /** Analysis crops are area-downsampled until the ridge period is at most about twice this many pixels (and at least this many). Default 10. */
  analysisPeriod: number;
  /**
   * Flat-field and contrast normalisation: subtract a Gaussian local mean and divide by the local RMS,
   * sigma = this many ridge periods (removes the shading of the round finger, like the normalisation
   * step of Hong, Wan & Jain 1998, but local). Default 2.
   */
  flattenSigmaPeriods: number;
  /** Relative ridge-period error in the first unrolled print above which the scale is corrected once. Default 0.03. */
  periodTolerance: number;
  /** Name of the photo for error messages. */
  name?: string;
}

export const NORMALISE_DEFAULTS: Readonly<NormaliseOptions> = Object.freeze({
  grey: 'auto' as const,
  polarity: 'auto' as const,
  mirror: true,
  unroll: true,
  unrollMaxAngle: Math.PI / 3,
  targetPeriod: 9.5,
  fingerWidthMm: 16,
  minRidgeSnr: 2,
  analysisPeriod: 10,
  flattenSigmaPeriods: 2,
  periodTolerance: 0.03,
});
