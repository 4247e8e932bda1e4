/**
 * The array panel: for multi-array files a side list of the arrays (and safetensors
 * metadata); for the array shown, its metadata, the one-line summary, a dimension picker for
 * N-D arrays, and a heatmap of a 2-D slice (WebGL2, or canvas 2D as the fallback) with a
 * toolbar (colormap, range mode, zoom, export), a colorbar, row/column axes, a hover tooltip,
 * wheel/drag/keyboard zoom and pan. Pan and zoom within the data held are instant (the GPU
 * only changes its transform); zoomed in past the pooled resolution, the window in view is
 * fetched from the worker at full resolution and drawn on top. Colormap, range mode, entry,
 * slice and zoom are kept with `setState` so they survive hiding and a window reload. After
 * every settled render it reports what its DOM shows to the host.
 */
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import type { ArrayListing, ArrayView, HeatmapData } from '../../src/protocol/common';
import type { DriveAction, HostToWebview } from '../../src/protocol/heatmap';
import type { RenderedReport } from '../../src/protocol/testing';
import {
  COLORMAPS,
  ColormapName,
  SPECIAL_COLORS,
  colormapLut,
} from '../../src/core/color/colormaps';
import { formatBytes } from '../../src/core/array/ndarray';
import { niceTicks } from '../../src/core/view/ticks';
import { ColorRange, RANGE_MODES, RangeMode, colorRange } from '../../src/core/view/range';
import { formatNumber } from '../../src/core/stats/summary';
import { addStyle, el, onHostMessage, vscode } from '../shared/vscode';
import { cellOf, covers, type Layer, type ViewWindow } from '../shared/heatmap/layer';
import {
  createRenderer,
  type HeatmapRenderer,
  type RendererPreference,
} from '../shared/heatmap/renderer';
import { paintColorbar } from './render';
import css from './styles.css';

addStyle(css);
const app = document.getElementById('app')!;

interface Shown {
  view: ArrayView;
  /** the whole slice (pooled when large). */
  base: HeatmapData | null;
  /** a window fetched at higher resolution while zoomed (drawn over the base). */
  detail: HeatmapData | null;
  rowAxis: number;
  colAxis: number;
  indices: number[];
  /** the full-resolution region in view; undefined = the whole slice. */
  zoom: ViewWindow | undefined;
}

interface State {
  fileName: string;
  listing?: ArrayListing;
  selected?: string;
  shown?: Shown;
  /** the last base slice request; older answers are ignored. */
  seq: number;
  /** the last detail (zoom window) request. */
  detailSeq: number;
}

/** What survives hiding and a window reload (`vscode.setState`). */
interface Saved {
  entry?: string;
  colormap?: ColormapName;
  rangeMode?: RangeMode;
  /** the colormap setting when the colormap was last taken from it. */
  settingsColormap?: string;
  rowAxis?: number;
  colAxis?: number;
  indices?: number[];
  shape?: number[];
  zoom?: ViewWindow;
  /** Inspect Selection panels: the host's key for the selection text (window reload). */
  restoreToken?: string;
}

const state: State = { fileName: '', seq: 0, detailSeq: 0 };
const saved: Saved = (vscode.getState() as Saved | undefined) ?? {};
const ui = {
  colormap: (COLORMAPS as string[]).includes(saved.colormap ?? '')
    ? saved.colormap!
    : ('viridis' as ColormapName),
  rangeMode: RANGE_MODES.includes(saved.rangeMode as RangeMode)
    ? saved.rangeMode!
    : ('minmax' as RangeMode),
  settingsColormap: saved.settingsColormap,
  renderer: 'auto' as RendererPreference,
};
/** Inspect Selection panels: kept so the host can bring the selection back after a reload. */
let restoreToken: string | undefined = saved.restoreToken;
/** the slice and zoom to restore when the saved entry is shown again. */
let restore: Saved | undefined = saved.entry !== undefined || saved.shape ? saved : undefined;

function persist(): void {
  const s = state.shown;
  const out: Saved = {
    colormap: ui.colormap,
    rangeMode: ui.rangeMode,
    ...(ui.settingsColormap !== undefined ? { settingsColormap: ui.settingsColormap } : {}),
    ...(state.selected !== undefined ? { entry: state.selected } : {}),
    ...(restoreToken !== undefined ? { restoreToken } : {}),
  };
  if (s?.base) {
    out.rowAxis = s.rowAxis;
    out.colAxis = s.colAxis;
    out.indices = s.indices;
    out.shape = s.view.shape;
    if (s.zoom) out.zoom = s.zoom;
  } else if (restore) {
    // not shown yet: keep what is still to be restored
    Object.assign(out, { ...restore, colormap: ui.colormap, rangeMode: ui.rangeMode });
  }
  vscode.setState(out);
}

// Persistent parts: the side list survives re-renders of the main area so that it keeps focus.
let sidebar: HTMLElement | undefined;
let main: HTMLElement = el('main', { class: 'main' });
let plotArea: HTMLElement | undefined;
let sliceTimer: ReturnType<typeof setTimeout> | undefined;

function post(m: Parameters<typeof vscode.postMessage>[0]): void {
  vscode.postMessage(m);
}

function mount(): void {
  const children: HTMLElement[] = [];
  if (sidebar) children.push(sidebar);
  children.push(main);
  const layout = el('div', { class: sidebar ? 'layout with-sidebar' : 'layout' });
  layout.append(...children);
  app.replaceChildren(layout);
}

function setMain(...children: HTMLElement[]): void {
  plot?.dispose();
  plot = undefined;
  main = el('main', { class: 'main' });
  main.append(...children);
  mount();
}

// ---------- reports ----------

