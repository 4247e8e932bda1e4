// Seed hunting for the property tests: `npm run test:hunt [-- --runs 10 --rounds 3]` builds the
// tests, then runs every unit test file that holds a fast-check property with N× its runs from
// fresh seeds (scripts/lib/fc-hunt.mjs), `rounds` times. `npm test` runs the fixed seeds; this
// looks further. A failure prints fast-check's counterexample: keep it as an `examples` entry
// of that property once fixed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { walk } from './lib/walk.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg('runs', 10);
const rounds = arg('rounds', 1);

const built = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const files = walk(
  join(ROOT, 'out/test/unit'),
  (p) => p.endsWith('.test.js') && /fast_check\.default\.assert\(/.test(readFileSync(p, 'utf8')),
).sort();
console.log(`${files.length} files with properties, ${runs}× their runs, ${rounds} round(s)`);
let failed = 0;
for (let r = 1; r <= rounds; r++) {
  const res = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/mocha/bin/mocha.js'),
      '--require',
      join(ROOT, 'scripts/lib/fc-hunt.mjs'),
      '--timeout',
      '1200000',
      ...files,
    ],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, MATRIX_LENS_HUNT_RUNS: String(runs) } },
  );
  if (res.status !== 0) failed++;
}
console.log(`\nseed hunting: ${failed} of ${rounds} round(s) found a counterexample`);
process.exit(failed ? 1 : 0);
