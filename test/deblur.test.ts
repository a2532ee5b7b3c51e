import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getCv, withMats } from '../src/cv/index.js';
import { FingerliftError } from '../src/errors.js';
import type { GrayImage } from '../src/image/types.js';
import {
  deblur,
  applyPsf,
  formatPsf,
  parsePsf,
  psfKernel,
  psfOtf,
  richardsonLucy,
  scalePsf,
  ridgeBandClarity,
  wienerDeconvolve,
  type PsfSpec,
} from '../src/enhance/deblur/index.js';
import { ccsBins } from '../src/enhance/deblur/spectrum.js';

const DEG = Math.PI / 180;

const blur = (image: GrayImage, psf: PsfSpec): GrayImage => applyPsf(image, psf); // spatial, mirrored border: independent of the DFT path

/** Oblique sinusoidal grating, wavelength 8 px (a 500 ppi ridge period), amplitude 0.4 around 0.5. */
function grating(w = 256, h = 256): GrayImage {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = 0.5 + 0.4 * Math.cos((2 * Math.PI * (x * 0.8 + y * 0.6)) / 8);
  return { width: w, height: h, data };
}

/** Amplitude of the grating away from the border (sqrt(2) x RMS about 0.5). */
function amplitude(im: GrayImage, margin = 32): number {
  let s = 0;
  let n = 0;
  for (let y = margin; y < im.height - margin; y++)
    for (let x = margin; x < im.width - margin; x++) {
      const v = im.data[y * im.width + x]! - 0.5;
      s += v * v;
      n++;
    }
  return Math.sqrt((2 * s) / n);
}

function moments(psf: PsfSpec): { sum: number; mxx: number; myy: number; mxy: number; size: number; k: Float32Array } {
  const { size, data } = psfKernel(psf);
  const c = size >> 1;
  let sum = 0;
  let mxx = 0;
  let myy = 0;
  let mxy = 0;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const v = data[y * size + x]!;
      sum += v;
      mxx += v * (x - c) ** 2;
      myy += v * (y - c) ** 2;
      mxy += v * (x - c) * (y - c);
    }
  return { sum, mxx, myy, mxy, size, k: data };
}

test('PSF kernels are odd-sized, non-negative and sum to 1', () => {
  const specs: PsfSpec[] = [
    { kind: 'gaussian', sigma: 0 },
    { kind: 'gaussian', sigma: 1.5 },
    { kind: 'gaussian', sigma: 2.5 },
    { kind: 'disk', radius: 3 },
    { kind: 'disk', radius: 0.3 },
    { kind: 'motion', length: 7, angle: 0 },
    { kind: 'motion', length: 11, angle: 45 * DEG },
    { kind: 'motion', length: 8, angle: 100 * DEG },
  ];
  for (const s of specs) {
    const m = moments(s);
    assert.is(m.size % 2, 1, formatPsf(s));
    assert.ok(Math.abs(m.sum - 1) < 1e-5, `${formatPsf(s)} sums to ${m.sum}`);
    assert.ok(m.k.every((v) => v >= 0), formatPsf(s));
  }
});

test('Gaussian and disk kernels have the right spread; motion kernels the right direction and length', () => {
  const g = moments({ kind: 'gaussian', sigma: 2 });
  assert.ok(Math.abs(g.mxx - 4) < 0.02 && Math.abs(g.myy - 4) < 0.02 && Math.abs(g.mxy) < 1e-5, `gaussian var ${g.mxx}`);
  // Uniform disk of radius R: E[x^2] = R^2 / 4 (plus 1/12 for the pixel's own extent).
  const d = moments({ kind: 'disk', radius: 4 });
  assert.ok(Math.abs(d.mxx - (16 / 4 + 1 / 12)) < 0.1, `disk E[x^2] ${d.mxx}`);
  // Horizontal motion of 7 px: all mass in the centre row, variance of a 7-px box ((7^2 - 1) / 12 = 4).
  const h = moments({ kind: 'motion', length: 7, angle: 0 });
  assert.ok(h.myy < 1e-9 && Math.abs(h.mxx - 4) < 1e-4, `motion 0: ${h.mxx}, ${h.myy}`);
  // Vertical motion: all mass in the centre column.
  const v = moments({ kind: 'motion', length: 7, angle: 90 * DEG });
  assert.ok(v.mxx < 1e-9 && Math.abs(v.myy - 4) < 1e-4, `motion 90: ${v.mxx}, ${v.myy}`);
  // 45 degrees counter-clockwise as displayed (y down): from bottom-left to top-right, so x and y
  // are anti-correlated in pixel coordinates, and the top-right corner has mass, the top-left none.
  const o = moments({ kind: 'motion', length: 11, angle: 45 * DEG });
  assert.ok(o.mxy < -3, `motion 45 covariance ${o.mxy}`);
  const c = o.size >> 1;
  assert.ok(o.k[(c - 3) * o.size + c + 3]! > 0.05 && o.k[(c - 3) * o.size + c - 3]! === 0);
  // Along-line variance = (L^2 - 1)/12 roughly, across nearly 0.
  const along = (o.mxx + o.myy) / 2 - o.mxy;
  assert.ok(Math.abs(along - (11 * 11 - 1) / 12) < 1.2, `motion 45 along-variance ${along}`);
});

