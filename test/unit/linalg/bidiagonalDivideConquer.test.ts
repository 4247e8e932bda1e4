/**
 * Divide and conquer for the bidiagonal SVD (bidiagonalDivideConquer.ts) and the full SVD that
 * uses it: singular values against NumPy's (LAPACK dgesdd, run here through the Debian
 * interpreter), ‖B − U·Σ·Vᵀ‖ ≤ 8·n·eps·‖B‖ and ‖UᵀU − I‖, ‖VᵀV − I‖ ≤ 8·n·eps on random and
 * adversarial bidiagonals (graded, clustered, repeated, zero rows, huge and tiny scales, sizes
 * around the leaf size and the split), on both engines (SIMD WebAssembly and TypeScript).
 */
import assert from 'node:assert/strict';
import { orthogonalityError, svdResidual } from '../../helpers/svdCheck';
import fc from 'fast-check';
import { pythonJson } from '../../helpers/python';
import { Matrix, svd } from '../../../src/core/linalg';
import {
  DC_LEAF,
  bidiagonalDivideConquer,
  secularSvd,
} from '../../../src/core/linalg/bidiagonalDivideConquer';
import { bidiagonalSvd } from '../../../src/core/linalg/bidiagonalQR';
import { applyReflectorsRight } from '../../../src/core/linalg/formOrthogonal';
import { givens } from '../../../src/core/linalg/householder';
import {
  bidiagonalize,
  formPt,
  formQt,
} from '../../../src/core/linalg/householderBidiagonalization';
import { useWasmKernels, withEngine } from '../../../src/core/linalg/wasm/kernels';

const EPS = 2 ** -52;
/** The smallest subnormal: the spacing of doubles near 0. */
const TINY = 2 ** -1074;

interface Checked {
  s: Float64Array;
  res: number;
  orthU: number;
  orthV: number;
}

/** Runs the D&C on (d, e) and measures it in units of n·eps (residual relative to ‖B‖). */
function run(d: Float64Array, e: Float64Array): Checked {
  const n = d.length;
  const d0 = Float64Array.from(d);
  const e0 = Float64Array.from(e);
  return withEngine((eng) => {
    const r = bidiagonalDivideConquer(eng, d, e);
    assert.deepEqual(Array.from(d), Array.from(d0), 'd is not modified');
    assert.deepEqual(Array.from(e), Array.from(e0), 'e is not modified');
    const U = eng.slice64(r.u, r.u + n * n);
    const V = eng.slice64(r.v, r.v + n * n);
    let bn = 0;
    for (let i = 0; i < n; i++) bn = Math.max(bn, Math.abs(d[i]) + Math.abs(e[i] ?? 0));
    let res = 0;
    let orthU = 0;
    let orthV = 0;
    const row = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let l = 0; l < n; l++) row[l] = U[i * n + l] * r.s[l];
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let l = 0; l < n; l++) s += row[l] * V[j * n + l];
        const b = i === j ? d[i] : j === i + 1 ? e[i] : 0;
        res = Math.max(res, Math.abs(s - b));
      }
    }
    for (const [X, set] of [
      [U, (x: number) => (orthU = Math.max(orthU, x))],
      [V, (x: number) => (orthV = Math.max(orthV, x))],
    ] as const)
      for (let i = 0; i < n; i++)
        for (let j = i; j < n; j++) {
          let s = 0;
          for (let l = 0; l < n; l++) s += X[l * n + i] * X[l * n + j];
          set(Math.abs(s - (i === j ? 1 : 0)));
        }
    for (let i = 1; i < n; i++) assert.ok(r.s[i] <= r.s[i - 1], 'descending');
    for (let i = 0; i < n; i++) assert.ok(r.s[i] >= 0, 'non-negative');
    return {
      s: r.s,
      // (plus n subnormal steps: a B whose entries are subnormal cannot be rebuilt closer)
      res: res / (n * (EPS * (bn || 1) + TINY)),
      orthU: orthU / (n * EPS),
      orthV: orthV / (n * EPS),
    };
  });
}

