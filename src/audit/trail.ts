/**
 * The audit trail (DESIGN.md "Audit trail"): what was read, every step with its full parameters,
 * duration and output hash, and every file written, so another examiner can reproduce the result
 * byte for byte (SWGDE/SWGIT: the original is never altered and every enhancement is documented;
 * SWGIT Section 5, "Recommendations and Guidelines for the Use of Digital Image Processing in the
 * Criminal Justice System", 2010).
 *
 *   const trail = new AuditTrail({ command: 'enhance', options });
 *   trail.setInput(await describeInputFile(path, { width, height, ppi }));
 *   const enhanced = await trail.step('clahe', { clipLimit: 2, tiles: 8 }, () => clahe(img, opts));
 *   trail.output('out/101_1.png', pngBytes);
 *   await writeFile('out/101_1.trail.json', trail.serialize());
 *
 * Tool, package and dependency versions are read from the installed package.json files, never written
 * by hand. Hashes follow `hashValue` (src/audit/hash.ts).
 */
import { readInputFile } from '../fsread.js';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { FingerliftError, invalidArgument } from '../errors.js';
import { hashValue, jsonSafeParams, sha256Hex, stableStringify } from './hash.js';

/** Identifies this trail layout; bumped on any incompatible change. */
export const TRAIL_SCHEMA = 'fingerlift-trail/1';

/** Dependencies whose versions are recorded (they decide pixel output: decoding, OpenCV, BMP). */
export const RECORDED_DEPENDENCIES = ['sharp', 'opencv-wasm', 'bmp-ts'] as const;

/** The input file as read: never written to. */
export interface TrailInput {
  /** Path as given by the user. */
  path: string;
  /** SHA-256 of the file's bytes (hex). */
  sha256: string;
  /** Size of the file, bytes. */
  size: number;
  /** Decoded size, pixels (after EXIF orientation); null when not decoded. */
  width: number | null;
  height: number | null;
  /** Resolution from the file's metadata, pixels per inch; null when the file states none. */
  ppi: number | null;
  /** What the input is for when a run has several (e.g. "probe", "reference"). */
  role?: string;
}

export interface TrailStep {
  /** Step name, unique in the trail (a repeated name gets "#2", "#3", ...). */
  name: string;
  /** Every parameter the step ran with, defaults included, keys sorted (see `jsonSafeParams`). */
  params: unknown;
  /** Wall time, milliseconds (informative only: never compared). */
  ms: number;
  /** `hashValue` of the step's output. */
  outputSha256: string;
  /** Decisions the step took (assumed ppi, polarity inverted, ...). */
  notes?: string[];
}

export interface TrailOutput {
  /** Path as written (relative paths are relative to the trail file's folder). */
  path: string;
  sha256: string;
  /** Size, bytes. */
  size: number;
}

export interface TrailEnvironment {
  node: string;
  platform: string;
  arch: string;
  /** Installed versions of the dependencies that produce pixels (from their package.json). */
  dependencies: Record<string, string>;
}

/** The trail as written to `<name>.trail.json`. */
export interface Trail {
  schema: typeof TRAIL_SCHEMA;
  tool: string;
  version: string;
  /** ISO 8601 UTC time the run started. */
  createdAt: string;
  environment: TrailEnvironment;
  /** The command that ran (e.g. "extract") and its full options, when the caller gives them. */
  command?: { name: string; options: unknown };
  input: TrailInput;
  /** Further inputs (e.g. the reference of a 1:1 comparison). */
  otherInputs?: TrailInput[];
  steps: TrailStep[];
  outputs: TrailOutput[];
}

// ---------------------------------------------------------------------------------------------------
// Versions, read once from package.json files.

interface PackageJson {
  name?: string;
  version?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
let cachedTool: { name: string; version: string } | undefined;
let cachedDeps: Record<string, string> | undefined;

/** fingerlift's own name and version, from the nearest package.json above this module (src or dist). */
export function toolVersion(): { name: string; version: string } {
  if (cachedTool) return cachedTool;
  let dir = here;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      if (pkg.name && pkg.version) return (cachedTool = { name: pkg.name, version: pkg.version });
    } catch {
      /* keep walking up */
    }
    dir = dirname(dir);
  }
  throw new FingerliftError('E_NOT_FOUND', `cannot find fingerlift's package.json above ${here}`);
}

