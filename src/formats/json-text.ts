/**
 * The one way fingerlift parses JSON that comes from outside (audit trails, JSON templates, JSON files met
 * in a gallery): `parseJsonText` refuses text nested deeper than {@link MAX_JSON_DEPTH} arrays and objects
 * before it is parsed, so that no later walk over the value (validation, `JSON.stringify` in a message,
 * hashing of parameters) can overflow the call stack, and hands syntax errors to the caller as a problem
 * text free of control bytes. Each caller turns the problem into its own typed error (E_TEMPLATE_FORMAT for
 * a template, E_INVALID_ARGUMENT for a trail), naming its input.
 */

/**
 * Deepest nesting of arrays and objects read, levels (the outermost `{` is level 1). fingerlift's own files
 * nest at most about 8 levels (a trail's step parameters); 256 leaves ample room for hand-edited files and
 * stays far below the depth at which V8's recursive `JSON.stringify` exhausts the default stack (about
 * 10,000 levels, measured on Node 20).
 */
export const MAX_JSON_DEPTH = 256;

/** Why a JSON text was refused: `depth` (nested deeper than the limit) or `syntax` (not JSON). */
export interface JsonTextProblem {
  kind: 'depth' | 'syntax';
  /** A one-line description, printable ASCII (e.g. "nested too deeply: more than 256 levels of arrays and objects"). */
  problem: string;
  /** The SyntaxError from `JSON.parse`, for `syntax`. */
  cause?: unknown;
}

/**
 * The deepest nesting of arrays and objects in a JSON text, counted outside strings, stopping as soon as
 * it passes `limit` (returns `limit + 1` then). Linear in the text's length, no recursion.
 */
export function jsonNestingDepth(text: string, limit = Infinity): number {
  let depth = 0, deepest = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Parse JSON text from an input file or caller, refusing nesting deeper than `maxDepth`.
 * @param text the JSON text.
 * @param fail builds the error to throw for a problem (the caller's typed error naming its input).
 * @param maxDepth deepest nesting of arrays and objects accepted, levels (default {@link MAX_JSON_DEPTH}).
 * @returns the parsed value.
 * @throws whatever `fail` returns, for text nested too deeply or text that is not JSON.
 */
export function parseJsonText(text: string, fail: (p: JsonTextProblem) => Error, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonNestingDepth(text, maxDepth) > maxDepth) throw fail({ kind: 'depth', problem: `nested too deeply: more than ${maxDepth} levels of arrays and objects` });
  try {
    return JSON.parse(text);
  } catch (e) {
    // Node quotes the offending text in its message; a binary file would fill the terminal with bytes.
    const why = (e instanceof Error ? e.message : String(e)).replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
    throw fail({ kind: 'syntax', problem: `not JSON (${why})`, cause: e });
  }
}
