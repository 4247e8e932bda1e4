// Times the shape checker on a generated 1,000-line NumPy/PyTorch file:
//   npm run bench:shapes            (node scripts/bench-shapes.mjs [runs])
// Prints median times (ms) of:
//   from scratch    nothing to reuse: the previous analysis was of an empty file (no old parse
//                   tree, no cached statements; the parser and grammar are loaded and warm)
//   unchanged       the same text again (the editor asking twice for one version)
//   one-line edit   one line changed since the previous analysis (the editor case)
//   new text        every `768` changed and the first line replaced since the previous analysis
//                   (what earlier versions of this script called "from scratch")
// This is the only place the checker is timed: tests check results, not speed.
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.argv[2] ?? 41);
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
const lines = src.split('\n');

/** Median of `RUNS` timed calls of f(i) after 10 untimed ones; setup(i) runs untimed before each. */
async function median(f, setup = async () => undefined) {
  const t = [];
  for (let i = 0; i < RUNS + 10; i++) {
    const s = await setup(i);
    const t0 = performance.now();
    f(i, s);
    if (i >= 10) t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[t.length >> 1];
}

const scratch = await median(
  () => analyzer.analyze(src),
  async () => analyzer.analyze(''),
);
analyzer.analyze(src);
const same = await median(() => analyzer.analyze(src));
const edit = await median((i) => {
  const l = lines.slice();
  l[500 + (i % 7)] = `k${i} = np.zeros((${i + 1}, 3)) @ np.ones((3, 2))`;
  analyzer.analyze(l.join('\n'));
});
const other = await median((i) =>
  analyzer.analyze(`# ${i}\n` + src.replace(/768/g, String(700 + i))),
);
const t100k = performance.now();
for (let i = 0; i < 100; i++)
  analyzer.analyze(`# file ${i}\n` + src.replace(/768/g, String(500 + i)));
const hundredK = performance.now() - t100k;
const ms = (x) => `${x.toFixed(1).padStart(6)} ms`;
console.log(`shapes: ${lines.length} lines, median of ${RUNS} runs`);
console.log(`  from scratch   ${ms(scratch)}`);
console.log(`  unchanged      ${ms(same)}`);
console.log(`  one-line edit  ${ms(edit)}`);
console.log(`  new text       ${ms(other)}`);
console.log(`  100k lines     ${ms(hundredK)}`);
