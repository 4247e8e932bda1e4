/**
 * A Marchenko–Pastur fit of a matrix's singular values: model X = signal + σ·noise with i.i.d.
 * noise, so that without signal the squared singular values of an m×n matrix (m ≤ n) fill the
 * MP bulk [σ²(√n − √m)², σ²(√n + √m)²]. Two steps: (1) σ from the median singular value
 * (σ̂₀ = median(σᵢ)/√(n·μ_β), μ_β the MP median; Gavish & Donoho 2014, §III) and the
 * Gavish–Donoho threshold give the signal rank k; (2) the spikes inflate that median, so σ is
 * re-estimated from the energy left after removing them, σ̂² = Σ_{i>k} σᵢ² / ((m−k)(n−k))
 * (the residual of the best rank-k fit has (m−k)(n−k) degrees of freedom). The bulk edge for
 * singular values is σ̂(√m + √n), and the singular values above it are the spikes.
 * Reference: Marchenko & Pastur (1967); Gavish & Donoho (2014); Martin & Mahoney, "Implicit
 * Self-Regularization in Deep Neural Networks" (JMLR 2021) for the use on weight matrices.
 */
import { optimalHardThreshold } from './gavishDonoho';

export interface MarchenkoPasturFit {
  /** estimated noise level σ (per entry), from the energy outside the signal rank */
  noiseSigma: number;
  /** the first estimate, from the median singular value */
  medianSigma: number;
  /** largest singular value the noise bulk reaches: σ̂(√m + √n) */
  mpEdge: number;
  /** smallest: σ̂|√n − √m| */
  mpLowerEdge: number;
  /** singular values above the bulk edge */
  spikes: number;
  /** singular values above the Gavish–Donoho optimal threshold (unknown noise) */
  signalRank: number;
  threshold: number;
  method: string;
}

export function marchenkoPasturFit(
  sv: ArrayLike<number>,
  m: number,
  n: number,
): MarchenkoPasturFit {
  const gd = optimalHardThreshold(sv, m, n);
  const k = gd.rank;
  let s = gd.sigma;
  if (k < Math.min(m, n)) {
    let rest = 0;
    const sorted = Array.from(sv).sort((a, b) => b - a);
    for (let i = k; i < sorted.length; i++) rest += sorted[i] * sorted[i];
    s = Math.sqrt(rest / ((m - k) * (n - k)));
  }
  const mpEdge = s * (Math.sqrt(m) + Math.sqrt(n));
  const mpLowerEdge = s * Math.abs(Math.sqrt(n) - Math.sqrt(m));
  let spikes = 0;
  for (let i = 0; i < sv.length; i++) if (sv[i] > mpEdge) spikes++;
  return {
    noiseSigma: s,
    medianSigma: gd.sigma,
    mpEdge,
    mpLowerEdge,
    spikes,
    signalRank: gd.rank,
    threshold: gd.threshold,
    method:
      'signal rank = σᵢ above the Gavish–Donoho optimal hard threshold (noise from the Marchenko–Pastur median); σ² = energy beyond that rank / ((m−k)(n−k)); edge σ(√m+√n)',
  };
}
