/**
 * Two checkpoints (any multi-array files: .safetensors, sharded indexes, .pt, .npz): every
 * tensor present in both compared (compareArrays.ts), one pair at a time so that only two
 * tensors are in memory; tensors present in only one file are listed.
 */
import { ArrayEntry, LoadOptions } from '../formats/entry';
import { ArrayComparison, CompareOptions, compareArrays } from './compareArrays';

export interface CheckpointRow extends ArrayComparison {
  name: string;
  /** set when the pair could not be read or compared */
  error?: string;
}

export interface CheckpointDiff {
  rows: CheckpointRow[];
  onlyA: string[];
  onlyB: string[];
}

export async function compareCheckpoints(
  a: readonly ArrayEntry[],
  b: readonly ArrayEntry[],
  opts: CompareOptions &
    LoadOptions & { onRow?: (row: CheckpointRow, i: number, n: number) => void } = {},
): Promise<CheckpointDiff> {
  const inB = new Map(b.map((e) => [e.name, e]));
  const inA = new Set(a.map((e) => e.name));
  const shared = a.filter((e) => inB.has(e.name));
  const rows: CheckpointRow[] = [];
  for (const ea of shared) {
    const eb = inB.get(ea.name)!;
    let row: CheckpointRow;
    try {
      row = { name: ea.name, ...compareArrays(await ea.load(opts), await eb.load(opts), opts) };
    } catch (e) {
      row = {
        name: ea.name,
        shapeEqual: false,
        shapeA: ea.shape,
        shapeB: eb.shape,
        dtypeA: ea.dtype,
        dtypeB: eb.dtype,
        error: e instanceof Error ? e.message.split('\n')[0] : String(e),
      };
    }
    rows.push(row);
    opts.onRow?.(row, rows.length - 1, shared.length);
  }
  return {
    rows,
    onlyA: a.filter((e) => !inB.has(e.name)).map((e) => e.name),
    onlyB: b.filter((e) => !inA.has(e.name)).map((e) => e.name),
  };
}
