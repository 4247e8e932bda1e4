import { CliCommand, UsageError, parseArgs } from '../command';
import { loadArray } from '../load';
import { LensError } from '../../core/errors';
import { vectorsOf } from '../../core/embeddings/vectors';
import { rowOf, topNeighbors } from '../../core/embeddings/neighbors';

export const neighborsCommand: CliCommand = {
  name: 'neighbors',
  usage: 'neighbors FILE[#ARRAY] (--row I | --query Q.npy) [--k 10] [--by cosine|dot] [--json]',
  summary:
    'top-k rows of an [N, d] array by cosine similarity (and dot product) to a row or a query',
  async run(args, ctx) {
    const { positionals, flags, options } = parseArgs(args, {
      flags: ['--json'],
      options: ['--row', '--query', '--k', '--by'],
    });
    if (positionals.length !== 1) throw new UsageError('neighbors takes exactly one FILE[#ARRAY]');
    const rowArg = options.get('--row');
    const queryArg = options.get('--query');
    if ((rowArg === undefined) === (queryArg === undefined))
      throw new UsageError('neighbors needs exactly one of --row I and --query Q.npy');
    const k = Number(options.get('--k') ?? 10);
    if (!Number.isInteger(k) || k < 1) throw new UsageError('--k needs a positive integer');
    const by = options.get('--by') ?? 'cosine';
    if (by !== 'cosine' && by !== 'dot') throw new UsageError('--by is cosine or dot');
    const a = await loadArray(positionals[0]);
    const v = vectorsOf(a.raw);
    let query: Float32Array;
    let exclude: number | undefined;
    if (rowArg !== undefined) {
      const i = Number(rowArg);
      if (!Number.isInteger(i) || i < 0 || i >= v.rows)
        throw new UsageError(`--row must be an integer in [0, ${v.rows})`);
      if (v.nonFiniteRows.includes(i))
        throw new LensError(`${a.file}: row ${i} holds NaN or Inf values`);
      query = rowOf(v, i);
      exclude = i;
    } else {
      const q = await loadArray(queryArg!);
      const qv = vectorsOf(q.raw);
      if (qv.rows !== 1 || qv.cols !== v.cols)
        throw new LensError(
          `${q.file}: the query must be one vector of length ${v.cols}, got shape [${q.raw.shape.join(', ')}]`,
        );
      if (qv.nonFiniteRows.length)
        throw new LensError(`${q.file}: the query holds NaN or Inf values`);
      query = qv.data;
    }
    const best = topNeighbors(v, query, { k, by, exclude });
    if (flags.has('--json')) {
      ctx.out(
        JSON.stringify({
          file: a.file,
          name: a.name,
          shape: [v.rows, v.cols],
          by,
          ...(exclude !== undefined ? { row: exclude } : {}),
          neighbors: best,
          zeroRows: v.zeroRows.length,
          skippedRows: v.nonFiniteRows,
        }) + '\n',
      );
      return 0;
    }
    ctx.out(
      `top ${best.length} of ${v.rows} by ${by}${exclude !== undefined ? ` (row ${exclude} left out)` : ''}\n`,
    );
    ctx.out('   row     cosine          dot         norm\n');
    for (const n of best)
      ctx.out(
        `${String(n.row).padStart(6)} ${n.cosine.toFixed(6).padStart(10)} ${n.dot.toPrecision(6).padStart(12)} ${n.norm.toPrecision(6).padStart(12)}\n`,
      );
    if (v.nonFiniteRows.length)
      ctx.out(
        `skipped ${v.nonFiniteRows.length} rows holding NaN/Inf: ${v.nonFiniteRows.slice(0, 20).join(', ')}${v.nonFiniteRows.length > 20 ? ' …' : ''}\n`,
      );
    if (v.zeroRows.length) ctx.out(`${v.zeroRows.length} zero rows (cosine 0)\n`);
    return 0;
  },
};
