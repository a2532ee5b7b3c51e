/**
 * A prepared gallery packed into one SharedArrayBuffer, so that worker threads compare against the
 * same memory without copying it (`SearchPool`). Every typed array of every PreparedTemplate is copied
 * once into the buffer (8-byte aligned); a Float64 table holds each array's byte offset and length
 * and each template's scalars. `unpackGallery` rebuilds PreparedTemplate views on it, bit for bit the
 * same arrays, so comparisons on either give identical results.
 */
import { FingerliftError } from '../errors.js';
import type { CompareParams } from './params.js';
import type { PreparedTemplate } from './prepare.js';

type TypedArray = Float64Array | Float32Array | Int32Array | Uint16Array | Uint8Array;
type ArrayField = { [K in keyof PreparedTemplate]-?: PreparedTemplate[K] extends TypedArray ? K : never }[keyof PreparedTemplate];

/** The typed-array fields of a PreparedTemplate, in table order, with their element type. */
type Kind = 'f64' | 'f32' | 'i32' | 'u16' | 'u8';
const FIELDS: ReadonlyArray<readonly [ArrayField, Kind]> = [
  ['x', 'f32'], ['y', 'f32'], ['dir', 'f32'], ['type', 'u8'], ['weight', 'f32'],
  ['nbStart', 'i32'], ['star', 'f32'], ['nbFrom', 'i32'], ['nbTo', 'i32'], ['nbLen', 'f32'], ['nbA', 'f32'], ['nbB', 'f32'],
  ['rootEdges', 'i32'], ['rootKey', 'i32'], ['rootShape', 'f32'], ['rootEnds', 'i32'],
  ['starMask', 'u16'], ['binA', 'u8'], ['binB', 'u8'], ['byY', 'i32'], ['ySorted', 'f32'],
  ['hull', 'f64'], ['area', 'u8'],
];
const CTOR = { f64: Float64Array, f32: Float32Array, i32: Int32Array, u16: Uint16Array, u8: Uint8Array } as const;
function view(kind: Kind, data: SharedArrayBuffer, byteOffset: number, length: number): TypedArray {
  return kind === 'f64' ? new Float64Array(data, byteOffset, length) : kind === 'f32' ? new Float32Array(data, byteOffset, length) : kind === 'i32' ? new Int32Array(data, byteOffset, length)
    : kind === 'u16' ? new Uint16Array(data, byteOffset, length) : new Uint8Array(data, byteOffset, length);
}
const SCALARS = 6; // n, scale, areaCols, areaRows, areaX0, areaY0
const STRIDE = 2 * FIELDS.length + SCALARS;

/** Plain data (structured-clone safe): pass it to a worker thread and `unpackGallery` it there. */
export interface PackedGallery {
  /** Every typed array of every template. */
  data: SharedArrayBuffer;
  /** Per template t, at t * STRIDE: (byte offset, length) of each field in FIELDS order, then the scalars. */
  table: Float64Array;
  ids: Array<string | undefined>;
  /** Distinct parameter sets, and the one of each template. */
  params: CompareParams[];
  paramIndex: Int32Array;
}

/**
 * Pack a prepared gallery into shared memory.
 * @throws FingerliftError E_INVALID_ARGUMENT when a template lacks one of the arrays (not from this
 *   version's `prepare`).
 */
export function packGallery(gallery: ReadonlyArray<PreparedTemplate>): PackedGallery {
  const table = new Float64Array(new SharedArrayBuffer(Math.max(8, gallery.length * STRIDE * 8)));
  let bytes = 0;
  gallery.forEach((t, i) => {
    FIELDS.forEach(([name, kind], f) => {
      const a = t[name];
      if (!(a instanceof CTOR[kind])) throw new FingerliftError('E_INVALID_ARGUMENT', `packGallery: gallery[${i}].${name} is not a ${CTOR[kind].name} (prepare the gallery with this version's prepare)`);
      table[i * STRIDE + 2 * f] = bytes;
      table[i * STRIDE + 2 * f + 1] = a.length;
      bytes += Math.ceil(a.byteLength / 8) * 8;
    });
    const s = i * STRIDE + 2 * FIELDS.length;
    table[s] = t.n; table[s + 1] = t.scale; table[s + 2] = t.areaCols; table[s + 3] = t.areaRows; table[s + 4] = t.areaX0; table[s + 5] = t.areaY0;
  });
  const data = new SharedArrayBuffer(Math.max(8, bytes));
  const params: CompareParams[] = [];
  const paramIndex = new Int32Array(gallery.length);
  gallery.forEach((t, i) => {
    FIELDS.forEach(([name, kind], f) => {
      const a = t[name];
      view(kind, data, table[i * STRIDE + 2 * f]!, a.length).set(a as never);
    });
    let k = params.findIndex((p) => p === t.params || JSON.stringify(p) === JSON.stringify(t.params));
    if (k < 0) { k = params.length; params.push({ ...t.params }); }
    paramIndex[i] = k;
  });
  return { data, table, ids: gallery.map((t) => t.id), params, paramIndex };
}

/** The PreparedTemplate fields in one fixed order: objects built by `shaped` share one hidden class. */
function shaped(id: string | undefined, source: PreparedTemplate['source'], scalars: Float64Array | number[], params: Readonly<CompareParams>, views: Partial<Record<ArrayField, TypedArray>>): PreparedTemplate {
  return {
    kind: 'fingerlift.prepared-template',
    id,
    source,
    scale: scalars[1]!,
    n: scalars[0]!,
    areaCols: scalars[2]!, areaRows: scalars[3]!, areaX0: scalars[4]!, areaY0: scalars[5]!,
    params,
    ...views,
  } as PreparedTemplate;
}

/**
 * The same template (same arrays, no copy) as an object of the shape `unpackGallery` gives, so that
 * comparing it with unpacked gallery templates runs monomorphic code. `id` becomes an own property
 * (undefined when absent).
 */
export function withGalleryShape(t: PreparedTemplate): PreparedTemplate {
  const views: Partial<Record<ArrayField, TypedArray>> = {};
  for (const [name] of FIELDS) views[name] = t[name];
  return shaped(t.id, t.source, [t.n, t.scale, t.areaCols, t.areaRows, t.areaX0, t.areaY0], t.params, views);
}

/**
 * PreparedTemplate views on a packed gallery (no copy). Their `source` is a stand-in without minutiae
 * (the packed form keeps only what comparison reads); mated indices still refer to the original
 * templates' minutiae.
 */
export function unpackGallery(g: PackedGallery): PreparedTemplate[] {
  const frozen = g.params.map((p) => Object.freeze({ ...p }));
  return g.ids.map((id, i) => {
    const views: Partial<Record<ArrayField, TypedArray>> = {};
    FIELDS.forEach(([name, kind], f) => { views[name] = view(kind, g.data, g.table[i * STRIDE + 2 * f]!, g.table[i * STRIDE + 2 * f + 1]!); });
    const s = i * STRIDE + 2 * FIELDS.length;
    const params = frozen[g.paramIndex[i]!]!;
    const scalars = g.table.slice(s, s + SCALARS);
    return shaped(id, { width: 0, height: 0, ppi: params.workingPpi / scalars[1]!, minutiae: [] }, scalars, params, views);
  });
}
