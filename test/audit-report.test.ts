import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { AuditTrail, describeInput } from '../src/audit/trail.js';
import { detectMime, renderReport, type ReportData } from '../src/audit/report.js';
import { referenceFor } from '../src/audit/references.js';
import { FingerliftError } from '../src/errors.js';
import { dataDir } from './helpers/data.js';

const CHROMIUM = '/usr/bin/chromium';
const EVIL = '<script>alert("x")</script>&"\'';

/** A grey sinusoidal ridge pattern, or a real FVC2002 DB1_B print when ../shared/data is present. */
async function printPng(): Promise<{ png: Buffer; name: string; real: boolean }> {
  const dir = dataDir('fvc2002-db1b');
  if (dir) {
    const tif = (await readdir(dir)).filter((f) => /\.tif$/i.test(f)).sort()[0];
    if (tif) return { png: await sharp(join(dir, tif)).greyscale().png().toBuffer(), name: tif, real: true };
  }
  const w = 160;
  const h = 180;
  const raw = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * w + x] = Math.round(127.5 + 110 * Math.sin(0.7 * (x * Math.cos(0.5) + y * Math.sin(0.5)) + 0.002 * (x - 80) * (y - 90)));
  return { png: await sharp(raw, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer(), name: 'synthetic.png', real: false };
}

