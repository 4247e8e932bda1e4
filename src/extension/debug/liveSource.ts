/**
 * A pooled live value in the array editor: the debuggee sent its leading 2-D slice pooled
 * (block means, `meta.pooled` source cells per drawn cell) with the whole value's statistics.
 * The panel draws it in the value's own cells (so the heatmap's zoom works in them), and a
 * zoomed window is fetched from the paused program at full resolution — pooled there only when
 * it still has more cells than the heatmap draws — while the program is still at the stop the
 * pooled view came from. After Continue it says the view is stale instead of mixing stops.
 */
import * as vscode from 'vscode';
import { bytesLabel, healthLine, shapeLabel } from '../../core/debug/describe';
import { axisWindow, poolTarget, windowBytes } from '../../core/debug/zoom';
import type { ArrayView, CellWindow, HeatmapData } from '../../protocol/common';
import type { LiveSource, WindowFile } from '../panels/arrayPanel';
import type { OpenRecord } from './open';
import { DebugBridge, DebugLensError } from './session';
import { TempFiles, Transfers } from './transfer';

/** Rows and columns of the pooled 2-D slice of a value of `shape`. */
function sliceSize(shape: number[]): { rows: number; cols: number } {
  const nd = shape.length;
  return { rows: nd >= 2 ? shape[nd - 2] : 1, cols: nd >= 1 ? shape[nd - 1] : 1 };
}

export class PooledLiveSource implements LiveSource {
  constructor(
    private readonly rec: OpenRecord,
    private readonly bridge: DebugBridge,
    private readonly transfers: Transfers,
    private readonly temp: TempFiles,
    /** the transfer budget (matrixLens.debug.maxTransferBytes) */
    private readonly budget: () => number,
  ) {}

  private get meta() {
    return this.rec.meta;
  }

  /** `[0, :, :]` for the pooled slice of an N-D value ('' for 2-D). */
  private get label(): string {
    const lead = this.meta.lead ?? [];
    return lead.length ? `[${[...lead.map(String), ':', ':'].join(', ')}]` : '';
  }

  adaptHeatmap(h: HeatmapData): HeatmapData {
    return { ...this.onGrid(h, this.meta.pooled ?? [1, 1], 0, 0), pooling: 'mean' };
  }

  /** `h` drawn on the value's own grid: cells of `steps` value cells from (row0, col0). */
  private onGrid(
    h: HeatmapData,
    steps: readonly [number, number],
    row0: number,
    col0: number,
  ): HeatmapData {
    const { rows, cols } = sliceSize(this.meta.shape);
    return {
      ...h,
      fullRows: rows,
      fullCols: cols,
      rowAxis: 0,
      colAxis: 1,
      indices: [0, 0],
      sliceLabel: this.label,
      rowStep: h.rowStep * steps[0],
      colStep: h.colStep * steps[1],
      row0,
      col0,
    };
  }

  adaptView(view: ArrayView): ArrayView {
    const m = this.meta;
    const { rows, cols } = sliceSize(m.shape);
    const [fr, fc] = m.pooled ?? [1, 1];
    const whole = m.stats ? healthLine(m.stats) : '';
    // `computed`: how the worker summarised the file, not the value the summary is about
    const { preview, heatmap, computed, ...rest } = view;
    void computed;
    return {
      ...rest,
      shape: [rows, cols],
      byteLength: m.nbytes,
      summary: `${shapeLabel(m)} (${bytesLabel(m.nbytes)}), whole value: ${whole}`,
      notice:
        `${this.rec.expression}${this.label} pooled ${fr}×${fc} (mean) in the paused program (stop ${this.rec.stop}); ` +
        'zooming fetches the window in view from it at full resolution',
      heatmap: heatmap && this.adaptHeatmap(heatmap),
      ...(preview ? { preview: this.adaptHeatmap(preview) } : {}),
    };
  }

  async window(
    w: CellWindow,
    maxCells: number | undefined,
    token: vscode.CancellationToken,
  ): Promise<WindowFile> {
    const rec = this.rec;
    const m = this.meta;
    let session: vscode.DebugSession;
    try {
      session = this.bridge.activeSession(rec.sessionId);
    } catch {
      throw new DebugLensError('the debug session this pooled view came from has ended');
    }
    const st = this.bridge.state(session);
    if (st.ended)
      throw new DebugLensError('the debug session this pooled view came from has ended');
    if (!st.paused || st.epoch !== rec.epoch)
      throw new DebugLensError(
        `stale: the program has moved on since stop ${rec.stop}, where this pooled view was taken; open it again to zoom`,
      );
    const { rows, cols } = sliceSize(m.shape);
    const src = {
      row0: Math.max(0, Math.min(rows - 1, Math.floor(w.row0))),
      col0: Math.max(0, Math.min(cols - 1, Math.floor(w.col0))),
      row1: Math.min(rows, Math.ceil(w.row1)),
      col1: Math.min(cols, Math.ceil(w.col1)),
    };
    src.row1 = Math.max(src.row1, src.row0 + 1);
    src.col1 = Math.max(src.col1, src.col0 + 1);
    const axes = axisWindow({ shape: m.shape, pooled: m.pooled ?? [1, 1], lead: m.lead }, src);
    const wr = src.row1 - src.row0;
    const wc = src.col1 - src.col0;
    const pool = maxCells === undefined ? undefined : poolTarget(wr, wc, maxCells);
    if (!pool) {
      const elems = m.shape.reduce((a, b) => a * b, 1);
      const bytes = windowBytes(axes, elems ? m.nbytes / elems : 0);
      const budget = this.budget();
      if (budget > 0 && bytes > budget)
        throw new DebugLensError(
          `the window is ${bytesLabel(bytes)}, over matrixLens.debug.maxTransferBytes: zoom in further`,
        );
    }
    const result = await this.transfers.fetch(
      session,
      rec.frameId,
      rec.expression,
      { name: rec.expression, window: axes, ...(pool ? { pool } : {}) },
      token,
    );
    const nd = result.meta.pooled ? 2 : m.shape.length;
    const [fr, fc] = result.meta.pooled ?? [1, 1];
    return {
      path: result.path,
      slice: {
        rowAxis: nd >= 2 ? nd - 2 : -1,
        colAxis: nd - 1,
        indices: new Array<number>(nd).fill(0),
      },
      window: src,
      steps: [fr, fc],
      dispose: () => this.temp.remove(result.path),
    };
  }

  /** Where a fetched window lands in the panel's grid (the value's own cells). */
  placeWindow(h: HeatmapData, f: WindowFile): HeatmapData {
    return { ...this.onGrid(h, f.steps, f.window.row0, f.window.col0), window: f.window };
  }
}
