/**
 * One webview showing arrays (webview/heatmap): used by the custom editor (one per editor) and
 * by Inspect Selection (one per inspected selection). The host only moves data: it asks the
 * worker to list the file and to open and summarise the chosen array, forwards the results to
 * the webview, and asks the webview what to export.
 */
import * as vscode from 'vscode';
import type {
  ArrayListing,
  ArraySource,
  ArrayView,
  CellWindow,
  HeatmapData,
} from '../../protocol/common';
import type {
  DriveAction,
  ExportAnswer,
  SummaryJob,
  HeatmapVisible,
  HeatmapWebviewApi,
  HostToWebview,
  ViewSettings,
  WebviewToHost,
} from '../../protocol/heatmap';
import type { CsvResult } from '../../protocol/worker';
import type { RenderedReport } from '../../protocol/testing';
import { RpcClient } from '../../protocol/rpc';
import { WorkerClient, WorkerError } from '../workerClient';
import { readSettings } from '../settings';
import { sourceOf, userMessage } from '../arrayRefs';
import { PanelHost } from './panelBase';
import { SUMMARY_CHUNK_VALUES, mayUseGpu, summaryGpuRefusal } from '../../protocol/compute';

/** dtypes float32 holds exactly (the GPU summary's min, max and counts are then exact). */
const EXACT_IN_FLOAT32 = new Set([
  'bool',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'float16',
  'bfloat16',
  'float32',
]);

/** CSV export refuses windows with more values than this. */
export const CSV_MAX_VALUES = 1_000_000;
/** How long the page may take to say what to export. */
const EXPORT_TIMEOUT_MS = 20_000;

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
    ...(vscode.workspace.isTrusted ? {} : { restricted: true }),
  };
}

/** A window of a live value written to a temp file by the paused program (see {@link LiveSource}). */
export interface WindowFile {
  path: string;
  /** the 2-D slice of the file to read */
  slice: { rowAxis: number; colAxis: number; indices: number[] };
  /** the window of the panel's grid it holds */
  window: CellWindow;
  /** pooling factors applied in the debuggee ([1, 1]: full resolution) */
  steps: [number, number];
  /** removes the temp file */
  dispose(): void;
}

/**
 * A file the debugger bridge wrote as a pooled view of a larger live value
 * (src/extension/debug/liveSource.ts): the panel draws it in the value's own cells, and zoomed
 * windows and CSV exports come from the paused program instead of the file.
 */
export interface LiveSource {
  adaptView(view: ArrayView): ArrayView;
  adaptHeatmap(h: HeatmapData): HeatmapData;
  /** the window (panel cells) at full resolution, pooled to `maxCells` when given */
  window(
    w: CellWindow,
    maxCells: number | undefined,
    token: vscode.CancellationToken,
  ): Promise<WindowFile>;
  /** a heatmap read from a window file, placed in the panel's grid */
  placeWindow(h: HeatmapData, f: WindowFile): HeatmapData;
}

/** What an {@link ArrayPanel} shows: a file (listed, then one array at a time) or one held array. */
export type PanelContent =
  | { kind: 'file'; uri: vscode.Uri }
  | { kind: 'held'; key: string; view: ArrayView; restoreToken?: string };

export class ArrayPanel {
  /** the array shown (member/tensor name). */
  member: string | undefined;
  listing: ArrayListing | undefined;
  /** the summary line of the array last sent to the page ("Copy Array Summary"). */
  summary: string | undefined;
  private source: ArraySource | undefined;
  private generation = 0;
  private entryGeneration = 0;
  private loading: vscode.CancellationTokenSource | undefined;
  private live: LiveSource | undefined;
  /** the live value's file is still being written: reading waits for this. */
  private liveWait: Promise<LiveSource | false | undefined> | undefined;
  /** the zoomed window being fetched from a paused program (a newer zoom cancels it). */
  private fetching: vscode.CancellationTokenSource | undefined;
  /** the summary job offered to the page last (its chunks are read from this array). */
  private summaryJob:
    { id: number; ref: ArraySource; member?: string; maxBytes: number } | undefined;
  private summaryJobs = 0;
  /** the page said `ready` once (messages wait for that). */
  private sawReady = false;
  private readonly host: PanelHost<HostToWebview, WebviewToHost, RenderedReport>;

  /** how many times the page was reloaded because it never started */
  get reloads(): number {
    return this.host.reloads;
  }

