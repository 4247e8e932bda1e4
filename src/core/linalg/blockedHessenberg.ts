/**
 * Blocked Householder reduction of a general matrix to upper Hessenberg form, H = Qᵀ A Q, for
 * the leading columns (the caller finishes the trailing block with the unblocked reduction).
 * Reference: LAPACK dgehrd (blocked driver) and dlahr2 (panel); G. Quintana-Ortí and R. van de
 * Geijn, "Improving the performance of reduction to Hessenberg form", ACM TOMS 32 (2006);
 * Golub & Van Loan, Matrix Computations (4th ed.), §5.1.6 (compact WY) and §7.4.3.
 *
 * A panel of nb columns starting at column k is reduced against the matrix A₀ as it stood at
 * the start of the panel. With the panel's first i reflectors as Q = I − V·T·Vᵀ (V zero in
 * rows ≤ k) and Y = A₀·V·T (all n rows), column c = k + i of QᵀA₀Q is
 *   b = A₀(:, c) − Y·V(c, :)ᵀ,  then on rows k+1..: b −= V·Tᵀ·(Vᵀ·b),
 * which is final (the later reflectors touch columns ≥ c + 2 only). Its reflector v gives
 *   T(:i, i) = −τ·T·(Vᵀv), T(i, i) = τ,  Y(:, i) = τ·(A₀·v − Y·(Vᵀv)),
 * where A₀·v reads columns c+1.. of A, not yet written: that product is the panel's level-2
 * work. After the panel the trailing columns J = k+nb.. take, as GEMMs over the pool,
 *   A(:, J) −= Y·V(J, :)ᵀ  (right),  then  A(k+1:, J) −= V·(Tᵀ·(Vᵀ·A(k+1:, J)))  (left).
 *
 * Storage (on the engine's heap, row-major, indices into f64): A n×n at `a`; V and Y as the rows
 * of Vt and Yt (nb×n: row p = column p, indexed by global row); T nb×nb row-major.
 */
import { householder } from './householder';
import { DgemmCall, dgemmCalls } from './gemm';
import { Ticker } from './progress';
import { Engine } from './wasm/kernels';

/** Panel width (LAPACK's ilaenv default for dgehrd). */
export const HESS_PANEL = 32;
/** Columns left to the unblocked reduction at least (the panels stop before them). */
export const HESS_TAIL = 64;
/** Orders from which generalEigen reduces by panels (below: unblocked only). */
export const HESS_BLOCKED_MIN = 128;

/** Columns per GEMM call of the trailing updates (a job's calls run over the pool). */
const BLOCK_COLS = 128;
/** Rows per GEMM call of the right update. */
const BLOCK_ROWS = 120;

/** How many leading columns of an n×n matrix the panels reduce (a multiple of HESS_PANEL). */
export function blockedHessenbergStop(n: number): number {
  if (n < HESS_BLOCKED_MIN) return 0;
  return Math.max(0, Math.floor((n - HESS_TAIL) / HESS_PANEL) * HESS_PANEL);
}

/**
 * Reduces columns 0..stop-1 of the n×n matrix at heap index `a` (row-major), stop a multiple of
 * HESS_PANEL with stop ≤ n − 3: on return those columns are in Hessenberg form (zeros below the
 * subdiagonal) and the columns from stop on hold the matrix still to reduce (all n rows up to
 * date). The reflectors are not kept (eigenvalues only).
 */
