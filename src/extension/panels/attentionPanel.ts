/**
 * The attention view's host side: one webview panel per opened set of weights. The weights
 * stay in the worker under the view's key; the panel asks for pooled tiles and focus windows
 * and the host only moves those messages. Panels are restored after a window reload by a
 * WebviewPanelSerializer from the webview's `setState` state: file-backed weights are
 * reopened from the file, computed weights (gone with the old worker) get a Recompute button.
 */
import * as vscode from 'vscode';
import type { ArrayRef } from '../../protocol/common';
import type {
  AttentionDriveAction,
  AttentionHostToWebview,
  AttentionOrigin,
  AttentionViewState,
  AttentionWebviewToHost,
  GpuAttentionAnswer,
  GpuAttentionJob,
} from '../../protocol/attention';
import type { AttentionRenderedReport } from '../../protocol/testing';
import type { AttentionViewInfo } from '../../protocol/worker';
import { userMessage } from '../arrayRefs';
import { readSettings } from '../settings';
import type { WorkerClient } from '../workerClient';
import { PanelHost } from './panelBase';
import { webviewRoots } from './webviewHtml';

export const ATTENTION_VIEW_TYPE = 'matrixLens.attention';
/** largest token file read (one token per line) */
const TOKEN_FILE_BYTES = 16 * 2 ** 20;

/** Loads (or computes) the weights of `origin` into the worker under `key`. */
export type AttentionLoader = (
  origin: AttentionOrigin,
  key: string,
  token?: vscode.CancellationToken,
) => Promise<{ info: AttentionViewInfo; ref?: ArrayRef; sourceLabel: string }>;

let keys = 0;
export function newAttentionKey(): string {
  return `attention:${Date.now().toString(36)}:${++keys}`;
}

/** Token labels from a text file: one per line when there are several lines, else split on whitespace. */
export function parseTokenFile(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  if (lines.length >= 2) return lines;
  return text.split(/\s+/).filter((t) => t !== '');
}

