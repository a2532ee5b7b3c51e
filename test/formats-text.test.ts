import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isFingerliftError, type ErrorCode } from '../src/errors.js';
import {
  readXyt,
  writeXyt,
  readJsonTemplate,
  writeJsonTemplate,
  readTemplate,
  readTemplateFile,
  writeTemplate,
  detectTemplateFormat,
  readIsoTemplate,
  TEMPLATE_FORMATS,
  reframeTemplate,
} from '../src/formats/index.js';
import type { Minutia, Template } from '../src/minutiae/types.js';
import { requireData } from './helpers/data.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function expectError(fn: () => unknown, code: ErrorCode, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(isFingerliftError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable('should throw');
}

function sampleTemplate(n = 120): Template {
  const minutiae: Minutia[] = Array.from({ length: n }, (_, i) => ({
    x: (i * 41.37) % 387.9,
    y: (i * 29.71) % 373.9,
    angle: (i * 0.731) % (2 * Math.PI),
    type: i % 4 === 0 ? 'bifurcation' : 'ending',
    quality: ((i * 7) % 101) / 100,
  }));
  return { width: 388, height: 374, ppi: 500, minutiae };
}

const angleDiff = (a: number, b: number): number => {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return Math.min(d, 2 * Math.PI - d);
};

test('NIST .xyt follows mindtct lfs2nist_minutia_XYT: y = height - row, theta = 270 - LFS direction', () => {
  // An LFS minutia with direction d (units of 11.25 deg clockwise from north, pointing into the ridge
  // per ISO/ANSI) has ISO angle 90 - 11.25 d degrees. mindtct writes (x, ih - y, (270 - round(11.25 d)) mod 360).
  const height = 374;
  for (let d = 0; d < 32; d++) {
    const lfs = Math.round(11.25 * d + 1e-9);
    const iso = ((((90 - lfs) % 360) + 360) % 360) * (Math.PI / 180);
    const t: Template = { width: 388, height, ppi: 500, minutiae: [{ x: 17, y: 40, angle: iso, type: 'ending', quality: 0.37 }] };
    const line = dec(writeXyt(t)).trim();
    const expected = ((270 - lfs) % 360 + 360) % 360;
    assert.is(line, `17 ${height - 40} ${expected} 37`, `direction ${d}`);
    // -m1 (lfs2m1_minutia_XYT): top-left origin, (90 - 11.25 d) mod 360 in 2-degree units.
    const m1 = dec(writeXyt(t, { convention: 'm1' })).trim().split(' ').map(Number);
    assert.equal(m1.slice(0, 2), [17, 40]);
    assert.ok(Math.abs(m1[2]! * 2 - (((90 - lfs) % 360) + 360) % 360) <= 1, `m1 direction ${d}: ${m1[2]}`);
  }
});

test('a known record converts to the .xyt line NBIS would write (FVC2002 DB1_B 101_1, first minutia)', () => {
  const dir = requireData('fvc2002-db1b', 'ISO to xyt known answer');
  if (!dir) return;
  const t = readIsoTemplate(new Uint8Array(readFileSync(join(dir, '101_1.iso'))), '101_1.iso');
  // Bifurcation at (165, 48), angle 107/256 turn = 150.47 deg -> NIST: y 400 - 48, theta 150.47 + 180.
  assert.is(dec(writeXyt(t)).split('\n')[0], '165 352 330 0');
  assert.is(dec(writeXyt(t, { convention: 'm1', m1AngleUnit: 1 })).split('\n')[0], '165 48 150 0');
});

test('.xyt round trips keep positions within 0.5 px and directions within half the angle step', () => {
  const t = sampleTemplate();
  for (const [opts, step] of [
    [{ convention: 'nist' as const }, 1],
    [{ convention: 'm1' as const }, 2],
    [{ convention: 'm1' as const, m1AngleUnit: 1 as const }, 1],
  ] as const) {
    const back = readXyt(writeXyt(t, opts), 'rt.xyt', { width: t.width, height: t.height, ...opts });
    assert.is(back.minutiae.length, t.minutiae.length);
    back.minutiae.forEach((m, i) => {
      const o = t.minutiae[i]!;
      assert.ok(Math.abs(m.x - o.x) <= 0.5 && Math.abs(m.y - o.y) <= 0.5, `${opts.convention} position ${i}`);
      assert.ok(angleDiff(m.angle, o.angle) <= ((step / 2) * Math.PI) / 180 + 1e-9, `${opts.convention} angle ${i}`);
      assert.ok(Math.abs(m.quality - o.quality) <= 0.005 + 1e-12);
      assert.ok(m.angle >= 0 && m.angle < 2 * Math.PI);
    });
  }
});

