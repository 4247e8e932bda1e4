/**
 * The array panel: for multi-array files a side list of the arrays (and safetensors
 * metadata); for the array shown, its metadata, the one-line summary, a dimension picker for
 * N-D arrays, and a heatmap of a 2-D slice (WebGL2, or canvas 2D as the fallback). This file
 * is the page: it holds the state, answers the host's messages and puts the components
 * together — the side list (sidebar.ts), the slice picker (dimPicker.ts) and the plot
 * (plot.ts: toolbar, axes, canvas, colorbar, tooltip, input). Colormap, range mode, entry,
 * slice and zoom are kept with `setState` so they survive hiding and a window reload. After
 * every settled render it reports what its DOM shows to the host.
 */
import type { HeatmapData } from '../../src/protocol/common';
import type { DriveAction, HostToWebview, SummaryJob } from '../../src/protocol/heatmap';
import type { RenderedReport } from '../../src/protocol/testing';
import { COLORMAPS, type ColormapName } from '../../src/core/color/colormaps';
import { formatBytes } from '../../src/core/array/ndarray';
import { RANGE_MODES, type RangeMode } from '../../src/core/view/range';
import { floatValues } from '../shared/values';
import { addStyle, el, onHostMessage, vscode } from '../shared/vscode';
import { covers } from '../shared/heatmap/layer';
import { cellsOf, sameCells, windowOfCells } from '../shared/viewWindow';
import { layerOf, shapeText } from './data';
import { dimPicker, showIndices } from './dimPicker';
import { Plot, type PlotHost } from './plot';
import { Sidebar } from './sidebar';
import {
  carriedOver,
  prefsOf,
  savedOf,
  shownFor,
  type Drawable,
  type PanelState,
  type Saved,
  type Shown,
} from './state';
import { loseDeviceForTest, runSummaryJob } from './gpuSummary';
import {
  cpuSummaryLine,
  gpuSummaryLines,
  type ComputeLine,
  type GpuSummaryNumbers,
} from './summaryText';
import css from './styles.css';

addStyle(css);
const app = document.getElementById('app')!;

const state: PanelState = { fileName: '', seq: 0, detailSeq: 0 };
const saved: Saved = (vscode.getState() as Saved | undefined) ?? {};
const prefs = prefsOf(saved);
/** Inspect Selection panels: kept so the host can bring the selection back after a reload. */
let restoreToken: string | undefined = saved.restoreToken;
/** the slice and zoom to restore when the saved entry is shown again. */
let restore: Saved | undefined = saved.entry !== undefined || saved.shape ? saved : undefined;

// Persistent parts: the side list survives re-renders of the main area so that it keeps focus.
let sidebar: Sidebar | undefined;
let main: HTMLElement = el('main', { class: 'main' });
let plotArea: HTMLElement | undefined;
let plot: Plot | undefined;

const post = (m: Parameters<typeof vscode.postMessage>[0]): void => vscode.postMessage(m);

function persist(): void {
  vscode.setState(savedOf(state, prefs, restoreToken, restore));
}

const plotHost: PlotHost = {
  prefs,
  actions: {
    colormap: (name) => setColormap(name),
    rangeMode: (mode) => setRangeMode(mode),
    zoom: (f) => plot?.zoomBy(f),
    resetZoom: () => plot?.setView(undefined),
    export: (format) => post({ type: 'export', format }),
  },
  persist,
  requestDetail,
  report,
  availableWidth: () => main.clientWidth,
};

// ---------- layout and states ----------

function setMain(...children: HTMLElement[]): void {
  plot?.dispose();
  plot = undefined;
  main = el('main', { class: 'main' });
  main.append(...children);
  const layout = el('div', { class: sidebar ? 'layout with-sidebar' : 'layout' });
  if (sidebar) layout.append(sidebar.root);
  layout.append(main);
  app.replaceChildren(layout);
}

/** the workspace is untrusted: say why the file is shown anyway (settings.restricted). */
let restricted = false;

