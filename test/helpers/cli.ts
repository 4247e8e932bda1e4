/**
 * The CLI bundle for tests: env MATRIX_LENS_CLI, else built once per test file with esbuild
 * from src/cli/cli.ts; `runCli` runs it as a child process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export function buildCli(dir: string): string {
  const env = process.env.MATRIX_LENS_CLI;
  if (env) return env;
  const cli = join(dir, 'cli.js');
  const r = spawnSync(
    resolve('node_modules/.bin/esbuild'),
    [
      resolve('src/cli/cli.ts'),
      '--bundle',
      '--platform=node',
      '--log-level=warning',
      `--outfile=${cli}`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return cli;
}

export function runCli(cli: string, ...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}
