/**
 * Principal component analysis through the SVD of the column-centred data (rows are
 * samples): explained variance σᵢ²/(m−1) and its ratio σᵢ²/Σσ². Matches
 * sklearn.decomposition.PCA (full solver). Reference: Jolliffe, Principal Component
 * Analysis (2002), §3.5; Golub & Van Loan §8.6.
 */
import { Matrix } from './matrix';
import { singularValues, svd } from './svd';
import { Progress } from './progress';

export interface PcaResult {
  mean: Float64Array;
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
  /** principal axes as rows (k×n), when components were requested */
  components?: Matrix;
}

export function pca(
  a: Matrix,
  opts: { components?: boolean; progress?: Progress } = {},
): PcaResult {
  const { rows: m, cols: n } = a;
  const mean = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mean[j] += a.data[i * n + j];
  for (let j = 0; j < n; j++) mean[j] /= Math.max(1, m);
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) c[i * n + j] = a.data[i * n + j] - mean[j];
  const centred: Matrix = { rows: m, cols: n, data: c };
  let S: Float64Array;
  let components: Matrix | undefined;
  if (opts.components) {
    const r = svd(centred, { progress: opts.progress });
    S = r.S;
    components = r.Vt;
  } else S = singularValues(centred, opts.progress);
  const ev = S.map((s) => (s * s) / Math.max(1, m - 1));
  let total = 0;
  for (const v of ev) total += v;
  const ratio = ev.map((v) => (total > 0 ? v / total : 0));
  return { mean, explainedVariance: ev, explainedVarianceRatio: ratio, components };
}
