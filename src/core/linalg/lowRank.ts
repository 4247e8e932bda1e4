/**
 * Quantities derived from the singular values σ₁ ≥ … ≥ σ_r:
 * - rank with NumPy's rule (numpy.linalg.matrix_rank: σ > σ₁·max(m,n)·eps(float64)) and a
 *   dtype-aware rank (same rule with the storage dtype's epsilon),
 * - Eckart–Young–Mirsky: the best rank-k approximation error ‖A − A_k‖_F = √(Σ_{i>k} σᵢ²),
 * - effective rank exp(H(p)), p = σ/Σσ (Roy & Vetterli, EUSIPCO 2007),
 * - stable rank ‖A‖²_F/‖A‖²₂, condition number σ₁/σ_min (numpy.linalg.cond, p=None).
 */
import { DType, storageEpsilon } from '../array/dtype';

export const FLOAT64_EPS = 2 ** -52;

export interface RankResult {
  rank: number;
  tolerance: number;
  rule: string;
}

/**
 * Counts σᵢ > σ_max·rel, compared as σᵢ/σ_max > rel: the product σ_max·max(m,n)·eps
 * overflows above ~1e307 (NumPy's own matrix_rank then answers 0 for a rank-2 matrix) and
 * underflows to 0 below ~1e-292 (every roundoff σ then counts).
 */
function countAbove(sv: ArrayLike<number>, rel: number): number {
  const mx = maxOf(sv);
  if (!(mx > 0)) return 0;
  let r = 0;
  for (let i = 0; i < sv.length; i++) if (sv[i] / mx > rel || sv[i] === Infinity) r++;
  return r;
}

function maxOf(sv: ArrayLike<number>): number {
  let mx = 0;
  for (let i = 0; i < sv.length; i++) if (sv[i] > mx) mx = sv[i];
  return mx;
}

/** numpy.linalg.matrix_rank's default rule. */
export function numpyRank(sv: ArrayLike<number>, m: number, n: number): RankResult {
  const rel = Math.max(m, n) * FLOAT64_EPS;
  const tolerance = maxOf(sv) * rel;
  return {
    rank: countAbove(sv, rel),
    tolerance,
    rule: 'σ > σ_max·max(m,n)·eps(float64) (numpy.linalg.matrix_rank)',
  };
}

/** Same rule with the epsilon of the dtype the data was stored in. */
export function dtypeRank(sv: ArrayLike<number>, m: number, n: number, dtype: DType): RankResult {
  const eps = storageEpsilon(dtype);
  const rel = Math.max(m, n) * eps;
  const tolerance = maxOf(sv) * rel;
  return {
    rank: countAbove(sv, rel),
    tolerance,
    rule: `σ > σ_max·max(m,n)·eps(${dtype}) with eps = 2^${Math.round(Math.log2(eps))}`,
  };
}

/** errors[k] = ‖A − A_k‖_F for k = 0..r (errors[0] = ‖A‖_F, errors[r] = 0). */
export function lowRankErrors(sv: ArrayLike<number>): number[] {
  const r = sv.length;
  const out = new Array<number>(r + 1);
  out[r] = 0;
  // accumulate from the smallest, scaled by σ₁ against overflow
  const s1 = maxOf(sv) || 1;
  let acc = 0;
  for (let k = r - 1; k >= 0; k--) {
    const v = sv[k] / s1;
    acc += v * v;
    out[k] = s1 * Math.sqrt(acc);
  }
  return out;
}

/** exp of the Shannon entropy of σ/Σσ; 0 for a zero matrix. */
export function effectiveRank(sv: ArrayLike<number>): number {
  // sum σ/σ₁, not σ: Σσ overflows for σ near the top of the float64 range
  const s1 = maxOf(sv);
  if (!(s1 > 0) || !Number.isFinite(s1)) return s1 === Infinity ? NaN : 0;
  let sum = 0;
  for (let i = 0; i < sv.length; i++) sum += sv[i] / s1;
  let h = 0;
  for (let i = 0; i < sv.length; i++) {
    const p = sv[i] / s1 / sum;
    if (p > 0) h -= p * Math.log(p);
  }
  return Math.exp(h);
}

/** ‖A‖²_F/‖A‖²₂ = Σσ²/σ₁²; 0 for a zero matrix. */
export function stableRank(sv: ArrayLike<number>): number {
  const s1 = maxOf(sv);
  if (!(s1 > 0)) return 0;
  let acc = 0;
  for (let i = 0; i < sv.length; i++) acc += (sv[i] / s1) ** 2;
  return acc;
}

/** σ_max/σ_min (Infinity when σ_min = 0, NaN for an empty matrix). */
export function conditionNumber(sv: ArrayLike<number>): number {
  if (sv.length === 0) return NaN;
  let mn = Infinity;
  for (let i = 0; i < sv.length; i++) mn = Math.min(mn, sv[i]);
  const mx = maxOf(sv);
  if (mx === 0) return Infinity;
  return mn === 0 ? Infinity : mx / mn;
}