/** The installed version of a dependency, read from its package.json ("unknown" when not installed). */
export function dependencyVersion(name: string): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(`${name}/package.json`);
  } catch {
    try {
      entry = require.resolve(name); // packages whose "exports" hide package.json (e.g. sharp)
    } catch {
      return 'unknown';
    }
  }
  let dir = dirname(entry);
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      /* keep walking up */
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/** Node version, platform and the recorded dependency versions. */
export function environment(): TrailEnvironment {
  if (!cachedDeps) {
    cachedDeps = Object.fromEntries(RECORDED_DEPENDENCIES.map((d) => [d, dependencyVersion(d)]));
    // The libvips inside sharp decodes and encodes every image: its version as sharp reports it.
    try {
      const vips = (createRequire(import.meta.url)('sharp') as { versions?: { vips?: string } }).versions?.vips;
      if (vips) cachedDeps.libvips = vips;
    } catch {
      /* sharp not installed: nothing to record */
    }
  }
  return { node: process.versions.node, platform: process.platform, arch: process.arch, dependencies: { ...cachedDeps } };
}

// ---------------------------------------------------------------------------------------------------
// Inputs.

/**
 * Describe an input from its bytes (hash and size computed here).
 * `width`/`height`/`ppi` come from the decoder; pass undefined when unknown.
 * @throws FingerliftError E_INVALID_ARGUMENT for a path that is not a non-empty string, bytes that are not
 *   a Uint8Array (or Buffer), or info that is not an object.
 */
export function describeInput(
  path: string,
  bytes: Uint8Array,
  info: { width?: number; height?: number; ppi?: number; role?: string } = {},
): TrailInput {
  if (!(typeof path === 'string' && path !== '')) throw invalidArgument('describeInput: path', 'the input path (non-empty string)', path);
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('describeInput: bytes', "the input's content as a Uint8Array or Buffer", bytes);
  if (info === null || typeof info !== 'object') throw invalidArgument('describeInput: info', 'an object { width?, height?, ppi?, role? }', info);
  const input: TrailInput = {
    path,
    sha256: sha256Hex(bytes),
    size: bytes.length,
    width: info.width ?? null,
    height: info.height ?? null,
    ppi: info.ppi ?? null,
  };
  if (info.role !== undefined) input.role = info.role;
  return input;
}

/**
 * Describe an input from what `loadImage` (src/image/io.ts) reports about it: no second read or hash.
 * @param ppi the resolution used (the loader's plausible ppi), or undefined when the file states none.
 */
export function inputFromSource(
  source: { path?: string; sha256: string; bytes: number; width: number; height: number },
  ppi: number | undefined,
  role?: string,
): TrailInput {
  const input: TrailInput = { path: source.path ?? '(buffer)', sha256: source.sha256, size: source.bytes, width: source.width, height: source.height, ppi: ppi ?? null };
  if (role !== undefined) input.role = role;
  return input;
}

/**
 * Read a file and describe it (`describeInput`).
 * @throws FingerliftError E_NOT_FOUND when the file cannot be read; E_INVALID_ARGUMENT for a path that is
 *   not a non-empty string.
 */
export async function describeInputFile(
  path: string,
  info: { width?: number; height?: number; ppi?: number; role?: string } = {},
): Promise<TrailInput> {
  if (!(typeof path === 'string' && path !== '')) throw invalidArgument('describeInputFile: path', 'a file path (non-empty string)', path);
  const bytes = await readInputFile(path, { maxBytes: 2 ** 31 - 1, what: 'input' });
  return describeInput(path, bytes, info);
}

// ---------------------------------------------------------------------------------------------------
// The recorder.

export interface AuditTrailOptions {
  /** Command name and its full options, recorded as `command` (resume compares them). */
  command?: string;
  options?: unknown;
  /** The input, when known at construction (else call `setInput`). */
  input?: TrailInput;
  /** Clock for `createdAt` (tests); default `new Date()`. */
  now?: () => Date;
}

export interface StepOptions<T> {
  /** Notes to record from the step's output (e.g. `EnhanceResult.notes`). */
  notes?: (output: T) => string[] | undefined;
  /** What to hash instead of the whole output (e.g. only the image of a result with diagnostics). */
  hashOf?: (output: T) => unknown;
}

function isPromiseLike<T>(v: unknown): v is PromiseLike<T> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Records one run. Not thread-safe by design: one recorder per run (one per batch input). */
export class AuditTrail {
  private readonly createdAt: string;
  private readonly command?: { name: string; options: unknown };
  private input?: TrailInput;
  private readonly otherInputs: TrailInput[] = [];
  private readonly steps: TrailStep[] = [];
  private readonly outputs: TrailOutput[] = [];
  private readonly names = new Map<string, number>();

