/**
 * Stage 6: oriented, frequency-tuned even-symmetric Gabor filtering (Hong, Wan & Jain 1998, section 2.6;
 * Kovesi's ridgefilter), applied in the frequency domain tile by tile (the short-time Fourier approach of
 * Chikkerur, Cartwright & Govindaraju 2007, with Hong's Gabor transfer function): the image is cut into
 * equal tiles of at most 80 px; each tile plus a margin of 2.5 envelope sigmas is transformed once with
 * cv.dft (real input, packed CCS spectrum), multiplied by the transfer function of each bank entry its
 * pixels need, and transformed back (only the tile's rows down to the last pixel the entry serves are
 * computed: nonzeroRows); the margin makes the valid part a linear convolution up to the envelope's tail
 * beyond 2.5 sigmas, so tiles join without seams. Tiles without mask pixels are skipped; each mask pixel then
 * combines the outputs of its two steps in one pass. The bank (built here: opencv-wasm has no getGaborKernel) is
 * quantised in orientation (12 steps of 15 degrees, each pixel's response linearly interpolated between
 * its two nearest steps) and, per tile, in wavelength (the tile's median wavelength, 4% steps). Optionally
 * (halfResolution, off by default) all this runs on a half-resolution copy, the response interpolated back.
 *
 * Kernel at angle theta (ridge direction, DESIGN.md convention) and wavelength lambda, with u across the
 * ridges and v along them: g(u, v) = exp(-u^2 / (2 sx^2) - v^2 / (2 sy^2)) cos(2 pi u / lambda), sx and sy
 * proportional to lambda (Kovesi: kx = ky = 0.5), made zero-mean and scaled to unit gain at its own
 * frequency, so that responses of different entries join without seams.
 */
import { getCv, withMats, type Mat } from '../cv/index.js';
import { FingerliftError } from '../errors.js';
import type { GrayImage } from '../image/types.js';
import type { BlockMap, Mask, OrientationField } from './types.js';
import { checkGray, checkMask, checkRange } from './util.js';
import { borrow, giveBack } from './scratch.js';

/** Defaults of {@link gaborFilter}. */
export const GABOR_DEFAULTS = {
  /** Orientation steps over [0, pi); responses are interpolated between the two nearest steps. Kovesi's
   *  ridgefilter uses 3 degree steps with nearest-step lookup; interpolation allows coarse steps because the
   *  angular bandwidth of these filters is about 15 degrees (1 sigma). 12 steps (15 degrees) against 16:
   *  ridge/valley map differs on 0.5% of mask pixels (FVC2002 DB1_B 108_8), minutiae F-measure against the
   *  SecuGen templates 0.865 vs 0.864 (40 images), a fifth fewer transforms. */
  orientations: 12,
  /** Envelope sigma across the ridges, as a multiple of the wavelength (Kovesi ridgefilter: kx = 0.5). */
  sigmaAcross: 0.5,
  /** Envelope sigma along the ridges, as a multiple of the wavelength (Kovesi: ky = 0.5; larger joins
   *  broken ridges better and bends worse at cores). 0.5, 0.6 and 0.75 measured alike on 40 FVC2002 DB1_B
   *  images (minutiae F-measure against the SecuGen templates 0.854-0.855); 0.6 leans to continuity. */
  sigmaAlong: 0.6,
  /** Ratio between neighbouring wavelengths of the bank (4%: a kx = 0.5 filter loses under 0.5% at half a step off-tune). */
  wavelengthRatio: 1.04,
  /** Wavelength band of the bank (px at 500 ppi), Kovesi: 5-15. */
  minWavelength: 5,
  maxWavelength: 15,
  /** Tile margin of the frequency-domain filtering in envelope sigmas of the larger (along-ridge) sigma:
   *  2.5 keeps 98.8% of that envelope's mass and 3 sigmas across the ridges (wrap-around error measured under
   *  0.5% of the peak response). EER with fingerlift's extractor on FVC2002 DB1_B / DB2_B / DB4_B / FVC2004
   *  DB1_B: 3 with 80 px tiles 1.43 / 1.07 / 1.43 / 3.34%, 2.5 with 80 px tiles the same, 2.5 with equal
   *  tiles 1.43 / 1.23 / 1.43 / 3.34% (280 genuine pairs each: 0.36% per pair). 2.5 with equal tiles keeps the
   *  transform of an FVC2002 DB1_B tile at wavelengths up to 10 px at 108 px a side instead of 120 (a fifth
   *  less work per transform). */
  radiusSigmas: 2.5,
  /** Largest tile side (px), the valid part of each frequency-domain block: the image is cut into the fewest
   *  tiles of at most this side, all of equal size (80: fewest transforms per image, measured against 48,
   *  64 and 96 on FVC2002 DB1_B). */
  tileSize: 80,
  /** An orientation step that is no pixel's nearer step is skipped in a tile when its summed interpolation
   *  weight is under this share of the tile's pixels (those pixels take their nearer step alone: at most
   *  half a step, 7.5 degrees, off). */
  minBinShare: 0.03,
  /** Filter at half resolution (see {@link GaborOptions.halfResolution}): about 4.5 ms faster per FVC2002 DB1_B
   *  image but EER on FVC2004 DB1_B 3.20 -> 4.63%, so off. */
  halfResolution: false,
} as const;

