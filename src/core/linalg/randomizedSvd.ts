/**
 * Randomized truncated SVD on the kernel heap.
 *
 * Two methods share one set of heap operations:
 * - `subspace` (the default): Gaussian range finder with q power (subspace) iterations,
 *   re-orthonormalized after every product, then the SVD of the projected l×n matrix QᵀA.
 *   N. Halko, P.-G. Martinsson, J. A. Tropp, "Finding structure with randomness", SIAM Review 53
 *   (2011), Algorithms 4.4 and 5.1.
 * - `krylov`: randomized block Krylov (block Golub–Kahan with full reorthogonalization): the
 *   blocks V₁ = orth(Ω), V_{i+1} = orth(AᵀA·V_i against V₁..V_i) span K_s(AᵀA, Ω); the Ritz
 *   values are the singular values of U·(A·V)ᵀ with U an orthonormal basis of A·[V₁..V_s].
 *   C. Musco, C. Musco, "Randomized block Krylov methods for stronger and faster approximate
 *   singular value decomposition", NeurIPS 2015; Q. Yuan, M. Gu, B. Li, "Superlinear convergence
 *   of randomized block Lanczos", ICDM 2018. Far more accurate than subspace iteration for the
 *   same number of products on slowly decaying spectra (trained weights).
 *
 * A is copied into the heap once. Every product is a job of f64 GEMM tasks that split the
 * *columns of the big operand* (A's rows or columns) over the pool's threads, so each element
 * of A is packed once per product by one task, and no product copies A again. Blocks are kept
 * as rows (b vectors of length N, row-major). Orthonormalization is CholeskyQR2 (two passes of
 * Gram = X·Xᵀ by the GEMM, a b×b Cholesky, X ← R⁻ᵀX), preceded by block classical Gram–Schmidt
 * against the previous blocks (twice); when the Cholesky meets a column whose angle to the
 * others is under ~1e-6 (κ too large for CholeskyQR2) or a zero column, that block falls back
 * to modified Gram–Schmidt, twice, with the heap's dot/axpy kernels, and vanished vectors are
 * replaced by fresh random directions.
 * Deterministic: the test matrix comes from a seeded generator.
 */
import { Matrix, assertFinite } from './matrix';
import { singularValues, svd } from './svd';
import { scaleArray, scaledForDecomposition } from './scaling';
import { Progress, Ticker } from './progress';
import { TASK_FLOPS, scratchSlotsFor, threadsFor } from './parallel';
import { Engine, withEngine } from './wasm/kernels';
import { dgemmCalls, sgemmCalls, type DgemmCall, type SgemmCall } from './gemm';

export interface RandomizedSvdOptions {
  /** `subspace` iteration (default) or block `krylov` */
  method?: 'subspace' | 'krylov';
  /** extra sample columns (default 10): the block holds k + oversample vectors */
  oversample?: number;
  /** subspace: power iterations q (default 2) */
  powerIterations?: number;
  /** krylov: blocks s of the Krylov space (default 8: 2s − 1 products with A or Aᵀ) */
  krylovBlocks?: number;
  seed?: number;
  /**
   * `float32`: the products with A run in float32 (A rounded to float32 once, exact for float32
   * data; each block rounded per product; float32 accumulation: about 1e-5 relative noise on
   * the products), twice the SIMD width and half the heap; orthonormalization, the projected
   * matrix and its SVD stay float64. Default `float64`.
   */
  precision?: 'float64' | 'float32';
  /** also return U and Vᵀ (default true) */
  vectors?: boolean;
  progress?: Progress;
}

export interface TruncatedSvd {
  S: Float64Array;
  U?: Matrix;
  Vt?: Matrix;
  k: number;
}

/** Mulberry32 + Box–Muller: reproducible standard normals. */
export function gaussianSource(seed: number): () => number {
  let s = seed >>> 0;
  let spare: number | undefined;
  const uni = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(uni()));
    const th = 2 * Math.PI * uni();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

/** One GEMM on the heap (f64 element indices): C (m×n, row stride ldc) += alpha·A·B. */
type Gemm = DgemmCall;

/**
 * Column blocks of one product for the pool's threads: about 4 per thread, each a multiple of
 * `align` columns and ≤ TASK_FLOPS.
 */
