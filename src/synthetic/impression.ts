/**
 * Contact impressions of a master fingerprint (SFinGe's impression stage: Cappelli, Maio & Maltoni
 * 2002; Handbook of Fingerprint Recognition 2009 §7.5): a contact region (partial area), skin distortion
 * and placement (src/synthetic/distortion.ts), pressure/skin condition as a shift of the ridge
 * threshold (heavy or wet: thicker ridges, light or dry: thinner ones, smoothly varying over the
 * finger), dryness blobs on the ridges, sensor blur and noise. The ground truth is the master's
 * minutiae moved by the same geometry, keeping those inside the contact region.
 *
 * Output image: the master's canvas size, 500 ppi, ridges dark on a light background.
 */
import type { GrayImage } from '../image/types.js';
import type { Minutia } from '../minutiae/types.js';
import { FingerliftError } from '../errors.js';
import { Rng, deriveSeed } from './random.js';
import { IMPRESSION } from './params.js';
import type { MasterFingerprint } from './master.js';
import { distanceInside } from './master.js';
import { shapeRadius } from './shape.js';
import { type ImpressionGeometry, forward, inverse, mapAngle } from './distortion.js';
import { gaussianBlur, smoothNoise, remapField } from './noise.js';

export interface ImpressionOptions {
  /** Global rotation, radians (default: uniform in ±0.35). */
  rotation?: number;
  /** Global translation, pixels (default: uniform in ±28 each). */
  tx?: number;
  ty?: number;
  /** Pressure as a ridge-threshold shift in [-0.6, 0.6] (default: uniform in ±0.35); positive: thicker ridges. */
  pressure?: number;
  /** Contact area as a fraction of the fingertip silhouette scale, (0, 1] (default: uniform in [0.82, 1]). */
  contactScale?: number;
  /** Gaussian noise standard deviation (default: uniform in [0.02, 0.05]). */
  noise?: number;
  /** Skin distortion on (default true). */
  distortion?: boolean;
  /**
   * A clean impression (default false): no dryness blobs, no ridge-edge noise, no local pressure
   * variation, no sensor noise; pose, distortion, contact area and pressure still apply. For
   * measuring extractors on clean versus degraded prints.
   */
  clean?: boolean;
}

export interface Impression {
  masterSeed: number;
  seed: number;
  /** Grey image, height x width of the master, values in [0, 1], ridges dark. */
  image: GrayImage;
  ppi: number;
  /** Contact region in impression pixels, height x width, 1 inside. */
  mask: Uint8Array;
  /** Ground-truth minutiae in impression pixels (ISO directions, quality 1). */
  minutiae: Minutia[];
  /** The master's ambiguous minutiae moved likewise ("don't care" points). */
  ambiguous: Minutia[];
  /** The geometry used (master → impression via `forward`). */
  geometry: ImpressionGeometry;
  pressure: number;
  contactScale: number;
}

function inRange(name: string, v: number | undefined, lo: number, hi: number): void {
  if (v !== undefined && !(v >= lo && v <= hi)) throw new FingerliftError('E_INVALID_ARGUMENT', `synthetic impression option ${name} = ${v}: expected ${lo} to ${hi}`);
}

/**
 * Render one contact impression of `master`.
 * @throws FingerliftError E_INVALID_ARGUMENT for options out of range.
 */
