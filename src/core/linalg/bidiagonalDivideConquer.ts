/**
 * SVD with vectors of an upper bidiagonal matrix by divide and conquer: B = U·diag(s)·Vᵀ.
 * Reference: M. Gu & S. C. Eisenstat, "A divide-and-conquer algorithm for the bidiagonal SVD",
 * SIAM J. Matrix Anal. Appl. 16 (1995); LAPACK dbdsdc / dlasd0 (recursion), dlasd1 (merge),
 * dlasd2 (deflation), dlasd3 (vectors from the recomputed z), dlasd4 (secular equation; here
 * solved with the "middle way" two-pole rational model of R.-C. Li, LAPACK Working Note 89,
 * bracketed by bisection). Structure only; written afresh for row-major heap storage.
 *
 * Splitting B (N×(N+sqre)) at row k gives B₁ (k×(k+1)), the row [α e_kᵀ, β e_1ᵀ] and B₂; with
 * the children's SVDs, B = diag(U₁,1,U₂)·M·diag(V₁,V₂)ᵀ where M = e₀zᵀ + diag(0, Σ₁, Σ₂) is
 * "broken arrow". M's singular values are the roots of 1 + Σ z_j²/(d_j² − σ²) = 0; each root
 * is found as an offset τ from its nearer pole so that every difference d_j − σ_i is accurate,
 * and z is recomputed from the roots (Löwner) so the vectors are orthogonal to working accuracy.
 * The merges' products U₁·Ũ, V₁·Ṽ, … are f64 GEMMs on the engine's pool.
 */
import { bidiagonalSvd } from './bidiagonalQR';
import { dgemmCalls, DgemmCall } from './gemm';
import { givens } from './householder';
import { Ticker, noTicker } from './progress';
import type { Engine } from './wasm/kernels';

const EPS = 2 ** -53;
/** f64 words of heap the D&C of order n takes at its peak (U, V and four merge blocks) */
export function divideConquerWords(n: number): number {
  return 2 * n * n + 4 * (n + 1) * (n + 1);
}

/** problems up to this order are solved by implicit QR (LAPACK's SMLSIZ) */
export const DC_LEAF = 25;

export interface BidiagonalSvdResult {
  /** singular values, descending, non-negative */
  s: Float64Array;
  /** heap index (f64) of U (n×n row-major; column i is the left singular vector of s[i]) */
  u: number;
  /** heap index (f64) of V (n×n row-major; column i is the right singular vector of s[i]) */
  v: number;
}

/**
 * B = U·diag(s)·Vᵀ for the upper bidiagonal B with diagonal d (n) and superdiagonal e (n−1)
 * (not modified). U and V are allocated in `eng`'s heap (release with the caller's mark).
 */
export function bidiagonalDivideConquer(
  eng: Engine,
  d: Float64Array,
  e: Float64Array,
  ticker: Ticker = noTicker,
): BidiagonalSvdResult {
  const n = d.length;
  if (e.length < n - 1) throw new Error('bidiagonalDivideConquer: e needs n-1 entries');
  const n1 = n + 1;
  const U = eng.alloc64(n * n);
  const V = eng.alloc64(n * n);
  const temps = eng.mark(); // the merge's work blocks, released on return
  const T1 = eng.alloc64(n1 * n1); // Ũ (merge), then the rearranged rows for V's products
  const T2 = eng.alloc64(n1 * n1); // Ṽ
  const O1 = eng.alloc64(n1 * n1); // products
  const O2 = eng.alloc64(n1 * n1);
  // work on B/‖B‖_max (dbdsdc's dlascl): the leaves' QR and the merges stay far from under/overflow
  let scale = 0;
  for (let i = 0; i < n; i++)
    scale = Math.max(scale, Math.abs(d[i]), i < n - 1 ? Math.abs(e[i]) : 0);
  const ds = Float64Array.from(d.subarray(0, n));
  const es = Float64Array.from(e.subarray(0, Math.max(0, n - 1)));
  if (scale > 0)
    for (let i = 0; i < n; i++) {
      ds[i] /= scale;
      if (i < n - 1) es[i] /= scale;
    }
  const ctx: Ctx = {
    eng,
    n,
    d: ds,
    e: es,
    U,
    V,
    T1,
    T2,
    O1,
    O2,
    sig: new Float64Array(n),
    ticker,
    done: 0,
  };
  const f = eng.f64;
  f.fill(0, U, U + n * n);
  f.fill(0, V, V + n * n);
  if (n > 0) solve(ctx, 0, n, 0);
  // descending order
  const s = ctx.sig;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[b] - s[a]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s[order[i]] * scale;
  const h = eng.f64;
  for (const M of [U, V]) {
    for (let r = 0; r < n; r++) {
      const row = M + r * n;
      for (let i = 0; i < n; i++) h[O1 + i] = h[row + order[i]];
      h.copyWithin(row, O1, O1 + n);
    }
  }
  eng.release(temps);
  return { s: out, u: U, v: V };
}

