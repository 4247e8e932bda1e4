/**
 * Heatmap data in the webview: a grid of float32 (or, for values float32 cannot hold, float64) cells that covers a region of a 2-D slice
 * at some resolution (each cell stands for rowStep × colStep full-resolution cells), plus
 * the reduced-resolution pyramid used when one screen pixel covers several cells.
 */
import type { ViewWindow } from '../viewWindow';

export interface Layer {
  values: Float32Array | Float64Array;
  rows: number;
  cols: number;
  /** first full-resolution row/column covered, and one past the last. */
  row0: number;
  col0: number;
  rowEnd: number;
  colEnd: number;
  /** full-resolution cells per cell along each axis (1 = full resolution). */
  rowStep: number;
  colStep: number;
}

export type { ViewWindow };

/** The cell of `layer` at full-resolution point (R, C), or undefined outside it. */
export function cellOf(layer: Layer, R: number, C: number): { i: number; j: number } | undefined {
  if (R < layer.row0 || C < layer.col0 || R >= layer.rowEnd || C >= layer.colEnd) return undefined;
  const i = Math.floor((R - layer.row0) / layer.rowStep);
  const j = Math.floor((C - layer.col0) / layer.colStep);
  if (i >= layer.rows || j >= layer.cols) return undefined;
  return { i, j };
}

/** Whether `layer` covers all of `w`. */
export function covers(layer: Layer, w: ViewWindow): boolean {
  return (
    layer.row0 <= w.r0 + 1e-9 &&
    layer.col0 <= w.c0 + 1e-9 &&
    layer.rowEnd >= w.r1 - 1e-9 &&
    layer.colEnd >= w.c1 - 1e-9
  );
}

/**
 * The next pyramid level: 2×2 blocks → one cell, the mean of the finite values (in float64); a block with
 * a NaN is NaN, else one with an infinity shows it (like the worker's pooling).
 */
export function halve(l: Layer): Layer {
  const rows = Math.ceil(l.rows / 2);
  const cols = Math.ceil(l.cols / 2);
  // float64 stays float64 (values float32 cannot hold)
  const out =
    l.values instanceof Float64Array
      ? new Float64Array(rows * cols)
      : new Float32Array(rows * cols);
  const src = l.values;
  const W = l.cols;
  for (let i = 0; i < rows; i++) {
    const a = 2 * i * W;
    const b = 2 * i + 1 < l.rows ? a + W : -1;
    for (let j = 0; j < cols; j++) {
      const c0 = 2 * j;
      const two = c0 + 1 < W;
      let sum = 0;
      let n = 0;
      let special = 0;
      for (let k = 0; k < 4; k++) {
        const rowStart = k < 2 ? a : b;
        if (rowStart < 0 || (k & 1 && !two)) continue;
        const v = src[rowStart + c0 + (k & 1)];
        if (v - v === 0) {
          // quarters: four values near the float64 maximum must not overflow the sum
          sum += v * 0.25;
          n++;
        } else if (v !== v) special = NaN;
        else if (special === 0) special = v;
      }
      out[i * cols + j] = special !== 0 || special !== special ? special : n ? sum * (4 / n) : NaN;
    }
  }
  return {
    values: out,
    rows,
    cols,
    row0: l.row0,
    col0: l.col0,
    rowEnd: l.rowEnd,
    colEnd: l.colEnd,
    rowStep: l.rowStep * 2,
    colStep: l.colStep * 2,
  };
}

/**
 * Levels of `base` (level 0 is `base`), each half the size of the one before, built when a
 * draw first needs them: a 4096² slice shown on an 800-pixel canvas builds 2048² and 1024²
 * (a few tens of ms) and draws from 1024², never touching level 0 until zoomed in.
 */
export class Pyramid {
  readonly levels: Layer[];
  constructor(readonly base: Layer) {
    this.levels = [base];
  }

  private level(k: number): Layer {
    while (this.levels.length <= k) {
      const top = this.levels[this.levels.length - 1];
      if (top.rows <= 1 && top.cols <= 1) break;
      this.levels.push(halve(top));
    }
    return this.levels[Math.min(k, this.levels.length - 1)];
  }

  /**
   * The level to draw `view` with on a `w`×`h` pixel canvas: the finest whose cells are still
   * at least about a pixel (`round` = 'down' picks the finer, 'up' the coarser).
   */
  levelFor(view: ViewWindow, w: number, h: number, round: 'down' | 'up'): Layer {
    const b = this.base;
    const tpp = Math.max((view.r1 - view.r0) / b.rowStep / h, (view.c1 - view.c0) / b.colStep / w);
    if (!(tpp > 1)) return b;
    const l = Math.log2(tpp);
    return this.level(Math.max(0, round === 'down' ? Math.floor(l) : Math.ceil(l)));
  }
}

/** Sizes a canvas to `width × height` CSS pixels backed by `dpr` device pixels each. */
export function sizeCanvas(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  dpr: number,
): void {
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
}
