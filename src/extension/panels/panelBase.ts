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

/** A webview that has not said `ready` by then is reloaded (code-server, see below); each
 *  further wait is twice the last. */
export const READY_TIMEOUT_MS = 10_000;
/** How many times a silent webview is reloaded before the panel gives up on it. */
const MAX_RELOADS = 3;

/**
 * Test builds: the next panel's first `silentPages` pages (its first load, then its reloads)
 * never say `ready`, as code-server's occasionally do, so that the watchdog and the messages
 * posted meanwhile can be tested.
 */
export const pageFaults = TEST_HOOKS ? { silentPages: 0 } : undefined;
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
  /** posts made before the page's first `ready`, delivered in order when it comes */
  private readonly queued: { m: In; done: (ok: boolean) => void }[] = [];
  /** how many times the watchdog replaced a page that never said `ready` */
  reloads = 0;

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
    // test builds: this panel takes the silent pages asked for (its first load and reloads)
    let silent = TEST_HOOKS ? (pageFaults?.silentPages ?? 0) : 0;
    if (TEST_HOOKS && pageFaults) pageFaults.silentPages = 0;
    // (a silent page's script takes messages and never says `ready`, as one that failed half-way)
    const page = (tag: string) =>
      TEST_HOOKS && silent-- > 0
        ? '<!DOCTYPE html><html><body><script>addEventListener("message", () => {});</script></body></html>'
        : html + tag;
    panel.webview.html = page('');
    // A webview created while another is being torn down occasionally never runs its script
    // (seen in code-server when editors are replaced quickly). Reload it if it stays silent.
    // What was posted to the silent page would be lost with it: posts wait for `ready`.
    // Each wait is twice the last (10, 20, 40 s), so that a page that is only slow (a loaded
    // machine) gets the time to finish rather than being restarted again and again.
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number) => {
      watchdog = setTimeout(() => {
        if (this.isReady || this.reloads >= MAX_RELOADS) return;
        this.reloads++;
        panel.webview.html = page(`<!-- reload ${this.reloads} -->`);
        arm(ms * 2);
      }, ms);
    };
    arm(READY_TIMEOUT_MS);
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: Out) => {
        if (TEST_HOOKS && m.type === 'rendered') {
          this.lastReport = (m as unknown as Rendered<Report>).report;
          this.reports.fire(this.lastReport);
          return;
        }
        if (m.type === 'ready' && !this.isReady) {
          this.isReady = true;
          for (const q of this.queued.splice(0)) void this.deliver(q.m).then(q.done);
          resolveReady();
        }
        return opts.onMessage(m);
      }),
      panel.onDidDispose(() => {
        clearTimeout(watchdog);
        rejectReady(new Error('panel closed'));
        for (const q of this.queued.splice(0)) q.done(false);
        this.subs.forEach((d) => d.dispose());
        this.reports.dispose();
        opts.onDispose?.();
      }),
    );
  }

  /**
   * Posts `m` (before the page's first `ready`: when it comes, in order); false when it was not
   * delivered (a panel closed meanwhile: nothing to show it to).
   */
  post(m: In): Promise<boolean> {
    if (!this.isReady) return new Promise((done) => this.queued.push({ m, done }));
    return this.deliver(m);
  }

  private deliver(m: In): Promise<boolean> {
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
