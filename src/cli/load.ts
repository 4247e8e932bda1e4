/**
 * Loading arrays for the CLI. `FILE#NAME` picks one member of a multi-array file.
 */
import { RawArray } from '../core/array/ndarray';
import { LensError, isLensError } from '../core/errors';
import { ArrayFile, openArrayFile } from '../core/formats/open';
import { findEntry } from '../core/formats/findEntry';
import { FileSource } from '../node/fileSource';

export interface NamedArray {
  /** member/tensor name; '' for a .npy */
  name: string;
  raw: RawArray;
}

/** Re-throws LensErrors with `file: ` in front; anything else is a bug and passes through. */
export function prefixError(file: string, e: unknown): never {
  if (isLensError(e)) throw new LensError(`${file}: ${e.message}`, (e as LensError).code);
  throw e;
}

/**
 * Opens `file` (headers only), runs `use`, closes it. Errors are LensErrors whose message
 * starts with the file name.
 */
export async function withArrayFile<T>(
  file: string,
  use: (f: ArrayFile) => Promise<T>,
): Promise<T> {
  let source: FileSource | undefined;
  try {
    source = await FileSource.open(file);
    return await use(await openArrayFile(file, source));
  } catch (e) {
    return prefixError(file, e);
  } finally {
    await source?.close();
  }
}

/** Every array in a file. Errors are LensErrors whose message starts with the file name. */
export async function loadArrays(file: string): Promise<NamedArray[]> {
  return withArrayFile(file, async (f) => {
    const out: NamedArray[] = [];
    for (const e of f.entries) out.push({ name: e.name, raw: await e.load() });
    return out;
  });
}

/** `FILE` or `FILE#NAME`: one array (the only one, or the named one). */
export async function loadArray(spec: string): Promise<NamedArray & { file: string }> {
  const hash = spec.lastIndexOf('#');
  const file = hash > 0 ? spec.slice(0, hash) : spec;
  const name = hash > 0 ? spec.slice(hash + 1) : undefined;
  return withArrayFile(file, async (f) => {
    if (name === undefined && f.entries.length > 1)
      throw new LensError(`holds ${f.entries.length} arrays; pick one with ${file}#NAME`);
    const pick = findEntry(f, name);
    return { name: pick.name, raw: await pick.load(), file };
  });
}
