/**
 * A clustered display order for the cosine heatmap: spherical k-means.
 *
 * Reference: I. S. Dhillon and D. S. Modha, "Concept Decompositions for Large Sparse Text Data
 * Using Clustering", Machine Learning 42 (2001) 143–175 — k-means on the unit sphere: each row
 * goes to the centroid of largest cosine, each centroid is the normalised mean of its rows.
 * Seeding is k-means++ (D. Arthur and S. Vassilvitskii, "k-means++: The Advantages of Careful
 * Seeding", SODA 2007) with the distance 1 − cos, from a fixed seed, so the order is the same
 * on every run.
 *
 * Rows are L2-normalised; zero rows and rows with NaN/±Inf are set aside and go last (in their
 * original order). k = min(⌈√(n/2)⌉, 32) for n usable rows; at most 25 iterations, or until no
 * assignment changes. The n×k similarities are one float32 GEMM per iteration.
 *
 * The order: clusters as a greedy chain (the largest first, then each time the unvisited
 * cluster whose centroid is most similar to the last one), rows inside a cluster by descending
 * cosine to their centroid (ties by row index).
 */
import { matmulF32 } from '../linalg/gemm';

export interface ClusterOrder {
  /** a permutation of 0..rows-1: display row → array row */
  order: Int32Array;
  /** cluster of each array row, numbered in display order; −1 for zero/NaN rows */
  labels: Int32Array;
  /** rows per cluster, in display order (their sum = rows − setAside) */
  sizes: number[];
  /** the number of clusters found (≤ the k asked for: duplicate seeds are dropped) */
  k: number;
  iterations: number;
  /** zero or non-finite rows, placed last */
  setAside: number;
}

export const MAX_CLUSTERS = 32;
const MAX_ITERATIONS = 25;
const SEED_SAMPLE = 10_000;

/** k for n usable rows: min(⌈√(n/2)⌉, 32), at least 1. */
export function clusterCount(n: number): number {
  return n <= 0 ? 0 : Math.max(1, Math.min(Math.ceil(Math.sqrt(n / 2)), MAX_CLUSTERS, n));
}

/** Deterministic PRNG (mulberry32) → [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Spherical k-means order of the `rows`×`cols` float32 row-major vectors. */
export function clusterOrder(
  data: Float32Array,
  rows: number,
  cols: number,
  opts: { k?: number; seed?: number; maxIterations?: number } = {},
): ClusterOrder {
  const d = cols;
  // usable rows, normalised
  const ids: number[] = [];
  const aside: number[] = [];
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j];
      s += v * v;
    }
    if (Number.isFinite(s) && s > 0) ids.push(i);
    else aside.push(i);
  }
  const n = ids.length;
  const x = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const i = ids[r];
    let s = 0;
    for (let j = 0; j < d; j++) s += data[i * d + j] * data[i * d + j];
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < d; j++) x[r * d + j] = data[i * d + j] * inv;
  }
  const labels = new Int32Array(rows).fill(-1);
  if (n === 0)
    return {
      order: Int32Array.from(aside),
      labels,
      sizes: [],
      k: 0,
      iterations: 0,
      setAside: rows,
    };

  const dot = (a: Float32Array, ao: number, b: Float32Array, bo: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += a[ao + j] * b[bo + j];
    return s;
  };

  // k-means++ seeding on (a fixed sample of) the usable rows
  const random = rng(opts.seed ?? 0x5eed);
  let sample: number[] = Array.from({ length: n }, (_, r) => r);
  if (n > SEED_SAMPLE) {
    for (let r = n - 1; r > 0; r--) {
      const q = Math.floor(random() * (r + 1));
      [sample[r], sample[q]] = [sample[q], sample[r]];
    }
    sample = sample.slice(0, SEED_SAMPLE);
  }
  const want = Math.min(opts.k ?? clusterCount(n), n);
  const seeds: number[] = [sample[Math.floor(random() * sample.length)]];
  const dist = new Float64Array(sample.length).fill(Infinity);
  while (seeds.length < want) {
    const c = seeds[seeds.length - 1];
    let total = 0;
    for (let s = 0; s < sample.length; s++) {
      const dd = Math.max(0, 1 - dot(x, sample[s] * d, x, c * d));
      if (dd < dist[s]) dist[s] = dd;
      total += dist[s];
    }
    if (!(total > 1e-12)) break; // every row sits on a seed: fewer clusters
    let u = random() * total;
    let pick = sample.length - 1;
    for (let s = 0; s < sample.length; s++) {
      u -= dist[s];
      if (u < 0 && dist[s] > 0) {
        pick = s;
        break;
      }
    }
    seeds.push(sample[pick]);
  }
  const k = seeds.length;
  // centroids, stored transposed (d×k) for X·Cᵀ
  const ct = new Float32Array(d * k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) ct[j * k + c] = x[seeds[c] * d + j];

  const assign = new Int32Array(n).fill(-1);
  let sims: Float32Array = new Float32Array(0);
  const maxIt = opts.maxIterations ?? MAX_ITERATIONS;
  let iterations = 0;
  for (let it = 0; it < maxIt; it++) {
    iterations = it + 1;
    sims = matmulF32(x, ct, n, d, k);
    let changed = false;
    for (let r = 0; r < n; r++) {
      let best = 0;
      let bv = -Infinity;
      for (let c = 0; c < k; c++) {
        const v = sims[r * k + c];
        if (v > bv) {
          bv = v;
          best = c;
        }
      }
      if (assign[r] !== best) {
        assign[r] = best;
        changed = true;
      }
    }
    if (!changed || it === maxIt - 1) break;
    // centroid = normalised mean of its rows (an empty cluster keeps its centroid)
    const sum = new Float64Array(k * d);
    for (let r = 0; r < n; r++) {
      const o = assign[r] * d;
      for (let j = 0; j < d; j++) sum[o + j] += x[r * d + j];
    }
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += sum[c * d + j] * sum[c * d + j];
      if (!(s > 0)) continue;
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < d; j++) ct[j * k + c] = sum[c * d + j] * inv;
    }
  }

  // members, cluster sizes
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let r = 0; r < n; r++) members[assign[r]].push(r);
  const live = members.map((_, c) => c).filter((c) => members[c].length > 0);
  // greedy chain of centroid similarity, starting from the largest cluster
  const centroidSim = (a: number, b: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += ct[j * k + a] * ct[j * k + b];
    return s;
  };
  let start = live[0];
  for (const c of live) if (members[c].length > members[start].length) start = c;
  const chain = [start];
  const left = new Set(live.filter((c) => c !== start));
  while (left.size) {
    const last = chain[chain.length - 1];
    let next = -1;
    let nv = -Infinity;
    for (const c of left) {
      const v = centroidSim(last, c);
      if (v > nv || (v === nv && c < next)) {
        nv = v;
        next = c;
      }
    }
    chain.push(next);
    left.delete(next);
  }

  const order = new Int32Array(rows);
  let p = 0;
  const sizes: number[] = [];
  chain.forEach((c, label) => {
    const m = members[c].slice();
    m.sort((a, b) => sims[b * k + c] - sims[a * k + c] || a - b);
    for (const r of m) {
      order[p++] = ids[r];
      labels[ids[r]] = label;
    }
    sizes.push(m.length);
  });
  for (const i of aside) order[p++] = i;
  return { order, labels, sizes, k: chain.length, iterations, setAside: aside.length };
}
