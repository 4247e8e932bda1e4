/**
 * Picking one array of an opened file by name: used by the worker (editor, analysis,
 * attention) and the CLI, so a missing or empty array reads the same everywhere.
 */
import { LensError } from '../errors';
import { listNames, quoteName } from '../text';
import type { ArrayEntry, ArrayFile } from './entry';

/** The entry named `member`, or the first one when `member` is undefined. */
export function findEntry(file: ArrayFile, member: string | undefined): ArrayEntry {
  if (file.entries.length === 0)
    throw new LensError(
      file.format === 'npz' ? 'the archive holds no arrays' : 'the file holds no tensors',
    );
  if (member === undefined) return file.entries[0];
  const e = file.entries.find((x) => x.name === member);
  if (!e)
    throw new LensError(
      `no array named ${quoteName(member)} (has: ${listNames(file.entries.map((x) => x.name))})`,
    );
  return e;
}