export function blockedHessenbergHead(
  eng: Engine,
  a: number,
  n: number,
  stop: number,
  ticker: Ticker,
): void {
  const nb = HESS_PANEL;
  const Vt = eng.alloc64(nb * n);
  const Yt = eng.alloc64(nb * n);
  const Tm = eng.alloc64(nb * nb); // T, row-major
  const W = eng.alloc64(nb * n); // Vᵀ·A(k+1:, J)
  const W2 = eng.alloc64(nb * n); // Tᵀ·W
  const Z = eng.alloc64(n * nb); // A₀(:k+1, k+1:)·V, row-major (k+1)×nb
  const Ytop = eng.alloc64(n * nb); // Y(:k+1, :) = Z·T, row-major
  const B = eng.alloc64(n); // the current column
  const C = eng.alloc64(n); // products
  const S = eng.alloc64(nb); // coefficients
  const U = eng.alloc64(nb);
  const t = new Float64Array(nb * nb); // T in JavaScript (small products)
  let w = eng.f64; // re-read after each GEMM job (its scratch may grow the heap)
  for (let k = 0; k < stop; k += nb) {
    w.fill(0, Vt, Vt + nb * n);
    t.fill(0);
    for (let i = 0; i < nb; i++) {
      const c = k + i;
      // rows k+1..: b = A₀(:, c) − Y(:, :i)·V(c, :i)ᵀ, then b −= V·Tᵀ·(Vᵀ·b)
      for (let r = k + 1; r < n; r++) w[B + r] = w[a + r * n + c];
      if (i > 0) {
        const m = n - k - 1;
        for (let p = 0; p < i; p++) w[S + p] = w[Vt + p * n + c];
        eng.gemvT(Yt + k + 1, n, i, m, S, C);
        eng.axpy(-1, C, B + k + 1, m);
        eng.gemvN(Vt + k + 1, n, i, m, B + k + 1, S);
        for (let p = i - 1; p >= 0; p--) {
          // u_p = (Tᵀs)_p = Σ_{q ≤ p} T(q, p)·s_q
          let acc = 0;
          for (let q = 0; q <= p; q++) acc += t[q * nb + p] * w[S + q];
          w[U + p] = acc;
        }
        eng.gemvT(Vt + k + 1, n, i, m, U, C);
        eng.axpy(-1, C, B + k + 1, m);
      }
      // reflector from b(c+1:)
      const len = n - c - 1;
      const v = Vt + i * n + c + 1; // its row of Vt, from global row c+1
      w.copyWithin(v, B + c + 1, B + n);
      const tau = householder(w, v, len);
      const beta = w[v];
      w[v] = 1;
      // column c is final below row k: rows k+1..c from b, β, zeros
      for (let r = k + 1; r <= c; r++) w[a + r * n + c] = w[B + r];
      w[a + (c + 1) * n + c] = beta;
      for (let r = c + 2; r < n; r++) w[a + r * n + c] = 0;
      // s = V(:, :i)ᵀ·v; T(:i, i) = −τ·T·s; Y(k+1:, i) = τ·(A₀·v − Y(:, :i)·s) (rows k+1..)
      const y = Yt + i * n;
      const m = n - k - 1;
      eng.gemvN(a + (k + 1) * n + c + 1, n, m, len, v, y + k + 1);
      if (i > 0) {
        eng.gemvN(Vt + c + 1, n, i, len, v, S);
        for (let p = 0; p < i; p++) {
          let acc = 0;
          for (let q = p; q < i; q++) acc += t[p * nb + q] * w[S + q];
          t[p * nb + i] = -tau * acc;
        }
        eng.gemvT(Yt + k + 1, n, i, m, S, C);
        eng.axpy(-1, C, y + k + 1, m);
      }
      t[i * nb + i] = tau;
      for (let r = k + 1; r < n; r++) w[y + r] *= tau;
    }
    trailingUpdate(eng, a, n, k, Vt, Yt, Tm, W, W2, Z, Ytop, t);
    w = eng.f64;
    ticker.tick(1 - ((n - k - nb) / n) ** 3);
  }
}

