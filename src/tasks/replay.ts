/**
 * Replay of a recorded run for `fingerlift verify`: re-runs the command the trail records, with its
 * recorded options, from the original input, in memory, and returns the hash of every step and file.
 */
import { basename } from 'node:path';
import { FingerliftError } from '../errors.js';
import { resolveTrailPath, type Replay } from '../audit/verify.js';
import type { Trail } from '../audit/trail.js';
import { runPrintJob, type PrintTaskOptions, type JobOutput } from './print.js';
import { runLiftJob, type LiftTaskOptions } from './lift.js';
import { checkRecordedParams } from './params-check.js';
import { sha256Hex } from '../audit/hash.js';

/** Main outputs of each command, most specific first: the trail's own record of the output stem (a renamed trail file keeps working). */
const MAIN_OUTPUTS = [/^(.*)\.lift\.json$/, /^(.*)\.enhanced\.png$/, /^(.*?)\.(xyt|iso|ansi|json)$/];

function outputStem(trail: Trail): string | undefined {
  for (const re of MAIN_OUTPUTS)
    for (const o of trail.outputs) {
      const m = re.exec(o.path);
      if (m && !o.path.includes('/') && !/\.f\d+\.json$/.test(o.path)) return m[1];
    }
  return undefined;
}

/** The replay for a trail file at `trailPath` (outputs are named after it: `<stem>.trail.json`). */
export function replayFor(trailPath: string): Replay {
  return async (trail: Trail) => {
    const stem = outputStem(trail) ?? basename(trailPath).replace(/\.trail\.json$/i, '');
    const input = resolveTrailPath(trail.input.path, trailPath);
    const options = trail.command?.options ?? {};
    let out: JobOutput;
    switch (trail.command?.name) {
      case 'enhance':
      case 'extract':
        out = await runPrintJob(trail.command.name, input, stem, options as PrintTaskOptions);
        break;
      case 'lift':
        out = await runLiftJob(input, stem, options as LiftTaskOptions);
        break;
      default:
        throw new FingerliftError('E_VERIFY', `cannot replay command "${trail.command?.name ?? '(none recorded)'}": only enhance, extract and lift trails are replayable`, { input: trailPath });
    }
    const replayed = out.trail.toJSON();
    checkRecordedParams(trail, replayed);
    const hashes = new Map<string, string>();
    for (const s of replayed.steps) hashes.set(s.name, s.outputSha256);
    for (const f of out.files) hashes.set(`${stem}${f.suffix}`, sha256Hex(f.bytes));
    return hashes;
  };
}
