/**
 * Turn command-line inputs (files, directories, glob patterns) into a sorted, duplicate-free list of
 * files. Missing or unreadable inputs are reported as `E_NOT_FOUND` results (the message says why: no such
 * file, permission denied, a symbolic link loop, ...), never thrown, so a batch goes on.
 *
 * - A file named explicitly is always taken (whatever its extension: the task then reports it if it
 *   cannot read it).
 * - A directory is walked recursively and yields the files whose extension is in `extensions` (names
 *   starting with "." are passed over, as hidden). The walk never follows a symbolic link to a folder
 *   (it could lead anywhere: `/`, `/proc`, a loop): each one is listed in `skipped` with its reason, once.
 *   A symbolic link to a file is taken like the file. An entry with a wanted extension that cannot be an
 *   input (a dangling link, a link loop, a FIFO, device or socket) and a subfolder that cannot be listed
 *   are each a failure of their own (`failed`: E_NOT_FOUND or E_UNSUPPORTED_FORMAT, saying why); a link
 *   without any extension that cannot be followed (it may have been a folder) is in `skipped`; one with
 *   another extension (`notes.txt`) is passed over like a file of that extension. The walk is bounded: a folder
 *   (or a glob) yielding more than `MAX_FOLDER_FILES` files, or holding more than `MAX_FOLDER_ENTRIES`
 *   entries in all, is a failure E_TOO_LARGE naming it, and none of its files is taken (so a mistaken
 *   `extract /` stops within seconds instead of exhausting memory). The entries are read as a stream
 *   (`opendir`), so one huge folder is never held in memory whole.
 * - A glob (`tinyglobby`: `*`, `**`, `?`, `[...]`, `{a,b}`) yields the matching files whose extension
 *   is in `extensions`; `**` does not follow symbolic links to folders either (`followSymbolicLinks:
 *   false`), and more than `MAX_FOLDER_FILES` matches are E_TOO_LARGE. (Folders are walked here rather
 *   than by tinyglobby, which passes over what it cannot read without a word.)
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
import { lstat, opendir, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { BatchFailure } from './types.js';
import { invalidArgument, printable } from '../errors.js';
import { fsErrorReason } from '../fsread.js';

/** Most files a folder (walked recursively) or a glob may yield: more is E_TOO_LARGE for that input. */
export const MAX_FOLDER_FILES = 100_000;
/** Most entries (files, folders, links, of any extension) a folder walk looks at: more is E_TOO_LARGE. */
export const MAX_FOLDER_ENTRIES = 1_000_000;

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
  /** Most files one folder or glob may yield (default MAX_FOLDER_FILES); more is E_TOO_LARGE for it. */
  maxFiles?: number;
  /** Most entries one folder walk may look at (default MAX_FOLDER_ENTRIES); more is E_TOO_LARGE for it. */
  maxEntries?: number;
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
  /**
   * Entries of walked folders passed over, with why: symbolic links to folders (never followed), and
   * links without an extension that cannot be followed (dangling, a loop). Not failures: nothing behind them is an
   * input. Each appears once.
   */
  skipped: SkippedEntry[];
}

/** An entry of a walked folder that was passed over (see `ExpandedInputs.skipped`). */
export interface SkippedEntry {
  /** Absolute path of the entry (the link itself). */
  path: string;
  /** Why, in words (e.g. "a symbolic link to a folder (-> /): not followed"). */
  reason: string;
}

/** What a folder walk found. */
interface Walk {
  files: string[];
  failed: BatchFailure[];
  skipped: SkippedEntry[];
  /** Set when the walk stopped at a limit (the folder is then a failure E_TOO_LARGE). */
  tooLarge?: string;
}

/**
 * Walk `root` (a folder) for files with a wanted extension, without following symbolic links to folders
 * and within MAX_FOLDER_FILES / MAX_FOLDER_ENTRIES (see the module header). Depth first, iterative (no
 * recursion depth limit); entries are streamed. The root itself must be listable (the caller checks).
 */