function assertGood(c: Checked, label: string, bound = 8): void {
  assert.ok(c.res <= bound, `${label}: residual ${c.res.toFixed(3)}·n·eps·‖B‖`);
  assert.ok(c.orthU <= bound, `${label}: ‖UᵀU − I‖ ${c.orthU.toFixed(3)}·n·eps`);
  assert.ok(c.orthV <= bound, `${label}: ‖VᵀV − I‖ ${c.orthV.toFixed(3)}·n·eps`);
}

/** The implicit QR's singular values (relative accuracy, Demmel–Kahan) of the same B. */
function qrValues(d: Float64Array, e: Float64Array): Float64Array {
  const dd = Float64Array.from(d);
  bidiagonalSvd(dd, Float64Array.from(e));
  return dd;
}

let seed = 12345;
function rnd(): number {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
}
const vec = (n: number, f: (i: number) => number) =>
  Float64Array.from({ length: n }, (_, i) => f(i));

/** B = [[d, e]] with the given nonzero entries (the rest 0). */
function sparseBidiagonal(
  n: number,
  dAt: Record<number, number>,
  eAt: Record<number, number>,
): [Float64Array, Float64Array] {
  return [vec(n, (i) => dAt[i] ?? 0), vec(n - 1, (i) => eAt[i] ?? 0)];
}
/** Counterexamples from seed hunting: subnormal entries beside normal ones. */
const mixedSubnormal26 = () => sparseBidiagonal(26, { 12: -3e-323 }, { 12: 3e-323, 23: -1 });
const mixedSubnormal57 = () =>
  sparseBidiagonal(
    57,
    { 37: -2.5e-323 },
    { 37: -2.5e-323, 38: 1, 39: 2.5e-323, 40: 1e-200, 41: 2.5e-323, 42: 2.5e-323 },
  );
const mixedSubnormal40 = () =>
  sparseBidiagonal(
    40,
    { 30: 1, 31: -2.1951864646724e-311 },
    { 10: -9.19727556370072, 29: 1e-300, 30: 1e-12, 31: 1 },
  );

describe('plane rotations (givens, dlartg shape)', () => {
  it('from subnormal inputs: c² + s² = 1 to rounding, and [c s; −s c]·[f; g] = [r; 0]', () => {
    const out = new Float64Array(3);
    for (const [f, g] of [
      [6 * TINY, 6 * TINY],
      [-6 * TINY, 6 * TINY],
      [TINY, -TINY],
      [3 * TINY, 5 * TINY],
      [-1e-310, 7 * TINY],
      [2 ** -1000, 2 ** -1001],
      [1e-300, 1e-12],
    ]) {
      givens(f, g, out);
      const [c, sn, r] = out;
      assert.ok(Math.abs(c * c + sn * sn - 1) <= 4 * EPS, `c² + s² for (${f}, ${g})`);
      assert.ok(Math.abs(-sn * f + c * g) <= TINY, `zeroes g for (${f}, ${g})`);
      assert.ok(Math.abs(c * f + sn * g - r) <= 2 * EPS * Math.abs(r) + TINY, `r for (${f}, ${g})`);
    }
  });
});

