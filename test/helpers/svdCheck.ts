import type { Matrix } from '../../src/core/linalg/matrix';

/** max |(U·diag(S)·Vᵀ − A)ᵢⱼ| for the first k = min(m, n) columns of U and rows of Vᵀ. */
export function svdResidual(a: Matrix, U: Matrix, S: ArrayLike<number>, Vt: Matrix): number {
  const { rows: m, cols: n } = a;
  const k = Math.min(m, n);
  let err = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += U.data[i * U.cols + l] * S[l] * Vt.data[l * n + j];
      err = Math.max(err, Math.abs(s - a.data[i * n + j]));
    }
  return err;
}

/** max |(XᵀX − I)ₚq| over the columns of X, or over its rows with `rows`. */
export function orthogonalityError(X: Matrix, rows = false): number {
  const cnt = rows ? X.rows : X.cols;
  const len = rows ? X.cols : X.rows;
  const at = (v: number, i: number) => (rows ? X.data[v * X.cols + i] : X.data[i * X.cols + v]);
  let e = 0;
  for (let p = 0; p < cnt; p++)
    for (let q = p; q < cnt; q++) {
      let s = 0;
      for (let i = 0; i < len; i++) s += at(p, i) * at(q, i);
      e = Math.max(e, Math.abs(s - (p === q ? 1 : 0)));
    }
  return e;
}
