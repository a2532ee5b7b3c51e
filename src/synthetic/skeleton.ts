/**
 * Ground-truth minutiae helpers for clean synthetic prints: Zhang-Suen thinning (Zhang & Suen 1984,
 * "A fast parallel algorithm for thinning digital patterns", CACM 27(3)) and the Rutovitz crossing
 * number (Rutovitz 1966; Handbook of Fingerprint Recognition 2009 §3.7.1): on an 8-connected one-pixel
 * skeleton, CN = ½ Σ |P_i − P_{i+1}| over the 8 neighbours in cyclic order; CN 1 is a ridge ending,
 * CN 3 a bifurcation.
 *
 * These are deliberately small and local to src/synthetic: the ground truth must not depend on the
 * extractor it is used to evaluate (src/minutiae).
 *
 * Images: height x width, row-major Uint8Array, 1 = ridge pixel, 0 = background.
 */
import type { Minutia, MinutiaType } from '../minutiae/types.js';
import { wrapAngle } from '../minutiae/types.js';

// Neighbour offsets P2..P9 clockwise from north (Zhang & Suen's numbering).
const NX = [0, 1, 1, 1, 0, -1, -1, -1];
const NY = [-1, -1, 0, 1, 1, 1, 0, -1];

/** Thin a binary image to an 8-connected skeleton one pixel wide (in place copy; input unchanged). */
export function thinZhangSuen(binary: Uint8Array, width: number, height: number): Uint8Array {
  const img = new Uint8Array(binary);
  // The border row/column is cleared so that neighbours always exist.
  for (let x = 0; x < width; x++) img[x] = img[(height - 1) * width + x] = 0;
  for (let y = 0; y < height; y++) img[y * width] = img[y * width + width - 1] = 0;
  const del = new Int32Array(width * height);
  let changed = true;
  while (changed) {
    changed = false;
    for (let pass = 0; pass < 2; pass++) {
      let nDel = 0;
      for (let y = 1; y < height - 1; y++)
        for (let x = 1; x < width - 1; x++) {
          const i = y * width + x;
          if (!img[i]) continue;
          const p2 = img[i - width]!, p3 = img[i - width + 1]!, p4 = img[i + 1]!, p5 = img[i + width + 1]!;
          const p6 = img[i + width]!, p7 = img[i + width - 1]!, p8 = img[i - 1]!, p9 = img[i - width - 1]!;
          const b = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
          if (b < 2 || b > 6) continue;
          const a =
            (+(!p2 && p3) as number) + (+(!p3 && p4) as number) + (+(!p4 && p5) as number) + (+(!p5 && p6) as number) +
            (+(!p6 && p7) as number) + (+(!p7 && p8) as number) + (+(!p8 && p9) as number) + (+(!p9 && p2) as number);
          if (a !== 1) continue;
          if (pass === 0 ? p2 * p4 * p6 === 0 && p4 * p6 * p8 === 0 : p2 * p4 * p8 === 0 && p2 * p6 * p8 === 0) del[nDel++] = i;
        }
      for (let k = 0; k < nDel; k++) img[del[k]!] = 0;
      if (nDel > 0) changed = true;
    }
  }
  // Remove the redundant corner pixels Zhang-Suen leaves on diagonal steps, so that every skeleton
  // pixel with two neighbours has crossing number 2 (a pixel is redundant when deleting it keeps
  // 8-connectivity: one 4-neighbour north/south and one east/west, with the diagonal between them clear).
  for (let y = 1; y < height - 1; y++)
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (!img[i]) continue;
      const n = img[i - width]!, s = img[i + width]!, e = img[i + 1]!, w = img[i - 1]!;
      if ((n && e && !img[i - width - 1] && !s && !w && !img[i + width + 1]) ||
          (n && w && !img[i - width + 1] && !s && !e && !img[i + width - 1]) ||
          (s && e && !img[i + width - 1] && !n && !w && !img[i - width + 1]) ||
          (s && w && !img[i + width + 1] && !n && !e && !img[i - width - 1])) img[i] = 0;
    }
  return img;
}

/** Crossing number of skeleton pixel (x, y) (caller ensures 1 <= x < width-1, 1 <= y < height-1). */
export function crossingNumber(skel: Uint8Array, width: number, x: number, y: number): number {
  let s = 0;
  for (let k = 0; k < 8; k++) {
    const a = skel[(y + NY[k]!) * width + x + NX[k]!]!;
    const b = skel[(y + NY[(k + 1) % 8]!) * width + x + NX[(k + 1) % 8]!]!;
    s += Math.abs(a - b);
  }
  return s / 2;
}

