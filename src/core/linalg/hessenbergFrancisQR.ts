/**
 * Eigenvalues and eigenvectors of a general real matrix: balancing by powers of 2,
 * Householder reduction to upper Hessenberg form, the Francis implicit double-shift QR
 * iteration to real Schur form, then back-substitution on the quasi-triangular Schur form for
 * the eigenvectors. The QR driver follows LAPACK 3.x dlahqr (so that many repeated defective
 * eigenvalues converge): the Ahues–Tisseur deflation test, the shifts of the trailing 2×2
 * (both the one nearer H(n,n) when real), exceptional shifts every KEXSH sweeps without a
 * deflation, a bound on the sweeps proportional to n, and the 2×2 blocks in dlanv2's standard
 * form; the sweep itself is EISPACK hqr2's bulge chase (TypeScript, or the engine's kernel).
 * Reference: EISPACK balanc, orthes, hqr2 (Wilkinson & Reinsch, Handbook for Automatic
 * Computation II); LAPACK dgebal/dgehd2/dhseqr/dlahqr/dlanv2/dtrevc; M. Ahues & F. Tisseur,
 * "A new deflation criterion for the QR algorithm", LAPACK Working Note 122 (1997);
 * Golub & Van Loan §7.4–7.5.
 * Complex eigenvalues come out as exact conjugate pairs (one computed real part and
 * ± one computed imaginary part).
 */
import { scaleArray, scaledForDecomposition } from './scaling';
import { LensError } from '../errors';
import { Matrix, assertFinite } from './matrix';
import { householder } from './householder';
import { Engine, withEngine } from './wasm/kernels';
import { Progress, Ticker, noTicker } from './progress';
import { blockedHessenbergHead, blockedHessenbergStop } from './blockedHessenberg';

const EPS = 2 ** -52;
/** the smallest normal double (LAPACK's safmin) */
const SAFMIN = 2 ** -1022;
/** sweeps without a deflation between exceptional shifts (dlahqr's KEXSH) */
const KEXSH = 10;
/** the exceptional shifts' coefficients (dlahqr's DAT1, DAT2) */
const DAT1 = 3 / 4;
const DAT2 = -0.4375;
/** dlanv2's rescaling bounds for the rotation's (σ, a − d): 2^∓485 */
const SAFMN2 = 2 ** -485;
const SAFMX2 = 2 ** 485;

export interface GeneralEigen {
  /** real parts; eigenvalues in the order the Schur form yields them (conjugate pairs adjacent, +imag first) */
  re: Float64Array;
  im: Float64Array;
  /** eigenvectors as columns, real and imaginary parts (n×n each), when requested; unit 2-norm */
  vectorsRe?: Matrix;
  vectorsIm?: Matrix;
}

/** Scales rows/columns by powers of two so their norms are comparable (balanc, no permutation). */
function balance(h: Float64Array, n: number): Float64Array {
  const scale = new Float64Array(n).fill(1);
  const radix = 2;
  const sqrdx = radix * radix;
  let done = false;
  let sweeps = 0;
  while (!done && sweeps++ < 100) {
    done = true;
    for (let i = 0; i < n; i++) {
      let c = 0;
      let r = 0;
      for (let j = 0; j < n; j++)
        if (j !== i) {
          c += Math.abs(h[j * n + i]);
          r += Math.abs(h[i * n + j]);
        }
      if (c === 0 || r === 0) continue;
      let g = r / radix;
      let f = 1;
      const s = c + r;
      while (c < g) {
        f *= radix;
        c *= sqrdx;
      }
      g = r * radix;
      while (c > g) {
        f /= radix;
        c /= sqrdx;
      }
      if ((c + r) / f < 0.95 * s) {
        done = false;
        g = 1 / f;
        scale[i] *= f;
        for (let j = 0; j < n; j++) h[i * n + j] *= g;
        for (let j = 0; j < n; j++) h[j * n + i] *= f;
      }
    }
  }
  return scale;
}

/**
 * Reduces h (in place) to upper Hessenberg form; returns V (the orthogonal similarity) if wanted.
 * Without V and with `blocked`, the leading columns go by panels (./blockedHessenberg: LAPACK
 * dgehrd's shape, the trailing updates as pooled GEMMs) and the last columns unblocked; with V
 * (eigenvectors) the whole reduction stays unblocked, its reflectors kept to form V.
 * The unblocked reflector sweeps run as engine kernels on its heap: rows 0..k get the right
 * reflector only; rows k+1.. get, fused per row, the left update (−τ·v·wᵀ, wᵀ = vᵀA) then the
 * right one.
 */
