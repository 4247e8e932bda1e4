/**
 * Eigenvalues of a symmetric tridiagonal matrix without vectors: the root-free (square-root
 * free) implicit QL iteration of Pal, Walker and Kahan, which works on the squares of the
 * off-diagonal entries and needs no square root per rotation. Reference: LAPACK dsterf;
 * Parlett, The Symmetric Eigenvalue Problem, §8.15.
 *
 * Each unreduced block is scaled into the range where the squares neither overflow nor
 * underflow, and iterated from its end of smaller magnitude (QL from the top when |d_first| ≤
 * |d_last|, else on the reversed block — the same as dsterf's QR), which keeps graded matrices
 * accurate. Same budget as LAPACK: 30·n sweeps in all.
 *
 * Working on squares has one weakness LAPACK's dsterf shares: a square that falls into the
 * subnormals keeps only the bits above 2^-1074, and the eigenvalues can then be off by far more
 * than n·eps·‖T‖ (see `certified`). Every block is checked, and one that fails is redone by the
 * rotation QL (`implicitQL.ts`), which never squares an entry.
 */
import { LensError } from '../errors';
import { tridiagonalQL } from './implicitQL';
import { safeRangeScale } from './scaling';

const EPS = 2 ** -53; // dlamch('E'): the relative machine precision (rounding)
const EPS2 = EPS * EPS;
/** Below this a square or a product of the iteration has lost bits to the subnormals. */
const TINY = 2 ** -1000;
const SAFMIN = 2 ** -1022;

/**
 * Replaces d (length n) by the eigenvalues of the tridiagonal matrix with diagonal d and
 * off-diagonal e (length n − 1, e[i] couples d[i] and d[i+1]; not modified), unsorted.
 */
export function tridiagonalEigenvalues(d: Float64Array, e0: Float64Array): void {
  const n = d.length;
  if (n <= 1) return;
  const e = new Float64Array(n);
  e.set(e0.subarray(0, n - 1));
  const maxIter = 30 * n;
  let iter = 0;
  let l1 = 0;
  while (l1 < n) {
    // the next unreduced block l..end: split where e is negligible
    if (l1 > 0) e[l1 - 1] = 0;
    let m = l1;
    for (; m < n - 1; m++) {
      const t = Math.abs(e[m]);
      if (t === 0) break;
      if (t <= Math.sqrt(Math.abs(d[m])) * Math.sqrt(Math.abs(d[m + 1])) * EPS) {
        e[m] = 0;
        break;
      }
    }
    const l = l1;
    const end = m;
    l1 = m + 1;
    if (end === l) continue;
    // scale the block into the safe range of the squares
    let anorm = 0;
    for (let i = l; i <= end; i++) anorm = Math.max(anorm, Math.abs(d[i]));
    for (let i = l; i < end; i++) anorm = Math.max(anorm, Math.abs(e[i]));
    const scale = safeRangeScale(anorm);
    // iterate from the end of smaller magnitude: reverse the block when the last is smaller
    const reversed = Math.abs(d[end]) < Math.abs(d[l]);
    const len = end - l + 1;
    const bd = new Float64Array(len);
    const be = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const k = reversed ? end - i : l + i;
      bd[i] = d[k] * scale;
    }
    const watch = { tainted: false };
    for (let i = 0; i < len - 1; i++) {
      const k = reversed ? end - 1 - i : l + i;
      const x = e[k] * scale;
      be[i] = x * x;
      if (be[i] < TINY && x !== 0) watch.tainted = true;
    }
    const before = invariants(bd, be, anorm * scale);
    iter = qlBlock(bd, be, iter, maxIter, watch);
    const after = invariants(bd, undefined, anorm * scale);
    // Σλ = tr T and Σλ² = ‖T‖_F²: a sound result keeps both to under len·eps (measured on
    // uniform, graded, wide-range and constant blocks, len 8–2048). Where the squares lost
    // their bits (a shift near 1e-159 squared into the subnormals: d = [0, 1.8e-106, 0],
    // e = [4.4e-133, 607] gave ±469, as LAPACK's dsterf does), the block is redone by the
    // rotation QL. The sums cannot see two eigenvalues off in opposite directions, nor one
    // small eigenvalue next to a large one (d = [0, 0, −800, −1.5e-158, 0, 0], e = [1, 1e-35,
    // 1, 1e-157, …]: ±1.0000000001, as dsterf), so a block whose squares went subnormal is also
    // certified eigenvalue by eigenvalue with Sturm counts.
    const tol = 16 * len * EPS;
    if (
      !(Math.abs(after.sq - before.sq) <= tol * before.sq) ||
      !(Math.abs(after.sum - before.sum) <= tol * Math.sqrt(len * before.sq)) ||
      (watch.tainted && !certified(d, e, l, end, scale, bd, 8 * len * EPS * anorm * scale))
    ) {
      const fd = d.slice(l, end + 1);
      const fe = new Float64Array(len);
      fe.set(e.subarray(l, end));
      tridiagonalQL(fd, fe, undefined);
      d.set(fd, l);
      continue;
    }
    for (let i = 0; i < len; i++) d[l + i] = bd[i] / scale;
  }
}

/**
 * Σ dᵢ and Σ dᵢ² + 2·Σ eᵢ (e holds squares) in units of `unit` (the block's largest entry),
 * so that no square overflows.
 */
function invariants(
  d: Float64Array,
  e2: Float64Array | undefined,
  unit: number,
): { sum: number; sq: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < d.length; i++) {
    const x = d[i] / unit;
    sum += x;
    sq += x * x;
  }
  if (e2) for (let i = 0; i < d.length - 1; i++) sq += (2 * (e2[i] / unit)) / unit;
  return { sum, sq };
}

