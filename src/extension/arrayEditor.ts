/**
 * The read-only custom editor for array files (.npy, .npz, .safetensors) and the panels that
 * show an inspected selection: each is an {@link ArrayPanel} (panels/arrayPanel.ts). Also the
 * export and entry-picking commands, and (test builds) the registry of rendered reports.
 */
import * as vscode from 'vscode';
import type { ArrayView } from '../protocol/common';
import type { RenderedReport } from '../protocol/testing';
import { WorkerClient } from './workerClient';
import { userMessage } from './arrayRefs';
import { basename } from './paths';
import { ArrayPanel, type LiveSource } from './panels/arrayPanel';

export const ARRAY_EDITOR_VIEW_TYPE = 'matrixLens.arrayViewer';
export const SELECTION_VIEW_TYPE = 'matrixLens.selection';

class ArrayDocument implements vscode.CustomDocument {
  constructor(
    readonly uri: vscode.Uri,
    private readonly onDispose: () => void,
  ) {}
  dispose(): void {
    this.onDispose();
  }
}

/** Rendered reports per document (test builds: the integration tests read what the page shows). */
export class RenderedRegistry {
  private readonly last = new Map<string, RenderedReport>();
  /** the panels showing a URI, described (a wait that times out names what they were doing) */
  describe: (uri: vscode.Uri) => string[] = () => [];
  private readonly emitter = new vscode.EventEmitter<{ uri: string; report: RenderedReport }>();
  private readonly painted = new vscode.EventEmitter<{ uri: string; report: RenderedReport }>();

  /** A coarse first paint (not a settled report: {@link wait} skips it; {@link firstPaint} sees it). */
  setCoarse(uri: vscode.Uri, report: RenderedReport): void {
    this.painted.fire({ uri: uri.toString(), report });
  }

