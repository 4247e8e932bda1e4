/**
 * The host → worker channel. {@link WorkerApi} is the worker: one method per request, its
 * parameter and its result. The host's client and the worker's handler map both derive their
 * types from it (`ParamsOf` / `ResultOf` in ./rpc), so a result is never `unknown`.
 */
import type { EmbeddingsApi } from './embeddings';
import type { CompareApi } from './compare';
import type { DType } from '../core/array/dtype';
import type { Pooling } from '../core/view/slice2d';
import type { MatrixAnalysis } from '../core/linalg/analyze';
import type { AttentionDiagnostics } from '../core/attention/diagnostics';
import type { PooledHead, PooledTiles } from '../core/attention/weights';
import type {
  ArrayListing,
  ArrayRef,
  ArraySource,
  ArrayView,
  CellWindow,
  HeatmapData,
} from './common';
import type { RpcReply } from './rpc';
import type { WorkerTestApi } from './testing';

export interface WorkerApi extends EmbeddingsApi, CompareApi {
  /** Summary and first heatmap of one array of a file (statistics streamed when over the limit). */
  openArray(p: OpenArrayParams): ArrayView;
  /** Another 2-D slice (or a zoom window) of an array already opened. */
  slice(p: SliceParams): HeatmapData;
  /** A file's arrays (headers only). */
  listArrays(p: { source: ArraySource }): ArrayListing;
  /** Parses selected array text and summarises it like a file's array. */
  inspectText(p: InspectTextParams): ArrayView;
  /** Forgets an opened file / held array (closes its file handle). */
  releaseArrays(p: { source: ArraySource }): Record<string, never>;
  /** Matrix analysis (src/worker/analysisOps.ts). */
  analyze(p: AnalyzeParams): AnalyzeResult;
  /** The 2-D float32 matrix `analyze` would analyze, for the webview's GPU path. */
  analysisMatrix(p: AnalyzeParams): AnalysisMatrix;
  /** A full-resolution window of a slice as CSV (heatmap export). */
  csv(p: CsvParams): CsvResult;
  /** Values [start, start + count) of an opened array as float32 (|z| for complex), in C-buffer
   *  order: the chunks the page's GPU summary is fed. */
  summaryValues(p: SummaryValuesParams): { data: Float32Array };
  /** The attention view (src/worker/attentionOps.ts); the weights stay in the worker. */
  attentionOpen(p: AttentionOpenParams): AttentionViewInfo;
  attentionCompute(p: AttentionComputeParams): AttentionViewInfo;
  attentionTiles(p: AttentionTilesParams): AttentionTilesData;
  attentionFocus(p: AttentionFocusParams): AttentionFocusData;
  attentionRelease(p: { key: string }): Record<string, never>;
  /** Q, K, V as float32 per head, for the attention view's GPU path. */
  attentionInputs(p: AttentionParams & { minWeights?: number }): AttentionInputs;
  /** Keeps weights computed elsewhere (the view's GPU) under `key`, with their diagnostics. */
  attentionAdopt(p: AttentionAdoptParams): AttentionViewInfo;
}

/**
 * Q [H,T,d], K [H,S,d], V [H,S,dv] as float32, row-major (V zeros with dv = 1 when absent);
 * with `minWeights`, fewer H·T·S weights than that give the sizes only and empty arrays.
 */
export interface AttentionInputs {
  heads: number;
  queries: number;
  keys: number;
  headDim: number;
  valueDim: number;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  hasV: boolean;
  qShape: number[];
  kShape: number[];
  vShape?: number[];
  /** max |q_i|·|k_j|/√d over rows: the scores' magnitude bound (accuracy, float32 range) */
  maxScore: number;
}

export interface AttentionAdoptParams {
  key: string;
  /** [heads, queries, keys] */
  weights: Float32Array;
  computed: NonNullable<AttentionViewInfo['computed']>;
  ms: number;
  computedOn: ComputedOn;
}

/** Where the numbers of a view came from, as the panel says it. */
export interface ComputedOn {
  where: 'gpu' | 'cpu';
  /** "computed on GPU (adapter) in N ms" / "computed on CPU (2 threads) in N ms" */
  label: string;
  /** the GPU result's stated accuracy */
  accuracy?: string;
  /** why the GPU was not used (said once) */
  note?: string;
}

/** What the host may call: the API, plus the test hooks of builds made with them. */
export type WorkerCalls = WorkerApi & WorkerTestApi;
export type WorkerMethod = keyof WorkerCalls;

/** On the wire, host → worker. */
export interface WorkerRequest {
  id: number;
  method: WorkerMethod;
  params: unknown;
  /** Int32Array(1) over this buffer: set to 1 to cancel. */
  cancelFlag: SharedArrayBuffer;
}

/** On the wire, worker → host. */
export type WorkerResponse = RpcReply;

export interface InspectTextParams {
  text: string;
  /** the worker keeps the parsed array under this key (for later 'slice' calls with `{ held: key }`). */
  key: string;
  maxCells: number;
  pooling: Pooling;
}

export interface OpenArrayParams extends ArrayRef {
  maxBytes: number;
  maxCells: number;
  pooling: Pooling;
}

export interface SummaryValuesParams extends ArrayRef {
  maxBytes: number;
  start: number;
  count: number;
}

export interface SliceParams extends ArrayRef {
  maxBytes: number;
  maxCells: number;
  pooling: Pooling;
  rowAxis: number;
  colAxis: number;
  indices: number[];
  /** full-resolution window (for zoom); whole slice when absent. */
  window?: CellWindow;
}

/** A full-resolution window of one 2-D slice (heatmap CSV export). */
export interface CsvParams extends ArrayRef {
  maxBytes: number;
  rowAxis: number;
  colAxis: number;
  indices: number[];
  window: CellWindow;
  /** refuse windows with more values than this. */
  maxValues: number;
}

export interface CsvResult {
  text: string;
  rows: number;
  cols: number;
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
  /** threads the worker's engine ran on (the caller included) */
  threads: number;
}

/** A matrix as float32, row-major (the webview's GPU kernels are float32). */
export interface AnalysisMatrix {
  rows: number;
  cols: number;
  data: Float32Array;
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
  /** computed weights: where they were computed */
  computedOn?: ComputedOn;
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
  window?: CellWindow;
}

export type AttentionFocusData = PooledHead & { layer: number; batch: number; head: number };
