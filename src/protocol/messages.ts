/**
 * The one message protocol shared by the extension host, the compute worker and the
 * webviews. Every message crossing a thread or process boundary is one of these types.
 */
import type { DType } from '../core/array/dtype';
import type { Stats } from '../core/stats/summary';
import type { Pooling } from '../core/view/slice2d';

// ---------- host ⇄ worker ----------

/** Where the worker reads an array from: a local path (read in pieces) or bytes the host read. */
export type ArraySource = { path: string } | { bytes: Uint8Array; name: string };

export interface OpenArrayParams {
  source: ArraySource;
  /** member/tensor name inside .npz/.safetensors; first one when absent. */
  member?: string;
  maxBytes: number;
  maxCells: number;
  pooling: Pooling;
}

export interface SliceParams {
  source: ArraySource;
  member?: string;
  maxBytes: number;
  maxCells: number;
  pooling: Pooling;
  rowAxis: number;
  colAxis: number;
  indices: number[];
  /** full-resolution window (for zoom); whole slice when absent. */
  window?: { row0: number; row1: number; col0: number; col1: number };
}

export type WorkerCall =
  | { kind: 'openArray'; params: OpenArrayParams }
  | { kind: 'slice'; params: SliceParams }
  /** test hooks: a long cancellable computation, and a crash */
  | { kind: 'spin'; params: { ms: number } }
  | { kind: 'crash'; params: Record<string, never> };

export type WorkerRequest = WorkerCall & {
  id: number;
  /** Int32Array(1) over this buffer: set to 1 to cancel. */
  cancelFlag: SharedArrayBuffer;
};

export interface ArrayEntryInfo {
  name: string;
  dtype: DType;
  shape: number[];
  byteLength: number;
}

export interface ArrayView {
  fileFormat: string;
  entries: ArrayEntryInfo[];
  /** the member shown. */
  name: string;
  shape: number[];
  dtype: DType;
  fortranOrder: boolean;
  byteLength: number;
  stats: Stats;
  summary: string;
  heatmap: HeatmapData;
}

/** A 2-D slice (possibly pooled) ready to draw. */
export interface HeatmapData {
  rows: number;
  cols: number;
  fullRows: number;
  fullCols: number;
  rowAxis: number;
  colAxis: number;
  indices: number[];
  /** e.g. `[0, 0, :, :]`; '' for a 2-D array. */
  sliceLabel: string;
  /** source cells per drawn cell along each axis (1 = full resolution). */
  rowStep: number;
  colStep: number;
  /** first full-resolution row/col of the window shown. */
  row0: number;
  col0: number;
  /** finite min/max of the values shown. */
  min: number | null;
  max: number | null;
  values: Float32Array;
}

export type WorkerResultMap = {
  openArray: ArrayView;
  slice: HeatmapData;
  spin: { iterations: number };
  crash: never;
};

export type WorkerResponse =
  | { id: number; type: 'progress'; fraction: number; message?: string }
  | { id: number; type: 'result'; result: unknown }
  | { id: number; type: 'error'; message: string; code: string };

// ---------- host ⇄ webview ----------

export interface ViewSettings {
  colormap: string;
}

export type HostToWebview =
  | { type: 'loading'; fileName: string }
  | { type: 'array'; fileName: string; view: ArrayView; settings: ViewSettings }
  | { type: 'slice'; heatmap: HeatmapData }
  | { type: 'error'; fileName: string; message: string };

export interface RenderedReport {
  summary: string;
  heatmap: { rows: number; cols: number; min: number | null; max: number | null; canvasWidth: number; canvasHeight: number } | null;
  error?: string;
}

export type WebviewToHost =
  | { type: 'ready' }
  /** what the webview actually shows, read back from its DOM (for tests and accessibility). */
  | { type: 'rendered'; report: RenderedReport }
  | { type: 'requestSlice'; rowAxis: number; colAxis: number; indices: number[]; window?: { row0: number; row1: number; col0: number; col1: number } };