function report(r: RenderedReport): void {
  const base: Pick<RenderedReport, 'entry' | 'entries' | 'metadataKeys'> = {};
  if (state.selected !== undefined) base.entry = state.selected;
  if (state.listing) base.entries = state.listing.entries.map((e) => e.name);
  if (state.listing?.metadata) base.metadataKeys = Object.keys(state.listing.metadata);
  const restrictedLine = document.getElementById('restricted')?.textContent;
  post({
    type: 'rendered',
    report: {
      ...base,
      ...(restrictedLine ? { restricted: restrictedLine } : {}),
      ...(state.shown?.coarse && r.heatmap ? { coarse: true } : {}),
      ...r,
    },
  });
}

function showLoading(text: string): void {
  setMain(el('div', { class: 'loading', role: 'status' }, text));
}

function showError(message: string): void {
  const box = el('div', { class: 'error', role: 'alert' });
  box.append(
    el('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }),
    el('span', { id: 'error-text' }, message),
  );
  setMain(box);
  report({ summary: '', heatmap: null, error: message });
}

function selectEntry(name: string): void {
  dropSummaryJob();
  state.selected = name;
  persist();
  state.shown = undefined;
  sidebar?.mark();
  showLoading(`Reading ${name}…`);
  post({ type: 'selectEntry', name });
}

// ---------- the array ----------

function metaItem(label: string, value: string, id: string): HTMLElement {
  const span = el('span');
  span.append(el('dt', {}, label), el('dd', { id }, value));
  return span;
}

function showArray(s: Shown): void {
  const { view } = s;
  const meta = el('dl', { class: 'meta' });
  meta.append(
    el('span', { class: 'file' }, state.fileName + (view.name ? ` › ${view.name}` : '')),
    metaItem('dtype', view.dtype, 'meta-dtype'),
    metaItem('shape', shapeText(view.shape), 'meta-shape'),
    metaItem(
      'order',
      view.shape.length < 2 ? 'C' : view.fortranOrder ? 'Fortran (column-major)' : 'C (row-major)',
      'meta-order',
    ),
    metaItem(
      'size',
      `${formatBytes(view.byteLength)} (${view.byteLength.toLocaleString('en-US')} bytes)`,
      'meta-bytes',
    ),
  );
  const children: HTMLElement[] = [
    meta,
    el('div', { class: 'summary', id: 'summary' }, view.summary),
    el('div', { class: 'summary-compute', id: 'summary-compute', role: 'note' }),
  ];
  if (view.notice)
    children.push(el('div', { class: 'notice', id: 'notice', role: 'status' }, view.notice));
  if (restricted)
    children.push(
      el(
        'div',
        { class: 'notice restricted', id: 'restricted', role: 'note' },
        'Restricted Mode: Matrix Lens reads this file with its own parsers; nothing in it is executed, imported or unpickled.',
      ),
    );
  if (s.base && view.shape.length >= 2) children.push(dimPicker(s, setSlice));
  plotArea = el('div', { class: 'plot-area' });
  children.push(plotArea);
  setMain(...children);
  showComputeLines(
    view.computed ? [{ key: 'summary-where', text: cpuSummaryLine(view.computed) }] : [],
  );
  drawPlot(s);
}

// ---------- where the summary was computed ----------

/** the summary job running now (its chunks are asked from the host one at a time) */
let summaryJob: SummaryJob | undefined;
const chunkWaiters = new Map<
  string,
  (m: Extract<HostToWebview, { type: 'summaryChunk' }>) => void
>();
/** test builds: the GPU's last summary numbers */
let lastGpuSummary: GpuSummaryNumbers | undefined;

function showComputeLines(lines: ComputeLine[], pending?: string): void {
  const box = document.getElementById('summary-compute');
  if (!box) return;
  box.replaceChildren(
    ...lines.map((l) =>
      el(
        'div',
        {
          'data-key': l.key,
          ...(l.warn ? { class: 'warn', role: 'alert' } : {}),
        },
        l.text,
      ),
    ),
    ...(pending ? [el('div', { class: 'pending' }, pending)] : []),
  );
}

/** Ends the summary job running (a newer array is shown): its chunk requests answer nothing. */
function dropSummaryJob(): void {
  summaryJob = undefined;
  for (const w of chunkWaiters.values())
    w({ type: 'summaryChunk', id: -1, start: -1, error: 'superseded' });
  chunkWaiters.clear();
}

function requestChunk(
  job: SummaryJob,
  start: number,
  count: number,
): Promise<Float32Array | undefined> {
  if (summaryJob !== job) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    chunkWaiters.set(`${job.id}:${start}`, (m) => {
      if (m.error === 'superseded' || summaryJob !== job) resolve(undefined);
      else if (m.error !== undefined) reject(new Error(m.error));
      // a typed array serialized on the way would lose the sign of ±Inf: not summarised
      else if (!(m.data instanceof Float32Array) || m.data.length !== count)
        reject(new Error('the values did not arrive as float32'));
      else resolve(m.data);
    });
    post({ type: 'requestSummaryChunk', id: job.id, start, count });
  });
}

