/**
 * Recognising fingerlift's own pictures and tables on disk, so that `--force` replaces only those:
 * a comparison chart or score plot carries a PNG tEXt chunk (PNG 1.2, §4.2.3.1) with keyword `fingerlift`
 * right after IHDR (`withPngText`, `CHART_MARK`), and a DET table is fingerlift's `detCsv` text: the header
 * `threshold,fmr,fnmr` and rows of three numbers.
 */
import { open, stat } from 'node:fs/promises';
import { readSmallTextFile } from '../fsread.js';

/** PNG text keyword of fingerlift's pictures (as `CHART_MARK.keyword`). */
export const PNG_MARK_KEYWORD = 'fingerlift';

/** PNG text chunk (keyword, value) that marks `eval --plot`'s score plot (genuine vs impostor distributions). */
export const PLOT_MARK = { keyword: PNG_MARK_KEYWORD, value: 'score plot' } as const;

/** Longest mark value read, bytes (the values are short names). */
const MAX_MARK_VALUE = 64;

/**
 * The value of fingerlift's PNG mark in a file (`'comparison chart'`, `'score plot'`), read from its first
 * bytes: the 8-byte signature, the 25-byte IHDR chunk, then a tEXt chunk `fingerlift\0<value>`. Undefined
 * for anything else: not a regular file (a FIFO is never opened), unreadable, not a PNG, no mark there.
 */
export async function readPngMark(path: string): Promise<string | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    const head = Buffer.alloc(33 + 8 + PNG_MARK_KEYWORD.length + 1 + MAX_MARK_VALUE);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const b = head.subarray(0, bytesRead);
    const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    if (b.length < 41 || !sig.every((v, i) => b[i] === v) || b.toString('latin1', 12, 16) !== 'IHDR' || b.toString('latin1', 37, 41) !== 'tEXt') return undefined;
    const len = b.readUInt32BE(33);
    const key = `${PNG_MARK_KEYWORD}\0`;
    if (len <= key.length || len > key.length + MAX_MARK_VALUE || b.length < 41 + len || b.toString('latin1', 41, 41 + key.length) !== key) return undefined;
    return b.toString('latin1', 41 + key.length, 41 + len);
  } finally {
    await fh.close();
  }
}

/** Largest DET table recognised, bytes (a table of every distinct score of a large evaluation stays far below). */
const MAX_DET_BYTES = 256 * 2 ** 20;

/**
 * True when the file holds a DET table as fingerlift's `detCsv` writes it: the line `threshold,fmr,fnmr`,
 * then only lines of three numbers. A regular file only, at most 256 MiB.
 */
export async function isDetCsv(path: string): Promise<boolean> {
  const text = await readSmallTextFile(path, MAX_DET_BYTES, 'latin1');
  if (text === undefined) return false;
  const lines = text.split('\n');
  if (lines[0] !== 'threshold,fmr,fnmr' || lines.at(-1) !== '') return false;
  const num = /^-?(\d+(\.\d+)?([eE][+-]?\d+)?|Infinity)$/;
  for (let i = 1; i < lines.length - 1; i++) {
    const f = lines[i]!.split(',');
    if (f.length !== 3 || !f.every((x) => num.test(x))) return false;
  }
  return true;
}
