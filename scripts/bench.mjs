// Times the linear-algebra engine against the NumPy users have, on the same matrices (median of
// several runs).
//   node scripts/bench.mjs [--n 1024] [--reps 5] [--np-reps 5] [--rounds 2] [--only sv,matmul32,...] [--json]
//   node scripts/bench.mjs --spectra   (4096² / 4096×11008 float32 spectra, see bench-spectra.mjs)
//   --pool-level2: split the bidiagonalization's matrix-vector products over the pool too (off by
//   default; the tridiagonalization's symmetric products run in its SPMD panel jobs either way);
//   --no-pool-level2: split none of the TypeScript-driven ones
// The reference is a pip NumPy linked to OpenBLAS (the first `python3` on PATH whose NumPy links
// OpenBLAS, or $MATRIX_LENS_BENCH_PYTHON), timed twice in the same run: one thread
// (OPENBLAS_NUM_THREADS=1) and all threads. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed
// from those two commands' environment only, so OpenBLAS runs its native kernels; the kernel it
// picked is printed. Debian's NumPy (reference BLAS) is timed too, for comparison with older
// entries of BENCHMARKS.md. Matrices are written once as .npy and read by every side.
// Ours runs as the compute worker does: with its thread pool (src/worker/pool.ts, one helper per
// extra core) installed; rows marked "1 thread" remove the executor to show the serial time.
import { bundleBench } from './lib/poolThreads.mjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg, availableParallelism } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const N = opt('--n', 1024);
const REPS = opt('--reps', 5);
const NP_REPS = opt('--np-reps', 5);
// NumPy and ours alternate in blocks (NumPy, ours, NumPy, ours, …): the medians are over all the
// blocks' samples, so a slow spell of the shared host (it comes and goes over minutes) falls on
// both sides instead of on whichever ran during it
const ROUNDS = Math.max(1, Math.floor(opt('--rounds', 2)));
const T_ATT = opt('--attn', 2048);
const EMB_N = opt('--emb-n', 50000);
const EMB_D = 768;
const ONLY = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : '';
const DEBIAN_PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined;
// the interpreter whose NumPy links OpenBLAS: $MATRIX_LENS_BENCH_PYTHON, else `python3` on PATH
function blasOf(py) {
  const r = spawnSync(
    py,
    [
      '-c',
      'import numpy, json; c = numpy.show_config(mode="dicts"); print(json.dumps(c["Build Dependencies"]["blas"]))',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) return undefined;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return undefined;
  }
}
const candidates = [process.env.MATRIX_LENS_BENCH_PYTHON, 'python3'].filter(Boolean);
const PIP_PY = candidates.find((py) => /openblas/i.test(blasOf(py)?.name ?? ''));
if (argv.includes('--spectra')) {
  // weight-sized spectra (minutes): scripts/bench-spectra.mjs
  const { benchSpectra } = await import('./bench-spectra.mjs');
  await benchSpectra({ py: PIP_PY ?? 'python3', argv });
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'matrix-lens-bench-'));
const load0 = loadavg();

