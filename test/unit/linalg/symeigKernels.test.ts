/**
 * The SIMD kernels of the blocked tridiagonalization (symmetric eigenvalues) against plain
 * loops: the banded symmetric product that also copies out the block's first column
 * (symvLowerRowsCol64), and the f64 GEMM whose B is packed once and shared by row blocks that
 * use a prefix of its columns (dgemmPackB + dgemmPacked), on odd sizes, k across the packed
 * block depth, and strided (transposed) A.
 */
import * as assert from 'node:assert/strict';
import { symmetricEigen } from '../../../src/core/linalg';
import { LensError } from '../../../src/core/errors';
import { Engine, wasmKernels } from '../../../src/core/linalg/wasm/kernels';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 31 - 1;
  };
}

describe('blocked tridiagonalization kernels (wasm) vs plain loops', function () {
  this.timeout(60_000);
  let e: Engine;
  before(function () {
    const w = wasmKernels();
    if (!w?.call) this.skip();
    e = w!;
  });

  it('symvLowerRowsCol64: the rows r0..r1 share of A·v (lower triangle) and column 0 of those rows', () => {
    for (const len of [1, 4, 5, 13, 64, 131]) {
      const ld = len + 3;
      for (const r0 of [0, 4, 8].filter((r) => r < len))
        for (const r1 of [...new Set([r0 + 1, r0 + 5, len])].filter((r) => r <= len && r > r0)) {
          const mk = e.mark();
          try {
            const a = e.alloc64(len * ld);
            const v = e.alloc64(len);
            const p = e.alloc64(len);
            const col = e.alloc64(len);
            const r = rng(len * 31 + r0 * 7 + r1);
            const f = e.f64;
            for (let i = 0; i < len * ld; i++) f[a + i] = r();
            for (let i = 0; i < len; i++) {
              f[v + i] = r();
              f[p + i] = 99; // must be overwritten (zeroed on 0..r1)
              f[col + i] = -7; // rows outside r0..r1 must stay
            }
            e.call!('symvLowerRowsCol64', [a * 8, ld, r0, r1, v * 8, p * 8, col * 8]);
            const g = e.f64;
            const ref = new Float64Array(r1);
            for (let i = r0; i < r1; i++) {
              for (let j = 0; j < i; j++) {
                ref[i] += g[a + i * ld + j] * g[v + j];
                ref[j] += g[a + i * ld + j] * g[v + i];
              }
              ref[i] += g[a + i * ld + i] * g[v + i];
            }
            for (let i = 0; i < r1; i++)
              assert.ok(
                Math.abs(g[p + i] - ref[i]) <= 1e-13 * len,
                `p[${i}] len ${len} ${r0}..${r1}`,
              );
            for (let i = 0; i < len; i++)
              assert.equal(g[col + i], i >= r0 && i < r1 ? g[a + i * ld] : -7, `col[${i}]`);
          } finally {
            e.release(mk);
          }
        }
    }
  });

  it('dgemmPacked: C += alpha·A·B[:, :n] with B (k×nb) packed once, odd sizes, k across the packed depth, the lower triangle only when asked', () => {
    for (const k of [1, 7, 64, 300])
      for (const m of [1, 7, 61])
        for (const nb of [1, 6, 133])
          for (const n of [...new Set([1, nb - 2, nb])].filter((x) => x >= 1))
            for (const diag of [-1, 0, 3]) {
              const mk = e.mark();
              try {
                // A read transposed (ars = 1, acs = lda), as the trailing update reads Yᵀ
                const lda = m + 3;
                const ldb = nb + 1;
                const ldc = n + 2;
                const A = e.alloc64(k * lda);
                const B = e.alloc64(k * ldb);
                const C = e.alloc64(m * ldc);
                const r = rng(k * 1000 + m * 10 + nb + n);
                const f = e.f64;
                for (let i = 0; i < k * lda; i++) f[A + i] = r();
                for (let i = 0; i < k * ldb; i++) f[B + i] = r();
                for (let i = 0; i < m * ldc; i++) f[C + i] = r();
                const c0 = f.slice(C, C + m * ldc);
                const pb = e.alloc64(Math.ceil(e.call!('dgemmPackBBytes', [k, nb]) / 8)) * 8;
                const work = e.alloc64(Math.ceil(e.call!('dgemmPackedWorkBytes', []) / 8)) * 8;
                e.call!('dgemmPackB', [0, k, k, nb, B * 8, ldb, 1, pb]);
                e.call!('dgemmPacked', [
                  m,
                  n,
                  k,
                  -1,
                  A * 8,
                  1,
                  lda,
                  pb,
                  nb,
                  C * 8,
                  ldc,
                  diag,
                  work,
                ]);
                const g = e.f64;
                for (let i = 0; i < m; i++)
                  for (let j = 0; j < ldc; j++) {
                    // with diag ≥ 0 only the lower triangle (j ≤ diag + i) is defined
                    if (diag >= 0 && j < n && j > diag + i) continue;
                    let x = c0[i * ldc + j];
                    if (j < n)
                      for (let p = 0; p < k; p++) x -= g[A + i + p * lda] * g[B + p * ldb + j];
                    assert.ok(
                      Math.abs(g[C + i * ldc + j] - x) <= 1e-13 * k,
                      `C(${i},${j}) m ${m} n ${n}/${nb} k ${k} diag ${diag}`,
                    );
                  }
              } finally {
                e.release(mk);
              }
            }
  });
});

describe('symmetric eigenvalues refuse non-finite input in one pass', () => {
  it('NaN, +Inf and −Inf anywhere (small and blocked sizes) give the numeric error with the counts', () => {
    for (const n of [3, 300]) {
      const data = new Float64Array(n * n);
      const r = rng(n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) data[i * n + j] = data[j * n + i] = r();
      // [value, i, j] off the diagonal (each sets two entries)
      const cases: [[number, number, number][], string][] = [
        [[[NaN, 1, 0]], '2 NaN and 0 Inf'],
        [[[Infinity, n - 1, n - 2]], '0 NaN and 2 Inf'],
        [
          [
            [-Infinity, 2, 1],
            [NaN, n - 1, 0],
          ],
          '2 NaN and 2 Inf',
        ],
      ];
      for (const [vals, text] of cases) {
        const d = data.slice();
        for (const [v, i, j] of vals) d[i * n + j] = d[j * n + i] = v;
        assert.throws(
          () => symmetricEigen({ rows: n, cols: n, data: d }),
          (e: unknown) =>
            e instanceof LensError && e.code === 'numeric' && e.message.includes(text),
          `n ${n}: ${text}`,
        );
      }
      // and the finite matrix still goes through
      assert.equal(symmetricEigen({ rows: n, cols: n, data }).values.length, n);
    }
  });
});
