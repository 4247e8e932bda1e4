/**
 * The spectrum charts: singular values (log y, with the rank tolerance and the numerical
 * rank), cumulative energy and the Eckart–Young error curve.
 */
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
  rankMarker,
  rec,
  sigmaLogPlot,
  ticks,
  toleranceLine,
  withFill,
  X_AXIS,
  Y_AXIS,
} from './chart';

/** singular values below this fraction of σ₁ are zero up to rounding: drawn at the floor */
export const SV_FLOOR_REL = 1e-18;
const SMALLEST_NORMAL = 2.2250738585072014e-308;

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
  // the Marchenko–Pastur bulk edge (noise-aware rank), when the fit exists and the noise is
  // above the rank tolerance (below it the noise is rounding and the numerical rank answers)
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
        ...sigmaLogPlot(t, n, [yMin, yMax], 'σ_k'),
        hooks: {
          draw: [
            (u) => {
              clipped(u, () => {
                if (tol > 0) toleranceLine(u, t, markers, tol);
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
                if (a.rank >= 1) rankMarker(u, t, markers, a.rank, u.bbox.top + 14 * dpr());
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
                if (a.rank >= 1 && a.rank <= sv.length)
                  rankMarker(u, t, markers, a.rank, u.bbox.top + u.bbox.height - 8 * dpr(), t.line);
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
                if (a.rank >= 1 && a.rank < err.length)
                  rankMarker(u, t, markers, a.rank, u.bbox.top + 14 * dpr(), t.line);
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
