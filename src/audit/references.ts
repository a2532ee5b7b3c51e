/**
 * The scientific or standards reference of each processing step, for the HTML report's reference
 * table. One entry per method; `referenceFor(stepName)` matches a trail step name such as
 * "enhance/clahe", "clahe#2" or "finger1.gabor" to its entry by its last segment and aliases.
 */

export interface StepReference {
  /** What the step does, in the field's terms. */
  method: string;
  /** Full citations (authors, title, venue, year). */
  citations: string[];
}

interface Entry extends StepReference {
  /** Step-name tokens that map to this entry (lower case). */
  aliases: string[];
}

const HONG_1998 = 'L. Hong, Y. Wan, A. K. Jain, "Fingerprint image enhancement: algorithm and performance evaluation", IEEE Trans. PAMI 20(8):777-789, 1998.';
const KOVESI = 'P. D. Kovesi, "MATLAB and Octave functions for computer vision and image processing" (ridgesegment, ridgeorient, ridgefreq, ridgefilter), The University of Western Australia, 2000-2005.';
const BAZEN_2002 = 'A. M. Bazen, S. H. Gerez, "Systematic methods for the computation of the directional fields and singular points of fingerprints", IEEE Trans. PAMI 24(7):905-921, 2002.';
const MALTONI = 'D. Maltoni, D. Maio, A. K. Jain, S. Prabhakar, Handbook of Fingerprint Recognition, 2nd ed., Springer, 2009.';

const GUO_HALL = 'Z. Guo, R. W. Hall, "Parallel thinning with two-subiteration algorithms", Communications of the ACM 32(3):359-373, 1989.';
const RUTOVITZ = 'D. Rutovitz, "Pattern recognition", J. Royal Statistical Society, Series A 129(4):504-530, 1966.';
const XIAO_RAAFAT = 'Q. Xiao, H. Raafat, "Fingerprint image postprocessing: a combined statistical and structural approach", Pattern Recognition 24(10):985-992, 1991.';
const OTSU = 'N. Otsu, "A threshold selection method from gray-level histograms", IEEE Trans. Systems, Man, and Cybernetics 9(1):62-66, 1979.';
const WIENER = 'N. Wiener, Extrapolation, Interpolation, and Smoothing of Stationary Time Series, MIT Press, 1949.';
const RICHARDSON = 'W. H. Richardson, "Bayesian-based iterative method of image restoration", J. Optical Society of America 62(1):55-59, 1972.';
const LUCY = 'L. B. Lucy, "An iterative technique for the rectification of observed distributions", Astronomical Journal 79(6):745-754, 1974.';
const REEVES = 'S. J. Reeves, R. M. Mersereau, "Blur identification by the method of generalized cross-validation", IEEE Trans. Image Processing 1(3):301-311, 1992.';
const ANSI_NIST = 'ANSI/NIST-ITL 1-2011, Data Format for the Interchange of Fingerprint, Facial & Other Biometric Information (500 ppi class).';

