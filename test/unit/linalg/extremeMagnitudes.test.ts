/**
 * Issue 12 items 1, 5 and 7 (statistics): every decomposition at magnitudes near the ends of
 * the float64 range (1e±300, 1e-320, subnormals, DBL_MAX) against NumPy run here, and the
 * scale-equivariance property (A·2^k has σ·2^k, λ·2^k and the same rank) over generated
 * shapes and magnitudes. A hang would be a bug in the code's own iteration guards: nothing
 * here relies on the test timeout.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pythonJson } from '../../helpers/python';
import { LensError } from '../../../src/core/errors';
import {
  Matrix,
  analyzeMatrix,
  generalEigen,
  randomizedSvd,
  singularValues,
  svd,
  symmetricEigen,
} from '../../../src/core/linalg';
import { bidiagonalSvd } from '../../../src/core/linalg/bidiagonalQR';
import { BIG_NUM, SMALL_NUM, scaleBy, safeScaleExponent } from '../../../src/core/linalg/scaling';
import { StatsAccumulator } from '../../../src/core/stats/summary';

const EPS = 2 ** -52;
const TINY = 2 ** -1074;
const BASE = [
  [1, 2, 3],
  [2, 4, 6],
  [1, 0, 1],
];

/** JSON has no inf: NumPy's results travel as repr strings. */
const num = (s: string): number => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));

interface Ref {
  scale: string;
  a: string[][];
  s: string[];
  eig: [string, string][];
  sym: string[];
  symA: string[][];
}

function mat(rows: string[][]): Matrix {
  const n = rows[0].length;
  return { rows: rows.length, cols: n, data: Float64Array.from(rows.flat().map(num)) };
}

/** |x − y| within rel·scale plus a few subnormal ulps (inputs at 1e-320 carry ~4 digits). */
function close(x: number, y: number, scale: number, rel: number, what: string): void {
  if (x === y) return;
  const tol = rel * scale + 64 * TINY;
  assert.ok(Math.abs(x - y) <= tol, `${what}: ${x} vs NumPy ${y} (tol ${tol})`);
}