export interface GaborOptions {
  orientations?: number;
  sigmaAcross?: number;
  sigmaAlong?: number;
  wavelengthRatio?: number;
  minWavelength?: number;
  maxWavelength?: number;
  radiusSigmas?: number;
  tileSize?: number;
  minBinShare?: number;
  /**
   * Filter a half-resolution copy and interpolate the response back (GaborOptions in full-resolution pixels:
   * the wavelength band and tile side are halved with the image, so the band must start at 4 px or more and
   * the tiles be 16 px or more; the frequency map's block side must be even). The image is 2 x 2 box-averaged,
   * the orientations averaged modulo pi, the mask set where any of its 2 x 2 pixels is, the frequency map's
   * blocks halved (frequencies doubled); the response is interpolated back with Lanczos-3 at the mask pixels.
   * Ridges ~9.5 px apart at 500 ppi are ~4.75 px apart there, still well sampled. Default false.
   * Measured (2026-12-06): enhance CPU per FVC2002 DB1_B image 28.3 -> 23.8 ms (medians of 240 runs on 80
   * images, alternating; Gabor stage 9.5 -> 5.2 ms), enhance + extract 33.1 -> 28.4 ms; ridge/valley map
   * differs on 0.4-1.0% of mask pixels (5 FVC prints), no visible change. But EER with fingerlift's extractor
   * on FVC2002 DB1_B / DB2_B / DB4_B / FVC2004 DB1_B went from 1.43 / 1.25 / 1.43 / 3.20% to 1.78 / 0.77 /
   * 1.43 / 4.63% (280 genuine pairs each, 0.36% per pair; bilinear instead of Lanczos: 1.43 / 1.78 / 1.43 /
   * 5.35%; even the full-resolution response 2 x 2-averaged and interpolated back gave 3.93-4.28% on FVC2004
   * DB1_B): FVC2004's distorted prints lose about 4 genuine pairs, so this is off by default.
   */
  halfResolution?: boolean;
}

/** A square filter kernel: size x size, row-major. */
export interface Kernel {
  size: number;
  data: Float32Array;
}

/**
 * Even-symmetric Gabor kernel for ridge direction `theta` (radians, DESIGN.md convention) and `wavelength`
 * (px), envelope sigmas `sigmaAcross` / `sigmaAlong` in px, half-size `radius` px (default 3 x the larger
 * sigma). Zero mean, unit gain for a unit-amplitude sinusoid of that wavelength and orientation.
 * @throws FingerliftError E_INVALID_ARGUMENT for a non-positive wavelength or sigma.
 */
export function gaborKernel(theta: number, wavelength: number, sigmaAcross: number, sigmaAlong: number, radius?: number): Kernel {
  if (!(wavelength > 0) || !(sigmaAcross > 0) || !(sigmaAlong > 0)) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `gaborKernel: wavelength ${wavelength} and sigmas ${sigmaAcross}, ${sigmaAlong} must be positive`);
  }
  const r = radius ?? Math.ceil(3 * Math.max(sigmaAcross, sigmaAlong));
  const size = 2 * r + 1;
  const data = new Float32Array(size * size);
  const env = new Float64Array(size * size);
  const carrier = new Float64Array(size * size);
  // Ridge direction (cos θ, -sin θ) and normal (sin θ, cos θ) in pixel coordinates (y down).
  const tx = Math.cos(theta);
  const ty = -Math.sin(theta);
  const nx = Math.sin(theta);
  const ny = Math.cos(theta);
  let sumEnv = 0;
  let sumG = 0;
  for (let y = -r; y <= r; y++)
    for (let x = -r; x <= r; x++) {
      const u = x * nx + y * ny;
      const v = x * tx + y * ty;
      const i = (y + r) * size + x + r;
      env[i] = Math.exp(-(u * u) / (2 * sigmaAcross * sigmaAcross) - (v * v) / (2 * sigmaAlong * sigmaAlong));
      carrier[i] = Math.cos((2 * Math.PI * u) / wavelength);
      sumEnv += env[i]!;
      sumG += env[i]! * carrier[i]!;
    }
  // Zero mean by subtracting a multiple of the envelope (keeps the shape), then unit gain at the tuned frequency.
  const k = sumG / sumEnv;
  let gain = 0;
  for (let i = 0; i < data.length; i++) {
    const g = env[i]! * (carrier[i]! - k);
    data[i] = g;
    gain += g * carrier[i]!;
  }
  for (let i = 0; i < data.length; i++) data[i] = data[i]! / gain;
  return { size, data };
}

