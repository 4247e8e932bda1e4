/**
 * Singular value decomposition driver A = U·diag(S)·Vᵀ: Householder bidiagonalization (blocked
 * from 160 columns, see blockedBidiagonalization.ts), then dqds on the bidiagonal for the values
 * alone (dqds.ts, LAPACK dlasq1; tall or wide matrices reduced by a blocked QR first, tallQR.ts),
 * Demmel–Kahan implicit QR (bidiagonalQR.ts) with vectors for small orders; with vectors above
 * order 25, divide and conquer on the bidiagonal (bidiagonalDivideConquer.ts) and the reflectors
 * applied in blocks (formOrthogonal.ts).
 * Reference: LAPACK dgesvd (path without QR preprocessing) and dgesdd (the D&C path); Golub &
 * Van Loan §8.6.
 * Wide matrices are decomposed through their transpose.
 */
import { Matrix, assertFinite, transpose } from './matrix';
import { formPt, formQt } from './householderBidiagonalization';
import { bidiagonalizeBlocked } from './blockedBidiagonalization';
import { bidiagonalSvd } from './bidiagonalQR';
import { bidiagonalSingularValues } from './dqds';
import { qrFirstFor, tallTriangle } from './tallQR';
import { DC_LEAF, bidiagonalDivideConquer, divideConquerWords } from './bidiagonalDivideConquer';
import { applyReflectorsRight } from './formOrthogonal';
import { Progress, Ticker } from './progress';
import { withEngine } from './wasm/kernels';
import { scaleArray, scaledForDecomposition } from './scaling';

export interface SvdResult {
  /** m×k (thin: k = min(m,n); full: m×m) */
  U: Matrix;
  /** singular values, descending, length min(m,n) */
  S: Float64Array;
  /** k×n (thin) or n×n (full) */
  Vt: Matrix;
}

export interface SvdOptions {
  /** full U (m×m) and Vᵀ (n×n) instead of thin; default false */
  full?: boolean;
  progress?: Progress;
}

/** Singular values only, descending (like numpy.linalg.svd(a, compute_uv=False)). */
export function singularValues(a0: Matrix, progress?: Progress): Float64Array {
  assertFinite(a0);
  if (a0.rows === 0 || a0.cols === 0) return new Float64Array(0);
  // outside the safe range, decompose 2^k·A and scale σ back (LAPACK dgesdd's dlascl)
  const { m: a, k: scaleExp } = scaledForDecomposition(a0);
  const t = new Ticker(progress);
  const wide = a.rows < a.cols;
  const m = wide ? a.cols : a.rows;
  const n = wide ? a.rows : a.cols;
  const d = withEngine((eng) => {
    let src: Float64Array | number;
    let rows = m;
    let split = 0;
    if (qrFirstFor(m, n)) {
      // well above square: QR first, then the n×n triangle (LAPACK dgesdd's path for
      // m ≥ 11n/6); a wide matrix's rows are already the QR's working layout
      const qr = 2 * m * n * n - (2 * n * n * n) / 3;
      split = (0.9 * qr) / (qr + (8 * n * n * n) / 3);
      src = tallTriangle(eng, a.data, m, n, t.sub(0, split), wide);
      rows = n;
    } else src = wide ? transpose(a).data : a.data;
    const b = bidiagonalizeBlocked(
      eng,
      src,
      rows,
      n,
      t.sub(split, 0.9),
      undefined,
      undefined,
      true,
    );
    bidiagonalSingularValues(b.d, b.e, t.sub(0.9, 1));
    return b.d;
  });
  t.done();
  return scaleArray(d, -scaleExp);
}