/** The panel's GEMM updates of columns J = k+nb..n-1 (right, then left). */
function trailingUpdate(
  eng: Engine,
  a: number,
  n: number,
  k: number,
  Vt: number,
  Yt: number,
  Tm: number,
  W: number,
  W2: number,
  Z: number,
  Ytop: number,
  t: Float64Array,
): void {
  const nb = HESS_PANEL;
  const j0 = k + nb;
  const m = n - k - 1; // rows k+1..n-1
  const top = k + 1; // rows 0..k: their Y by GEMM now (the panel left them, and A₀ there)
  let f = eng.f64;
  f.fill(0, Z, Z + top * nb);
  f.fill(0, Ytop, Ytop + top * nb);
  f.set(t, Tm);
  const topBlocks: [number, number][] = [];
  for (let r0 = 0; r0 < top; r0 += BLOCK_ROWS) topBlocks.push([r0, Math.min(top, r0 + BLOCK_ROWS)]);
  // Z = A₀(:k+1, k+1:)·V(k+1:, :); Y(:k+1, :) = Z·T
  dgemmCalls(
    eng,
    topBlocks.map(([r0, r1]) => ({
      m: r1 - r0,
      n: nb,
      k: m,
      alpha: 1,
      a: a + r0 * n + k + 1,
      ars: n,
      acs: 1,
      b: Vt + k + 1,
      brs: 1,
      bcs: n,
      c: Z + r0 * nb,
      ldc: nb,
    })),
  );
  dgemmCalls(
    eng,
    topBlocks.map(([r0, r1]) => ({
      m: r1 - r0,
      n: nb,
      k: nb,
      alpha: 1,
      a: Z + r0 * nb,
      ars: nb,
      acs: 1,
      b: Tm,
      brs: nb,
      bcs: 1,
      c: Ytop + r0 * nb,
      ldc: nb,
    })),
  );
  // right: A(:k+1, k+1:) −= Y(:k+1, :)·V(k+1:, :)ᵀ (the panel's columns too: V(c, j) = 0 for
  // j ≥ c − k) and A(k+1:, J) −= Y(k+1:, :)·V(J, :)ᵀ, row blocks × column blocks
  const colsFrom = (from: number) => {
    const out: [number, number][] = [];
    for (let c0 = from; c0 < n; c0 += BLOCK_COLS) out.push([c0, Math.min(n, c0 + BLOCK_COLS)]);
    return out;
  };
  const colBlocks = colsFrom(j0);
  const right: DgemmCall[] = [];
  for (const [r0, r1] of topBlocks)
    for (const [c0, c1] of colsFrom(k + 1))
      right.push({
        m: r1 - r0,
        n: c1 - c0,
        k: nb,
        alpha: -1,
        a: Ytop + r0 * nb,
        ars: nb,
        acs: 1,
        b: Vt + c0,
        brs: n,
        bcs: 1,
        c: a + r0 * n + c0,
        ldc: n,
      });
  for (let r0 = top; r0 < n; r0 += BLOCK_ROWS)
    for (const [c0, c1] of colBlocks)
      right.push({
        m: Math.min(n, r0 + BLOCK_ROWS) - r0,
        n: c1 - c0,
        k: nb,
        alpha: -1,
        a: Yt + r0,
        ars: 1,
        acs: n,
        b: Vt + c0,
        brs: n,
        bcs: 1,
        c: a + r0 * n + c0,
        ldc: n,
      });
  dgemmCalls(eng, right);
  // left: W = Vᵀ·A(k+1:, J); W2 = Tᵀ·W; A(k+1:, J) −= V·W2 (W, W2 nb×n, column = global column)
  f = eng.f64;
  f.fill(0, W, W + nb * n);
  f.fill(0, W2, W2 + nb * n);
  dgemmCalls(
    eng,
    colBlocks.map(([c0, c1]) => ({
      m: nb,
      n: c1 - c0,
      k: m,
      alpha: 1,
      a: Vt + k + 1,
      ars: n,
      acs: 1,
      b: a + (k + 1) * n + c0,
      brs: n,
      bcs: 1,
      c: W + c0,
      ldc: n,
    })),
  );
  dgemmCalls(
    eng,
    colBlocks.map(([c0, c1]) => ({
      m: nb,
      n: c1 - c0,
      k: nb,
      alpha: 1,
      a: Tm,
      ars: 1,
      acs: nb,
      b: W + c0,
      brs: n,
      bcs: 1,
      c: W2 + c0,
      ldc: n,
    })),
  );
  const left: DgemmCall[] = [];
  for (let r0 = 0; r0 < m; r0 += BLOCK_ROWS)
    for (const [c0, c1] of colBlocks)
      left.push({
        m: Math.min(m, r0 + BLOCK_ROWS) - r0,
        n: c1 - c0,
        k: nb,
        alpha: -1,
        a: Vt + k + 1 + r0,
        ars: 1,
        acs: n,
        b: W2 + c0,
        brs: n,
        bcs: 1,
        c: a + (k + 1 + r0) * n + c0,
        ldc: n,
      });
  dgemmCalls(eng, left);
}
