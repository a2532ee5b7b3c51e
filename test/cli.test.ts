import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, requireData } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-cli-'));
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('--version and --help', () => {
  const v = cli('--version');
  assert.is(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+/);
  const h = cli('--help');
  assert.is(h.code, 0);
  assert.match(h.stdout, /info/);
});

test('usage errors exit 2', () => {
  assert.is(cli('no-such-command').code, 2);
  assert.is(cli('info').code, 2); // missing argument
});

test('info on a mix of good and bad files reports every file and exits 1', () => {
  const bad = join(tmp, 'bad.png');
  writeFileSync(bad, 'not an image');
  const empty = join(tmp, 'empty.jpg');
  writeFileSync(empty, '');
  const db1 = requireData('fvc2002-db1b', 'CLI info on real files');
  const good = db1 ? [join(db1, '101_1.tif'), join(db1, '101_2.tif')] : [];
  const r = cli('info', '--json', ...good, bad, empty, join(tmp, 'missing.tif'));
  assert.is(r.code, 1);
  const doc = JSON.parse(r.stdout) as { files: Array<{ path: string; error?: { code: string }; sha256?: string }>; failed: number };
  assert.is(doc.failed, 3);
  assert.is(doc.files.filter((f) => f.sha256).length, good.length);
  assert.is(doc.files.find((f) => f.path === bad)?.error?.code, 'E_DECODE');
  assert.is(doc.files.find((f) => f.path === empty)?.error?.code, 'E_TOO_SMALL');
  assert.match(r.stderr, /missing\.tif: \[E_NOT_FOUND\]|missing\.tif.*E_NOT_FOUND/);
  const ok = db1 ? cli('info', join(db1, '101_1.tif')) : undefined;
  if (ok) {
    assert.is(ok.code, 0);
    assert.match(ok.stdout, /388x374/);
  }
});

test('bad destinations and featureless inputs: usage errors before any work, typed failures, no crash', async () => {
  const grey = join(tmp, 'grey.png');
  const sharp = (await import('sharp')).default;
  await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } }).png().toFile(grey);
  const unwritable = cli('extract', grey, '-o', '/proc/fingerlift-no', '-q');
  assert.is(unwritable.code, 2);
  assert.match(unwritable.stderr, /cannot write/);
  const badSummary = cli('extract', grey, '-o', 'o1', '--summary', 's.txt', '-q');
  assert.is(badSummary.code, 2);
  const summaryNowhere = cli('extract', grey, '-o', 'o1', '--summary', '/proc/fingerlift-no/s.json', '-q');
  assert.is(summaryNowhere.code, 2, summaryNowhere.stderr);
  assert.match(summaryNowhere.stderr, /--summary \/proc\/fingerlift-no\/s\.json: \[E_WRITE\] folder \/proc\/fingerlift-no does not exist: create it first/);
  const summaryUnwritable = cli('extract', grey, '-o', 'o1', '--summary', '/proc/s.json', '-q');
  assert.is(summaryUnwritable.code, 2, summaryUnwritable.stderr);
  assert.match(summaryUnwritable.stderr, /--summary \/proc\/s\.json: cannot write there/);
  // Resolutions no print or photo has: usage errors before any work (--ppi 1e9 once crashed OpenCV).
  for (const [cmd, ppi] of [['enhance', '1e9'], ['extract', '100'], ['compare', 'abc'], ['lift', '30'], ['lift', '-5']] as const) {
    const r = cmd === 'compare' ? cli('compare', grey, grey, '--ppi', ppi) : cli(cmd, grey, '-o', 'o3', '--ppi', ppi, '-q');
    assert.is(r.code, 2, `${cmd} --ppi ${ppi}: ${r.stderr}`);
    assert.match(r.stderr, /--ppi must be a number in/);
  }
  // A folder holding only fingerlift outputs: nothing to do is a failure, not "0 done".
  spawnSync('mkdir', ['-p', join(tmp, 'outs-only')]);
  writeFileSync(join(tmp, 'outs-only', 'a.enhanced.png'), readFileSync(grey));
  const nothing = cli('extract', 'outs-only', '-o', 'o4', '-q');
  assert.is(nothing.code, 1, nothing.stderr);
  assert.match(nothing.stderr, /no input files/);
  const featureless = cli('extract', grey, '-o', 'o2', '-q', '-j', '1');
  assert.is(featureless.code, 1);
  assert.match(featureless.stderr, /E_NO_FINGER/);
  spawnSync('mkdir', ['-p', join(tmp, 'empty')]);
  const evalEmpty = cli('eval', 'empty');
  assert.is(evalEmpty.code, 1);
  assert.not.match(evalEmpty.stderr, /at .*\.ts:\d+/); // a report, not a stack trace
  const t = join(tmp, 't.json');
  writeFileSync(t, JSON.stringify({ format: 'fingerlift-template', version: 1, width: 100, height: 100, ppi: 500, minutiae: [{ x: 10, y: 10, angle: 1, type: 'ending', quality: 0.5 }] }));
  const self = cli('convert', t, '--to', 'json', '-o', t, '--force');
  assert.is(self.code, 2);
  assert.match(self.stderr, /never overwritten/);
  const before = readFileSync(t);
  symlinkSync(t, join(tmp, 'link.json'));
  const viaLink = cli('convert', t, '--to', 'iso', '-o', 'link.json', '--force');
  assert.is(viaLink.code, 2, 'a link to the input is the input');
  assert.equal(readFileSync(t), before);
  const empty = join(tmp, 'empty.xyt');
  writeFileSync(empty, '');
  const cmp = cli('compare', empty, t);
  assert.is(cmp.code, 1);
  assert.match(cmp.stderr, /E_TOO_FEW_MINUTIAE/);
});

