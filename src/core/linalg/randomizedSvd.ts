/**
 * Randomized truncated SVD: Gaussian range finder with q power (subspace) iterations,
 * re-orthonormalized after every product, then an exact SVD of the small projected matrix.
 * Reference: N. Halko, P.-G. Martinsson, J. A. Tropp, "Finding structure with randomness",
 * SIAM Review 53 (2011), Algorithms 4.4 (randomized subspace iteration) and 5.1.
 * Deterministic: the test matrix comes from a seeded generator.
 */
import { Matrix, assertFinite } from './matrix';
import { matmul, matmulTransB } from './gemm';
import { svd } from './svd';
import { scaleArray, scaledForDecomposition } from './scaling';
import { Progress, Ticker } from './progress';

export interface RandomizedSvdOptions {
  /** extra sample columns (default 10) */
  oversample?: number;
  /** power iterations q (default 2) */
  powerIterations?: number;
  seed?: number;
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

/**
 * Orthonormalizes the rows of x (l×m, in place) by modified Gram–Schmidt applied twice
 * ("twice is enough"); rows that vanish are replaced by fresh random directions.
 */
function orthonormalizeRows(x: Float64Array, l: number, m: number, rnd: () => number): void {
  for (let i = 0; i < l; i++) {
    const bi = i * m;
    let before = 0;
    for (let k = 0; k < m; k++) before += x[bi + k] * x[bi + k];
    for (let attempt = 0; attempt < 3; attempt++) {
      for (let pass = 0; pass < 2; pass++)
        for (let j = 0; j < i; j++) {
          const bj = j * m;
          let d = 0;
          for (let k = 0; k < m; k++) d += x[bi + k] * x[bj + k];
          for (let k = 0; k < m; k++) x[bi + k] -= d * x[bj + k];
        }
      let nrm = 0;
      for (let k = 0; k < m; k++) nrm += x[bi + k] * x[bi + k];
      if (nrm > 1e-24 * before && nrm > 0) {
        const s = 1 / Math.sqrt(nrm);
        for (let k = 0; k < m; k++) x[bi + k] *= s;
        break;
      }
      for (let k = 0; k < m; k++) x[bi + k] = rnd();
      before = 0;
      for (let k = 0; k < m; k++) before += x[bi + k] * x[bi + k];
    }
  }
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
  const p = opts.oversample ?? 10;
  const q = opts.powerIterations ?? 2;
  const kk = Math.max(0, Math.min(k, m, n));
  const l = Math.min(kk + p, m, n);
  if (l === 0) return { S: new Float64Array(0), k: 0 };
  const rnd = gaussianSource(opts.seed ?? 0x5eed);
  // Ωᵀ (l×n) → Yᵀ = (AΩ)ᵀ = Ωᵀ Aᵀ (l×m); rows are sample vectors. Products with Aᵀ take A
  // as it is (matmulTransB): a transposed copy was one more m×n matrix held throughout
  const omegaT: Matrix = { rows: l, cols: n, data: new Float64Array(l * n).map(() => rnd()) };
  let yt = matmulTransB(omegaT, a);
  orthonormalizeRows(yt.data, l, m, rnd);
  const steps = 2 * q + 2;
  let step = 1;
  t.tick(step / steps);
  for (let it = 0; it < q; it++) {
    const zt = matmul(yt, a); // (Aᵀ Q)ᵀ = Qᵀ A  (l×n)
    orthonormalizeRows(zt.data, l, n, rnd);
    t.tick(++step / steps);
    yt = matmulTransB(zt, a); // (A Z)ᵀ = Zᵀ Aᵀ (l×m)
    orthonormalizeRows(yt.data, l, m, rnd);
    t.tick(++step / steps);
  }
  // B = Qᵀ A (l×n); B = Ub S Vt  ⇒  A ≈ (Q Ub) S Vt
  const b = matmul(yt, a);
  const r = svd(b);
  t.tick(1);
  const S = scaleArray(r.S.slice(0, kk), -e);
  if (opts.vectors === false) return { S, k: kk };
  // U = Q Ub = (Yt)ᵀ Ub : m×kk
  const U = new Float64Array(m * kk);
  const ub = r.U; // l×l
  for (let i = 0; i < m; i++)
    for (let j = 0; j < kk; j++) {
      let s = 0;
      for (let c = 0; c < l; c++) s += yt.data[c * m + i] * ub.data[c * ub.cols + j];
      U[i * kk + j] = s;
    }
  const Vt: Matrix = { rows: kk, cols: n, data: r.Vt.data.slice(0, kk * n) };
  return { S, U: { rows: m, cols: kk, data: U }, Vt, k: kk };
}
