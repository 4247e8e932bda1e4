/**
 * The array panel: for multi-array files a side list of the arrays (and safetensors
 * metadata); for the array shown, its metadata, the one-line summary, a dimension picker for
 * N-D arrays, and a heatmap of a 2-D slice with a colorbar, a hover tooltip and zoom (the
 * zoomed region is fetched from the worker at full resolution). After every render it
 * reports what its DOM shows to the host.
 */
import type {
  ArrayListing,
  ArrayView,
  DriveAction,
  HeatmapData,
  HostToWebview,
  RenderedReport,
} from '../../src/protocol/messages';
import { COLORMAPS, ColormapName, SPECIAL_COLORS } from '../../src/core/color/colormaps';
import { formatBytes } from '../../src/core/array/ndarray';
import { niceTicks } from '../../src/core/view/ticks';
import { formatNumber } from '../../src/core/stats/summary';
import { addStyle, el, onHostMessage, vscode } from '../shared/vscode';
import { paintColorbar, paintHeatmap } from './render';
import css from './styles.css';

addStyle(css);
const app = document.getElementById('app')!;

type Window = { row0: number; row1: number; col0: number; col1: number };

interface Shown {
  view: ArrayView;
  heatmap: HeatmapData | null;
  colormap: ColormapName;
  rowAxis: number;
  colAxis: number;
  indices: number[];
  zoom: Window | undefined;
}

interface State {
  fileName: string;
  listing?: ArrayListing;
  selected?: string;
  shown?: Shown;
  /** the last slice request; older answers are ignored. */
  seq: number;
}

const state: State = { fileName: '', seq: 0 };

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
  if (s.heatmap && view.shape.length >= 2) children.push(dimPicker(s));
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
  s.zoom = undefined;
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
  requestSlice();
}

function requestSlice(): void {
  const s = state.shown;
  if (!s) return;
  state.seq++;
  post({
    type: 'requestSlice',
    rowAxis: s.rowAxis,
    colAxis: s.colAxis,
    indices: s.indices,
    ...(s.zoom ? { window: s.zoom } : {}),
    seq: state.seq,
    ...(state.selected !== undefined ? { name: state.selected } : {}),
  });
  plotArea?.setAttribute('aria-busy', 'true');
}

// ---------- zoom ----------

function fullWindow(h: HeatmapData): Window {
  return { row0: 0, row1: h.fullRows, col0: 0, col1: h.fullCols };
}

function setZoom(w: Window | undefined): void {
  const s = state.shown;
  if (!s?.heatmap) return;
  const h = s.heatmap;
  if (w) {
    const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(x)));
    const row0 = clamp(w.row0, 0, h.fullRows - 1);
    const col0 = clamp(w.col0, 0, h.fullCols - 1);
    w = {
      row0,
      col0,
      row1: clamp(w.row1, row0 + 1, h.fullRows),
      col1: clamp(w.col1, col0 + 1, h.fullCols),
    };
    if (w.row0 === 0 && w.col0 === 0 && w.row1 === h.fullRows && w.col1 === h.fullCols)
      w = undefined;
  }
  s.zoom = w;
  requestSlice();
}

/** Zooms by `factor` (< 1 in, > 1 out) keeping full-resolution point (r, c) where it is. */
function zoomAt(factor: number, r?: number, c?: number): void {
  const s = state.shown;
  if (!s?.heatmap) return;
  const h = s.heatmap;
  const w = s.zoom ?? fullWindow(h);
  const H = w.row1 - w.row0;
  const W = w.col1 - w.col0;
  const MIN = 4;
  const nh = Math.min(h.fullRows, Math.max(Math.min(MIN, h.fullRows), Math.round(H * factor)));
  const nw = Math.min(h.fullCols, Math.max(Math.min(MIN, h.fullCols), Math.round(W * factor)));
  if (nh === H && nw === W) return;
  const pr = r ?? w.row0 + H / 2;
  const pc = c ?? w.col0 + W / 2;
  const row0 = Math.min(h.fullRows - nh, Math.max(0, Math.round(pr - ((pr - w.row0) / H) * nh)));
  const col0 = Math.min(h.fullCols - nw, Math.max(0, Math.round(pc - ((pc - w.col0) / W) * nw)));
  setZoom({ row0, row1: row0 + nh, col0, col1: col0 + nw });
}

