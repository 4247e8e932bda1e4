/**
 * Nearest neighbours by cosine similarity (or dot product) of one query against N vectors:
 * one pass over the rows, each scored cos(q, xᵢ) = q·xᵢ / (‖q‖‖xᵢ‖) (0 when either is zero,
 * as scikit-learn), the best k kept in a sorted buffer (k ≪ N). Rows with NaN/Inf are skipped.
 * This is exact search (the "embed, normalise, sort by similarity" of retrieval examples);
 * at N = 50,000, d = 768 it is 38 M multiply-adds.
 */
import { Vectors } from './vectors';

export interface Neighbor {
  row: number;
  cosine: number;
  dot: number;
  norm: number;
}

export interface NeighborOptions {
  k?: number;
  /** rank by cosine (default) or raw dot product */
  by?: 'cosine' | 'dot';
  /** a row to leave out (the query row itself) */
  exclude?: number;
}

export function topNeighbors(
  v: Vectors,
  query: ArrayLike<number>,
  opts: NeighborOptions = {},
): Neighbor[] {
  const { rows, cols, data, norms } = v;
  const k = Math.max(0, Math.min(opts.k ?? 10, rows));
  const byDot = opts.by === 'dot';
  const q = Float32Array.from(query);
  let qn = 0;
  for (let j = 0; j < cols; j++) qn += q[j] * q[j];
  qn = Math.sqrt(qn);
  const best: Neighbor[] = [];
  let floor = -Infinity;
  for (let i = 0; i < rows; i++) {
    if (i === opts.exclude || norms[i] !== norms[i]) continue;
    const o = i * cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j + 3 < cols; j += 4) {
      s0 += q[j] * data[o + j];
      s1 += q[j + 1] * data[o + j + 1];
      s2 += q[j + 2] * data[o + j + 2];
      s3 += q[j + 3] * data[o + j + 3];
    }
    for (; j < cols; j++) s0 += q[j] * data[o + j];
    const dot = s0 + s1 + s2 + s3;
    const den = qn * norms[i];
    const cosine = den > 0 ? dot / den : 0;
    const score = byDot ? dot : cosine;
    if (best.length === k && !(score > floor)) continue;
    const n: Neighbor = { row: i, cosine, dot, norm: norms[i] };
    // insert keeping best-first; equal scores keep the lower row first
    let at = best.length;
    while (at > 0 && (byDot ? best[at - 1].dot : best[at - 1].cosine) < score) at--;
    best.splice(at, 0, n);
    if (best.length > k) best.pop();
    if (best.length === k) floor = byDot ? best[k - 1].dot : best[k - 1].cosine;
  }
  return best;
}

/** The query vector of row `i`. */
export function rowOf(v: Vectors, i: number): Float32Array {
  return v.data.subarray(i * v.cols, (i + 1) * v.cols);
}