test('.xyt reading: three columns, negative theta (bozorth3 range), and faults named by line', () => {
  const t = readXyt(enc('10 364 90\n20 300 -90\n'), 'three.xyt', { width: 388, height: 374 });
  assert.is(t.minutiae[0]!.y, 10);
  assert.ok(angleDiff(t.minutiae[0]!.angle, (270 * Math.PI) / 180) < 1e-9); // 90 - 180
  assert.ok(angleDiff(t.minutiae[1]!.angle, (90 * Math.PI) / 180) < 1e-9); // -90 - 180
  assert.is(t.minutiae[0]!.quality, 0.01);
  const size = { width: 388, height: 374 };
  expectError(() => readXyt(enc('1 2 3 4\n1 2 3\n'), 'mixed.xyt', size), 'E_TEMPLATE_FORMAT', /mixed\.xyt.*line 2 has 3 fields/);
  expectError(() => readXyt(enc('1 2 x 4\n'), 'text.xyt', size), 'E_TEMPLATE_FORMAT', /line 1.*not whole numbers/);
  expectError(() => readXyt(enc('400 2 3 4\n'), 'out.xyt', size), 'E_TEMPLATE_FORMAT', /outside the 388 x 374 image/);
  expectError(() => readXyt(enc('4 0 3 4\n'), 'y0.xyt', size), 'E_TEMPLATE_FORMAT', /outside/); // NIST y 0 is row 374
  expectError(() => readXyt(enc('4 5 200 4\n'), 'm1.xyt', { ...size, convention: 'm1' }), 'E_TEMPLATE_FORMAT', /theta 200/);
  expectError(() => readXyt(enc('4 5 20 400\n'), 'q.xyt', size), 'E_TEMPLATE_FORMAT', /quality 400/);
  expectError(() => readXyt(enc('1 2 3 4\n'), 'nosize.xyt', { width: NaN, height: NaN }), 'E_INVALID_ARGUMENT', /nosize\.xyt.*width and height/);
  expectError(() => readXyt(new Uint8Array(2_000_000).fill(0x31), 'huge.xyt', size), 'E_TEMPLATE_FORMAT', /huge\.xyt/);
});

test('JSON round trip is exact and carries the format and version', () => {
  const t = sampleTemplate();
  const bytes = writeJsonTemplate(t);
  const doc = JSON.parse(dec(bytes));
  assert.is(doc.format, 'fingerlift-template');
  assert.is(doc.version, 1);
  assert.equal(readJsonTemplate(bytes, 't.json'), t);
  assert.equal(writeJsonTemplate(readJsonTemplate(bytes, 't.json')), bytes);
  assert.equal(readJsonTemplate(writeJsonTemplate({ width: 5, height: 5, ppi: 500, minutiae: [] }), 'e.json').minutiae, []);
});

test('JSON validation names the file and the field', () => {
  const base = JSON.parse(dec(writeJsonTemplate(sampleTemplate(3))));
  const bad = (patch: (d: Record<string, unknown>) => void): Uint8Array => {
    const d = structuredClone(base);
    patch(d);
    return enc(JSON.stringify(d));
  };
  const cases: Array<[Uint8Array, RegExp]> = [
    [enc('{ "format": '), /not JSON/],
    [enc('[1, 2]'), /top level is not an object/],
    [bad((d) => (d.format = 'other')), /"format" is "other"/],
    [bad((d) => (d.version = 2)), /"version" 2 is newer/],
    [bad((d) => delete d.version), /"version" is undefined/],
    [bad((d) => (d.width = 0)), /"width" is 0/],
    [bad((d) => (d.ppi = -1)), /"ppi" is -1/],
    [bad((d) => (d.ppi = 1e308)), /"ppi" is 1e\+308, expected a resolution in 50-20000/],
    [bad((d) => (d.ppi = 10)), /"ppi" is 10, expected a resolution in 50-20000/],
    [bad((d) => (d.minutiae = {})), /"minutiae" is not an array/],
    [bad((d) => ((d.minutiae as Array<Record<string, unknown>>)[1]!.angle = 7)), /minutiae\[1\]\.angle is 7/],
    [bad((d) => ((d.minutiae as Array<Record<string, unknown>>)[2]!.type = 'other')), /minutiae\[2\]\.type is "other"/],
    [bad((d) => ((d.minutiae as Array<Record<string, unknown>>)[0]!.x = 388)), /minutiae\[0\]\.x is 388/],
    [bad((d) => ((d.minutiae as Array<Record<string, unknown>>)[0]!.quality = 1.5)), /minutiae\[0\]\.quality is 1\.5/],
  ];
  for (const [bytes, re] of cases) expectError(() => readJsonTemplate(bytes, 'bad.json'), 'E_TEMPLATE_FORMAT', new RegExp(`bad\\.json.*${re.source}`));
  expectError(() => writeJsonTemplate({ width: 5, height: 5, ppi: 500, minutiae: [{ x: 1, y: 1, angle: 7, type: 'ending', quality: 1 }] }), 'E_INVALID_ARGUMENT', /angle is 7/);
});