function columnBlocks<G extends SgemmCall>(g: G, threads: number, align: number): G[] {
  const { m, n, k } = g;
  if (m <= 0 || n <= 0 || k <= 0) return [];
  const parts = threads > 1 ? threads * 4 : 1;
  let w = Math.max(32, Math.ceil(n / parts));
  w = Math.min(w, Math.max(align, Math.floor(TASK_FLOPS / (2 * m * k))));
  w = Math.ceil(w / align) * align;
  const out: G[] = [];
  for (let j0 = 0; j0 < n; j0 += w)
    out.push({ ...g, n: Math.min(w, n - j0), b: g.b + j0 * g.bcs, c: g.c + j0 });
  return out;
}

/**
 * Heap operations of the randomized SVD on one engine. Products run as jobs of dgemm tasks
 * over column blocks of C (the pool's threads claim them); `poll` runs between tasks.
 */
class HeapOps {
  /** the products' scratch (allocated once) and the cancellation tick */
  private readonly jobs: { scratch?: number[]; poll: () => void };
  constructor(
    readonly e: Engine,
    private readonly poll: () => void,
    readonly rnd: () => number,
  ) {
    this.jobs = { poll };
    if (e.kind === 'wasm' && e.call) {
      const wb = e.call('gemmWorkBytes', []);
      const scratch: number[] = [];
      for (let s = scratchSlotsFor(e); s > 0; s--) scratch.push(e.alloc64(Math.ceil(wb / 8)) * 8);
      this.jobs.scratch = scratch;
    }
  }

  /** C += alpha·A·B, split over column blocks of C (4-aligned, ≤ TASK_FLOPS each). */
  gemm(g: Gemm): void {
    dgemmCalls(this.e, columnBlocks(g, threadsFor(this.e), 4), this.jobs);
  }

  /** The same over float32 (f32 element indices; float32 accumulation; 8-aligned blocks). */
  gemm32(g: SgemmCall): void {
    sgemmCalls(this.e, columnBlocks(g, threadsFor(this.e), 8), this.jobs);
  }

  zero(at: number, n: number): void {
    this.e.f64.fill(0, at, at + n);
  }

  /** G (b×b) = X·Xᵀ for the rows of X (b×N). */
  gram(x: number, b: number, N: number, g: number): void {
    this.zero(g, b * b);
    this.gemm({
      m: b,
      n: b,
      k: N,
      alpha: 1,
      a: x,
      ars: N,
      acs: 1,
      b: x,
      brs: 1,
      bcs: N,
      c: g,
      ldc: b,
    });
  }

  /** X −= (P·Xᵀ)ᵀ·P: the rows of X (b×N) minus their components along the c rows of P. */
  project(x: number, b: number, N: number, p: number, c: number, coef: number): void {
    if (c === 0) return;
    this.zero(coef, c * b);
    // coef (c×b) = P·Xᵀ
    this.gemm({
      m: c,
      n: b,
      k: N,
      alpha: 1,
      a: p,
      ars: N,
      acs: 1,
      b: x,
      brs: 1,
      bcs: N,
      c: coef,
      ldc: b,
    });
    // X (b×N) −= coefᵀ·P
    this.gemm({
      m: b,
      n: N,
      k: c,
      alpha: -1,
      a: coef,
      ars: 1,
      acs: b,
      b: p,
      brs: N,
      bcs: 1,
      c: x,
      ldc: N,
    });
  }

