/**
 * Expand CLI input arguments (files, folders, globs) into a sorted list of files; arguments that match
 * nothing are reported as E_NOT_FOUND failures, not thrown.
 */
import { stat } from 'node:fs/promises';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { FileFailure } from './common.js';

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'tif', 'tiff', 'webp', 'bmp'];

export async function expandInputs(args: string[], extensions: string[] = IMAGE_EXTENSIONS): Promise<{ files: string[]; missing: FileFailure[] }> {
  const files = new Set<string>();
  const missing: FileFailure[] = [];
  const extGlob = `**/*.{${extensions.join(',')},${extensions.map((e) => e.toUpperCase()).join(',')}}`;
  for (const arg of args) {
    let matched: string[] = [];
    const st = await stat(arg).catch(() => undefined);
    if (st?.isDirectory()) matched = await glob(extGlob, { cwd: arg, absolute: false }).then((l) => l.map((f) => `${arg.replace(/\/+$/, '')}/${f}`));
    else if (st?.isFile()) matched = [arg];
    else if (isDynamicPattern(arg)) matched = await glob(arg);
    if (matched.length === 0) missing.push({ path: arg, code: 'E_NOT_FOUND', message: st?.isDirectory() ? 'folder holds no supported file' : 'no such file, folder or matching glob' });
    for (const m of matched.sort()) files.add(m);
  }
  return { files: [...files], missing };
}
