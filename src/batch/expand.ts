/**
 * Turn command-line inputs (files, directories, glob patterns) into a sorted, duplicate-free list of
 * files. Missing or unreadable inputs are reported as `E_NOT_FOUND` results (the message says why: no such
 * file, permission denied, a symbolic link loop, ...), never thrown, so a batch goes on.
 *
 * - A file named explicitly is always taken (whatever its extension: the task then reports it if it
 *   cannot read it).
 * - A directory is walked recursively and yields the files whose extension is in `extensions`.
 * - A glob (`tinyglobby`: `*`, `**`, `?`, `[...]`, `{a,b}`) yields the matching files whose extension
 *   is in `extensions`.
 * - Files found in a directory or by a glob and named like fingerlift's own outputs (`OWN_OUTPUT`:
 *   `*.enhanced.png`, `*.trail.json`, ...) are left out (listed in `ownOutputs`), so that a folder that
 *   also holds an earlier run's outputs can be given again; a file named explicitly is taken even so
 *   (a lifted print `hand.f1.png` is a natural input of `extract`).
 * - The same file reached twice (named twice, through `./` and `../`, or a symbolic link) is taken once
 *   and listed in `duplicates`.
 * - Output names are unique: two inputs whose names differ only by extension (`trunc.png`, `trunc.tif`)
 *   keep their extension in the name (`trunc.png`, `trunc.tif`), so each gets its own outputs and its
 *   own result.
 * Order: by absolute path, UTF-16 code-unit order (locale-independent, so the same on every machine).
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { BatchFailure } from './types.js';
import { invalidArgument, printable } from '../errors.js';
import { fsErrorReason } from '../fsread.js';

/** Extensions fingerlift reads (lower case, no dot): the default of `expandInputs`. */
export const IMAGE_EXTENSIONS = ['bmp', 'jpeg', 'jpg', 'png', 'tif', 'tiff', 'webp'] as const;

/**
 * Names of the files fingerlift writes that are not inputs of another run: pictures, per-fingertip
 * prints, trails, reports, `lift`'s `<name>.lift.json`, the demo's `demo.comparisons.json` and
 * `demo.chart.png`. Templates (`<name>.xyt`, `.iso`, `.json`, a lifted `<name>.f1.json`) are not in it:
 * they are what `compare`, `search` and `eval` take.
 */
export const OWN_OUTPUT = /\.(enhanced|mask|orientation|frequency|quality|minutiae|boxes|chart|f\d+)\.png$|\.f\d+\.minutiae\.png$|\.(trail|lift|comparisons)\.json$|\.report\.html$/i;

export interface ExpandOptions {
  /** Extensions taken from directories and globs, with or without the dot, any case (default IMAGE_EXTENSIONS). */
  extensions?: readonly string[];
  /** Folder that relative inputs are relative to (default process.cwd()). */
  cwd?: string;
  /** Walk directories recursively (default true). */
  recursive?: boolean;
}

/** One input file. */
export interface InputFile {
  /** Absolute path. */
  path: string;
  /**
   * Name for its outputs, relative, '/'-separated, without extension: the path relative to the deepest
   * folder that holds every input (e.g. "101_1" for one folder; "db1/101_1" and "db2/101_1" for two),
   * so inputs from different folders do not collide.
   */
  name: string;
}

export interface ExpandedInputs {
  files: InputFile[];
  /** Inputs that do not exist, cannot be reached (permission denied, a link loop, ...) or match nothing (code E_NOT_FOUND). */
  failed: BatchFailure[];
  /** Files found in directories or by globs, left out because they are named like fingerlift's own outputs (absolute paths). */
  ownOutputs: string[];
  /** Inputs reached more than once, taken once (absolute paths of the later mentions). */
  duplicates: string[];
}

/**
 * Why `stat` of an input failed, in words: "no such file or directory (ENOENT)", "a symbolic link whose
 * target does not exist (ENOENT)", "permission denied (EACCES)", "symbolic link loop ... (ELOOP)", ...
 */
