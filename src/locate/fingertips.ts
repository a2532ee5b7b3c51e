/**
 * Fingertip geometry on the hand mask (working resolution): the hand's outer contour, fingertip
 * candidates as local maxima of the contour's distance from the palm centre (the maximum of the
 * distance transform; the classic "farthest contour point" fingertip detector, e.g. Yeo, Lee & Lim
 * 2015), then a finger model checked at each candidate: two roughly parallel sides sampled at arc
 * offsets of a few finger half-widths (k-curvature, Segen & Kumar 1998), from which the finger axis,
 * its width and the distal-phalanx box follow. Fingers pressed together form one blob: there the
 * notches between the fingertips (convexity defects) bound each finger, the fingers share one axis,
 * and the outer fingers take their width from the notch to the outer side.
 */
import { getCv, withMats } from '../cv/index.js';
import type { LocateOptions } from './params.js';

export interface TipCandidate {
  /** Tip point (extreme of the finger along its axis), working pixels. */
  tipX: number;
  tipY: number;
  /** Unit finger axis toward the tip, working pixel coordinates (y down). */
  ux: number;
  uy: number;
  /** Finger width, working pixels. */
  width: number;
  tipAngleDeg: number;
  parallelism: number;
  /** Shape score in [0, 1]. */
  shape: number;
  /** Connected component (hand) the tip belongs to. */
  comp: number;
}

export interface TipSearch {
  tips: TipCandidate[];
  rejected: Array<{ x: number; y: number; reason: string }>;
}