function hessenberg(
  eng: Engine,
  h: Float64Array,
  n: number,
  wantV: boolean,
  ticker: Ticker,
  blocked = true,
): Float64Array | undefined {
  const Hh = eng.alloc64(n * n);
  const X = eng.alloc64(n);
  const R = eng.alloc64(n * n); // reflector k in row k (length n-k-1)
  const Vm = wantV ? eng.alloc64(n * n) : 0;
  eng.f64.set(h, Hh);
  const stop = blocked && !wantV ? blockedHessenbergStop(n) : 0;
  if (stop > 0) blockedHessenbergHead(eng, Hh, n, stop, ticker.sub(0, 1 - ((n - stop) / n) ** 3));
  const f = eng.f64; // no allocation below: the view stays valid
  const taus = new Float64Array(n);
  for (let k = stop; k < n - 2; k++) {
    const len = n - k - 1;
    const v = R + k * n;
    for (let i = 0; i < len; i++) f[v + i] = f[Hh + (k + 1 + i) * n + k];
    const tau = householder(f, v, len);
    const beta = f[v];
    f[v] = 1;
    taus[k] = tau;
    if (tau !== 0) {
      const blk = Hh + (k + 1) * n + k + 1;
      eng.gemvT(blk, n, len, len, v, X);
      eng.reflRight(Hh + k + 1, n, k + 1, len, v, tau);
      eng.gerReflRight(blk, n, len, len, -tau, v, X, v, tau);
    }
    f[Hh + (k + 1) * n + k] = beta;
    for (let i = 1; i < len; i++) f[Hh + (k + 1 + i) * n + k] = 0;
    ticker.tick(1 - ((n - k) / n) ** 3);
  }
  h.set(eng.slice64(Hh, Hh + n * n)); // (a byte copy: fast out of a shared heap)
  if (!wantV) return undefined;
  // V = H_0 H_1 ··· H_{n-3}, formed right to left: V = H_k·(…), touching rows/cols ≥ k+1
  f.fill(0, Vm, Vm + n * n);
  for (let i = 0; i < n; i++) f[Vm + i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const len = n - k - 1;
    if (taus[k] === 0) continue;
    const blk = Vm + (k + 1) * n + k + 1;
    eng.gemvT(blk, n, len, len, R + k * n, X);
    eng.ger(blk, n, len, len, -taus[k], R + k * n, X);
  }
  return eng.slice64(Vm, Vm + n * n);
}

/**
 * The Hessenberg form of a (n×n row-major, copied; no balancing), blocked (for n ≥
 * HESS_BLOCKED_MIN) or unblocked. For tests and benchmarks.
 */
export function hessenbergForm(
  a: Float64Array,
  n: number,
  opts: { blocked: boolean },
): Float64Array {
  const h = a.slice();
  withEngine((eng) => hessenberg(eng, h, n, false, noTicker, opts.blocked));
  return h;
}

/**
 * The Schur factorization of a real 2×2 block in standard form (the algorithm of LAPACK's
 * dlanv2): [a b; c d] = G·[a' b'; c' d']·Gᵀ with G = [cs −sn; sn cs], where either c' = 0 (two
 * real eigenvalues a', d') or a' = d' and b'·c' < 0 (the pair a' ± i·√(|b'|·|c'|)).
 * io: in a, b, c, d; out a', b', c', d', λ1 re, λ1 im (≥ 0; λ2 im = −λ1 im), λ2 re, cs, sn.
 * Nearly equal real eigenvalues are computed from the balanced form (equal diagonal first),
 * so they do not lose the accuracy the direct formula loses to cancellation.
 */
