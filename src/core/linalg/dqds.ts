/**
 * Singular values of an upper bidiagonal matrix by the dqds algorithm (differential quotient
 * difference with shifts): the values only, to high relative accuracy, in O(n²) flops of a
 * simple recurrence (no square roots and no rotations in the inner loop).
 *
 * References: K. V. Fernando & B. N. Parlett, "Accurate singular values and differential qd
 * algorithms", Numer. Math. 67 (1994) 191–229; B. N. Parlett & O. A. Marques, "An implementation
 * of the dqds algorithm (positive case)", Linear Algebra Appl. 309 (2000) 217–259; LAPACK
 * dlasq1–dlasq6 (the shift strategy, deflation and splitting criteria, ping-pong storage and
 * the safe-range scaling followed here).
 *
 * Layout: the squares q_k = d_k², e_k = e_k² of the (scaled) bidiagonal live in one array z,
 * indexed from 1 as in the reference so the index arithmetic can be checked against it:
 * z[4k−3] = q_k, z[4k−1] = e_k ("ping", pp = 0) and z[4k−2], z[4k] the transformed pair
 * ("pong", pp = 1). Each dqds step maps one pair into the other. Eigenvalues of BᵀB deflate
 * off the bottom of the active block (i0..n0); σ = √λ at the end.
 *
 * Failure is bounded: each unreduced block gets at most 100·(its order) dqds steps and the
 * outer loop at most n + 1 blocks. When dqds gives up (never seen in testing; LAPACK's info 2
 * and 3) the driver falls back to the Demmel–Kahan implicit QR (./bidiagonalQR), which has its
 * own iteration cap and a clear error.
 */
import { LensError } from '../errors';
import { bidiagonalSvd, svd2x2Values } from './bidiagonalQR';
import { Ticker, noTicker } from './progress';

/** dlamch('P'): ε·base. */
const EPS = 2 ** -52;
/** dlamch('S'): the smallest normal number. */
const SAFMIN = 2 ** -1022;
const TOL = 100 * EPS;
const TOL2 = TOL * TOL;
const CBIAS = 1.5;
/** The scaled bidiagonal's largest entry is 2^SCALE_EXP (≈ √(ε/safmin)) so its squares fit. */
const SCALE_EXP = 485;

/** Multiplies x by 2^k exactly (two steps: k may exceed the exponent range of one factor). */
function ldexp(x: number, k: number): number {
  const a = Math.trunc(k / 2);
  return x * 2 ** a * 2 ** (k - a);
}

/**
 * In place: d (n) and e (n−1) of an upper bidiagonal B become its singular values, descending
 * and non-negative (like the values-only path of {@link bidiagonalSvd}, LAPACK dlasq1). e is
 * overwritten.
 */
export function bidiagonalSingularValues(
  d: Float64Array,
  e: Float64Array,
  ticker: Ticker = noTicker,
): void {
  const n = d.length;
  if (n === 0) return;
  if (e.length < n - 1) throw new Error(`bidiagonal needs ${n - 1} off-diagonal entries`);
  if (n === 1) {
    d[0] = Math.abs(d[0]);
    if (Number.isNaN(d[0])) throw new LensError('SVD met a non-finite value (dqds)', 'numeric');
    return;
  }
  let sigmx = 0;
  for (let i = 0; i < n - 1; i++) sigmx = Math.max(sigmx, Math.abs(e[i]));
  for (let i = 0; i < n; i++) {
    d[i] = Math.abs(d[i]);
    sigmx = Math.max(sigmx, d[i]);
  }
  let finite = Number.isFinite(sigmx);
  for (let i = 0; finite && i < n; i++) finite = !Number.isNaN(d[i]);
  for (let i = 0; finite && i < n - 1; i++) finite = !Number.isNaN(e[i]);
  if (!finite) throw new LensError('SVD met a non-finite value (dqds)', 'numeric');
  if (n === 2) {
    const [mn, mx] = svd2x2Values(d[0], e[0], d[1]);
    d[0] = mx;
    d[1] = mn;
    return;
  }
  if (sigmx === 0) return; // all zero
  // scale by a power of two (exact) so that the largest entry is near 2^485: the squares can
  // neither overflow nor lose the small entries any earlier than the reference's dlascl does
  const k = SCALE_EXP - Math.ceil(Math.log2(sigmx));
  const z = new Float64Array(4 * n + 1);
  for (let i = 1; i <= n; i++) {
    const di = ldexp(d[i - 1], k);
    z[2 * i - 1] = di * di;
  }
  for (let i = 1; i < n; i++) {
    const ei = ldexp(e[i - 1], k);
    z[2 * i] = ei * ei;
  }
  z[2 * n] = 0;
  const info = dqdsEigenvalues(n, z, ticker);
  if (info !== 0) {
    // dqds gave up (LAPACK's info 2/3): the implicit QR on the original bidiagonal instead
    bidiagonalSvd(d, e, undefined, undefined, ticker);
    return;
  }
  for (let i = 0; i < n; i++) d[i] = ldexp(Math.sqrt(z[i + 1]), -k);
}

