/**
 * Opens any array file Matrix Lens reads (.npy, .npz, .safetensors, torch.save .pt), detecting the format
 * from its first bytes and falling back to the file name's extension.
 */
import { LensError } from '../errors';
import { ByteSource } from '../io/source';
import { ArrayFile, ArrayFileFormat } from './entry';
import { NPY_MAGIC, openNpy } from './npy';
import { openNpz, readCentralDirectory } from './npz';
import { SAFETENSORS_MAX_HEADER, openSafetensors } from './safetensors';
import { isLegacyTorch, isTorchZip, openTorchLegacy, openTorchZip } from './torch';
import { ShardOpener, openShardedIndex } from './shardedIndex';

export type { ArrayEntry, ArrayFile, ArrayFileFormat, LoadOptions, ChunkOptions } from './entry';

/** The format the first bytes (at least 9 if the file has them) say, if any. */
export function sniffFormat(head: Uint8Array, size: number): ArrayFileFormat | undefined {
  if (head.length >= 6 && NPY_MAGIC.every((b, i) => head[i] === b)) return 'npy';
  if (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))
  ) {
    return 'npz';
  }
  if (head.length >= 9) {
    let n = 0;
    for (let i = 7; i >= 0; i--) n = n * 256 + head[i];
    if (n >= 2 && n <= SAFETENSORS_MAX_HEADER && n + 8 <= size && head[8] === 0x7b /* { */)
      return 'safetensors';
  }
  return undefined;
}

export function formatFromName(name: string): ArrayFileFormat | undefined {
  if (/\.safetensors\.index\.json$/i.test(name)) return 'safetensors-index';
  const m = /\.(npy|npz|safetensors)$/i.exec(name);
  if (m) return m[1].toLowerCase() as ArrayFileFormat;
  return /\.(pt|pth|bin)$/i.test(name) ? 'pytorch' : undefined;
}

export interface OpenOptions {
  /** opens a file in the same folder (the shards of a `.safetensors.index.json`) */
  openSibling?: ShardOpener;
}

/** Opens `source` (named `name`, used only for its extension); reads headers, not data. */
export async function openArrayFile(
  name: string,
  source: ByteSource,
  opts: OpenOptions = {},
): Promise<ArrayFile> {
  const head = await source.read(0, Math.min(source.size, 16));
  const format = sniffFormat(head, source.size) ?? formatFromName(name);
  switch (format) {
    case 'npy': {
      const e = await openNpy(source);
      return { format, entries: [e] };
    }
    case 'npz': {
      // torch.save writes a ZIP too: its members name it (the directory is read once, here)
      const members = await readCentralDirectory(source);
      return isTorchZip(members) ? openTorchZip(source, members) : openNpz(source, members);
    }
    case 'safetensors-index':
      if (!opts.openSibling)
        throw new LensError(
          'a sharded checkpoint index opens only from a folder on disk',
          'unsupported',
        );
      return openShardedIndex(source, opts.openSibling);
    case 'pytorch':
      if (isLegacyTorch(head)) return openTorchLegacy(source);
      break;
    case 'safetensors':
      return openSafetensors(source);
  }
  throw new LensError(
    source.size === 0
      ? 'file is empty'
      : 'not a .npy, .npz or .safetensors file, nor a PyTorch checkpoint (unrecognised first bytes)',
    'unsupported',
  );
}
