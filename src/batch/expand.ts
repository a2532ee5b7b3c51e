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
 *   (under its own path when it was reached so, else under the first of its paths in code-unit order) and
 *   listed in `repeated`, one entry per file, with every path it was reached by (`formatRepeated` words
 *   it: "a.tif given 3 times", "link.tif is a link to a.tif (the same file)"); `duplicates` lists the
 *   paths not taken.
 * - Output names are unique within a run, case-insensitively, whatever the order of the arguments
 *   (`uniqueNames`): an input's name is its path without the extension; inputs whose names would be the
 *   same (`x.png`, `x.tif`; or `x.png.tif` beside them, whose name `x.png` is `x.png`'s with its
 *   extension) keep their extension (`x.png`, `x.tif`, `x.png.tif`), and names that still collide (`X.tif`
 *   and `x.tif`, distinct files on a case-sensitive file system) get `~2`, `~3`, ... after the first in
 *   code-unit order (`X.tif`, `x.tif~2`). So each input gets its own outputs and its own result.
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
  /** Paths of inputs reached more than once that were not taken (absolute; one per extra mention). */
  duplicates: string[];
  /** Each file reached more than once (taken once), with the paths it was reached by: see `RepeatedInput`. */
  repeated: RepeatedInput[];
  /**
   * Entries of walked folders passed over, with why: symbolic links to folders (never followed), and
   * links without an extension that cannot be followed (dangling, a loop). Not failures: nothing behind them is an
   * input. Each appears once.
   */
  skipped: SkippedEntry[];
}

