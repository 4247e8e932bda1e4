/**
 * The cosine-similarity heatmap: S = X̂X̂ᵀ in the display order, mean-pooled by the worker to
 * ≤ 512² blocks (the base layer), and fetched at full resolution once a zoom window is at most
 * {@link FULL_RES_SIDE} rows a side (the detail layer). Drawn by the shared heatmap renderer on a
 * fixed −1…1 range; zoom and pan through the shared view-window model and plot input. A click
 * picks the row under the pointer for the neighbours table.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { SPECIAL_COLORS } from '../../src/core/color/colormaps';
import type { CosineTileData } from '../../src/protocol/embeddings';
import type { EmbeddingsOrder } from '../../src/protocol/embeddingsView';
import { paintColorbar } from '../shared/heatmap/colorbar';
import { cellOf, type Layer } from '../shared/heatmap/layer';
import { createRenderer, type HeatmapRenderer } from '../shared/heatmap/renderer';
import { attachPlotInput, pointAt } from '../shared/plotInput';
import {
  cellsOf,
  clampWindow,
  panWindow,
  windowOrWhole,
  zoomWindow,
  type CellWindow,
  type GridPoint,
  type ViewWindow,
} from '../shared/viewWindow';
import { el } from '../shared/vscode';
import { fmt6, ORDER_NAMES, rowText, type Labels } from './format';

/** overview blocks a side */
export const OVERVIEW = 512;
/** a zoom window at most this many rows a side is fetched at full resolution */
export const FULL_RES_SIDE = 512;
const SIDE_PX = 520;

export interface SimilarityActions {
  order(o: EmbeddingsOrder): void;
  /** the window to fetch at full resolution (undefined: none needed) */
  fetch(w: CellWindow | undefined): void;
  pick(row: number): void;
}

