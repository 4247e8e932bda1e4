// Where the time of symmetric eigenvalues goes, ours against OpenBLAS, component by component
// and on one thread each (issue 15): the symmetric matrix-vector product (dsymv), the rank-2k
// trailing update of one panel (dsyr2k, n×32), the whole tridiagonal reduction (dsytrd), the
// tridiagonal eigenvalues on the same (d, e) (dsterf), and eigvalsh end to end.
//   node scripts/bench-symeig.mjs [--n 1024] [--reps 9]
// NumPy/SciPy: the pip `python3` with OpenBLAS (or $MATRIX_LENS_BENCH_PYTHON), with
// OPENBLAS_NUM_THREADS=1 and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset for that command (its
// native kernels). Ours: src/core/linalg bundled with esbuild, the single-threaded wasm engine.
// Both sides report CPU time (process_time / process.cpuUsage), median of --reps, so a loaded
// machine inflates both but does not hand one of them a second core. Gflop/s use the textbook
// counts: symv 2n², syr2k 2·(2·32)·n(n+1)/2, tridiagonal reduction 4/3·n³.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBench } from './lib/poolThreads.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const N = opt('--n', 1024);
const REPS = opt('--reps', 9);
const PY = process.env.MATRIX_LENS_BENCH_PYTHON ?? 'python3';
const dir = mkdtempSync(join(tmpdir(), 'matrix-lens-symeig-'));
const load0 = loadavg();

const py = `
import numpy as np, scipy, json, sys, os, time
from scipy.linalg import blas, lapack
d, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(1)
a = rng.standard_normal((n, n)); a = (a + a.T) / 2
a.tofile(os.path.join(d, 'S.bin'))
af = np.asfortranarray(a)
x = rng.standard_normal(n)
V = np.asfortranarray(rng.standard_normal((n, 32))); W = np.asfortranarray(rng.standard_normal((n, 32)))
def med(f):
    ts = []
    for _ in range(reps):
        t = time.process_time(); f(); ts.append(time.process_time() - t)
    ts.sort(); return ts[len(ts) // 2] * 1e3
out = {}
out['symv100'] = med(lambda: [blas.dsymv(1.0, af, x, lower=1) for _ in range(100)])
c = af.copy(order='F')
out['syr2k'] = med(lambda: blas.dsyr2k(-1.0, V, W, beta=1.0, c=c, lower=1, overwrite_c=1))
# (SciPy's default lwork = n makes dsytrd run unblocked, dsytd2: timed as well)
out['sytd2'] = med(lambda: lapack.dsytrd(af, lower=1))
out['sytrd'] = med(lambda: lapack.dsytrd(af, lower=1, lwork=64 * n))
_, dd, ee, _, info = lapack.dsytrd(af, lower=1, lwork=64 * n)
np.concatenate([dd, ee]).tofile(os.path.join(d, 'de.bin'))
out['sterf'] = med(lambda: lapack.dsterf(dd.copy(), ee.copy()))
out['eigvalsh'] = med(lambda: np.linalg.eigvalsh(a))
cfg = np.show_config(mode='dicts')['Build Dependencies']['blas']
out['blas'] = '%s %s' % (cfg.get('name'), cfg.get('version'))
out['numpy'] = np.__version__; out['scipy'] = scipy.__version__
print(json.dumps(out))
`;
const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
process.stderr.write(`OpenBLAS (${PY}), one thread …\n`);
const ob = JSON.parse(
  execFileSync(PY, ['-c', py, dir, String(N), String(REPS)], { encoding: 'utf8', env }),
);

