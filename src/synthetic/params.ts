/**
 * Every tunable constant of the synthetic fingerprint generator, in one place, with its source.
 *
 * Distances are pixels at 500 ppi unless named otherwise; angles are radians.
 *
 * Sources:
 * - Sherlock & Monro 1993, "A model for interpreting fingerprint topology", Pattern Recognition 26(7):
 *   the zero-pole orientation model (cores and deltas).
 * - Cappelli, Erol, Maio & Maltoni 2000, "Synthetic fingerprint-image generation", ICPR; Cappelli,
 *   Maio & Maltoni 2002, "Synthetic fingerprint-database generation", ICPR; Maltoni, Maio, Jain &
 *   Prabhakar, Handbook of Fingerprint Recognition, 2nd ed. 2009, ch. 7 (SFinGe): fingertip shape,
 *   ridge-frequency range, iterative Gabor growth from seeds, impression noise.
 * - Cappelli, Maio & Maltoni 2001, "Modelling plastic distortion in fingerprint images", ICAPR: the
 *   skin-distortion model (close-contact, transitional and external regions, brake function).
 * - Zhang & Suen 1984 (thinning), Rutovitz 1966 crossing number (ground-truth minutiae).
 */

/** Master fingerprint (the finger's ridge pattern, clean, contact view, 500 ppi). */
export const MASTER = {
  /** Canvas, pixels (FVC2002 DB4 images are 288 x 384; a little larger leaves room for the impression's pose). */
  width: 320,
  height: 400,
  ppi: 500,
  /** Fingertip half width, pixels (SFinGe: 0.4-0.6 inch finger width at 500 ppi gives 100-150). */
  halfWidth: [118, 138] as const,
  /** Height of the upper (tip) half-ellipse, pixels. */
  top: [150, 178] as const,
  /** Distance from the centre to the lower edge, pixels; the lower part is rounded with `bottomRound`. */
  bottom: [150, 175] as const,
  bottomRound: 60,
  /**
   * Mean ridge wavelength, pixels (Handbook 2009 §7: inter-ridge distance 8-10 px at 500 ppi; Kovesi's
   * ridge functions use 5-15). The map varies smoothly around the mean by up to `wavelengthVariation`.
   */
  wavelength: [8.6, 9.6] as const,
  wavelengthVariation: 0.8,
  /** Spatial period of the smooth wavelength variation, pixels. */
  wavelengthVariationPeriod: [180, 320] as const,
  wavelengthClamp: [7, 12] as const,
} as const;

/** Iterative Gabor growth of the ridge pattern (SFinGe, Cappelli et al. 2000). */
export const GROWTH = {
  /** Orientation quantisation of the Gabor bank (π / bins per step); neighbouring bins are blended linearly. */
  orientationBins: 12,
  /** Wavelength quantisation step of the bank, pixels; neighbouring bins are blended linearly. */
  wavelengthStep: 1.5,
  /** Gaussian envelope, in wavelengths, across and along the ridges. */
  sigmaAcross: 0.5,
  sigmaAlong: 0.62,
  /** Kernel radius in units of the larger sigma. */
  kernelRadiusSigmas: 2.6,
  /** Number of random seed points (SFinGe grows the pattern from a few seeds; fewer seeds give fewer minutiae). */
  seeds: [55, 75] as const,
  /** Gain before clipping to [-1, 1] after each filtering pass (drives the pattern to saturation). */
  gain: 2.6,
  /** Passes: at least `minIterations`, then until the canvas is covered, at most `maxIterations`. */
  minIterations: 8,
  maxIterations: 16,
  /** The pattern counts as stable when the mean absolute change of a pass falls under this. */
  stableChange: 0.035,
  /** Extra passes after coverage so that the fronts of the growing regions settle. */
  settleIterations: 3,
  /** Slope of the soft binarisation of the final field into the clean master image. */
  renderSlope: 5,
} as const;