export function standardize2x2(io: Float64Array): void {
  let a = io[0],
    b = io[1],
    c = io[2],
    d = io[3];
  let cs = 1,
    sn = 0;
  if (c === 0) {
    // already upper triangular
  } else if (b === 0) {
    // swap rows and columns
    cs = 0;
    sn = 1;
    const t = d;
    d = a;
    a = t;
    b = -c;
    c = 0;
  } else if (a - d === 0 && Math.sign(b) !== Math.sign(c)) {
    // already standard (a complex pair)
  } else {
    let temp = a - d;
    let p = temp / 2;
    const bcmax = Math.max(Math.abs(b), Math.abs(c));
    const bcmis = Math.min(Math.abs(b), Math.abs(c)) * Math.sign(b) * Math.sign(c);
    let scale = Math.max(Math.abs(p), bcmax);
    let z = (p / scale) * p + (bcmax / scale) * bcmis;
    if (z >= 4 * EPS) {
      // real eigenvalues, well apart: one rotation to upper triangular
      z = p + (p >= 0 ? 1 : -1) * Math.sqrt(scale) * Math.sqrt(z);
      a = d + z;
      d -= (bcmax / z) * bcmis;
      const tau = Math.hypot(c, z);
      cs = z / tau;
      sn = c / tau;
      b -= c;
      c = 0;
    } else {
      // a complex pair or nearly equal real eigenvalues: first make the diagonal equal
      let sigma = b + c;
      for (let count = 0; count <= 20; count++) {
        scale = Math.max(Math.abs(temp), Math.abs(sigma));
        if (scale >= SAFMX2) {
          sigma *= SAFMN2;
          temp *= SAFMN2;
        } else if (scale <= SAFMN2) {
          sigma *= SAFMX2;
          temp *= SAFMX2;
        } else break;
      }
      p = temp / 2;
      let tau = Math.hypot(sigma, temp);
      cs = Math.sqrt((1 + Math.abs(sigma) / tau) / 2);
      sn = -(p / (tau * cs)) * (sigma >= 0 ? 1 : -1);
      // [aa bb; cc dd] = [a b; c d]·[cs −sn; sn cs], then Gᵀ on the left
      const aa = a * cs + b * sn;
      const bb = -a * sn + b * cs;
      const cc = c * cs + d * sn;
      const dd = -c * sn + d * cs;
      a = aa * cs + cc * sn;
      b = bb * cs + dd * sn;
      c = -aa * sn + cc * cs;
      d = -bb * sn + dd * cs;
      temp = (a + d) / 2;
      a = temp;
      d = temp;
      if (c !== 0) {
        if (b === 0) {
          b = -c;
          c = 0;
          temp = cs;
          cs = -sn;
          sn = temp;
        } else if (Math.sign(b) === Math.sign(c)) {
          // real after all: a second rotation to upper triangular
          const sab = Math.sqrt(Math.abs(b));
          const sac = Math.sqrt(Math.abs(c));
          p = c >= 0 ? sab * sac : -sab * sac;
          tau = 1 / Math.sqrt(Math.abs(b + c));
          a = temp + p;
          d = temp - p;
          b -= c;
          c = 0;
          const cs1 = sab * tau;
          const sn1 = sac * tau;
          temp = cs * cs1 - sn * sn1;
          sn = cs * sn1 + sn * cs1;
          cs = temp;
        }
      }
    }
  }
  io[0] = a;
  io[1] = b;
  io[2] = c;
  io[3] = d;
  io[4] = a;
  io[5] = c === 0 ? 0 : Math.sqrt(Math.abs(b)) * Math.sqrt(Math.abs(c));
  io[6] = d;
  io[7] = cs;
  io[8] = sn;
}

/** (a + ib)/(c + id) → out[0], out[1] (Smith's algorithm). */
function cdiv(a: number, b: number, c: number, d: number, out: Float64Array): void {
  if (Math.abs(c) >= Math.abs(d)) {
    const r = d / c;
    const den = c + r * d;
    out[0] = (a + r * b) / den;
    out[1] = (b - r * a) / den;
  } else {
    const r = c / d;
    const den = d + r * c;
    out[0] = (r * a + b) / den;
    out[1] = (r * b - a) / den;
  }
}

/**
 * One Francis double-shift sweep (EISPACK hqr2's inner loop; the TypeScript twin of the
 * engine's francisSweep kernel): the bulge started by the reflector of (p, q, r) at row m is
 * chased down to row n; rows get their update over columns k..jEnd, columns over rows
 * iStart..min(n, k+3), and V (when given) all its rows.
 */