function baseReport(): Pick<RenderedReport, 'entry' | 'entries' | 'metadataKeys'> {
  const r: Pick<RenderedReport, 'entry' | 'entries' | 'metadataKeys'> = {};
  if (state.selected !== undefined) r.entry = state.selected;
  if (state.listing) r.entries = state.listing.entries.map((e) => e.name);
  if (state.listing?.metadata) r.metadataKeys = Object.keys(state.listing.metadata);
  return r;
}

function report(r: RenderedReport): void {
  vscode.postMessage({ type: 'rendered', report: { ...baseReport(), ...r } });
}

// ---------- states ----------

function showLoading(text: string): void {
  setMain(el('div', { class: 'loading', role: 'status' }, text));
}

function errorBox(message: string): HTMLElement {
  const box = el('div', { class: 'error', role: 'alert' });
  box.append(
    el('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }),
    el('span', { id: 'error-text' }, message),
  );
  return box;
}

function showError(message: string): void {
  setMain(errorBox(message));
  report({ summary: '', heatmap: null, error: message });
}

// ---------- side list ----------

function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

function buildSidebar(listing: ArrayListing): HTMLElement {
  const nav = el('nav', { class: 'sidebar', 'aria-label': 'Arrays in this file' });
  const n = listing.entries.length;
  nav.append(
    el(
      'div',
      { class: 'sidebar-title' },
      `${n} array${n === 1 ? '' : 's'} · .${listing.fileFormat}`,
    ),
  );
  const list = el('ul', { id: 'entries', role: 'listbox', tabindex: '0', 'aria-label': 'Arrays' });
  listing.entries.forEach((e, i) => {
    const li = el('li', {
      role: 'option',
      id: `entry-${i}`,
      'aria-selected': 'false',
      title: e.name,
    });
    li.dataset.name = e.name;
    li.append(
      el('span', { class: 'entry-name' }, e.name || '(unnamed)'),
      el(
        'span',
        { class: 'entry-meta' },
        `${e.dtype} ${shapeText(e.shape)} · ${formatBytes(e.byteLength)}`,
      ),
    );
    li.addEventListener('click', () => {
      list.focus();
      selectEntry(e.name);
    });
    list.append(li);
  });
  list.addEventListener('keydown', (ev) => {
    const items = [...list.querySelectorAll<HTMLElement>('li[role=option]')];
    if (!items.length) return;
    const cur = Math.max(
      0,
      items.findIndex((li) => li.dataset.name === state.selected),
    );
    const next =
      ev.key === 'ArrowDown'
        ? cur + 1
        : ev.key === 'ArrowUp'
          ? cur - 1
          : ev.key === 'Home'
            ? 0
            : ev.key === 'End'
              ? items.length - 1
              : ev.key === 'Enter' || ev.key === ' '
                ? cur
                : undefined;
    if (next === undefined) return;
    ev.preventDefault();
    const target = items[Math.min(items.length - 1, Math.max(0, next))];
    if (
      target.dataset.name !== undefined &&
      (target.dataset.name !== state.selected || ev.key === 'Enter')
    )
      selectEntry(target.dataset.name);
  });
  nav.append(list);
  const meta = listing.metadata;
  if (meta && Object.keys(meta).length) {
    const details = el('details', { id: 'metadata', open: '' });
    details.append(el('summary', {}, `Metadata (${Object.keys(meta).length})`));
    const dl = el('dl', { class: 'kv' });
    for (const [k, v] of Object.entries(meta)) dl.append(el('dt', {}, k), el('dd', {}, v));
    details.append(dl);
    nav.append(details);
  }
  return nav;
}

function markSelected(): void {
  if (!sidebar) return;
  const list = sidebar.querySelector<HTMLElement>('#entries');
  for (const li of sidebar.querySelectorAll<HTMLElement>('li[role=option]')) {
    const on = li.dataset.name === state.selected;
    li.setAttribute('aria-selected', String(on));
    if (on) {
      list?.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    }
  }
}

function selectEntry(name: string): void {
  state.selected = name;
  persist();
  state.shown = undefined;
  markSelected();
  showLoading(`Reading ${name}…`);
  post({ type: 'selectEntry', name });
}

// ---------- the array ----------

function metaItem(label: string, value: string, id: string): HTMLElement {
  const span = el('span');
  span.append(el('dt', {}, label), el('dd', { id }, value));
  return span;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '−Inf';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

function poolingName(h: HeatmapData): string {
  return h.pooling === 'maxabs' ? 'max-|x|' : 'mean';
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
  const summary = el('div', { class: 'summary', id: 'summary' }, view.summary);
  const children: HTMLElement[] = [meta, summary];
  if (view.notice)
    children.push(el('div', { class: 'notice', id: 'notice', role: 'status' }, view.notice));
  if (s.base && view.shape.length >= 2) children.push(dimPicker(s));
  plotArea = el('div', { class: 'plot-area' });
  children.push(plotArea);
  setMain(...children);
  drawPlot(s);
}

/** Row/column axis selects and one slider + number per other axis. */
function dimPicker(s: Shown): HTMLElement {
  const nd = s.view.shape.length;
  const box = el('div', { class: 'dims', id: 'dims', role: 'group', 'aria-label': 'Slice' });
  const axisSelect = (id: string, label: string, value: number) => {
    const wrap = el('label', { class: 'dim' });
    const sel = el('select', { id });
    for (let i = 0; i < nd; i++) {
      const o = el('option', { value: String(i) }, `axis ${i} (${s.view.shape[i]})`);
      if (i === value) o.selected = true;
      sel.append(o);
    }
    wrap.append(document.createTextNode(label), sel);
    return { wrap, sel };
  };
  const rows = axisSelect('row-axis', 'rows', s.rowAxis);
  const cols = axisSelect('col-axis', 'columns', s.colAxis);
  box.append(rows.wrap, cols.wrap);
  const onAxes = (changed: 'row' | 'col') => {
    let r = Number(rows.sel.value);
    let c = Number(cols.sel.value);
    if (r === c) {
      // picking the other's axis swaps them
      if (changed === 'row') c = s.rowAxis;
      else r = s.colAxis;
    }
    setSlice(r, c, s.indices);
  };
  rows.sel.addEventListener('change', () => onAxes('row'));
  cols.sel.addEventListener('change', () => onAxes('col'));
  for (let i = 0; i < nd; i++) {
    if (i === s.rowAxis || i === s.colAxis) continue;
    const n = s.view.shape[i];
    const wrap = el('label', { class: 'dim' });
    const range = el('input', {
      type: 'range',
      id: `index-${i}`,
      min: '0',
      max: String(Math.max(0, n - 1)),
      step: '1',
      value: String(s.indices[i] ?? 0),
      'aria-label': `index along axis ${i}`,
    });
    const num = el('input', {
      type: 'number',
      id: `index-num-${i}`,
      min: '0',
      max: String(Math.max(0, n - 1)),
      step: '1',
      value: String(s.indices[i] ?? 0),
      'aria-label': `index along axis ${i} (number)`,
    });
    const apply = (raw: string, debounce: boolean) => {
      const v = Math.min(n - 1, Math.max(0, Math.floor(Number(raw) || 0)));
      range.value = num.value = String(v);
      const indices = [...s.indices];
      indices[i] = v;
      if (sliceTimer) clearTimeout(sliceTimer);
      if (debounce) sliceTimer = setTimeout(() => setSlice(s.rowAxis, s.colAxis, indices), 60);
      else setSlice(s.rowAxis, s.colAxis, indices);
    };
    range.addEventListener('input', () => apply(range.value, true));
    num.addEventListener('change', () => apply(num.value, false));
    wrap.append(document.createTextNode(`axis ${i}`), range, num);
    box.append(wrap);
  }
  return box;
}

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
  if (axesChanged) {
    const old = document.getElementById('dims');
    old?.replaceWith(dimPicker(s));
  } else {
    for (let i = 0; i < s.indices.length; i++) {
      for (const id of [`index-${i}`, `index-num-${i}`]) {
        const input = document.getElementById(id) as HTMLInputElement | null;
        if (input && document.activeElement !== input) input.value = String(s.indices[i]);
      }
    }
  }
  persist();
  requestBase();
}

function requestBase(): void {
  const s = state.shown;
  if (!s) return;
  state.seq++;
  state.detailSeq++;
  post({
    type: 'requestSlice',
    rowAxis: s.rowAxis,
    colAxis: s.colAxis,
    indices: s.indices,
    seq: state.seq,
    ...(state.selected !== undefined ? { name: state.selected } : {}),
  });
  plotArea?.setAttribute('aria-busy', 'true');
}

/** Whole cells of `w` (what is at least partly in view). */
function cellsOf(w: ViewWindow): { row0: number; row1: number; col0: number; col1: number } {
  return {
    row0: Math.max(0, Math.floor(w.r0 + 1e-9)),
    row1: Math.ceil(w.r1 - 1e-9),
    col0: Math.max(0, Math.floor(w.c0 + 1e-9)),
    col1: Math.ceil(w.c1 - 1e-9),
  };
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
  if (
    d?.window &&
    d.rowStep === 1 &&
    d.colStep === 1 &&
    covers(layerOf(d), { r0: win.row0, r1: win.row1, c0: win.col0, c1: win.col1 })
  )
    return false;
  if (
    d?.window &&
    d.window.row0 === win.row0 &&
    d.window.row1 === win.row1 &&
    d.window.col0 === win.col0 &&
    d.window.col1 === win.col1
  )
    return false;
  state.detailSeq++;
  post({
    type: 'requestSlice',
    rowAxis: s.rowAxis,
    colAxis: s.colAxis,
    indices: s.indices,
    window: win,
    seq: -state.detailSeq,
    ...(state.selected !== undefined ? { name: state.selected } : {}),
  });
  return true;
}

function layerOf(h: HeatmapData): Layer {
  const w = h.window;
  return {
    values: h.values,
    rows: h.rows,
    cols: h.cols,
    row0: h.row0,
    col0: h.col0,
    rowEnd: w ? w.row1 : h.fullRows,
    colEnd: w ? w.col1 : h.fullCols,
    rowStep: h.rowStep,
    colStep: h.colStep,
  };
}

const COLORMAP_LABELS: Record<ColormapName, string> = {
  viridis: 'viridis',
  magma: 'magma',
  gray: 'gray',
  rdbu: 'RdBu (diverging)',
};
const RANGE_LABELS: Record<RangeMode, string> = {
  minmax: 'min – max',
  symmetric: 'symmetric ±',
  percentile: '1–99 percentile',
};

// ---------- the plot ----------

let plot: Plot | undefined;

/**
 * One renderer (and its canvas) for the page, reused by every plot built while the renderer
 * setting stays the same: a new slice must not cost a new WebGL context and shader compile.
 */
let cachedRenderer:
  { pref: RendererPreference; renderer: HeatmapRenderer; why?: string } | undefined;

function acquireRenderer(pref: RendererPreference): { renderer: HeatmapRenderer; why?: string } {
  if (cachedRenderer?.pref === pref) return cachedRenderer;
  cachedRenderer?.renderer.dispose();
  const canvas = el('canvas', { id: 'heatmap', tabindex: '0', role: 'img' });
  const made = createRenderer(canvas, pref, SPECIAL_COLORS);
  made.renderer.canvas.dataset.renderer = made.renderer.kind;
  if (made.why) made.renderer.canvas.title = `drawn with canvas 2D: ${made.why}`;
  cachedRenderer = { pref, ...made };
  return cachedRenderer;
}
const rangeCache = new WeakMap<Float32Array, Map<string, ColorRange | null>>();

/** The colour range for the slice held (cached per data, mode and colormap kind). */
function rangeOf(h: HeatmapData): ColorRange {
  const key = `${ui.rangeMode}:${ui.colormap === 'rdbu'}`;
  let m = rangeCache.get(h.values);
  if (!m) rangeCache.set(h.values, (m = new Map()));
  if (!m.has(key)) m.set(key, colorRange(h.values, ui.rangeMode, ui.colormap === 'rdbu'));
  return m.get(key) ?? { lo: 0, hi: 1 };
}

class Plot {
  readonly root: HTMLElement;
  private renderer: HeatmapRenderer;
  private rendererNote: string | undefined;
  private readonly wrap: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly bar: HTMLCanvasElement;
  private readonly ticks: HTMLElement;
  private readonly rowTicks: HTMLElement;
  private readonly colTicks: HTMLElement;
  private readonly note: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly buttons: Record<string, HTMLElement> = {};
  private size = { w: 1, h: 1 };
  private frame = 0;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private range: ColorRange = { lo: 0, hi: 1 };
  private hover: { x: number; y: number } | undefined;
  /** removes this plot's listeners from the shared canvas. */
  private readonly listeners = new AbortController();
  private readonly onResize = () => {
    this.layout();
    this.render();
  };

  constructor(private readonly s: Shown & { base: HeatmapData }) {
    const base = s.base;
    // toolbar: colormap, range mode, zoom, export
    const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Heatmap' });
    const select = (id: string, label: string, options: [string, string][], value: string) => {
      const wrap = el('label', { class: 'tool-select' });
      const sel = el('vscode-single-select' as 'select', { id, 'aria-label': label });
      for (const [v, text] of options) {
        const o = el('vscode-option' as 'option', { value: v }, text);
        if (v === value) o.setAttribute('selected', '');
        sel.append(o);
      }
      wrap.append(el('span', { class: 'tool-label' }, label), sel);
      return { wrap, sel };
    };
    const cm = select(
      'colormap',
      'Colormap',
      COLORMAPS.map((c) => [c, COLORMAP_LABELS[c]]),
      ui.colormap,
    );
    cm.sel.addEventListener('change', () => setColormap(cm.sel.value));
    const rm = select(
      'range-mode',
      'Range',
      RANGE_MODES.map((r) => [r, RANGE_LABELS[r]]),
      ui.rangeMode,
    );
    rm.sel.addEventListener('change', () => setRangeMode(rm.sel.value));
    const button = (id: string, icon: string, label: string, onClick: () => void) => {
      const b = el('vscode-toolbar-button' as 'button', { id, label, title: label });
      b.append(el('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }));
      b.addEventListener('click', onClick);
      this.buttons[id] = b;
      return b;
    };
    const group = el('div', { class: 'tool-group' });
    group.append(
      button('zoom-in', 'zoom-in', 'Zoom in (+)', () => this.zoomBy(0.5)),
      button('zoom-out', 'zoom-out', 'Zoom out (−)', () => this.zoomBy(2)),
      button('zoom-reset', 'screen-normal', 'Reset zoom (0)', () => this.setView(undefined)),
      el('span', { class: 'tool-sep', 'aria-hidden': 'true' }),
      button('export-png', 'device-camera', 'Export the view as PNG…', () =>
        post({ type: 'export', format: 'png' }),
      ),
      button('export-csv', 'table', 'Export the visible values as CSV…', () =>
        post({ type: 'export', format: 'csv' }),
      ),
    );
    toolbar.append(cm.wrap, rm.wrap, group);

    // plot: column axis on top, row axis on the left, canvas, colorbar
    const made = acquireRenderer(ui.renderer);
    this.renderer = made.renderer;
    this.rendererNote = made.why;
    const canvas = this.renderer.canvas;
    this.tooltip = el('div', { class: 'tooltip', id: 'tooltip', hidden: '', role: 'status' });
    this.wrap = el('div', { class: 'canvas-wrap' });
    this.wrap.append(canvas, this.tooltip);
    this.rowTicks = el('div', { class: 'axis axis-rows', id: 'row-ticks', 'aria-hidden': 'true' });
    this.colTicks = el('div', { class: 'axis axis-cols', id: 'col-ticks', 'aria-hidden': 'true' });
    this.bar = el('canvas', { id: 'colorbar', 'aria-hidden': 'true' });
    this.ticks = el('div', { class: 'ticks', id: 'ticks' });
    const colorbar = el('div', { class: 'colorbar' });
    colorbar.append(this.bar, this.ticks);
    this.caption = el('div', { class: 'range-caption', id: 'range-caption' });
    const grid = el('div', { class: 'plot' });
    const corner = el('div', { class: 'corner' });
    const barCol = el('div', { class: 'colorbar-col' });
    barCol.append(colorbar, this.caption);
    grid.append(corner, this.colTicks, el('div'), this.rowTicks, this.wrap, barCol);
    this.note = el('div', { class: 'note', id: 'slice-note' });
    this.legend = el('div', { class: 'legend' });
    for (const [name, rgb] of [
      ['NaN', SPECIAL_COLORS.nan],
      ['+Inf', SPECIAL_COLORS.posinf],
      ['−Inf', SPECIAL_COLORS.neginf],
    ] as const) {
      const item = el('span');
      const sw = el('span', { class: 'swatch' });
      sw.style.background = `rgb(${rgb.join(',')})`;
      item.append(sw, document.createTextNode(name));
      this.legend.append(item);
    }
    this.legend.append(
      el('span', { class: 'hint' }, 'wheel/drag or +/−/arrows to zoom and pan, 0 resets'),
    );
    this.root = el('div', { class: 'plot-root' });
    this.root.append(toolbar, grid, this.note, this.legend);

    this.renderer.setColormap(colormapLut(ui.colormap));
    this.renderer.setBase(layerOf(base));
    this.renderer.setDetail(s.detail ? layerOf(s.detail) : null);
    this.attachInput(canvas);
    window.addEventListener('resize', this.onResize, { signal: this.listeners.signal });
  }

  get canvas(): HTMLCanvasElement {
    return this.renderer.canvas;
  }

  dispose(): void {
    this.listeners.abort();
    if (this.settleTimer) clearTimeout(this.settleTimer);
    cancelAnimationFrame(this.frame);
  }

  /** Called once the root is in the document: sizes, paints, reports. */
  start(): void {
    this.applyColors();
    this.layout();
    this.drawNow();
    this.settle(0);
  }

  get full(): ViewWindow {
    const b = this.s.base;
    return { r0: 0, r1: b.fullRows, c0: 0, c1: b.fullCols };
  }

  get view(): ViewWindow {
    return this.s.zoom ?? this.full;
  }

  setDetail(d: HeatmapData | null): void {
    this.s.detail = d;
    this.renderer.setDetail(d ? layerOf(d) : null);
    this.drawNow();
    this.sendReport();
  }

  applyColors(): void {
    this.range = rangeOf(this.s.base);
    this.renderer.setColormap(colormapLut(ui.colormap));
    this.renderer.setRange(this.range.lo, this.range.hi);
    paintColorbar(this.bar, ui.colormap);
    const cap: Record<RangeMode, string> = {
      minmax: 'min – max',
      symmetric: 'symmetric around 0',
      percentile: 'clipped to the 1st–99th percentile',
    };
    this.caption.textContent =
      ui.colormap === 'rdbu' && ui.rangeMode !== 'symmetric'
        ? `${cap[ui.rangeMode]}, centred at 0`
        : cap[ui.rangeMode];
    for (const [id, v] of [
      ['colormap', ui.colormap],
      ['range-mode', ui.rangeMode],
    ]) {
      const sel = document.getElementById(id) as HTMLSelectElement | null;
      if (sel && sel.value !== v) sel.value = v;
    }
    this.layoutTicks();
  }

  /** Fits the canvas to the panel with square cells. */
  layout(): void {
    const b = this.s.base;
    const top = this.wrap.getBoundingClientRect().top;
    const availW = Math.max(50, main.clientWidth - 150);
    const availH = Math.max(50, window.innerHeight - top - 70);
    const scale = Math.min(availW / b.fullCols, availH / b.fullRows);
    const w = Math.max(1, Math.floor(b.fullCols * scale));
    const h = Math.max(b.fullRows === 1 ? 24 : 1, Math.floor(b.fullRows * scale));
    this.size = { w, h };
    this.renderer.resize(w, h, window.devicePixelRatio || 1);
    this.bar.style.height = `${h}px`;
    this.ticks.style.height = `${h}px`;
    this.rowTicks.style.height = `${h}px`;
    this.colTicks.style.width = `${w}px`;
    this.layoutTicks();
  }

  private layoutTicks(): void {
    const { lo, hi } = this.range;
    const h = this.size.h;
    const labels = niceTicks(lo, hi, Math.max(2, Math.floor(h / 40)));
    this.ticks.replaceChildren(
      ...labels.map((t) => {
        const span = el('span', {}, formatNumber(t));
        span.style.top = `${hi > lo ? ((hi - t) / (hi - lo)) * h : h / 2}px`;
        return span;
      }),
    );
  }

  /** Integer ticks of rows and columns in view, at the centre of their cells. */
  private layoutAxes(): void {
    const v = this.view;
    const { w, h } = this.size;
    const axis = (box: HTMLElement, a0: number, a1: number, px: number, vertical: boolean) => {
      const n = Math.max(2, Math.floor(px / (vertical ? 40 : 70)));
      const ticks = niceTicks(a0, a1 - 1, n).filter(
        (t) => Number.isInteger(t) && t >= Math.floor(a0) && t < a1,
      );
      box.replaceChildren(
        ...ticks.map((t) => {
          const span = el('span', {}, String(t));
          const pos = ((t + 0.5 - a0) / (a1 - a0)) * px;
          if (vertical) span.style.top = `${pos}px`;
          else span.style.left = `${pos}px`;
          return span;
        }),
      );
    };
    if (this.s.base.rowAxis >= 0 || this.s.base.fullRows > 1)
      axis(this.rowTicks, v.r0, v.r1, h, true);
    axis(this.colTicks, v.c0, v.c1, w, false);
  }

  private drawNow(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.renderer.draw(this.view);
    this.layoutAxes();
    this.updateNote();
    this.updateTooltip();
    const zoomed = this.s.zoom !== undefined;
    for (const id of ['zoom-out', 'zoom-reset'])
      this.buttons[id]?.toggleAttribute('disabled', !zoomed);
  }

  /** Redraws on the next frame (coalesces bursts of input). */
  render(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.drawNow());
  }

  /** Moves the view (clamped to the slice); undefined = the whole slice. */
  setView(w: ViewWindow | undefined, settleMs = 150): void {
    const f = this.full;
    if (w) {
      const clampAxis = (a0: number, a1: number, n: number): [number, number] => {
        let size = Math.min(n, Math.max(Math.min(1, n), a1 - a0));
        if (!(size > 0)) size = n;
        const start = Math.min(n - size, Math.max(0, a0));
        return [start, start + size];
      };
      const [r0, r1] = clampAxis(w.r0, w.r1, f.r1);
      const [c0, c1] = clampAxis(w.c0, w.c1, f.c1);
      w = { r0, r1, c0, c1 };
      if (r1 - r0 >= f.r1 - 1e-9 && c1 - c0 >= f.c1 - 1e-9) w = undefined;
    }
    this.s.zoom = w;
    if (!w && this.s.detail) {
      this.s.detail = null;
      this.renderer.setDetail(null);
    }
    this.render();
    this.settle(settleMs);
  }

  /** Zooms by `factor` (< 1 in) keeping full-resolution point (R, C) where it is on screen. */
  zoomBy(factor: number, R?: number, C?: number): void {
    const v = this.view;
    const f = this.full;
    const H = v.r1 - v.r0;
    const W = v.c1 - v.c0;
    const nh = Math.min(f.r1, Math.max(Math.min(1, f.r1), H * factor));
    const nw = Math.min(f.c1, Math.max(Math.min(1, f.c1), W * factor));
    const pr = R ?? v.r0 + H / 2;
    const pc = C ?? v.c0 + W / 2;
    this.setView({
      r0: pr - ((pr - v.r0) / H) * nh,
      r1: pr - ((pr - v.r0) / H) * nh + nh,
      c0: pc - ((pc - v.c0) / W) * nw,
      c1: pc - ((pc - v.c0) / W) * nw + nw,
    });
  }

  /** Pans by a fraction of the view. */
  panBy(dr: number, dc: number): void {
    const v = this.view;
    const H = v.r1 - v.r0;
    const W = v.c1 - v.c0;
    if (!this.s.zoom) return;
    this.setView({ r0: v.r0 + dr * H, r1: v.r1 + dr * H, c0: v.c0 + dc * W, c1: v.c1 + dc * W });
  }

  /** After the view stops moving: save it, fetch a finer window if needed, report. */
  private settle(ms: number): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      persist();
      if (!requestDetail()) this.sendReport();
    }, ms);
  }

  /** Full-resolution point under a mouse event. */
  private pointAt(ev: MouseEvent): { R: number; C: number; x: number; y: number } | undefined {
    const r = this.canvas.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    if (x < 0 || y < 0 || x >= r.width || y >= r.height) return undefined;
    const v = this.view;
    return {
      R: v.r0 + (y / r.height) * (v.r1 - v.r0),
      C: v.c0 + (x / r.width) * (v.c1 - v.c0),
      x,
      y,
    };
  }

  private updateTooltip(): void {
    if (!this.hover) return;
    const v = this.view;
    const { w, h } = this.size;
    const R = v.r0 + (this.hover.y / h) * (v.r1 - v.r0);
    const C = v.c0 + (this.hover.x / w) * (v.c1 - v.c0);
    const text = tooltipAt(this.s, R, C);
    if (text === undefined) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.textContent = text;
    this.tooltip.hidden = false;
    // keep it inside the canvas area
    const tw = this.tooltip.offsetWidth;
    const left =
      this.hover.x + 14 + tw > w ? Math.max(0, this.hover.x - 14 - tw) : this.hover.x + 14;
    this.tooltip.style.left = `${left}px`;
    this.tooltip.style.top = `${this.hover.y + 14}px`;
  }

  private attachInput(canvas: HTMLCanvasElement): void {
    let drag: { x: number; y: number; view: ViewWindow; id: number } | undefined;
    const signal = this.listeners.signal;
    canvas.addEventListener(
      'mousemove',
      (ev) => {
        const p = this.pointAt(ev);
        this.hover = p ? { x: p.x, y: p.y } : undefined;
        if (!p) this.tooltip.hidden = true;
        else this.updateTooltip();
      },
      { signal },
    );
    canvas.addEventListener(
      'mouseleave',
      () => {
        this.hover = undefined;
        this.tooltip.hidden = true;
      },
      { signal },
    );
    canvas.addEventListener(
      'wheel',
      (ev) => {
        ev.preventDefault();
        if (ev.deltaY === 0) return;
        const p = this.pointAt(ev);
        const dy = ev.deltaY * (ev.deltaMode === 1 ? 33 : ev.deltaMode === 2 ? 400 : 1);
        // one notch (100 px) halves or doubles the view; trackpads zoom smoothly
        this.zoomBy(2 ** Math.max(-3, Math.min(3, dy / 100)), p?.R, p?.C);
      },
      { passive: false, signal },
    );
    canvas.addEventListener(
      'pointerdown',
      (ev) => {
        if (ev.button !== 0 || !this.s.zoom) return;
        drag = { x: ev.clientX, y: ev.clientY, view: this.view, id: ev.pointerId };
        canvas.setPointerCapture(ev.pointerId);
        canvas.classList.add('dragging');
      },
      { signal },
    );
    canvas.addEventListener(
      'pointermove',
      (ev) => {
        if (!drag || ev.pointerId !== drag.id) return;
        const v = drag.view;
        const { w, h } = this.size;
        const dr = ((ev.clientY - drag.y) / h) * (v.r1 - v.r0);
        const dc = ((ev.clientX - drag.x) / w) * (v.c1 - v.c0);
        this.setView({ r0: v.r0 - dr, r1: v.r1 - dr, c0: v.c0 - dc, c1: v.c1 - dc });
      },
      { signal },
    );
    const end = (ev: PointerEvent) => {
      if (!drag || ev.pointerId !== drag.id) return;
      drag = undefined;
      canvas.classList.remove('dragging');
    };
    canvas.addEventListener('pointerup', end, { signal });
    canvas.addEventListener('pointercancel', end, { signal });
    canvas.addEventListener(
      'keydown',
      (ev) => {
        const k = ev.key;
        if (k === '+' || k === '=') this.zoomBy(0.5);
        else if (k === '-' || k === '_') this.zoomBy(2);
        else if (k === '0' || k === 'Escape') this.setView(undefined);
        else if (k === 'ArrowUp') this.panBy(-0.1, 0);
        else if (k === 'ArrowDown') this.panBy(0.1, 0);
        else if (k === 'ArrowLeft') this.panBy(0, -0.1);
        else if (k === 'ArrowRight') this.panBy(0, 0.1);
        else return;
        ev.preventDefault();
      },
      { signal },
    );
  }

  /** The data drawn under the view: the detail window when it covers it, else the base. */
  private shownData(): HeatmapData {
    const d = this.s.detail;
    if (d && this.s.zoom && covers(layerOf(d), this.s.zoom)) return d;
    return this.s.base;
  }

  private updateNote(): void {
    const b = this.s.base;
    const d = this.shownData();
    const notes: string[] = [];
    if (b.sliceLabel) notes.push(`slice ${b.sliceLabel}`);
    if (this.s.zoom) {
      const c = cellsOf(this.s.zoom);
      notes.push(
        `showing rows ${c.row0}–${c.row1 - 1}, columns ${c.col0}–${c.col1 - 1} of ${b.fullRows}×${b.fullCols}`,
      );
    }
    if (d.rowStep > 1 || d.colStep > 1)
      notes.push(
        `reduced ${d.rowStep}×${d.colStep} (${poolingName(d)} pooling) to ${d.rows}×${d.cols}`,
      );
    else if (this.s.zoom) notes.push('full resolution');
    this.note.textContent = notes.join(' · ');
    this.note.hidden = notes.length === 0;
    const { lo, hi } = this.range;
    this.canvas.setAttribute(
      'aria-label',
      `heatmap of ${this.s.view.dtype} ${b.fullRows}×${b.fullCols}${b.sliceLabel ? ' slice ' + b.sliceLabel : ''}${this.s.zoom ? `, ${notes[b.sliceLabel ? 1 : 0]}` : ''}, ${ui.colormap} from ${formatNumber(lo)} to ${formatNumber(hi)}. Arrow keys pan, plus and minus zoom, 0 resets.`,
    );
  }

  /** A PNG of the heatmap as drawn now. */
  async png(): Promise<Uint8Array> {
    this.renderer.draw(this.view);
    const blob = await new Promise<Blob | null>((res) => this.canvas.toBlob(res, 'image/png'));
    if (!blob) throw new Error('the canvas could not be encoded as PNG');
    return new Uint8Array(await blob.arrayBuffer());
  }

  visibleCells(): { row0: number; row1: number; col0: number; col1: number } {
    return cellsOf(this.view);
  }

  sendReport(): void {
    const s = this.s;
    const d = this.shownData();
    const sample: number[] = [];
    for (let i = 0; i < Math.min(8, d.values.length); i++) sample.push(d.values[i]);
    const summary = document.getElementById('summary')?.textContent ?? s.view.summary;
    const noteText = this.note.hidden ? '' : (this.note.textContent ?? '');
    report({
      summary,
      heatmap: {
        rows: d.rows,
        cols: d.cols,
        min: d.min,
        max: d.max,
        canvasWidth: this.size.w,
        canvasHeight: this.size.h,
        renderer: this.renderer.kind,
        ...(this.rendererNote ? { rendererNote: this.rendererNote } : {}),
        colormap: ui.colormap,
        rangeMode: ui.rangeMode,
        lo: this.range.lo,
        hi: this.range.hi,
        ticks: [...this.ticks.querySelectorAll('span')].map((x) => x.textContent ?? ''),
      },
      slice: {
        rowAxis: d.rowAxis,
        colAxis: d.colAxis,
        indices: d.indices,
        label: d.sliceLabel,
        row0: d.row0,
        col0: d.col0,
        rowStep: d.rowStep,
        colStep: d.colStep,
        fullRows: d.fullRows,
        fullCols: d.fullCols,
        ...(d.pooling ? { pooling: d.pooling } : {}),
        zoomed: s.zoom !== undefined,
        visible: this.visibleCells(),
      },
      // non-finite values do not survive JSON: they are reported as null
      sample: sample.map((v) => (Number.isFinite(v) ? v : null)),
      ...(noteText ? { note: noteText } : {}),
    });
  }
}

