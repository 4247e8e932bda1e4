// Where the time of attention *with weights* goes (issue 15), T = S = 2048, d = dv = 64 float32
// as in `npm run bench`'s attention32w rows: the parts timed round-robin in one process, wall and
// CPU time (`process.cpuUsage`, all threads of the process) per call, median and minimum.
//   node scripts/bench-attention.mjs [--reps 15] [--t 2048]
// Parts: the kernel with weights on one thread (weights and float64 W·V into reused storage),
// the same without V (QKᵀ + softmax only), the 16 MB weights copy out of the heap alone, and
// the whole attention(Q, K, V) call on one thread and on the pool (2 threads here), with the
// weights into reused storage (the worker's path) and fresh.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBench } from './lib/poolThreads.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const REPS = opt('--reps', 15);
const T = opt('--t', 2048);
const entry = `
import { attentionWeightsF32 } from './src/core/linalg/attentionKernel';
import { attention } from './src/core/attention/attention';
import { withEngine } from './src/core/linalg/wasm/kernels';
import { parallelExecutor, setParallelExecutor } from './src/core/linalg/parallel';
import { ensurePool, closePool } from './src/worker/pool';
async function main() {
  const [T, reps] = [Number(process.argv[2]), Number(process.argv[3])];
  const pool = ensurePool();
  const threads = pool ? ((await pool.ready()) ? pool.threads : 1) : 1;
  const oneThread = (f: () => void) => () => { const x = parallelExecutor(); setParallelExecutor(undefined); try { f(); } finally { setParallelExecutor(x); } };
  const d = 64;
  let s = 1;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648), (s / 2147483648) * 3.4 - 1.7);
  const mk = () => Float32Array.from({ length: T * d }, rnd);
  const q = mk(), k = mk(), v = mk();
  const w = new Float32Array(T * T).fill(1);
  const o = new Float64Array(T * d).fill(1);
  const t = (x: Float32Array) => ({ shape: [T, d], data: x });
  let wbuf: Float32Array | undefined;
  const parts: [string, () => void][] = [
    ['kernel with weights, 1 thread', oneThread(() => void attentionWeightsF32(q, k, v, T, T, d, d, { weightsOut: w, outputOut: o }))],
    ['kernel without V (QKᵀ + softmax), 1 thread', oneThread(() => void attentionWeightsF32(q, k, undefined, T, T, d, d, { weightsOut: w }))],
    ['weights copy out of the heap alone', oneThread(() => withEngine((e) => { const i = e.alloc32(T * T); e.slice32(i, i + T * T, w, 0); }))],
    ['attention(), reused weights, 1 thread', oneThread(() => { const r = attention(t(q), t(k), t(v), { weightsInto: wbuf }); wbuf = r.weights as Float32Array; })],
    ['attention(), reused weights, ' + threads + ' threads', () => { const r = attention(t(q), t(k), t(v), { weightsInto: wbuf }); wbuf = r.weights as Float32Array; }],
    ['attention(), fresh weights, ' + threads + ' threads', () => void attention(t(q), t(k), t(v))],
  ];
  const wall: number[][] = parts.map(() => []);
  const cpu: number[][] = parts.map(() => []);
  for (let r = -1; r < reps; r++)
    parts.forEach(([, f], i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      f();
      const dt = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (r >= 0) { wall[i].push(dt); cpu[i].push((c.user + c.system) / 1000); }
    });
  const med = (a: number[]) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  console.log('| part | wall median (min) ms | CPU median (min) ms |');
  console.log('| --- | ---: | ---: |');
  parts.forEach(([name], i) => console.log('| ' + name + ' | ' + med(wall[i]).toFixed(1) + ' (' + Math.min(...wall[i]).toFixed(1) + ') | ' + med(cpu[i]).toFixed(1) + ' (' + Math.min(...cpu[i]).toFixed(1) + ') |'));
  await closePool();
}
void main();
`;
const dir = mkdtempSync(join(tmpdir(), 'matrix-lens-bench-attn-'));
try {
  const outfile = await bundleBench(entry, dir, 'bench-attention');
  const l0 = loadavg()[0];
  process.stdout.write(
    `attention with weights T = S = ${T}, d = dv = 64 float32, ${REPS} calls per part, load ${l0.toFixed(1)}\n`,
  );
  execFileSync(process.execPath, [outfile, String(T), String(REPS)], { stdio: 'inherit' });
  process.stdout.write(`load after: ${loadavg()[0].toFixed(1)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
