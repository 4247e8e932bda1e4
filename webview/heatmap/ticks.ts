/**
 * Where the heatmap's labels go: colorbar ticks (values, top = hi) and the integer row and
 * column ticks of the cells in view (at the centre of their cells). Pure (unit-tested).
 */
import { formatNumber } from '../../src/core/stats/summary';
import { niceTicks } from '../../src/core/view/ticks';

/** A label and its offset along the axis in CSS px. */
export interface Tick {
  text: string;
  at: number;
}

/** Colorbar ticks for the range [lo, hi] on a bar `px` tall, about one per 40 px. */
export function colorbarTicks(lo: number, hi: number, px: number): Tick[] {
  return niceTicks(lo, hi, Math.max(2, Math.floor(px / 40))).map((t) => ({
    text: formatNumber(t),
    // halves: hi − lo overflows for ranges wider than 1.8e308
    at: hi > lo ? ((hi * 0.5 - t * 0.5) / (hi * 0.5 - lo * 0.5)) * px : px / 2,
  }));
}

/**
 * Integer ticks of the cells a0 … a1 in view along an axis `px` long, at the centre of their
 * cells; `spacing` is the least CSS px between labels.
 */
export function cellTicks(a0: number, a1: number, px: number, spacing: number): Tick[] {
  const n = Math.max(2, Math.floor(px / spacing));
  return niceTicks(a0, a1 - 1, n)
    .filter((t) => Number.isInteger(t) && t >= Math.floor(a0) && t < a1)
    .map((t) => ({ text: String(t), at: ((t + 0.5 - a0) / (a1 - a0)) * px }));
}
