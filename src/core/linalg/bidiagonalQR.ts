/**
 * Singular values (and optionally vectors) of an upper bidiagonal matrix by implicit QR with
 * the Demmel–Kahan zero shift, which keeps every singular value to high *relative*
 * accuracy (what decides rank for matrices like Hilbert 12, σ_min ≈ 1e-16).
 * Reference: J. Demmel & W. Kahan, "Accurate singular values of bidiagonal matrices",
 * SIAM J. Sci. Stat. Comput. 11 (1990); LAPACK dbdsqr (convergence criteria, bulge-chasing
 * direction, 2×2 blocks via dlasv2, shifts via dlas2). Rotations go to the rows of Vᵀ (right)
 * and of Uᵀ (left), both stored row-major: applied as generated, or, for heap-backed blocks with
 * a queue, in batches of the SIMD rotSeq64 kernel (as LAPACK's dlasr applies sequences: one
 * wasm call per batch instead of one per rotation). Deferring is exact: the QR on d, e never
 * reads the vectors, and rotSeq64 does rot64's arithmetic (identical bits).
 */
import { LensError } from '../errors';
import { givens } from './householder';
import type { Engine } from './wasm/kernels';
import { Ticker, noTicker } from './progress';

const EPS = 2 ** -53; // LAPACK's dlamch('E'): relative machine precision
const UNFL = 2.2250738585072014e-308;

function sign(a: number, b: number): number {
  const x = Math.abs(a);
  return b >= 0 ? x : -x;
}

/** Singular values of [f g; 0 h]: returns [ssmin, ssmax] (dlas2). */
export function svd2x2Values(f: number, g: number, h: number): [number, number] {
  const fa = Math.abs(f);
  const ga = Math.abs(g);
  const ha = Math.abs(h);
  const fhmn = Math.min(fa, ha);
  const fhmx = Math.max(fa, ha);
  if (fhmn === 0) {
    if (fhmx === 0) return [0, ga];
    const mx = Math.max(fhmx, ga);
    const mn = Math.min(fhmx, ga);
    return [0, mx * Math.sqrt(1 + (mn / mx) * (mn / mx))];
  }
  if (ga < fhmx) {
    const as = 1 + fhmn / fhmx;
    const at = (fhmx - fhmn) / fhmx;
    const au = (ga / fhmx) * (ga / fhmx);
    const c = 2 / (Math.sqrt(as * as + au) + Math.sqrt(at * at + au));
    return [fhmn * c, fhmx / c];
  }
  const au = fhmx / ga;
  if (au === 0) return [(fhmn * fhmx) / ga, ga];
  const as = 1 + fhmn / fhmx;
  const at = (fhmx - fhmn) / fhmx;
  const c = 1 / (Math.sqrt(1 + as * au * (as * au)) + Math.sqrt(1 + at * au * (at * au)));
  const smin = fhmn * c * au;
  return [smin + smin, ga / (c + c)];
}

/**
 * SVD of [f g; 0 h] (dlasv2): [csl snl; −snl csl]·[f g; 0 h]·[csr −snr; snr csr] =
 * diag(ssmax, ssmin). Returns [ssmin, ssmax, snr, csr, snl, csl].
 */
