/**
 * The Δ = B − A map: the worker's pooled map (signed largest |Δ| per cell) drawn by the shared
 * heatmap renderer with a symmetric range ±max |Δ| (zero in the colormap's middle), a colorbar
 * and a hover readout of the cell's index range and Δ.
 */
import { SPECIAL_COLORS } from '../../src/core/color/colormaps';
import type { DeltaMap } from '../../src/core/compare/deltaMap';
import { paintColorbar } from '../shared/heatmap/colorbar';
import { cellOf, type Layer } from '../shared/heatmap/layer';
import { createRenderer, type HeatmapRenderer } from '../shared/heatmap/renderer';
import { pointAt } from '../shared/plotInput';
import type { ViewWindow } from '../shared/viewWindow';
import { el } from '../shared/vscode';
import { fmt } from '../analysis/format';

const MAX_PX = 560;

function layerOf(m: DeltaMap): Layer {
  return {
    values: m.values,
    rows: m.rows,
    cols: m.cols,
    row0: 0,
    col0: 0,
    rowEnd: m.fullRows,
    colEnd: m.fullCols,
    rowStep: m.rowStep,
    colStep: m.colStep,
  };
}

/** The symmetric colour range of a map: ±max |Δ| (±1 when Δ is all zero). */
export function symmetricRange(m: DeltaMap): { lo: number; hi: number } {
  const h = m.maxAbs > 0 ? m.maxAbs : 1;
  return { lo: m.magnitude ? 0 : -h, hi: h };
}

export class DeltaHeatmap {
  readonly root: HTMLElement;
  private readonly renderer: HeatmapRenderer;
  private readonly tooltip: HTMLElement;
  private readonly note: HTMLElement;
  private readonly colorbar: HTMLCanvasElement;
  private readonly cbMin: HTMLElement;
  private readonly cbMax: HTMLElement;
  private readonly listeners = new AbortController();
  private map: DeltaMap | undefined;
  range = { lo: -1, hi: 1 };

  constructor(parent: HTMLElement) {
    this.root = el('section', { id: 'delta-section', class: 'card', 'aria-label': 'Δ map' });
    this.root.append(el('h3', {}, 'Δ = B − A'));
    const canvas = el('canvas', {
      id: 'delta',
      tabindex: '0',
      role: 'img',
      'aria-label': 'Heatmap of B − A with a symmetric colour range',
    });
    this.root.append(canvas);
    // the canvas must be in the document before the renderer is chosen
    parent.append(this.root);
    this.renderer = createRenderer(canvas, 'auto', SPECIAL_COLORS).renderer;
    const cbRow = el('div', { id: 'colorbar-row' });
    this.cbMin = el('span', { id: 'cb-min' });
    this.colorbar = el('canvas', { id: 'colorbar', width: '256', height: '1' });
    this.cbMax = el('span', { id: 'cb-max' });
    cbRow.append(this.cbMin, this.colorbar, this.cbMax);
    this.note = el('div', { class: 'plot-note', id: 'delta-note' });
    this.tooltip = el('div', { id: 'tooltip', role: 'tooltip' });
    this.tooltip.hidden = true;
    this.root.append(cbRow, this.note, this.tooltip);
    const c = this.renderer.canvas;
    c.addEventListener('mousemove', (ev) => this.hover(ev), { signal: this.listeners.signal });
    c.addEventListener('mouseleave', () => (this.tooltip.hidden = true), {
      signal: this.listeners.signal,
    });
  }

  get canvas(): HTMLCanvasElement {
    return this.renderer.canvas;
  }

  private view(): ViewWindow {
    const m = this.map;
    return m ? { r0: 0, r1: m.fullRows, c0: 0, c1: m.fullCols } : { r0: 0, r1: 1, c0: 0, c1: 1 };
  }

  draw(m: DeltaMap, lut: Uint8Array): void {
    this.map = m;
    this.range = symmetricRange(m);
    const avail = Math.max(
      200,
      Math.min(MAX_PX, (this.root.parentElement?.clientWidth ?? MAX_PX) - 40),
    );
    // thin arrays (a vector is one row) get cells of at least 12 px height
    const scale = Math.min(avail / m.cols, (m.rows < 8 ? 12 * m.rows : avail) / m.rows);
    const w = Math.max(1, Math.round(m.cols * scale));
    const h = Math.max(1, Math.round(m.rows * scale));
    this.renderer.setColormap(lut);
    this.renderer.setRange(this.range.lo, this.range.hi);
    this.renderer.setBase(layerOf(m));
    this.renderer.resize(w, h, window.devicePixelRatio || 1);
    this.renderer.draw(this.view());
    this.canvas.dataset.rows = String(m.rows);
    this.canvas.dataset.cols = String(m.cols);
    paintColorbar(this.colorbar, lut, 'right');
    this.cbMin.textContent = fmt(this.range.lo, 3);
    this.cbMax.textContent = fmt(this.range.hi, 3);
    const pooled =
      m.rowStep > 1 || m.colStep > 1
        ? ` · each cell the largest |Δ| of ${m.rowStep}×${m.colStep}`
        : ' · full resolution';
    this.note.textContent =
      `${m.fullRows}×${m.fullCols}${m.layout ? ` (as ${m.layout})` : ''}${pooled} · ` +
      (m.magnitude ? 'complex: |Δ| shown' : 'symmetric range ±max |Δ|; magenta: NaN');
  }

  /** The canvas's drawing-buffer size (the report). */
  bufferSize(): { width: number; height: number } {
    return { width: this.canvas.width, height: this.canvas.height };
  }

  private hover(ev: MouseEvent): void {
    const m = this.map;
    const p = m && pointAt(this.canvas, this.view(), ev);
    const cell = m && p ? cellOf(layerOf(m), p.R, p.C) : undefined;
    if (!m || !cell) {
      this.tooltip.hidden = true;
      return;
    }
    const r0 = cell.i * m.rowStep;
    const c0 = cell.j * m.colStep;
    const r1 = Math.min(m.fullRows, r0 + m.rowStep) - 1;
    const c1 = Math.min(m.fullCols, c0 + m.colStep) - 1;
    const span = (a: number, b: number) => (a === b ? `${a}` : `${a}…${b}`);
    const v = m.values[cell.i * m.cols + cell.j];
    this.tooltip.textContent = `[${span(r0, r1)}, ${span(c0, c1)}]  Δ = ${fmt(v)}`;
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${ev.clientX + 14}px`;
    this.tooltip.style.top = `${ev.clientY + 16}px`;
  }

  dispose(): void {
    this.listeners.abort();
    this.renderer.dispose();
  }
}
