/**
 * `matrix-lens` command line over src/core. Each subcommand lives in commands/<name>.ts.
 * Exit status: 0 ok, 1 findings (e.g. shape errors), 2 bad input or usage (one line on stderr).
 */
import { errorMessage, isLensError } from '../core/errors';
import { CliCommand, UsageError } from './command';
import { infoCommand } from './commands/info';
import { shapesCommand } from './commands/shapes';
import { analyzeCommand } from './commands/analyze';
import { attentionCommand } from './commands/attention';
import { compareCommand } from './commands/compare';
import { neighborsCommand } from './commands/neighbors';

const COMMANDS: CliCommand[] = [
  infoCommand,
  analyzeCommand,
  attentionCommand,
  shapesCommand,
  compareCommand,
  neighborsCommand,
];

function usage(): string {
  return [
    'usage: matrix-lens <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(48)} ${c.summary}`),
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd)
    throw new UsageError(
      `unknown command '${name}' (try: ${COMMANDS.map((c) => c.name).join(', ')})`,
    );
  return cmd.run(rest, { out: (s) => process.stdout.write(s) });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const expected = isLensError(e) || e instanceof UsageError;
    process.stderr.write(`matrix-lens: ${errorMessage(e)}\n`);
    if (!expected && process.env.MATRIX_LENS_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 2;
  },
);