describe('bidiagonal SVD by divide and conquer (dbdsdc shape)', () => {
  const named: [string, Float64Array, Float64Array][] = [];
  for (const n of [1, 2, 3, DC_LEAF, DC_LEAF + 1, DC_LEAF + 2, 2 * DC_LEAF + 1, 77, 160])
    named.push([`random ${n}`, vec(n, rnd), vec(n - 1, rnd)]);
  const n = 130;
  named.push(
    ['graded 1e-0..1e-16', vec(n, (i) => 10 ** (-i / 8)), vec(n - 1, (i) => 10 ** (-i / 8))],
    [
      'graded increasing',
      vec(n, (i) => 10 ** (i / 10 - 13)),
      vec(n - 1, (i) => 10 ** (i / 10 - 13)),
    ],
    ['all ones (clustered spectrum)', vec(n, () => 1), vec(n - 1, () => 1)],
    ['repeated: diagonal 1, tiny e', vec(n, () => 1), vec(n - 1, () => 1e-13)],
    ['clustered within 1e-15', vec(n, (i) => 1 + (i % 2) * 1e-15), vec(n - 1, () => 1e-17)],
    ['zero diagonal entries', vec(n, (i) => (i % 3 === 0 ? 0 : rnd())), vec(n - 1, rnd)],
    ['zero superdiagonal blocks', vec(n, rnd), vec(n - 1, (i) => (i % 7 === 0 ? 0 : rnd()))],
    ['rank 1 rows (d = 0, e = 1)', vec(n, () => 0), vec(n - 1, () => 1)],
    ['zero matrix', vec(n, () => 0), vec(n - 1, () => 0)],
    ['huge 1e300', vec(n, () => 1e300 * (1 + rnd())), vec(n - 1, () => 1e300 * rnd())],
    ['tiny 1e-300', vec(n, () => 1e-300 * (1 + rnd())), vec(n - 1, () => 1e-300 * rnd())],
    ['Wilkinson-like 2..0..2', vec(n, (i) => Math.abs(n / 2 - i) / 10), vec(n - 1, () => 1)],
    ['one huge entry', vec(n, (i) => (i === 60 ? 1e8 : 1)), vec(n - 1, () => 0.5)],
    // seed hunting: subnormal entries beside normal ones; the leaf's and the merge's rotations
    // from subnormal inputs had c² + s² far from 1 (‖VᵀV − I‖ ≈ 1e13·n·eps)
    ['subnormal beside normal (n = 26)', ...mixedSubnormal26()],
    ['subnormal beside normal (n = 57)', ...mixedSubnormal57()],
    // the same in a leaf's implicit QR: its givens() met products of tiny entries (1e-300·1e-12)
    ['subnormal in a leaf QR (n = 40)', ...mixedSubnormal40()],
  );
  let ref: number[][] = [];
  before(() => {
    ref = pythonJson<number[][]>(
      `
import numpy as np, json, sys
cases = json.loads(sys.stdin.read()) if False else json.loads(sys.argv[1])
out = []
for d, e in cases:
    n = len(d)
    B = np.diag(np.array(d, dtype=float))
    if n > 1: B += np.diag(np.array(e, dtype=float), 1)
    out.append(np.linalg.svd(B, compute_uv=False).tolist())
print(json.dumps(out))
`,
      [JSON.stringify(named.map(([, d, e]) => [Array.from(d), Array.from(e)]))],
    );
  });

  for (const wasm of [true, false])
    it(`${wasm ? 'WebAssembly' : 'TypeScript'} engine: U, V orthogonal, B = U·Σ·Vᵀ, σ as NumPy's (8·n·eps·σ_max)`, () => {
      const was = useWasmKernels(wasm);
      try {
        named.forEach(([label, d, e], t) => {
          const c = run(d, e);
          assertGood(c, label);
          const smax = ref[t][0] ?? 0;
          for (let i = 0; i < d.length; i++)
            assert.ok(
              Math.abs(c.s[i] - ref[t][i]) <= 8 * d.length * EPS * smax,
              `${label}: σ${i} ${c.s[i]} vs NumPy ${ref[t][i]}`,
            );
        });
      } finally {
        useWasmKernels(was);
      }
    });

  it('property: generated bidiagonals with zeros, repeats and mixed scales', () => {
    const entry = fc.oneof(
      fc.double({ min: -10, max: 10, noNaN: true }),
      fc.constantFrom(0, 1, -1, 1e-12, 1e-200, 3),
    );
    fc.assert(
      fc.property(
        fc
          .integer({ min: DC_LEAF + 1, max: 90 })
          .chain((n) =>
            fc.tuple(
              fc.array(entry, { minLength: n, maxLength: n }),
              fc.array(entry, { minLength: n - 1, maxLength: n - 1 }),
            ),
          ),
        ([d, e]) => {
          const c = run(Float64Array.from(d), Float64Array.from(e));
          assertGood(c, `n=${d.length}`);
          const q = qrValues(Float64Array.from(d), Float64Array.from(e));
          for (let i = 0; i < d.length; i++)
            assert.ok(
              Math.abs(c.s[i] - q[i]) <= 8 * d.length * (EPS * (q[0] || 1) + TINY),
              `σ${i}`,
            );
        },
      ),
      {
        numRuns: 40,
        seed: 4242,
        // found with other seeds: a B of subnormal entries only (n·eps·‖B‖ underflowed to 0)
        examples: [
          [
            [
              Array.from({ length: 74 }, (_, i) => (i === 55 ? -2.5e-323 : 0)),
              Array.from({ length: 73 }, (_, i) => (i === 55 ? 1e-323 : 0)),
            ],
          ],
          // subnormal entries beside normal ones: rotations from subnormal inputs were not
          // orthogonal (‖VᵀV − I‖ ≈ 2e13·n·eps and 2e12·n·eps)
          [mixedSubnormal26().map((x) => Array.from(x)) as [number[], number[]]],
          [mixedSubnormal57().map((x) => Array.from(x)) as [number[], number[]]],
          [mixedSubnormal40().map((x) => Array.from(x)) as [number[], number[]]],
        ],
      },
    );
  });

  it('secular equation: broken-arrow roots interlace the poles; vectors orthonormal', () => {
    const K = 40;
    const d = vec(K, (i) => (i === 0 ? 0 : i / K + (i % 4) * 1e-9));
    const z = vec(K, (i) => (i % 5 === 0 ? 1e-6 : 0.3 + rnd()));
    const s = new Float64Array(K);
    const u = new Float64Array(K * K);
    const v = new Float64Array(K * K);
    secularSvd(z, d, s, u, v);
    for (let i = 0; i < K; i++) {
      assert.ok(s[i] > d[i] && (i === K - 1 || s[i] < d[i + 1]), `σ${i} interlaces`);
      for (let j = 0; j < K; j++) {
        let uu = 0;
        let vv = 0;
        for (let l = 0; l < K; l++) {
          uu += u[l * K + i] * u[l * K + j];
          vv += v[l * K + i] * v[l * K + j];
        }
        assert.ok(Math.abs(uu - (i === j ? 1 : 0)) <= 8 * K * EPS, `u ${i},${j}`);
        assert.ok(Math.abs(vv - (i === j ? 1 : 0)) <= 8 * K * EPS, `v ${i},${j}`);
      }
    }
  });
});