describe('linear algebra at extreme magnitudes (LAPACK-style scaling)', function () {
  this.timeout(120_000);
  let refs: Ref[];

  before(() => {
    refs = pythonJson<Ref[]>(
      `
import json, numpy as np
base = np.array(${JSON.stringify(BASE)}, dtype=np.float64)
out = []
for s in ['1e300', '1e250', '1e200', '1e-160', '1e-300', '1e-320', '5e-324', '1e307']:
    a = base * float(s)
    sym = (base + base.T) * float(s)
    R = lambda v: [repr(float(x)) for x in v]
    ev = sorted(np.linalg.eigvals(a), key=lambda z: -abs(z))
    out.append(dict(scale=s, a=[R(r) for r in a], s=R(np.linalg.svd(a, compute_uv=False)),
                    eig=[[repr(float(z.real)), repr(float(z.imag))] for z in ev],
                    sym=R(np.linalg.eigvalsh(sym)), symA=[R(r) for r in sym]))
print(json.dumps(out))
`,
    );
  });

  it('singular values, rank, eigenvalues and symmetric eigenvalues match NumPy at 1e±300, 1e-320 and subnormals', () => {
    for (const r of refs) {
      const a = mat(r.a);
      const want = r.s.map(num);
      const s1 = want[0];
      const got = singularValues(a);
      // σ₁, σ₂ to 1e-13 of σ₁ (subnormal inputs: plus their own rounding); σ₃ is roundoff
      close(got[0], want[0], s1, 1e-13, `${r.scale}: σ1`);
      close(got[1], want[1], s1, 1e-13, `${r.scale}: σ2`);
      assert.ok(got[2] <= 3 * 8 * EPS * s1 + 64 * TINY, `${r.scale}: σ3 ${got[2]} is not roundoff`);
      const an = analyzeMatrix(a, 'float64');
      assert.equal(an.rank, 2, `${r.scale}: rank`);
      assert.ok(an.singularValues.every(Number.isFinite), `${r.scale}: σ finite`);
      // full SVD: same σ, orthonormal U and V
      const f = svd(a);
      for (let i = 0; i < 2; i++) close(f.S[i], want[i], s1, 1e-13, `${r.scale}: svd σ${i + 1}`);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          let u = 0;
          let v = 0;
          for (let k = 0; k < 3; k++) {
            u += f.U.data[k * 3 + i] * f.U.data[k * 3 + j];
            v += f.Vt.data[i * 3 + k] * f.Vt.data[j * 3 + k];
          }
          close(u, i === j ? 1 : 0, 1, 1e-13, `${r.scale}: UᵀU`);
          close(v, i === j ? 1 : 0, 1, 1e-13, `${r.scale}: VᵀV`);
        }
      // general eigenvalues (sorted by modulus like NumPy's list)
      const e = generalEigen(a);
      const lam = Array.from(e.re, (re, i) => [re, e.im[i]]).sort(
        (x, y) => Math.hypot(y[0], y[1]) - Math.hypot(x[0], x[1]),
      );
      const l1 = Math.abs(num(r.eig[0][0]));
      for (let i = 0; i < 2; i++) {
        close(lam[i][0], num(r.eig[i][0]), l1, 1e-12, `${r.scale}: λ${i + 1}`);
        close(lam[i][1], num(r.eig[i][1]), l1, 1e-12, `${r.scale}: Im λ${i + 1}`);
      }
      // symmetric eigenvalues (ascending)
      const sy = symmetricEigen(mat(r.symA)).values;
      const ws = r.sym.map(num);
      const smax = Math.max(...ws.map(Math.abs));
      for (let i = 0; i < 3; i++) close(sy[i], ws[i], smax, 1e-13, `${r.scale}: eigvalsh ${i}`);
      // randomized top-2 (sampling products would over/underflow without scaling)
      const rs = randomizedSvd(a, 2, { vectors: false, oversample: 1 });
      for (let i = 0; i < 2; i++)
        close(rs.S[i], want[i], s1, 1e-10, `${r.scale}: randomized σ${i + 1}`);
    }
  });

  it('2×2 of DBL_MAX: σ and λ are [inf, ~0] as in NumPy, not [1.8e308, 1.8e308]', () => {
    const refs2 = pythonJson<{ s: string[]; e: string[]; h: string[] }>(`
import json, numpy as np
a = np.full((2, 2), np.finfo(np.float64).max)
with np.errstate(all='ignore'):
    print(json.dumps(dict(s=[repr(float(x)) for x in np.linalg.svd(a, compute_uv=False)],
        e=[repr(float(x)) for x in sorted(np.linalg.eigvals(a).real, key=abs, reverse=True)],
        h=[repr(float(x)) for x in np.linalg.eigvalsh(a)])))
`);
    const dm = Number.MAX_VALUE;
    const a: Matrix = { rows: 2, cols: 2, data: Float64Array.of(dm, dm, dm, dm) };
    const s = singularValues(a);
    assert.equal(num(refs2.s[0]), Infinity);
    assert.equal(s[0], Infinity);
    assert.ok(s[1] <= 1e-15 * dm, `σ2 ${s[1]}`);
    const e = generalEigen(a);
    const re = Array.from(e.re).sort((x, y) => Math.abs(y) - Math.abs(x));
    assert.equal(num(refs2.e[0]), Infinity);
    assert.equal(re[0], Infinity);
    assert.ok(Math.abs(re[1]) <= 1e-15 * dm, `λ2 ${re[1]}`);
    const h = symmetricEigen(a).values;
    assert.deepEqual([num(refs2.h[1]), h[1]], [Infinity, Infinity]);
    assert.ok(Math.abs(h[0]) <= 1e-15 * dm);
    assert.equal(analyzeMatrix(a, 'float64').rank, 1);
  });

  it('np.arange(1, 10).reshape(3, 3)·1e200 … 1e300 is analyzed (it used to sweep forever)', () => {
    for (const p of [200, 250, 300]) {
      const a: Matrix = {
        rows: 3,
        cols: 3,
        data: Float64Array.from({ length: 9 }, (_, i) => (i + 1) * 10 ** p),
      };
      const r = analyzeMatrix(a, 'float64');
      assert.equal(r.rank, 2);
      assert.ok(Math.abs(r.singularValues[0] / (1.6848103352614208 * 10 ** (p + 1)) - 1) < 1e-13);
      assert.ok(r.eigenvalues!.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
    }
  });

  it('bidiagonal QR refuses NaN/Inf in one line instead of sweeping forever', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const d = Float64Array.of(1, bad, 2, 3);
      const e = Float64Array.of(1, 1, 1);
      assert.throws(
        () => bidiagonalSvd(d, e),
        (x: unknown) => x instanceof LensError && x.code === 'numeric',
      );
      assert.throws(
        () => bidiagonalSvd(Float64Array.of(1, 2, 3), Float64Array.of(1, bad)),
        LensError,
      );
    }
  });

  it('property: A·2^k has σ·2^k, λ·2^k and the rank of A for any shape and magnitude (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 72, maxLength: 72 }),
        (m, n, r, k, ints) => {
          // A = B·C with small integer B (m×r), C (r×n): exact, rank ≤ r
          const a = new Float64Array(m * n);
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let t = 0; t < r; t++) s += ints[i * 6 + t] * ints[36 + t * 6 + j];
              a[i * n + j] = s;
            }
          const base: Matrix = { rows: m, cols: n, data: a };
          const scaled: Matrix = { rows: m, cols: n, data: a.map((x) => scaleBy(x, k)) };
          const s0 = singularValues(base);
          const sk = singularValues(scaled);
          const top = scaleBy(s0[0] ?? 0, k);
          for (let i = 0; i < s0.length; i++)
            close(sk[i], scaleBy(s0[i], k), top, 1e-12, `σ${i} at 2^${k}`);
          assert.equal(
            analyzeMatrix(scaled, 'float64', { eigenvalues: false }).rank,
            analyzeMatrix(base, 'float64', { eigenvalues: false }).rank,
          );
          if (m === n) {
            const e0 = generalEigen(base);
            const ek = generalEigen(scaled);
            const mod = (x: number[], y: number[]) =>
              Math.hypot(y[0], y[1]) - Math.hypot(x[0], x[1]);
            const l0 = Array.from(e0.re, (x, i) => [x, e0.im[i]]).sort(mod);
            const lk = Array.from(ek.re, (x, i) => [x, ek.im[i]]).sort(mod);
            const lt = scaleBy(Math.hypot(l0[0][0], l0[0][1]), k) + scaleBy(s0[0], k);
            for (let i = 0; i < n; i++)
              close(
                Math.hypot(lk[i][0], lk[i][1]),
                scaleBy(Math.hypot(l0[i][0], l0[i][1]), k),
                lt,
                1e-8,
                `|λ${i}| at 2^${k}`,
              );
          }
        },
      ),
      { numRuns: 300, seed: 12 },
    );
  });

  it('the scale exponent brings any finite magnitude outside the safe range into [0.5, 1)', () => {
    fc.assert(
      fc.property(fc.double({ min: TINY, max: Number.MAX_VALUE, noNaN: true }), (x) => {
        const k = safeScaleExponent(x);
        if (k === 0) return x >= SMALL_NUM && x <= BIG_NUM;
        const y = scaleBy(x, k);
        return y >= 0.5 && y < 1;
      }),
      { numRuns: 2000, seed: 5 },
    );
  });
});

