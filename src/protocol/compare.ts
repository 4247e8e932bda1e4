/**
 * The compare view: host → worker methods ({@link CompareApi}, part of `WorkerApi`, answered
 * by src/worker/compareOps.ts) and the host ⇄ webview channel of webview/compare. The host
 * posts one comparison (two arrays, or two checkpoints) and the webview asks for a recompute
 * with other tolerances or for one checkpoint row's own comparison.
 */
import type { ArrayRef, ArraySource } from './common';
import type { ArrayComparison } from '../core/compare/compareArrays';
import type { CheckpointDiff } from '../core/compare/checkpointDiff';
import type { DeltaMap } from '../core/compare/deltaMap';

export interface CompareTolerances {
  rtol: number;
  atol: number;
  /** principal angles between the top-k singular subspaces (matrices) */
  k: number;
}

export interface CompareViewParams extends CompareTolerances {
  a: ArrayRef;
  b: ArrayRef;
  maxBytes: number;
  /** cells a side of the Δ map at most */
  maxSide: number;
}

export interface CompareViewResult {
  /** member names ('' for a .npy) */
  nameA: string;
  nameB: string;
  comparison: ArrayComparison;
  /** the Δ heatmap; null when the shapes differ */
  map: DeltaMap | null;
  /** why the principal angles were not computed, if they were not */
  anglesNote?: string;
  ms: number;
}

export interface CompareCheckpointsParams {
  a: ArraySource;
  b: ArraySource;
  maxBytes: number;
  rtol: number;
  atol: number;
}

export interface CompareApi {
  /** A vs B: statistics, the spectrum of ΔW and principal angles, and the Δ heatmap. */
  compareView(p: CompareViewParams): CompareViewResult;
  /** Every shared tensor of two checkpoints, one pair at a time (streamed). */
  compareCheckpointFiles(p: CompareCheckpointsParams): CheckpointDiff & { ms: number };
}

/** One side of a comparison, as the host names it. */
export interface CompareSide {
  uri: string;
  member?: string;
  /** `file.npz#member` */
  label: string;
}

export type CompareHostToWebview =
  | { type: 'loading'; title: string; message: string }
  | {
      type: 'arrays';
      title: string;
      a: CompareSide;
      b: CompareSide;
      tolerances: CompareTolerances;
      result: CompareViewResult;
      colormap: string;
    }
  | {
      type: 'checkpoints';
      title: string;
      a: CompareSide;
      b: CompareSide;
      tolerances: CompareTolerances;
      diff: CheckpointDiff & { ms: number };
    }
  | { type: 'error'; title: string; message: string };

export type CompareWebviewToHost =
  | { type: 'ready' }
  | { type: 'rendered'; report: CompareRenderedReport }
  | { type: 'recompute'; tolerances: CompareTolerances }
  | { type: 'openRow'; name: string };

/** What the compare view shows (test builds read it back). */
export interface CompareRenderedReport {
  state: 'loading' | 'arrays' | 'checkpoints' | 'error';
  title: string;
  message?: string;
  /** the numbers as shown, by key (`maxAbs`, `verdict`, `deltaRank`, …) */
  fields: Record<string, string>;
  heatmap?: {
    rows: number;
    cols: number;
    lo: number;
    hi: number;
    canvasWidth: number;
    canvasHeight: number;
  };
  /** points of the singular-value chart of ΔW */
  svPoints?: number;
  /** principal angles as listed (degrees) */
  angles?: string[];
  /** checkpoint table rows (tensor names) in display order, and the sort */
  table?: { names: string[]; sort: string; onlyA: string[]; onlyB: string[] };
}
