/**
 * A minimal .npy writer (format version 1.0, little-endian, C order) for float32/float64
 * results such as attention weights. Spec: numpy.lib.format (NEP 1).
 */
import { LensError } from '../errors';

export type NpyWriteDType = 'float32' | 'float64';

export function writeNpy(
  data: ArrayLike<number>,
  shape: readonly number[],
  dtype: NpyWriteDType = 'float64',
): Uint8Array {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new LensError(`bad shape [${shape.join(', ')}]`);
    n *= d;
  }
  if (n !== data.length)
    throw new LensError(`shape [${shape.join(', ')}] needs ${n} values, got ${data.length}`);
  const descr = dtype === 'float32' ? '<f4' : '<f8';
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  // magic(6) + version(2) + length(2) + header + '\n' is a multiple of 64
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  if (header.length > 0xffff) throw new LensError('npy header too long');
  const item = dtype === 'float32' ? 4 : 8;
  const out = new Uint8Array(total + n * item);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, total);
  if (dtype === 'float32') for (let i = 0; i < n; i++) view.setFloat32(i * 4, data[i], true);
  else for (let i = 0; i < n; i++) view.setFloat64(i * 8, data[i], true);
  return out;
}
