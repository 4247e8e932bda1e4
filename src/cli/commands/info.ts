import { readFile } from 'node:fs/promises';
import { CliCommand, UsageError, parseArgs } from '../command';
import { readNpy } from '../../core/formats/npy';
import { computeStats, summaryLine } from '../../core/stats/summary';
import { LensError } from '../../core/errors';

export const infoCommand: CliCommand = {
  name: 'info',
  usage: 'info FILE [--json]',
  summary: 'every array in FILE with name, dtype, shape and statistics',
  async run(args, ctx) {
    const { positionals, flags } = parseArgs(args, { flags: ['--json'] });
    if (positionals.length !== 1) throw new UsageError('info takes exactly one FILE');
    const file = positionals[0];
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e) {
      throw new LensError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let arrays;
    try {
      const a = readNpy(bytes);
      arrays = [{ name: '', raw: a }];
    } catch (e) {
      if (e instanceof LensError) throw new LensError(`${file}: ${e.message}`, e.code);
      throw e;
    }
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
