/**
 * A minimal batch task for the overwrite and interruption tests: writes one small text file per suffix in
 * `options.suffixes` (content: the suffix and the input's SHA-256) and its trail. `options.gate`, when
 * given, is a file the task waits for (polling) before writing, after creating `<gate>.waiting`, so a test can interrupt a batch while an
 * input is in progress without any timing assumption.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditTrail, describeInput } from '../../src/audit/trail.js';
import { sha256Hex } from '../../src/audit/hash.js';
import type { BatchJob, BatchTaskResult } from '../../src/batch/types.js';

export interface FilesOptions {
  suffixes: string[];
  gate?: string;
}

export async function writeFiles(job: BatchJob<FilesOptions>): Promise<BatchTaskResult> {
  const bytes = await readFile(job.input);
  const trail = new AuditTrail({ command: 'files', options: job.options });
  trail.setInput(describeInput(job.input, bytes, {}));
  if (job.options.gate !== undefined) {
    await writeFile(`${job.options.gate}.waiting`, job.input);
    for (;;) {
      if (await access(job.options.gate).then(() => true, () => false)) break;
      await sleep(10);
    }
  }
  for (const s of job.options.suffixes) await job.write(s, `${s} ${sha256Hex(bytes)}\n`, trail);
  await job.writeTrail(trail);
  return { fields: { files: job.options.suffixes.length } };
}