// 1. the matrices and NumPy's timings
const py_src = `
import numpy as np, time, json, sys, os
d, n, T, reps, EN = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[6])\nwrite = sys.argv[5] == 'write'
rng = np.random.default_rng(1)
A = rng.standard_normal((n, n)); S = (A + A.T) / 2
A32 = rng.standard_normal((n, n)).astype(np.float32); B32 = rng.standard_normal((n, n)).astype(np.float32)
Q = rng.standard_normal((T, 64)).astype(np.float32); K = rng.standard_normal((T, 64)).astype(np.float32); V = rng.standard_normal((T, 64)).astype(np.float32)
E = rng.standard_normal((EN, 768)).astype(np.float32); eq = rng.standard_normal(768).astype(np.float32)
if write:\n    for name, x in dict(A=A, S=S, A32=A32, B32=B32, Q=Q, K=K, V=V, E=E, EQ=eq).items(): np.save(os.path.join(d, name + '.npy'), x)\ndef blas_core():\n    import ctypes, glob\n    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), '..', 'numpy.libs', '*openblas*')) + glob.glob(os.path.join(os.path.dirname(np.__file__), '..', 'scipy_openblas*', 'lib', '*.so*'))\n    for lib in libs:\n        try: L = ctypes.CDLL(lib)\n        except OSError: continue\n        for sym in ('scipy_openblas_get_corename64_', 'scipy_openblas_get_corename', 'openblas_get_corename64_', 'openblas_get_corename'):\n            f = getattr(L, sym, None)\n            if f is not None: f.restype = ctypes.c_char_p; return f().decode()\n    return None
En = np.linalg.norm(E, axis=1)  # kept with the vectors, as the worker keeps them
def cos_overview(t=512):
    U = E / En[:, None]; st = (np.arange(t) * EN) // t
    M = np.add.reduceat(U, st, axis=0) / np.diff(np.append(st, EN))[:, None]; return M @ M.T
def cos_window(r0=0, c0=EN // 2, h=512):
    a = E[r0:r0 + h] / En[r0:r0 + h, None]; b = E[c0:c0 + h] / En[c0:c0 + h, None]; return a @ b.T
def top10():
    s = (E @ eq) / (En * np.linalg.norm(eq)); i = np.argpartition(-s, 10)[:10]; return i[np.argsort(-s[i])]
def attn():
    s = (Q @ K.T) * np.float32(1 / 8.0); s = np.exp(s - s.max(1, keepdims=True)); return (s / s.sum(1, keepdims=True)) @ V
ops = {
  'sv': lambda: np.linalg.svd(A, compute_uv=False),
  'symeig': lambda: np.linalg.eigvalsh(S),
  'geneig': lambda: np.linalg.eigvals(A),
  'fullsvd': lambda: np.linalg.svd(A, full_matrices=True),
  'matmul32': lambda: A32 @ B32,
  'attention32': attn,
  'cosoverview': cos_overview,
  'coswindow': cos_window,
  'top10': top10,
}
out = {}; smp = {}
for k, f in ops.items():
    f(); ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append((time.perf_counter() - t) * 1000)
    out[k] = float(np.median(ts)); smp[k] = ts
s0 = (Q[:1] @ K.T) * np.float32(1 / 8.0); w0 = np.exp(s0 - s0.max()); w0 /= w0.sum()
ref = dict(sv=np.linalg.svd(A, compute_uv=False)[[0, -1]].tolist(), attn=attn()[0, :4].astype(float).tolist(), w=w0[0, :4].astype(float).tolist(), top10=top10().tolist())
try: blas = np.show_config(mode='dicts')['Build Dependencies']['blas']
except Exception: blas = {'name': ','.join(np.__config__.get_info('blas_opt_info').get('libraries', ['?']))}\nprint(json.dumps(dict(times=out, samples=smp, version=np.__version__, ref=ref, threads=os.environ.get('OPENBLAS_NUM_THREADS'), blas=blas.get('name'), core=blas_core())))
`;
function numpy(py, label, extraEnv, write) {
  process.stderr.write(
    `NumPy (${label}): ${N}×${N}, attention T=${T_ATT} d=64, embeddings ${EMB_N}×${EMB_D} …\n`,
  );
  const env = { ...process.env, ...extraEnv };
  delete env.OPENBLAS_CORETYPE; // these two slow a current OpenBLAS here: unset for this command only
  delete env.OPENBLAS_L2_SIZE;
  if (extraEnv.OPENBLAS_NUM_THREADS === undefined) {
    delete env.OPENBLAS_NUM_THREADS;
    delete env.OMP_NUM_THREADS;
  }
  return JSON.parse(
    execFileSync(
      py,
      [
        '-c',
        py_src,
        dir,
        String(N),
        String(T_ATT),
        String(NP_REPS),
        write ? 'write' : 'time',
        String(EMB_N),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 28, env },
    ),
  );
}
const refs = [];
if (PIP_PY) {
  refs.push({
    key: 'ob1',
    label: 'OpenBLAS, 1 thread',
    py: PIP_PY,
    env: { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
  });
  refs.push({ key: 'obN', label: `OpenBLAS, all threads`, py: PIP_PY, env: {} });
}
if (DEBIAN_PY) refs.push({ key: 'deb', label: 'Debian, reference BLAS', py: DEBIAN_PY, env: {} });
if (refs.length === 0) throw new Error('no python3 with NumPy found');
if (!PIP_PY)
  process.stderr.write(
    '! no pip NumPy with OpenBLAS found (set MATRIX_LENS_BENCH_PYTHON): comparing with Debian NumPy only\n',
  );
const median = (xs) => {
  const ts = [...xs].sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
};
/** Adds one block's samples to `acc` and sets `into.times` to the medians over all blocks. */
function pool(acc, block, into) {
  for (const [k, ts] of Object.entries(block.samples)) (acc[k] ??= []).push(...ts);
  into.times = Object.fromEntries(Object.entries(acc).map(([k, ts]) => [k, median(ts)]));
}
function numpyRound(round) {
  for (const [i, r] of refs.entries()) {
    const res = numpy(r.py, r.label, r.env, round === 0 && i === 0);
    r.result ??= res;
    pool((r.acc ??= {}), res, r.result);
  }
}
numpyRound(0);
const np = refs[0].result; // the primary reference: OpenBLAS on one thread when present

// 2. our side, bundled
const entry = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from './src/core/formats/npy';
import { toFloat64C } from './src/core/array/decode';
import { singularValues, svd, symmetricEigen, generalEigen, matmulF32, attention } from './src/core/linalg';
import { parallelExecutor, setParallelExecutor } from './src/core/linalg/parallel';
import { setLevel2Pooling } from './src/core/linalg/pooledLevel2';
import { ensurePool, closePool } from './src/worker/pool';
import { vectorsOf } from './src/core/embeddings/vectors';
import { cosineOverview, cosineWindow } from './src/core/embeddings/cosineTiles';
import { topNeighbors } from './src/core/embeddings/neighbors';
async function main() {
const pool = ensurePool();
if (process.env.MATRIX_LENS_POOL_LEVEL2) setLevel2Pooling(process.env.MATRIX_LENS_POOL_LEVEL2 === '1');
const threads = pool ? ((await pool.ready()) ? pool.threads : 1) : 1;
const oneThread = <T,>(f: () => T): T => { const x = parallelExecutor(); setParallelExecutor(undefined); try { return f(); } finally { setParallelExecutor(x); } };
const [dir, reps] = [process.argv[2], Number(process.argv[3])];
const load = (n: string) => readNpy(readFileSync(join(dir, n + '.npy')));
const mat = (n: string) => { const r = load(n); return { rows: r.shape[0], cols: r.shape[1], data: toFloat64C(r) }; };
const f32 = (n: string) => { const r = load(n); return { shape: r.shape, data: new Float32Array(r.bytes.buffer.slice(r.bytes.byteOffset, r.bytes.byteOffset + r.bytes.byteLength)) }; };
const A = mat('A'), S = mat('S'); const A32 = f32('A32'), B32 = f32('B32'); const Q = f32('Q'), K = f32('K'), V = f32('V');
const n = A.rows;
const E = vectorsOf(load('E')); const EQ = f32('EQ').data;
let check: Record<string, number[]> = {};
let wbuf: Float32Array | undefined;
const ops: Record<string, () => unknown> = {
  sv: () => { const s = singularValues(A); check.sv = [s[0], s[s.length - 1]]; },
  symeig: () => symmetricEigen(S),
  sv_1: () => oneThread(() => singularValues(A)),
  symeig_1: () => oneThread(() => symmetricEigen(S)),
  geneig: () => generalEigen(A),
  fullsvd: () => svd(A, { full: true }),
  matmul32: () => matmulF32(A32.data, B32.data, n, n, n),
  matmul32_1: () => oneThread(() => matmulF32(A32.data, B32.data, n, n, n)),
  attention32: () => { const r = attention(Q, K, V, { weights: false }); check.attn = Array.from(r.output!.subarray(0, 4)); },
  attention32_1: () => oneThread(() => attention(Q, K, V, { weights: false })),
  attention32w: () => { const r = attention(Q, K, V); check.attnw = Array.from(r.output!.subarray(0, 4)); check.w = Array.from(r.weights!.subarray(0, 4)); },
  attention32w_1: () => oneThread(() => attention(Q, K, V)),
  // the worker's way: the weights written into the storage of the previous (superseded) result
  attention32wr: () => { const r = attention(Q, K, V, { weightsInto: wbuf }); wbuf = r.weights as Float32Array; },
  attention32wr_1: () => oneThread(() => { const r = attention(Q, K, V, { weightsInto: wbuf }); wbuf = r.weights as Float32Array; }),
  cosoverview: () => cosineOverview(E, 512),
  coswindow: () => cosineWindow(E, 0, 512, E.rows >> 1, 512),
  top10: () => { check.top10 = topNeighbors(E, EQ, { k: 10 }).map((x) => x.row); },
  // the same inputs as float64: the exact float64 TypeScript path (what the weights took before)
  attention64w: () => attention({ shape: Q.shape, data: Float64Array.from(Q.data) }, { shape: K.shape, data: Float64Array.from(K.data) }, { shape: V.shape, data: Float64Array.from(V.data) }),
};
const only = process.argv[4] ? process.argv[4].split(',') : Object.keys(ops);
const times: Record<string, number> = {};
// warm-up (and the single timing of operations over 5 s), then the reps round-robin over the
// operations, so a burst of load on the shared machine spreads over all rows (1 vs 2 threads
// are timed back to back) instead of hitting one row's runs
const samples: Record<string, number[]> = {};
for (const k of only) {
  const t0 = performance.now();
  ops[k]();
  samples[k] = [performance.now() - t0];
}
const repeat = only.filter((k) => samples[k][0] < 5000);
for (const k of repeat) samples[k] = [];
for (let i = 0; i < reps; i++)
  for (const k of repeat) { const t = performance.now(); ops[k](); samples[k].push(performance.now() - t); }
for (const k of only) {
  const ts = samples[k].sort((a, b) => a - b);
  times[k] = ts[Math.floor(ts.length / 2)];
  process.stderr.write(k + ' ' + times[k].toFixed(0) + ' ms (' + ts.map((x) => x.toFixed(0)).join(' ') + ')\\n');
}
console.log(JSON.stringify({ times, samples, check, threads }));
await closePool();
}
void main();
`;
const outfile = await bundleBench(entry, dir, 'bench');
const oursRound = () =>
  JSON.parse(
    execFileSync(process.execPath, [outfile, dir, String(REPS), ...(ONLY ? [ONLY] : [])], {
      env: argv.includes('--pool-level2')
        ? { ...process.env, MATRIX_LENS_POOL_LEVEL2: '1' }
        : argv.includes('--no-pool-level2')
          ? { ...process.env, MATRIX_LENS_POOL_LEVEL2: '0' }
          : process.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 26,
    }),
  );
let ours;
const oursAcc = {};
for (let round = 0; round < ROUNDS; round++) {
  if (round > 0) numpyRound(round);
  process.stderr.write(`Matrix Lens (block ${round + 1} of ${ROUNDS}) …\n`);
  const res = oursRound();
  ours ??= res;
  pool(oursAcc, res, ours);
}

// 3. table
const rows = [
  ['sv', `singular values ${N}² f64`, 1.5],
  ['symeig', `symmetric eigenvalues ${N}² f64`, 1.5],
  ['sv_1', `singular values ${N}² f64, 1 thread`, 1.5, 'sv'],
  ['symeig_1', `symmetric eigenvalues ${N}² f64, 1 thread`, 1.5, 'symeig'],
  ['geneig', `general eigenvalues ${N}² f64`, 1.5],
  ['fullsvd', `full SVD (U, S, Vᵀ) ${N}² f64`, 2],
  ['matmul32', `matmul ${N}³ f32, ${ours.threads} threads`, 3],
  ['matmul32_1', `matmul ${N}³ f32, 1 thread`, 3, 'matmul32'],
  ['attention32', `attention n=${T_ATT} d=64 f32 (output only), ${ours.threads} threads`, 1.5],
  ['attention32_1', `attention n=${T_ATT} d=64 f32 (output only), 1 thread`, 1.5, 'attention32'],
  [
    'attention32w',
    `attention with weights n=${T_ATT} d=64 f32, ${ours.threads} threads`,
    1.5,
    'attention32',
  ],
  ['attention32w_1', `attention with weights n=${T_ATT} d=64 f32, 1 thread`, 1.5, 'attention32'],
  [
    'attention32wr',
    `attention with weights into reused storage (the worker's path) n=${T_ATT} d=64 f32, ${ours.threads} threads`,
    1.5,
    'attention32',
  ],
  [
    'attention32wr_1',
    `attention with weights into reused storage n=${T_ATT} d=64 f32, 1 thread`,
    1.5,
    'attention32',
  ],
  [
    'cosoverview',
    `cosine tiles overview 512² of N=${EMB_N}, d=${EMB_D} f32 (mean-pooled)`,
    '≤200 ms',
  ],
  ['coswindow', `cosine window 512×512 at full resolution, N=${EMB_N}, d=${EMB_D}`, '≤200 ms'],
  ['top10', `top-10 cosine neighbours of one query, N=${EMB_N}, d=${EMB_D}`, '≤200 ms'],
  [
    'attention64w',
    `attention with weights n=${T_ATT} d=64, float64 inputs (exact TS path)`,
    '—',
    'attention32',
  ],
].filter(([k]) => ours.times[k] !== undefined);
const refCols = refs.map((r) => r.label);
const table = [
  `| operation | ${refCols.map((l) => `NumPy ${l} ms`).join(' | ')} | Matrix Lens ms | ${refs.map((r) => `ratio vs ${r.key}`).join(' | ')} | goal (vs ${refs[0].key}) | met |`,
  `| --- | ${refs.map(() => '---:').join(' | ')} | ---: | ${refs.map(() => '---:').join(' | ')} | ---: | :---: |`,
  ...rows.map(([k, label, goal, npKey]) => {
    const b = ours.times[k];
    const ms = refs.map((r) => r.result.times[npKey ?? k]);
    const ratios = ms.map((a) => b / a);
    const msGoal = typeof goal === 'string' ? /^≤(\d+) ms$/.exec(goal) : null;
    const met =
      typeof goal === 'number'
        ? ratios[0] <= goal
          ? 'yes'
          : 'no'
        : msGoal
          ? b <= Number(msGoal[1])
            ? 'yes'
            : 'no'
          : '—';
    return `| ${label} | ${ms.map((a) => a.toFixed(1)).join(' | ')} | ${b.toFixed(0)} | ${ratios.map((r) => `${r.toFixed(2)}×`).join(' | ')} | ${typeof goal === 'number' ? `≤${goal}×` : goal} | ${met} |`;
  }),
];
const maxDiff = (xs, ref) =>
  xs ? Math.max(...xs.map((x, i) => Math.abs(x - ref[i]))).toExponential(1) : '—';