/** One file reached more than once by the arguments (see `ExpandedInputs.repeated`, `groupRepeated`). */
export interface RepeatedInput {
  /** The path taken (absolute): the file's own path when it was reached by it, else the first of `mentions`. */
  path: string;
  /** The file every mention leads to (its real path, symbolic links resolved). */
  file: string;
  /** Each distinct path it was reached by (absolute, code-unit order; `path` among them) and how often. */
  mentions: Array<{ path: string; times: number }>;
  /** True when every mention named the file itself (no folder or pattern found it). */
  named: boolean;
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

/** A '/'-separated relative path without its extension. */
function stem(rel: string): string {
  const ext = extname(rel);
  return ext ? rel.slice(0, -ext.length) : rel;
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

  const { unique, duplicates, repeated } = await groupRepeated(found, explicit);
  const left = (f: string): boolean => OWN_OUTPUT.test(f) && !explicit.has(f);
  const ownOutputs = unique.filter(left);
  const inputs = unique.filter((f) => !left(f)).sort(codeUnitOrder);
  const base = commonFolder(inputs);
  const rels = inputs.map((path) => relative(base, path).split(sep).join('/'));
  const names = uniqueNames(rels);
  return {
    files: inputs.map((path, i) => ({ path, name: names[i]! })),
    failed,
    ownOutputs,
    duplicates,
    repeated,
    skipped,
  };
}

const codeUnitOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Take each file once: `paths` (absolute) that lead to the same file (the same path, or through a
 * symbolic link: the same real path) are one input. The one taken is the file's own (real) path when it
 * is among them, else the first in code-unit order, so that the choice does not depend on the order of
 * the arguments. `named` holds the paths given explicitly (not found in a folder or by a pattern).
 * @returns `unique`: the paths taken, in the order first reached; `duplicates`: the other mentions (one
 *   per extra mention); `repeated`: one entry per file reached more than once, in the order first reached.
 */
export async function groupRepeated(paths: readonly string[], named: ReadonlySet<string> = new Set()): Promise<{ unique: string[]; duplicates: string[]; repeated: RepeatedInput[] }> {
  const groups = new Map<string, string[]>();
  for (const f of paths) {
    const key = await realpath(f).catch(() => f);
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const unique: string[] = [];
  const duplicates: string[] = [];
  const repeated: RepeatedInput[] = [];
  for (const [file, g] of groups) {
    const distinct = [...new Set(g)].sort(codeUnitOrder);
    const taken = distinct.includes(file) ? file : distinct[0]!;
    unique.push(taken);
    if (g.length === 1) continue;
    let once = true;
    for (const f of g) {
      if (f === taken && once) { once = false; continue; }
      duplicates.push(f);
    }
    repeated.push({ path: taken, file, mentions: distinct.map((path) => ({ path, times: g.filter((f) => f === path).length })), named: g.every((f) => named.has(f)) });
  }
  return { unique, duplicates, repeated };
}

/** Most `repeated` entries `formatRepeated` words one by one; the rest are counted in one line. */
export const REPEATED_LINES = 20;

/**
 * Lines for the terminal saying which files were reached more than once and taken once, one line per
 * file, how each was reached: "<what>: /data/101_2.tif given 3 times: processed once",
 * "<what>: /data/link.tif is a link to /data/a.tif (the same file): processed once" (a folder holding a
 * file and a link to it), "<what>: /x/l1.tif and /x/l2.tif lead to the same file, /y/c.tif: ...". At
 * most REPEATED_LINES of them, then one line counting the rest. Paths as `printable` shows them.
 * @param done what became of them ("processed once", "compared once", "verified once").
 */
export function formatRepeated(what: string, repeated: readonly RepeatedInput[], done = 'processed once'): string[] {
  const lines = repeated.slice(0, REPEATED_LINES).map((r) => {
    const times = (n: number): string => (n === 1 ? '' : ` ${r.named ? 'given' : 'reached'} ${n} times`);
    const taken = r.mentions.find((m) => m.path === r.path)!;
    const others = r.mentions.filter((m) => m !== taken);
    const parts: string[] = [];
    if (others.length === 0) parts.push(`${printable(r.path)}${times(taken.times)}`);
    else if (r.path === r.file) {
      if (taken.times > 1) parts.push(`${printable(r.path)}${times(taken.times)}`);
      for (const m of others) parts.push(`${printable(m.path)} is a link to ${printable(r.path)} (the same file${m.times > 1 ? `; ${times(m.times).trim()}` : ''})`);
    } else parts.push(`${r.mentions.map((m) => `${printable(m.path)}${times(m.times)}`).join(' and ')} lead to the same file, ${printable(r.file)}`);
    return `${what}: ${parts.join('; ')}${r.named || others.length > 0 ? '' : ' (by the folders or patterns given)'}: ${done}`;
  });
  if (repeated.length > REPEATED_LINES) lines.push(`${what}: ${repeated.length - REPEATED_LINES} more file(s) reached more than once: ${done}`);
  return lines;
}

/**
 * Output names for inputs at `rels` (paths relative to their common folder, '/'-separated, distinct):
 * unique case-insensitively, and each depending only on the set of inputs, not on their order. An input's
 * name is its path without the extension. Where names collide, the inputs of the least specific name
 * (without extension before with it) keep their extension, and so on until no name collides (`x.png`,
 * `x.tif`, `x.png.tif`: names `x.png`, `x.tif` and `x.png.tif`, the last one's plain name `x.png` being
 * taken). Names that still collide with their extension (`X.tif`, `x.tif`: distinct files on a
 * case-sensitive file system, one name where case is ignored) get `~2`, `~3`, ... after the first in
 * code-unit order, skipping names in use.
 */
export function uniqueNames(rels: readonly string[]): string[] {
  const plain = rels.map((r) => stem(r));
  const level = rels.map(() => 0); // 0: without extension; 1: with it; 2: with it, then a number
  const name = (i: number): string => (level[i] === 0 ? plain[i]! : rels[i]!);
  for (let changed = true; changed; ) {
    changed = false;
    const by = new Map<string, number[]>();
    for (let i = 0; i < rels.length; i++) {
      if (level[i] === 2) continue;
      const k = name(i).toLowerCase();
      by.set(k, [...(by.get(k) ?? []), i]);
    }
    for (const g of by.values()) {
      if (g.length < 2) continue;
      const low = Math.min(...g.map((i) => level[i]!));
      for (const i of g) if (level[i] === low) { level[i]!++; changed = true; }
    }
  }
  const out = rels.map((_, i) => name(i));
  const used = new Set(out.filter((_, i) => level[i] !== 2).map((n) => n.toLowerCase()));
  const order = rels.map((_, i) => i).filter((i) => level[i] === 2).sort((a, b) => codeUnitOrder(rels[a]!, rels[b]!));
  for (const i of order) {
    let n = rels[i]!;
    for (let k = 2; used.has(n.toLowerCase()); k++) n = `${rels[i]}~${k}`;
    used.add(n.toLowerCase());
    out[i] = n;
  }
  return out;
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
