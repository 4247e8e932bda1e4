/**
 * Products with the orthogonal factors of a decomposition, as pooled f64 GEMMs: the back
 * transformation of the bidiagonal SVD's vectors (LAPACK dgesdd applies them with dormbr; here
 * Q and Pᵀ are formed, so it is one GEMM each). Row blocks of the result are independent tasks
 * of one job, so both of the pool's threads share a product.
 */
import { dgemmCalls, DgemmCall } from './gemm';
import type { Engine } from './wasm/kernels';

/** Rows per task at least (each task packs its own B: fewer, larger tasks pack less). */
const MIN_ROWS = 64;
/** Tasks per product: a few per thread so a loaded core does not hold the whole job back. */
const TASKS = 8;

/**
 * C = Xᵀ·Y (all f64 heap indices, row-major): X is k×k, Y is k×cols (its first k rows are read
 * from a block with row stride `cols`), C is k×cols; C is overwritten.
 */
export function productWithTransposedLeft(
  eng: Engine,
  x: number,
  k: number,
  y: number,
  cols: number,
  c: number,
): void {
  eng.f64.fill(0, c, c + k * cols);
  const calls: DgemmCall[] = [];
  const step = Math.max(MIN_ROWS, Math.ceil(k / TASKS));
  for (let i0 = 0; i0 < k; i0 += step) {
    const mm = Math.min(step, k - i0);
    // A(i, p) = X(p, i0 + i)
    calls.push({
      m: mm,
      n: cols,
      k,
      alpha: 1,
      a: x + i0,
      ars: 1,
      acs: k,
      b: y,
      brs: cols,
      bcs: 1,
      c: c + i0 * cols,
      ldc: cols,
    });
  }
  dgemmCalls(eng, calls);
}