/** dlasq3–6 state carried across dqds steps (the reference's argument list). */
interface State {
  i0: number;
  n0: number;
  pp: number;
  dmin: number;
  sigma: number;
  desig: number;
  qmax: number;
  nfail: number;
  iter: number;
  ndiv: number;
  ttype: number;
  dmin1: number;
  dmin2: number;
  dn: number;
  dn1: number;
  dn2: number;
  g: number;
  tau: number;
}

/**
 * Eigenvalues of the positive definite tridiagonal given by the qd array in z (1-based:
 * z[2k−1] = q_k, z[2k] = e_k, z[2n] = 0, length ≥ 4n + 1), LAPACK dlasq2 for n ≥ 3. On
 * success (0) z[1..n] holds them in decreasing order; 1–3 are the reference's failure codes
 * (a split marked wrongly, a block not reduced within 100·order steps, too many blocks).
 * Exported for the tests. The ticker hears the fraction of eigenvalues deflated (and may throw
 * to cancel).
 */
export function dqdsEigenvalues(n: number, z: Float64Array, ticker: Ticker = noTicker): number {
  if (n < 3) throw new Error('dqdsEigenvalues needs n ≥ 3');
  z[2 * n] = 0;
  let emin = z[2];
  let qmax = 0;
  let dsum = 0;
  let esum = 0;
  for (let k = 1; k <= 2 * (n - 1); k += 2) {
    if (!(z[k] >= 0) || !(z[k + 1] >= 0)) throw new Error('dqds: negative or NaN qd entry');
    dsum += z[k];
    esum += z[k + 1];
    qmax = Math.max(qmax, z[k]);
    emin = Math.min(emin, z[k + 1]);
  }
  if (!(z[2 * n - 1] >= 0)) throw new Error('dqds: negative or NaN qd entry');
  dsum += z[2 * n - 1];
  qmax = Math.max(qmax, z[2 * n - 1]);
  // diagonal: the q's are the eigenvalues
  if (esum === 0) {
    for (let k = 2; k <= n; k++) z[k] = z[2 * k - 1];
    sortDescending(z, n);
    return 0;
  }
  if (dsum + esum === 0) return 0; // all zero
  // spread out: z = (q1, qq1, e1, ee1, q2, ...)
  for (let k = 2 * n; k >= 2; k -= 2) {
    z[2 * k] = 0;
    z[2 * k - 1] = z[k];
    z[2 * k - 2] = 0;
    z[2 * k - 3] = z[k - 1];
  }
  const i0 = 1;
  const n0 = n;
  // reverse if the bottom is much larger than the top (dqds converges at the bottom)
  if (CBIAS * z[4 * i0 - 3] < z[4 * n0 - 3]) {
    const ipn4 = 4 * (i0 + n0);
    for (let i4 = 4 * i0; i4 <= 2 * (i0 + n0 - 1); i4 += 4) {
      swap(z, i4 - 3, ipn4 - i4 - 3);
      swap(z, i4 - 1, ipn4 - i4 - 5);
    }
  }
  // two zero-shift dqd steps with Li's splitting test
  let pp = 0;
  for (let rep = 0; rep < 2; rep++) {
    let d = z[4 * n0 + pp - 3];
    for (let i4 = 4 * (n0 - 1) + pp; i4 >= 4 * i0 + pp; i4 -= 4) {
      if (z[i4 - 1] <= TOL2 * d) {
        z[i4 - 1] = -0;
        d = z[i4 - 3];
      } else d = z[i4 - 3] * (d / (d + z[i4 - 1]));
    }
    emin = z[4 * i0 + pp + 1];
    d = z[4 * i0 + pp - 3];
    for (let i4 = 4 * i0 + pp; i4 <= 4 * (n0 - 1) + pp; i4 += 4) {
      const t = i4 - 2 * pp;
      z[t - 2] = d + z[i4 - 1];
      if (z[i4 - 1] <= TOL2 * d) {
        z[i4 - 1] = -0;
        z[t - 2] = d;
        z[t] = 0;
        d = z[i4 + 1];
      } else if (SAFMIN * z[i4 + 1] < z[t - 2] && SAFMIN * z[t - 2] < z[i4 + 1]) {
        const r = z[i4 + 1] / z[t - 2];
        z[t] = z[i4 - 1] * r;
        d *= r;
      } else {
        z[t] = z[i4 + 1] * (z[i4 - 1] / z[t - 2]);
        d = z[i4 + 1] * (d / z[t - 2]);
      }
      emin = Math.min(emin, z[t]);
    }
    z[4 * n0 - pp - 2] = d;
    qmax = z[4 * i0 - pp - 2];
    for (let i4 = 4 * i0 - pp + 2; i4 <= 4 * n0 - pp - 2; i4 += 4) qmax = Math.max(qmax, z[i4]);
    pp = 1 - pp;
  }
  const s: State = {
    i0,
    n0,
    pp: 0,
    dmin: 0,
    sigma: 0,
    desig: 0,
    qmax,
    nfail: 0,
    iter: 2,
    ndiv: 2 * (n0 - i0),
    ttype: 0,
    dmin1: 0,
    dmin2: 0,
    dn: 0,
    dn1: 0,
    dn2: 0,
    g: 0,
    tau: 0,
  };
  outer: for (let iwhila = 1; iwhila <= n + 1; iwhila++) {
    if (s.n0 < 1) {
      for (let k = 2; k <= n; k++) z[k] = z[4 * k - 3];
      sortDescending(z, n);
      return 0;
    }
    // e(n0) holds −σ when the block i0..n0 split off the rest
    s.desig = 0;
    s.sigma = s.n0 === n ? 0 : -z[4 * s.n0 - 1];
    if (s.sigma < 0) return 1;
    // find the top i0 of the last unreduced block, its qmax and emin, and a Gershgorin-type
    // lower bound when the q's dominate the e's
    let emax = 0;
    emin = s.n0 > s.i0 ? Math.abs(z[4 * s.n0 - 5]) : 0;
    let qmin = z[4 * s.n0 - 3];
    s.qmax = qmin;
    let i4 = 4 * s.n0;
    for (; i4 >= 8; i4 -= 4) {
      if (z[i4 - 5] <= 0) break;
      if (qmin >= 4 * emax) {
        qmin = Math.min(qmin, z[i4 - 3]);
        emax = Math.max(emax, z[i4 - 5]);
      }
      s.qmax = Math.max(s.qmax, z[i4 - 7] + z[i4 - 5]);
      emin = Math.min(emin, z[i4 - 5]);
    }
    if (i4 < 8) i4 = 4;
    s.i0 = i4 / 4;
    s.pp = 0;
    if (s.n0 - s.i0 > 1) {
      // flip the block when its smallest d (of a zero-shift sweep) sits near the top
      let dee = z[4 * s.i0 - 3];
      let deemin = dee;
      let kmin = s.i0;
      for (let j = 4 * s.i0 + 1; j <= 4 * s.n0 - 3; j += 4) {
        dee = z[j] * (dee / (dee + z[j - 2]));
        if (dee <= deemin) {
          deemin = dee;
          kmin = (j + 3) / 4;
        }
      }
      if ((kmin - s.i0) * 2 < s.n0 - kmin && deemin <= 0.5 * z[4 * s.n0 - 3]) {
        const ipn4 = 4 * (s.i0 + s.n0);
        s.pp = 2;
        for (let j = 4 * s.i0; j <= 2 * (s.i0 + s.n0 - 1); j += 4) {
          swap(z, j - 3, ipn4 - j - 3);
          swap(z, j - 2, ipn4 - j - 2);
          swap(z, j - 1, ipn4 - j - 5);
          swap(z, j, ipn4 - j - 4);
        }
      }
    }
    // −(initial shift) in dmin
    s.dmin = -Math.max(0, qmin - 2 * Math.sqrt(qmin) * Math.sqrt(emax));
    const nbig = 100 * (s.n0 - s.i0 + 1);
    for (let iwhilb = 1; iwhilb <= nbig; iwhilb++) {
      if (s.i0 > s.n0) continue outer;
      dqdsStep(z, s);
      s.pp = 1 - s.pp;
      ticker.tick(1 - s.n0 / n);
      // when an e is tiny, split the block there
      if (s.pp === 0 && s.n0 - s.i0 >= 3) {
        const sigma = s.sigma;
        if (z[4 * s.n0] <= TOL2 * s.qmax || z[4 * s.n0 - 1] <= TOL2 * sigma) {
          let splt = s.i0 - 1;
          s.qmax = z[4 * s.i0 - 3];
          emin = z[4 * s.i0 - 1];
          let oldemn = z[4 * s.i0];
          for (let j = 4 * s.i0; j <= 4 * (s.n0 - 3); j += 4) {
            if (z[j] <= TOL2 * z[j - 3] || z[j - 1] <= TOL2 * sigma) {
              z[j - 1] = -sigma;
              splt = j / 4;
              s.qmax = 0;
              emin = z[j + 3];
              oldemn = z[j + 4];
            } else {
              s.qmax = Math.max(s.qmax, z[j + 1]);
              emin = Math.min(emin, z[j - 1]);
              oldemn = Math.min(oldemn, z[j]);
            }
          }
          z[4 * s.n0 - 1] = emin;
          z[4 * s.n0] = oldemn;
          s.i0 = splt + 1;
        }
      }
    }
    return 2; // the block did not reduce within 100·order steps
  }
  return 3; // more blocks than the matrix can have
}

