/**
 * A window of full-resolution cells of a 2-D slice: rows `row0 … row1 − 1`, columns
 * `col0 … col1 − 1`. The one spelling of a zoom / export / pooling window everywhere (worker,
 * host, webviews, attention heads).
 */
export interface CellWindow {
  row0: number;
  row1: number;
  col0: number;
  col1: number;
}

/**
 * `w` clamped to a `rows × cols` slice: integer bounds, at least one cell, inside the slice.
 * Non-finite bounds fall back to the slice's edges.
 */
export function clampCellWindow(w: CellWindow, rows: number, cols: number): CellWindow {
  const int = (x: number, lo: number, hi: number) =>
    Math.min(hi, Math.max(lo, Math.floor(Number.isFinite(x) ? x : lo)));
  const row0 = int(w.row0, 0, Math.max(0, rows - 1));
  const col0 = int(w.col0, 0, Math.max(0, cols - 1));
  const row1 = int(w.row1, row0 + 1, rows);
  const col1 = int(w.col1, col0 + 1, cols);
  return { row0, row1, col0, col1 };
}

/** True when `w` is the whole `rows × cols` slice. */
export function isWholeSlice(w: CellWindow, rows: number, cols: number): boolean {
  return w.row0 === 0 && w.col0 === 0 && w.row1 === rows && w.col1 === cols;
}
