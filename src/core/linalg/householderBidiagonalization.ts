/**
 * Householder bidiagonalization A = Q·B·Pᵀ of a tall matrix (m ≥ n), B upper bidiagonal.
 * Reference: LAPACK dgebd2 (unblocked reduction) and dorgbr (forming Q and Pᵀ); Golub &
 * Van Loan §5.4.8 (Golub–Kahan bidiagonalization). Written for row-major storage: every
 * reflector is applied with contiguous row sweeps. The sweeps run as kernels of an
 * {@link Engine} (SIMD WebAssembly, or the TypeScript fallback) on its heap; each step is one
 * pass over the trailing block, fused per row: the left update, the right reflector (whose vector
 * is row i, known once row i has its left update), and the next step's wᵀ = vᵀA accumulated from
 * the updated rows before the next column's reflector is known (its scale applied afterwards).
 */
import { householder } from './householder';
import { Ticker, noTicker } from './progress';
import type { Engine } from './wasm/kernels';

export interface Bidiagonal {
  m: number;
  n: number;
  /** diagonal (n) */
  d: Float64Array;
  /** superdiagonal (n-1) */
  e: Float64Array;
  /** the engine whose heap holds the reflectors */
  engine: Engine;
  /** heap index of the m×n row-major reflector store: column i below the diagonal holds v_i
   *  (left), row i right of the superdiagonal holds u_i (right) */
  work: number;
  tauq: Float64Array;
  taup: Float64Array;
}

/** Reduces a (m×n row-major, m ≥ n; copied into the engine's heap, not modified) to bidiagonal form. */
export function bidiagonalize(
  eng: Engine,
  a: Float64Array,
  m: number,
  n: number,
  ticker: Ticker = noTicker,
): Bidiagonal {
  const W = eng.alloc64(m * n);
  const V = eng.alloc64(m);
  const X = eng.alloc64(n);
  const ACC = eng.alloc64(n);
  const f = eng.f64; // no allocation below: the view stays valid
  f.set(a, W);
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const tauq = new Float64Array(n);
  const taup = new Float64Array(n);
  const total = n * (m - n / 3) * n || 1;
  let doneWork = 0;
  for (let i = 0; i < n; i++) {
    // left reflector: column i, rows i..m-1
    const len = m - i;
    for (let k = 0; k < len; k++) f[V + k] = f[W + (i + k) * n + i];
    const alpha = f[V];
    const tq = householder(f, V, len);
    d[i] = f[V];
    f[V] = 1;
    tauq[i] = tq;
    for (let k = 1; k < len; k++) f[W + (i + k) * n + i] = f[V + k];
    f[W + i * n + i] = d[i];
    const cols = n - i - 1;
    if (cols === 0) break;
    // wᵀ = vᵀ·A[i:, i+1:] (v₀ = 1, v_k = x_k/(α−β)): from the previous pass's Σ x_k·A[i+k, i+1:]
    // (first step: a pass of its own), then row i gets its left update
    if (tq !== 0) {
      // (a pass of its own too when α − β is so tiny that 1/(α − β) would overflow: the
      // remnants of an exactly rank-deficient matrix, ~1e-300)
      if (i === 0 || !(Math.abs(alpha - d[i]) >= 2 ** -969))
        eng.gemvT(W + i * n + i + 1, n, len, cols, V, X);
      else {
        const sc = 1 / (alpha - d[i]);
        for (let j = 0; j < cols; j++) f[X + j] = f[W + i * n + i + 1 + j] + sc * f[ACC + j];
      }
      eng.axpy(-tq, X, W + i * n + i + 1, cols);
    }
    // right reflector: row i, columns i+1..n-1 (contiguous)
    const off = W + i * n + i + 1;
    const tp = householder(f, off, cols);
    taup[i] = tp;
    e[i] = f[off];
    f[off] = 1;
    // rows i+1..m-1: left update (−τq·v_r·wᵀ), the right reflector, and the next step's sums
    eng.gerReflRightAcc(
      W + (i + 1) * n + i + 1,
      n,
      m - i - 1,
      cols,
      tq === 0 ? 0 : -tq,
      V + 1,
      X,
      off,
      tp,
      ACC,
    );
    f[off] = e[i];
    doneWork += 2 * (m - i) * (n - i);
    ticker.tick(doneWork / total);
  }
  return { m, n, d, e, engine: eng, work: W, tauq, taup };
}

/**
 * Qᵀ restricted to its first `rows` rows (rows = n: thin, rows = m: full), as a rows×m
 * row-major block in the engine's heap (returns its index). Qᵀ = H_{n-1}···H_0, formed as
 * E·H_{n-1}···H_0 with row sweeps.
 */
export function formQt(b: Bidiagonal, rows: number, ticker: Ticker = noTicker): number {
  const { m, n, work, tauq, engine: eng } = b;
  const Q = eng.alloc64(rows * m);
  const V = eng.alloc64(m);
  const f = eng.f64;
  f.fill(0, Q, Q + rows * m);
  for (let i = 0; i < rows; i++) f[Q + i * m + i] = 1;
  for (let i = n - 1; i >= 0; i--) {
    const len = m - i;
    f[V] = 1;
    for (let k = 1; k < len; k++) f[V + k] = f[work + (i + k) * n + i];
    // rows < i are still unit vectors e_r with zeros in columns ≥ i
    eng.reflRight(Q + i * m + i, m, rows - i, len, V, tauq[i]);
    ticker.tick((n - i) / n);
  }
  return Q;
}

/** Pᵀ (n×n row-major) in the engine's heap (returns its index), Pᵀ = G_{n-3}···G_0. */
export function formPt(b: Bidiagonal, ticker: Ticker = noTicker): number {
  const { n, work, taup, engine: eng } = b;
  const P = eng.alloc64(n * n);
  const V = eng.alloc64(n);
  const f = eng.f64;
  f.fill(0, P, P + n * n);
  for (let i = 0; i < n; i++) f[P + i * n + i] = 1;
  for (let i = n - 3; i >= 0; i--) {
    const len = n - i - 1;
    f[V] = 1;
    for (let k = 1; k < len; k++) f[V + k] = f[work + i * n + i + 1 + k];
    eng.reflRight(P + (i + 1) * n + i + 1, n, n - i - 1, len, V, taup[i]);
    ticker.tick((n - i) / n);
  }
  return P;
}