async function onSummaryJob(job: SummaryJob): Promise<void> {
  const s = state.shown;
  if (!s || s.view.name !== job.name) return;
  dropSummaryJob();
  summaryJob = job;
  const view = s.view;
  const cpuLines: ComputeLine[] = view.computed
    ? [{ key: 'summary-where', text: cpuSummaryLine(view.computed) }]
    : [];
  if (!job.refuse) showComputeLines(cpuLines, 'summary on the GPU…');
  const o = await runSummaryJob(job, (start, count) => requestChunk(job, start, count));
  if (summaryJob !== job || state.shown?.view !== view || o.where === 'superseded') return;
  summaryJob = undefined;
  if (o.where === 'gpu') {
    if (TEST_HOOKS) {
      const { count, finite, nan, posInf, negInf, min, max, mean } = o.value;
      lastGpuSummary = { count, finite, nan, posInf, negInf, min, max, mean };
    }
    showComputeLines(
      gpuSummaryLines(o.label, o.value, view.stats, {
        exactInFloat32: job.exactInFloat32,
        uploadMs: o.value.uploadMs,
        chunks: o.value.chunks,
      }),
    );
  } else
    showComputeLines([
      ...cpuLines,
      ...(o.note ? [{ key: 'summary-note', text: o.note, warn: true }] : []),
    ]);
}

if (TEST_HOOKS)
  (
    window as unknown as {
      __matrixLensHeatmap: {
        loseGpu(): Promise<boolean>;
        gpuSummary(): GpuSummaryNumbers | undefined;
      };
    }
  ).__matrixLensHeatmap = {
    loseGpu: loseDeviceForTest,
    gpuSummary: () => lastGpuSummary,
  };

/** Shows another slice: the dimension picker is rebuilt when the axes change. */
function setSlice(rowAxis: number, colAxis: number, indices: number[]): void {
  const s = state.shown;
  if (!s) return;
  const axesChanged = rowAxis !== s.rowAxis || colAxis !== s.colAxis;
  s.rowAxis = rowAxis;
  s.colAxis = colAxis;
  s.indices = s.view.shape.map((_, i) => (i === rowAxis || i === colAxis ? 0 : (indices[i] ?? 0)));
  if (axesChanged) s.zoom = undefined;
  s.detail = null;
  if (axesChanged) document.getElementById('dims')?.replaceWith(dimPicker(s, setSlice));
  else showIndices(s);
  persist();
  requestBase();
}

/** The slice shown, as the host names it. */
function sliceOf(s: Shown) {
  return {
    rowAxis: s.rowAxis,
    colAxis: s.colAxis,
    indices: s.indices,
    ...(state.selected !== undefined ? { name: state.selected } : {}),
  };
}

