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
  | 'E_NOT_FOUND' // the path does not exist or cannot be read
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

  constructor(code: ErrorCode, message: string, options: { input?: string; cause?: unknown } = {}) {
    super(options.input !== undefined && !message.includes(options.input) ? `${options.input}: ${message}` : message, {
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
