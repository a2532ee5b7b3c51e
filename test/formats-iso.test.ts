import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { isFingerliftError } from '../src/errors.js';
import {
  readIsoRecord,
  writeIsoRecord,
  readIsoTemplate,
  writeIsoTemplate,
  isoViewToTemplate,
  templateToIsoRecord,
  readTemplateFile,
  readFmrRecord,
  detectTemplateFormat,
  writeTemplate,
  type IsoRecord,
} from '../src/formats/index.js';
import type { Template } from '../src/minutiae/types.js';
import { requireCase, requireData } from './helpers/data.js';

const FVC = ['fvc2002-db1b', 'fvc2002-db2b', 'fvc2002-db4b', 'fvc2004-db1b'];

function expectFormatError(fn: () => unknown, name: string, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(isFingerliftError(e, 'E_TEMPLATE_FORMAT'), `${name}: expected E_TEMPLATE_FORMAT, got ${String(e)}`);
    assert.match((e as Error).message, name);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`${name}: should throw`);
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

test('every FVC .iso reads and writes back to identical bytes', () => {
  let files = 0;
  let minutiae = 0;
  for (const sub of FVC) {
    const dir = requireData(sub, `ISO round trip on ${sub}`);
    if (!dir) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.iso'))) {
      const bytes = new Uint8Array(readFileSync(join(dir, f)));
      const rec = readIsoRecord(bytes, f);
      assert.is(rec.width, 300, f);
      assert.is(rec.height, 400, f);
      assert.is(rec.xResolution, 197, f);
      assert.ok(equalBytes(writeIsoRecord(rec), bytes), `${sub}/${f} differs after rewriting`);
      minutiae += rec.views[0]!.minutiae.length;
      files++;
    }
  }
  if (files > 0) {
    assert.is(files % 80, 0);
    assert.ok(minutiae > files * 10, `only ${minutiae} minutiae in ${files} files`);
  }
});

test('a known record decodes to the documented fields (101_1, FVC2002 DB1_B)', () => {
  const dir = requireData('fvc2002-db1b', 'known ISO record');
  if (!dir) return;
  const rec = readIsoRecord(new Uint8Array(readFileSync(join(dir, '101_1.iso'))), '101_1.iso');
  const v = rec.views[0]!;
  assert.is(rec.views.length, 1);
  assert.is(v.minutiae.length, 25);
  // First minutia bytes: 80 a5 00 30 6b 00 -> bifurcation at (165, 48), angle 0x6b = 107/256 turn.
  assert.equal(v.minutiae[0], { type: 2, x: 165, y: 48, yReserved: 0, angle: 107, quality: 0 });
  const t = isoViewToTemplate(rec);
  assert.is(t.minutiae[0]!.type, 'bifurcation');
  assert.ok(Math.abs(t.minutiae[0]!.angle - (107 * 2 * Math.PI) / 256) < 1e-12);
  assert.ok(Math.abs(t.ppi - 197 * 2.54) < 1e-9);
});