interface Ctx {
  eng: Engine;
  n: number;
  d: Float64Array;
  e: Float64Array;
  /** global U, V (n×n row-major, columns = vectors); a subproblem owns a diagonal block */
  U: number;
  V: number;
  T1: number;
  T2: number;
  O1: number;
  O2: number;
  /** singular values of the solved subproblems, at their rows */
  sig: Float64Array;
  /** progress: Σ N² of the merges done, against ≈ 2n² in all */
  ticker: Ticker;
  done: number;
}

/**
 * Rows r0..r0+N−1 of B (columns r0..r0+N−1+sqre): fills U[r0:r0+N, r0:r0+N],
 * V[r0:r0+N+sqre, r0:r0+N+sqre] (with sqre = 1 the last column of V is the null vector) and
 * sig[r0:r0+N].
 */
function solve(c: Ctx, r0: number, N: number, sqre: number): void {
  if (N <= DC_LEAF) {
    leaf(c, r0, N, sqre);
    return;
  }
  const nl = N >> 1;
  const nr = N - nl - 1;
  solve(c, r0, nl, 1);
  solve(c, r0 + nl + 1, nr, sqre);
  merge(c, r0, N, sqre, nl, nr);
  c.done += N * N;
  c.ticker.tick(c.done / (2 * c.n * c.n));
}

const rot = new Float64Array(3);

/**
 * [c, s, r] with r = √(a² + b²) ≥ 0, c = a/r, s = b/r (c = 1, s = 0 when a = b = 0): givens()
 * (dlartg, which scales subnormal inputs first; r rounded to a subnormal with a few bits gave
 * c² + s² = 1.125 and broke the orthogonality of V) with the sign of r made positive.
 */
function rotation(a: number, b: number): [number, number, number] {
  givens(a, b, rot);
  return rot[2] < 0 ? [-rot[0], -rot[1], -rot[2]] : [rot[0], rot[1], rot[2]];
}

function leaf(c: Ctx, r0: number, N: number, sqre: number): void {
  const dl = c.d.slice(r0, r0 + N);
  const el = new Float64Array(Math.max(0, N - 1));
  for (let i = 0; i < N - 1; i++) el[i] = c.e[r0 + i];
  const M = N + sqre;
  // G (M×M): B·G = [B_sq | 0]; with sqre the extra column is chased up and out
  const G = new Float64Array(M * M);
  for (let i = 0; i < M; i++) G[i * M + i] = 1;
  if (sqre) {
    let fl = c.e[r0 + N - 1];
    for (let j = N - 1; j >= 0 && fl !== 0; j--) {
      const [cs, sn, r] = rotation(dl[j], fl);
      dl[j] = r;
      if (j > 0) {
        fl = -sn * el[j - 1];
        el[j - 1] *= cs;
      }
      for (let i = 0; i < M; i++) {
        const x = G[i * M + j];
        const y = G[i * M + N];
        G[i * M + j] = cs * x + sn * y;
        G[i * M + N] = cs * y - sn * x;
      }
    }
  }
  const vt = new Float64Array(N * N);
  const ut = new Float64Array(N * N);
  for (let i = 0; i < N; i++) vt[i * N + i] = ut[i * N + i] = 1;
  bidiagonalSvd(dl, el, { data: vt, ld: N }, { data: ut, ld: N });
  const h = c.eng.f64;
  const n = c.n;
  for (let i = 0; i < N; i++) {
    c.sig[r0 + i] = dl[i];
    for (let j = 0; j < N; j++) h[c.U + (r0 + i) * n + r0 + j] = ut[j * N + i];
  }
  // V = G·diag(Vqᵀ, 1)
  for (let i = 0; i < M; i++) {
    const row = c.V + (r0 + i) * n + r0;
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < N; p++) s += G[i * M + p] * vt[j * N + p];
      h[row + j] = s;
    }
    if (sqre) h[row + N] = G[i * M + N];
  }
}