export function svd2x2(
  f: number,
  g: number,
  h: number,
): [number, number, number, number, number, number] {
  let ft = f;
  let fa = Math.abs(ft);
  let ht = h;
  let ha = Math.abs(h);
  let pmax = 1;
  const swap = ha > fa;
  if (swap) {
    pmax = 3;
    [ft, ht] = [ht, ft];
    [fa, ha] = [ha, fa];
  }
  const gt = g;
  const ga = Math.abs(gt);
  let clt: number, crt: number, slt: number, srt: number, ssmin: number, ssmax: number;
  if (ga === 0) {
    ssmin = ha;
    ssmax = fa;
    clt = 1;
    crt = 1;
    slt = 0;
    srt = 0;
  } else {
    let gasmal = true;
    clt = crt = slt = srt = ssmin = ssmax = 0;
    if (ga > fa) {
      pmax = 2;
      if (fa / ga < EPS) {
        gasmal = false;
        ssmax = ga;
        ssmin = ha > 1 ? fa / (ga / ha) : (fa / ga) * ha;
        clt = 1;
        slt = ht / gt;
        srt = 1;
        crt = ft / gt;
      }
    }
    if (gasmal) {
      const dd = fa - ha;
      let l = dd === fa ? 1 : dd / fa;
      const mm0 = gt / ft;
      let t = 2 - l;
      const mm = mm0 * mm0;
      const tt = t * t;
      const s = Math.sqrt(tt + mm);
      const r = l === 0 ? Math.abs(mm0) : Math.sqrt(l * l + mm);
      const aa = 0.5 * (s + r);
      ssmin = ha / aa;
      ssmax = fa * aa;
      if (mm === 0) {
        if (l === 0) t = sign(2, ft) * sign(1, gt);
        else t = gt / sign(dd, ft) + mm0 / t;
      } else {
        t = (mm0 / (s + t) + mm0 / (r + l)) * (1 + aa);
      }
      l = Math.sqrt(t * t + 4);
      crt = 2 / l;
      srt = t / l;
      clt = (crt + srt * mm0) / aa;
      slt = ((ht / ft) * srt) / aa;
    }
  }
  let csl: number, snl: number, csr: number, snr: number;
  if (swap) {
    csl = srt;
    snl = crt;
    csr = slt;
    snr = clt;
  } else {
    csl = clt;
    snl = slt;
    csr = crt;
    snr = srt;
  }
  let tsign: number;
  if (pmax === 1) tsign = sign(1, csr) * sign(1, csl) * sign(1, f);
  else if (pmax === 2) tsign = sign(1, snr) * sign(1, csl) * sign(1, g);
  else tsign = sign(1, snr) * sign(1, snl) * sign(1, h);
  ssmax = sign(ssmax, tsign);
  ssmin = sign(ssmin, tsign * sign(1, f) * sign(1, h));
  return [ssmin, ssmax, snr, csr, snl, csl];
}

/** Row-major block of rows that rotations act on: `rows × ld`. */
export interface RowBlock {
  data: Float64Array;
  ld: number;
  /** index of row 0 in data (default 0) */
  off?: number;
  /** when data is this engine's heap view, rotations run as its SIMD kernel */
  engine?: Engine;
  /**
   * with `engine`: f64 index of room for `queueCap` rotations (4 f64 each). Rotations are then
   * queued and applied in batches by the rotSeq64 kernel.
   */
  queue?: number;
  queueCap?: number;
  /** rotations queued (internal) */
  queued?: number;
}

/**
 * Applies the queued rotations of b (in order), in one call of the rotSeq64 kernel on this thread.
 * (Splitting the columns over the worker's pool was measured slower on the 2-core machine,
 * 2.65 s vs 2.06 s for a full 1024² SVD: the batches are memory-bound and the threads' column
 * blocks trade cache lines; see BENCHMARKS.md.)
 */
function flush(b: RowBlock | undefined): void {
  if (!b || !b.engine || !b.queued) return;
  const count = b.queued;
  b.queued = 0;
  b.engine.call!('rotSeq64', [(b.off ?? 0) * 8, b.ld, 0, b.ld, b.queue! * 8, count]);
}