export function generateImpression(master: MasterFingerprint, seed: number, options: ImpressionOptions = {}): Impression {
  inRange('pressure', options.pressure, -0.6, 0.6);
  inRange('contactScale', options.contactScale, 0.3, 1);
  inRange('noise', options.noise, 0, 0.3);
  inRange('rotation', options.rotation, -Math.PI, Math.PI);
  const { width, height } = master;
  const rng = new Rng(deriveSeed(seed, 'impression'));
  const u = (r: readonly [number, number]): number => rng.uniform(r[0], r[1]);
  const distort = options.distortion ?? true;
  const s = master.shape;
  const geometry: ImpressionGeometry = {
    cx: width / 2,
    cy: height / 2,
    rotation: options.rotation ?? rng.uniform(-IMPRESSION.rotation, IMPRESSION.rotation),
    tx: options.tx ?? rng.uniform(-IMPRESSION.translation, IMPRESSION.translation),
    ty: options.ty ?? rng.uniform(-IMPRESSION.translation, IMPRESSION.translation),
    contactX: s.cx + rng.uniform(-0.25, 0.25) * s.halfWidth,
    contactY: s.cy + rng.uniform(-0.25, 0.25) * s.top,
    contactRadius: u(IMPRESSION.contactRadius),
    brakeK: u(IMPRESSION.brakeK),
    distortionRotation: distort ? rng.uniform(-IMPRESSION.distortionRotation, IMPRESSION.distortionRotation) : 0,
    distortionTx: distort ? rng.uniform(-IMPRESSION.distortionTranslation, IMPRESSION.distortionTranslation) : 0,
    distortionTy: distort ? rng.uniform(-IMPRESSION.distortionTranslation, IMPRESSION.distortionTranslation) : 0,
  };
  const pressure = options.pressure ?? u(IMPRESSION.pressure);
  const contactScale = options.contactScale ?? u(IMPRESSION.contactScale);
  const clean = options.clean ?? false;
  const noiseSd = clean ? 0 : options.noise ?? u(IMPRESSION.noise);
  const blurSigma = u(IMPRESSION.blur);
  const bg = u(IMPRESSION.background);
  const ridgeLevel = u(IMPRESSION.ridge);
  const n = width * height;

  // Inverse map (impression pixel → master pixel) and the soft contact region.
  const mapX = new Float32Array(n);
  const mapY = new Float32Array(n);
  const contact = new Float32Array(n);
  const edge = 3 / s.halfWidth; // soft edge about 3 px wide
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i++) {
      const [mx, my] = inverse(geometry, x, y);
      mapX[i] = mx;
      mapY[i] = my;
      const r = shapeRadius(s, mx, my);
      contact[i] = Math.min(1, Math.max(0, (contactScale - r) / edge + 0.5));
    }
  const ridges = remapField(master.ridges, width, height, mapX, mapY, width, height, 0);
  const pressureField = smoothNoise(width, height, 40, rng);
  // Fine noise on the threshold roughens the ridge edges and breaks thin ridges, as skin texture does.
  const edgeNoise = smoothNoise(width, height, IMPRESSION.edgeNoiseSigma, rng);
  const contactMask = new Uint8Array(n);
  for (let i = 0; i < n; i++) contactMask[i] = contact[i]! >= 0.5 ? 1 : 0;
  const depth = distanceInside(contactMask, width, height);
  const ink = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // Less pressure toward the border of the contact region (the finger's curvature lifts the skin).
    const fade = Math.max(0, 1 - depth[i]! / IMPRESSION.edgeFade);
    const t = clean ? pressure : pressure + IMPRESSION.pressureVariation * pressureField[i]! + IMPRESSION.edgeNoise * edgeNoise[i]! - IMPRESSION.edgeFadeShift * fade;
    ink[i] = (0.5 + 0.5 * Math.tanh(IMPRESSION.inkSlope * (ridges[i]! + t))) * contact[i]!;
  }
  // Dryness blobs: small white discs on the ridges.
  let area = 0;
  for (let i = 0; i < n; i++) area += contact[i]!;
  const blobs = clean ? 0 : Math.round((u(IMPRESSION.blobsPer10k) * area) / 10000);
  for (let b = 0; b < blobs; b++) {
    const bx = rng.uniform(0, width);
    const by = rng.uniform(0, height);
    const br = u(IMPRESSION.blobRadius);
    const strength = rng.uniform(0.5, 1);
    const r = Math.ceil(br + 1);
    for (let y = Math.max(0, Math.floor(by) - r); y <= Math.min(height - 1, Math.floor(by) + r); y++)
      for (let x = Math.max(0, Math.floor(bx) - r); x <= Math.min(width - 1, Math.floor(bx) + r); x++) {
        const d = Math.hypot(x - bx, y - by);
        const w = Math.min(1, Math.max(0, br + 0.5 - d));
        const i = y * width + x;
        ink[i] = ink[i]! * (1 - strength * w);
      }
  }
  const grey = new Float32Array(n);
  for (let i = 0; i < n; i++) grey[i] = bg - (bg - ridgeLevel) * ink[i]! + noiseSd * rng.normal();
  const data = gaussianBlur(grey, width, height, blurSigma);
  for (let i = 0; i < n; i++) data[i] = Math.min(1, Math.max(0, data[i]!));

  // Ground truth: master minutiae through the same geometry, inside the contact region and the canvas.
  const mask = contactMask;
  const inside = depth;
  const map = (x: number, y: number): [number, number] => forward(geometry, x, y);
  const place = (list: Minutia[]): Minutia[] => {
    const out: Minutia[] = [];
    for (const m of list) {
      const p = mapAngle(map, m.x, m.y, m.angle);
      const xi = Math.round(p.x);
      const yi = Math.round(p.y);
      if (xi < 0 || yi < 0 || xi >= width || yi >= height) continue;
      if (inside[yi * width + xi]! <= IMPRESSION.borderMargin) continue;
      out.push({ x: p.x, y: p.y, angle: p.angle, type: m.type, quality: 1 });
    }
    return out;
  };
  const minutiae = place(master.minutiae);
  const ambiguous = place(master.ambiguous);
  return { masterSeed: master.seed, seed, image: { width, height, data }, ppi: master.ppi, mask, minutiae, ambiguous, geometry, pressure, contactScale };
}
