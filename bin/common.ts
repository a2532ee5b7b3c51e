/**
 * Shared CLI plumbing: exit codes, printing per-file failures, the closing summary.
 * Exit codes for every subcommand: 0 all inputs done, 1 some input failed (the others still processed
 * and reported), 2 usage error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { FingerliftError, humanText, printable } from '../src/errors.js';
import { fsErrorReason } from '../src/fsread.js';
import { cvError } from '../src/cv/index.js';

export const EXIT_OK = 0;
export const EXIT_SOME_FAILED = 1;
export const EXIT_USAGE = 2;

export interface FileFailure {
  path: string;
  code: string;
  message: string;
}

/**
 * Turn anything thrown while processing `path` into a reportable failure. A FingerliftError's message that
 * does not name its input (one from a stage that never knew the file, e.g. processPrint's E_TOO_SMALL) is
 * given `<path>: ` first, as `FingerliftError` does for errors that know their input, so that every
 * failure's message names its file (human lines strip it again: `messageAfterPath`).
 */
export function failureOf(path: string, e: unknown): FileFailure {
  if (e instanceof FingerliftError) return { path, code: e.code, message: e.message.includes(path) || e.message.includes(printable(path)) ? e.message : `${printable(path)}: ${e.message}` };
  if (e instanceof WebAssembly.RuntimeError) { const f = cvError(e, 'OpenCV') as FingerliftError; return { path, code: f.code, message: f.message }; }
  return { path, code: 'E_INTERNAL', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}

/**
 * A failure's message without the `<path>: ` it starts with when it names its file (errors name their
 * input, as the path is or as `printable` shows it), for lines that print the path first themselves.
 */
export function messageAfterPath(path: string, message: string): string {
  for (const p of [path, printable(path)]) if (message.startsWith(`${p}: `)) return message.slice(p.length + 2);
  return message;
}

/**
 * Print the closing summary to stderr (stdout stays clean for --json). Paths and messages are printed as
 * `printable` shows them: a name holding a line break cannot split or forge a line.
 */
export function printSummary(what: string, done: number, failures: FileFailure[], ms: number): void {
  process.stderr.write(`${what}: ${done} done, ${failures.length} failed, ${(ms / 1000).toFixed(1)} s\n`);
  // A message that already starts with the file's path (errors name their input) is not given it twice.
  for (const f of failures) process.stderr.write(humanText`  FAILED ${f.path}: [${f.code}] ${messageAfterPath(f.path, f.message)}\n`);
}

/**
 * The failure part of every command's `--json` document, one shape for all: `failed`, the number of
 * failed inputs (a count, as before in info, verify and search's summary), and `failures`, one entry
 * `{ path, code, message }` per failed input (a file that could not be read, a pattern that matched
 * nothing, an output that could not be written).
 */
export function jsonFailures(failures: readonly FileFailure[]): { failed: number; failures: FileFailure[] } {
  return { failed: failures.length, failures: failures.map((f) => ({ path: f.path, code: f.code, message: f.message })) };
}

/**
 * Why standard output could not be written, as one line: "cannot write to standard output: no space left
 * on device (ENOSPC)" (the system's reason and its error code, as `fsErrorReason` gives them, without
 * Node's ", write" suffix).
 */
export function stdoutWriteFailure(e: unknown): string {
  return `cannot write to standard output: ${fsErrorReason(e).replace(/, write \(/, ' (').replace(/[\r\n]+/g, ' ')}`;
}

/**
 * Resolves once everything written to stdout so far has been handed to the system. When that fails (a
 * full disk: `> /dev/full`), the CLI's stdout error handler (bin/cli.ts) prints its one E_WRITE line and
 * ends the process first, so a command that awaits this before its closing summary prints no summary
 * ("1 done, 0 failed") above that line: the failure to write is the one line on stderr.
 */
export function stdoutFlushed(): Promise<void> {
  // The callback runs after the earlier writes; the stream's 'error' event (nextTick) comes before setImmediate.
  return new Promise((done) => {
    process.stdout.write('', () => setImmediate(done));
  });
}

/** Write one JSON document (2-space indented, one trailing line break) on stdout: the whole of stdout under --json. */
export function printJson(doc: object): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

/**
 * Print the closing summary and set the exit code: 1 when anything failed (or `failed` says the job as a
 * whole failed, e.g. its probe could not be read), else 0.
 */
export async function finish(what: string, done: number, failures: FileFailure[], started: number, failed = failures.length > 0): Promise<void> {
  // After the results have left stdout: when writing them failed (a full disk), that one E_WRITE line is all.
  await stdoutFlushed();
  printSummary(what, done, failures, Date.now() - started);
  process.exitCode = failed ? 1 : 0;
}

/**
 * Say that there was nothing to do (no input left after expanding the arguments), naming the files left
 * out as fingerlift's own outputs, and set exit code 1 (README: "1 when ... there was nothing to do").
 * @param what the command; @param inputs what was missing ("input files", "reference files").
 */
export function nothingToDo(what: string, inputs: string, ownOutputs: number): void {
  process.stderr.write(`${what}: no ${inputs}${ownOutputs > 0 ? ` (all ${ownOutputs} found are named like fingerlift outputs)` : ''}: nothing done\n`);
  process.exitCode = EXIT_SOME_FAILED;
}

/**
 * The value of a numeric option as written in plain decimal: an optional sign, digits, an optional
 * fraction (`500`, `569.5`, `.5`, `-1`); NaN for anything else, so that the option's check refuses it.
 * `Number()` alone also takes hexadecimal (`0x1f4` = 500), octal and binary literals, exponents (`5e2`),
 * `Infinity`, surrounding spaces and an empty string (as 0); a command line states numbers in decimal.
 * The one parser under every numeric option of the CLI.
 */
export function decimalNumber(value: string): number {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value) ? Number(value) : NaN;
}