/** Thin (default) or full SVD with vectors. */
export function svd(a0: Matrix, opts: SvdOptions = {}): SvdResult {
  assertFinite(a0);
  const { m: a, k: scaleExp } = scaledForDecomposition(a0);
  const t = new Ticker(opts.progress);
  const wide = a.rows < a.cols;
  const tall = wide ? transpose(a) : a;
  const { rows: m, cols: n } = tall;
  const full = !!opts.full;
  if (n === 0) {
    const U = full ? eye(m) : { rows: m, cols: 0, data: new Float64Array(0) };
    const res: SvdResult = {
      U,
      S: new Float64Array(0),
      Vt: { rows: 0, cols: 0, data: new Float64Array(0) },
    };
    return wide ? { U: res.Vt, S: res.S, Vt: res.U } : res;
  }
  const qRows = full ? m : n;
  const { S, Ut, Vt } = withEngine((eng) => {
    const b = bidiagonalizeBlocked(eng, tall.data, m, n, t.sub(0, 0.45));
    // the D&C's heap peak (≈ 6n² words besides the reflectors) must fit the 2 GiB heap with
    // room to spare; past 1.5 GiB (n ≳ 4700), the QR path below
    const words = m * n + Math.max(divideConquerWords(n), 3 * n * n + qRows * m);
    if (n > DC_LEAF && 8 * words <= 1.5 * 2 ** 30) {
      // divide and conquer on B = U_b·Σ·V_bᵀ (LAPACK dgesdd's path), then Uᵀ = U_bᵀ·Qᵀ and
      // Vᵀ = V_bᵀ·Pᵀ with the reflectors applied in blocks (GEMMs on the pool)
      const r = bidiagonalDivideConquer(eng, b.d, b.e, t.sub(0.45, 0.75));
      const UT = eng.alloc64(qRows * m);
      const VT = eng.alloc64(n * n);
      const f = eng.f64;
      f.fill(0, UT, UT + qRows * m);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          f[UT + i * m + j] = f[r.u + j * n + i];
          f[VT + i * n + j] = f[r.v + j * n + i];
        }
      for (let i = n; i < qRows; i++) f[UT + i * m + i] = 1;
      const w = b.work;
      applyReflectorsRight(
        eng,
        UT,
        qRows,
        m,
        { count: n, shift: 0, base: w, is: 1, cs: n, tau: b.tauq },
        t.sub(0.75, 0.9),
      );
      applyReflectorsRight(
        eng,
        VT,
        n,
        n,
        { count: Math.max(0, n - 2), shift: 1, base: w, is: n, cs: 1, tau: b.taup },
        t.sub(0.9, 1),
      );
      const ut: Matrix = { rows: qRows, cols: m, data: eng.slice64(UT, UT + qRows * m) };
      const vt: Matrix = { rows: n, cols: n, data: eng.slice64(VT, VT + n * n) };
      return { S: scaleArray(r.s, -scaleExp), Ut: ut, Vt: vt };
    }
    const Q = formQt(b, qRows, t.sub(0.45, 0.6));
    const P = formPt(b, t.sub(0.6, 0.65));
    // rotation queues (batches applied by the rotSeq64 kernel, split over the pool)
    const cap = 16 * n + 64;
    const qv = eng.call ? eng.alloc64(4 * cap) : undefined;
    const qu = eng.call ? eng.alloc64(4 * cap) : undefined;
    const f = eng.f64; // no allocation after this point
    bidiagonalSvd(
      b.d,
      b.e,
      { data: f, ld: n, off: P, engine: eng, queue: qv, queueCap: cap },
      { data: f, ld: m, off: Q, engine: eng, queue: qu, queueCap: cap },
      t.sub(0.65, 1),
    );
    // tall: U = Qtᵀ (m×qRows), Vt = pt (n×n)
    const ut: Matrix = { rows: qRows, cols: m, data: eng.slice64(Q, Q + qRows * m) };
    const vt: Matrix = { rows: n, cols: n, data: eng.slice64(P, P + n * n) };
    return { S: scaleArray(b.d, -scaleExp), Ut: ut, Vt: vt };
  });
  t.done();
  if (!wide) return { U: transpose(Ut), S, Vt };
  // A = tallᵀ = V·S·Uᵀ  ⇒  U_A = V = Vtᵀ, Vt_A = Ut
  return { U: transpose(Vt), S, Vt: Ut };
}

function eye(n: number): Matrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return { rows: n, cols: n, data };
}
