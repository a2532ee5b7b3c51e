/**
 * Loading, validating and verifying audit trails (`fingerlift verify <trail.json>`).
 *
 * The pipeline supplies the replay (it re-runs the recorded steps from the original input with the
 * recorded parameters and returns the hash of every step output and every file it would write); this
 * module compares each recorded hash with the replay's and lists every mismatch. It also checks that the
 * original input is unchanged (its SHA-256) and, on request, that the written files on disk still have
 * their recorded hashes.
 */
import { readInputFile } from '../fsread.js';

/** Largest audit trail read (64 MiB; a trail records hashes and parameters, typically a few kilobytes). */
const MAX_TRAIL_BYTES = 64 * 2 ** 20;
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FingerliftError, humanText, invalidArgument, isFingerliftError } from '../errors.js';
import { isSha256, sha256Hex } from './hash.js';
import { environment, toolVersion, TRAIL_SCHEMA, type Trail, type TrailInput, type TrailOutput, type TrailStep } from './trail.js';

/** What the replay returns: step name or output path (as recorded) -> SHA-256 hex. */
export type ReplayHashes = Map<string, string>;
export type Replay = (trail: Trail) => Promise<ReplayHashes>;

export interface VerifyMismatch {
  /** What was compared. */
  kind: 'input' | 'step' | 'output';
  /** Step name, or file path as recorded. */
  name: string;
  /** `differs`: both hashes exist and differ; `missing`: the replay (or disk) gave none;
   *  `unexpected`: the replay produced something the trail does not record; `outside`: an output path
   *  that lies outside the trail's folder (outputs are written beside their trail), not read. */
  problem: 'differs' | 'missing' | 'unexpected' | 'outside';
  expected: string | null;
  actual: string | null;
}

export interface VerifyReport {
  ok: boolean;
  /** The trail file, when loaded from one. */
  trailPath?: string;
  /** Number of recorded hashes compared (input + steps + outputs). */
  checked: number;
  matched: number;
  mismatches: VerifyMismatch[];
  /** Differences that do not fail verification but an examiner should know (versions, platform). */
  warnings: string[];
  /** The replay itself failed. */
  error?: { code: string; message: string };
  ms: number;
}

