/**
 * `npm run bench [-- --quick] [-- --only enhance,compare]`: runs every bench/<area>.ts section (speed,
 * memory, accuracy), prints each as a markdown table, and writes all of them with the machine facts to
 * bench/results/<date>.json. Speed and memory goals are checked here, never in tests.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchFn, BenchSection } from './types.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg?.split(',').filter(Boolean);
const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`);

const sections = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'types.ts'].includes(f) && !f.startsWith('_'))
  .map((f) => basename(f, '.ts'))
  .sort();
const modules = sections.filter((m) => !only || only.includes(m));
const unknown = (only ?? []).filter((m) => !sections.includes(m));
if (unknown.length > 0) {
  process.stderr.write(`[bench] no section ${unknown.map((m) => `"${m}"`).join(', ')}; sections: ${sections.join(', ')}\n`);
  process.exit(2);
}

function table(section: BenchSection): string {
  const lines = [`### ${section.title}`, ''];
  if (section.rows.length > 0) {
    const cols = Object.keys(section.rows[0]!);
    lines.push(`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`);
    for (const r of section.rows) lines.push(`| ${cols.map((c) => fmt(r[c])).join(' | ')} |`);
  }
  for (const n of section.notes ?? []) lines.push('', n);
  for (const s of section.skipped ?? []) lines.push('', `SKIPPED: ${s}`);
  return lines.join('\n');
}

function fmt(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v) || Math.abs(v) >= 1000) return String(Math.round(v));
    const t = v.toPrecision(4);
    return t.includes('.') && !t.includes('e') ? t.replace(/0+$/, '').replace(/\.$/, '') : t;
  }
  return v === undefined ? '' : String(v);
}

const started = Date.now();
const results: Record<string, BenchSection[] | { error: string }> = {};
for (const m of modules) {
  log(`${m} ...`);
  const t0 = Date.now();
  try {
    const mod = (await import(pathToFileURL(join(here, `${m}.ts`)).href)) as { default: BenchFn };
    const sections = await mod.default({ quick, log });
    results[m] = sections;
    for (const s of sections) process.stdout.write(`${table(s)}\n\n`);
  } catch (e) {
    results[m] = { error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
    process.stdout.write(`### ${m}\n\nFAILED: ${e instanceof Error ? e.message : String(e)}\n\n`);
  }
  log(`${m} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
const date = new Date().toISOString();
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `${date.slice(0, 10)}${quick ? '-quick' : ''}.json`);
// A partial run (--only) updates its sections and keeps the others of the same day.
let merged: Record<string, unknown> = results;
if (only && existsSync(file)) {
  try {
    merged = { ...(JSON.parse(readFileSync(file, 'utf8')) as { results?: Record<string, unknown> }).results, ...results };
  } catch {
    /* unreadable: replaced */
  }
}
writeFileSync(file, JSON.stringify({ date, quick, machine, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), seconds: (Date.now() - started) / 1000, results: merged }, null, 2) + '\n');
process.stdout.write(`Peak RSS of the whole run: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; ${((Date.now() - started) / 1000).toFixed(1)} s. Results: ${file}\n`);