function chase(
  h: Float64Array,
  nn: number,
  m: number,
  n: number,
  l: number,
  iStart: number,
  jEnd: number,
  V: Float64Array | undefined,
  p: number,
  q: number,
  r: number,
): void {
  const H = (i: number, j: number) => h[i * nn + j];
  let s = 0,
    x = 0,
    y = 0,
    z = 0;
  for (let k = m; k <= n - 1; k++) {
    const notlast = k !== n - 1;
    if (k !== m) {
      p = H(k, k - 1);
      q = H(k + 1, k - 1);
      r = notlast ? H(k + 2, k - 1) : 0;
      x = Math.abs(p) + Math.abs(q) + Math.abs(r);
      if (x === 0) continue;
      p /= x;
      q /= x;
      r /= x;
    }
    s = Math.sqrt(p * p + q * q + r * r);
    if (p < 0) s = -s;
    if (s === 0) continue;
    if (k !== m) h[k * nn + k - 1] = -s * x;
    else if (l !== m) h[k * nn + k - 1] = -H(k, k - 1);
    p += s;
    x = p / s;
    y = q / s;
    z = r / s;
    q /= p;
    r /= p;
    // rows k..k+2
    const rk = k * nn;
    const rk1 = rk + nn;
    const rk2 = rk1 + nn;
    if (notlast) {
      for (let j = k; j <= jEnd; j++) {
        const t = h[rk + j] + q * h[rk1 + j] + r * h[rk2 + j];
        h[rk + j] -= t * x;
        h[rk1 + j] -= t * y;
        h[rk2 + j] -= t * z;
      }
    } else {
      for (let j = k; j <= jEnd; j++) {
        const t = h[rk + j] + q * h[rk1 + j];
        h[rk + j] -= t * x;
        h[rk1 + j] -= t * y;
      }
    }
    // columns k..k+2
    const iEnd = Math.min(n, k + 3);
    for (let i = iStart; i <= iEnd; i++) {
      const b = i * nn + k;
      let t = x * h[b] + y * h[b + 1];
      if (notlast) {
        t += z * h[b + 2];
        h[b + 2] -= t * r;
      }
      h[b] -= t;
      h[b + 1] -= t * q;
    }
    if (V) {
      for (let i = 0; i < nn; i++) {
        const b = i * nn + k;
        let t = x * V[b] + y * V[b + 1];
        if (notlast) {
          t += z * V[b + 2];
          V[b + 2] -= t * r;
        }
        V[b] -= t;
        V[b + 1] -= t * q;
      }
    }
  }
}

/** Sweep counts of one Schur reduction (for tests: every input must stay far below itmax). */
export interface SchurStats {
  /** double-shift sweeps in all */
  sweeps: number;
  /** the most sweeps between two deflations */
  maxRun: number;
}

/**
 * Francis double-shift QR on Hessenberg h (n×n row-major). With V given, the full Schur form
 * is computed and V accumulates the Schur vectors; otherwise only the active window is
 * updated (eigenvalues only). Throws the numeric LensError on NaN/±∞ or after itmax sweeps.
 */
