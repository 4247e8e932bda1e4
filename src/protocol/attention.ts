/**
 * Host ⇄ attention view (webview/attention): the host posts the opened weights' info, pooled
 * tiles and focus windows; the webview asks for them, keeps {@link AttentionViewState} for its
 * serializer, and asks for a token file or a recompute.
 */
import type { CellWindow } from './common';
import type {
  AttentionFocusData,
  AttentionInputs,
  AttentionTilesData,
  AttentionViewInfo,
} from './worker';
import type { ComputeMode } from './compute';

/** Q, K, V for the view's compute router (`matrixLens.compute`): GPU or back to the worker. */
export interface GpuAttentionJob extends AttentionInputs {
  type: 'gpuAttention';
  seq: number;
  mode: ComputeMode;
  causal: boolean;
}

/** The view's answer: weights [H, T, S] from the GPU, or "use the worker" (and why). */
export type GpuAttentionAnswer =
  | {
      type: 'gpuAttentionResult';
      seq: number;
      where: 'gpu';
      label: string;
      /** stated accuracy of the float32 weights */
      accuracy: string;
      weights: Float32Array;
      ms: number;
    }
  /** `cancelled`: the user cancelled (or closed the view): nothing is computed, not even on CPU */
  | { type: 'gpuAttentionResult'; seq: number; where: 'cpu'; note?: string; cancelled?: boolean };
import type { AttentionRendered } from './testing';

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
  | { type: 'drive'; action: AttentionDriveAction }
  | GpuAttentionJob;

export type AttentionDriveAction =
  | { kind: 'focus'; layer: number; batch: number; head: number }
  | { kind: 'tokens'; text: string }
  | { kind: 'zoom'; window: CellWindow }
  | { kind: 'resetZoom' };

export type AttentionWebviewToHost =
  | { type: 'ready' }
  | AttentionRendered
  | { type: 'state'; state: AttentionViewState }
  | { type: 'requestTiles'; seq: number; layer: number; batch: number; size: number }
  | {
      type: 'requestFocus';
      seq: number;
      layer: number;
      batch: number;
      head: number;
      window?: CellWindow;
    }
  | { type: 'pickTokensFile' }
  | { type: 'recompute' }
  | GpuAttentionAnswer;
