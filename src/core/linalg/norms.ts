/**
 * Matrix norms as numpy.linalg.norm defines them: 'fro' (Frobenius), 'nuc' (sum of singular
 * values), 2 (spectral: largest singular value), 1 (max column sum), inf (max row sum).
 * Reference: Golub & Van Loan §2.3.
 */
import { Matrix } from './matrix';
import { norm2 } from './householder';

export interface Norms {
  fro: number;
  nuc: number;
  spectral: number;
  one: number;
  inf: number;
}

export function frobeniusNorm(a: Matrix): number {
  return norm2(a.data, 0, a.data.length);
}

export function oneNorm(a: Matrix): number {
  if (a.rows === 0 || a.cols === 0) return 0; // (10**15, 0): no per-column sums to allocate
  const sums = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) sums[j] += Math.abs(a.data[i * a.cols + j]);
  let mx = 0;
  for (const s of sums) mx = Math.max(mx, s);
  return mx;
}

export function infNorm(a: Matrix): number {
  if (a.rows === 0 || a.cols === 0) return 0; // (10**15, 0): no 10^15 empty rows to walk
  let mx = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += Math.abs(a.data[i * a.cols + j]);
    mx = Math.max(mx, s);
  }
  return mx;
}

/** All five norms; `sv` are the singular values (descending). */
export function norms(a: Matrix, sv: ArrayLike<number>): Norms {
  let nuc = 0;
  for (let i = sv.length - 1; i >= 0; i--) nuc += sv[i];
  return {
    fro: frobeniusNorm(a),
    nuc,
    spectral: sv.length ? sv[0] : 0,
    one: oneNorm(a),
    inf: infNorm(a),
  };
}