function pan(dr: number, dc: number): void {
  const s = state.shown;
  if (!s?.heatmap || !s.zoom) return;
  const h = s.heatmap;
  const w = s.zoom;
  const H = w.row1 - w.row0;
  const W = w.col1 - w.col0;
  const row0 = Math.min(h.fullRows - H, Math.max(0, w.row0 + Math.round(dr * H)));
  const col0 = Math.min(h.fullCols - W, Math.max(0, w.col0 + Math.round(dc * W)));
  if (row0 !== w.row0 || col0 !== w.col0) setZoom({ row0, row1: row0 + H, col0, col1: col0 + W });
}

// ---------- plot ----------

function drawPlot(s: Shown): void {
  if (!plotArea) return;
  plotArea.removeAttribute('aria-busy');
  const { view } = s;
  const heatmap = s.heatmap;
  const summary = document.getElementById('summary')?.textContent ?? view.summary;
  if (!heatmap) {
    plotArea.replaceChildren();
    report({ summary, heatmap: null, ...(view.notice ? { notice: view.notice } : {}) });
    return;
  }
  if (heatmap.rows * heatmap.cols === 0) {
    plotArea.replaceChildren(el('div', { class: 'note' }, 'Empty array: nothing to draw.'));
    report({ summary, heatmap: null });
    return;
  }
  const zoomed = heatmap.window !== undefined;
  const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Zoom' });
  const button = (
    id: string,
    icon: string,
    label: string,
    onClick: () => void,
    disabled = false,
  ) => {
    const b = el('button', { id, type: 'button', title: label, 'aria-label': label });
    b.append(el('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }));
    if (disabled) b.disabled = true;
    b.addEventListener('click', onClick);
    return b;
  };
  toolbar.append(
    button('zoom-in', 'zoom-in', 'Zoom in (+)', () => zoomAt(0.5)),
    button('zoom-out', 'zoom-out', 'Zoom out (−)', () => zoomAt(2), !zoomed),
    button('zoom-reset', 'screen-normal', 'Reset zoom (0)', () => setZoom(undefined), !zoomed),
    el('span', { class: 'hint' }, 'wheel or +/− to zoom, arrows to pan'),
  );

  const canvas = el('canvas', { id: 'heatmap', tabindex: '0', role: 'img' });
  const tooltip = el('div', { class: 'tooltip', id: 'tooltip', hidden: '' });
  const wrap = el('div', { class: 'canvas-wrap' });
  wrap.append(canvas, tooltip);
  const bar = el('canvas', { id: 'colorbar', 'aria-hidden': 'true' });
  const ticks = el('div', { class: 'ticks', id: 'ticks' });
  const colorbar = el('div', { class: 'colorbar' });
  colorbar.append(bar, ticks);
  const plot = el('div', { class: 'plot' });
  plot.append(wrap, colorbar);

  const notes: string[] = [];
  if (heatmap.sliceLabel) notes.push(`slice ${heatmap.sliceLabel}`);
  if (heatmap.window) {
    const w = heatmap.window;
    notes.push(
      `zoomed to rows ${w.row0}–${w.row1 - 1}, columns ${w.col0}–${w.col1 - 1} of ${heatmap.fullRows}×${heatmap.fullCols}`,
    );
  }
  if (heatmap.rowStep > 1 || heatmap.colStep > 1)
    notes.push(
      `reduced ${heatmap.rowStep}×${heatmap.colStep} (${poolingName(heatmap)} pooling) to ${heatmap.rows}×${heatmap.cols}`,
    );
  else if (heatmap.window) notes.push('full resolution');
  const legend = el('div', { class: 'legend' });
  for (const [name, rgb] of [
    ['NaN', SPECIAL_COLORS.nan],
    ['+Inf', SPECIAL_COLORS.posinf],
    ['−Inf', SPECIAL_COLORS.neginf],
  ] as const) {
    const item = el('span');
    const sw = el('span', { class: 'swatch' });
    sw.style.background = `rgb(${rgb.join(',')})`;
    item.append(sw, document.createTextNode(name));
    legend.append(item);
  }
  if (heatmap.rowStep > 1 || heatmap.colStep > 1)
    legend.append(
      el(
        'span',
        { id: 'pooling-legend' },
        `each cell: ${poolingName(heatmap)} of a ${heatmap.rowStep}×${heatmap.colStep} block`,
      ),
    );
  const children: HTMLElement[] = [toolbar, plot];
  const noteText = notes.join(' · ');
  if (notes.length) children.push(el('div', { class: 'note', id: 'slice-note' }, noteText));
  children.push(legend);
  plotArea.replaceChildren(...children);

  const lo = heatmap.min ?? 0;
  const hi = heatmap.max ?? 1;
  paintHeatmap(canvas, heatmap.values, heatmap.rows, heatmap.cols, lo, hi, s.colormap);
  paintColorbar(bar, s.colormap);
  canvas.setAttribute(
    'aria-label',
    `heatmap of ${view.dtype} ${heatmap.fullRows}×${heatmap.fullCols}${heatmap.sliceLabel ? ' slice ' + heatmap.sliceLabel : ''}${zoomed ? ' (zoomed)' : ''}, values ${formatNumber(lo)} to ${formatNumber(hi)}`,
  );

  // Size: fit the panel, square cells.
  const layout = () => {
    const availW = Math.max(50, main.clientWidth - 100);
    const top = plot.getBoundingClientRect().top;
    const availH = Math.max(50, window.innerHeight - top - 64);
    const scale = Math.min(availW / heatmap.cols, availH / heatmap.rows);
    const w = Math.max(1, Math.floor(heatmap.cols * scale));
    const h = Math.max(heatmap.rows === 1 ? 24 : 1, Math.floor(heatmap.rows * scale));
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    bar.style.height = `${h}px`;
    ticks.style.height = `${h}px`;
    ticks.replaceChildren(
      ...niceTicks(lo, hi, Math.max(2, Math.floor(h / 40))).map((t) => {
        const span = el('span', {}, formatNumber(t));
        span.style.top = `${hi > lo ? ((hi - t) / (hi - lo)) * h : h / 2}px`;
        return span;
      }),
    );
    return { w, h };
  };
  const size = layout();
  window.onresize = () => layout();

  const cellAt = (ev: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    const c = Math.floor(((ev.clientX - r.left) / r.width) * heatmap.cols);
    const row = Math.floor(((ev.clientY - r.top) / r.height) * heatmap.rows);
    if (c < 0 || row < 0 || c >= heatmap.cols || row >= heatmap.rows) return undefined;
    return { row, col: c, x: ev.clientX - r.left, y: ev.clientY - r.top };
  };
  canvas.addEventListener('mousemove', (ev) => {
    const cell = cellAt(ev);
    if (!cell) {
      tooltip.hidden = true;
      return;
    }
    tooltip.textContent = tooltipText(s.view.shape, heatmap, cell.row, cell.col);
    tooltip.hidden = false;
    tooltip.style.left = `${cell.x + 14}px`;
    tooltip.style.top = `${cell.y + 14}px`;
  });
  canvas.addEventListener('mouseleave', () => (tooltip.hidden = true));
  let lastWheel = 0;
  canvas.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      const now = Date.now();
      if (now - lastWheel < 150 || ev.deltaY === 0) return;
      lastWheel = now;
      const cell = cellAt(ev);
      const r = cell ? heatmap.row0 + (cell.row + 0.5) * heatmap.rowStep : undefined;
      const c = cell ? heatmap.col0 + (cell.col + 0.5) * heatmap.colStep : undefined;
      zoomAt(ev.deltaY < 0 ? 0.5 : 2, r, c);
    },
    { passive: false },
  );
  canvas.addEventListener('keydown', (ev) => {
    const k = ev.key;
    if (k === '+' || k === '=') zoomAt(0.5);
    else if (k === '-' || k === '_') zoomAt(2);
    else if (k === '0' || k === 'Escape') setZoom(undefined);
    else if (k === 'ArrowUp') pan(-0.25, 0);
    else if (k === 'ArrowDown') pan(0.25, 0);
    else if (k === 'ArrowLeft') pan(0, -0.25);
    else if (k === 'ArrowRight') pan(0, 0.25);
    else return;
    ev.preventDefault();
  });

  const sample: number[] = [];
  for (let i = 0; i < Math.min(8, heatmap.values.length); i++) sample.push(heatmap.values[i]);
  report({
    summary,
    heatmap: {
      rows: heatmap.rows,
      cols: heatmap.cols,
      min: heatmap.min,
      max: heatmap.max,
      canvasWidth: size.w,
      canvasHeight: size.h,
    },
    slice: {
      rowAxis: heatmap.rowAxis,
      colAxis: heatmap.colAxis,
      indices: heatmap.indices,
      label: heatmap.sliceLabel,
      row0: heatmap.row0,
      col0: heatmap.col0,
      rowStep: heatmap.rowStep,
      colStep: heatmap.colStep,
      fullRows: heatmap.fullRows,
      fullCols: heatmap.fullCols,
      ...(heatmap.pooling ? { pooling: heatmap.pooling } : {}),
      zoomed,
    },
    // non-finite values do not survive JSON: they are reported as null
    sample: sample.map((v) => (Number.isFinite(v) ? v : null)),
    ...(noteText ? { note: noteText } : {}),
  });
}

