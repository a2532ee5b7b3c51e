/**
 * Minutiae extraction on synthetic binary ridge patterns with known minutiae: thinning, crossing number,
 * direction convention (ISO/IEC 19794-2), each false-minutia rule, and the whole extractor's contract.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FingerliftError } from '../src/errors.js';
import type { EnhanceResult, OrientationField } from '../src/enhance/types.js';
import {
  binarise,
  crossingNumberMinutiae,
  extractMinutiae,
  extractMinutiaeDetailed,
  fillSmallHoles,
  maskBorderDistance,
  refineDirection,
  removeBorderMinutiae,
  removeBridges,
  removeBrokenRidges,
  removeClusters,
  removeHoles,
  removeShortRidges,
  removeSmallIslands,
  removeSpurs,
  thin,
  tracedDirection,
  angleDifference,
  resolveExtractOptions,
  EXTRACT_DEFAULTS,
  type BinaryImage,
  type Minutia,
} from '../src/minutiae/index.js';
import { CROSSING_NUMBER, neighbourCode } from '../src/minutiae/skeleton.js';

const DEG = Math.PI / 180;

function blank(w: number, h: number): BinaryImage {
  return { width: w, height: h, data: new Uint8Array(w * h) };
}

/** Draws a ridge segment of radius r (ridge width 2r + 1, about 5 px as at 500 ppi). */
function ridge(img: BinaryImage, x0: number, y0: number, x1: number, y1: number, r = 2): void {
  const n = Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2) + 1;
  for (let s = 0; s <= n; s++) {
    const cx = x0 + ((x1 - x0) * s) / n;
    const cy = y0 + ((y1 - y0) * s) / n;
    for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++)
      for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++)
        if (x >= 0 && y >= 0 && x < img.width && y < img.height && (x - cx) ** 2 + (y - cy) ** 2 <= r * r + 0.25) img.data[y * img.width + x] = 1;
  }
}

/** Mirror left-right / rotate 90° clockwise as displayed, to check the angle convention in every direction. */
function mirror(img: BinaryImage): BinaryImage {
  const out = blank(img.width, img.height);
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) out.data[y * img.width + (img.width - 1 - x)] = img.data[y * img.width + x]!;
  return out;
}
function rotateCw(img: BinaryImage): BinaryImage {
  const out = blank(img.height, img.width);
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) out.data[x * out.width + (img.height - 1 - y)] = img.data[y * img.width + x]!;
  return out;
}

