/**
 * Argument checks shared by the template readers and writers (JavaScript callers are not held to the
 * types): each throws FingerliftError E_INVALID_ARGUMENT naming the function, what it expected and what
 * it got.
 */
import { invalidArgument } from '../errors.js';
import type { Template } from '../minutiae/types.js';

/** A template file's content (a Uint8Array or Buffer; also a string when `text`) and its name (a string). */
export function checkTemplateInput(fn: string, input: unknown, name: unknown, text = false): void {
  if (!(input instanceof Uint8Array || (text && typeof input === 'string')))
    throw invalidArgument(`${fn}: ${text ? 'input' : 'bytes'}`, `the file's content as a Uint8Array or Buffer${text ? ' (or its text)' : ''}`, input);
  if (typeof name !== 'string') throw invalidArgument(`${fn}: name`, 'a file name (string)', name);
}

/** A Template-shaped object: a minutiae array of objects (each format checks the values). */
export function checkTemplateArg(fn: string, template: unknown): asserts template is Template {
  if (template === null || typeof template !== 'object' || !Array.isArray((template as Template).minutiae))
    throw invalidArgument(`${fn}: template`, 'a Template { width, height, ppi, minutiae: Minutia[] }', template);
  (template as Template).minutiae.forEach((m, i) => {
    if (m === null || typeof m !== 'object') throw invalidArgument(`${fn}: minutiae[${i}]`, 'a Minutia { x, y, angle, type, quality }', m);
  });
}

/** An options object. */
export function checkOptionsArg(fn: string, opts: unknown): void {
  if (opts === null || typeof opts !== 'object') throw invalidArgument(`${fn}: options`, 'an options object', opts);
}
