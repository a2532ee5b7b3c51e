import { FingerliftError } from '../errors.js';
import { canonicalJson } from '../audit/hash.js';
import type { Trail } from '../audit/trail.js';

/**
 * Recorded step parameters must be those the recorded command options produce: a trail whose parameters
 * were edited (or that comes from another version) is not verified by replaying its command.
 * @throws FingerliftError E_VERIFY naming the first step whose parameters differ.
 */
export function checkRecordedParams(recorded: Trail, replayed: Trail): void {
  const params = new Map(replayed.steps.map((s) => [s.name, canonicalJson(s.params)]));
  for (const s of recorded.steps) {
    const p = params.get(s.name);
    if (p !== undefined && p !== canonicalJson(s.params))
      throw new FingerliftError('E_VERIFY', `step ${s.name}: the recorded parameters differ from those the recorded command options produce (edited trail, or made by another version)`);
  }
}

