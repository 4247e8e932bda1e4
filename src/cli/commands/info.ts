import { CliCommand, UsageError, parseArgs } from '../command';
import { summaryLine } from '../../core/stats/summary';
import { computeEntryStats } from '../../core/formats/entryStats';
import { withArrayFile } from '../load';
import { escapeControl, safeJson } from '../../core/text';

export const infoCommand: CliCommand = {
  name: 'info',
  usage: 'info FILE [--json]',
  help: [
    'Lists every array in FILE (.npy, .npz, .safetensors) with its dtype, shape and summary',
    'statistics (min, max, mean, σ over the finite values; NaN/±Inf/zero counts), and a',
    "safetensors file's __metadata__. Statistics stream from the file: no array is held whole.",
    '',
    '  --json    one JSON document',
  ].join('\n'),
  summary: 'every array in FILE with name, dtype, shape and statistics',
  async run(args, ctx) {
    const { positionals, flags } = parseArgs(args, { flags: ['--json'] });
    if (positionals.length !== 1) throw new UsageError('info takes exactly one FILE');
    const file = positionals[0];
    // Statistics stream from the file piece by piece: no array is held whole.
    const { format, metadata, out } = await withArrayFile(file, async (f) => {
      const rows = [];
      for (const e of f.entries) rows.push({ e, s: await computeEntryStats(e) });
      return { format: f.format, metadata: f.metadata, out: rows };
    });
    if (flags.has('--json')) {
      ctx.out(
        safeJson({
          file,
          ...(format === 'safetensors' ? { metadata: metadata ?? {} } : {}),
          arrays: out.map(({ e, s }) => ({
            name: e.name,
            dtype: e.dtype,
            shape: e.shape,
            stats: {
              min: s.min,
              max: s.max,
              mean: s.mean,
              std: s.std,
              nan: s.nan,
              posinf: s.posinf,
              neginf: s.neginf,
              zeros: s.zeros,
            },
          })),
        }) + '\n',
      );
    } else {
      // one line per key and per array: newlines and other controls inside names are escaped
      if (metadata)
        for (const [k, v] of Object.entries(metadata))
          ctx.out(`# ${escapeControl(k)}: ${escapeControl(v)}\n`);
      for (const { e, s } of out)
        ctx.out(
          `${e.name ? escapeControl(e.name) + ': ' : ''}${summaryLine(e.dtype, e.shape, s)}\n`,
        );
    }
    return 0;
  },
};
