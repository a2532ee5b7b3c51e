/**
 * Per-length pool of zero-filled scratch typed arrays, reused across calls to cut garbage-collector work
 * (issue #4: each enhance() call allocated many image-sized arrays, and V8's parallel GC cost ~50% extra CPU).
 * Rules: an array is `borrow`ed and `giveBack`ed within one call and never escapes it (results returned to a
 * caller are always fresh arrays). A borrowed array is removed from the pool, so nested or re-entrant calls
 * never share one; an array not given back (an exception in between) is simply left to the collector.
 * Borrowed arrays are zero-filled, exactly like `new Float32Array(n)`, so results do not depend on the pool.
 */

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Arrays kept per (type, length): enough for the arrays of one call alive at once. */
const MAX_PER_KEY = 4;
/** Arrays above this many bytes are pooled; smaller ones are cheap to allocate. */
const MIN_BYTES = 16384;
/** Total bytes the pool may hold (about 16 images of 400 x 400 float32), so odd sizes cannot pile up. */
const MAX_POOL_BYTES = 16 << 20;

const pools = new Map<Ctor, Map<number, Arr[]>>();
let pooledBytes = 0;

/** A zero-filled array of `length` elements of type `ctor`, from the pool when one is free. */
export function borrow<C extends Ctor>(ctor: C, length: number): InstanceType<C> {
  if (length * ctor.BYTES_PER_ELEMENT >= MIN_BYTES) {
    const list = pools.get(ctor)?.get(length);
    const a = list?.pop();
    if (a) {
      pooledBytes -= a.byteLength;
      a.fill(0);
      return a as InstanceType<C>;
    }
  }
  return new ctor(length) as InstanceType<C>;
}

/** Return arrays obtained from {@link borrow}; the caller must not touch them afterwards. */
export function giveBack(...arrays: Arr[]): void {
  for (const a of arrays) {
    if (a.byteLength < MIN_BYTES || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) continue;
    if (pooledBytes + a.byteLength > MAX_POOL_BYTES) continue;
    const ctor = a.constructor as Ctor;
    let byLen = pools.get(ctor);
    if (!byLen) pools.set(ctor, (byLen = new Map()));
    let list = byLen.get(a.length);
    if (!list) byLen.set(a.length, (list = []));
    if (list.length >= MAX_PER_KEY || list.includes(a)) continue;
    list.push(a);
    pooledBytes += a.byteLength;
  }
}

/** Empty the pool (for tests, and to release memory after a batch). */
export function clearScratch(): void {
  pools.clear();
  pooledBytes = 0;
}
