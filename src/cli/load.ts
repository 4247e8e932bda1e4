/**
 * Loading arrays for the CLI. `FILE#NAME` picks one member of a multi-array file.
 */
import { RawArray } from '../core/array/ndarray';
import { LensError, isLensError } from '../core/errors';
import { ArrayFile, openArrayFile } from '../core/formats/open';
import { FileSource } from '../node/fileSource';
import { dirname, join } from 'node:path';

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
  const shards: FileSource[] = [];
  const openSibling = async (name: string) => {
    const s = await FileSource.open(join(dirname(file), name));
    shards.push(s);
    return s;
  };
  try {
    source = await FileSource.open(file);
    return await use(await openArrayFile(file, source, { openSibling }));
  } catch (e) {
    return prefixError(file, e);
  } finally {
    await source?.close();
    for (const s of shards) await s.close();
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
    const names = f.entries.map((x) => x.name);
    const pick =
      name !== undefined
        ? f.entries.find((x) => x.name === name)
        : f.entries.length === 1
          ? f.entries[0]
          : undefined;
    if (!pick) {
      if (name !== undefined)
        throw new LensError(`no array named '${name}' (has: ${names.join(', ')})`);
      throw new LensError(`holds ${f.entries.length} arrays; pick one with ${file}#NAME`);
    }
    return { name: pick.name, raw: await pick.load(), file };
  });
}