describe('blocked back-transformation (compact WY, dormbr shape)', () => {
  it('I·Qᵀ and I·Pᵀ equal the reflector-by-reflector Qᵀ, Pᵀ to 4·m·eps (sizes around the block of 32)', () => {
    for (const [m, n] of [
      [1, 1],
      [5, 3],
      [33, 33],
      [70, 31],
      [97, 65],
      [64, 64],
    ])
      for (const wasm of [true, false]) {
        const was = useWasmKernels(wasm);
        try {
          withEngine((eng) => {
            const a = vec(m * n, rnd);
            const b = bidiagonalize(eng, a, m, n);
            const Q = formQt(b, m);
            const P = formPt(b);
            const C = eng.alloc64(m * m);
            const D = eng.alloc64(n * n);
            const f = eng.f64;
            f.fill(0, C, C + m * m);
            f.fill(0, D, D + n * n);
            for (let i = 0; i < m; i++) f[C + i * m + i] = 1;
            for (let i = 0; i < n; i++) f[D + i * n + i] = 1;
            const w = b.work;
            applyReflectorsRight(eng, C, m, m, {
              count: n,
              shift: 0,
              base: w,
              is: 1,
              cs: n,
              tau: b.tauq,
            });
            applyReflectorsRight(eng, D, n, n, {
              count: Math.max(0, n - 2),
              shift: 1,
              base: w,
              is: n,
              cs: 1,
              tau: b.taup,
            });
            const h = eng.f64;
            let eq = 0;
            for (let i = 0; i < m * m; i++) eq = Math.max(eq, Math.abs(h[C + i] - h[Q + i]));
            let ep = 0;
            for (let i = 0; i < n * n; i++) ep = Math.max(ep, Math.abs(h[D + i] - h[P + i]));
            assert.ok(eq <= 4 * m * EPS, `${m}×${n} ${eng.kind}: Qᵀ ${eq}`);
            assert.ok(ep <= 4 * m * EPS, `${m}×${n} ${eng.kind}: Pᵀ ${ep}`);
          });
        } finally {
          useWasmKernels(was);
        }
      }
  });
});

