/**
 * Symmetric eigen-decomposition A = Z·diag(λ)·Zᵀ: Householder tridiagonalization followed by
 * the implicit QL iteration with Wilkinson shifts.
 * Reference: LAPACK dsytd2 (tridiagonal reduction) and dsteqr (implicit QL/QR); EISPACK
 * tql2; Golub & Van Loan §8.3. Eigenvectors are kept as rows of Zᵀ so that every rotation
 * touches two contiguous rows.
 */
import { LensError } from '../errors';
import { Matrix, assertFinite } from './matrix';
import { householder, hypot, reflectRowsRight } from './householder';
import { Progress, Ticker, noTicker } from './progress';

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
 * Reduces symmetric a (uses the lower triangle; full storage is updated) to tridiagonal
 * T = Qᵀ A Q. Returns diag, offdiag and (when wanted) Qᵀ row-major.
 */
function tridiagonalize(
  a: Matrix,
  wantQ: boolean,
  ticker: Ticker,
): { d: Float64Array; e: Float64Array; qt?: Float64Array } {
  const n = a.rows;
  const w = a.data.slice();
  // symmetrize from the lower triangle
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) w[j * n + i] = w[i * n + j];
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const taus = new Float64Array(n);
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const len = n - k - 1;
    // x = A[k+1:, k] = A[k, k+1:] (row k, contiguous by symmetry)
    const off = k * n + k + 1;
    const tau = householder(w, off, len);
    const beta = w[off];
    e[k] = beta;
    taus[k] = tau;
    v[0] = 1;
    for (let i = 1; i < len; i++) v[i] = w[off + i];
    if (tau !== 0) {
      // p = tau * A22 v ; w = p - (tau/2)(pᵀv) v ; A22 -= v wᵀ + w vᵀ
      const s = k + 1;
      let pv = 0;
      for (let i = 0; i < len; i++) {
        const base = (s + i) * n + s;
        let acc = 0;
        for (let j = 0; j < len; j++) acc += w[base + j] * v[j];
        p[i] = tau * acc;
        pv += p[i] * v[i];
      }
      const alpha = -0.5 * tau * pv;
      for (let i = 0; i < len; i++) p[i] += alpha * v[i];
      for (let i = 0; i < len; i++) {
        const base = (s + i) * n + s;
        const vi = v[i];
        const pi = p[i];
        for (let j = 0; j < len; j++) w[base + j] -= vi * p[j] + pi * v[j];
      }
    }
    // keep v in row k (after the superdiagonal) for forming Q
    w[off] = 1;
    ticker.tick(1 - ((n - k) / n) ** 3);
  }
  for (let i = 0; i < n; i++) d[i] = w[i * n + i];
  if (n >= 2) e[n - 2] = w[(n - 2) * n + n - 1];
  if (!wantQ) return { d, e };
  // Qᵀ = H_{n-3}···H_0, formed as I·H_{n-3}···H_0 (rows ≤ k untouched by H_k)
  const qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const len = n - k - 1;
    reflectRowsRight(qt, n, k + 1, n, k + 1, len, w, k * n + k + 1, taus[k]);
  }
  return { d, e, qt };
}

/**
 * Implicit QL with Wilkinson shifts on (d, e) in place; e[i] couples d[i], d[i+1].
 * Rotations are applied to rows of zt (n×n) when given.
 */
function tridiagonalQL(
  d: Float64Array,
  e0: Float64Array,
  zt: Float64Array | undefined,
  ticker: Ticker,
): void {
  const n = d.length;
  const e = new Float64Array(n);
  e.set(e0);
  const EPS = 2 ** -52;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= EPS * dd) break;
      }
      if (m === l) break;
      if (++iter > 60)
        throw new LensError('symmetric eigenvalues did not converge (QL)', 'numeric');
      ticker.tick(l / n);
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (zt) {
          // columns i, i+1 of Z ⇔ rows i, i+1 of Zᵀ
          let pi = i * n;
          let pj = (i + 1) * n;
          const end = pi + n;
          for (; pi < end; pi++, pj++) {
            const fz = zt[pj];
            zt[pj] = s * zt[pi] + c * fz;
            zt[pi] = c * zt[pi] - s * fz;
          }
        }
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/** Eigenvalues (ascending) and optionally eigenvectors of a symmetric matrix. */
export function symmetricEigen(
  a: Matrix,
  opts: { vectors?: boolean; progress?: Progress } = {},
): SymmetricEigen {
  if (a.rows !== a.cols)
    throw new LensError(`eigenvalues need a square matrix, got ${a.rows}×${a.cols}`);
  assertFinite(a);
  const n = a.rows;
  const t = opts.progress ? new Ticker(opts.progress) : noTicker;
  const want = !!opts.vectors;
  const { d, e, qt } = tridiagonalize(a, want, t.sub(0, 0.7));
  tridiagonalQL(d, e, qt, t.sub(0.7, 1));
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