export interface GaborResult {
  /** Filter response, height x width, about +-1 for a clear ridge pattern of unit variance; 0 outside the mask.
   *  Negative on ridges when ridges are dark in the input. */
  response: Float32Array;
  /** Number of distinct (orientation, wavelength) bank entries used and of inverse transforms made. */
  entries: number;
  calls: number;
}

/** Non-negligible part of a transfer function on a P x P DFT grid: flat indices and real gains. */
export interface SparseTransfer {
  index: Int32Array;
  gain: Float32Array;
}

/**
 * Transfer function of the zero-mean, unit-gain Gabor filter of {@link gaborKernel} on a P x P DFT grid
 * (row-major, frequencies in cycles/px with the usual wrap-around), kept where it exceeds 1e-5: around
 * the two lobes at +-1/wavelength across the ridges and the small DC correction.
 *   H = (E(xi - f0, eta) + E(xi + f0, eta)) / 2 - c E(xi, eta),  E = exp(-2 pi^2 (sx^2 xi^2 + sy^2 eta^2)),
 * xi across the ridges, eta along them, c = E(f0, 0) (H(0) = 0), scaled so that H(f0, 0) = 1.
 */
export function gaborTransfer(P: number, theta: number, wavelength: number, sigmaAcross: number, sigmaAlong: number): SparseTransfer {
  const f0 = 1 / wavelength;
  const nx = Math.sin(theta);
  const ny = Math.cos(theta);
  const tx = Math.cos(theta);
  const ty = -Math.sin(theta);
  const a = 2 * Math.PI * Math.PI * sigmaAcross * sigmaAcross;
  const b = 2 * Math.PI * Math.PI * sigmaAlong * sigmaAlong;
  const c = Math.exp(-a * f0 * f0);
  const gain = 0.5 * (1 + Math.exp(-4 * a * f0 * f0)) - c * Math.exp(-a * f0 * f0);
  // exp(-a d^2) < 1e-5 beyond d = sqrt(11.5 / a); same along.
  const reach = Math.ceil(P * Math.sqrt(11.5 / Math.min(a, b))) + 1;
  const seen = new Uint8Array(P * P);
  const idx: number[] = [];
  const val: number[] = [];
  for (const sgn of [-1, 0, 1]) {
    const cu = Math.round(sgn * f0 * nx * P);
    const cvv = Math.round(sgn * f0 * ny * P);
    for (let dv = -reach; dv <= reach; dv++)
      for (let du = -reach; du <= reach; du++) {
        const fu = cu + du;
        const fv = cvv + dv;
        if (fu < -(P >> 1) || fu > P >> 1 || fv < -(P >> 1) || fv > P >> 1) continue;
        const u = (fu + P) % P;
        const v = (fv + P) % P;
        const j = v * P + u;
        if (seen[j]) continue;
        seen[j] = 1;
        const fx = (u <= P >> 1 ? u : u - P) / P;
        const fy = (v <= P >> 1 ? v : v - P) / P;
        const xi = fx * nx + fy * ny;
        const eta = fx * tx + fy * ty;
        const e = Math.exp(-b * eta * eta);
        const d1 = xi - f0;
        const d2 = xi + f0;
        const h = (e * (0.5 * Math.exp(-a * d1 * d1) + 0.5 * Math.exp(-a * d2 * d2) - c * Math.exp(-a * xi * xi))) / gain;
        if (Math.abs(h) > 1e-5) {
          idx.push(j);
          val.push(h);
        }
      }
  }
  return { index: Int32Array.from(idx), gain: Float32Array.from(val) };
}