/** The tooltip for full-resolution point (R, C): the finest data held there. */
function tooltipAt(s: Shown, R: number, C: number): string | undefined {
  for (const h of [s.detail, s.base]) {
    if (!h) continue;
    const cell = cellOf(layerOf(h), R, C);
    if (cell) return tooltipText(s.view.shape, h, cell.i, cell.j, Math.floor(R), Math.floor(C));
  }
  return undefined;
}

/**
 * `[i, j] = value` with the array's full index (N-D arrays include the fixed axes). A pooled
 * cell says `≈` and which block it reduces: `[i, j] ≈ v (mean of [a:b, c:d])`.
 */
export function tooltipText(
  shape: readonly number[],
  h: HeatmapData,
  row: number,
  col: number,
  i = h.row0 + row * h.rowStep,
  j = h.col0 + col * h.colStep,
): string {
  const v = h.values[row * h.cols + col];
  const pooled = h.rowStep > 1 || h.colStep > 1;
  const at = (ri: string, ci: string) =>
    shape.length === 0
      ? '[]'
      : `[${shape.map((_, axis) => (axis === h.rowAxis ? ri : axis === h.colAxis ? ci : String(h.indices[axis] ?? 0))).join(', ')}]`;
  if (!pooled) return `${at(String(i), String(j))} = ${formatValue(v)}`;
  const a = h.row0 + row * h.rowStep;
  const b = h.col0 + col * h.colStep;
  const rowEnd = h.window ? h.window.row1 : h.fullRows;
  const colEnd = h.window ? h.window.col1 : h.fullCols;
  const block = at(
    `${a}:${Math.min(a + h.rowStep, rowEnd)}`,
    `${b}:${Math.min(b + h.colStep, colEnd)}`,
  );
  return `${at(String(i), String(j))} ≈ ${formatValue(v)} (${h.pooling === 'maxabs' ? 'largest |x|' : 'mean'} of ${block})`;
}