function components(img: BinaryImage, four = false): number {
  const { width: w, height: h } = img;
  const seen = new Uint8Array(w * h);
  let n = 0;
  for (let s = 0; s < w * h; s++) {
    if (!img.data[s] || seen[s]) continue;
    n++;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w, y = (i / w) | 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, yy = y + dy;
          if (four && dx !== 0 && dy !== 0) continue;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const j = yy * w + xx;
          if (img.data[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
    }
  }
  return n;
}

/** An ending at (40, 20) whose ridge runs to the right, and a bifurcation near (40, 50) opening to the right. */
function endingAndFork(): BinaryImage {
  const img = blank(100, 70);
  ridge(img, 40, 20, 95, 20); // ending: ridge body to the right -> angle 0
  ridge(img, 5, 50, 40, 50); // stem from the left
  ridge(img, 40, 50, 55, 42);
  ridge(img, 55, 42, 95, 42); // upper arm
  ridge(img, 40, 50, 55, 58);
  ridge(img, 55, 58, 95, 58); // lower arm -> bifurcation opens to the right -> angle 0
  return img;
}

function near<T extends { x: number; y: number }>(ms: T[], x: number, y: number, tol: number): T[] {
  return ms.filter((m) => Math.hypot(m.x - x, m.y - y) <= tol);
}

const uniformField = (w: number, h: number, theta: number, coherence = 1): OrientationField => ({
  width: w,
  height: h,
  theta: new Float32Array(w * h).fill(theta),
  coherence: new Float32Array(w * h).fill(coherence),
});

// ---------------------------------------------------------------- thinning

test('thin: one-pixel ridges, connectivity and holes preserved, idempotent', () => {
  const img = endingAndFork();
  ridge(img, 10, 5, 60, 35, 3); // a thick diagonal ridge
  const ring = blank(60, 60);
  for (let a = 0; a < 360; a += 1) ridge(ring, 30 + 18 * Math.cos(a * DEG), 30 + 18 * Math.sin(a * DEG), 30 + 18 * Math.cos((a + 1) * DEG), 30 + 18 * Math.sin((a + 1) * DEG), 3);
  for (const src of [img, ring]) {
    const sk = thin(src);
    assert.is(components(sk), components(src), 'same number of 8-connected ridges');
    const { width: w, height: h, data } = sk;
    for (let y = 0; y + 1 < h; y++)
      for (let x = 0; x + 1 < w; x++) {
        const block = [y * w + x, y * w + x + 1, (y + 1) * w + x, (y + 1) * w + x + 1];
        const s = block.reduce((a, i) => a + data[i]!, 0);
        assert.ok(s < 4, `no filled 2x2 block at (${x}, ${y})`);
        // Three pixels of a 2x2 block only where ridges meet (one of them a junction, CN >= 3).
        if (s === 3)
          assert.ok(
            block.some((i) => data[i] && CROSSING_NUMBER[neighbourCode(sk, i % w, (i / w) | 0)]! >= 3),
            `staircase corner left at (${x}, ${y})`,
          );
      }
    for (let i = 0; i < w * h; i++) if (data[i]) assert.ok(src.data[i], 'skeleton inside the ridge');
    assert.equal(Array.from(thin(sk).data), Array.from(data), 'thinning a skeleton changes nothing');
  }
  // The ring keeps its hole: the background inside it is not connected to the outside.
  const sk = thin(ring);
  assert.is(sk.data[30 * 60 + 30], 0);
  const inv = blank(60, 60);
  for (let i = 0; i < 3600; i++) inv.data[i] = sk.data[i] ? 0 : 1;
  assert.is(components(inv, true), 2, 'ring skeleton still encloses its hole (4-connected background)');
  assert.is(crossingNumberMinutiae(sk).length, 0, 'a closed ring has no minutiae');
});

test('thin rejects data of the wrong length with E_INVALID_ARGUMENT', () => {
  try {
    thin({ width: 10, height: 10, data: new Uint8Array(5) });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, FingerliftError);
    assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
  }
});

// ---------------------------------------------------------------- crossing number and direction

test('crossing number finds the ending and the bifurcation at their positions, with their types', () => {
  const sk = thin(endingAndFork());
  const c = crossingNumberMinutiae(sk);
  const end = near(c, 40, 20, 3);
  assert.is(end.length, 1);
  assert.is(end[0]!.type, 'ending');
  const fork = near(c, 41, 50, 4);
  assert.is(fork.length, 1, JSON.stringify(c));
  assert.is(fork[0]!.type, 'bifurcation');
  // Every other candidate is a ridge end at the image edge.
  for (const m of c) if (!near([m], 40, 20, 3).length && !near([m], 41, 50, 4).length) assert.ok(m.x < 8 || m.x > 92, JSON.stringify(m));
  for (const m of c) assert.is(CROSSING_NUMBER[neighbourCode(sk, m.x, m.y)], m.type === 'ending' ? 1 : 3);
});