test('--force never overwrites or removes an input, removes only unchanged outputs of the previous run; --summary cannot replace an output', () => {
  const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
  const d = join(tmp, 'force');
  spawnSync('mkdir', ['-p', d]);
  copyFileSync(join(repoRoot, 'fixtures', 'f1_1.png'), join(d, 'a.png'));
  // An input named like another input's output, in the output folder: a.png's a.enhanced.png.
  copyFileSync(join(repoRoot, 'fixtures', 'f2_1.png'), join(d, 'a.enhanced.png'));
  const before = sha(join(d, 'a.enhanced.png'));
  const r = cli('enhance', join(d, 'a.png'), join(d, 'a.enhanced.png'), '-o', d, '--force', '-q', '-j', '1');
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /would overwrite an input/);
  assert.is(sha(join(d, 'a.enhanced.png')), before, 'the input is untouched');
  // A trail edited to list the input and an unrelated file as outputs: --force removes neither.
  const e = join(tmp, 'force2');
  spawnSync('mkdir', ['-p', e]);
  copyFileSync(join(repoRoot, 'fixtures', 'f1_1.png'), join(e, 'in.png'));
  writeFileSync(join(e, 'in.notes.txt'), 'notes');
  assert.is(cli('enhance', join(e, 'in.png'), '-o', e, '--overlays', '-q', '-j', '1').code, 0);
  const trailPath = join(e, 'in.trail.json');
  const trail = JSON.parse(readFileSync(trailPath, 'utf8')) as { outputs: Array<{ path: string; sha256: string; size: number }> };
  trail.outputs.push({ path: 'in.png', sha256: '0'.repeat(64), size: 1 }, { path: 'in.notes.txt', sha256: sha(join(e, 'in.notes.txt')).replace(/^./, 'f'), size: 5 });
  writeFileSync(trailPath, JSON.stringify(trail));
  assert.is(cli('enhance', join(e, 'in.png'), '-o', e, '--force', '-q', '-j', '1').code, 0);
  assert.ok(existsSync(join(e, 'in.png')) && existsSync(join(e, 'in.notes.txt')), 'input and a changed file kept');
  assert.not.ok(existsSync(join(e, 'in.mask.png')), "the previous run's unchanged overlay removed");
  const s = cli('extract', join(e, 'in.png'), '-o', e, '--summary', join(e, 'in.trail.json'), '--force', '-q');
  assert.is(s.code, 2, s.stderr);
  assert.match(s.stderr, /would take the place of an output/);
});