function drawPlot(s: Shown): void {
  if (!plotArea) return;
  plotArea.removeAttribute('aria-busy');
  plot?.dispose();
  plot = undefined;
  const { view } = s;
  const base = s.base;
  const summary = document.getElementById('summary')?.textContent ?? view.summary;
  if (!base) {
    plotArea.replaceChildren();
    report({ summary, heatmap: null, ...(view.notice ? { notice: view.notice } : {}) });
    return;
  }
  if (base.rows * base.cols === 0) {
    plotArea.replaceChildren(el('div', { class: 'note' }, 'Empty array: nothing to draw.'));
    report({ summary, heatmap: null });
    return;
  }
  const p = new Plot(s as Shown & { base: HeatmapData });
  plot = p;
  plotArea.replaceChildren(p.root);
  p.start();
}

function setColormap(name: string): void {
  if (!(COLORMAPS as string[]).includes(name) || name === ui.colormap) return;
  ui.colormap = name as ColormapName;
  persist();
  if (plot) {
    plot.applyColors();
    plot.render();
    plot.sendReport();
  }
}

function setRangeMode(mode: string): void {
  if (!RANGE_MODES.includes(mode as RangeMode) || mode === ui.rangeMode) return;
  ui.rangeMode = mode as RangeMode;
  persist();
  if (plot) {
    plot.applyColors();
    plot.render();
    plot.sendReport();
  }
}

