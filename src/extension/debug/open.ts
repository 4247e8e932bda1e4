/**
 * Opening a live value in the same editor as a `.npy`: transfer it to a temp file, then
 * `vscode.openWith(…, matrixLens.arrayViewer)` so heatmap, N-D picker, zoom, export, Analyze and
 * Show as Attention Map work unchanged. The temp file goes when its editor tab closes.
 */
import * as vscode from 'vscode';
import { bytesLabel, healthLine, shapeLabel } from '../../core/debug/describe';
import { axisWindow, sourceWindow, windowBytes, windowLabel } from '../../core/debug/zoom';
import type { CellWindow } from '../../protocol/common';
import type { StageReply } from '../../protocol/debug';
import type { AttentionOutcome } from '../attentionCommand';
import { DebugBridge, DebugLensError, oneLine, pyStr } from './session';
import { TempFiles, Transfers, type TransferResult } from './transfer';
import { PooledLiveSource } from './liveSource';

const ARRAY_VIEWER = 'matrixLens.arrayViewer';

/** What the last open did (read by the integration tests and the benchmark). */
export interface OpenRecord {
  expression: string;
  path: string;
  meta: StageReply;
  route: 'file' | 'evaluate';
  transferMs: number;
  /** a note shown with the value (pooled view, whole-value statistics). */
  note?: string;
  /** a zoom: the `[start, stop)` window of each axis of the value that was fetched. */
  window?: [number, number][];
  /** the stop it was fetched at: a zoom is only fetched while the program is still there. */
  sessionId: string;
  epoch: number;
  stop: number;
  frameId: number;
}

/** What "Show as Attention Map" on a live value did (tests). */
export interface LiveAttention {
  outcome: AttentionOutcome;
  path: string;
  /** the frame variable the token labels came from, if any. */
  tokensFrom?: string;
  tokens?: string[];
}

/** How the zoom command finds the heatmap's visible window of a pooled live value. */
export type VisibleWindow = (uri: vscode.Uri) => Promise<CellWindow | undefined>;

/** `matrixLens.debug.showAttention` arguments besides the expression. */
export interface LiveAttentionOptions {
  sessionId?: string;
  /** a list-of-str expression for the labels; null: none (no picker); undefined: pick. */
  tokens?: string | null;
}

export function transferSettings(): { route: 'auto' | 'file' | 'evaluate'; budget: number } {
  const c = vscode.workspace.getConfiguration('matrixLens.debug');
  const route = c.get<string>('transfer', 'auto');
  return {
    route: route === 'file' || route === 'evaluate' ? route : 'auto',
    budget: c.get<number>('maxTransferBytes', 128 * 1024 * 1024),
  };
}