const ENTRIES: Entry[] = [
  {
    aliases: ['load', 'decode', 'read', 'loadimage'],
    method: 'Image decoding with EXIF orientation applied; input hashed with SHA-256',
    citations: ['CIPA DC-008 / JEITA CP-3451, Exchangeable image file format (Exif), orientation tag 0x0112.', 'NIST FIPS 180-4, Secure Hash Standard (SHA-256), 2015.'],
  },
  {
    aliases: ['grey', 'gray', 'greyscale', 'grayscale', 'luminance'],
    method: "Colour to grey: luma Y' = 0.299 R + 0.587 G + 0.114 B, or one colour channel",
    citations: ["ITU-R Recommendation BT.601, Studio encoding parameters of digital television (luma coefficients)."],
  },
  {
    aliases: ['locate', 'hand', 'skin', 'fingertips', 'fingertip'],
    method: 'Hand segmentation (skin chromaticity (R-B)/(R+G+B) with an Otsu threshold adapted to the photo, red over green; Otsu on luminance for grey photos) and fingertip localisation on the hand contour',
    citations: [
      'D. Chai, K. N. Ngan, "Face segmentation using skin-color map in videophone applications", IEEE Trans. Circuits and Systems for Video Technology 9(4):551-564, 1999.',
      'J. Kovac, P. Peer, F. Solina, "Human skin colour clustering for face detection", EUROCON 2003 (rule R > G, R > B).',
      OTSU,
      'S. Suzuki, K. Abe, "Topological structural analysis of digitized binary images by border following", Computer Vision, Graphics, and Image Processing 30(1):32-46, 1985.',
    ],
  },
  {
    aliases: ['normalise', 'normalize', 'upright', 'mirror', 'unroll'],
    method: 'Fingertip to contact-compatible print: upright, mirrored to the contact view, resampled to 500 ppi from the ridge period',
    citations: [ANSI_NIST, HONG_1998, KOVESI],
  },
  {
    aliases: ['resolution', 'ppi', 'resample', 'scale'],
    method: 'Working resolution (ppi from the file, the option, or the ridge period) and resampling to 500 ppi',
    citations: [ANSI_NIST, HONG_1998, KOVESI],
  },
  {
    aliases: ['gate', 'quality-gate', 'ridgeevidence'],
    method: 'Lift quality gate: ridge-band contrast of the normalised print (spectral energy in the ridge-frequency band over mean grey), refusing blurred or featureless prints before enhancement',
    citations: [
      'F. Alonso-Fernandez, J. Fierrez, J. Ortega-Garcia, J. Gonzalez-Rodriguez, H. Fronthaler, K. Kollreider, J. Bigun, "A comparative study of fingerprint image-quality estimation methods", IEEE Trans. Information Forensics and Security 2(4):734-743, 2007.',
      'Y. Chen, S. C. Dass, A. K. Jain, "Fingerprint quality indices for predicting authentication performance", Proc. AVBPA 2005, LNCS 3546, pp. 160-170, Springer, 2005.',
    ],
  },
  {
    aliases: ['polarity', 'invert'],
    method: 'Ridge polarity (ridges made dark) from the background and the skewness of the ridge profile',
    citations: ['fingerlift method, measured on this project\'s data (src/normalise/polarity.ts): no published source.'],
  },
  {
    aliases: ['mask', 'roi', 'segment', 'segmentation', 'foreground'],
    method: 'Region of interest (foreground mask) from block grey-level variance and coherence, cleaned by morphology',
    citations: ['A. M. Bazen, S. H. Gerez, "Segmentation of fingerprint images", Proc. ProRISC 2001 Workshop on Circuits, Systems and Signal Processing, 2001.', HONG_1998, MALTONI],
  },
  {
    aliases: ['clahe', 'contrast', 'equalise', 'equalize'],
    method: 'Contrast: percentile stretch, contrast limited adaptive histogram equalisation (CLAHE), normalisation to zero mean and unit variance',
    citations: ['K. Zuiderveld, "Contrast limited adaptive histogram equalization", in Graphics Gems IV, Academic Press, pp. 474-485, 1994.', HONG_1998],
  },
  {
    aliases: ['psf', 'estimate-psf', 'blur-estimate'],
    method: 'Blind point spread function (PSF) identification: linear motion from the log-spectrum anisotropy and spectral zeros; Gaussian and defocus disk by generalised cross-validation on a Welch periodogram',
    citations: [
      'D. B. Gennery, "Determination of optical transfer function by inspection of frequency-domain plot", J. Opt. Soc. Am. 63(12):1571-1577, 1973.',
      'M. Cannon, "Blind deconvolution of spatially invariant image blurs with phase", IEEE Trans. Acoustics, Speech, and Signal Processing 24(1):58-63, 1976.',
      REEVES,
      'P. D. Welch, "The use of fast Fourier transform for the estimation of power spectra", IEEE Trans. Audio and Electroacoustics 15(2):70-73, 1967.',
    ],
  },
  {
    aliases: ['wiener', 'deblur-wiener'],
    method: 'Wiener deconvolution',
    citations: [WIENER, REEVES],
  },
  {
    aliases: ['richardson-lucy', 'rl', 'lucy', 'deblur-rl', 'deblur-richardson-lucy'],
    method: 'Richardson-Lucy deconvolution',
    citations: [RICHARDSON, LUCY],
  },
  {
    aliases: ['deblur', 'deconvolve', 'deconvolution'],
    method: 'Deconvolution (Wiener or Richardson-Lucy) with a given or estimated point spread function',
    citations: [WIENER, RICHARDSON, LUCY, REEVES],
  },
  {
    aliases: ['orientation', 'orientations', 'orientation-field', 'direction', 'directional-field'],
    method: 'Orientation field from the gradient structure tensor averaged in doubled-angle space, with coherence',
    citations: ['M. Kass, A. Witkin, "Analyzing oriented patterns", Computer Vision, Graphics, and Image Processing 37(3):362-385, 1987.', BAZEN_2002, HONG_1998],
  },
  {
    aliases: ['frequency', 'ridge-frequency', 'freq', 'wavelength'],
    method: 'Local ridge frequency from the oriented x-signature (5-15 px wavelength band at 500 ppi)',
    citations: [HONG_1998, KOVESI],
  },
  {
    aliases: ['gabor', 'gabor-filter'],
    method: 'Oriented Gabor filtering tuned to the local orientation and ridge frequency',
    citations: [HONG_1998, KOVESI, 'S. Chikkerur, A. N. Cartwright, V. Govindaraju, "Fingerprint enhancement using STFT analysis", Pattern Recognition 40(1):198-211, 2007.'],
  },
  {
    aliases: ['enhance', 'enhancement'],
    method: 'Fingerprint enhancement (mask, contrast, orientation, frequency, Gabor filter)',
    citations: [HONG_1998, KOVESI],
  },
  {
    aliases: ['background', 'notch', 'periodic-background'],
    method: 'Periodic background suppression by notch filtering in the Fourier domain',
    citations: ['R. C. Gonzalez, R. E. Woods, Digital Image Processing, 4th ed., Pearson, 2018, section 4.10 (notch filters).'],
  },
  {
    aliases: ['binarise', 'binarize', 'threshold', 'binary'],
    method: 'Binarisation by the local mean over about one ridge period, inside the region of interest',
    citations: [MALTONI],
  },
  {
    aliases: ['thin', 'thinning', 'skeleton', 'skeletonise', 'skeletonize'],
    method: 'Thinning to a one-pixel, 8-connected ridge skeleton',
    citations: [GUO_HALL, 'T. Y. Zhang, C. Y. Suen, "A fast parallel algorithm for thinning digital patterns", Communications of the ACM 27(3):236-239, 1984.'],
  },
  {
    aliases: ['minutiae', 'detect', 'crossing-number', 'cn'],
    method: 'Minutiae detection by crossing number on the skeleton (ridge endings, bifurcations)',
    citations: [RUTOVITZ, MALTONI],
  },
  {
    aliases: ['extract', 'extraction'],
    method: 'Minutiae extraction: binarise, thin, crossing number, direction, removal of false minutiae, quality',
    citations: [MALTONI, GUO_HALL, RUTOVITZ, XIAO_RAAFAT],
  },
  {
    aliases: ['clean', 'filter-minutiae', 'spurious', 'remove-spurious', 'postprocess'],
    method: 'Removal of false minutiae (border, spurs, short ridges, holes, bridges, broken ridges, clusters)',
    citations: [XIAO_RAAFAT, MALTONI],
  },
  {
    aliases: ['quality', 'minutiae-quality', 'block-quality'],
    method: 'Quality from orientation coherence, contrast and frequency reliability',
    citations: [BAZEN_2002, 'ISO/IEC 29794-4:2017, Biometric sample quality, Part 4: Finger image data.'],
  },
  {
    aliases: ['template', 'xyt', 'iso', 'iso19794', 'format', 'write-template'],
    method: 'Minutiae template encoding',
    citations: ['ISO/IEC 19794-2:2005, Biometric data interchange formats, Part 2: Finger minutiae data.', 'ANSI INCITS 378-2004, Finger Minutiae Format for Data Interchange.', 'C. I. Watson et al., User\'s Guide to NIST Biometric Image Software (NBIS), NISTIR 7392, 2007 (.xyt).'],
  },
  {
    aliases: ['write', 'save', 'png'],
    method: 'Image written as PNG with its resolution (pHYs)',
    citations: ['ISO/IEC 15948:2004, Portable Network Graphics (PNG): functional specification.'],
  },
  {
    aliases: ['compare', 'match', 'matcher', 'mcc', 'score', 'identify'],
    method: 'Minutiae comparison (Minutia Cylinder-Code local structures, global consolidation)',
    citations: [
      'R. Cappelli, M. Ferrara, D. Maltoni, "Minutia Cylinder-Code: a new representation and matching technique for fingerprint recognition", IEEE Trans. PAMI 32(12):2128-2141, 2010.',
      'C. I. Watson et al., User\'s Guide to NIST Biometric Image Software (NBIS), NISTIR 7392, 2007 (BOZORTH3).',
    ],
  },
  {
    aliases: ['bozorth', 'bozorth3'],
    method: 'BOZORTH3 minutiae matching',
    citations: ['C. I. Watson et al., User\'s Guide to NIST Biometric Image Software (NBIS), NISTIR 7392, 2007.'],
  },
];

