/**
 * The read-only custom editor for array files. The host only moves data: it asks the worker
 * to open and summarise the array, forwards the result to the webview, and records what the
 * webview reports it rendered.
 */
import * as vscode from 'vscode';
import { ArraySource, HostToWebview, RenderedReport, WebviewToHost } from '../protocol/messages';
import { WorkerClient, WorkerError } from './workerClient';
import { readSettings } from './settings';
import { webviewHtml, webviewRoots } from './webviewHtml';
import { basename } from './paths';

export const ARRAY_EDITOR_VIEW_TYPE = 'matrixLens.arrayViewer';

class ArrayDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    /* nothing held: the worker caches by path */
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
  wait(uri: vscode.Uri, pred: (r: RenderedReport) => boolean = () => true, timeoutMs = 30_000): Promise<RenderedReport> {
    const cur = this.get(uri);
    if (cur && pred(cur)) return Promise.resolve(cur);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`no rendered report for ${uri.toString()} within ${timeoutMs} ms (last: ${JSON.stringify(this.get(uri))})`));
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

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly worker: WorkerClient,
    readonly rendered: RenderedRegistry,
  ) {}

  openCustomDocument(uri: vscode.Uri): ArrayDocument {
    return new ArrayDocument(uri);
  }

  async resolveCustomEditor(document: ArrayDocument, panel: vscode.WebviewPanel): Promise<void> {
    console.log('DBG resolve', document.uri.toString());
    const { extensionUri } = this.context;
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'heatmap', basename(document.uri));
    const fileName = basename(document.uri);
    const post = (m: HostToWebview) => panel.webview.postMessage(m);
    const disposables: vscode.Disposable[] = [];
    let source: ArraySource | undefined;
    let generation = 0;

    const load = async () => {
      const mine = ++generation;
      this.rendered.clear(document.uri);
      void post({ type: 'loading', fileName });
      const settings = readSettings(document.uri);
      try {
        source ??= await this.sourceOf(document.uri, settings.maxArrayBytes);
        const view = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: `Matrix Lens: reading ${fileName}` },
          () => this.worker.call('openArray', { source: source!, maxBytes: settings.maxArrayBytes, maxCells: settings.maxCells, pooling: settings.pooling }),
        );
        if (mine === generation) void post({ type: 'array', fileName, view, settings: { colormap: settings.colormap } });
      } catch (e) {
        if (mine === generation) void post({ type: 'error', fileName, message: `${fileName}: ${userMessage(e)}` });
      }
    };

    disposables.push(
      panel.webview.onDidReceiveMessage(async (m: WebviewToHost) => {
        console.log('DBG msg', document.uri.toString(), m.type);
        if (m.type === 'ready') void load();
        else if (m.type === 'rendered') this.rendered.set(document.uri, m.report);
        else if (m.type === 'requestSlice' && source) {
          const settings = readSettings(document.uri);
          try {
            const heatmap = await this.worker.call('slice', { source, maxBytes: settings.maxArrayBytes, maxCells: settings.maxCells, pooling: settings.pooling, rowAxis: m.rowAxis, colAxis: m.colAxis, indices: m.indices, window: m.window });
            void post({ type: 'slice', heatmap });
          } catch (e) {
            void post({ type: 'error', fileName, message: `${fileName}: ${userMessage(e)}` });
          }
        }
      }),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) this.activeUri = document.uri;
      }),
      panel.onDidDispose(() => {
        if (this.activeUri?.toString() === document.uri.toString()) this.activeUri = undefined;
        disposables.forEach((d) => d.dispose());
      }),
    );
    if (document.uri.scheme === 'file') {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, '..'), fileName));
      disposables.push(watcher, watcher.onDidChange(() => void load()));
    }
    this.activeUri = document.uri;
  }

  private async sourceOf(uri: vscode.Uri, maxBytes: number): Promise<ArraySource> {
    if (uri.scheme === 'file') return { path: uri.fsPath };
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > maxBytes) throw new WorkerError(`is ${stat.size} bytes, over the matrixLens.maxArrayBytes limit`, 'too-large');
    return { bytes: await vscode.workspace.fs.readFile(uri), name: basename(uri) };
  }
}

/** A one-line message for the UI: never a stack trace. */
export function userMessage(e: unknown): string {
  if (e instanceof WorkerError) return e.message;
  if (e instanceof Error) return e.message.split('\n')[0];
  return String(e);
}
