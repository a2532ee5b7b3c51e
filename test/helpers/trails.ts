import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditTrail, describeInput, type Trail } from '../../src/audit/trail.js';

/**
 * A minimal trail written into `dir` as `in.trail.json`: a `files` run of the 5-byte input `in.bin`
 * (written too) recording `outputs` as [path, content], written to disk too when `writeOutputs` is set
 * (else the caller decides what is on disk). Returns the trail as read back and its path.
 */
export async function trailIn(dir: string, outputs: Array<[string, string]>, writeOutputs = false): Promise<{ trail: Trail; trailPath: string }> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'in.bin'), 'input');
  const t = new AuditTrail({ command: 'files', options: {} });
  t.setInput(describeInput(join(dir, 'in.bin'), Buffer.from('input')));
  for (const [path, content] of outputs) t.output(path, content);
  const trailPath = join(dir, 'in.trail.json');
  await writeFile(trailPath, t.serialize());
  if (writeOutputs) for (const [path, content] of outputs) await writeFile(join(dir, path), content);
  return { trail: JSON.parse(t.serialize()) as Trail, trailPath };
}