function rot(b: RowBlock | undefined, p: number, q: number, c: number, s: number): void {
  if (!b || (s === 0 && c === 1)) return;
  const ld = b.ld;
  const o = b.off ?? 0;
  if (b.engine) {
    if (b.queue !== undefined && b.engine.call) {
      const n = b.queued ?? 0;
      const i = b.queue + 4 * n;
      const h = b.engine.f64;
      h[i] = p;
      h[i + 1] = q;
      h[i + 2] = c;
      h[i + 3] = s;
      b.queued = n + 1;
      if (n + 1 >= b.queueCap!) flush(b);
      return;
    }
    b.engine.rot(o + p * ld, o + q * ld, ld, c, s);
    return;
  }
  const a = b.data;
  let ip = o + p * ld;
  let iq = o + q * ld;
  const end = ip + ld;
  for (; ip < end; ip++, iq++) {
    const x = a[ip];
    const y = a[iq];
    a[ip] = c * x + s * y;
    a[iq] = c * y - s * x;
  }
}

function swapRows(b: RowBlock | undefined, p: number, q: number): void {
  if (!b) return;
  const a = b.data;
  const ld = b.ld;
  const o = b.off ?? 0;
  for (let k = 0; k < ld; k++) {
    const t = a[o + p * ld + k];
    a[o + p * ld + k] = a[o + q * ld + k];
    a[o + q * ld + k] = t;
  }
}

/**
 * In place: d (n) and e (n-1) of an upper bidiagonal B become the singular values
 * (descending, non-negative). If given, rows 0..n-1 of `vt` are rotated as Vᵀ and rows
 * 0..n-1 of `ut` as Uᵀ (so B = U·Σ·Vᵀ relative to what they held before).
 */
export function bidiagonalSvd(
  d: Float64Array,
  e: Float64Array,
  vt?: RowBlock,
  ut?: RowBlock,
  ticker: Ticker = noTicker,
): void {
  const n = d.length;
  if (n === 0) return;
  if (n > 1) qrIterate(d, e, n, vt, ut, ticker);
  flush(vt);
  flush(ut);
  // make non-negative
  for (let i = 0; i < n; i++)
    if (d[i] < 0) {
      d[i] = -d[i];
      if (vt) {
        const a = vt.data;
        for (let k = (vt.off ?? 0) + i * vt.ld, end = k + vt.ld; k < end; k++) a[k] = -a[k];
      }
    }
  // sort descending (selection sort: at most n-1 swaps of vector rows)
  for (let i = 0; i < n - 1; i++) {
    let isub = i;
    let smax = d[i];
    for (let j = i + 1; j < n; j++)
      if (d[j] > smax) {
        smax = d[j];
        isub = j;
      }
    if (isub !== i) {
      d[isub] = d[i];
      d[i] = smax;
      swapRows(vt, i, isub);
      swapRows(ut, i, isub);
    }
  }
}