/** `[i, j] = value` with the array's full index (N-D arrays include the fixed axes). */
export function tooltipText(
  shape: readonly number[],
  h: HeatmapData,
  row: number,
  col: number,
): string {
  const v = h.values[row * h.cols + col];
  const i = h.row0 + row * h.rowStep;
  const j = h.col0 + col * h.colStep;
  const pooled = h.rowStep > 1 || h.colStep > 1;
  const idx = (a: number, step: number, size: number) =>
    step > 1 ? `${a}:${Math.min(a + step, size)}` : String(a);
  const full = shape.map((_, axis) =>
    axis === h.rowAxis
      ? idx(i, h.rowStep, h.fullRows)
      : axis === h.colAxis
        ? idx(j, h.colStep, h.fullCols)
        : String(h.indices[axis] ?? 0),
  );
  return `[${full.join(', ')}] ${pooled ? '≈' : '='} ${formatValue(v)}${pooled ? ` (${h.pooling === 'maxabs' ? 'largest |x|' : 'mean'})` : ''}`;
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
      setZoom(a.window);
      break;
    case 'resetZoom':
      setZoom(undefined);
      break;
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
      const colormap = (COLORMAPS as string[]).includes(m.settings.colormap)
        ? (m.settings.colormap as ColormapName)
        : 'viridis';
      state.fileName = m.fileName;
      if (state.listing && m.view.name !== state.selected) break; // an answer for an entry no longer selected
      if (!state.listing) {
        sidebar = undefined;
        state.selected = m.view.name;
      }
      const h = m.view.heatmap;
      state.shown = {
        view: m.view,
        heatmap: h,
        colormap,
        rowAxis: h?.rowAxis ?? -1,
        colAxis: h?.colAxis ?? -1,
        indices: h ? [...h.indices] : [],
        zoom: undefined,
      };
      state.seq++;
      showArray(state.shown);
      break;
    }
    case 'slice':
      if (state.shown && (m.seq === undefined || m.seq === state.seq)) {
        state.shown.heatmap = m.heatmap;
        drawPlot(state.shown);
      }
      break;
    case 'drive':
      drive(m.action);
      break;
  }
}

vscode.postMessage({ type: 'ready' });
