/**
 * Per-input results of a batch as JSON or CSV (chosen by the file's extension): paths, status, output
 * and trail hashes, the task's fields (fingertips, minutiae counts, scores), error code and message.
 *
 * CSV follows RFC 4180 (comma, CRLF, fields with comma, quote or line break quoted, quotes doubled).
 * Text cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) get a leading
 * apostrophe (OWASP "CSV injection"); numbers are written as numbers.
 */
import { extname } from 'node:path';
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

/** JSON text: `{ done, skipped, failed, ms, results: rows }`, stable key order. */
export function summaryJson(r: BatchResult): string {
  const skipped = r.done.filter((d) => d.status === 'skipped').length;
  return stableStringify({ counts: { done: r.done.length - skipped, skipped, failed: r.failed.length }, ms: r.ms, results: summaryRows(r) });
}

/**
 * Write the summary to `path`: `.json` or `.csv` (any case).
 * @throws FingerliftError E_INVALID_ARGUMENT for another extension; E_EXISTS when the file exists and
 *   `force` is not set.
 */
export async function writeSummary(r: BatchResult, path: string, opts: { force?: boolean } = {}): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.json' && ext !== '.csv')
    throw new FingerliftError('E_INVALID_ARGUMENT', `summary file must end in .json or .csv, got "${ext || '(none)'}"`, { input: path });
  await writeOutputFile(path, ext === '.json' ? summaryJson(r) : summaryCsv(summaryRows(r)), opts.force ?? false);
}