function merge(c: Ctx, r0: number, N: number, sqre: number, nl: number, nr: number): void {
  const { eng, n } = c;
  const k = r0 + nl; // the middle row
  let h = eng.f64;
  const alpha = c.d[k];
  const beta = c.e[k];
  // z and the diagonal of M in M's coordinates: 0 ↔ the (rotated) null column, 1..nl ↔ V₁'s
  // columns, nl+1..N−1 ↔ V₂'s columns
  const z = new Float64Array(N);
  const dd = new Float64Array(N);
  const lam1 = h[c.V + k * n + k]; // last row of V₁, its null column
  for (let j = 0; j < nl; j++) {
    z[1 + j] = alpha * h[c.V + k * n + r0 + j];
    dd[1 + j] = c.sig[r0 + j];
  }
  const b0 = k + 1; // first row/column of the right child
  for (let j = 0; j < nr; j++) {
    z[nl + 1 + j] = beta * h[c.V + b0 * n + b0 + j];
    dd[nl + 1 + j] = c.sig[b0 + j];
  }
  let cz = 1;
  let sz = 0;
  if (sqre) {
    const phi2 = h[c.V + b0 * n + b0 + nr];
    const a = alpha * lam1;
    const b = beta * phi2;
    const [ca, sb, r] = rotation(a, b);
    if (r !== 0) {
      cz = ca;
      sz = sb;
    }
    z[0] = r;
  } else z[0] = alpha * lam1;
  // scale to 1
  let scale = Math.max(Math.abs(alpha), Math.abs(beta));
  for (let j = 1; j < N; j++) scale = Math.max(scale, dd[j]);
  const sigma = new Float64Array(N);
  const Ut = c.T1;
  const Vt = c.T2;
  if (scale === 0) {
    h.fill(0, Ut, Ut + N * N);
    h.fill(0, Vt, Vt + N * N);
    for (let i = 0; i < N; i++) h[Ut + i * N + i] = h[Vt + i * N + i] = 1;
  } else {
    for (let j = 0; j < N; j++) {
      z[j] /= scale;
      dd[j] /= scale;
    }
    brokenArrowSvd(h, z, dd, sigma, Ut, Vt);
    for (let j = 0; j < N; j++) sigma[j] *= scale;
  }
  // --- products: U block (N×N) and V block ((N+sqre)×N) ---
  const O1 = c.O1;
  const O2 = c.O2;
  const W = N + sqre;
  h.fill(0, O1, O1 + N * N);
  h.fill(0, O2, O2 + W * N);
  // V's factor rows in the children's column order: left [V₁ cols 0..nl−1, null] ← Ṽ rows
  // [1..nl, c·0]; right [V₂ cols 0..nr−1, (null)] ← Ṽ rows [nl+1.., s·0]
  // (rearranged through a JS array: Ṽ is read while its place is rewritten)
  const rv = new Float64Array(W * N);
  for (let j = 0; j < nl; j++) rv.set(h.subarray(Vt + (1 + j) * N, Vt + (2 + j) * N), j * N);
  for (let i = 0; i < N; i++) rv[nl * N + i] = cz * h[Vt + i];
  for (let j = 0; j < nr; j++)
    rv.set(h.subarray(Vt + (nl + 1 + j) * N, Vt + (nl + 2 + j) * N), (nl + 1 + j) * N);
  if (sqre) for (let i = 0; i < N; i++) rv[N * N + i] = sz * h[Vt + i];
  h.set(rv, Vt);
  // keep the two null columns for the extra column
  const null1 = new Float64Array(nl + 1);
  const null2 = new Float64Array(nr + 1);
  if (sqre) {
    for (let i = 0; i <= nl; i++) null1[i] = h[c.V + (r0 + i) * n + k];
    for (let i = 0; i <= nr; i++) null2[i] = h[c.V + (b0 + i) * n + b0 + nr];
  }
  const calls: DgemmCall[] = [];
  const split = (m: number, kk: number, a: number, b: number, cc: number) => {
    // row blocks so that two threads share even one product
    const parts = m >= 64 ? 2 : 1;
    const step = Math.ceil(m / parts);
    for (let i0 = 0; i0 < m; i0 += step) {
      const mm = Math.min(step, m - i0);
      calls.push({
        m: mm,
        n: N,
        k: kk,
        alpha: 1,
        a: a + i0 * n,
        ars: n,
        acs: 1,
        b,
        brs: N,
        bcs: 1,
        c: cc + i0 * N,
        ldc: N,
      });
    }
  };
  // U rows 0..nl−1: U₁·Ũ[1..nl]; row nl: Ũ[0]; rows nl+1..: U₂·Ũ[nl+1..]
  split(nl, nl, c.U + r0 * n + r0, Ut + N, O1);
  split(nr, nr, c.U + b0 * n + b0, Ut + (nl + 1) * N, O1 + (nl + 1) * N);
  // V rows 0..nl (left child's nl+1 columns of B), then nr+sqre rows
  split(nl + 1, nl + 1, c.V + r0 * n + r0, Vt, O2);
  split(nr + sqre, nr + sqre, c.V + b0 * n + b0, Vt + (nl + 1) * N, O2 + (nl + 1) * N);
  dgemmCalls(eng, calls);
  h = eng.f64;
  for (let i = 0; i < N; i++) h[O1 + nl * N + i] = h[Ut + i];
  for (let i = 0; i < N; i++) {
    h.copyWithin(c.U + (r0 + i) * n + r0, O1 + i * N, O1 + (i + 1) * N);
    c.sig[r0 + i] = sigma[i];
  }
  for (let i = 0; i < W; i++) h.copyWithin(c.V + (r0 + i) * n + r0, O2 + i * N, O2 + (i + 1) * N);
  if (sqre) {
    for (let i = 0; i <= nl; i++) h[c.V + (r0 + i) * n + r0 + N] = -sz * null1[i];
    for (let i = 0; i <= nr; i++) h[c.V + (b0 + i) * n + r0 + N] = cz * null2[i];
  }
}

