/**
 * Photo rendering of a synthetic finger: what a phone camera sees when it photographs the fingertip
 * of a master fingerprint (no contact, so no skin distortion).
 *
 *   master (contact view, 500 ppi) → mirror (a camera sees the finger; a contact print is its mirror
 *   image) → finger surface: a cylinder with an elliptic tip cap, whose curvature compresses the ridges
 *   toward the silhouette (orthographic projection) → scale to the photo's ppi and pose (rotation,
 *   position) → skin colour with Lambertian shading, darker valleys and specular highlights on ridge
 *   crests (photos often show bright ridges) → background → defocus or motion blur → sensor noise →
 *   JPEG compression.
 *
 * Ground truth is given in photo pixels: the fingertip box (bounding box of the print area of the
 * fingertip as it appears in the photo) and the minutiae visible on it (slope under about 60°), with
 * ISO directions in the photo (mirroring reverses the sense of the angles, as it should).
 */
import sharp from 'sharp';
import type { RgbImage } from '../image/types.js';
import type { Minutia } from '../minutiae/types.js';
import { FingerliftError } from '../errors.js';
import { getCv, withMats, matFromFloat32 } from '../cv/index.js';
import { Rng, deriveSeed } from './random.js';
import { PHOTO } from './params.js';
import type { MasterFingerprint } from './master.js';
import { shapeRadius } from './shape.js';
import { mapAngle } from './distortion.js';
import { gaussianBlur, smoothNoise, remapField } from './noise.js';

