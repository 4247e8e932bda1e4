/**
 * Eigenvalues and eigenvectors of a general real matrix: balancing by powers of 2,
 * Householder reduction to upper Hessenberg form, the Francis implicit double-shift QR
 * iteration to real Schur form (with Wilkinson's exceptional shifts), then back-substitution
 * on the quasi-triangular Schur form for the eigenvectors.
 * Reference: EISPACK balanc, orthes, hqr2 (Wilkinson & Reinsch, Handbook for Automatic
 * Computation II); LAPACK dgebal/dgehd2/dhseqr/dtrevc; Golub & Van Loan §7.4–7.5.
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
 * Francis double-shift QR on Hessenberg h (n×n row-major). With V given, the full Schur form
 * is computed and V accumulates the Schur vectors; otherwise only the active window is
 * updated (eigenvalues only).
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
): void {
  const full = V !== undefined;
  const H = (i: number, j: number) => h[i * nn + j];
  let norm = 0;
  for (let i = 0; i < nn; i++)
    for (let j = Math.max(i - 1, 0); j < nn; j++) norm += Math.abs(H(i, j));
  let n = nn - 1;
  let exshift = 0;
  let iter = 0;
  let totalIter = 0;
  let p = 0,
    q = 0,
    r = 0,
    s = 0,
    z = 0,
    w = 0,
    x = 0,
    y = 0;
  while (n >= 0) {
    ticker.tick(1 - n / nn);
    // find a negligible subdiagonal element
    let l = n;
    while (l > 0) {
      s = Math.abs(H(l - 1, l - 1)) + Math.abs(H(l, l));
      if (s === 0) s = norm;
      const sub = Math.abs(H(l, l - 1));
      if (sub === 0 || sub < EPS * s) break;
      l--;
    }
    if (l === n) {
      // one real root
      h[n * nn + n] += exshift;
      wr[n] = H(n, n);
      wi[n] = 0;
      n--;
      iter = 0;
    } else if (l === n - 1) {
      // a 2×2 block: two real roots or a conjugate pair
      w = H(n, n - 1) * H(n - 1, n);
      p = (H(n - 1, n - 1) - H(n, n)) / 2;
      q = p * p + w;
      z = Math.sqrt(Math.abs(q));
      h[n * nn + n] += exshift;
      h[(n - 1) * nn + n - 1] += exshift;
      x = H(n, n);
      if (q >= 0) {
        z = p >= 0 ? p + z : p - z;
        wr[n - 1] = x + z;
        wr[n] = z !== 0 ? x - w / z : x + z;
        wi[n - 1] = 0;
        wi[n] = 0;
        if (full) {
          // rotate the block to upper triangular
          x = H(n, n - 1);
          s = Math.abs(x) + Math.abs(z);
          p = x / s;
          q = z / s;
          r = Math.sqrt(p * p + q * q);
          p /= r;
          q /= r;
          for (let j = n - 1; j < nn; j++) {
            z = H(n - 1, j);
            h[(n - 1) * nn + j] = q * z + p * H(n, j);
            h[n * nn + j] = q * H(n, j) - p * z;
          }
          for (let i = 0; i <= n; i++) {
            z = H(i, n - 1);
            h[i * nn + n - 1] = q * z + p * H(i, n);
            h[i * nn + n] = q * H(i, n) - p * z;
          }
          for (let i = 0; i < nn; i++) {
            z = V[i * nn + n - 1];
            V[i * nn + n - 1] = q * z + p * V[i * nn + n];
            V[i * nn + n] = q * V[i * nn + n] - p * z;
          }
        }
      } else {
        wr[n - 1] = x + p;
        wr[n] = x + p;
        wi[n - 1] = z;
        wi[n] = -z;
      }
      n -= 2;
      iter = 0;
    } else {
      x = H(n, n);
      y = 0;
      w = 0;
      if (l < n) {
        y = H(n - 1, n - 1);
        w = H(n, n - 1) * H(n - 1, n);
      }
      if (iter === 10) {
        // Wilkinson's exceptional shift
        exshift += x;
        for (let i = 0; i <= n; i++) h[i * nn + i] -= x;
        s = Math.abs(H(n, n - 1)) + Math.abs(H(n - 1, n - 2));
        x = y = 0.75 * s;
        w = -0.4375 * s * s;
      }
      if (iter === 30) {
        s = (y - x) / 2;
        s = s * s + w;
        if (s > 0) {
          s = Math.sqrt(s);
          if (y < x) s = -s;
          s = x - w / ((y - x) / 2 + s);
          for (let i = 0; i <= n; i++) h[i * nn + i] -= s;
          exshift += s;
          x = y = w = 0.964;
        }
      }
      iter++;
      if (++totalIter > 40 * nn + 100 || iter > 200)
        throw new LensError('eigenvalues did not converge (Francis QR)', 'numeric');
      // two consecutive small subdiagonal elements
      let m = n - 2;
      while (m >= l) {
        z = H(m, m);
        r = x - z;
        s = y - z;
        p = (r * s - w) / H(m + 1, m) + H(m, m + 1);
        q = H(m + 1, m + 1) - z - r - s;
        r = H(m + 2, m + 1);
        s = Math.abs(p) + Math.abs(q) + Math.abs(r);
        p /= s;
        q /= s;
        r /= s;
        if (m === l) break;
        if (
          Math.abs(H(m, m - 1)) * (Math.abs(q) + Math.abs(r)) <
          EPS *
            (Math.abs(p) * (Math.abs(H(m - 1, m - 1)) + Math.abs(z) + Math.abs(H(m + 1, m + 1))))
        )
          break;
        m--;
      }
      for (let i = m + 2; i <= n; i++) {
        h[i * nn + i - 2] = 0;
        if (i > m + 2) h[i * nn + i - 3] = 0;
      }
      const jEnd = full ? nn - 1 : n;
      const iStart = full ? 0 : l;
      if (sweep) {
        sweep(m, n, l, iStart, jEnd, p, q, r);
        continue;
      }
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
  }
  if (!V) return;
  // back-substitute for the eigenvectors of the quasi-triangular Schur form
  if (norm === 0) return;
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
): { re: Float64Array; im: Float64Array; h: Float64Array; V?: Float64Array } {
  const h = h0.slice();
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let V: Float64Array | undefined;
  if (opts.vectors) {
    V = new Float64Array(n * n);
    for (let i = 0; i < n; i++) V[i * n + i] = 1;
  }
  schur(h, n, re, im, V, noTicker, opts.kernel);
  return { re, im, h, V };
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
): void {
  withEngine((eng) => {
    if (!eng.francisSweep || !kernel) {
      francisQR(h, n, re, im, V, ticker);
      return;
    }
    // run the sweeps as the SIMD kernel on copies in the engine's heap
    const Hh = eng.alloc64(n * n);
    const Vh = V ? eng.alloc64(n * n) : -1;
    const ws = eng.alloc64(10 * n);
    const f = eng.f64; // no allocation below: the views stay valid
    const hv = f.subarray(Hh, Hh + n * n);
    hv.set(h);
    const vv = V ? f.subarray(Vh, Vh + n * n) : undefined;
    if (V) vv!.set(V);
    francisQR(hv, n, re, im, vv, ticker, (m, nAct, l, iStart, jEnd, p, q, r) =>
      eng.francisSweep!(Hh, n, m, nAct, l, iStart, jEnd, Vh, p, q, r, ws),
    );
    h.set(eng.slice64(Hh, Hh + n * n));
    if (V) V.set(eng.slice64(Vh, Vh + n * n));
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