const BY_ALIAS = new Map<string, Entry>();
for (const e of ENTRIES) for (const a of e.aliases) BY_ALIAS.set(a, e);

/** The practice the whole trail follows (shown once in the report). */
export const PRACTICE_REFERENCES: readonly string[] = [
  'SWGIT, Section 5: Recommendations and Guidelines for the Use of Digital Image Processing in the Criminal Justice System, 2010 (original preserved, every step documented and repeatable).',
  'SWGDE, Best Practices for Image Authentication (hashing of originals and products).',
];

/**
 * The reference of a trail step. The name is split into segments at "/", "." and ":" (a "#n"
 * repetition suffix removed); from the last segment to the first, each is tried whole, then by its "-"
 * or "_" separated tokens from the end. So "f1.enhance.gabor" -> gabor, "enhance.contrast" -> CLAHE,
 * "write.enhanced" -> PNG output. `extra` entries (by full name or segment) win.
 * Returns undefined when nothing matches.
 */
export function referenceFor(stepName: string, extra?: Record<string, StepReference>): StepReference | undefined {
  const base = stepName.replace(/#\d+$/, '');
  if (extra?.[base]) return extra[base];
  const segments = base.split(/[/.:]/).filter(Boolean).map((x) => x.toLowerCase());
  for (let k = segments.length - 1; k >= 0; k--) {
    const seg = segments[k]!;
    if (extra?.[seg]) return extra[seg];
    const exact = BY_ALIAS.get(seg);
    if (exact) return exact;
    const tokens = seg.split(/[-_\s]+/);
    for (let i = tokens.length - 1; i >= 0; i--) {
      const e = BY_ALIAS.get(tokens[i]!);
      if (e) return e;
    }
  }
  return undefined;
}
