/**
 * The one message protocol shared by the extension host, the compute worker and the
 * webviews. Every message crossing a thread or process boundary is one of these types.
 */
import type { EmbeddingsCall, EmbeddingsResultMap } from './embeddings';
import type { DType } from '../core/array/dtype';
import type { Stats } from '../core/stats/summary';
import type { Pooling } from '../core/view/slice2d';
import type { MatrixAnalysis } from '../core/linalg/analyze';
import type { AttentionDiagnostics } from '../core/attention/diagnostics';
import type { PooledHead, PooledTiles } from '../core/attention/weights';

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
  /** issue 4: matrix analysis (src/worker/analysisOps.ts) */
  | { kind: 'analyze'; params: AnalyzeParams }
  /** issue 5 heatmap: a full-resolution window of a slice as CSV (export). */
  | { kind: 'csv'; params: CsvParams }
  /** issue 5: the attention view (src/worker/attentionOps.ts); the weights stay in the worker */
  | { kind: 'attentionOpen'; params: AttentionOpenParams }
  | { kind: 'attentionCompute'; params: AttentionComputeParams }
  | { kind: 'attentionTiles'; params: AttentionTilesParams }
  | { kind: 'attentionFocus'; params: AttentionFocusParams }
  | { kind: 'attentionRelease'; params: { key: string } }
  /** issue 14: embeddings and compare (src/protocol/embeddings.ts, src/worker/embeddingOps.ts) */
  | EmbeddingsCall;

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
  csv: { text: string; rows: number; cols: number };
  attentionOpen: AttentionViewInfo;
  attentionCompute: AttentionViewInfo;
  attentionTiles: AttentionTilesData;
  attentionFocus: AttentionFocusData;
  attentionRelease: Record<string, never>;
} & EmbeddingsResultMap;

export type WorkerResponse =
  | { id: number; type: 'progress'; fraction: number; message?: string }
  | { id: number; type: 'result'; result: unknown }
  | { id: number; type: 'error'; message: string; code: string };

// ---------- host ⇄ webview ----------

export interface ViewSettings {
  colormap: string;
  /** matrixLens.heatmap.renderer: 'auto' (WebGL2 when available), 'webgl2' or 'canvas'. */
  renderer?: 'auto' | 'webgl2' | 'canvas';
  /** matrixLens.heatmap.maxCells (the worker pools larger slices and windows). */
  maxCells?: number;
}

/** A full-resolution window of one 2-D slice (heatmap CSV export). */
export interface CsvParams {
  source: ArraySource;
  member?: string;
  maxBytes: number;
  rowAxis: number;
  colAxis: number;
  indices: number[];
  window: { row0: number; row1: number; col0: number; col1: number };
  /** refuse windows with more values than this. */
  maxValues: number;
}

/** What the heatmap shows, for export: the slice and its visible full-resolution window. */
export interface HeatmapVisible {
  name?: string;
  rowAxis: number;
  colAxis: number;
  indices: number[];
  window: { row0: number; row1: number; col0: number; col1: number };
}

export type HostToWebview =
  | { type: 'loading'; fileName: string }
  | {
      type: 'array';
      fileName: string;
      view: ArrayView;
      settings: ViewSettings;
      /** Inspect Selection panels: the webview keeps this in its state; after a window reload
       *  the host's serializer finds the selection text under it and parses it again. */
      restoreToken?: string;
    }
  | { type: 'slice'; heatmap: HeatmapData; seq?: number }
  | { type: 'error'; fileName: string; message: string }
  /** the arrays in a multi-array file (sent before the first array is read). */
  | { type: 'listing'; fileName: string; listing: ArrayListing; selected: string }
  /** an error about one array of a file: the listing stays usable. */
  | { type: 'entryError'; fileName: string; name: string; message: string }
  /** acts as if the user did it (used by the `matrixLens.selectEntry` command and tests). */
  | { type: 'drive'; action: DriveAction }
  /** export: the webview answers with an 'exportReply' of the same id. */
  | { type: 'exportRequest'; id: number; format: 'png' | 'csv' };