test('direction follows ISO/IEC 19794-2: ending into its ridge, bifurcation into the opening, in all four directions', () => {
  let img = endingAndFork();
  // Expected angles of (ending, bifurcation) for: original (0), mirrored (π), then rotations.
  const cases: Array<[BinaryImage, number, string]> = [
    [img, 0, 'body and opening to the right'],
    [mirror(img), Math.PI, 'mirrored: to the left'],
    [rotateCw(img), -Math.PI / 2, 'rotated 90° clockwise: downwards'],
    [rotateCw(rotateCw(rotateCw(img))), Math.PI / 2, 'rotated 90° anticlockwise: upwards'],
  ];
  for (const [src, expected, what] of cases) {
    img = src;
    const sk = thin(src);
    const c = crossingNumberMinutiae(sk);
    const kinds = ['ending', 'bifurcation'] as const;
    for (const type of kinds) {
      // The inner minutia of that type (not at the image edge).
      const m = c.find((q) => q.type === type && q.x > 10 && q.y > 10 && q.x < src.width - 10 && q.y < src.height - 10);
      assert.ok(m, `${type} found (${what})`);
      const a = tracedDirection(sk, m!.x, m!.y, type);
      assert.ok(a !== undefined);
      assert.ok(a! >= 0 && a! < 2 * Math.PI, 'angle in [0, 2π)');
      assert.ok(angleDifference(a!, expected) < 12 * DEG, `${type} ${what}: got ${(a! / DEG).toFixed(1)}°, expected ${(expected / DEG).toFixed(1)}°`);
    }
  }
});

test('refineDirection pulls towards the orientation field only when it agrees with the trace', () => {
  const f = uniformField(10, 10, 10 * DEG, 1);
  const toward = refineDirection(0, f, 5, 5);
  assert.ok(toward > 5 * DEG && toward < 10 * DEG, `refined ${toward / DEG}`);
  // Opposite sense: the field's θ + π is used, the sense of the trace is kept.
  const back = refineDirection(Math.PI, f, 5, 5);
  assert.ok(angleDifference(back, Math.PI + 7 * DEG) < 3 * DEG, `refined ${back / DEG}`);
  // Disagreeing field (60° off) is ignored; coherence 0 leaves the trace.
  assert.is(refineDirection(70 * DEG, f, 5, 5), 70 * DEG);
  assert.ok(Math.abs(refineDirection(0.3, uniformField(10, 10, 0.5, 0), 5, 5) - 0.3) < 1e-9);
});

// ---------------------------------------------------------------- binarisation

test('binarise: dark ridges of a sinusoid become 1 inside the mask, 0 outside', () => {
  const w = 64, h = 48, period = 9;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = 0.5 + 0.4 * Math.cos((2 * Math.PI * y) / period);
  const mask = { width: w, height: h, data: new Uint8Array(w * h) };
  for (let y = 0; y < h; y++) for (let x = 0; x < 40; x++) mask.data[y * w + x] = 1;
  const b = binarise({ width: w, height: h, data }, mask);
  let agree = 0, inside = 0;
  for (let y = 8; y < h - 8; y++)
    for (let x = 8; x < 40; x++) {
      inside++;
      if (b.data[y * w + x] === (data[y * w + x]! < 0.5 ? 1 : 0)) agree++;
    }
  assert.ok(agree / inside > 0.97, `agreement ${agree / inside}`);
  for (let y = 0; y < h; y++) for (let x = 40; x < w; x++) assert.is(b.data[y * w + x], 0);
  try {
    binarise({ width: w, height: h, data }, { width: 3, height: 3, data: new Uint8Array(9) });
    assert.unreachable();
  } catch (e) {
    assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
  }
});

test('small islands are removed and small holes filled; large ones kept', () => {
  const img = blank(80, 40);
  ridge(img, 5, 10, 75, 10); // long ridge
  ridge(img, 20, 30, 21, 30, 1.5); // a dot of about 10 px
  img.data[10 * 80 + 40] = 0; // a pore inside the ridge
  const ring = blank(80, 40);
  const islands = removeSmallIslands(img);
  assert.is(islands.removed, 1);
  assert.is(islands.image.data[30 * 80 + 20], 0);
  assert.is(islands.image.data[10 * 80 + 30], 1);
  const holes = fillSmallHoles(islands.image);
  assert.is(holes.removed, 1);
  assert.is(holes.image.data[10 * 80 + 40], 1);
  // A large enclosed valley (a lake of a real print) is kept.
  for (let a = 0; a < 360; a++) ridge(ring, 40 + 12 * Math.cos(a * DEG), 20 + 12 * Math.sin(a * DEG), 40 + 12 * Math.cos((a + 1) * DEG), 20 + 12 * Math.sin((a + 1) * DEG));
  assert.is(fillSmallHoles(ring).removed, 0);
});