/** Parse a positive number option; throws a usage error (exit 2) otherwise. */
export function positiveNumber(name: string) {
  return (value: string): number => {
    const v = decimalNumber(value);
    if (!Number.isFinite(v) || v <= 0) throw new UsageError(`${name} must be a positive number, got "${value}"`);
    return v;
  };
}

/** Parse a number option within [min, max]; throws a usage error (exit 2) otherwise. */
export function numberIn(name: string, min: number, max: number, what = '') {
  return (value: string): number => {
    const v = decimalNumber(value);
    if (!Number.isFinite(v) || v < min || v > max) throw new UsageError(`${name} must be a number in [${min}, ${max}]${what}, got "${value}"`);
    return v;
  };
}

/**
 * Parse a positive integer option, at most Number.MAX_SAFE_INTEGER (2^53 - 1 = 9007199254740991: above it
 * a decimal is not held exactly, `9007199254740993` reads as ...992, and sharp's limitInputPixels refuses
 * it); throws a usage error (exit 2) otherwise.
 */
export function positiveInteger(name: string) {
  return (value: string): number => {
    const v = decimalNumber(value);
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`${name} must be a positive integer, got "${value}"`);
    if (!Number.isSafeInteger(v)) throw new UsageError(`${name} must be a positive integer up to ${Number.MAX_SAFE_INTEGER}, got "${value}"`);
    return v;
  };
}

/**
 * Make every option that takes a value (`--ppi <n>`, `-o, --out <dir>`, ...) of `cmd` and its subcommands
 * a usage error when given more than once ("--ppi given twice ("500" and "300"): give it once"): Commander
 * would keep the last value silently. Occurrences are counted as Commander parses them (its
 * `option:<name>` event, once per occurrence, whichever of the option's names was used), not from the
 * value its parser returns (that parser receives the default as `previous` on the first use). Options that
 * take a list of values (`<x...>`) and flags without a value are left alone; commands register none that
 * is meant to be given twice.
 */
export function refuseRepeatedOptions(cmd: Command): void {
  for (const sub of cmd.commands) refuseRepeatedOptions(sub);
  for (const option of cmd.options) {
    if (!(option.required || option.optional) || option.variadic) continue;
    const names = [option.short, option.long].filter((n): n is string => n !== undefined).join('/');
    let first: string | undefined;
    let given = false;
    cmd.on(`option:${option.name()}`, (value: unknown) => {
      const text = value === undefined ? '(no value)' : `"${String(value)}"`;
      if (given) throw new UsageError(`${names} given twice (${first} and ${text}): give it once`);
      given = true;
      first = text;
    });
  }
}

/**
 * Options that mean nothing without another: given alone they would be ignored without a word, so each is
 * a usage error (exit 2) naming the option it needs. `--deblur-method` (enhance, extract, lift) chooses
 * how the blur `--psf` describes is undone: without `--psf` nothing is deblurred.
 */
const NEEDS: ReadonlyArray<{ option: string; needs: string; why: string }> = [
  { option: '--deblur-method', needs: '--psf', why: 'it chooses how the blur --psf describes is undone, and without --psf nothing is deblurred: add --psf auto (or gaussian:<sigma>, disk:<radius>, motion:<length>:<degrees>), or leave --deblur-method out' },
];

/**
 * Before any command runs (Commander's `preAction` hook on `program`): refuse an option of `NEEDS` given
 * on the command line (not its default) without the option it needs. Only commands that have both options
 * are checked.
 */
export function refuseOptionsWithoutTheirPartner(program: Command): void {
  program.hook('preAction', (_program, cmd) => {
    for (const n of NEEDS) {
      const option = cmd.options.find((o) => o.long === n.option);
      const partner = cmd.options.find((o) => o.long === n.needs);
      if (option === undefined || partner === undefined) continue;
      if (cmd.getOptionValueSource(option.attributeName()) === 'cli' && cmd.getOptionValue(partner.attributeName()) === undefined)
        throw new UsageError(`${n.option} ${String(cmd.getOptionValue(option.attributeName()))} needs ${n.needs}: ${n.why}`);
    }
  });
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Check that the folder of `file` exists and takes new files, by making and removing a probe directory
 * there; a usage error (exit 2) otherwise. A missing folder is refused, not created: `file` names a file
 * (convert -o, --chart, --plot, --det, --summary), and a mistyped folder should not appear on disk
 * ("[E_WRITE] folder <dir> does not exist: create it first").
 */
export async function checkWritableFolder(option: string, file: string): Promise<void> {
  const dir = dirname(resolve(file));
  if (!existsSync(dir))
    throw new UsageError(humanText`${option} ${file}: [E_WRITE] folder ${dirname(file)} does not exist: create it first`);
  try {
    await rm(await mkdtemp(join(dir, '.fingerlift-write-test-')), { recursive: true, force: true });
  } catch (e) {
    throw new UsageError(humanText`${option} ${file}: cannot write there: ${fsErrorReason(e)}`);
  }
}
