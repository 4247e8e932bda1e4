/**
 * The results panel of "Analyze" and "Attention from Q, K, V": one webview panel (reused)
 * with uPlot charts and the numbers. The host posts a state (running / results / cancelled /
 * error) and the webview reports back what it shows, which `show` resolves with. While a run
 * is going the panel shows the worker's progress and a Cancel button (`onDidRequestCancel`).
 *
 * The webview keeps its last finished state with `setState`; after a window reload VS Code
 * hands that to the serializer (`restore`), which posts it back so the panel shows it again.
 */
import * as vscode from 'vscode';
import type {
  AnalysisHostToWebview,
  AnalysisPanelSavedState,
  AnalysisPanelUpdate,
  AnalysisWebviewToHost,
} from '../../protocol/analysis';
import type { AnalysisRenderedReport } from '../../protocol/testing';
import { PanelHost } from './panelBase';
import { webviewRoots } from './webviewHtml';

export const ANALYSIS_PANEL_VIEW_TYPE = 'matrixLens.analysis';

/** A message to the panel, before it is numbered. */
export type PanelState = AnalysisHostToWebview extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never;

type Host = PanelHost<
  AnalysisHostToWebview | AnalysisPanelUpdate,
  AnalysisWebviewToHost,
  AnalysisRenderedReport
>;

interface Current {
  panel: vscode.WebviewPanel;
  host: Host;
}

export class AnalysisPanel implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private current: Current | undefined;
  private seq = 0;
  private lastReport: AnalysisRenderedReport | undefined;
  private readonly cancels = new vscode.EventEmitter<number>();
  /** fires with the run number (`begin`) whose Cancel button was pressed in the panel. */
  readonly onDidRequestCancel = this.cancels.event;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** the last report the panel sent (test builds). */
  get report(): AnalysisRenderedReport | undefined {
    return this.lastReport;
  }

  /** the panel shown now, if any (for tests). */
  get webviewPanel(): vscode.WebviewPanel | undefined {
    return this.current?.panel;
  }

  /** Starts a new run: later `show` calls of older runs are ignored. */
  begin(): number {
    return ++this.seq;
  }

  /**
   * Shows `state` for run `seq` (from `begin`). Test builds resolve with what the panel
   * rendered (undefined when the run was superseded or the panel did not answer in time); the
   * shipped build resolves once the message is delivered. A panel closed meanwhile (even one
   * whose close event has not arrived yet) is replaced once.
   */
  async show(seq: number, state: PanelState): Promise<AnalysisRenderedReport | undefined> {
    const msg = { ...state, seq } as AnalysisHostToWebview;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (seq !== this.seq) return undefined;
      const cur = this.ensure(state.title);
      let waiting:
        { promise: Promise<AnalysisRenderedReport | undefined>; cancel(): void } | undefined;
      try {
        cur.panel.title = state.title;
        if (!cur.panel.visible) cur.panel.reveal(undefined, true);
        await cur.host.ready;
        if (seq !== this.seq) return undefined;
        if (this.current !== cur) continue;
        // any state: a panel that fails to render reports an error instead
        waiting = cur.host.nextReport(
          (r) => r.seq === seq && (r.state === state.type || r.state === 'error'),
        );
        if (!(await cur.host.post(msg))) throw new Error('not delivered');
        return await waiting.promise;
      } catch {
        // the panel was closed under us: forget it and open a new one
        waiting?.cancel();
        if (this.current === cur) this.current = undefined;
      }
    }
    return undefined;
  }

  /** The worker's progress for run `seq` (0…1), shown on the panel's progress bar. */
  progress(seq: number, fraction: number): void {
    const cur = this.current;
    if (seq !== this.seq || !cur) return;
    const msg: AnalysisPanelUpdate = { type: 'progress', seq, fraction };
    void cur.host.ready.then(
      () => cur.host.post(msg),
      () => undefined,
    );
  }

  /** Run `seq`'s top-k singular values, for the panel to route to the GPU or the worker's. */
  gpuSpectrum(
    seq: number,
    job: Omit<Extract<AnalysisPanelUpdate, { type: 'gpuSpectrum' }>, 'type' | 'seq'>,
  ): void {
    const cur = this.current;
    if (seq !== this.seq || !cur) return;
    const msg: AnalysisPanelUpdate = { type: 'gpuSpectrum', seq, ...job };
    void cur.host.ready.then(
      () => cur.host.post(msg),
      () => undefined,
    );
  }

  /** The number of the latest run (`begin`). */
  get latest(): number {
    return this.seq;
  }

  /**
   * The serializer: a panel VS Code restored after a window reload. It becomes the panel
   * (when none is open) and shows the state the webview had saved. Returns at once: VS Code
   * holds the webview's page back until this resolves, so waiting for it here would deadlock.
   */
  deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    void this.restore(panel, state);
    return Promise.resolve();
  }

  /** Loads `panel` and shows the saved `state` in it; resolves with what it rendered. */
  async restore(
    panel: vscode.WebviewPanel,
    state: unknown,
  ): Promise<AnalysisRenderedReport | undefined> {
    const cur = this.adopt(panel, panel.title || 'Matrix Lens analysis');
    const saved = state as AnalysisPanelSavedState | undefined;
    const last = saved?.last;
    if (!last || typeof last !== 'object' || typeof last.type !== 'string') return undefined;
    const seq = this.current === cur ? this.begin() : 0;
    const msg = { ...last, seq } as AnalysisHostToWebview;
    try {
      await cur.host.ready;
      const settings: AnalysisPanelUpdate = { type: 'settings', histogram: !!saved.histogram };
      await cur.host.post(settings);
      const waiting = cur.host.nextReport((r) => r.seq === seq);
      if (!(await cur.host.post(msg))) {
        waiting.cancel();
        return undefined;
      }
      return await waiting.promise;
    } catch {
      return undefined;
    }
  }

  private ensure(title: string): Current {
    if (this.current) return this.current;
    const panel = vscode.window.createWebviewPanel(
      ANALYSIS_PANEL_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: webviewRoots(this.extensionUri),
      },
    );
    return this.adopt(panel, title);
  }

  /** Loads the page into `panel` and listens to it; it becomes the current panel if none is. */
  private adopt(panel: vscode.WebviewPanel, title: string): Current {
    const host: Host = new PanelHost(panel, {
      bundle: 'analysis',
      pageTitle: 'Matrix Lens analysis',
      extensionUri: this.extensionUri,
      onMessage: async (m) => {
        if (m.type === 'cancel') this.cancels.fire(m.seq);
        else if (m.type === 'copy') {
          await vscode.env.clipboard.writeText(m.text);
          void vscode.window.setStatusBarMessage(`Matrix Lens: ${m.what} copied`, 2000);
        }
      },
      onDispose: () => {
        if (this.current === cur) this.current = undefined;
      },
    });
    if (TEST_HOOKS) host.onReport((r) => (this.lastReport = r));
    panel.title = title;
    const cur: Current = { panel, host };
    this.current ??= cur;
    return cur;
  }

  dispose(): void {
    this.current?.panel.dispose();
    this.cancels.dispose();
  }
}