export class AttentionView {
  key = '';
  private ref: ArrayRef | undefined;
  info: AttentionViewInfo | undefined;
  state: AttentionViewState;
  private readonly host: PanelHost<
    AttentionHostToWebview,
    AttentionWebviewToHost,
    AttentionRenderedReport
  >;
  private pendingOpen: AttentionHostToWebview | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    state: AttentionViewState,
    private readonly worker: WorkerClient,
    private readonly load: AttentionLoader,
    extensionUri: vscode.Uri,
    onDispose: () => void,
    /** restored after a reload: load on 'ready' */
    private restoring = false,
  ) {
    this.state = state;
    this.host = new PanelHost(panel, {
      bundle: 'attention',
      pageTitle: 'Matrix Lens attention',
      extensionUri,
      onMessage: (m) => this.onMessage(m),
      onDispose: () => {
        if (this.key) void this.worker.call('attentionRelease', { key: this.key }).catch(() => {});
        onDispose();
      },
    });
  }

  /** the last report the page sent (test builds). */
  get lastReport(): AttentionRenderedReport | undefined {
    return this.host.lastReport;
  }

  private post(m: AttentionHostToWebview): void {
    void this.host.post(m);
  }

  /** Shows weights already loaded under `key`. */
  attach(
    key: string,
    info: AttentionViewInfo,
    ref: ArrayRef | undefined,
    sourceLabel: string,
  ): void {
    if (this.key && this.key !== key)
      void this.worker.call('attentionRelease', { key: this.key }).catch(() => {});
    this.key = key;
    this.info = info;
    this.ref = ref;
    const s = readSettings();
    const msg: AttentionHostToWebview = {
      type: 'open',
      title: this.state.title,
      sourceLabel,
      info,
      state: this.state,
      colormap: s.colormap,
      maxCells: s.maxCells,
    };
    if (this.host.isReady) this.post(msg);
    else this.pendingOpen = msg;
  }

  /** Acts in the webview as if the user did it (tests). */
  drive(action: AttentionDriveAction): void {
    this.post({ type: 'drive', action });
  }

  /**
   * The next report satisfying `pred` (or the last one, if it does): test builds; undefined
   * after the panel base's timeout, and at once in the shipped build.
   */
  waitReport(
    pred: (r: AttentionRenderedReport) => boolean,
  ): Promise<AttentionRenderedReport | undefined> {
    return this.host.nextReport(pred, { includeLast: true }).promise;
  }

  private async onMessage(m: AttentionWebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (this.pendingOpen) {
          this.post(this.pendingOpen);
          this.pendingOpen = undefined;
        } else if (this.restoring) {
          this.restoring = false;
          await this.reload(false);
        } else if (this.info) this.attach(this.key, this.info, this.ref, this.panel.title);
        return;
      case 'state':
        this.state = m.state;
        return;
      case 'requestTiles':
        try {
          const s = readSettings();
          const tiles = await this.worker.call('attentionTiles', {
            key: this.key,
            ref: this.ref,
            maxBytes: s.maxArrayBytes,
            layer: m.layer,
            batch: m.batch,
            size: m.size,
          });
          this.post({ type: 'tiles', seq: m.seq, tiles });
        } catch (e) {
          this.failed(e, m.seq);
        }
        return;
      case 'requestFocus':
        try {
          const s = readSettings();
          const focus = await this.worker.call('attentionFocus', {
            key: this.key,
            ref: this.ref,
            maxBytes: s.maxArrayBytes,
            layer: m.layer,
            batch: m.batch,
            head: m.head,
            maxCells: s.maxCells,
            window: m.window,
          });
          this.post({ type: 'focus', seq: m.seq, focus });
        } catch (e) {
          this.failed(e, m.seq);
        }
        return;
      case 'pickTokensFile': {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          openLabel: 'Use as token labels',
          title: 'Matrix Lens: token labels — one token per line, or separated by whitespace',
          filters: { 'Text files': ['txt', 'tok', 'tokens', 'csv', 'tsv'], 'All files': ['*'] },
        });
        if (!picked?.[0]) return;
        await this.tokensFromFile(picked[0]);
        return;
      }
      case 'recompute':
        await this.recompute();
        return;
      case 'gpuAttentionResult':
        this.gpuAnswers.get(m.seq)?.(m);
        this.gpuAnswers.delete(m.seq);
        return;
    }
  }

  private gpuSeq = 0;
  private readonly gpuAnswers = new Map<number, (a: GpuAttentionAnswer) => void>();

  /** Shows "loading" until weights are attached (the GPU job runs in this page). */
  showLoading(message: string): void {
    const msg: AttentionHostToWebview = { type: 'loading', title: this.state.title, message };
    if (this.host.isReady) this.post(msg);
    else this.pendingOpen = msg;
  }

  /**
   * Sends Q, K, V to the page's compute router; resolves with its answer (weights from the
   * GPU, or 'cpu'), or `cancelled` when the user cancels in the page or closes it first.
   */
  async routeGpu(job: Omit<GpuAttentionJob, 'type' | 'seq'>): Promise<GpuAttentionAnswer> {
    const seq = ++this.gpuSeq;
    const answer = new Promise<GpuAttentionAnswer>((resolve) => {
      this.gpuAnswers.set(seq, resolve);
      // a closed view stops its page's passes: nothing is computed for it
      this.panel.onDidDispose(() =>
        resolve({ type: 'gpuAttentionResult', seq, where: 'cpu', cancelled: true }),
      );
    });
    await this.host.ready;
    const msg: GpuAttentionJob = { type: 'gpuAttention', seq, ...job };
    if (!(await this.host.post(msg)))
      return { type: 'gpuAttentionResult', seq, where: 'cpu', note: 'the view did not answer' };
    return answer;
  }

  /** The GPU run was cancelled in the page: say so, and offer to compute the weights again. */
  showCancelled(): void {
    try {
      this.post({
        type: 'gone',
        title: this.state.title,
        message: 'Cancelled: the attention weights were not computed.',
        canRecompute: this.state.origin.kind === 'computed',
        state: this.state,
      });
    } catch {
      // the view was closed (that is how it was cancelled): nothing to show
    }
  }

  /** Computes the weights again from the same Q, K, V files (the view's Recompute button). */
  recompute(): Promise<void> {
    return this.reload(true);
  }

  /** Token labels given as a list (a list-of-str variable of a paused program). */
  showTokens(list: string[], from: string): void {
    this.post({ type: 'tokens', list, from });
  }

  /** Token labels from a text file (also used by tests, which cannot click a file dialog). */
  async tokensFromFile(uri: vscode.Uri): Promise<void> {
    const name = uri.path.split('/').pop() ?? uri.toString();
    try {
      const st = await vscode.workspace.fs.stat(uri);
      if (st.size > TOKEN_FILE_BYTES)
        throw new Error(`is ${st.size} bytes; token files are read up to 16 MiB`);
      const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
      this.post({ type: 'tokens', list: parseTokenFile(text), from: name });
    } catch (e) {
      void vscode.window.showErrorMessage(`Matrix Lens: ${name}: ${userMessage(e)}`);
    }
  }

  private failed(e: unknown, seq: number): void {
    const message = userMessage(e);
    if (/no longer held/.test(message)) {
      this.post({
        type: 'gone',
        title: this.state.title,
        message: `The attention weights computed from Q, K, V are gone: ${message}.`,
        canRecompute: this.state.origin.kind === 'computed',
        state: this.state,
      });
    } else this.post({ type: 'error', title: this.state.title, message, seq });
  }

  /** Reopens the weights (after a reload), or recomputes them when `recompute`. */
  private async reload(recompute: boolean): Promise<void> {
    const origin = this.state.origin;
    if (origin.kind === 'computed' && !recompute) {
      this.post({
        type: 'gone',
        title: this.state.title,
        message:
          'These attention weights were computed from Q, K, V and lived in the compute worker, which did not survive the window reload.',
        canRecompute: true,
        state: this.state,
      });
      return;
    }
    this.post({
      type: 'loading',
      title: this.state.title,
      message: origin.kind === 'computed' ? 'recomputing from Q, K, V…' : 'reopening the file…',
    });
    const key = newAttentionKey();
    try {
      const r = await this.load(origin, key);
      this.attach(key, r.info, r.ref, r.sourceLabel);
    } catch (e) {
      this.post({ type: 'error', title: this.state.title, message: userMessage(e) });
    }
  }
}

