/**
 * General eigenvalues through the blocked Hessenberg reduction (dgehrd/dlahr2 shape, used for
 * eigenvalues only from n = 128) against NumPy's eigvals (LAPACK dgeev), on sizes that are not
 * multiples of the 32-column panel, sizes around the threshold, and inputs that stress the
 * reflectors: graded entries, Jordan-like (defective) blocks, companion matrices, exact zero
 * columns (τ = 0), the zero matrix, an already Hessenberg matrix. Each NumPy eigenvalue λᵢ must
 * have one of ours within 100·n·eps·‖A‖_F·κᵢ (κᵢ its condition number from NumPy's left and right
 * vectors) and each of ours a NumPy one within that (defective cases: 10·√(n·eps)·‖A‖_F).
 * The Hessenberg form itself: exact zeros below the subdiagonal, the Frobenius norm and trace of A
 * kept (an orthogonal similarity), and for random matrices the same matrix as the unblocked path
 * to 100·n·eps·‖A‖_F. Both engines (WebAssembly SIMD and the TypeScript fallback).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonJson, tempDir } from '../../helpers/python';
import { generalEigen } from '../../../src/core/linalg';
import { hessenbergForm } from '../../../src/core/linalg/hessenbergFrancisQR';
import { blockedHessenbergStop } from '../../../src/core/linalg/blockedHessenberg';
import { useWasmKernels } from '../../../src/core/linalg/wasm/kernels';

const EPS = 2 ** -52;

interface Case {
  name: string;
  n: number;
  re: number[];
  im: number[];
  /** per-eigenvalue tolerance */
  tol: number[];
  fro: number;
  trace: number;
  random: boolean;
}