test('ISO angles follow the image ridge flow: counter-clockwise, y down, pointing as the standard says', async () => {
  // Map each SecuGen minutia back from the 300 x 400 stretched frame (MANIFEST.md), estimate the ridge
  // orientation there with a Gaussian-weighted structure tensor, and compare mod pi. Then check the
  // sense: an ending points into its ridge (darker ahead than behind), a bifurcation into the valley
  // between its branches (lighter ahead).
  const dir = requireData('fvc2002-db1b', 'ISO angle convention check');
  if (!dir) return;
  const errors: number[] = [];
  const sense = { ending: [0, 0], bifurcation: [0, 0] };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.iso')).slice(0, 24)) {
    const rec = readIsoRecord(new Uint8Array(readFileSync(join(dir, f))), f);
    const { data, info } = await sharp(join(dir, f.replace(/\.iso$/, '.tif'))).greyscale().raw().toBuffer({ resolveWithObject: true });
    const w = info.width;
    const h = info.height;
    const at = (x: number, y: number): number => data[Math.min(h - 1, Math.max(0, Math.round(y))) * w + Math.min(w - 1, Math.max(0, Math.round(x)))]!;
    const sx = w / rec.width;
    const sy = h / rec.height;
    for (const m of isoViewToTemplate(rec).minutiae) {
      const x = m.x * sx;
      const y = m.y * sy;
      if (x < 12 || y < 12 || x > w - 12 || y > h - 12) continue;
      const dx = Math.cos(m.angle) * sx; // the direction (cos a, -sin a) in the stretched frame, unstretched
      const dy = -Math.sin(m.angle) * sy;
      let gxx = 0;
      let gyy = 0;
      let gxy = 0;
      for (let yy = Math.round(y) - 8; yy <= Math.round(y) + 8; yy++)
        for (let xx = Math.round(x) - 8; xx <= Math.round(x) + 8; xx++) {
          const gx = (at(xx + 1, yy) - at(xx - 1, yy)) / 2;
          const gy = (at(xx, yy + 1) - at(xx, yy - 1)) / 2;
          const wt = Math.exp(-((xx - x) ** 2 + (yy - y) ** 2) / 32);
          gxx += wt * gx * gx;
          gyy += wt * gy * gy;
          gxy += wt * gx * gy;
        }
      const phi = 0.5 * Math.atan2(2 * gxy, gxx - gyy); // gradient direction; ridges run across it
      const ridge = Math.atan2(-Math.cos(phi), -Math.sin(phi)); // CCW as displayed
      const e = Math.abs((((Math.atan2(-dy, dx) - ridge) % Math.PI) + Math.PI) % Math.PI);
      errors.push((Math.min(e, Math.PI - e) * 180) / Math.PI);
      const n = Math.hypot(dx, dy);
      let ahead = 0;
      let behind = 0;
      for (let s = 4; s <= 8; s++) {
        ahead += at(x + (dx / n) * s, y + (dy / n) * s);
        behind += at(x - (dx / n) * s, y - (dy / n) * s);
      }
      const ok = m.type === 'ending' ? ahead < behind : ahead > behind;
      sense[m.type][ok ? 0 : 1]!++;
    }
  }
  errors.sort((a, b) => a - b);
  const median = errors[errors.length >> 1]!;
  const within20 = errors.filter((e) => e <= 20).length / errors.length;
  const endOk = sense.ending[0]! / (sense.ending[0]! + sense.ending[1]!);
  const bifOk = sense.bifurcation[0]! / (sense.bifurcation[0]! + sense.bifurcation[1]!);
  console.log(
    `  ISO vs ridge flow: ${errors.length} minutiae, median ${median.toFixed(1)} deg, ${(within20 * 100).toFixed(1)}% within 20 deg; ` +
      `sense right for ${(endOk * 100).toFixed(1)}% of endings, ${(bifOk * 100).toFixed(1)}% of bifurcations`,
  );
  assert.ok(errors.length > 500);
  assert.ok(median < 12, `median orientation error ${median}`);
  assert.ok(within20 > 0.75, `within 20 deg: ${within20}`);
  assert.ok(endOk > 0.8 && bifOk > 0.75, `direction sense ${endOk} ${bifOk}`);
});

test('malformed records from ../shared/cases give E_TEMPLATE_FORMAT; the valid one round-trips', () => {
  const dir = requireCase('iso-malformed', 'malformed ISO records');
  if (!dir) return;
  const expected: Record<string, RegExp> = {
    'bad-magic.iso': /format identifier/,
    'count-overflow.iso': /says 255 minutiae but the record holds at most 25/,
    'empty.iso': /empty/,
    'length-too-big.iso': /length field says 1000000 bytes but the data holds 180/,
    'noise.iso': /format identifier/,
    'truncated.iso': /length field says 180 bytes but the data holds 100/,
    'x-outside-image.iso': /outside the 300 x 400 image/,
  };
  const files = readdirSync(dir).filter((n) => n.endsWith('.iso'));
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(join(dir, f)));
    if (f.startsWith('valid')) {
      assert.ok(equalBytes(writeIsoRecord(readIsoRecord(bytes, f)), bytes), f);
      continue;
    }
    assert.ok(expected[f], `no expectation for ${f}`);
    expectFormatError(() => readIsoRecord(bytes, f), f, expected[f]!);
    expectFormatError(() => readTemplateFile(bytes, f), f, expected[f]!); // through detection as well
  }
  assert.is(files.length, Object.keys(expected).length + 1);
});

