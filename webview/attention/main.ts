/**
 * The attention view: small multiples of every head of a (layer, batch), a focus view of one
 * head with token labels, hover tooltip and zoom, and the diagnostics in words. The weights
 * stay in the worker: tiles come max-pooled to 96 × 96 cells, the focus head pooled to at most
 * `maxCells` (full resolution once a zoom window fits). Both are drawn by the shared heatmap
 * renderer. This file is the page: its state is one `Page` (state.ts), it answers the host
 * and puts the components together — checks and heads table (checks.ts), controls
 * (controls.ts), tiles (tiles.ts) and the focus head (focus.ts). After every draw the page
 * reads its own DOM back and reports it to the host.
 */
import { COLORMAPS, colormapLut, type ColormapName } from '../../src/core/color/colormaps';
import type {
  AttentionDriveAction,
  AttentionHostToWebview,
  AttentionViewState,
  AttentionWebviewToHost,
} from '../../src/protocol/attention';
import type { WebviewToHost } from '../../src/protocol/heatmap';
import type { AttentionRenderedReport } from '../../src/protocol/testing';
import {
  clampWindow,
  panWindow,
  snapToCells,
  windowOfCells,
  zoomWindow,
  type CellWindow,
  type GridPoint,
  type ViewWindow,
} from '../shared/viewWindow';
import { float32Values } from '../shared/values';
import { addStyle, el, messageBox, vscode } from '../shared/vscode';
import { HeadsTable, checksSection } from './checks';
import { Controls } from './controls';
import { FocusView, iconButton } from './focus';
import { fmt6, parseTokens, shapeLine, type Tokens } from './format';
import { messagePage, openPage, savedView, type OpenPage, type Page } from './state';
import { TILE, Tiles } from './tiles';
import panelCss from '../shared/panel.css';
import css from './styles.css';
import { lastGpuWeights, runAttentionJob } from './gpuJob';
import { loseDeviceForTest } from '../gpu/panelRouter';

addStyle(panelCss);
addStyle(css);
const app = document.getElementById('app')!;

/** The focus head is never zoomed in below this many cells a side. */
const MIN_ZOOM_CELLS = 4;

function post(m: AttentionWebviewToHost): void {
  vscode.postMessage(m as unknown as WebviewToHost);
}

/** The components of an open page. */
interface Parts {
  controls: Controls;
  table: HeadsTable;
  tiles: Tiles;
  focus: FocusView;
}

let page: Page = { phase: 'loading', title: '', message: '' };
let parts: Parts | undefined;
let lut = colormapLut('viridis');
let tilesSeq = 0;
let focusSeq = 0;
let panTimer: ReturnType<typeof setTimeout> | undefined;

/** The open page (the components exist only while it is open). */
function open(): { p: OpenPage; parts: Parts } | undefined {
  return page.phase === 'open' && parts ? { p: page, parts } : undefined;
}

// ---------- page ----------

function clear(): void {
  if (panTimer) clearTimeout(panTimer);
  panTimer = undefined;
  parts?.focus.dispose();
  parts = undefined;
  app.replaceChildren();
}

function header(sub?: string): HTMLElement {
  const h = el('header');
  h.append(el('h1', { id: 'title' }, page.title));
  if (sub) h.append(el('div', { class: 'sub', id: 'source' }, sub));
  return h;
}

function showMessage(
  kind: 'loading' | 'gone' | 'error',
  title: string,
  text: string,
  recompute = false,
): void {
  clear();
  page = messagePage(kind, title, text, page);
  app.append(header());
  const box = messageBox(kind, text);
  if (recompute) {
    const b = iconButton('recompute', 'refresh', 'Recompute');
    b.addEventListener('click', () => post({ type: 'recompute' }));
    box.append(b);
  }
  app.append(box);
  report();
}