test('search: worker threads and the two-stage search give the single-thread ranking; bad --threads is a usage error', () => {
  const db = requireData('fvc2002-db1b', 'CLI search over FVC .iso templates');
  if (!db) return;
  const gallery = join(tmp, 'gallery');
  spawnSync('mkdir', ['-p', gallery]);
  for (const f of ['101_1', '101_2', '102_1', '102_2', '103_1', '103_2']) writeFileSync(join(gallery, `${f}.iso`), readFileSync(join(db, `${f}.iso`)));
  const run = (...extra: string[]): Array<{ reference: string; score: number }> => {
    const r = cli('search', join(db, '101_3.iso'), '--gallery', gallery, '--top', '3', '--json', ...extra);
    assert.is(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { candidates: Array<{ reference: string; score: number }> }).candidates.map((c) => ({ reference: c.reference, score: c.score }));
  };
  const one = run();
  assert.is(one.length, 3);
  assert.match(one[0]!.reference, /101_[12]\.iso$/);
  assert.equal(run('--threads', '2'), one);
  assert.equal(run('--preselect', '4')[0], one[0]);
  assert.is(cli('search', join(db, '101_3.iso'), '--gallery', gallery, '--threads', '0').code, 2);
});

test('outputs that are inputs are refused; eval without genuine pairs, unwritable or folder outputs, trails in a gallery: typed reports', () => {
  const db = requireData('fvc2002-db1b', 'CLI output checks with FVC .iso templates');
  if (!db) return;
  const dir = join(tmp, 'outs');
  spawnSync('mkdir', ['-p', dir]);
  for (const f of ['101_1', '101_2', '102_1']) writeFileSync(join(dir, `${f}.iso`), readFileSync(join(db, `${f}.iso`)));
  const probe = join(dir, '101_1.iso'), ref = join(dir, '101_2.iso');
  const before = readFileSync(ref);
  // A reference image named as the chart (directly, or found in a folder of references).
  const img = join(dir, 'img.png');
  writeFileSync(img, before);
  const chart = cli('compare', probe, img, '--chart', img, '--force');
  assert.is(chart.code, 2, chart.stderr);
  assert.match(chart.stderr, /is an input/);
  assert.is(cli('compare', probe, dir, '--chart', img, '--force').code, 2);
  assert.equal(readFileSync(img), before);
  assert.equal(readFileSync(ref), before);
  // eval: one impression per finger (no genuine pair) is a report, not a stack trace.
  const single = join(tmp, 'single');
  spawnSync('mkdir', ['-p', single]);
  for (const f of ['101_1', '102_1', '103_1']) writeFileSync(join(single, `${f}.iso`), readFileSync(join(db, `${f}.iso`)));
  const ev = cli('eval', single);
  assert.is(ev.code, 1);
  assert.match(ev.stderr, /needs two or more impressions/);
  assert.not.match(ev.stderr, /at .*\.ts:\d+/);
  // eval --plot naming an input.
  writeFileSync(join(single, '103_2.png'), before);
  assert.is(cli('eval', single, '--plot', join(single, '103_2.png'), '--force').code, 2, 'an eval input named as the plot');
  assert.equal(readFileSync(join(single, '103_2.png')), before);
  // The trails an earlier run wrote beside its templates are not gallery entries.
  rmSync(img);
  writeFileSync(join(dir, '101_2.trail.json'), '{"not":"a template"}');
  const s = cli('search', probe, '--gallery', dir, '--json');
  assert.is(s.code, 0, s.stderr);
  // convert: a folder as output is a usage error; an unwritable place is E_WRITE; bad --xyt-size exits 2.
  assert.is(cli('convert', probe, '--to', 'json', '-o', dir, '--force').code, 2);
  const unwritable = cli('convert', probe, '--to', 'json', '-o', '/proc/fingerlift-x/t.json');
  assert.is(unwritable.code, 2, unwritable.stderr);
  assert.match(unwritable.stderr, /-o \/proc\/fingerlift-x\/t\.json: \[E_WRITE\] folder \/proc\/fingerlift-x does not exist: create it first/);
  const unwritableFolder = cli('convert', probe, '--to', 'json', '-o', '/proc/t.json');
  assert.is(unwritableFolder.code, 2, unwritableFolder.stderr);
  assert.match(unwritableFolder.stderr, /-o \/proc\/t\.json: cannot write there/);
  assert.is(cli('convert', probe, '--to', 'json', '-o', join(tmp, 'x.json'), '--xyt-size', '10x').code, 2);
});

