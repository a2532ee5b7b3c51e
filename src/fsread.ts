/**
 * Reading an input file safely: the path is checked before a byte is read, so that a device, a pipe or
 * a socket (a FIFO never ends, /dev/zero never stops) and a file far larger than anything fingerlift
 * reads are refused at once with a typed error, instead of hanging or filling the memory.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { FingerliftError, type ErrorCode } from './errors.js';

export interface ReadInputOptions {
  /** Largest size accepted, bytes (at most 2 GiB - 1, Node's limit for one buffer). */
  maxBytes: number;
  /** What the file is, for messages ("image", "template", "audit trail"). */
  what: string;
  /** Error code for a file over `maxBytes` (default E_TOO_LARGE). */
  tooLargeCode?: ErrorCode;
}

/** What a file system error code means, in words a user acts on (POSIX errno names, as Node reports them). */
const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied (operation not permitted)',
  ELOOP: 'symbolic link loop, or too many levels of symbolic links',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENAMETOOLONG: "name too long (over the file system's limit)",
  EISDIR: 'a folder, not a file',
  EIO: 'input/output error (a failing disk, card or network share?)',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EBUSY: 'device or resource busy',
  ESTALE: 'stale network file handle',
  ETIMEDOUT: 'timed out',
};

/**
 * Why a file system call failed, as "<reason> (<code>)": "permission denied (EACCES)", "symbolic link
 * loop, or too many levels of symbolic links (ELOOP)", "no such file or directory (ENOENT)"; an unknown
 * code keeps its code and Node's text; anything without a code its message.
 */
export function fsErrorReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') {
    const reason = FS_REASONS[code];
    if (reason !== undefined) return `${reason} (${code})`;
    const text = e instanceof Error ? e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/s, '') : '';
    return text ? `${text} (${code})` : code;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Node's largest Buffer: 2 GiB - 1. */
const NODE_MAX = 2 ** 31 - 1;

/**
 * Read a whole regular file.
 * @throws FingerliftError E_NOT_FOUND (missing or unreadable; the message says why, as `fsErrorReason`:
 *   "permission denied (EACCES)", "symbolic link loop ... (ELOOP)", ...), E_UNSUPPORTED_FORMAT (a folder, device, pipe
 *   or socket), `tooLargeCode` (size over `maxBytes`; E_TOO_LARGE by default). Each names the file.
 */
export async function readInputFile(path: string, options: ReadInputOptions): Promise<Buffer> {
  const { what } = options;
  const maxBytes = Math.min(options.maxBytes, NODE_MAX);
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new FingerliftError('E_NOT_FOUND', `cannot read ${what}: ${fsErrorReason(e)}`, { input: path, cause: e });
  }
  if (st.isDirectory()) throw new FingerliftError('E_UNSUPPORTED_FORMAT', `${what}: a folder, not a file`, { input: path });
  if (!st.isFile()) throw new FingerliftError('E_UNSUPPORTED_FORMAT', `${what}: not a regular file (a device, pipe or socket)`, { input: path });
  if (st.size > maxBytes) {
    throw new FingerliftError(options.tooLargeCode ?? 'E_TOO_LARGE', `${what} file is ${st.size} bytes, over the ${maxBytes}-byte limit`, { input: path });
  }
  // Read at most maxBytes + 1 through one handle (the file may grow between stat and read).
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new FingerliftError('E_NOT_FOUND', `cannot read ${what}: ${fsErrorReason(e)}`, { input: path, cause: e });
  }
  try {
    // One buffer of the size stat gave plus one byte (to notice a file that grew since); more chunks only then.
    const chunks: Buffer[] = [];
    let total = 0;
    let want = Math.min(st.size, maxBytes) + 1;
    for (;;) {
      const buf = Buffer.allocUnsafe(want);
      let filled = 0;
      while (filled < want) {
        const { bytesRead } = await fh.read(buf, filled, want - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      chunks.push(filled === want ? buf : buf.subarray(0, filled));
      total += filled;
      if (filled < want || total > maxBytes) break;
      want = Math.min(1 << 20, maxBytes + 1 - total);
    }
    if (total > maxBytes) throw new FingerliftError(options.tooLargeCode ?? 'E_TOO_LARGE', `${what} file is over the ${maxBytes}-byte limit`, { input: path });
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof FingerliftError) throw e;
    throw new FingerliftError('E_NOT_FOUND', `cannot read ${what}: ${fsErrorReason(e)}`, { input: path, cause: e });
  } finally {
    await fh.close();
  }
}

/**
 * The text of `path` when it is a regular file of at most `maxBytes` bytes that can be read; undefined
 * otherwise (missing, a folder, too large, unreadable). For recognising fingerlift's own files on disk
 * (a DET table, a batch summary) before `--force` replaces them: a refusal, never an error.
 */
export async function readSmallTextFile(path: string, maxBytes: number, encoding: 'utf8' | 'latin1' = 'utf8'): Promise<string | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile() || st.size > maxBytes) return undefined;
  return readFile(path, encoding).catch(() => undefined);
}
