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
   * How the unrolled print's ridge period is measured for the one scale correction:
   * - 'ring' (default): `estimateRidgePeriodSpectral` (ring average of the power spectrum, whitened by
   *   f²) against `targetPeriod`. On noisy phone-photo prints (pores, specular speckle, JPEG noise:
   *   local periods spread over an interquartile range of 4-5 px against 1.2-1.6 px on contact prints)
   *   it reads 20-25% short, so the corrected prints come out 15-25% too large: measured (.tmp/fpc)
   *   on fingerphoto-contact, Gabor-enhanced lifted prints at 10.3 / 12.1 px against 8.7-8.8 px on
   *   their contact prints (estimateRidgePeriodTiles; the ring estimate reads 9.9 / 10.9 and 8.9).
   * - 'tiles': `estimateRidgePeriodTiles` (median of the tiles' dominant local periods, not pulled by
   *   noise) against `correctionPeriod`. Measured with bench/lift.ts (2026-12-06, ring -> tiles):
   *   fingerphoto-contact genuine scores 0.69/1.23/1.32/0.42 -> 1.72/1.95/1.38/1.27 (impostor maximum
   *   2.48 -> 4.03, still above all four), fingerphoto mated 5.50 -> 5.91, ridgebase crops vs crops
   *   FNMR at FMR 1% 16.7 -> 12.5% (scale search 12.5 -> 8.3%, its EER 4.1 -> 8.3%), but ridgebase
   *   crops vs contact 35.0 -> 45.0% (scale search 32.5 -> 37.5%): the ridgebase contact prints read
   *   about 10 px by the same measure (FVC 9.2), and the 'ring' bias happened to lift the crops to
   *   their scale (lifted / contact period ratio 0.98 with 'ring', 0.93 with 'tiles', median of 32
   *   crops, periods of the Gabor-enhanced prints). 'ring' stays the default until that is resolved.
   */
  periodCorrection: 'ring' | 'tiles';
  /**
   * Reference of the 'tiles' scale correction: the ridge period of real 500 ppi contact prints as
   * `estimateRidgePeriodTiles` measures it (band targetPeriod / 2.5 to targetPeriod x 2.5). Median over
   * FVC2002 DB1_B and FVC2004 DB1_B (160 optical prints, 500 ppi): 9.19 px (quartiles 8.77-9.97; the
   * same prints read 8.85 with `estimateRidgePeriodSpectral`). Other contact sets read (medians):
   * ridgebase contact 9.71, fingerphoto-contact 8.79. Default 9.19.
   */
  correctionPeriod: number;
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
  periodCorrection: 'ring' as const,
  correctionPeriod: 9.19,
});