  /** test builds: the panel's last messages and steps, for a test that waited in vain */
  private readonly recent: string[] = [];
  private readonly born = Date.now();

  /** What the panel is doing (test builds name it when a report never comes). */
  describe(): string {
    const p = this.panel;
    return (
      `${this.fileName}: page ${this.host.isReady ? 'ready' : 'not ready'}, ${this.host.reloads} reload(s), ` +
      `${p.visible ? 'visible' : 'hidden'}${p.active ? ', active' : ''}; last: ${this.recent.join(' · ') || 'nothing'}`
    );
  }

  private trace(what: string): void {
    if (TEST_HOOKS) {
      this.recent.push(`+${Date.now() - this.born} ms ${what}`);
      if (this.recent.length > 12) this.recent.shift();
    }
    trace(`${this.fileName} ${what}`);
  }
  /** the page's export answers, matched to requests by id */
  private readonly exports = new RpcClient<HeatmapWebviewApi>({
    send: (id, _method, { format }: { format: 'png' | 'csv' }) =>
      void this.post({ type: 'exportRequest', id, format }),
    timeoutMs: EXPORT_TIMEOUT_MS,
    timeoutMessage: () => 'the panel did not answer (is a heatmap shown?)',
  });

  constructor(
    readonly panel: vscode.WebviewPanel,
    /** the key reports are filed under (the file's URI, or a synthetic one). */
    readonly reportUri: vscode.Uri,
    readonly fileName: string,
    private readonly content: PanelContent,
    private readonly worker: WorkerClient,
    extensionUri: vscode.Uri,
    onDispose: () => void,
    /** test builds: where the page's rendered reports are filed (cleared on each load) */
    private readonly reports?: {
      set(r: RenderedReport): void;
      /** the first paint of a coarse preview (the full drawn level follows). */
      setCoarse?(r: RenderedReport): void;
      clear(): void;
    },
    /**
     * a pooled live value: zoomed windows come from the paused program. A promise: the file is
     * still being written (the editor opened early); false: it never will be (the tab closes).
     */
    live?: LiveSource | Promise<LiveSource | false | undefined>,
  ) {
    if (live instanceof Promise) this.liveWait = live;
    else this.live = live;
    this.host = new PanelHost(panel, {
      bundle: 'heatmap',
      pageTitle: fileName,
      extensionUri,
      onMessage: (m) => this.onMessage(m),
      onDispose: () => {
        this.loading?.cancel();
        this.fetching?.cancel();
        onDispose();
      },
    });
    if (TEST_HOOKS && reports)
      this.host.onReport((r) => (r.coarse ? reports.setCoarse?.(r) : reports.set(r)));
    this.trace('html set');
    // Read the array while the webview starts (about 1.4 s in code-server): what it shows
    // waits for its `ready`, not the other way round.
    void this.load();
  }

  private onMessage(m: WebviewToHost): void {
    this.trace(`← ${m.type}`);
    if (m.type === 'ready') {
      const first = !this.sawReady;
      this.sawReady = true;
      // the first `ready` of a panel that started reading at once (see the constructor): only a
      // restored page that showed another array asks for more; a later one is a reloaded page
      if (first) {
        if (this.content.kind === 'file' && m.entry !== undefined && m.entry !== this.member) {
          this.member = m.entry;
          void this.load();
        }
        return;
      }
      // a reloaded window: show the array the panel showed before
      if (m.entry !== undefined && this.member === undefined) this.member = m.entry;
      void this.load();
    } else if (m.type === 'selectEntry') void this.show(m.name);
    else if (m.type === 'requestSlice') void this.slice(m);
    else if (m.type === 'requestSummaryChunk') void this.summaryChunk(m);
    else if (m.type === 'exportReply') {
      const answer: ExportAnswer = { png: m.png, visible: m.visible, error: m.error };
      this.exports.settle(m.id, answer);
    } else if (m.type === 'export')
      void vscode.commands.executeCommand(
        m.format === 'png' ? 'matrixLens.exportPng' : 'matrixLens.exportCsv',
        undefined,
        this,
      );
  }

  private post(m: HostToWebview): Promise<boolean> {
    this.trace(`→ ${m.type}`);
    if (m.type === 'array') this.summary = m.view.summary;
    // (the panel starts reading before the page has loaded: PanelHost holds this until `ready`)
    return this.host.post(m);
  }

