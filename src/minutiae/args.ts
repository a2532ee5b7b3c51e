/**
 * Argument checks of the exported stage functions (JavaScript callers are not held to the types): each
 * throws FingerliftError E_INVALID_ARGUMENT naming the function, what it expected and what it got.
 * O(1) each (no pixel is read).
 */
import { invalidArgument } from '../errors.js';

/** A height x width Uint8Array image (binary, skeleton or mask): integer sizes, data of width x height values. */
export function checkBytesImage(fn: string, what: string, v: unknown): void {
  const o = v as { width?: unknown; height?: unknown; data?: unknown } | null | undefined;
  if (!(o !== null && typeof o === 'object' && o.data instanceof Uint8Array && Number.isInteger(o.width) && Number.isInteger(o.height) && (o.width as number) > 0 && (o.height as number) > 0 && o.data.length === (o.width as number) * (o.height as number)))
    throw invalidArgument(`${fn}: ${what}`, `a ${what} image { width, height, data: Uint8Array of width x height }`, v);
}

/** An array (of minutiae or candidates). */
export function checkListArg(fn: string, what: string, v: unknown): void {
  if (!Array.isArray(v)) throw invalidArgument(`${fn}: ${what}`, `an array of ${what}`, v);
}

/** An options object. */
export function checkOptionsArg(fn: string, v: unknown): void {
  if (v === null || typeof v !== 'object') throw invalidArgument(`${fn}: options`, 'an options object', v);
}
