/**
 * Every tunable constant of fingertip localisation, with its source. Options passed to
 * `locateFingertips` override these field by field.
 */
export interface LocateOptions {
  /** Longest side of the working image used for segmentation and geometry, pixels. Default 480. */
  workingSize: number;
  /** Darkest luma accepted as a skin seed (0-255): excludes noise-dominated chroma in shadows. Default 20. */
  minSeedLuma: number;
  /** Below this standard deviation of Cr and Cb (0-255) the photo is treated as grey: luminance segmentation. Default 2. */
  greyChromaStd: number;
  /**
   * Range within which the photo's own Otsu threshold of skin chromaticity (R-B)/(R+G+B) is kept.
   * Skin of all tones is red over blue (Chai & Ngan 1999; Kakumanu, Makrogiannis & Bourbakis 2007,
   * "A survey of skin-color modeling and detection methods"); measured here: skin 0.09-0.33, grey or
   * white backgrounds 0-0.04. Default [0.04, 0.07].
   */
  skinChromaticity: [number, number];
  /** Smallest foreground component kept, fraction of the working image. Default 0.004. */
  minComponentFraction: number;
  /** Smallest component kept relative to the largest. Default 0.1. */
  minComponentRelative: number;
  /** Arc offsets along the contour (in finger half-widths r) at which the finger's sides are sampled. */
  sideOffsets: number[];
  /** Smallest convexity-defect depth taken as a notch between fingers, times the square root of the hand's area. Default 0.04. */
  notchDepth: number;
  /** Largest angle at a fingertip between its two sides, degrees. Default 80. */
  maxTipAngleDeg: number;
  /** Smallest ratio of finger width near the tip to width further down (parallel sides ≈ 1). Default 0.6. */
  minParallelism: number;
  /**
   * Distal phalanx length over finger width. Anthropometry: adult distal phalanx (pad) length about
   * 22-26 mm, distal width about 15-18 mm, ratio about 1.4 (e.g. Buryanov & Kotiuk 2010, proportions of
   * hand segments); checked against the hand-drawn fingertip masks of fingerphoto-contact. Default 1.4.
   */
  phalanxAspect: number;
  /** Typical adult fingertip width, millimetres, to estimate ppi when ridges are not resolved. Default 16. */
  fingerWidthMm: number;
  /**
   * Ridge period at 500 ppi, pixels: adult mean inter-ridge distance ≈ 0.48 mm (Hong, Wan & Jain 1998
   * use 3-25 px; 9.5 px is the mission's reference). Converts a measured period into ppi.
   */
  ridgePeriod500: number;
  /** Smallest resolution at which a print is usable, ppi (ridge period 4.75 px: about the Nyquist limit of ridge detail). Default 250. */
  minUsablePpi: number;
  /** Smallest ridge spectral SNR (peak over spectrum background) taken as visible ridges. Default 2.5. */
  minRidgeSnr: number;
  /** Close-up fallback (finger filling the photo) when the foreground covers at least this fraction. Default 0.25. */
  closeUpFraction: number;
  /**
   * The frame taken as a close-up of one fingertip (no usable fingertip found otherwise): the ratio of
   * the ppi from the ridge period to the ppi from the frame's short side taken as the finger width
   * (fingerWidthMm) is about the fraction of the frame's width the finger fills (a 16 mm finger spans
   * about 33 ridges of 0.48 mm: ratio ≈ 33 / ridges across the frame). Within this range the ridge
   * pattern fits a finger filling most of the frame, and it then stands in for skin coverage (the skin
   * mask of a close-up is the least reliable part) and decides which short side is the tip. The upper
   * limit also bounds the period of a usable frame box. Measured: fingerphoto close-ups 0.71-0.92
   * (Right_index), fingers filling about half the frame (fingerphoto-casual sahibind) 0.48-0.54, the
   * knit of a sweater in a whole-hand photo (hands/test3) 2.1. Default [0.6, 1.5].
   */
  frameRidgeRatio: [number, number];
  /**
   * A close-up without a fingertip contour whose skin mask covers at least this fraction of an elongated
   * frame (long / short side >= `minFrameAspect`): the frame, not the principal axis of the mask, is
   * tried as the fingertip. A mask covering most of the frame is shaped by what it leaves out (the
   * finger's own shading, a skin-coloured background), so its second moments say little about the
   * finger's axis, while a close-up is framed along the finger. The frame box replaces the mask's box
   * only when its ridge pattern fits a finger filling the frame (`frameRidgeRatio`). Measured on
   * fingerphoto Left_index (beige background inside the skin mask, 72% and 80% of the frame): mask
   * axes tilted 31 and 13 degrees -> the frame's axis; no other close-up in the developers' sets
   * (fingerphoto-quality, fingerphoto-contact, contactless-ds1, ridgebase crops) reaches the rule.
   * Default 0.6.
   */
  closeUpFrameFraction: number;
  /** Smallest long / short side ratio of a frame taken as elongated along the finger (`closeUpFrameFraction`). Default 1.25. */
  minFrameAspect: number;
  /**
   * Where shape or colour give no evidence (grey photos; close-ups without a fingertip contour) a
   * candidate needs at least this ridge spectral SNR: a weak peak (flat or random texture gives 1).
   * Default 1.5.
   */
  minGreyRidgeSnr: number;
  /** Largest number of fingertips returned (a hand has five). Default 10. */
  maxFingertips: number;
  /**
   * Refine the axis of a finger on its own (the only candidate of its hand component: close-ups, crops)
   * to the principal axis (second moments) of the foreground within 1.5 finger widths behind its tip.
   * Measured on the ridgebase crops (bench/lift.ts): crops vs crops EER 20.8% -> 8.3%, all 32 crops
   * lifted; crops vs contact FNMR at FMR 1% unchanged (35%). Default true.
   */
  refineAxis: boolean;
  /**
   * Separate fingers pressed together on the hand's extent profile (src/locate/slap.ts). Measured on
   * ridgebase/hands: photos with exactly four fingertip boxes 2 -> 3 of 9 (a fourth shows the four plus a
   * box on the background), boxes on hands / fingerphoto-casual unchanged; with the regular-comb rule
   * for shallow dips (SLAP_DEFAULTS.combGapTolerance) exactly four boxes on 6 of 9; with the brightness
   * split of a skin-coloured background (splitSkinFraction) 7 of 9; with one contour tip enough to use the
   * profile and the width spread in the axis choice (slap.ts) 8 of 9. Default true.
   */
  slapProfile: boolean;
  /**
   * When no fingertip is found and the skin-coloured region covers at least this share of a colour photo,
   * the region is taken to include a skin-coloured background (wood, carpet, cardboard: red over blue as
   * skin is) and is split by brightness, Otsu's (1979) threshold of luminance inside it; each part is tried as
   * the hand (src/locate/skin.ts, splitByLuminance). Skin covers a quarter to a half of the photos of
   * ridgebase/hands; a dark brown carpet took the region to 84% there (21583 bg1 RIGHT: E_NO_FINGER before).
   * Default 0.6.
   */
  splitSkinFraction: number;
  /**
   * Fingers side by side in a whole-hand photo (src/locate/gaps.ts): when a colour photo's hand gives fewer
   * than three fingertips (after the extent profile), the skin mask is cut along the long dark valleys
   * where the fingers touch and the fingertips are searched again; the result replaces the first when it
   * gives at least three fingertips of similar width (`gapMinFingerPx`, `gapWidthRatio`) and more than
   * before. Measured (bench/photo.ts): hands f_p 2 -> 4 boxes and f_d 1 -> 4 (the fingertips of the
   * fingers held together); the other photos of hands, fingerphoto-casual, ridgebase/hands and the
   * close-up sets unchanged. Default true.
   */
  fingerGaps: boolean;
  /**
   * A skin-coloured background whose chromaticity lies below the upper clamp of `skinChromaticity` (a beige
   * sheet, light wood) joins the hand at the clamped threshold. When the photo's own Otsu threshold lies
   * above the clamp, the region at the clamped threshold covers at least this share of the photo and gives
   * fewer than three fingertips, the photo is segmented again at its Otsu threshold, and that result is
   * kept when it shows at least three fingertips of similar width (`gapWidthRatio`) and more than the
   * first. 0 turns the retry off. Measured (bench/photo.ts): fingerphoto-casual hand2 (beige sheet, 66% of
   * the photo at 0.07, Otsu 0.125) 1 -> 4 boxes; hands/test2 (Otsu 0.258, 67%: one blob at its Otsu
   * threshold) and the other photos unchanged. Default 0.4.
   */
  otsuSkinRetry: number;
  /** Largest mean chromaticity (R-B)/(R+G+B) of a region taken as skin by the `otsuSkinRetry` segmentation (skin measured 0.09-0.33, see skinChromaticity). Default 0.33. */
  maxSkinChromaticity: number;
  /**
   * Beside at least three fingertips of similar width (`gapWidthRatio` of their median), an unusable box
   * narrower than this share of the median width is dropped as no fingertip at the photo's scale. Measured:
   * ridgebase/hands 21583 bg1 LEFT showed a fifth box 34 px wide at the photo's top edge beside four of
   * 223-269 px (exactly four boxes 8 -> 9 of 9); no other photo of the developers' sets changes. 0 turns it
   * off. Default 0.33.
   */
  minRelativeWidth: number;
  /** Narrowest fingertip (working pixels) counted by the finger-gap rule: narrower pieces are slivers between creases. Default 8. */
  gapMinFingerPx: number;
  /** Largest width ratio between a fingertip and the median of the hand's, for the finger-gap rule. Default 1.6. */
  gapWidthRatio: number;
}

export const LOCATE_DEFAULTS: Readonly<LocateOptions> = Object.freeze({
  workingSize: 480,
  minSeedLuma: 20,
  greyChromaStd: 2,
  skinChromaticity: [0.04, 0.07] as [number, number],
  minComponentFraction: 0.004,
  minComponentRelative: 0.1,
  sideOffsets: [2.5, 3, 3.5, 4],
  notchDepth: 0.04,
  maxTipAngleDeg: 80,
  minParallelism: 0.6,
  phalanxAspect: 1.5,
  fingerWidthMm: 16,
  ridgePeriod500: 9.5,
  minUsablePpi: 250,
  minRidgeSnr: 2.5,
  closeUpFraction: 0.25,
  frameRidgeRatio: [0.6, 1.5] as [number, number],
  closeUpFrameFraction: 0.6,
  minFrameAspect: 1.25,
  minGreyRidgeSnr: 1.5,
  maxFingertips: 10,
  slapProfile: true,
  refineAxis: true,
  splitSkinFraction: 0.6,
  fingerGaps: true,
  otsuSkinRetry: 0.4,
  minRelativeWidth: 0.33,
  maxSkinChromaticity: 0.33,
  gapMinFingerPx: 8,
  gapWidthRatio: 1.6,
});
