/**
 * The read-only custom editor for array files (.npy, .npz, .safetensors), and the panel that
 * shows an inspected selection. The host only moves data: it asks the worker to list the
 * file and to open and summarise the chosen array, forwards the results to the webview, and
 * records what the webview reports it rendered.
 */
import * as vscode from 'vscode';
import { ArrayListing, ArraySource, ArrayView } from '../protocol/common';
import { DriveAction, HostToWebview, ViewSettings, WebviewToHost } from '../protocol/heatmap';
import { RenderedReport } from '../protocol/testing';
import { WorkerClient, WorkerError } from './workerClient';
import { readSettings } from './settings';
import { webviewHtml, webviewRoots } from './webviewHtml';
import { basename } from './paths';

export const ARRAY_EDITOR_VIEW_TYPE = 'matrixLens.arrayViewer';
export const SELECTION_VIEW_TYPE = 'matrixLens.selection';
const READY_TIMEOUT_MS = 10_000;
/** CSV export refuses windows with more values than this. */
export const CSV_MAX_VALUES = 1_000_000;
type ExportReply = Extract<WebviewToHost, { type: 'exportReply' }>;

/** What the heatmap page needs from the settings. */
function viewSettings(scope?: vscode.Uri): ViewSettings {
  const s = readSettings(scope);
  const r = vscode.workspace
    .getConfiguration('matrixLens', scope)
    .get<string>('heatmap.renderer', 'auto');
  return {
    colormap: s.colormap,
    renderer: r === 'webgl2' || r === 'canvas' ? r : 'auto',
    maxCells: s.maxCells,
  };
}

class ArrayDocument implements vscode.CustomDocument {
  constructor(
    readonly uri: vscode.Uri,
    private readonly onDispose: () => void,
  ) {}
  dispose(): void {
    this.onDispose();
  }
}

