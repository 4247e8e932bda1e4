/**
 * One array inside an opened file: metadata up front, bytes on demand.
 */
import { DType, itemSize } from '../array/dtype';
import { RawArray, formatBytes } from '../array/ndarray';
import { LensError } from '../errors';

export interface LoadOptions {
  /** refuse arrays whose element data is larger than this (default: no limit). */
  maxBytes?: number;
}

export interface ChunkOptions {
  /** approximate piece size in bytes (default 4 MiB); pieces always hold whole elements. */
  chunkBytes?: number;
}

export interface ArrayEntry {
  /** member/tensor name; '' for a .npy file. */
  name: string;
  dtype: DType;
  shape: number[];
  fortranOrder: boolean;
  littleEndian: boolean;
  /** bytes of element data (`size(shape) * itemSize(dtype)`). */
  byteLength: number;
  /** Reads (and for compressed members inflates and checks) the whole element data. */
  load(opts?: LoadOptions): Promise<RawArray>;
  /**
   * The element data in storage order, piece by piece (each a whole number of elements),
   * without holding the whole array. Integrity checks (CRC, sizes) run as it goes and at
   * the end, so a consumer must read to the end before trusting the result.
   */
  chunks(opts?: ChunkOptions): AsyncIterable<Uint8Array>;
}

export type ArrayFileFormat = 'npy' | 'npz' | 'safetensors' | 'pytorch' | 'safetensors-index';

export interface ArrayFile {
  format: ArrayFileFormat;
  /** safetensors `__metadata__` (string → string). */
  metadata?: Record<string, string>;
  entries: ArrayEntry[];
}

/** Throws the 'too-large' LensError when `bytes` exceeds `opts.maxBytes`. */
export function checkLimit(bytes: number, opts?: LoadOptions): void {
  const max = opts?.maxBytes;
  if (max !== undefined && bytes > max) {
    throw new LensError(
      `array of ${formatBytes(bytes)} (${bytes} bytes) is larger than the limit of ${formatBytes(max)} (matrixLens.maxArrayBytes)`,
      'too-large',
    );
  }
}

/** `new Uint8Array(n)` that fails with a LensError instead of a RangeError. */
export function allocate(n: number): Uint8Array {
  try {
    return new Uint8Array(n);
  } catch {
    throw new LensError(`cannot allocate ${formatBytes(n)} for the array`, 'too-large');
  }
}

/** Re-cuts a byte stream into pieces that are whole multiples of `size` bytes. */
export async function* alignPieces(
  pieces: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  let carry = new Uint8Array(0);
  for await (let p of pieces) {
    if (carry.length) {
      const joined = new Uint8Array(carry.length + p.length);
      joined.set(carry);
      joined.set(p, carry.length);
      p = joined;
    }
    const whole = p.length - (p.length % size);
    carry = p.slice(whole);
    if (whole) yield p.subarray(0, whole);
  }
  if (carry.length) throw new LensError('data ends inside an element');
}

export function chunkSize(dtype: DType, opts?: ChunkOptions): number {
  const size = itemSize(dtype);
  const want = Math.max(size, Math.floor(opts?.chunkBytes ?? 4 << 20));
  return want - (want % size);
}
