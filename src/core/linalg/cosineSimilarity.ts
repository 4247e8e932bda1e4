/**
 * Cosine similarity between the rows of a matrix: S = D⁻¹ A Aᵀ D⁻¹ with D = diag(‖aᵢ‖₂).
 * Rows of zeros have similarity 0 with everything (as sklearn's cosine_similarity).
 */
import { Matrix } from './matrix';
import { norm2 } from './householder';

export function cosineSimilarity(a: Matrix): Matrix {
  const { rows: m, cols: n } = a;
  const x = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const nr = norm2(a.data, i * n, n);
    const s = nr > 0 ? 1 / nr : 0;
    for (let j = 0; j < n; j++) x[i * n + j] = a.data[i * n + j] * s;
  }
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = i; j < m; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[i * n + k] * x[j * n + k];
      out[i * m + j] = s;
      out[j * m + i] = s;
    }
  return { rows: m, cols: m, data: out };
}
