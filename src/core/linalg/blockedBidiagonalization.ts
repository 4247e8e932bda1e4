/**
 * Blocked Householder bidiagonalization A = Q·B·Pᵀ of a tall matrix (m ≥ n), B upper
 * bidiagonal. Reference: LAPACK dgebrd (blocked driver) and dlabrd (panel); Golub & Van Loan,
 * Matrix Computations (4th ed.), §5.4.8.
 *
 * A panel of nb columns/rows is reduced against the matrix as it stood at the start of the
 * panel. Step i brings column i up to date with the panel's earlier reflectors
 * (A −= V·Yᵀ + X·Uᵀ restricted to it), generates the left reflector v_i, forms
 * y_i = τq·(Aᵀv_i − Y·Vᵀv_i − U·Xᵀv_i), brings row i up to date, generates the right reflector
 * u_i and forms x_i = τp·(A·u_i − V·Yᵀu_i − X·Uᵀu_i). After the panel the trailing block takes
 * the whole update A₂₂ −= V·Yᵀ + X·Uᵀ as row blocks of one GEMM job (pooled, SIMD): half of the
 * flops leave the matrix-vector products for GEMM, and the two big products per step (Aᵀv, A·u)
 * are split over the pool too (./pooledLevel2). The trailing UNBLOCKED_TAIL columns run the
 * unblocked fused reduction (./householderBidiagonalization).
 *
 * The result has the unblocked reduction's layout (a {@link Bidiagonal}: v_i in column i below
 * the diagonal, u_i in row i right of the superdiagonal, LAPACK's tauq/taup), so formQt/formPt
 * (dorgbr-style) form Q and Pᵀ from it unchanged.
 *
 * Panel storage on the engine's heap, indexed by local row/column (global − panel start):
 * Z (2nb rows of length ≤ m): row 2p = v_p, row 2p+1 = x_p; Y (2nb rows of length ≤ n):
 * row 2p = y_p, row 2p+1 = u_p. The corrections are then single gemvT calls over the first
 * rows, and the trailing update one product Zᵀ·Y with k = 2nb.
 */
import { householder } from './householder';
import { Bidiagonal, bidiagonalize } from './householderBidiagonalization';
import { DgemmCall, dgemmCalls } from './gemm';
import { gemvNPooled, gemvTPooled } from './pooledLevel2';
import { Ticker, noTicker } from './progress';
import type { Engine } from './wasm/kernels';

/** Panel width (LAPACK's ilaenv default for dgebrd). */
export const BRD_PANEL = 32;
/** Columns left to the unblocked fused reduction at the end (cache-resident by then). */
const UNBLOCKED_TAIL = 128;
/** Rows per GEMM task of the trailing update. */
const UPDATE_ROWS = 96;

/**
 * Reduces a (m×n row-major, m ≥ n; or the f64 index of such a block already on the engine's
 * heap; copied, not modified) to bidiagonal form: blocked panels while more than
 * UNBLOCKED_TAIL columns remain, then unblocked.
 * `valuesOnly`: d and e are all the caller wants; the left reflectors of the blocked panels are
 * then not written back into the work matrix (formQt cannot be used on the result).
 */
