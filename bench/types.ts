/**
 * Contract for benchmark sections. `bench/run.ts` imports each `bench/<area>.ts`, calls its default
 * export, prints every section as a markdown table, and writes all of them to
 * `bench/results/<date>.json`. Speed is measured here, never in tests.
 */
export interface BenchContext {
  /** `npm run bench -- --quick`: fewer images and repetitions, whole run under two minutes. */
  quick: boolean;
  /** Progress line to stderr. */
  log: (message: string) => void;
}

export interface BenchSection {
  /** Section title, e.g. "Enhancement speed (FVC2002 DB1_B)". */
  title: string;
  /** Table rows; every row has the same keys (the columns). */
  rows: Array<Record<string, string | number>>;
  /** Free-text notes printed under the table (method, counts, machine noise). */
  notes?: string[];
  /** What was skipped and why (e.g. "../shared/data absent"). */
  skipped?: string[];
}

export type BenchFn = (ctx: BenchContext) => Promise<BenchSection[]>;

/** Median of a list of numbers (NaN for an empty list). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
