#!/usr/bin/env node
// Launcher. In a clone (src/ present) it runs the TypeScript source through tsx, so it is always the
// code you see; in an installed package (no src/) it runs the compiled dist/.
//
// It first re-runs itself under `node --single-threaded-gc` (V8 accepts the flag only at start-up, not in
// NODE_OPTIONS): image work allocates large typed arrays, and V8's parallel garbage-collector threads cost
// more than they save here. Measured (2026-12-06, 2 cores): `extract` of the 80 FVC2004 DB1_B prints 14.4 s
// -> 9.5 s wall clock, 22.4 s -> 11.3 s CPU with one job; 14.0 s -> 9.3 s with two. Signals sent to this
// process are passed on, and its exit status is the child's.
//
// The child ends when this process dies without passing a signal on (`kill -9` of its pid, an OOM kill): it
// watches its parent pid (every PARENT_POLL_MS) and, once orphaned, stops as on SIGTERM (a batch finishes
// or removes the input in progress and leaves complete outputs only, as after Ctrl-C), so no orphan keeps
// writing into the output folder behind a rerun's back.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const GC_FLAG = '--single-threaded-gc';
/** Environment variable through which the launcher gives the child its pid (removed by the child at once). */
const LAUNCHER_PID = 'FINGERLIFT_LAUNCHER_PID';
/** How often the child checks that the launcher is still its parent (ms). */
const PARENT_POLL_MS = 200;
if (!process.execArgv.includes(GC_FLAG)) {
  const child = spawn(process.execPath, [...process.execArgv, GC_FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, [LAUNCHER_PID]: String(process.pid) } });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (sig) => child.kill(sig);
  for (const sig of signals) process.on(sig, forward);
  child.on('error', (e) => {
    process.stderr.write(`fingerlift: cannot start ${process.execPath}: ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const sig of signals) process.off(sig, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  const launcher = Number(process.env[LAUNCHER_PID]);
  delete process.env[LAUNCHER_PID]; // not passed on to anything this process starts
  if (Number.isInteger(launcher) && launcher > 0) {
    // Orphaned (the launcher was killed outright, so no signal was passed on): stop as on SIGTERM.
    const watch = setInterval(() => {
      if (process.ppid !== launcher) {
        clearInterval(watch);
        process.kill(process.pid, 'SIGTERM');
      }
    }, PARENT_POLL_MS);
    watch.unref(); // never what keeps the process alive
  }
  const source = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  if (existsSync(source)) {
    const { register } = await import('tsx/esm/api');
    register();
    await import(new URL('./cli.ts', import.meta.url).href);
  } else {
    await import(pathToFileURL(fileURLToPath(new URL('../dist/bin/cli.js', import.meta.url))).href);
  }
}