export class LiveOpener implements vscode.Disposable {
  readonly transfers: Transfers;
  /** most recent successful open, and last error line (tests). */
  last: OpenRecord | undefined;
  lastError: string | undefined;
  /** live values open in an editor tab, by temp file path. */
  readonly live = new Map<string, OpenRecord>();
  /** attention views on live values: panel → its temp file and session. */
  private readonly attention = new Map<vscode.WebviewPanel, { path: string; sessionId: string }>();
  private readonly paths = new Set<string>();
  /** editors opened before their file was written: resolves true once it is, false if never. */
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly bridge: DebugBridge,
    readonly temp: TempFiles,
    private readonly visibleWindow?: VisibleWindow,
  ) {
    this.transfers = new Transfers(bridge, temp);
    this.disposables.push(
      bridge.onDidEnd((s) => void this.sessionEnded(s)),
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const input = tab.input;
          if (input instanceof vscode.TabInputCustom && this.paths.has(input.uri.fsPath)) {
            const p = input.uri.fsPath;
            const stillOpen = vscode.window.tabGroups.all.some((g) =>
              g.tabs.some(
                (t) => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath === p,
              ),
            );
            if (!stillOpen) {
              this.paths.delete(p);
              this.live.delete(p);
              void this.updatePooledContext();
              // Give the editor a moment to release the file before it goes.
              setTimeout(() => this.temp.remove(p), 2000);
            }
          }
        }
      }),
      vscode.window.tabGroups.onDidChangeTabs(() => void this.updatePooledContext()),
    );
  }

  /** `matrixLens.debug.pooledLiveActive`: the active tab is a pooled live value (zoom button). */
  private async updatePooledContext(): Promise<void> {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const rec =
      input instanceof vscode.TabInputCustom ? this.live.get(input.uri.fsPath) : undefined;
    await vscode.commands.executeCommand(
      'setContext',
      'matrixLens.debug.pooledLiveActive',
      !!rec?.meta.pooled,
    );
  }

  /** The session ended: its live views close (with a message) and their temp files go. */
  private async sessionEnded(session: vscode.DebugSession): Promise<void> {
    const tabs: vscode.Tab[] = [];
    const gone = new Set<string>();
    for (const [p, rec] of this.live) if (rec.sessionId === session.id) gone.add(p);
    for (const g of vscode.window.tabGroups.all)
      for (const t of g.tabs)
        if (t.input instanceof vscode.TabInputCustom && gone.has(t.input.uri.fsPath)) tabs.push(t);
    let n = tabs.length;
    for (const [panel, a] of this.attention)
      if (a.sessionId === session.id) {
        n++;
        panel.dispose();
      }
    if (tabs.length) await vscode.window.tabGroups.close(tabs).then(undefined, () => false);
    for (const p of gone) {
      this.live.delete(p);
      this.paths.delete(p);
      this.temp.remove(p);
    }
    if (n)
      void vscode.window.showInformationMessage(
        `Matrix Lens: the debugged program ended; closed ${n} live view${n === 1 ? '' : 's'}.`,
      );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /**
   * Opens the array editor on `<stem>.npy` before the program has written it. `settle()` once
   * the file is there (the panel then reads it); `abandon()` closes the tab (the transfer
   * failed, or the value came in another format).
   */
  private openEarly(name: string): {
    stem: string;
    path: string;
    settle(): Promise<void>;
    abandon(): Promise<void>;
  } {
    const stem = this.transfers.plan(name);
    const path = `${stem}.npy`;
    let resolve!: (ok: boolean) => void;
    this.pending.set(path, new Promise<boolean>((r) => (resolve = r)));
    this.paths.add(path);
    const opened = Promise.resolve(
      vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path), ARRAY_VIEWER, {
        preview: false,
      }),
    ).then(
      () => undefined,
      () => undefined,
    );
    return {
      stem,
      path,
      settle: async () => {
        this.pending.delete(path);
        resolve(true);
        await opened;
      },
      abandon: async () => {
        this.pending.delete(path);
        this.paths.delete(path); // closing the tab must not remove the slot's other file
        resolve(false);
        await opened;
        const tabs = vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .filter((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath === path);
        if (tabs.length) await vscode.window.tabGroups.close(tabs).then(undefined, () => false);
      },
    };
  }

  /**
   * The array editor's view of a live value: for a pooled one, its zoom fetches from the
   * paused program; for one still being written (opened early), a promise of that.
   */
  liveSource(
    uri: vscode.Uri,
  ): PooledLiveSource | Promise<PooledLiveSource | false | undefined> | undefined {
    const waiting = uri.scheme === 'file' ? this.pending.get(uri.fsPath) : undefined;
    if (waiting) return waiting.then((ok) => (ok ? this.pooledSource(uri) : false));
    return this.pooledSource(uri);
  }

  private pooledSource(uri: vscode.Uri): PooledLiveSource | undefined {
    const rec = uri.scheme === 'file' ? this.live.get(uri.fsPath) : undefined;
    if (!rec?.meta.pooled || rec.window) return undefined;
    return new PooledLiveSource(
      rec,
      this.bridge,
      this.transfers,
      this.temp,
      () => transferSettings().budget,
    );
  }

  /** Transfers `expression` from the session's current frame and opens it. */
  async open(
    expression: string,
    opts: { sessionId?: string; frameId?: number; name?: string } = {},
  ): Promise<OpenRecord | undefined> {
    try {
      const session = this.bridge.activeSession(opts.sessionId);
      const frameId = opts.frameId ?? (await this.bridge.frameId(session));
      const settings = transferSettings();
      // The program writes into our folder (known from an earlier probe): open the editor at
      // once on the file it will write, so that VS Code starts the page (~1.3 s in code-server)
      // while the transfer runs; the panel waits for the file (see liveSource()).
      const early =
        settings.route !== 'evaluate' && this.bridge.state(session).sharedFs === true
          ? this.openEarly(opts.name ?? expression)
          : undefined;
      let result: TransferResult;
      try {
        result = await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: `Matrix Lens: fetching ${expression}`,
            cancellable: true,
          },
          (_p, token) =>
            this.transfers.fetch(
              session,
              frameId,
              expression,
              {
                name: opts.name ?? expression,
                route: settings.route,
                budget: settings.budget,
                ...(early ? { stem: early.stem } : {}),
              },
              token,
            ),
        );
      } catch (e) {
        await early?.abandon();
        throw e;
      }
      const st = this.bridge.state(session);
      const rec = this.record(expression, result, {
        sessionId: session.id,
        epoch: st.epoch,
        stop: st.stops,
        frameId,
      });
      this.paths.add(result.path);
      this.live.set(result.path, rec);
      if (early && early.path === result.path) await early.settle();
      else {
        await early?.abandon(); // the value came as a .safetensors (bfloat16, float8)
        await vscode.commands.executeCommand(
          'vscode.openWith',
          vscode.Uri.file(result.path),
          ARRAY_VIEWER,
          {
            preview: false,
          },
        );
      }
      if (rec.note) void vscode.window.showInformationMessage(`Matrix Lens: ${rec.note}`);
      this.last = rec;
      this.lastError = undefined;
      return rec;
    } catch (e) {
      this.fail(expression, e);
      return undefined;
    }
  }

  fail(expression: string, e: unknown): void {
    const line = e instanceof DebugLensError ? e.message : oneLine(e);
    this.lastError = `${expression}: ${line}`;
    void vscode.window.showErrorMessage(`Matrix Lens: ${this.lastError}`);
  }

  /**
   * Fetches the heatmap's visible window of a pooled live value at full resolution from the
   * debuggee and opens it — only while the program is still paused at the stop the value came
   * from (after Continue the pooled view is stale: say so).
   */
  async zoom(path: string, window?: CellWindow): Promise<OpenRecord | undefined> {
    const rec = this.live.get(path);
    try {
      if (!rec) throw new DebugLensError('this editor does not show a live value');
      const m = rec.meta;
      if (!m.pooled) throw new DebugLensError(`${rec.expression} is shown at full resolution`);
      const session = this.bridge.activeSession(rec.sessionId);
      const st = this.bridge.state(session);
      if (st.ended || !st.paused || st.epoch !== rec.epoch)
        throw new DebugLensError(
          `stale: the program has moved on since stop ${rec.stop}, where this pooled view was taken; open it again to zoom`,
        );
      const drawn = window ?? (await this.visibleWindow?.(vscode.Uri.file(path)));
      if (!drawn) throw new DebugLensError('no heatmap window to zoom into');
      const meta = { shape: m.shape, pooled: m.pooled, lead: m.lead };
      const axes = axisWindow(meta, sourceWindow(meta, drawn));
      const elems = m.shape.reduce((a, b) => a * b, 1);
      const bytes = windowBytes(axes, elems ? m.nbytes / elems : 0);
      const budget = transferSettings().budget;
      if (budget > 0 && bytes > budget)
        throw new DebugLensError(
          `the window is ${bytesLabel(bytes)}, over matrixLens.debug.maxTransferBytes: zoom in further`,
        );
      const label = windowLabel(rec.expression, axes);
      const result = await this.transfers.fetch(session, rec.frameId, rec.expression, {
        name: label,
        window: axes,
      });
      const zoomed = { ...this.record(label, result, rec), window: axes };
      this.paths.add(result.path);
      this.live.set(result.path, zoomed);
      await vscode.commands.executeCommand(
        'vscode.openWith',
        vscode.Uri.file(result.path),
        ARRAY_VIEWER,
        { preview: false },
      );
      this.last = zoomed;
      this.lastError = undefined;
      return zoomed;
    } catch (e) {
      this.fail(rec?.expression ?? 'zoom', e);
      return undefined;
    }
  }

  /**
   * "Show as Attention Map" for a live value: its bytes go to a private temp file, the
   * attention view opens it, and token labels come from a list-of-str variable of the frame
   * whose length matches T (picked by the user, or none). The temp file goes with the panel.
   */
  async showAttention(
    expression: string,
    opts: LiveAttentionOptions = {},
  ): Promise<LiveAttention | undefined> {
    try {
      const session = this.bridge.activeSession(opts.sessionId);
      const frameId = await this.bridge.frameId(session);
      const shapes = await this.bridge.call<Record<string, { shape: number[] } | null>>(
        session,
        frameId,
        `shapes(globals(), locals(), [${pyStr(expression)}])`,
      );
      const shape = shapes[expression]?.shape;
      if (!shape)
        await this.bridge.call(
          session,
          frameId,
          `describe(globals(), locals(), ${pyStr(expression)}, False)`,
        );
      if (!shape || shape.length < 2 || shape.length > 5)
        throw new DebugLensError(
          `attention weights must be [T, S] … [L, B, H, T, S]; got shape [${shape?.join(', ') ?? ''}]`,
        );
      const t = shape[shape.length - 2];
      let tokensFrom = opts.tokens ?? undefined;
      if (opts.tokens === undefined) {
        const found = await this.bridge.call<{ name: string; length: number; preview: string }[]>(
          session,
          frameId,
          `str_lists(globals(), locals(), ${t})`,
        );
        if (found.length) {
          const none = { label: '$(list-ordered) None', description: 'label tokens by index' };
          const picked = await vscode.window.showQuickPick(
            [
              ...found.map((f) => ({
                label: f.name,
                description: `list[str] of ${f.length}`,
                detail: f.preview,
              })),
              none,
            ],
            {
              title: `Matrix Lens: token labels for ${expression} (T = ${t})`,
              placeHolder: 'A list of strings of the paused frame',
            },
          );
          if (!picked) return undefined;
          tokensFrom = picked === none ? undefined : picked.label;
        }
      }
      const tokens = tokensFrom
        ? await this.bridge.call<string[]>(
            session,
            frameId,
            `str_list(globals(), locals(), ${pyStr(tokensFrom)})`,
          )
        : undefined;
      const budget = transferSettings().budget;
      const result = await this.transfers.fetch(session, frameId, expression, {
        name: expression,
        budget,
      });
      if (result.meta.pooled) {
        this.temp.remove(result.path);
        throw new DebugLensError(
          `${bytesLabel(result.meta.nbytes)} is over matrixLens.debug.maxTransferBytes: the attention view needs every weight`,
        );
      }
      const outcome = await vscode.commands.executeCommand<AttentionOutcome>(
        'matrixLens.showAttention',
        {
          uri: vscode.Uri.file(result.path),
          title: `Attention: ${expression}`,
          sourceLabel: `live value ${expression} of ${session.name}, stop ${this.bridge.state(session).stops}`,
        },
      );
      const panel = outcome.view?.panel;
      if (!panel) {
        this.temp.remove(result.path);
        if (outcome.state === 'error')
          throw new DebugLensError(outcome.message ?? 'the attention view failed');
        return { outcome, path: result.path };
      }
      this.attention.set(panel, { path: result.path, sessionId: session.id });
      panel.onDidDispose(() => {
        this.attention.delete(panel);
        setTimeout(() => this.temp.remove(result.path), 500);
      });
      if (tokens && tokensFrom) outcome.view?.showTokens(tokens, tokensFrom);
      this.lastError = undefined;
      return { outcome, path: result.path, tokensFrom, tokens };
    } catch (e) {
      this.fail(expression, e);
      return undefined;
    }
  }

  private record(
    expression: string,
    r: TransferResult,
    at: Pick<OpenRecord, 'sessionId' | 'epoch' | 'stop' | 'frameId'>,
  ): OpenRecord {
    const m = r.meta;
    let note: string | undefined;
    if (m.pooled) {
      const lead = m.lead?.length ? `[${m.lead.join(', ')}, :, :] ` : '';
      note =
        `${expression} is ${shapeLabel(m)} (${bytesLabel(m.nbytes)}), over matrixLens.debug.maxTransferBytes: ` +
        `showing ${lead}pooled ${m.pooled[0]}×${m.pooled[1]} (mean); zooming in fetches the exact values from the paused program. ` +
        `Whole value: ${m.stats ? healthLine(m.stats) : ''}`;
    }
    return {
      expression,
      path: r.path,
      meta: m,
      route: r.route,
      transferMs: r.ms,
      note,
      sessionId: at.sessionId,
      epoch: at.epoch,
      stop: at.stop,
      frameId: at.frameId,
    };
  }
}
