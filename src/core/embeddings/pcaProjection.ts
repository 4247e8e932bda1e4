/**
 * PCA of N embedding vectors for a 2-D/3-D scatter: the eigenvectors of the covariance
 * C = X_cᵀX_c/(N−1) (X_c: rows minus their mean), accumulated in row blocks so N = 50,000 × 768
 * never needs a float64 copy of X, then the top k principal axes, the explained variance
 * (eigenvalues of C, as sklearn's `explained_variance_`) and its ratio, and the projections
 * X_c·V_k. Signs follow scikit-learn ≥ 1.5 (svd_flip with u_based_decision=False): the entry of
 * largest magnitude of each axis is positive. Non-finite rows are left out (projection NaN).
 * Reference: Jolliffe, Principal Component Analysis (2002) §1; sklearn.decomposition.PCA.
 * (src/core/linalg/pca.ts is the SVD route for matrices; this one scales with N.)
 */
import { Matrix, transpose } from '../linalg/matrix';
import { matmul } from '../linalg/gemm';
import { symmetricEigen } from '../linalg/symmetricTridiagonalQL';
import { LensError } from '../errors';
import { Vectors } from './vectors';

export interface EmbeddingPca {
  k: number;
  /** k×d principal axes, rows */
  components: Float64Array;
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  /** N×k coordinates (NaN for rows left out) */
  projections: Float64Array;
  /** rows used */
  samples: number;
}

export function embeddingPca(v: Vectors, k: number): EmbeddingPca {
  const { rows: n, cols: d, data } = v;
  const ok = (i: number) => v.norms[i] === v.norms[i];
  let used = 0;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (!ok(i)) continue;
    used++;
    for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  }
  if (used < 2) throw new LensError('PCA needs at least two finite rows');
  for (let j = 0; j < d; j++) mean[j] /= used;
  const cov = new Float64Array(d * d);
  const B = 1024;
  for (let r0 = 0; r0 < n; r0 += B) {
    const h = Math.min(B, n - r0);
    const blk = new Float64Array(h * d);
    for (let i = 0; i < h; i++) {
      if (!ok(r0 + i)) continue;
      for (let j = 0; j < d; j++) blk[i * d + j] = data[(r0 + i) * d + j] - mean[j];
    }
    const m: Matrix = { rows: h, cols: d, data: blk };
    const c = matmul(transpose(m), m).data;
    for (let x = 0; x < c.length; x++) cov[x] += c[x];
  }
  for (let x = 0; x < cov.length; x++) cov[x] /= used - 1;
  // exact symmetry for the symmetric solver
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) cov[j * d + i] = cov[i * d + j];
  const eig = symmetricEigen({ rows: d, cols: d, data: cov }, { vectors: true });
  const kk = Math.max(0, Math.min(k, d));
  let total = 0;
  for (const x of eig.values) total += Math.max(0, x);
  const components = new Float64Array(kk * d);
  const ev: number[] = [];
  for (let c = 0; c < kk; c++) {
    const col = d - 1 - c; // eigenvalues ascending
    ev.push(Math.max(0, eig.values[col]));
    let big = 0;
    for (let j = 0; j < d; j++) {
      const x = eig.vectors!.data[j * d + col];
      if (Math.abs(x) > Math.abs(big)) big = x;
    }
    const s = big < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) components[c * d + j] = s * eig.vectors!.data[j * d + col];
  }
  const projections = new Float64Array(n * kk);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < kk; c++) {
      if (!ok(i)) {
        projections[i * kk + c] = NaN;
        continue;
      }
      let s = 0;
      for (let j = 0; j < d; j++) s += (data[i * d + j] - mean[j]) * components[c * d + j];
      projections[i * kk + c] = s;
    }
  return {
    k: kk,
    components,
    explainedVariance: ev,
    explainedVarianceRatio: ev.map((x) => (total > 0 ? x / total : 0)),
    projections,
    samples: used,
  };
}
