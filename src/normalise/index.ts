/**
 * Normalise a photographed fingertip into a contact-compatible grey print at 500 ppi:
 * grey conversion with the strongest ridges → ridge period → resolution → one resampling that crops,
 * rotates the finger upright, unrolls the finger's cylinder, mirrors to the contact view and scales
 * to 500 ppi → ridges made dark → shading flattened. Every decision is returned with its evidence.
 *
 *   const { print, decisions } = normaliseFingertip(photo, fingertips[0].box);
 */
import { getCv, withMats, type Mat } from '../cv/index.js';
import type { Mask } from '../enhance/types.js';
import { FingerliftError, invalidArgument } from '../errors.js';
import type { GrayImage, RgbImage } from '../image/types.js';
import { checkImage, isRgb } from '../image/types.js';
import type { OrientedBox } from '../locate/types.js';
import { NORMALISE_DEFAULTS, type GreyChannel, type NormaliseOptions } from './params.js';
import { estimateRidgePeriodSpectral, estimateRidgePeriodTiles } from './period.js';
import { detectPolarity, type PolarityResult } from './polarity.js';
import { measureRidgeEvidence, type RidgeEvidence } from './quality.js';

export { detectPolarity, type PolarityResult } from './polarity.js';
export { estimateRidgePeriodSpectral, estimateRidgePeriodTiles, type RidgePeriodEstimate, type RidgePeriodOptions, type TileRidgePeriodEstimate, type TileRidgePeriodOptions } from './period.js';
export { NORMALISE_DEFAULTS, type NormaliseOptions, type GreyChannel } from './params.js';
export { measureRidgeEvidence, RIDGE_EVIDENCE_DEFAULTS, type RidgeEvidence, type RidgeEvidenceOptions } from './quality.js';

export interface NormaliseDecisions {
  grey: { chosen: GreyChannel; how: 'auto' | 'given'; ridgeSnr: Partial<Record<GreyChannel, number>> };
  /** Rotation applied, radians counter-clockwise (finger axis angle → π/2, pointing up). */
  rotation: number;
  /** Photo resolution at the fingertip, ppi, and where it came from. */
  estimatedPpi: number;
  ppiBasis: 'given' | 'ridge-period' | 'finger-width';
  /** Ridge period measured in the photo, photo pixels (when measured). */
  ridgePeriodPx?: number;
  ridgeSnr?: number;
  /** Output pixels per photo pixel (500 / estimatedPpi). */
  scale: number;
  polarity: { inverted: boolean; how: 'auto' | 'given'; evidence?: PolarityResult['evidence'] };
  mirrored: boolean;
  unroll: { applied: boolean; model: 'cylinder'; radiusPx?: number; maxAngle?: number };
  /** Ridge evidence of the resampled print before flattening (`measureRidgeEvidence`): the input of the lift quality gate. */
  ridgeEvidence: RidgeEvidence;
  notes: string[];
}

/**
 * Resolutions a photo may be given at the fingertip, ppi: from a whole hand at a distance (about 50) to a
 * macro lens (20000, as PLAUSIBLE_PPI's upper bound for scanners).
 */
export const PHOTO_PPI_RANGE: readonly [number, number] = [50, 20000];

export interface NormaliseResult {
  /** The print: height x width, [0, 1], 500 ppi, finger up, ridges dark, background 1 (white). */
  print: GrayImage;
  /** Foreground of the print (1 = finger skin seen in the photo). */
  mask: Mask;
  ppi: 500;
  decisions: NormaliseDecisions;
  /** Maps a print pixel (x, y) back to photo pixels, for overlays and the audit trail. */
  toPhoto: (x: number, y: number) => [number, number];
  ms: Record<string, number>;
}

