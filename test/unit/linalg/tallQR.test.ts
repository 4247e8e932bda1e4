/**
 * The QR-first path of singular values for tall and wide matrices (m ≥ 11n/6, LAPACK dgesdd's
 * crossover): the triangle Rᵀ of the blocked Householder QR satisfies Rᵀ·R = AᵀA to rounding
 * and is lower triangular, for panels of 1, 5 and 32 (odd sizes, several panels, a last panel
 * narrower than the others), given A or Aᵀ; and singularValues of tall and wide matrices on both
 * sides of the crossover matches NumPy: random, rank-deficient, graded columns, 1e±200 scale.
 */
import assert from 'node:assert/strict';
import { pythonJson } from '../../helpers/python';
import { qrFirstFor, tallTriangle } from '../../../src/core/linalg/tallQR';
import { singularValues } from '../../../src/core/linalg';
import { withEngine } from '../../../src/core/linalg/wasm/kernels';

const EPS = 2 ** -52;

let seed = 11;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648 - 0.5;
}

describe('tall QR before the bidiagonalization (singular values)', function () {
  this.timeout(60_000);

  it('chooses the QR from m ≥ ⌊11n/6⌋', () => {
    assert.equal(qrFirstFor(183, 100), true);
    assert.equal(qrFirstFor(182, 100), false);
    assert.equal(qrFirstFor(100, 100), false);
    assert.equal(qrFirstFor(5, 1), false); // n = 1: nothing to gain
  });

  it('Rᵀ is lower triangular and Rᵀ·R = AᵀA (panels 1, 5, 32; A or Aᵀ given)', () => {
    for (const [m, n] of [
      [97, 45],
      [300, 70],
      [64, 32],
      [40, 3],
    ]) {
      const a = Float64Array.from({ length: m * n }, rnd);
      const at = new Float64Array(n * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j];
      // AᵀA and its scale
      const g = new Float64Array(n * n);
      let gmax = 0;
      for (let p = 0; p < n; p++)
        for (let q = 0; q < n; q++) {
          let s = 0;
          for (let i = 0; i < m; i++) s += a[i * n + p] * a[i * n + q];
          g[p * n + q] = s;
          gmax = Math.max(gmax, Math.abs(s));
        }
      for (const panel of [1, 5, 32])
        for (const transposed of [false, true]) {
          const L = withEngine((eng) => {
            const at0 = tallTriangle(eng, transposed ? at : a, m, n, undefined, transposed, panel);
            return eng.slice64(at0, at0 + n * n);
          });
          for (let i = 0; i < n; i++)
            for (let j = i + 1; j < n; j++) assert.equal(L[i * n + j], 0, 'upper part is zero');
          let err = 0;
          for (let p = 0; p < n; p++)
            for (let q = 0; q < n; q++) {
              let s = 0;
              for (let k = 0; k <= Math.min(p, q); k++) s += L[p * n + k] * L[q * n + k];
              err = Math.max(err, Math.abs(s - g[p * n + q]));
            }
          assert.ok(
            err <= 4 * m * EPS * gmax,
            `${m}×${n} panel ${panel}${transposed ? ' (Aᵀ given)' : ''}: |RᵀR − AᵀA| ${err}`,
          );
        }
    }
  });

  it('singular values of tall and wide matrices match NumPy', () => {
    const cases = pythonJson<{ name: string; m: number; n: number; a: number[]; s: number[] }[]>(`
import numpy as np, json
rng = np.random.default_rng(21)
out = []
def add(name, a):
    out.append(dict(name=name, m=a.shape[0], n=a.shape[1], a=a.ravel().tolist(),
                    s=np.linalg.svd(a, compute_uv=False).tolist()))
add('tall 400x150', rng.standard_normal((400, 150)))
add('wide 150x400', rng.standard_normal((150, 400)))
add('at the crossover 183x100', rng.standard_normal((183, 100)))
add('just below 182x100', rng.standard_normal((182, 100)))
add('tall 1000x7', rng.standard_normal((1000, 7)))
add('tall rank 4 500x90', rng.standard_normal((500, 4)) @ rng.standard_normal((4, 90)))
q, _ = np.linalg.qr(rng.standard_normal((360, 100))); p, _ = np.linalg.qr(rng.standard_normal((100, 100)))
add('graded columns 360x100', (q * np.logspace(0, -12, 100)) @ p)
add('huge 300x40', rng.standard_normal((300, 40)) * 1e200)
add('tiny wide 40x300', rng.standard_normal((40, 300)) * 1e-200)
add('one column 50x1', rng.standard_normal((50, 1)))
add('two columns 9x2', rng.standard_normal((9, 2)))
print(json.dumps(out))
`);
    for (const c of cases) {
      const s = singularValues({ rows: c.m, cols: c.n, data: Float64Array.from(c.a) });
      const k = Math.min(c.m, c.n);
      assert.equal(s.length, k);
      for (let i = 0; i < k; i++)
        assert.ok(
          Math.abs(s[i] - c.s[i]) <= 8 * Math.max(c.m, c.n) * EPS * c.s[0],
          `${c.name}: σ${i} ${s[i]} vs ${c.s[i]}`,
        );
    }
  });

  it('exactly rank-deficient matrices (a period-220 sequence filling the matrix) stay finite and match NumPy', () => {
    // Their reductions end on remnants near 1e-300, where 1/(α − β) of a reflector overflowed
    // and the last singular values came out NaN before dlarfg's rescaling went into householder()
    const cases = pythonJson<{ m: number; n: number; a: number[]; s: number[]; rank: number }[]>(`
import numpy as np, json
rng = np.random.default_rng(5)
seq = rng.uniform(-0.5, 0.5, 220)
out = []
for (m, n) in ((300, 700), (700, 300), (600, 1200), (300, 300)):
    a = np.resize(seq, m * n).reshape(m, n)
    s = np.linalg.svd(a, compute_uv=False)
    out.append(dict(m=m, n=n, a=a.ravel().tolist(), s=s.tolist(), rank=int(np.linalg.matrix_rank(a))))
print(json.dumps(out))
`);
    for (const c of cases) {
      const s = singularValues({ rows: c.m, cols: c.n, data: Float64Array.from(c.a) });
      const k = Math.min(c.m, c.n);
      const tol = k * EPS * s[0];
      assert.ok(
        s.every((x) => Number.isFinite(x) && x >= 0),
        `${c.m}×${c.n}: finite`,
      );
      assert.equal(s.filter((x) => x > tol).length, c.rank, `${c.m}×${c.n}: rank`);
      for (let i = 0; i < k; i++)
        assert.ok(
          Math.abs(s[i] - c.s[i]) <= 8 * Math.max(c.m, c.n) * EPS * c.s[0],
          `${c.m}×${c.n}: σ${i} ${s[i]} vs ${c.s[i]}`,
        );
    }
  });
});