function sampleRecord(): IsoRecord {
  return {
    standard: 'iso',
    productOwner: 0,
    productType: 0,
    longLength: false,
    certification: 1,
    deviceType: 0x123,
    width: 416,
    height: 560,
    xResolution: 197,
    yResolution: 224,
    reserved: 0,
    views: [
      {
        fingerPosition: 2,
        viewNumber: 0,
        impressionType: 0,
        fingerQuality: 60,
        minutiae: [
          { type: 1, x: 10, y: 20, yReserved: 0, angle: 0, quality: 40 },
          { type: 2, x: 415, y: 559, yReserved: 0, angle: 255, quality: 100 },
          { type: 0, x: 200, y: 300, yReserved: 2, angle: 128, quality: 0 },
        ],
        extendedData: new Uint8Array([0x00, 0x01, 0x00, 0x02, 0xab, 0xcd]),
      },
      { fingerPosition: 2, viewNumber: 1, impressionType: 8, fingerQuality: 30, minutiae: [], extendedData: new Uint8Array(0) },
    ],
  };
}

/** The same record as ANSI INCITS 378-2004 (angles in 2-degree units, 0..179). */
function asAnsi(r: IsoRecord): IsoRecord {
  return { ...r, standard: 'ansi', views: r.views.map((v) => ({ ...v, minutiae: v.minutiae.map((m) => ({ ...m, angle: m.angle % 180 })) })) };
}

test('several finger views and extended data survive a write/read/write cycle', () => {
  const rec = sampleRecord();
  const bytes = writeIsoRecord(rec);
  assert.is(bytes.length, 24 + (4 + 18 + 2 + 6) + (4 + 0 + 2));
  const back = readIsoRecord(bytes, 'two-views.iso');
  assert.equal(back, rec);
  assert.ok(equalBytes(writeIsoRecord(back), bytes));
  const file = readTemplateFile(bytes, 'two-views.iso');
  assert.is(file.format, 'iso');
  assert.is(file.template.minutiae.length, 3);
  assert.is(file.iso!.views.length, 2);
  assert.ok(file.notes.some((n) => /2 finger views/.test(n)));
  assert.is(isoViewToTemplate(back, 1).minutiae.length, 0);
});

test('structural faults are named: trailing bytes, reserved type, ANSI 378, other version, zero views, truncated view', () => {
  const good = writeIsoRecord(sampleRecord());
  const mutate = (f: (b: Uint8Array, dv: DataView) => void, extra = 0): Uint8Array => {
    const b = new Uint8Array(good.length + extra);
    b.set(good);
    f(b, new DataView(b.buffer));
    return b;
  };
  expectFormatError(() => readIsoRecord(mutate((b, dv) => dv.setUint32(8, b.length), 3), 'trail.iso'), 'trail.iso', /3 bytes after the last finger view/);
  expectFormatError(() => readIsoRecord(mutate((b) => (b[28] = b[28]! | 0xc0)), 'type.iso'), 'type.iso', /type code 11 is reserved/);
  const ansi = writeIsoRecord(asAnsi(sampleRecord()));
  expectFormatError(() => readIsoRecord(ansi, 'ansi.iso'), 'ansi.iso', /this is an ANSI INCITS 378-2004 record/);
  expectFormatError(() => readIsoRecord(mutate((b) => (b[5] = 0x33)), 'v30.iso'), 'v30.iso', /version " 30"/);
  expectFormatError(() => readIsoRecord(mutate((b) => (b[22] = 0)), 'noview.iso'), 'noview.iso', /no finger view/);
  expectFormatError(() => readIsoRecord(mutate((b) => (b[22] = 3)), 'views.iso'), 'views.iso', /finger view 3 of 3 starts at byte/);
  expectFormatError(() => readIsoRecord(mutate((b) => (b[33] = 101)), 'q.iso'), 'q.iso', /quality 101 is over 100/);
  expectFormatError(() => readIsoRecord(good.subarray(0, 10), 'short.iso'), 'short.iso', /truncated: 10 bytes/);
});