/**
 * Normalise one fingertip of a photo.
 * @param image the photo, RGB (or grey), height x width, [0, 1].
 * @param box the fingertip's distal phalanx in photo pixels (from `locateFingertips`).
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not an image (size and data must
 *   agree), a box that is not an OrientedBox { cx, cy, width, height, angle } or lies outside the photo, a non-positive size,
 *   options out of range, or a foreground mask whose data does not match its size; E_TOO_SMALL when the box is under 16 photo pixels wide.
 */
export function normaliseFingertip(image: RgbImage | GrayImage, box: OrientedBox, options: Partial<NormaliseOptions> = {}): NormaliseResult {
  if (options === null || typeof options !== 'object') throw invalidArgument('normaliseFingertip: options', 'an options object', options);
  checkImage(image, `normaliseFingertip ${options.name ?? 'photo'}`);
  if (box === null || typeof box !== 'object') throw invalidArgument('normaliseFingertip: box', 'an OrientedBox { cx, cy, width, height, angle } (photo pixels, from locateFingertips)', box);
  const p: NormaliseOptions = { ...NORMALISE_DEFAULTS, ...options };
  const name = p.name ?? 'photo';
  const ms: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (k: string): void => { const t1 = performance.now(); ms[k] = Math.round((t1 - t0) * 10) / 10; t0 = t1; };
  if (!(box.width > 0 && box.height > 0) || ![box.cx, box.cy, box.angle].every(Number.isFinite))
    throw new FingerliftError('E_INVALID_ARGUMENT', `fingertip box ${JSON.stringify(box)} has no finite position or positive size`, { input: name });
  if (box.width < 16) throw new FingerliftError('E_TOO_SMALL', `fingertip box ${box.width.toFixed(1)} px wide: under 16 px`, { input: name });
  if (box.cx < 0 || box.cy < 0 || box.cx >= image.width || box.cy >= image.height)
    throw new FingerliftError('E_INVALID_ARGUMENT', `fingertip box centre (${box.cx.toFixed(0)}, ${box.cy.toFixed(0)}) outside the ${image.width} x ${image.height} photo`, { input: name });
  if (p.ppi !== undefined && !(p.ppi >= PHOTO_PPI_RANGE[0] && p.ppi <= PHOTO_PPI_RANGE[1])) throw new FingerliftError('E_INVALID_ARGUMENT', `ppi ${p.ppi} outside [${PHOTO_PPI_RANGE.join(', ')}]`, { input: name });
  if (!(p.unrollMaxAngle > 0 && p.unrollMaxAngle < Math.PI / 2)) throw new FingerliftError('E_INVALID_ARGUMENT', `unrollMaxAngle ${p.unrollMaxAngle} outside (0, π/2)`, { input: name });
  if (p.periodCorrection !== 'ring' && p.periodCorrection !== 'tiles') throw new FingerliftError('E_INVALID_ARGUMENT', `periodCorrection ${JSON.stringify(p.periodCorrection)}: need 'ring' or 'tiles'`, { input: name });
  if (!(p.correctionPeriod >= 3 && p.correctionPeriod <= 30)) throw new FingerliftError('E_INVALID_ARGUMENT', `correctionPeriod ${p.correctionPeriod} px outside [3, 30]`, { input: name });
  if (p.foreground && (!(p.foreground.scale > 0) || p.foreground.mask.data.length !== p.foreground.mask.width * p.foreground.mask.height))
    throw new FingerliftError('E_INVALID_ARGUMENT', `foreground mask ${p.foreground.mask.width} x ${p.foreground.mask.height} with ${p.foreground.mask.data.length} values at scale ${p.foreground.scale}: need width x height values and a positive scale`, { input: name });
  const notes: string[] = [];

  // 1. Analysis crop: the box's bounding rectangle, area-downsampled by f0 so the expected ridge period is ≤ analysisPeriod.
  const widthPpi = box.width / (p.fingerWidthMm / 25.4);
  const expectedPeriod = (p.targetPeriod * (p.ppi ?? widthPpi)) / 500;
  const f0 = Math.max(1, Math.floor(expectedPeriod / p.analysisPeriod));
  const ux = Math.cos(box.angle), uy = -Math.sin(box.angle); // along the finger, toward the tip
  const vx = -uy, vy = ux; // across, to the right of a finger pointing up
  const halfDiag = Math.hypot(box.width, box.height) / 2;
  const rx0 = Math.max(0, Math.floor(box.cx - halfDiag)), ry0 = Math.max(0, Math.floor(box.cy - halfDiag));
  const rx1 = Math.min(image.width, Math.ceil(box.cx + halfDiag)), ry1 = Math.min(image.height, Math.ceil(box.cy + halfDiag));
  const cw = Math.floor((rx1 - rx0) / f0), ch = Math.floor((ry1 - ry0) / f0);
  if (cw < 16 || ch < 16) throw new FingerliftError('E_TOO_SMALL', `fingertip region ${cw} x ${ch} px after downsampling`, { input: name });
  const channels = cropChannels(image, rx0, ry0, cw, ch, f0);
  lap('crop');

  // 2. Grey conversion with the strongest ridge-band peak, measured in the pad (central square of the box).
  const padSide = (0.6 * box.width) / f0;
  const pcx = (box.cx + ux * box.height * 0.15 - rx0) / f0, pcy = (box.cy + uy * box.height * 0.15 - ry0) / f0;
  const region = { x0: pcx - padSide / 2, y0: pcy - padSide / 2, x1: pcx + padSide / 2, y1: pcy + padSide / 2 };
  const e = expectedPeriod / f0;
  const band = { minPeriod: Math.max(2.5, e / 2.5), maxPeriod: Math.max(6, e * 2.5), region };
  const candidates: GreyChannel[] = p.grey === 'auto' ? (isRgb(image) ? ['luminance', 'red', 'green', 'blue'] : ['luminance']) : [p.grey];
  const snrs: Partial<Record<GreyChannel, number>> = {};
  let chosen: GreyChannel = candidates[0]!;
  let best = { period: NaN, snr: 0 };
  for (const c of candidates) {
    const est = estimateRidgePeriodSpectral({ width: cw, height: ch, data: channels[c] }, { ...band, overlap: candidates.length === 1 });
    snrs[c] = Math.round(est.snr * 100) / 100;
    if (est.snr > best.snr) { best = est; chosen = c; }
  }
  const grey = channels[chosen];
  lap('grey');

  // 3. Resolution.
  let ppi: number;
  let ppiBasis: NormaliseDecisions['ppiBasis'];
  const periodPx = best.period * f0;
  if (p.ppi !== undefined) { ppi = p.ppi; ppiBasis = 'given'; }
  else if (best.snr >= p.minRidgeSnr && Number.isFinite(periodPx)) { ppi = (500 * periodPx) / p.targetPeriod; ppiBasis = 'ridge-period'; }
  else {
    ppi = widthPpi; ppiBasis = 'finger-width';
    notes.push(`no clear ridge period (SNR ${best.snr.toFixed(2)} < ${p.minRidgeSnr}): resolution from a ${p.fingerWidthMm} mm finger width`);
  }
  let scale = 500 / ppi; // output px per photo px
  lap('period');

  // 4. One resampling (crop, rotation upright, unroll, scale): output (x, y) → photo → analysis crop.
  const R = box.width / 2; // cylinder radius, photo px
  const fg = p.foreground;
  const onForeground = (px: number, py: number): boolean => {
    if (!fg) return true;
    const mx = Math.floor(px * fg.scale), my = Math.floor(py * fg.scale);
    return mx >= 0 && my >= 0 && mx < fg.mask.width && my < fg.mask.height && fg.mask.data[my * fg.mask.width + mx] !== 0;
  };
  const cv = getCv();
  const warp = (sc: number) => {
    const halfArc = p.unroll ? R * p.unrollMaxAngle : R;
    const W = Math.max(8, Math.round(2 * halfArc * sc)), H = Math.max(8, Math.round(box.height * sc));
    const toPhoto = (x: number, y: number): [number, number] => {
      const along = (H / 2 - (y + 0.5)) / sc; // toward the tip
      const s = (x + 0.5 - W / 2) / sc;
      const across = p.unroll ? R * Math.sin(Math.max(-p.unrollMaxAngle, Math.min(p.unrollMaxAngle, s / R))) : s;
      return [box.cx + ux * along + vx * across, box.cy + uy * along + vy * across];
    };
    const mapX = new Float32Array(W * H), mapY = new Float32Array(W * H);
    const mask = new Uint8Array(W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const [px, py] = toPhoto(x, y);
        const i = y * W + x;
        mapX[i] = (px - rx0) / f0 - 0.5;
        mapY[i] = (py - ry0) / f0 - 0.5;
        mask[i] = px >= 0 && py >= 0 && px < image.width && py < image.height && onForeground(px, py) ? 1 : 0;
      }
    const print = withMats('normaliseFingertip.remap', (t) => {
      const src = t(new cv.Mat(ch, cw, cv.CV_32F));
      src.data32F.set(grey);
      const mx = t(new cv.Mat(H, W, cv.CV_32F));
      mx.data32F.set(mapX);
      const my = t(new cv.Mat(H, W, cv.CV_32F));
      my.data32F.set(mapY);
      const out = t(new cv.Mat());
      cv.remap(src, out, mx, my, cv.INTER_CUBIC, cv.BORDER_REPLICATE);
      return new Float32Array(out.data32F);
    });
    return { W, H, toPhoto, mask, print };
  };
  let out = warp(scale);
  // The pad's period is measured where the round finger still compresses the ridges a little; once
  // unrolled, the print shows the true spacing: measure it there and correct the scale once.
  if (ppiBasis === 'ridge-period' && p.periodCorrection === 'tiles') {
    // The tile-peak estimator, not pulled short by the noise of photo prints, against the contact prints'
    // period measured the same way (NormaliseOptions.periodCorrection, correctionPeriod).
    const est = estimateRidgePeriodTiles({ width: out.W, height: out.H, data: out.print }, { minPeriod: p.targetPeriod / 2.5, maxPeriod: p.targetPeriod * 2.5, mask: { width: out.W, height: out.H, data: out.mask } });
    if (est.tiles >= 4 && Number.isFinite(est.period)) {
      const k = p.correctionPeriod / est.period;
      if (Math.abs(k - 1) > p.periodTolerance && k > 0.6 && k < 1.6) {
        scale *= k;
        ppi = 500 / scale;
        notes.push(`ridge period ${est.period.toFixed(2)} px in the first unrolled print (median of ${est.tiles} tiles, contact prints ${p.correctionPeriod} px): scale corrected by ${k.toFixed(3)}`);
        out = warp(scale);
      }
    }
  } else if (ppiBasis === 'ridge-period') {
    // Band as wide as the first estimate's (2.5x either side): it also sets the DFT tile to 128 px, whose
    // rings are 1/128 cycle apart, about 7% of the ridge frequency at 9.5 px (a 64 px tile's are 15%,
    // too coarse to correct a scale by a few per cent: measured, its corrected prints came out at 10-10.5 px).
    const est = estimateRidgePeriodSpectral({ width: out.W, height: out.H, data: out.print }, { minPeriod: p.targetPeriod / 2.5, maxPeriod: p.targetPeriod * 2.5 });
    if (est.snr >= p.minRidgeSnr && Number.isFinite(est.period)) {
      const k = p.targetPeriod / est.period;
      if (Math.abs(k - 1) > p.periodTolerance && k > 0.7 && k < 1.4) {
        scale *= k;
        ppi = 500 / scale;
        notes.push(`ridge period ${est.period.toFixed(2)} px in the first unrolled print: scale corrected by ${k.toFixed(3)}`);
        out = warp(scale);
      }
    }
  }
  const { W, H, mask, print } = out;
  // Ridge evidence on the resampled grey print, before flattening rescales its contrast (and before
  // mirroring): the photo's x axis, direction (sin a, -cos a) in the print, carries the JPEG block grid.
  const ridgeEvidence = measureRidgeEvidence({ width: W, height: H, data: print }, { width: W, height: H, data: mask }, { period: p.targetPeriod, gridAngle: Math.atan2(-Math.cos(box.angle), Math.sin(box.angle)) });
  lap('evidence');
  // Mirror to the contact view: an exact left-right flip of the print (and of its mask).
  if (p.mirror) {
    for (let y = 0; y < H; y++) {
      const row = y * W;
      for (let x = 0; x < W >> 1; x++) {
        const a = row + x, b = row + W - 1 - x;
        const t1 = print[a]!; print[a] = print[b]!; print[b] = t1;
        const t2 = mask[a]!; mask[a] = mask[b]!; mask[b] = t2;
      }
    }
  }
  const toPhoto = p.mirror ? (x: number, y: number): [number, number] => out.toPhoto(W - 1 - x, y) : out.toPhoto;
  lap('warp');

  // 5. Polarity on the resampled print (period ≈ target).
  let inverted = false;
  let polEvidence: PolarityResult['evidence'] | undefined;
  const maskObj: Mask = { width: W, height: H, data: mask };
  if (p.polarity === 'auto' || p.polarity === 'skewness') {
    const pol = detectPolarity({ width: W, height: H, data: print }, { mask: maskObj, period: p.targetPeriod, modality: 'photo' });
    // 'auto': the reflectance prior (bright ridges in a photo), the skewness recorded as evidence.
    inverted = p.polarity === 'auto' ? true : pol.invert;
    polEvidence = pol.evidence;
    if (p.polarity === 'auto' && !pol.invert) notes.push(`ridge profile skewness ${pol.evidence.skewness} suggests dark ridges; the photo's reflectance prior (bright ridges) is kept: inverted`);
  } else inverted = p.polarity === 'invert';
  lap('polarity');

  // 6. Flatten shading and contrast (normalised convolution inside the mask), invert if needed, background white.
  const flat = flatten(print, mask, W, H, p.flattenSigmaPeriods * p.targetPeriod, inverted);
  lap('flatten');

  return {
    print: { width: W, height: H, data: flat },
    mask: maskObj,
    ppi: 500,
    decisions: {
      grey: { chosen, how: p.grey === 'auto' ? 'auto' : 'given', ridgeSnr: snrs },
      rotation: Math.PI / 2 - box.angle,
      estimatedPpi: Math.round(ppi),
      ppiBasis,
      ...(Number.isFinite(periodPx) ? { ridgePeriodPx: Math.round(periodPx * 100) / 100, ridgeSnr: Math.round(best.snr * 100) / 100 } : {}),
      scale,
      polarity: { inverted, how: p.polarity === 'auto' || p.polarity === 'skewness' ? 'auto' : 'given', ...(polEvidence ? { evidence: polEvidence } : {}) },
      mirrored: p.mirror,
      unroll: p.unroll ? { applied: true, model: 'cylinder', radiusPx: Math.round(R * 10) / 10, maxAngle: p.unrollMaxAngle } : { applied: false, model: 'cylinder' },
      ridgeEvidence,
      notes,
    },
    toPhoto,
    ms,
  };
}

