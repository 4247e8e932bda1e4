/**
 * A minimal .npy writer (format version 1.0, little-endian, C order) for float32/float64
 * results such as attention weights. Spec: numpy.lib.format (NEP 1).
 */
import { LensError } from '../errors';

export type NpyWriteDType = 'float32' | 'float64';

/** The bytes of a version 1.0 header (magic to padding) for `shape` and `dtype`. */
export function npyHeader(shape: readonly number[], dtype: NpyWriteDType = 'float64'): Uint8Array {
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0) throw new LensError(`bad shape [${shape.join(', ')}]`);
  const descr = dtype === 'float32' ? '<f4' : '<f8';
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  // magic(6) + version(2) + length(2) + header + '\n' is a multiple of 64
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  if (header.length > 0xffff) throw new LensError('npy header too long');
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}

/**
 * The data bytes of `data[start, start + count)` as little-endian `dtype` (for writing a large
 * array piece by piece after {@link npyHeader}, without a second copy of it in memory).
 */
export function npyDataPiece(
  data: ArrayLike<number>,
  start: number,
  count: number,
  dtype: NpyWriteDType = 'float64',
): Uint8Array {
  const item = dtype === 'float32' ? 4 : 8;
  const out = new Uint8Array(count * item);
  const view = new DataView(out.buffer);
  if (dtype === 'float32')
    for (let i = 0; i < count; i++) view.setFloat32(i * 4, data[start + i], true);
  else for (let i = 0; i < count; i++) view.setFloat64(i * 8, data[start + i], true);
  return out;
}

export function writeNpy(
  data: ArrayLike<number>,
  shape: readonly number[],
  dtype: NpyWriteDType = 'float64',
): Uint8Array {
  const head = npyHeader(shape, dtype);
  let n = 1;
  for (const d of shape) n *= d;
  if (n !== data.length)
    throw new LensError(`shape [${shape.join(', ')}] needs ${n} values, got ${data.length}`);
  const out = new Uint8Array(head.length + n * (dtype === 'float32' ? 4 : 8));
  out.set(head, 0);
  out.set(npyDataPiece(data, 0, n, dtype), head.length);
  return out;
}
