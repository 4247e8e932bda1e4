/**
 * Sharded Hugging Face checkpoints: `model.safetensors.index.json` =
 * `{"metadata": {...}, "weight_map": {tensor: "model-00001-of-00002.safetensors", …}}`. The
 * index opens as one model: each shard named in the weight map is opened through `openShard`
 * (a sibling file in the same folder; names with a path are refused) and only its header is
 * read; every tensor of the weight map must be in its shard. Tensor bytes are read on load.
 * Reference: huggingface_hub `save_torch_state_dict` / transformers `load_sharded_checkpoint`.
 */
import { LensError } from '../errors';
import { ByteSource } from '../io/source';
import { ArrayEntry, ArrayFile } from './entry';
import { openSafetensors } from './safetensors';

/** Index files larger than this are refused (a 10,000-tensor index is ~1 MB). */
export const INDEX_MAX_BYTES = 64 << 20;

export type ShardOpener = (name: string) => Promise<ByteSource>;

export async function openShardedIndex(
  source: ByteSource,
  openShard: ShardOpener,
): Promise<ArrayFile> {
  if (source.size > INDEX_MAX_BYTES)
    throw new LensError(
      `index of ${source.size} bytes is larger than ${INDEX_MAX_BYTES}`,
      'too-large',
    );
  let json: unknown;
  try {
    json = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(await source.read(0, source.size)),
    );
  } catch (e) {
    throw new LensError(
      `index is not valid JSON (${e instanceof Error ? e.message.split('\n')[0].slice(0, 120) : ''})`,
    );
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    throw new LensError("index has no 'weight_map' object");
  const byShard = new Map<string, string[]>();
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string' || !/^[^/\\]+$/.test(shard) || shard === '.' || shard === '..')
      throw new LensError(
        `weight_map entry '${tensor.slice(0, 80)}' names ${JSON.stringify(shard).slice(0, 80)}, not a file in the same folder`,
      );
    const list = byShard.get(shard) ?? [];
    list.push(tensor);
    byShard.set(shard, list);
  }
  const entries: ArrayEntry[] = [];
  for (const [shard, tensors] of byShard) {
    let entriesOfShard: ArrayEntry[];
    try {
      entriesOfShard = (await openSafetensors(await openShard(shard))).entries;
    } catch (e) {
      throw new LensError(
        `shard ${shard}: ${e instanceof Error ? e.message : String(e)}`,
        e instanceof LensError ? e.code : undefined,
      );
    }
    const have = new Map(entriesOfShard.map((e) => [e.name, e]));
    for (const t of tensors) {
      const e = have.get(t);
      if (!e)
        throw new LensError(
          `weight_map puts '${t.slice(0, 80)}' in ${shard}, which has no such tensor`,
        );
      entries.push(e);
    }
  }
  const meta = (json as { metadata?: unknown }).metadata;
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  if (meta && typeof meta === 'object' && !Array.isArray(meta))
    for (const [k, v] of Object.entries(meta as Record<string, unknown>))
      metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  metadata.shards = String(byShard.size);
  return { format: 'safetensors-index', metadata, entries };
}
