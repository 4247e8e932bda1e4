/**
 * The heatmap plot of one slice: toolbar, column axis on top, row axis on the left, the
 * canvas (drawn by the shared renderer), colorbar, notes and the hover tooltip. Pan and zoom
 * move the view window (webview/shared/viewWindow.ts) and only redraw; once the view settles
 * it is saved, a finer window is asked for when zoomed into a pooled slice, and the page
 * reports what it shows.
 */
import { SPECIAL_COLORS, colormapLut } from '../../src/core/color/colormaps';
import type { RenderedReport } from '../../src/protocol/testing';
import { formatNumber } from '../../src/core/stats/summary';
import { ColorRange, RangeMode, colorRange } from '../../src/core/view/range';
import { el } from '../shared/vscode';
import { paintColorbar } from '../shared/heatmap/colorbar';
import { covers } from '../shared/heatmap/layer';
import {
  createRenderer,
  type HeatmapRenderer,
  type RendererPreference,
} from '../shared/heatmap/renderer';
import { attachPlotInput } from '../shared/plotInput';
import {
  cellsOf,
  clampWindow,
  panWindowBy,
  windowOrWhole,
  zoomWindow,
  type CellWindow,
  type GridPoint,
  type ViewWindow,
} from '../shared/viewWindow';
import { layerOf, poolingName } from './data';
import type { Drawable, Prefs } from './state';
import { cellTicks, colorbarTicks, type Tick } from './ticks';
import { Toolbar, type ToolbarActions } from './toolbar';
import { tooltipAt } from './tooltip';
import type { HeatmapData } from '../../src/protocol/common';

/** What the plot needs from the page. */
export interface PlotHost {
  prefs: Prefs;
  actions: ToolbarActions;
  /** the view settled: save it. */
  persist(): void;
  /** asks for a finer window of the view when zoomed; false when none is needed. */
  requestDetail(): boolean;
  report(r: RenderedReport): void;
  /** CSS px the plot may use across. */
  availableWidth(): number;
}

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

const rangeCache = new WeakMap<ArrayLike<number>, Map<string, ColorRange | null>>();

/** The colour range for the slice held (cached per data, mode and colormap kind). */
function rangeOf(h: HeatmapData, prefs: Prefs): ColorRange {
  const key = `${prefs.rangeMode}:${prefs.colormap === 'rdbu'}`;
  let m = rangeCache.get(h.values);
  if (!m) rangeCache.set(h.values, (m = new Map()));
  if (!m.has(key)) m.set(key, colorRange(h.values, prefs.rangeMode, prefs.colormap === 'rdbu'));
  return m.get(key) ?? { lo: 0, hi: 1 };
}

const RANGE_CAPTIONS: Record<RangeMode, string> = {
  minmax: 'min – max',
  symmetric: 'symmetric around 0',
  percentile: 'clipped to the 1st–99th percentile',
};

function placeTicks(box: HTMLElement, ticks: Tick[], vertical: boolean): void {
  box.replaceChildren(
    ...ticks.map((t) => {
      const span = el('span', {}, t.text);
      if (vertical) span.style.top = `${t.at}px`;
      else span.style.left = `${t.at}px`;
      return span;
    }),
  );
}

export class Plot {
  readonly root: HTMLElement;
  private readonly renderer: HeatmapRenderer;
  private readonly rendererNote: string | undefined;
  private readonly toolbar: Toolbar;
  private readonly wrap: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly bar: HTMLCanvasElement;
  private readonly ticks: HTMLElement;
  private readonly rowTicks: HTMLElement;
  private readonly colTicks: HTMLElement;
  private readonly note: HTMLElement;
  private readonly caption: HTMLElement;
  /** why the zoomed window could not be fetched (a live value whose program moved on). */
  private readonly detailError: HTMLElement;
  private size = { w: 1, h: 1 };
  private frame = 0;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private range: ColorRange = { lo: 0, hi: 1 };
  private hover: { x: number; y: number } | undefined;
  /** removes this plot's listeners from the shared canvas. */
  private readonly listeners = new AbortController();