/** Every open attention view; the serializer restores them after a reload. */
export class AttentionViews implements vscode.Disposable {
  readonly views = new Set<AttentionView>();
  private readonly reg: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly worker: WorkerClient,
    private readonly load: AttentionLoader,
  ) {
    this.reg = vscode.window.registerWebviewPanelSerializer(ATTENTION_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        this.restore(panel, state);
      },
    });
  }

  /** The serializer's work: a panel from before a window reload (or, when none is given, a new
   *  one made here, as VS Code makes it for the serializer), with its webview state. */
  restore(panel: vscode.WebviewPanel | undefined, state: unknown): AttentionView | undefined {
    const s = state as AttentionViewState | undefined;
    if (!s?.origin) {
      panel?.dispose();
      return undefined;
    }
    panel ??= this.newPanel(s.title);
    panel.title = s.title;
    return this.track(
      new AttentionView(panel, s, this.worker, this.load, this.extensionUri, () => {}, true),
    );
  }

  private track(v: AttentionView): AttentionView {
    this.views.add(v);
    v.panel.onDidDispose(() => this.views.delete(v));
    return v;
  }

  /** A new panel with nothing attached yet (the weights are computed in its page). */
  createEmpty(state: AttentionViewState): AttentionView {
    const panel = this.newPanel(state.title);
    return this.track(
      new AttentionView(panel, state, this.worker, this.load, this.extensionUri, () => {}),
    );
  }

  /** A new panel on weights loaded under `key`. */
  create(
    state: AttentionViewState,
    key: string,
    info: AttentionViewInfo,
    ref: ArrayRef | undefined,
    sourceLabel: string,
  ): AttentionView {
    const panel = this.newPanel(state.title);
    const v = this.track(
      new AttentionView(panel, state, this.worker, this.load, this.extensionUri, () => {}),
    );
    v.attach(key, info, ref, sourceLabel);
    return v;
  }

  private newPanel(title: string): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(
      ATTENTION_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Active },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: webviewRoots(this.extensionUri),
      },
    );
  }

  /** The active view, else the newest. */
  active(): AttentionView | undefined {
    const all = [...this.views];
    return all.find((v) => v.panel.active) ?? all.at(-1);
  }

  dispose(): void {
    this.reg.dispose();
    for (const v of this.views) v.panel.dispose();
  }
}