// ---------------------------------------------------------------- false-minutiae rules

function candidates(img: BinaryImage) {
  const sk = thin(img);
  const ms: Minutia[] = crossingNumberMinutiae(sk).map((c) => ({ ...c, angle: tracedDirection(sk, c.x, c.y, c.type) ?? 0, quality: 1 }));
  return { sk, ms };
}

test('removeSpurs removes a short side branch (ending + bifurcation) and keeps a long one', () => {
  const img = blank(120, 60);
  ridge(img, 5, 20, 115, 20);
  ridge(img, 40, 20, 46, 12); // spur about 9 px long
  ridge(img, 5, 45, 115, 45);
  ridge(img, 60, 45, 85, 30); // branch about 29 px long: a real bifurcation and ending
  const { sk, ms } = candidates(img);
  const r = removeSpurs(ms, sk);
  assert.is(r.removed, 2);
  assert.is(near(r.kept, 42, 18, 6).length, 0, 'spur gone');
  assert.ok(near(r.kept, 63, 44, 8).some((m) => m.type === 'bifurcation'), 'real bifurcation kept');
  assert.ok(near(r.kept, 85, 30, 4).some((m) => m.type === 'ending'), 'real ending kept');
});

test('removeShortRidges removes a short fragment and keeps a long ridge', () => {
  const img = blank(120, 40);
  ridge(img, 30, 10, 42, 10); // 12 px fragment
  ridge(img, 20, 30, 100, 30); // 80 px ridge
  const { sk, ms } = candidates(img);
  const r = removeShortRidges(ms, sk);
  assert.is(r.removed, 2);
  assert.is(r.kept.length, 2);
  assert.ok(r.kept.every((m) => m.y > 25));
});

/**
 * A ridge along y = 20 that splits at x0 and joins again at x1 around a lake: the two sides run at
 * y = 20 -+ half, with 6 px slopes at each end. Image width x 40.
 */
function lakeImage(width: number, x0: number, x1: number, half: number) {
  const im = blank(width, 40);
  ridge(im, 5, 20, x0, 20);
  for (const side of [-half, half]) {
    ridge(im, x0, 20, x0 + 6, 20 + side);
    ridge(im, x0 + 6, 20 + side, x1 - 6, 20 + side);
    ridge(im, x1 - 6, 20 + side, x1, 20);
  }
  ridge(im, x1, 20, width - 5, 20);
  return im;
}

test('removeHoles removes the two bifurcations of a small lake; removeBridges a bridge across the flow', () => {
  const a = candidates(lakeImage(120, 50, 70, 5));
  const forks = a.ms.filter((m) => m.type === 'bifurcation').length;
  assert.is(forks, 2);
  const r = removeHoles(a.ms, a.sk);
  assert.is(r.removed, 2);
  assert.ok(r.kept.every((m) => m.type === 'ending'));
  assert.is(removeHoles(a.ms, a.sk, { maxHoleLength: 0 }).removed, 0, '0 disables the rule');
  // A long enclosure (sides of about 60 px) is a real lake: kept.
  const c = candidates(lakeImage(160, 40, 110, 7));
  assert.is(c.ms.filter((m) => m.type === 'bifurcation').length, 2);
  assert.is(removeHoles(c.ms, c.sk).removed, 0);

  const bridge = blank(120, 50);
  ridge(bridge, 5, 15, 115, 15);
  ridge(bridge, 5, 27, 115, 27);
  ridge(bridge, 60, 15, 60, 27); // bridge across two parallel horizontal ridges
  const b = candidates(bridge);
  assert.is(b.ms.filter((m) => m.type === 'bifurcation').length, 2);
  assert.is(removeBridges(b.ms, b.sk, uniformField(120, 50, 0)).removed, 2, 'across the flow: removed');
  assert.is(removeBridges(b.ms, b.sk, uniformField(120, 50, Math.PI / 2)).removed, 0, 'along the flow: kept');
});

