import type { Command } from 'commander';
import { loadImage } from '../../src/image/io.js';
import { EXIT_OK, EXIT_SOME_FAILED, failureOf, jsonFailures, nothingToDo, positiveInteger, printJson, printSummary, type FileFailure } from '../common.js';
import { expandInputs, formatSkipped } from '../../src/batch/expand.js';
import { humanText, printable } from '../../src/errors.js';

export function register(program: Command): void {
  program
    .command('info')
    .description('print format, size, bit depth, channels, ppi and SHA-256 of each image')
    .argument('<images...>', 'image files, folders or globs')
    .option('--json', 'one JSON document on stdout')
    .option('--max-pixels <n>', 'largest accepted image in pixels (checked from the header)', positiveInteger('--max-pixels'), 100_000_000)
    .action(async (images: string[], opts: { json?: boolean; maxPixels: number }) => {
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
          const r = await loadImage(path, { maxPixels: opts.maxPixels });
          const s = r.source;
          rows.push({ path, format: s.format, width: s.width, height: s.height, bitDepth: s.bitDepth, channels: s.channels, ppi: r.ppi ?? null, declaredPpi: s.declaredPpi ?? null, sha256: s.sha256, notes: r.notes });
          if (!opts.json)
            process.stdout.write(`${printable(path)}\t${s.format}\t${s.width}x${s.height}\t${s.bitDepth}-bit\t${s.channels} ch\t${r.ppi !== undefined ? `${r.ppi} ppi` : s.declaredPpi !== undefined ? `ppi unknown (declares ${Math.round(s.declaredPpi * 100) / 100}, implausible for a fingerprint)` : 'ppi unknown'}\t${s.sha256}\n`);
          // Damage the decoder worked around is worth a look before anything is built on the pixels.
          for (const n of r.notes.filter((t) => t.startsWith('decoder warning'))) process.stderr.write(humanText`warning: ${path}: ${n}\n`);
          // Pages or frames after the first are not examined: said, not silently dropped.
          for (const n of r.notes.filter((t) => / holds \d+ (pages|frames); /.test(t))) process.stderr.write(humanText`note: ${path}: ${n}\n`);
        } catch (e) {
          const f = failureOf(path, e);
          failures.push(f);
          rows.push({ path, error: { code: f.code, message: f.message } });
        }
      }
      if (opts.json) printJson({ files: rows, ...jsonFailures(failures) });
      printSummary('info', files.length - (failures.length - missing.length), failures, Date.now() - started);
      process.exitCode = failures.length > 0 ? EXIT_SOME_FAILED : EXIT_OK;
      if (files.length === 0 && missing.length === 0) nothingToDo('info', 'input files', expanded.ownOutputs.length);
    });
}
