/**
 * Locate fingertips in a photo: hand mask → contour → fingertip candidates → distal-phalanx boxes,
 * each scored by shape and ridge texture, with the photo's resolution estimated at the fingertip
 * (from the ridge period when ridges are resolved, else from the finger width) and a usability flag.
 *
 *   const { fingertips } = locateFingertips(photo);      // best first
 *   fingertips[0].box  // OrientedBox in photo pixels, angle toward the tip
 */
import { FingerliftError, invalidArgument } from '../errors.js';
import type { GrayImage, RgbImage } from '../image/types.js';
import { checkImage, isRgb } from '../image/types.js';
import { estimateRidgePeriodSpectral } from '../normalise/period.js';
import { closeUpFinger, findFingertips, type TipCandidate } from './fingertips.js';
import { LOCATE_DEFAULTS, type LocateOptions } from './params.js';
import { segmentHand, splitByLuminance, type Segmentation } from './skin.js';
import { slapFingertips } from './slap.js';
import { cutFingerGaps, onOutline, similarWidths, widthAgreement } from './gaps.js';
import { insideBox, type LocatedFingertip, type LocateResult, type OrientedBox } from './types.js';
import { toWorking } from './working.js';

export type { LocateOptions } from './params.js';
export { LOCATE_DEFAULTS } from './params.js';
export * from './types.js';

/**
 * Widest fingertip (share of the working image's short side) for which the finger-gap cut is tried: the
 * fingers of a whole hand are 5-8% of the short side (hands/f_d, f_p: 19-27 of 360 px); a finger photographed
 * on a table is 20% (fingerphoto-contact: 71 of 360 px), a close-up's half of it or more.
 */
const GAP_MAX_FINGER_SHARE = 0.12;

/**
 * Find the fingertips (distal phalanges) in a photo.
 * @param image RGB photo (or grey, e.g. a lab camera frame), height x width, [0, 1], EXIF orientation applied.
 * @param options overrides of `LOCATE_DEFAULTS`; `name` names the photo in error messages.
 * @returns the hand mask (working resolution), the fingertips best first, diagnostics.
 * @throws FingerliftError E_NO_FINGER when no finger-shaped skin region is found;
 *   E_TOO_SMALL for an image under 32 pixels a side; E_INVALID_ARGUMENT for something that is not an
 *   image (size and data must agree) or bad options.
 */
