/**
 * The heatmap's hover text: `[i, j] = value` with the array's full index (N-D arrays include
 * the fixed axes); a pooled cell says `≈` and which block it reduces. Pure (unit-tested).
 */
import type { HeatmapData } from '../../src/protocol/common';
import { cellOf } from '../shared/heatmap/layer';
import { layerOf } from './data';

/** A value as the tooltip shows it: integers exactly (as NumPy's repr), others to 6 significant digits. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '−Inf';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/**
 * The text for cell (row, col) of `h`, hovered at full-resolution cell (i, j):
 * `[i, j] = v`, or for a pooled cell `[i, j] ≈ v (mean of [a:b, c:d])`.
 */
export function tooltipText(
  shape: readonly number[],
  h: HeatmapData,
  row: number,
  col: number,
  i: number,
  j: number,
): string {
  const v = h.values[row * h.cols + col];
  const at = (ri: string, ci: string) =>
    shape.length === 0
      ? '[]'
      : `[${shape.map((_, axis) => (axis === h.rowAxis ? ri : axis === h.colAxis ? ci : String(h.indices[axis] ?? 0))).join(', ')}]`;
  if (h.rowStep <= 1 && h.colStep <= 1) return `${at(String(i), String(j))} = ${formatValue(v)}`;
  const a = h.row0 + row * h.rowStep;
  const b = h.col0 + col * h.colStep;
  const rowEnd = h.window ? h.window.row1 : h.fullRows;
  const colEnd = h.window ? h.window.col1 : h.fullCols;
  const block = at(
    `${a}:${Math.min(a + h.rowStep, rowEnd)}`,
    `${b}:${Math.min(b + h.colStep, colEnd)}`,
  );
  return `${at(String(i), String(j))} ≈ ${formatValue(v)} (${h.pooling === 'maxabs' ? 'largest |x|' : 'mean'} of ${block})`;
}

/** The tooltip at full-resolution point (R, C): from the finest data held there. */
export function tooltipAt(
  shape: readonly number[],
  finestFirst: readonly (HeatmapData | null)[],
  R: number,
  C: number,
): string | undefined {
  for (const h of finestFirst) {
    if (!h) continue;
    const cell = cellOf(layerOf(h), R, C);
    if (cell) return tooltipText(shape, h, cell.i, cell.j, Math.floor(R), Math.floor(C));
  }
  return undefined;
}
