/**
 * Symmetric eigenvalues through the blocked tridiagonal reduction (dsytrd/dlatrd shape, used
 * for eigenvalues only from n = 256) against NumPy's eigvalsh (LAPACK) on odd sizes that are
 * not multiples of the 32-column panel (nor of the trailing update's 60-row blocks), and on
 * inputs that stress the reflectors: exact zero columns below the diagonal (τ = 0), the zero
 * matrix, block-diagonal and already tridiagonal matrices, low rank, 200 eigenvalues clustered
 * within 2e-10, three eigenvalues of multiplicity 100, entries graded over 1e±30, and huge/tiny
 * overall scale. Both engines (WebAssembly SIMD and
 * the TypeScript fallback). |Δλᵢ| ≤ 10·n·eps·‖A‖₂, the bound of the unblocked path's test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonJson, tempDir } from '../../helpers/python';
import { symmetricEigen } from '../../../src/core/linalg';
import { useWasmKernels } from '../../../src/core/linalg/wasm/kernels';

const EPS = 2 ** -52;

interface Case {
  name: string;
  n: number;
  /** eigvalsh, ascending */
  w: number[];
  /** ‖A‖₂ */
  norm: number;
}

describe('symmetric eigenvalues: blocked tridiagonal reduction vs eigvalsh', function () {
  this.timeout(120_000);
  const dir = tempDir('matrix-lens-sytrd-');
  let cases: Case[];

  before(() => {
    cases = pythonJson<Case[]>(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(15)
def sym(b): return (b + b.T) / 2
out = []
def add(name, a):
    a = np.ascontiguousarray(a, dtype=np.float64)
    assert np.array_equal(a, a.T)
    a.tofile(os.path.join(d, name + '.bin'))
    w = np.linalg.eigvalsh(a)
    out.append(dict(name=name, n=a.shape[0], w=w.tolist(), norm=float(np.abs(w).max())))
for n in (257, 301, 389):
    add('random %d' % n, sym(rng.standard_normal((n, n))))
n = 291
z = sym(rng.standard_normal((n, n))); z[:, 40] = 0; z[40, :] = 0; z[:, 77:90] = 0; z[77:90, :] = 0
add('zero columns 291', z)
b = np.zeros((n, n)); b[:100, :100] = sym(rng.standard_normal((100, 100))); b[100:, 100:] = sym(rng.standard_normal((n - 100, n - 100)))
add('block diagonal 291', b)
e = rng.standard_normal(n - 1); add('tridiagonal 291', np.diag(rng.standard_normal(n)) + np.diag(e, 1) + np.diag(e, -1))
u = rng.standard_normal((n, 5)); add('rank 5 291', u @ u.T)
g = np.logspace(-30, 30, n); add('graded 1e±30 291', sym(rng.standard_normal((n, n))) * np.sqrt(np.outer(g, g)))
add('random 613', sym(rng.standard_normal((613, 613))))
q, _ = np.linalg.qr(rng.standard_normal((333, 333)))
lam = np.concatenate([1 + 1e-12 * np.arange(200), rng.standard_normal(133)])
add('clustered 333', sym((q * lam) @ q.T))
q, _ = np.linalg.qr(rng.standard_normal((300, 300)))
add('repeated 300', sym((q * np.repeat([-2.0, 0.0, 3.0], 100)) @ q.T))
add('zero 260', np.zeros((260, 260)))
add('huge 265', sym(rng.standard_normal((265, 265))) * 1e300)
add('tiny 265', sym(rng.standard_normal((265, 265))) * 1e-300)
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

  for (const wasm of [true, false])
    it(`eigenvalues match eigvalsh to 10·n·eps·‖A‖₂ (${wasm ? 'WebAssembly' : 'TypeScript'} engine)`, () => {
      assert.ok(cases.length >= 14);
      const prev = useWasmKernels(wasm);
      try {
        for (const c of cases) {
          const { values } = symmetricEigen(load(c));
          assert.equal(values.length, c.n);
          let worst = 0;
          for (let i = 0; i < c.n; i++) worst = Math.max(worst, Math.abs(values[i] - c.w[i]));
          assert.ok(
            worst <= 10 * c.n * EPS * c.norm,
            `${c.name}: max |Δλ| ${worst} vs ‖A‖ ${c.norm}`,
          );
        }
      } finally {
        useWasmKernels(prev);
      }
    });
});