/** Ground-truth minutiae from the clean master (Zhang-Suen skeleton, crossing number). */
export const TRUTH = {
  /** Pixels traced along the skeleton to measure a minutia direction. */
  traceLength: 9,
  /** A valley ending within this many pixels of a ridge bifurcation gives the bifurcation's direction (about one ridge period). */
  valleyEndingRadius: 9,
  /** Minutiae closer than this to each other are spur/bridge artefacts of the skeleton: both dropped. */
  minSeparation: 6,
  /** Minutiae closer than this to the foreground border are dropped (the pattern continues outside). */
  borderMargin: 10,
  /** Kept only when also found (same type, within `stabilityDistance` px) with the ridge threshold shifted by ±this. */
  stabilityShift: 0.25,
  /** Smoothing of the binarised pattern into the ridge profile, pixels (threshold ±0.35 moves edges by about ±0.9 px). */
  profileSigma: 1.2,
  stabilityDistance: 4,
} as const;

/** Contact impressions (SFinGe impression stage; Cappelli, Maio & Maltoni 2001 distortion). */
export const IMPRESSION = {
  /** Global rotation, radians, uniform in ±. */
  rotation: 0.35,
  /** Global translation, pixels, uniform in ± per axis. */
  translation: 28,
  /** Distortion: rigid transform of the external region (rotation ±, translation ± pixels). */
  distortionRotation: 0.06,
  distortionTranslation: 9,
  /** Radius of the close-contact region, pixels, and the brake-function scale k (2001 paper: k ~ 0.5-1.5 of it). */
  contactRadius: [55, 85] as const,
  brakeK: [40, 70] as const,
  /** Contact region: fingertip ellipse scaled by this factor (dry/light touches print a smaller area). */
  contactScale: [0.82, 1.0] as const,
  /** Pressure: threshold shift of the soft binarisation (positive: wet/heavy, thicker ridges). */
  pressure: [-0.25, 0.25] as const,
  /** Slope of the soft binarisation of the shifted ridge profile into ink. */
  inkSlope: 5,
  /** Smooth local variation of the threshold, amplitude. */
  pressureVariation: 0.12,
  /** Fine threshold noise: smoothing sigma (pixels) and amplitude; roughens ridge edges. */
  edgeNoiseSigma: 1.6,
  edgeNoise: 0.25,
  /** Pressure falls off over this many pixels inside the contact border, by up to this threshold shift. */
  edgeFade: 24,
  edgeFadeShift: 0.7,
  /** Dryness noise: small white blobs on ridges per 10,000 pixels (SFinGe noise model), and their radius. */
  blobsPer10k: [12, 30] as const,
  blobRadius: [1.0, 2.0] as const,
  /** Gaussian noise standard deviation (grey levels in [0, 1]). */
  noise: [0.02, 0.05] as const,
  /** Final blur sigma, pixels (sensor optics). */
  blur: [0.5, 0.9] as const,
  /** Background and ridge grey levels (FVC-like optical sensor look). */
  background: [0.82, 0.94] as const,
  ridge: [0.05, 0.22] as const,
  /** Minutiae nearer than this to the contact-region border or the image border are dropped. */
  borderMargin: 10,
} as const;

/** Finger photos (contactless view rendered from a master). */
export const PHOTO = {
  width: 640,
  height: 480,
  /** Photo resolution at the fingertip, ppi: a 9 px ridge period at 500 ppi becomes 5.4-6.8 px. */
  ppi: [300, 380] as const,
  /** Finger axis angle from image "up", radians (the finger may point sideways). */
  rotation: [-1.7, 1.7] as const,
  /** Skin colour (sRGB in [0, 1]) range, base tone before shading. */
  skinLight: [0.86, 0.68, 0.58] as const,
  skinDark: [0.62, 0.42, 0.32] as const,
  /** Ridge contrast of the diffuse term (valleys darker by this fraction). */
  ridgeContrast: [0.1, 0.18] as const,
  /** Specular highlight strength on ridge crests. */
  specular: [0.12, 0.28] as const,
  /** Surface slope (radians) beyond which the ridges are not visible (foreshortening). */
  maxVisibleSlope: 1.05,
  /** Defocus blur sigma (pixels) or motion-blur length (pixels). */
  defocus: [0.5, 1.2] as const,
  motion: [2, 4] as const,
  /** Probability of motion blur instead of defocus. */
  motionProbability: 0.3,
  /** Sensor noise sigma (after gamma), per channel. */
  noise: [0.012, 0.03] as const,
  /** JPEG quality (libjpeg scale). */
  jpegQuality: [78, 90] as const,
} as const;
