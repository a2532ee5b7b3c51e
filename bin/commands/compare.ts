import { existsSync, statSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { readInputFile } from '../../src/fsread.js';
import { JSON_TEMPLATE, type JsonTemplate } from '../../src/formats/json.js';
import { parseJsonText } from '../../src/formats/json-text.js';
import { basename, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { imageMagic, loadComparable, compareAll, comparisonChart, decisionAt, hasEstimatedScale, rowThresholds, searchAcrossScales, inputWarnings, withPngText, CHART_MARK, type Comparable, type ComparableOptions } from '../../src/tasks/compare.js';
import { isDetCsv, PLOT_MARK, readPngMark } from '../../src/audit/marks.js';
import { DECISION_THRESHOLDS, SCALE_SEARCH_THRESHOLDS } from '../../src/compare/thresholds.js';
import { SearchPool, MAX_SEARCH_THREADS, SCALE_HYPOTHESES, prepare, evaluate, eerInterval, MIN_INTERVAL_FINGERS, allPairs, detCsv, compare, type PreparedTemplate, type SearchCandidate } from '../../src/compare/index.js';
import { expandInputs, formatRepeated, formatSkipped, IMAGE_EXTENSIONS, type RepeatedInput, type SkippedEntry } from '../../src/batch/expand.js';
import { writeBytes } from '../../src/image/io.js';
import { plotScores } from '../../src/audit/draw.js';
import { writeTemplate, detectTemplateFormat, readTemplateFile, pixelsPerCmFromPpi, XYT_DEFAULTS, TEMPLATE_EXTENSIONS, type TemplateFormat } from '../../src/formats/index.js';
import { failureOf, finish, messageAfterPath, printSummary, checkWritableFolder, jsonFailures, nothingToDo, numberIn, positiveInteger, printJson, UsageError, type FileFailure } from '../common.js';
import { PLAUSIBLE_PPI } from '../../src/image/io.js';
import { PHOTO_PPI_RANGE } from '../../src/normalise/index.js';
import { FingerliftError, humanText, printable } from '../../src/errors.js';

const TEMPLATE_EXTS = Object.values(TEMPLATE_EXTENSIONS).flat().map((e) => e.replace(/^\./, ''));
const ALL_EXTS = ['bmp', 'jpeg', 'jpg', 'png', 'tif', 'tiff', 'webp', ...TEMPLATE_EXTS];

interface InputCli {
  ppi?: number;
  xytSize?: string;
  imageKind?: 'auto' | 'print' | 'photo';
  json?: boolean;
  force?: boolean;
  scaleSearch?: boolean;
  fingertip?: number;
}

function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--ppi <n>', `resolution of image inputs, ppi: ${PLAUSIBLE_PPI[0]}-${PLAUSIBLE_PPI[1]} for contact prints, ${PHOTO_PPI_RANGE[0]}-${PHOTO_PPI_RANGE[1]} (at the fingertips) with --image-kind photo`, numberIn('--ppi', Math.min(PLAUSIBLE_PPI[0], PHOTO_PPI_RANGE[0]), Math.max(PLAUSIBLE_PPI[1], PHOTO_PPI_RANGE[1])))
    .option('--xyt-size <WxH>', 'image size of .xyt inputs (the format does not record it)')
    .option('--image-kind <kind>', 'images are contact prints (print), photos (photo), or auto', 'auto')
    .option('--no-scale-search', `compare at the estimated scale only when the probe or a reference is a photo or a template lifted from one (default: at scales ${SCALE_HYPOTHESES.map((k) => k.toFixed(3)).join(', ')}, the best kept, judged with the thresholds measured on such scale-searched scores)`)
    .option('--json', 'one JSON document on stdout');
}

function comparableOptions(o: InputCli): ComparableOptions {
  const c: ComparableOptions = { imageKind: o.imageKind ?? 'auto' };
  if (!['auto', 'print', 'photo'].includes(c.imageKind!)) throw new UsageError(`--image-kind must be auto, print or photo`);
  if (o.ppi !== undefined) {
    // The range follows the kind of image: a photo's resolution at the fingertips may be far lower than a print's.
    const [lo, hi] = c.imageKind === 'photo' ? PHOTO_PPI_RANGE : PLAUSIBLE_PPI;
    if (o.ppi < lo || o.ppi > hi)
      throw new UsageError(`--ppi must be a number in [${lo}, ${hi}] ${c.imageKind === 'photo' ? '(a photo\'s resolution at the fingertips)' : `(a print's resolution; ${PHOTO_PPI_RANGE[0]}-${PHOTO_PPI_RANGE[1]} with --image-kind photo)`}, got "${o.ppi}"`);
    c.ppi = o.ppi;
  }
  if (o.xytSize) {
    const m = /^(\d+)x(\d+)$/i.exec(o.xytSize);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1 || Number(m[1]) > 100_000 || Number(m[2]) > 100_000) throw new UsageError(`--xyt-size must look like 388x374 (1-100000 px a side), got "${o.xytSize}"`);
    c.xytSize = { width: Number(m[1]), height: Number(m[2]) };
  }
  return c;
}


/**
 * Load each path; failures are collected. A JSON file found in a folder or by a glob (not named itself)
 * that is JSON but not a fingerlift template (ground truth, a summary, another tool's file) is skipped
 * with one note on stderr instead of failing the job: a folder of prints and their metadata is a gallery.
 */
async function loadMany(paths: string[], opts: ComparableOptions, failures: FileFailure[], named: ReadonlySet<string> = new Set()): Promise<Comparable[]> {
  const out: Comparable[] = [];
  const skipped: string[] = [];
  for (const p of paths) {
    try {
      out.push(await loadComparable(p, opts));
    } catch (e) {
      if (!named.has(resolve(p)) && (await isOtherJson(p))) skipped.push(p);
      else failures.push(failureOf(p, e));
    }
  }
  if (skipped.length > 0)
    process.stderr.write(humanText`note: ${skipped.length} JSON file(s) found in the folders are not fingerlift templates and were left out (e.g. ${skipped[0]})\n`);
  return out;
}

/** A .json file that parses as JSON but whose "format" is not fingerlift's template format. */
async function isOtherJson(path: string): Promise<boolean> {
  if (extname(path).toLowerCase() !== '.json') return false;
  try {
    // The project's guarded read: a FIFO or device is refused before it is opened, a file over the limit from its size.
    // Through the shared guarded parser: a file nested too deeply is not "other JSON" to leave out, it fails as a template.
    const doc = parseJsonText((await readInputFile(path, { maxBytes: JSON_TEMPLATE.maxBytes, what: 'template' })).toString('utf8'), (p) => new Error(p.problem));
    return typeof doc === 'object' && doc !== null && (doc as { format?: unknown }).format !== JSON_TEMPLATE.format;
  } catch {
    return false;
  }
}

/**
 * Load the probe and every reference matched by `patterns`; failures are collected, never thrown.
 * Undefined probe: it failed. `outputs` (option name -> path) are checked against the inputs first: an
 * output that is an input (or a link to it) is a usage error, since inputs are never overwritten. Then each
 * of `replaced` (outputs --force will replace) that exists must be fingerlift's own of its kind: else an
 * E_EXISTS failure and nothing is loaded (undefined probe).
 */
async function loadProbeAndReferences(probePath: string, patterns: string[], opts: ComparableOptions, failures: FileFailure[], outputs: Record<string, string | undefined> = {}, fingertip?: number, replaced: OwnOutput[] = []): Promise<{ probe?: Comparable; references: Comparable[]; found: number; ownOutputs: number; skipped: SkippedEntry[]; repeated: RepeatedInput[] }> {
  const { files, failed, ownOutputs, skipped, repeated } = await expandInputs(patterns, { extensions: ALL_EXTS });
  refuseInputsAsOutputs(outputs, [probePath, ...files.map((f) => f.path)]);
  // --force replaces only fingerlift's own chart: anything else there is refused before any work.
  const foreign = await foreignOutputs(replaced);
  if (foreign.length > 0) {
    failures.push(...foreign);
    return { references: [], found: files.length, ownOutputs: ownOutputs.length, skipped, repeated };
  }
  failures.push(...failed.map((f) => ({ path: f.path, code: f.code, message: f.message })));
  let probe: Comparable;
  try {
    probe = await loadComparable(probePath, fingertip !== undefined ? { ...opts, fingertip } : opts);
  } catch (e) {
    failures.push(failureOf(probePath, e));
    return { references: [], found: files.length, ownOutputs: ownOutputs.length, skipped, repeated };
  }
  return { probe, references: await loadMany(files.map((f) => f.path), opts, failures, new Set(patterns.map((q) => resolve(q)))), found: files.length, ownOutputs: ownOutputs.length, skipped, repeated };
}

/**
 * On stderr: the symbolic links to folders the expansion did not follow, and one warning per input whose
 * decoder warned of damaged data (results from it may differ from the original capture's).
 */
function printNotes(what: string, skipped: readonly SkippedEntry[], inputs: ReadonlyArray<Comparable | undefined>, repeated: readonly RepeatedInput[] = []): void {
  for (const line of formatSkipped(what, skipped)) process.stderr.write(`${line}\n`);
  // A reference reached twice (named twice, or through a link and by name) is compared once: said.
  for (const line of formatRepeated(what, repeated, 'compared once')) process.stderr.write(`${line}\n`);
  for (const w of warningLines(inputWarnings(inputs))) process.stderr.write(`${what}: ${printable(w)}\n`);
}

/**
 * The input warnings as lines for stderr: the same warning about several files (".xyt holds no
 * resolution: 500 ppi assumed", one per .xyt of a gallery) said once with their count and the first file;
 * the others as they are. (A --json document lists each.)
 */
function warningLines(warnings: readonly string[]): string[] {
  const xyt = warnings.filter((w) => / \.xyt holds no resolution: /.test(w));
  if (xyt.length < 2) return [...warnings];
  const first = /^warning: (.*): \.xyt holds no resolution: /.exec(xyt[0]!)?.[1] ?? '';
  const grouped = `warning: ${xyt.length} .xyt inputs hold no resolution: 500 ppi assumed for each (the format records none), e.g. ${first}`;
  return [...warnings.filter((w) => !xyt.includes(w)), grouped];
}

/** Usage error when an output path names one of the inputs (directly or through a link). */
function refuseInputsAsOutputs(outputs: Record<string, string | undefined>, inputs: string[]): void {
  for (const [option, out] of Object.entries(outputs)) {
    if (out === undefined) continue;
    const hit = inputs.find((i) => resolve(i) === resolve(out) || sameFile(i, out));
    if (hit !== undefined) throw new UsageError(humanText`${option} ${out} is an input (${hit}): inputs are never overwritten`);
  }
}

/** The closing lines on thresholds: one set when every row is of one kind, both when they differ. */
function thresholdLines(nScaled: number, nRows: number, probeEstimated: boolean): string {
  const t = (th: typeof DECISION_THRESHOLDS | typeof SCALE_SEARCH_THRESHOLDS): string => `${th.fmr1} at FMR 1%, ${th.fmr0_1} at FMR 0.1% (${th.source})`;
  const scales = SCALE_HYPOTHESES.map((k) => k.toFixed(3)).join(', ');
  if (nScaled === 0) return `thresholds: ${t(DECISION_THRESHOLDS)}\n`;
  if (nScaled === nRows) return `compared across scales ${scales} (${probeEstimated ? 'the probe\'s' : 'each reference\'s'} scale is estimated from a photo); thresholds: ${t(SCALE_SEARCH_THRESHOLDS)}\n`;
  return `rows with a scale: pairs with a photo (or a template lifted from one), compared across scales ${scales}, thresholds ${t(SCALE_SEARCH_THRESHOLDS)}\nother rows: thresholds ${t(DECISION_THRESHOLDS)}\n`;
}

/** For a photo (or an input whose content is not what its extension says): which fingertip was used, as "; fingertip 2 of 5". */
function photoNote(c: Comparable | undefined): string {
  const n = c?.notes.filter((t) => t.startsWith('photo: ') || / image \(by its first bytes\)/.test(t) || / template \(by its content\)/.test(t)).map((t) => t.replace(/^photo: /, '')) ?? [];
  return n.length ? `  [${printable(n.join('; '))}]` : '';
}

export function register(program: Command): void {
  addInputOptions(program.command('compare'))
    .description('1:1 compare a probe with references (images or .xyt/.iso/.ansi/.json templates)')
    .argument('<probe>', 'probe image or template')
    .argument('<references...>', 'reference images or templates (files, folders, globs)')
    .option('--fingertip <k>', 'a photo probe: compare its fingertip k (as numbered by `lift`, f<k>) instead of the best one', positiveInteger('--fingertip'))
    .option('--chart <file.png>', 'draw the probe and the best reference side by side with the mated minutiae numbered')
    .option('--force', 'replace the chart if it is a comparison chart fingerlift drew (any other file there is refused, E_EXISTS)')
    .action(async (probePath: string, refs: string[], o: InputCli & { chart?: string }) => {
      const started = Date.now();
      const opts = comparableOptions(o);
      if (o.chart) await checkNewFile('--chart', o.chart, ['.png']);
      const failures: FileFailure[] = [];
      // An existing chart is refused before any work (E_EXISTS, exit 1): without --force any file, with it any but fingerlift's own chart.
      const replaced: OwnOutput[] = o.chart ? [{ option: '--chart', path: o.chart, kind: 'chart', force: o.force ?? false }] : [];
      const { probe, references, found, ownOutputs, skipped, repeated } = await loadProbeAndReferences(probePath, refs, opts, failures, { '--chart': o.chart }, o.fingertip, replaced);
      printNotes('compare', skipped, [probe, ...references], repeated);
      if (!probe) {
        // --json: one document also now, the failures in it (the probe's, or the refused chart).
        if (o.json) printJson({ probe: null, comparisons: [], ...jsonFailures(failures) });
        await finish('compare', 0, failures, started, true);
        return;
      }
      const rows = compareAll(probe, references, o.scaleSearch).sort((a, b) => b.score - a.score);
      // Pairs that involve a photo are scale-searched and judged with their own thresholds, the others not.
      const nScaled = rows.filter((r) => r.scale !== undefined).length;
      const decision = (r: { score: number; scale?: number | undefined }): string => decisionAt(r.score, rowThresholds(r));
      // The chart first, so that a failure to write it is in the --json document.
      if (o.chart && rows.length > 0) {
        const best = rows[0]!;
        const ref = references.find((r) => r.path === best.reference)!;
        try {
          const png = await comparisonChart(probe, ref, best.result, `score ${round(best.score)}, ${best.mated} mated minutiae: ${decision(best)}`);
          await writeOwnOutput({ option: '--chart', path: o.chart, kind: 'chart' }, png, o.force ?? false);
        } catch (e) {
          failures.push(failureOf(o.chart, e));
        }
      }
      if (o.json) {
        printJson({
          probe: { path: probe.path, kind: probe.kind, minutiae: probe.template.minutiae.length, notes: probe.notes },
          scaleSearch: nScaled > 0 ? SCALE_HYPOTHESES : false,
          thresholds: nScaled === rows.length && nScaled > 0 ? SCALE_SEARCH_THRESHOLDS : DECISION_THRESHOLDS,
          ...(nScaled > 0 && nScaled < rows.length ? { scaleSearchThresholds: SCALE_SEARCH_THRESHOLDS } : {}),
          comparisons: rows.map((r) => ({ reference: r.reference, score: round(r.score), decision: decision(r), ...(r.scale !== undefined ? { scale: round(r.scale) } : {}), mated: r.result.mated, transform: r.result.transform })),
          warnings: inputWarnings([probe, ...references]),
          ...jsonFailures(failures),
        });
      } else {
        process.stdout.write(`probe ${printable(probe.path)} (${probe.template.minutiae.length} minutiae${photoNote(probe)})\n`);
        const byPath = new Map(references.map((r) => [r.path, r]));
        for (const r of rows) process.stdout.write(`${r.score.toFixed(3).padStart(8)}  ${String(r.mated).padStart(3)} mated  ${decision(r).padEnd(18)} ${r.scale !== undefined ? `scale ${r.scale.toFixed(3)}  ` : ''}${printable(r.reference)}${photoNote(byPath.get(r.reference))}\n`);
        process.stdout.write(thresholdLines(nScaled, rows.length, hasEstimatedScale(probe)));
      }
      await finish('compare', references.length, failures, started);
      if (found === 0 && failures.length === 0) nothingToDo('compare', 'reference files', ownOutputs);
    });

  addInputOptions(program.command('search'))
    .description('1:N search: rank a gallery (a folder of images or templates) against a probe')
    .argument('<probe>', 'probe image or template')
    .requiredOption('--gallery <dir>', 'folder (or glob) of reference images or templates')
    .option('--fingertip <k>', 'a photo probe: compare its fingertip k (as numbered by `lift`, f<k>) instead of the best one', positiveInteger('--fingertip'))
    .option('--top <n>', 'candidates to list', positiveInteger('--top'), 10)
    .option('--threads <n>', `worker threads for the search (1: the calling thread only; a value over the number of cores, ${availableParallelism()}, up to ${MAX_SEARCH_THREADS}, is capped to it with a note)`, (v: string) => { const n = positiveInteger('--threads')(v); if (n > MAX_SEARCH_THREADS) throw new UsageError(`--threads must be at most ${MAX_SEARCH_THREADS}, got "${v}"`); return n; }, 1)
    .option('--preselect <n>', 'two-stage search: compare fully only the <n> references with the most local-structure votes (faster on large contact-print galleries; not exact, and weaker for photo probes)', positiveInteger('--preselect'))
    .action(async (probePath: string, o: InputCli & { gallery: string; top: number; threads: number; preselect?: number }) => {
      const started = Date.now();
      const opts = comparableOptions(o);
      const failures: FileFailure[] = [];
      const { probe, references: gallery, found, ownOutputs, skipped, repeated } = await loadProbeAndReferences(probePath, [o.gallery], opts, failures, {}, o.fingertip);
      printNotes('search', skipped, [probe, ...gallery], repeated);
      if (!probe || gallery.length === 0) {
        // --json: one document also now, with the failures.
        if (o.json) printJson({ probe: probe?.path ?? null, gallerySize: 0, candidates: [], ...jsonFailures(failures) });
      }
      if (!probe) {
        await finish('search', 0, failures, started, true);
        return;
      }
      if (gallery.length === 0) {
        // Nothing to rank: no header, no thresholds, only why.
        await finish('search', 0, failures, started, true);
        if (found === 0 && failures.length === 0) nothingToDo('search', 'reference files in the gallery', ownOutputs);
        return;
      }
      const prepared: PreparedTemplate[] = gallery.map((g) => prepare(g.template, { id: g.path }));
      // More search threads than cores only add memory and switching (a fresh-user trial, 2026-12-06, 2
      // cores, 80 FVC .iso templates: --threads 256 took 13.3 s and 2.3 GB against 0.55 s with 1):
      // capped at the cores available, with a note, as --jobs is.
      const cores = availableParallelism();
      if (o.threads > cores) process.stderr.write(`search: --threads ${o.threads} is more than the ${cores} core(s) available: using ${cores} worker thread(s)\n`);
      const pool = new SearchPool(prepared, { threads: Math.min(o.threads, cores) });
      const t0 = performance.now();
      const pre = o.preselect !== undefined ? { preselect: o.preselect } : {};
      const decision = (r: { score: number; scale?: number | undefined }): string => decisionAt(r.score, rowThresholds(r));
      // A photo probe: every reference across scales. A probe of known scale: the references whose scale is
      // estimated (photos, lifted templates) across scales, the others at scale 1 (pairUsesScaleSearch).
      const scaleAll = o.scaleSearch !== false && hasEstimatedScale(probe);
      const estimated = new Set(o.scaleSearch !== false && !scaleAll ? gallery.flatMap((g, i) => (hasEstimatedScale(g) ? [i] : [])) : []);
      // Every reference that scored is ranked (not only --top of them), so that those that scored 0 are counted whatever --top is.
      let scored: Array<SearchCandidate & { scale?: number }>;
      try {
        if (scaleAll) scored = await searchAcrossScales(probe.template, (P) => pool.search(P, { top: prepared.length, ...pre }), prepared.length);
        else if (estimated.size === 0) scored = await pool.search(prepare(probe.template, { id: probe.path }), { top: prepared.length, ...pre });
        else {
          const plain = (await pool.search(prepare(probe.template, { id: probe.path }), { top: prepared.length, ...pre })).filter((c) => !estimated.has(c.index));
          const across = (await searchAcrossScales(probe.template, (P) => pool.search(P, { top: prepared.length, ...pre }), prepared.length)).filter((c) => estimated.has(c.index));
          scored = [...plain, ...across].sort((a, b) => b.score - a.score || a.index - b.index);
        }
      } finally {
        await pool.close();
      }
      const ranked = scored.slice(0, o.top);
      const searchMs = performance.now() - t0;
      const nScaled = ranked.filter((c) => c.scale !== undefined).length;
      // A reference that scores 0 (no minutia pair mated) is never ranked: those (and any left out by
      // --preselect) are counted and said, whatever --top is; the ones below --top are said apart.
      const unlisted = gallery.length - scored.length;
      const belowTop = scored.length - ranked.length;
      const unlistedNote = unlisted > 0 ? `${unlisted} of the ${gallery.length} references ${unlisted === 1 ? 'is' : 'are'} not listed: ${unlisted === 1 ? 'it' : 'they'} scored 0 (no minutiae mated)${o.preselect !== undefined ? ' or ' + (unlisted === 1 ? 'was' : 'were') + ' left out by --preselect' : ''}${belowTop > 0 ? `; ${belowTop} other${belowTop === 1 ? '' : 's'} scored above 0 but below the --top ${o.top} listed` : ''}` : undefined;
      if (o.json) process.stdout.write(JSON.stringify({ probe: probe.path, kind: probe.kind, gallerySize: gallery.length, searchMs: round(searchMs), unlisted, ...(unlistedNote ? { notes: [unlistedNote] } : {}), scaleSearch: scaleAll || estimated.size > 0 ? SCALE_HYPOTHESES : false, thresholds: scaleAll ? SCALE_SEARCH_THRESHOLDS : DECISION_THRESHOLDS, ...(!scaleAll && estimated.size > 0 ? { scaleSearchThresholds: SCALE_SEARCH_THRESHOLDS } : {}), candidates: ranked.map((c, i) => ({ rank: i + 1, reference: c.id, score: round(c.score), decision: decision(c), ...(c.scale !== undefined ? { scale: round(c.scale) } : {}), mated: c.result.mated.length })), warnings: inputWarnings([probe, ...gallery]), ...jsonFailures(failures) }, null, 2) + '\n');
      else {
        process.stdout.write(`probe ${printable(probe.path)}${photoNote(probe)} against ${gallery.length} references (${round(searchMs)} ms)${scaleAll ? `, across scales ${SCALE_HYPOTHESES.map((k) => k.toFixed(3)).join(', ')}` : estimated.size > 0 ? `, the ${estimated.size} of estimated scale across scales ${SCALE_HYPOTHESES.map((k) => k.toFixed(3)).join(', ')}` : ''}\n`);
        ranked.forEach((c, i) => process.stdout.write(`${String(i + 1).padStart(3)}. ${c.score.toFixed(3).padStart(8)}  ${String(c.result.mated.length).padStart(3)} mated  ${decision(c).padEnd(18)} ${c.scale !== undefined ? `scale ${c.scale.toFixed(3)}  ` : ''}${printable(String(c.id))}${photoNote(gallery[c.index])}\n`));
        if (unlistedNote) process.stdout.write(`note: ${unlistedNote}\n`);
        process.stdout.write(thresholdLines(nScaled, ranked.length, scaleAll));
      }
      await finish('search', gallery.length, failures, started);
      if (found === 0 && failures.length === 0) nothingToDo('search', 'reference files in the gallery', ownOutputs);
    });

  addInputOptions(program.command('eval'))
    .description('FVC verification protocol on a folder of <finger>_<k> files: EER, FNMR at FMR 1%/0.1%')
    .argument('<dir>', 'folder (or glob) of 1xx_k files')
    .option('--plot <file.png>', 'score distributions (genuine vs impostor) as PNG')
    .option('--det <file.csv>', 'DET points (threshold, FMR, FNMR) as CSV')
    .option('--force', 'replace the plot and CSV if fingerlift wrote them (any other file there is refused, E_EXISTS)')
    .action(async (dir: string, o: InputCli & { plot?: string; det?: string }) => {
      const started = Date.now();
      const opts = comparableOptions(o);
      if (o.plot) await checkNewFile('--plot', o.plot, ['.png']);
      if (o.det) await checkNewFile('--det', o.det, ['.csv']);
      const failures: FileFailure[] = [];
      // Images when the folder has any (an FVC folder also holds a .iso per image: one kind only), else templates.
      const images = await expandInputs([dir]);
      const templates = await expandInputs([dir], { extensions: TEMPLATE_EXTS });
      const { files, failed: notFound } = images.files.length > 0 ? images : templates;
      for (const line of formatSkipped('eval', images.files.length > 0 ? images.skipped : templates.skipped)) process.stderr.write(`${line}\n`);
      // An empty folder: one message naming both kinds eval accepts, not the templates' extensions alone.
      // Files named like fingerlift's outputs were found but left out: say so rather than "holds no image".
      const leftOut = images.ownOutputs.length + templates.ownOutputs.length;
      const failed = files.length === 0 ? [{ path: dir, code: 'E_NOT_FOUND' as const, message: `${printable(dir)}: holds no image (${IMAGE_EXTENSIONS.map((e) => '.' + e).join(', ')}) and no template (${TEMPLATE_EXTS.map((e) => (e.startsWith('.') ? e : '.' + e)).join(', ')})${leftOut > 0 ? ` other than ${leftOut} file(s) named like fingerlift outputs (*.enhanced.png, *.trail.json, ...), which are left out` : ''}` }] : notFound;
      refuseInputsAsOutputs({ '--plot': o.plot, '--det': o.det }, files.map((f) => f.path));
      // --json: one document whatever happens, the failures in it.
      const failedDoc = (templates: number): void => { if (o.json) printJson({ folder: dir, templates, ...jsonFailures(failures) }); };
      // --force replaces only fingerlift's own plot and DET table: anything else there is refused before any work.
      // Without --force any existing file there is refused too (E_EXISTS, exit 1, as compare --chart).
      const force = o.force ?? false;
      const outputs: OwnOutput[] = [...(o.plot ? [{ option: '--plot', path: o.plot, kind: 'plot' as const, force }] : []), ...(o.det ? [{ option: '--det', path: o.det, kind: 'det' as const, force }] : [])];
      const foreign = await foreignOutputs(outputs);
      if (foreign.length > 0) {
        failures.push(...foreign);
        failedDoc(0);
        await finish('eval', 0, failures, started, true);
        return;
      }
      failures.push(...failed.map((f) => ({ path: f.path, code: f.code, message: f.message })));
      if (files.length < 2) {
        if (failed.length === 0) failures.push({ path: dir, code: 'E_NOT_FOUND', message: `the verification protocol needs at least two <finger>_<impression> images or templates, found ${files.length}` });
        failedDoc(0);
        await finish('eval', 0, failures, started, true);
        return;
      }
      const items = [];
      const loaded: Comparable[] = [];
      for (const f of files) {
        const m = /^(.+)_(\d+)$/.exec(basename(f.path, extname(f.path)));
        if (!m) { failures.push({ path: f.path, code: 'E_INVALID_ARGUMENT', message: 'name is not <finger>_<impression>' }); continue; }
        try {
          const c = await loadComparable(f.path, opts);
          loaded.push(c);
          items.push({ label: m[1]!, item: prepare(c.template, { id: c.path }) });
        } catch (e) {
          failures.push(failureOf(f.path, e));
        }
      }
      const perFinger = new Map<string, number>();
      for (const i of items) perFinger.set(i.label, (perFinger.get(i.label) ?? 0) + 1);
      const labels = new Set(perFinger.keys());
      if (items.length < 2 || labels.size < 2 || ![...perFinger.values()].some((n) => n >= 2)) {
        failures.push({ path: dir, code: 'E_INVALID_ARGUMENT', message: `${items.length} usable inputs of ${labels.size} finger(s): the protocol needs two or more impressions of at least one finger and two or more fingers` });
        failedDoc(items.length);
        await finish('eval', items.length, failures, started, true);
        return;
      }
      const pairs = allPairs(items, (a, b) => compare(a, b).score);
      const r = evaluate(pairs.genuine, pairs.impostor);
      // The EER's sampling uncertainty: subsets bootstrap over the fingers (resamples whole fingers).
      const ci = eerInterval(items.map((i) => i.label), pairs.pairs);
      // An interval over a handful of fingers says nothing (MIN_INTERVAL_FINGERS), and an FMR below one
      // impostor pair's share cannot be measured: both are reported as such, not as numbers.
      const intervalNote = ci.fingers < MIN_INTERVAL_FINGERS ? `no interval: ${ci.fingers} fingers, the bootstrap over fingers needs at least ${MIN_INTERVAL_FINGERS}` : undefined;
      const unmeasured = r.operatingPoints.map((p) => (r.impostorCount * p.targetFmr < 1 ? `FMR ${p.targetFmr * 100}% cannot be measured on ${r.impostorCount} impostor pairs (one false match is ${((100 / r.impostorCount)).toFixed(2)}%; it needs at least ${Math.ceil(1 / p.targetFmr)})` : undefined));
      const warnings = inputWarnings(loaded);
      for (const w of warningLines(warnings)) process.stderr.write(`eval: ${printable(w)}\n`);
      const summary = {
        folder: dir,
        templates: items.length,
        genuinePairs: r.genuineCount,
        impostorPairs: r.impostorCount,
        eer: r.eer,
        eerInterval: intervalNote ? null : { low: ci.low, high: ci.high, level: ci.level, fingers: ci.fingers, resamples: ci.resamples, method: 'subsets bootstrap over fingers (Bolle, Ratha & Pankanti 2004)' },
        fnmrAtFmr1: unmeasured[0] ? null : r.operatingPoints[0]?.fnmr,
        thresholdFmr1: unmeasured[0] ? null : r.operatingPoints[0]?.threshold,
        fnmrAtFmr01: unmeasured[1] ? null : r.operatingPoints[1]?.fnmr,
        thresholdFmr01: unmeasured[1] ? null : r.operatingPoints[1]?.threshold,
        notes: [intervalNote, ...unmeasured].filter((n): n is string => n !== undefined),
        genuineMean: r.genuineMean,
        impostorMean: r.impostorMean,
      };
      // The plot and table first, so that a failure to write them is in the --json document.
      const plotOut: OwnOutput | undefined = o.plot ? { option: '--plot', path: o.plot, kind: 'plot' } : undefined;
      const detOut: OwnOutput | undefined = o.det ? { option: '--det', path: o.det, kind: 'det' } : undefined;
      if (plotOut) {
        try {
          // Marked as fingerlift's score plot (PLOT_MARK), as charts are: a later --force may replace it.
          const png = await plotScores(Array.from(pairs.genuine), Array.from(pairs.impostor), { thresholds: r.operatingPoints.map((p) => ({ value: p.threshold, label: `FMR ${p.targetFmr * 100}%` })) });
          await writeOwnOutput(plotOut, withPngText(png, PLOT_MARK.keyword, PLOT_MARK.value), o.force ?? false);
        } catch (e) {
          failures.push(failureOf(plotOut.path, e));
        }
      }
      if (detOut) {
        try {
          await writeOwnOutput(detOut, detCsv(r), o.force ?? false);
        } catch (e) {
          failures.push(failureOf(detOut.path, e));
        }
      }
      if (o.json) printJson({ ...summary, warnings, ...jsonFailures(failures) });
      else process.stdout.write(`${items.length} ${images.files.length > 0 ? 'images (templates extracted from them; any .iso/.xyt/.json beside them left out)' : 'templates'}, ${r.genuineCount} genuine and ${r.impostorCount} impostor pairs\nEER ${(r.eer * 100).toFixed(2)}% (${intervalNote ?? `95% CI ${(ci.low * 100).toFixed(2)}-${(ci.high * 100).toFixed(2)}%, bootstrap over ${ci.fingers} fingers`})  ${summary.fnmrAtFmr1 === null ? 'FNMR@FMR1% n/a' : `FNMR@FMR1% ${pct(summary.fnmrAtFmr1)} (threshold ${round(summary.thresholdFmr1 ?? NaN)})`}  ${summary.fnmrAtFmr01 === null ? 'FNMR@FMR0.1% n/a' : `FNMR@FMR0.1% ${pct(summary.fnmrAtFmr01)} (threshold ${round(summary.thresholdFmr01 ?? NaN)})`}\n${unmeasured.filter(Boolean).map((n) => `note: ${n}\n`).join('')}`);
      await finish('eval', items.length, failures, started);
    });

  program
    .command('convert')
    .description('convert a template between .xyt (NIST), ISO/IEC 19794-2:2005, ANSI INCITS 378-2004 and JSON')
    .argument('<template>', 'template file (.xyt, .iso, .ansi, .json)')
    .requiredOption('--to <format>', 'xyt, iso, ansi (INCITS 378-2004) or json')
    .requiredOption('-o, --out <file>', 'output file (never the input; not overwritten without --force), or - for standard output (binary iso and ansi only when it is not a terminal)')
    .option('--xyt-size <WxH>', 'image size for .xyt input')
    .option('--force', 'overwrite the output when it is a template (.xyt, ISO, ANSI or JSON, as fingerlift reads them); any other file is never overwritten')
    .action(async (path: string, o: { to: TemplateFormat; out: string; xytSize?: string; force?: boolean }) => {
      if (!['xyt', 'iso', 'ansi', 'json'].includes(o.to)) throw new UsageError(`--to must be xyt, iso, ansi or json, got "${o.to}"`);
      if (o.out.trim() === '') throw new UsageError(`-o must name the output file, got an empty name`);
      // `-o -`: standard output, never a file named "-" (a file of that name is written as -o ./-).
      const toStdout = o.out === '-';
      if (toStdout && (o.to === 'iso' || o.to === 'ansi') && process.stdout.isTTY)
        throw new UsageError(`-o -: refusing to write a binary ${o.to === 'iso' ? 'ISO/IEC 19794-2' : 'ANSI INCITS 378'} template to a terminal: redirect standard output to a file or a pipe, or give -o <file>`);
      if (!toStdout) {
        if (resolve(o.out) === resolve(path) || sameFile(o.out, path)) throw new UsageError(humanText`-o ${o.out} is the input (or a link to it): the input is never overwritten`);
        if (existsSync(o.out) && statSync(o.out).isDirectory()) throw new UsageError(humanText`-o ${o.out} is a directory: give the output file's name`);
      }
      const inputOptions = comparableOptions({ ...(o.xytSize ? { xytSize: o.xytSize } : {}) });
      // An output folder that cannot take the file is a usage error (exit 2), as for every command.
      if (!toStdout) await checkWritableFolder('-o', o.out);
      const outName = toStdout ? 'standard output' : o.out;
      let writing = false;
      try {
        const c = await loadComparable(path, { ...inputOptions, imageKind: 'print', comparisonLimits: false });
        if (c.kind !== 'template') throw new FingerliftError('E_TEMPLATE_FORMAT', 'not a template file (.xyt, .iso, .ansi, .json)', { input: path });
        let bytes: Uint8Array;
        try {
          bytes = writeTemplate(c.template, o.to);
        } catch (e) {
          // What the target format cannot hold is a fact about this input: its failure, named by the input.
          if (!(e instanceof FingerliftError)) throw e;
          throw new FingerliftError('E_TEMPLATE_FORMAT', `cannot be converted to ${o.to}: ${e.message}`, { input: path });
        }
        writing = true;
        if (toStdout) await writeStdout(bytes);
        else {
          // An existing file that is not a template (an image, a trail) is never written over, not even with --force.
          const what = await notATemplate(o.out);
          if (what !== undefined) throw new FingerliftError('E_EXISTS', `${what}: refusing to overwrite it even with --force (convert --force replaces only an existing template); choose another name`, { input: o.out });
          await writeBytes(o.out, bytes, o.force ?? false);
        }
        const notes = [...c.notes];
        // .xyt has no resolution field (its readers assume 500 ppi): a template at another one loses it. The
        // coordinates are written as they are (pixels at the template's resolution), not resampled.
        if (o.to === 'xyt' && pixelsPerCmFromPpi(c.template.ppi) !== pixelsPerCmFromPpi(XYT_DEFAULTS.ppi)) notes.push(`.xyt has no field for the resolution: the template's ${Math.round(c.template.ppi)} ppi is not kept in ${outName}, whose readers assume ${XYT_DEFAULTS.ppi} ppi (the coordinates are written as they are, in pixels at ${Math.round(c.template.ppi)} ppi; iso, ansi and json keep the resolution)`);
        if ((c.template as JsonTemplate).decoderWarning !== undefined && o.to !== 'json') notes.push(`${o.to} has no field for the template's "decoderWarning" (the image it was made from was damaged): ${outName} does not carry it`);
        if (c.template.scaleEstimated && o.to !== 'json') notes.push(`the template's scale was estimated from a photo ("scaleEstimated"); ${o.to} has no field for that, so comparisons of ${outName} will not search across scales unless its partner is a photo or a JSON template that says so`);
        process.stderr.write(`convert: ${printable(path)} -> ${printable(outName)} (${c.template.minutiae.length} minutiae)${notes.length ? `; ${printable(notes.join('; '))}` : ''}\n`);
      } catch (e) {
        const f = failureOf(writing ? outName : path, e);
        printSummary('convert', 0, [f], 0);
        process.exitCode = 1;
      }
    });
}

/**
 * convert -o: undefined when nothing is at `path` or it reads as a template (by fingerlift's own readers,
 * `detectTemplateFormat` and `readTemplateFile`: .xyt, ISO/IEC 19794-2, ANSI INCITS 378, fingerlift JSON;
 * an .xyt sized from its minutiae, as `compare` reads one); else what it is, starting with the path, for
 * the E_EXISTS message ("x.tif: exists and is a TIFF image, not a template", "t.trail.json: exists and is
 * not a template (<why the reader refused it>)").
 */
async function notATemplate(path: string): Promise<string | undefined> {
  if ((await lstat(path).catch(() => undefined)) === undefined) return undefined;
  const why = (e: unknown): string => messageAfterPath(path, e instanceof Error ? e.message : String(e));
  let bytes: Buffer;
  try {
    bytes = await readInputFile(path, { maxBytes: JSON_TEMPLATE.maxBytes, what: 'template', tooLargeCode: 'E_TEMPLATE_FORMAT' });
  } catch (e) {
    return `${printable(path)}: exists and is not a template (${why(e)})`;
  }
  const image = imageMagic(bytes);
  if (image !== undefined) return `${printable(path)}: exists and is a ${image} image, not a template`;
  try {
    const format = detectTemplateFormat(bytes, path);
    let size = {};
    if (format === 'xyt') {
      let width = 1, height = 1;
      for (const line of bytes.toString('latin1').split(/\r?\n/)) {
        const f = line.trim().split(/\s+/);
        if (f.length >= 3 && /^\d{1,6}$/.test(f[0]!) && /^\d{1,6}$/.test(f[1]!)) { width = Math.max(width, Number(f[0]) + 1); height = Math.max(height, Number(f[1]) + 1); }
      }
      size = { width, height };
    }
    readTemplateFile(bytes, path, format, size);
    return undefined;
  } catch (e) {
    return `${printable(path)}: exists and is not a template (${why(e)})`;
  }
}

/**
 * Write bytes to standard output, resolving once they are handed to the system (after a 'drain' when the
 * pipe is full). A failure to write (a closed pipe, a full disk) is handled by the CLI's stdout error handler.
 */
function writeStdout(bytes: Uint8Array): Promise<void> {
  return new Promise((done) => {
    if (process.stdout.write(bytes)) done();
    else process.stdout.once('drain', () => done());
  });
}

/** True when both paths name the same file (through a symbolic or hard link): same device and inode. */
function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a), sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * A picture/CSV the command will write: a known extension, not a folder, in a folder that takes new files
 * (usage errors, exit 2). An existing file there is an output refusal, E_EXISTS (exit 1): `foreignOutputs`.
 */
async function checkNewFile(option: string, path: string, exts: string[]): Promise<void> {
  if (path === '-') throw new UsageError(`${option} -: standard output carries the command's results, not the ${exts.join(' or ')} file: give a file name`);
  if (!exts.includes(extname(path).toLowerCase())) throw new UsageError(humanText`${option} ${path}: must end in ${exts.join(' or ')}`);
  if (existsSync(path) && !statSync(path).isFile()) throw new UsageError(humanText`${option} ${path}: not a file`);
  // Its folder must take new files: checked before any comparison, not found out after a long search.
  await checkWritableFolder(option, path);
}

/** An output that `--force` may replace only when fingerlift wrote it: a comparison chart, a score plot, a DET table. */
interface OwnOutput {
  option: string;
  path: string;
  kind: 'chart' | 'plot' | 'det';
  /** --force was given (for `foreignOutputs`: an existing file of fingerlift's own of this kind may then be replaced). */
  force?: boolean;
}

const OWN_KIND: Record<OwnOutput['kind'], string> = { chart: 'comparison chart', plot: 'score plot', det: 'DET table' };

/** Is the file at `out.path` one fingerlift wrote of that kind (the chart's or plot's PNG mark, the DET table's text)? */
async function isOwnOutput(out: OwnOutput): Promise<boolean> {
  if (out.kind === 'det') return isDetCsv(out.path);
  return (await readPngMark(out.path)) === (out.kind === 'chart' ? CHART_MARK.value : PLOT_MARK.value);
}

function refusedOutput(out: OwnOutput): FingerliftError {
  return new FingerliftError('E_EXISTS', `exists and is not a ${OWN_KIND[out.kind]} fingerlift wrote: ${out.option} with --force replaces only fingerlift's own ${OWN_KIND[out.kind]}; choose another name or remove the file`, { input: out.path });
}

/**
 * The outputs that exist and may not be replaced, as E_EXISTS failures: any file that is not fingerlift's
 * own of its kind, and without `force` also one that is.
 */
async function foreignOutputs(outs: readonly OwnOutput[]): Promise<FileFailure[]> {
  const f: FileFailure[] = [];
  for (const out of outs) {
    if (!existsSync(out.path)) continue;
    if (!(await isOwnOutput(out))) f.push(failureOf(out.path, refusedOutput(out)));
    else if (out.force !== true) f.push(failureOf(out.path, new FingerliftError('E_EXISTS', `exists (a ${OWN_KIND[out.kind]} fingerlift wrote), not overwritten (use --force to replace it)`, { input: out.path })));
  }
  return f;
}

/**
 * Write a chart, plot or DET table: a new file, or with `force` over fingerlift's own of that kind only
 * (checked again now: the file may have changed since the check before the work).
 * @throws FingerliftError E_EXISTS for an existing file (without force, or not fingerlift's), E_WRITE.
 */
async function writeOwnOutput(out: OwnOutput, bytes: Uint8Array | string, force: boolean): Promise<void> {
  if (force && existsSync(out.path) && !(await isOwnOutput(out))) throw refusedOutput(out);
  await writeBytes(out.path, bytes, force);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function pct(v: number | undefined): string {
  return v === undefined ? 'n/a' : `${(v * 100).toFixed(2)}%`;
}