function swap(z: Float64Array, a: number, b: number): void {
  const t = z[a];
  z[a] = z[b];
  z[b] = t;
}

/** z[1..n] in decreasing order. */
function sortDescending(z: Float64Array, n: number): void {
  const v = z.subarray(1, n + 1).sort();
  v.reverse();
}

/**
 * Deflates what has converged at the bottom of the block, then takes one dqds step with a shift
 * (LAPACK dlasq3): retried with a smaller shift when the step fails (a negative d), a zero-shift
 * dqd step (dlasq6) when underflow threatens.
 */
function dqdsStep(z: Float64Array, s: State): void {
  const n0in = s.n0;
  const { i0 } = s;
  // deflation at the bottom: one eigenvalue when e(n0−1) is negligible, two when e(n0−2) is
  for (;;) {
    if (s.n0 < i0) return;
    const nn = 4 * s.n0 + s.pp;
    let two = s.n0 === i0 + 1;
    if (!two) {
      if (
        s.n0 === i0 ||
        !(z[nn - 5] > TOL2 * (s.sigma + z[nn - 3]) && z[nn - 2 * s.pp - 4] > TOL2 * z[nn - 7])
      ) {
        z[4 * s.n0 - 3] = z[4 * s.n0 + s.pp - 3] + s.sigma;
        s.n0 -= 1;
        continue;
      }
      two = !(z[nn - 9] > TOL2 * s.sigma && z[nn - 2 * s.pp - 8] > TOL2 * z[nn - 11]);
    }
    if (!two) break;
    // the trailing 2×2 block's eigenvalues
    if (z[nn - 3] > z[nn - 7]) swap(z, nn - 3, nn - 7);
    const t0 = 0.5 * (z[nn - 7] - z[nn - 3] + z[nn - 5]);
    if (z[nn - 5] > z[nn - 3] * TOL2 && t0 !== 0) {
      let r = z[nn - 3] * (z[nn - 5] / t0);
      if (r <= t0) r = z[nn - 3] * (z[nn - 5] / (t0 * (1 + Math.sqrt(1 + r / t0))));
      else r = z[nn - 3] * (z[nn - 5] / (t0 + Math.sqrt(t0) * Math.sqrt(t0 + r)));
      const t = z[nn - 7] + (r + z[nn - 5]);
      z[nn - 3] *= z[nn - 7] / t;
      z[nn - 7] = t;
    }
    z[4 * s.n0 - 7] = z[nn - 7] + s.sigma;
    z[4 * s.n0 - 3] = z[nn - 3] + s.sigma;
    s.n0 -= 2;
  }
  if (s.pp === 2) s.pp = 0;
  const { n0, pp } = s;
  // reverse the block if warranted
  if (s.dmin <= 0 || n0 < n0in) {
    if (CBIAS * z[4 * i0 + pp - 3] < z[4 * n0 + pp - 3]) {
      const ipn4 = 4 * (i0 + n0);
      for (let j = 4 * i0; j <= 2 * (i0 + n0 - 1); j += 4) {
        swap(z, j - 3, ipn4 - j - 3);
        swap(z, j - 2, ipn4 - j - 2);
        swap(z, j - 1, ipn4 - j - 5);
        swap(z, j, ipn4 - j - 4);
      }
      if (n0 - i0 <= 4) {
        z[4 * n0 + pp - 1] = z[4 * i0 + pp - 1];
        z[4 * n0 - pp] = z[4 * i0 - pp];
      }
      s.dmin2 = Math.min(s.dmin2, z[4 * n0 + pp - 1]);
      z[4 * n0 + pp - 1] = Math.min(z[4 * n0 + pp - 1], z[4 * i0 + pp - 1], z[4 * i0 + pp + 3]);
      z[4 * n0 - pp] = Math.min(z[4 * n0 - pp], z[4 * i0 - pp], z[4 * i0 - pp + 4]);
      s.qmax = Math.max(s.qmax, z[4 * i0 + pp - 3], z[4 * i0 + pp + 1]);
      s.dmin = -0;
    }
  }
  chooseShift(z, s, n0in);
  let safe = false;
  for (;;) {
    dqdsSweep(z, s);
    s.ndiv += n0 - i0 + 2;
    s.iter += 1;
    if (s.dmin >= 0 && s.dmin1 >= 0) break; // success
    if (
      s.dmin < 0 &&
      s.dmin1 > 0 &&
      z[4 * (n0 - 1) - pp] < TOL * (s.sigma + s.dn1) &&
      Math.abs(s.dn) < TOL * s.sigma
    ) {
      // convergence hidden by a negative dn
      z[4 * (n0 - 1) - pp + 2] = 0;
      s.dmin = 0;
      break;
    }
    if (s.dmin < 0) {
      // shift too big: try again with a smaller one
      s.nfail += 1;
      if (s.ttype < -22)
        s.tau = 0; // failed twice: play safe
      else if (s.dmin1 > 0) {
        s.tau = (s.tau + s.dmin) * (1 - 2 * EPS); // late failure: an excellent shift
        s.ttype -= 11;
      } else {
        s.tau *= 0.25; // early failure
        s.ttype -= 12;
      }
      continue;
    }
    if (Number.isNaN(s.dmin)) {
      if (s.tau === 0) {
        safe = true;
        break;
      }
      s.tau = 0;
      continue;
    }
    safe = true; // possible underflow
    break;
  }
  if (safe) {
    zeroShiftSweep(z, s);
    s.ndiv += n0 - i0 + 2;
    s.iter += 1;
    s.tau = 0;
  }
  // σ += τ, compensated (desig carries the rounding error)
  let t: number;
  if (s.tau < s.sigma) {
    s.desig += s.tau;
    t = s.sigma + s.desig;
    s.desig -= t - s.sigma;
  } else {
    t = s.sigma + s.tau;
    s.desig = s.sigma - (t - s.tau) + s.desig;
  }
  s.sigma = t;
}