/** Find fingertip candidates in a cleaned hand mask (width x height, 1 = hand). */
export function findFingertips(mask: Uint8Array, w: number, h: number, p: LocateOptions): TipSearch {
  const cv = getCv();
  const tips: TipCandidate[] = [];
  const rejected: TipSearch['rejected'] = [];
  withMats('findFingertips', (t) => {
    const m = t(new cv.Mat(h, w, cv.CV_8UC1));
    m.data.set(mask);
    // Distance to the nearest background pixel or photo edge (a zero frame): the palm centre is then
    // the centre of the largest disc inside the visible hand, not a corner where the hand leaves the photo.
    const padded = t(new cv.Mat());
    cv.copyMakeBorder(m, padded, 1, 1, 1, 1, cv.BORDER_CONSTANT, new cv.Scalar(0));
    const distP = t(new cv.Mat());
    cv.distanceTransform(padded, distP, cv.DIST_L2, 5);
    const dist = t(distP.roi(new cv.Rect(1, 1, w, h)));
    const D = new Float32Array(w * h);
    { const dd = t(dist.clone()); D.set(dd.data32F as Float32Array); }
    // Without the frame (the edge counts as hand): for a hand cut by the photo edge, its maximum lies
    // toward the cut palm. Candidates are taken from both centres.
    const distU = t(new cv.Mat());
    cv.distanceTransform(m, distU, cv.DIST_L2, 5);
    const DU = new Float32Array(distU.data32F as Float32Array);
    const labels = t(new cv.Mat());
    const nLab = cv.connectedComponents(m, labels, 8, cv.CV_32S) as number;
    const L = new Int32Array(labels.data32S);
    // Palm centre of each component: its distance-transform maximum.
    const best = new Float32Array(nLab).fill(-1);
    const bestAt = new Int32Array(nLab);
    const bestU = new Float32Array(nLab).fill(-1);
    const bestAtU = new Int32Array(nLab);
    for (let i = 0; i < w * h; i++) {
      const l = L[i]!;
      if (l > 0 && D[i]! > best[l]!) { best[l] = D[i]!; bestAt[l] = i; }
      if (l > 0 && DU[i]! > bestU[l]!) { bestU[l] = DU[i]!; bestAtU[l] = i; }
    }
    const contours = t(new cv.MatVector());
    const hier = t(new cv.Mat());
    cv.findContours(m, contours, hier, cv.RETR_EXTERNAL, cv.CHAIN_APPROX_NONE);
    const dtAt = (x: number, y: number): number => {
      const xi = Math.round(x), yi = Math.round(y);
      if (xi < 0 || yi < 0 || xi >= w || yi >= h) return 0;
      return D[yi * w + xi]!;
    };
    for (let ci = 0; ci < contours.size(); ci++) {
      const c = contours.get(ci);
      const pts = new Int32Array(c.data32S);
      c.delete();
      const n = pts.length / 2;
      if (n < 20) continue;
      const X = new Float32Array(n), Y = new Float32Array(n);
      for (let i = 0; i < n; i++) { X[i] = pts[2 * i]!; Y[i] = pts[2 * i + 1]!; }
      const lab = L[Y[0]! * w + X[0]!]!;
      if (lab <= 0) continue;
      const centres = [bestAt[lab]!, bestAtU[lab]!].filter((v, k, a) => a.indexOf(v) === k).map((c) => [c % w, (c / w) | 0] as const);
      let cx = centres[0]![0], cy = centres[0]![1];
      const onBorder = (i: number): boolean => X[i]! <= 1 || Y[i]! <= 1 || X[i]! >= w - 2 || Y[i]! >= h - 2;
      // Cumulative arc length (closed contour).
      const arc = new Float64Array(n + 1);
      for (let i = 1; i <= n; i++) arc[i] = arc[i - 1]! + Math.hypot(X[i % n]! - X[i - 1]!, Y[i % n]! - Y[i - 1]!);
      const perim = arc[n]!;
      const at = (i: number, offset: number): number => {
        // Index of the contour point at arc distance `offset` (signed) from point i.
        let target = arc[i]! + offset;
        target = ((target % perim) + perim) % perim;
        let lo = 0, hi = n;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (arc[mid]! < target) lo = mid + 1; else hi = mid; }
        return lo % n;
      };
      // Notches: far points of the convexity defects (Sklansky hull), deeper than a few percent of the
      // component's size. Between fingers pressed together they are the only sign of the split.
      const notches: number[] = [];
      {
        const cm = t(cv.matFromArray(n, 1, cv.CV_32SC2, Array.from(pts)));
        const hull = t(new cv.Mat());
        cv.convexHull(cm, hull, false, false);
        if (hull.rows >= 3) {
          const defects = t(new cv.Mat());
          try {
            cv.convexityDefects(cm, hull, defects);
            const dd = defects.data32S as Int32Array;
            const minDepth = Math.max(2, p.notchDepth * Math.sqrt(Math.max(1, cv.contourArea(cm))));
            for (let k = 0; k + 3 < dd.length; k += 4) if (dd[k + 3]! / 256 >= minDepth) notches.push(dd[k + 2]!);
          } catch {
            /* self-intersecting contour: no notches */
          }
        }
      }
      // Typical distance between neighbouring notches (about one finger width where fingers touch).
      let notchSpacing = Infinity;
      if (notches.length >= 2) {
        const ds: number[] = [];
        for (const a of notches) { let m = Infinity; for (const b of notches) if (a !== b) m = Math.min(m, Math.hypot(X[a]! - X[b]!, Y[a]! - Y[b]!)); ds.push(m); }
        notchSpacing = ds.sort((u, v) => u - v)[ds.length >> 1]!;
      }
      const arcTo = (i: number, j: number): number => {
        // Signed shortest arc from i to j.
        let a = arc[j]! - arc[i]!;
        if (a > perim / 2) a -= perim;
        if (a < -perim / 2) a += perim;
        return a;
      };
      /**
       * A finger bounded by two notches (fingers pressed together on both sides): the apex is the contour
       * point between the notches farthest from the chord joining them; the width is the chord; the axis
       * its normal toward the apex (iterated from the candidate to the apex).
       */
      const mergedFinger = (i0: number, jf: number, jb: number): TipCandidate | undefined => {
        let apex = i0;
        for (let it = 0; it < 3; it++) {
          const sf = jf >= 0 ? jf : at(apex, -arcTo(apex, jb));
          const sb = jb >= 0 ? jb : at(apex, -arcTo(apex, jf));
          const cx0 = (X[sf]! + X[sb]!) / 2, cy0 = (Y[sf]! + Y[sb]!) / 2;
          let nx = -(Y[sf]! - Y[sb]!), ny = X[sf]! - X[sb]!;
          const nl = Math.hypot(nx, ny);
          if (nl < 2) return undefined;
          nx /= nl; ny /= nl;
          if ((X[apex]! - cx0) * nx + (Y[apex]! - cy0) * ny < 0) { nx = -nx; ny = -ny; }
          // Farthest point along the normal on the arc from sb to sf (through apex).
          const a0 = arcTo(apex, sb), a1 = arcTo(apex, sf);
          let bestJ = apex, bestV = -Infinity;
          const steps = Math.max(2, Math.ceil(Math.abs(a1 - a0)));
          for (let k = 0; k <= steps; k++) {
            const j = at(apex, a0 + ((a1 - a0) * k) / steps);
            const v = (X[j]! - cx0) * nx + (Y[j]! - cy0) * ny;
            if (v > bestV) { bestV = v; bestJ = j; }
          }
          const width = nl;
          if (it === 2 || bestJ === apex) {
            if (bestV < 0.3 * width) return undefined; // no protruding tip between the sides
            return { tipX: cx0 + nx * bestV, tipY: cy0 + ny * bestV, ux: nx, uy: ny, width, tipAngleDeg: 0, parallelism: 1, shape: 0.8, comp: -1 };
          }
          apex = bestJ;
        }
        return undefined;
      };
      const pending: Array<{ i: number; notch: number }> = [];
      const tipsBefore = tips.length;
      const d = new Float32Array(n);
      const setCentre = (c: readonly [number, number]): void => {
        cx = c[0]; cy = c[1];
        for (let i = 0; i < n; i++) d[i] = Math.hypot(X[i]! - cx, Y[i]! - cy);
      };
      const win = Math.max(5, Math.round(n * 0.03));
      const evaluate = (i: number, useNotches: boolean): void => {
        if (onBorder(i)) return;
        let isMax = true;
        for (let k = -win; k <= win && isMax; k++) {
          if (k === 0) continue;
          const j = (i + k + n) % n;
          if (d[j]! > d[i]! || (d[j]! === d[i]! && j < i)) isMax = false;
        }
        if (!isMax) return;
        // Finger half-width r: walk inward toward the palm centre until the walk is twice the local half-width.
        let ux = cx - X[i]!, uy = cy - Y[i]!;
        const ul = Math.hypot(ux, uy) || 1;
        ux /= ul; uy /= ul;
        let r = 0;
        for (let s = 1; s < ul; s++) {
          const dt = dtAt(X[i]! + ux * s, Y[i]! + uy * s);
          if (dt > r) r = dt;
          if (s >= 2 * r && s > 3) break;
          if (dt === 0 && s > 3) break;
        }
        if (r < 2) { rejected.push({ x: X[i]!, y: Y[i]!, reason: 'finger narrower than 4 working pixels' }); return; }
        if (r < 0.05 * best[lab]!) { rejected.push({ x: X[i]!, y: Y[i]!, reason: 'contour bump far narrower than the hand' }); return; }
        // Fingers pressed together: notches nearer than the first side offset bound this finger.
        let nf = -1, nb = -1, af = Infinity, ab = Infinity;
        for (const j of notches) {
          const a = arcTo(i, j);
          if (a > 0 && a < af) { af = a; nf = j; }
          if (a < 0 && -a < ab) { ab = -a; nb = j; }
        }
        const lim = Math.min(p.sideOffsets[0]! * r, 2 * notchSpacing);
        if (useNotches && (af < lim) !== (ab < lim) && notches.length >= 2) {
          pending.push({ i, notch: af < lim ? nf : nb });
          return;
        }
        if (useNotches && af < lim && ab < lim) {
          const merged = mergedFinger(i, nf, nb);
          if (merged) {
            if (mask[Math.round(merged.tipY - merged.uy * merged.width * 0.5) * w + Math.round(merged.tipX - merged.ux * merged.width * 0.5)] !== 1) {
              rejected.push({ x: X[i]!, y: Y[i]!, reason: 'finger axis leaves the hand' });
              return;
            }
            tips.push({ ...merged, comp: lab });
            return;
          }
        }
        // A finger of its own: sides at several arc offsets.
        let mx = 0, my = 0, nm = 0;
        const widths: number[] = [];
        for (const a of p.sideOffsets) {
          const jp = at(i, a * r), jm = at(i, -a * r);
          if ((onBorder(jp) || onBorder(jm)) && nm > 0) continue; // a finger wider than the photo keeps its first pair
          mx += (X[jp]! + X[jm]!) / 2; my += (Y[jp]! + Y[jm]!) / 2; nm++;
          const wd = Math.hypot(X[jp]! - X[jm]!, Y[jp]! - Y[jm]!);
          widths.push(wd);
        }
        if (nm === 0) { rejected.push({ x: X[i]!, y: Y[i]!, reason: 'finger sides leave the photo' }); return; }
        const wNear = widths[0]!;
        const wFar = Math.max(...widths);
        mx /= nm; my /= nm;
        let ax = X[i]! - mx, ay = Y[i]! - my;
        const al = Math.hypot(ax, ay);
        if (al < 1) { rejected.push({ x: X[i]!, y: Y[i]!, reason: 'no finger axis' }); return; }
        ax /= al; ay /= al;
        const j3p = at(i, 3 * r), j3m = at(i, -3 * r);
        const v1x = X[j3p]! - X[i]!, v1y = Y[j3p]! - Y[i]!, v2x = X[j3m]! - X[i]!, v2y = Y[j3m]! - Y[i]!;
        const cosA = (v1x * v2x + v1y * v2y) / ((Math.hypot(v1x, v1y) * Math.hypot(v2x, v2y)) || 1);
        const tipAngleDeg = (Math.acos(Math.max(-1, Math.min(1, cosA))) * 180) / Math.PI;
        const parallelism = wFar > 0 ? wNear / wFar : 0;
        // The finger's interior must be foreground between the sides.
        const inside = mask[Math.round(my) * w + Math.round(mx)] === 1;
        if (!inside) { rejected.push({ x: X[i]!, y: Y[i]!, reason: 'finger axis leaves the hand' }); return; }
        if (tipAngleDeg > p.maxTipAngleDeg) { rejected.push({ x: X[i]!, y: Y[i]!, reason: `blunt end (${tipAngleDeg.toFixed(0)} deg)` }); return; }
        if (parallelism < p.minParallelism) { rejected.push({ x: X[i]!, y: Y[i]!, reason: `sides not parallel (${parallelism.toFixed(2)})` }); return; }
        // Tip: the contour point within ±2r of arc farthest along the axis.
        let tb = i, tbv = -Infinity;
        for (let k = -Math.ceil(2 * r); k <= Math.ceil(2 * r); k++) {
          const j = at(i, k);
          const v = X[j]! * ax + Y[j]! * ay;
          if (v > tbv) { tbv = v; tb = j; }
        }
        // Project the tip onto the axis line through the side midpoints.
        const along = (X[tb]! - mx) * ax + (Y[tb]! - my) * ay;
        const shape = Math.max(0, Math.min(1, (1 - tipAngleDeg / 180) * Math.min(1, parallelism / 0.9)));
        tips.push({ tipX: mx + ax * along, tipY: my + ay * along, ux: ax, uy: ay, width: wFar, tipAngleDeg, parallelism, shape, comp: lab });
      };
      for (const c of centres) {
        setCentre(c);
        for (let i = 0; i < n; i++) evaluate(i, true);
      }
      // Outer fingers of a group pressed together: one notch; the axis is the neighbouring finger's
      // (fingers pressed together are parallel), the other side where the cross-section through the
      // notch meets the contour again, the apex the farthest point along the axis between them.
      // Fingers pressed together are parallel: one common axis, the mean of the interior fingers' axes.
      let gx = 0, gy = 0;
      const group: TipCandidate[] = [];
      for (let k = tipsBefore; k < tips.length; k++) if (tips[k]!.tipAngleDeg === 0) { group.push(tips[k]!); gx += tips[k]!.ux; gy += tips[k]!.uy; }
      const gl = Math.hypot(gx, gy);
      if (gl > 0) for (const g of group) { g.ux = gx / gl; g.uy = gy / gl; }
      for (const { i, notch } of pending) {
        let nbr: TipCandidate | undefined, bd = Infinity;
        for (let k = tipsBefore; k < tips.length; k++) {
          const dd = Math.hypot(tips[k]!.tipX - X[i]!, tips[k]!.tipY - Y[i]!);
          if (dd < bd) { bd = dd; nbr = tips[k]; }
        }
        if (!nbr || bd > 3 * nbr.width) { evaluate(i, false); continue; } // not a group: a finger of its own
        const ux = nbr.ux, uy = nbr.uy, vx = -uy, vy = ux;
        const aN = arcTo(i, notch);
        // Apex: the farthest point along the axis on the arc around the candidate (either side).
        let apexJ = i, apexV = -Infinity;
        for (let s2 = -Math.abs(aN); s2 <= Math.abs(aN); s2 += 1) {
          const j = at(i, s2);
          const v = X[j]! * ux + Y[j]! * uy;
          if (v > apexV) { apexV = v; apexJ = j; }
        }
        // Outer side: walk from the apex away from the notch until one neighbour width below the apex.
        const dir = aN > 0 ? -1 : 1;
        let far = -1;
        for (let s2 = 0; s2 < perim / 2; s2 += 1) {
          const j = at(apexJ, dir * s2);
          if (onBorder(j)) break;
          if (X[j]! * ux + Y[j]! * uy <= apexV - nbr.width) { far = j; break; }
        }
        if (far < 0) { rejected.push({ x: X[i]!, y: Y[i]!, reason: 'outer finger side not found' }); continue; }
        const lf = X[far]! * vx + Y[far]! * vy, ln = X[notch]! * vx + Y[notch]! * vy;
        const width = Math.abs(lf - ln);
        if (width < 0.5 * nbr.width || width > 2 * nbr.width) { rejected.push({ x: X[i]!, y: Y[i]!, reason: `outer finger ${width.toFixed(0)} px wide next to ${nbr.width.toFixed(0)}` }); continue; }
        const lat = (lf + ln) / 2;
        tips.push({ tipX: ux * apexV + vx * lat, tipY: uy * apexV + vy * lat, ux, uy, width, tipAngleDeg: 0, parallelism: 1, shape: 0.75, comp: lab });
      }
    }
  });
  // Within one hand, fingers have similar widths: drop candidates over twice the hand's median width
  // (blob corners where fingers pressed together meet the photo edge).
  // Reference width per hand: the median of its fingers pressed together (tipAngleDeg 0), else of all.
  const byComp = new Map<number, number[]>();
  const groupW = new Map<number, number[]>();
  for (const c of tips) {
    (byComp.get(c.comp) ?? byComp.set(c.comp, []).get(c.comp)!).push(c.width);
    if (c.tipAngleDeg === 0) (groupW.get(c.comp) ?? groupW.set(c.comp, []).get(c.comp)!).push(c.width);
  }
  for (let k = tips.length - 1; k >= 0; k--) {
    const ws = groupW.get(tips[k]!.comp) ?? byComp.get(tips[k]!.comp)!;
    if (ws.length < 2 && !groupW.has(tips[k]!.comp)) continue;
    if (ws.length < 3 && !groupW.has(tips[k]!.comp)) continue;
    const med = [...ws].sort((a, b) => a - b)[ws.length >> 1]!;
    if (tips[k]!.width > 2 * med) { rejected.push({ x: tips[k]!.tipX, y: tips[k]!.tipY, reason: 'far wider than the other fingers of the hand' }); tips.splice(k, 1); }
  }
  // Non-maximum suppression: tips closer than half a finger width are one tip.
  tips.sort((a, b) => b.shape - a.shape);
  const kept: TipCandidate[] = [];
  for (const c of tips) {
    if (kept.some((k) => Math.hypot(k.tipX - c.tipX, k.tipY - c.tipY) < 0.6 * Math.max(k.width, c.width))) continue;
    kept.push(c);
  }
  return { tips: kept, rejected };
}