function qrIterate(
  d: Float64Array,
  e: Float64Array,
  n: number,
  vt: RowBlock | undefined,
  ut: RowBlock | undefined,
  ticker: Ticker,
): void {
  const tolmul = Math.max(10, Math.min(100, EPS ** -0.125));
  const tol = tolmul * EPS;
  const maxitr = 6;
  const g3 = new Float64Array(3);
  // approximate smallest singular value, for the absolute threshold
  let smax = 0;
  for (let i = 0; i < n; i++) smax = Math.max(smax, Math.abs(d[i]));
  for (let i = 0; i < n - 1; i++) smax = Math.max(smax, Math.abs(e[i]));
  let sminoa = Math.abs(d[0]);
  if (sminoa !== 0) {
    let mu = sminoa;
    for (let i = 1; i < n; i++) {
      mu = Math.abs(d[i]) * (mu / (mu + Math.abs(e[i - 1])));
      sminoa = Math.min(sminoa, mu);
      if (sminoa === 0) break;
    }
  }
  sminoa = sminoa / Math.sqrt(n);
  const thresh = Math.max(tol * sminoa, maxitr * n * n * UNFL);
  // a NaN threshold makes every deflation test false: refuse instead of sweeping forever
  if (!Number.isFinite(thresh) || !Number.isFinite(smax))
    throw new LensError('SVD met a non-finite value (bidiagonal QR)', 'numeric');
  const maxit = maxitr * n * n;
  let iter = 0;
  // every pass of the loop counts, not only the sweeps: the passes that only zero a negligible
  // e[k] or split a block are bounded too, so the guard fires whatever the numbers do
  let passes = 0;
  const maxPasses = 4 * maxit + 8 * n;
  let oldll = -1;
  let oldm = -1;
  let idir = 0;
  let m = n - 1; // 0-based index of the bottom of the active block

  outer: while (m > 0) {
    if (iter > maxit || ++passes > maxPasses)
      throw new LensError('SVD did not converge (bidiagonal QR)', 'numeric');
    ticker.tick(1 - m / n);
    // find the active block d[ll..m]
    let smin = Math.abs(d[m]);
    smax = smin;
    let ll = -1;
    for (let k = m - 1; k >= 0; k--) {
      const abss = Math.abs(d[k]);
      const abse = Math.abs(e[k]);
      if (!(abss + abse < Infinity))
        throw new LensError('SVD met a non-finite value (bidiagonal QR)', 'numeric');
      if (abse <= thresh) {
        e[k] = 0;
        if (k === m - 1) {
          m--;
          continue outer;
        }
        ll = k;
        break;
      }
      smin = Math.min(smin, abss);
      smax = Math.max(smax, abss, abse);
    }
    ll++;
    // 2×2 block
    if (ll === m - 1) {
      const [sigmn, sigmx, sinr, cosr, sinl, cosl] = svd2x2(d[m - 1], e[m - 1], d[m]);
      d[m - 1] = sigmx;
      e[m - 1] = 0;
      d[m] = sigmn;
      rot(vt, m - 1, m, cosr, sinr);
      rot(ut, m - 1, m, cosl, sinl);
      m -= 2;
      continue;
    }
    // a new block: choose the direction of the bulge chase
    if (ll > oldm || m < oldll) idir = Math.abs(d[ll]) >= Math.abs(d[m]) ? 1 : 2;
    let sminl = 0;
    if (idir === 1) {
      if (Math.abs(e[m - 1]) <= tol * Math.abs(d[m])) {
        e[m - 1] = 0;
        continue;
      }
      let mu = Math.abs(d[ll]);
      sminl = mu;
      for (let l = ll; l < m; l++) {
        if (Math.abs(e[l]) <= tol * mu) {
          e[l] = 0;
          continue outer;
        }
        mu = Math.abs(d[l + 1]) * (mu / (mu + Math.abs(e[l])));
        sminl = Math.min(sminl, mu);
      }
    } else {
      if (Math.abs(e[ll]) <= tol * Math.abs(d[ll])) {
        e[ll] = 0;
        continue;
      }
      let mu = Math.abs(d[m]);
      sminl = mu;
      for (let l = m - 1; l >= ll; l--) {
        if (Math.abs(e[l]) <= tol * mu) {
          e[l] = 0;
          continue outer;
        }
        mu = Math.abs(d[l]) * (mu / (mu + Math.abs(e[l])));
        sminl = Math.min(sminl, mu);
      }
    }
    oldll = ll;
    oldm = m;
    // shift: zero if it would spoil relative accuracy
    let shift = 0;
    if (n * tol * (sminl / smax) > Math.max(EPS, 0.01 * tol)) {
      let sll: number;
      if (idir === 1) {
        sll = Math.abs(d[ll]);
        shift = svd2x2Values(d[m - 1], e[m - 1], d[m])[0];
      } else {
        sll = Math.abs(d[m]);
        shift = svd2x2Values(d[ll], e[ll], d[ll + 1])[0];
      }
      if (sll > 0 && (shift / sll) * (shift / sll) < EPS) shift = 0;
    }
    iter += m - ll;
    if (shift === 0) {
      if (idir === 1) {
        let cs = 1;
        let oldcs = 1;
        let oldsn = 0;
        for (let i = ll; i < m; i++) {
          givens(d[i] * cs, e[i], g3);
          cs = g3[0];
          const sn = g3[1];
          const r = g3[2];
          if (i > ll) e[i - 1] = oldsn * r;
          givens(oldcs * r, d[i + 1] * sn, g3);
          oldcs = g3[0];
          oldsn = g3[1];
          d[i] = g3[2];
          rot(vt, i, i + 1, cs, sn);
          rot(ut, i, i + 1, oldcs, oldsn);
        }
        const h = d[m] * cs;
        d[m] = h * oldcs;
        e[m - 1] = h * oldsn;
        if (Math.abs(e[m - 1]) <= thresh) e[m - 1] = 0;
      } else {
        let cs = 1;
        let oldcs = 1;
        let oldsn = 0;
        for (let i = m; i > ll; i--) {
          givens(d[i] * cs, e[i - 1], g3);
          cs = g3[0];
          const sn = g3[1];
          const r = g3[2];
          if (i < m) e[i] = oldsn * r;
          givens(oldcs * r, d[i - 1] * sn, g3);
          oldcs = g3[0];
          oldsn = g3[1];
          d[i] = g3[2];
          rot(vt, i, i - 1, oldcs, oldsn);
          rot(ut, i, i - 1, cs, sn);
        }
        const h = d[ll] * cs;
        d[ll] = h * oldcs;
        e[ll] = h * oldsn;
        if (Math.abs(e[ll]) <= thresh) e[ll] = 0;
      }
    } else if (idir === 1) {
      let f = (Math.abs(d[ll]) - shift) * (sign(1, d[ll]) + shift / d[ll]);
      let g = e[ll];
      for (let i = ll; i < m; i++) {
        givens(f, g, g3);
        const cosr = g3[0];
        const sinr = g3[1];
        if (i > ll) e[i - 1] = g3[2];
        f = cosr * d[i] + sinr * e[i];
        e[i] = cosr * e[i] - sinr * d[i];
        g = sinr * d[i + 1];
        d[i + 1] = cosr * d[i + 1];
        givens(f, g, g3);
        const cosl = g3[0];
        const sinl = g3[1];
        d[i] = g3[2];
        f = cosl * e[i] + sinl * d[i + 1];
        d[i + 1] = cosl * d[i + 1] - sinl * e[i];
        if (i < m - 1) {
          g = sinl * e[i + 1];
          e[i + 1] = cosl * e[i + 1];
        }
        rot(vt, i, i + 1, cosr, sinr);
        rot(ut, i, i + 1, cosl, sinl);
      }
      e[m - 1] = f;
      if (Math.abs(e[m - 1]) <= thresh) e[m - 1] = 0;
    } else {
      let f = (Math.abs(d[m]) - shift) * (sign(1, d[m]) + shift / d[m]);
      let g = e[m - 1];
      for (let i = m; i > ll; i--) {
        givens(f, g, g3);
        const cosr = g3[0];
        const sinr = g3[1];
        if (i < m) e[i] = g3[2];
        f = cosr * d[i] + sinr * e[i - 1];
        e[i - 1] = cosr * e[i - 1] - sinr * d[i];
        g = sinr * d[i - 1];
        d[i - 1] = cosr * d[i - 1];
        givens(f, g, g3);
        const cosl = g3[0];
        const sinl = g3[1];
        d[i] = g3[2];
        f = cosl * e[i - 1] + sinl * d[i - 1];
        d[i - 1] = cosl * d[i - 1] - sinl * e[i - 1];
        if (i > ll + 1) {
          g = sinl * e[i - 2];
          e[i - 2] = cosl * e[i - 2];
        }
        rot(ut, i, i - 1, cosr, sinr);
        rot(vt, i, i - 1, cosl, sinl);
      }
      e[ll] = f;
      if (Math.abs(e[ll]) <= thresh) e[ll] = 0;
    }
  }
}