test('a damaged length field is reported in the standard of the record with the recorded length (the views decide the standard)', () => {
  for (const standard of ['iso', 'ansi'] as const) {
    const good = writeIsoRecord(standard === 'iso' ? sampleRecord() : asAnsi(sampleRecord()));
    const b = new Uint8Array(good);
    // ISO: the 4-byte field; ANSI: the 2-byte field (0xFFFF, not 0 so the short form stays).
    if (standard === 'iso') new DataView(b.buffer).setUint32(8, 0xffffffff);
    else new DataView(b.buffer).setUint16(8, 0xffff);
    const title = standard === 'iso' ? /not a valid ISO\/IEC 19794-2:2005 record/ : /not a valid ANSI INCITS 378-2004 record/;
    const length = standard === 'iso' ? /length field says 4294967295 bytes but the data holds \d+/ : /length field says 65535 bytes but the data holds \d+/;
    for (const read of [() => readFmrRecord(b, `len.${standard}`), () => readTemplateFile(b, `len.${standard}`)]) {
      expectFormatError(read, `len.${standard}`, title);
      expectFormatError(read, `len.${standard}`, length);
    }
  }
});

test('Template -> ISO -> Template keeps positions within 0.5 px and directions within half of 360/256 degrees', () => {
  const step = (2 * Math.PI) / 256;
  const minutiae = Array.from({ length: 200 }, (_, i) => ({
    x: (i * 37.3) % 387.9,
    y: (i * 53.7) % 373.9,
    angle: (i * 0.1234567) % (2 * Math.PI),
    type: (i % 3 === 0 ? 'bifurcation' : 'ending') as 'ending' | 'bifurcation',
    quality: (i % 101) / 100,
  }));
  const t: Template = { width: 388, height: 374, ppi: 500, minutiae };
  const back = readIsoTemplate(writeIsoTemplate(t), 'rt.iso');
  assert.is(back.minutiae.length, 200);
  assert.ok(Math.abs(back.ppi - 500) < 1.27, `ppi ${back.ppi}`);
  back.minutiae.forEach((m, i) => {
    const o = minutiae[i]!;
    assert.ok(Math.abs(m.x - o.x) <= 0.5 && Math.abs(m.y - o.y) <= 0.5, `position ${i}`);
    const d = Math.abs(m.angle - o.angle);
    assert.ok(Math.min(d, 2 * Math.PI - d) <= step / 2 + 1e-12, `angle ${i}: ${o.angle} -> ${m.angle}`);
    assert.is(m.type, o.type);
    assert.ok(Math.abs(m.quality - o.quality) <= 0.005 + 1e-12);
  });
});

test('writing refuses what ISO cannot hold: 256 minutiae, minutia outside the image', () => {
  const m = { x: 1, y: 1, angle: 0, type: 'ending' as const, quality: 1 };
  const cases: Array<[Template, RegExp]> = [
    [{ width: 10, height: 10, ppi: 500, minutiae: Array.from({ length: 256 }, () => m) }, /at most 255/],
    [{ width: 10, height: 10, ppi: 500, minutiae: [{ ...m, x: 10 }] }, /outside the 10 x 10 image/],
  ];
  for (const [t, re] of cases) {
    try {
      templateToIsoRecord(t);
      assert.unreachable('should throw');
    } catch (e) {
      assert.ok(isFingerliftError(e, 'E_INVALID_ARGUMENT'), String(e));
      assert.match((e as Error).message, re);
    }
  }
});