/**
 * Close-up fallback: when the finger fills the photo (its sides leave the frame, so no fingertip
 * contour exists), take the principal axis of the foreground (second-order moments), put the tip at
 * the end of the axis that touches the photo border least, and the width as area / length.
 * Returns undefined when the foreground is under `minFraction` of the photo.
 */
export function closeUpFinger(mask: Uint8Array, w: number, h: number, minFraction: number): TipCandidate | undefined {
  let n = 0, sx = 0, sy = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[y * w + x]) { n++; sx += x; sy += y; }
  if (n < minFraction * w * h) return undefined;
  const mx = sx / n, my = sy / n;
  let c20 = 0, c02 = 0, c11 = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[y * w + x]) { const dx = x - mx, dy = y - my; c20 += dx * dx; c02 += dy * dy; c11 += dx * dy; }
  const th = 0.5 * Math.atan2(2 * c11, c20 - c02);
  let ax = Math.cos(th), ay = Math.sin(th);
  let tmin = Infinity, tmax = -Infinity;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[y * w + x]) { const t = (x - mx) * ax + (y - my) * ay; if (t < tmin) tmin = t; if (t > tmax) tmax = t; }
  const len = tmax - tmin;
  if (!(len > 4)) return undefined;
  // Border contact near each end.
  let bMin = 0, bMax = 0;
  const near = 0.15 * len;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (!mask[y * w + x] || (x > 0 && y > 0 && x < w - 1 && y < h - 1)) continue;
    const t = (x - mx) * ax + (y - my) * ay;
    if (t < tmin + near) bMin++;
    if (t > tmax - near) bMax++;
  }
  let tEnd = tmax;
  if (bMax > bMin) { ax = -ax; ay = -ay; tEnd = -tmin; }
  const width = Math.min(n / len, Math.hypot(w, h));
  return { tipX: mx + ax * tEnd, tipY: my + ay * tEnd, ux: ax, uy: ay, width, tipAngleDeg: 90, parallelism: 1, shape: 0.5, comp: 0 };
}
