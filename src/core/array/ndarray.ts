import { DType, itemSize, isComplex } from './dtype';

/**
 * An array as it sits in a file: raw element bytes plus the metadata needed to read them.
 * Nothing is converted until asked: a 64 MB float32 array stays 64 MB.
 */
export interface RawArray {
  dtype: DType;
  shape: number[];
  /** true when the first axis varies fastest (NumPy's `fortran_order`). */
  fortranOrder: boolean;
  littleEndian: boolean;
  /** exactly `size(shape) * itemSize(dtype)` bytes. */
  bytes: Uint8Array;
}

/** Number of elements of a shape (1 for a 0-d array). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function byteLength(dtype: DType, shape: readonly number[]): number {
  return sizeOf(shape) * itemSize(dtype);
}

/** `float32[512, 768]` */
export function describeType(dtype: DType, shape: readonly number[]): string {
  return `${dtype}[${shape.join(', ')}]`;
}

/** Human-readable byte count: `1.5 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${n} B`;
  return `${Number(v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2))} ${units[u]}`;
}

/** Row-major (C) strides in elements. */
export function cStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Column-major (Fortran) strides in elements. */
export function fStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = 0; i < shape.length; i++) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Element strides of a raw array in its storage order. */
export function stridesOf(a: Pick<RawArray, 'shape' | 'fortranOrder'>): number[] {
  return a.fortranOrder ? fStrides(a.shape) : cStrides(a.shape);
}

/** Number of float64 values an element decodes to (2 for complex: re, im). */
export function componentsOf(dtype: DType): number {
  return isComplex(dtype) ? 2 : 1;
}
