/**
 * The randomized top-k SVD on the kernel heap (subspace iteration and block Krylov) against
 * NumPy's exact singular values: a slowly decaying spectrum (trained-weight-like, where the
 * two methods differ), rank-deficient and graded matrices (CholeskyQR's breakdown → the
 * Gram–Schmidt fallback), the zero matrix, odd shapes, and the WebAssembly against the
 * TypeScript engine.
 */
import assert from 'node:assert/strict';
import { pythonJson } from '../../helpers/python';
import { Matrix, randomizedSvd } from '../../../src/core/linalg';
import { useWasmKernels } from '../../../src/core/linalg/wasm/kernels';

interface Ref {
  rows: number;
  cols: number;
  a: number[];
  s: number[];
}

const refs = pythonJson<Record<string, Ref>>(`
import json, numpy as np
rng = np.random.default_rng(1515)
def orth(m, r):
    q, _ = np.linalg.qr(rng.standard_normal((m, r)))
    return q
def spec(m, n, s):
    r = len(s)
    return (orth(m, r) * s) @ orth(n, r).T
out = {}
def put(name, a):
    out[name] = dict(rows=a.shape[0], cols=a.shape[1], a=a.ravel().tolist(),
                     s=np.linalg.svd(a, compute_uv=False).tolist())
# slowly decaying (sigma_i = i^-0.6) plus noise, like trained weights
put('slow', spec(300, 700, np.arange(1, 301) ** -0.6) + 1e-3 * rng.standard_normal((300, 700)))
# rank 5 (exactly: five outer products)
put('rank5', spec(120, 90, np.array([9.0, 5.0, 3.0, 2.0, 1.0])))
# graded: 1 .. 1e-14 geometrically, rank 60 (CholeskyQR2 breaks down on its blocks)
put('graded', spec(400, 300, np.logspace(0, -14, 60)))
# odd shapes
put('tall', rng.standard_normal((53, 7)))
put('wide', rng.standard_normal((5, 41)))
put('row', rng.standard_normal((1, 29)))
put('col', rng.standard_normal((31, 1)))
# a repeated singular value (multiplicity 12 > the block of k + 2)
put('repeated', spec(80, 60, np.concatenate([np.full(12, 2.0), np.linspace(1, 0.1, 30)])))
print(json.dumps(out))
`);

const mat = (r: Ref): Matrix => ({ rows: r.rows, cols: r.cols, data: Float64Array.from(r.a) });

/** max_i |s_i − ref_i| / ref_i over the first k (ref_i > 0) */
function relErr(s: Float64Array, ref: number[], k: number): number {
  let w = 0;
  for (let i = 0; i < k; i++) w = Math.max(w, Math.abs(s[i] - ref[i]) / ref[i]);
  return w;
}

/** max |(U S Vt)_ij − B_ij| with B the best rank-k approximation's error bound checked by caller */
function reconstructionError(a: Matrix, r: ReturnType<typeof randomizedSvd>): number {
  const { U, Vt, S, k } = r;
  let err = 0;
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += U!.data[i * k + l] * S[l] * Vt!.data[l * a.cols + j];
      err = Math.max(err, Math.abs(s - a.data[i * a.cols + j]));
    }
  return err;
}

function orthonormality(x: Float64Array, rows: number, cols: number, byColumns: boolean): number {
  let w = 0;
  const at = (i: number, j: number) => (byColumns ? x[i * cols + j] : x[j * cols + i]);
  const n = byColumns ? cols : rows;
  const len = byColumns ? rows : cols;
  for (let p = 0; p < n; p++)
    for (let q = 0; q <= p; q++) {
      let s = 0;
      for (let i = 0; i < len; i++) s += at(i, p) * at(i, q);
      w = Math.max(w, Math.abs(s - (p === q ? 1 : 0)));
    }
  return w;
}

