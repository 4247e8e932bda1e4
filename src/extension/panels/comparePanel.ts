/**
 * The compare view's host side: one webview panel per comparison, either two arrays (the
 * worker's `compareView`: statistics, ΔW spectrum, principal angles, Δ map) or two
 * checkpoints (`compareCheckpointFiles`: one row per shared tensor). The page asks for a
 * recompute with other tolerances, and a checkpoint row's click opens that tensor's own
 * comparison (`openRow`, handed to the command that created the view).
 */
import * as vscode from 'vscode';
import type { ArrayRef } from '../../protocol/common';
import type {
  CompareHostToWebview,
  CompareRenderedReport,
  CompareSide,
  CompareTolerances,
  CompareWebviewToHost,
} from '../../protocol/compare';
import { runWithProgress, sourceOf, userMessage } from '../arrayRefs';
import { readSettings } from '../settings';
import { WorkerError, type WorkerClient } from '../workerClient';
import { PanelHost } from './panelBase';
import { webviewRoots } from './webviewHtml';

export const COMPARE_VIEW_TYPE = 'matrixLens.compare';
export const DEFAULT_TOLERANCES: CompareTolerances = { rtol: 1e-5, atol: 1e-8, k: 8 };
/** cells a side of the Δ map */
const MAP_SIDE = 512;

export type CompareKind = 'arrays' | 'checkpoints';

export class CompareView {
  private readonly host: PanelHost<
    CompareHostToWebview,
    CompareWebviewToHost,
    CompareRenderedReport
  >;
  private tolerances: CompareTolerances;
  private last: CompareHostToWebview | undefined;
  private run = 0;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly kind: CompareKind,
    readonly a: CompareSide,
    readonly b: CompareSide,
    private readonly worker: WorkerClient,
    extensionUri: vscode.Uri,
    private readonly openRow: (a: CompareSide, b: CompareSide, name: string) => void,
    tolerances: CompareTolerances,
    onDispose: () => void,
  ) {
    this.tolerances = { ...tolerances };
    this.host = new PanelHost(panel, {
      bundle: 'compare',
      pageTitle: 'Matrix Lens compare',
      extensionUri,
      onMessage: (m) => this.onMessage(m),
      onDispose,
    });
  }

  /** the last report the page sent (test builds). */
  get lastReport(): CompareRenderedReport | undefined {
    return this.host.lastReport;
  }

  /** The next report satisfying `pred` (test builds; undefined at once in the shipped build). */
  waitReport(
    pred: (r: CompareRenderedReport) => boolean,
  ): Promise<CompareRenderedReport | undefined> {
    return this.host.nextReport(pred, { includeLast: true }).promise;
  }

  /** Acts as the page's controls would (tests). */
  drive(m: CompareWebviewToHost): Promise<void> {
    return this.onMessage(m);
  }

  private post(m: CompareHostToWebview): void {
    this.last = m;
    if (this.host.isReady) void this.host.post(m);
  }

  private async onMessage(m: CompareWebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (this.last) void this.host.post(this.last);
        return;
      case 'recompute':
        this.tolerances = m.tolerances;
        await this.compute();
        return;
      case 'openRow':
        this.openRow(this.a, this.b, m.name);
        return;
    }
  }

  /** Runs the comparison in the worker (progress notification, cancellable) and shows it. */
  async compute(token?: vscode.CancellationToken): Promise<'done' | 'cancelled' | 'error'> {
    const seq = ++this.run;
    const title = this.panel.title;
    this.post({
      type: 'loading',
      title,
      message: `Comparing ${this.a.label} with ${this.b.label}…`,
    });
    const s = readSettings();
    const t = this.tolerances;
    try {
      const [sa, sb] = [
        await sourceOf(vscode.Uri.parse(this.a.uri)),
        await sourceOf(vscode.Uri.parse(this.b.uri)),
      ];
      const progressTitle = `Matrix Lens: comparing ${this.a.label} with ${this.b.label}`;
      if (this.kind === 'arrays') {
        const ra: ArrayRef = { source: sa, member: this.a.member };
        const rb: ArrayRef = { source: sb, member: this.b.member };
        const result = await runWithProgress(
          progressTitle,
          (o) =>
            this.worker.call(
              'compareView',
              { a: ra, b: rb, maxBytes: s.maxArrayBytes, maxSide: MAP_SIDE, ...t },
              o,
            ),
          {},
          [token],
        );
        if (seq !== this.run) return 'cancelled';
        this.post({
          type: 'arrays',
          title,
          a: this.a,
          b: this.b,
          tolerances: t,
          result,
          colormap: 'rdbu',
        });
      } else {
        const diff = await runWithProgress(
          progressTitle,
          (o) =>
            this.worker.call(
              'compareCheckpointFiles',
              { a: sa, b: sb, maxBytes: s.maxArrayBytes, rtol: t.rtol, atol: t.atol },
              o,
            ),
          {},
          [token],
        );
        if (seq !== this.run) return 'cancelled';
        this.post({ type: 'checkpoints', title, a: this.a, b: this.b, tolerances: t, diff });
      }
      return 'done';
    } catch (e) {
      if (e instanceof WorkerError && e.code === 'cancelled') {
        this.post({ type: 'error', title, message: 'cancelled' });
        return 'cancelled';
      }
      const message = userMessage(e);
      this.post({ type: 'error', title, message });
      return 'error';
    }
  }
}

/** The open compare views (tests read them). */
export class CompareViews implements vscode.Disposable {
  readonly views: CompareView[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly worker: WorkerClient,
  ) {}

  create(
    kind: CompareKind,
    a: CompareSide,
    b: CompareSide,
    openRow: (a: CompareSide, b: CompareSide, name: string) => void,
    tolerances = DEFAULT_TOLERANCES,
  ): CompareView {
    const title = `Compare: ${a.label} ↔ ${b.label}`;
    const panel = vscode.window.createWebviewPanel(
      COMPARE_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: webviewRoots(this.extensionUri),
      },
    );
    const view = new CompareView(
      panel,
      kind,
      a,
      b,
      this.worker,
      this.extensionUri,
      openRow,
      tolerances,
      () => {
        const i = this.views.indexOf(view);
        if (i >= 0) this.views.splice(i, 1);
      },
    );
    this.views.push(view);
    return view;
  }

  dispose(): void {
    for (const v of [...this.views]) v.panel.dispose();
  }
}