function francisQR(
  h: Float64Array,
  nn: number,
  wr: Float64Array,
  wi: Float64Array,
  V: Float64Array | undefined,
  ticker: Ticker,
  sweep?: (
    m: number,
    n: number,
    l: number,
    iStart: number,
    jEnd: number,
    p: number,
    q: number,
    r: number,
  ) => void,
): SchurStats {
  const full = V !== undefined;
  const H = (i: number, j: number) => h[i * nn + j];
  let norm = 0;
  for (let i = 0; i < nn; i++)
    for (let j = Math.max(i - 1, 0); j < nn; j++) norm += Math.abs(H(i, j));
  if (!Number.isFinite(norm))
    throw new LensError('eigenvalues need finite entries (Francis QR got NaN or ±∞)', 'numeric');
  // dlahqr's constants: a subdiagonal below smlnum is negligible outright; itmax bounds the
  // sweeps of the whole reduction (LAPACK allows 30·max(10, nh) per eigenvalue; ours is the
  // stricter total, an average of 30 sweeps per eigenvalue, far above what converging inputs use)
  const smlnum = SAFMIN * (nn / EPS);
  const itmax = 30 * Math.max(10, nn);
  let sweeps = 0;
  let maxRun = 0;
  let kdefl = 0; // sweeps since the last deflation (drives the exceptional shifts)
  const rot = new Float64Array(9);
  let p = 0,
    q = 0,
    r = 0,
    s = 0,
    z = 0,
    w = 0,
    x = 0,
    y = 0;
  let n = nn - 1; // the active window is l..n
  while (n >= 0) {
    ticker.tick(1 - n / nn);
    // the last negligible subdiagonal in 0..n (Ahues & Tisseur: H(k,k−1) is negligible when it
    // is small against the diagonal and its product with H(k−1,k) is small against the 2×2
    // block's diagonal gap, so that zeroing it perturbs each eigenvalue by O(eps·‖H‖))
    let l = n;
    for (; l > 0; l--) {
      const sub = Math.abs(H(l, l - 1));
      if (sub <= smlnum) break;
      let tst = Math.abs(H(l - 1, l - 1)) + Math.abs(H(l, l));
      if (tst === 0) {
        if (l >= 2) tst += Math.abs(H(l - 1, l - 2));
        if (l + 1 < nn) tst += Math.abs(H(l + 1, l));
      }
      if (sub <= EPS * tst) {
        const sup = Math.abs(H(l - 1, l));
        const ab = Math.max(sub, sup);
        const ba = Math.min(sub, sup);
        const gap = Math.abs(H(l - 1, l - 1) - H(l, l));
        const aa = Math.max(Math.abs(H(l, l)), gap);
        const bb = Math.min(Math.abs(H(l, l)), gap);
        const sc = aa + ab;
        if (ba * (ab / sc) <= Math.max(smlnum, EPS * (bb * (aa / sc)))) break;
      }
    }
    if (l > 0) h[l * nn + l - 1] = 0;
    if (l === n) {
      // one real eigenvalue
      wr[n] = H(n, n);
      wi[n] = 0;
      n--;
      maxRun = Math.max(maxRun, kdefl);
      kdefl = 0;
      continue;
    }
    if (l === n - 1) {
      // a 2×2 block: standardize it (dlanv2) to upper triangular (two real eigenvalues) or to
      // equal diagonal entries with off-diagonals of opposite sign (a conjugate pair)
      const i0 = n - 1;
      rot[0] = H(i0, i0);
      rot[1] = H(i0, n);
      rot[2] = H(n, i0);
      rot[3] = H(n, n);
      standardize2x2(rot);
      h[i0 * nn + i0] = rot[0];
      h[i0 * nn + n] = rot[1];
      h[n * nn + i0] = rot[2];
      h[n * nn + n] = rot[3];
      wr[i0] = rot[4];
      wi[i0] = rot[5];
      wr[n] = rot[6];
      wi[n] = rot[5] === 0 ? 0 : -rot[5];
      if (full) {
        // the rotation G = [cs −sn; sn cs] of the block (Gᵀ·H·G): on the rest of rows i0, n,
        // of columns i0, n, and of the Schur vectors
        const cs = rot[7];
        const sn = rot[8];
        for (let j = n + 1; j < nn; j++) {
          const a = h[i0 * nn + j];
          const b = h[n * nn + j];
          h[i0 * nn + j] = cs * a + sn * b;
          h[n * nn + j] = cs * b - sn * a;
        }
        for (let i = 0; i < i0; i++) {
          const a = h[i * nn + i0];
          const b = h[i * nn + n];
          h[i * nn + i0] = cs * a + sn * b;
          h[i * nn + n] = cs * b - sn * a;
        }
        for (let i = 0; i < nn; i++) {
          const a = V[i * nn + i0];
          const b = V[i * nn + n];
          V[i * nn + i0] = cs * a + sn * b;
          V[i * nn + n] = cs * b - sn * a;
        }
      }
      n -= 2;
      maxRun = Math.max(maxRun, kdefl);
      kdefl = 0;
      continue;
    }
    kdefl++;
    if (++sweeps > itmax) {
      for (let i = 0; i < nn * nn; i++)
        if (!Number.isFinite(h[i]))
          throw new LensError(
            'eigenvalues did not converge (Francis QR: the iteration overflowed)',
            'numeric',
          );
      throw new LensError('eigenvalues did not converge (Francis QR)', 'numeric');
    }
    // the shifts: the eigenvalues of the trailing 2×2 (two real ones: both shifts the one nearer
    // H(n,n)); every KEXSH sweeps without a deflation, an exceptional pair instead, alternately
    // from the top of the window and (every 2·KEXSH) from its bottom
    let h11: number, h12: number, h21: number, h22: number;
    if (kdefl % (2 * KEXSH) === 0) {
      s = Math.abs(H(n, n - 1)) + Math.abs(H(n - 1, n - 2));
      h11 = DAT1 * s + H(n, n);
      h12 = DAT2 * s;
      h21 = s;
      h22 = h11;
    } else if (kdefl % KEXSH === 0) {
      s = Math.abs(H(l + 1, l)) + Math.abs(H(l + 2, l + 1));
      h11 = DAT1 * s + H(l, l);
      h12 = DAT2 * s;
      h21 = s;
      h22 = h11;
    } else {
      h11 = H(n - 1, n - 1);
      h21 = H(n, n - 1);
      h12 = H(n - 1, n);
      h22 = H(n, n);
    }
    let rt1r = 0,
      rt1i = 0,
      rt2r = 0,
      rt2i = 0;
    s = Math.abs(h11) + Math.abs(h12) + Math.abs(h21) + Math.abs(h22);
    if (s !== 0) {
      h11 /= s;
      h21 /= s;
      h12 /= s;
      h22 /= s;
      const tr = (h11 + h22) / 2;
      const det = (h11 - tr) * (h22 - tr) - h12 * h21;
      const rtdisc = Math.sqrt(Math.abs(det));
      if (det >= 0) {
        rt1r = tr * s;
        rt2r = rt1r;
        rt1i = rtdisc * s;
        rt2i = -rt1i;
      } else {
        rt1r = tr + rtdisc;
        rt2r = tr - rtdisc;
        if (Math.abs(rt1r - h22) <= Math.abs(rt2r - h22)) rt1r *= s;
        else rt1r = rt2r * s;
        rt2r = rt1r;
      }
    }
    // start the bulge at the last m where two consecutive subdiagonals are small enough that
    // the first reflector leaves H(m, m−1) negligible
    let m = n - 2;
    for (; ; m--) {
      const h21s0 = H(m + 1, m);
      s = Math.abs(H(m, m) - rt2r) + Math.abs(rt2i) + Math.abs(h21s0);
      const h21s = h21s0 / s;
      p = h21s * H(m, m + 1) + (H(m, m) - rt1r) * ((H(m, m) - rt2r) / s) - rt1i * (rt2i / s);
      q = h21s * (H(m, m) + H(m + 1, m + 1) - rt1r - rt2r);
      r = h21s * H(m + 2, m + 1);
      s = Math.abs(p) + Math.abs(q) + Math.abs(r);
      if (s > 0) {
        p /= s;
        q /= s;
        r /= s;
      } else {
        p = 1; // (a degenerate shift: a trivial first reflector, the next sweep's shifts differ)
      }
      if (m === l) break;
      const h00 = Math.abs(H(m, m - 1)) * (Math.abs(q) + Math.abs(r));
      const h01 =
        Math.abs(p) * (Math.abs(H(m - 1, m - 1)) + Math.abs(H(m, m)) + Math.abs(H(m + 1, m + 1)));
      if (h00 <= EPS * h01) break;
    }
    // the bulge rows below the subdiagonal left from the last sweep
    for (let i = m + 2; i <= n; i++) {
      h[i * nn + i - 2] = 0;
      if (i > m + 2) h[i * nn + i - 3] = 0;
    }
    // H(m, m−1) after the first reflector, exactly: (1 − τ)·H(m, m−1) = −H(m, m−1)·p/‖(p,q,r)‖
    // (the sweep's −H(m, m−1) assumes q and r negligible)
    const hm = m > l ? -H(m, m - 1) * (Math.abs(p) / Math.sqrt(p * p + q * q + r * r)) : 0;
    const jEnd = full ? nn - 1 : n;
    const iStart = full ? 0 : l;
    if (sweep) sweep(m, n, l, iStart, jEnd, p, q, r);
    else chase(h, nn, m, n, l, iStart, jEnd, V, p, q, r);
    if (m > l) h[m * nn + m - 1] = hm;
  }
  const stats = { sweeps, maxRun };
  if (!V) return stats;
  // back-substitute for the eigenvectors of the quasi-triangular Schur form
  if (norm === 0) return stats;
  const cd = new Float64Array(2);
  for (n = nn - 1; n >= 0; n--) {
    p = wr[n];
    q = wi[n];
    if (q === 0) {
      let l = n;
      h[n * nn + n] = 1;
      for (let i = n - 1; i >= 0; i--) {
        w = H(i, i) - p;
        r = 0;
        for (let j = l; j <= n; j++) r += H(i, j) * H(j, n);
        if (wi[i] < 0) {
          z = w;
          s = r;
        } else {
          l = i;
          if (wi[i] === 0) {
            h[i * nn + n] = w !== 0 ? -r / w : -r / (EPS * norm);
          } else {
            x = H(i, i + 1);
            y = H(i + 1, i);
            q = (wr[i] - p) * (wr[i] - p) + wi[i] * wi[i];
            const t = (x * s - z * r) / q;
            h[i * nn + n] = t;
            h[(i + 1) * nn + n] = Math.abs(x) > Math.abs(z) ? (-r - w * t) / x : (-s - y * t) / z;
          }
          const t = Math.abs(H(i, n));
          if (EPS * t * t > 1) for (let j = i; j <= n; j++) h[j * nn + n] /= t;
        }
      }
    } else if (q < 0) {
      let l = n - 1;
      if (Math.abs(H(n, n - 1)) > Math.abs(H(n - 1, n))) {
        h[(n - 1) * nn + n - 1] = q / H(n, n - 1);
        h[(n - 1) * nn + n] = -(H(n, n) - p) / H(n, n - 1);
      } else {
        cdiv(0, -H(n - 1, n), H(n - 1, n - 1) - p, q, cd);
        h[(n - 1) * nn + n - 1] = cd[0];
        h[(n - 1) * nn + n] = cd[1];
      }
      h[n * nn + n - 1] = 0;
      h[n * nn + n] = 1;
      for (let i = n - 2; i >= 0; i--) {
        let ra = 0;
        let sa = 0;
        for (let j = l; j <= n; j++) {
          ra += H(i, j) * H(j, n - 1);
          sa += H(i, j) * H(j, n);
        }
        w = H(i, i) - p;
        if (wi[i] < 0) {
          z = w;
          r = ra;
          s = sa;
        } else {
          l = i;
          if (wi[i] === 0) {
            cdiv(-ra, -sa, w, q, cd);
            h[i * nn + n - 1] = cd[0];
            h[i * nn + n] = cd[1];
          } else {
            x = H(i, i + 1);
            y = H(i + 1, i);
            let vr = (wr[i] - p) * (wr[i] - p) + wi[i] * wi[i] - q * q;
            const vi = (wr[i] - p) * 2 * q;
            if (vr === 0 && vi === 0)
              vr =
                EPS * norm * (Math.abs(w) + Math.abs(q) + Math.abs(x) + Math.abs(y) + Math.abs(z));
            cdiv(x * r - z * ra + q * sa, x * s - z * sa - q * ra, vr, vi, cd);
            h[i * nn + n - 1] = cd[0];
            h[i * nn + n] = cd[1];
            if (Math.abs(x) > Math.abs(z) + Math.abs(q)) {
              h[(i + 1) * nn + n - 1] = (-ra - w * H(i, n - 1) + q * H(i, n)) / x;
              h[(i + 1) * nn + n] = (-sa - w * H(i, n) - q * H(i, n - 1)) / x;
            } else {
              cdiv(-r - y * H(i, n - 1), -s - y * H(i, n), z, q, cd);
              h[(i + 1) * nn + n - 1] = cd[0];
              h[(i + 1) * nn + n] = cd[1];
            }
          }
          const t = Math.max(Math.abs(H(i, n - 1)), Math.abs(H(i, n)));
          if (EPS * t * t > 1)
            for (let j = i; j <= n; j++) {
              h[j * nn + n - 1] /= t;
              h[j * nn + n] /= t;
            }
        }
      }
    }
  }
  // back-transform: V ← V·T_upper (columns of the Schur-form eigenvectors)
  const col = new Float64Array(nn);
  for (let j = nn - 1; j >= 0; j--) {
    for (let i = 0; i < nn; i++) {
      let acc = 0;
      for (let k = 0; k <= j; k++) acc += V[i * nn + k] * h[k * nn + j];
      col[i] = acc;
    }
    for (let i = 0; i < nn; i++) V[i * nn + j] = col[i];
  }
  return stats;
}