  constructor(
    private readonly s: Drawable,
    private readonly host: PlotHost,
  ) {
    this.toolbar = new Toolbar(host.prefs, host.actions);
    const made = acquireRenderer(host.prefs.renderer);
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
    const barCol = el('div', { class: 'colorbar-col' });
    barCol.append(colorbar, this.caption);
    grid.append(el('div', { class: 'corner' }), this.colTicks, el('div'));
    grid.append(this.rowTicks, this.wrap, barCol);
    this.note = el('div', { class: 'note', id: 'slice-note' });
    this.detailError = el('div', {
      class: 'notice',
      id: 'detail-error',
      role: 'status',
      hidden: '',
    });
    this.root = el('div', { class: 'plot-root' });
    this.root.append(this.toolbar.root, grid, this.note, this.detailError, legend());

    this.renderer.setColormap(colormapLut(host.prefs.colormap));
    this.renderer.setBase(layerOf(s.base));
    this.renderer.setDetail(s.detail ? layerOf(s.detail) : null);
    attachPlotInput(
      canvas,
      {
        view: () => this.view,
        zoomed: () => this.s.zoom !== undefined,
        zoom: (f, at) => this.zoomBy(f, at),
        panTo: (w) => this.setView(w),
        panBy: (fr, fc) => this.setView(panWindowBy(this.s.zoom, this.grid, fr, fc)),
        reset: () => this.setView(undefined),
        hover: (p) => {
          this.hover = p ? { x: p.x, y: p.y } : undefined;
          if (!p) this.tooltip.hidden = true;
          else this.updateTooltip();
        },
      },
      this.listeners.signal,
    );
    window.addEventListener(
      'resize',
      () => {
        this.layout();
        this.render();
      },
      { signal: this.listeners.signal },
    );
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

  private get grid(): { rows: number; cols: number } {
    return { rows: this.s.base.fullRows, cols: this.s.base.fullCols };
  }

  get view(): ViewWindow {
    return windowOrWhole(this.s.zoom, this.grid);
  }

  setDetail(d: HeatmapData | null): void {
    this.showDetailError(undefined);
    this.s.detail = d;
    this.renderer.setDetail(d ? layerOf(d) : null);
    this.drawNow();
    this.sendReport();
  }

  /** The zoomed window could not be fetched: say why under the plot (the base stays drawn). */
  setDetailError(message: string): void {
    this.showDetailError(message);
    this.sendReport();
  }

  private showDetailError(message: string | undefined): void {
    this.detailError.textContent = message ?? '';
    this.detailError.hidden = message === undefined;
  }

  /** Colormap and range mode changed (or first shown): recolour and report. */
  recolor(): void {
    this.applyColors();
    this.render();
    this.sendReport();
  }

  private applyColors(): void {
    const prefs = this.host.prefs;
    this.range = rangeOf(this.s.base, prefs);
    this.renderer.setColormap(colormapLut(prefs.colormap));
    this.renderer.setRange(this.range.lo, this.range.hi);
    paintColorbar(this.bar, colormapLut(prefs.colormap), 'up');
    this.caption.textContent =
      prefs.colormap === 'rdbu' && prefs.rangeMode !== 'symmetric'
        ? `${RANGE_CAPTIONS[prefs.rangeMode]}, centred at 0`
        : RANGE_CAPTIONS[prefs.rangeMode];
    this.toolbar.show(prefs);
    this.layoutTicks();
  }

  /** Fits the canvas to the panel with square cells. */
  private layout(): void {
    const b = this.s.base;
    const top = this.wrap.getBoundingClientRect().top;
    const availW = Math.max(50, this.host.availableWidth() - 150);
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
    placeTicks(this.ticks, colorbarTicks(this.range.lo, this.range.hi, this.size.h), true);
  }

  /** Integer ticks of rows and columns in view, at the centre of their cells. */
  private layoutAxes(): void {
    const v = this.view;
    const { w, h } = this.size;
    if (this.s.base.rowAxis >= 0 || this.s.base.fullRows > 1)
      placeTicks(this.rowTicks, cellTicks(v.r0, v.r1, h, 40), true);
    placeTicks(this.colTicks, cellTicks(v.c0, v.c1, w, 70), false);
  }

  private drawNow(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.renderer.draw(this.view);
    this.layoutAxes();
    this.updateNote();
    this.updateTooltip();
    this.toolbar.setZoomed(this.s.zoom !== undefined);
  }

  /** Redraws on the next frame (coalesces bursts of input). */
  render(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.drawNow());
  }

