// Benchmarks the WebGPU kernels (webview/gpu) in headless Chromium, through the same test page
// the e2e tests use (test/browser/gpuHarness.ts, bundled here), next to the CPU engine in Node:
//   npm run bench:gpu                      SwiftShader-sized run (machines without a GPU)
//   npm run bench:gpu -- --real            the issue-15 goal sizes, for a machine with a GPU:
//        matmul 4096³ f32 (GFLOP/s; compare with the GPU's f32 peak, --peak-tflops N),
//        attention T=4096, d=128, 32 heads, causal (streaming, and with weights when they fit),
//        top-64 singular values of 4096×11008 (GPU GEMMs, float64 finish on the CPU),
//        all singular values of 1024×1024 and 2048×1024 by one-sided Jacobi
//   --chrome-args "--use-angle=vulkan --enable-features=Vulkan"   extra Chromium flags
//   --reps N                               timed repetitions after one warm-up (median kept)
// On a machine without a GPU, Chromium's adapter is SwiftShader (a CPU implementation of
// Vulkan): its numbers say nothing about GPU speed. The adapter name is printed with every run.
// GPU times come from timestamp queries where the adapter has them, else wall time (submit to
// readback, which includes the copies).
import * as esbuild from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumPath } from './lib/browser.mjs';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const REAL = argv.includes('--real');
const REPS = Number(opt('reps', REAL ? '5' : '3'));
const PEAK = Number(opt('peak-tflops', '0'));
// --only matmul,summary,attention,svd,jacobi   run a subset
const ONLY = new Set(opt('only', 'matmul,summary,attention,svd,jacobi').split(','));

