/**
 * Scaling a matrix whose magnitude lies outside the safe range before a decomposition, and
 * scaling the results back: what LAPACK's drivers do with dlange + dlascl (dgesdd, dgeev,
 * dsyevd: "Scale A if max element outside range [SMLNUM,BIGNUM]").
 * Reference: LAPACK dgesdd.f / dgeev.f, dlascl.f.
 *
 * Without it, squares of entries near 1e±160 under/overflow inside the reductions: a rank-2
 * matrix scaled by 1e-200 came out rank 3, and a bidiagonal holding ±Infinity made every
 * convergence test NaN. Unlike dlascl we scale by a power of two (so the scaling itself is
 * exact for every normal result) and bring the largest magnitude to [0.5, 1), which leaves the
 * most headroom both ways; the results are multiplied back, and overflow or underflow there
 * only where the true value does (NumPy: the 2×2 of DBL_MAX has σ₁ = inf).
 */
import { Matrix } from './matrix';

/** LAPACK's SMLNUM = √(safe minimum)/eps and BIGNUM = 1/SMLNUM (dgesdd, dgeev). */
export const SMALL_NUM = Math.sqrt(2 ** -1022) / 2 ** -52;
export const BIG_NUM = 1 / SMALL_NUM;

/** Largest |a_ij| (NaN when any entry is NaN). */
export function maxAbs(data: ArrayLike<number>): number {
  let mx = 0;
  for (let i = 0; i < data.length; i++) {
    const v = Math.abs(data[i]);
    if (v > mx) mx = v;
    else if (v !== v) return NaN;
  }
  return mx;
}

/**
 * The exponent k such that a matrix with largest magnitude `amax` should be multiplied by
 * 2^k before a decomposition: 0 inside [SMALL_NUM, BIG_NUM] (and for 0, ±Inf, NaN), else the
 * power that brings `amax` into [0.5, 1).
 */
export function safeScaleExponent(amax: number): number {
  if (!(amax > 0) || !Number.isFinite(amax)) return 0;
  if (amax >= SMALL_NUM && amax <= BIG_NUM) return 0;
  // Math.log2 is exact enough to pick the binade; correct by one if it lands next door
  let k = -Math.floor(Math.log2(amax)) - 1;
  const y = scaleBy(amax, k);
  if (y >= 1) k--;
  else if (y < 0.5) k++;
  return k;
}

/** x·2^k in exact steps of at most 2^±1000 (2^k alone over- or underflows for |k| > 1022). */
export function scaleBy(x: number, k: number): number {
  let y = x;
  let r = k;
  while (r > 1000) {
    y *= 2 ** 1000;
    r -= 1000;
  }
  while (r < -1000) {
    y *= 2 ** -1000;
    r += 1000;
  }
  return r === 0 ? y : y * 2 ** r;
}

/** Multiplies every element of `v` by 2^k in place. */
export function scaleArray<T extends { [i: number]: number; length: number }>(v: T, k: number): T {
  if (k === 0) return v;
  const h = Math.trunc(k / 2);
  const f1 = 2 ** h;
  const f2 = 2 ** (k - h);
  for (let i = 0; i < v.length; i++) v[i] = v[i] * f1 * f2;
  return v;
}

/**
 * `a` itself when its magnitude is in the safe range, else a scaled copy; `k` is the exponent
 * it was scaled by (results that are homogeneous of degree 1 — singular values, eigenvalues —
 * are scaled back by 2^-k; vectors are unchanged).
 */
export function scaledForDecomposition(a: Matrix): { m: Matrix; k: number } {
  const k = safeScaleExponent(maxAbs(a.data));
  if (k === 0) return { m: a, k };
  return { m: { rows: a.rows, cols: a.cols, data: scaleArray(a.data.slice(), k) }, k };
}

const SSFMAX = Math.sqrt(2 ** 1022) / 3;
const SSFMIN = Math.sqrt(2 ** -1022) / 2 ** -106;

/**
 * The power of two (exact: the scaled entries carry no extra rounding) that brings a block
 * whose largest entry is `anorm` into [SSFMIN, SSFMAX], where neither the squares nor the
 * rotations of a QL sweep underflow or overflow (LAPACK dsteqr/dsterf's scaling); 1 when it is
 * already there (or zero).
 */
export function safeRangeScale(anorm: number): number {
  if (anorm > SSFMAX) return 2 ** Math.floor(Math.log2(SSFMAX / anorm));
  if (anorm > 0 && anorm < SSFMIN) return 2 ** Math.ceil(Math.log2(SSFMIN / anorm));
  return 1;
}
