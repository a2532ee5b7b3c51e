/**
 * One well-defined way to hash anything a pipeline step returns, for the audit trail.
 *
 * SHA-256 (FIPS 180-4, 2015) through node:crypto, lower-case hex. The rules, in order:
 *
 * 1. Bytes (`Uint8Array`, `Buffer`, `Uint8ClampedArray`, `ArrayBuffer`): the SHA-256 of the bytes, so
 *    the hash of a file's bytes equals `sha256sum` of the file.
 * 2. A string: the SHA-256 of its UTF-8 bytes (equals the hash of the text file written from it).
 * 3. Other typed arrays (`Float32Array`, `Int32Array`, ...): the SHA-256 of their bytes in
 *    little-endian order (converted on a big-endian host).
 * 4. An image (`{ width, height, data: Float32Array }`, optionally `channels: 3`, and nothing else):
 *    the SHA-256 of the header line `fingerlift-image/1 <width>x<height>x<channels> float32le\n`
 *    followed by the pixel bytes (rule 3), so equal pixels in another shape hash differently.
 * 5. Anything else (objects, arrays, numbers, ...): the SHA-256 of its canonical JSON (`canonicalJson`).
 */
import { createHash, type Hash } from 'node:crypto';
import { FingerliftError } from '../errors.js';

/** Header version of the image hash (rule 4); bump if the rule ever changes. */
const IMAGE_HASH_HEADER = 'fingerlift-image/1';
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** SHA-256 of bytes or a UTF-8 string, lower-case hex (64 digits). */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** True for a 64-digit lower-case hex SHA-256. */
export function isSha256(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
}

type AnyTypedArray = Exclude<ArrayBufferView, DataView>;

