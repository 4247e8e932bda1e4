/**
 * A pinned value's stop as it crossed from the debuggee: the file's bytes (`.npy`, or
 * `.safetensors` for bfloat16/float8 which NumPy cannot name), kept as they are so memory
 * stays the value's own size; decoded to float64 only when Δ needs it.
 */
import { isComplex } from '../array/dtype';
import { toFloat64C } from '../array/decode';
import type { RawArray } from '../array/ndarray';
import { LensError } from '../errors';
import { readNpy } from '../formats/npy';
import { openSafetensors } from '../formats/safetensors';
import { MemorySource } from '../io/source';

export interface CrossedValue {
  file: Uint8Array;
  format: 'npy' | 'safetensors';
  shape: number[];
}

/** The array in a crossed file. */
export async function rawOf(v: Pick<CrossedValue, 'file' | 'format'>): Promise<RawArray> {
  if (v.format === 'npy') return readNpy(v.file);
  const f = await openSafetensors(new MemorySource(v.file));
  const e = f.entries[0];
  if (!e) throw new LensError('the transferred .safetensors file holds no tensor');
  return e.load();
}

/** float64 values in C order; complex values as |z| (one number per element, as Δ wants). */
export function float64Of(raw: RawArray): Float64Array {
  const f = toFloat64C(raw);
  if (!isComplex(raw.dtype)) return f;
  const out = new Float64Array(f.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Math.hypot(f[2 * i], f[2 * i + 1]);
  return out;
}

export async function valuesOf(v: Pick<CrossedValue, 'file' | 'format'>): Promise<Float64Array> {
  return float64Of(await rawOf(v));
}