/**
 * Francis QR on an upper Hessenberg h (n×n, copied), with the SIMD sweep kernel or the
 * TypeScript loop; with `vectors`, V starts as I and accumulates the Schur vectors.
 * For tests and benchmarks: both paths give bit-identical results.
 */
export function hessenbergSchur(
  h0: Float64Array,
  n: number,
  opts: { kernel: boolean; vectors?: boolean },
): { re: Float64Array; im: Float64Array; h: Float64Array; V?: Float64Array; stats: SchurStats } {
  const h = h0.slice();
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let V: Float64Array | undefined;
  if (opts.vectors) {
    V = new Float64Array(n * n);
    for (let i = 0; i < n; i++) V[i * n + i] = 1;
  }
  const stats = schur(h, n, re, im, V, noTicker, opts.kernel);
  return { re, im, h, V, stats };
}

/** francisQR, its sweeps on the engine's SIMD kernel when there is one (and kernel is true). */
function schur(
  h: Float64Array,
  n: number,
  re: Float64Array,
  im: Float64Array,
  V: Float64Array | undefined,
  ticker: Ticker,
  kernel = true,
): SchurStats {
  return withEngine((eng) => {
    if (!eng.francisSweep || !kernel) return francisQR(h, n, re, im, V, ticker);
    // run the sweeps as the SIMD kernel on copies in the engine's heap
    const Hh = eng.alloc64(n * n);
    const Vh = V ? eng.alloc64(n * n) : -1;
    const ws = eng.alloc64(10 * n);
    const f = eng.f64; // no allocation below: the views stay valid
    const hv = f.subarray(Hh, Hh + n * n);
    hv.set(h);
    const vv = V ? f.subarray(Vh, Vh + n * n) : undefined;
    if (V) vv!.set(V);
    const stats = francisQR(hv, n, re, im, vv, ticker, (m, nAct, l, iStart, jEnd, p, q, r) =>
      eng.francisSweep!(Hh, n, m, nAct, l, iStart, jEnd, Vh, p, q, r, ws),
    );
    h.set(eng.slice64(Hh, Hh + n * n));
    if (V) V.set(eng.slice64(Vh, Vh + n * n));
    return stats;
  });
}

