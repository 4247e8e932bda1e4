/**
 * Eigenvalues (and, through the rows of Zᵀ, eigenvectors) of a symmetric tridiagonal matrix by
 * the implicit QL iteration with Wilkinson shifts and plane rotations. Reference: LAPACK dsteqr;
 * EISPACK tql2; Golub & Van Loan §8.3. Slower than the root-free QL (a square root per
 * rotation) but it never squares an entry, so it is also the root-free QL's fallback where a
 * block's squares lose their bits (rootFreeQL.ts).
 */
import { LensError } from '../errors';
import { hypot } from './householder';
import { Ticker, noTicker } from './progress';
import { safeRangeScale } from './scaling';

/**
 * Implicit QL with Wilkinson shifts on (d, e) in place; e[i] couples d[i], d[i+1].
 * Rotations are applied to rows of zt (n×n) when given.
 */
export function tridiagonalQL(
  d: Float64Array,
  e0: Float64Array,
  zt: Float64Array | undefined,
  ticker: Ticker = noTicker,
): void {
  const n = d.length;
  const e = new Float64Array(n);
  e.set(e0);
  // iterate on 2^k·T when its largest entry is outside the safe range (LAPACK dsteqr): tiny
  // entries would otherwise meet subnormal rotation products and lose their accuracy
  let anorm = 0;
  for (let i = 0; i < n; i++) anorm = Math.max(anorm, Math.abs(d[i]), Math.abs(e[i]));
  const scale = safeRangeScale(anorm);
  if (scale !== 1)
    for (let i = 0; i < n; i++) {
      d[i] *= scale;
      e[i] *= scale;
    }
  const EPS = 2 ** -52;
  const SAFMIN = 2 ** -1022;
  // LAPACK dsteqr's budget: 30·n sweeps in all, not a fixed count per eigenvalue. A graded
  // matrix (large entries at the top, e.g. the reduction of a low-rank matrix, whose trailing
  // part is rounding noise) can take a few hundred sweeps for its first eigenvalue.
  const maxIter = 30 * n;
  let iter = 0;
  for (let l = 0; l < n; l++) {
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        // (dsteqr's + safmin: a coupling whose square underflows splits even between zeros)
        if (Math.abs(e[m]) <= EPS * dd || e[m] * e[m] <= SAFMIN) break;
      }
      if (m === l) break;
      if (++iter > maxIter)
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
  if (scale !== 1) for (let i = 0; i < n; i++) d[i] /= scale;
}
