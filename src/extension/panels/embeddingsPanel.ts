/**
 * The embeddings view's host side: one webview panel per opened [N, d] array. The vectors stay
 * in the worker under the view's key; the page's requests ({@link EmbeddingsViewApi}: tiles,
 * neighbours, PCA, near-duplicates, a label file) are answered here by forwarding them to the
 * worker, with the display order the page chose kept here so that a zoom window does not
 * resend N indices.
 */
import * as vscode from 'vscode';
import type { EmbeddingsInfo } from '../../protocol/embeddings';
import type {
  EmbeddingsDriveAction,
  EmbeddingsHostToWebview,
  EmbeddingsViewApi,
  EmbeddingsWebviewToHost,
} from '../../protocol/embeddingsView';
import { answer, type Handlers } from '../../protocol/rpc';
import type { EmbeddingsRenderedReport } from '../../protocol/testing';
import { LensError } from '../../core/errors';
import { userMessage } from '../arrayRefs';
import { readSettings } from '../settings';
import type { WorkerClient } from '../workerClient';
import { parseTokenFile } from './attentionPanel';
import { PanelHost } from './panelBase';
import { webviewRoots } from './webviewHtml';

export const EMBEDDINGS_VIEW_TYPE = 'matrixLens.embeddings';
/** largest label file read (one label per line) */
const LABEL_FILE_BYTES = 16 * 2 ** 20;

let keys = 0;
export function newEmbeddingsKey(): string {
  return `embeddings:${Date.now().toString(36)}:${++keys}`;
}

/** Labels of a text file: one per line (a single line splits on whitespace). */
export async function readLabelFile(uri: vscode.Uri): Promise<{ list: string[]; from: string }> {
  const name = uri.path.split('/').pop() ?? uri.toString();
  const st = await vscode.workspace.fs.stat(uri);
  if (st.size > LABEL_FILE_BYTES)
    throw new Error(`${name} is ${st.size} bytes; label files are read up to 16 MiB`);
  const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  return { list: parseTokenFile(text), from: name };
}

export class EmbeddingsView {
  private order: Int32Array | undefined;
  private readonly host: PanelHost<
    EmbeddingsHostToWebview,
    EmbeddingsWebviewToHost,
    EmbeddingsRenderedReport
  >;
  private pendingOpen: EmbeddingsHostToWebview | undefined;
  private readonly handlers: Handlers<EmbeddingsViewApi, undefined>;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly key: string,
    readonly info: EmbeddingsInfo,
    private readonly worker: WorkerClient,
    extensionUri: vscode.Uri,
  ) {
    this.host = new PanelHost(panel, {
      bundle: 'embeddings',
      pageTitle: 'Matrix Lens embeddings',
      extensionUri,
      onMessage: (m) => this.onMessage(m),
      onDispose: () => void this.worker.call('embeddingsRelease', { key }).catch(() => {}),
    });
    const w = this.worker;
    this.handlers = {
      setOrder: (p) => {
        this.order = p.order ? Int32Array.from(p.order) : undefined;
        return {};
      },
      tiles: (p) =>
        w.call('embeddingsTiles', {
          key,
          size: p.size,
          order: this.order,
          window: p.window && {
            row0: p.window.row0,
            rows: p.window.row1 - p.window.row0,
            col0: p.window.col0,
            cols: p.window.col1 - p.window.col0,
          },
        }),
      neighbors: (p) =>
        w.call('embeddingsNeighbors', {
          key,
          row: p.row,
          query: p.query ? Float32Array.from(p.query) : undefined,
          k: p.k,
          by: p.by,
        }),
      pca: () => w.call('embeddingsPca', { key }),
      clusterOrder: async () => {
        const c = await w.call('embeddingsClusterOrder', { key });
        return { order: Array.from(c.order), k: c.k, sizes: c.sizes };
      },
      duplicates: (p) => w.call('embeddingsDuplicates', { key, threshold: p.threshold }),
      pickLabels: async () => {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          openLabel: 'Use as labels',
          title: 'Matrix Lens: row labels — one label per line',
          filters: { 'Text files': ['txt', 'tsv', 'csv', 'labels'], 'All files': ['*'] },
        });
        return picked?.[0] ? readLabelFile(picked[0]) : null;
      },
    };
  }

  /** the last report the page sent (test builds). */
  get lastReport(): EmbeddingsRenderedReport | undefined {
    return this.host.lastReport;
  }

  /** Sends the opened vectors to the page (now, or once it is ready). */
  show(title: string, sourceLabel: string, labels?: { list: string[]; from: string }): void {
    const msg: EmbeddingsHostToWebview = {
      type: 'open',
      title,
      sourceLabel,
      info: this.info,
      colormap: readSettings().colormap,
      ...(labels ? { labels } : {}),
    };
    if (this.host.isReady) void this.host.post(msg);
    else this.pendingOpen = msg;
  }

  /** Acts in the webview as if the user did it (tests). */
  drive(action: EmbeddingsDriveAction): void {
    void this.host.post({ type: 'drive', action });
  }

  /** Row labels from a text file (the page's button; tests, which cannot click a dialog). */
  async labelsFromFile(uri: vscode.Uri): Promise<void> {
    const l = await readLabelFile(uri);
    void this.host.post({ type: 'labels', ...l });
  }

  /** The next report satisfying `pred` (or the last one): test builds; at once when shipped. */
  waitReport(
    pred: (r: EmbeddingsRenderedReport) => boolean,
  ): Promise<EmbeddingsRenderedReport | undefined> {
    return this.host.nextReport(pred, { includeLast: true }).promise;
  }

  private async onMessage(m: EmbeddingsWebviewToHost): Promise<void> {
    if (m.type === 'ready') {
      if (this.pendingOpen) void this.host.post(this.pendingOpen);
      this.pendingOpen = undefined;
      return;
    }
    if (m.type !== 'call') return;
    const all = this.handlers as unknown as Record<string, (p: unknown) => unknown>;
    const handler = Object.hasOwn(all, m.method) ? all[m.method] : undefined;
    const reply = await answer(
      handler
        ? {
            // worker failures keep their one-line message (not "internal error")
            [m.method]: (p: unknown) =>
              Promise.resolve(handler(p)).catch((e: unknown) => {
                throw new LensError(userMessage(e), 'invalid');
              }),
          }
        : {},
      m.id,
      m.method,
      m.params,
      undefined,
    );
    void this.host.post({ type: 'reply', reply });
  }
}

/** Every open embeddings view. */
export class EmbeddingsViews implements vscode.Disposable {
  readonly views = new Set<EmbeddingsView>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly worker: WorkerClient,
  ) {}

  create(title: string, key: string, info: EmbeddingsInfo): EmbeddingsView {
    const panel = vscode.window.createWebviewPanel(
      EMBEDDINGS_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Active },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: webviewRoots(this.extensionUri),
      },
    );
    const v = new EmbeddingsView(panel, key, info, this.worker, this.extensionUri);
    this.views.add(v);
    panel.onDidDispose(() => this.views.delete(v));
    return v;
  }

  /** The active view, else the newest. */
  active(): EmbeddingsView | undefined {
    const all = [...this.views];
    return all.find((v) => v.panel.active) ?? all.at(-1);
  }

  dispose(): void {
    for (const v of this.views) v.panel.dispose();
  }
}
