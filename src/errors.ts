/**
 * The one error class of fingerlift. Every failure a user can cause (bad file, no finger, malformed
 * template) is a `FingerliftError` with a stable `code` and a message that names the input.
 */

/** Stable error codes. Scripts may switch on them; they never change meaning between versions. */
export type ErrorCode =
  | 'E_DECODE' // the bytes are not a decodable image (corrupt, truncated, not an image)
  | 'E_UNSUPPORTED_FORMAT' // a real file in a format fingerlift does not read, or not a regular file (a folder, device, pipe or socket)
  | 'E_TOO_LARGE' // pixel count over the configured limit (checked from the header), or a file larger than any input within it
  | 'E_TOO_SMALL' // zero-size input, or an image under the minimum side
  | 'E_NOT_FOUND' // the path does not exist or cannot be read (the message names why: no such file, permission denied, a symbolic link loop, a name too long, a file where a folder should be)
  | 'E_EXISTS' // refusing to overwrite an existing output
  | 'E_WRITE' // an output cannot be written (permissions, a folder in the way, disk full)
  | 'E_NO_FINGER' // no hand or fingertip found in a photo
  | 'E_TEMPLATE_FORMAT' // template bytes that do not follow their format
  | 'E_TOO_FEW_MINUTIAE' // a template too sparse to compare
  | 'E_INVALID_ARGUMENT' // an option or argument outside its documented range
  | 'E_CV' // an OpenCV operation failed (message translated from its exception)
  | 'E_VERIFY' // an audit-trail replay did not reproduce its recorded outputs
  | 'E_INTERNAL'; // an unexpected failure (a bug, or a worker thread that died): please report it

export class FingerliftError extends Error {
  readonly code: ErrorCode;
  /** The file (or other input) the error is about, when there is one. */
  readonly input?: string;

  /**
   * @param message what went wrong; prefixed with `input` (as `printable` shows it: a name holding a line
   *   break or another control character is quoted and escaped) unless it already names it.
   */
  constructor(code: ErrorCode, message: string, options: { input?: string; cause?: unknown } = {}) {
    const input = options.input;
    super(input !== undefined && !message.includes(input) && !message.includes(printable(input)) ? `${printable(input)}: ${message}` : message, {
      cause: options.cause,
    });
    this.name = 'FingerliftError';
    this.code = code;
    if (options.input !== undefined) this.input = options.input;
  }
}

/** True when `e` is a FingerliftError (optionally with the given code). */
export function isFingerliftError(e: unknown, code?: ErrorCode): e is FingerliftError {
  return e instanceof FingerliftError && (code === undefined || e.code === code);
}

/**
 * A short description of a value for an error message ("undefined", "the number 123", "the string
 * \"500\"", "a Uint8Array of 3 values", "an object with keys a, b"). JavaScript callers are not held to
 * the types; messages say what was received.
 */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `the ${typeof v} ${String(v)}`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
  }
  if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${v.byteLength} bytes`;
  const ctor = (v as object).constructor;
  if (ctor && ctor !== Object && typeof ctor.name === 'string' && ctor.name) return `a ${ctor.name}`;
  return `an object with keys ${Object.keys(v as object).slice(0, 5).join(', ') || '(none)'}`;
}

/** The E_INVALID_ARGUMENT error for argument `what` (e.g. "loadImage: input"): expected vs received. */
export function invalidArgument(what: string, expected: string, got: unknown): FingerliftError {
  return new FingerliftError('E_INVALID_ARGUMENT', `${what}: expected ${expected}, got ${describeValue(got)}`);
}

/**
 * Characters that must not reach a terminal or a log line as they are: C0 controls (line feed, carriage
 * return, tab, escape, ...), DEL, C1 controls, the Unicode line and paragraph separators, the
 * bidirectional-text controls (which reorder what a terminal shows: CVE-2021-42574, "Trojan Source") and
 * lone surrogates.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu');
/** JSON's short escapes (RFC 8259 section 7); every other such character is written \uXXXX. */
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

/**
 * A file name (or any text from outside: a path, a message quoting one) as it is safe to print on one
 * line of a terminal or a log: unchanged when it holds no control character (`UNPRINTABLE`), else as a
 * JSON string literal, in double quotes with every such character escaped (`"scan\n1.png"`,
 * `"a\u001b[2Jb.png"`), so that a name can neither break a message into two lines nor forge one, and the
 * quotes say that the name was escaped. Applying it twice gives the same text as once.
 */
export function printable(text: string): string {
  if (!UNPRINTABLE.test(text)) return text;
  // A JSON string literal: quotes and backslashes escaped first, then the control characters.
  return `"${escapeControls(text.replace(/["\\]/g, '\\$&'))}"`;
}

/**
 * `text` with each character `printable` escapes replaced by its JSON escape (`\n`, `\r`, `\t`,
 * `\u001b`, ...) and nothing else changed (no quotes added): for a message that quotes, as typed,
 * something it did not understand.
 */
export function escapeControls(text: string): string {
  return text.replace(UNPRINTABLE_ALL, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Template tag for a line of human text: each interpolated string goes through `printable` (numbers and
 * other values through `String`), the literal parts stay as written. `humanText\`FAILED ${path}: ${message}\n\``
 * keeps one line per message whatever the path or message holds.
 */
export function humanText(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += (typeof v === 'string' ? printable(v) : String(v)) + strings[i + 1]!;
  }
  return out;
}