export function bidiagonalizeBlocked(
  eng: Engine,
  a: Float64Array | number,
  m: number,
  n: number,
  ticker: Ticker = noTicker,
  panel = BRD_PANEL,
  tail = UNBLOCKED_TAIL,
  valuesOnly = false,
): Bidiagonal {
  if (m < n) throw new Error(`bidiagonalizeBlocked needs m ≥ n, got ${m}×${n}`);
  const nb = panel;
  const stop = Math.max(0, Math.floor((n - Math.max(tail, 1)) / nb) * nb);
  if (stop === 0)
    return bidiagonalize(eng, typeof a === 'number' ? eng.slice64(a, a + m * n) : a, m, n, ticker);
  const W = eng.alloc64(m * n);
  const Z = eng.alloc64(2 * nb * m);
  const Y = eng.alloc64(2 * nb * n);
  const C = eng.alloc64(Math.max(m, n));
  const S = eng.alloc64(2 * nb);
  const T = eng.alloc64(2 * nb);
  let f = eng.f64;
  // a byte copy (a memcpy; a Float64Array set into a shared memory goes element by element)
  if (typeof a === 'number') f.copyWithin(W, a, a + m * n);
  else
    new Uint8Array(f.buffer, W * 8, m * n * 8).set(
      new Uint8Array(a.buffer, a.byteOffset, m * n * 8),
    );
  const d = new Float64Array(n);
  const e = new Float64Array(n - 1);
  const tauq = new Float64Array(n);
  const taup = new Float64Array(n);
  const total = n * (m - n / 3) * n;
  for (let k = 0; k < stop; k += nb) {
    const M = m - k;
    const N = n - k;
    const A0 = W + k * n + k; // local (r, c) at A0 + r·n + c
    f.fill(0, Z, Z + 2 * nb * m);
    f.fill(0, Y, Y + 2 * nb * n);
    for (let i = 0; i < nb; i++) {
      const g = k + i;
      const lenC = M - i; // rows i..M-1
      const cols = N - i - 1; // columns i+1..N-1 (≥ 1: stop ≤ n − tail)
      const colI = A0 + i * n + i;
      // column i −= Σ_{p<i} v_p·y_p[i] + x_p·u_p[i], gathered into Z row 2i (one strided pass)
      const vz = Z + 2 * i * m + i;
      if (i > 0) {
        for (let p = 0; p < i; p++) {
          f[S + 2 * p] = f[Y + 2 * p * n + i];
          f[S + 2 * p + 1] = f[Y + (2 * p + 1) * n + i];
        }
        eng.gemvT(Z + i, m, 2 * i, lenC, S, C);
        for (let r = 0; r < lenC; r++) f[vz + r] = f[colI + r * n] - f[C + r];
      } else for (let r = 0; r < lenC; r++) f[vz + r] = f[colI + r * n];
      // left reflector v_i from it, kept in Z row 2i and (for Q) in column i
      const tq = householder(f, vz, lenC);
      d[g] = f[vz];
      f[vz] = 1;
      tauq[g] = tq;
      f[colI] = d[g];
      // nothing later in the panel reads column i: with the values only, v_i stays in Z
      if (!valuesOnly) for (let r = 1; r < lenC; r++) f[colI + r * n] = f[vz + r];
      // y_i = τq·(A[i:, i+1:]ᵀ·v − Y·(Vᵀv) − U·(Xᵀv)), local columns i+1..N-1
      const yi = Y + 2 * i * n + i + 1;
      if (tq !== 0) {
        gemvTPooled(eng, colI + 1, n, lenC, cols, vz, yi);
        if (i > 0) {
          eng.gemvN(Z + i, m, 2 * i, lenC, vz, T); // T[q] = Z row q · v (one call, not 2i dots)
          eng.gemvT(Y + i + 1, n, 2 * i, cols, T, C);
          eng.axpy(-1, C, yi, cols);
        }
        for (let j = 0; j < cols; j++) f[yi + j] *= tq;
      }
      // row i (columns i+1..) −= Σ_{p≤i} y_p·v_p[i] + Σ_{p<i} u_p·x_p[i]
      for (let p = 0; p <= i; p++) {
        f[S + 2 * p] = f[Z + 2 * p * m + i];
        f[S + 2 * p + 1] = f[Z + (2 * p + 1) * m + i];
      }
      eng.gemvT(Y + i + 1, n, 2 * i + 2, cols, S, C);
      const rowI = colI + 1;
      eng.axpy(-1, C, rowI, cols);
      // right reflector u_i from row i (columns i+1..N-1), kept in Y row 2i+1 and in row i
      const tp = householder(f, rowI, cols);
      e[g] = f[rowI];
      f[rowI] = 1;
      taup[g] = tp;
      const uy = Y + (2 * i + 1) * n + i + 1;
      f.copyWithin(uy, rowI, rowI + cols);
      f[rowI] = e[g];
      // x_i = τp·(A[i+1:, i+1:]·u − V·(Yᵀu) − X·(Uᵀu)), local rows i+1..M-1
      const rowsX = M - i - 1;
      const xi = Z + (2 * i + 1) * m + i + 1;
      if (tp !== 0) {
        gemvNPooled(eng, rowI + n, n, rowsX, cols, uy, xi);
        eng.gemvN(Y + i + 1, n, 2 * i + 1, cols, uy, T); // T[q] = Y row q · u
        f[T + 2 * i + 1] = 0; // x_i itself (being formed)
        eng.gemvT(Z + i + 1, m, 2 * i + 2, rowsX, T, C);
        eng.axpy(-1, C, xi, rowsX);
        for (let r = 0; r < rowsX; r++) f[xi + r] *= tp;
      }
    }
    // trailing A[nb:, nb:] −= Σ_p v_p·y_pᵀ + x_p·u_pᵀ = Zᵀ·Y, by row blocks
    const rest = M - nb;
    const calls: DgemmCall[] = [];
    for (let r0 = 0; r0 < rest; r0 += UPDATE_ROWS) {
      calls.push({
        m: Math.min(rest, r0 + UPDATE_ROWS) - r0,
        n: N - nb,
        k: 2 * nb,
        alpha: -1,
        a: Z + nb + r0,
        ars: 1,
        acs: m,
        b: Y + nb,
        brs: n,
        bcs: 1,
        c: A0 + (nb + r0) * n + nb,
        ldc: n,
      });
    }
    dgemmCalls(eng, calls);
    f = eng.f64;
    const doneCols = k + nb;
    ticker.tick((doneCols * (m - doneCols / 3) * doneCols) / total);
  }
  // the trailing (m − stop)×(n − stop) block: unblocked, then its reflectors copied back
  const M = m - stop;
  const N = n - stop;
  const blk = new Float64Array(M * N);
  for (let r = 0; r < M; r++) {
    const src = W + (stop + r) * n + stop;
    blk.set(f.subarray(src, src + N), r * N);
  }
  const t = bidiagonalize(eng, blk, M, N);
  f = eng.f64;
  for (let r = 0; r < M; r++) {
    const src = t.work + r * N;
    f.copyWithin(W + (stop + r) * n + stop, src, src + N);
  }
  d.set(t.d, stop);
  e.set(t.e, stop);
  tauq.set(t.tauq, stop);
  taup.set(t.taup, stop);
  ticker.tick(1);
  return { m, n, d, e, engine: eng, work: W, tauq, taup };
}
