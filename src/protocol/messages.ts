/**
 * The one message protocol shared by the extension host, the compute worker and the
 * webviews. Every message crossing a thread or process boundary is one of these types.
 */
import type { DType } from '../core/array/dtype';
import type { Stats } from '../core/stats/summary';
import type { Pooling } from '../core/view/slice2d';
import type { MatrixAnalysis } from '../core/linalg/analyze';

// ---------- host ⇄ worker ----------

/** Where the worker reads an array from: a local path (read in pieces) or bytes the host read. */
export type ArraySource =
  | { path: string }
  /** `key` (uri + mtime + size) lets the worker reuse what it opened from the same bytes. */
  | { bytes: Uint8Array; name: string; key?: string }
  /** an array the worker already holds (an inspected selection), by the key it was stored under. */
  | { held: string };

/** What a file holds, without reading any array data. */
export interface ArrayListing {
  fileFormat: string;
  entries: ArrayEntryInfo[];
  /** safetensors `__metadata__`. */
  metadata?: Record<string, string>;
}

export interface InspectTextParams {
  text: string;
  /** the worker keeps the parsed array under this key (for later 'slice' calls with `{ held: key }`). */
  key: string;
  maxCells: number;
  pooling: Pooling;
}

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
  /** lists a file's arrays (headers only). */
  | { kind: 'listArrays'; params: { source: ArraySource } }
  /** parses selected array text and summarises it like a file's array. */
  | { kind: 'inspectText'; params: InspectTextParams }
  /** forgets an opened file / held array (closes its file handle). */
  | { kind: 'releaseArrays'; params: { source: ArraySource } }
  /** test hooks: a long cancellable computation, and a crash */
  | { kind: 'spin'; params: { ms: number } }
  | { kind: 'crash'; params: Record<string, never> }
  /** issue 4: matrix analysis and attention (src/worker/analysisOps.ts) */
  | { kind: 'analyze'; params: AnalyzeParams }
  | { kind: 'attention'; params: AttentionParams };

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
  /** null when the array is over matrixLens.maxArrayBytes: `notice` then says why. */
  heatmap: HeatmapData | null;
  /** safetensors `__metadata__`. */
  metadata?: Record<string, string>;
  /** a message shown instead of the heatmap (e.g. the array is too large to draw). */
  notice?: string;
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
  /** how pooled cells were reduced (when rowStep or colStep > 1). */
  pooling?: Pooling;
  /** the full-resolution window shown, when zoomed. */
  window?: { row0: number; row1: number; col0: number; col1: number };
  values: Float32Array;
}

