/**
 * Near-duplicate rows: every pair i < j with cos(xᵢ, xⱼ) > threshold, counted, and the first
 * `maxPairs` listed by descending similarity. Exact: the upper triangle of S = X̂X̂ᵀ in row
 * blocks of 256 on the engine's GEMM, so the cost is N²d/2 multiply-adds (N = 10,000,
 * d = 768: 38 G) — callers bound N; zero and non-finite rows never match.
 */
import { matmulTransB } from '../linalg/gemm';
import { Matrix } from '../linalg/matrix';
import { Vectors } from './vectors';

export interface DuplicatePairs {
  threshold: number;
  count: number;
  /** [i, j, cosine], best first, at most maxPairs */
  pairs: [number, number, number][];
}

export function nearDuplicates(v: Vectors, threshold: number, maxPairs = 1000): DuplicatePairs {
  const { rows: n, cols: d } = v;
  const unit = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const nr = v.norms[i];
    if (!(nr > 0)) continue;
    for (let j = 0; j < d; j++) unit[i * d + j] = v.data[i * d + j] / nr;
  }
  const B = 256;
  let count = 0;
  let pairs: [number, number, number][] = [];
  for (let r0 = 0; r0 < n; r0 += B) {
    const h = Math.min(B, n - r0);
    const a: Matrix = { rows: h, cols: d, data: unit.subarray(r0 * d, (r0 + h) * d) };
    const rest: Matrix = { rows: n - r0, cols: d, data: unit.subarray(r0 * d) };
    const s = matmulTransB(a, rest).data;
    const w = n - r0;
    for (let i = 0; i < h; i++)
      for (let j = i + 1; j < w; j++) {
        const c = s[i * w + j];
        if (c > threshold) {
          count++;
          pairs.push([r0 + i, r0 + j, c]);
        }
      }
    if (pairs.length > 4 * maxPairs) pairs = best(pairs, maxPairs);
  }
  return { threshold, count, pairs: best(pairs, maxPairs) };
}

function best(p: [number, number, number][], k: number): [number, number, number][] {
  return p.sort((x, y) => y[2] - x[2] || x[0] - y[0] || x[1] - y[1]).slice(0, k);
}
