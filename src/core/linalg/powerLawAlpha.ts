/**
 * The power-law exponent α of the tail of a weight matrix's empirical spectral density (the
 * eigenvalues λᵢ = σᵢ² of WᵀW), the quantity WeightWatcher reports as "alpha". Fit as Clauset,
 * Shalizi & Newman, "Power-law distributions in empirical data" (SIAM Review 51, 2009):
 * for each candidate x_min (every distinct eigenvalue leaving ≥ `minTail` points in the tail)
 * the continuous maximum-likelihood α̂ = 1 + n_tail / Σ ln(λᵢ/x_min), and x_min is the one
 * whose fitted CDF 1 − (x/x_min)^(1−α̂) is closest to the tail's empirical CDF in
 * Kolmogorov–Smirnov distance. Martin & Mahoney (JMLR 2021) read α ∈ [2, 6] as well-trained
 * heavy-tailed layers; larger α is closer to random.
 */

export interface PowerLawFit {
  alpha: number;
  xmin: number;
  /** eigenvalues in the fitted tail */
  tail: number;
  /** KS distance of the fit */
  ks: number;
  method: string;
}

/**
 * Fits the tail of the eigenvalues `ev` (positive values are used; zeros are dropped).
 * Undefined when fewer than `minTail` positive eigenvalues are left.
 */
export function powerLawAlpha(ev: ArrayLike<number>, minTail = 10): PowerLawFit | undefined {
  const x = Array.from(ev)
    .filter((v) => v > 0 && Number.isFinite(v))
    .sort((a, b) => a - b);
  const n = x.length;
  if (n < minTail) return undefined;
  const logs = x.map(Math.log);
  // suffix sums of log x for the MLE in O(1) per candidate
  const suffix = new Float64Array(n + 1);
  for (let i = n - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + logs[i];
  let best: PowerLawFit | undefined;
  for (let i = 0; i + minTail <= n; i++) {
    if (i > 0 && x[i] === x[i - 1]) continue; // candidate x_min: distinct values
    const xmin = x[i];
    const k = n - i;
    const s = suffix[i] - k * logs[i];
    if (!(s > 0)) continue;
    const alpha = 1 + k / s;
    // KS distance between the empirical CDF of x[i..n) and the fitted CDF
    let ks = 0;
    for (let j = i; j < n; j++) {
      const fit = 1 - Math.pow(x[j] / xmin, 1 - alpha);
      const lo = (j - i) / k;
      const hi = (j - i + 1) / k;
      ks = Math.max(ks, Math.abs(fit - lo), Math.abs(fit - hi));
    }
    if (!best || ks < best.ks) best = { alpha, xmin, tail: k, ks, method: '' };
  }
  if (!best) return undefined;
  best.method = `continuous power-law MLE on the eigenvalues of WᵀW ≥ x_min, x_min by minimum KS distance (Clauset–Shalizi–Newman 2009), tail of ${best.tail} of ${n}`;
  return best;
}