export interface VerifyOptions {
  /** Where the trail file is: relative paths in the trail resolve against its folder (default: cwd). */
  trailPath?: string;
  /** Hash the original input file and compare it (default true). */
  checkInput?: boolean;
  /** Where the main input is now, when it moved since the run (default: the recorded path, `resolveInputPath`). */
  inputPath?: string;
  /** Also hash every recorded output file on disk (default false: only the replay's hashes). */
  checkFilesOnDisk?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Loading and validation.

function fail(source: string, where: string, problem: string): never {
  throw new FingerliftError('E_INVALID_ARGUMENT', `not a valid fingerlift audit trail: ${where}: ${problem}`, { input: source });
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? typeof v : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function obj(v: unknown, source: string, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(source, where, `expected an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function str(o: Record<string, unknown>, key: string, source: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) fail(source, `${where}.${key}`, `expected a non-empty string, got ${describe(v)}`);
  return v;
}

function sha(o: Record<string, unknown>, key: string, source: string, where: string): string {
  const v = o[key];
  if (!isSha256(v)) fail(source, `${where}.${key}`, `expected a SHA-256 (64 lower-case hex digits), got ${describe(v)}`);
  return v;
}

function numOrNull(o: Record<string, unknown>, key: string, source: string, where: string, integer: boolean): number | null {
  const v = o[key];
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v)))
    fail(source, `${where}.${key}`, `expected a ${integer ? 'non-negative integer' : 'non-negative number'} or null, got ${describe(v)}`);
  return v;
}

function parseInput(v: unknown, source: string, where: string): TrailInput {
  const o = obj(v, source, where);
  const size = numOrNull(o, 'size', source, where, true);
  if (size === null) fail(source, `${where}.size`, 'expected the file size in bytes, got null');
  const input: TrailInput = {
    path: str(o, 'path', source, where),
    sha256: sha(o, 'sha256', source, where),
    size,
    width: numOrNull(o, 'width', source, where, true),
    height: numOrNull(o, 'height', source, where, true),
    ppi: numOrNull(o, 'ppi', source, where, false),
  };
  if (o.role !== undefined) input.role = str(o, 'role', source, where);
  return input;
}

/**
 * Check that a parsed JSON value is a trail of this schema and return it typed.
 * @param source Name used in error messages (the file path).
 * @throws FingerliftError E_INVALID_ARGUMENT naming the first bad field (e.g. `steps[2].outputSha256`).
 */
export function parseTrail(value: unknown, source = 'trail'): Trail {
  const o = obj(value, source, '$');
  if (o.schema !== TRAIL_SCHEMA) fail(source, '$.schema', `expected "${TRAIL_SCHEMA}", got ${describe(o.schema)}`);
  const env = obj(o.environment, source, '$.environment');
  const deps = obj(env.dependencies, source, '$.environment.dependencies');
  for (const [k, v] of Object.entries(deps)) if (typeof v !== 'string') fail(source, `$.environment.dependencies.${k}`, `expected a version string, got ${describe(v)}`);
  if (!Array.isArray(o.steps)) fail(source, '$.steps', `expected an array, got ${describe(o.steps)}`);
  if (!Array.isArray(o.outputs)) fail(source, '$.outputs', `expected an array, got ${describe(o.outputs)}`);
  const names = new Set<string>();
  const steps: TrailStep[] = o.steps.map((s, i) => {
    const w = `$.steps[${i}]`;
    const so = obj(s, source, w);
    const name = str(so, 'name', source, w);
    if (names.has(name)) fail(source, `${w}.name`, `step name "${name}" occurs twice`);
    names.add(name);
    if (!('params' in so)) fail(source, `${w}.params`, 'missing');
    const ms = so.ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) fail(source, `${w}.ms`, `expected a duration in ms, got ${describe(ms)}`);
    const step: TrailStep = { name, params: so.params, ms, outputSha256: sha(so, 'outputSha256', source, w) };
    if (so.notes !== undefined) {
      if (!Array.isArray(so.notes) || !so.notes.every((n) => typeof n === 'string')) fail(source, `${w}.notes`, 'expected an array of strings');
      step.notes = so.notes as string[];
    }
    return step;
  });
  const paths = new Set<string>();
  const outputs: TrailOutput[] = o.outputs.map((x, i) => {
    const w = `$.outputs[${i}]`;
    const xo = obj(x, source, w);
    const path = str(xo, 'path', source, w);
    if (paths.has(path)) fail(source, `${w}.path`, `output "${path}" occurs twice`);
    paths.add(path);
    const size = numOrNull(xo, 'size', source, w, true);
    if (size === null) fail(source, `${w}.size`, 'expected the file size in bytes, got null');
    return { path, sha256: sha(xo, 'sha256', source, w), size };
  });
  const trail: Trail = {
    schema: TRAIL_SCHEMA,
    tool: str(o, 'tool', source, '$'),
    version: str(o, 'version', source, '$'),
    createdAt: str(o, 'createdAt', source, '$'),
    environment: {
      node: str(env, 'node', source, '$.environment'),
      platform: str(env, 'platform', source, '$.environment'),
      arch: str(env, 'arch', source, '$.environment'),
      dependencies: deps as Record<string, string>,
    },
    input: parseInput(o.input, source, '$.input'),
    steps,
    outputs,
  };
  if (o.command !== undefined) {
    const c = obj(o.command, source, '$.command');
    trail.command = { name: str(c, 'name', source, '$.command'), options: c.options ?? {} };
  }
  if (o.otherInputs !== undefined) {
    if (!Array.isArray(o.otherInputs)) fail(source, '$.otherInputs', `expected an array, got ${describe(o.otherInputs)}`);
    trail.otherInputs = o.otherInputs.map((x, i) => parseInput(x, source, `$.otherInputs[${i}]`));
  }
  return trail;
}

/**
 * Read and validate a trail file.
 * @throws FingerliftError E_NOT_FOUND (unreadable), E_INVALID_ARGUMENT (path not a non-empty string, not
 *   JSON, or not a trail).
 */
export async function loadTrail(path: string): Promise<Trail> {
  if (!(typeof path === 'string' && path !== '')) throw invalidArgument('loadTrail: path', 'a file path (non-empty string)', path);
  const text = (await readInputFile(path, { maxBytes: MAX_TRAIL_BYTES, what: 'audit trail' })).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // Node quotes the offending text in its message; a binary file would fill the terminal with bytes.
    const why = (e as Error).message.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
    throw new FingerliftError('E_INVALID_ARGUMENT', `audit trail is not valid JSON (${/^\s*[[{]/.test(text) ? why : 'it does not start with { : not a .trail.json file?'})`, { input: path, cause: e });
  }
  return parseTrail(value, path);
}

// ---------------------------------------------------------------------------------------------------
// Verification.

/** Resolve a path recorded in a trail: relative paths are relative to the trail file's folder. */
export function resolveTrailPath(recorded: string, trailPath?: string): string {
  if (isAbsolute(recorded)) return recorded;
  return trailPath ? resolve(dirname(trailPath), recorded) : resolve(recorded);
}

/**
 * Find a recorded input: absolute as is; a relative path (as the user typed it) is looked for beside the
 * trail file first, then in the current folder. Whichever is found, its SHA-256 is still checked
 * against the trail, so the fallback cannot substitute another file unnoticed.
 */
export function resolveInputPath(recorded: string, trailPath?: string): string {
  if (isAbsolute(recorded)) return recorded;
  const besideTrail = resolveTrailPath(recorded, trailPath);
  return existsSync(besideTrail) ? besideTrail : resolve(recorded);
}

async function hashFile(path: string): Promise<string | null> {
  try {
    return sha256Hex(await readInputFile(path, { maxBytes: 2 ** 31 - 1, what: 'file' }));
  } catch {
    return null;
  }
}

/** Is `path` inside `folder` (or below it)? Both absolute. */
function inside(path: string, folder: string): boolean {
  return path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/**
 * Hash every recorded output file on disk and list those missing, changed, or outside the trail's folder.
 * Relative paths resolve against the trail file's folder (the current folder without `trailPath`).
 * Outputs are written beside their trail, so a recorded path that leaves that folder (`../../etc/hostname`,
 * an absolute path elsewhere, or a link in the folder that points out of it) is never read: it is listed
 * with problem `outside` (a hand-edited trail cannot make fingerlift read other files).
 */
export async function checkOutputsOnDisk(trail: Trail, trailPath?: string): Promise<VerifyMismatch[]> {
  const out: VerifyMismatch[] = [];
  const folder = trailPath !== undefined ? dirname(resolve(trailPath)) : resolve('.');
  const folderReal = await realpath(folder).catch(() => folder);
  for (const o of trail.outputs) {
    const path = resolveTrailPath(o.path, trailPath);
    let real = path;
    if (inside(path, folder)) real = await realpath(path).catch(() => path); // unreadable: hashFile says missing
    if (!inside(path, folder) || (real !== path && !inside(real, folderReal))) {
      out.push({ kind: 'output', name: o.path, problem: 'outside', expected: o.sha256, actual: null });
      continue;
    }
    const actual = await hashFile(path);
    if (actual !== o.sha256) out.push({ kind: 'output', name: o.path, problem: actual === null ? 'missing' : 'differs', expected: o.sha256, actual });
  }
  return out;
}

function versionWarnings(trail: Trail): string[] {
  const w: string[] = [];
  const tool = toolVersion();
  if (trail.tool !== tool.name || trail.version !== tool.version)
    w.push(`recorded with ${trail.tool} ${trail.version}, replayed with ${tool.name} ${tool.version}`);
  const env = environment();
  for (const [dep, v] of Object.entries(trail.environment.dependencies))
    if (env.dependencies[dep] !== undefined && env.dependencies[dep] !== v) w.push(`${dep}: recorded ${v}, installed ${env.dependencies[dep]}`);
  if (trail.environment.node !== env.node) w.push(`Node.js: recorded ${trail.environment.node}, running ${env.node}`);
  if (trail.environment.platform !== env.platform || trail.environment.arch !== env.arch)
    w.push(`platform: recorded ${trail.environment.platform}/${trail.environment.arch}, running ${env.platform}/${env.arch}`);
  return w;
}

/**
 * Re-run a trail through `replay` and compare every recorded hash (input, each step, each output)
 * with the replay's. Never throws for a mismatch or a failing replay: both are in the report.
 * @param trail a trail (`loadTrail`, or `AuditTrail.toJSON()`); checked as `parseTrail` checks a file.
 * @param replay re-runs the trail's command and returns the hashes of its steps and outputs.
 * @throws FingerliftError E_INVALID_ARGUMENT (only for the arguments) for a trail that is not a valid
 *   trail, a replay that is not a function, or options that are not an object.
 */
export async function verifyTrail(trail: Trail, replay: Replay, opts: VerifyOptions = {}): Promise<VerifyReport> {
  parseTrail(trail, 'verifyTrail: trail');
  checkReplayArgs('verifyTrail', replay, opts);
  const t0 = performance.now();
  const mismatches: VerifyMismatch[] = [];
  let checked = 0;
  let error: { code: string; message: string } | undefined;
  const report = (): VerifyReport => {
    const r: VerifyReport = {
      ok: mismatches.length === 0 && error === undefined,
      checked,
      matched: checked - mismatches.filter((m) => m.problem !== 'unexpected').length,
      mismatches,
      warnings: versionWarnings(trail),
      ms: Math.round((performance.now() - t0) * 1000) / 1000,
    };
    if (opts.trailPath !== undefined) r.trailPath = opts.trailPath;
    if (error) r.error = error;
    return r;
  };

  if (opts.checkInput !== false) {
    for (const input of [trail.input, ...(trail.otherInputs ?? [])]) {
      checked++;
      const where = input === trail.input && opts.inputPath !== undefined ? opts.inputPath : resolveInputPath(input.path, opts.trailPath);
      const actual = await hashFile(where);
      // Named by the file actually hashed (a moved input: the one found in --inputs), with the recorded path beside it.
      const name = input === trail.input && opts.inputPath !== undefined && resolve(opts.inputPath) !== resolve(input.path) ? `${where} (recorded as ${input.path})` : input.path;
      if (actual !== input.sha256) mismatches.push({ kind: 'input', name, problem: actual === null ? 'missing' : 'differs', expected: input.sha256, actual });
    }
  }

  let hashes: ReplayHashes;
  try {
    hashes = await replay(trail);
  } catch (e) {
    error = isFingerliftError(e) ? { code: e.code, message: e.message } : { code: 'E_VERIFY', message: `replay failed: ${(e as Error)?.message ?? String(e)}` };
    return report();
  }

  const known = new Set<string>();
  const compare = (kind: 'step' | 'output', name: string, expected: string): void => {
    checked++;
    known.add(name);
    const actual = hashes.get(name);
    if (actual === undefined) mismatches.push({ kind, name, problem: 'missing', expected, actual: null });
    else if (actual !== expected) mismatches.push({ kind, name, problem: 'differs', expected, actual });
  };
  for (const s of trail.steps) compare('step', s.name, s.outputSha256);
  for (const o of trail.outputs) compare('output', o.path, o.sha256);
  for (const [name, actual] of hashes) if (!known.has(name)) mismatches.push({ kind: 'step', name, problem: 'unexpected', expected: null, actual });

  if (opts.checkFilesOnDisk) {
    const disk = await checkOutputsOnDisk(trail, opts.trailPath);
    checked += trail.outputs.length;
    for (const m of disk) mismatches.push({ ...m, name: `${m.name} (on disk)` });
  }
  return report();
}

function checkReplayArgs(fn: string, replay: unknown, opts: unknown): void {
  if (typeof replay !== 'function') throw invalidArgument(`${fn}: replay`, 'a function (trail) => Promise<Map<step or output name, SHA-256>>', replay);
  if (opts === null || typeof opts !== 'object') throw invalidArgument(`${fn}: options`, 'an options object { trailPath?, checkInput?, inputPath?, checkFilesOnDisk? }', opts);
}

/**
 * Load a trail file and verify it (`loadTrail` + `verifyTrail` with the file's folder as base).
 * @throws FingerliftError as `loadTrail` (E_NOT_FOUND, E_INVALID_ARGUMENT) and E_INVALID_ARGUMENT for a
 *   replay that is not a function or options that are not an object.
 */
export async function verifyTrailFile(path: string, replay: Replay, opts: Omit<VerifyOptions, 'trailPath'> = {}): Promise<VerifyReport> {
  checkReplayArgs('verifyTrailFile', replay, opts);
  const trail = await loadTrail(path);
  return verifyTrail(trail, replay, { ...opts, trailPath: path });
}

/**
 * Human-readable lines for the CLI: one line per mismatch, then a verdict.
 * @throws FingerliftError E_INVALID_ARGUMENT for something that is not a VerifyReport (from `verifyTrail`).
 */
export function formatVerifyReport(r: VerifyReport): string {
  if (r === null || typeof r !== 'object' || !Array.isArray(r.warnings) || !Array.isArray(r.mismatches))
    throw invalidArgument('formatVerifyReport', "verifyTrail()'s report { ok, checked, matched, mismatches, warnings }", r);
  const lines: string[] = [];
  const short = (h: string | null): string => (h === null ? '(none)' : h.slice(0, 16));
  // One line per item whatever a path or message holds (`humanText`: line breaks and other controls escaped).
  if (r.trailPath) lines.push(humanText`trail: ${r.trailPath}`);
  for (const w of r.warnings) lines.push(humanText`warning: ${w}`);
  for (const m of r.mismatches) {
    if (m.problem === 'outside') {
      lines.push(humanText`MISMATCH output path ${m.name.replace(/ \(on disk\)$/, '')} lies outside the trail's folder: not checked`);
      continue;
    }
    const source = m.name.endsWith(' (on disk)') ? 'on disk' : m.kind === 'input' ? 'now' : 'replay';
    const what = m.problem === 'unexpected' ? 'produced by the replay but not recorded' : m.problem === 'missing' ? (source === 'on disk' ? 'missing' : 'not reproduced') : 'differs';
    lines.push(humanText`MISMATCH ${m.kind} ${m.name}: ${what} (recorded ${short(m.expected)}, ${source} ${short(m.actual)})`);
  }
  if (r.ok) lines.push(`OK: ${r.matched}/${r.checked} hashes reproduced`);
  else if (r.error) {
    // The replay failed: only the hashes checked before it (the inputs') were compared.
    const mm = r.mismatches.length > 0 ? `, ${r.mismatches.length} mismatch(es)` : '';
    lines.push(humanText`FAILED: replay failed: [${r.error.code}] ${r.error.message.replace(/^replay failed: /, '')} (before it, ${r.matched}/${r.checked} input hashes matched${mm})`);
  } else lines.push(`FAILED: ${r.matched}/${r.checked} hashes reproduced, ${r.mismatches.length} mismatch(es)`);
  return lines.join('\n');
}

/**
 * Throw when a verification failed (for callers that want an exception, e.g. the CLI's exit code 1).
 * @throws FingerliftError E_VERIFY listing the mismatches.
 */
export function assertVerified(r: VerifyReport): void {
  if (!r.ok) throw new FingerliftError('E_VERIFY', formatVerifyReport(r), r.trailPath !== undefined ? { input: r.trailPath } : {});
}
