/**
 * Point spread function (PSF) models of blur: Gaussian, defocus disk (pillbox) and linear motion;
 * their normalised kernels, optical transfer functions (OTF) and the `--psf` text form of the CLI.
 *
 * All three models are point-symmetric about the kernel centre, so their OTF is real (and even):
 * deconvolution then needs no complex product, only a real per-frequency multiplier.
 *
 * Sources: Gaussian blur as the standard model of atmospheric / lens softness; the defocus disk of
 * geometric optics (a uniform circle of confusion, e.g. Gonzalez & Woods, "Digital Image
 * Processing", 3rd ed. 2008, §5.6); linear motion as a uniform line segment, anti-aliased like
 * MATLAB's fspecial('motion').
 */
import { FingerliftError } from '../../errors.js';
import { getCv, withMats } from '../../cv/index.js';
import { PSF } from './params.js';

/** Gaussian blur, standard deviation `sigma` in pixels (0 = no blur). */
export interface GaussianPsf {
  readonly kind: 'gaussian';
  readonly sigma: number;
}
/** Defocus: uniform disk of radius `radius` pixels. */
export interface DiskPsf {
  readonly kind: 'disk';
  readonly radius: number;
}
/**
 * Linear (uniform) motion: a segment of `length` pixels centred on the pixel, direction `angle`
 * radians counter-clockwise from +x as displayed (0 = horizontal, π/2 = vertical; angle and
 * angle + π are the same blur).
 */
export interface MotionPsf {
  readonly kind: 'motion';
  readonly length: number;
  readonly angle: number;
}
export type PsfSpec = GaussianPsf | DiskPsf | MotionPsf;

/** A normalised PSF kernel: size x size (odd), row-major, sums to 1, centre at (size >> 1, size >> 1). */
export interface PsfKernel {
  readonly size: number;
  readonly data: Float32Array;
}