async function walkFolder(root: string, recursive: boolean, wanted: (p: string) => boolean, maxFiles: number, maxEntries: number): Promise<Walk> {
  const w: Walk = { files: [], failed: [], skipped: [] };
  const pending = [root];
  let entries = 0;
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let handle;
    try {
      handle = await opendir(dir, { bufferSize: 256 });
    } catch (e) {
      w.failed.push({ path: dir, code: 'E_NOT_FOUND', message: `${printable(dir)}: cannot list the folder: ${fsErrorReason(e)}` });
      continue;
    }
    try {
      for await (const e of handle) {
        if (++entries > maxEntries) {
          w.tooLarge = `holds more than ${maxEntries.toLocaleString('en-US')} entries (files, folders, links) in all`;
          return w;
        }
        if (e.name.startsWith('.')) continue;
        const path = join(dir, e.name);
        if (e.isDirectory()) {
          if (recursive) pending.push(path);
        } else if (e.isFile()) {
          if (wanted(path)) w.files.push(path);
        } else if (e.isSymbolicLink()) {
          let st;
          let err: unknown;
          try {
            st = await stat(path);
          } catch (x) {
            err = x;
          }
          const target = await readlink(path).catch(() => '?');
          if (st?.isDirectory()) w.skipped.push({ path, reason: `a symbolic link to a folder (-> ${printable(target)}): not followed` });
          else if (st?.isFile()) {
            if (wanted(path)) w.files.push(path);
          } else if (st !== undefined) {
            if (wanted(path)) w.failed.push({ path, code: 'E_UNSUPPORTED_FORMAT', message: `${printable(path)}: a symbolic link to something that is not a regular file (a device, pipe or socket; -> ${printable(target)})` });
          } else {
            const why = (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' ? `a symbolic link whose target does not exist (-> ${printable(target)}) (ENOENT)` : `a symbolic link that cannot be followed (-> ${printable(target)}): ${fsErrorReason(err)}`;
            if (wanted(path)) w.failed.push({ path, code: 'E_NOT_FOUND', message: `${printable(path)}: ${why}` });
            else if (extname(e.name) === '') w.skipped.push({ path, reason: why }); // it may have been a folder
          }
        } else if (wanted(path)) {
          w.failed.push({ path, code: 'E_UNSUPPORTED_FORMAT', message: `${printable(path)}: not a regular file (a device, pipe or socket)` });
        }
        if (w.files.length > maxFiles) {
          w.tooLarge = `holds more than ${maxFiles.toLocaleString('en-US')} files with an accepted extension`;
          return w;
        }
      }
    } catch (e) {
      // A folder that went away or failed while being read: said, the walk goes on.
      w.failed.push({ path: dir, code: 'E_NOT_FOUND', message: `${printable(dir)}: cannot list the folder: ${fsErrorReason(e)}` });
    }
  }
  // Directory order depends on the file system: sorted, so that the same folder gives the same report.
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  w.files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  w.failed.sort(byPath);
  w.skipped.sort(byPath);
  return w;
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
 *   of strings, options that are not an object, a cwd that is not a string, extensions that are not an
 *   array of strings, or maxFiles / maxEntries that are not positive integers.
 */
export async function expandInputs(patterns: readonly string[], opts: ExpandOptions = {}): Promise<ExpandedInputs> {
  if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string'))
    throw invalidArgument('expandInputs: patterns', 'an array of file, folder or glob strings', patterns);
  if (opts === null || typeof opts !== 'object') throw invalidArgument('expandInputs: options', 'an options object { extensions?, cwd?, recursive? }', opts);
  if (opts.cwd !== undefined && typeof opts.cwd !== 'string') throw invalidArgument('expandInputs: cwd', 'a folder path (string)', opts.cwd);
  if (opts.extensions !== undefined && !(Array.isArray(opts.extensions) && opts.extensions.every((e) => typeof e === 'string')))
    throw invalidArgument('expandInputs: extensions', 'an array of extensions (strings)', opts.extensions);
  for (const k of ['maxFiles', 'maxEntries'] as const)
    if (opts[k] !== undefined && !(Number.isInteger(opts[k]) && opts[k]! >= 1)) throw invalidArgument(`expandInputs: ${k}`, 'a positive integer', opts[k]);
  const maxFiles = opts.maxFiles ?? MAX_FOLDER_FILES;
  const maxEntries = opts.maxEntries ?? MAX_FOLDER_ENTRIES;
  const cwd = opts.cwd ?? process.cwd();
  const exts = new Set((opts.extensions ?? IMAGE_EXTENSIONS).map((e) => e.replace(/^\./, '').toLowerCase()));
  const wanted = (p: string): boolean => exts.has(extname(p).slice(1).toLowerCase());
  const found: string[] = [];
  const explicit = new Set<string>();
  const failed: BatchFailure[] = [];
  const skipped: SkippedEntry[] = [];
  const skippedSeen = new Set<string>();

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
      // A folder that cannot be listed is said to be one, not empty.
      const unlisted = await opendir(abs).then((d) => d.close(), (e: unknown) => e);
      if (unlisted !== undefined) {
        failed.push({ path: pattern, code: 'E_NOT_FOUND', message: `${printable(pattern)}: cannot list the folder: ${fsErrorReason(unlisted)}` });
        continue;
      }
      const w = await walkFolder(abs, opts.recursive !== false, wanted, maxFiles, maxEntries);
      if (w.tooLarge !== undefined) {
        failed.push({ path: pattern, code: 'E_TOO_LARGE', message: `${printable(pattern)}: folder ${w.tooLarge}: none of it taken (name a smaller folder or a glob)` });
        continue;
      }
      failed.push(...w.failed);
      for (const k of w.skipped) if (!skippedSeen.has(k.path)) { skippedSeen.add(k.path); skipped.push(k); }
      if (w.files.length === 0 && w.failed.length === 0)
        failed.push({ path: pattern, code: 'E_NOT_FOUND', message: `${printable(pattern)}: directory holds no file with extension ${[...exts].map((e) => '.' + e).join(', ')}${w.skipped.length > 0 ? ` (${w.skipped.length} symbolic link(s) not followed)` : ''}` });
      found.push(...w.files);
      continue;
    }
    const code = (statError as NodeJS.ErrnoException | undefined)?.code;
    if (isDynamicPattern(pattern) && (st !== undefined || code === 'ENOENT')) {
      const files = (await glob(pattern, { cwd, absolute: true, onlyFiles: true, dot: false, followSymbolicLinks: false })).map((f) => resolve(f)).filter(wanted);
      if (files.length > maxFiles) {
        failed.push({ path: pattern, code: 'E_TOO_LARGE', message: `${printable(pattern)}: matches ${files.length.toLocaleString('en-US')} files, more than the most, ${maxFiles.toLocaleString('en-US')}: none of them taken` });
        continue;
      }
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
    skipped,
  };
}

/** Most `skipped` entries `formatSkipped` lists one by one; the rest are counted in one line. */
export const SKIPPED_LINES = 20;

/**
 * Lines for the terminal naming the entries a folder walk passed over (`ExpandedInputs.skipped`):
 * `<what>: skipped <path>: <reason>` each, at most SKIPPED_LINES of them, then one line counting the rest
 * (a walk of /proc meets hundreds of links). Paths as `printable` shows them. Empty when none.
 */
export function formatSkipped(what: string, skipped: readonly SkippedEntry[]): string[] {
  const lines = skipped.slice(0, SKIPPED_LINES).map((k) => `${what}: skipped ${printable(k.path)}: ${k.reason}`);
  if (skipped.length > SKIPPED_LINES) lines.push(`${what}: skipped ${skipped.length - SKIPPED_LINES} more symbolic link(s) (not followed)`);
  return lines;
}