function requestBase(): void {
  const s = state.shown;
  if (!s) return;
  s.coarse = false; // the answer replaces the preview
  state.seq++;
  state.detailSeq++;
  post({ type: 'requestSlice', ...sliceOf(s), seq: state.seq });
  plotArea?.setAttribute('aria-busy', 'true');
}

/**
 * When zoomed into a pooled slice, asks the worker for the window in view at the finest
 * resolution maxCells allows. Returns whether a request went out (the report then waits
 * for its answer).
 */
function requestDetail(): boolean {
  const s = state.shown;
  const b = s?.base;
  if (!s || !b || !s.zoom || (b.rowStep === 1 && b.colStep === 1)) return false;
  const win = cellsOf(s.zoom);
  const d = s.detail;
  if (d?.window) {
    const fullRes = d.rowStep === 1 && d.colStep === 1;
    if ((fullRes && covers(layerOf(d), windowOfCells(win))) || sameCells(d.window, win))
      return false;
  }
  state.detailSeq++;
  post({ type: 'requestSlice', ...sliceOf(s), window: win, seq: -state.detailSeq });
  return true;
}

function drawPlot(s: Shown): void {
  if (!plotArea) return;
  plotArea.removeAttribute('aria-busy');
  plot?.dispose();
  plot = undefined;
  const summary = document.getElementById('summary')?.textContent ?? s.view.summary;
  if (!s.base) {
    plotArea.replaceChildren();
    report({ summary, heatmap: null, ...(s.view.notice ? { notice: s.view.notice } : {}) });
    return;
  }
  if (s.base.rows * s.base.cols === 0) {
    plotArea.replaceChildren(el('div', { class: 'note' }, 'Empty array: nothing to draw.'));
    report({ summary, heatmap: null });
    return;
  }
  plot = new Plot(s as Drawable, plotHost);
  plotArea.replaceChildren(plot.root);
  plot.start();
}

function setColormap(name: string): void {
  if (!(COLORMAPS as string[]).includes(name) || name === prefs.colormap) return;
  prefs.colormap = name as ColormapName;
  persist();
  plot?.recolor();
}

function setRangeMode(mode: string): void {
  if (!RANGE_MODES.includes(mode as RangeMode) || mode === prefs.rangeMode) return;
  prefs.rangeMode = mode as RangeMode;
  persist();
  plot?.recolor();
}

// ---------- host messages ----------

function drive(a: DriveAction): void {
  switch (a.kind) {
    case 'selectEntry':
      if (!sidebar?.click(a.name)) selectEntry(a.name);
      break;
    case 'setSlice':
      setSlice(a.rowAxis, a.colAxis, a.indices);
      break;
    case 'zoom':
      plot?.setView(windowOfCells(a.window), 0);
      break;
    case 'resetZoom':
      plot?.setView(undefined, 0);
      break;
    case 'setColormap':
      setColormap(a.colormap);
      break;
    case 'setRangeMode':
      setRangeMode(a.mode);
      break;
  }
}

async function answerExport(id: number, format: 'png' | 'csv'): Promise<void> {
  // the array may be being (re)read (the file changed on disk): wait for it to be drawn
  for (let waited = 0; !plot && waited < 10_000; waited += 100)
    await new Promise((r) => setTimeout(r, 100));
  const s = state.shown;
  if (!plot || !s?.base) {
    post({ type: 'exportReply', id, error: 'no heatmap is shown' });
    return;
  }
  try {
    if (format === 'png') post({ type: 'exportReply', id, png: await plot.png() });
    else
      post({
        type: 'exportReply',
        id,
        visible: { ...sliceOf(s), window: plot.visibleCells() },
      });
  } catch (e) {
    post({ type: 'exportReply', id, error: e instanceof Error ? e.message : String(e) });
  }
}