  /**
   * One CholeskyQR pass on the rows of X (b×N): X ← L·X with L = R⁻ᵀ·D, R the Cholesky factor
   * of the column-scaled Gram D·G·D (D = diag(G)^-1/2). Returns false (X unchanged) when a
   * row is zero or the Cholesky meets a pivot under 1e-12 (the block is too ill-conditioned
   * for CholeskyQR2: its vectors are nearly dependent).
   */
  cholQr(x: number, b: number, N: number, g: number, tmp: number): boolean {
    this.gram(x, b, N, g);
    const h = this.e.f64;
    const G = h.slice(g, g + b * b);
    const d = new Float64Array(b);
    for (let i = 0; i < b; i++) {
      const v = G[i * b + i];
      if (!(v > 0) || !Number.isFinite(v)) return false;
      d[i] = 1 / Math.sqrt(v);
    }
    // Cholesky of D·G·D = RᵀR (R upper, stored in G's upper triangle)
    for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) G[i * b + j] *= d[i] * d[j];
    for (let j = 0; j < b; j++) {
      let s = G[j * b + j];
      for (let p = 0; p < j; p++) s -= G[p * b + j] * G[p * b + j];
      if (!(s > 1e-12)) return false;
      const r = Math.sqrt(s);
      G[j * b + j] = r;
      for (let i = j + 1; i < b; i++) {
        let t = G[j * b + i];
        for (let p = 0; p < j; p++) t -= G[p * b + j] * G[p * b + i];
        G[j * b + i] = t / r;
      }
    }
    // L = R⁻ᵀ·D (lower triangular): solve Rᵀ·L = D column by column of D
    const L = new Float64Array(b * b);
    for (let c = 0; c < b; c++) {
      for (let i = c; i < b; i++) {
        let s = i === c ? d[c] : 0;
        for (let p = c; p < i; p++) s -= G[p * b + i] * L[p * b + c];
        L[i * b + c] = s / G[i * b + i];
      }
    }
    const hh = this.e.f64;
    hh.set(L, g);
    this.zero(tmp, b * N);
    this.gemm({
      m: b,
      n: N,
      k: b,
      alpha: 1,
      a: g,
      ars: b,
      acs: 1,
      b: x,
      brs: N,
      bcs: 1,
      c: tmp,
      ldc: N,
    });
    this.e.f64.copyWithin(x, tmp, tmp + b * N);
    return true;
  }

  /**
   * Modified Gram–Schmidt, twice, of the rows of X (b×N) against the c rows of P and each
   * other; a row that vanishes (below 1e-12 of its norm) is replaced by a random direction.
   */
  mgs(x: number, b: number, N: number, p: number, c: number): void {
    const e = this.e;
    for (let i = 0; i < b; i++) {
      const xi = x + i * N;
      let before = e.dot(xi, xi, N);
      for (let attempt = 0; attempt < 4; attempt++) {
        for (let pass = 0; pass < 2; pass++) {
          for (let j = 0; j < c; j++) e.axpy(-e.dot(xi, p + j * N, N), p + j * N, xi, N);
          for (let j = 0; j < i; j++) e.axpy(-e.dot(xi, x + j * N, N), x + j * N, xi, N);
        }
        const nrm = e.dot(xi, xi, N);
        if (nrm > 1e-24 * before && nrm > 0) {
          const s = 1 / Math.sqrt(nrm);
          const h = e.f64;
          for (let k = 0; k < N; k++) h[xi + k] *= s;
          break;
        }
        const h = e.f64;
        for (let k = 0; k < N; k++) h[xi + k] = this.rnd();
        before = e.dot(xi, xi, N);
      }
      this.poll();
    }
  }

  /**
   * Orthonormalizes the rows of X (b×N) against the c orthonormal rows of P and each other:
   * (project, CholeskyQR) twice, or MGS when CholeskyQR breaks down.
   */
  orth(x: number, b: number, N: number, p: number, c: number, ws: Workspace): void {
    for (let pass = 0; pass < 2; pass++) {
      this.project(x, b, N, p, c, ws.coef);
      if (!this.cholQr(x, b, N, ws.g, ws.tmp)) {
        this.mgs(x, b, N, p, c);
        return;
      }
    }
  }
}

interface Workspace {
  /** b×b */
  g: number;
  /** b×max(m, n) */
  tmp: number;
  /** (basis rows)×b */
  coef: number;
}

