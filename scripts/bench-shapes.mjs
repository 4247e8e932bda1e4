// Times the shape checker on a generated 1,000-line NumPy/PyTorch file:
//   node scripts/bench-shapes.mjs
// Prints the median time per re-analysis after a one-line edit (the editor case) and from scratch.
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'ml-bench-shapes-'));
const out = join(dir, 'shapes.cjs');
await esbuild.build({
  entryPoints: ['src/core/shapes/index.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: out,
  external: ['web-tree-sitter'],
  logLevel: 'warning',
});
const require = createRequire(join(process.cwd(), 'package.json'));
const { createShapeAnalyzer } = require(out);
const analyzer = await createShapeAnalyzer({
  treeSitter: require('web-tree-sitter'),
  treeSitterWasm: new Uint8Array(readFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm')),
  pythonWasm: new Uint8Array(
    readFileSync('node_modules/tree-sitter-python/tree-sitter-python.wasm'),
  ),
});

const block = [
  'x = np.random.randn(32, 768)',
  'W = np.zeros((768, 3072))',
  'y = np.maximum(x @ W, 0).reshape(32, 4, -1)',
  'z = y.transpose(1, 0, 2).sum(axis=-1, keepdims=True)',
  't = torch.randn(8, 16, 64).view(8, 16, 4, 16).permute(0, 2, 1, 3)',
  'a = F.softmax(t @ t.transpose(-2, -1), dim=-1)',
  'def f(q, k):',
  '    B, T, C = q.shape',
  '    return q @ k.transpose(1, 2)',
  'U, S, Vt = np.linalg.svd(x, full_matrices=False)',
];
const src =
  'import numpy as np\nimport torch\nimport torch.nn.functional as F\n' +
  Array.from({ length: 100 }, () => block.join('\n')).join('\n') +
  '\n';
writeFileSync(join(dir, 'bench.py'), src);
const lines = src.split('\n');

function median(f, n = 41) {
  for (let i = 0; i < 10; i++) f(i);
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f(i);
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[n >> 1];
}
const edit = median((i) => {
  const l = lines.slice();
  l[500 + (i % 7)] = `k${i} = np.zeros((${i + 1}, 3)) @ np.ones((3, 2))`;
  analyzer.analyze(l.join('\n'));
});
const same = median(() => analyzer.analyze(src));
const cold = median((i) => analyzer.analyze(`# ${i}\n` + src.replace(/768/g, String(700 + i))));
console.log(
  `shapes: ${lines.length} lines; per one-line edit ${edit.toFixed(1)} ms, unchanged ${same.toFixed(1)} ms, from scratch ${cold.toFixed(1)} ms (median)`,
);