/** Real OTF sampled on a height x width DFT grid: `data[v * width + u]` is H at (u / width, v / height) cycles per pixel. */
export interface Otf {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

const bad = (msg: string): FingerliftError => new FingerliftError('E_INVALID_ARGUMENT', msg, { input: 'psf' });

/** Throws E_INVALID_ARGUMENT unless `spec` is a known PSF model with finite parameters in range. */
export function validatePsf(spec: PsfSpec): void {
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const limit = (PSF.maxKernelSize - 3) / 2;
  switch (spec?.kind) {
    case 'gaussian':
      if (!finite(spec.sigma) || spec.sigma < 0 || spec.sigma * PSF.gaussianRadiusSigmas > limit)
        throw bad(`Gaussian sigma must be a number in [0, ${(limit / PSF.gaussianRadiusSigmas).toFixed(1)}] pixels, got ${spec.sigma}`);
      return;
    case 'disk':
      if (!finite(spec.radius) || spec.radius < 0 || spec.radius > limit)
        throw bad(`disk radius must be a number in [0, ${limit}] pixels, got ${spec.radius}`);
      return;
    case 'motion':
      if (!finite(spec.length) || spec.length < 1 || spec.length > 2 * limit)
        throw bad(`motion length must be a number in [1, ${2 * limit}] pixels, got ${spec.length}`);
      if (!finite(spec.angle)) throw bad(`motion angle must be a finite number of radians, got ${spec.angle}`);
      return;
    default:
      throw bad(
        `expected 'auto' or a PSF object { kind: 'gaussian', sigma } | { kind: 'disk', radius } | { kind: 'motion', length, angle }, got ${
          typeof spec === 'string'
            ? `the string ${JSON.stringify(spec)} (text such as "gaussian:2" is read by parsePsf)`
            : spec !== null && typeof spec === 'object'
              ? `an object with kind ${JSON.stringify((spec as { kind?: unknown }).kind)}`
              : String(spec)
        }`,
      );
  }
}

/** Side of the (odd, square) kernel of a PSF, pixels. */
export function psfSize(spec: PsfSpec): number {
  let r: number;
  if (spec.kind === 'gaussian') r = Math.ceil(spec.sigma * PSF.gaussianRadiusSigmas);
  else if (spec.kind === 'disk') r = Math.ceil(spec.radius + 0.5);
  else r = Math.ceil(spec.length / 2 + 1);
  return 2 * Math.max(r, 0) + 1;
}

/**
 * The PSF as a normalised kernel (size x size, odd, row-major, sum 1).
 * @throws FingerliftError E_INVALID_ARGUMENT for an unknown model or parameters out of range.
 */
export function psfKernel(spec: PsfSpec): PsfKernel {
  validatePsf(spec);
  const size = psfSize(spec);
  const c = size >> 1;
  const data = new Float32Array(size * size);
  if (spec.kind === 'gaussian') {
    if (spec.sigma < 1e-3) data[c * size + c] = 1;
    else {
      const k = -1 / (2 * spec.sigma * spec.sigma);
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) data[y * size + x] = Math.exp(k * ((x - c) ** 2 + (y - c) ** 2));
    }
  } else if (spec.kind === 'disk') {
    // Area of each pixel covered by the disk, by sub-sampling (anti-aliased pillbox).
    const s = PSF.diskSupersampling;
    const r2 = spec.radius * spec.radius;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        let n = 0;
        for (let j = 0; j < s; j++)
          for (let i = 0; i < s; i++) {
            const dx = x - c - 0.5 + (i + 0.5) / s;
            const dy = y - c - 0.5 + (j + 0.5) / s;
            if (dx * dx + dy * dy <= r2) n++;
          }
        data[y * size + x] = n;
      }
    if (spec.radius < 0.5) data[c * size + c] = 1; // smaller than a pixel: no blur
  } else {
    // Segment of the given length through the centre; weight = (1 - distance across the segment,
    // clipped at 0) x (overlap of the pixel's extent along it with the segment).
    const cos = Math.cos(spec.angle);
    const sin = Math.sin(spec.angle);
    const half = spec.length / 2;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const dx = x - c;
        const dy = y - c;
        const along = dx * cos - dy * sin; // direction (cos θ, −sin θ) in pixel coordinates: CCW as displayed
        const across = dx * sin + dy * cos;
        const w = Math.max(0, 1 - Math.abs(across));
        const overlap = Math.max(0, Math.min(along + 0.5, half) - Math.max(along - 0.5, -half));
        data[y * size + x] = w * overlap;
      }
  }
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i]!;
  for (let i = 0; i < data.length; i++) data[i]! /= sum;
  return { size, data };
}

/**
 * The OTF of a PSF on a height x width DFT grid: the DFT of the kernel with its centre moved to
 * (0, 0) (circular shift), real because every supported kernel is point-symmetric. H(0, 0) = 1.
 * @throws FingerliftError E_INVALID_ARGUMENT if the kernel does not fit the grid.
 */
export function psfOtf(psf: PsfSpec | PsfKernel, width: number, height: number): Otf {
  const kernel = 'kind' in psf ? psfKernel(psf) : psf;
  if (kernel.size > width || kernel.size > height)
    throw bad(`a ${kernel.size} x ${kernel.size} PSF kernel does not fit a ${width} x ${height} DFT grid`);
  const cv = getCv();
  return withMats('psfOtf', (track) => {
    const k = track(new cv.Mat(height, width, cv.CV_32F, new cv.Scalar(0)));
    placeKernelAtOrigin(kernel, k.data32F, width, height);
    const spec = track(new cv.Mat());
    cv.dft(k, spec, cv.DFT_COMPLEX_OUTPUT);
    const ri = spec.data32F as Float32Array;
    const data = new Float32Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = ri[2 * i]!;
    return { width, height, data };
  });
}

/** Write `kernel` into a zeroed height x width array with its centre at (0, 0), wrapping around. */
export function placeKernelAtOrigin(kernel: PsfKernel, out: Float32Array, width: number, height: number): void {
  const c = kernel.size >> 1;
  for (let y = 0; y < kernel.size; y++) {
    const yy = (y - c + height) % height;
    for (let x = 0; x < kernel.size; x++) out[yy * width + ((x - c + width) % width)] = kernel.data[y * kernel.size + x]!;
  }
}