function buildPage(p: OpenPage, sourceLabel: string): void {
  clear();
  page = p;
  app.append(
    header(sourceLabel),
    el('div', { class: 'sub', id: 'shape' }, shapeLine(p.info, p.layout)),
  );
  const on = p.info.computedOn;
  if (on) {
    const box = el('div', { class: 'compute', id: 'compute', role: 'note' });
    box.append(
      el(
        'div',
        { 'data-key': `compute-${on.where}` },
        `Weights ${on.label}${on.accuracy ? `; ${on.accuracy}` : ''}; the checks below are the worker's, in float64`,
      ),
    );
    if (on.note) box.append(el('div', { 'data-key': 'compute-note', class: 'warn' }, on.note));
    app.append(box);
  }
  app.append(checksSection(p));
  const controls = new Controls(p, {
    layerBatch: setLayerBatch,
    typedTokens: (text) => setTokens({ list: parseTokens(text), from: 'typed list' }),
    pickTokensFile: () => post({ type: 'pickTokensFile' }),
    resetTokens: () => setTokens(undefined),
  });
  app.append(controls.root);

  const layout = el('div', { class: 'layout' });
  const heads = el('section', { id: 'heads-section', 'aria-label': 'Heads' });
  const tiles = new Tiles(setHead);
  const table = new HeadsTable();
  heads.append(
    el('h2', {}, 'Heads'),
    tiles.root,
    el(
      'div',
      { class: 'sub', id: 'tiles-note' },
      `each tile 0 → its own max; max-pooled to ≤ ${TILE}×${TILE}`,
    ),
    table.root,
  );
  layout.append(heads);
  const focus = new FocusView(() => p, {
    zoom: zoomBy,
    panTo: (w) => panTo(w),
    panBy: panBy,
    reset: () => setZoom(undefined),
    stepHead: (d) => setHead(Math.min(p.layout.heads - 1, Math.max(0, p.view.head + d))),
  });
  // the focus view's canvas must be in the document before the renderer is chosen
  layout.append(focus.root);
  app.append(layout, focus.tooltip);
  parts = { controls, table, tiles, focus };
  table.fill(p);
}

// ---------- requests ----------

function requestTiles(p: OpenPage): void {
  post({
    type: 'requestTiles',
    seq: ++tilesSeq,
    layer: p.view.layer,
    batch: p.view.batch,
    size: TILE,
  });
}

function requestFocus(p: OpenPage): void {
  post({
    type: 'requestFocus',
    seq: ++focusSeq,
    layer: p.view.layer,
    batch: p.view.batch,
    head: p.view.head,
    ...(p.zoom ? { window: p.zoom } : {}),
  });
  parts?.focus.setLoading('loading…');
}

// ---------- zoom and pan (the shared view-window model, on whole cells) ----------

function grid(p: OpenPage) {
  return { rows: p.layout.queries, cols: p.layout.keys };
}

function setZoom(w: CellWindow | undefined, deferMs = 0): void {
  const o = open();
  if (!o) return;
  o.p.zoom = w;
  if (panTimer) clearTimeout(panTimer);
  panTimer = undefined;
  if (deferMs > 0) panTimer = setTimeout(() => requestFocus(o.p), deferMs);
  else requestFocus(o.p);
}

function zoomBy(factor: number, at?: GridPoint): void {
  const o = open();
  if (!o) return;
  const g = grid(o.p);
  const v = o.p.zoom ? windowOfCells(o.p.zoom) : undefined;
  setZoom(snapToCells(zoomWindow(v, g, factor, at, MIN_ZOOM_CELLS), g, MIN_ZOOM_CELLS));
}

/** Drag: the window follows the pointer; the worker is asked once it rests. */
function panTo(w: ViewWindow): void {
  const o = open();
  if (!o?.p.zoom) return;
  const g = grid(o.p);
  const next = snapToCells(clampWindow(w, g, MIN_ZOOM_CELLS), g, MIN_ZOOM_CELLS);
  const z = o.p.zoom;
  if (next && next.row0 === z.row0 && next.col0 === z.col0) return;
  setZoom(next, 80);
}