/** Rendered reports per document, for tests and for "Copy Summary". */
export class RenderedRegistry {
  private readonly last = new Map<string, RenderedReport>();
  private readonly emitter = new vscode.EventEmitter<{ uri: string; report: RenderedReport }>();

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
            `no rendered report for ${uri.toString()} within ${timeoutMs} ms (last: ${JSON.stringify(this.get(uri))})`,
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

/** What an {@link ArrayPanel} shows: a file (listed, then one array at a time) or one held array. */
type PanelContent =
  | { kind: 'file'; uri: vscode.Uri }
  | { kind: 'held'; key: string; view: ArrayView; restoreToken?: string };

/**
 * One webview showing arrays: wires the heatmap page to the worker. Used by the custom editor
 * (one per editor) and by Inspect Selection (one per inspected selection).
 */
export class ArrayPanel {
  /** the array shown (member/tensor name). */
  member: string | undefined;
  listing: ArrayListing | undefined;
  private source: ArraySource | undefined;
  private generation = 0;
  private entryGeneration = 0;
  private loading: vscode.CancellationTokenSource | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private exportId = 0;
  private readonly exports = new Map<number, (r: ExportReply) => void>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    /** the key reports are filed under in the registry (the file's URI, or a synthetic one). */
    readonly reportUri: vscode.Uri,
    readonly fileName: string,
    private readonly content: PanelContent,
    private readonly worker: WorkerClient,
    private readonly rendered: RenderedRegistry,
    extensionUri: vscode.Uri,
    onDispose: () => void,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
    const html = webviewHtml(panel.webview, extensionUri, 'heatmap', fileName);
    panel.webview.html = html;
    trace(`${fileName} html set`);
    // A webview created while another is being torn down occasionally never runs its script
    // (seen in code-server when editors are replaced quickly). Reload it if it stays silent.
    let ready = false;
    let reloads = 0;
    const watchdog = setInterval(() => {
      if (ready || reloads >= 1) return clearInterval(watchdog);
      reloads++;
      panel.webview.html = `${html}<!-- reload ${reloads} -->`;
    }, READY_TIMEOUT_MS);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: WebviewToHost) => {
        trace(`${fileName} ← ${m.type}`);
        if (m.type === 'ready') {
          ready = true;
          // a reloaded window: show the array the panel showed before
          if (m.entry !== undefined && this.member === undefined) this.member = m.entry;
          void this.load();
        } else if (m.type === 'rendered') this.rendered.set(this.reportUri, m.report);
        else if (m.type === 'selectEntry') void this.show(m.name);
        else if (m.type === 'requestSlice') void this.slice(m);
        else if (m.type === 'exportReply') this.exports.get(m.id)?.(m);
        else if (m.type === 'export')
          void vscode.commands.executeCommand(
            m.format === 'png' ? 'matrixLens.exportPng' : 'matrixLens.exportCsv',
            undefined,
            this,
          );
      }),
      panel.onDidDispose(() => {
        clearInterval(watchdog);
        this.loading?.cancel();
        this.disposables.forEach((d) => d.dispose());
        onDispose();
      }),
    );
  }

  private post(m: HostToWebview): void {
    trace(`${this.fileName} → ${m.type}`);
    // a panel closed while the worker was busy: nothing to show it to
    this.panel.webview.postMessage(m).then(undefined, () => undefined);
  }

  /** Asks the webview for what to export (the PNG of its view, or its visible window). */
  requestExport(format: 'png' | 'csv', timeoutMs = 20_000): Promise<ExportReply> {
    const id = ++this.exportId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.exports.delete(id);
        reject(new Error('the panel did not answer (is a heatmap shown?)'));
      }, timeoutMs);
      this.exports.set(id, (r) => {
        clearTimeout(timer);
        this.exports.delete(id);
        resolve(r);
      });
      this.post({ type: 'exportRequest', id, format });
    });
  }

  /** The visible window as CSV, at full resolution (read by the worker). */
  async csv(
    visible: NonNullable<ExportReply['visible']>,
  ): Promise<{ text: string; rows: number; cols: number }> {
    const source: ArraySource | undefined =
      this.content.kind === 'held' ? { held: this.content.key } : this.source;
    if (!source) throw new WorkerError('the array is not loaded yet', 'invalid');
    const settings = readSettings(this.content.kind === 'file' ? this.content.uri : undefined);
    const member = visible.name ?? this.member;
    return this.worker.call('csv', {
      source,
      ...(member !== undefined && this.content.kind === 'file' ? { member } : {}),
      maxBytes: settings.maxArrayBytes,
      rowAxis: visible.rowAxis,
      colAxis: visible.colAxis,
      indices: visible.indices,
      window: visible.window,
      maxValues: CSV_MAX_VALUES,
    });
  }

  /** Where exports go by default: next to the file, named after it. */
  exportName(ext: string): vscode.Uri | undefined {
    const stem = this.fileName.replace(/\.(npy|npz|safetensors)$/i, '').replace(/[^\w.-]+/g, '_');
    const suffix = this.member ? `-${this.member.replace(/[^\w.-]+/g, '_')}` : '';
    const name = `${stem || 'selection'}${suffix}-view.${ext}`;
    if (this.content.kind === 'file') return vscode.Uri.joinPath(this.content.uri, '..', name);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return folder ? vscode.Uri.joinPath(folder, name) : undefined;
  }

  /** Acts in the webview as if the user did it (picks an entry, changes the slice, zooms). */
  drive(action: DriveAction): void {
    this.post({ type: 'drive', action });
  }

  /** (Re)reads the file: lists it, then shows the current (or first) array. */
  async load(): Promise<void> {
    const mine = ++this.generation;
    this.rendered.clear(this.reportUri);
    if (this.content.kind === 'held') {
      this.post({
        type: 'array',
        fileName: this.fileName,
        view: this.content.view,
        settings: viewSettings(),
        ...(this.content.restoreToken !== undefined
          ? { restoreToken: this.content.restoreToken }
          : {}),
      });
      return;
    }
    this.post({ type: 'loading', fileName: this.fileName });
    const uri = this.content.uri;
    try {
      this.source = await sourceOf(uri);
      trace(`${this.fileName} listArrays…`);
      const listing = await this.worker.call('listArrays', { source: this.source });
      trace(`${this.fileName} listArrays done`);
      if (mine !== this.generation) return;
      this.listing = listing;
      if (listing.entries.length === 0)
        throw new WorkerError(
          listing.fileFormat === 'npz' ? 'the archive holds no arrays' : 'the file holds no arrays',
          'invalid',
        );
      const keep = this.member !== undefined && listing.entries.some((e) => e.name === this.member);
      const selected = keep ? this.member! : listing.entries[0].name;
      if (listing.fileFormat !== 'npy')
        this.post({ type: 'listing', fileName: this.fileName, listing, selected });
      await this.show(selected);
    } catch (e) {
      if (mine === this.generation)
        this.post({
          type: 'error',
          fileName: this.fileName,
          message: `${this.fileName}: ${userMessage(e)}`,
        });
    }
  }

  /** Reads and shows array `name` of the file. */
  async show(name: string): Promise<void> {
    if (this.content.kind !== 'file' || !this.source) return;
    const mine = ++this.entryGeneration;
    this.member = name;
    this.loading?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.loading = cts;
    const settings = readSettings(this.content.uri);
    const multi = this.listing !== undefined && this.listing.fileFormat !== 'npy';
    const label = multi ? `${this.fileName} › ${name}` : this.fileName;
    try {
      const view = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Matrix Lens: reading ${label}` },
        () =>
          this.worker.call(
            'openArray',
            {
              source: this.source!,
              member: name,
              maxBytes: settings.maxArrayBytes,
              maxCells: settings.maxCells,
              pooling: settings.pooling,
            },
            { token: cts.token },
          ),
      );
      if (mine === this.entryGeneration)
        this.post({
          type: 'array',
          fileName: this.fileName,
          view,
          settings: viewSettings(this.content.uri),
        });
    } catch (e) {
      if (mine !== this.entryGeneration || (e instanceof WorkerError && e.code === 'cancelled'))
        return;
      const message = `${label}: ${userMessage(e)}`;
      this.post(
        multi
          ? { type: 'entryError', fileName: this.fileName, name, message }
          : { type: 'error', fileName: this.fileName, message },
      );
    } finally {
      cts.dispose();
      if (this.loading === cts) this.loading = undefined;
    }
  }

  private async slice(m: Extract<WebviewToHost, { type: 'requestSlice' }>): Promise<void> {
    const source: ArraySource | undefined =
      this.content.kind === 'held' ? { held: this.content.key } : this.source;
    if (!source) return;
    const settings = readSettings(this.content.kind === 'file' ? this.content.uri : undefined);
    const member = m.name ?? this.member;
    try {
      const heatmap = await this.worker.call('slice', {
        source,
        ...(member !== undefined ? { member } : {}),
        maxBytes: settings.maxArrayBytes,
        maxCells: settings.maxCells,
        pooling: settings.pooling,
        rowAxis: m.rowAxis,
        colAxis: m.colAxis,
        indices: m.indices,
        ...(m.window ? { window: m.window } : {}),
      });
      this.post({ type: 'slice', heatmap, ...(m.seq !== undefined ? { seq: m.seq } : {}) });
    } catch (e) {
      const label =
        this.listing && this.listing.fileFormat !== 'npy' && member
          ? `${this.fileName} › ${member}`
          : this.fileName;
      const message = `${label}: ${userMessage(e)}`;
      this.post(
        member !== undefined && this.listing?.fileFormat !== 'npy'
          ? { type: 'entryError', fileName: this.fileName, name: member, message }
          : { type: 'error', fileName: this.fileName, message },
      );
    }
  }

  dispose(): void {
    this.panel.dispose();
  }
}

export class ArrayEditorProvider implements vscode.CustomReadonlyEditorProvider<ArrayDocument> {
  /** the active Matrix Lens editor's document, for commands. */
  activeUri: vscode.Uri | undefined;
  /** open panels per document URI (and per inspected selection). */
  readonly panels = new Map<string, Set<ArrayPanel>>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly worker: WorkerClient,
    readonly rendered: RenderedRegistry,
  ) {
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

  /** The panels showing `uri` (a file, or the report URI of an inspected selection). */
  panelsOf(uri: vscode.Uri): ArrayPanel[] {
    return [...(this.panels.get(uri.toString()) ?? [])];
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
      this.rendered,
      this.context.extensionUri,
      () => {
        untrack();
        if (this.activeUri?.toString() === document.uri.toString()) this.activeUri = undefined;
      },
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
      this.rendered,
      this.context.extensionUri,
      () => {
        untrack();
        opts.onDispose?.();
        void this.worker.call('releaseArrays', { source: { held: key } }).catch(() => undefined);
      },
    );
    untrack = this.track(p);
    return p;
  }
}

async function sourceOf(uri: vscode.Uri): Promise<ArraySource> {
  if (uri.scheme === 'file') return { path: uri.fsPath };
  // Other file systems (remote, virtual): the host reads the bytes; the worker parses them in memory.
  const stat = await vscode.workspace.fs.stat(uri);
  const limit = readSettings(uri).maxArrayBytes;
  if (stat.size > limit + (64 << 20)) {
    throw new WorkerError(
      `is ${stat.size} bytes, over the matrixLens.maxArrayBytes limit (files that are not on the local disk are read whole)`,
      'too-large',
    );
  }
  return {
    bytes: await vscode.workspace.fs.readFile(uri),
    name: basename(uri),
    key: `${uri.toString()}:${stat.size}:${stat.mtime}`,
  };
}

/** A one-line message for the UI: never a stack trace. */
export function userMessage(e: unknown): string {
  if (e instanceof WorkerError) return e.message;
  if (e instanceof Error) return e.message.split('\n')[0];
  return String(e);
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

const T0 = Date.now();
/** MATRIX_LENS_TRACE=1: timestamps of the editor's messages on the host log. */
function trace(what: string): void {
  if (process.env.MATRIX_LENS_TRACE) console.log(`[trace +${Date.now() - T0} ms] ${what}`);
}