const dir = mkdtempSync(join(tmpdir(), 'ml-bench-gpu-'));
await esbuild.build({
  entryPoints: ['test/browser/gpuHarness.ts'],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  define: { TEST_HOOKS: 'false' },
  outfile: join(dir, 'harness.js'),
  logLevel: 'warning',
});
writeFileSync(join(dir, 'index.html'), '<!doctype html><script src="harness.js"></script>');
const cpuLib = join(dir, 'cpu.cjs');
await esbuild.build({
  stdin: {
    contents: `export { matmulF32 } from './src/core/linalg';
export { streamingAttentionF32 } from './src/core/linalg/attentionKernel';
export { singularValues, matrix } from './src/core/linalg';
export { computeStats } from './src/core/stats/summary';`,
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  define: { TEST_HOOKS: 'false' },
  outfile: cpuLib,
  logLevel: 'warning',
});

const { chromium } = await import('playwright-core');
const extra = (opt('chrome-args', '') || '').split(' ').filter((s) => s);
const browser = await chromium.launch({
  executablePath: chromiumPath(),
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--enable-unsafe-webgpu', ...extra],
});
const page = await browser.newPage();
await page.goto(pathToFileURL(join(dir, 'index.html')).href);
const call = (name, ...args) =>
  page.evaluate(([n, a]) => globalThis.gpuHarness[n](...a), [name, args]);
const info = await call('init');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(name, ...args) {
  await call(name, ...args); // warm-up: pipeline compile, first allocation
  const wall = [];
  const gpu = [];
  for (let i = 0; i < REPS; i++) {
    const r = await call(name, ...args);
    wall.push(r.wallMs);
    if (r.gpuMs !== undefined) gpu.push(r.gpuMs);
  }
  return { wall: median(wall), gpu: gpu.length ? median(gpu) : undefined };
}
function cpuTimed(f) {
  f();
  const xs = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    f();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

const { matmulF32, streamingAttentionF32, singularValues, matrix, computeStats } = await import(
  pathToFileURL(cpuLib).href
).then((m) => m.default ?? m);
const rows = [];
const fmt = (x) => (x === undefined ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(0));

const mm = !ONLY.has('matmul') ? [] : REAL ? [4096] : [256, 512, 1024];
for (const n of mm) {
  const r = await timed('matmulRandom', n, n, n);
  const t = r.gpu ?? r.wall;
  const gflops = (2 * n ** 3) / (t * 1e6);
  let cpu;
  if (!REAL) {
    const a = new Float32Array(n * n).map((_, i) => Math.sin(i));
    const b = new Float32Array(n * n).map((_, i) => Math.cos(i));
    cpu = cpuTimed(() => matmulF32(a, b, n, n, n));
  }
  rows.push([
    `matmul f32 ${n}³`,
    fmt(r.gpu),
    fmt(r.wall),
    `${gflops.toPrecision(3)} GFLOP/s${PEAK ? ` (${((100 * gflops) / (PEAK * 1000)).toFixed(1)} % of ${PEAK} TFLOP/s)` : ''}`,
    fmt(cpu),
  ]);
}

const sums = !ONLY.has('summary') ? [] : REAL ? [2 ** 28] : [2 ** 20, 2 ** 24];
for (const n of sums) {
  const r = await timed('summaryRandom', n);
  // the worker's float64 summary of the same float32 values (what the array editor shows first)
  let cpu;
  if (!REAL) {
    const a = new Float32Array(n).map((_, i) => Math.sin(i) * 1e3);
    const raw = {
      dtype: 'float32',
      shape: [n],
      fortranOrder: false,
      littleEndian: true,
      bytes: new Uint8Array(a.buffer),
    };
    cpu = cpuTimed(() => computeStats(raw));
  }
  rows.push([
    `summary ${n / 2 ** 20} Mi values`,
    fmt(r.gpu),
    fmt(r.wall),
    `${((4 * n) / ((r.gpu ?? r.wall) * 1e6)).toPrecision(3)} GB/s`,
    fmt(cpu),
  ]);
}

const att = !ONLY.has('attention')
  ? []
  : REAL
    ? [
        [32, 4096, 128, false],
        [32, 4096, 128, true],
      ]
    : [
        [4, 512, 64, false],
        [4, 512, 64, true],
      ];
for (const [H, T, d, w] of att) {
  let r;
  try {
    r = await timed('attentionRandom', H, T, d, w);
  } catch (e) {
    rows.push([
      `attention H=${H} T=${T} d=${d} causal${w ? ' + weights' : ''}`,
      '—',
      '—',
      String(e.message ?? e).split('\n')[0],
      '—',
    ]);
    continue;
  }
  let cpu;
  if (!REAL || !w) {
    const q = new Float32Array(T * d).map((_, i) => Math.sin(i));
    cpu = H * cpuTimed(() => streamingAttentionF32(q, q, q, T, T, d, d, { causal: true }));
  }
  rows.push([
    `attention H=${H} T=${T} d=${d} causal${w ? ' + weights' : ''}`,
    fmt(r.gpu),
    fmt(r.wall),
    '',
    w ? '—' : fmt(cpu),
  ]);
}
for (const [m, n, k] of !ONLY.has('svd') ? [] : REAL ? [[4096, 11008, 64]] : [[512, 1024, 16]]) {
  const r = await timed('topSingularValuesRandom', m, n, k);
  rows.push([
    `top-${k} singular values ${m}×${n} (q=2, float64 finish on the CPU)`,
    fmt(r.gpu),
    fmt(r.wall),
    '',
    '—',
  ]);
}
// all singular values by one-sided Jacobi (webview/gpu/jacobi.ts): 6·m·n² flops per sweep
const jac = !ONLY.has('jacobi')
  ? []
  : REAL
    ? [
        [1024, 1024],
        [2048, 1024],
      ]
    : [
        [128, 64],
        [256, 128],
      ];
for (const [m, n] of jac) {
  await call('jacobiRandom', m, n); // warm-up
  const wall = [];
  const gpu = [];
  let sweeps = 0;
  for (let i = 0; i < REPS; i++) {
    const r = await call('jacobiRandom', m, n);
    wall.push(r.wallMs);
    if (r.gpuMs !== undefined) gpu.push(r.gpuMs);
    sweeps = r.sweeps;
  }
  const g = gpu.length ? median(gpu) : undefined;
  const t = g ?? median(wall);
  let cpu;
  if (!REAL || m * n <= 1024 * 1024) {
    const a = new Float32Array(m * n).map((_, i) => Math.sin(i * 0.37) + Math.cos(i * 0.011));
    cpu = cpuTimed(() => singularValues(matrix(m, n, a)));
  }
  rows.push([
    `all singular values ${m}×${n}, one-sided Jacobi (${sweeps} sweeps of ${n - 1} steps)`,
    fmt(g),
    fmt(median(wall)),
    `${((6 * m * n * n * sweeps) / (t * 1e6)).toPrecision(3)} GFLOP/s`,
    fmt(cpu),
  ]);
}
await browser.close();

console.log(
  `\n${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · adapter: ${info.name}${info.fallback ? ' — a CPU implementation: NOT GPU numbers' : ''} · timestamps: ${info.timestamps} · ${cpus().length} cores · load ${loadavg()[0].toFixed(1)} · median of ${REPS}`,
);
console.log(
  '\n| kernel | GPU ms (timestamps) | wall ms (submit→readback) | rate | CPU engine ms (Node, 1 thread) |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