/** Eigenvalues (and optionally eigenvectors) of a general square matrix. */
export function generalEigen(
  a0: Matrix,
  opts: {
    vectors?: boolean;
    balance?: boolean;
    progress?: Progress;
    /** reduce to Hessenberg form by panels when eigenvalues only are wanted (default true) */
    blockedHessenberg?: boolean;
  } = {},
): GeneralEigen {
  if (a0.rows !== a0.cols)
    throw new LensError(`eigenvalues need a square matrix, got ${a0.rows}×${a0.cols}`);
  assertFinite(a0);
  // outside the safe range, reduce 2^k·A and scale λ back (LAPACK dgeev's dlascl)
  const { m: a, k: scaleExp } = scaledForDecomposition(a0);
  const n = a.rows;
  const t = opts.progress ? new Ticker(opts.progress) : noTicker;
  const h = a.data.slice();
  const scale = opts.balance === false ? new Float64Array(n).fill(1) : balance(h, n);
  const want = !!opts.vectors;
  const blocked = opts.blockedHessenberg !== false;
  const V = withEngine((eng) => hessenberg(eng, h, n, want, t.sub(0, 0.3), blocked));
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  schur(h, n, re, im, V, t.sub(0.3, 1));
  scaleArray(re, -scaleExp);
  scaleArray(im, -scaleExp);
  if (!want || !V) return { re, im };
  // undo balancing (x = D x'), split into real/imag and normalize to unit 2-norm
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) V[i * n + j] *= scale[i];
  const vr = new Float64Array(n * n);
  const vi = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    if (im[j] === 0) {
      let s = 0;
      for (let i = 0; i < n; i++) s += V[i * n + j] ** 2;
      const k = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let i = 0; i < n; i++) vr[i * n + j] = V[i * n + j] * k;
    } else if (im[j] > 0 && j + 1 < n) {
      let s = 0;
      for (let i = 0; i < n; i++) s += V[i * n + j] ** 2 + V[i * n + j + 1] ** 2;
      const k = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let i = 0; i < n; i++) {
        vr[i * n + j] = vr[i * n + j + 1] = V[i * n + j] * k;
        vi[i * n + j] = V[i * n + j + 1] * k;
        vi[i * n + j + 1] = -V[i * n + j + 1] * k;
      }
      j++;
    }
  }
  t.done();
  return {
    re,
    im,
    vectorsRe: { rows: n, cols: n, data: vr },
    vectorsIm: { rows: n, cols: n, data: vi },
  };
}
