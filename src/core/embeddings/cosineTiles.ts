/**
 * Tiles of the N×N cosine-similarity matrix S = X̂X̂ᵀ (X̂: rows scaled to unit length; zero
 * and non-finite rows become 0, as scikit-learn's cosine_similarity gives 0 for zero rows)
 * without forming S, so N = 50,000 costs what a 512² picture costs:
 * - overview: S mean-pooled to T×T blocks. The mean of a block is exact from block means:
 *   mean_{i∈I, j∈J} x̂ᵢ·x̂ⱼ = (Σ_I x̂ᵢ/|I|)·(Σ_J x̂ⱼ/|J|), so it is one T×d by d×T product.
 * - window: S at full resolution for display rows [r0, r0+h) × columns [c0, c0+w).
 * Both take an optional display order (a permutation of the rows: sorted or clustered views).
 * The products run on the engine's GEMM (matmulTransB: SIMD kernels, split over the worker's
 * pool), as cosineSimilarity does for a whole matrix.
 */
import { LensError } from '../errors';
import { Matrix } from '../linalg/matrix';
import { matmulTransB } from '../linalg/gemm';
import { Vectors } from './vectors';

export interface CosineTile {
  /** tile rows and columns */
  rows: number;
  cols: number;
  /** row-major values in [-1, 1] */
  data: Float64Array;
  /** display rows (and columns) each tile row covers: [start[i], start[i+1]) */
  rowStarts: number[];
  colStarts: number[];
}

/** S mean-pooled to at most `size`×`size` blocks. */
export function cosineOverview(v: Vectors, size: number, order?: Int32Array): CosineTile {
  const n = v.rows;
  const t = Math.max(1, Math.min(size, n));
  const starts = blockStarts(n, t);
  const means = blockMeans(v, starts, order);
  const s = matmulTransB(means, means);
  return { rows: t, cols: t, data: s.data, rowStarts: starts, colStarts: starts };
}

/** S at full resolution for display rows [r0, r0 + h) and columns [c0, c0 + w). */
export function cosineWindow(
  v: Vectors,
  r0: number,
  h: number,
  c0: number,
  w: number,
  order?: Int32Array,
): CosineTile {
  const n = v.rows;
  if (!(r0 >= 0 && c0 >= 0 && h >= 0 && w >= 0 && r0 + h <= n && c0 + w <= n))
    throw new LensError(`window rows ${r0}+${h}, columns ${c0}+${w} is outside ${n}×${n}`);
  const a = unitRows(v, r0, h, order);
  const b = unitRows(v, c0, w, order);
  const s = matmulTransB(a, b);
  const seq = (s0: number, k: number) => Array.from({ length: k + 1 }, (_, i) => s0 + i);
  return { rows: h, cols: w, data: s.data, rowStarts: seq(r0, h), colStarts: seq(c0, w) };
}

function blockStarts(n: number, t: number): number[] {
  const s: number[] = [];
  for (let b = 0; b <= t; b++) s.push(Math.floor((b * n) / t));
  return s;
}

function scaleOf(v: Vectors, row: number): number {
  const nr = v.norms[row];
  return nr > 0 ? 1 / nr : 0; // zero and NaN rows contribute nothing
}

function blockMeans(v: Vectors, starts: number[], order?: Int32Array): Matrix {
  const t = starts.length - 1;
  const d = v.cols;
  const out = new Float64Array(t * d);
  for (let b = 0; b < t; b++) {
    const o = b * d;
    for (let p = starts[b]; p < starts[b + 1]; p++) {
      const row = order ? order[p] : p;
      const s = scaleOf(v, row);
      if (s === 0) continue;
      const x = row * d;
      for (let j = 0; j < d; j++) out[o + j] += v.data[x + j] * s;
    }
    const inv = 1 / Math.max(1, starts[b + 1] - starts[b]);
    for (let j = 0; j < d; j++) out[o + j] *= inv;
  }
  return { rows: t, cols: d, data: out };
}

function unitRows(v: Vectors, r0: number, h: number, order?: Int32Array): Matrix {
  const d = v.cols;
  const out = new Float64Array(h * d);
  for (let i = 0; i < h; i++) {
    const row = order ? order[r0 + i] : r0 + i;
    const s = scaleOf(v, row);
    if (s === 0) continue;
    const x = row * d;
    for (let j = 0; j < d; j++) out[i * d + j] = v.data[x + j] * s;
  }
  return { rows: h, cols: d, data: out };
}
