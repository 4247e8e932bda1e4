/**
 * The charts of the results panel, drawn with uPlot: singular values (log y, with the rank
 * tolerance and the numerical rank), cumulative energy, the Eckart–Young error curve, the
 * eigenvalues (complex plane with the unit and spectral-radius circles, or a sorted real
 * plot for symmetric input) and a histogram of the spectrum.
 *
 * Every chart has a readout line under it (the value under the cursor, also driven by the
 * arrow keys when the chart has focus) and reports what it drew (`Chart.report`). The
 * positions of the markers drawn in the hooks are kept in `Chart.markers` (CSS px from the
 * plot area's top-left) so tests can compare them with `valToPos`.
 */
import uPlot from 'uplot';
import type { AnalysisPlotReport } from '../../src/protocol/messages';
import type { MatrixAnalysis } from '../../src/core/linalg/analyze';
import { el } from '../shared/vscode';
import { fmt, tick } from './format';
import type { PlotTheme } from './theme';

export interface Chart {
  id: string;
  u: uPlot;
  report: AnalysisPlotReport;
  /** where the hooks drew their markers, CSS px within the plot area */
  markers: Record<string, number>;
  destroy(): void;
}

const HEIGHT = 250;
/** singular values below this fraction of σ₁ are zero up to rounding: drawn at the floor */
export const SV_FLOOR_REL = 1e-18;
const SMALLEST_NORMAL = 2.2250738585072014e-308;