export type DriveAction =
  | { kind: 'selectEntry'; name: string }
  | { kind: 'setSlice'; rowAxis: number; colAxis: number; indices: number[] }
  | { kind: 'zoom'; window: { row0: number; row1: number; col0: number; col1: number } }
  | { kind: 'resetZoom' }
  | { kind: 'setColormap'; colormap: string }
  | { kind: 'setRangeMode'; mode: 'minmax' | 'symmetric' | 'percentile' };

export interface RenderedReport {
  summary: string;
  heatmap: {
    rows: number;
    cols: number;
    min: number | null;
    max: number | null;
    canvasWidth: number;
    canvasHeight: number;
    /** which renderer drew it, and why WebGL2 was not used when it was wanted. */
    renderer?: 'webgl2' | 'canvas';
    rendererNote?: string;
    colormap?: string;
    rangeMode?: 'minmax' | 'symmetric' | 'percentile';
    /** the colour range: values ≤ lo get the first colour, ≥ hi the last. */
    lo?: number;
    hi?: number;
    /** colorbar tick labels as shown. */
    ticks?: string[];
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
    /** the full-resolution cells in view (rows row0..row1-1, columns col0..col1-1). */
    visible?: { row0: number; row1: number; col0: number; col1: number };
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
  /** `entry`: the array the panel showed before a reload (restored from its saved state). */
  | { type: 'ready'; entry?: string }
  /** the toolbar's export buttons. */
  | { type: 'export'; format: 'png' | 'csv' }
  | {
      type: 'exportReply';
      id: number;
      /** the heatmap as drawn (PNG bytes). */
      png?: Uint8Array;
      visible?: HeatmapVisible;
      error?: string;
    }
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

// host ⇄ analysis results panel (webview/analysis)

export type AnalysisHostToWebview =
  | { type: 'running'; seq: number; title: string; detail: string }
  | { type: 'analysis'; seq: number; title: string; result: AnalyzeResult }
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
  message?: string;
  /** the uPlot charts drawn, by id (`sv`, `energy`, `error`, `eig`, `eig-real`, `hist`). */
  plots?: Record<string, AnalysisPlotReport>;
}

/** One chart of the results panel, as drawn. */
export interface AnalysisPlotReport {
  /** points (or bars) of the main series. */
  points: number;
  /** singular values below the log axis' floor drawn at the floor (sv only). */
  clamped?: number;
  /** the note drawn on the chart (approximate, clamped). */
  note?: string;
}

/** Updates that render nothing by themselves (no report comes back). */
export type AnalysisPanelUpdate =
  /** the worker's progress while run `seq` is 'running' */
  | { type: 'progress'; seq: number; fraction: number }
  /** the saved view settings, sent by the serializer before the saved state */
  | { type: 'settings'; histogram?: boolean };

/** What the results panel keeps with `setState` (and its serializer restores after a reload). */
export interface AnalysisPanelSavedState {
  /** the last finished state shown (analysis, cancelled, error). */
  last?: AnalysisHostToWebview;
  /** show the spectral density histogram. */
  histogram?: boolean;
}

export type AnalysisWebviewToHost =
  | { type: 'ready' }
  | { type: 'rendered'; report: AnalysisRenderedReport }
  | { type: 'copy'; what: string; text: string }
  /** the panel's Cancel button: cancels run `seq` in the worker. */
  | { type: 'cancel'; seq: number };

// ---------- the attention view (issue 5: webview/attention, src/extension/attentionPanel.ts) ----------

/** Opens attention weights from a file; the worker keeps them under `key`. */
export interface AttentionOpenParams {
  key: string;
  ref: ArrayRef;
  maxBytes: number;
}

/** Computes softmax(QKᵀ/√d)·V in the worker and keeps the weights under `key`. */
export interface AttentionComputeParams extends AttentionParams {
  key: string;
}

export interface AttentionViewInfo {
  key: string;
  /** member name ('' for a .npy or computed weights) */
  name: string;
  /** the stored dtype (computed weights are held as float32) */
  dtype: DType;
  shape: number[];
  diagnostics: AttentionDiagnostics;
  /** computed from Q, K, V: what went in */
  computed?: {
    heads: number;
    headDim: number;
    valueDim: number;
    causal: boolean;
    qShape: number[];
    kShape: number[];
    vShape?: number[];
    outputShape?: number[];
  };
  ms: number;
}

/** Every head of (layer, batch), max-pooled to at most `size` × `size` cells. */
export interface AttentionTilesParams {
  key: string;
  /** reopened from here if the worker no longer holds `key` (a file-backed view) */
  ref?: ArrayRef;
  maxBytes: number;
  layer: number;
  batch: number;
  size: number;
}

export type AttentionTilesData = PooledTiles;

/** One head, max-pooled to at most `maxCells`; a zoom window is drawn at full resolution when it fits. */
export interface AttentionFocusParams {
  key: string;
  ref?: ArrayRef;
  maxBytes: number;
  layer: number;
  batch: number;
  head: number;
  maxCells: number;
  window?: { row0: number; row1: number; col0: number; col1: number };
}

export type AttentionFocusData = PooledHead & { layer: number; batch: number; head: number };

/** Where a view's weights come from: restorable after a window reload (webview state). */
export type AttentionOrigin =
  | { kind: 'file'; uri: string; member?: string }
  | {
      kind: 'computed';
      q: { uri: string; member?: string };
      k: { uri: string; member?: string };
      v?: { uri: string; member?: string };
      heads?: number;
      causal: boolean;
    };

/** What the attention view keeps with `vscode.setState` (and the serializer gets back). */
export interface AttentionViewState {
  origin: AttentionOrigin;
  title: string;
  layer: number;
  batch: number;
  head: number;
  tokens?: { list: string[]; from: string };
}

export type AttentionHostToWebview =
  | { type: 'loading'; title: string; message: string }
  | {
      type: 'open';
      title: string;
      /** the file (or Q, K, V files) shown under the title */
      sourceLabel: string;
      info: AttentionViewInfo;
      state: AttentionViewState;
      colormap: string;
      maxCells: number;
    }
  | { type: 'tiles'; seq: number; tiles: AttentionTilesData }
  | { type: 'focus'; seq: number; focus: AttentionFocusData }
  | { type: 'tokens'; list: string[]; from: string }
  /** computed weights that are gone (window reloaded, worker restarted): offer to recompute */
  | {
      type: 'gone';
      title: string;
      message: string;
      canRecompute: boolean;
      state?: AttentionViewState;
    }
  | { type: 'error'; title: string; message: string; seq?: number }
  | { type: 'drive'; action: AttentionDriveAction };

export type AttentionDriveAction =
  | { kind: 'focus'; layer: number; batch: number; head: number }
  | { kind: 'tokens'; text: string }
  | { kind: 'zoom'; window: { row0: number; row1: number; col0: number; col1: number } }
  | { kind: 'resetZoom' };

export interface AttentionRenderedReport {
  state: 'loading' | 'open' | 'gone' | 'error';
  title: string;
  message?: string;
  shape?: number[];
  /** head tiles on screen, and their labels (`L0·B1·H2`) */
  tiles: number;
  tileLabels: string[];
  layer: number;
  batch: number;
  /** mean entropy per head as listed in the table, every head (flat order) */
  headEntropy: string[];
  rowSums?: { passed: boolean; text: string };
  causal?: { holds: boolean; text: string };
  focus?: {
    layer: number;
    batch: number;
    head: number;
    rows: number;
    cols: number;
    row0: number;
    col0: number;
    rowStep: number;
    colStep: number;
    fullRows: number;
    fullCols: number;
    canvasWidth: number;
    canvasHeight: number;
  };
  /** labels in use: 'indices', or where the list came from */
  tokens: { count: number; from: string };
}

export type AttentionWebviewToHost =
  | { type: 'ready' }
  | { type: 'rendered'; report: AttentionRenderedReport }
  | { type: 'state'; state: AttentionViewState }
  | { type: 'requestTiles'; seq: number; layer: number; batch: number; size: number }
  | {
      type: 'requestFocus';
      seq: number;
      layer: number;
      batch: number;
      head: number;
      window?: { row0: number; row1: number; col0: number; col1: number };
    }
  | { type: 'pickTokensFile' }
  | { type: 'recompute' };
