import { open } from 'node:fs/promises';
import { CliCommand, UsageError, parseArgs } from '../command';
import { loadArray, parseMaxBytes, showPath } from '../load';
import { safeJson } from '../../core/text';
import { LensError } from '../../core/errors';
import { toFloat64C } from '../../core/array/decode';
import { isComplex } from '../../core/array/dtype';
import { RawArray } from '../../core/array/ndarray';
import { attention } from '../../core/attention/attention';
import { npyDataPiece, npyHeader } from '../../core/formats/npyWrite';

/** Writes the weights as .npy in 16 MiB pieces: no second copy of a T×S array in memory. */
async function writeWeights(
  path: string,
  w: ArrayLike<number>,
  shape: number[],
  f32: boolean,
): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.write(npyHeader(shape, f32 ? 'float32' : 'float64'));
    const step = 1 << 22;
    for (let i = 0; i < w.length; i += step)
      await fh.write(npyDataPiece(w, i, Math.min(step, w.length - i), f32 ? 'float32' : 'float64'));
  } finally {
    await fh.close();
  }
}

async function tensor(
  spec: string,
  what: string,
  maxBytes: number,
): Promise<{ raw: RawArray; data: Float64Array }> {
  const a = await loadArray(spec, maxBytes);
  if (isComplex(a.raw.dtype))
    throw new LensError(
      `${showPath(a.file)}: ${what} is ${a.raw.dtype}; attention needs real values`,
      'unsupported',
    );
  return { raw: a.raw, data: toFloat64C(a.raw) };
}

export const attentionCommand: CliCommand = {
  name: 'attention',
  usage:
    'attention --q Q.npy --k K.npy [--v V.npy] [--heads H] [--causal] [--out W.npy] [--json] [--max-bytes N]',
  help: [
    'Scaled dot-product attention softmax(Q·Kᵀ/√d)(·V) per head, with row sums and entropies.',
    'Q and K are [T, H·d] (with --heads H) or [H, T, d]; scores beyond float64 are handled.',
    '',
    '  --q, --k, --v FILE[#ARRAY]  the inputs (write a # in a file name as \\#)',
    '  --heads H                   heads of 2-D inputs (default 1)',
    '  --causal                    mask keys after each query',
    '  --out W.npy                 write the [H, T, S] weights (without it they are streamed,',
    '                              never held: memory stays O((T + S)·d))',
    '  --json                      one JSON document',
    '  --max-bytes N               largest input loaded (default 256M; K/M/G suffixes)',
  ].join('\n'),
  summary: 'softmax(QKᵀ/√d)(·V) per head: weights, row sums, entropy',
  async run(args, ctx) {
    const { positionals, flags, options } = parseArgs(args, {
      flags: ['--json', '--causal'],
      options: ['--q', '--k', '--v', '--heads', '--out', '--max-bytes'],
    });
    if (positionals.length)
      throw new UsageError(`attention takes no positional arguments (got ${positionals[0]})`);
    const qs = options.get('--q');
    const ks = options.get('--k');
    if (!qs || !ks) throw new UsageError('attention needs --q Q.npy and --k K.npy');
    let heads: number | undefined;
    const h = options.get('--heads');
    if (h !== undefined) {
      heads = Number(h);
      if (!Number.isInteger(heads) || heads < 1)
        throw new UsageError(`--heads must be a positive integer, got '${h}'`);
    }
    const maxBytes = parseMaxBytes(options.get('--max-bytes'));
    const q = await tensor(qs, 'Q', maxBytes);
    const k = await tensor(ks, 'K', maxBytes);
    const vs = options.get('--v');
    const v = vs ? await tensor(vs, 'V', maxBytes) : undefined;
    const out = options.get('--out');
    const res = attention(
      { shape: q.raw.shape, data: q.data },
      { shape: k.raw.shape, data: k.data },
      v ? { shape: v.raw.shape, data: v.data } : undefined,
      // without --out the T×S weights are never built: the output and entropies stream
      // (blocked online softmax), so memory stays O(T·d + S·d) however long the sequence
      { heads, causal: flags.has('--causal'), weights: out !== undefined },
    );
    const f32 = [q, k, ...(v ? [v] : [])].every((t) => t.raw.dtype === 'float32');
    if (out) await writeWeights(out, res.weights!, [res.heads, res.queries, res.keys], f32);
    let maxDev: number | null = null;
    if (res.rowSums) {
      maxDev = 0;
      for (const s of res.rowSums) maxDev = Math.max(maxDev, Math.abs(s - 1));
    }
    const entropy: number[][] = [];
    for (let hh = 0; hh < res.heads; hh++)
      entropy.push(Array.from(res.entropy.subarray(hh * res.queries, (hh + 1) * res.queries)));
    if (flags.has('--json')) {
      ctx.out(
        safeJson({
          heads: res.heads,
          queries: res.queries,
          keys: res.keys,
          headDim: res.headDim,
          causal: flags.has('--causal'),
          weightsShape: [res.heads, res.queries, res.keys],
          weightsFile: out ?? null,
          rowSumMaxDeviation: maxDev,
          headEntropy: Array.from(res.headEntropy),
          entropy,
          outputShape: res.outputShape ?? null,
        }) + '\n',
      );
      return 0;
    }
    ctx.out(
      `attention: ${res.heads} head(s), ${res.queries} queries × ${res.keys} keys, d=${res.headDim}${flags.has('--causal') ? ', causal' : ''}\n`,
    );
    if (maxDev !== null) ctx.out(`  row sums within ${maxDev.toExponential(2)} of 1\n`);
    else ctx.out('  weights streamed, not stored (--out W.npy writes them)\n');
    for (let hh = 0; hh < res.heads; hh++)
      ctx.out(
        `  head ${hh}: mean entropy ${res.headEntropy[hh].toFixed(4)} nats (max ${Math.log(res.keys).toFixed(4)})\n`,
      );
    if (out) ctx.out(`  weights [${res.heads}, ${res.queries}, ${res.keys}] → ${showPath(out)}\n`);
    return 0;
  },
};