test('OTF: H(0) = 1, Gaussian matches exp(-2 pi^2 sigma^2 f^2)', () => {
  const otf = psfOtf({ kind: 'gaussian', sigma: 1.5 }, 64, 48);
  assert.ok(Math.abs(otf.data[0]! - 1) < 1e-5);
  for (const [u, v] of [[4, 0], [0, 6], [5, 5], [60, 3]] as const) {
    const fx = (u > 32 ? u - 64 : u) / 64;
    const fy = v / 48;
    const expect = Math.exp(-2 * Math.PI ** 2 * 2.25 * (fx * fx + fy * fy));
    assert.ok(Math.abs(otf.data[v * 64 + u]! - expect) < 2e-3, `H(${u},${v}) = ${otf.data[v * 64 + u]} vs ${expect}`);
  }
  // Motion 9 px horizontal: the first zero of its sinc is at fx = 1/9.
  const m = psfOtf({ kind: 'motion', length: 9, angle: 0 }, 72, 72);
  assert.ok(Math.abs(m.data[8]!) < 1e-5, `H(1/9, 0) = ${m.data[8]}`);
  assert.ok(Math.abs(m.data[8 * 72]! - 1) < 1e-5, 'no attenuation across the motion');
});

test('CCS bin tables match OpenCV complex DFT output', () => {
  const cv = getCv();
  const W = 12;
  const H = 10;
  const a = new Float32Array(W * H).map((_, i) => Math.sin(i * 1.7) + (i % 7) / 3);
  withMats('ccs test', (t) => {
    const m = t(new cv.Mat(H, W, cv.CV_32F));
    m.data32F.set(a);
    const full = t(new cv.Mat());
    cv.dft(m, full, cv.DFT_COMPLEX_OUTPUT);
    const packed = t(new cv.Mat());
    cv.dft(m, packed, 0);
    const c = full.data32F as Float32Array;
    const p = packed.data32F as Float32Array;
    const b = ccsBins(W, H);
    let weights = 0;
    for (let k = 0; k < b.re.length; k++) {
      const f = b.full[k]!;
      assert.ok(Math.abs(p[b.re[k]!]! - c[2 * f]!) < 1e-4);
      assert.ok(Math.abs((b.im[k]! >= 0 ? p[b.im[k]!]! : 0) - c[2 * f + 1]!) < 1e-4);
      weights += b.weight[k]!;
    }
    assert.is(weights, W * H);
  });
});

test('parsePsf / formatPsf round trip and reject bad text with E_INVALID_ARGUMENT', () => {
  for (const t of ['gaussian:1.5', 'disk:3', 'motion:7:45', 'motion:11:0', 'auto']) assert.is(formatPsf(parsePsf(t)), t);
  const m = parsePsf('motion:7:225') as PsfSpec & { kind: 'motion' };
  assert.ok(Math.abs(m.angle - 45 * DEG) < 1e-9, 'a segment and its reverse are the same blur');
  assert.equal(parsePsf(' Gaussian:2 '), { kind: 'gaussian', sigma: 2 });
  for (const bad of ['gaussian:-1', 'gaussian:abc', 'gaussian:', 'motion:7', 'motion:0:10', 'disk:1:2', 'box:3', '', 'gaussian:1e9']) {
    try {
      parsePsf(bad);
      assert.unreachable(bad);
    } catch (e) {
      assert.instance(e, FingerliftError, bad);
      assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
      assert.match((e as Error).message, '--psf');
    }
  }
});

test('scalePsf follows a resampling of the image', () => {
  assert.equal(scalePsf({ kind: 'gaussian', sigma: 3 }, 0.5), { kind: 'gaussian', sigma: 1.5 });
  assert.equal(scalePsf({ kind: 'disk', radius: 4 }, 0.25), { kind: 'disk', radius: 1 });
  assert.equal(scalePsf({ kind: 'motion', length: 20, angle: 1 }, 0.5), { kind: 'motion', length: 10, angle: 1 });
  try {
    scalePsf({ kind: 'disk', radius: 4 }, 0);
    assert.unreachable();
  } catch (e) {
    assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
  }
});

test('Wiener with the true PSF restores most of a blurred grating\'s contrast', () => {
  const g = grating();
  const a0 = amplitude(g);
  for (const psf of [
    { kind: 'gaussian', sigma: 2 },
    { kind: 'motion', length: 6, angle: 150 * DEG }, // across the grating's waves: keeps about a third
    { kind: 'disk', radius: 3 },
  ] as PsfSpec[]) {
    const b = blur(g, psf);
    const ab = amplitude(b);
    assert.ok(ab < 0.6 * a0, `${formatPsf(psf)} blur keeps ${ab / a0} of the contrast`);
    const r = wienerDeconvolve(b, psf, { nsr: 1e-3 });
    assert.ok(amplitude(r.image) > 0.9 * a0, `${formatPsf(psf)}: Wiener restores ${amplitude(r.image) / a0}`);
    const auto = wienerDeconvolve(b, psf);
    assert.ok(amplitude(auto.image) > 0.9 * a0 && auto.nsr > 0, `${formatPsf(psf)}: Wiener (GCV nsr ${auto.nsr}) restores ${amplitude(auto.image) / a0}`);
  }
});