test('format detection: content first, then extension; unknown bytes and empty files are refused', () => {
  const t = sampleTemplate(5);
  assert.is(detectTemplateFormat(writeTemplate(t, 'iso'), 'x.bin'), 'iso');
  assert.is(detectTemplateFormat(writeTemplate(t, 'json'), 'x.txt'), 'json');
  assert.is(detectTemplateFormat(writeTemplate(t, 'xyt'), 'x.txt'), 'xyt');
  assert.is(detectTemplateFormat(enc('garbage'), 'x.xyt'), 'xyt');
  assert.is(detectTemplateFormat(new Uint8Array([1, 2, 3]), 'x.iso'), 'iso');
  expectError(() => detectTemplateFormat(new Uint8Array([1, 2, 3]), 'x.bin'), 'E_TEMPLATE_FORMAT', /x\.bin: not a template format/);
  expectError(() => readTemplate(new Uint8Array(0), 'empty.bin'), 'E_TEMPLATE_FORMAT', /empty\.bin: the file is empty/);
  expectError(() => readTemplate(enc('1 2 3\n'), 'a.xyt'), 'E_INVALID_ARGUMENT', /a\.xyt/);
});

test('every format round-trips through readTemplate/writeTemplate within its step', () => {
  const t = sampleTemplate();
  const tol = { xyt: [0.5, 0.5], iso: [0.5, 180 / 256], ansi: [0.5, 1], json: [0, 0] } as const;
  for (const f of TEMPLATE_FORMATS) {
    const file = readTemplateFile(writeTemplate(t, f), `t.${f}`, undefined, { width: t.width, height: t.height, ppi: 500 });
    assert.is(file.format, f);
    const back = file.template;
    assert.is(back.width, t.width);
    assert.is(back.height, t.height);
    back.minutiae.forEach((m, i) => {
      const o = t.minutiae[i]!;
      assert.ok(Math.abs(m.x - o.x) <= tol[f][0] && Math.abs(m.y - o.y) <= tol[f][0], `${f} position ${i}`);
      assert.ok(angleDiff(m.angle, o.angle) <= (tol[f][1] * Math.PI) / 180 + 1e-9, `${f} angle ${i}`);
      if (f !== 'xyt') assert.is(m.type, o.type);
    });
  }
});

test('reframeTemplate maps pixel centres and directions through an anisotropic stretch, and back', () => {
  const t: Template = { width: 300, height: 400, ppi: 500, minutiae: [{ x: 150, y: 200, angle: Math.PI / 4, type: 'bifurcation', quality: 0.3 }, { x: 0, y: 399, angle: 3, type: 'ending', quality: 1 }] };
  const r = reframeTemplate(t, 388, 374);
  assert.is(r.width, 388);
  assert.is(r.ppi, 500); // anisotropic: kept
  const m = r.minutiae[0]!;
  assert.ok(Math.abs(m.x - (150.5 * 388) / 300 + 0.5) < 1e-9 && Math.abs(m.y - (200.5 * 374) / 400 + 0.5) < 1e-9);
  assert.ok(Math.abs(m.angle - Math.atan2(374 / 400, 388 / 300)) < 1e-9);
  assert.is(m.type, 'bifurcation');
  const back = reframeTemplate(r, 300, 400);
  back.minutiae.forEach((b, i) => {
    assert.ok(Math.abs(b.x - t.minutiae[i]!.x) < 1e-9 && Math.abs(b.y - t.minutiae[i]!.y) < 1e-9);
    assert.ok(angleDiff(b.angle, t.minutiae[i]!.angle) < 1e-9);
  });
  assert.is(reframeTemplate(t, 600, 800).ppi, 1000); // uniform x2
});

test.run();