test('ANSI INCITS 378-2004: a record built byte by byte from the standard reads as documented', () => {
  // 26-byte header (2-byte length), CBEFF owner 0x0033 type 0x0001, 256 x 288 at 197 px/cm, one view of
  // one ridge ending at (10, 20), angle 45 x 2 = 90 degrees, quality 60; no extended data.
  const b = new Uint8Array([
    0x46, 0x4d, 0x52, 0x00, 0x20, 0x32, 0x30, 0x00, 0x00, 38, 0x00, 0x33, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x20, 0x00, 0xc5, 0x00, 0xc5, 1, 0,
    1, 0x00, 80, 1,
    0x40, 10, 0x00, 20, 45, 60,
    0x00, 0x00,
  ]);
  assert.is(detectTemplateFormat(b, 'a.bin'), 'ansi');
  const rec = readFmrRecord(b, 'a.ansi');
  assert.is(rec.standard, 'ansi');
  assert.is(rec.productOwner, 0x33);
  assert.is(rec.width, 256);
  assert.is(rec.height, 288);
  assert.ok(equalBytes(writeIsoRecord(rec), b));
  const file = readTemplateFile(b, 'a.ansi');
  assert.is(file.format, 'ansi');
  assert.equal(file.template.minutiae, [{ x: 10, y: 20, angle: Math.PI / 2, type: 'ending', quality: 0.6 }]);
  expectFormatError(() => readIsoRecord(b, 'a.ansi'), 'a.ansi', /this is an ANSI INCITS 378-2004 record/);
  const bad = b.slice();
  bad[34] = 180; // angle over 179
  expectFormatError(() => readFmrRecord(bad, 'angle.ansi'), 'angle.ansi', /angle 180 is over 179/);
  const short = new Uint8Array(20); // 6-byte length form saying 20 bytes: shorter than its 30-byte header
  short.set(b.subarray(0, 8));
  short[13] = 20;
  expectFormatError(() => readFmrRecord(short, 'short.ansi'), 'short.ansi', /shorter than the 30-byte record header/);
});

test('ANSI INCITS 378-2004: FVC minutiae written as ANSI read back within 1 degree; the 6-byte length form round-trips', () => {
  const t: Template = {
    width: 388,
    height: 374,
    ppi: 500,
    minutiae: Array.from({ length: 60 }, (_, i) => ({ x: (i * 31) % 388, y: (i * 17) % 374, angle: (i * 0.37) % (2 * Math.PI), type: i % 2 ? 'ending' : 'bifurcation', quality: 0.5 })),
  };
  const bytes = writeTemplate(t, 'ansi');
  assert.is((bytes[8]! << 8) | bytes[9]!, bytes.length);
  assert.is(bytes.length, 26 + 4 + 60 * 6 + 2);
  const back = readTemplateFile(bytes, 'x.ansi').template;
  back.minutiae.forEach((m, i) => {
    const d = Math.abs(m.angle - t.minutiae[i]!.angle);
    assert.ok(Math.min(d, 2 * Math.PI - d) <= Math.PI / 180 + 1e-12, `angle ${i}`);
  });
  const rec = readFmrRecord(bytes, 'x.ansi');
  const long = writeIsoRecord({ ...rec, longLength: true });
  assert.is(long.length, bytes.length + 4);
  assert.is((long[8]! << 8) | long[9]!, 0);
  const again = readFmrRecord(long, 'long.ansi');
  assert.ok(again.longLength);
  assert.ok(equalBytes(writeIsoRecord(again), long));
});

test('20,000 random corruptions of valid ISO and ANSI records either read (and rewrite identically) or give E_TEMPLATE_FORMAT (seeded)', () => {
  const iso = writeIsoRecord(sampleRecord());
  const a = sampleRecord();
  const ansi = writeIsoRecord({ ...a, standard: 'ansi', views: a.views.map((v) => ({ ...v, minutiae: v.minutiae.map((m) => ({ ...m, angle: m.angle % 180 })) })) });
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let read = 0;
  for (let k = 0; k < 20000; k++) {
    const good = k % 2 ? ansi : iso;
    const b = good.slice(0, rnd(3) === 0 ? rnd(good.length + 1) : good.length);
    for (let j = rnd(4) + 1; j > 0; j--) if (b.length) b[rnd(b.length)] = rnd(256);
    try {
      const rec = readFmrRecord(b, 'fuzz.iso');
      assert.ok(equalBytes(writeIsoRecord(rec), b), 'a record that reads must write back identically');
      read++;
    } catch (e) {
      if (!isFingerliftError(e, 'E_TEMPLATE_FORMAT')) throw e;
    }
  }
  assert.ok(read > 0 && read < 20000, `read ${read}`);
});

test.run();
