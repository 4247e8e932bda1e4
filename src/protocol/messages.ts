/**
 * The one message protocol shared by the extension host, the compute worker and the
 * webviews. Every message crossing a thread or process boundary is one of these types.
 */
import type { DType } from '../core/array/dtype';
import type { Stats } from '../core/stats/summary';

// ---------- host ⇄ worker ----------

/** What the worker can be asked to do. `id` pairs a request with its reply. */
export type WorkerRequest =
  | { id: number; kind: 'openArray'; path: string; member?: string; maxHeatmapCells: number; maxBytes: number }
  | { id: number; kind: 'cancel'; target: number }
  | { id: number; kind: 'crashForTest' };

export interface ArrayView {
  /** logical shape of the whole array. */
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
  /** rows × cols of `values`, row-major. */
  rows: number;
  cols: number;
  /** which slice of an N-D array this is, e.g. `[0, 0, :, :]`. */
  sliceLabel: string;
  /** source cells per drawn cell along each axis (1 = full resolution). */
  rowStep: number;
  colStep: number;
  values: Float32Array;
}

export type WorkerResult = { kind: 'openArray'; view: ArrayView } | { kind: 'ack' };

export type WorkerResponse =
  | { id: number; type: 'progress'; fraction: number; message?: string }
  | { id: number; type: 'result'; result: WorkerResult }
  | { id: number; type: 'error'; message: string; code: string };

// ---------- host ⇄ webview ----------

export type HostToWebview =
  | { type: 'loading'; fileName: string }
  | { type: 'array'; fileName: string; view: ArrayView }
  | { type: 'error'; fileName: string; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  /** what the webview actually shows, read back from its DOM (for tests and accessibility). */
  | { type: 'rendered'; summary: string; heatmap: { rows: number; cols: number; min: number; max: number } | null; error?: string };