function onArray(m: Extract<HostToWebview, { type: 'array' }>): void {
  if (m.view.heatmap) m.view.heatmap.values = floatValues(m.view.heatmap.values);
  state.fileName = m.fileName;
  if (m.restoreToken !== undefined) restoreToken = m.restoreToken;
  if (state.listing && m.view.name !== state.selected) return; // an answer for an entry no longer selected
  if (!state.listing) {
    sidebar = undefined;
    state.selected = m.view.name;
  }
  if (prefs.settingsColormap !== m.settings.colormap) {
    // the setting changed (or is seen for the first time): it wins over the panel's choice
    prefs.settingsColormap = m.settings.colormap;
    if ((COLORMAPS as string[]).includes(m.settings.colormap))
      prefs.colormap = m.settings.colormap as ColormapName;
  }
  prefs.renderer = m.settings.renderer ?? 'auto';
  restricted = m.settings.restricted === true;
  dropSummaryJob();
  const carried = m.view.heatmap ? carriedOver(state.shown, m.view, restore) : undefined;
  if (carried?.fromRestore) restore = undefined;
  const { s, differs } = shownFor(m.view, carried?.keep);
  if (m.coarse) s.coarse = true;
  state.shown = s;
  state.seq++;
  state.detailSeq++;
  showArray(s);
  // a kept slice other than the one sent: show the array, then the slice when it arrives
  if (differs) requestBase();
  else persist();
}

function onSlice(m: { heatmap: HeatmapData; seq?: number }): void {
  m.heatmap.values = floatValues(m.heatmap.values);
  const s = state.shown;
  if (!s) return;
  if (m.heatmap.window) {
    // a zoom window: drawn over the base while it is in view
    if (m.seq !== -state.detailSeq) return;
    if (plot) plot.setDetail(m.heatmap);
    else s.detail = m.heatmap;
  } else if (m.seq === undefined || m.seq === state.seq) {
    s.base = m.heatmap;
    s.detail = null;
    drawPlot(s);
  }
}

/** The full drawn level after a coarse preview: replaces it in place (zoom kept). */
function onRefine(m: Extract<HostToWebview, { type: 'refine' }>): void {
  const s = state.shown;
  if (!s?.coarse || s.view.name !== m.name) return;
  s.coarse = false;
  s.base = { ...m.heatmap, values: floatValues(m.heatmap.values) };
  drawPlot(s);
}

function handle(m: HostToWebview): void {
  switch (m.type) {
    case 'loading':
      state.fileName = m.fileName;
      showLoading(`Reading ${m.fileName}…`);
      break;
    case 'listing':
      state.fileName = m.fileName;
      state.listing = m.listing;
      state.selected = m.selected;
      sidebar = new Sidebar(m.listing, () => state.selected, selectEntry);
      sidebar.mark();
      showLoading(`Reading ${m.selected}…`);
      break;
    case 'error':
      sidebar = undefined;
      state.listing = undefined;
      state.selected = undefined;
      state.shown = undefined;
      showError(m.message);
      break;
    case 'entryError':
      if (state.selected !== m.name) break;
      state.shown = undefined;
      showError(m.message);
      break;
    case 'array':
      onArray(m);
      break;
    case 'slice':
      onSlice(m);
      break;
    case 'refine':
      onRefine(m);
      break;
    case 'detailError':
      if (m.seq === -state.detailSeq) plot?.setDetailError(m.message);
      break;
    case 'drive':
      drive(m.action);
      break;
    case 'exportRequest':
      void answerExport(m.id, m.format);
      break;
    case 'summaryJob':
      void onSummaryJob(m.job);
      break;
    case 'summaryChunk': {
      const key = `${m.id}:${m.start}`;
      const w = chunkWaiters.get(key);
      chunkWaiters.delete(key);
      w?.(m);
      break;
    }
  }
}

onHostMessage((m: HostToWebview) => {
  try {
    handle(m);
  } catch (e) {
    // a bug in this page: say so in one line (never a stack trace) rather than show nothing
    showError(
      `${state.fileName || 'Matrix Lens'}: the panel failed to draw (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
    );
  }
});

post({ type: 'ready', ...(saved.entry !== undefined ? { entry: saved.entry } : {}) });
