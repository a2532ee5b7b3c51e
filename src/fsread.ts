/**
 * Reading an input file safely: the path is checked before a byte is read, so that a device, a pipe or
 * a socket (a FIFO never ends, /dev/zero never stops) and a file far larger than anything fingerlift
 * reads are refused at once with a typed error, instead of hanging or filling the memory.
 */
import { open, stat } from 'node:fs/promises';
import { FingerliftError, type ErrorCode } from './errors.js';

export interface ReadInputOptions {
  /** Largest size accepted, bytes (at most 2 GiB - 1, Node's limit for one buffer). */
  maxBytes: number;
  /** What the file is, for messages ("image", "template", "audit trail"). */
  what: string;
  /** Error code for a file over `maxBytes` (default E_TOO_LARGE). */
  tooLargeCode?: ErrorCode;
}

/** Node's largest Buffer: 2 GiB - 1. */
const NODE_MAX = 2 ** 31 - 1;

/**
 * Read a whole regular file.
 * @throws FingerliftError E_NOT_FOUND (missing or unreadable), E_UNSUPPORTED_FORMAT (a folder, device, pipe
 *   or socket), `tooLargeCode` (size over `maxBytes`; E_TOO_LARGE by default). Each names the file.
 */
export async function readInputFile(path: string, options: ReadInputOptions): Promise<Buffer> {
  const { what } = options;
  const maxBytes = Math.min(options.maxBytes, NODE_MAX);
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new FingerliftError('E_NOT_FOUND', `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { input: path, cause: e });
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
    throw new FingerliftError('E_NOT_FOUND', `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { input: path, cause: e });
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
    throw new FingerliftError('E_NOT_FOUND', `cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { input: path, cause: e });
  } finally {
    await fh.close();
  }
}
