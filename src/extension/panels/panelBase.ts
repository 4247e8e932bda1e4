/**
 * What every Matrix Lens webview panel shares (array editor, Inspect Selection, analysis,
 * attention): the page (bundle inlined under a CSP nonce), the `ready` handshake, the reload
 * watchdog, posting, and — in builds with test hooks — the reports of what the page rendered,
 * waited for with one timeout policy. Panel classes own one {@link PanelHost} and handle their
 * channel's other messages.
 */
import * as vscode from 'vscode';
import type { Rendered } from '../../protocol/testing';
import { webviewHtml, webviewRoots } from './webviewHtml';

/** A webview that has not said `ready` by then is reloaded once (code-server, see below). */
export const READY_TIMEOUT_MS = 10_000;
/** How long a rendered report is waited for (test builds). */
export const REPORT_TIMEOUT_MS = 60_000;

export interface PanelHostOptions<Out> {
  /** the bundle under dist/webview (`heatmap`, `analysis`, `attention`) */
  bundle: string;
  /** the page's <title> */
  pageTitle: string;
  extensionUri: vscode.Uri;
  /** every message but `rendered` (test builds consume those, the shipped build ignores them); `ready` included */
  onMessage(m: Out): void | Promise<void>;
  onDispose?(): void;
}

export class PanelHost<In, Out extends { type: string }, Report = never> {
  /** resolves on the page's first `ready`; rejects when the panel is closed before it */
  readonly ready: Promise<void>;
  isReady = false;
  /** the last report the page sent (test builds) */
  lastReport: Report | undefined;
  private readonly reports = new vscode.EventEmitter<Report>();
  /** fires with each report the page sends (test builds) */
  readonly onReport = this.reports.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    opts: PanelHostOptions<Out>,
  ) {
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    this.ready.catch(() => undefined);
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: webviewRoots(opts.extensionUri),
    };
    const html = webviewHtml(panel.webview, opts.extensionUri, opts.bundle, opts.pageTitle);
    panel.webview.html = html;
    // A webview created while another is being torn down occasionally never runs its script
    // (seen in code-server when editors are replaced quickly). Reload it once if it stays silent.
    let reloads = 0;
    const watchdog = setInterval(() => {
      if (this.isReady || reloads >= 1) return clearInterval(watchdog);
      reloads++;
      panel.webview.html = `${html}<!-- reload ${reloads} -->`;
    }, READY_TIMEOUT_MS);
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: Out) => {
        if (TEST_HOOKS && m.type === 'rendered') {
          this.lastReport = (m as unknown as Rendered<Report>).report;
          this.reports.fire(this.lastReport);
          return;
        }
        if (m.type === 'ready') {
          this.isReady = true;
          resolveReady();
        }
        return opts.onMessage(m);
      }),
      panel.onDidDispose(() => {
        clearInterval(watchdog);
        rejectReady(new Error('panel closed'));
        this.subs.forEach((d) => d.dispose());
        this.reports.dispose();
        opts.onDispose?.();
      }),
    );
  }

  /** Posts `m`; false when it was not delivered (a panel closed meanwhile: nothing to show it to). */
  post(m: In): Promise<boolean> {
    return Promise.resolve(this.panel.webview.postMessage(m)).then(
      (ok) => ok,
      () => false,
    );
  }

  /**
   * The next report satisfying `pred` (or the last one, if it does); undefined after
   * {@link REPORT_TIMEOUT_MS}, on `cancel()`, and at once in builds without test hooks (the
   * shipped extension never waits for the page).
   */
  nextReport(
    pred: (r: Report) => boolean,
    opts: { includeLast?: boolean } = {},
  ): { promise: Promise<Report | undefined>; cancel(): void } {
    if (!TEST_HOOKS) return { promise: Promise.resolve(undefined), cancel: () => {} };
    if (opts.includeLast && this.lastReport !== undefined && pred(this.lastReport))
      return { promise: Promise.resolve(this.lastReport), cancel: () => {} };
    let cancel = () => {};
    const promise = new Promise<Report | undefined>((resolve) => {
      const timer = setTimeout(() => cancel(), REPORT_TIMEOUT_MS);
      const sub = this.reports.event((r) => {
        if (!pred(r)) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(r);
      });
      cancel = () => {
        clearTimeout(timer);
        sub.dispose();
        resolve(undefined);
      };
    });
    return { promise, cancel };
  }
}
