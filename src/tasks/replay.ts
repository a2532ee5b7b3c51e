/**
 * Replay of a recorded run for `fingerlift verify`: re-runs the command the trail records, with its
 * recorded options, from the original input, in memory, and returns the hash of every step and file and
 * each step's notes (which `verifyTrail` compares with the recorded ones).
 */
import { basename, resolve } from 'node:path';
import escapeHtml from 'escape-html';
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

/**
 * The replay for a trail file at `trailPath` (outputs are named after it: `<stem>.trail.json`).
 * @param inputPath where the input is now, when it moved since the run (default: the recorded path,
 *   relative to the trail's folder); `verifyTrail` still checks its SHA-256 against the trail.
 */
export function replayFor(trailPath: string, inputPath?: string): Replay {
  return async (trail: Trail) => {
    const stem = outputStem(trail) ?? basename(trailPath).replace(/\.trail\.json$/i, '');
    const input = inputPath !== undefined ? resolve(inputPath) : resolveTrailPath(trail.input.path, trailPath);
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
    // A moved input is read from its new path, and the run writes the path it read into step parameters
    // (load's `path`, a fingertip's `name`) and text outputs (<name>.lift.json, the report, which also lists
    // the hash of <name>.lift.json): there the new path stands for the recorded one, as written (raw,
    // JSON-escaped, HTML-escaped), and the hash of a text output for its hash with the recorded path. The input's identity
    // is its SHA-256, which verifyTrail checks; pictures and templates do not hold the path.
    const moved = inputPath !== undefined && input !== trail.input.path;
    // Every form in which a run writes the path: raw, JSON-escaped, HTML-escaped, and JSON-escaped then
    // HTML-escaped (the report's parameter blocks); a fingertip's name ("<path> fingertip k") holds it raw.
    // One pass over the text with all forms at once (longest first), so a recorded path that contains the
    // new one is not replaced twice.
    const formsOf = (p: string): string[] => {
      const json = JSON.stringify(p).slice(1, -1);
      return [p, json, escapeHtml(p), escapeHtml(json)];
    };
    const swapTable = new Map<string, string>();
    if (moved) {
      const now = formsOf(input), then = formsOf(trail.input.path);
      now.forEach((f, i) => { if (!swapTable.has(f)) swapTable.set(f, then[i]!); });
    }
    const swapWith = (t: string, table: Map<string, string>): string => {
      if (table.size === 0) return t;
      const keys = [...table.keys()].sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      return t.replace(new RegExp(keys.join('|'), 'g'), (m) => table.get(m)!);
    };
    const swapText = (t: string): string => swapWith(t, swapTable);
    if (moved) {
      const swap = (v: unknown): unknown =>
        typeof v === 'string' ? swapText(v)
          : Array.isArray(v) ? v.map(swap)
            : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)])) : v;
      replayed.steps = replayed.steps.map((s) => ({ ...s, params: swap(s.params) as typeof s.params, ...(s.notes ? { notes: s.notes.map(swapText) } : {}) }));
    }
    checkRecordedParams(trail, replayed);
    const hashes = new Map<string, string>();
    const notes = new Map<string, string[]>();
    for (const s of replayed.steps) {
      hashes.set(s.name, s.outputSha256);
      if (s.notes) notes.set(s.name, s.notes);
    }
    // A report lists the size and hash of the other outputs, among them the text files that hold the path:
    // in it, each such file's size and hash from the new path stand for those with the recorded path (the
    // row "<td class="num">size</td><td class="hash"><code>hash", then any other mention of the hash).
    const rowSwaps = new Map<string, string>();
    const hashSwaps = new Map<string, string>();
    const row = (size: number, hash: string): string => `<td class="num">${size}</td><td class="hash"><code>${hash}`;
    const swapped = out.files.map((f) => {
      if (!moved || !/\.json$/i.test(f.suffix)) return f.bytes;
      const b = Buffer.from(swapText(Buffer.from(f.bytes).toString('utf8')), 'utf8');
      const [hNow, hThen] = [sha256Hex(f.bytes), sha256Hex(b)];
      if (hNow !== hThen) {
        rowSwaps.set(row(f.bytes.length, hNow), row(b.length, hThen));
        hashSwaps.set(hNow, hThen);
      }
      return b;
    });
    out.files.forEach((f, i) => {
      let bytes = swapped[i]!;
      if (moved && /\.html$/i.test(f.suffix)) {
        const text = swapWith(swapWith(swapText(Buffer.from(f.bytes).toString('utf8')), rowSwaps), hashSwaps);
        bytes = Buffer.from(text, 'utf8');
      }
      hashes.set(`${stem}${f.suffix}`, sha256Hex(bytes));
    });
    return { hashes, notes };
  };
}
