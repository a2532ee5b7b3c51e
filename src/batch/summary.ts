/**
 * Per-input results of a batch as JSON or CSV (chosen by the file's extension): paths, status, output
 * and trail hashes, the task's fields (fingertips, minutiae counts, scores), error code and message.
 *
 * CSV follows RFC 4180 (comma, CRLF, fields with comma, quote or line break quoted, quotes doubled).
 * Text cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) get a leading
 * apostrophe (OWASP "CSV injection"); numbers are written as numbers.
 *
 * `force` replaces only a summary fingerlift wrote (`isFingerliftSummary`: the JSON summary's marker
 * `"fingerlift": "batch summary"` or its shape, the CSV's header line), never another file (an audit
 * trail, a user's notes).
 */
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { readSmallTextFile } from '../fsread.js';
import { FingerliftError } from '../errors.js';
import { stableStringify } from '../audit/hash.js';
import type { BatchResult } from './types.js';
import { writeOutputFile } from './worker.js';

/** One summary row: the fixed columns, then the task's fields under their own names. */
export type SummaryRow = Record<string, string | number | boolean | null>;

const FIXED_COLUMNS = ['path', 'name', 'status', 'code', 'message', 'ms', 'outputs', 'trail', 'trailSha256'] as const;

/** The rows of a batch result: every input in order, done and skipped first, then failures. */
export function summaryRows(r: BatchResult): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const d of r.done) {
    const row: SummaryRow = {
      path: d.path,
      name: d.name,
      status: d.status,
      code: null,
      message: null,
      ms: d.ms,
      outputs: d.outputs.map((o) => `${o.path}=${o.sha256}`).join(';'),
      trail: d.trail?.path ?? null,
      trailSha256: d.trail?.sha256 ?? null,
    };
    for (const [k, v] of Object.entries(d.fields)) if (!(k in row)) row[k] = v;
    rows.push(row);
  }
  for (const f of r.failed)
    rows.push({ path: f.path, name: f.name ?? null, status: 'failed', code: f.code, message: f.message, ms: f.ms ?? null, outputs: null, trail: null, trailSha256: null });
  return rows;
}

function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text of the rows (columns: the fixed ones, then every field name in sorted order). */
export function summaryCsv(rows: SummaryRow[]): string {
  const fixed = new Set<string>(FIXED_COLUMNS);
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r)).filter((k) => !fixed.has(k)))].sort();
  const cols = [...FIXED_COLUMNS, ...extra];
  const lines = [cols.map(csvCell).join(',')];
  for (const r of rows) lines.push(cols.map((c) => csvCell(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** Value of the JSON summary's `fingerlift` key: marks the file as a summary fingerlift wrote (`isFingerliftSummary`). */
export const SUMMARY_MARK = 'batch summary';

/** JSON text: `{ counts: { done, skipped, failed }, fingerlift: "batch summary", ms, results: rows }`, stable key order. */
export function summaryJson(r: BatchResult): string {
  const skipped = r.done.filter((d) => d.status === 'skipped').length;
  return stableStringify({ counts: { done: r.done.length - skipped, skipped, failed: r.failed.length }, fingerlift: SUMMARY_MARK, ms: r.ms, results: summaryRows(r) });
}

/** Largest file recognised as a summary, bytes (a summary of 100,000 inputs is a few tens of MB). */
const MAX_SUMMARY_BYTES = 512 * 2 ** 20;

/**
 * True when `path` is a regular file holding a batch summary fingerlift wrote, judged by its content:
 * JSON whose top level has `"fingerlift": "batch summary"`, or exactly the keys `counts` (numbers `done`,
 * `skipped`, `failed`), `ms` and `results` (an array) of the summaries written before that marker; CSV
 * whose first line is the fixed columns `path,name,status,code,message,ms,outputs,trail,trailSha256`
 * (then the task's field names). The kind is the one `ext` (".json" / ".csv") names. False for anything
 * else: a trail, a user's file, a folder, an unreadable file, one over 512 MiB.
 */
export async function isFingerliftSummary(path: string, ext: string = extname(path).toLowerCase()): Promise<boolean> {
  const text = await readSmallTextFile(path, MAX_SUMMARY_BYTES);
  if (text === undefined) return false;
  if (ext === '.csv') {
    const header = FIXED_COLUMNS.join(',');
    const first = text.split(/\r?\n/, 1)[0]!;
    return first === header || first.startsWith(header + ',');
  }
  if (ext !== '.json') return false;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return false;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const o = doc as Record<string, unknown>;
  if (o.fingerlift === SUMMARY_MARK) return true;
  const c = o.counts as Record<string, unknown> | null;
  return (
    Object.keys(o).sort().join(',') === 'counts,ms,results' &&
    c !== null && typeof c === 'object' && Object.keys(c).sort().join(',') === 'done,failed,skipped' &&
    ['done', 'failed', 'skipped'].every((k) => typeof c[k] === 'number') &&
    typeof o.ms === 'number' && Array.isArray(o.results)
  );
}

/** E_EXISTS for a --summary file that exists and is not a fingerlift summary (with `force`) or exists (without). */
export function summaryExists(path: string, force: boolean): FingerliftError {
  return force
    ? new FingerliftError('E_EXISTS', `${path}: exists and is not a summary fingerlift wrote: --summary with --force replaces only fingerlift's own summaries (not a trail or any other file); choose another name or remove the file`, { input: path })
    : new FingerliftError('E_EXISTS', `${path}: exists, not overwritten (use --force to replace a summary fingerlift wrote)`, { input: path });
}

/**
 * Write the summary to `path`: `.json` or `.csv` (any case). With `force` an existing file is replaced only
 * when it is a summary fingerlift wrote (`isFingerliftSummary`).
 * @throws FingerliftError E_INVALID_ARGUMENT for another extension or a name ending `.trail.json` (an audit
 *   trail's name); E_EXISTS when the file exists and `force` is not set, or it is not a fingerlift summary;
 *   E_WRITE (see `writeOutputFile`).
 */
export async function writeSummary(r: BatchResult, path: string, opts: { force?: boolean } = {}): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.json' && ext !== '.csv')
    throw new FingerliftError('E_INVALID_ARGUMENT', `summary file must end in .json or .csv, got "${ext || '(none)'}"`, { input: path });
  if (isTrailName(path)) throw new FingerliftError('E_INVALID_ARGUMENT', `${path}: named like an audit trail (*.trail.json): not a summary name`, { input: path });
  const force = opts.force ?? false;
  if (force && (await stat(path).then(() => true, () => false)) && !(await isFingerliftSummary(path, ext))) throw summaryExists(path, true);
  await writeOutputFile(path, ext === '.json' ? summaryJson(r) : summaryCsv(summaryRows(r)), force);
}

/** True for a name that ends `.trail.json` (any case): an audit trail's name, never a summary's. */
export function isTrailName(path: string): boolean {
  return /\.trail\.json$/i.test(path);
}
