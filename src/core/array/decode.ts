import { itemSize } from './dtype';
import { RawArray, componentsOf, sizeOf } from './ndarray';

/** IEEE 754 half precision bits → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** bfloat16 bits → number (the top half of a float32). */
const bfScratch = new DataView(new ArrayBuffer(4));
export function bfloat16ToFloat(b: number): number {
  bfScratch.setUint32(0, (b & 0xffff) << 16);
  return bfScratch.getFloat32(0);
}

/** OCP FP8 E4M3 (finite-only, "fn"): bias 7, S.1111.111 is NaN, no infinities. */
export function fp8e4m3ToFloat(b: number): number {
  const s = b & 0x80 ? -1 : 1;
  const e = (b >> 3) & 0xf;
  const m = b & 0x7;
  if (e === 0xf && m === 0x7) return NaN;
  if (e === 0) return s * m * 2 ** -9;
  return s * (1 + m / 8) * 2 ** (e - 7);
}

/** OCP FP8 E5M2: bias 15, IEEE-like infinities and NaNs. */
export function fp8e5m2ToFloat(b: number): number {
  const s = b & 0x80 ? -1 : 1;
  const e = (b >> 2) & 0x1f;
  const m = b & 0x3;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  if (e === 0) return s * m * 2 ** -16;
  return s * (1 + m / 4) * 2 ** (e - 15);
}

/**
 * Decodes `count` elements starting at storage index `start` into `out` as float64
 * (complex: interleaved re, im). Storage order is whatever the array's order is; use
 * {@link elementIndex} to map logical indices. int64/uint64 beyond 2^53 round to the
 * nearest double, as `arr.astype(np.float64)` does.
 */
export function decodeRun(
  a: Pick<RawArray, 'dtype' | 'littleEndian' | 'bytes'>,
  start: number,
  count: number,
  out: Float64Array,
  outOffset = 0,
): void {
  const { dtype, littleEndian: le } = a;
  const size = itemSize(dtype);
  const view = new DataView(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
  let p = start * size;
  let o = outOffset;
  const end = outOffset + count * componentsOf(dtype);
  switch (dtype) {
    case 'bool':
      for (; o < end; o++, p++) out[o] = view.getUint8(p) ? 1 : 0;
      return;
    case 'uint8':
      for (; o < end; o++, p++) out[o] = view.getUint8(p);
      return;
    case 'int8':
      for (; o < end; o++, p++) out[o] = view.getInt8(p);
      return;
    case 'int16':
      for (; o < end; o++, p += 2) out[o] = view.getInt16(p, le);
      return;
    case 'uint16':
      for (; o < end; o++, p += 2) out[o] = view.getUint16(p, le);
      return;
    case 'int32':
      for (; o < end; o++, p += 4) out[o] = view.getInt32(p, le);
      return;
    case 'uint32':
      for (; o < end; o++, p += 4) out[o] = view.getUint32(p, le);
      return;
    case 'int64':
      for (; o < end; o++, p += 8) out[o] = Number(view.getBigInt64(p, le));
      return;
    case 'uint64':
      for (; o < end; o++, p += 8) out[o] = Number(view.getBigUint64(p, le));
      return;
    case 'float16':
      for (; o < end; o++, p += 2) out[o] = halfToFloat(view.getUint16(p, le));
      return;
    case 'bfloat16':
      for (; o < end; o++, p += 2) out[o] = bfloat16ToFloat(view.getUint16(p, le));
      return;
    case 'float8_e4m3fn':
      for (; o < end; o++, p++) out[o] = fp8e4m3ToFloat(view.getUint8(p));
      return;
    case 'float8_e5m2':
      for (; o < end; o++, p++) out[o] = fp8e5m2ToFloat(view.getUint8(p));
      return;
    case 'float32':
    case 'complex64':
      if (le && (a.bytes.byteOffset + p) % 4 === 0) {
        const f = new Float32Array(a.bytes.buffer, a.bytes.byteOffset + p, end - o);
        for (let i = 0; o < end; o++, i++) out[o] = f[i];
        return;
      }
      for (; o < end; o++, p += 4) out[o] = view.getFloat32(p, le);
      return;
    case 'float64':
    case 'complex128':
      if (le && (a.bytes.byteOffset + p) % 8 === 0) {
        out.set(new Float64Array(a.bytes.buffer, a.bytes.byteOffset + p, end - o), o);
        return;
      }
      for (; o < end; o++, p += 8) out[o] = view.getFloat64(p, le);
      return;
  }
}

/** The whole array as float64 in C (row-major) order; complex arrays interleave re, im. */
export function toFloat64C(a: RawArray): Float64Array {
  const n = sizeOf(a.shape);
  const c = componentsOf(a.dtype);
  const out = new Float64Array(n * c);
  if (!a.fortranOrder || a.shape.length < 2) {
    decodeRun(a, 0, n, out);
    return out;
  }
  const storage = new Float64Array(n * c);
  decodeRun(a, 0, n, storage);
  // storage is Fortran order: transpose to C order.
  const shape = a.shape;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  const fs = new Array<number>(nd);
  let acc = 1;
  for (let i = 0; i < nd; i++) {
    fs[i] = acc;
    acc *= shape[i];
  }
  for (let k = 0; k < n; k++) {
    let src = 0;
    for (let i = 0; i < nd; i++) src += idx[i] * fs[i];
    for (let j = 0; j < c; j++) out[k * c + j] = storage[src * c + j];
    for (let i = nd - 1; i >= 0; i--) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}
