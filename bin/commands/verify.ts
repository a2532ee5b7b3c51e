import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadTrail, verifyTrail, formatVerifyReport, type VerifyReport } from '../../src/audit/verify.js';
import { replayFor } from '../../src/tasks/replay.js';
import { failureOf, jsonFailures, printJson, printSummary, stdoutFlushed, UsageError, type FileFailure } from '../common.js';
import { humanText, printable } from '../../src/errors.js';
import { fsErrorReason } from '../../src/fsread.js';
import { formatRepeated, groupRepeated } from '../../src/batch/expand.js';

export function register(program: Command): void {
  // --check-files and --no-check-files set one value: given both, the last would win silently. Which of
  // them the command line holds is recorded as Commander parses it, and both together are a usage error.
  const given = new Set<string>();
  program
    .command('verify')
    .description('replay audit trails from the original inputs; exit 1 on any hash mismatch')
    .argument('<trails...>', '<name>.trail.json files')
    .option('--json', 'one JSON document on stdout: { reports, failed (count), failures: [{ path, code, message }] }')
    .option('--check-files', 'strict: every output the trail records must be on disk (in the trail\'s folder) with its recorded hash (default: those present are checked, absent ones listed as not checked)')
    .option('--no-check-files', 'do not look at the written files on disk (only the input and the replay)')
    .option('--inputs <dir>', 'the inputs moved: look each one up in <dir> by the file name its trail records (its SHA-256 is still checked)')
    .on('option:check-files', () => given.add('--check-files'))
    .on('option:no-check-files', () => given.add('--no-check-files'))
    .action(async (trails: string[], o: { json?: boolean; checkFiles?: boolean | undefined; inputs?: string }) => {
      const started = Date.now();
      if (given.size > 1) throw new UsageError('--check-files (strict: every recorded output must be on disk) and --no-check-files (do not look at the files on disk) contradict each other: give one of them');
      if (o.inputs !== undefined) {
        const st = await stat(o.inputs).catch((e: unknown) => fsErrorReason(e));
        if (typeof st === 'string') throw new UsageError(humanText`--inputs ${o.inputs}: ${st}`);
        if (!st.isDirectory()) throw new UsageError(humanText`--inputs ${o.inputs}: not a folder`);
      }
      // The same trail named twice (also through ./, ../ or a link) is verified once, as other commands do.
      const { unique: uniqueAbs, repeated } = await groupRepeated(trails.map((t) => resolve(t)), new Set(trails.map((t) => resolve(t))));
      // Each trail as the user typed it (the first mention of the path taken).
      const unique = uniqueAbs.map((abs: string) => trails.find((t) => resolve(t) === abs)!);
      for (const line of formatRepeated('verify', repeated, 'verified once')) process.stderr.write(`${line}\n`);
      const failures: FileFailure[] = [];
      const reports: VerifyReport[] = [];
      for (const t of unique) {
        try {
          const trail = await loadTrail(t);
          const inputPath = o.inputs !== undefined ? join(o.inputs, basename(trail.input.path)) : undefined;
          const r = await verifyTrail(trail, replayFor(t, inputPath), { trailPath: t, checkFilesOnDisk: o.checkFiles ?? 'present', ...(inputPath !== undefined ? { inputPath } : {}) });
          reports.push(r);
          if (!o.json) process.stdout.write(`${formatVerifyReport(r)}\n`);
          if (!r.ok) {
            const outside = r.mismatches.filter((m) => m.problem === 'outside').length;
            const parts = [
              ...(r.error ? [`replay failed: ${r.error.message.replace(/^replay failed: /, '')}`] : []),
              ...(r.mismatches.length > 0 || !r.error ? [`${r.mismatches.length} mismatch(es)`] : []),
              ...(outside > 0 ? [`${outside} output path(s) outside the trail's folder, not checked`] : []),
            ];
            failures.push({ path: t, code: r.error?.code ?? 'E_VERIFY', message: parts.join('; ') });
          }
        } catch (e) {
          failures.push(failureOf(t, e));
        }
      }
      if (o.json) printJson({ reports, ...jsonFailures(failures) });
      // Standard output that cannot be written is the one line on stderr (no summary above it).
      await stdoutFlushed();
      printSummary('verify', unique.length - failures.length, failures, Date.now() - started);
      process.exitCode = failures.length > 0 ? 1 : 0;
    });
}