  /** Moves the view (clamped to the slice); undefined = the whole slice. */
  setView(w: ViewWindow | undefined, settleMs = 150): void {
    const z = clampWindow(w, this.grid);
    this.s.zoom = z;
    if (!z && this.s.detail) {
      this.s.detail = null;
      this.renderer.setDetail(null);
    }
    if (!z) this.showDetailError(undefined);
    this.render();
    this.settle(settleMs);
  }

  /** Zooms by a magnification (> 1 in) keeping grid point `at` where it is on screen. */
  zoomBy(factor: number, at?: GridPoint): void {
    this.setView(zoomWindow(this.s.zoom, this.grid, factor, at));
  }

  /** After the view stops moving: save it, fetch a finer window if needed, report. */
  private settle(ms: number): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      this.host.persist();
      if (!this.host.requestDetail()) this.sendReport();
    }, ms);
  }

  private updateTooltip(): void {
    if (!this.hover) return;
    const v = this.view;
    const { w, h } = this.size;
    const R = v.r0 + (this.hover.y / h) * (v.r1 - v.r0);
    const C = v.c0 + (this.hover.x / w) * (v.c1 - v.c0);
    const text = tooltipAt(this.s.view.shape, [this.s.detail, this.s.base], R, C);
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
      `heatmap of ${this.s.view.dtype} ${b.fullRows}×${b.fullCols}${b.sliceLabel ? ' slice ' + b.sliceLabel : ''}${this.s.zoom ? `, ${notes[b.sliceLabel ? 1 : 0]}` : ''}, ${this.host.prefs.colormap} from ${formatNumber(lo)} to ${formatNumber(hi)}. Arrow keys pan, plus and minus zoom, 0 resets.`,
    );
  }

  /** A PNG of the heatmap as drawn now. */
  async png(): Promise<Uint8Array> {
    this.renderer.draw(this.view);
    const blob = await new Promise<Blob | null>((res) => this.canvas.toBlob(res, 'image/png'));
    if (!blob) throw new Error('the canvas could not be encoded as PNG');
    return new Uint8Array(await blob.arrayBuffer());
  }

  visibleCells(): CellWindow {
    return cellsOf(this.view);
  }

  sendReport(): void {
    const s = this.s;
    const d = this.shownData();
    const prefs = this.host.prefs;
    const sample: number[] = [];
    for (let i = 0; i < Math.min(8, d.values.length); i++) sample.push(d.values[i]);
    let sum = 0;
    for (const v of d.values) if (v - v === 0) sum += v;
    const summary = document.getElementById('summary')?.textContent ?? s.view.summary;
    const noteText = this.note.hidden ? '' : (this.note.textContent ?? '');
    this.host.report({
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
        colormap: prefs.colormap,
        rangeMode: prefs.rangeMode,
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
      sum,
      ...(noteText ? { note: noteText } : {}),
      ...(this.detailError.hidden ? {} : { detailError: this.detailError.textContent ?? '' }),
    });
  }
}

/** Swatches of the non-finite colours and the input hint. */
function legend(): HTMLElement {
  const box = el('div', { class: 'legend' });
  for (const [name, rgb] of [
    ['NaN', SPECIAL_COLORS.nan],
    ['+Inf', SPECIAL_COLORS.posinf],
    ['−Inf', SPECIAL_COLORS.neginf],
  ] as const) {
    const item = el('span');
    const sw = el('span', { class: 'swatch' });
    sw.style.background = `rgb(${rgb.join(',')})`;
    item.append(sw, document.createTextNode(name));
    box.append(item);
  }
  box.append(el('span', { class: 'hint' }, 'wheel/drag or +/−/arrows to zoom and pan, 0 resets'));
  return box;
}
