/**
 * Loading arrays for the CLI. `FILE#NAME` picks one member of a multi-array file.
 */
import { readFile } from 'node:fs/promises';
import { readNpy } from '../core/formats/npy';
import { RawArray } from '../core/array/ndarray';
import { LensError } from '../core/errors';

export interface NamedArray {
  /** member/tensor name; '' for a .npy */
  name: string;
  raw: RawArray;
}

/** Every array in a file. Errors are LensErrors whose message starts with the file name. */
export async function loadArrays(file: string): Promise<NamedArray[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new LensError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return [{ name: '', raw: readNpy(bytes) }];
  } catch (e) {
    if (e instanceof LensError) throw new LensError(`${file}: ${e.message}`, e.code);
    throw e;
  }
}

/** `FILE` or `FILE#NAME`: one array (the only one, or the named one). */
export async function loadArray(spec: string): Promise<NamedArray & { file: string }> {
  const hash = spec.lastIndexOf('#');
  const file = hash > 0 ? spec.slice(0, hash) : spec;
  const name = hash > 0 ? spec.slice(hash + 1) : undefined;
  const arrays = await loadArrays(file);
  if (name !== undefined) {
    const a = arrays.find((x) => x.name === name);
    if (!a) throw new LensError(`${file}: no array named '${name}' (has: ${arrays.map((x) => x.name).join(', ')})`);
    return { ...a, file };
  }
  if (arrays.length !== 1) throw new LensError(`${file}: holds ${arrays.length} arrays; pick one with ${file}#NAME`);
  return { ...arrays[0], file };
}
