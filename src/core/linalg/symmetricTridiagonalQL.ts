/**
 * Symmetric eigen-decomposition A = Z·diag(λ)·Zᵀ: Householder tridiagonalization followed by
 * the implicit QL iteration with Wilkinson shifts.
 * Reference: LAPACK dsytd2 (tridiagonal reduction) and dsteqr (implicit QL/QR); EISPACK
 * tql2; Golub & Van Loan §8.3. Eigenvectors are kept as rows of Zᵀ so that every rotation
 * touches two contiguous rows.
 */
import { maxAbs, safeScaleExponent, scaleArray } from './scaling';
import { LensError } from '../errors';
import { Matrix, assertFinite } from './matrix';
import { householder } from './householder';
import { Engine, withEngine } from './wasm/kernels';
import { Progress, Ticker, noTicker } from './progress';
import { PANEL, blockedTridiagonalHead } from './blockedTridiagonal';
import { tridiagonalEigenvalues } from './rootFreeQL';
import { tridiagonalQL } from './implicitQL';

export interface SymmetricEigen {
  /** ascending, like numpy.linalg.eigh */
  values: Float64Array;
  /** columns are eigenvectors (n×n), when requested */
  vectors?: Matrix;
}

/** True when a is square and exactly symmetric (a[i][j] === a[j][i]). */
export function isSymmetric(a: Matrix, relTol = 0): boolean {
  if (a.rows !== a.cols) return false;
  const n = a.rows;
  const d = a.data;
  let scale = 0;
  if (relTol > 0) for (let i = 0; i < d.length; i++) scale = Math.max(scale, Math.abs(d[i]));
  const tol = relTol * scale;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) if (Math.abs(d[i * n + j] - d[j * n + i]) > tol) return false;
  return true;
}

/**
 * Reduces symmetric a (reads and updates only its lower triangle) to tridiagonal T = Qᵀ A Q.
 * Returns diag, offdiag and (when wanted) Qᵀ row-major. Runs on the engine's heap; each step is
 * one fused pass over the lower triangle of the trailing block: the rank-2 update
 * A −= v·pᵀ + p·vᵀ of a row, then that row's share of the next product p' = A'v' (a dot and an
 * axpy on the same row). The next reflector comes from the first trailing column, which is
 * updated (and reduced) first. Reflector k is kept in row k right of the diagonal.
 */
function tridiagonalize(
  eng: Engine,
  a: Matrix,
  wantQ: boolean,
  ticker: Ticker,
): { d: Float64Array; e: Float64Array; qt?: Float64Array } {
  const n = a.rows;
  const W = eng.alloc64(n * n);
  const P = eng.alloc64(n);
  const PN = eng.alloc64(n);
  const Z = eng.alloc64(n);
  const Q = wantQ ? eng.alloc64(n * n) : 0;
  const w = eng.f64; // no allocation below: the view stays valid
  w.set(a.data, W);
  w.fill(0, Z, Z + n);
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const taus = new Float64Array(n);
  // reflector of step k: column k below the diagonal, copied into row k right of the diagonal
  const reflect = (k: number): number => {
    const off = W + k * n + k + 1;
    for (let i = 0; i < n - k - 1; i++) w[off + i] = w[W + (k + 1 + i) * n + k];
    const tau = householder(w, off, n - k - 1);
    e[k] = w[off];
    taus[k] = tau;
    w[off] = 1;
    return off;
  };
  if (n > 2) {
    const v0 = reflect(0);
    // p = A22·v for the first step (later steps get it from the fused pass)
    eng.symvLower(W + n + 1, n, n - 1, v0, PN);
  }
  for (let k = 0; k < n - 2; k++) {
    const len = n - k - 1;
    const s = k + 1;
    const v = W + k * n + k + 1;
    const tau = taus[k];
    // p = tau·A22·v ; p −= (tau/2)(pᵀv)·v
    let pv = 0;
    for (let i = 0; i < len; i++) {
      const pi = tau * w[PN + i];
      w[P + i] = pi;
      pv += pi * w[v + i];
    }
    eng.axpy(-0.5 * tau * pv, v, P, len);
    // first trailing column (and its diagonal entry), then the next reflector from it
    const b = W + s * n + s;
    const v0 = w[v];
    const p0 = w[P];
    w[b] -= 2 * v0 * p0;
    for (let i = 1; i < len; i++) w[b + i * n] -= w[v + i] * p0 + w[P + i] * v0;
    const vn = k + 1 < n - 2 ? reflect(k + 1) : Z;
    eng.syr2SymvLower(b, n, len, v, P, vn, PN);
    ticker.tick(1 - ((n - k) / n) ** 3);
  }
  for (let i = 0; i < n; i++) d[i] = w[W + i * n + i];
  if (n >= 2) e[n - 2] = w[W + (n - 1) * n + n - 2];
  if (!wantQ) return { d, e };
  // Qᵀ = H_{n-3}···H_0, formed as I·H_{n-3}···H_0 (rows ≤ k untouched by H_k)
  w.fill(0, Q, Q + n * n);
  for (let i = 0; i < n; i++) w[Q + i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const len = n - k - 1;
    eng.reflRight(Q + (k + 1) * n + k + 1, n, n - k - 1, len, W + k * n + k + 1, taus[k]);
  }
  return { d, e, qt: eng.slice64(Q, Q + n * n) };
}