/** The shift: an approximation from below to the block's smallest eigenvalue (LAPACK dlasq4). */
function chooseShift(z: Float64Array, st: State, n0in: number): void {
  const { i0, n0, pp, dmin, dmin1, dmin2, dn, dn1, dn2 } = st;
  const C1 = 0.563;
  const C2 = 1.01;
  const C3 = 1.05;
  const THIRD = 0.333;
  if (dmin <= 0) {
    st.tau = -dmin;
    st.ttype = -1;
    return;
  }
  const nn = 4 * n0 + pp;
  let s = 0;
  if (n0in === n0) {
    if (dmin === dn || dmin === dn1) {
      let b1 = Math.sqrt(z[nn - 3]) * Math.sqrt(z[nn - 5]);
      let b2 = Math.sqrt(z[nn - 7]) * Math.sqrt(z[nn - 9]);
      let a2 = z[nn - 7] + z[nn - 5];
      if (dmin === dn && dmin1 === dn1) {
        // cases 2 and 3
        const gap2 = dmin2 - a2 - dmin2 * 0.25;
        const gap1 = gap2 > 0 && gap2 > b2 ? a2 - dn - (b2 / gap2) * b2 : a2 - dn - (b1 + b2);
        if (gap1 > 0 && gap1 > b1) {
          s = Math.max(dn - (b1 / gap1) * b1, 0.5 * dmin);
          st.ttype = -2;
        } else {
          s = 0;
          if (dn > b1) s = dn - b1;
          if (a2 > b1 + b2) s = Math.min(s, a2 - (b1 + b2));
          s = Math.max(s, THIRD * dmin);
          st.ttype = -3;
        }
      } else {
        // case 4
        st.ttype = -4;
        s = 0.25 * dmin;
        let gam: number;
        let np: number;
        if (dmin === dn) {
          gam = dn;
          a2 = 0;
          if (z[nn - 5] > z[nn - 7]) return setTau(st, s);
          b2 = z[nn - 5] / z[nn - 7];
          np = nn - 9;
        } else {
          np = nn - 2 * pp;
          gam = dn1;
          if (z[np - 4] > z[np - 2]) return setTau(st, s);
          a2 = z[np - 4] / z[np - 2];
          if (z[nn - 9] > z[nn - 11]) return setTau(st, s);
          b2 = z[nn - 9] / z[nn - 11];
          np = nn - 13;
        }
        // approximate contribution to the norm squared from i < nn − 1
        a2 += b2;
        for (let i4 = np; i4 >= 4 * i0 - 1 + pp; i4 -= 4) {
          if (b2 === 0) break;
          b1 = b2;
          if (z[i4] > z[i4 - 2]) return setTau(st, s);
          b2 *= z[i4] / z[i4 - 2];
          a2 += b2;
          if (100 * Math.max(b2, b1) < a2 || C1 < a2) break;
        }
        a2 *= C3;
        // Rayleigh quotient residual bound
        if (a2 < C1) s = (gam * (1 - Math.sqrt(a2))) / (1 + a2);
      }
    } else if (dmin === dn2) {
      // case 5
      st.ttype = -5;
      s = 0.25 * dmin;
      const np = nn - 2 * pp;
      let b1 = z[np - 2];
      let b2 = z[np - 6];
      const gam = dn2;
      if (z[np - 8] > b2 || z[np - 4] > b1) return setTau(st, s);
      let a2 = (z[np - 8] / b2) * (1 + z[np - 4] / b1);
      if (n0 - i0 > 2) {
        b2 = z[nn - 13] / z[nn - 15];
        a2 += b2;
        for (let i4 = nn - 17; i4 >= 4 * i0 - 1 + pp; i4 -= 4) {
          if (b2 === 0) break;
          b1 = b2;
          if (z[i4] > z[i4 - 2]) return setTau(st, s);
          b2 *= z[i4] / z[i4 - 2];
          a2 += b2;
          if (100 * Math.max(b2, b1) < a2 || C1 < a2) break;
        }
        a2 *= C3;
      }
      if (a2 < C1) s = (gam * (1 - Math.sqrt(a2))) / (1 + a2);
    } else {
      // case 6: no information to guide us
      if (st.ttype === -6) st.g += THIRD * (1 - st.g);
      else if (st.ttype === -18) st.g = 0.25 * THIRD;
      else st.g = 0.25;
      s = st.g * dmin;
      st.ttype = -6;
    }
  } else if (n0in === n0 + 1) {
    // one eigenvalue just deflated: dmin1, dn1 stand for dmin, dn
    if (dmin1 === dn1 && dmin2 === dn2) {
      // cases 7 and 8
      st.ttype = -7;
      s = THIRD * dmin1;
      if (z[nn - 5] > z[nn - 7]) return setTau(st, s);
      let b1 = z[nn - 5] / z[nn - 7];
      let b2 = b1;
      if (b2 !== 0) {
        for (let i4 = 4 * n0 - 9 + pp; i4 >= 4 * i0 - 1 + pp; i4 -= 4) {
          const a2 = b1;
          if (z[i4] > z[i4 - 2]) return setTau(st, s);
          b1 *= z[i4] / z[i4 - 2];
          b2 += b1;
          if (100 * Math.max(b1, a2) < b2) break;
        }
      }
      b2 = Math.sqrt(C3 * b2);
      const a2 = dmin1 / (1 + b2 * b2);
      const gap2 = 0.5 * dmin2 - a2;
      if (gap2 > 0 && gap2 > b2 * a2) s = Math.max(s, a2 * (1 - C2 * a2 * (b2 / gap2) * b2));
      else {
        s = Math.max(s, a2 * (1 - C2 * b2));
        st.ttype = -8;
      }
    } else {
      // case 9
      s = dmin1 === dn1 ? 0.5 * dmin1 : 0.25 * dmin1;
      st.ttype = -9;
    }
  } else if (n0in === n0 + 2) {
    // two eigenvalues deflated: dmin2, dn2 stand for dmin, dn (cases 10 and 11)
    if (dmin2 === dn2 && 2 * z[nn - 5] < z[nn - 7]) {
      st.ttype = -10;
      s = THIRD * dmin2;
      if (z[nn - 5] > z[nn - 7]) return setTau(st, s);
      let b1 = z[nn - 5] / z[nn - 7];
      let b2 = b1;
      if (b2 !== 0) {
        for (let i4 = 4 * n0 - 9 + pp; i4 >= 4 * i0 - 1 + pp; i4 -= 4) {
          if (z[i4] > z[i4 - 2]) return setTau(st, s);
          b1 *= z[i4] / z[i4 - 2];
          b2 += b1;
          if (100 * b1 < b2) break;
        }
      }
      b2 = Math.sqrt(C3 * b2);
      const a2 = dmin2 / (1 + b2 * b2);
      const gap2 = z[nn - 7] + z[nn - 9] - Math.sqrt(z[nn - 11]) * Math.sqrt(z[nn - 9]) - a2;
      if (gap2 > 0 && gap2 > b2 * a2) s = Math.max(s, a2 * (1 - C2 * a2 * (b2 / gap2) * b2));
      else s = Math.max(s, a2 * (1 - C2 * b2));
    } else {
      s = 0.25 * dmin2;
      st.ttype = -11;
    }
  } else {
    // case 12: more than two deflated, no information
    s = 0;
    st.ttype = -12;
  }
  st.tau = s;
}