  /** Asks the webview for what to export (the PNG of its view, or its visible window). */
  requestExport(format: 'png' | 'csv'): Promise<ExportAnswer> {
    return this.exports.call('export', { format });
  }

  /** The visible window as CSV, at full resolution (read by the worker). */
  async csv(visible: HeatmapVisible): Promise<CsvResult> {
    if (this.live) {
      const cells =
        (visible.window.row1 - visible.window.row0) * (visible.window.col1 - visible.window.col0);
      if (cells > CSV_MAX_VALUES)
        throw new WorkerError(
          `the window has ${cells.toLocaleString('en-US')} values, over ${CSV_MAX_VALUES.toLocaleString('en-US')}: zoom in further`,
          'invalid',
        );
      const cts = new vscode.CancellationTokenSource();
      const f = await this.live.window(visible.window, undefined, cts.token);
      try {
        return await this.worker.call('csv', {
          source: { path: f.path },
          maxBytes: Number.MAX_SAFE_INTEGER,
          ...f.slice,
          window: { row0: 0, row1: 1 << 30, col0: 0, col1: 1 << 30 },
          maxValues: CSV_MAX_VALUES,
        });
      } finally {
        void this.worker.call('releaseArrays', { source: { path: f.path } }).catch(() => undefined);
        f.dispose();
        cts.dispose();
      }
    }
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
    void this.post({ type: 'drive', action });
  }

  /** (Re)reads the file: lists it, then shows the current (or first) array. */
  async load(): Promise<void> {
    const mine = ++this.generation;
    if (TEST_HOOKS) this.reports?.clear();
    if (this.content.kind === 'held') {
      void this.post({
        type: 'array',
        fileName: this.fileName,
        view: this.content.view,
        settings: viewSettings(),
        ...(this.content.restoreToken !== undefined
          ? { restoreToken: this.content.restoreToken }
          : {}),
      });
      this.offerSummary(this.content.view, { held: this.content.key }, undefined, 0);
      return;
    }
    void this.post({ type: 'loading', fileName: this.fileName });
    const uri = this.content.uri;
    if (this.liveWait) {
      const live = await this.liveWait;
      this.liveWait = undefined;
      if (live === false) return; // never written: its tab is being closed
      this.live = live;
      if (mine !== this.generation) return;
    }
    try {
      this.source = await sourceOf(uri);
      this.trace('listArrays…');
      const listing = await this.worker.call('listArrays', { source: this.source });
      this.trace('listArrays done');
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
        void this.post({ type: 'listing', fileName: this.fileName, listing, selected });
      await this.show(selected);
    } catch (e) {
      if (mine === this.generation)
        void this.post({
          type: 'error',
          fileName: this.fileName,
          message: `${this.fileName}: ${userMessage(e)}`,
        });
    }
  }

