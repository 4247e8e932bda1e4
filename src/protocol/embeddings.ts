/**
 * Host ⇄ worker messages of the embeddings and compare channel (issue 14). The vectors of an
 * [N, d] array stay in the worker under a key (like the attention view's weights); callers ask
 * for neighbours and cosine tiles by key.
 */
import type { ArrayRef } from './messages';
import type { Neighbor } from '../core/embeddings/neighbors';
import type { ArrayComparison } from '../core/compare/compareArrays';

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

export interface CompareArraysParams {
  a: ArrayRef;
  b: ArrayRef;
  maxBytes: number;
  rtol?: number;
  atol?: number;
  anglesK?: number;
}

export type EmbeddingsCall =
  | { kind: 'embeddingsOpen'; params: EmbeddingsOpenParams }
  | { kind: 'embeddingsNeighbors'; params: EmbeddingsNeighborsParams }
  | { kind: 'embeddingsTiles'; params: EmbeddingsTilesParams }
  | { kind: 'embeddingsRelease'; params: { key: string } }
  | { kind: 'compareArrays'; params: CompareArraysParams };

export type EmbeddingsResultMap = {
  embeddingsOpen: EmbeddingsInfo;
  embeddingsNeighbors: { neighbors: Neighbor[] };
  embeddingsTiles: CosineTileData;
  embeddingsRelease: Record<string, never>;
  compareArrays: ArrayComparison;
};

export type EmbeddingsKind = EmbeddingsCall['kind'];