const svErr = ours.check.sv
  ? (Math.abs(ours.check.sv[1] - np.ref.sv[1]) / np.ref.sv[0]).toExponential(1)
  : '—';
const lines = [
  ...refs.map(
    (r) =>
      `NumPy ${r.key} = ${r.label}: NumPy ${r.result.version} (${r.py}), BLAS ${r.result.blas ?? '?'}${r.result.core ? `, kernel ${r.result.core}` : ''}, OPENBLAS_NUM_THREADS=${r.result.threads ?? 'unset'}`,
  ),
  `Matrix Lens: Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), availableParallelism ${availableParallelism()}, our threads ${ours.threads}`,
  `load average before: ${load0.map((x) => x.toFixed(2)).join(' ')}; after: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
  `medians over ${ROUNDS} alternating blocks (NumPy, ours, …): NumPy ${NP_REPS} runs a block; Matrix Lens ${REPS} runs a block after a warm-up, round-robin over the operations (one run when an operation takes > 5 s)`,
  '',
  ...table,
  '',
  `sanity: top-10 neighbour rows ${ours.check.top10 ? (ours.check.top10.join() === np.ref.top10.join() ? 'equal' : 'DIFFER from') : '—'} NumPy's; |Δσ_min|/σ_max = ${svErr}, attention output max |Δ| (first row) = ${maxDiff(ours.check.attn, np.ref.attn)}, with weights: output ${maxDiff(ours.check.attnw, np.ref.attn)}, weights ${maxDiff(ours.check.w, np.ref.w)}`,
];
if (argv.includes('--json'))
  console.log(
    JSON.stringify({ numpy: Object.fromEntries(refs.map((r) => [r.key, r.result])), ours }),
  );
else console.log(lines.join('\n'));
rmSync(dir, { recursive: true, force: true });
