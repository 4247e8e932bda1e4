/**
 * Householder bidiagonalization A = Q·B·Pᵀ of a tall matrix (m ≥ n), B upper bidiagonal.
 * Reference: LAPACK dgebd2 (unblocked reduction) and dorgbr (forming Q and Pᵀ); Golub &
 * Van Loan §5.4.8 (Golub–Kahan bidiagonalization). Written for row-major storage: every
 * reflector is applied with contiguous row sweeps.
 */
import { householder, reflectRowsLeft, reflectRowsRight } from './householder';
import { Ticker, noTicker } from './progress';

export interface Bidiagonal {
  m: number;
  n: number;
  /** diagonal (n) */
  d: Float64Array;
  /** superdiagonal (n-1) */
  e: Float64Array;
  /** reflectors: column i below the diagonal holds v_i (left), row i right of the
   *  superdiagonal holds u_i (right); work is m×n row-major. */
  work: Float64Array;
  tauq: Float64Array;
  taup: Float64Array;
}

/** Reduces a (m×n row-major, m ≥ n; copied, not modified) to bidiagonal form. */
export function bidiagonalize(
  a: Float64Array,
  m: number,
  n: number,
  ticker: Ticker = noTicker,
): Bidiagonal {
  const w = a.slice();
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const tauq = new Float64Array(n);
  const taup = new Float64Array(n);
  const v = new Float64Array(m);
  const scratch = new Float64Array(n);
  const total = n * (m - n / 3) * n || 1;
  let doneWork = 0;
  for (let i = 0; i < n; i++) {
    // left reflector: column i, rows i..m-1
    const len = m - i;
    for (let k = 0; k < len; k++) v[k] = w[(i + k) * n + i];
    const tq = householder(v, 0, len);
    d[i] = v[0];
    v[0] = 1;
    tauq[i] = tq;
    for (let k = 1; k < len; k++) w[(i + k) * n + i] = v[k];
    w[i * n + i] = d[i];
    reflectRowsLeft(w, n, i, len, i + 1, n, v, 0, tq, scratch);
    if (i < n - 1) {
      // right reflector: row i, columns i+1..n-1 (contiguous)
      const off = i * n + i + 1;
      const tp = householder(w, off, n - i - 1);
      taup[i] = tp;
      e[i] = w[off];
      w[off] = 1;
      reflectRowsRight(w, n, i + 1, m, i + 1, n - i - 1, w, off, tp);
      w[off] = e[i];
    }
    doneWork += 2 * (m - i) * (n - i);
    ticker.tick(doneWork / total);
  }
  return { m, n, d, e, work: w, tauq, taup };
}

/**
 * Qᵀ restricted to its first `rows` rows (rows = n: thin, rows = m: full), as a rows×m
 * row-major array. Qᵀ = H_{n-1}···H_0, formed as E·H_{n-1}···H_0 with row sweeps.
 */
export function formQt(b: Bidiagonal, rows: number, ticker: Ticker = noTicker): Float64Array {
  const { m, n, work, tauq } = b;
  const qt = new Float64Array(rows * m);
  for (let i = 0; i < rows; i++) qt[i * m + i] = 1;
  const v = new Float64Array(m);
  for (let i = n - 1; i >= 0; i--) {
    const len = m - i;
    v[0] = 1;
    for (let k = 1; k < len; k++) v[k] = work[(i + k) * n + i];
    // rows < i are still unit vectors e_r with zeros in columns ≥ i
    reflectRowsRight(qt, m, i, rows, i, len, v, 0, tauq[i]);
    ticker.tick((n - i) / n);
  }
  return qt;
}

/** Pᵀ (n×n row-major), Pᵀ = G_{n-3}···G_0. */
export function formPt(b: Bidiagonal, ticker: Ticker = noTicker): Float64Array {
  const { n, work, taup } = b;
  const pt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) pt[i * n + i] = 1;
  const v = new Float64Array(n);
  for (let i = n - 3; i >= 0; i--) {
    const len = n - i - 1;
    v[0] = 1;
    for (let k = 1; k < len; k++) v[k] = work[i * n + i + 1 + k];
    reflectRowsRight(pt, n, i + 1, n, i + 1, len, v, 0, taup[i]);
    ticker.tick((n - i) / n);
  }
  return pt;
}