test('nothing to do exits 1 for info, compare, search and eval, naming the files left out as fingerlift outputs', () => {
  const enh = join(tmp, 'only-outputs');
  const e = cli('enhance', join(repoRoot, 'fixtures', 'f1_1.png'), '-o', enh, '-q');
  assert.is(e.code, 0, e.stderr);
  const probe = join(repoRoot, 'fixtures', 'f1_1.png');
  for (const [what, args] of [['info', ['info', enh]], ['compare', ['compare', probe, enh]], ['search', ['search', probe, '--gallery', enh]]] as const) {
    const r = cli(...args);
    assert.is(r.code, 1, `${what}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${what}: no .*\\(all \\d+ found are named like fingerlift outputs\\): nothing done`), r.stderr);
  }
  const ev = cli('eval', enh);
  assert.is(ev.code, 1);
  assert.match(ev.stderr, /holds no image .* other than \d+ file\(s\) named like fingerlift outputs/, ev.stderr);
});

test('galleries leave out lift summaries, comparison results, charts and trails; templates stay', () => {
  const gal = join(tmp, 'gallery-outputs');
  const x = cli('extract', join(repoRoot, 'fixtures', 'f1_2.png'), '-o', gal, '--format', 'iso', '-q');
  assert.is(x.code, 0, x.stderr);
  writeFileSync(join(gal, 'hand.lift.json'), '{"fingertips":[]}');
  writeFileSync(join(gal, 'demo.comparisons.json'), '{"probe":"x","results":[]}');
  copyFileSync(join(repoRoot, 'fixtures', 'f1_1.png'), join(gal, 'demo.chart.png'));
  const s = cli('search', join(repoRoot, 'fixtures', 'f1_1.png'), '--gallery', gal, '--json');
  assert.is(s.code, 0, s.stderr);
  const doc = JSON.parse(s.stdout) as { gallerySize: number; failed: number; failures: unknown[] };
  assert.is(doc.gallerySize, 1); // f1_2.iso only (its trail, the lift summary, the comparisons and the chart are left out)
  assert.equal([doc.failed, doc.failures], [0, []]);
});

test('convert: the format is sniffed from the content (ISO named .xyt, no extension), a damaged ISO length is named as such, -o problems are usage errors', () => {
  const dir = join(tmp, 'convert-sniff');
  const x = cli('extract', join(repoRoot, 'fixtures', 'f1_1.png'), '-o', dir, '--format', 'iso', '-q');
  assert.is(x.code, 0, x.stderr);
  const iso = readFileSync(join(dir, 'f1_1.iso'));
  writeFileSync(join(dir, 'iso-named.xyt'), iso);
  const a = cli('convert', join(dir, 'iso-named.xyt'), '--to', 'json', '-o', join(dir, 'a.json'));
  assert.is(a.code, 0, a.stderr);
  assert.not.match(a.stderr, /\.xyt has no image size/);
  assert.is((JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as { width: number }).width > 1, true);
  writeFileSync(join(dir, 'iso-noext'), iso);
  copyFileSync(join(dir, 'a.json'), join(dir, 'json-noext'));
  for (const [name, to] of [['iso-noext', 'json'], ['json-noext', 'xyt']] as const) {
    const r = cli('convert', join(dir, name), '--to', to, '-o', join(dir, `${name}.out.${to}`));
    assert.is(r.code, 0, `${name}: ${r.stderr}`);
  }
  copyFileSync(join(dir, 'json-noext.out.xyt'), join(dir, 'xyt-noext'));
  const t = cli('convert', join(dir, 'xyt-noext'), '--to', 'json', '-o', join(dir, 'xyt-noext.json'));
  assert.is(t.code, 0, t.stderr);
  assert.match(t.stderr, /\.xyt has no image size/);
  const bad = Buffer.from(iso);
  bad.writeUInt32BE(0xffffffff, 8);
  writeFileSync(join(dir, 'badlen.iso'), bad);
  const b = cli('convert', join(dir, 'badlen.iso'), '--to', 'json', '-o', join(dir, 'b.json'));
  assert.is(b.code, 1);
  assert.match(b.stderr, new RegExp(`not a valid ISO/IEC 19794-2:2005 record: the record length field says 4294967295 bytes but the data holds ${iso.length}`), b.stderr);
  const empty = cli('convert', join(dir, 'f1_1.iso'), '--to', 'json', '-o', '');
  assert.is(empty.code, 2, empty.stderr);
  assert.match(empty.stderr, /-o must name the output file, got an empty name/);
  writeFileSync(join(dir, 'a-file'), 'x');
  const blocked = cli('convert', join(dir, 'f1_1.iso'), '--to', 'json', '-o', join(dir, 'a-file', 'y.json'));
  assert.is(blocked.code, 2, blocked.stderr);
  assert.match(blocked.stderr, /cannot write there: a part of the path is a file, not a folder \(ENOTDIR\)/);
});