function isTypedArray(v: unknown): v is AnyTypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** The bytes of a typed array, little-endian, without copying on a little-endian host. */
function littleEndianBytes(v: ArrayBufferView): Uint8Array {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const width = (v as AnyTypedArray & { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  if (LITTLE_ENDIAN || width === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) for (let k = 0; k < width; k++) out[i + k] = bytes[i + width - 1 - k]!;
  return out;
}

/** An image as src/image/types.ts defines it: exactly width, height, data (+ channels: 3). */
function isImageLike(v: unknown): v is { width: number; height: number; channels?: 3; data: Float32Array } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const allowed = new Set(['width', 'height', 'data', 'channels']);
  if (!keys.every((k) => allowed.has(k))) return false;
  if (!Number.isInteger(o.width) || !Number.isInteger(o.height) || !(o.data instanceof Float32Array)) return false;
  const channels = o.channels === undefined ? 1 : o.channels;
  if (channels !== 1 && channels !== 3) return false;
  return o.data.length === (o.width as number) * (o.height as number) * channels;
}

/**
 * Canonical JSON of a value: object keys sorted by UTF-16 code unit, no whitespace, `undefined`
 * members omitted (as JSON does), `-0` written as `0`. Values JSON cannot hold are written as tagged
 * objects: non-finite numbers `{"$number":"NaN"|"Infinity"|"-Infinity"}`, bigint `{"$bigint":"12"}`,
 * typed arrays and ArrayBuffers `{"$bytes":"Float32Array","length":n,"sha256":"..."}` (hash as in
 * rule 1/3), `Map` `{"$map":[[k,v],...]}` sorted by canonical key, `Set` `{"$set":[...]}` sorted,
 * `Date` its ISO string.
 * @throws FingerliftError E_INVALID_ARGUMENT for functions, symbols and cyclic structures.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, new Set(), '$');
  return parts.join('');
}

function write(v: unknown, out: string[], seen: Set<object>, where: string): void {
  if (v === null) return void out.push('null');
  switch (typeof v) {
    case 'boolean':
      return void out.push(v ? 'true' : 'false');
    case 'string':
      return void out.push(JSON.stringify(v));
    case 'number':
      if (Number.isFinite(v)) return void out.push(JSON.stringify(v === 0 ? 0 : v));
      return void out.push(`{"$number":${JSON.stringify(String(v))}}`);
    case 'bigint':
      return void out.push(`{"$bigint":${JSON.stringify(v.toString())}}`);
    case 'undefined':
      return void out.push('null'); // only reached inside arrays; object members are skipped
    case 'function':
    case 'symbol':
      throw new FingerliftError('E_INVALID_ARGUMENT', `cannot hash ${typeof v} at ${where}: not data`);
  }
  const o = v as object;
  if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer) {
    const name = o instanceof ArrayBuffer ? 'ArrayBuffer' : o.constructor.name;
    const length = o instanceof ArrayBuffer ? o.byteLength : isTypedArray(o) ? (o as unknown as ArrayLike<unknown>).length : (o as DataView).byteLength;
    return void out.push(`{"$bytes":${JSON.stringify(name)},"length":${length},"sha256":"${hashBytesOf(o)}"}`);
  }
  if (o instanceof Date) return void out.push(JSON.stringify(o.toISOString()));
  if (seen.has(o)) throw new FingerliftError('E_INVALID_ARGUMENT', `cannot hash a cyclic structure (at ${where})`);
  seen.add(o);
  try {
    if (Array.isArray(o)) {
      out.push('[');
      o.forEach((x, i) => {
        if (i > 0) out.push(',');
        write(x, out, seen, `${where}[${i}]`);
      });
      out.push(']');
    } else if (o instanceof Map) {
      const entries = [...o.entries()].map(([k, x], i) => [canonicalSub(k, seen, `${where}<key ${i}>`), canonicalSub(x, seen, `${where}<value ${i}>`)] as const);
      entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      out.push(`{"$map":[${entries.map(([k, x]) => `[${k},${x}]`).join(',')}]}`);
    } else if (o instanceof Set) {
      const items = [...o].map((x, i) => canonicalSub(x, seen, `${where}<item ${i}>`)).sort();
      out.push(`{"$set":[${items.join(',')}]}`);
    } else {
      const rec = o as Record<string, unknown>;
      const keys = Object.keys(rec).filter((k) => rec[k] !== undefined).sort();
      out.push('{');
      keys.forEach((k, i) => {
        if (i > 0) out.push(',');
        out.push(JSON.stringify(k), ':');
        write(rec[k], out, seen, `${where}.${k}`);
      });
      out.push('}');
    }
  } finally {
    seen.delete(o);
  }
}

function canonicalSub(v: unknown, seen: Set<object>, where: string): string {
  const parts: string[] = [];
  write(v, parts, seen, where);
  return parts.join('');
}

function hashBytesOf(v: ArrayBufferView | ArrayBuffer): string {
  if (v instanceof ArrayBuffer) return sha256Hex(new Uint8Array(v));
  return sha256Hex(littleEndianBytes(v));
}

/**
 * SHA-256 (hex) of any step output, by the rules in this module's header: bytes and strings as
 * themselves, typed arrays by their little-endian bytes, images by shape header + pixels, everything
 * else by canonical JSON.
 * @throws FingerliftError E_INVALID_ARGUMENT for values that are not data (functions, cycles).
 */
export function hashValue(value: unknown): string {
  if (typeof value === 'string') return sha256Hex(value);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return hashBytesOf(value);
  if (isImageLike(value)) {
    const channels = value.channels ?? 1;
    const h: Hash = createHash('sha256');
    h.update(`${IMAGE_HASH_HEADER} ${value.width}x${value.height}x${channels} float32le\n`);
    h.update(littleEndianBytes(value.data));
    return h.digest('hex');
  }
  return sha256Hex(canonicalJson(value));
}

/**
 * A JSON-safe deep copy of step parameters for the trail, keys sorted, with the tagged forms of
 * `canonicalJson` for what JSON cannot hold, except that typed arrays keep their values
 * (`{"$typed":"Float32Array","values":[...]}`) so a replay can rebuild them (`reviveParams`).
 * @throws FingerliftError E_INVALID_ARGUMENT for functions, symbols and cycles.
 */
export function jsonSafeParams(value: unknown): unknown {
  return toSafe(value, new Set(), '$');
}

function toSafe(v: unknown, seen: Set<object>, where: string): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? (v === 0 ? 0 : v) : { $number: String(v) };
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v === undefined) return null;
  if (typeof v === 'function' || typeof v === 'symbol')
    throw new FingerliftError('E_INVALID_ARGUMENT', `parameter ${where} is a ${typeof v}: the trail records data only`);
  const o = v as object;
  if (isTypedArray(o)) return { $typed: o.constructor.name, values: Array.from(o as unknown as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? x.toString() : x)) };
  if (o instanceof ArrayBuffer) return { $typed: 'Uint8Array', values: Array.from(new Uint8Array(o)) };
  if (o instanceof Date) return o.toISOString();
  if (seen.has(o)) throw new FingerliftError('E_INVALID_ARGUMENT', `parameter ${where} is cyclic`);
  seen.add(o);
  try {
    if (Array.isArray(o)) return o.map((x, i) => toSafe(x, seen, `${where}[${i}]`));
    if (o instanceof Map) return { $map: [...o.entries()].map(([k, x], i) => [toSafe(k, seen, `${where}<key ${i}>`), toSafe(x, seen, `${where}<value ${i}>`)]) };
    if (o instanceof Set) return { $set: [...o].map((x, i) => toSafe(x, seen, `${where}<item ${i}>`)) };
    const rec = o as Record<string, unknown>;
    const res: Record<string, unknown> = {};
    for (const k of Object.keys(rec).sort()) if (rec[k] !== undefined) res[k] = toSafe(rec[k], seen, `${where}.${k}`);
    return res;
  } finally {
    seen.delete(o);
  }
}

const TYPED_CTORS: Record<string, new (values: number[]) => ArrayBufferView> = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
};

/** Inverse of `jsonSafeParams`: rebuilds typed arrays, Maps, Sets, bigints and non-finite numbers. */
export function reviveParams(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveParams);
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o.$number === 'string') return Number(o.$number);
  if (keys.length === 1 && typeof o.$bigint === 'string') return BigInt(o.$bigint);
  if (keys.length === 2 && typeof o.$typed === 'string' && Array.isArray(o.values)) {
    const ctor = TYPED_CTORS[o.$typed];
    if (ctor) return new ctor(o.values as number[]);
    if (o.$typed === 'BigInt64Array') return new BigInt64Array((o.values as string[]).map((x) => BigInt(x)));
    if (o.$typed === 'BigUint64Array') return new BigUint64Array((o.values as string[]).map((x) => BigInt(x)));
  }
  if (keys.length === 1 && Array.isArray(o.$map)) return new Map((o.$map as [unknown, unknown][]).map(([k, x]) => [reviveParams(k), reviveParams(x)]));
  if (keys.length === 1 && Array.isArray(o.$set)) return new Set((o.$set as unknown[]).map(reviveParams));
  const res: Record<string, unknown> = {};
  for (const k of keys) res[k] = reviveParams(o[k]);
  return res;
}

/**
 * JSON text with stable key order (sorted at every level), two-space indentation and a final newline:
 * the same value always gives the same bytes.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const rec = v as Record<string, unknown>;
  const res: Record<string, unknown> = {};
  for (const k of Object.keys(rec).sort()) res[k] = sortKeys(rec[k]);
  return res;
}
