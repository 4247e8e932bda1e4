// Times the linear-algebra engine against NumPy on the same matrices (median of several runs).
//   node scripts/bench.mjs [--n 1024] [--reps 3] [--np-reps 5] [--json]
// Builds src/core/linalg with esbuild into a temporary folder; NumPy runs through Debian's
// /usr/bin/python3 (or $MATRIX_LENS_PYTHON). Matrices are written once as .npy and read by both.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const N = opt('--n', 1024);
const REPS = opt('--reps', 3);
const NP_REPS = opt('--np-reps', 5);
const T_ATT = opt('--attn', 2048);
const PY =
  process.env.MATRIX_LENS_PYTHON ??
  (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const dir = mkdtempSync(join(tmpdir(), 'matrix-lens-bench-'));

// 1. the matrices and NumPy's timings
const py = `
import numpy as np, time, json, sys, os
d, n, T, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(1)
A = rng.standard_normal((n, n)); S = (A + A.T) / 2
A32 = rng.standard_normal((n, n)).astype(np.float32); B32 = rng.standard_normal((n, n)).astype(np.float32)
Q = rng.standard_normal((T, 64)).astype(np.float32); K = rng.standard_normal((T, 64)).astype(np.float32); V = rng.standard_normal((T, 64)).astype(np.float32)
for name, x in dict(A=A, S=S, A32=A32, B32=B32, Q=Q, K=K, V=V).items(): np.save(os.path.join(d, name + '.npy'), x)
def attn():
    s = (Q @ K.T) * np.float32(1 / 8.0); s = np.exp(s - s.max(1, keepdims=True)); return (s / s.sum(1, keepdims=True)) @ V
ops = {
  'sv': lambda: np.linalg.svd(A, compute_uv=False),
  'symeig': lambda: np.linalg.eigvalsh(S),
  'geneig': lambda: np.linalg.eigvals(A),
  'fullsvd': lambda: np.linalg.svd(A, full_matrices=True),
  'matmul32': lambda: A32 @ B32,
  'attention32': attn,
}
out = {}
for k, f in ops.items():
    f(); ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append((time.perf_counter() - t) * 1000)
    out[k] = float(np.median(ts))
ref = dict(sv=np.linalg.svd(A, compute_uv=False)[[0, -1]].tolist(), attn=attn()[0, :4].astype(float).tolist())
print(json.dumps(dict(times=out, version=np.__version__, ref=ref, threads=os.environ.get('OMP_NUM_THREADS'))))
`;
process.stderr.write(`NumPy: ${N}×${N}, attention T=${T_ATT} d=64 …\n`);
const np = JSON.parse(
  execFileSync(PY, ['-c', py, dir, String(N), String(T_ATT), String(NP_REPS)], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  }),
);

