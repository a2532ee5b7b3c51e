/**
 * Options for worker threads (piscina pools of the batch runner and of 1:N search).
 *
 * A worker thread cannot take per-process options (e.g. `--single-threaded-gc`, `--inspect`): Node refuses
 * to start it ("invalid execArgv flags"). So a worker gets only the parent's module-loading options (the
 * flags that make the same modules importable there), plus the tsx loader when a module it runs is
 * TypeScript source (a clone run with `npm test` / `npm run bench`).
 */

/** Parent options a worker needs to import the same modules; each may carry a value (`--import x` or `--import=x`). */
const MODULE_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);
/** Value-less parent options that are safe and useful in a worker. */
const PLAIN_FLAGS = /^--(enable-source-maps|no-warnings|no-deprecation|experimental-[a-z-]+|no-experimental-[a-z-]+)$/;

/**
 * execArgv for a worker thread that runs the given module URLs (file: URLs).
 * @param moduleUrls the worker entry and any module it imports by URL; a `.ts`/`.mts`/`.cts` one adds tsx.
 */
export function workerExecArgv(...moduleUrls: string[]): string[] {
  const parent = process.execArgv;
  const argv: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const a = parent[i]!;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (MODULE_FLAGS.has(name)) {
      if (eq > 0) argv.push(`${name}=${absoluteModule(name, a.slice(eq + 1))}`);
      else if (i + 1 < parent.length) argv.push(a, absoluteModule(name, parent[++i]!));
    } else if (PLAIN_FLAGS.test(a)) argv.push(a);
  }
  const ts = moduleUrls.some((u) => /\.[mc]?ts$/.test(new URL(u).pathname));
  if (ts && !argv.some((a) => /(^|[\\/=])tsx([\\/]|$)|tsx\/dist/.test(a))) {
    try {
      argv.push('--import', import.meta.resolve('tsx'));
    } catch {
      /* tsx not installed (a production install runs compiled .js workers, which need no loader) */
    }
  }
  return argv;
}

/**
 * A bare module name given to `--import` (e.g. `tsx`) is resolved by the worker against the working
 * directory, which a program may have changed since it started (then the worker fails to start with
 * ERR_MODULE_NOT_FOUND): resolve it here, from fingerlift's own location, to an absolute URL.
 */
function absoluteModule(flag: string, spec: string): string {
  if (flag !== '--import' || /^(\.|\/|[a-z]+:)/i.test(spec)) return spec;
  try {
    return import.meta.resolve(spec);
  } catch {
    return spec;
  }
}
