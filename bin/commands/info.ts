/**
 * `fingerlift info`: what each image file's headers say (format, size, bit depth, channels, resolution,
 * SHA-256 of the bytes, notes), read without decoding its pixels (`readImageInfo`): fast on a huge image,
 * and a damaged one is described as far as its headers go (its damage is its failure). `--decode` also
 * decodes each image as the other commands do (`loadImage`), which alone finds damage inside the
 * compressed data that the decoder works around (the "decoder warning" note) or refuses.
 */
import type { Command } from 'commander';
import { LIFTED_DAMAGED_NOTE, loadImage, readImageInfo, type ImageInfo } from '../../src/image/io.js';
import { EXIT_OK, EXIT_SOME_FAILED, failureOf, jsonFailures, nothingToDo, positiveInteger, printJson, printSummary, stdoutFlushed, type FileFailure } from '../common.js';
import { expandInputs, formatSkipped } from '../../src/batch/expand.js';
import { FingerliftError, humanText, printable } from '../../src/errors.js';

export function register(program: Command): void {
  program
    .command('info')
    .description('print format, size, bit depth, channels, ppi and SHA-256 of each image, from its headers (no decode)')
    .argument('<images...>', 'image files, folders or globs')
    .option('--json', 'one JSON document on stdout')
    .option('--max-pixels <n>', 'largest accepted image in pixels (checked from the header)', positiveInteger('--max-pixels'), 100_000_000)
    .option('--decode', 'also decode each image, as the other commands do (slower): finds damage inside the compressed data, which the headers cannot show')
    .action(async (images: string[], opts: { json?: boolean; maxPixels: number; decode?: boolean }) => {
      const started = Date.now();
      const expanded = await expandInputs(images);
      for (const line of formatSkipped('info', expanded.skipped)) process.stderr.write(`${line}\n`);
      const files = expanded.files.map((f) => f.path);
      const missing: FileFailure[] = expanded.failed.map((f) => ({ path: f.path, code: f.code, message: f.message }));
      const failures: FileFailure[] = [...missing];
      // Every input has its row, also one that was not found (a missing file, a pattern matching nothing).
      const rows: Array<Record<string, unknown>> = missing.map((f) => ({ path: f.path, error: { code: f.code, message: f.message } }));
      for (const path of files) {
        try {
          const r: ImageInfo = opts.decode ? await loadImage(path, { maxPixels: opts.maxPixels }) : await readImageInfo(path, { maxPixels: opts.maxPixels });
          const s = r.source;
          // A file whose structure is damaged: what its headers say, and the damage as its failure.
          const damaged = r.damage !== undefined ? failureOf(path, new FingerliftError('E_DECODE', r.damage, { input: path })) : undefined;
          rows.push({ path, format: s.format, width: s.width, height: s.height, bitDepth: s.bitDepth, channels: s.channels, ppi: r.ppi ?? null, declaredPpi: s.declaredPpi ?? null, sha256: s.sha256, notes: r.notes, decoded: opts.decode === true, ...(damaged ? { error: { code: damaged.code, message: damaged.message } } : {}) });
          if (!opts.json)
            process.stdout.write(`${printable(path)}\t${s.format}\t${s.width}x${s.height}\t${s.bitDepth}-bit\t${s.channels} ch\t${r.ppi !== undefined ? `${r.ppi} ppi${r.scaleEstimated ? ` (scale estimated: a print lifted from a photo of about ${r.estimatedPhotoPpi ?? '?'} ppi at the fingertip)` : ''}` : s.declaredPpi !== undefined ? `ppi unknown (declares ${Math.round(s.declaredPpi * 100) / 100}, implausible for a fingerprint)` : 'ppi unknown'}\t${s.sha256}\n`);
          if (damaged) failures.push(damaged);
          // Damage the decoder worked around is worth a look before anything is built on the pixels; so is
          // a TIFF of which every page is a reduced-resolution image.
          // So is the damage of the photo a lifted print came from (its marks).
          for (const n of r.notes.filter((t) => t.startsWith('decoder warning') || t.startsWith('warning: ') || t.startsWith(LIFTED_DAMAGED_NOTE))) process.stderr.write(humanText`warning: ${path}: ${n.replace(/^warning: /, '')}\n`);
          // Pages or frames other than the one read: said, not silently dropped.
          for (const n of r.notes.filter((t) => / holds \d+ (pages|frames); /.test(t) || /^TIFF page \d+ read /.test(t))) process.stderr.write(humanText`note: ${path}: ${n}\n`);
        } catch (e) {
          const f = failureOf(path, e);
          failures.push(f);
          rows.push({ path, error: { code: f.code, message: f.message } });
        }
      }
      if (opts.json) printJson({ files: rows, ...jsonFailures(failures) });
      // Standard output that cannot be written is the one line on stderr (no "done" summary above it).
      await stdoutFlushed();
      const failedFiles = new Set(failures.map((f) => f.path));
      printSummary('info', files.filter((p) => !failedFiles.has(p)).length, failures, Date.now() - started);
      process.exitCode = failures.length > 0 ? EXIT_SOME_FAILED : EXIT_OK;
      if (files.length === 0 && missing.length === 0) nothingToDo('info', 'input files', expanded.ownOutputs.length);
    });
}