/**
 * Gabor-filter a normalised print (height x width, zero mean and unit variance inside the mask, 0
 * outside) with per-pixel orientation `orientation.theta` and per-block `frequency` (cycles/px; each tile
 * uses the median wavelength of its blocks). Only tiles holding mask pixels are computed. With
 * `halfResolution` the filtering runs on a half-resolution copy (see {@link GaborOptions.halfResolution}).
 * @throws FingerliftError E_INVALID_ARGUMENT for mismatched sizes or options out of range (with
 * `halfResolution`: minWavelength under 4 px, tileSize under 16 px, an odd frequency block side).
 */
export function gaborFilter(
  image: GrayImage,
  orientation: OrientationField,
  frequency: BlockMap,
  mask: Mask,
  options: GaborOptions = {},
): GaborResult {
  const o = { ...GABOR_DEFAULTS, ...options };
  checkGray(image, 'gaborFilter');
  checkMask(mask, image.width, image.height, 'gaborFilter');
  if (orientation.width !== image.width || orientation.height !== image.height) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `gaborFilter: orientation field ${orientation.width} x ${orientation.height} does not match image ${image.width} x ${image.height}`);
  }
  checkRange(o.orientations, 'orientations', 2, 180);
  checkRange(o.sigmaAcross, 'sigmaAcross', 0.05, 5);
  checkRange(o.sigmaAlong, 'sigmaAlong', 0.05, 5);
  checkRange(o.wavelengthRatio, 'wavelengthRatio', 1.001, 2);
  checkRange(o.minWavelength, 'minWavelength', 2, 1000);
  checkRange(o.maxWavelength, 'maxWavelength', o.minWavelength, 1000);
  checkRange(o.tileSize, 'tileSize', 8, 4096);
  checkRange(o.radiusSigmas, 'radiusSigmas', 1, 10);
  if (o.halfResolution) {
    checkRange(o.minWavelength, 'minWavelength (halfResolution)', 4, 1000);
    checkRange(o.tileSize, 'tileSize (halfResolution)', 16, 4096);
    return gaborHalf(image, orientation, frequency, mask, o);
  }
  const { width, height } = image;
  const n = width * height;
  const nO = Math.round(o.orientations);
  const oStep = Math.PI / nO;
  const logRatio = Math.log(o.wavelengthRatio);
  if (frequency.blockSize < 1 || frequency.rows !== Math.ceil(height / frequency.blockSize) || frequency.cols !== Math.ceil(width / frequency.blockSize)) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `gaborFilter: frequency map ${frequency.rows} x ${frequency.cols} blocks of ${frequency.blockSize} px does not cover image ${width} x ${height}`);
  }
  // Equal tiles: the fewest of at most tileSize px per axis (388 px -> 5 tiles of 78 px); only those holding
  // mask pixels (inside the mask's bounding box) are visited.
  const TW = Math.ceil(width / Math.ceil(width / Math.round(o.tileSize)));
  const TH = Math.ceil(height / Math.ceil(height / Math.round(o.tileSize)));
  const box = maskBox(mask);
  const T = Math.max(TW, TH);
  const cv = getCv();
  const response = borrow(Float32Array, n);
  const used = new Set<number>();
  let calls = 0;
  const tp = T * T;
  // Per tile pixel: its lower orientation step (255 outside the mask; there are at most 180 steps) and its
  // interpolation weight towards the next.
  const tileStep = borrow(Uint8Array, tp);
  const tileFrac = borrow(Float32Array, tp);
  const weightSum = new Float32Array(nO);
  const need = new Uint8Array(nO);
  const lastRow = new Int32Array(nO);
  const outputs: Float32Array[] = new Array<Float32Array>(nO);
  const theta = orientation.theta;
  const md = mask.data;
  const img = image.data;
  // Bank entries by (transform size, wavelength step, orientation step), for these options (kept across calls).
  const bankKey = `${nO}|${o.sigmaAcross}|${o.sigmaAlong}|${o.minWavelength}|${o.wavelengthRatio}`;
  let local = banks.get(bankKey);
  if (!local || local.size > TRANSFER_CACHE_SIZE) banks.set(bankKey, (local = new Map()));
  if (banks.size > 2) banks.delete(banks.keys().next().value!);
  withMats('gaborFilter', (t) => {
    // Transform buffers per transform size P (the tile plus a margin of radiusSigmas envelope sigmas of its
    // wavelength), with one output per orientation step.
    const bufs = new Map<number, { src: Mat; spec: Mat; work: Mat; back: Mat[] }>();
    const buffersFor = (P: number) => {
      let b = bufs.get(P);
      if (!b) {
        b = { src: t(new cv.Mat(P, P, cv.CV_32F)), spec: t(new cv.Mat()), work: t(new cv.Mat(P, P, cv.CV_32F)), back: [] };
        bufs.set(P, b);
      }
      return b;
    };
    for (let ty0 = box.y0 - (box.y0 % TH); ty0 < box.y1; ty0 += TH) {
      const th = Math.min(TH, height - ty0);
      for (let tx0 = box.x0 - (box.x0 % TW); tx0 < box.x1; tx0 += TW) {
        const tw = Math.min(TW, width - tx0);
        const lambdaBin = Math.round(Math.log(tileWavelength(frequency, tx0, ty0, tw, th, o.minWavelength, o.maxWavelength) / o.minWavelength) / logRatio);
        const lambda = o.minWavelength * Math.exp(lambdaBin * logRatio);
        const pad = Math.ceil(o.radiusSigmas * Math.max(o.sigmaAcross, o.sigmaAlong) * lambda);
        const P = evenDftSize(cv, T + 2 * pad);
        // Which orientation steps (with their summed interpolation weights) this tile needs, each pixel's two steps
        // and weight, and the last tile row each step serves.
        weightSum.fill(0);
        need.fill(0);
        lastRow.fill(-1);
        let count = 0;
        for (let y = 0; y < th; y++)
          for (let x = 0, i = (ty0 + y) * width + tx0, j = y * tw; x < tw; x++, i++, j++) {
            if (!md[i]) {
              tileStep[j] = 255;
              continue;
            }
            const p = theta[i]! / oStep;
            const fl = p | 0; // p >= 0
            const b0 = fl >= nO ? fl - nO : fl;
            const b1 = b0 + 1 === nO ? 0 : b0 + 1;
            const fr = p - fl;
            weightSum[b0]! += 1 - fr;
            weightSum[b1]! += fr;
            // A pixel's nearer step is always computed.
            need[fr < 0.5 ? b0 : b1] = 1;
            count++;
            const f = Math.fround(fr);
            tileStep[j] = b0;
            tileFrac[j] = f;
            if (1 - f > 0) lastRow[b0] = y;
            if (f > 0) lastRow[b1] = y;
          }
        if (count === 0) continue;
        const { src, spec, work, back } = buffersFor(P);
        // Tile plus margin, zero outside the image (the input is 0 outside the mask anyway), placed cyclically
        // so that the tile's rows come first (circular convolution is shift-invariant): the inverse transform
        // then only computes those rows (nonzeroRows).
        const sd: Float32Array = src.data32F;
        sd.fill(0);
        const x0 = tx0 - pad;
        const xs = Math.max(0, x0);
        const xe = Math.min(width, x0 + P);
        for (let y = Math.max(0, ty0 - pad); y < Math.min(height, ty0 - pad + P); y++) {
          const by = y >= ty0 ? y - ty0 : y - ty0 + P;
          sd.set(img.subarray(y * width + xs, y * width + xe), by * P + (xs - x0));
        }
        // Real input: the spectrum in OpenCV's packed CCS layout (half the complex plane).
        cv.dft(src, spec, 0, 0);
        const minWeight = o.minBinShare * count;
        for (let ob = 0; ob < nO; ob++) {
          if (!need[ob] && weightSum[ob]! <= minWeight) {
            need[ob] = 0;
            continue;
          }
          need[ob] = 1; // computed
          const key = (P * 100000 + lambdaBin) * 256 + ob;
          let H = local.get(key);
          if (!H) {
            H = cachedTransfer(P, ob * oStep, lambda, o.sigmaAcross * lambda, o.sigmaAlong * lambda);
            local.set(key, H);
          }
          used.add(lambdaBin * 256 + ob);
          // Views into the WASM heap, taken after any allocation (a growing heap detaches older views).
          const s: Float32Array = spec.data32F;
          const w: Float32Array = work.data32F;
          w.fill(0);
          const { index, gain } = H;
          for (let j = 0; j < index.length; j++) {
            const k = index[j]!;
            w[k] = s[k]! * gain[j]!;
          }
          // Only the rows down to the last pixel this entry serves: the inverse transform computes just those
          // (nonzeroRows), each exactly as when computing all the tile's rows.
          back[ob] ??= t(new cv.Mat());
          cv.dft(work, back[ob], cv.DFT_INVERSE | cv.DFT_SCALE, lastRow[ob]! + 1);
          calls++;
        }
        for (let ob = 0; ob < nO; ob++) if (need[ob]) outputs[ob] = back[ob]!.data32F;
        // Each pixel: its steps' responses in increasing step order (Float32 sums, as accumulating them one
        // transform at a time), renormalised to the step computed when the other (never its nearer) was skipped.
        for (let y = 0; y < th; y++)
          for (let x = 0, i = (ty0 + y) * width + tx0, j = y * tw, q = y * P + pad; x < tw; x++, i++, j++, q++) {
            const b0 = tileStep[j]!;
            if (b0 === 255) continue;
            const f = tileFrac[j]!;
            const w0 = 1 - f;
            const b1 = b0 + 1 === nO ? 0 : b0 + 1;
            let acc = 0;
            let lost = 0;
            if (b1 > b0) {
              if (w0 > 0) {
                if (need[b0]) acc = Math.fround(acc + w0 * outputs[b0]![q]!);
                else lost = w0;
              }
              if (f > 0) {
                if (need[b1]) acc = Math.fround(acc + f * outputs[b1]![q]!);
                else lost = f;
              }
            } else {
              if (f > 0) {
                if (need[b1]) acc = Math.fround(acc + f * outputs[b1]![q]!);
                else lost = f;
              }
              if (w0 > 0) {
                if (need[b0]) acc = Math.fround(acc + w0 * outputs[b0]![q]!);
                else lost = w0;
              }
            }
            if (lost > 0) {
              const a = Math.fround(1 - lost);
              if (a < 0.999) acc = Math.fround(acc / a);
            }
            response[i] = acc;
          }
      }
    }
  });
  giveBack(tileStep, tileFrac);
  return { response, entries: used.size, calls };
}

