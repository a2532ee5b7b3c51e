/**
 * Messages from a fresh user's trial (trial 4, 2026-12-06), the files built here: a template given where
 * an image is read was "not an image" without saying it is a template; lift called a print it had lifted
 * "a contact print"; search left out the "read by content" note of gallery rows; search's count of
 * references that scored 0 depended on --top; info's text showed a lifted print's 500 ppi as measured.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage, notAnImageMessage } from '../src/image/io.js';
import { loadComparable } from '../src/tasks/compare.js';
import { runLiftJob } from '../src/tasks/lift.js';
import { writeTemplate } from '../src/formats/index.js';
import { rejection } from './helpers/errors.js';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-image-messages-'));
const fixture = (f: string): string => join(repoRoot, 'fixtures', f);
const cli = (...a: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'fingerlift.js'), ...a], { cwd: tmp, encoding: 'utf8' });

test('a template where an image is read: the message names the template format and the commands that take templates', async () => {
  const c = await loadComparable(fixture('f1_1.png'));
  const iso = writeTemplate(c.template, 'iso');
  writeFileSync(join(tmp, 'tmpl.png'), iso);
  const e = await rejection(loadImage(join(tmp, 'tmpl.png')));
  assert.is(e.code, 'E_DECODE');
  assert.match(e.message, /not an image: the bytes are an ISO\/IEC 19794-2 minutiae template \(an "FMR" record\), not an image; templates are read by compare, search and eval, and converted by convert/);
  assert.match(notAnImageMessage(writeTemplate(c.template, 'ansi')), /an ANSI INCITS 378 minutiae template/);
  assert.match(notAnImageMessage(writeTemplate(c.template, 'json')), /JSON text \(a fingerlift JSON template\?\)/);
  assert.match(notAnImageMessage(writeTemplate(c.template, 'xyt')), /text of whole numbers only \(a NIST \.xyt minutiae template\?\)/);
  // A latent .mnt list (decimals, exponents): not a format fingerlift reads, and said so.
  const mnt = Buffer.from('001\n16 800 768\n313 382 3.141593e-01\n353 385 3.665191e-01\n', 'latin1');
  assert.match(notAnImageMessage(mnt), /text of numbers with decimals, as a minutiae list holds \(such as a latent \.mnt file\), not an image nor a template format fingerlift reads/);
  assert.is(notAnImageMessage(Buffer.from('hello world, no numbers here')), 'not an image: the bytes match no known image format');
  for (const command of ['info', 'extract']) {
    const r = cli(command, 'tmpl.png', ...(command === 'extract' ? ['-o', 'x'] : []));
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, /tmpl\.png: (\[E_DECODE\] )?not an image: the bytes are an ISO\/IEC 19794-2 minutiae template/);
  }
});

test('lift of a print it lifted says so (its mark), not "a contact print"; info shows its scale as estimated', async () => {
  const out = await runLiftJob(fixture('f1_photo.jpg'), 'f1_photo', {});
  writeFileSync(join(tmp, 'p.f1.png'), out.files.find((f) => f.suffix === '.f1.png')!.bytes);
  const e = await rejection(runLiftJob(join(tmp, 'p.f1.png'), 'p.f1', {}));
  assert.is(e.code, 'E_INVALID_ARGUMENT');
  assert.match(e.message, /a print fingerlift already lifted from a photo \(its PNG mark says so\), not a camera photo: use `fingerlift extract`/);
  assert.not.match(e.message, /contact print/);
  const info = cli('info', 'p.f1.png');
  assert.is(info.status, 0, info.stderr);
  assert.match(info.stdout, /\t500 ppi \(scale estimated: a print lifted from a photo of about \d+ ppi at the fingertip\)\t/);
  // A scanned print: a plain ppi.
  assert.match(cli('info', fixture('f1_1.png')).stdout, /\t500 ppi\t/);
});

test('search: gallery rows read by content are noted as compare notes them; references that scored 0 are counted whatever --top is', async () => {
  const c = await loadComparable(fixture('f1_1.png'));
  mkdirSync(join(tmp, 'g'));
  writeFileSync(join(tmp, 'g', 'tmpl.png'), writeTemplate(c.template, 'iso'));
  copyFileSync(fixture('f1_2.png'), join(tmp, 'g', 'img.iso'));
  const s = cli('search', fixture('f1_1.png'), '--gallery', 'g');
  assert.is(s.status, 0, s.stderr);
  assert.match(s.stdout, /tmpl\.png {2}\[tmpl\.png holds an ISO\/IEC 19794-2 template \(by its content\), not the image its extension \.png suggests: read as a template\]/);
  assert.match(s.stdout, /img\.iso {2}\[img\.iso holds a PNG image \(by its first bytes\), not a template: read as an image\]/);
  // Two references that mate nothing, and three that do: --top 3 lists the three, and the two are counted.
  const far = (k: number) => ({ width: 600, height: 600, ppi: 500, minutiae: Array.from({ length: 14 }, (_, i) => ({ x: 10 + k + 3 * (i % 4), y: 10 + 3 * Math.floor(i / 4), angle: 0.1, type: 'ending' as const, quality: 0.5 })) });
  writeFileSync(join(tmp, 'g', 'far1.json'), writeTemplate(far(0), 'json'));
  writeFileSync(join(tmp, 'g', 'far2.json'), writeTemplate(far(1), 'json'));
  writeFileSync(join(tmp, 'g', 'same.json'), writeTemplate(c.template, 'json'));
  for (const top of ['3', '2', '10']) {
    const j = cli('search', fixture('f1_1.png'), '--gallery', 'g', '--json', '--top', top);
    assert.is(j.status, 0, j.stderr);
    const doc = JSON.parse(j.stdout);
    assert.is(doc.gallerySize, 5);
    assert.is(doc.candidates.length, Math.min(Number(top), 3), top);
    assert.is(doc.unlisted, 2, top);
    assert.match(doc.notes[0], /^2 of the 5 references are not listed: they scored 0 \(no minutiae mated\)/);
    if (top === '2') assert.match(doc.notes[0], /; 1 other scored above 0 but below the --top 2 listed$/);
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
