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
  /**
   * Polarity. A photo records skin by reflected light: ridge crests face the light and catch the
   * highlights, furrows are shadowed, so ridges are bright, the opposite of a contact print (ink or
   * FTIR: ridges dark). Issue 7's hand normalisation inverted every photo for the peers. 'auto' applies
   * this reflectance prior (invert) and records the profile skewness of `detectPolarity` as evidence
   * without letting it overturn the prior: on the ridgebase crops and fingerphoto-contact photos the
   * skewness called 4 of 34 prints dark-ridged, and inverting them as well raised photo-to-contact
   * scores (AUC 77 -> 80% crops vs contact, 48 -> 63% fingerphoto-contact; .tmp/phototune). 'skewness'
   * lets the skewness decide (skewness > 0: bright ridges), 'keep' / 'invert' force. Default 'auto'.
   */
  polarity: 'auto' | 'skewness' | 'keep' | 'invert';
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
  /**
   * Target ridge period at 500 ppi, pixels, as `estimateRidgePeriodSpectral` measures it on real 500 ppi
   * contact prints: the median over FVC2002 DB1_B and FVC2004 DB1_B (160 optical prints, 500 ppi) is
   * 8.85 px (quartiles 8.42-9.39; measured in .tmp/phototune, within Kovesi's 5-15 px band). The
   * photo's scale is set so that its print measures the same with the same estimator. The nominal 9.5 px (0.48 mm, issue 7's hand normalisation) made photo prints about 7%
   * larger than the contact prints they are compared with: measured, the ridgebase crops' scores against
   * their contact prints rose (AUC 77 -> 84-87%) with the smaller target. Default 8.85.
   */
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
  /**
   * Foreground of the photo (e.g. `locateFingertips`' hand mask at its working resolution): print pixels
   * whose photo position falls outside it are background (white), as outside the finger in a contact
   * print. `scale` = mask pixels per photo pixel. Absent: only pixels outside the photo are background.
   */
  foreground?: { mask: { width: number; height: number; data: Uint8Array }; scale: number };
  /** Name of the photo for error messages. */
  name?: string;
}

export const NORMALISE_DEFAULTS: Readonly<NormaliseOptions> = Object.freeze({
  grey: 'auto' as const,
  polarity: 'auto' as const,
  mirror: true,
  unroll: true,
  unrollMaxAngle: Math.PI / 3,
  targetPeriod: 8.85,
  fingerWidthMm: 16,
  minRidgeSnr: 2,
  analysisPeriod: 10,
  flattenSigmaPeriods: 2,
  periodTolerance: 0.03,
});