const entry = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { symmetricEigen } from './src/core/linalg';
import { tridiagonalizeBlocked } from './src/core/linalg/symmetricTridiagonalQL';
import { trailingUpdate } from './src/core/linalg/blockedTridiagonal';
import { tridiagonalEigenvalues } from './src/core/linalg/rootFreeQL';
import { noTicker } from './src/core/linalg/progress';
import { withEngine } from './src/core/linalg/wasm/kernels';
const [dir, n, reps] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const f64 = (name: string) => { const b = readFileSync(join(dir, name)); return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8).slice(); };
const S = { rows: n, cols: n, data: f64('S.bin') };
const de = f64('de.bin');
const med = (f: () => void) => {
  f();
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) { const u = process.cpuUsage(); f(); const d = process.cpuUsage(u); ts.push((d.user + d.system) / 1000); }
  ts.sort((x, y) => x - y);
  return ts[ts.length >> 1];
};
let x = 1;
const rnd = () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648 - 0.5; };
const out: Record<string, number> = {};
withEngine((eng) => {
  const a = eng.alloc64(n * n); eng.f64.set(S.data, a);
  const v = eng.alloc64(n); const p = eng.alloc64(n);
  for (let i = 0; i < n; i++) eng.f64[v + i] = rnd();
  out.symv100 = med(() => { for (let r = 0; r < 100; r++) eng.symvLower(a, n, n, v, p); });
  // the trailing update of one panel: rows of Yᵀ = [v₀ w₀ v₁ w₁ …] and of S = the swap, k = 64
  const Y = eng.alloc64(64 * n); const St = eng.alloc64(64 * n);
  for (let i = 0; i < 64 * n; i++) { eng.f64[Y + i] = rnd(); eng.f64[St + i] = rnd(); }
  out.syr2k = med(() => trailingUpdate(eng, Y, St, n, a, n, n, 64));
});
out.sytrd = med(() => withEngine((eng) => tridiagonalizeBlocked(eng, S, noTicker)));
out.sytd2 = out.sytrd;
const d0 = de.subarray(0, n), e0 = de.subarray(n);
out.sterf = med(() => tridiagonalEigenvalues(d0.slice(), e0));
out.eigvalsh = med(() => symmetricEigen(S));
console.log(JSON.stringify(out));
`;
const outfile = await bundleBench(entry, dir, 'symeig', { pool: false });
process.stderr.write('Matrix Lens, one thread …\n');
const ml = JSON.parse(
  execFileSync(process.execPath, [outfile, dir, String(N), String(REPS)], { encoding: 'utf8' }),
);
const load1 = loadavg();
rmSync(dir, { recursive: true, force: true });

const flops = {
  symv100: 100 * 2 * N * N,
  syr2k: 2 * 64 * ((N * (N + 1)) / 2),
  sytrd: (4 / 3) * N ** 3,
  sytd2: (4 / 3) * N ** 3,
};
const rows = [
  ['symv100', `symmetric product ×100 (dsymv), ${N}`],
  ['syr2k', `rank-64 trailing update, lower (dsyr2k n×32 ×2), ${N}`],
  ['sytrd', `tridiagonal reduction, blocked (dsytrd), ${N}`],
  ['sytd2', `the same, OpenBLAS unblocked (dsytd2; ours blocked), ${N}`],
  ['sterf', `tridiagonal eigenvalues, dsytrd's (d, e) (dsterf)`],
  ['eigvalsh', `eigvalsh end to end, ${N}²`],
];
console.log(
  `OpenBLAS: ${ob.blas} (NumPy ${ob.numpy}, SciPy ${ob.scipy}), one thread; ours one thread; CPU ms, median of ${REPS}`,
);
console.log(
  `load average ${load0.map((l) => l.toFixed(2)).join(' ')} before, ${load1.map((l) => l.toFixed(2)).join(' ')} after`,
);
console.log('| operation | OpenBLAS ms | ours ms | ratio | OpenBLAS Gflop/s | ours Gflop/s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [k, label] of rows) {
  const f = flops[k];
  const g = (ms) => (f ? (f / ms / 1e6).toFixed(1) : '');
  console.log(
    `| ${label} | ${ob[k].toFixed(2)} | ${ml[k].toFixed(2)} | ${(ml[k] / ob[k]).toFixed(2)}× | ${g(ob[k])} | ${g(ml[k])} |`,
  );
}
