#!/usr/bin/env node
// Launcher. In a clone (src/ present) it runs the TypeScript source through tsx, so it is always the
// code you see; in an installed package (no src/) it runs the compiled dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../src/index.ts', import.meta.url));
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./cli.ts', import.meta.url).href);
} else {
  await import(pathToFileURL(fileURLToPath(new URL('../dist/bin/cli.js', import.meta.url))).href);
}