/** Arrow keys: a fraction of the window, at least one cell. */
function panBy(fr: number, fc: number): void {
  const o = open();
  const z = o?.p.zoom;
  if (!o || !z) return;
  const step = (f: number, n: number) =>
    f === 0 ? 0 : Math.sign(f) * Math.max(1, Math.round(Math.abs(f) * n));
  const g = grid(o.p);
  const w = panWindow(
    windowOfCells(z),
    g,
    step(fr, z.row1 - z.row0),
    step(fc, z.col1 - z.col0),
    MIN_ZOOM_CELLS,
  );
  setZoom(snapToCells(w, g, MIN_ZOOM_CELLS));
}

// ---------- state ----------

function saveState(p: OpenPage): void {
  p.view = savedView(p);
  vscode.setState(p.view);
  post({ type: 'state', state: p.view });
}

function setHead(h: number): void {
  const o = open();
  if (!o) return;
  o.p.view.head = h;
  o.p.zoom = undefined;
  saveState(o.p);
  requestFocus(o.p);
}

function setLayerBatch(layer: number, batch: number): void {
  const o = open();
  if (!o) return;
  o.p.view.layer = layer;
  o.p.view.batch = batch;
  o.p.zoom = undefined;
  o.parts.controls.showLayerBatch(layer, batch);
  saveState(o.p);
  o.parts.table.fill(o.p);
  requestTiles(o.p);
  requestFocus(o.p);
}

function setTokens(t: Tokens | undefined): void {
  const o = open();
  if (!o) return;
  o.p.tokens = t && t.list.length ? t : undefined;
  saveState(o.p);
  o.parts.controls.showTokens(o.p);
  if (o.p.focus) drawFocus(o.p);
  else report();
}

function drawFocus(p: OpenPage): void {
  const o = open();
  if (!o || !p.focus) return;
  o.parts.focus.draw(p.focus, lut);
  o.parts.tiles.mark(p.focus.head);
  report();
}

// ---------- report ----------

function report(): void {
  const p = page;
  const isOpen = p.phase === 'open';
  const shape = isOpen ? p.layout.shape : p.shape;
  const d = isOpen ? p.info.diagnostics : undefined;
  const r: AttentionRenderedReport = {
    state: p.phase,
    title: document.getElementById('title')?.textContent ?? p.title,
    ...(!isOpen ? { message: p.message } : {}),
    ...(shape ? { shape } : {}),
    tiles: document.querySelectorAll('#tiles .tile').length,
    tileLabels: [...document.querySelectorAll('#tiles .tile .name')].map(
      (e) => e.textContent ?? '',
    ),
    layer: p.view?.layer ?? 0,
    batch: p.view?.batch ?? 0,
    headEntropy: d ? d.heads.map((h) => fmt6(h.entropy)) : [],
    tokens: { count: p.tokens?.list.length ?? 0, from: p.tokens?.from ?? 'indices' },
  };
  if (d) {
    r.rowSums = {
      passed: d.rowSums.failingRows === 0,
      text: document.querySelector('#rowsum .text')?.textContent ?? '',
    };
    r.causal = {
      holds: d.causal.holds,
      text: document.querySelector('#causal .text')?.textContent ?? '',
    };
  }
  const o = open();
  if (o?.p.focus) {
    const f = o.p.focus;
    const size = o.parts.focus.bufferSize();
    r.focus = {
      layer: f.layer,
      batch: f.batch,
      head: f.head,
      rows: f.rows,
      cols: f.cols,
      row0: f.row0,
      col0: f.col0,
      rowStep: f.rowStep,
      colStep: f.colStep,
      fullRows: f.fullRows,
      fullCols: f.fullCols,
      canvasWidth: size.width,
      canvasHeight: size.height,
    };
  }
  post({ type: 'rendered', report: r });
}

// ---------- host messages ----------