  /** Resolves with the next report or coarse first paint for `uri` (benchmarks). */
  firstPaint(uri: vscode.Uri, timeoutMs = 30_000): Promise<RenderedReport> {
    return new Promise((resolve, reject) => {
      const done = (r: RenderedReport) => {
        clearTimeout(timer);
        subs.forEach((d) => d.dispose());
        resolve(r);
      };
      const timer = setTimeout(() => {
        subs.forEach((d) => d.dispose());
        reject(new Error(`no paint for ${uri.toString()} within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (e: { uri: string; report: RenderedReport }) => {
        if (e.uri === uri.toString()) done(e.report);
      };
      const subs = [this.emitter.event(on), this.painted.event(on)];
    });
  }

  set(uri: vscode.Uri, report: RenderedReport): void {
    this.last.set(uri.toString(), report);
    this.emitter.fire({ uri: uri.toString(), report });
  }

  get(uri: vscode.Uri): RenderedReport | undefined {
    return this.last.get(uri.toString());
  }

  clear(uri: vscode.Uri): void {
    this.last.delete(uri.toString());
  }

  /** Resolves with the next report for `uri` that satisfies `pred` (or the current one if it does). */
  wait(
    uri: vscode.Uri,
    pred: (r: RenderedReport) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<RenderedReport> {
    const cur = this.get(uri);
    if (cur && pred(cur)) return Promise.resolve(cur);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(
          new Error(
            `no rendered report for ${uri.toString()} within ${timeoutMs} ms (last: ${JSON.stringify(this.get(uri))}; panels: ${this.describe(uri).join(' | ') || 'none'})`,
          ),
        );
      }, timeoutMs);
      const sub = this.emitter.event((e) => {
        if (e.uri === uri.toString() && pred(e.report)) {
          clearTimeout(timer);
          sub.dispose();
          resolve(e.report);
        }
      });
    });
  }
}

export class ArrayEditorProvider implements vscode.CustomReadonlyEditorProvider<ArrayDocument> {
  /** the active Matrix Lens editor's document, for commands. */
  activeUri: vscode.Uri | undefined;
  /** open panels per document URI (and per inspected selection). */
  readonly panels = new Map<string, Set<ArrayPanel>>();
  /** the debugger bridge's pooled live values (their zoom fetches from the paused program). */
  liveSources:
    | ((uri: vscode.Uri) => LiveSource | Promise<LiveSource | false | undefined> | undefined)
    | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly worker: WorkerClient,
    readonly rendered: RenderedRegistry | undefined,
  ) {
    if (rendered) rendered.describe = (uri) => this.panelsOf(uri).map((p) => p.describe());
    context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (
          !['matrixLens.maxArrayBytes', 'matrixLens.heatmap'].some((k) => e.affectsConfiguration(k))
        )
          return;
        for (const set of this.panels.values()) for (const p of set) void p.load();
      }),
    );
  }

  openCustomDocument(uri: vscode.Uri): ArrayDocument {
    return new ArrayDocument(uri, () => {
      if (uri.scheme === 'file')
        void this.worker
          .call('releaseArrays', { source: { path: uri.fsPath } })
          .catch(() => undefined);
    });
  }

  /** Where a panel's rendered reports go (test builds). */
  private reportsFor(uri: vscode.Uri) {
    const r = this.rendered;
    return (
      r && {
        set: (rep: RenderedReport) => r.set(uri, rep),
        setCoarse: (rep: RenderedReport) => r.setCoarse(uri, rep),
        clear: () => r.clear(uri),
      }
    );
  }

  /** The panels showing `uri` (a file, or the report URI of an inspected selection). */
  panelsOf(uri: vscode.Uri): ArrayPanel[] {
    return [...(this.panels.get(uri.toString()) ?? [])];
  }

  /** The array in the active Matrix Lens editor (or the last active one), and the member it shows. */
  activeArray(): { uri: vscode.Uri; member?: string } | undefined {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const uri =
      input instanceof vscode.TabInputCustom && input.viewType === ARRAY_EDITOR_VIEW_TYPE
        ? input.uri
        : this.activeUri;
    if (!uri) return undefined;
    const panel = this.panelsOf(uri).find((p) => p.panel.active) ?? this.panelsOf(uri)[0];
    return { uri, member: panel?.member || undefined };
  }

  /** The panel commands act on: the active editor's, else the most recent one. */
  activePanel(): ArrayPanel | undefined {
    const all = [...this.panels.values()].flatMap((s) => [...s]);
    return (
      all.find((p) => p.panel.active) ??
      (this.activeUri ? this.panelsOf(this.activeUri).at(-1) : undefined)
    );
  }

  private track(p: ArrayPanel): () => void {
    const key = p.reportUri.toString();
    let set = this.panels.get(key);
    if (!set) this.panels.set(key, (set = new Set()));
    set.add(p);
    return () => {
      set.delete(p);
      if (set.size === 0) this.panels.delete(key);
    };
  }

  resolveCustomEditor(document: ArrayDocument, panel: vscode.WebviewPanel): void {
    const fileName = basename(document.uri);
    let untrack = () => {};
    const p = new ArrayPanel(
      panel,
      document.uri,
      fileName,
      { kind: 'file', uri: document.uri },
      this.worker,
      this.context.extensionUri,
      () => {
        untrack();
        if (this.activeUri?.toString() === document.uri.toString()) this.activeUri = undefined;
      },
      this.reportsFor(document.uri),
      this.liveSources?.(document.uri),
    );
    untrack = this.track(p);
    const subs: vscode.Disposable[] = [
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) this.activeUri = document.uri;
      }),
    ];
    if (document.uri.scheme === 'file') {
      const watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, '..'), fileName),
      );
      subs.push(
        watcher,
        watcher.onDidChange(() => void p.load()),
      );
    }
    panel.onDidDispose(() => subs.forEach((d) => d.dispose()));
    this.activeUri = document.uri;
  }

  /** Opens a panel beside the editor showing an array the worker holds under `key`. */
  openHeld(
    key: string,
    title: string,
    view: ArrayView,
    opts: { restoreToken?: string; panel?: vscode.WebviewPanel; onDispose?: () => void } = {},
  ): ArrayPanel {
    const reportUri = vscode.Uri.from({ scheme: 'matrix-lens-selection', path: `/${key}` });
    const panel =
      opts.panel ??
      vscode.window.createWebviewPanel(
        SELECTION_VIEW_TYPE,
        title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, retainContextWhenHidden: true },
      );
    let untrack = () => {};
    const p = new ArrayPanel(
      panel,
      reportUri,
      title,
      { kind: 'held', key, view, restoreToken: opts.restoreToken },
      this.worker,
      this.context.extensionUri,
      () => {
        untrack();
        opts.onDispose?.();
        void this.worker.call('releaseArrays', { source: { held: key } }).catch(() => undefined);
      },
      this.reportsFor(reportUri),
    );
    untrack = this.track(p);
    return p;
  }
}

/** `matrixLens.selectEntry [name]`: shows another array of the active multi-array file (asks when no name is given). */
export function registerArrayCommands(
  context: vscode.ExtensionContext,
  provider: ArrayEditorProvider,
): void {
  /**
   * `matrixLens.exportPng [target]` / `matrixLens.exportCsv [target]`: the heatmap as drawn, or
   * the visible values at full resolution, written to `target` (asks where when absent).
   * Returns the file written, or the error message shown (for tests), or undefined when the
   * save dialog was cancelled.
   */
  const exporter =
    (format: 'png' | 'csv') =>
    async (target?: unknown, from?: unknown): Promise<vscode.Uri | string | undefined> => {
      const p = from instanceof ArrayPanel ? from : provider.activePanel();
      const fail = (message: string) => {
        void vscode.window.showErrorMessage(message);
        return message;
      };
      if (!p)
        return fail('Matrix Lens: open an array (or inspect a selection) to export its heatmap.');
      const label = p.member ? `${p.fileName} › ${p.member}` : p.fileName;
      try {
        const reply = await p.requestExport(format);
        if (reply.error) return fail(`Matrix Lens: ${label}: cannot export: ${reply.error}`);
        let bytes: Uint8Array;
        let what: string;
        if (format === 'png') {
          if (!reply.png) return fail(`Matrix Lens: ${label}: the panel sent no image`);
          bytes = reply.png;
          what = 'heatmap view';
        } else {
          if (!reply.visible) return fail(`Matrix Lens: ${label}: the panel sent no window`);
          const csv = await p.csv(reply.visible);
          bytes = new TextEncoder().encode(csv.text);
          what = `${csv.rows}×${csv.cols} values`;
        }
        let uri = target instanceof vscode.Uri ? target : undefined;
        if (!uri) {
          const def = p.exportName(format);
          uri = await vscode.window.showSaveDialog({
            ...(def ? { defaultUri: def } : {}),
            filters: format === 'png' ? { 'PNG image': ['png'] } : { CSV: ['csv'] },
            saveLabel: format === 'png' ? 'Export PNG' : 'Export CSV',
          });
          if (!uri) return undefined;
        }
        await vscode.workspace.fs.writeFile(uri, bytes);
        void vscode.window.setStatusBarMessage(
          `Matrix Lens: exported the ${what} to ${basename(uri)}`,
          4000,
        );
        return uri;
      } catch (e) {
        return fail(`Matrix Lens: ${label}: cannot export: ${userMessage(e)}`);
      }
    };
  context.subscriptions.push(
    vscode.commands.registerCommand('matrixLens.exportPng', exporter('png')),
    vscode.commands.registerCommand('matrixLens.exportCsv', exporter('csv')),
    vscode.commands.registerCommand('matrixLens.selectEntry', async (name?: unknown) => {
      const p = provider.activePanel();
      const entries = p?.listing?.entries ?? [];
      if (!p || entries.length === 0) {
        void vscode.window.showInformationMessage(
          'Matrix Lens: open a .npz or .safetensors file first.',
        );
        return false;
      }
      let pick = typeof name === 'string' ? name : undefined;
      if (pick === undefined) {
        const item = await vscode.window.showQuickPick(
          entries.map((e) => ({ label: e.name, description: `${e.dtype}[${e.shape.join(', ')}]` })),
          { placeHolder: `Array of ${p.fileName} to show` },
        );
        pick = item?.label;
      }
      if (pick === undefined) return false;
      if (!entries.some((e) => e.name === pick)) {
        void vscode.window.showErrorMessage(
          `Matrix Lens: ${p.fileName} has no array named '${pick}'.`,
        );
        return false;
      }
      p.drive({ kind: 'selectEntry', name: pick });
      return true;
    }),
  );
}
