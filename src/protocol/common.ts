/**
 * Types every channel shares: where an array comes from, one array of a file, what a file
 * holds, an opened array's summary and heatmap slice, and the row/column window.
 */
import type { DType } from '../core/array/dtype';
import type { Stats } from '../core/stats/summary';
import type { Pooling } from '../core/view/slice2d';
import type { CellWindow } from '../core/view/cellWindow';

export type { CellWindow };

/** Where the worker reads an array from: a local path (read in pieces) or bytes the host read. */
export type ArraySource =
  | { path: string }
  /** `key` (uri + mtime + size) lets the worker reuse what it opened from the same bytes. */
  | { bytes: Uint8Array; name: string; key?: string }
  /** an array the worker already holds (an inspected selection), by the key it was stored under. */
  | { held: string };

/** One array of a file (a member of .npz/.safetensors; the first when absent). */
export interface ArrayRef {
  source: ArraySource;
  member?: string;
}

export interface ArrayEntryInfo {
  name: string;
  dtype: DType;
  shape: number[];
  byteLength: number;
}

/** What a file holds, without reading any array data. */
export interface ArrayListing {
  fileFormat: string;
  entries: ArrayEntryInfo[];
  /** safetensors `__metadata__`. */
  metadata?: Record<string, string>;
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
  /** null when the array is over matrixLens.maxArrayBytes: `notice` then says why. */
  heatmap: HeatmapData | null;
  /** safetensors `__metadata__`. */
  metadata?: Record<string, string>;
  /** a message shown instead of the heatmap (e.g. the array is too large to draw). */
  notice?: string;
  /** how the worker computed `stats`: its time and threads (streamed: read from the file). */
  computed?: { ms: number; threads: number; streamed?: boolean };
  /**
   * a coarse version of `heatmap` (at most {@link PREVIEW_CELLS} cells) when that is large: the
   * page paints it at once and the full drawn level follows (a 4 MiB message takes 0.3–0.9 s
   * through code-server's websocket).
   */
  preview?: HeatmapData;
}

/** The most cells of a first-paint preview (256²: 256 KiB of float32). */
export const PREVIEW_CELLS = 256 * 256;

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
  /** how pooled cells were reduced (when rowStep or colStep > 1). */
  pooling?: Pooling;
  /** the full-resolution window shown, when zoomed. */
  window?: CellWindow;
  /** float32, or float64 when float32 cannot hold the values (src/core/view/slice2d.ts). */
  values: Float32Array | Float64Array;
}