function drive(a: AttentionDriveAction): void {
  const o = open();
  if (!o) return;
  switch (a.kind) {
    case 'focus':
      if (a.layer !== o.p.view.layer || a.batch !== o.p.view.batch) {
        o.p.view.head = a.head;
        setLayerBatch(a.layer, a.batch);
      } else setHead(a.head);
      return;
    case 'tokens':
      o.parts.controls.setTokensText(a.text);
      setTokens({ list: parseTokens(a.text), from: 'typed list' });
      return;
    case 'zoom':
      setZoom(snapToCells(windowOfCells(a.window), grid(o.p), 1));
      return;
    case 'resetZoom':
      setZoom(undefined);
      return;
  }
}

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (page.phase === 'open') drawFocus(page);
  }, 100);
});

if (TEST_HOOKS)
  (
    window as unknown as {
      __matrixLensAttention: { loseGpu(): Promise<boolean>; gpuWeights(): number[] | undefined };
    }
  ).__matrixLensAttention = { loseGpu: loseDeviceForTest, gpuWeights: lastGpuWeights };

window.addEventListener('message', (e: MessageEvent<AttentionHostToWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'gpuAttention': {
      // progress between the groups of heads, and a Cancel button that stops before the next
      let cancel = false;
      const progress = el('div', { class: 'sub', id: 'gpu-progress', role: 'status' }, '');
      const stop = iconButton('cancel-gpu', 'stop-circle', 'Cancel');
      stop.addEventListener('click', () => {
        cancel = true;
        progress.textContent = 'cancelling after the heads in flight…';
        stop.setAttribute('disabled', '');
      });
      (document.getElementById('message') ?? app).append(progress, stop);
      const control = {
        onProgress: (done: number, total: number) => {
          if (!cancel) progress.textContent = `on the GPU: ${done} of ${total} heads`;
        },
        cancelled: () => cancel,
      };
      void runAttentionJob(m, control).then(post, (err: unknown) =>
        // a kernel bug must not leave the host waiting: the worker computes instead
        post({
          type: 'gpuAttentionResult',
          seq: m.seq,
          where: 'cpu',
          note: `the GPU run failed (${err instanceof Error ? err.message : String(err)}); computed on CPU`,
        }),
      );
      return;
    }
    case 'loading':
      showMessage('loading', m.title, m.message);
      return;
    case 'open': {
      const colormap = (COLORMAPS as string[]).includes(m.colormap)
        ? (m.colormap as ColormapName)
        : 'viridis';
      lut = colormapLut(colormap);
      const p = openPage(m.title, m.info, m.state, colormap);
      buildPage(p, m.sourceLabel);
      saveState(p);
      requestTiles(p);
      requestFocus(p);
      return;
    }
    case 'tiles': {
      const o = open();
      if (o && m.seq === tilesSeq) {
        o.parts.tiles.draw(o.p, { ...m.tiles, values: float32Values(m.tiles.values) }, lut);
        report();
      }
      return;
    }
    case 'focus':
      if (page.phase === 'open' && m.seq === focusSeq) {
        page.focus = { ...m.focus, values: float32Values(m.focus.values) };
        drawFocus(page);
      }
      return;
    case 'tokens': {
      const o = open();
      if (!o) return;
      o.parts.controls.setTokensText('');
      setTokens({ list: m.list, from: m.from });
      return;
    }
    case 'gone':
      if (m.state) {
        page.view = m.state;
        vscode.setState(m.state);
      }
      showMessage('gone', m.title, m.message, m.canRecompute);
      return;
    case 'error':
      if (m.seq !== undefined && page.phase === 'open') {
        // a tile/focus request failed: say so where it would have been drawn
        parts?.focus.setLoading(m.message);
        return;
      }
      showMessage('error', m.title, m.message);
      return;
    case 'drive':
      drive(m.action);
      return;
  }
});

// a restored panel keeps its state (the host reads it from the serializer); start blank
const saved = vscode.getState() as AttentionViewState | undefined;
showMessage('loading', saved?.title ?? '', 'loading attention weights…');
post({ type: 'ready' });