function drive(a: DriveAction): void {
  switch (a.kind) {
    case 'selectEntry': {
      const li =
        sidebar &&
        [...sidebar.querySelectorAll<HTMLElement>('li[role=option]')].find(
          (x) => x.dataset.name === a.name,
        );
      if (li) li.click();
      else selectEntry(a.name);
      break;
    }
    case 'setSlice':
      setSlice(a.rowAxis, a.colAxis, a.indices);
      break;
    case 'zoom':
      plot?.setView(
        { r0: a.window.row0, r1: a.window.row1, c0: a.window.col0, c1: a.window.col1 },
        0,
      );
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
        visible: {
          ...(state.selected !== undefined ? { name: state.selected } : {}),
          rowAxis: s.rowAxis,
          colAxis: s.colAxis,
          indices: s.indices,
          window: plot.visibleCells(),
        },
      });
  } catch (e) {
    post({ type: 'exportReply', id, error: e instanceof Error ? e.message : String(e) });
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

/** The slice and zoom to show for a newly arrived array: what was shown before, if it fits. */
function carriedOver(prev: Shown | undefined, view: ArrayView): Saved | undefined {
  const same = (a?: readonly number[], b?: readonly number[]) =>
    !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);
  if (prev?.base && prev.view.name === view.name && same(prev.view.shape, view.shape))
    return {
      rowAxis: prev.rowAxis,
      colAxis: prev.colAxis,
      indices: prev.indices,
      ...(prev.zoom ? { zoom: prev.zoom } : {}),
    };
  const r = restore;
  if (r && (r.entry ?? '') === view.name && same(r.shape, view.shape)) {
    restore = undefined;
    return r;
  }
  return undefined;
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
      sidebar = buildSidebar(m.listing);
      markSelected();
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
    case 'array': {
      state.fileName = m.fileName;
      if (m.restoreToken !== undefined) restoreToken = m.restoreToken;
      if (state.listing && m.view.name !== state.selected) break; // an answer for an entry no longer selected
      if (!state.listing) {
        sidebar = undefined;
        state.selected = m.view.name;
      }
      if (ui.settingsColormap !== m.settings.colormap) {
        // the setting changed (or is seen for the first time): it wins over the panel's choice
        ui.settingsColormap = m.settings.colormap;
        if ((COLORMAPS as string[]).includes(m.settings.colormap))
          ui.colormap = m.settings.colormap as ColormapName;
      }
      ui.renderer = m.settings.renderer ?? 'auto';
      const h = m.view.heatmap;
      const keep = h ? carriedOver(state.shown, m.view) : undefined;
      const s: Shown = {
        view: m.view,
        base: h,
        detail: null,
        rowAxis: h?.rowAxis ?? -1,
        colAxis: h?.colAxis ?? -1,
        indices: h ? [...h.indices] : [],
        zoom: undefined,
      };
      state.shown = s;
      state.seq++;
      state.detailSeq++;
      const nd = m.view.shape.length;
      const axisOk = (a: unknown) =>
        typeof a === 'number' && Number.isInteger(a) && a >= -1 && a < nd;
      if (
        keep &&
        h &&
        axisOk(keep.rowAxis) &&
        axisOk(keep.colAxis) &&
        keep.rowAxis !== keep.colAxis &&
        Array.isArray(keep.indices)
      ) {
        const indices = m.view.shape.map((n, i) =>
          i === keep.rowAxis || i === keep.colAxis
            ? 0
            : Math.min(n - 1, Math.max(0, Math.floor(keep.indices![i] ?? 0))),
        );
        const differs =
          keep.rowAxis !== h.rowAxis ||
          keep.colAxis !== h.colAxis ||
          indices.some((x, i) => x !== h.indices[i]);
        s.rowAxis = keep.rowAxis!;
        s.colAxis = keep.colAxis!;
        s.indices = indices;
        if (keep.zoom) s.zoom = keep.zoom;
        if (differs) {
          // show the array, then the kept slice when it arrives
          showArray(s);
          requestBase();
          break;
        }
      }
      showArray(s);
      persist();
      break;
    }
    case 'slice': {
      const s = state.shown;
      if (!s) break;
      if (m.heatmap.window) {
        // a zoom window: drawn over the base while it is in view
        if (m.seq !== -state.detailSeq) break;
        if (plot) plot.setDetail(m.heatmap);
        else s.detail = m.heatmap;
      } else if (m.seq === undefined || m.seq === state.seq) {
        s.base = m.heatmap;
        s.detail = null;
        drawPlot(s);
      }
      break;
    }
    case 'drive':
      drive(m.action);
      break;
    case 'exportRequest':
      void answerExport(m.id, m.format);
      break;
  }
}

post({ type: 'ready', ...(saved.entry !== undefined ? { entry: saved.entry } : {}) });
