/**
 * The one way tests and benchmarks reach real data: `../shared/data` and `../shared/cases`, found by
 * walking up from the repository. When absent (a user's clone), `dataDir` returns undefined and
 * `skipWithout` prints a visible `SKIP:` line that the test runner repeats.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the shared folder was looked for, for the skip messages. */
const where = process.env.FINGERLIFT_SHARED ? `FINGERLIFT_SHARED=${process.env.FINGERLIFT_SHARED}` : '../shared';

function findShared(): string | undefined {
  // A folder named explicitly is the only one looked at: falling back silently would test other data.
  if (process.env.FINGERLIFT_SHARED) return existsSync(process.env.FINGERLIFT_SHARED) ? resolve(process.env.FINGERLIFT_SHARED) : undefined;
  let dir = repoRoot;
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, '..', 'shared');
    if (existsSync(join(candidate, 'data')) || existsSync(join(candidate, 'cases'))) return resolve(candidate);
    dir = resolve(dir, '..');
  }
  return undefined;
}

const shared = findShared();

/** Absolute path of `../shared/data/<sub>` when present, else undefined. */
export function dataDir(sub = ''): string | undefined {
  if (!shared) return undefined;
  const p = join(shared, 'data', sub);
  return existsSync(p) ? p : undefined;
}

/** Absolute path of `../shared/cases/<sub>` when present, else undefined. */
export function casesDir(sub = ''): string | undefined {
  if (!shared) return undefined;
  const p = join(shared, 'cases', sub);
  return existsSync(p) ? p : undefined;
}

/** Print the visible skip message for a test that needs data that is absent. */
export function skipMessage(what: string, why: string): void {
  console.log(`SKIP: ${what}: ${why} (${where}${shared ? '' : ' not found'})`);
}

/**
 * Returns the directory, or prints a SKIP line and returns undefined. Use:
 *   const dir = requireData('fvc2002-db1b', 'FVC load test'); if (!dir) return;
 */
export function requireData(sub: string, what: string): string | undefined {
  const d = dataDir(sub);
  if (!d) skipMessage(what, `needs data/${sub}`);
  return d;
}

export function requireCase(sub: string, what: string): string | undefined {
  const d = casesDir(sub);
  if (!d) skipMessage(what, `needs cases/${sub}`);
  return d;
}

export { repoRoot };