export function locateFingertips(image: RgbImage | GrayImage, options: Partial<LocateOptions> & { name?: string } = {}): LocateResult {
  if (options === null || typeof options !== 'object') throw invalidArgument('locateFingertips: options', 'an options object', options);
  const name = options.name ?? 'photo';
  checkImage(image, `locateFingertips ${name}`);
  const p: LocateOptions = { ...LOCATE_DEFAULTS, ...options };
  if (!(p.workingSize >= 64 && p.workingSize <= 4096)) throw new FingerliftError('E_INVALID_ARGUMENT', `workingSize ${p.workingSize} outside [64, 4096]`, { input: name });
  if (!(p.minRelativeWidth >= 0 && p.minRelativeWidth < 1)) throw new FingerliftError('E_INVALID_ARGUMENT', `minRelativeWidth ${p.minRelativeWidth}: need a share in [0, 1) (0: off)`, { input: name });
  if (!(p.otsuSkinRetry >= 0 && p.otsuSkinRetry <= 1)) throw new FingerliftError('E_INVALID_ARGUMENT', `otsuSkinRetry ${p.otsuSkinRetry}: need a share of the photo in [0, 1] (0: off)`, { input: name });
  if (!(p.gapMinFingerPx >= 1) || !(p.gapWidthRatio >= 1)) throw new FingerliftError('E_INVALID_ARGUMENT', `gapMinFingerPx ${p.gapMinFingerPx} and gapWidthRatio ${p.gapWidthRatio}: need numbers >= 1`, { input: name });
  if (!(p.splitSkinFraction >= 0)) throw new FingerliftError('E_INVALID_ARGUMENT', `splitSkinFraction ${p.splitSkinFraction} is not a number >= 0`, { input: name });
  if (image.width < 32 || image.height < 32) throw new FingerliftError('E_TOO_SMALL', `${image.width} x ${image.height} px is too small to locate fingers`, { input: name });
  const ms: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (k: string): void => { const t1 = performance.now(); ms[k] = Math.round((t1 - t0) * 10) / 10; t0 = t1; };

  const work = toWorking(image, p.workingSize);
  lap('downsample');
  const seg0 = segmentHand(work, p);
  lap('segment');
  // Fingertips from one segmentation (throws E_NO_FINGER when none is found).
  const run = (seg: Segmentation): LocateResult => {
    let fg = 0;
    for (let i = 0; i < seg.mask.length; i++) fg += seg.mask[i]!;
    const { tips, rejected } = fg > 0 ? findFingertips(seg.mask, work.width, work.height, p) : { tips: [], rejected: [] };
    // Fingers pressed together: in a hand where the contour shows a fingertip of about the width the extent
    // profile finds, and the profile separates at least three, the profile's fingertips replace the
    // contour's candidates of that hand (one such contour tip is enough: pressed together, fingers leave
    // the contour few tips; ridgebase/hands 21022 bg2 LEFT shows one; hands and fingerphoto-casual unchanged).
    if (fg > 0 && p.slapProfile) {
      for (const hand of slapFingertips(seg.mask, work.width, work.height)) {
        const ws = hand.tips.map((t) => t.width).sort((a, b) => a - b);
        const fingerW = ws[ws.length >> 1]!;
        if (tips.filter((t) => t.comp === hand.label && t.width >= 0.5 * fingerW && t.width <= 2 * fingerW).length < 1) continue;
        for (let k = tips.length - 1; k >= 0; k--) if (tips[k]!.comp === hand.label) tips.splice(k, 1);
        for (const t of hand.tips) tips.push({ ...t, comp: hand.label });
        seg.notes.push(`fingers pressed together: ${hand.tips.length} fingertips separated on the hand's extent profile`);
      }
    }
    // Fingers side by side (a whole hand with the fingers held together): fewer than three fingertips on the
    // contour and the profile; the mask is cut along the dark lines where the fingers touch and searched again.
    // Only where the contour shows a fingertip or two, one of them narrow against the frame (a finger of a
    // whole hand standing apart, as the thumb or the little finger usually does; not a finger filling a
    // close-up, nor a photo without any fingertip contour: there the cut would cost 50-150 ms of morphology
    // on every photo for nothing).
    const narrow = tips.some((t) => t.width <= GAP_MAX_FINGER_SHARE * Math.min(work.width, work.height));
    if (fg > 0 && p.fingerGaps && seg.mode === 'colour' && tips.length >= 1 && tips.length < 3 && narrow) {
      const cut = cutFingerGaps(work, seg.mask);
      const found = cut ? similarWidths(onOutline(findFingertips(cut, work.width, work.height, p).tips, seg.mask, work.width, work.height, 0.25), p.gapMinFingerPx, p.gapWidthRatio) : [];
      if (found.length >= 3 && found.length > tips.length) {
        tips.length = 0;
        // One hand: the axis refinement for a lone finger (refineAxis) does not apply to these.
        for (const t of found) tips.push({ ...t, comp: -1 });
        seg.notes.push(`fingers side by side: ${found.length} fingertips separated along the dark lines where the fingers touch`);
      }
    }
    let closeUp = false;
    if (tips.length === 0 && fg > 0) {
      const c = closeUpFinger(seg.mask, work.width, work.height, p.closeUpFraction);
      if (c) { tips.push(c); closeUp = true; seg.notes.push('no fingertip contour: close-up fallback (principal axis of the foreground)'); }
    }
    lap('geometry');

    const s = work.scale;
    const fingertips: LocatedFingertip[] = [];
    let closeUpFrame = false;
    const consider = (c: TipCandidate, closeUp: boolean, frame = false): void => {
      const box = boxFromTip(c, p, s);
      const cover = maskCoverage(seg.mask, work.width, work.height, box, s);
      const tex = ridgeEvidence(image, box, p);
      // The frame taken as a close-up: the skin mask of a finger filling the frame is the least reliable
      // (the finger's own shading and a skin-coloured background split it), so resolved ridges at the pad
      // centre, at a period consistent with a finger as wide as the frame, stand in for skin coverage.
      const frameRatio = tex.period !== undefined ? (500 * tex.period) / p.ridgePeriod500 / tex.widthPpi : NaN;
      const frameRidges = frame && tex.snr >= p.minRidgeSnr && frameRatio >= p.frameRidgeRatio[0] && frameRatio <= p.frameRidgeRatio[1];
      if (frameRidges) closeUpFrame = true;
      if (frame && cover < 0.5 && !frameRidges) { rejected.push({ x: c.tipX, y: c.tipY, reason: `the frame as a close-up: ${tex.snr < p.minRidgeSnr ? `no ridge pattern (spectral SNR ${tex.snr.toFixed(2)})` : `texture period fits a finger ${frameRatio.toFixed(2)} x the frame's width`}` }); return; }
      if (cover < 0.5 && !frameRidges) { rejected.push({ x: c.tipX, y: c.tipY, reason: `box ${Math.round(cover * 100)}% skin` }); return; }
      const ridgeScore = Math.max(0, Math.min(1, (tex.snr - 1) / (2 * p.minRidgeSnr - 1)));
      const score = Math.round(c.shape * Math.max(cover, frameRidges ? 0.5 : 0) * (0.6 + 0.4 * ridgeScore) * 1000) / 1000;
      box.score = score;
      // A spectral peak counts as ridges only at a period consistent with the finger's width (within 2.5x).
      const ratio = tex.period !== undefined ? (500 * tex.period) / p.ridgePeriod500 / tex.widthPpi : NaN;
      const resolved = tex.snr >= p.minRidgeSnr && ratio >= 0.4 && ratio <= (frame ? p.frameRidgeRatio[1] : 2.5);
      // Without a fingertip contour (close-up fallback) the shape proves nothing, and in a grey photo
      // colour gives no evidence: at least a weak ridge-band peak is required.
      if ((closeUp || seg.mode === 'luminance') && tex.snr < p.minGreyRidgeSnr) {
        rejected.push({ x: c.tipX, y: c.tipY, reason: `no ridge pattern (spectral SNR ${tex.snr.toFixed(2)}) where ${closeUp ? 'a close-up finger' : 'a grey-photo finger'} was expected` });
        return;
      }
      const estimatedPpi = resolved ? (500 * tex.period!) / p.ridgePeriod500 : tex.widthPpi;
      let reason: string | undefined;
      if (estimatedPpi < p.minUsablePpi)
        reason = `resolution too low: about ${Math.round(estimatedPpi)} ppi (finger ${Math.round(box.width)} px wide), below ${p.minUsablePpi} ppi`;
      else if (!resolved) reason = `no ridge pattern resolved (ridge spectrum SNR ${tex.snr.toFixed(1)} < ${p.minRidgeSnr}): blurred, dark, or not a fingertip pad`;
      fingertips.push({
        box,
        score,
        estimatedPpi: Math.round(estimatedPpi),
        ppiBasis: resolved ? 'ridge-period' : 'finger-width',
        ...(resolved ? { ridgePeriodPx: Math.round(tex.period! * 100) / 100 } : {}),
        usable: reason === undefined,
        ...(reason ? { reason } : {}),
        evidence: {
          tipAngleDeg: Math.round(c.tipAngleDeg),
          parallelism: Math.round(c.parallelism * 100) / 100,
          ridgeSnr: Math.round(tex.snr * 100) / 100,
          maskCoverage: Math.round(cover * 100) / 100,
        },
      });
    };
    // A finger on its own (the only candidate of its hand component: a close-up or a crop): its axis is
    // refined to the principal axis of the finger behind the tip, which the contour's side pairs only
    // approximate when the finger leaves the frame.
    for (const c of tips) consider(p.refineAxis && tips.filter((o) => o.comp === c.comp).length === 1 ? refineAxis(seg.mask, work.width, work.height, c) : c, closeUp);
    // A tight crop of one finger (the finger fills the frame and leaves it on the side of the hand) has
    // no fingertip contour to speak of, and the foreground's shape is then unreliable: when nothing
    // usable was found in such a close-up, the frame itself is taken as the fingertip, its long side as
    // the finger axis (a fingertip is longer than wide: phalanxAspect). Ridge texture must still be
    // resolved for it to be usable; a ridge pattern fitting a finger that fills the frame
    // (frameRidgeRatio) makes it usable even where the skin mask covers under half of it.
    // The same when the close-up fallback's mask covers most of an elongated frame (closeUpFrameFraction).
    const frameLike = closeUp && fg >= p.closeUpFrameFraction * seg.mask.length && Math.max(work.width, work.height) >= p.minFrameAspect * Math.min(work.width, work.height);
    if ((!fingertips.some((f) => f.usable) || frameLike) && fg >= p.closeUpFraction * seg.mask.length) {
      // Which short side is the tip: the short side the skin mask touches least, unless the mask covers
      // under half of that box (a split mask: its border contact says nothing); then the end whose pad
      // shows the stronger ridge pattern at a period fitting the frame (ties keep the mask's choice).
      // The ridge cue alone is not trusted: on the ridgebase crops, whose masks are sound, it picked the
      // wrong end for 3 of the 4 crops that reach this fallback (ridges stay sharp toward the middle
      // phalanx in those close-ups).
      const ends = [frameFinger(seg.mask, work.width, work.height), frameFinger(seg.mask, work.width, work.height, true)];
      // Only a ridge pattern at a period fitting a finger that fills the frame counts.
      const snrs = ends.map((e) => {
        const tex = ridgeEvidence(image, boxFromTip(e, p, s), p);
        const ratio = tex.period !== undefined ? (500 * tex.period) / p.ridgePeriod500 / tex.widthPpi : NaN;
        return ratio >= p.frameRidgeRatio[0] && ratio <= p.frameRidgeRatio[1] ? tex.snr : 1;
      });
      const maskCover = maskCoverage(seg.mask, work.width, work.height, boxFromTip(ends[0]!, p, s), s);
      // A mask over most of an elongated frame (frameLike) is the unreliable kind too: its border contact is not trusted either.
      const ridgeCue = (maskCover < 0.5 || frameLike) && snrs[1]! !== snrs[0]!;
      const frame = ridgeCue && snrs[1]! > snrs[0]! ? ends[1]! : ends[0]!;
      const hadUsable = fingertips.some((f) => f.usable);
      const before = fingertips.length;
      consider(frame, true, true);
      // Beside a usable fallback box, the frame must earn its place: a ridge pattern fitting a finger that fills it.
      if (hadUsable && fingertips.length > before && !(fingertips[before]!.usable && closeUpFrame)) {
        rejected.push({ x: frame.tipX, y: frame.tipY, reason: 'the frame as a close-up: its ridge pattern does not fit a finger filling it; the skin mask\'s axis is kept' });
        fingertips.splice(before);
      }
      const added = fingertips.length > before ? fingertips[fingertips.length - 1] : undefined;
      if (added && added.box.width === frame.width / s) {
        seg.notes.push(`${hadUsable ? `skin mask over ${Math.round((fg / seg.mask.length) * 100)}% of an elongated frame (its axis unreliable)` : 'no usable fingertip'}: the frame taken as a close-up of one fingertip (long side = finger axis; tip chosen by ${ridgeCue ? 'the stronger ridge pattern' : 'the skin mask\'s border contact'}, ridge SNR at either end ${snrs.map((v) => v.toFixed(2)).join(' / ')}, skin mask ${Math.round(maskCover * 100)}% of the box)`);
        // A usable close-up is the one finger in the photo: the unusable candidates inside it (creases,
        // the contour of a mask split by the finger's shading) are details of that finger, not fingertips.
        if (added.usable && closeUpFrame)
          for (let k = fingertips.length - 2; k >= 0; k--)
            if (insideBox(added.box, fingertips[k]!.box.cx, fingertips[k]!.box.cy)) {
              rejected.push({ x: fingertips[k]!.box.cx * s, y: fingertips[k]!.box.cy * s, reason: 'inside the close-up fingertip' });
              fingertips.splice(k, 1);
            }
      }
    }
    lap('texture');
    // Beside at least three fingertips of similar width, an unusable box several times narrower is no
    // fingertip at this photo's scale (a skin-coloured speck at the photo's edge, a knuckle fold).
    if (p.minRelativeWidth > 0 && fingertips.length > 3) {
      const { median: med, similar } = widthAgreement(fingertips.map((f) => f.box.width), p.gapWidthRatio);
      if (similar >= 3)
        for (let k = fingertips.length - 1; k >= 0; k--) {
          const f = fingertips[k]!;
          if (f.usable || f.box.width >= p.minRelativeWidth * med) continue;
          rejected.push({ x: f.box.cx * s, y: f.box.cy * s, reason: `${Math.round(f.box.width)} px wide beside fingertips of ${Math.round(med)} px: not a fingertip at this scale` });
          fingertips.splice(k, 1);
        }
    }
    fingertips.sort((a, b) => b.score - a.score);
    fingertips.splice(p.maxFingertips);
    fingertips.forEach((f, k) => (f.box.label = `f${k + 1}`));
    if (fingertips.length === 0) {
      const why = fg === 0 ? 'no skin-coloured region' : `${rejected.length} candidate(s) rejected: ${[...new Set(rejected.map((r) => r.reason))].slice(0, 3).join('; ') || 'no fingertip-shaped contour'}`;
      throw new FingerliftError('E_NO_FINGER', `no fingertip found (${why})`, { input: name });
    }
    return {
      handMask: { width: work.width, height: work.height, data: seg.mask },
      fingertips,
      diagnostics: {
        scale: s,
        segmentation: seg.mode,
        ...(seg.skinThreshold !== undefined ? { skinThreshold: seg.skinThreshold } : {}),
        foregroundFraction: fg / seg.mask.length,
        candidates: tips.length,
        rejected: rejected.map((r) => ({ x: r.x / s, y: r.y / s, reason: r.reason })),
        ms,
        notes: seg.notes,
      },
    };
  };
  const clamped = (): LocateResult => {
    try {
      return run(seg0);
    } catch (e) {
      return splitOrThrow(e);
    }
  };
  // A skin-coloured background (a beige sheet, light wood) below the upper clamp of the skin threshold
  // joins the hand: where the photo's own Otsu threshold lies above the clamp, the region at the clamped
  // threshold covers much of the photo and gives fewer than three fingertips, the photo is segmented again
  // at its Otsu threshold; that result is kept when the stricter mask is at least a sixth smaller (a
  // background taken away) and shows at least three fingertips of similar width, more than the first (an
  // in-the-wild photo whose stricter mask shows one blob keeps the first).
  const strictSkin = (before: number): LocateResult | undefined => {
    if (!p.otsuSkinRetry || seg0.mode !== 'colour' || seg0.skinOtsu === undefined || !(seg0.skinOtsu > p.skinChromaticity[1])) return undefined;
    let fg0 = 0;
    for (let i = 0; i < seg0.mask.length; i++) fg0 += seg0.mask[i]!;
    if (fg0 < p.otsuSkinRetry * seg0.mask.length) return undefined;
    const seg1 = segmentHand(work, { ...p, skinChromaticity: [p.skinChromaticity[0], seg0.skinOtsu] });
    // The stricter threshold must take a background away (a sixth of the region at least), not trim the hand's edge.
    let fg1 = 0;
    for (let i = 0; i < seg1.mask.length; i++) fg1 += seg1.mask[i]!;
    if (fg1 > (5 / 6) * fg0) return undefined;
    // What stays must be skin-coloured: a background more chromatic than skin (a brown carpet, (R-B)/(R+G+B)
    // about 0.4) would be what the stricter threshold keeps. Skin measured here: 0.09-0.33 (params.ts).
    if (!(seg1.skinMean !== undefined && seg1.skinMean <= p.maxSkinChromaticity)) return undefined;
    seg1.notes.push(`at the clamped skin threshold ${p.skinChromaticity[1]} the skin-coloured region covered ${Math.round((100 * fg0) / seg0.mask.length)}% of the photo and gave ${before} fingertip(s): segmented again at the photo's own threshold ${seg0.skinOtsu.toFixed(3)} (a skin-coloured background), ${Math.round((100 * fg1) / seg1.mask.length)}%`);
    try {
      const r = run(seg1);
      const { similar } = widthAgreement(r.fingertips.map((f) => f.box.width), p.gapWidthRatio);
      return similar >= 3 && r.fingertips.length > before ? r : undefined;
    } catch (e) {
      if (e instanceof FingerliftError && e.code === 'E_NO_FINGER') return undefined;
      throw e;
    }
  };
  let first: LocateResult;
  try {
    first = clamped();
  } catch (e) {
    const r = e instanceof FingerliftError && e.code === 'E_NO_FINGER' ? strictSkin(0) : undefined;
    if (r) return r;
    throw e;
  }
  return (first.fingertips.length < 3 ? strictSkin(first.fingertips.length) : undefined) ?? first;

  function splitOrThrow(e: unknown): LocateResult {
    // A skin-coloured background (wood, carpet, cardboard) joins the hand in one region covering most of
    // the photo: the region is split by brightness (Otsu's threshold of luminance inside it) and each part
    // tried as the hand; the one whose best fingertip scores highest is kept.
    if (!(e instanceof FingerliftError && e.code === 'E_NO_FINGER') || seg0.mode !== 'colour') throw e;
    let fg0 = 0;
    for (let i = 0; i < seg0.mask.length; i++) fg0 += seg0.mask[i]!;
    if (fg0 < p.splitSkinFraction * seg0.mask.length) throw e;
    let best: LocateResult | undefined;
    for (const part of splitByLuminance(work, seg0, p)) {
      try {
        const r = run(part);
        if (!best || r.fingertips[0]!.score > best.fingertips[0]!.score) best = r;
      } catch (e2) {
        if (!(e2 instanceof FingerliftError && e2.code === 'E_NO_FINGER')) throw e2;
      }
    }
    if (!best) throw e;
    return best;
  }
}

/**
 * The whole frame as one fingertip: axis along the long side, width the short side, the tip at the
 * short side whose border column (or row) holds less foreground (the finger leaves the frame at its base).
 */
function frameFinger(mask: Uint8Array, w: number, h: number, flip = false): TipCandidate {
  const along = w >= h ? 'x' : 'y';
  let a = 0, b = 0; // foreground on the first and last border line across the axis
  if (along === 'x') for (let y = 0; y < h; y++) { a += mask[y * w]!; b += mask[y * w + w - 1]!; }
  else for (let x = 0; x < w; x++) { a += mask[x]!; b += mask[(h - 1) * w + x]!; }
  const toFirst = (a < b) !== flip; // tip toward x = 0 (or y = 0)
  const ux = along === 'x' ? (toFirst ? -1 : 1) : 0, uy = along === 'y' ? (toFirst ? -1 : 1) : 0;
  // The tip: where the foreground ends along the axis (the line beyond which only 0.5% of it lies).
  const len = along === 'x' ? w : h;
  const prof = new Float64Array(len);
  let total = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[y * w + x]) { prof[along === 'x' ? x : y]!++; total++; }
  let k = toFirst ? 0 : len - 1, acc = 0;
  for (; k >= 0 && k < len; k += toFirst ? 1 : -1) { acc += prof[k]!; if (acc > 0.005 * total) break; }
  const tipX = along === 'x' ? k : (w - 1) / 2;
  const tipY = along === 'y' ? k : (h - 1) / 2;
  return { tipX, tipY, ux, uy, width: Math.min(w, h), tipAngleDeg: 90, parallelism: 1, shape: 0.5, comp: 0 };
}

/**
 * Principal axis (second moments) of the foreground within 1.5 finger widths behind the tip, oriented
 * toward the tip; the candidate unchanged when the refined axis turns by more than 45 degrees or too few
 * pixels are found.
 */
function refineAxis(mask: Uint8Array, w: number, h: number, c: TipCandidate): TipCandidate {
  const reach = 1.5 * c.width;
  const x0 = Math.max(0, Math.floor(c.tipX - reach)), x1 = Math.min(w - 1, Math.ceil(c.tipX + reach));
  const y0 = Math.max(0, Math.floor(c.tipY - reach)), y1 = Math.min(h - 1, Math.ceil(c.tipY + reach));
  let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      if (!mask[y * w + x]) continue;
      const dx = x - c.tipX, dy = y - c.tipY;
      const along = -(dx * c.ux + dy * c.uy); // behind the tip
      if (along < 0 || along > reach || Math.abs(dx * -c.uy + dy * c.ux) > c.width) continue;
      n++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
    }
  if (n < 50) return c;
  const mx = sx / n, my = sy / n;
  const cxx = sxx / n - mx * mx, cyy = syy / n - my * my, cxy = sxy / n - mx * my;
  const th = 0.5 * Math.atan2(2 * cxy, cxx - cyy);
  let ux = Math.cos(th), uy = Math.sin(th);
  if (ux * c.ux + uy * c.uy < 0) { ux = -ux; uy = -uy; }
  if (ux * c.ux + uy * c.uy < Math.cos(Math.PI / 4)) return c;
  // The tip: the foreground's farthest extent along the refined axis, on the line through the centroid.
  let tMax = -Infinity;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) if (mask[y * w + x] && Math.abs((x - mx) * -uy + (y - my) * ux) <= c.width / 4) tMax = Math.max(tMax, (x - mx) * ux + (y - my) * uy);
  if (!Number.isFinite(tMax)) return c;
  return { ...c, ux, uy, tipX: mx + ux * tMax, tipY: my + uy * tMax };
}

