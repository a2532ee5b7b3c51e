/**
 * Spectral evidence for PSF estimation: Welch's (1967) averaged periodogram of overlapping
 * Hann-windowed tiles, the discrete Laplacian regulariser of the GCV fits, and the log-spectrum
 * anisotropy score of motion blur (see estimate.ts for how they are used).
 */
import { FingerliftError } from '../../errors.js';
import { getCv, withMats } from '../../cv/index.js';
import type { GrayImage } from '../../image/types.js';
import type { Mask } from '../types.js';
import { ESTIMATE } from './params.js';
import { ccsBins, ccsPower, type CcsBins } from './spectrum.js';

/** Welch periodogram at the bins of a T x T CCS spectrum. */
export interface Periodogram {
  readonly bins: CcsBins;
  readonly power: Float32Array;
  readonly tiles: number;
  /** Regulariser |C|^2 per bin (discrete Laplacian), or undefined for the identity. */
  readonly reg: Float32Array | undefined;
}

/** |C(f)|^2 of the 5-point discrete Laplacian at each bin: (4 - 2 cos 2π fx - 2 cos 2π fy)^2. */
export function laplacianSquared(bins: CcsBins): Float32Array {
  const r = new Float32Array(bins.re.length);
  for (let k = 0; k < r.length; k++) {
    const c = 4 - 2 * Math.cos(2 * Math.PI * bins.fx[k]!) - 2 * Math.cos(2 * Math.PI * bins.fy[k]!);
    r[k] = c * c;
  }
  return r;
}

export function welch(image: GrayImage, tile: number, mask: Mask | undefined): Periodogram {
  const bins = ccsBins(tile, tile);
  const step = Math.max(1, Math.round(tile * (1 - ESTIMATE.tileOverlap)));
  const origins: Array<[number, number, number]> = [];
  const fitX = Math.max(1, Math.floor((image.width - tile) / step) + 1);
  const fitY = Math.max(1, Math.floor((image.height - tile) / step) + 1);
  const x0 = Math.floor((image.width - (tile + (fitX - 1) * step)) / 2);
  const y0 = Math.floor((image.height - (tile + (fitY - 1) * step)) / 2);
  for (let j = 0; j < fitY; j++)
    for (let i = 0; i < fitX; i++) {
      const ox = x0 + i * step;
      const oy = y0 + j * step;
      let inMask = tile * tile;
      if (mask) {
        inMask = 0;
        for (let y = oy; y < oy + tile; y++) for (let x = ox; x < ox + tile; x++) inMask += mask.data[y * image.width + x]! ? 1 : 0;
      }
      if (inMask < ESTIMATE.tileMaskFraction * tile * tile) continue;
      let s = 0;
      let s2 = 0;
      for (let y = oy; y < oy + tile; y++)
        for (let x = ox; x < ox + tile; x++) {
          const v = image.data[y * image.width + x]!;
          s += v;
          s2 += v * v;
        }
      const n = tile * tile;
      origins.push([ox, oy, Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2))]);
    }
  if (origins.length === 0)
    throw new FingerliftError('E_TOO_SMALL', `PSF estimation: no ${tile} x ${tile} tile lies in the region of interest`, { input: 'image' });
  const stds = origins.map((o) => o[2]).sort((a, b) => a - b);
  const medianStd = stds[stds.length >> 1]!;
  const used = origins.filter((o) => o[2] >= ESTIMATE.flatTileFraction * medianStd && o[2] > 0);
  if (used.length === 0)
    throw new FingerliftError('E_INVALID_ARGUMENT', 'PSF estimation: the image is flat (no texture to estimate a blur from)', { input: 'image' });
  const hann = new Float32Array(tile);
  for (let i = 0; i < tile; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / tile);
  const power = new Float32Array(bins.re.length);
  const cv = getCv();
  withMats('PSF estimation periodogram', (track) => {
    const m = track(new cv.Mat(tile, tile, cv.CV_32F));
    const spec = track(new cv.Mat());
    const buf = new Float32Array(tile * tile);
    const p = new Float32Array(bins.re.length);
    for (const [ox, oy] of used) {
      let mean = 0;
      for (let y = 0; y < tile; y++) for (let x = 0; x < tile; x++) mean += image.data[(oy + y) * image.width + ox + x]!;
      mean /= tile * tile;
      for (let y = 0; y < tile; y++)
        for (let x = 0; x < tile; x++) buf[y * tile + x] = (image.data[(oy + y) * image.width + ox + x]! - mean) * hann[x]! * hann[y]!;
      m.data32F.set(buf);
      cv.dft(m, spec, 0);
      ccsPower(spec.data32F as Float32Array, bins, p);
      for (let k = 0; k < p.length; k++) power[k]! += p[k]!;
    }
  });
  for (let k = 0; k < power.length; k++) power[k]! /= used.length;
  return { bins, power, tiles: used.length, reg: laplacianSquared(bins) };
}


/** Ring index (radius in bins of 1 / tile cycles per pixel) of every bin. */
export function rings(bins: CcsBins, tile: number): Int32Array {
  const r = new Int32Array(bins.re.length);
  for (let k = 0; k < r.length; k++) r[k] = Math.round(Math.hypot(bins.fx[k]!, bins.fy[k]!) * tile);
  return r;
}

/**
 * Anisotropy left in the log spectrum after dividing out a blur: the weighted variance, within
 * rings of equal radius, of log P(f) - log(H(f)^2 + floor). A print averaged over many tiles has a
 * nearly isotropic spectrum (ridges run in all directions), so motion blur, the one anisotropic
 * model, shows as direction-dependent fall-off with dark lines (sinc zeros) across the motion
 * direction; the right length and angle flatten it. The floor (relative to H(0) = 1) stands for
 * the noise that fills the zeros.
 */
export function anisotropy(h: Float32Array, logPower: Float32Array, ring: Int32Array, weight: Float32Array, tile: number): number {
  const n = (tile >> 1) + 1;
  const sum = new Float64Array(n);
  const sq = new Float64Array(n);
  const cnt = new Float64Array(n);
  const floor = ESTIMATE.motionFloor;
  for (let k = 1; k < h.length; k++) {
    const r = ring[k]!;
    if (r < ESTIMATE.minRing || r >= n) continue;
    const v = logPower[k]! - Math.log(h[k]! * h[k]! + floor);
    const w = weight[k]!;
    sum[r]! += w * v;
    sq[r]! += w * v * v;
    cnt[r]! += w;
  }
  let total = 0;
  let count = 0;
  for (let r = 0; r < n; r++)
    if (cnt[r]! > 0) {
      total += sq[r]! - (sum[r]! * sum[r]!) / cnt[r]!;
      count += cnt[r]!;
    }
  return count > 0 ? total / count : 0;
}