test('Richardson-Lucy with the true PSF restores most of the contrast; TV variant too', () => {
  const g = grating(192, 192);
  const a0 = amplitude(g);
  const psf: PsfSpec = { kind: 'gaussian', sigma: 2 };
  const b = blur(g, psf);
  const r = richardsonLucy(b, psf, { iterations: 30 });
  assert.ok(amplitude(r.image) > 0.85 * a0, `RL restores ${amplitude(r.image) / a0} (blurred ${amplitude(b) / a0})`);
  const tv = richardsonLucy(b, psf, { iterations: 30, tv: 2e-3 });
  assert.ok(amplitude(tv.image) > 0.8 * a0, `RL-TV restores ${amplitude(tv.image) / a0}`);
  const few = richardsonLucy(b, psf, { iterations: 3 });
  assert.ok(amplitude(few.image) < amplitude(r.image), 'more iterations restore more');
});

test('ridge clarity: blur lowers the ridge-band amplitude, deblurring raises it back', () => {
  const g = grating();
  const psf: PsfSpec = { kind: 'gaussian', sigma: 2 };
  const b = blur(g, psf);
  const c0 = ridgeBandClarity(g);
  const cb = ridgeBandClarity(b);
  const cd = ridgeBandClarity(deblur(b, { psf }).image);
  assert.ok(Math.abs(c0.bandRms - 0.4 / Math.SQRT2) < 0.01, `grating band RMS ${c0.bandRms}`);
  assert.ok(cb.bandRms < 0.5 * c0.bandRms && cd.bandRms > 0.9 * c0.bandRms, `${c0.bandRms} ${cb.bandRms} ${cd.bandRms}`);
  assert.ok(c0.coherence > 0.95, `grating coherence ${c0.coherence}`);
});

test('deblur is deterministic and honours a given PSF', () => {
  const b = blur(grating(128, 128), { kind: 'motion', length: 7, angle: 20 * DEG });
  const psf: PsfSpec = { kind: 'motion', length: 7, angle: 20 * DEG };
  const r1 = deblur(b, { psf });
  const r2 = deblur(b, { psf });
  assert.equal(r1.psf, psf);
  assert.is(r1.evidence.psfSource, 'given');
  assert.is(r1.evidence.psfText, 'motion:7:20');
  assert.ok(Buffer.from(r1.image.data.buffer).equals(Buffer.from(r2.image.data.buffer)));
  const l1 = deblur(b, { psf, method: 'richardson-lucy', iterations: 5 });
  const l2 = deblur(b, { psf, method: 'richardson-lucy', iterations: 5 });
  assert.ok(Buffer.from(l1.image.data.buffer).equals(Buffer.from(l2.image.data.buffer)));
  assert.ok(r1.image.data.every((v) => v >= 0 && v <= 1));
});

test('bad input gives FingerliftError with a code naming the problem', () => {
  const g = grating(64, 64);
  const expectCode = (f: () => unknown, code: string, re: RegExp): void => {
    try {
      f();
      assert.unreachable();
    } catch (e) {
      assert.instance(e, FingerliftError);
      assert.is((e as FingerliftError).code, code);
      assert.match((e as Error).message, re);
    }
  };
  expectCode(() => deblur(g, { psf: { kind: 'gaussian', sigma: -1 } }), 'E_INVALID_ARGUMENT', /sigma/);
  expectCode(() => deblur(g, { psf: { kind: 'gaussian', sigma: 1 }, method: 'magic' as 'wiener' }), 'E_INVALID_ARGUMENT', /method/);
  expectCode(() => wienerDeconvolve(g, { kind: 'disk', radius: 2 }, { nsr: -1 }), 'E_INVALID_ARGUMENT', /nsr/);
  expectCode(() => richardsonLucy(g, { kind: 'disk', radius: 2 }, { iterations: 0 }), 'E_INVALID_ARGUMENT', /iterations/);
  expectCode(() => wienerDeconvolve({ width: 4, height: 4, data: new Float32Array(16) }, { kind: 'disk', radius: 1 }), 'E_TOO_SMALL', /4 x 4/);
  expectCode(() => wienerDeconvolve({ width: 10, height: 10, data: new Float32Array(5) }, { kind: 'disk', radius: 1 }), 'E_INVALID_ARGUMENT', /GrayImage/);
  expectCode(() => psfOtf({ kind: 'motion', length: 40, angle: 0 }, 16, 16), 'E_INVALID_ARGUMENT', /does not fit/);
});

test.run();
