/**
 * Bundles the compute pool's thread scripts next to a bench bundle in `dir`: the pool starts
 * them by path beside the bundle (src/worker/pool.ts).
 */
import * as esbuild from 'esbuild';
import { join } from 'node:path';

export async function buildPoolThreads(dir) {
  for (const name of ['poolSupervisor', 'poolHelper'])
    await esbuild.build({
      entryPoints: [`src/worker/${name}.ts`],
      bundle: true,
      platform: 'node',
      target: 'node20',
      outfile: join(dir, `${name}.js`),
      logLevel: 'warning',
      define: { TEST_HOOKS: 'false' },
    });
}