export interface PhotoOptions {
  /** Photo size, pixels (default 640 x 480). */
  width?: number;
  height?: number;
  /** Resolution at the fingertip, ppi (default: uniform in [300, 380]). */
  ppi?: number;
  /** Finger axis rotation, radians counter-clockwise as displayed; 0 = fingertip pointing up (default: uniform in ±1.7). */
  rotation?: number;
  /** 'defocus' (Gaussian) or 'motion' (line kernel) blur (default: drawn, 30% motion). */
  blur?: 'defocus' | 'motion' | 'none';
  /** JPEG quality 1-100 (default: uniform in [78, 90]). */
  jpegQuality?: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FingerPhoto {
  masterSeed: number;
  seed: number;
  /** The JPEG file bytes. */
  jpeg: Buffer;
  /** The JPEG decoded: height x width x 3, values in [0, 1]. */
  image: RgbImage;
  width: number;
  height: number;
  /** Resolution at the fingertip's centre line, ppi. */
  ppi: number;
  /** Mean ridge period at the fingertip's centre, photo pixels. */
  ridgePeriod: number;
  /** Finger axis rotation, radians CCW as displayed (0: tip up). */
  rotation: number;
  /** Always true: the ridge pattern is the mirror image of the contact print. */
  mirrored: boolean;
  /** Fingertip print area in photo pixels (integer bounds; x, y top-left). */
  fingertipBox: Box;
  /** Fingertip centre (master shape centre) in photo pixels. */
  fingertipCentre: { x: number; y: number };
  /** Visible ground-truth minutiae in photo pixels, ISO directions as displayed in the photo. */
  minutiae: Minutia[];
  /** The master's ambiguous minutiae, visible, in photo pixels ("don't care" points). */
  ambiguous: Minutia[];
  blur: { kind: 'defocus' | 'motion' | 'none'; size: number; angle: number };
  jpegQuality: number;
}

const BACKGROUNDS: ReadonlyArray<readonly [number, number, number]> = [
  [0.36, 0.37, 0.4], // grey desk
  [0.52, 0.38, 0.26], // wood
  [0.16, 0.2, 0.28], // dark blue cloth
  [0.82, 0.82, 0.79], // white paper
  [0.25, 0.3, 0.22], // green
];

/** Photo geometry: finger frame ↔ photo pixels. */
interface Pose {
  /** Photo pixels per master pixel. */
  s: number;
  rotation: number;
  /** Photo position of the fingertip centre (master shape centre). */
  px: number;
  py: number;
  /** Cylinder radius and tip-cap radius, master pixels. */
  R: number;
  Rt: number;
}

/** Master pixel → photo pixel (and the surface slope there, radians), or undefined when not on the visible surface. */
function masterToPhoto(master: MasterFingerprint, pose: Pose, mx: number, my: number): { x: number; y: number; slope: number } | undefined {
  const u = -(mx - master.shape.cx); // mirrored
  const v = my - master.shape.cy;
  if (Math.abs(u) >= (Math.PI / 2) * pose.R) return undefined;
  const xs = pose.R * Math.sin(u / pose.R);
  let ys = v;
  if (v < 0) {
    if (-v >= (Math.PI / 2) * pose.Rt) return undefined;
    ys = -pose.Rt * Math.sin(-v / pose.Rt);
  }
  const a = xs / pose.R;
  const b = ys < 0 ? ys / pose.Rt : 0;
  const rho = Math.hypot(a, b);
  if (rho >= 1) return undefined;
  const c = Math.cos(pose.rotation);
  const s = Math.sin(pose.rotation);
  const fx = pose.s * xs;
  const fy = pose.s * ys;
  return { x: pose.px + fx * c + fy * s, y: pose.py - fx * s + fy * c, slope: Math.asin(rho) };
}

function motionKernel(length: number, angle: number): { size: number; data: Float32Array } {
  const r = Math.ceil(length / 2) + 1;
  const size = 2 * r + 1;
  const data = new Float32Array(size * size);
  const steps = 8 * size;
  for (let k = 0; k <= steps; k++) {
    const t = (k / steps - 0.5) * length;
    const x = r + t * Math.cos(angle);
    const y = r - t * Math.sin(angle);
    const x0 = Math.floor(x), y0 = Math.floor(y);
    const fx = x - x0, fy = y - y0;
    const add = (i: number, w: number): void => {
      data[i] = data[i]! + w;
    };
    add(y0 * size + x0, (1 - fx) * (1 - fy));
    add(y0 * size + x0 + 1, fx * (1 - fy));
    add((y0 + 1) * size + x0, (1 - fx) * fy);
    add((y0 + 1) * size + x0 + 1, fx * fy);
  }
  let sum = 0;
  for (const v of data) sum += v;
  for (let i = 0; i < data.length; i++) data[i] = data[i]! / sum;
  return { size, data };
}

function filterPlane(plane: Float32Array, width: number, height: number, kernel: { size: number; data: Float32Array }): Float32Array {
  const cv = getCv();
  return withMats('synthetic photo motion blur', (track) => {
    const src = track(matFromFloat32(plane, width, height));
    const k = track(matFromFloat32(kernel.data, kernel.size, kernel.size));
    const dst = track(new cv.Mat());
    cv.filter2D(src, dst, cv.CV_32F, k, new cv.Point(-1, -1), 0, cv.BORDER_REFLECT);
    return new Float32Array(dst.data32F);
  });
}

/**
 * Render a photo of the fingertip of `master`.
 * @throws FingerliftError E_INVALID_ARGUMENT for options out of range.
 */
export async function renderPhoto(master: MasterFingerprint, seed: number, options: PhotoOptions = {}): Promise<FingerPhoto> {
  const width = options.width ?? PHOTO.width;
  const height = options.height ?? PHOTO.height;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 256 && height >= 256 && width * height <= 16_000_000))
    throw new FingerliftError('E_INVALID_ARGUMENT', `synthetic photo size ${width} x ${height}: expected integers >= 256, at most 16 MP`);
  if (options.ppi !== undefined && !(options.ppi >= 150 && options.ppi <= 1000))
    throw new FingerliftError('E_INVALID_ARGUMENT', `synthetic photo ppi ${options.ppi}: expected 150 to 1000`);
  if (options.jpegQuality !== undefined && !(Number.isInteger(options.jpegQuality) && options.jpegQuality >= 1 && options.jpegQuality <= 100))
    throw new FingerliftError('E_INVALID_ARGUMENT', `synthetic photo jpegQuality ${options.jpegQuality}: expected an integer 1 to 100`);
  const rng = new Rng(deriveSeed(seed, 'photo'));
  const u = (r: readonly [number, number]): number => rng.uniform(r[0], r[1]);
  const ppi = options.ppi ?? u(PHOTO.ppi);
  const rotation = options.rotation ?? u(PHOTO.rotation);
  const shape = master.shape;
  const s = ppi / master.ppi;
  const pose: Pose = {
    s,
    rotation,
    px: width / 2 + rng.uniform(-0.12, 0.12) * width,
    py: height / 2 + rng.uniform(-0.1, 0.1) * height,
    R: shape.halfWidth * 1.12,
    Rt: shape.top * 1.1,
  };
  // Keep the tip inside the photo: move the centre back along the finger axis if needed.
  const tipX = pose.px - Math.sin(rotation) * shape.top * s;
  const tipY = pose.py - Math.cos(rotation) * shape.top * s;
  const margin = 20;
  pose.px += Math.max(0, margin - tipX) - Math.max(0, tipX - (width - margin));
  pose.py += Math.max(0, margin - tipY) - Math.max(0, tipY - (height - margin));

  const n = width * height;
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const mapX = new Float32Array(n);
  const mapY = new Float32Array(n);
  const alpha = new Float32Array(n); // finger coverage
  const visible = new Float32Array(n); // ridge visibility
  const shade = new Float32Array(n);
  const spec = new Float32Array(n);
  // Light from the upper left of the photo and in front; Blinn-Phong half vector with the camera on +z.
  const L = [-0.35, -0.45, 0.82];
  const Ln = Math.hypot(L[0]!, L[1]!, L[2]!);
  const lx = L[0]! / Ln, ly = L[1]! / Ln, lz = L[2]! / Ln;
  const Hn = Math.hypot(lx, ly, lz + 1);
  const hx = lx / Hn, hy = ly / Hn, hz = (lz + 1) / Hn;
  let bx0 = width, by0 = height, bx1 = -1, by1 = -1;
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i++) {
      // Photo → finger frame (inverse rotation), projected surface coordinates in master pixels.
      const dx = x - pose.px;
      const dy = y - pose.py;
      const xs = (dx * cos - dy * sin) / s;
      const ys = (dx * sin + dy * cos) / s;
      const a = xs / pose.R;
      const b = ys < 0 ? ys / pose.Rt : 0;
      const rho = Math.hypot(a, b);
      const edgeDist = (1 - rho) * Math.min(pose.R, ys < 0 ? pose.Rt : pose.R) * s; // photo pixels, approximately
      alpha[i] = Math.min(1, Math.max(0, edgeDist / 1.5 + 0.5));
      if (rho >= 1) {
        mapX[i] = mapY[i] = -1;
        continue;
      }
      const uu = pose.R * Math.asin(a);
      const vv = ys < 0 ? -pose.Rt * Math.asin(-b) : ys;
      const mx = shape.cx - uu;
      const my = shape.cy + vv;
      mapX[i] = mx;
      mapY[i] = my;
      // Surface normal in the finger frame, then in the photo frame.
      const nz = Math.sqrt(Math.max(0, 1 - rho * rho));
      const nxp = a * cos + b * sin;
      const nyp = -a * sin + b * cos;
      const slope = Math.asin(Math.min(1, rho));
      shade[i] = 0.38 + 0.62 * Math.max(0, nxp * lx + nyp * ly + nz * lz);
      spec[i] = Math.pow(Math.max(0, nxp * hx + nyp * hy + nz * hz), 24);
      const r = shapeRadius(shape, mx, my);
      const onPrint = r < 1;
      visible[i] = Math.min(1, Math.max(0, (PHOTO.maxVisibleSlope - slope) / 0.2)) * Math.min(1, Math.max(0.25, (1.08 - r) / 0.08));
      if (onPrint && alpha[i]! > 0.5) {
        if (x < bx0) bx0 = x;
        if (x > bx1) bx1 = x;
        if (y < by0) by0 = y;
        if (y > by1) by1 = y;
      }
    }
  if (bx1 < 0) throw new FingerliftError('E_INVALID_ARGUMENT', `synthetic photo: the fingertip falls outside the ${width} x ${height} photo (ppi ${ppi})`);

  // Ridge field in photo pixels (anti-aliased: blurred in master pixels before resampling).
  const smooth = gaussianBlur(master.ridges, master.width, master.height, Math.max(0.5, 0.5 / s));
  const ridges = remapField(smooth, master.width, master.height, mapX, mapY, width, height, 0);

  const skinT = rng.next();
  const skin = [0, 1, 2].map((c) => PHOTO.skinDark[c]! + (PHOTO.skinLight[c]! - PHOTO.skinDark[c]!) * skinT);
  const contrast = u(PHOTO.ridgeContrast);
  const specular = u(PHOTO.specular);
  const bgA = rng.pick(BACKGROUNDS);
  const bgB = bgA.map((v) => Math.min(1, Math.max(0, v * rng.uniform(0.7, 1.1))));
  const bgDir = rng.uniform(0, 2 * Math.PI);
  const bgTexture = smoothNoise(width, height, 6, rng);
  const skinTexture = smoothNoise(width, height, 2.5, rng);
  const planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const diag = Math.hypot(width, height);
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i++) {
      const g = 0.5 + ((x - width / 2) * Math.cos(bgDir) + (y - height / 2) * Math.sin(bgDir)) / diag;
      const ridge = 0.5 + 0.5 * Math.tanh(2 * ridges[i]!); // 1 on crests
      const vis = visible[i]!;
      const valley = 1 - contrast * vis * (1 - ridge);
      const highlight = specular * spec[i]! * (0.25 + 0.75 * (vis * ridge + (1 - vis) * 0.5)) + 0.04 * spec[i]!;
      const a = alpha[i]!;
      for (let c = 0; c < 3; c++) {
        const back = (bgA[c]! * (1 - g) + bgB[c]! * g) * (1 + 0.04 * bgTexture[i]!);
        const fingerColour = skin[c]! * shade[i]! * valley * (1 + 0.02 * skinTexture[i]!) + highlight;
        planes[c]![i] = a * fingerColour + (1 - a) * back;
      }
    }

  // Optics: defocus (Gaussian) or motion blur; then sensor noise.
  const kind = options.blur ?? (rng.next() < PHOTO.motionProbability ? 'motion' : 'defocus');
  const blurSize = kind === 'motion' ? u(PHOTO.motion) : kind === 'defocus' ? u(PHOTO.defocus) : 0;
  const blurAngle = rng.uniform(0, Math.PI);
  const kernel = kind === 'motion' ? motionKernel(blurSize, blurAngle) : undefined;
  const noiseSd = u(PHOTO.noise);
  const rgb = Buffer.alloc(n * 3);
  for (let c = 0; c < 3; c++) {
    const p = kernel ? filterPlane(planes[c]!, width, height, kernel) : gaussianBlur(planes[c]!, width, height, blurSize);
    for (let i = 0; i < n; i++) {
      const v = p[i]! + noiseSd * rng.normal();
      rgb[3 * i + c] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
  }
  const jpegQuality = options.jpegQuality ?? Math.round(u(PHOTO.jpegQuality));
  const jpeg = await sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: jpegQuality, chromaSubsampling: '4:2:0' }).toBuffer();
  const decoded = await sharp(jpeg).raw().toBuffer();
  const image: RgbImage = { width, height, channels: 3, data: Float32Array.from(decoded, (v) => v / 255) };

  const toPhoto = (mx: number, my: number): [number, number] => {
    const p = masterToPhoto(master, pose, mx, my);
    return p ? [p.x, p.y] : [NaN, NaN];
  };
  const place = (list: Minutia[]): Minutia[] => {
    const out: Minutia[] = [];
    for (const m of list) {
      const p = masterToPhoto(master, pose, m.x, m.y);
      if (!p || p.slope > PHOTO.maxVisibleSlope) continue;
      if (p.x < 0 || p.y < 0 || p.x >= width || p.y >= height) continue;
      const q = mapAngle(toPhoto, m.x, m.y, m.angle, 2);
      if (!Number.isFinite(q.angle)) continue;
      out.push({ x: q.x, y: q.y, angle: q.angle, type: m.type, quality: 1 });
    }
    return out;
  };
  const minutiae = place(master.minutiae);
  const ambiguous = place(master.ambiguous);
  const lambda = master.wavelength[Math.round(shape.cy) * master.width + Math.round(shape.cx)]!;
  return {
    masterSeed: master.seed,
    seed,
    jpeg,
    image,
    width,
    height,
    ppi,
    ridgePeriod: lambda * s,
    rotation,
    mirrored: true,
    fingertipBox: { x: bx0, y: by0, width: bx1 - bx0 + 1, height: by1 - by0 + 1 },
    fingertipCentre: { x: pose.px, y: pose.py },
    minutiae,
    ambiguous,
    blur: { kind, size: blurSize, angle: kind === 'motion' ? blurAngle : 0 },
    jpegQuality,
  };
}