/**
 * SVD of M = e₀zᵀ + diag(dd) (N×N, dd[0] = 0, dd ≥ 0, scaled so max ≤ 1): σ into `sigma`,
 * Ũ and Ṽ (N×N row-major in h at U, V; column i belongs to sigma[i]), M = Ũ·diag(σ)·Ṽᵀ.
 * Deflation (dlasd2): tiny z_j, d_j close to 0 (rotated into z₀), and close pairs d_i ≈ d_j
 * (rotated so one z vanishes).
 */
export function brokenArrowSvd(
  h: Float64Array,
  z0: Float64Array,
  dd0: Float64Array,
  sigma: Float64Array,
  U: number,
  V: number,
): void {
  const N = z0.length;
  const z = Float64Array.from(z0);
  const dd = Float64Array.from(dd0);
  dd[0] = 0;
  let mx = 0;
  for (let j = 0; j < N; j++) mx = Math.max(mx, Math.abs(dd[j]), Math.abs(z[j]));
  const tol = 8 * EPS * Math.max(mx, 1);
  const order = Array.from({ length: N - 1 }, (_, i) => i + 1).sort((a, b) => dd[a] - dd[b]);
  // rotations: [p, q, c, s, both]: rows p, q of Ṽ (and Ũ when both) get G = [c −s; s c]
  const rots: number[] = [];
  const kept: number[] = [0];
  const deflated: number[] = [];
  let prev = -1;
  for (const j of order) {
    if (Math.abs(z[j]) <= tol) {
      deflated.push(j);
      continue;
    }
    if (dd[j] <= tol) {
      // d_j → 0 (a perturbation ≤ tol): the right rotation in (0, j) zeroes z_j
      dd[j] = 0;
      const r = Math.hypot(z[0], z[j]);
      rots.push(0, j, z[0] / r, z[j] / r, 0);
      z[0] = r;
      z[j] = 0;
      deflated.push(j);
      continue;
    }
    if (prev >= 0 && dd[j] - dd[prev] <= tol) {
      // d_prev → d_j: the two-sided rotation in (prev, j) zeroes z_prev
      const r = Math.hypot(z[prev], z[j]);
      rots.push(prev, j, z[j] / r, -z[prev] / r, 1);
      dd[prev] = dd[j];
      z[prev] = 0;
      z[j] = r;
      deflated.push(prev);
      prev = j;
      continue;
    }
    if (prev >= 0) kept.push(prev);
    prev = j;
  }
  if (prev >= 0) kept.push(prev);
  if (Math.abs(z[0]) <= tol) z[0] = z[0] < 0 ? -tol : tol;
  h.fill(0, U, U + N * N);
  h.fill(0, V, V + N * N);
  // deflated: σ = d_j, u = v = e_j (columns after the kept ones)
  const K = kept.length;
  let col = K;
  for (const j of deflated) {
    sigma[col] = dd[j];
    h[U + j * N + col] = 1;
    h[V + j * N + col] = 1;
    col++;
  }
  const kz = new Float64Array(K);
  const kd = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    kz[i] = z[kept[i]];
    kd[i] = dd[kept[i]];
  }
  const uk = new Float64Array(K * K);
  const vk = new Float64Array(K * K);
  const sk = new Float64Array(K);
  secularSvd(kz, kd, sk, uk, vk);
  for (let i = 0; i < K; i++) {
    sigma[i] = sk[i];
    for (let r = 0; r < K; r++) {
      h[U + kept[r] * N + i] = uk[r * K + i];
      h[V + kept[r] * N + i] = vk[r * K + i];
    }
  }
  // undo the deflation rotations (Ũ = G₁·G₂···Ũ′): the last one first
  for (let t = rots.length - 5; t >= 0; t -= 5) {
    const p = rots[t];
    const q = rots[t + 1];
    const cs = rots[t + 2];
    const sn = rots[t + 3];
    const both = rots[t + 4];
    for (const M of both ? [U, V] : [V]) {
      const ip = M + p * N;
      const iq = M + q * N;
      for (let i = 0; i < N; i++) {
        const x = h[ip + i];
        const y = h[iq + i];
        h[ip + i] = cs * x - sn * y;
        h[iq + i] = sn * x + cs * y;
      }
    }
  }
}