interface Spec {
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

function dpr(): number {
  return window.devicePixelRatio || 1;
}

function font(theme: PlotTheme, px: number, bold = false): string {
  return `${bold ? '600 ' : ''}${Math.round(px * dpr())}px ${theme.font}`;
}

function axis(theme: PlotTheme, o: Partial<uPlot.Axis> = {}): uPlot.Axis {
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
const X_AXIS = 26;
const Y_AXIS = 52;
const PADDING: uPlot.Padding = [14, 18, 0, 0];

/** A horizontal line across the plot area at canvas y (whole device pixels, 2 px thick). */
function hline(u: uPlot, y: number, color: string, width: number, dash: number[] = []): void {
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

function vline(u: uPlot, x: number, color: string, width: number): void {
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
function label(
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
function rankLabel(u: uPlot, theme: PlotTheme, rank: number, x: number, y: number): void {
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

/** Clips drawing to the plot area. */
function clipped(u: uPlot, draw: () => void): void {
  const { left, top, width, height } = u.bbox;
  u.ctx.save();
  u.ctx.beginPath();
  u.ctx.rect(left, top, width, height);
  u.ctx.clip();
  draw();
  u.ctx.restore();
}

/** Records a marker drawn at canvas position `canvasPx` as CSS px from the plot area's edge. */
function rec(
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
function logSplits(u: uPlot, _i: number, min: number, max: number): number[] {
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  const fit = Math.max(2, Math.floor(u.bbox.height / dpr() / 26));
  const step = Math.max(1, Math.ceil((hi - lo + 1) / fit));
  const out: number[] = [];
  for (let e = hi; e >= lo; e -= step) out.unshift(10 ** e);
  return out;
}

function intSplits(u: uPlot, _i: number, min: number, max: number): number[] {
  const span = max - min;
  const fit = Math.max(2, Math.floor(u.bbox.width / dpr() / 60));
  const raw = span / fit;
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p);
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(v);
  return out;
}

function ticks(_u: uPlot, splits: number[]): string[] {
  return splits.map((v) => (v === null || v === undefined ? '' : tick(v)));
}

/** Mounts one chart in `card` (a section with a .plot and a .readout). */
function mount(card: HTMLElement, spec: Spec, theme: PlotTheme): Chart {
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

// ---------- the charts ----------

export interface SvPlan {
  ys: number[];
  floor: number;
  clamped: number;
  note?: string;
}

/** Singular values as drawn on the log axis: zero/denormal/rounding-level values at a floor. */
export function planSingularValues(a: MatrixAnalysis): SvPlan | undefined {
  const sv = a.singularValues;
  const smax = sv[0] ?? 0;
  if (!(smax > 0)) return undefined;
  const floor = Math.max(smax * SV_FLOOR_REL, SMALLEST_NORMAL);
  let clamped = 0;
  const ys = sv.map((s) => {
    if (s >= floor) return s;
    clamped++;
    return floor;
  });
  const note = clamped
    ? `${clamped} singular value${clamped > 1 ? 's' : ''} below ${fmt(floor, 3)} (10⁻¹⁸·σ₁: zero up to rounding) drawn at that floor`
    : undefined;
  return { ys, floor, clamped, note };
}

function approxNote(a: MatrixAnalysis): string | undefined {
  const ap = a.approximate;
  return ap ? `approximate: top ${ap.k} of ${Math.min(...a.shape)} (randomized SVD)` : undefined;
}

export function singularValueChart(
  cardEl: HTMLElement,
  a: MatrixAnalysis,
  plan: SvPlan,
  theme: PlotTheme,
): Chart {
  const n = plan.ys.length;
  const xs = Array.from({ length: n }, (_, i) => i + 1);
  const tol = a.rankTolerance;
  const smax = a.singularValues[0];
  // the Marchenko–Pastur bulk edge (noise-aware rank, issue 14), when the fit exists and the
  // noise is above the rank tolerance (below it the noise is rounding and the numerical rank
  // already answers)
  const mp = a.marchenkoPastur && a.marchenkoPastur.mpEdge > tol ? a.marchenkoPastur : undefined;
  const low = Math.min(plan.ys[n - 1], tol > 0 ? tol : Infinity, mp ? mp.mpEdge : Infinity);
  const yMin = 10 ** Math.floor(Math.log10(low) - 0.3);
  const yMax = 10 ** Math.ceil(Math.log10(smax) + 0.3);
  const approx = approxNote(a);
  return mount(
    cardEl,
    {
      id: 'sv',
      title: 'Singular values',
      label: `Singular values σ_k on a log axis, ${n} points; numerical rank ${a.rank} at tolerance ${fmt(tol)}`,
      data: [xs, plan.ys],
      hint: `${n} singular values${approx ? ` (${approx})` : ''}; rank ${a.rank}, tol ${fmt(tol)}${mp ? `; dashed: Marchenko–Pastur noise edge ${fmt(mp.mpEdge)} (noise σ ≈ ${fmt(mp.noiseSigma, 3)}, signal rank ≈ ${mp.signalRank})` : ''}. Hover or use the arrow keys.`,
      readout: (i) =>
        `k = ${i + 1}   σ_${i + 1} = ${fmt(a.singularValues[i])}${a.singularValues[i] < plan.floor ? ` (drawn at ${fmt(plan.floor, 3)})` : ''}   σ_${i + 1}/σ₁ = ${fmt(a.singularValues[i] / smax, 4)}`,
      report: {
        points: n,
        clamped: plan.clamped,
        note: [approx, plan.note].filter(Boolean).join('; ') || undefined,
      },
      options: (t, markers) => ({
        scales: {
          x: { time: false, range: [0.5, n + 0.5] },
          y: { distr: 3, log: 10, range: [yMin, yMax] },
        },
        axes: [
          axis(t, { label: 'k', size: X_AXIS, splits: intSplits, values: ticks }),
          axis(t, { label: 'σ_k', size: Y_AXIS, splits: logSplits, values: ticks }),
        ],
        series: [
          {},
          {
            label: 'σ',
            stroke: t.series,
            width: t.line,
            points: { show: true, size: n > 300 ? 3 : 5, fill: t.series, stroke: t.series },
          },
        ],
        hooks: {
          draw: [
            (u) => {
              clipped(u, () => {
                if (tol > 0) {
                  const y = u.valToPos(tol, 'y', true);
                  hline(u, y, t.tolerance, t.line + 0.5);
                  rec(u, markers, 'toleranceY', Math.round(y), 'y');
                  label(
                    u,
                    t,
                    `tol ${fmt(tol, 3)}`,
                    u.bbox.left + u.bbox.width - 6,
                    y - 5 * dpr(),
                    t.tolerance,
                    'right',
                  );
                }
                if (mp) {
                  const y = u.valToPos(mp.mpEdge, 'y', true);
                  hline(u, y, t.guide, t.line, [6 * dpr(), 4 * dpr()]);
                  rec(u, markers, 'mpEdgeY', Math.round(y), 'y');
                  label(
                    u,
                    t,
                    `Marchenko–Pastur edge ${fmt(mp.mpEdge, 3)}: signal rank ≈ ${mp.signalRank}`,
                    u.bbox.left + 6, // left, where the small σ (right) are not
                    y + 14 * dpr(),
                    t.guide,
                    'left',
                  );
                }
                if (a.rank >= 1) {
                  const x = u.valToPos(a.rank, 'x', true);
                  vline(u, x, t.rank, t.line + 0.5);
                  rec(u, markers, 'rankX', Math.round(x), 'x');
                  rankLabel(u, t, a.rank, x, u.bbox.top + 14 * dpr());
                }
                const notes = [
                  approx,
                  plan.clamped ? `${plan.clamped} clamped to floor` : undefined,
                ].filter((s): s is string => !!s);
                notes.forEach((s, k) =>
                  label(
                    u,
                    t,
                    s,
                    u.bbox.left + u.bbox.width - 6,
                    u.bbox.top + (14 + 16 * k) * dpr(),
                    k === 0 && approx ? t.tolerance : t.muted,
                    'right',
                  ),
                );
              });
            },
          ],
        },
      }),
    },
    theme,
  );
}

export function energyChart(
  cardEl: HTMLElement,
  a: MatrixAnalysis,
  theme: PlotTheme,
): Chart | undefined {
  const sv = a.singularValues;
  const fro2 = a.norms.fro * a.norms.fro;
  if (!(fro2 > 0) || !sv.length) return undefined;
  const xs = [0];
  const ys = [0];
  let acc = 0;
  for (let k = 0; k < sv.length; k++) {
    acc += sv[k] * sv[k];
    xs.push(k + 1);
    ys.push(Math.min(1, acc / fro2));
  }
  const reach = (p: number) => ys.findIndex((v) => v >= p - 1e-12);
  const k90 = reach(0.9);
  const k99 = reach(0.99);
  const approx = approxNote(a);
  return mount(
    cardEl,
    {
      id: 'energy',
      title: 'Cumulative energy Σσᵢ² / ‖A‖_F²',
      label: `Cumulative energy over k; 90% at k = ${k90}, 99% at k = ${k99}`,
      data: [xs, ys],
      hint: `90% at k = ${k90 < 0 ? '—' : k90}, 99% at k = ${k99 < 0 ? '—' : k99}${approx ? ` (${approx})` : ''}`,
      readout: (i) => `k = ${xs[i]}   Σ_{i≤${xs[i]}} σᵢ² / ‖A‖_F² = ${fmt(ys[i] * 100, 5)}%`,
      report: { points: ys.length, note: approx },
      options: (t, markers) => ({
        scales: { x: { time: false, range: [0, sv.length] }, y: { range: [0, 1.04] } },
        axes: [
          axis(t, { label: 'k', size: X_AXIS, splits: intSplits, values: ticks }),
          axis(t, {
            label: 'energy',
            size: Y_AXIS,
            splits: () => [0, 0.25, 0.5, 0.75, 1],
            values: (_u, s) => s.map((v) => `${Math.round(v * 100)}%`),
          }),
        ],
        series: [
          {},
          {
            label: 'energy',
            stroke: t.series,
            width: t.line,
            fill: withFill(t.series),
            points: { show: sv.length <= 120, size: 4, fill: t.series, stroke: t.series },
          },
        ],
        hooks: {
          drawAxes: [
            (u) =>
              clipped(u, () => {
                for (const p of [0.9, 0.99]) {
                  const y = u.valToPos(p, 'y', true);
                  hline(u, y, t.guide, 1, [4, 3]);
                  // below their lines; 99 % on the left, 90 % on the right (they sit close)
                  const left = p === 0.99;
                  const x = left ? u.bbox.left + 6 * dpr() : u.bbox.left + u.bbox.width - 6 * dpr();
                  label(u, t, `${p * 100}%`, x, y + 13 * dpr(), t.guide, left ? 'left' : 'right');
                }
              }),
          ],
          draw: [
            (u) =>
              clipped(u, () => {
                if (a.rank >= 1 && a.rank <= sv.length) {
                  const x = u.valToPos(a.rank, 'x', true);
                  vline(u, x, t.rank, t.line);
                  rec(u, markers, 'rankX', Math.round(x), 'x');
                  rankLabel(u, t, a.rank, x, u.bbox.top + u.bbox.height - 8 * dpr());
                }
                if (approx)
                  label(
                    u,
                    t,
                    approx,
                    u.bbox.left + u.bbox.width - 6,
                    u.bbox.top + u.bbox.height - 8 * dpr(),
                    t.tolerance,
                    'right',
                  );
              }),
          ],
        },
      }),
    },
    theme,
  );
}

function withFill(color: string): string {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(color);
  return m ? `rgba(${m[1]}, ${m[2]}, ${m[3]}, 0.12)` : color;
}

export function errorChart(
  cardEl: HTMLElement,
  a: MatrixAnalysis,
  theme: PlotTheme,
): Chart | undefined {
  const err = a.lowRankError;
  const fro = err[0] ?? 0;
  if (err.length < 2 || !(fro > 0)) return undefined;
  const xs = err.map((_, k) => k);
  const approx = approxNote(a);
  return mount(
    cardEl,
    {
      id: 'error',
      title: 'Eckart–Young error ‖A − A_k‖_F',
      label: `Error of the best rank-k approximation over k = 0…${err.length - 1}`,
      data: [xs, err],
      hint: `best rank-k approximation error; right axis relative to ‖A‖_F = ${fmt(fro)}`,
      readout: (i) =>
        `k = ${i}   ‖A − A_${i}‖_F = ${fmt(err[i])}   relative ${fmt((err[i] / fro) * 100, 4)}%`,
      report: { points: err.length, note: approx },
      options: (t, markers) => ({
        scales: { x: { time: false, range: [0, err.length - 1] }, y: { range: [0, fro * 1.04] } },
        axes: [
          axis(t, { label: 'k', size: X_AXIS, splits: intSplits, values: ticks }),
          axis(t, { label: '‖A − A_k‖_F', size: Y_AXIS, values: ticks }),
          axis(t, {
            side: 1,
            scale: 'y',
            label: 'relative to ‖A‖_F',
            size: 46,
            grid: { show: false },
            splits: () => [0, 0.25, 0.5, 0.75, 1].map((p) => p * fro),
            values: (_u, s) => s.map((v) => `${Math.round((v / fro) * 100)}%`),
          }),
        ],
        series: [
          {},
          {
            label: 'error',
            stroke: t.series,
            width: t.line,
            points: { show: err.length <= 120, size: 4, fill: t.series, stroke: t.series },
          },
        ],
        hooks: {
          draw: [
            (u) =>
              clipped(u, () => {
                if (a.rank >= 1 && a.rank < err.length) {
                  const x = u.valToPos(a.rank, 'x', true);
                  vline(u, x, t.rank, t.line);
                  rec(u, markers, 'rankX', Math.round(x), 'x');
                  rankLabel(u, t, a.rank, x, u.bbox.top + 14 * dpr());
                }
                if (approx)
                  label(
                    u,
                    t,
                    approx,
                    u.bbox.left + u.bbox.width - 6,
                    u.bbox.top + 14 * dpr(),
                    t.tolerance,
                    'right',
                  );
              }),
          ],
        },
      }),
    },
    theme,
  );
}

/** Eigenvalues on the complex plane: equal aspect, the unit circle and the spectral radius. */
export function eigenPlaneChart(
  cardEl: HTMLElement,
  a: MatrixAnalysis,
  theme: PlotTheme,
): Chart | undefined {
  const ev = a.eigenvalues;
  if (!ev?.length) return undefined;
  // uPlot wants x ascending: sort by real part, then imaginary
  const pts = ev.map(([re, im]) => [re, im] as const).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const rho = a.spectralRadius ?? Math.max(...ev.map(([re, im]) => Math.hypot(re, im)));
  const half = Math.max(1, rho) * 1.15;
  return mount(
    cardEl,
    {
      id: 'eig',
      title: 'Eigenvalues on the complex plane',
      label: `${ev.length} eigenvalues with the unit circle and the spectral radius ${fmt(rho)}`,
      data: [xs, ys],
      height: 300,
      equalAspect: { half },
      hint: `${ev.length} eigenvalues; spectral radius ρ = ${fmt(rho)} (${rho > 1 ? 'outside' : rho < 1 ? 'inside' : 'on'} the unit circle)`,
      readout: (i) =>
        `λ = ${fmt(xs[i])} ${ys[i] < 0 ? '−' : '+'} ${fmt(Math.abs(ys[i]))}i   |λ| = ${fmt(Math.hypot(xs[i], ys[i]))}`,
      report: { points: ev.length },
      options: (t, markers) => ({
        scales: { x: { time: false, auto: false }, y: { auto: false } },
        cursor: {
          drag: { x: false, y: false },
          dataIdx: (u, si, closest) => {
            if (si === 0) return closest;
            const cx = u.cursor.left ?? -1;
            const cy = u.cursor.top ?? -1;
            let best = closest;
            let bd = Infinity;
            for (let i = 0; i < xs.length; i++) {
              const d = Math.hypot(u.valToPos(xs[i], 'x') - cx, u.valToPos(ys[i], 'y') - cy);
              if (d < bd) {
                bd = d;
                best = i;
              }
            }
            return best;
          },
        },
        axes: [
          axis(t, { label: 'Re λ', size: X_AXIS, values: ticks }),
          axis(t, { label: 'Im λ', size: Y_AXIS, values: ticks }),
        ],
        series: [
          {},
          {
            label: 'λ',
            stroke: t.series,
            paths: () => null,
            points: {
              show: true,
              size: ev.length > 300 ? 5 : 7,
              fill: t.series,
              stroke: t.series,
              width: 1,
            },
          },
        ],
        hooks: {
          // the circles go under the points: drawn in data coordinates (ellipse radii from
          // the x and y scales, equal when the aspect is)
          drawAxes: [
            (u) =>
              clipped(u, () => {
                const cx = u.valToPos(0, 'x', true);
                const cy = u.valToPos(0, 'y', true);
                const ctx = u.ctx;
                const circle = (r: number, color: string, w: number, dash: number[]) => {
                  const rx = u.valToPos(r, 'x', true) - cx;
                  const ry = cy - u.valToPos(r, 'y', true);
                  ctx.save();
                  ctx.strokeStyle = color;
                  ctx.lineWidth = w * dpr();
                  ctx.setLineDash(dash.map((d) => d * dpr()));
                  ctx.beginPath();
                  ctx.ellipse(cx, cy, rx, ry, 0, 0, 2 * Math.PI);
                  ctx.stroke();
                  ctx.restore();
                  return { rx, ry };
                };
                // axes through 0
                ctx.save();
                ctx.strokeStyle = t.grid;
                ctx.lineWidth = dpr();
                ctx.beginPath();
                ctx.moveTo(u.bbox.left, Math.round(cy));
                ctx.lineTo(u.bbox.left + u.bbox.width, Math.round(cy));
                ctx.moveTo(Math.round(cx), u.bbox.top);
                ctx.lineTo(Math.round(cx), u.bbox.top + u.bbox.height);
                ctx.stroke();
                ctx.restore();
                const unit = circle(1, t.unit, t.line + 0.5, []);
                rec(u, markers, 'centerX', cx, 'x');
                rec(u, markers, 'centerY', cy, 'y');
                rec(u, markers, 'unitRx', unit.rx, 'len');
                rec(u, markers, 'unitRy', unit.ry, 'len');
                label(
                  u,
                  t,
                  '|λ| = 1',
                  cx + unit.rx * Math.SQRT1_2 + 4 * dpr(),
                  cy - unit.ry * Math.SQRT1_2 - 4 * dpr(),
                  t.unit,
                );
                if (rho > 0 && Math.abs(rho - 1) > 1e-9) {
                  const r = circle(rho, t.radius, t.line + 0.5, [6, 4]);
                  rec(u, markers, 'radiusRx', r.rx, 'len');
                  label(
                    u,
                    t,
                    `ρ = ${fmt(rho, 4)}`,
                    cx - r.rx * Math.SQRT1_2 - 4 * dpr(),
                    cy - r.ry * Math.SQRT1_2 - 4 * dpr(),
                    t.radius,
                    'right',
                  );
                }
              }),
          ],
        },
      }),
    },
    theme,
  );
}

/** Symmetric input: the (real) eigenvalues sorted descending. */
export function eigenRealChart(
  cardEl: HTMLElement,
  a: MatrixAnalysis,
  theme: PlotTheme,
): Chart | undefined {
  const ev = a.eigenvalues;
  if (!ev?.length) return undefined;
  const lam = ev.map(([re]) => re).sort((p, q) => q - p);
  const xs = lam.map((_, i) => i + 1);
  let lo = Math.min(0, lam[lam.length - 1]);
  let hi = Math.max(0, lam[0]);
  if (hi - lo === 0) hi = lo + 1;
  const pad = (hi - lo) * 0.06;
  lo -= pad;
  hi += pad;
  return mount(
    cardEl,
    {
      id: 'eig-real',
      title: 'Eigenvalues (symmetric: real), sorted',
      label: `${lam.length} real eigenvalues sorted descending`,
      data: [xs, lam],
      hint: `${lam.length} real eigenvalues, λ₁ ≥ … ≥ λ_${lam.length}; ${lam.filter((v) => v < 0).length} negative`,
      readout: (i) => `i = ${i + 1}   λ_${i + 1} = ${fmt(lam[i])}`,
      report: { points: lam.length },
      options: (t) => ({
        scales: { x: { time: false, range: [0.5, lam.length + 0.5] }, y: { range: [lo, hi] } },
        axes: [
          axis(t, { label: 'i', size: X_AXIS, splits: intSplits, values: ticks }),
          axis(t, { label: 'λ_i', size: Y_AXIS, values: ticks }),
        ],
        series: [
          {},
          {
            label: 'λ',
            stroke: t.series,
            width: t.line,
            points: {
              show: true,
              size: lam.length > 300 ? 3 : 5,
              fill: t.series,
              stroke: t.series,
            },
          },
        ],
        hooks: {
          drawAxes: [(u) => clipped(u, () => hline(u, u.valToPos(0, 'y', true), t.muted, 1))],
        },
      }),
    },
    theme,
  );
}

export interface Histogram {
  of: string;
  centers: number[];
  density: number[];
  counts: number[];
  width: number;
}

/** Empirical spectral density: counts in equal bins (Freedman–Diaconis, 8…min(80, 2√n)), area 1. */
export function histogram(values: number[], of: string): Histogram | undefined {
  const v = values.filter(Number.isFinite).sort((p, q) => p - q);
  const n = v.length;
  if (!n) return undefined;
  let lo = v[0];
  let hi = v[n - 1];
  if (hi - lo <= 0) {
    lo -= 0.5;
    hi += 0.5;
  }
  const iqr = v[Math.floor(0.75 * (n - 1))] - v[Math.floor(0.25 * (n - 1))];
  const fd = iqr > 0 ? 2 * iqr * n ** (-1 / 3) : 0;
  // Freedman–Diaconis, at most 2√n (a spread-out spectrum would otherwise get mostly empty bins)
  const most = Math.max(8, Math.min(80, Math.ceil(2 * Math.sqrt(n))));
  const bins = Math.min(
    most,
    Math.max(8, fd > 0 ? Math.ceil((hi - lo) / fd) : Math.ceil(Math.sqrt(n))),
  );
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const x of v) counts[Math.min(bins - 1, Math.floor((x - lo) / width))]++;
  return {
    of,
    centers: counts.map((_, b) => lo + (b + 0.5) * width),
    counts,
    density: counts.map((c) => c / (n * width)),
    width,
  };
}

export function histogramChart(cardEl: HTMLElement, h: Histogram, theme: PlotTheme): Chart {
  const lo = h.centers[0] - h.width / 2;
  const hi = h.centers[h.centers.length - 1] + h.width / 2;
  const top = Math.max(...h.density) * 1.08 || 1;
  const n = h.counts.reduce((s, c) => s + c, 0);
  return mount(
    cardEl,
    {
      id: 'hist',
      title: `Spectral density (histogram of the ${h.of})`,
      label: `Histogram of ${n} ${h.of} in ${h.counts.length} bins`,
      data: [h.centers, h.density],
      hint: `${n} ${h.of}, ${h.counts.length} bins of width ${fmt(h.width, 3)}; area 1`,
      readout: (i) =>
        `[${fmt(h.centers[i] - h.width / 2, 4)}, ${fmt(h.centers[i] + h.width / 2, 4)}): ${h.counts[i]} (density ${fmt(h.density[i], 4)})`,
      report: { points: h.counts.length },
      options: (t) => ({
        scales: { x: { time: false, range: [lo, hi] }, y: { range: [0, top] } },
        axes: [
          axis(t, { label: h.of === 'eigenvalues' ? 'λ' : 'σ', size: X_AXIS, values: ticks }),
          axis(t, { label: 'density', size: Y_AXIS, values: ticks }),
        ],
        series: [
          {},
          {
            label: 'density',
            stroke: t.series,
            fill: withFill(t.series).replace('0.12)', '0.45)'),
            width: 1,
            paths: uPlot.paths.bars!({ size: [1, Infinity], gap: 1 }),
            points: { show: false },
          },
        ],
      }),
    },
    theme,
  );
}
