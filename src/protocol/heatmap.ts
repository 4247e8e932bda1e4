/**
 * Host ⇄ array panel (webview/heatmap): the custom editor for .npy/.npz/.safetensors and the
 * Inspect Selection panel. The host posts the listing, the array and slices; the webview asks
 * for slices and entries and answers export requests (matched by id through ./rpc on the host).
 */
import type { ArrayListing, ArrayView, CellWindow, HeatmapData } from './common';
import type { HeatmapRendered } from './testing';
import type { ComputeMode } from './compute';

export interface ViewSettings {
  colormap: string;
  /** matrixLens.heatmap.renderer: 'auto' (WebGL2 when available), 'webgl2' or 'canvas'. */
  renderer?: 'auto' | 'webgl2' | 'canvas';
  /** matrixLens.heatmap.maxCells (the worker pools larger slices and windows). */
  maxCells?: number;
  /** the workspace is not trusted (Restricted Mode): the page says why it still shows the file. */
  restricted?: boolean;
}

/** What the heatmap shows, for export: the slice and its visible full-resolution window. */
export interface HeatmapVisible {
  name?: string;
  rowAxis: number;
  colAxis: number;
  indices: number[];
  window: CellWindow;
}

/** The webview's one method the host calls: what to export (`exportRequest` → `exportReply`). */
export interface HeatmapWebviewApi {
  export(p: { format: 'png' | 'csv' }): ExportAnswer;
}

export interface ExportAnswer {
  /** the heatmap as drawn (PNG bytes). */
  png?: Uint8Array;
  visible?: HeatmapVisible;
  error?: string;
}

/**
 * The summary of the array shown, for the page's compute router (`matrixLens.compute`): sent
 * when the mode and size allow the GPU. The page asks for the values in chunks
 * (`requestSummaryChunk` → `summaryChunk`) and says where the summary was computed.
 */
export interface SummaryJob {
  id: number;
  /** the array it is about (view.name) */
  name: string;
  mode: ComputeMode;
  count: number;
  chunkValues: number;
  /** the values are float32 (or narrower) already: float32 loses nothing */
  exactInFloat32: boolean;
  /** why the GPU does not get this array (the worker's summary stands; said in the panel) */
  refuse?: string;
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
      /** `view.heatmap` is a coarse preview: a `refine` with the full drawn level follows. */
      coarse?: boolean;
    }
  /** the full drawn level of the array whose coarse preview was sent (`name`: view.name). */
  | { type: 'refine'; name: string; heatmap: HeatmapData }
  | { type: 'slice'; heatmap: HeatmapData; seq?: number }
  /** a zoomed window (request `seq`) could not be fetched: the page says why, in place. */
  | { type: 'detailError'; message: string; seq?: number }
  | { type: 'error'; fileName: string; message: string }
  /** the arrays in a multi-array file (sent before the first array is read). */
  | { type: 'listing'; fileName: string; listing: ArrayListing; selected: string }
  /** an error about one array of a file: the listing stays usable. */
  | { type: 'entryError'; fileName: string; name: string; message: string }
  /** acts as if the user did it (used by the `matrixLens.selectEntry` command and tests). */
  | { type: 'drive'; action: DriveAction }
  /** export: the webview answers with an 'exportReply' of the same id. */
  | { type: 'exportRequest'; id: number; format: 'png' | 'csv' }
  | { type: 'summaryJob'; job: SummaryJob }
  /** values [start, start + data.length) of summary job `id`, or why not (`superseded`). */
  | { type: 'summaryChunk'; id: number; start: number; data?: Float32Array; error?: string };

export type DriveAction =
  | { kind: 'selectEntry'; name: string }
  | { kind: 'setSlice'; rowAxis: number; colAxis: number; indices: number[] }
  | { kind: 'zoom'; window: CellWindow }
  | { kind: 'resetZoom' }
  | { kind: 'setColormap'; colormap: string }
  | { kind: 'setRangeMode'; mode: 'minmax' | 'symmetric' | 'percentile' };

export type WebviewToHost =
  /** `entry`: the array the panel showed before a reload (restored from its saved state). */
  | { type: 'ready'; entry?: string }
  /** the toolbar's export buttons. */
  | { type: 'export'; format: 'png' | 'csv' }
  | ({ type: 'exportReply'; id: number } & ExportAnswer)
  | HeatmapRendered
  | {
      type: 'requestSlice';
      rowAxis: number;
      colAxis: number;
      indices: number[];
      window?: CellWindow;
      seq?: number;
      name?: string;
    }
  | { type: 'selectEntry'; name: string }
  | { type: 'requestSummaryChunk'; id: number; start: number; count: number };