/**
 * The non-deflated problem: d[0] = 0 < d[1] < … < d[K−1] (separated), every z_j ≠ 0.
 * Roots σ_i ∈ (d_i, d_{i+1}) (the last below √(d²_{K−1} + ‖z‖²)); u, v (K×K, row-major,
 * column i for σ_i) from the Löwner-recomputed ẑ.
 */
export function secularSvd(
  z: Float64Array,
  d: Float64Array,
  sigma: Float64Array,
  u: Float64Array,
  v: Float64Array,
): void {
  const K = z.length;
  if (K === 1) {
    sigma[0] = Math.abs(z[0]);
    u[0] = 1;
    v[0] = z[0] < 0 ? -1 : 1;
    return;
  }
  // delta[i·K + j] = d_j − σ_i (accurate; root-major so the loops below run contiguously)
  const delta = new Float64Array(K * K);
  let zz = 0;
  for (let j = 0; j < K; j++) zz += z[j] * z[j];
  const eta = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    // origin: the nearer pole (decided at the midpoint in σ²)
    // (the sums there are frame-independent: they are the first iterate)
    let o = i;
    let lo: number;
    let hi: number;
    let first = false;
    let psi0 = 0;
    let dpsi0 = 0;
    let phi0 = 0;
    let dphi0 = 0;
    if (i < K - 1) {
      const mid = ((d[i + 1] - d[i]) * (d[i + 1] + d[i])) / 2;
      for (let j = 0; j < K; j++) {
        const t = z[j] / ((d[j] - d[i]) * (d[j] + d[i]) - mid);
        if (j <= i) {
          psi0 += z[j] * t;
          dpsi0 += t * t;
        } else {
          phi0 += z[j] * t;
          dphi0 += t * t;
        }
      }
      first = true;
      if (1 + psi0 + phi0 >= 0) {
        lo = 0;
        hi = mid;
      } else {
        o = i + 1;
        lo = -mid;
        hi = 0;
      }
    } else {
      lo = 0;
      hi = zz;
    }
    const p = d[o];
    for (let j = 0; j < K; j++) eta[j] = (d[j] - p) * (d[j] + p);
    eta[o] = 0;
    const etaLo = eta[i];
    const etaHi = i < K - 1 ? eta[i + 1] : Infinity;
    let mu = first ? (o === i ? hi : lo) : lo / 2 + hi / 2;
    for (let it = 0; it < 300; it++) {
      let psi = psi0;
      let dpsi = dpsi0;
      let phi = phi0;
      let dphi = dphi0;
      if (!first) {
        psi = dpsi = phi = dphi = 0;
        for (let j = 0; j <= i; j++) {
          const t = z[j] / (eta[j] - mu);
          psi += z[j] * t;
          dpsi += t * t;
        }
        for (let j = i + 1; j < K; j++) {
          const t = z[j] / (eta[j] - mu);
          phi += z[j] * t;
          dphi += t * t;
        }
      }
      first = false;
      const w = 1 + psi + phi;
      if (w === 0) break;
      if (w < 0) lo = mu;
      else hi = mu;
      if (Math.abs(w) <= 4 * EPS * K * (1 + Math.abs(psi) + Math.abs(phi))) break;
      const di = etaLo - mu;
      let next: number;
      if (i < K - 1) {
        const dn = etaHi - mu;
        const s = dpsi * di * di;
        const S = dphi * dn * dn;
        const cc = w - s / di - S / dn;
        const B = cc * (di + dn) + s + S;
        const P = di * dn * w;
        let t: number;
        if (cc === 0) t = P / B;
        else {
          const disc = Math.sqrt(Math.max(0, B * B - 4 * cc * P));
          const t1 = B >= 0 ? (B + disc) / (2 * cc) : (B - disc) / (2 * cc);
          const t2 = B >= 0 ? (2 * P) / (B + disc) : (2 * P) / (B - disc);
          t = t1 > di && t1 < dn ? t1 : t2;
        }
        next = mu + t;
      } else {
        const s = dpsi * di * di;
        const cc = w - s / di;
        next = cc > 0 ? etaLo + s / cc : NaN;
      }
      if (!(next > lo && next < hi)) next = lo / 2 + hi / 2;
      if (next === mu || hi - lo <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) {
        mu = next;
        break;
      }
      mu = next;
    }
    const tau = mu / (p + Math.sqrt(p * p + mu));
    sigma[i] = p + tau;
    const row = i * K;
    for (let j = 0; j < K; j++) delta[row + j] = d[j] - p - tau;
    delta[row + o] = -tau;
  }
  // Löwner: ẑ_j² = (σ_{K−1}² − d_j²)·Π_{i<j} (σ_i² − d_j²)/(d_i² − d_j²)
  //                ·Π_{j≤i<K−1} (σ_i² − d_j²)/(d_{i+1}² − d_j²)
  // (accumulated root by root: each pass runs over one contiguous row of delta)
  const zh = new Float64Array(K);
  const last = (K - 1) * K;
  for (let j = 0; j < K; j++) zh[j] = -delta[last + j] * (sigma[K - 1] + d[j]);
  for (let i = 0; i < K - 1; i++) {
    const row = i * K;
    const si = sigma[i];
    for (let j = 0; j < K; j++) {
      const dp = j <= i ? d[i + 1] : d[i]; // the pole paired with σ_i for this j
      zh[j] *= ((-delta[row + j] / (dp - d[j])) * (si + d[j])) / (dp + d[j]);
    }
  }
  for (let j = 0; j < K; j++) {
    const a = Math.sqrt(Math.abs(zh[j]));
    zh[j] = z[j] < 0 ? -a : a;
  }
  // u, v are written vector-major (row i = the vectors of σ_i), then transposed
  const ut = delta; // each row of delta is read once, just before it is overwritten
  const vt = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    // v_j = ẑ_j / (d_j² − σ_i²), u_0 = −1, u_j = d_j·v_j
    const row = i * K;
    const si = sigma[i];
    let nv = 0;
    let nu = 1;
    for (let j = 0; j < K; j++) {
      const x = zh[j] / (delta[row + j] * (d[j] + si));
      vt[row + j] = x;
      nv += x * x;
      const y = d[j] * x;
      ut[row + j] = y;
      if (j > 0) nu += y * y;
    }
    ut[row] = -1;
    nv = 1 / Math.sqrt(nv);
    nu = 1 / Math.sqrt(nu);
    for (let j = 0; j < K; j++) {
      vt[row + j] *= nv;
      ut[row + j] *= nu;
    }
  }
  for (let i = 0; i < K; i++)
    for (let j = 0; j < K; j++) {
      u[j * K + i] = ut[i * K + j];
      v[j * K + i] = vt[i * K + j];
    }
}