/**
 * Where the reference returns early (keeping the previous step's shift), take the conservative
 * estimate computed so far instead: a smaller shift can only cost a step, never accuracy.
 */
function setTau(st: State, s: number): void {
  st.tau = s;
}

/**
 * One dqds step with shift τ from the pp half of z into the other (LAPACK dlasq5, IEEE
 * arithmetic): d's below ε·(σ + τ) become 0 when the shift is negligible.
 */
function dqdsSweep(z: Float64Array, s: State): void {
  const { i0, n0, pp } = s;
  if (n0 - i0 - 1 <= 0) return;
  const dthresh = EPS * (s.sigma + s.tau);
  if (s.tau < dthresh * 0.5) s.tau = 0;
  const tau = s.tau;
  let j4 = 4 * i0 + pp - 3;
  let emin = z[j4 + 4];
  let d = z[j4] - tau;
  let dmin = d;
  const last = 4 * (n0 - 3);
  if (tau !== 0) {
    if (pp === 0) {
      for (j4 = 4 * i0; j4 <= last; j4 += 4) {
        const q = d + z[j4 - 1];
        z[j4 - 2] = q;
        const r = z[j4 + 1] / q;
        d = d * r - tau;
        if (d < dmin) dmin = d;
        const ee = z[j4 - 1] * r;
        z[j4] = ee;
        if (ee < emin) emin = ee;
      }
    } else {
      for (j4 = 4 * i0; j4 <= last; j4 += 4) {
        const q = d + z[j4];
        z[j4 - 3] = q;
        const r = z[j4 + 2] / q;
        d = d * r - tau;
        if (d < dmin) dmin = d;
        const ee = z[j4] * r;
        z[j4 - 1] = ee;
        if (ee < emin) emin = ee;
      }
    }
  } else if (pp === 0) {
    for (j4 = 4 * i0; j4 <= last; j4 += 4) {
      const q = d + z[j4 - 1];
      z[j4 - 2] = q;
      const r = z[j4 + 1] / q;
      d = d * r - tau;
      if (d < dthresh) d = 0;
      if (d < dmin) dmin = d;
      const ee = z[j4 - 1] * r;
      z[j4] = ee;
      if (ee < emin) emin = ee;
    }
  } else {
    for (j4 = 4 * i0; j4 <= last; j4 += 4) {
      const q = d + z[j4];
      z[j4 - 3] = q;
      const r = z[j4 + 2] / q;
      d = d * r - tau;
      if (d < dthresh) d = 0;
      if (d < dmin) dmin = d;
      const ee = z[j4] * r;
      z[j4 - 1] = ee;
      if (ee < emin) emin = ee;
    }
  }
  // the last two steps unrolled (they record dn−2, dn−1, dn for the shift)
  const dnm2 = d;
  s.dmin2 = dmin;
  j4 = 4 * (n0 - 2) - pp;
  let j4p2 = j4 + 2 * pp - 1;
  z[j4 - 2] = dnm2 + z[j4p2];
  z[j4] = z[j4p2 + 2] * (z[j4p2] / z[j4 - 2]);
  const dnm1 = z[j4p2 + 2] * (dnm2 / z[j4 - 2]) - tau;
  dmin = Math.min(dmin, dnm1);
  s.dmin1 = dmin;
  j4 += 4;
  j4p2 = j4 + 2 * pp - 1;
  z[j4 - 2] = dnm1 + z[j4p2];
  z[j4] = z[j4p2 + 2] * (z[j4p2] / z[j4 - 2]);
  const dn = z[j4p2 + 2] * (dnm1 / z[j4 - 2]) - tau;
  dmin = Math.min(dmin, dn);
  z[j4 + 2] = dn;
  z[4 * n0 - pp] = emin;
  s.dmin = dmin;
  s.dn = dn;
  s.dn1 = dnm1;
  s.dn2 = dnm2;
}