const minutiaeSvg = (w: number, h: number): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="100%" height="100%" fill="#eee"/><circle cx="40" cy="50" r="5" fill="none" stroke="#d55e00" stroke-width="2"/><rect x="90" y="100" width="10" height="10" fill="none" stroke="#0072b2" stroke-width="2"/></svg>`;

async function reportData(): Promise<ReportData> {
  const { png, name } = await printPng();
  const meta = await sharp(png).metadata();
  const trail = new AuditTrail({ command: 'lift', options: { report: true, title: EVIL }, now: () => new Date('2026-01-02T03:04:05Z') });
  trail.setInput(describeInput(`/evidence/${name}`, png, { width: meta.width, height: meta.height, ppi: 500 }));
  trail.step('load', { exifOrientation: true }, () => png);
  trail.step('enhance/clahe', { clipLimit: 2, tiles: 8, note: EVIL }, () => new Float32Array([1, 2]));
  trail.step('enhance/orientation', { blockSize: 16, gradientSigma: 1 }, () => new Float32Array([3]));
  trail.step('enhance/gabor', { kx: 0.5, ky: 0.5 }, () => new Float32Array([4]), { notes: () => ['ridge wavelength assumed 9 px'] });
  trail.step('minutiae', { method: 'crossing-number' }, () => ({ count: 2 }));
  trail.step('compare', { method: 'mcc' }, () => ({ score: 0.42 }));
  trail.output('print.png', png);
  const jpeg = await sharp(png).jpeg({ quality: 80 }).toBuffer();
  const webp = await sharp(png).webp({ quality: 80 }).toBuffer();
  const chart = await sharp({ create: { width: 2 * (meta.width ?? 100), height: meta.height ?? 100, channels: 3, background: '#ffffff' } })
    .composite([{ input: png, left: 0, top: 0 }, { input: png, left: meta.width ?? 100, top: 0 }])
    .png()
    .toBuffer();
  return {
    trail: trail.toJSON(),
    original: { title: 'Original with located fingertips', image: png, caption: EVIL, step: 'load' },
    stages: [
      { title: 'CLAHE', image: png, step: 'enhance/clahe' },
      { title: 'Orientation field', image: jpeg, step: 'enhance/orientation' },
      { title: 'Gabor-enhanced', image: webp, step: 'enhance/gabor' },
      { title: 'Unrecorded picture', image: minutiaeSvg(160, 180), params: { shown: EVIL } },
    ],
    minutiae: { title: 'Minutiae', image: minutiaeSvg(meta.width ?? 160, meta.height ?? 180), step: 'minutiae' },
    minutiaeCounts: { total: 2, endings: 1, bifurcations: 1 },
    comparison: {
      probe: 'probe.png',
      reference: EVIL,
      score: 0.42,
      threshold: 0.3,
      thresholdFmr: 0.001,
      step: 'compare',
      chart: { title: 'Comparison chart', image: chart },
      mated: [{ probe: { x: 40, y: 50, angle: Math.PI / 2, type: 'ending' }, reference: { x: 42.5, y: 51, angle: Math.PI / 2 + 0.1, type: 'ending' }, similarity: 0.9 }],
    },
    notes: [EVIL],
  };
}

test('report: self-contained, escaped, deterministic, with hashes, versions and references', async () => {
  const data = await reportData();
  const html = renderReport(data);
  assert.is(renderReport(data), html, 'deterministic');
  assert.not.match(html, /<script/i);
  assert.ok(html.includes(escapeText(EVIL)), 'hostile text is shown escaped');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; img-src data:/);
  const srcs = [...html.matchAll(/<img src="([^"]*)"/g)].map((m) => m[1]!);
  assert.is(srcs.length, 7);
  assert.ok(srcs.every((s) => /^data:image\/(png|jpeg|webp|svg\+xml);base64,/.test(s)));
  assert.not.match(html, /(src|href)="(https?:)?\/\//);
  for (const s of data.trail.steps) assert.ok(html.includes(s.outputSha256), `step hash ${s.name}`);
  assert.ok(html.includes(data.trail.input.sha256));
  assert.ok(html.includes(data.trail.outputs[0]!.sha256));
  assert.ok(html.includes(`${data.trail.tool} ${data.trail.version}`));
  assert.ok(html.includes(data.trail.environment.dependencies.sharp!));
  assert.match(html, /Zuiderveld/);
  assert.match(html, /Hong, Y\. Wan, A\. K\. Jain/);
  assert.match(html, /Rutovitz/);
  assert.match(html, /Cappelli/);
  assert.match(html, /ridge wavelength assumed 9 px/);
  assert.match(html, /at or above threshold/);
  assert.ok(html.includes(data.trail.createdAt), 'timings shown by default');
  // Without timings the report does not change when only the clock readings of the run differ.
  const slower = { ...data.trail, createdAt: '2030-01-01T00:00:00.000Z', steps: data.trail.steps.map((s) => ({ ...s, ms: s.ms + 123.4 })) };
  const a = renderReport({ ...data, timings: false });
  assert.is(renderReport({ ...data, trail: slower, timings: false }), a);
  assert.not.ok(a.includes(data.trail.createdAt));
  assert.is.not(renderReport({ ...data, trail: slower }), html);
});

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

test('report: bad pictures and unknown steps are refused with clear errors', async () => {
  const data = await reportData();
  const bad = (d: ReportData, re: RegExp): void => {
    try {
      renderReport(d);
      assert.unreachable();
    } catch (e) {
      assert.instance(e, FingerliftError);
      assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
      assert.match((e as Error).message, re);
    }
  };
  bad({ ...data, stages: [{ title: 'Empty', image: new Uint8Array(0) }] }, /"Empty" is empty/);
  bad({ ...data, stages: [{ title: 'Text', image: Buffer.from('hello') }] }, /"Text" is not PNG/);
  bad({ ...data, stages: [{ title: 'Ghost', image: data.original!.image, step: 'nope' }] }, /step "nope"/);
  assert.is(detectMime(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), 'image/svg+xml');
});

test('references: step names map to their sources', () => {
  assert.match(referenceFor('enhance/clahe')!.citations[0]!, /Zuiderveld.*1994/);
  assert.match(referenceFor('clahe#2')!.citations[0]!, /Zuiderveld/);
  assert.match(referenceFor('finger1.deblur-richardson-lucy')!.citations.join(' '), /Richardson.*1972/);
  assert.match(referenceFor('thin')!.citations[0]!, /Guo.*Hall.*1989/);
  assert.match(referenceFor('f1.enhance.gabor')!.method, /Gabor/);
  assert.match(referenceFor('enhance.contrast')!.method, /CLAHE/);
  assert.match(referenceFor('write.enhanced')!.method, /PNG/);
  assert.is(referenceFor('frobnicate'), undefined);
});

test('report renders in headless Chromium: every image loads, no network, screenshot', async () => {
  if (!existsSync(CHROMIUM)) {
    console.log(`SKIP: report in a real browser: needs ${CHROMIUM} (apt-get install -y chromium)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const network: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('data:') && r.url() !== 'about:blank') network.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent(renderReport(await reportData()), { waitUntil: 'load' });
    const imgs = await page.$$eval('img', (els) => els.map((i) => ({ complete: (i as HTMLImageElement).complete, w: (i as HTMLImageElement).naturalWidth, h: (i as HTMLImageElement).naturalHeight })));
    assert.is(imgs.length, 7);
    for (const [k, i] of imgs.entries()) assert.ok(i.complete && i.w > 0 && i.h > 0, `image ${k} did not load: ${JSON.stringify(i)}`);
    assert.equal(network, [], 'no network requests');
    assert.equal(errors, [], 'no console errors');
    assert.is(await page.title(), 'fingerlift report: ' + (await reportData()).trail.input.path.split('/').pop());
    const shot = await page.screenshot({ fullPage: true, type: 'png' });
    const meta = await sharp(shot).metadata();
    assert.is(meta.format, 'png');
    assert.is(meta.width, 1200);
    assert.ok((meta.height ?? 0) > 900, 'the full page is taller than one screen');
    const stats = await sharp(shot).stats();
    assert.ok(stats.channels[0]!.stdev > 10, 'the screenshot is not blank');
  } finally {
    await browser.close();
  }
});

test.run();