  /**
   * Posts an array: a large drawn level goes as its coarse preview first (painted at once),
   * then the full level (`refine`).
   */
  private postView(view: ArrayView, settings: ViewSettings): void {
    const { preview, ...rest } = view;
    if (!preview || !rest.heatmap) {
      void this.post({ type: 'array', fileName: this.fileName, view: rest, settings });
      return;
    }
    void this.post({
      type: 'array',
      fileName: this.fileName,
      view: { ...rest, heatmap: preview },
      settings,
      coarse: true,
    });
    void this.post({ type: 'refine', name: rest.name, heatmap: rest.heatmap });
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
      this.trace('openArray…');
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
      this.trace('openArray done');
      if (mine === this.entryGeneration) {
        this.postView(this.live ? this.live.adaptView(view) : view, viewSettings(this.content.uri));
        // a live value's summary is the paused program's (of the whole value, not this file)
        if (!this.live) this.offerSummary(view, this.source, name, settings.maxArrayBytes);
      }
    } catch (e) {
      if (mine !== this.entryGeneration || (e instanceof WorkerError && e.code === 'cancelled'))
        return;
      const message = `${label}: ${userMessage(e)}`;
      void this.post(
        multi
          ? { type: 'entryError', fileName: this.fileName, name, message }
          : { type: 'error', fileName: this.fileName, message },
      );
    } finally {
      cts.dispose();
      if (this.loading === cts) this.loading = undefined;
    }
  }

  /**
   * Offers the page the summary of the array just shown, for its compute router, when
   * `matrixLens.compute` and the size allow the GPU (otherwise the page shows the worker's
   * summary as computed on the CPU). With a reason in `refuse` the page says why not.
   */
  private offerSummary(
    view: ArrayView,
    ref: ArraySource,
    member: string | undefined,
    maxBytes: number,
  ): void {
    const id = ++this.summaryJobs;
    this.summaryJob = { id, ref, ...(member !== undefined ? { member } : {}), maxBytes };
    const mode = readSettings(this.content.kind === 'file' ? this.content.uri : undefined).compute;
    const count = view.stats.count;
    if (!mayUseGpu(mode, count)) return;
    const refuse = summaryGpuRefusal(view.stats, view.heatmap !== null);
    const job: SummaryJob = {
      id,
      name: view.name,
      mode,
      count,
      chunkValues: SUMMARY_CHUNK_VALUES,
      exactInFloat32: EXACT_IN_FLOAT32.has(view.dtype),
      ...(refuse ? { refuse } : {}),
    };
    void this.post({ type: 'summaryJob', job });
  }

  /** One chunk of the summary job's values, read by the worker (one at a time: the page asks). */
  private async summaryChunk(
    m: Extract<WebviewToHost, { type: 'requestSummaryChunk' }>,
  ): Promise<void> {
    const job = this.summaryJob;
    const answer = (a: { data?: Float32Array; error?: string }) =>
      void this.post({ type: 'summaryChunk', id: m.id, start: m.start, ...a });
    if (!job || job.id !== m.id) return answer({ error: 'superseded' });
    try {
      const { data } = await this.worker.call('summaryValues', {
        source: job.ref,
        ...(job.member !== undefined ? { member: job.member } : {}),
        maxBytes: job.maxBytes || Number.MAX_SAFE_INTEGER,
        start: m.start,
        count: m.count,
      });
      answer(this.summaryJob === job ? { data } : { error: 'superseded' });
    } catch (e) {
      answer({ error: userMessage(e) });
    }
  }

  /** A zoomed window of a pooled live value, fetched from the paused program and drawn in place. */
  private async liveWindow(
    live: LiveSource,
    m: Extract<WebviewToHost, { type: 'requestSlice' }> & { window: CellWindow },
  ): Promise<void> {
    this.fetching?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.fetching = cts;
    const settings = readSettings(this.content.kind === 'file' ? this.content.uri : undefined);
    let f: WindowFile | undefined;
    try {
      f = await live.window(m.window, settings.maxCells, cts.token);
      if (cts.token.isCancellationRequested) return;
      const h = await this.worker.call('slice', {
        source: { path: f.path },
        maxBytes: Number.MAX_SAFE_INTEGER,
        maxCells: settings.maxCells,
        pooling: settings.pooling,
        ...f.slice,
      });
      if (cts.token.isCancellationRequested) return;
      const heatmap = live.placeWindow(h, f);
      void this.post({ type: 'slice', heatmap, ...(m.seq !== undefined ? { seq: m.seq } : {}) });
    } catch (e) {
      if (cts.token.isCancellationRequested) return;
      void this.post({
        type: 'detailError',
        message: `${this.fileName}: ${userMessage(e)}`,
        ...(m.seq !== undefined ? { seq: m.seq } : {}),
      });
    } finally {
      if (f) {
        const path = f.path;
        void this.worker.call('releaseArrays', { source: { path } }).catch(() => undefined);
        f.dispose();
      }
      cts.dispose();
      if (this.fetching === cts) this.fetching = undefined;
    }
  }

  private async slice(m: Extract<WebviewToHost, { type: 'requestSlice' }>): Promise<void> {
    if (this.live && m.window) return this.liveWindow(this.live, { ...m, window: m.window });
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
      void this.post({
        type: 'slice',
        heatmap: this.live ? this.live.adaptHeatmap(heatmap) : heatmap,
        ...(m.seq !== undefined ? { seq: m.seq } : {}),
      });
    } catch (e) {
      const label =
        this.listing && this.listing.fileFormat !== 'npy' && member
          ? `${this.fileName} › ${member}`
          : this.fileName;
      const message = `${label}: ${userMessage(e)}`;
      void this.post(
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

const T0 = Date.now();
/** MATRIX_LENS_TRACE=1: timestamps of the editor's messages on the host log. */
function trace(what: string): void {
  if (process.env.MATRIX_LENS_TRACE)
    console.log(`[trace ${Date.now()} +${Date.now() - T0} ms] ${what}`);
}
