/**
 * Cell values as they arrive in a message. VS Code passes typed arrays through intact to a
 * panel its extension created, but serializes them as JSON for a panel another extension
 * created (a test host reviving a view): a plain object of index → number, with NaN and ±Inf
 * as null. That case is read back as float64 (NaN for null), so nothing is lost but the
 * infinities' sign.
 */
export function floatValues(v: unknown): Float32Array | Float64Array {
  if (v instanceof Float32Array || v instanceof Float64Array) return v;
  const list: unknown[] = Array.isArray(v) ? v : Object.values((v ?? {}) as object);
  return Float64Array.from(list, (x) => (typeof x === 'number' ? x : NaN));
}

/** The same for float32 data (attention weights). */
export function float32Values(v: unknown): Float32Array {
  const f = floatValues(v);
  return f instanceof Float32Array ? f : Float32Array.from(f);
}
