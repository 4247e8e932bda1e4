/**
 * The read-back half of the protocol: what a webview reports it rendered (read from its DOM),
 * and the worker's test hooks. Only builds made with test hooks (the development build and
 * the test .vsix, esbuild `define` `TEST_HOOKS`) act on these; the shipped bundles do not
 * contain the worker hooks nor the host's handling of reports (test/unit/build checks).
 */
import type { CellWindow } from './common';
import type { Pooling } from '../core/view/slice2d';
import type { AnalysisHostToWebview } from './analysis';

/** Where a drawn grid lies in its full-resolution slice (a heatmap slice, an attention head). */
export interface DrawnGrid {
  /** first full-resolution row/column drawn */
  row0: number;
  col0: number;
  /** source rows/columns per drawn cell (1 = full resolution) */
  rowStep: number;
  colStep: number;
  fullRows: number;
  fullCols: number;
}

/** A webview → host message carrying what the page shows. */
export interface Rendered<R> {
  type: 'rendered';
  report: R;
}

export type HeatmapRendered = Rendered<RenderedReport>;
export type AnalysisRendered = Rendered<AnalysisRenderedReport>;
export type AttentionRendered = Rendered<AttentionRenderedReport>;

/** The worker's test hooks: a long cancellable computation, and a crash. */
export interface WorkerTestApi {
  spin(p: { ms: number }): { iterations: number };
  crash(p: Record<string, never>): never;
}

/** What the array panel (webview/heatmap) shows. */
export interface RenderedReport {
  summary: string;
  /** the Restricted Mode line, when the page shows one. */
  restricted?: string;
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
  slice?: DrawnGrid & {
    rowAxis: number;
    colAxis: number;
    indices: number[];
    label: string;
    pooling?: Pooling;
    zoomed: boolean;
    /** the full-resolution cells in view. */
    visible?: CellWindow;
  };
  /** the first (up to 8) values drawn, row-major: lets tests check which slice is shown. */
  sample?: (number | null)[];
  /** the sum of the finite values drawn (float64, row-major order): checks every drawn value. */
  sum?: number;
  /** the note under the heatmap (slice, zoom, pooling), and any notice shown instead of it. */
  note?: string;
  notice?: string;
  /** safetensors metadata keys shown. */
  metadataKeys?: string[];
  /** the heatmap drawn is the coarse first-paint preview (the full level follows). */
  coarse?: boolean;
  /** why the zoomed window could not be fetched (shown under the heatmap). */
  detailError?: string;
}

/** What the analysis results panel shows. */
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

/** What the attention view shows. */
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
  focus?: DrawnGrid & {
    layer: number;
    batch: number;
    head: number;
    rows: number;
    cols: number;
    canvasWidth: number;
    canvasHeight: number;
  };
  /** labels in use: 'indices', or where the list came from */
  tokens: { count: number; from: string };
}

export type EmbeddingsRendered = Rendered<EmbeddingsRenderedReport>;

/** What the embeddings view shows. */
export interface EmbeddingsRenderedReport {
  state: 'loading' | 'open' | 'error';
  title: string;
  message?: string;
  rows?: number;
  cols?: number;
  order?: string;
  /** the similarity heatmap: cells drawn, and the window they cover (display rows/columns) */
  heatmap?: DrawnGrid & { rows: number; cols: number; canvasWidth: number };
  /** the first (up to 3) values of the cells drawn, row-major */
  sample?: number[];
  /** the neighbours table as listed: query text, and each row with its scores as shown */
  neighbors?: {
    query: string;
    rows: { row: number; label: string; cosine: string; dot: string; norm: string }[];
  };
  /** PCA as drawn: points, explained-variance ratios as listed, mode, labels drawn */
  pca?: {
    points: number;
    ratios: string[];
    mode: '2d' | '3d';
    labelsDrawn: number;
    colorBy: string;
  };
  labels?: { count: number; from: string };
  /** the norm histogram's bins, and the text of the checks (zero/NaN rows, duplicates) */
  histogram?: number[];
  zeroText?: string;
  duplicates?: { threshold: number; count: number; listed: number; text: string };
}