/** One zero-shift dqd step guarding against underflow (LAPACK dlasq6). */
function zeroShiftSweep(z: Float64Array, s: State): void {
  const { i0, n0, pp } = s;
  if (n0 - i0 - 1 <= 0) return;
  let j4 = 4 * i0 + pp - 3;
  let emin = z[j4 + 4];
  let d = z[j4];
  let dmin = d;
  // one qd pair: q at a (new), e at b (new) from old q-sum, old e at oe, next q at nq
  const step = (qa: number, oe: number, nq: number, eb: number, dd: number): number => {
    z[qa] = dd + z[oe];
    if (z[qa] === 0) {
      z[eb] = 0;
      dmin = z[nq];
      emin = 0;
      return z[nq];
    }
    if (SAFMIN * z[nq] < z[qa] && SAFMIN * z[qa] < z[nq]) {
      const r = z[nq] / z[qa];
      z[eb] = z[oe] * r;
      return dd * r;
    }
    z[eb] = z[nq] * (z[oe] / z[qa]);
    return z[nq] * (dd / z[qa]);
  };
  for (j4 = 4 * i0; j4 <= 4 * (n0 - 3); j4 += 4) {
    if (pp === 0) d = step(j4 - 2, j4 - 1, j4 + 1, j4, d);
    else d = step(j4 - 3, j4, j4 + 2, j4 - 1, d);
    dmin = Math.min(dmin, d);
    emin = Math.min(emin, pp === 0 ? z[j4] : z[j4 - 1]);
  }
  const dnm2 = d;
  s.dmin2 = dmin;
  j4 = 4 * (n0 - 2) - pp;
  let j4p2 = j4 + 2 * pp - 1;
  const dnm1 = step(j4 - 2, j4p2, j4p2 + 2, j4, dnm2);
  dmin = Math.min(dmin, dnm1);
  s.dmin1 = dmin;
  j4 += 4;
  j4p2 = j4 + 2 * pp - 1;
  const dn = step(j4 - 2, j4p2, j4p2 + 2, j4, dnm1);
  dmin = Math.min(dmin, dn);
  z[j4 + 2] = dn;
  z[4 * n0 - pp] = emin;
  s.dmin = dmin;
  s.dn = dn;
  s.dn1 = dnm1;
  s.dn2 = dnm2;
}
