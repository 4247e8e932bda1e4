/**
 * Blocked Householder QR of a tall matrix for its singular values: A = Q·R (m ≥ n), returning
 * the n×n triangle whose singular values are A's. What LAPACK's dgesdd/dgesvd do first when
 * m is well above n (dgesdd without vectors: m ≥ 11n/6): the QR is mostly GEMM (compact WY
 * blocks), and the bidiagonalization then runs on n×n instead of m×n, so the slow
 * matrix-vector half of the bidiagonalization shrinks with it.
 * Reference: LAPACK dgeqrf (blocked driver), dgeqr2 (panel), dlarft (forward, columnwise T),
 * dlarfb (block reflector); Golub & Van Loan, Matrix Computations (4th ed.), §5.2.2–5.2.3,
 * Schreiber & Van Loan's compact WY form.
 *
 * Storage: the work is on X = Aᵀ (n×m row-major on the engine's heap), so that column j of A,
 * which reflector j reduces, is a contiguous row. Reflector j lives in row j of X from column
 * j on (v₀ = 1 implied, β = R(j, j) in its place); applying Qᵀ from the left to A is applying
 * Q from the right to X. A panel of nb rows is reduced with the reflRight kernel, then the
 * rows below it take X₂ ← X₂ − ((X₂·Vᵀ)·T)·V as three GEMM jobs (pooled by row blocks).
 * The result is Rᵀ (lower triangular, row-major): X's first n columns with the reflectors
 * cleared.
 */
import { householder } from './householder';
import { DgemmCall, dgemmCalls } from './gemm';
import { Ticker, noTicker } from './progress';
import type { Engine } from './wasm/kernels';

/** Panel width (LAPACK's ilaenv default for dgeqrf). */
export const QR_PANEL = 32;
/** Rows per GEMM task of the trailing update. */
const UPDATE_ROWS = 96;

/**
 * m/n from which the singular values go through a QR first (LAPACK dgesdd's MNTHR for
 * JOBZ = 'N': ⌊11·n/6⌋).
 */
export function qrFirstFor(m: number, n: number): boolean {
  return n >= 2 && m >= Math.floor((11 * n) / 6);
}

/**
 * Rᵀ (n×n, row-major, lower triangular) of A = Q·R for a (m×n row-major, m ≥ n; not modified):
 * σ(Rᵀ) = σ(A). With `transposed`, `a` holds Aᵀ (n×m row-major: a wide matrix whose singular
 * values are wanted), which is the working layout itself. Returns the f64 index of Rᵀ on the
 * engine's heap (allocated first, so it outlives the work space released here; a fresh JS
 * array of that size would cost its first-touch page faults).
 */
