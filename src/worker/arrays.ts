/**
 * Opening arrays in the worker, with a small cache so that slicing and zooming the same
 * array does not re-read the file.
 */
import { readFile, stat } from 'node:fs/promises';
import { RawArray, byteLength, formatBytes } from '../core/array/ndarray';
import { LensError } from '../core/errors';
import { readNpy } from '../core/formats/npy';
import { ArrayEntryInfo, ArraySource } from '../protocol/messages';

export interface OpenedArray {
  format: string;
  entries: ArrayEntryInfo[];
  name: string;
  raw: RawArray;
}

const cache = new Map<string, { stamp: string; value: OpenedArray }>();
const CACHE_ENTRIES = 2;

export async function openArray(source: ArraySource, member: string | undefined, maxBytes: number): Promise<OpenedArray> {
  let key: string | undefined;
  let stamp = '';
  if ('path' in source) {
    const st = await stat(source.path).catch((e: NodeJS.ErrnoException) => {
      throw new LensError(`cannot read the file (${e.code ?? e.message})`);
    });
    key = `${source.path}#${member ?? ''}`;
    stamp = `${st.size}:${st.mtimeMs}`;
    const hit = cache.get(key);
    if (hit && hit.stamp === stamp) return hit.value;
    if (st.size > maxBytes + (1 << 20)) {
      throw new LensError(`is ${formatBytes(st.size)}, over the ${formatBytes(maxBytes)} limit set by matrixLens.maxArrayBytes`, 'too-large');
    }
  }
  const bytes = 'path' in source ? await readFile(source.path) : source.bytes;
  const raw = readNpy(bytes);
  if (byteLength(raw.dtype, raw.shape) > maxBytes) {
    throw new LensError(`array of ${formatBytes(byteLength(raw.dtype, raw.shape))} is over the ${formatBytes(maxBytes)} limit set by matrixLens.maxArrayBytes`, 'too-large');
  }
  const value: OpenedArray = {
    format: 'npy',
    entries: [{ name: '', dtype: raw.dtype, shape: raw.shape, byteLength: byteLength(raw.dtype, raw.shape) }],
    name: member ?? '',
    raw,
  };
  if (key) {
    cache.set(key, { stamp, value });
    while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  }
  return value;
}