/** Distal-phalanx box from a tip candidate, in photo pixels. */
function boxFromTip(c: { tipX: number; tipY: number; ux: number; uy: number; width: number }, p: LocateOptions, s: number): OrientedBox {
  const width = c.width / s;
  const height = p.phalanxAspect * width;
  const tipX = c.tipX / s, tipY = c.tipY / s;
  return {
    cx: tipX - (c.ux * height) / 2,
    cy: tipY - (c.uy * height) / 2,
    width,
    height,
    angle: Math.atan2(-c.uy, c.ux),
  };
}

/** Fraction of the box (sampled on a grid) inside the working mask. */
function maskCoverage(mask: Uint8Array, w: number, h: number, box: OrientedBox, s: number): number {
  const ux = Math.cos(box.angle), uy = -Math.sin(box.angle);
  let inside = 0, total = 0;
  for (let a = -0.45; a <= 0.45; a += 0.1)
    for (let b = -0.45; b <= 0.45; b += 0.1) {
      const x = (box.cx + ux * a * box.height - uy * b * box.width) * s;
      const y = (box.cy + uy * a * box.height + ux * b * box.width) * s;
      total++;
      const xi = Math.round(x), yi = Math.round(y);
      if (xi >= 0 && yi >= 0 && xi < w && yi < h && mask[yi * w + xi]) inside++;
    }
  return inside / total;
}

