/**
 * Bench bundles: a TypeScript entry (as text) bundled into `dir` with esbuild, and the compute
 * pool's thread scripts next to it (the pool starts them by path beside the bundle,
 * src/worker/pool.ts).
 */
import * as esbuild from 'esbuild';
import { join, resolve } from 'node:path';

const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  define: { TEST_HOOKS: 'false' },
};

export async function buildPoolThreads(dir) {
  for (const name of ['poolSupervisor', 'poolHelper'])
    await esbuild.build({
      ...nodeBundle,
      entryPoints: [`src/worker/${name}.ts`],
      outfile: join(dir, `${name}.js`),
    });
}

/**
 * Bundles `entry` (TypeScript source resolved from the repository root) to `dir/name.js`, with
 * the pool's thread scripts beside it unless `pool` is false; returns the bundle's path.
 */
export async function bundleBench(entry, dir, name, { pool = true } = {}) {
  const outfile = join(dir, `${name}.js`);
  await esbuild.build({
    ...nodeBundle,
    stdin: {
      contents: entry,
      resolveDir: resolve('.'),
      sourcefile: `${name}-entry.ts`,
      loader: 'ts',
    },
    outfile,
  });
  if (pool) await buildPoolThreads(dir);
  return outfile;
}