describe('summary statistics without overflow (issue 12 item 7)', () => {
  function stats(values: number[], chunk: number) {
    const acc = new StatsAccumulator();
    for (let i = 0; i < values.length; i += chunk)
      acc.add(Float64Array.from(values.slice(i, i + chunk)));
    return acc.result();
  }

  it('σ of np.arange(1, 10)·1e200 is 2.58e200 (NumPy overflows to inf), μ 5e200, and tiny values are not σ=0', () => {
    const ref = pythonJson<{ big: number; tiny: number; inf: string }>(`
import json, numpy as np
x = np.arange(1, 10, dtype=np.float64)
with np.errstate(all='ignore'):
    print(json.dumps(dict(big=float(np.std(x) * 1e200), tiny=float(np.std(x) * 1e-200), inf=repr(float(np.std(x * 1e200))))))
`);
    assert.equal(ref.inf, 'inf'); // what the issue says NumPy does
    for (const chunk of [1, 2, 4, 9]) {
      const big = stats(
        Array.from({ length: 9 }, (_, i) => (i + 1) * 1e200),
        chunk,
      );
      assert.ok(Math.abs(big.std! / ref.big - 1) < 1e-14, `σ ${big.std} chunk ${chunk}`);
      assert.ok(Math.abs(big.mean! / 5e200 - 1) < 1e-14);
      const tiny = stats(
        Array.from({ length: 9 }, (_, i) => (i + 1) * 1e-200),
        chunk,
      );
      assert.ok(Math.abs(tiny.std! / ref.tiny - 1) < 1e-13, `tiny σ ${tiny.std} chunk ${chunk}`);
    }
    const top = stats(
      [Number.MAX_VALUE, -Number.MAX_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE],
      4,
    );
    assert.equal(top.mean, 0);
    assert.equal(top.std, Number.MAX_VALUE);
  });

  it('property: stats of x·2^k are stats of x times 2^k, whatever the chunking (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: -1060, max: 1010 }),
        fc.integer({ min: 1, max: 40 }),
        (xs, k, chunk) => {
          const s0 = stats(xs, chunk);
          const sk = stats(
            xs.map((x) => scaleBy(x, k)),
            chunk,
          );
          const sc = (v: number) => scaleBy(v, k);
          const big = scaleBy(1000, k);
          close(sk.mean!, sc(s0.mean!), big, 1e-12, `μ at 2^${k}`);
          close(sk.std!, sc(s0.std!), big, 1e-12, `σ at 2^${k}`);
          assert.equal(sk.min, sc(s0.min!));
          assert.equal(sk.max, sc(s0.max!));
        },
      ),
      {
        numRuns: 500,
        seed: 7,
        // found with another seed: [−2^-537] then [0] merged in units of 1, where the deviation
        // 2^-538 squared underflows: σ was 0, NumPy's is 2^-538
        examples: [[[-1, 0], -537, 1]],
      },
    );
  });
});