/**
 * Ridge texture in the centre of the box, at the photo's full resolution: the square of side 0.6 x
 * box width around the pad centre (a third of the way from the tip), area-downsampled so the expected
 * ridge period (from the finger width) is about 8 px, then the spectral period estimate.
 */
function ridgeEvidence(image: RgbImage | GrayImage, box: OrientedBox, p: LocateOptions): { snr: number; period?: number; widthPpi: number } {
  const widthPpi = box.width / (p.fingerWidthMm / 25.4);
  const expected = (p.ridgePeriod500 * widthPpi) / 500; // photo pixels
  if (expected < 2.5) return { snr: 1, widthPpi };
  const f = Math.max(1, Math.floor(expected / 8));
  const side = Math.floor((0.6 * box.width) / f) * f;
  const ux = Math.cos(box.angle), uy = -Math.sin(box.angle);
  const pcx = box.cx + ux * box.height * 0.15, pcy = box.cy + uy * box.height * 0.15;
  const x0 = Math.max(0, Math.round(pcx - side / 2)), y0 = Math.max(0, Math.round(pcy - side / 2));
  const x1 = Math.min(image.width, x0 + side), y1 = Math.min(image.height, y0 + side);
  const gw = Math.floor((x1 - x0) / f), gh = Math.floor((y1 - y0) / f);
  if (gw < 32 || gh < 32) return { snr: 1, widthPpi };
  const rgb = isRgb(image);
  const src = image.data;
  const inv = 1 / (f * f);
  const e = expected / f;
  // Luminance and, in colour, each channel: the ridges show best in different channels under different
  // light and skin (normalise chooses the same way); the strongest ridge-band peak is the evidence.
  const weights: Array<[number, number, number]> = rgb ? [[0.299, 0.587, 0.114], [1, 0, 0], [0, 1, 0], [0, 0, 1]] : [[1, 0, 0]];
  let best: { snr: number; period?: number; widthPpi: number } = { snr: 1, widthPpi };
  for (const [wr, wg, wb] of weights) {
    const g = new Float32Array(gw * gh);
    for (let y = 0; y < gh * f; y++) {
      const row = (y0 + y) * image.width;
      const orow = ((y / f) | 0) * gw;
      for (let x = 0; x < gw * f; x++) {
        const i = row + x0 + x;
        const v = rgb ? wr * src[i * 3]! + wg * src[i * 3 + 1]! + wb * src[i * 3 + 2]! : src[i]!;
        g[orow + ((x / f) | 0)]! += v;
      }
    }
    for (let i = 0; i < g.length; i++) g[i]! *= inv;
    const est = estimateRidgePeriodSpectral({ width: gw, height: gh, data: g }, { minPeriod: Math.max(2.5, e / 2.2), maxPeriod: Math.max(e * 2.2, 6) });
    if (Number.isFinite(est.period) && est.snr > best.snr) best = { snr: est.snr, period: est.period * f, widthPpi };
  }
  return best;
}