describe('general eigenvalues: blocked Hessenberg reduction vs eigvals', function () {
  this.timeout(300_000);
  const dir = tempDir('matrix-lens-gehrd-');
  let cases: Case[];

  before(() => {
    cases = pythonJson<Case[]>(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(15)
eps = 2.0 ** -52
out = []
def add(name, a, defective=False, random=False):
    a = np.ascontiguousarray(a, dtype=np.float64)
    n = a.shape[0]
    a.tofile(os.path.join(d, name + '.bin'))
    mx = float(np.abs(a).max())
    fro = mx * float(np.linalg.norm(a / mx)) if mx > 0 else 0.0
    w, x = np.linalg.eig(a)
    if defective or fro == 0:
        tol = np.full(n, 10 * np.sqrt(n * eps) * fro)
    else:
        y = np.linalg.inv(x)  # rows: left vectors, yᵢ·xᵢ = 1
        kappa = np.linalg.norm(y, axis=1) * np.linalg.norm(x, axis=0)
        tol = 100 * n * eps * fro * kappa
        tol[~np.isfinite(tol)] = 10 * np.sqrt(n * eps) * fro
    out.append(dict(name=name, n=n, re=w.real.tolist(), im=w.imag.tolist(), tol=tol.tolist(),
                    fro=fro, trace=float(np.trace(a)), random=random))
for n in (127, 128, 129, 161, 193, 257, 301):
    add('random %d' % n, rng.standard_normal((n, n)), random=True)
n = 291
z = rng.standard_normal((n, n)); z[:, 40] = 0; z[41:, 40] = 0; z[:, 77:90] = 0
add('zero columns 291', z)
g = np.logspace(-8, 8, n); add('graded 1e±8 291', rng.standard_normal((n, n)) * np.outer(g, 1 / g))
g = np.logspace(-30, 30, n); add('graded rows 1e±30 291', rng.standard_normal((n, n)) * g[:, None])
q, _ = np.linalg.qr(rng.standard_normal((240, 240)))
lam = np.concatenate([np.repeat(rng.standard_normal(20), 2), rng.standard_normal(200)])
sup = np.zeros(239); sup[0:40:2] = 1.0
add('20 Jordan 2-blocks 240', q @ (np.diag(lam) + np.diag(sup, 1)) @ q.T, defective=True)
c = np.zeros((200, 200)); c[0, :] = -rng.standard_normal(200); c[1:, :-1] += np.eye(199)
add('companion 200', c)
add('zero 260', np.zeros((260, 260)))
add('Hessenberg 250', np.triu(rng.standard_normal((250, 250)), -1))
add('huge 200', rng.standard_normal((200, 200)) * 1e300)
print(json.dumps(out))
`,
      [dir],
    );
  });

  const load = (c: Case) => {
    const data = new Float64Array(c.n * c.n);
    const buf = readFileSync(join(dir, `${c.name}.bin`));
    data.set(new Float64Array(buf.buffer, buf.byteOffset, c.n * c.n));
    return { rows: c.n, cols: c.n, data };
  };

  /** every λ of `a` has one of `b` within tol (tol per λ of the reference list when ref) */
  const covered = (
    ar: ArrayLike<number>,
    ai: ArrayLike<number>,
    br: ArrayLike<number>,
    bi: ArrayLike<number>,
    tol: (i: number, j: number) => number,
  ): string | undefined => {
    for (let i = 0; i < ar.length; i++) {
      let ok = false;
      for (let j = 0; j < br.length && !ok; j++)
        ok = Math.hypot(ar[i] - br[j], ai[i] - bi[j]) <= tol(i, j);
      if (!ok) return `λ ${ar[i]} + ${ai[i]}i has no match`;
    }
    return undefined;
  };

  it('the panels cover the leading columns from n = 128 on', () => {
    assert.equal(blockedHessenbergStop(127), 0);
    assert.equal(blockedHessenbergStop(128), 64);
    assert.equal(blockedHessenbergStop(1024), 960);
  });

  for (const wasm of [true, false]) {
    const engine = wasm ? 'WebAssembly' : 'TypeScript';
    it(`eigenvalues match eigvals to their condition (${engine} engine)`, () => {
      assert.ok(cases.length >= 15);
      const prev = useWasmKernels(wasm);
      try {
        for (const c of cases) {
          const e = generalEigen(load(c));
          assert.equal(e.re.length, c.n);
          const m1 = covered(c.re, c.im, e.re, e.im, (i) => c.tol[i]);
          assert.equal(m1, undefined, `${c.name}: NumPy's ${m1}`);
          const m2 = covered(e.re, e.im, c.re, c.im, (_, j) => c.tol[j]);
          assert.equal(m2, undefined, `${c.name}: our ${m2}`);
        }
      } finally {
        useWasmKernels(prev);
      }
    });

    it(`the blocked form is Hessenberg and similar to A (${engine} engine)`, () => {
      const prev = useWasmKernels(wasm);
      try {
        for (const c of cases) {
          if (c.name.startsWith('huge')) continue; // (‖A‖_F overflows; eigenvalues cover it)
          const a = load(c);
          const n = c.n;
          const h = hessenbergForm(a.data, n, { blocked: true });
          let fro = 0;
          let trace = 0;
          for (let i = 0; i < n; i++) {
            trace += h[i * n + i];
            for (let j = 0; j < n; j++) {
              if (i > j + 1) assert.equal(h[i * n + j], 0, `${c.name}: H(${i}, ${j}) ≠ 0`);
              fro += h[i * n + j] ** 2;
            }
          }
          const tol = 100 * n * EPS * c.fro;
          assert.ok(Math.abs(Math.sqrt(fro) - c.fro) <= tol, `${c.name}: ‖H‖_F ${fro} vs ${c.fro}`);
          assert.ok(Math.abs(trace - c.trace) <= tol, `${c.name}: trace ${trace} vs ${c.trace}`);
          if (!c.random) continue;
          const u = hessenbergForm(a.data, n, { blocked: false });
          let d = 0;
          for (let i = 0; i < n * n; i++) d += (h[i] - u[i]) ** 2;
          assert.ok(Math.sqrt(d) <= tol, `${c.name}: ‖H_blocked − H_unblocked‖_F ${Math.sqrt(d)}`);
        }
      } finally {
        useWasmKernels(prev);
      }
    });
  }
});