/** Area-downsampled crop of the photo, one float plane per grey candidate (ITU-R BT.601 luminance, R, G, B). */
function cropChannels(image: RgbImage | GrayImage, x0: number, y0: number, cw: number, ch: number, f: number): Record<GreyChannel, Float32Array> {
  const n = cw * ch;
  const inv = 1 / (f * f);
  const colOf = new Int32Array(cw * f);
  for (let x = 0; x < cw * f; x++) colOf[x] = (x / f) | 0;
  const d = image.data;
  const iw = image.width;
  if (!isRgb(image)) {
    const g = new Float32Array(n);
    for (let y = 0; y < ch * f; y++) {
      const row = (y0 + y) * iw + x0, orow = ((y / f) | 0) * cw;
      for (let x = 0; x < cw * f; x++) g[orow + colOf[x]!]! += d[row + x]!;
    }
    for (let i = 0; i < n; i++) g[i]! *= inv;
    return { luminance: g, red: g, green: g, blue: g };
  }
  const r = new Float32Array(n), gr = new Float32Array(n), b = new Float32Array(n), l = new Float32Array(n);
  for (let y = 0; y < ch * f; y++) {
    let i = ((y0 + y) * iw + x0) * 3;
    const orow = ((y / f) | 0) * cw;
    for (let x = 0; x < cw * f; x++, i += 3) {
      const o = orow + colOf[x]!;
      r[o]! += d[i]!;
      gr[o]! += d[i + 1]!;
      b[o]! += d[i + 2]!;
    }
  }
  for (let i = 0; i < n; i++) {
    r[i]! *= inv; gr[i]! *= inv; b[i]! *= inv;
    l[i] = 0.299 * r[i]! + 0.587 * gr[i]! + 0.114 * b[i]!;
  }
  return { luminance: l, red: r, green: gr, blue: b };
}

