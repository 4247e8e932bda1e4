/**
 * Two checkpoints (any multi-array files: .safetensors, sharded indexes, .pt, .npz): every
 * tensor present in both compared, one pair at a time; tensors present in only one file are
 * listed. A pair is streamed (compareEntries): both tensors are read piece by piece in lockstep
 * and the Δ statistics accumulate (delta.ts), so neither tensor is ever held whole — only ΔW
 * itself, for matrices whose ΔW fits `deltaBytes`, to take its spectrum. Memory stays bounded
 * by two pieces plus one ΔW, whatever the checkpoint's size.
 */
import { componentsOf } from '../array/ndarray';
import { isComplex, itemSize } from '../array/dtype';
import { decodeRun } from '../array/decode';
import { LensError } from '../errors';
import { ArrayEntry, LoadOptions } from '../formats/entry';
import {
  ArrayComparison,
  CompareOptions,
  compareArrays,
  compareShapes,
  relativeFrobenius,
  spectrumOfDelta,
  widen,
} from './compareArrays';
import { DeltaAccumulator } from './delta';

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

export interface StreamOptions extends CompareOptions, LoadOptions {
  /** ΔW of a matrix is kept (float64) for its spectrum only up to this size (default 256 MiB) */
  deltaBytes?: number;
  /** bytes per piece read from each file (default 4 MiB) */
  chunkBytes?: number;
}

export const DEFAULT_DELTA_BYTES = 256 << 20;

export async function compareCheckpoints(
  a: readonly ArrayEntry[],
  b: readonly ArrayEntry[],
  opts: StreamOptions & { onRow?: (row: CheckpointRow, i: number, n: number) => void } = {},
): Promise<CheckpointDiff> {
  const inB = new Map(b.map((e) => [e.name, e]));
  const inA = new Set(a.map((e) => e.name));
  const shared = a.filter((e) => inB.has(e.name));
  const rows: CheckpointRow[] = [];
  for (const ea of shared) {
    const eb = inB.get(ea.name)!;
    let row: CheckpointRow;
    try {
      row = { name: ea.name, ...(await compareEntries(ea, eb, opts)) };
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

/**
 * A vs B for two entries of files, streamed (see the file comment). Fortran-order arrays (a
 * .npy/.npz may hold them) are loaded whole, within `maxBytes`, as compareArrays does.
 * Principal angles need both matrices whole and are not computed here.
 */
export async function compareEntries(
  ea: ArrayEntry,
  eb: ArrayEntry,
  opts: StreamOptions = {},
): Promise<ArrayComparison> {
  const out = compareShapes(ea, eb);
  if (!out.shapeEqual) return out;
  if ((ea.fortranOrder || eb.fortranOrder) && ea.shape.length > 1)
    return compareArrays(await ea.load(opts), await eb.load(opts), { ...opts, anglesK: 0 });
  const complex = isComplex(ea.dtype) || isComplex(eb.dtype);
  const c = complex ? 2 : 1;
  const acc = new DeltaAccumulator(ea.shape, c, opts);
  const [m, n] = ea.shape;
  const wantSpectrum =
    ea.shape.length === 2 &&
    !complex &&
    (opts.spectrum ?? true) &&
    m * n * 8 <= (opts.deltaBytes ?? DEFAULT_DELTA_BYTES);
  const d = wantSpectrum ? new Float64Array(m * n) : undefined;
  let at = 0;
  for await (const [pa, pb] of lockstep(
    decoded(ea, complex, opts.chunkBytes),
    decoded(eb, complex, opts.chunkBytes),
  )) {
    acc.add(pa, pb);
    if (d) for (let i = 0; i < pa.length; i++) d[at + i] = pb[i] - pa[i];
    at += pa.length;
  }
  const delta = acc.result();
  if (delta.count * c !== at || delta.count !== ea.shape.reduce((x, y) => x * y, 1))
    throw new LensError(
      `'${ea.name}': the data hold a different number of elements than the shape`,
    );
  out.delta = delta;
  out.relFro = relativeFrobenius(delta);
  if (d && acc.nonFinite === 0)
    out.spectrum = spectrumOfDelta(d, m, n, [ea.dtype, eb.dtype], delta, opts);
  return out;
}

/** An entry's elements as float64 pieces (complex interleaved; real widened when `complex`). */
async function* decoded(
  e: ArrayEntry,
  complex: boolean,
  chunkBytes?: number,
): AsyncGenerator<Float64Array> {
  const size = itemSize(e.dtype);
  const comps = componentsOf(e.dtype);
  for await (const piece of e.chunks({ chunkBytes })) {
    const count = piece.length / size;
    const out = new Float64Array(count * comps);
    decodeRun({ dtype: e.dtype, littleEndian: e.littleEndian, bytes: piece }, 0, count, out);
    yield widen(out, comps, complex);
  }
}

/** Equal-length runs of two streams of the same total length, read to the end of both. */
async function* lockstep(
  a: AsyncGenerator<Float64Array>,
  b: AsyncGenerator<Float64Array>,
): AsyncGenerator<[Float64Array, Float64Array]> {
  let ra: Float64Array = new Float64Array(0);
  let rb: Float64Array = new Float64Array(0);
  let doneA = false;
  let doneB = false;
  for (;;) {
    while (!ra.length && !doneA) {
      const x = await a.next();
      if (x.done) doneA = true;
      else ra = x.value;
    }
    while (!rb.length && !doneB) {
      const y = await b.next();
      if (y.done) doneB = true;
      else rb = y.value;
    }
    if (!ra.length || !rb.length) break;
    const k = Math.min(ra.length, rb.length);
    yield [ra.subarray(0, k), rb.subarray(0, k)];
    ra = ra.subarray(k);
    rb = rb.subarray(k);
  }
  if (ra.length || rb.length || !doneA || !doneB)
    throw new LensError('the two tensors hold different numbers of elements');
}