export function iconButton(id: string, icon: string, label: string): HTMLElement {
  const b = el('vscode-button', { id, secondary: '', title: label, 'aria-label': label });
  b.append(el('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }));
  return b;
}

function layerOf(t: CosineTileData, n: number): Layer {
  const full = t.rowStarts.length === t.rows + 1 && t.rowStarts[t.rows] - t.rowStarts[0] === t.rows;
  return {
    values: t.values,
    rows: t.rows,
    cols: t.cols,
    row0: t.rowStarts[0],
    col0: t.colStarts[0],
    rowEnd: t.rowStarts[t.rows],
    colEnd: t.colStarts[t.cols],
    rowStep: full ? 1 : n / t.rows,
    colStep: full ? 1 : n / t.cols,
  };
}

export class SimilarityMap {
  readonly root: HTMLElement;
  readonly tooltip: HTMLElement;
  private readonly renderer: HeatmapRenderer;
  private readonly note: HTMLElement;
  private readonly listeners = new AbortController();
  private base: Layer | undefined;
  private detail: Layer | undefined;
  view: ViewWindow | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly n: number,
    private readonly labels: () => Labels | undefined,
    /** display row → array row */
    private readonly rowAt: (displayRow: number) => number,
    order: EmbeddingsOrder,
    lut: Uint8Array,
    private readonly act: SimilarityActions,
  ) {
    const sec = el('section', { id: 'similarity-section', 'aria-label': 'Cosine similarity' });
    const bar = el('div', { class: 'bar' });
    const sel = el('vscode-single-select', {
      id: 'order',
      'aria-label': 'Order of the rows',
    }) as unknown as HTMLSelectElement;
    for (const [k, name] of Object.entries(ORDER_NAMES)) {
      const o = el('vscode-option', { value: k }, name);
      if (k === order) o.setAttribute('selected', '');
      sel.append(o);
    }
    sel.addEventListener('change', () => act.order(sel.value as EmbeddingsOrder));
    const zin = iconButton('zoom-in', 'zoom-in', 'Zoom in (+)');
    const zout = iconButton('zoom-out', 'zoom-out', 'Zoom out (−)');
    const zreset = iconButton('zoom-reset', 'screen-full', 'All rows (0)');
    zin.addEventListener('click', () => this.zoom(2));
    zout.addEventListener('click', () => this.zoom(0.5));
    zreset.addEventListener('click', () => this.setView(undefined));
    const orderLabel = el('label', { for: 'order' }, 'Order ');
    orderLabel.append(sel);
    bar.append(el('h2', {}, 'Cosine similarity'), orderLabel, zin, zout, zreset);
    const canvas = el('canvas', {
      id: 'similarity',
      tabindex: '0',
      role: 'img',
      'aria-label':
        'Cosine similarity of the rows: click picks a row; + and − zoom, arrow keys pan, 0 resets',
    });
    this.renderer = createRenderer(canvas, 'auto', SPECIAL_COLORS).renderer;
    this.renderer.setColormap(lut);
    this.renderer.setRange(-1, 1);
    const cbRow = el('div', { class: 'colorbar-row' });
    const cb = el('canvas', { id: 'colorbar', width: '256', height: '1' });
    paintColorbar(cb, lut, 'right');
    cbRow.append(el('span', {}, '−1'), cb, el('span', {}, '1'));
    this.note = el('div', { class: 'sub', id: 'similarity-note' });
    sec.append(bar, el('div', { class: 'plot' }, ''), cbRow, this.note);
    sec.querySelector('.plot')!.append(this.renderer.canvas);
    this.root = sec;
    this.tooltip = el('div', { class: 'tooltip', id: 'similarity-tooltip', role: 'tooltip' });
    this.tooltip.hidden = true;

    const grid = { rows: n, cols: n };
    attachPlotInput(
      this.renderer.canvas,
      {
        view: () => windowOrWhole(this.view, grid),
        zoomed: () => this.view !== undefined,
        zoom: (f, at) => this.zoom(f, at),
        panTo: (w) => this.setView(clampWindow(w, grid, 4), 80),
        panBy: (fr, fc) => {
          const v = windowOrWhole(this.view, grid);
          this.setView(panWindow(v, grid, fr * (v.r1 - v.r0), fc * (v.c1 - v.c0), 4));
        },
        reset: () => this.setView(undefined),
        hover: (p) => this.hover(p),
      },
      this.listeners.signal,
    );
    // a click (not a drag) picks the row under the pointer
    let down: { x: number; y: number } | undefined;
    const c = this.renderer.canvas;
    c.addEventListener('pointerdown', (e) => (down = { x: e.clientX, y: e.clientY }), {
      signal: this.listeners.signal,
    });
    c.addEventListener(
      'click',
      (e) => {
        if (down && Math.hypot(e.clientX - down.x, e.clientY - down.y) > 3) return;
        const p = pointAt(c, windowOrWhole(this.view, grid), e);
        if (p) act.pick(this.rowAt(Math.min(n - 1, Math.floor(p.R))));
      },
      { signal: this.listeners.signal },
    );
  }

  get canvas(): HTMLCanvasElement {
    return this.renderer.canvas;
  }

  dispose(): void {
    this.listeners.abort();
    this.renderer.dispose();
    clearTimeout(this.timer);
  }

  setLut(lut: Uint8Array): void {
    this.renderer.setColormap(lut);
  }

  /** The overview (a new order resets the zoom). */
  setOverview(t: CosineTileData): void {
    this.base = layerOf(t, this.n);
    this.detail = undefined;
    this.renderer.setBase(this.base);
    this.renderer.setDetail(null);
    this.draw();
  }

  /** A full-resolution window. */
  setDetail(t: CosineTileData): void {
    this.detail = layerOf(t, this.n);
    this.renderer.setDetail(this.detail);
    this.draw();
  }

  resetView(): void {
    this.view = undefined;
    this.detail = undefined;
    this.renderer.setDetail(null);
  }

  /** Shows a window of display rows × columns (undefined: all). */
  zoomTo(c: CellWindow | undefined): void {
    this.setView(c && { r0: c.row0, r1: c.row1, c0: c.col0, c1: c.col1 });
  }

  private zoom(factor: number, at?: GridPoint): void {
    const grid = { rows: this.n, cols: this.n };
    this.setView(zoomWindow(this.view, grid, factor, at, 4));
  }

  private setView(w: ViewWindow | undefined, deferMs = 0): void {
    this.view = w;
    this.draw();
    clearTimeout(this.timer);
    const c = w && cellsOf(w);
    const need =
      c &&
      c.row1 - c.row0 <= FULL_RES_SIDE &&
      c.col1 - c.col0 <= FULL_RES_SIDE &&
      this.base &&
      this.base.rowStep > 1 &&
      !(this.detail && covers(this.detail, c));
    if (!need) return;
    if (deferMs) this.timer = setTimeout(() => this.act.fetch(c), deferMs);
    else this.act.fetch(c);
  }

  /** The cells drawn now: the detail when it covers the view, else the overview. */
  shown(): Layer | undefined {
    const v = windowOrWhole(this.view, { rows: this.n, cols: this.n });
    const c = cellsOf(v);
    return this.detail && covers(this.detail, c) ? this.detail : this.base;
  }

  draw(): void {
    if (!this.base) return;
    const wrap = this.root.querySelector('.plot') as HTMLElement;
    const px = Math.max(200, Math.min(SIDE_PX, (wrap.clientWidth || SIDE_PX) - 4));
    this.renderer.resize(px, px, window.devicePixelRatio || 1);
    const v = windowOrWhole(this.view, { rows: this.n, cols: this.n });
    this.renderer.draw(v);
    const l = this.shown()!;
    const c = cellsOf(v);
    const res =
      l.rowStep === 1
        ? 'full resolution'
        : `mean of blocks of ≈${fmt6(Number(l.rowStep.toPrecision(3)))} rows`;
    this.note.textContent =
      `rows ${c.row0}–${c.row1 - 1} × ${c.col0}–${c.col1 - 1} of ${this.n} · ${res}` +
      (this.base.rowStep > 1 && l.rowStep > 1
        ? ` · zoom to ≤ ${FULL_RES_SIDE} rows for every pair`
        : '');
    this.canvas.dataset.cells = `${l.rows}×${l.cols}`;
  }

  private hover(p: (GridPoint & { clientX: number; clientY: number }) | undefined): void {
    const l = this.shown();
    const cell = l && p ? cellOf(l, p.R, p.C) : undefined;
    if (!l || !p || !cell) {
      this.tooltip.hidden = true;
      return;
    }
    const v = l.values[cell.i * l.cols + cell.j];
    const labels = this.labels();
    let text: string;
    if (l.rowStep === 1) {
      const a = this.rowAt(l.row0 + cell.i);
      const b = this.rowAt(l.col0 + cell.j);
      text = `${rowText(labels, a)} · ${rowText(labels, b)}: cos ${fmt6(v)}`;
    } else {
      const r = Math.floor(l.row0 + cell.i * l.rowStep);
      const c = Math.floor(l.col0 + cell.j * l.colStep);
      const r1 = Math.floor(l.row0 + (cell.i + 1) * l.rowStep) - 1;
      const c1 = Math.floor(l.col0 + (cell.j + 1) * l.colStep) - 1;
      text = `display rows ${r}–${r1} × ${c}–${c1}: mean cos ${fmt6(v)}`;
    }
    const tip = this.tooltip;
    tip.textContent = text;
    tip.hidden = false;
    const tw = tip.offsetWidth;
    const left = p.clientX + 14 + tw > window.innerWidth ? p.clientX - tw - 10 : p.clientX + 14;
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${p.clientY + 16}px`;
  }
}

function covers(l: Layer, c: CellWindow): boolean {
  return l.row0 <= c.row0 && l.col0 <= c.col0 && l.rowEnd >= c.row1 && l.colEnd >= c.col1;
}
