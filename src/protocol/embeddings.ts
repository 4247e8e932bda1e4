/**
 * Host → worker methods of embeddings and compare. The vectors of an [N, d] array stay in the
 * worker under a key (like the attention view's weights); callers ask for neighbours and cosine
 * tiles by key. `WorkerApi` (./worker.ts) includes these methods; the worker answers them from
 * `src/worker/embeddingOps.ts`.
 */
import type { ArrayRef } from './common';
import type { Neighbor } from '../core/embeddings/neighbors';
import type { ArrayComparison } from '../core/compare/compareArrays';
import type { DuplicatePairs } from '../core/embeddings/nearDuplicates';

export interface EmbeddingsOpenParams {
  key: string;
  ref: ArrayRef;
  maxBytes: number;
}

export interface EmbeddingsInfo {
  key: string;
  name: string;
  rows: number;
  cols: number;
  zeroRows: number[];
  nonFiniteRows: number[];
}

export interface EmbeddingsNeighborsParams {
  key: string;
  /** a row of the array (left out of the result) or a query vector of length d */
  row?: number;
  query?: Float32Array;
  k?: number;
  by?: 'cosine' | 'dot';
}

export interface EmbeddingsTilesParams {
  key: string;
  /** the overview: S mean-pooled to size×size */
  size?: number;
  /** or a full-resolution window of display rows/columns */
  window?: { row0: number; rows: number; col0: number; cols: number };
  /** display order (a permutation of the rows) */
  order?: Int32Array;
}

export interface CosineTileData {
  rows: number;
  cols: number;
  values: Float32Array;
  rowStarts: number[];
  colStarts: number[];
}

/** PCA of the vectors for the scatter (sklearn's PCA: centred, signs normalised). */
export interface EmbeddingsPcaData {
  /** principal axes projected on (≤ 3) */
  k: number;
  /** N×k coordinates, row-major (NaN for rows with NaN/Inf) */
  projections: Float32Array;
  /** the top (≤ 10) eigenvalues of the covariance and their share of the total variance */
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  /** ‖xᵢ‖₂ of every row (NaN for rows with NaN/Inf) */
  norms: Float32Array;
  /** rows used (finite ones) */
  samples: number;
}

/** Rows up to which near-duplicate pairs are searched (exact, N²d/2 multiply-adds). */
export const MAX_DUPLICATE_ROWS = 20_000;
/** …and at most this many multiply-adds N²d/2 (5,000 × 768 is 9.6 G). */
export const MAX_DUPLICATE_WORK = 1e10;

/** Why near-duplicate pairs of an N×d set are not searched, or undefined when they are. */
export function duplicateSearchRefusal(rows: number, cols: number): string | undefined {
  if (rows <= MAX_DUPLICATE_ROWS && (rows * rows * cols) / 2 <= MAX_DUPLICATE_WORK)
    return undefined;
  const fmt = (x: number) => x.toLocaleString('en-US');
  return `near-duplicate pairs are searched exactly (N²·d/2 multiply-adds) for up to ${fmt(MAX_DUPLICATE_ROWS)} rows and ${fmt(MAX_DUPLICATE_WORK / 1e9)} G multiply-adds; these ${fmt(rows)} × ${fmt(cols)} vectors need ${fmt(Math.round((rows * rows * cols) / 2e9))} G`;
}

export interface CompareArraysParams {
  a: ArrayRef;
  b: ArrayRef;
  maxBytes: number;
  rtol?: number;
  atol?: number;
  anglesK?: number;
}

export interface EmbeddingsApi {
  /** Loads an [N, d] array as N float32 vectors (with norms) kept under `key`. */
  embeddingsOpen(p: EmbeddingsOpenParams): EmbeddingsInfo;
  /** Top-k rows by cosine (or dot) similarity to a row or a query vector. */
  embeddingsNeighbors(p: EmbeddingsNeighborsParams): { neighbors: Neighbor[] };
  /** The cosine-similarity matrix, pooled to an overview or a full-resolution window. */
  embeddingsTiles(p: EmbeddingsTilesParams): CosineTileData;
  embeddingsRelease(p: { key: string }): Record<string, never>;
  /** PCA (top 3 coordinates, top 10 explained variances) and the row norms. */
  embeddingsPca(p: { key: string }): EmbeddingsPcaData;
  /** The rows grouped by spherical k-means (src/core/embeddings/clusterOrder.ts). */
  embeddingsClusterOrder(p: { key: string }): { order: Int32Array; k: number; sizes: number[] };
  /** Pairs of rows with cosine > threshold (N ≤ {@link MAX_DUPLICATE_ROWS}). */
  embeddingsDuplicates(p: { key: string; threshold: number; maxPairs?: number }): DuplicatePairs;
  /** A vs B: allclose, max |Δ|, and for matrices the rank of ΔW. */
  compareArrays(p: CompareArraysParams): ArrayComparison;
}
