/**
 * What every chart of the results panel shares, drawn with uPlot: the card it sits in, the
 * readout line under it (the value under the cursor, also driven by the arrow keys when the
 * chart has focus), axes and fonts from the theme, marker drawing in the hooks, and its
 * report (`Chart.report`). The positions of the markers drawn in the hooks are kept in
 * `Chart.markers` (CSS px from the plot area's top-left) so tests can compare them with
 * `valToPos`.
 */
import uPlot from 'uplot';
import type { AnalysisPlotReport } from '../../src/protocol/testing';
import { el } from '../shared/vscode';
import type { PlotTheme } from './theme';
import { fmt, tick } from './format';

export interface Chart {
  id: string;
  u: uPlot;
  report: AnalysisPlotReport;
  /** where the hooks drew their markers, CSS px within the plot area */
  markers: Record<string, number>;
  destroy(): void;
}

export const HEIGHT = 250;

export interface Spec {
  id: string;
  title: string;
  /** what a screen reader hears for the chart */
  label: string;
  data: uPlot.AlignedData;
  /** builds the options once the width is known */
  options(
    theme: PlotTheme,
    markers: Record<string, number>,
  ): Omit<uPlot.Options, 'width' | 'height'>;
  /** readout for data index i */
  readout(i: number): string;
  hint: string;
  report: AnalysisPlotReport;
  /** square-ish chart with equal aspect (the complex plane) */
  equalAspect?: { half: number };
  height?: number;
}

export function dpr(): number {
  return window.devicePixelRatio || 1;
}

export function font(theme: PlotTheme, px: number, bold = false): string {
  return `${bold ? '600 ' : ''}${Math.round(px * dpr())}px ${theme.font}`;
}

export function axis(theme: PlotTheme, o: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: theme.fg,
    font: `11px ${theme.font}`,
    labelFont: `11px ${theme.font}`,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1, size: 4 },
    labelSize: 18,
    labelGap: 0,
    // show every split given (uPlot's default filter thins log axes on its own)
    filter: (_u, splits) => splits,
    ...o,
  };
}

/** fixed axis sizes and padding: the plot area is known before the first draw (equal aspect) */
export const X_AXIS = 26;
export const Y_AXIS = 52;
export const PADDING: uPlot.Padding = [14, 18, 0, 0];

/** A horizontal line across the plot area at canvas y (whole device pixels, 2 px thick). */
export function hline(
  u: uPlot,
  y: number,
  color: string,
  width: number,
  dash: number[] = [],
): void {
  const ctx = u.ctx;
  const { left, width: w } = u.bbox;
  const yy = Math.round(y);
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = Math.max(2, Math.round(width * dpr()));
  ctx.setLineDash(dash.map((d) => d * dpr()));
  ctx.beginPath();
  ctx.moveTo(left, yy);
  ctx.lineTo(left + w, yy);
  ctx.stroke();
  ctx.restore();
}

export function vline(u: uPlot, x: number, color: string, width: number): void {
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  const xx = Math.round(x);
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = Math.max(2, Math.round(width * dpr()));
  ctx.beginPath();
  ctx.moveTo(xx, top);
  ctx.lineTo(xx, top + height);
  ctx.stroke();
  ctx.restore();
}

/** Text with a background-coloured halo so it stays readable over lines and points. */
export function label(
  u: uPlot,
  theme: PlotTheme,
  text: string,
  x: number,
  y: number,
  color: string,
  align: CanvasTextAlign = 'left',
  baseline: CanvasTextBaseline = 'alphabetic',
): void {
  const ctx = u.ctx;
  ctx.save();
  ctx.font = font(theme, 11, true);
  ctx.textAlign = align;
  ctx.textBaseline = baseline;
  ctx.lineJoin = 'round';
  ctx.lineWidth = 3 * dpr();
  ctx.strokeStyle = theme.background;
  ctx.strokeText(text, x, y);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
  ctx.restore();
}

/** "rank r" beside the marker at canvas x: right of it, or left when it would not fit. */
export function rankLabel(u: uPlot, theme: PlotTheme, rank: number, x: number, y: number): void {
  const right = x + 70 * dpr() < u.bbox.left + u.bbox.width;
  label(
    u,
    theme,
    `rank ${rank}`,
    x + (right ? 6 : -6) * dpr(),
    y,
    theme.rank,
    right ? 'left' : 'right',
  );
}