describe('full SVD through divide and conquer, against NumPy', () => {
  interface Case {
    name: string;
    a: number[][];
    sv: number[];
  }
  let cases: Case[] = [];
  before(() => {
    cases = pythonJson<Case[]>(
      `
import numpy as np, json, sys
rng = np.random.default_rng(15)
def orth(n):
    q, _ = np.linalg.qr(rng.standard_normal((n, n))); return q
def with_sv(m, n, s):
    k = min(m, n); return orth(m)[:, :k] @ np.diag(s) @ orth(n)[:k, :]
cases = {
  'random 97x61': rng.standard_normal((97, 61)),
  'wide 45x130': rng.standard_normal((45, 130)),
  'square 128': rng.standard_normal((128, 128)),
  'rank 5 of 90x80': rng.standard_normal((90, 5)) @ rng.standard_normal((5, 80)),
  'repeated sigma 70': with_sv(70, 70, np.r_[np.ones(30) * 2, np.ones(40)]),
  'clustered sigma 66': with_sv(66, 66, 1 + 1e-13 * np.arange(66)),
  'graded sigma 60': with_sv(60, 60, 10.0 ** -np.linspace(0, 15, 60)),
  'zero 40x33': np.zeros((40, 33)),
  'identity 50': np.eye(50),
}
for k, (d, e) in json.loads(sys.argv[1]).items():
    cases[k] = np.diag(np.array(d)) + np.diag(np.array(e), 1)
print(json.dumps([dict(name=k, a=v.tolist(), sv=np.linalg.svd(v, compute_uv=False).tolist()) for k, v in cases.items()]))
`,
      [
        JSON.stringify({
          // B of the D&C counterexamples as dense matrices: the bidiagonalization keeps them,
          // so the dense path met the same non-orthogonal rotations
          'subnormal beside normal 26': mixedSubnormal26().map((x) => Array.from(x)),
          'subnormal beside normal 57': mixedSubnormal57().map((x) => Array.from(x)),
          'subnormal in a leaf QR 40': mixedSubnormal40().map((x) => Array.from(x)),
        }),
      ],
    );
  });

  /** σ against NumPy's, A = U·S·Vᵀ and orthogonality, thin and full. */
  function checkDense(c: Case): void {
    for (const full of [false, true]) {
      const m = c.a.length;
      const n = c.a[0].length;
      const a: Matrix = { rows: m, cols: n, data: Float64Array.from(c.a.flat()) };
      const { U, S, Vt } = svd(a, { full });
      const k = Math.min(m, n);
      assert.deepEqual([U.rows, U.cols, Vt.rows, Vt.cols], full ? [m, m, n, n] : [m, k, k, n]);
      const smax = c.sv[0];
      const mx = Math.max(m, n);
      for (let i = 0; i < k; i++)
        assert.ok(Math.abs(S[i] - c.sv[i]) <= 8 * mx * EPS * smax, `${c.name}: σ${i}`);
      const err = svdResidual(a, U, S, Vt);
      assert.ok(
        err <= 20 * mx * EPS * Math.max(smax, 1e-300) || err === 0,
        `${c.name}: residual ${err}`,
      );
      assert.ok(orthogonalityError(U) <= 20 * mx * EPS, `${c.name} full=${full}: UᵀU`);
      assert.ok(orthogonalityError(Vt, true) <= 20 * mx * EPS, `${c.name} full=${full}: VVᵀ`);
    }
  }

  it('thin and full: σ within 8·max(m,n)·eps·σ_max of NumPy, A = U·S·Vᵀ and orthogonality to 20·max(m,n)·eps', () => {
    for (const c of cases) checkDense(c);
  });

  for (const wasm of [true, false])
    it(`${wasm ? 'WebAssembly' : 'TypeScript'} engine: subnormal entries beside normal ones`, () => {
      const was = useWasmKernels(wasm);
      try {
        for (const c of cases) if (c.name.startsWith('subnormal')) checkDense(c);
      } finally {
        useWasmKernels(was);
      }
    });
});
