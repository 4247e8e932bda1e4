/**
 * Host ⇄ embeddings view (webview/embeddings). The host posts the opened vectors' info; the
 * webview then asks for what it draws through one typed request channel,
 * {@link EmbeddingsViewApi} (numbered `call`s answered by `reply`s, matched by ./rpc on the
 * webview side): cosine tiles, neighbours, PCA and norms, near-duplicate pairs. The host
 * forwards each to the worker under the view's key; the vectors never leave the worker.
 */
import type { Neighbor } from '../core/embeddings/neighbors';
import type { DuplicatePairs } from '../core/embeddings/nearDuplicates';
import type { CellWindow } from './common';
import type { CosineTileData, EmbeddingsInfo, EmbeddingsPcaData } from './embeddings';
import type { RpcReply } from './rpc';
import type { EmbeddingsRendered } from './testing';

/** How the rows (and columns) of the similarity heatmap are ordered. */
export type EmbeddingsOrder = 'original' | 'norm' | 'pc1' | 'angle' | 'cluster';

/** The webview's requests to the host. */
export interface EmbeddingsViewApi {
  /** the display order for the following tiles (a permutation; null = original) */
  setOrder(p: { order: number[] | null }): Record<string, never>;
  /** S pooled to ≤ size², or a full-resolution window of display rows/columns */
  tiles(p: { size?: number; window?: CellWindow }): CosineTileData;
  neighbors(p: { row?: number; query?: number[]; k: number; by: 'cosine' | 'dot' }): {
    neighbors: Neighbor[];
  };
  pca(p: Record<string, never>): EmbeddingsPcaData;
  /** the spherical k-means display order (zero/NaN rows last) and its clusters */
  clusterOrder(p: Record<string, never>): { order: number[]; k: number; sizes: number[] };
  duplicates(p: { threshold: number }): DuplicatePairs;
  /** a label file picked by the user (one label per line); null when none was picked */
  pickLabels(p: Record<string, never>): { list: string[]; from: string } | null;
}

export type EmbeddingsDriveAction =
  | { kind: 'pickRow'; row: number }
  | { kind: 'query'; text: string }
  | { kind: 'order'; order: EmbeddingsOrder }
  | { kind: 'labels'; text: string }
  | { kind: 'threshold'; value: number }
  | { kind: 'scatter'; mode: '2d' | '3d'; yaw?: number; pitch?: number }
  | { kind: 'colorBy'; by: 'norm' | 'label'; column?: number }
  | { kind: 'zoom'; window: CellWindow | null };

export type EmbeddingsHostToWebview =
  | { type: 'loading'; title: string; message: string }
  | {
      type: 'open';
      title: string;
      sourceLabel: string;
      info: EmbeddingsInfo;
      colormap: string;
      /** labels given with the command, one per row */
      labels?: { list: string[]; from: string };
    }
  | { type: 'error'; title: string; message: string }
  | { type: 'labels'; list: string[]; from: string }
  | { type: 'reply'; reply: RpcReply }
  | { type: 'drive'; action: EmbeddingsDriveAction };

export type EmbeddingsWebviewToHost =
  | { type: 'ready' }
  | EmbeddingsRendered
  | { type: 'call'; id: number; method: keyof EmbeddingsViewApi & string; params: unknown };
