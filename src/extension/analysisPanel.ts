/**
 * The results panel of "Analyze" and "Attention from Q, K, V": one webview panel (reused),
 * numbers only. The host posts a state (running / results / cancelled / error) and the
 * webview reports back what its DOM shows, which `show` resolves with.
 */
import * as vscode from 'vscode';
import {
  AnalysisHostToWebview,
  AnalysisRenderedReport,
  AnalysisWebviewToHost,
} from '../protocol/messages';
import { webviewHtml, webviewRoots } from './webviewHtml';

export const ANALYSIS_PANEL_VIEW_TYPE = 'matrixLens.analysis';
const READY_TIMEOUT_MS = 4000;
const REPORT_TIMEOUT_MS = 20_000;

/** A message to the panel, before it is numbered. */
export type PanelState = AnalysisHostToWebview extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never;

export class AnalysisPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready: Promise<void> | undefined;
  private seq = 0;
  private lastReport: AnalysisRenderedReport | undefined;
  private readonly reports = new vscode.EventEmitter<AnalysisRenderedReport>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** the last report the panel sent (for tests). */
  get report(): AnalysisRenderedReport | undefined {
    return this.lastReport;
  }

  /** Starts a new run: later `show` calls of older runs are ignored. */
  begin(): number {
    return ++this.seq;
  }

  /**
   * Shows `state` for run `seq` (from `begin`) and resolves with what the panel rendered,
   * or undefined when the run was superseded, the panel closed or did not answer in time.
   */
  async show(seq: number, state: PanelState): Promise<AnalysisRenderedReport | undefined> {
    if (seq !== this.seq) return undefined;
    const panel = this.ensure(state.title);
    panel.title = state.title;
    try {
      await this.ready;
    } catch {
      return undefined;
    }
    if (seq !== this.seq || this.panel !== panel) return undefined;
    const msg = { ...state, seq } as AnalysisHostToWebview;
    const got = this.nextReport((r) => r.seq === seq && r.state === state.type);
    void panel.webview.postMessage(msg);
    return got;
  }

  private nextReport(
    pred: (r: AnalysisRenderedReport) => boolean,
  ): Promise<AnalysisRenderedReport | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(undefined);
      }, REPORT_TIMEOUT_MS);
      const sub = this.reports.event((r) => {
        if (!pred(r)) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(r);
      });
    });
  }

  private ensure(title: string): vscode.WebviewPanel {
    if (this.panel) {
      if (!this.panel.visible) this.panel.reveal(undefined, true);
      return this.panel;
    }
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
    this.panel = panel;
    const html = webviewHtml(panel.webview, this.extensionUri, 'analysis', 'Matrix Lens analysis');
    panel.webview.html = html;
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    this.ready.catch(() => undefined);
    // as in the array editor: a webview that never runs its script is reloaded (code-server)
    let isReady = false;
    let reloads = 0;
    const watchdog = setInterval(() => {
      if (isReady || reloads >= 3) return clearInterval(watchdog);
      reloads++;
      panel.webview.html = `${html}<!-- reload ${reloads} -->`;
    }, READY_TIMEOUT_MS);
    const subs: vscode.Disposable[] = [
      panel.webview.onDidReceiveMessage(async (m: AnalysisWebviewToHost) => {
        if (m.type === 'ready') {
          isReady = true;
          resolveReady();
        } else if (m.type === 'rendered') {
          this.lastReport = m.report;
          this.reports.fire(m.report);
        } else if (m.type === 'copy') {
          await vscode.env.clipboard.writeText(m.text);
          void vscode.window.setStatusBarMessage(`Matrix Lens: ${m.what} copied`, 2000);
        }
      }),
      panel.onDidDispose(() => {
        clearInterval(watchdog);
        if (this.panel === panel) {
          this.panel = undefined;
          this.ready = undefined;
        }
        rejectReady(new Error('panel closed'));
        subs.forEach((d) => d.dispose());
      }),
    ];
    return panel;
  }

  dispose(): void {
    this.panel?.dispose();
    this.reports.dispose();
  }
}