  constructor(opts: AuditTrailOptions = {}) {
    this.createdAt = (opts.now ? opts.now() : new Date()).toISOString();
    if (opts.command !== undefined) this.command = { name: opts.command, options: jsonSafeParams(opts.options ?? {}) };
    if (opts.input) this.input = opts.input;
  }

  /** Set the main input (or add a further one when `role` is given and a main input exists). */
  setInput(input: TrailInput): this {
    if (this.input && input.role !== undefined) this.otherInputs.push(input);
    else this.input = input;
    return this;
  }

  /** Add a further input (e.g. the reference of a comparison). */
  addInput(input: TrailInput): this {
    this.otherInputs.push(input);
    return this;
  }

  /**
   * Run `fn`, time it and record the step with the hash of its output. Returns what `fn` returns
   * (a promise when `fn` is async). `params` must be data (no functions); they are copied at once.
   * A step that throws is not recorded, and the error goes through unchanged.
   */
  step<T>(name: string, params: unknown, fn: () => T, opts?: StepOptions<Awaited<T>>): T {
    if (typeof name !== 'string' || name.length === 0) throw new FingerliftError('E_INVALID_ARGUMENT', 'audit trail step name must be a non-empty string');
    const safe = jsonSafeParams(params ?? {});
    const t0 = performance.now();
    const out = fn();
    const finish = (value: Awaited<T>): void => {
      const ms = performance.now() - t0;
      this.record(name, safe, ms, value, opts);
    };
    if (isPromiseLike<Awaited<T>>(out)) {
      return Promise.resolve(out).then((v) => {
        finish(v);
        return v;
      }) as T;
    }
    finish(out as Awaited<T>);
    return out;
  }

  /** Record a step that was timed elsewhere (e.g. in a worker). */
  recordStep(name: string, params: unknown, ms: number, output: unknown, notes?: string[]): this {
    this.record(name, jsonSafeParams(params ?? {}), ms, output, notes ? { notes: () => notes } : undefined);
    return this;
  }

  private record<T>(name: string, params: unknown, ms: number, value: T, opts?: StepOptions<T>): void {
    const n = (this.names.get(name) ?? 0) + 1;
    this.names.set(name, n);
    const step: TrailStep = {
      name: n === 1 ? name : `${name}#${n}`,
      params,
      ms: Math.round(ms * 1000) / 1000,
      outputSha256: hashValue(opts?.hashOf ? opts.hashOf(value) : value),
    };
    const notes = opts?.notes?.(value);
    if (notes && notes.length > 0) step.notes = [...notes];
    this.steps.push(step);
  }

  /** Record a written file by its bytes. Returns the entry. */
  output(path: string, bytes: Uint8Array | string): TrailOutput {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    const entry: TrailOutput = { path, sha256: sha256Hex(data), size: data.length };
    const i = this.outputs.findIndex((o) => o.path === path);
    if (i >= 0) this.outputs[i] = entry;
    else this.outputs.push(entry);
    return entry;
  }

  /** Record a written file by reading it back from disk. */
  async outputFile(path: string, pathInTrail = path): Promise<TrailOutput> {
    const bytes = await readFile(path);
    return this.output(pathInTrail, bytes);
  }

  /**
   * The trail as a plain object.
   * @throws FingerliftError E_INVALID_ARGUMENT when no input was set.
   */
  toJSON(): Trail {
    if (!this.input) throw new FingerliftError('E_INVALID_ARGUMENT', 'audit trail has no input: call setInput() first');
    const tool = toolVersion();
    const trail: Trail = {
      schema: TRAIL_SCHEMA,
      tool: tool.name,
      version: tool.version,
      createdAt: this.createdAt,
      environment: environment(),
      input: { ...this.input },
      steps: this.steps.map((s) => ({ ...s })),
      outputs: this.outputs.map((o) => ({ ...o })),
    };
    if (this.command) trail.command = this.command;
    if (this.otherInputs.length > 0) trail.otherInputs = this.otherInputs.map((i) => ({ ...i }));
    return trail;
  }

  /** JSON text, keys sorted at every level, two-space indent, final newline. */
  serialize(): string {
    return stableStringify(this.toJSON());
  }
}

/** The trail of a parsed object or recorder as stable JSON text. */
export function serializeTrail(trail: Trail | AuditTrail): string {
  return trail instanceof AuditTrail ? trail.serialize() : stableStringify(trail);
}