/**
 * {@link gaborFilter} on a half-resolution copy of its inputs (GaborOptions.halfResolution), the response
 * interpolated back bilinearly at the mask pixels (half-resolution pixel i covers full pixels 2i, 2i + 1:
 * its centre is at 2i + 0.5). Inputs already checked by the caller.
 */
function gaborHalf(image: GrayImage, orientation: OrientationField, frequency: BlockMap, mask: Mask, o: Required<GaborOptions>): GaborResult {
  const { width, height } = image;
  const fb = frequency.blockSize;
  if (fb % 2) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `gaborFilter: halfResolution needs an even frequency block size (got ${fb})`);
  }
  const w2 = (width + 1) >> 1;
  const h2 = (height + 1) >> 1;
  const n2 = w2 * h2;
  const img2 = borrow(Float32Array, n2);
  const th2 = borrow(Float32Array, n2);
  const m2 = borrow(Uint8Array, n2);
  const src = image.data;
  const th = orientation.theta;
  const md = mask.data;
  const PI = Math.PI;
  const HALF = PI / 2;
  for (let y2 = 0; y2 < h2; y2++) {
    const ya = 2 * y2;
    const yb = ya + 1 < height ? ya + 1 : ya;
    for (let x2 = 0, k = y2 * w2; x2 < w2; x2++, k++) {
      const xa = 2 * x2;
      const xb = xa + 1 < width ? xa + 1 : xa;
      const i00 = ya * width + xa;
      const i01 = ya * width + xb;
      const i10 = yb * width + xa;
      const i11 = yb * width + xb;
      // 2 x 2 box average (OpenCV's INTER_AREA at a factor of 2; a (1, 3, 3, 1) / 8 anti-aliasing filter measured no better).
      img2[k] = 0.25 * (src[i00]! + src[i01]! + src[i10]! + src[i11]!);
      if (!(md[i00]! | md[i01]! | md[i10]! | md[i11]!)) continue;
      m2[k] = 1;
      // Mean angle modulo pi: the other three taken within a half turn of the first (the field is smooth at
      // the pixel scale, so this is the doubled-angle mean without trigonometry).
      const a = th[i00]!;
      let d1 = th[i01]! - a;
      let d2 = th[i10]! - a;
      let d3 = th[i11]! - a;
      if (d1 > HALF) d1 -= PI;
      else if (d1 < -HALF) d1 += PI;
      if (d2 > HALF) d2 -= PI;
      else if (d2 < -HALF) d2 += PI;
      if (d3 > HALF) d3 -= PI;
      else if (d3 < -HALF) d3 += PI;
      let t = a + 0.25 * (d1 + d2 + d3);
      if (t < 0) t += PI;
      else if (t >= PI) t -= PI;
      // Float32 rounding may land exactly on pi.
      th2[k] = Math.fround(t) >= PI ? 0 : t;
    }
  }
  const f2 = new Float32Array(frequency.data.length);
  for (let i = 0; i < f2.length; i++) f2[i] = 2 * frequency.data[i]!;
  const half = gaborFilter(
    { width: w2, height: h2, data: img2 },
    { width: w2, height: h2, theta: th2, coherence: th2 },
    { blockSize: fb / 2, rows: frequency.rows, cols: frequency.cols, data: f2 },
    { width: w2, height: h2, data: m2 },
    { ...o, halfResolution: false, minWavelength: o.minWavelength / 2, maxWavelength: o.maxWavelength / 2, tileSize: Math.max(8, Math.round(o.tileSize / 2)) },
  );
  const r2 = half.response;
  const response = borrow(Float32Array, width * height);
  upsampleLanczos(r2, w2, h2, response, width, height, md);
  giveBack(img2, th2, m2, r2);
  return { response, entries: half.entries, calls: half.calls };
}