test('removeBrokenRidges joins endings facing each other across a small gap only', () => {
  const img = blank(160, 60);
  ridge(img, 5, 15, 60, 15);
  ridge(img, 68, 15, 155, 15); // 8 px gap, collinear: broken ridge
  ridge(img, 5, 45, 50, 45);
  ridge(img, 100, 45, 155, 45); // 50 px gap: two real endings
  const { ms } = candidates(img);
  const inner = ms.filter((m) => m.x > 10 && m.x < 150);
  assert.is(inner.length, 4);
  const r = removeBrokenRidges(inner);
  assert.is(r.removed, 2);
  assert.ok(r.kept.every((m) => m.y > 40));
  // Two endings side by side on parallel ridges (same direction) are not a broken ridge.
  const side: Minutia[] = [
    { x: 50, y: 10, angle: 0, type: 'ending', quality: 1 },
    { x: 50, y: 19, angle: 0, type: 'ending', quality: 1 },
  ];
  assert.is(removeBrokenRidges(side).removed, 0);
});

test('removeClusters removes a dense cloud and keeps spread minutiae', () => {
  const ms: Minutia[] = [];
  for (let i = 0; i < 6; i++) ms.push({ x: 100 + 3 * i, y: 100 + (i % 2) * 4, angle: 0, type: 'ending', quality: 1 });
  for (let i = 0; i < 6; i++) ms.push({ x: 20 + 40 * i, y: 20, angle: 0, type: 'ending', quality: 1 });
  const r = removeClusters(ms);
  assert.is(r.removed, 6);
  assert.ok(r.kept.every((m) => m.y === 20));
});

test('removeBorderMinutiae uses the distance to the mask border (image edge counts as border)', () => {
  const w = 100, h = 80;
  const mask = { width: w, height: h, data: new Uint8Array(w * h) };
  for (let y = 0; y < h; y++) for (let x = 0; x < 70; x++) mask.data[y * w + x] = 1;
  const d = maskBorderDistance(mask);
  assert.ok(Math.abs(d[40 * w + 50]! - 20) < 1.5, `distance ${d[40 * w + 50]}`);
  assert.ok(Math.abs(d[40 * w + 35]! - 35) < 1.5);
  assert.is(d[40 * w + 80], 0);
  assert.ok(d[0]! <= 1.5, 'image corner is at the border');
  const ms: Minutia[] = [
    { x: 35, y: 40, angle: 0, type: 'ending', quality: 1 },
    { x: 62, y: 40, angle: 0, type: 'ending', quality: 1 },
    { x: 35, y: 3, angle: 0, type: 'bifurcation', quality: 1 },
  ];
  const r = removeBorderMinutiae(ms, d, w, { minDistance: 10 });
  assert.is(r.removed, 2);
  assert.is(r.kept[0]!.x, 35);
  assert.is(r.kept[0]!.y, 40);
});

// ---------------------------------------------------------------- the whole extractor

/** An EnhanceResult made from a drawn binary pattern: ridges 0.1, valleys 0.9, all maps consistent. */
function enhancedFrom(img: BinaryImage, theta = 0): EnhanceResult {
  const { width: w, height: h } = img;
  const data = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) data[i] = img.data[i] ? 0.1 : 0.9;
  const mask = { width: w, height: h, data: new Uint8Array(w * h).fill(1) };
  const bs = 16, rows = Math.ceil(h / bs), cols = Math.ceil(w / bs);
  return {
    enhanced: { width: w, height: h, data },
    normalised: { width: w, height: h, data: new Float32Array(data) },
    mask,
    orientation: uniformField(w, h, theta, 0.9),
    frequency: { blockSize: bs, rows, cols, data: new Float32Array(rows * cols).fill(1 / 9) },
    quality: { blockSize: bs, rows, cols, data: new Float32Array(rows * cols).fill(0.8) },
    ppi: 500,
    scale: 1,
    notes: [],
  };
}

