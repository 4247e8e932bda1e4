/**
 * Host ⇄ analysis results panel (webview/analysis): the host posts a numbered state (running,
 * analysis, cancelled, error), progress and saved settings; the webview asks to copy text and
 * to cancel a run. The panel keeps {@link AnalysisPanelSavedState} for its serializer.
 */
import type { AnalyzeResult } from './worker';
import type { ComputeMode } from './compute';
import type { AnalysisRendered } from './testing';

export type AnalysisHostToWebview =
  | { type: 'running'; seq: number; title: string; detail: string }
  | { type: 'analysis'; seq: number; title: string; result: AnalyzeResult }
  | { type: 'cancelled'; seq: number; title: string }
  | { type: 'error'; seq: number; title: string; message: string };

/** Updates that render nothing by themselves (no report comes back). */
export type AnalysisPanelUpdate =
  /** the worker's progress while run `seq` is 'running' */
  | { type: 'progress'; seq: number; fraction: number }
  /** the saved view settings, sent by the serializer before the saved state */
  | { type: 'settings'; histogram?: boolean }
  /**
   * After analysis `seq` is shown: the top-k singular values of the same matrix, routed by
   * `mode` through the webview's ComputeRouter (GPU, or the worker's float64 values already
   * shown). `data` is the matrix as float32, row-major; absent when `mode` is 'cpu'.
   */
  | {
      type: 'gpuSpectrum';
      seq: number;
      mode: ComputeMode;
      k: number;
      rows: number;
      cols: number;
      data?: Float32Array;
    };

/** What the results panel keeps with `setState` (and its serializer restores after a reload). */
export interface AnalysisPanelSavedState {
  /** the last finished state shown (analysis, cancelled, error). */
  last?: AnalysisHostToWebview;
  /** show the spectral density histogram. */
  histogram?: boolean;
  /** the compute lines the page added to `last` (the GPU's top-k, or why not): a reload shows
   *  them again; `of` names the analysis they belong to. */
  gpuLines?: { of: string; lines: { key: string; text: string; warn?: boolean }[] };
}

export type AnalysisWebviewToHost =
  | { type: 'ready' }
  | AnalysisRendered
  | { type: 'copy'; what: string; text: string }
  /** the panel's Cancel button: cancels run `seq` in the worker. */
  | { type: 'cancel'; seq: number };