/** Top-k singular triplets of a (m×n). */
export function randomizedSvd(
  a0: Matrix,
  k: number,
  opts: RandomizedSvdOptions = {},
): TruncatedSvd {
  assertFinite(a0);
  // the products AΩ over/underflow for entries outside the safe range: sample 2^e·A instead
  const { m: a, k: e } = scaledForDecomposition(a0);
  const { rows: m, cols: n } = a;
  const t = new Ticker(opts.progress);
  const p = Math.max(0, opts.oversample ?? 10);
  const krylov = opts.method === 'krylov';
  const q = Math.max(0, opts.powerIterations ?? 2);
  const kk = Math.max(0, Math.min(k, m, n));
  const b = Math.min(kk + p, m, n);
  if (b === 0) return { S: new Float64Array(0), k: 0 };
  // Krylov: s blocks, but never more vectors than min(m, n)
  const s = krylov
    ? Math.max(1, Math.min(opts.krylovBlocks ?? 8, Math.floor(Math.min(m, n) / b)))
    : 1;
  const rnd = gaussianSource(opts.seed ?? 0x5eed);
  const products = krylov ? 2 * s : 2 * q + 2;
  let done = 0;
  const step = () => t.tick(++done / (products + 1));
  const res = withEngine((eng) => {
    const poll = () => t.tick(done / (products + 1));
    const ops = new HeapOps(eng, poll, rnd);
    const big = Math.max(m, n);
    const sb = s * b;
    // Krylov runs on the operator from the shorter side (A, or Aᵀ when m < n): its basis V
    // then reaches the whole short side once s·b = min(m, n) (exact values, as subspace gets)
    const swap = krylov && m < n;
    const nv = swap ? m : n;
    const nu = swap ? n : m;
    // heap: A, the V blocks (rows of length nv), the U blocks and one Op·V block (length nu)
    const f32 = opts.precision === 'float32';
    // float32: A (rounded) and the two f32 staging blocks of a product; float64: A itself
    const A = f32 ? eng.alloc32(m * n) : eng.alloc64(m * n);
    if (f32) eng.f32.set(a.data, A);
    else eng.f64.set(a.data, A);
    const xf = f32 ? eng.alloc32(b * big) : 0;
    const cf = f32 ? eng.alloc32(b * big) : 0;
    /** f32 product C (b×nc rows at y, f64) = X (b×kc rows at x, f64) against A's strides */
    const product32 = (
      x: number,
      kc: number,
      nc: number,
      y: number,
      brs: number,
      bcs: number,
    ): void => {
      {
        const h64 = eng.f64;
        const h32 = eng.f32;
        for (let i = 0; i < b * kc; i++) h32[xf + i] = h64[x + i];
        h32.fill(0, cf, cf + b * nc);
      }
      ops.gemm32({ m: b, n: nc, k: kc, a: xf, ars: kc, acs: 1, b: A, brs, bcs, c: cf, ldc: nc });
      const h64 = eng.f64;
      const h32 = eng.f32;
      for (let i = 0; i < b * nc; i++) h64[y + i] = h32[cf + i];
    };
    const V = eng.alloc64(sb * nv);
    const U = eng.alloc64(sb * nu);
    const W = krylov ? eng.alloc64(b * nu) : U;
    const ws: Workspace = {
      g: eng.alloc64(b * b),
      tmp: eng.alloc64(b * big),
      coef: eng.alloc64(sb * b),
    };
    const T = eng.alloc64(sb * sb);
    // Ωᵀ: b×nv rows
    {
      const h = eng.f64;
      for (let i = 0; i < b * nv; i++) h[V + i] = rnd();
    }
    /** rows (b×m) at y = Xr·Aᵀ, i.e. y_i = A·x_i for the rows x_i (b×n) at xr */
    const timesA = (xr: number, y: number) => {
      if (f32) {
        product32(xr, n, m, y, 1, n);
        step();
        return;
      }
      ops.zero(y, b * m);
      ops.gemm({
        m: b,
        n: m,
        k: n,
        alpha: 1,
        a: xr,
        ars: n,
        acs: 1,
        b: A,
        brs: 1,
        bcs: n,
        c: y,
        ldc: m,
      });
      step();
    };
    /** rows (b×n) at z = Yr·A, i.e. z_i = Aᵀ·y_i for the rows y_i (b×m) at yr */
    const timesAt = (yr: number, z: number) => {
      if (f32) {
        product32(yr, m, n, z, n, 1);
        step();
        return;
      }
      ops.zero(z, b * n);
      ops.gemm({
        m: b,
        n,
        k: m,
        alpha: 1,
        a: yr,
        ars: m,
        acs: 1,
        b: A,
        brs: n,
        bcs: 1,
        c: z,
        ldc: n,
      });
      step();
    };
    let basisRows: number; // rows of the final bases
    if (krylov) {
      const opV = swap ? timesAt : timesA; // rows of length nv → nu
      const opU = swap ? timesA : timesAt;
      ops.orth(V, b, nv, V, 0, ws);
      // T (sb×sb) = U·Wᵀ, the U-projection of Op·V (W = Op·V): its singular values are the
      // Ritz values. Block upper triangular (U_i ⊥ W_j for j < i: U_i was orthogonalized
      // against U_1..U_j, which span W_1..W_j), so block column i is U_1..U_i against W_i,
      // formed as soon as U_i is, and one block of W is held at a time
      ops.zero(T, sb * sb);
      for (let i = 0; i < s; i++) {
        const vi = V + i * b * nv;
        const ui = U + i * b * nu;
        opV(vi, W);
        eng.f64.copyWithin(ui, W, W + b * nu);
        ops.orth(ui, b, nu, U, i * b, ws);
        ops.gemm({
          m: (i + 1) * b,
          n: b,
          k: nu,
          alpha: 1,
          a: U,
          ars: nu,
          acs: 1,
          b: W,
          brs: 1,
          bcs: nu,
          c: T + i * b,
          ldc: sb,
        });
        if (i + 1 < s) {
          const vn = V + (i + 1) * b * nv;
          opU(ui, vn);
          ops.orth(vn, b, nv, V, (i + 1) * b, ws);
        }
      }
      step();
      basisRows = sb;
    } else {
      // Yᵀ = Ωᵀ·Aᵀ, orthonormalized; then q times Zᵀ = Qᵀ·A and Yᵀ = Zᵀ·Aᵀ
      timesA(V, U);
      ops.orth(U, b, m, U, 0, ws);
      for (let it = 0; it < q; it++) {
        timesAt(U, V);
        ops.orth(V, b, n, V, 0, ws);
        timesA(V, U);
        ops.orth(U, b, m, U, 0, ws);
      }
      // B = Qᵀ·A (b×n rows at V), X = orth(B) (rows), T = X·Bᵀ: B = Tᵀ·X, so σ(B) = σ(T)
      timesAt(U, V);
      const bcopy = eng.alloc64(b * n);
      eng.f64.copyWithin(bcopy, V, V + b * n);
      ops.orth(bcopy, b, n, bcopy, 0, ws);
      ops.zero(T, b * b);
      // T (b×b) = Bᵀ-side: T_ij = x_i·b_j  ⇒  B = Tᵀ·X
      ops.gemm({
        m: b,
        n: b,
        k: n,
        alpha: 1,
        a: bcopy,
        ars: n,
        acs: 1,
        b: V,
        brs: 1,
        bcs: n,
        c: T,
        ldc: b,
      });
      // keep the orthonormal X rows where B was: the vectors below read V as the n-side basis
      eng.f64.copyWithin(V, bcopy, bcopy + b * n);
      basisRows = b;
    }
    const r = basisRows;
    const Tm: Matrix = { rows: r, cols: r, data: eng.f64.slice(T, T + r * r) };
    if (opts.vectors === false) return { S: singularValues(Tm).slice(0, kk) };
    // subspace: A ≈ Uᵀ·Tᵀ·X with B = Tᵀ·X; krylov: Op ≈ Uᵀ·T·V (Op = A, or Aᵀ: A ≈ Vᵀ·Tᵀ·U).
    // With L (r×m) and R (r×n) the bases and M (r×r) between them, A ≈ Lᵀ·M·R and
    // M = Um S Vmᵀ ⇒ A ≈ (Lᵀ·Um) S (Vmᵀ·R)
    const M: Matrix = krylov && !swap ? Tm : transposeSmall(Tm);
    const L = swap ? V : U;
    const R = swap ? U : V;
    const sv = svd(M);
    const um = eng.alloc64(r * kk);
    const vm = eng.alloc64(kk * r);
    {
      const h = eng.f64;
      for (let i = 0; i < r; i++)
        for (let j = 0; j < kk; j++) h[um + i * kk + j] = sv.U.data[i * sv.U.cols + j];
      h.set(sv.Vt.data.subarray(0, kk * r), vm);
    }
    const Uo = eng.alloc64(m * kk);
    const Vo = eng.alloc64(kk * n);
    ops.zero(Uo, m * kk);
    ops.zero(Vo, kk * n);
    // Uo (m×kk) = Uᵀ (m×r) · Um (r×kk)
    ops.gemm({
      m,
      n: kk,
      k: r,
      alpha: 1,
      a: L,
      ars: 1,
      acs: m,
      b: um,
      brs: kk,
      bcs: 1,
      c: Uo,
      ldc: kk,
    });
    // Vo (kk×n) = Vmᵀ (kk×r) · V (r×n)
    ops.gemm({
      m: kk,
      n,
      k: r,
      alpha: 1,
      a: vm,
      ars: r,
      acs: 1,
      b: R,
      brs: n,
      bcs: 1,
      c: Vo,
      ldc: n,
    });
    return {
      S: sv.S.slice(0, kk),
      U: { rows: m, cols: kk, data: eng.slice64(Uo, Uo + m * kk) },
      Vt: { rows: kk, cols: n, data: eng.slice64(Vo, Vo + kk * n) },
    };
  });
  t.tick(1);
  const S = scaleArray(res.S, -e);
  if (opts.vectors === false || !('U' in res)) return { S, k: kk };
  return { S, U: res.U, Vt: res.Vt, k: kk };
}

function transposeSmall(a: Matrix): Matrix {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: out };
}
