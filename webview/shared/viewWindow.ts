/**
 * The view-window model shared by the heatmap and the attention view: which region of a
 * rows × cols grid is on screen, and how zoom, pan and clamping move it. Pure (no DOM), so it
 * is unit-tested in Node.
 *
 * One meaning everywhere: a zoom `factor` is a magnification — `factor > 1` zooms in (the
 * window gets `factor` times smaller), `factor < 1` zooms out. The whole grid is `undefined`
 * (not zoomed).
 */
import type { CellWindow } from '../../src/core/view/cellWindow';

/** A region of the grid in full-resolution cell coordinates (fractional while zooming). */
export interface ViewWindow {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

/** Whole cells, half-open (the one cell-window type of the protocol and the worker). */
export type { CellWindow };

export interface GridSize {
  rows: number;
  cols: number;
}

/** A full-resolution point of the grid. */
export interface GridPoint {
  R: number;
  C: number;
}

const EPS = 1e-9;

export function wholeWindow(g: GridSize): ViewWindow {
  return { r0: 0, r1: g.rows, c0: 0, c1: g.cols };
}

/** `w` when zoomed, else the whole grid. */
export function windowOrWhole(w: ViewWindow | undefined, g: GridSize): ViewWindow {
  return w ?? wholeWindow(g);
}

/** [start, end) of one axis kept inside [0, n), at least min(minSize, n) long. */
function clampAxis(a0: number, a1: number, n: number, minSize: number): [number, number] {
  let size = Math.min(n, Math.max(Math.min(minSize, n), a1 - a0));
  if (!(size > 0)) size = n;
  const start = Math.min(n - size, Math.max(0, Number.isFinite(a0) ? a0 : 0));
  return [start, start + size];
}

/**
 * `w` moved inside the grid (it keeps its size when it fits, at least `minSize` cells a side);
 * `undefined` when it covers the whole grid.
 */
export function clampWindow(
  w: ViewWindow | undefined,
  g: GridSize,
  minSize = 1,
): ViewWindow | undefined {
  if (!w) return undefined;
  const [r0, r1] = clampAxis(w.r0, w.r1, g.rows, minSize);
  const [c0, c1] = clampAxis(w.c0, w.c1, g.cols, minSize);
  if (r1 - r0 >= g.rows - EPS && c1 - c0 >= g.cols - EPS) return undefined;
  return { r0, r1, c0, c1 };
}

/**
 * Zooms `view` by `factor` (> 1 in, < 1 out) keeping the grid point `anchor` where it is on
 * screen (default: the centre of the view). The result is clamped to the grid.
 */
export function zoomWindow(
  view: ViewWindow | undefined,
  g: GridSize,
  factor: number,
  anchor?: GridPoint,
  minSize = 1,
): ViewWindow | undefined {
  const v = windowOrWhole(view, g);
  if (!(factor > 0) || !Number.isFinite(factor)) return clampWindow(view, g, minSize);
  const H = v.r1 - v.r0;
  const W = v.c1 - v.c0;
  const nh = Math.min(g.rows, Math.max(Math.min(minSize, g.rows), H / factor));
  const nw = Math.min(g.cols, Math.max(Math.min(minSize, g.cols), W / factor));
  const R = anchor?.R ?? v.r0 + H / 2;
  const C = anchor?.C ?? v.c0 + W / 2;
  const r0 = R - ((R - v.r0) / H) * nh;
  const c0 = C - ((C - v.c0) / W) * nw;
  return clampWindow({ r0, r1: r0 + nh, c0, c1: c0 + nw }, g, minSize);
}

/** Moves `view` by (dr, dc) cells, clamped to the grid; the whole grid does not move. */
export function panWindow(
  view: ViewWindow | undefined,
  g: GridSize,
  dr: number,
  dc: number,
  minSize = 1,
): ViewWindow | undefined {
  if (!view) return undefined;
  return clampWindow(
    { r0: view.r0 + dr, r1: view.r1 + dr, c0: view.c0 + dc, c1: view.c1 + dc },
    g,
    minSize,
  );
}

/** Moves `view` by a fraction of its own size (arrow keys: ±0.1 of the view). */
export function panWindowBy(
  view: ViewWindow | undefined,
  g: GridSize,
  fr: number,
  fc: number,
  minSize = 1,
): ViewWindow | undefined {
  if (!view) return undefined;
  return panWindow(view, g, fr * (view.r1 - view.r0), fc * (view.c1 - view.c0), minSize);
}

/** The grid point at fractions (fx across, fy down) of the view. */
export function pointInWindow(view: ViewWindow, fx: number, fy: number): GridPoint {
  return { R: view.r0 + fy * (view.r1 - view.r0), C: view.c0 + fx * (view.c1 - view.c0) };
}

/** The whole cells at least partly in `w`. */
export function cellsOf(w: ViewWindow): CellWindow {
  return {
    row0: Math.max(0, Math.floor(w.r0 + EPS)),
    row1: Math.ceil(w.r1 - EPS),
    col0: Math.max(0, Math.floor(w.c0 + EPS)),
    col1: Math.ceil(w.c1 - EPS),
  };
}

export function windowOfCells(c: CellWindow): ViewWindow {
  return { r0: c.row0, r1: c.row1, c0: c.col0, c1: c.col1 };
}

/**
 * `w` on whole cells: each side rounded to a whole number of cells, then placed at the
 * nearest whole start inside the grid (the attention view asks the worker for whole cells).
 */
export function snapToCells(
  w: ViewWindow | undefined,
  g: GridSize,
  minSize = 1,
): CellWindow | undefined {
  if (!w) return undefined;
  const axis = (a0: number, a1: number, n: number): [number, number] => {
    const size = Math.min(n, Math.max(Math.min(minSize, n), Math.round(a1 - a0)));
    const start = Math.min(n - size, Math.max(0, Math.round(a0)));
    return [start, start + size];
  };
  const [row0, row1] = axis(w.r0, w.r1, g.rows);
  const [col0, col1] = axis(w.c0, w.c1, g.cols);
  if (row0 === 0 && col0 === 0 && row1 === g.rows && col1 === g.cols) return undefined;
  return { row0, row1, col0, col1 };
}

export function sameCells(a: CellWindow | undefined, b: CellWindow | undefined): boolean {
  if (!a || !b) return a === b;
  return a.row0 === b.row0 && a.row1 === b.row1 && a.col0 === b.col0 && a.col1 === b.col1;
}

/**
 * Magnification for a wheel event: one notch (100 px) doubles or halves, trackpads zoom
 * smoothly; scrolling down zooms out.
 */
export function wheelZoomFactor(deltaY: number, deltaMode: number): number {
  const dy = deltaY * (deltaMode === 1 ? 33 : deltaMode === 2 ? 400 : 1);
  return 2 ** -Math.max(-3, Math.min(3, dy / 100));
}