/**
 * z = (I - local mean) / local RMS with Gaussian weights of `sigma` restricted to the mask
 * (normalised convolution), mapped to [0, 1] as 0.5 + z / 5 (±2.5 RMS), inverted on request;
 * outside the mask 1 (white, as the background of a contact print).
 */
function flatten(img: Float32Array, mask: Uint8Array, w: number, h: number, sigma: number, invert: boolean): Float32Array {
  const cv = getCv();
  return withMats('normaliseFingertip.flatten', (t) => {
    const k = 2 * Math.ceil(3 * sigma) + 1;
    const size = new cv.Size(k, k);
    const m = t(new cv.Mat(h, w, cv.CV_32F));
    const mf = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) mf[i] = mask[i]!;
    m.data32F.set(mf);
    const im = t(new cv.Mat(h, w, cv.CV_32F));
    const masked = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) masked[i] = img[i]! * mf[i]!;
    im.data32F.set(masked);
    // Wide Gaussians on a 4x smaller grid, then bilinear back: the local mean and RMS fields are smooth.
    const smooth = (src: Mat, dst: Mat): void => {
      if (sigma < 8) { cv.GaussianBlur(src, dst, size, sigma, sigma, cv.BORDER_CONSTANT); return; }
      const small = t(new cv.Mat());
      cv.resize(src, small, new cv.Size(Math.ceil(w / 4), Math.ceil(h / 4)), 0, 0, cv.INTER_AREA);
      const s4 = sigma / 4;
      const k4 = 2 * Math.ceil(3 * s4) + 1;
      cv.GaussianBlur(small, small, new cv.Size(k4, k4), s4, s4, cv.BORDER_CONSTANT);
      cv.resize(small, dst, new cv.Size(w, h), 0, 0, cv.INTER_LINEAR);
    };
    const wsum = t(new cv.Mat());
    smooth(m, wsum);
    const isum = t(new cv.Mat());
    smooth(im, isum);
    const W = new Float32Array(wsum.data32F), S = new Float32Array(isum.data32F);
    const dev = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) {
      const mean = W[i]! > 1e-3 ? S[i]! / W[i]! : 0;
      const d = (img[i]! - mean) * mf[i]!;
      dev[i] = d * d;
      masked[i] = d;
    }
    im.data32F.set(dev);
    smooth(im, isum);
    const V = new Float32Array(isum.data32F);
    const out = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) {
      if (!mask[i]) { out[i] = 1; continue; }
      const rms = Math.sqrt(W[i]! > 1e-3 ? V[i]! / W[i]! : 0) || 1e-6;
      let z = masked[i]! / rms;
      if (invert) z = -z;
      const v = 0.5 + z / 5;
      out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
    return out;
  });
}
