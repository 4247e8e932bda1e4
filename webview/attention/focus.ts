/**
 * The focus head: one head drawn by the shared heatmap renderer, token labels on both axes,
 * a horizontal colorbar, the hover tooltip, and zoom and pan through the shared view-window
 * model and plot input (a zoom window is fetched from the worker on whole cells).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { SPECIAL_COLORS } from '../../src/core/color/colormaps';
import { fmtSmall } from '../../src/core/attention/diagnostics';
import { headIndex, headLabel } from '../../src/core/attention/weights';
import type { AttentionFocusData } from '../../src/protocol/worker';
import { paintColorbar } from '../shared/heatmap/colorbar';
import { cellOf, type Layer } from '../shared/heatmap/layer';
import { createRenderer, type HeatmapRenderer } from '../shared/heatmap/renderer';
import { attachPlotInput } from '../shared/plotInput';
import type { GridPoint, ViewWindow } from '../shared/viewWindow';
import { el } from '../shared/vscode';
import { fmt6, focusCell, focusNote, focusTooltip, tokenText } from './format';
import type { OpenPage } from './state';

/** largest side of the focus head on screen (CSS px) */
const FOCUS_PX = 640;
/** width of the row labels column */
const YLABELS_PX = 92;

export interface FocusActions {
  /** magnification (> 1 in) about a grid point (the centre when undefined). */
  zoom(factor: number, at?: GridPoint): void;
  /** pan the zoom window to `w` (drag) or by fractions of it (keys). */
  panTo(w: ViewWindow): void;
  panBy(fr: number, fc: number): void;
  reset(): void;
  /** Page Up/Down: the previous/next head. */
  stepHead(delta: number): void;
}

