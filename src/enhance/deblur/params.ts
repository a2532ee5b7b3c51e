/**
 * Every tunable constant of the deblurring stage, in one place, with its source.
 *
 * Units: pixels at the image's own resolution (500 ppi for prints after normalisation), radians for
 * angles, dimensionless noise-to-signal ratios (the OTF is normalised so that H(0) = 1).
 */

/** PSF kernel construction. */
export const PSF = {
  /** Gaussian kernel half-width in sigmas (4 sigma keeps the truncated mass under 1e-4). */
  gaussianRadiusSigmas: 4,
  /** Sub-samples per pixel side when integrating the defocus disk's area coverage (8 x 8). */
  diskSupersampling: 8,
  /** Largest PSF extent accepted (kernel side in pixels); bigger is not a plausible blur of a print. */
  maxKernelSize: 129,
} as const;

/** Frequency-domain deconvolution (Wiener 1949; Richardson 1972, Lucy 1974). */
export const DECONV = {
  /**
   * Border added on each side before the DFT, in multiples of the PSF radius (and at least
   * `minPad` pixels): the image is mirrored into it and the mirror faded to the mean with a raised
   * cosine, so the periodic extension the DFT assumes has no jump (the edge-taper idea of
   * MATLAB's edgetaper, Lagendijk & Biemond 1991, "Iterative identification and restoration").
   */
  padRadii: 3,
  minPad: 16,
  /** Wiener noise-to-signal ratio bounds when it is estimated (GCV, see ESTIMATE). */
  minNsr: 1e-4,
  maxNsr: 0.5,
  /**
   * Wiener NSR when none is given: 'auto' = chosen by GCV on the image's own spectrum (Reeves &
   * Mersereau 1992). Measured on 4 FVC2002 DB1_B prints x 6 blurs (.tmp scratch, see report): GCV beat
   * every fixed NSR in 1e-3..3e-2 by 0.3-4 dB PSNR.
   */
  defaultNsr: 'auto' as number | 'auto',
  /**
   * The GCV choice of the Wiener NSR uses a fixed pseudo-random subset of about this many spectrum
   * bins (its sums are averages over bins): on FVC2002 DB1_B prints the NSR it picks is within 1-2%
   * of the full sum's and the PSNR of the result the same to 0.01 dB, at a third of the cost.
   */
  gcvMaxBins: 32768,
  /** Richardson-Lucy iterations (Richardson 1972, Lucy 1974); 10 keeps a 500 x 500 print near 100 ms. */
  rlIterations: 10,
  /** Offset added to intensities so that RL's ratios never divide by zero (intensities in [0, 1]). */
  rlOffset: 1e-2,
  /**
   * Total-variation weight for RL-TV (Dey et al. 2006, "Richardson-Lucy algorithm with total
   * variation regularization for 3D confocal microscope deconvolution"); 0 = plain RL. They advise
   * values of about 2e-3; larger values flatten ridges.
   */
  rlTv: 0,
  /** Cap on |div| * tv so that the TV denominator stays positive (Dey et al. 2006 use 1 - tv * div > 0). */
  rlTvMaxFactor: 0.5,
} as const;

/**
 * Blind PSF identification by generalised cross-validation (GCV) of the Wiener restoration
 * (Reeves & Mersereau 1992, "Blur identification by the method of generalized cross-validation",
 * IEEE Trans. Image Processing 1(3)); the power spectrum is Welch's (1967) averaged periodogram of
 * overlapping Hann-windowed tiles.
 */
export const ESTIMATE = {
  /** Smallest Welch tile side (pixels, a power of two); grown to 3x the largest PSF extent searched. */
  minTile: 128,
  /** Largest Welch tile side. */
  maxTile: 256,
  /** Tiles overlap by half (Welch 1967). */
  tileOverlap: 0.5,
  /** A tile is used when at least this fraction of it lies in the mask (when a mask is given). */
  tileMaskFraction: 0.75,
  /** Tiles whose grey-level standard deviation is under this fraction of the median tile's are skipped (flat background). */
  flatTileFraction: 0.25,
  /** Search range of log10(NSR) for the GCV minimum. */
  log10NsrMin: -7,
  log10NsrMax: 1,
  log10NsrStep: 0.5,
  /** Gaussian sigma grid (pixels): 0 (no blur) to `gaussianMax` in steps of `gaussianStep`. */
  gaussianMax: 5,
  gaussianStep: 0.25,
  /** Step of the refinement around the best coarse sigma / radius. */
  isotropicFineStep: 0.05,
  /** Defocus disk radius grid (pixels). */
  diskMin: 1,
  diskMax: 12,
  diskStep: 0.5,
  /** Linear motion length grid (pixels) and angle grid (coarse, then refined around the best). */
  motionMin: 3,
  motionMax: 25,
  motionStep: 2,
  motionFineStep: 0.5,
  motionAngleCoarseDeg: 5,
  motionAngleFineDeg: 1,
  /**
   * Motion is identified from the log power spectrum's anisotropy (see estimate.ts). `motionFloor`
   * is the noise level filling the sinc zeros relative to H(0) = 1; `minRing` skips the lowest
   * radii (the tiles' size and window dominate there). Motion is reported when the best motion PSF
   * removes at least `motionMinGain` of the anisotropy: measured on 4 FVC2002 DB1_B prints, motion
   * 7 and 11 px at 0 and 45 degrees removed 0.58-0.89 of it, unblurred and Gaussian-blurred prints
   * at most 0.10. Motion is also chosen, with any positive anisotropy gain, when its GCV is the
   * lowest of all models (prints whose ridge directions are not spread evenly).
   */
  motionFloor: 1e-3,
  /** Smallest tile of the coarse motion search (run on half the estimation tile when at least this). */
  minCoarseTile: 64,
  minRing: 3,
  motionMinGain: 0.3,
  /**
   * A blur model replaces the no-blur hypothesis only when its GCV is lower by this relative margin
   * (guards against fitting the sensor's own slight softness); measured on unblurred FVC2002 DB1_B.
   */
  minGain: 0.02,
} as const;

/** Ridge-clarity measure used as evidence and in the benchmark. */
export const CLARITY = {
  /** Ridge wavelength band at 500 ppi, pixels (Kovesi: 5-15 px; Hong, Wan & Jain 1998: 3-25). */
  minWavelength: 5,
  maxWavelength: 15,
  /** Block side for the structure tensor's coherence (Kovesi's block 16 at 500 ppi). */
  block: 16,
} as const;