/** The numerical rank as a vertical marker at k = rank (recorded as `rankX`) with its label at y. */
export function rankMarker(
  u: uPlot,
  theme: PlotTheme,
  markers: Record<string, number>,
  rank: number,
  y: number,
  width = theme.line + 0.5,
): void {
  const x = u.valToPos(rank, 'x', true);
  vline(u, x, theme.rank, width);
  rec(u, markers, 'rankX', Math.round(x), 'x');
  rankLabel(u, theme, rank, x, y);
}

/** The rank tolerance as a horizontal line (recorded as `toleranceY`), labelled at the right. */
export function toleranceLine(
  u: uPlot,
  theme: PlotTheme,
  markers: Record<string, number>,
  tol: number,
): void {
  const y = u.valToPos(tol, 'y', true);
  hline(u, y, theme.tolerance, theme.line + 0.5);
  rec(u, markers, 'toleranceY', Math.round(y), 'y');
  label(
    u,
    theme,
    `tol ${fmt(tol, 3)}`,
    u.bbox.left + u.bbox.width - 6,
    y - 5 * dpr(),
    theme.tolerance,
    'right',
  );
}

/** Scales, axes and the one series of σ_k against k = 1..n on a log axis. */
export function sigmaLogPlot(
  theme: PlotTheme,
  n: number,
  yRange: [number, number],
  yLabel: string,
): Pick<uPlot.Options, 'scales' | 'axes' | 'series'> {
  return {
    scales: {
      x: { time: false, range: [0.5, n + 0.5] },
      y: { distr: 3, log: 10, range: yRange },
    },
    axes: [
      axis(theme, { label: 'k', size: X_AXIS, splits: intSplits, values: ticks }),
      axis(theme, { label: yLabel, size: Y_AXIS, splits: logSplits, values: ticks }),
    ],
    series: [
      {},
      {
        label: 'σ',
        stroke: theme.series,
        width: theme.line,
        points: { show: true, size: n > 300 ? 3 : 5, fill: theme.series, stroke: theme.series },
      },
    ],
  };
}

/** Clips drawing to the plot area. */
export function clipped(u: uPlot, draw: () => void): void {
  const { left, top, width, height } = u.bbox;
  u.ctx.save();
  u.ctx.beginPath();
  u.ctx.rect(left, top, width, height);
  u.ctx.clip();
  draw();
  u.ctx.restore();
}

/** Records a marker drawn at canvas position `canvasPx` as CSS px from the plot area's edge. */
export function rec(
  u: uPlot,
  markers: Record<string, number>,
  key: string,
  canvasPx: number,
  axis: 'x' | 'y' | 'len',
): void {
  const from = axis === 'x' ? u.bbox.left : axis === 'y' ? u.bbox.top : 0;
  markers[key] = (canvasPx - from) / dpr();
}

/** Decades between min and max, thinned to fit the axis height. */
export function logSplits(u: uPlot, _i: number, min: number, max: number): number[] {
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  const fit = Math.max(2, Math.floor(u.bbox.height / dpr() / 26));
  const step = Math.max(1, Math.ceil((hi - lo + 1) / fit));
  const out: number[] = [];
  for (let e = hi; e >= lo; e -= step) out.unshift(10 ** e);
  return out;
}

export function intSplits(u: uPlot, _i: number, min: number, max: number): number[] {
  const span = max - min;
  const fit = Math.max(2, Math.floor(u.bbox.width / dpr() / 60));
  const raw = span / fit;
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p);
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(v);
  return out;
}

export function ticks(_u: uPlot, splits: number[]): string[] {
  return splits.map((v) => (v === null || v === undefined ? '' : tick(v)));
}

