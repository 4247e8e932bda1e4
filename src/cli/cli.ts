/**
 * `matrix-lens` command line over src/core. Each subcommand lives in commands/<name>.ts.
 * Exit status: 0 ok, 1 findings (e.g. shape errors), 2 bad input or usage (one line on stderr).
 */
import { errorMessage, isLensError } from '../core/errors';
import { escapeControl, quoteName, safeText } from '../core/text';
import pkg from '../../package.json';
import { CliCommand, UsageError } from './command';
import { infoCommand } from './commands/info';
import { shapesCommand } from './commands/shapes';
import { analyzeCommand } from './commands/analyze';
import { attentionCommand } from './commands/attention';
import { compareCommand } from './commands/compare';
import { neighborsCommand } from './commands/neighbors';

const VERSION: string = (pkg as { version: string }).version;

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
    'matrix-lens <command> --help describes a command; matrix-lens --version prints the version.',
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`matrix-lens ${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd)
    throw new UsageError(
      `unknown command ${quoteName(name, 40)} (try: ${COMMANDS.map((c) => c.name).join(', ')})`,
    );
  // every subcommand answers --help/-h (before its own option parsing, which would refuse it)
  const stop = rest.indexOf('--');
  const opts = stop < 0 ? rest : rest.slice(0, stop);
  if (opts.includes('--help') || opts.includes('-h')) {
    process.stdout.write(`usage: matrix-lens ${cmd.usage}\n\n${cmd.help ?? cmd.summary}\n`);
    return 0;
  }
  // names, metadata and paths come from files: no control character reaches the terminal raw.
  // Output is written in pieces of 64 KiB: a write per line was 10⁶ system calls for 10⁶ arrays
  const pending: string[] = [];
  let pendingChars = 0;
  const flush = (): void => {
    if (pending.length) process.stdout.write(pending.join(''));
    pending.length = 0;
    pendingChars = 0;
  };
  try {
    return await cmd.run(rest, {
      out: (s) => {
        const t = safeText(s);
        pending.push(t);
        pendingChars += t.length;
        if (pendingChars >= 1 << 16) flush();
      },
    });
  } finally {
    flush();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const expected = isLensError(e) || e instanceof UsageError;
    process.stderr.write(`matrix-lens: ${escapeControl(errorMessage(e))}\n`);
    if (!expected && process.env.MATRIX_LENS_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 2;
  },
);