const DEG = Math.PI / 180;

/**
 * Parse the CLI form: `gaussian:SIGMA`, `disk:RADIUS`, `motion:LENGTH:ANGLE_DEGREES` (pixels; angle
 * counter-clockwise as displayed), or `auto` (estimate from the image). Parameters are plain decimals, as
 * every number on the command line: an optional sign, digits, an optional fraction (`1.5`, `.5`, `-30`);
 * not hexadecimal (`0x1`), exponents (`1e1`), `Infinity` or empty.
 * @throws FingerliftError E_INVALID_ARGUMENT naming the text and what is wrong with it.
 */
export function parsePsf(text: string): PsfSpec | 'auto' {
  const t = String(text).trim().toLowerCase();
  if (t === 'auto') return 'auto';
  const parts = t.split(':');
  const nums = parts.slice(1).map((p) => (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(p.trim()) ? Number(p) : NaN));
  const fail = (why: string): never => {
    throw new FingerliftError('E_INVALID_ARGUMENT', `--psf "${text}": ${why} (expected gaussian:SIGMA, disk:RADIUS, motion:LENGTH:ANGLE_DEG or auto)`, { input: '--psf' });
  };
  if (nums.some((n) => !Number.isFinite(n))) fail('parameters must be plain decimal numbers (such as 2, 1.5 or -30)');
  let spec: PsfSpec;
  switch (parts[0]) {
    case 'gaussian':
      if (nums.length !== 1) fail('gaussian takes one parameter, sigma in pixels');
      spec = { kind: 'gaussian', sigma: nums[0]! };
      break;
    case 'disk':
      if (nums.length !== 1) fail('disk takes one parameter, the radius in pixels');
      spec = { kind: 'disk', radius: nums[0]! };
      break;
    case 'motion':
      if (nums.length !== 2) fail('motion takes two parameters, length in pixels and angle in degrees');
      spec = { kind: 'motion', length: nums[0]!, angle: normaliseMotionAngle(nums[1]! * DEG) };
      break;
    default:
      return fail(`unknown PSF model "${parts[0]}"`);
  }
  try {
    validatePsf(spec);
  } catch (e) {
    fail((e as Error).message.replace(/^psf: /, ''));
  }
  return spec;
}

/** The CLI text of a PSF (inverse of `parsePsf`; angles in degrees, up to 2 decimals). */
export function formatPsf(spec: PsfSpec | 'auto'): string {
  if (spec === 'auto') return 'auto';
  if (spec === null || typeof spec !== 'object' || !['gaussian', 'disk', 'motion'].includes((spec as { kind?: unknown }).kind as string)) validatePsf(spec);
  const n = (v: number): string => String(Math.round(v * 100) / 100);
  if (spec.kind === 'gaussian') return `gaussian:${n(spec.sigma)}`;
  if (spec.kind === 'disk') return `disk:${n(spec.radius)}`;
  return `motion:${n(spec.length)}:${n(normaliseMotionAngle(spec.angle) / DEG)}`;
}

/**
 * The same blur seen after resampling the image by `factor` (new pixels per old pixel, e.g.
 * 500 / photo ppi): sigma, radius and length scale by it, the angle does not.
 * @throws FingerliftError E_INVALID_ARGUMENT for a factor that is not a positive finite number.
 */
export function scalePsf(spec: PsfSpec, factor: number): PsfSpec {
  if (!(factor > 0 && Number.isFinite(factor))) throw bad(`scale factor must be a positive number, got ${factor}`);
  if (spec.kind === 'gaussian') return { kind: 'gaussian', sigma: spec.sigma * factor };
  if (spec.kind === 'disk') return { kind: 'disk', radius: spec.radius * factor };
  return { kind: 'motion', length: Math.max(1, spec.length * factor), angle: spec.angle };
}

/** A motion angle folded into [0, π): a segment and its reverse are the same blur. */
export function normaliseMotionAngle(angle: number): number {
  let a = angle % Math.PI;
  if (a < 0) a += Math.PI;
  return a >= Math.PI - 1e-12 ? 0 : a;
}
