import { CliCommand, UsageError, parseArgs } from '../command';
import { computeStats, summaryLine } from '../../core/stats/summary';
import { loadArrays } from '../load';

export const infoCommand: CliCommand = {
  name: 'info',
  usage: 'info FILE [--json]',
  summary: 'every array in FILE with name, dtype, shape and statistics',
  async run(args, ctx) {
    const { positionals, flags } = parseArgs(args, { flags: ['--json'] });
    if (positionals.length !== 1) throw new UsageError('info takes exactly one FILE');
    const file = positionals[0];
    const arrays = await loadArrays(file);
    const out = arrays.map(({ name, raw }) => {
      const s = computeStats(raw);
      return { name, raw, s };
    });
    if (flags.has('--json')) {
      ctx.out(
        JSON.stringify({
          file,
          arrays: out.map(({ name, raw, s }) => ({
            name,
            dtype: raw.dtype,
            shape: raw.shape,
            stats: { min: s.min, max: s.max, mean: s.mean, std: s.std, nan: s.nan, posinf: s.posinf, neginf: s.neginf, zeros: s.zeros },
          })),
        }) + '\n',
      );
    } else {
      for (const { name, raw, s } of out) ctx.out(`${name ? name + ': ' : ''}${summaryLine(raw.dtype, raw.shape, s)}\n`);
    }
    return 0;
  },
};