/** Mounts one chart in `card` (a section with a .plot and a .readout). */
export function mount(card: HTMLElement, spec: Spec, theme: PlotTheme): Chart {
  const plot = card.querySelector<HTMLElement>('.plot')!;
  const readout = card.querySelector<HTMLElement>('.readout')!;
  const markers: Record<string, number> = {};
  const base = spec.options(theme, markers);
  const width = Math.max(240, Math.floor(plot.clientWidth || 400));
  const height = spec.height ?? HEIGHT;
  const xs = spec.data[0] as number[];
  const ys = spec.data[1] as (number | null)[];
  readout.textContent = spec.hint;
  const setAspect = (u: uPlot) => {
    if (!spec.equalAspect) return;
    const w = u.bbox.width || 1;
    const h = u.bbox.height || 1;
    const half = spec.equalAspect.half;
    const rx = w >= h ? (half * w) / h : half;
    const ry = w >= h ? half : (half * h) / w;
    const sx = u.scales.x;
    const sy = u.scales.y;
    const same = (a: number | undefined, b: number) =>
      a !== undefined && Math.abs(a - b) <= 1e-12 * b;
    if (same(sx.max, rx) && same(sy.max, ry)) return;
    u.batch(() => {
      u.setScale('x', { min: -rx, max: rx });
      u.setScale('y', { min: -ry, max: ry });
    });
  };
  // the plot area is final only once uPlot has sized the axes (after 'ready', after each
  // resize): set the equal-aspect ranges then, outside uPlot's own update
  const settle = (u: uPlot) => {
    if (spec.equalAspect) queueMicrotask(() => setAspect(u));
  };
  const opts: uPlot.Options = {
    ...base,
    width,
    height,
    padding: PADDING,
    legend: { show: false },
    hooks: {
      ...base.hooks,
      setCursor: [
        (u) => {
          const i = u.cursor.idxs?.[1] ?? u.cursor.idx;
          readout.textContent =
            i === null || i === undefined || ys[i] === null ? spec.hint : spec.readout(i);
        },
      ],
      ready: [settle],
      setSize: [settle],
    },
  };
  const u = new uPlot(opts, spec.data, plot);
  plot.tabIndex = 0;
  plot.setAttribute('role', 'img');
  plot.setAttribute('aria-label', `${spec.label}. Arrow keys move the readout.`);
  // keyboard: arrows walk the points (the readout follows), Escape hides the cursor
  let kb = -1;
  plot.addEventListener('keydown', (e) => {
    const n = xs.length;
    if (!n) return;
    let i = kb;
    if (e.key === 'ArrowRight' || e.key === 'ArrowUp') i = Math.min(n - 1, i + 1);
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') i = Math.max(0, i - 1);
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = n - 1;
    else if (e.key === 'Escape') {
      kb = -1;
      u.setCursor({ left: -10, top: -10 });
      readout.textContent = spec.hint;
      return;
    } else return;
    e.preventDefault();
    kb = i;
    const y = ys[i];
    u.setCursor({ left: u.valToPos(xs[i], 'x'), top: y === null ? 0 : u.valToPos(y, 'y') });
    readout.textContent = y === null ? spec.hint : spec.readout(i);
  });
  let lastWidth = width;
  const ro = new ResizeObserver(() => {
    const w = Math.max(240, Math.floor(plot.clientWidth));
    if (Math.abs(w - lastWidth) < 2) return;
    lastWidth = w;
    u.setSize({ width: w, height });
  });
  ro.observe(plot);
  return {
    id: spec.id,
    u,
    report: spec.report,
    markers,
    destroy() {
      ro.disconnect();
      u.destroy();
    },
  };
}

/** A card: title, chart area, readout and an optional note (with data-keys for the report). */
export function card(id: string, title: string, note?: string): HTMLElement {
  const c = el('section', { class: 'card', id: `card-${id}` });
  c.append(
    el('h3', {}, title),
    el('div', { class: 'plot', id: `plot-${id}` }),
    el('div', { class: 'readout', 'data-key': `readout-${id}`, 'aria-live': 'polite' }),
  );
  if (note) c.append(el('div', { class: 'plot-note', 'data-key': `note-${id}` }, note));
  return c;
}

/** A theme colour made translucent for an area fill. */
export function withFill(color: string): string {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(color);
  return m ? `rgba(${m[1]}, ${m[2]}, ${m[3]}, 0.12)` : color;
}
