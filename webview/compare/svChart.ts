/**
 * The singular values of ΔW on a log axis (the analysis panel's chart plumbing): the rank
 * tolerance as a horizontal line, the numerical rank and the 99 %-energy rank r as vertical
 * markers — how low-rank the change is, and which r a LoRA would need.
 */
import type { DeltaSpectrum } from '../../src/core/compare/deltaSpectrum';
import {
  type Chart,
  clipped,
  dpr,
  label,
  mount,
  rankMarker,
  rec,
  sigmaLogPlot,
  toleranceLine,
  vline,
} from '../analysis/chart';
import { fmt } from '../analysis/format';
import type { PlotTheme } from '../analysis/theme';

/** σ below this fraction of σ₁ are drawn at the floor (zero up to rounding). */
const FLOOR_REL = 1e-18;

export function deltaSvChart(
  card: HTMLElement,
  s: DeltaSpectrum,
  theme: PlotTheme,
): Chart | undefined {
  const sv = s.singularValues;
  const s1 = sv[0] ?? 0;
  if (!(s1 > 0)) return undefined;
  const floor = Math.max(s1 * FLOOR_REL, 1e-300);
  const ys = sv.map((v) => Math.max(v, floor));
  const n = ys.length;
  const xs = Array.from({ length: n }, (_, i) => i + 1);
  const tol = s.tolerance;
  const low = Math.min(ys[n - 1], tol > 0 ? tol : Infinity);
  const yMin = 10 ** Math.floor(Math.log10(low) - 0.3);
  const yMax = 10 ** Math.ceil(Math.log10(s1) + 0.3);
  const r99 = s.deltaRank99;
  return mount(
    card,
    {
      id: 'dsv',
      title: 'Singular values of ΔW',
      label: `Singular values of B − A on a log axis, ${n} points; rank ${s.deltaRank}`,
      data: [xs, ys],
      hint: `${n} singular values of ΔW${s.approximate ? ` (top ${s.approximate.k}, randomized)` : ''}; rank ${s.deltaRank} at tolerance ${fmt(tol, 3)}${r99 !== null ? `; 99 % of ‖ΔW‖²_F in the top ${r99}` : ''}. Hover or use the arrow keys.`,
      readout: (i) =>
        `k = ${i + 1}   σ_${i + 1}(ΔW) = ${fmt(sv[i])}   σ/σ₁ = ${fmt(sv[i] / s1, 4)}`,
      report: { points: n },
      options: (t, markers) => ({
        ...sigmaLogPlot(t, n, [yMin, yMax], 'σ_k(ΔW)'),
        hooks: {
          draw: [
            (u) =>
              clipped(u, () => {
                if (tol > 0) toleranceLine(u, t, markers, tol);
                if (s.deltaRank >= 1)
                  rankMarker(u, t, markers, s.deltaRank, u.bbox.top + 14 * dpr());
                if (r99 !== null && r99 >= 1 && r99 !== s.deltaRank) {
                  const x = u.valToPos(r99, 'x', true);
                  vline(u, x, t.guide, t.line);
                  rec(u, markers, 'r99X', Math.round(x), 'x');
                  label(u, t, `99 %: r = ${r99}`, x + 6 * dpr(), u.bbox.top + 30 * dpr(), t.guide);
                }
              }),
          ],
        },
      }),
    },
    theme,
  );
}