/** Lanczos window of {@link upsampleLanczos}: 3 lobes (6 taps per axis). */
const LANCZOS_A = 3;

/**
 * Weights of the 2a Lanczos-a taps (Duchon 1979) at half-resolution offsets -a + 1 .. a from
 * floor((x - 0.5) / 2), for even x (fraction 0.75) and odd x (fraction 0.25), normalised to sum 1.
 */
function lanczosPhases(a: number): [Float64Array, Float64Array] {
  const k = (d: number): number => {
    if (d === 0) return 1;
    if (Math.abs(d) >= a) return 0;
    const p = Math.PI * d;
    return (a * Math.sin(p) * Math.sin(p / a)) / (p * p);
  };
  const phase = (f: number): Float64Array => {
    const w = new Float64Array(2 * a);
    let sum = 0;
    for (let t = 0; t < 2 * a; t++) sum += w[t] = k(t - a + 1 - f);
    for (let t = 0; t < 2 * a; t++) w[t] = w[t]! / sum;
    return w;
  };
  return [phase(0.75), phase(0.25)];
}
const PHASES = lanczosPhases(LANCZOS_A);

/**
 * Upsample a half-resolution response (h2 x w2) to height x width at the mask pixels (others untouched):
 * separable Lanczos-3 (the response is narrow-band around the ridge frequency, far below the half-resolution
 * Nyquist limit, where Lanczos-3 is close to ideal interpolation; bilinear blurred it measurably, see
 * GaborOptions.halfResolution), half-resolution pixel i centred at full-resolution 2i + 0.5, edges replicated.
 */
