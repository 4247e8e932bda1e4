/**
 * The eigenvalue charts: the complex plane with the unit and spectral-radius circles, or a
 * sorted real plot for symmetric input, and a histogram of the spectrum.
 */
import uPlot from 'uplot';
import type { MatrixAnalysis } from '../../src/core/linalg/analyze';
import type { PlotTheme } from './theme';
import { fmt } from './format';
import {
  axis,
  Chart,
  clipped,
  dpr,
  hline,
  intSplits,
  label,
  mount,
  rec,
  ticks,
  X_AXIS,
  Y_AXIS,
  withFill,
} from './chart';

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
