// Rebuilds the SIMD kernels and exits 1 if src/core/linalg/wasm/kernels.wasm.ts is not what the
// sources compile to (CI: `node scripts/check-wasm.mjs`).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { compileBoth, moduleText } from './build-wasm.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const committed = readFileSync(resolve(root, 'src/core/linalg/wasm/kernels.wasm.ts'), 'utf8');
const fresh = moduleText(...(await compileBoth()));
if (fresh !== committed) {
  console.error(
    'src/core/linalg/wasm/kernels.wasm.ts is stale: run `npm run build:wasm` and commit the result',
  );
  process.exit(1);
}
console.log('kernels.wasm.ts matches its sources');
