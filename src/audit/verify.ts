/**
 * Loading, validating and verifying audit trails (`fingerlift verify <trail.json>`).
 *
 * The pipeline supplies the replay (it re-runs the recorded steps from the original input with the
 * recorded parameters and returns the hash of every step output and every file it would write); this
 * module compares each recorded hash with the replay's and lists every mismatch. It also checks that the
 * original input is unchanged (its SHA-256) and that the written files on disk still have their recorded
 * hashes: by default those present beside the trail (absent ones are listed, not failed), strictly all of
 * them with `checkFilesOnDisk: true`.
 */
import { readInputFile } from '../fsread.js';
import { parseJsonText } from '../formats/json-text.js';

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
/**
 * What a replay may return instead of bare hashes: the hashes and each replayed step's notes (step name ->
 * notes, in order; a step without notes may be absent). With notes, `verifyTrail` also compares each
 * recorded step's notes (the decoder's warning of damaged data, the file's own warnings, ...) with the
 * replay's: a note removed from or added to a trail is a mismatch (problem `notes`) naming the step.
 */
export interface ReplayResult {
  hashes: ReplayHashes;
  notes: Map<string, string[]>;
}
export type Replay = (trail: Trail) => Promise<ReplayHashes | ReplayResult>;

export interface VerifyMismatch {
  /** What was compared. */
  kind: 'input' | 'step' | 'output';
  /** Step name, or file path as recorded. */
  name: string;
  /** `differs`: both hashes exist and differ; `missing`: the replay (or disk) gave none;
   *  `unexpected`: the replay produced something the trail does not record; `outside`: an output path
   *  that lies outside the trail's folder (outputs are written beside their trail), not read; `notes`: a
   *  step's notes (warnings, decisions) differ from the replay's, `expected` and `actual` then hold the
   *  recorded and replayed notes joined by " | " (not hashes; the step's hash may still match). */
  problem: 'differs' | 'missing' | 'unexpected' | 'outside' | 'notes';
  expected: string | null;
  actual: string | null;
}

export interface VerifyReport {
  ok: boolean;
  /** The trail file, when loaded from one. */
  trailPath?: string;
  /** Number of recorded hashes compared: inputs, steps and outputs against the replay, plus the files on
   *  disk (`files`: those hashed and those outside the folder; with the strict check every recorded output). */
  checked: number;
  matched: number;
  mismatches: VerifyMismatch[];
  /** Differences that do not fail verification but an examiner should know (versions, platform). */
  warnings: string[];
  /** The replay itself failed. */
  error?: { code: string; message: string };
  /** What was checked of the written files on disk (`checkFilesOnDisk`). */
  files: FilesOnDisk;
  ms: number;
}

/**
 * The check of the recorded output files on disk. `mode`: `all` (every recorded output must be present and
 * match: `checkFilesOnDisk: true`), `present` (those present are hashed, absent ones listed: the default
 * with a trail file), `off` (not looked at). A mismatch of a file on disk is also in `mismatches`, named
 * `<path> (on disk)`.
 */
export interface FilesOnDisk {
  mode: 'all' | 'present' | 'off';
  /** Recorded outputs hashed on disk. */
  checked: number;
  /** Of those, how many had their recorded hash. */
  matched: number;
  /** Recorded outputs not on disk (paths as recorded): not checked in `present` mode, mismatches in `all`. */
  absent: string[];
  /** Recorded output paths outside the trail's folder: never read, and a mismatch in either mode. */
  outside: number;
}

export interface VerifyOptions {
  /** Where the trail file is: relative paths in the trail resolve against its folder (default: cwd). */
  trailPath?: string;
  /** Hash the original input file and compare it (default true). */
  checkInput?: boolean;
  /** Where the main input is now, when it moved since the run (default: the recorded path, `resolveInputPath`). */
  inputPath?: string;
  /**
   * The written files on disk (only inside the trail's folder; a recorded path outside it is a mismatch and
   * is not read): `true`, every recorded output must be present with its recorded hash; `'present'`, those
   * present must match and absent ones are listed in `files.absent` without failing; `false`, not looked
   * at. Default `'present'` when `trailPath` is given (as `verifyTrailFile` does), else `false`.
   */
  checkFilesOnDisk?: boolean | 'present';
}

// ---------------------------------------------------------------------------------------------------
// Loading and validation.

function fail(source: string, where: string, problem: string): never {
  throw new FingerliftError('E_INVALID_ARGUMENT', `not a valid fingerlift audit trail: ${where}: ${problem}`, { input: source });
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    // A value nested too deeply to print (or holding a cycle), given through the API: said by its type.
    return Array.isArray(v) ? 'an array nested too deeply to print' : typeof v;
  }
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
 *   JSON, nested deeper than MAX_JSON_DEPTH (256) arrays and objects, or not a trail).
 */