/**
 * Root-free QL on one block (bd, be = squared off-diagonals); returns the sweeps used so far
 * and sets `watch.tainted` when a nonzero square or product fell below TINY.
 */
function qlBlock(
  d: Float64Array,
  e: Float64Array,
  iter: number,
  maxIter: number,
  watch: { tainted: boolean },
): number {
  const lend = d.length - 1;
  let l = 0;
  while (l <= lend) {
    let m = l;
    for (; m < lend; m++) if (Math.abs(e[m]) <= EPS2 * Math.abs(d[m] * d[m + 1])) break;
    if (m < lend) e[m] = 0;
    let p = d[l];
    if (m === l) {
      l++;
      continue;
    }
    if (m === l + 1) {
      // 2×2 block: its eigenvalues directly (dlae2)
      const [rt1, rt2] = eig2(d[l], Math.sqrt(e[l]), d[l + 1]);
      d[l] = rt1;
      d[l + 1] = rt2;
      e[l] = 0;
      l += 2;
      continue;
    }
    if (++iter > maxIter)
      throw new LensError('symmetric eigenvalues did not converge (root-free QL)', 'numeric');
    // Wilkinson-type shift from the leading 2×2
    const rte = Math.sqrt(e[l]);
    let sigma = (d[l + 1] - p) / (2 * rte);
    const r0 = Math.sqrt(sigma * sigma + 1);
    sigma = p - rte / (sigma + (sigma >= 0 ? r0 : -r0));
    let c = 1;
    let s = 0;
    let gamma = d[m] - sigma;
    p = gamma * gamma;
    if (p < TINY && gamma !== 0) watch.tainted = true;
    for (let i = m - 1; i >= l; i--) {
      const bb = e[i];
      const r = p + bb;
      if (i !== m - 1) {
        e[i + 1] = s * r;
        if (e[i + 1] < TINY && s !== 0) watch.tainted = true;
      }
      const oldc = c;
      // 1/c = r/p is formed beside c = p/r rather than after it: the divisions of a step no
      // longer follow each other (the loop is a chain of dependent operations)
      const rp = r / p;
      c = p / r;
      s = bb / r;
      const oldgam = gamma;
      const alpha = d[i];
      gamma = c * (alpha - sigma) - s * oldgam;
      d[i + 1] = oldgam + (alpha - gamma);
      // (r/p overflows where p is tiny: then the quotient by c, as dsterf)
      p = c !== 0 ? (rp < Infinity ? gamma * gamma * rp : (gamma * gamma) / c) : oldc * bb;
      if (p < TINY && gamma !== 0) watch.tainted = true;
    }
    e[l] = s * p;
    d[l] = sigma + gamma;
  }
  return iter;
}

/**
 * Whether each computed eigenvalue λ (`lam`, the scaled block's) lies within `delta` of the
 * block's true one of the same rank, by Sturm counts on the block as given (d[l..end],
 * e[l..end−1], times `scale`): with λ sorted, the i-th (from 0) is certified when fewer than i+1
 * eigenvalues lie below λ − δ and at least i+1 below λ + δ. A count in floating point is exact
 * for a matrix within a few ulps of each entry (Kahan; LAPACK dstebz's pivmin guard), far inside
 * δ. O(len²): run only for blocks whose squares went subnormal.
 */
function certified(
  d: Float64Array,
  e: Float64Array,
  l: number,
  end: number,
  scale: number,
  lam: Float64Array,
  delta: number,
): boolean {
  const len = end - l + 1;
  const td = new Float64Array(len);
  const te2 = new Float64Array(len);
  let emax = 0;
  for (let i = 0; i < len; i++) td[i] = d[l + i] * scale;
  for (let i = 0; i < len - 1; i++) {
    const x = e[l + i] * scale;
    te2[i] = x * x;
    emax = Math.max(emax, te2[i]);
  }
  const pivmin = SAFMIN * Math.max(1, emax);
  const sorted = lam.slice().sort();
  for (let k = 0; k < len; k++) {
    // two independent recurrences, below and above λ_k
    const lo = sorted[k] - delta;
    const hi = sorted[k] + delta;
    let qa = td[0] - lo;
    let qb = td[0] - hi;
    let below = 0;
    let above = 0;
    for (let i = 0; ; i++) {
      if (Math.abs(qa) < pivmin) qa = -pivmin;
      if (Math.abs(qb) < pivmin) qb = -pivmin;
      if (qa < 0) below++;
      if (qb < 0) above++;
      if (i === len - 1) break;
      qa = td[i + 1] - lo - te2[i] / qa;
      qb = td[i + 1] - hi - te2[i] / qb;
    }
    if (!(below <= k && above >= k + 1)) return false;
  }
  return true;
}

/** Eigenvalues of [[a, b], [b, c]], larger in absolute value first (LAPACK dlae2). */
function eig2(a: number, b: number, c: number): [number, number] {
  const sm = a + c;
  const adf = Math.abs(a - c);
  const ab = Math.abs(2 * b);
  const [acmx, acmn] = Math.abs(a) > Math.abs(c) ? [a, c] : [c, a];
  let rt: number;
  if (adf > ab) rt = adf * Math.sqrt(1 + (ab / adf) ** 2);
  else if (adf < ab) rt = ab * Math.sqrt(1 + (adf / ab) ** 2);
  else rt = ab * Math.SQRT2;
  if (sm === 0) return [0.5 * rt, -0.5 * rt];
  const rt1 = 0.5 * (sm < 0 ? sm - rt : sm + rt);
  return [rt1, (acmx / rt1) * acmn - (b / rt1) * b];
}