// 2. our side, bundled
const entry = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from './src/core/formats/npy';
import { toFloat64C } from './src/core/array/decode';
import { singularValues, svd, symmetricEigen, generalEigen, matmulF32, attention, streamingAttentionF32 } from './src/core/linalg';
const [dir, reps] = [process.argv[2], Number(process.argv[3])];
const load = (n: string) => readNpy(readFileSync(join(dir, n + '.npy')));
const mat = (n: string) => { const r = load(n); return { rows: r.shape[0], cols: r.shape[1], data: toFloat64C(r) }; };
const f32 = (n: string) => { const r = load(n); return { shape: r.shape, data: new Float32Array(r.bytes.buffer.slice(r.bytes.byteOffset, r.bytes.byteOffset + r.bytes.byteLength)) }; };
const A = mat('A'), S = mat('S'); const A32 = f32('A32'), B32 = f32('B32'); const Q = f32('Q'), K = f32('K'), V = f32('V');
const n = A.rows;
let check: Record<string, number[]> = {};
const ops: Record<string, () => unknown> = {
  sv: () => { const s = singularValues(A); check.sv = [s[0], s[s.length - 1]]; },
  symeig: () => symmetricEigen(S),
  geneig: () => generalEigen(A),
  fullsvd: () => svd(A, { full: true }),
  matmul32: () => matmulF32(A32.data, B32.data, n, n, n),
  attention32: () => { const r = attention(Q, K, V, { weights: false }); check.attn = Array.from(r.output!.subarray(0, 4)); },
  // the SIMD kernel alone (one head, float32), which attention() does not route through yet
  attention32k: () => { const [T, d] = Q.shape; const r = streamingAttentionF32(Q.data, K.data, V.data, T, K.shape[0], d, V.shape[1]); check.attnk = Array.from(r.output.subarray(0, 4)); },
};
const only = process.argv[4] ? process.argv[4].split(',') : Object.keys(ops);
const times: Record<string, number> = {};
for (const k of only) {
  const ts: number[] = [];
  const t0 = performance.now();
  ops[k]();
  ts.push(performance.now() - t0);
  // slow operations (> 5 s) are timed once; others: the median of reps runs after a warm-up
  if (ts[0] < 5000) { ts.length = 0; for (let i = 0; i < reps; i++) { const t = performance.now(); ops[k](); ts.push(performance.now() - t); } }
  ts.sort((a, b) => a - b);
  times[k] = ts[Math.floor(ts.length / 2)];
  process.stderr.write(k + ' ' + times[k].toFixed(0) + ' ms\\n');
}
console.log(JSON.stringify({ times, check }));
`;
const outfile = join(dir, 'bench.js');
await esbuild.build({
  stdin: { contents: entry, resolveDir: resolve('.'), sourcefile: 'bench-entry.ts', loader: 'ts' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  outfile,
  logLevel: 'warning',
});
process.stderr.write('Matrix Lens …\n');
const ours = JSON.parse(
  execFileSync(process.execPath, [outfile, dir, String(REPS)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  }),
);

// 3. table
const rows = [
  ['sv', `singular values ${N}² f64`, 1.5],
  ['symeig', `symmetric eigenvalues ${N}² f64`, 1.5],
  ['geneig', `general eigenvalues ${N}² f64`, 2],
  ['fullsvd', `full SVD (U, S, Vᵀ) ${N}² f64`, 2],
  ['matmul32', `matmul ${N}³ f32`, 3],
  ['attention32', `attention n=${T_ATT} d=64 f32`, 1.5],
  [
    'attention32k',
    `attention kernel n=${T_ATT} d=64 f32 (streamingAttentionF32)`,
    1.5,
    'attention32',
  ],
];
const table = [
  '| operation | NumPy ms | Matrix Lens ms | ratio | goal | met |',
  '| --- | ---: | ---: | ---: | ---: | :---: |',
  ...rows.map(([k, label, goal, npKey]) => {
    const a = np.times[npKey ?? k];
    const b = ours.times[k];
    const r = b / a;
    return `| ${label} | ${a.toFixed(1)} | ${b.toFixed(0)} | ${r.toFixed(1)}× | ≤${goal}× | ${r <= goal ? 'yes' : 'no'} |`;
  }),
];
const svErr = Math.abs(ours.check.sv[1] - np.ref.sv[1]) / np.ref.sv[0];
const attErr = Math.max(...ours.check.attn.map((x, i) => Math.abs(x - np.ref.attn[i])));
const attkErr = Math.max(...ours.check.attnk.map((x, i) => Math.abs(x - np.ref.attn[i])));
const lines = [
  `NumPy ${np.version} (${PY}, OMP_NUM_THREADS=${np.threads ?? 'unset'}), Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`,
  `medians: NumPy of ${NP_REPS} runs; Matrix Lens of ${REPS} runs after a warm-up (one run when an operation takes > 5 s)`,
  '',
  ...table,
  '',
  `sanity: |Δσ_min|/σ_max = ${svErr.toExponential(1)}, attention output max |Δ| (first row) = ${attErr.toExponential(1)} (kernel: ${attkErr.toExponential(1)})`,
];
if (argv.includes('--json')) console.log(JSON.stringify({ numpy: np, ours }));
else console.log(lines.join('\n'));
rmSync(dir, { recursive: true, force: true });
