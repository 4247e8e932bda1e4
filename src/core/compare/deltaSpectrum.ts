/**
 * Is a fine-tune low rank? The singular values of ΔW = B − A, its numerical rank and the
 * smallest r holding 99 % of ‖ΔW‖²_F (the rank a LoRA would need). The rank tolerance covers
 * both NumPy's rule on ΔW (σ₁·max(m,n)·eps(float64)) and the rounding of the stored inputs:
 * storing B in a dtype with machine epsilon ε perturbs it by E with ‖E‖₂ ≤ ‖E‖_F ≤ ε·‖B‖_F,
 * so singular values of ΔW below ε·max(‖A‖_F, ‖B‖_F) cannot be told from rounding.
 * Large matrices (min(m,n) > `exactLimit`) use the randomized top-k SVD (Halko–Martinsson–
 * Tropp); the rank is then a lower bound and r99 is known only if reached within k.
 * Reference: Hu et al., "LoRA" (ICLR 2022) §7; Golub & Van Loan §2.4 (numerical rank).
 */
import { Matrix } from '../linalg/matrix';
import { singularValues } from '../linalg/svd';
import { randomizedSvd } from '../linalg/randomizedSvd';
import { Progress } from '../linalg/progress';

export interface DeltaSpectrum {
  singularValues: number[];
  deltaRank: number;
  /** smallest r with Σ_{i≤r} σᵢ² ≥ 0.99·‖ΔW‖²_F; null when beyond the computed top k */
  deltaRank99: number | null;
  tolerance: number;
  rule: string;
  /** set when only the top k singular values were computed */
  approximate?: { method: string; k: number };
}

export function deltaSpectrum(
  delta: Matrix,
  eps: number,
  froA: number,
  froB: number,
  opts: { exactLimit?: number; topK?: number; progress?: Progress } = {},
): DeltaSpectrum {
  const { rows: m, cols: n } = delta;
  const minDim = Math.min(m, n);
  let total = 0;
  for (const v of delta.data) total += v * v;
  let sv: Float64Array;
  let approximate: DeltaSpectrum['approximate'];
  const topK = opts.topK ?? 64;
  if (minDim > (opts.exactLimit ?? 1024) && topK < minDim) {
    sv = randomizedSvd(delta, topK, {
      vectors: false,
      powerIterations: 2,
      progress: opts.progress,
    }).S;
    approximate = {
      method: 'randomized SVD (Halko–Martinsson–Tropp, 2 power iterations)',
      k: sv.length,
    };
  } else sv = singularValues(delta, opts.progress);
  const s1 = sv.length ? sv[0] : 0;
  const tolerance = Math.max(s1 * Math.max(m, n) * 2 ** -52, eps * Math.max(froA, froB));
  let rank = 0;
  for (const s of sv) if (s > tolerance) rank++;
  let rank99: number | null = total === 0 ? 0 : null;
  let acc = 0;
  for (let i = 0; i < sv.length && rank99 === null; i++) {
    acc += sv[i] * sv[i];
    if (acc >= 0.99 * total) rank99 = i + 1;
  }
  const out: DeltaSpectrum = {
    singularValues: Array.from(sv),
    deltaRank: rank,
    deltaRank99: rank99,
    tolerance,
    rule: 'σ(ΔW) > max(σ₁·max(m,n)·eps(float64), eps(dtype)·max(‖A‖_F, ‖B‖_F))',
  };
  if (approximate) out.approximate = approximate;
  return out;
}