export function tallTriangle(
  eng: Engine,
  a: Float64Array,
  m: number,
  n: number,
  ticker: Ticker = noTicker,
  transposed = false,
  panel = QR_PANEL,
): number {
  if (m < n) throw new Error(`tallTriangle needs m ≥ n, got ${m}×${n}`);
  const nb = Math.max(1, panel);
  const L = eng.alloc64(n * n);
  const mk = eng.mark();
  try {
    const X = eng.alloc64(n * m);
    const V = eng.alloc64(nb * m);
    const T = eng.alloc64(nb * nb);
    const W1 = eng.alloc64(n * nb);
    const W2 = eng.alloc64(n * nb);
    let f = eng.f64;
    // X = Aᵀ: a byte copy when given transposed, else by tiles (both sides stay in cache)
    const B = 64;
    if (transposed)
      new Uint8Array(f.buffer, X * 8, n * m * 8).set(
        new Uint8Array(a.buffer, a.byteOffset, n * m * 8),
      );
    else
      for (let i0 = 0; i0 < m; i0 += B)
        for (let j0 = 0; j0 < n; j0 += B) {
          const i1 = Math.min(m, i0 + B);
          const j1 = Math.min(n, j0 + B);
          for (let j = j0; j < j1; j++) {
            const o = X + j * m;
            for (let i = i0; i < i1; i++) f[o + i] = a[i * n + j];
          }
        }
    const tau = new Float64Array(nb);
    const total = m * n * n - (n * n * n) / 3;
    for (let j0 = 0; j0 < n; j0 += nb) {
      const jb = Math.min(nb, n - j0);
      const len = m - j0;
      // the panel: rows j0..j0+jb−1 of X, unblocked
      for (let i = 0; i < jb; i++) {
        const r = j0 + i;
        const off = X + r * m + r;
        const t = householder(f, off, m - r);
        tau[i] = t;
        if (t !== 0 && i < jb - 1) {
          const beta = f[off];
          f[off] = 1;
          eng.reflRight(off + m, m, jb - 1 - i, m - r, off, t);
          f[off] = beta;
        }
      }
      const rows2 = n - j0 - jb;
      if (rows2 > 0) {
        // V (jb×len): the panel's reflectors with their zeros and unit leading entries
        f.fill(0, V, V + jb * len);
        for (let i = 0; i < jb; i++) {
          const src = X + (j0 + i) * m + j0 + i;
          f.copyWithin(V + i * len + i, src, src + len - i);
          f[V + i * len + i] = 1;
        }
        // T (jb×jb upper triangular): H₁⋯H_jb = I − Vᵀ·T·V (dlarft, forward)
        f.fill(0, T, T + jb * jb);
        for (let i = 0; i < jb; i++) {
          const ti = tau[i];
          f[T + i * jb + i] = ti;
          if (ti === 0 || i === 0) continue;
          // T[0:i, i] = −τᵢ·T[0:i, 0:i]·(V[0:i]·vᵢ)
          for (let p = 0; p < i; p++)
            f[W1 + p] = -ti * eng.dot(V + p * len + i, V + i * len + i, len - i);
          for (let p = 0; p < i; p++) {
            let s = 0;
            for (let q = p; q < i; q++) s += f[T + p * jb + q] * f[W1 + q];
            f[T + p * jb + i] = s;
          }
        }
        // X₂ (rows below the panel, columns j0..) ← X₂ − ((X₂·Vᵀ)·T)·V
        const X2 = X + (j0 + jb) * m + j0;
        f.fill(0, W1, W1 + rows2 * jb);
        f.fill(0, W2, W2 + rows2 * jb);
        const calls1: DgemmCall[] = [];
        const calls2: DgemmCall[] = [];
        const calls3: DgemmCall[] = [];
        for (let r0 = 0; r0 < rows2; r0 += UPDATE_ROWS) {
          const rb = Math.min(rows2, r0 + UPDATE_ROWS) - r0;
          calls1.push({
            m: rb,
            n: jb,
            k: len,
            alpha: 1,
            a: X2 + r0 * m,
            ars: m,
            acs: 1,
            b: V,
            brs: 1,
            bcs: len,
            c: W1 + r0 * jb,
            ldc: jb,
          });
          calls2.push({
            m: rb,
            n: jb,
            k: jb,
            alpha: 1,
            a: W1 + r0 * jb,
            ars: jb,
            acs: 1,
            b: T,
            brs: jb,
            bcs: 1,
            c: W2 + r0 * jb,
            ldc: jb,
          });
          calls3.push({
            m: rb,
            n: len,
            k: jb,
            alpha: -1,
            a: W2 + r0 * jb,
            ars: jb,
            acs: 1,
            b: V,
            brs: len,
            bcs: 1,
            c: X2 + r0 * m,
            ldc: m,
          });
        }
        dgemmCalls(eng, calls1);
        dgemmCalls(eng, calls2);
        dgemmCalls(eng, calls3);
        f = eng.f64;
      }
      const done = j0 + jb;
      ticker.tick((m * done * done - (done * done * done) / 3) / total);
    }
    // Rᵀ: row j of X up to its diagonal
    f.fill(0, L, L + n * n);
    for (let j = 0; j < n; j++) f.copyWithin(L + j * n, X + j * m, X + j * m + j + 1);
    return L;
  } finally {
    eng.release(mk);
  }
}
