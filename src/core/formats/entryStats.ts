/**
 * Summary statistics of an array entry streamed piece by piece from its file, so a 2 GB
 * tensor never has to sit in memory (see computeStats in stats/summary.ts for the in-memory
 * version; both use the same accumulator).
 */
import { isComplex, itemSize } from '../array/dtype';
import { decodeRun } from '../array/decode';
import { sizeOf } from '../array/ndarray';
import { LensError } from '../errors';
import { STATS_CHUNK, Stats, StatsAccumulator } from '../stats/summary';
import { ArrayEntry } from './entry';

/** `onChunk(fractionDone)` runs after each piece; it may throw to cancel. */
export async function computeEntryStats(
  entry: ArrayEntry,
  onChunk?: (done: number) => void,
): Promise<Stats> {
  const complex = isComplex(entry.dtype);
  const acc = new StatsAccumulator(complex ? 'abs' : 'value');
  const size = itemSize(entry.dtype);
  const n = sizeOf(entry.shape);
  // no bigger than the array: 10⁶ empty tensors must not cost 512 KiB each
  const run = Math.max(1, Math.min(STATS_CHUNK, n));
  const buf = new Float64Array(run * (complex ? 2 : 1));
  const mags = complex ? new Float64Array(run) : buf;
  let seen = 0;
  for await (const piece of entry.chunks({ chunkBytes: STATS_CHUNK * size * 16 })) {
    const a = { dtype: entry.dtype, littleEndian: entry.littleEndian, bytes: piece };
    const count = piece.length / size;
    for (let start = 0; start < count; start += run) {
      const len = Math.min(run, count - start);
      decodeRun(a, start, len, buf);
      if (complex) for (let i = 0; i < len; i++) mags[i] = Math.hypot(buf[2 * i], buf[2 * i + 1]);
      acc.add(mags, len);
    }
    seen += count;
    onChunk?.(n ? seen / n : 1);
  }
  if (seen !== n) throw new LensError(`read ${seen} elements, expected ${n}`);
  return acc.result();
}
