/**
 * Cosine similarity between the rows of a matrix: S = D⁻¹ A Aᵀ D⁻¹ with D = diag(‖aᵢ‖₂).
 * Rows of zeros have similarity 0 with everything (as sklearn's cosine_similarity).
 */
import { Matrix } from './matrix';
import { norm2 } from './householder';
import { matmulTransB } from './gemm';
import { Progress } from './progress';

export function cosineSimilarity(a: Matrix, progress?: Progress): Matrix {
  const { rows: m, cols: n } = a;
  const x = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const nr = norm2(a.data, i * n, n);
    const s = nr > 0 ? 1 / nr : 0;
    for (let j = 0; j < n; j++) x[i * n + j] = a.data[i * n + j] * s;
  }
  // X·Xᵀ on the SIMD GEMM (row blocks split over the worker's pool), then made exactly symmetric
  const out = matmulTransB(
    { rows: m, cols: n, data: x },
    { rows: m, cols: n, data: x },
    progress,
  ).data;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) out[j * m + i] = out[i * m + j];
  return { rows: m, cols: m, data: out };
}