describe('randomized SVD on the kernel heap vs NumPy', () => {
  it('slowly decaying spectrum: block Krylov is far more accurate than subspace iteration (q = 2); both are lower bounds', () => {
    const r = refs.slow;
    const a = mat(r);
    const sub = randomizedSvd(a, 20, { vectors: false });
    const kry = randomizedSvd(a, 20, { vectors: false, method: 'krylov' });
    const eSub = relErr(sub.S, r.s, 20);
    const eKry = relErr(kry.S, r.s, 20);
    // subspace iteration with q = 2 cannot separate σ₂₀ from σ₃₀ here (~10 %); Krylov can
    assert.ok(eSub > 1e-3 && eSub < 0.3, `subspace ${eSub}`);
    assert.ok(eKry < 1e-6, `krylov ${eKry}`);
    // Ritz values never exceed the exact ones
    for (let i = 0; i < 20; i++) {
      assert.ok(sub.S[i] <= r.s[i] * (1 + 1e-12), `subspace σ${i} ${sub.S[i]} > ${r.s[i]}`);
      assert.ok(kry.S[i] <= r.s[i] * (1 + 1e-12), `krylov σ${i} ${kry.S[i]} > ${r.s[i]}`);
    }
    // more power iterations converge too (slowly)
    const q8 = randomizedSvd(a, 20, { vectors: false, powerIterations: 8 });
    assert.ok(relErr(q8.S, r.s, 20) < eSub / 3, `q = 8: ${relErr(q8.S, r.s, 20)}`);
  });

  it('rank 5 of 120×90 with k = 10: five σ to 1e-12, the rest ~0; U, Vᵀ orthonormal and U·S·Vᵀ = A', () => {
    const r = refs.rank5;
    const a = mat(r);
    for (const method of ['subspace', 'krylov'] as const) {
      const x = randomizedSvd(a, 10, { method });
      assert.equal(x.k, 10);
      assert.ok(relErr(x.S, r.s, 5) < 1e-12, `${method} ${relErr(x.S, r.s, 5)}`);
      for (let i = 5; i < 10; i++) assert.ok(x.S[i] < 1e-13 * r.s[0], `${method} σ${i} ${x.S[i]}`);
      assert.ok(orthonormality(x.Vt!.data, 10, 90, false) < 1e-12, `${method} Vt`);
      // the first 5 left vectors are orthonormal (the rest span nothing of A)
      const u5 = new Float64Array(120 * 5);
      for (let i = 0; i < 120; i++)
        for (let j = 0; j < 5; j++) u5[i * 5 + j] = x.U!.data[i * 10 + j];
      assert.ok(orthonormality(u5, 120, 5, true) < 1e-12, `${method} U`);
      assert.ok(reconstructionError(a, x) < 1e-12 * r.s[0], `${method} reconstruction`);
    }
  });

  it('graded spectrum 1 … 1e-14 of rank 60 (CholeskyQR2 breaks down: Gram–Schmidt fallback): top 40 to u·σ₁, vectors orthonormal', () => {
    const r = refs.graded;
    const a = mat(r);
    for (const method of ['subspace', 'krylov'] as const) {
      const x = randomizedSvd(a, 40, { method });
      // σ₄₀ ≈ 6e-10: each value to a few ulps of σ₁ (kept, not dropped with the tiny ones)
      for (let i = 0; i < 40; i++)
        assert.ok(
          Math.abs(x.S[i] - r.s[i]) < 1e-14 * r.s[0],
          `${method} σ${i} ${x.S[i]} vs ${r.s[i]}`,
        );
      assert.ok(orthonormality(x.U!.data, 400, 40, true) < 1e-10, `${method} U`);
      assert.ok(orthonormality(x.Vt!.data, 40, 300, false) < 1e-10, `${method} Vt`);
    }
  });

  it('a singular value repeated 12 times with a block of 10: found with its multiplicity', () => {
    const r = refs.repeated;
    const a = mat(r);
    for (const method of ['subspace', 'krylov'] as const) {
      const x = randomizedSvd(a, 8, { method, oversample: 2 });
      // subspace iteration nears the 12-fold space by (σ₁₃/σ₁)^(2q+1) = 2^-5 per pass
      const tol = method === 'krylov' ? 1e-10 : 1e-3;
      for (let i = 0; i < 8; i++)
        assert.ok(Math.abs(x.S[i] - 2) < tol, `${method} σ${i} ${x.S[i]}`);
    }
  });

  it('odd shapes (53×7, 5×41, 1×29, 31×1) and k ≥ min(m, n): the exact values', () => {
    for (const name of ['tall', 'wide', 'row', 'col']) {
      const r = refs[name];
      const a = mat(r);
      const mn = Math.min(r.rows, r.cols);
      for (const method of ['subspace', 'krylov'] as const)
        for (const k of [Math.max(1, mn - 2), mn, mn + 5]) {
          const x = randomizedSvd(a, k, { method });
          assert.equal(x.k, Math.min(k, mn));
          const kk = Math.min(k, mn);
          assert.ok(
            relErr(x.S, r.s, kk) < 1e-12,
            `${name} ${method} k=${k}: ${relErr(x.S, r.s, kk)}`,
          );
          assert.ok(reconstructionError(a, x) < (kk === mn ? 1e-12 * r.s[0] : 2 * r.s[kk]));
        }
    }
  });

  it('float32 products: the slowly decaying spectrum and rank 5 to float32 accuracy, vectors orthonormal in float64', () => {
    const slow = refs.slow;
    const a = mat(slow);
    a.data = Float64Array.from(Float32Array.from(a.data)); // float32 data, as Analyze gets it
    const k64 = randomizedSvd(a, 20, { vectors: false, method: 'krylov' });
    const k32 = randomizedSvd(a, 20, { method: 'krylov', precision: 'float32' });
    // float32 rounding of the data moves σ by ~1e-7; the products' float32 noise by ~1e-5
    assert.ok(relErr(k32.S, slow.s, 20) < 1e-4, `krylov f32 ${relErr(k32.S, slow.s, 20)}`);
    for (let i = 0; i < 20; i++)
      assert.ok(Math.abs(k32.S[i] - k64.S[i]) < 1e-4 * k64.S[i], `σ${i} f32 vs f64`);
    assert.ok(orthonormality(k32.U!.data, 300, 20, true) < 1e-12, 'U');
    assert.ok(orthonormality(k32.Vt!.data, 20, 700, false) < 1e-12, 'Vt');
    const sub = randomizedSvd(a, 20, { vectors: false, precision: 'float32' });
    assert.ok(relErr(sub.S, slow.s, 20) < 0.3);
    const r5 = refs.rank5;
    for (const method of ['subspace', 'krylov'] as const) {
      const x = randomizedSvd(mat(r5), 10, { method, precision: 'float32', vectors: false });
      assert.ok(relErr(x.S, r5.s, 5) < 1e-5, `${method} ${relErr(x.S, r5.s, 5)}`);
      for (let i = 5; i < 10; i++) assert.ok(x.S[i] < 1e-5 * r5.s[0], `${method} σ${i} ${x.S[i]}`);
    }
  });

  it('the zero matrix and k = 0', () => {
    const z: Matrix = { rows: 40, cols: 30, data: new Float64Array(1200) };
    for (const method of ['subspace', 'krylov'] as const) {
      const x = randomizedSvd(z, 5, { method });
      assert.deepEqual(Array.from(x.S), [0, 0, 0, 0, 0]);
      assert.equal(randomizedSvd(z, 0, { method }).S.length, 0);
    }
  });

  it('the TypeScript engine gives the same values as the WebAssembly kernels', () => {
    const r = refs.slow;
    const a = mat(r);
    const w = randomizedSvd(a, 10, { vectors: false, method: 'krylov', krylovBlocks: 3 });
    const prev = useWasmKernels(false);
    let t;
    try {
      t = randomizedSvd(a, 10, { vectors: false, method: 'krylov', krylovBlocks: 3 });
    } finally {
      useWasmKernels(prev);
    }
    for (let i = 0; i < 10; i++) assert.ok(Math.abs(w.S[i] - t.S[i]) < 1e-12 * w.S[0], `σ${i}`);
  });
});