function upsampleLanczos(r2: Float32Array, w2: number, h2: number, response: Float32Array, width: number, height: number, md: Uint8Array): void {
  const a = LANCZOS_A;
  const n = 2 * a;
  // One row of the vertical pass, with a columns of edge replication on each side (no clamping in the loops).
  const col = new Float64Array(w2 + 2 * n);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++)
      if (md[row + x]) {
        if (first < 0) first = x;
        last = x;
      }
    if (first < 0) continue;
    // Half-resolution columns the row's mask pixels read: [c0, c1].
    const c0 = Math.max(0, Math.floor((first - 0.5) / 2) - a + 1);
    const c1 = Math.min(w2 - 1, Math.floor((last - 0.5) / 2) + a);
    const base = Math.floor((y - 0.5) / 2) - a + 1;
    const wy = PHASES[y & 1]!;
    for (let c = c0; c <= c1; c++) col[c + n] = 0;
    for (let t = 0; t < n; t++) {
      const r = Math.min(h2 - 1, Math.max(0, base + t));
      const wt = wy[t]!;
      for (let c = c0, j = r * w2 + c0; c <= c1; c++, j++) col[c + n] = col[c + n]! + wt * r2[j]!;
    }
    // Edge replication of the half-resolution row's first and last column.
    if (c0 === 0) for (let t = 0; t < n; t++) col[t] = col[n]!;
    if (c1 === w2 - 1) for (let t = 0; t < n; t++) col[w2 + n + t] = col[w2 - 1 + n]!;
    for (let x = first, i = row + first; x <= last; x++, i++) {
      if (!md[i]) continue;
      const wx = PHASES[x & 1]!;
      const b = Math.floor((x - 0.5) / 2) - a + 1 + n;
      let acc = 0;
      for (let t = 0; t < n; t++) acc += wx[t]! * col[b + t]!;
      response[i] = acc;
    }
  }
}