test('verify: failures are in the JSON, a trail named twice is replayed once, --inputs finds moved inputs (their hash still checked)', () => {
  const vin = join(tmp, 'verify-in');
  const vout = join(tmp, 'verify-out');
  spawnSync('mkdir', ['-p', vin, join(tmp, 'verify-moved'), join(tmp, 'verify-other')]);
  copyFileSync(join(repoRoot, 'fixtures', 'f1_1.png'), join(vin, 'f1_1.png'));
  const x = cli('extract', join(vin, 'f1_1.png'), '-o', vout, '-q');
  assert.is(x.code, 0, x.stderr);
  const trail = join(vout, 'f1_1.trail.json');
  type Doc = { reports: Array<{ ok: boolean }>; failed: number; failures: Array<{ path: string; code: string; message: string }> };
  const twice = cli('verify', trail, join(vout, '.', 'f1_1.trail.json'), '--json');
  assert.is(twice.code, 0, twice.stderr);
  const d1 = JSON.parse(twice.stdout) as Doc;
  assert.is(d1.reports.length, 1);
  assert.equal(d1.failures, []);
  assert.match(twice.stderr, /^verify: \S+f1_1\.trail\.json given 2 times: verified once$/m);
  const missing = cli('verify', join(tmp, 'g.trail.json'), '--json');
  assert.is(missing.code, 1);
  const d2 = JSON.parse(missing.stdout) as Doc;
  assert.is(d2.failed, 1);
  assert.is(d2.failures[0]!.path, join(tmp, 'g.trail.json'));
  assert.is(d2.failures[0]!.code, 'E_NOT_FOUND');
  assert.ok(d2.failures[0]!.message.length > 0);
  // The input moves: verify fails, --inputs <its new folder> passes, another file of that name fails.
  copyFileSync(join(vin, 'f1_1.png'), join(tmp, 'verify-moved', 'f1_1.png'));
  rmSync(join(vin, 'f1_1.png'));
  const moved = cli('verify', trail, '--json');
  assert.is(moved.code, 1);
  assert.is((JSON.parse(moved.stdout) as Doc).failures[0]!.path, trail);
  const found = cli('verify', trail, '--inputs', join(tmp, 'verify-moved'));
  assert.is(found.code, 0, found.stdout + found.stderr);
  copyFileSync(join(repoRoot, 'fixtures', 'f1_2.png'), join(tmp, 'verify-other', 'f1_1.png'));
  const other = cli('verify', trail, '--inputs', join(tmp, 'verify-other'), '--json');
  assert.is(other.code, 1);
  assert.is((JSON.parse(other.stdout) as Doc).reports[0]!.ok, false);
  assert.is(cli('verify', trail, '--inputs', join(tmp, 'no-such-folder')).code, 2);
});

test('small limits read sensibly; compare --ppi takes the photo range with --image-kind photo, the print range otherwise', () => {
  const info = cli('info', '--max-pixels', '1000', join(repoRoot, 'fixtures', 'f1_1.png'));
  assert.is(info.code, 1);
  assert.match(info.stderr, /= 128000 pixels, over the limit of 1000 pixels/);
  assert.not.match(info.stderr, /limit of 0\.0/);
  const dir = join(tmp, 'ppi-kind');
  const x = cli('extract', join(repoRoot, 'fixtures', 'f1_1.png'), join(repoRoot, 'fixtures', 'f1_2.png'), '-o', dir, '-q');
  assert.is(x.code, 0, x.stderr);
  const [a, b] = [join(dir, 'f1_1.xyt'), join(dir, 'f1_2.xyt')];
  const photo = cli('compare', a, b, '--ppi', '100', '--image-kind', 'photo');
  assert.is(photo.code, 0, photo.stderr);
  const print = cli('compare', a, b, '--ppi', '100');
  assert.is(print.code, 2);
  assert.match(print.stderr, /--ppi must be a number in \[200, 20000\].*50-20000 with --image-kind photo/);
  assert.is(cli('compare', a, b, '--ppi', '30', '--image-kind', 'photo').code, 2);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
