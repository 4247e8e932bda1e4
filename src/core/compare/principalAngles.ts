/**
 * Principal angles between the top-k singular subspaces of A and B (do A and B act on the
 * same directions?): with orthonormal bases Q_A, Q_B (the first k left — or right — singular
 * vectors), cos θᵢ are the singular values of Q_Aᵀ·Q_B, θ ascending.
 * Reference: Björck & Golub, "Numerical methods for computing angles between linear
 * subspaces", Math. Comp. 27 (1973); Golub & Van Loan §6.4.3.
 */
import { Matrix, transpose } from '../linalg/matrix';
import { matmul } from '../linalg/gemm';
import { svd, singularValues } from '../linalg/svd';

export interface PrincipalAngles {
  k: number;
  /** θᵢ in degrees, ascending, for the column spaces (left singular vectors) */
  left: number[];
  /** … and for the row spaces (right singular vectors) */
  right: number[];
}

export function principalAngles(a: Matrix, b: Matrix, k: number): PrincipalAngles {
  const kk = Math.max(0, Math.min(k, a.rows, a.cols));
  const sa = svd(a);
  const sb = svd(b);
  const lead = (x: Matrix, cols: number): Matrix => {
    const out = new Float64Array(x.rows * cols);
    for (let i = 0; i < x.rows; i++)
      for (let j = 0; j < cols; j++) out[i * cols + j] = x.data[i * x.cols + j];
    return { rows: x.rows, cols, data: out };
  };
  const angles = (qa: Matrix, qb: Matrix): number[] =>
    Array.from(singularValues(matmul(transpose(qa), qb)))
      .map((c) => (Math.acos(Math.min(1, Math.max(-1, c))) * 180) / Math.PI)
      .sort((x, y) => x - y);
  return {
    k: kk,
    left: kk ? angles(lead(sa.U, kk), lead(sb.U, kk)) : [],
    right: kk ? angles(lead(transpose(sa.Vt), kk), lead(transpose(sb.Vt), kk)) : [],
  };
}
