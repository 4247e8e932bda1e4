/**
 * Zooming into a pooled live value: the heatmap shows block means of the leading 2-D slice
 * (`lead`), `pooled = [fr, fc]` source cells per drawn cell. A window of drawn cells maps back
 * to the source window the debuggee sends at full resolution. Pure.
 */
import type { CellWindow } from '../view/cellWindow';

export interface PooledMeta {
  /** shape of the whole live value */
  shape: number[];
  /** block factors [rows, cols] of the pooled view */
  pooled: [number, number];
  /** fixed leading indices of the pooled 2-D slice (N-D values) */
  lead?: number[];
}

/** The source rows/cols a pooled-cell window covers, clamped to the slice. */
export function sourceWindow(meta: PooledMeta, w: CellWindow): CellWindow {
  const nd = meta.shape.length;
  const rows = nd >= 2 ? meta.shape[nd - 2] : 1;
  const cols = nd >= 1 ? meta.shape[nd - 1] : 1;
  const [fr, fc] = meta.pooled;
  const clamp = (x: number, hi: number) => Math.max(0, Math.min(hi, Math.floor(x)));
  const row0 = clamp(w.row0 * fr, rows - 1);
  const col0 = clamp(w.col0 * fc, cols - 1);
  const row1 = Math.max(row0 + 1, clamp(w.row1 * fr, rows));
  const col1 = Math.max(col0 + 1, clamp(w.col1 * fc, cols));
  return { row0, row1, col0, col1 };
}

/** `[start, stop)` per axis of the value for a source window (leading axes fixed at `lead`). */
export function axisWindow(meta: PooledMeta, src: CellWindow): [number, number][] {
  const nd = meta.shape.length;
  if (nd === 0) return [];
  if (nd === 1) return [[src.col0, src.col1]];
  const lead = meta.lead ?? [];
  const out: [number, number][] = [];
  for (let i = 0; i < nd - 2; i++) {
    const at = lead[i] ?? 0;
    out.push([at, at + 1]);
  }
  out.push([src.row0, src.row1], [src.col0, src.col1]);
  return out;
}

/** `big[0, 128:256, 0:512]` — the Python slice a window stands for. */
export function windowLabel(expression: string, win: [number, number][]): string {
  const parts = win.map(([a, b]) => (b === a + 1 ? String(a) : `${a}:${b}`));
  return `${expression}[${parts.join(', ')}]`;
}

/** Bytes of a window of a value whose items have `itemBytes` bytes. */
export function windowBytes(win: [number, number][], itemBytes: number): number {
  return win.reduce((n, [a, b]) => n * (b - a), itemBytes);
}

/**
 * The pool target `[rows, cols]` to ask the debuggee for so that a window of `rows × cols`
 * cells comes back with at most `maxCells` (it pools by `ceil(n / target)` per axis);
 * undefined when the window fits at full resolution.
 */
export function poolTarget(
  rows: number,
  cols: number,
  maxCells: number,
): [number, number] | undefined {
  if (rows * cols <= maxCells) return undefined;
  // the smallest block side f whose blocks fit; the debuggee pools by ceil(n / target)
  for (let f = Math.max(2, Math.ceil(Math.sqrt((rows * cols) / maxCells))); ; f++) {
    const tr = Math.ceil(rows / f);
    const tc = Math.ceil(cols / f);
    const fr = Math.ceil(rows / tr);
    const fc = Math.ceil(cols / tc);
    if (Math.ceil(rows / fr) * Math.ceil(cols / fc) <= maxCells) return [tr, tc];
  }
}