export type WorkerResultMap = {
  openArray: ArrayView;
  slice: HeatmapData;
  listArrays: ArrayListing;
  inspectText: ArrayView;
  releaseArrays: Record<string, never>;
  spin: { iterations: number };
  crash: never;
  analyze: AnalyzeResult;
  attention: AttentionSummary;
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
  | { type: 'slice'; heatmap: HeatmapData; seq?: number }
  | { type: 'error'; fileName: string; message: string }
  /** the arrays in a multi-array file (sent before the first array is read). */
  | { type: 'listing'; fileName: string; listing: ArrayListing; selected: string }
  /** an error about one array of a file: the listing stays usable. */
  | { type: 'entryError'; fileName: string; name: string; message: string }
  /** acts as if the user did it (used by the `matrixLens.selectEntry` command and tests). */
  | { type: 'drive'; action: DriveAction };

export type DriveAction =
  | { kind: 'selectEntry'; name: string }
  | { kind: 'setSlice'; rowAxis: number; colAxis: number; indices: number[] }
  | { kind: 'zoom'; window: { row0: number; row1: number; col0: number; col1: number } }
  | { kind: 'resetZoom' };

export interface RenderedReport {
  summary: string;
  heatmap: {
    rows: number;
    cols: number;
    min: number | null;
    max: number | null;
    canvasWidth: number;
    canvasHeight: number;
  } | null;
  error?: string;
  /** the array shown (a member/tensor name; '' for a .npy file or a selection). */
  entry?: string;
  /** names of the arrays listed in the side list (multi-array files). */
  entries?: string[];
  /** the 2-D slice shown: axes, fixed indices, zoom window and pooling. */
  slice?: {
    rowAxis: number;
    colAxis: number;
    indices: number[];
    label: string;
    row0: number;
    col0: number;
    rowStep: number;
    colStep: number;
    fullRows: number;
    fullCols: number;
    pooling?: Pooling;
    zoomed: boolean;
  };
  /** the first (up to 8) values drawn, row-major: lets tests check which slice is shown. */
  sample?: (number | null)[];
  /** the note under the heatmap (slice, zoom, pooling), and any notice shown instead of it. */
  note?: string;
  notice?: string;
  /** safetensors metadata keys shown. */
  metadataKeys?: string[];
}

export type WebviewToHost =
  | { type: 'ready' }
  /** what the webview actually shows, read back from its DOM (for tests and accessibility). */
  | { type: 'rendered'; report: RenderedReport }
  | {
      type: 'requestSlice';
      rowAxis: number;
      colAxis: number;
      indices: number[];
      window?: { row0: number; row1: number; col0: number; col1: number };
      seq?: number;
      name?: string;
    }
  | { type: 'selectEntry'; name: string };

// ---------- matrix analysis and attention (issue 4) ----------

/** One array of a file (a member of .npz/.safetensors; the first when absent). */
export interface ArrayRef {
  source: ArraySource;
  member?: string;
}

/** What to analyze: an array in a file, or array text (an editor selection) parsed in the worker. */
export type AnalysisInput = ArrayRef | { text: string; name: string };

export interface AnalyzeParams {
  input: AnalysisInput;
  maxBytes: number;
  /** leading indices of an N-D array; default all zeros (the first 2-D slice). */
  index?: number[];
  /** force (true) or forbid (false) the randomized SVD; default automatic. */
  randomized?: boolean;
}

export interface AnalyzeResult {
  /** member name ('' for a .npy or a selection). */
  name: string;
  dtype: DType;
  /** the whole array's shape. */
  shape: number[];
  /** `[0, :, :]` for an N-D array, '' for a 2-D one. */
  sliceLabel: string;
  analysis: MatrixAnalysis;
  ms: number;
}

export interface AttentionParams {
  q: ArrayRef;
  k: ArrayRef;
  v?: ArrayRef;
  /** heads for 2-D inputs [T, H·d]; 3-D inputs [H, T, d] carry their own. */
  heads?: number;
  causal: boolean;
  maxBytes: number;
}

export interface AttentionSummary {
  heads: number;
  queries: number;
  keys: number;
  headDim: number;
  valueDim: number;
  causal: boolean;
  qShape: number[];
  kShape: number[];
  vShape?: number[];
  weightsShape: [number, number, number];
  /** [H, T, S] row-major. */
  weights: Float32Array;
  /** Σ_j w_ij per head and query, [H, T]. */
  rowSums: Float64Array;
  /** largest |row sum − 1| over rows with at least one visible key. */
  rowSumMaxDeviation: number;
  /** rows whose every key is masked (their weights are all 0). */
  fullyMaskedRows: number;
  /** entropy (nats) of each query's weights, [H, T]. */
  entropy: Float64Array;
  /** mean query entropy per head. */
  headEntropy: number[];
  /** ln S: the entropy of uniform weights. */
  maxEntropy: number;
  /** causal only: the largest weight on a key after its query (0 when the mask holds). */
  causalMaxAbove?: number;
  outputShape?: number[];
  ms: number;
}

// host ⇄ analysis results panel (webview/analysis)

export type AnalysisHostToWebview =
  | { type: 'running'; seq: number; title: string; detail: string }
  | { type: 'analysis'; seq: number; title: string; result: AnalyzeResult }
  | { type: 'attention'; seq: number; title: string; result: Omit<AttentionSummary, 'weights'> }
  | { type: 'cancelled'; seq: number; title: string }
  | { type: 'error'; seq: number; title: string; message: string };

/** What the results panel shows, read back from its DOM (for tests and accessibility). */
export interface AnalysisRenderedReport {
  seq: number;
  state: AnalysisHostToWebview['type'];
  title: string;
  /** text of every row of the main table, by row key (`rank`, `cond`, `norm-fro`, …). */
  fields: Record<string, string>;
  /** singular values as listed (first 10, then the last 5). */
  singularValues?: string[];
  /** eigenvalues as listed, `re` or `re ± im i`. */
  eigenvalues?: string[];
  /** mean entropy per head as listed (nats). */
  headEntropy?: string[];
  message?: string;
}

export type AnalysisWebviewToHost =
  | { type: 'ready' }
  | { type: 'rendered'; report: AnalysisRenderedReport }
  | { type: 'copy'; what: string; text: string };
