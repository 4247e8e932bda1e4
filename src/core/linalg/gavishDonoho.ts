/**
 * The optimal hard threshold for singular values (Gavish & Donoho, "The Optimal Hard
 * Threshold for Singular Values is 4/√3", IEEE Trans. Inf. Theory 60(8), 2014): for an m×n
 * matrix X = signal + σ·noise (i.i.d., variance 1) with β = min/max ∈ (0, 1],
 *   known σ:   τ = λ*(β)·√max(m,n)·σ,  λ*(β) = √(2(β+1) + 8β / ((β+1) + √(β²+14β+1)))
 *   unknown σ: τ = ω(β)·median(σᵢ),      ω(β) = λ*(β) / √μ_β
 * where μ_β is the median of the Marchenko–Pastur law of ratio β, found here by numeric
 * integration of its density (the paper's closed-form fit ω(β) ≈ 0.56β³ − 0.95β² + 1.82β + 1.43
 * is kept only as a check). The noise level implied by the median is σ̂ = median(σᵢ)/√(max(m,n)·μ_β).
 */

/** λ*(β): the threshold coefficient when the noise level is known. */
export function lambdaStar(beta: number): number {
  checkBeta(beta);
  return Math.sqrt(
    2 * (beta + 1) + (8 * beta) / (beta + 1 + Math.sqrt(beta * beta + 14 * beta + 1)),
  );
}

/**
 * Marchenko–Pastur CDF for ratio β ≤ 1 and variance 1 at the point given by angle t ∈ [0, π]:
 * x(t) = a + (b − a)(1 − cos t)/2 with a = (1−√β)², b = (1+√β)², which turns the density
 * √((b−x)(x−a))/(2πβx) into a smooth integrand; composite Simpson in t.
 */
function mpCdfAt(beta: number, t: number, steps = 512): number {
  const a = (1 - Math.sqrt(beta)) ** 2;
  const b = (1 + Math.sqrt(beta)) ** 2;
  const h2 = ((b - a) / 2) ** 2;
  const f = (s: number): number => {
    const x = a + ((b - a) * (1 - Math.cos(s))) / 2;
    const sn = Math.sin(s);
    // as x → 0 (β = 1, s → 0) sin²s/x → 4/b
    return x > 0 ? (h2 * sn * sn) / (2 * Math.PI * beta * x) : (h2 * 4) / (b * 2 * Math.PI * beta);
  };
  const n = steps;
  const h = t / n;
  let sum = f(0) + f(t);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(i * h);
  return (sum * h) / 3;
}

/** The point x(t) of the MP support for angle t (see mpCdfAt). */
function mpPoint(beta: number, t: number): number {
  const a = (1 - Math.sqrt(beta)) ** 2;
  const b = (1 + Math.sqrt(beta)) ** 2;
  return a + ((b - a) * (1 - Math.cos(t))) / 2;
}

/** Median μ_β of the Marchenko–Pastur distribution (ratio β ≤ 1, variance 1), by bisection. */
export function marchenkoPasturMedian(beta: number): number {
  checkBeta(beta);
  let lo = 0;
  let hi = Math.PI;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (mpCdfAt(beta, mid) < 0.5) lo = mid;
    else hi = mid;
  }
  return mpPoint(beta, (lo + hi) / 2);
}

/** ω(β): the threshold coefficient on the median singular value when σ is unknown. */
export function omega(beta: number): number {
  return lambdaStar(beta) / Math.sqrt(marchenkoPasturMedian(beta));
}

/** Gavish–Donoho's polynomial approximation of ω(β) (their eq. (5)); for checks only. */
export function omegaApprox(beta: number): number {
  return 0.56 * beta ** 3 - 0.95 * beta ** 2 + 1.82 * beta + 1.43;
}

export interface HardThreshold {
  threshold: number;
  /** number of singular values above the threshold */
  rank: number;
  /** the noise level used (given, or estimated from the median) */
  sigma: number;
  beta: number;
  rule: string;
}

/**
 * The optimal hard threshold and the rank it keeps, for singular values `sv` (any order) of
 * an m×n matrix; `sigma` known or (default) estimated from the median singular value.
 */
export function optimalHardThreshold(
  sv: ArrayLike<number>,
  m: number,
  n: number,
  sigma?: number,
): HardThreshold {
  const big = Math.max(m, n);
  const beta = Math.min(m, n) / big;
  let threshold: number;
  let s: number;
  let rule: string;
  if (sigma !== undefined) {
    s = sigma;
    threshold = lambdaStar(beta) * Math.sqrt(big) * sigma;
    rule = 'σᵢ > λ*(β)·√max(m,n)·σ (Gavish–Donoho 2014, known noise level)';
  } else {
    const med = median(sv);
    const mu = marchenkoPasturMedian(beta);
    threshold = (lambdaStar(beta) / Math.sqrt(mu)) * med;
    s = med / Math.sqrt(big * mu);
    rule = 'σᵢ > ω(β)·median(σ) (Gavish–Donoho 2014, noise level from the Marchenko–Pastur median)';
  }
  let rank = 0;
  for (let i = 0; i < sv.length; i++) if (sv[i] > threshold) rank++;
  return { threshold, rank, sigma: s, beta, rule };
}

export function median(v: ArrayLike<number>): number {
  const s = Array.from(v).sort((x, y) => x - y);
  if (s.length === 0) return 0;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function checkBeta(beta: number): void {
  if (!(beta > 0 && beta <= 1)) throw new RangeError(`aspect ratio β = ${beta} is not in (0, 1]`);
}