/** Sizes from which the eigenvalues-only reduction runs blocked (dsytrd's crossover). */
const BLOCKED_FROM = 256;
/** Columns left to the unblocked fused reduction at the end (cache-resident by then). */
const UNBLOCKED_TAIL = 128;

/**
 * Eigenvalues only: the blocked reduction (./blockedTridiagonal) for the leading columns, the
 * unblocked fused one for the trailing UNBLOCKED_TAIL or so. (Exported for the component
 * timings of scripts/bench-symeig.mjs.)
 */
export function tridiagonalizeBlocked(
  eng: Engine,
  a: Matrix,
  ticker: Ticker,
): { d: Float64Array; e: Float64Array; qt?: Float64Array } {
  const n = a.rows;
  const stop = Math.floor((n - UNBLOCKED_TAIL) / PANEL) * PANEL;
  const W = eng.alloc64(n * n);
  eng.f64.set(a.data, W);
  const d = new Float64Array(n);
  const e = new Float64Array(n - 1);
  blockedTridiagonalHead(eng, W, n, stop, d, e, ticker.sub(0, 0.97));
  const r = n - stop;
  const tail = new Float64Array(r * r);
  const w = eng.f64;
  for (let i = 0; i < r; i++) {
    const row = W + (stop + i) * n + stop;
    for (let j = 0; j <= i; j++) tail[i * r + j] = tail[j * r + i] = w[row + j];
  }
  const rest = tridiagonalize(eng, { rows: r, cols: r, data: tail }, false, ticker.sub(0.97, 1));
  d.set(rest.d, stop);
  e.set(rest.e, stop);
  return { d, e };
}

/** Eigenvalues (ascending) and optionally eigenvectors of a symmetric matrix. */
export function symmetricEigen(
  a0: Matrix,
  opts: { vectors?: boolean; progress?: Progress } = {},
): SymmetricEigen {
  if (a0.rows !== a0.cols)
    throw new LensError(`eigenvalues need a square matrix, got ${a0.rows}×${a0.cols}`);
  const n0 = a0.rows;
  // one pass for both checks: the largest magnitude is NaN or ∞ exactly when an entry is
  const amax = maxAbs(a0.data);
  if (!Number.isFinite(amax)) assertFinite(a0); // throws, with the counts
  // outside the safe range, reduce 2^k·A and scale λ back (LAPACK dsyev's dlascl)
  const scaleExp = safeScaleExponent(amax);
  const a =
    scaleExp === 0 ? a0 : { rows: n0, cols: n0, data: scaleArray(a0.data.slice(), scaleExp) };
  const n = a.rows;
  const t = opts.progress ? new Ticker(opts.progress) : noTicker;
  const want = !!opts.vectors;
  const { d, e, qt } = withEngine((eng) =>
    want || n < BLOCKED_FROM
      ? tridiagonalize(eng, a, want, t.sub(0, 0.7))
      : tridiagonalizeBlocked(eng, a, t.sub(0, 0.7)),
  );
  // eigenvalues only: the root-free QL (dsterf), no square root per rotation
  if (want) tridiagonalQL(d, e, qt, t.sub(0.7, 1));
  else tridiagonalEigenvalues(d, e);
  scaleArray(d, -scaleExp);
  // sort ascending with vectors
  const order = Array.from(d.keys()).sort((x, y) => d[x] - d[y]);
  const values = Float64Array.from(order, (i) => d[i]);
  if (!want || !qt) return { values };
  const vec = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const src = order[c] * n;
    for (let r = 0; r < n; r++) vec[r * n + c] = qt[src + r];
  }
  t.done();
  return { values, vectors: { rows: n, cols: n, data: vec } };
}
