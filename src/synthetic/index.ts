/**
 * Synthetic fingerprints with exact ground truth (for tests, benchmarks, demos and research):
 * master fingerprints (SFinGe-style: Sherlock & Monro 1993 orientation model, iterative Gabor growth,
 * Cappelli, Maio & Maltoni 2000-2002), contact impressions (pose, skin distortion after Cappelli, Maio
 * & Maltoni 2001, partial area, pressure, noise) and finger photos (mirrored, curved, shaded, blurred,
 * noisy, JPEG), each with ground-truth minutiae in its own pixel coordinates. A seed gives
 * byte-identical output.
 */
export { Rng, deriveSeed } from './random.js';
export { type FingerprintClass, type OrientationModel, type SingularPoint, FINGERPRINT_CLASSES, orientationAt, orientationField } from './orientation.js';
export { type FingertipShape, shapeRadius, fingertipMask } from './shape.js';
export { gaborKernel } from './growth.js';
export { type MasterOptions, type MasterFingerprint, generateMaster, groundTruthMinutiae, groundTruth, ridgeProfile } from './master.js';
export { type ImpressionGeometry, forward as impressionForward, inverse as impressionInverse } from './distortion.js';
export { type ImpressionOptions, type Impression, generateImpression } from './impression.js';
export { type PhotoOptions, type FingerPhoto, type Box, renderPhoto } from './photo.js';
export { thinZhangSuen, crossingNumber, skeletonMinutiae } from './skeleton.js';