/** A vscode-button with a codicon (in the light DOM, styled by the page's codicon CSS). */
export function iconButton(
  id: string,
  icon: string,
  text: string,
  attrs: Record<string, string> = {},
): HTMLElement {
  const b = el('vscode-button', { id, ...attrs });
  b.append(el('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }));
  if (text) b.append(document.createTextNode(` ${text}`));
  return b;
}

/** The full-resolution window the focus data covers. */
function windowOf(f: AttentionFocusData): ViewWindow {
  return { r0: f.row0, r1: f.row0 + f.fullRows, c0: f.col0, c1: f.col0 + f.fullCols };
}

function layerOf(f: AttentionFocusData): Layer {
  return {
    values: f.values,
    rows: f.rows,
    cols: f.cols,
    row0: f.row0,
    col0: f.col0,
    rowEnd: f.row0 + f.fullRows,
    colEnd: f.col0 + f.fullCols,
    rowStep: f.rowStep,
    colStep: f.colStep,
  };
}

export class FocusView {
  readonly root: HTMLElement;
  readonly tooltip: HTMLElement;
  private readonly renderer: HeatmapRenderer;
  private readonly title: HTMLElement;
  private readonly note: HTMLElement;
  private readonly xlabels: HTMLElement;
  private readonly ylabels: HTMLElement;
  private readonly colorbar: HTMLCanvasElement;
  private readonly cbMin: HTMLElement;
  private readonly cbMax: HTMLElement;
  private readonly listeners = new AbortController();
  private shown: AttentionFocusData | undefined;

  constructor(
    private readonly page: () => OpenPage,
    act: FocusActions,
  ) {
    const fs = el('section', { id: 'focus-section', 'aria-label': 'Focus head' });
    const bar = el('div', { class: 'focus-bar' });
    this.title = el('h2', { id: 'focus-title' });
    const zoomIn = iconButton('zoom-in', 'zoom-in', '', {
      secondary: '',
      title: 'Zoom in (+)',
      'aria-label': 'Zoom in',
    });
    const zoomOut = iconButton('zoom-out', 'zoom-out', '', {
      secondary: '',
      title: 'Zoom out (−)',
      'aria-label': 'Zoom out',
    });
    const zoomReset = iconButton('zoom-reset', 'screen-full', '', {
      secondary: '',
      title: 'Whole head (0)',
      'aria-label': 'Reset zoom',
    });
    zoomIn.addEventListener('click', () => act.zoom(2));
    zoomOut.addEventListener('click', () => act.zoom(0.5));
    zoomReset.addEventListener('click', () => act.reset());
    this.note = el('span', { id: 'focus-note' });
    bar.append(this.title, zoomIn, zoomOut, zoomReset, this.note);
    const grid = el('div', { class: 'focus-grid' });
    this.xlabels = el('div', { id: 'xlabels', 'aria-hidden': 'true' });
    this.ylabels = el('div', { id: 'ylabels', 'aria-hidden': 'true' });
    const canvas = el('canvas', {
      id: 'focus',
      tabindex: '0',
      role: 'img',
      'aria-label': 'Focus head: + and − zoom, arrow keys pan, 0 resets, Page Up/Down change head',
    });
    grid.append(el('div'), this.xlabels, this.ylabels, canvas);
    // the renderer may put a fresh canvas in place of this one (WebGL2 not usable)
    this.renderer = createRenderer(canvas, 'auto', SPECIAL_COLORS).renderer;
    const cbRow = el('div', { id: 'colorbar-row' });
    this.cbMin = el('span', { id: 'cb-min' });
    this.colorbar = el('canvas', { id: 'colorbar', width: '256', height: '1' });
    this.cbMax = el('span', { id: 'cb-max' });
    cbRow.append(this.cbMin, this.colorbar, this.cbMax);
    fs.append(bar, grid, cbRow);
    this.root = fs;
    this.tooltip = el('div', { id: 'tooltip', role: 'tooltip' });
    this.tooltip.hidden = true;

    attachPlotInput(
      this.renderer.canvas,
      {
        view: () => (this.shown ? windowOf(this.shown) : { r0: 0, r1: 1, c0: 0, c1: 1 }),
        zoomed: () => this.page().zoom !== undefined,
        zoom: (f, at) => act.zoom(f, at),
        panTo: (w) => act.panTo(w),
        panBy: (fr, fc) => act.panBy(fr, fc),
        reset: () => act.reset(),
        hover: (p) => this.hover(p),
        key: (e) => {
          if (e.key !== 'PageDown' && e.key !== 'PageUp') return false;
          act.stepHead(e.key === 'PageDown' ? 1 : -1);
          return true;
        },
      },
      this.listeners.signal,
    );
  }

  get canvas(): HTMLCanvasElement {
    return this.renderer.canvas;
  }

  dispose(): void {
    this.listeners.abort();
    this.renderer.dispose();
  }

  setLoading(text: string): void {
    this.note.textContent = text;
  }

  /** The focus head's side: fits the section's width and the window's height. */
  private sidePx(): number {
    const width = (this.root.clientWidth || FOCUS_PX) - YLABELS_PX - 8;
    const top = this.canvas.getBoundingClientRect().top + window.scrollY;
    const height = window.innerHeight - top - 48;
    return Math.max(160, Math.min(FOCUS_PX, width, height));
  }

  draw(f: AttentionFocusData, lut: Uint8Array): void {
    this.shown = f;
    const p = this.page();
    const l = p.layout;
    const g = headIndex(l, f.layer, f.batch, f.head);
    const lo = Math.min(0, f.min ?? 0);
    const hi = f.max ?? 1;
    const px = this.sidePx();
    const scale = Math.min(px / f.cols, px / f.rows);
    const w = Math.max(1, Math.round(f.cols * scale));
    const h = Math.max(1, Math.round(f.rows * scale));
    this.renderer.setColormap(lut);
    this.renderer.setRange(lo, hi);
    this.renderer.setBase(layerOf(f));
    this.renderer.resize(w, h, window.devicePixelRatio || 1);
    this.renderer.draw(windowOf(f));
    this.canvas.dataset.cells = `${f.rows}×${f.cols}`;
    this.title.textContent = `${headLabel(l, g)} · entropy ${fmt6(p.info.diagnostics.heads[g].entropy)} nats`;
    this.note.textContent = focusNote(f);
    paintColorbar(this.colorbar, lut, 'right');
    this.cbMin.textContent = fmtSmall(lo);
    this.cbMax.textContent = fmtSmall(hi);
    this.drawLabels(f, w, h);
  }

  private drawLabels(f: AttentionFocusData, w: number, h: number): void {
    const tokens = this.page().tokens;
    this.ylabels.replaceChildren();
    this.xlabels.replaceChildren();
    this.ylabels.style.height = `${h}px`;
    this.xlabels.style.width = `${w}px`;
    const cellH = h / f.rows;
    const cellW = w / f.cols;
    const everyR = Math.max(1, Math.ceil(13 / cellH));
    const everyC = Math.max(1, Math.ceil(13 / cellW));
    for (let r = 0; r < f.rows; r += everyR) {
      const i = f.row0 + r * f.rowStep;
      const s = el('span', {}, tokenText(tokens, i));
      s.title = `query ${i}`;
      s.style.top = `${(r + 0.5) * cellH - 6}px`;
      this.ylabels.append(s);
    }
    for (let c = 0; c < f.cols; c += everyC) {
      const j = f.col0 + c * f.colStep;
      const s = el('span', {}, tokenText(tokens, j));
      s.style.left = `${(c + 0.5) * cellW - 3}px`;
      this.xlabels.append(s);
    }
  }

  private hover(p: (GridPoint & { clientX: number; clientY: number }) | undefined): void {
    const f = this.shown;
    const cell = f && p ? cellOf(layerOf(f), p.R, p.C) : undefined;
    if (!f || !p || !cell) {
      this.tooltip.hidden = true;
      return;
    }
    const tip = this.tooltip;
    tip.textContent = focusTooltip(focusCell(f, cell.i, cell.j), this.page().tokens);
    tip.hidden = false;
    const tw = tip.offsetWidth;
    const left = p.clientX + 14 + tw > window.innerWidth ? p.clientX - tw - 10 : p.clientX + 14;
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${p.clientY + 16}px`;
  }

  /** The canvas's drawing-buffer size (the report). */
  bufferSize(): { width: number; height: number } {
    return { width: this.canvas.width, height: this.canvas.height };
  }
}