async function missingReason(abs: string, e: unknown): Promise<string> {
  if ((e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' && (await lstat(abs).then((l) => l.isSymbolicLink(), () => false)))
    return 'a symbolic link whose target does not exist (ENOENT)';
  return fsErrorReason(e);
}

function stem(rel: string): string {
  const ext = extname(rel);
  const noExt = ext ? rel.slice(0, -ext.length) : rel;
  return noExt.split(sep).join('/');
}

/** The deepest folder that contains every path (absolute paths). */
function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  let common = dirname(paths[0]!).split(sep);
  for (const p of paths) {
    const parts = dirname(p).split(sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(sep) || sep;
}

/**
 * Expand files, directories and globs into input files (see the module header for the rules).
 * Never throws for a missing input: it is listed in `failed` with code E_NOT_FOUND.
 * @throws FingerliftError E_INVALID_ARGUMENT (only for the arguments) for patterns that are not an array
 *   of strings, options that are not an object, a cwd that is not a string or extensions that are not an
 *   array of strings.
 */
export async function expandInputs(patterns: readonly string[], opts: ExpandOptions = {}): Promise<ExpandedInputs> {
  if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string'))
    throw invalidArgument('expandInputs: patterns', 'an array of file, folder or glob strings', patterns);
  if (opts === null || typeof opts !== 'object') throw invalidArgument('expandInputs: options', 'an options object { extensions?, cwd?, recursive? }', opts);
  if (opts.cwd !== undefined && typeof opts.cwd !== 'string') throw invalidArgument('expandInputs: cwd', 'a folder path (string)', opts.cwd);
  if (opts.extensions !== undefined && !(Array.isArray(opts.extensions) && opts.extensions.every((e) => typeof e === 'string')))
    throw invalidArgument('expandInputs: extensions', 'an array of extensions (strings)', opts.extensions);
  const cwd = opts.cwd ?? process.cwd();
  const exts = new Set((opts.extensions ?? IMAGE_EXTENSIONS).map((e) => e.replace(/^\./, '').toLowerCase()));
  const wanted = (p: string): boolean => exts.has(extname(p).slice(1).toLowerCase());
  const found: string[] = [];
  const explicit = new Set<string>();
  const failed: BatchFailure[] = [];

  for (const pattern of patterns) {
    const abs = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
    let statError: unknown;
    const st = await stat(abs).catch((e: unknown) => void (statError = e));
    if (st?.isFile()) {
      found.push(abs);
      explicit.add(abs);
      continue;
    }
    if (st?.isDirectory()) {
      const files = await glob(opts.recursive === false ? '*' : '**/*', { cwd: abs, absolute: false, onlyFiles: true, dot: false });
      const taken = files.filter(wanted);
      // The walk passes over what it cannot list: a folder that cannot be listed is said to be one, not empty.
      const unlisted = taken.length === 0 ? await readdir(abs).then(() => undefined, (e: unknown) => e) : undefined;
      if (unlisted !== undefined)
        failed.push({ path: pattern, code: 'E_NOT_FOUND', message: `${printable(pattern)}: cannot list the folder: ${fsErrorReason(unlisted)}` });
      else if (taken.length === 0)
        failed.push({ path: pattern, code: 'E_NOT_FOUND', message: `${printable(pattern)}: directory holds no file with extension ${[...exts].map((e) => '.' + e).join(', ')}` });
      for (const f of taken) found.push(join(abs, f));
      continue;
    }
    const code = (statError as NodeJS.ErrnoException | undefined)?.code;
    if (isDynamicPattern(pattern) && (st !== undefined || code === 'ENOENT')) {
      const files = (await glob(pattern, { cwd, absolute: true, onlyFiles: true, dot: false })).map((f) => resolve(f)).filter(wanted);
      if (files.length === 0) failed.push({ path: pattern, code: 'E_NOT_FOUND', message: `${printable(pattern)}: no file matches` });
      found.push(...files);
      continue;
    }
    if (st) failed.push({ path: pattern, code: 'E_UNSUPPORTED_FORMAT', message: `${printable(pattern)}: not a regular file or folder (a device, pipe or socket)` });
    else failed.push({ path: pattern, code: 'E_NOT_FOUND', message: `${printable(pattern)}: ${await missingReason(abs, statError)}` });
  }

  // Remove duplicates (the same file reached twice, also through a symbolic link); first one wins.
  const seen = new Set<string>();
  const unique: string[] = [];
  const duplicates: string[] = [];
  for (const f of found) {
    const key = await realpath(f).catch(() => f);
    if (seen.has(key)) { duplicates.push(f); continue; }
    seen.add(key);
    unique.push(f);
  }
  const left = (f: string): boolean => OWN_OUTPUT.test(f) && !explicit.has(f);
  const ownOutputs = unique.filter(left);
  const inputs = unique.filter((f) => !left(f)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const base = commonFolder(inputs);
  const names = inputs.map((path) => stem(relative(base, path)));
  const count = new Map<string, number>();
  for (const n of names) count.set(n.toLowerCase(), (count.get(n.toLowerCase()) ?? 0) + 1);
  return {
    files: inputs.map((path, i) => ({ path, name: count.get(names[i]!.toLowerCase())! > 1 ? relative(base, path).split(sep).join('/') : names[i]! })),
    failed,
    ownOutputs,
    duplicates,
  };
}