export async function loadTrail(path: string): Promise<Trail> {
  if (!(typeof path === 'string' && path !== '')) throw invalidArgument('loadTrail: path', 'a file path (non-empty string)', path);
  const text = (await readInputFile(path, { maxBytes: MAX_TRAIL_BYTES, what: 'audit trail' })).toString('utf8');
  // The shared guarded parser: text nested deeper than MAX_JSON_DEPTH is refused before it is parsed.
  const value = parseJsonText(text, (p) =>
    p.kind === 'depth'
      ? new FingerliftError('E_INVALID_ARGUMENT', `not a fingerlift audit trail: ${p.problem}`, { input: path })
      : new FingerliftError('E_INVALID_ARGUMENT', `audit trail is not valid JSON (${/^\s*[[{]/.test(text) ? p.problem.replace(/^not JSON \((.*)\)$/s, '$1') : 'it does not start with { : not a .trail.json file?'})`, { input: path, cause: p.cause }));
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
  return (await hashOutputsOnDisk(trail, trailPath)).mismatches;
}

/**
 * `checkOutputsOnDisk` with the count of files hashed (present and inside the folder) and the recorded
 * paths of those absent (no file there: a file there that cannot be read is not absent, it is a mismatch).
 */
async function hashOutputsOnDisk(trail: Trail, trailPath?: string): Promise<{ mismatches: VerifyMismatch[]; hashed: number; absent: Set<string> }> {
  const out: VerifyMismatch[] = [];
  const absent = new Set<string>();
  let hashed = 0;
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
    if (actual !== null) hashed++;
    else if (!existsSync(path)) absent.add(o.path);
    if (actual !== o.sha256) out.push({ kind: 'output', name: o.path, problem: actual === null ? 'missing' : 'differs', expected: o.sha256, actual });
  }
  return { mismatches: out, hashed, absent };
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
 * with the replay's, and, when the replay returns notes (`ReplayResult`), each step's recorded notes with
 * the replayed ones. Never throws for a mismatch or a failing replay: both are in the report.
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
  const diskMode = opts.checkFilesOnDisk === true ? 'all' : opts.checkFilesOnDisk === 'present' || (opts.checkFilesOnDisk === undefined && opts.trailPath !== undefined) ? 'present' : 'off';
  const files: FilesOnDisk = { mode: diskMode, checked: 0, matched: 0, absent: [], outside: 0 };
  const report = (): VerifyReport => {
    const r: VerifyReport = {
      ok: mismatches.length === 0 && error === undefined,
      checked,
      // A notes mismatch is not a hash: it fails the check without counting as an unreproduced hash.
      matched: checked - mismatches.filter((m) => m.problem !== 'unexpected' && m.problem !== 'notes').length,
      mismatches,
      warnings: versionWarnings(trail),
      files,
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

  // The files on disk are hashed before the replay (they do not depend on it), and reported also when it fails.
  const disk = diskMode !== 'off' ? await hashOutputsOnDisk(trail, opts.trailPath) : undefined;
  const addDisk = (): void => {
    if (!disk) return;
    files.absent = disk.mismatches.filter((m) => m.problem === 'missing' && disk.absent.has(m.name)).map((m) => m.name);
    files.outside = disk.mismatches.filter((m) => m.problem === 'outside').length;
    files.checked = disk.hashed;
    files.matched = disk.hashed - disk.mismatches.filter((m) => m.problem === 'differs').length;
    // Strict: every recorded output counts (an absent one as a mismatch). Present: all but the absent ones
    // (those hashed, those outside the folder and those that cannot be read, both mismatches in either mode).
    checked += diskMode === 'all' ? trail.outputs.length : trail.outputs.length - files.absent.length;
    for (const m of disk.mismatches) if (diskMode === 'all' || !(m.problem === 'missing' && disk.absent.has(m.name))) mismatches.push({ ...m, name: `${m.name} (on disk)` });
  };

  let hashes: ReplayHashes;
  let notes: Map<string, string[]> | undefined;
  try {
    const r = await replay(trail);
    if (r instanceof Map) hashes = r;
    else {
      hashes = r.hashes;
      notes = r.notes;
    }
  } catch (e) {
    error = isFingerliftError(e) ? { code: e.code, message: e.message } : { code: 'E_VERIFY', message: `replay failed: ${(e as Error)?.message ?? String(e)}` };
    addDisk();
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
  // Each step's notes as recorded and as replayed (a step the replay did not produce is already a mismatch).
  if (notes)
    for (const s of trail.steps) {
      if (!hashes.has(s.name)) continue;
      const was = s.notes ?? [], now = notes.get(s.name) ?? [];
      if (was.length !== now.length || was.some((n, i) => n !== now[i]))
        mismatches.push({ kind: 'step', name: s.name, problem: 'notes', expected: was.join(' | '), actual: now.join(' | ') });
    }
  for (const o of trail.outputs) compare('output', o.path, o.sha256);
  for (const [name, actual] of hashes) if (!known.has(name)) mismatches.push({ kind: 'step', name, problem: 'unexpected', expected: null, actual });

  addDisk();
  return report();
}

function checkReplayArgs(fn: string, replay: unknown, opts: unknown): void {
  if (typeof replay !== 'function') throw invalidArgument(`${fn}: replay`, 'a function (trail) => Promise<Map<step or output name, SHA-256> | { hashes, notes }>', replay);
  if (opts === null || typeof opts !== 'object') throw invalidArgument(`${fn}: options`, 'an options object { trailPath?, checkInput?, inputPath?, checkFilesOnDisk? }', opts);
  const c = (opts as VerifyOptions).checkFilesOnDisk;
  if (c !== undefined && c !== true && c !== false && c !== 'present') throw invalidArgument(`${fn}: checkFilesOnDisk`, "true (every recorded output), 'present' (those on disk) or false", c);
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
    if (m.problem === 'notes') {
      const list = (n: string | null): string => (n ? `"${n}"` : '(none)');
      lines.push(humanText`MISMATCH step ${m.name}: notes differ (recorded ${list(m.expected)}, replay ${list(m.actual)})`);
      continue;
    }
    const source = m.name.endsWith(' (on disk)') ? 'on disk' : m.kind === 'input' ? 'now' : 'replay';
    const what = m.problem === 'unexpected' ? 'produced by the replay but not recorded' : m.problem === 'missing' ? (source === 'on disk' ? 'missing' : 'not reproduced') : 'differs';
    lines.push(humanText`MISMATCH ${m.kind} ${m.name}: ${what} (recorded ${short(m.expected)}, ${source} ${short(m.actual)})`);
  }
  // What was checked, always said: the input and replay hashes, and the files on disk.
  const f: FilesOnDisk = r.files ?? { mode: 'off', checked: 0, matched: 0, absent: [], outside: 0 };
  if (f.mode === 'present') for (const a of f.absent) lines.push(humanText`absent output ${a}: not on disk, not checked`);
  // Hashes of files on disk in `checked`: those hashed, and the mismatches on disk other than a differing file.
  const diskCounted = f.mode === 'off' ? 0 : f.checked + r.mismatches.filter((m) => m.name.endsWith(' (on disk)') && m.problem !== 'differs').length;
  const replayChecked = r.checked - diskCounted, replayMatched = r.matched - f.matched;
  const differ = f.checked - f.matched;
  const disk = f.mode === 'off'
    ? 'files on disk: not checked'
    : `files on disk: ${f.checked} checked${differ > 0 ? ` (${differ} differ)` : ''}, ${f.absent.length} absent${f.absent.length > 0 ? (f.mode === 'all' ? ' (each a mismatch: every recorded output required)' : ' (not checked)') : ''}${f.outside > 0 ? `, ${f.outside} outside the trail's folder (not read)` : ''}`;
  if (r.ok) lines.push(`OK: ${r.matched}/${r.checked} hashes reproduced (input and replay ${replayMatched}/${replayChecked}; ${disk})`);
  else if (r.error) {
    // The replay failed: only the hashes checked before it (the inputs', the files on disk) were compared.
    const mm = r.mismatches.length > 0 ? `, ${r.mismatches.length} mismatch(es)` : '';
    lines.push(humanText`FAILED: replay failed: [${r.error.code}] ${r.error.message.replace(/^replay failed: /, '')} (before it, ${replayMatched}/${replayChecked} input hashes matched; ${disk}${mm})`);
  } else lines.push(`FAILED: ${r.matched}/${r.checked} hashes reproduced, ${r.mismatches.length} mismatch(es)${r.mismatches.some((m) => m.problem === 'notes') ? ` (${r.mismatches.filter((m) => m.problem === 'notes').length} in a step's notes)` : ''} (input and replay ${replayMatched}/${replayChecked}; ${disk})`);
  return lines.join('\n');
}

/**
 * Throw when a verification failed (for callers that want an exception, e.g. the CLI's exit code 1).
 * @throws FingerliftError E_VERIFY listing the mismatches.
 */
export function assertVerified(r: VerifyReport): void {
  if (!r.ok) throw new FingerliftError('E_VERIFY', formatVerifyReport(r), r.trailPath !== undefined ? { input: r.trailPath } : {});
}
