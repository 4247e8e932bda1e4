// Times the shape checker on a generated 1,000-line NumPy/PyTorch file:
//   npm run bench:shapes            (node scripts/bench-shapes.mjs [runs])
// Prints median times (ms) of:
//   from scratch    nothing to reuse: the previous analysis was of an empty file (no old parse
//                   tree, no cached statements; the parser and grammar are loaded and warm)
//   unchanged       the same text again (the editor asking twice for one version)
//   one-line edit   one line changed since the previous analysis (the editor case)
//   new text        every `768` changed and the first line replaced since the previous analysis
//                   (what earlier versions of this script called "from scratch")
// On a loaded machine wall times swing by 2x; CPU time of this process is steadier:
//   node scripts/bench-shapes.mjs --cpu [--against <git ref>] [--rounds R] [--ops N]
// prints the CPU ms (process.cpuUsage) per analysis of the cold, one-line edit and unchanged
// cases, for this tree and, with --against, for the checker at that git ref, alternated in
// one process (R rounds of N analyses each, the order swapped every round).
// This is the only place the checker is timed: tests check results, not speed.
import * as esbuild from 'esbuild';
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const CPU = argv.includes('--cpu');
const RUNS = Number(CPU ? 41 : (argv[0] ?? 41));
const dir = mkdtempSync(join(tmpdir(), 'ml-bench-shapes-'));
const require = createRequire(join(process.cwd(), 'package.json'));

/** The checker of the source tree under `root`, bundled on its own. */
async function loadAnalyzer(root, tag) {
  const out = join(dir, `shapes-${tag}.cjs`);
  await esbuild.build({
    entryPoints: [join(root, 'src/core/shapes/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: out,
    external: ['web-tree-sitter'],
    logLevel: 'warning',
  });
  const { createShapeAnalyzer } = require(out);
  return createShapeAnalyzer({
    treeSitter: require('web-tree-sitter'),
    treeSitterWasm: new Uint8Array(
      readFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm'),
    ),
    pythonWasm: new Uint8Array(
      readFileSync('node_modules/tree-sitter-python/tree-sitter-python.wasm'),
    ),
  });
}
const analyzer = await loadAnalyzer(process.cwd(), 'here');

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

if (CPU) {
  const analyzers = [['this tree', analyzer]];
  const ref = flag('--against');
  if (ref) {
    const old = join(dir, 'against');
    execSync(`mkdir -p ${old} && git archive ${ref} src/core/shapes | tar -x -C ${old}`);
    analyzers.unshift([ref, await loadAnalyzer(old, 'against')]);
  }
  const rounds = Number(flag('--rounds', 6));
  const ops = Number(flag('--ops', 20));
  let k = 0;
  const cpu = (f) => {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  const edited = () => {
    const l = lines.slice();
    const i = k++;
    l[500 + (i % 7)] = `k${i} = np.zeros((${i + 1}, 3)) @ np.ones((3, 2))`;
    return l.join('\n');
  };
  const cases = {
    'from scratch': (a) => (a.analyze(''), cpu(() => a.analyze(src))),
    'one-line edit': (a) => {
      const t = edited();
      return cpu(() => a.analyze(t));
    },
    unchanged: (a) => (a.analyze(src), cpu(() => a.analyze(src))),
  };
  console.log(`shapes: ${lines.length} lines, CPU ms per analysis, ${rounds} rounds of ${ops}`);
  for (const [name, run] of Object.entries(cases)) {
    const per = analyzers.map(() => []);
    for (let r = 0; r < rounds; r++)
      for (const j of r % 2 ? [...analyzers.keys()].reverse() : analyzers.keys()) {
        const a = analyzers[j][1];
        for (let i = 0; i < 5; i++) run(a);
        let t = 0;
        for (let i = 0; i < ops; i++) t += run(a);
        per[j].push(t / ops);
      }
    for (const [j, [label]] of analyzers.entries()) {
      const xs = per[j];
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const med = xs.slice().sort((a, b) => a - b)[xs.length >> 1];
      console.log(
        `  ${name.padEnd(14)} ${label.padEnd(10)} mean ${mean.toFixed(2).padStart(6)}  median ${med.toFixed(2).padStart(6)}  rounds ${xs.map((x) => x.toFixed(1)).join(' ')}`,
      );
    }
  }
  process.exit(0);
}

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