/**
 * Walk along the skeleton from (x, y) through its neighbour (sx, sy) for up to `length` pixels, never
 * revisiting a pixel; returns the last pixel reached.
 */
function trace(skel: Uint8Array, width: number, height: number, x: number, y: number, sx: number, sy: number, length: number): [number, number] {
  let px = x, py = y, cx = sx, cy = sy;
  for (let step = 1; step < length; step++) {
    let nx = -1, ny = -1;
    for (let k = 0; k < 8; k++) {
      const qx = cx + NX[k]!, qy = cy + NY[k]!;
      if (qx < 0 || qy < 0 || qx >= width || qy >= height) continue;
      if ((qx === px && qy === py) || (qx === x && qy === y) || !skel[qy * width + qx]) continue;
      // Prefer 4-neighbours, which keeps the walk on the line rather than cutting corners.
      if (nx < 0 || (k % 2 === 0 && (nx - cx) * (ny - cy) !== 0)) {
        nx = qx;
        ny = qy;
      }
    }
    if (nx < 0) break;
    px = cx; py = cy; cx = nx; cy = ny;
  }
  return [cx, cy];
}

/** Direction θ = atan2(−dy, dx) from (x0, y0) to (x1, y1), as displayed (DESIGN.md). */
function direction(x0: number, y0: number, x1: number, y1: number): number {
  return Math.atan2(-(y1 - y0), x1 - x0);
}

/**
 * Minutiae of a skeleton by crossing number, with ISO/IEC 19794-2 directions (src/minutiae/types.ts):
 * an ending points from its end along the ridge into the ridge body; a bifurcation points from the
 * fork into the opening between its two branches (the bisector of the two branches closest in angle).
 * Quality is 1 (ground truth).
 */
export function skeletonMinutiae(skel: Uint8Array, width: number, height: number, traceLength: number): Minutia[] {
  const out: Minutia[] = [];
  for (let y = 1; y < height - 1; y++)
    for (let x = 1; x < width - 1; x++) {
      if (!skel[y * width + x]) continue;
      const cn = crossingNumber(skel, width, x, y);
      if (cn !== 1 && cn !== 3) continue;
      const starts: Array<[number, number]> = [];
      for (let k = 0; k < 8; k++) {
        const qx = x + NX[k]!, qy = y + NY[k]!;
        if (!skel[qy * width + qx]) continue;
        // Skip a diagonal neighbour that touches an already-listed 4-neighbour (same branch).
        if (k % 2 === 1 && (skel[(y + NY[(k + 7) % 8]!) * width + x + NX[(k + 7) % 8]!] || skel[(y + NY[(k + 1) % 8]!) * width + x + NX[(k + 1) % 8]!])) continue;
        starts.push([qx, qy]);
      }
      const type: MinutiaType = cn === 1 ? 'ending' : 'bifurcation';
      const ends = starts.map(([sx, sy]) => trace(skel, width, height, x, y, sx, sy, traceLength));
      let angle: number;
      if (type === 'ending') {
        if (ends.length !== 1) continue;
        angle = direction(x, y, ends[0]![0], ends[0]![1]);
      } else {
        if (ends.length !== 3) continue;
        // The stem is the branch that points most nearly opposite to the bisector of the other two;
        // the minutia points along that bisector, into the opening between the branches. (Taking the two
        // closest branches as the fork fails when the branches open wider than stem and branch.)
        const dirs = ends.map(([ex, ey]) => direction(x, y, ex, ey));
        let bestDev = Infinity;
        angle = 0;
        for (let s = 0; s < 3; s++) {
          const a1 = dirs[(s + 1) % 3]!, a2 = dirs[(s + 2) % 3]!;
          const bis = Math.atan2(Math.sin(a1) + Math.sin(a2), Math.cos(a1) + Math.cos(a2));
          const dev = Math.abs(Math.atan2(Math.sin(dirs[s]! - bis - Math.PI), Math.cos(dirs[s]! - bis - Math.PI)));
          if (dev < bestDev) { bestDev = dev; angle = bis; }
        }
      }
      out.push({ x, y, angle: wrapAngle(angle), type, quality: 1 });
    }
  return out;
}
