import type { Command } from 'commander';
import { verifyTrailFile, formatVerifyReport } from '../../src/audit/verify.js';
import { replayFor } from '../../src/tasks/replay.js';
import { failureOf, printSummary, type FileFailure } from '../common.js';

export function register(program: Command): void {
  program
    .command('verify')
    .description('replay audit trails from the original inputs; exit 1 on any hash mismatch')
    .argument('<trails...>', '<name>.trail.json files')
    .option('--json', 'one JSON document on stdout')
    .option('--check-files', 'also check the written files on disk against their recorded hashes')
    .action(async (trails: string[], o: { json?: boolean; checkFiles?: boolean }) => {
      const started = Date.now();
      const failures: FileFailure[] = [];
      const reports = [];
      for (const t of trails) {
        try {
          const r = await verifyTrailFile(t, replayFor(t), { checkFilesOnDisk: o.checkFiles ?? false });
          reports.push(r);
          if (!o.json) process.stdout.write(`${formatVerifyReport(r)}\n`);
          if (!r.ok) failures.push({ path: t, code: r.error?.code ?? 'E_VERIFY', message: `${r.mismatches.length} mismatch(es)${r.error ? `; ${r.error.message}` : ''}` });
        } catch (e) {
          failures.push(failureOf(t, e));
        }
      }
      if (o.json) process.stdout.write(JSON.stringify({ reports, failed: failures.length }, null, 2) + '\n');
      printSummary('verify', trails.length - failures.length, failures, Date.now() - started);
      process.exitCode = failures.length > 0 ? 1 : 0;
    });
}