/** Columns [x0, x1) and rows [y0, y1) holding every pixel of the mask (all 0 for an empty mask). */
function maskBox(mask: Mask): { x0: number; y0: number; x1: number; y1: number } {
  const { width, height, data } = mask;
  let x0 = width;
  let x1 = -1;
  let y0 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    for (let x = 0; x < width; x++)
      if (data[row + x]) {
        first = x;
        break;
      }
    if (first < 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    for (let x = width - 1; x > x1; x--)
      if (data[row + x]) {
        x1 = x;
        break;
      }
  }
  return y0 < 0 ? { x0: 0, y0: 0, x1: 0, y1: 0 } : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * The smallest size >= n that cv.dft handles fast (getOptimalDFTSize) and that is even (the CCS packing of
 * {@link ccsTransfer} assumes an even size).
 */
function evenDftSize(cv: ReturnType<typeof getCv>, n: number): number {
  let P = cv.getOptimalDFTSize(n) as number;
  while (P % 2) P = cv.getOptimalDFTSize(P + 1) as number;
  return P;
}

/**
 * A real, even-symmetric transfer function (H(-f) = H(f)) given on the full P x P DFT grid, rewritten for
 * OpenCV's packed CCS spectrum of a real P x P image (P even): each CCS element is the real or the imaginary
 * part of one coefficient Y(j, k), k in [0, P/2], and is multiplied by H(j, k). Column 0 and column P - 1
 * hold the spectra of columns k = 0 and k = P/2 (row 0: Re Y(0, k); rows 2m - 1, 2m: Re, Im Y(m, k); row
 * P - 1: Re Y(P/2, k)); columns 2k - 1, 2k hold Re, Im Y(r, k) for every row r, k in [1, P/2 - 1].
 */
export function ccsTransfer(P: number, full: SparseTransfer): SparseTransfer {
  const dense = new Float32Array(P * P);
  for (let j = 0; j < full.index.length; j++) dense[full.index[j]!] = full.gain[j]!;
  const idx: number[] = [];
  const val: number[] = [];
  const half = P >> 1;
  for (let r = 0; r < P; r++)
    for (let c = 0; c < P; c++) {
      let fy: number;
      let fx: number;
      if (c === 0 || c === P - 1) {
        fx = c === 0 ? 0 : half;
        fy = r === 0 ? 0 : r === P - 1 ? half : (r + 1) >> 1;
      } else {
        fx = (c + 1) >> 1;
        fy = r;
      }
      const h = dense[fy * P + fx]!;
      if (h !== 0) {
        idx.push(r * P + c);
        val.push(h);
      }
    }
  return { index: Int32Array.from(idx), gain: Float32Array.from(val) };
}

/**
 * Memo of {@link gaborTransfer} in CCS layout ({@link ccsTransfer}; pure functions of their arguments): the
 * same bank entries recur from tile to tile and image to image. Bounded (least recently built dropped
 * first); about 15 KB per entry.
 */
const transferCache = new Map<string, SparseTransfer>();
/** The entries of {@link transferCache} by numeric key, per set of bank options (the last 2 sets, each of at most
 *  TRANSFER_CACHE_SIZE + 1 entries: with the memo, at most about 25 MB). */
const banks = new Map<string, Map<number, SparseTransfer>>();
const TRANSFER_CACHE_SIZE = 512;
function cachedTransfer(P: number, theta: number, wavelength: number, sx: number, sy: number): SparseTransfer {
  const key = `${P}|${theta}|${wavelength}|${sx}|${sy}`;
  let h = transferCache.get(key);
  if (!h) {
    h = ccsTransfer(P, gaborTransfer(P, theta, wavelength, sx, sy));
    if (transferCache.size >= TRANSFER_CACHE_SIZE) transferCache.delete(transferCache.keys().next().value!);
    transferCache.set(key, h);
  }
  return h;
}

/**
 * Median wavelength (px) of the blocks of `frequency` that overlap the tile and hold a frequency (> 0),
 * clamped to [minWavelength, maxWavelength]; the band's geometric middle when none does.
 */
function tileWavelength(frequency: BlockMap, x0: number, y0: number, w: number, h: number, minWavelength: number, maxWavelength: number): number {
  const bs = frequency.blockSize;
  const vals: number[] = [];
  for (let r = Math.floor(y0 / bs); r <= Math.min(frequency.rows - 1, Math.floor((y0 + h - 1) / bs)); r++)
    for (let c = Math.floor(x0 / bs); c <= Math.min(frequency.cols - 1, Math.floor((x0 + w - 1) / bs)); c++) {
      const f = frequency.data[r * frequency.cols + c]!;
      if (f > 0) vals.push(1 / f);
    }
  if (vals.length === 0) return Math.sqrt(minWavelength * maxWavelength);
  vals.sort((a, b) => a - b);
  const m = vals.length >> 1;
  const lambda = vals.length % 2 ? vals[m]! : 0.5 * (vals[m - 1]! + vals[m]!);
  return Math.min(maxWavelength, Math.max(minWavelength, lambda));
}