/** Horizontal ridges every 10 px with one ending and one bifurcation well inside. */
function syntheticPrint(): BinaryImage {
  const img = blank(200, 160);
  for (let y = 10; y < 160; y += 10) {
    if (y === 70) ridge(img, 100, y, 199, y); // ending at (100, 70), ridge body to the right
    else if (y === 100) {
      ridge(img, 0, y, 199, y);
      ridge(img, 80, y, 95, 105);
      ridge(img, 95, 105, 199, 105); // branch
    } else ridge(img, 0, y, 199, y, 1.5);
  }
  return img;
}

test('extractMinutiae: template shape, known minutiae, quality in [0, 1], deterministic', () => {
  const e = enhancedFrom(syntheticPrint());
  const r = extractMinutiaeDetailed(e);
  const t = r.template;
  assert.is(t.width, 200);
  assert.is(t.height, 160);
  assert.is(t.ppi, 500);
  const end = near(t.minutiae, 100, 70, 4);
  assert.is(end.length, 1, JSON.stringify(t.minutiae));
  assert.is(end[0]!.type, 'ending');
  assert.ok(angleDifference(end[0]!.angle, 0) < 10 * DEG);
  for (const m of t.minutiae) {
    assert.ok(m.quality >= 0 && m.quality <= 1);
    assert.ok(m.angle >= 0 && m.angle < 2 * Math.PI);
  }
  assert.ok(r.diagnostics.removed.border > 0, 'ridge ends at the image edge removed as border minutiae');
  assert.is(r.diagnostics.kept, t.minutiae.length);
  assert.equal(extractMinutiae(e), t, 'same input, same template');
});

test('extractMinutiae rejects inconsistent maps and survives tiny and empty inputs', () => {
  const e = enhancedFrom(syntheticPrint());
  const bad = { ...e, mask: { width: 10, height: 10, data: new Uint8Array(100) } };
  try {
    extractMinutiae(bad);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, FingerliftError);
    assert.is((err as FingerliftError).code, 'E_INVALID_ARGUMENT');
    assert.match((err as Error).message, /mask is 10x10/);
  }
  const tiny = blank(8, 8);
  ridge(tiny, 0, 4, 7, 4, 1);
  assert.is(extractMinutiae(enhancedFrom(tiny)).minutiae.length, 0);
  const empty = enhancedFrom(blank(64, 64));
  empty.mask.data.fill(0);
  assert.equal(extractMinutiae(empty).minutiae, []);
  for (const opt of [{ minQuality: 2 }, { maxMinutiae: -1 }, { border: { minDistance: Number.NaN } }, { gaps: { maxGap: -3 } }])
    try {
      extractMinutiae(e, opt);
      assert.unreachable();
    } catch (err) {
      assert.is((err as FingerliftError).code, 'E_INVALID_ARGUMENT');
    }
});

test('resolveExtractOptions fills every stage default and keeps the caller\'s values', () => {
  const r = resolveExtractOptions({ border: { minDistance: 3 }, maxMinutiae: 40 });
  assert.is(r.border.minDistance, 3);
  assert.is(r.maxMinutiae, 40);
  assert.equal(r.binarise, EXTRACT_DEFAULTS.binarise);
  assert.equal(r.structure, EXTRACT_DEFAULTS.structure);
  // Extracting with the resolved options gives the same template as with the partial ones.
  const e = enhancedFrom(syntheticPrint());
  assert.equal(extractMinutiae(e, r), extractMinutiae(e, { border: { minDistance: 3 }, maxMinutiae: 40 }));
});

test.run();
