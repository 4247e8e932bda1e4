/**
 * The compute worker (worker_threads). Every computation on array data runs here, never on
 * the extension host's thread. Requests carry a shared cancel flag; long loops call
 * `control.tick()` which throws once it is set.
 */
import { parentPort } from 'node:worker_threads';
import { errorMessage, isLensError } from '../core/errors';
import { computeStats, summaryLine } from '../core/stats/summary';
import { defaultSlice, extractSlice } from '../core/view/slice2d';
import { byteLength } from '../core/array/ndarray';
import { ArrayView, HeatmapData, SliceParams, WorkerRequest, WorkerResponse } from '../protocol/messages';
import { RequestControl } from './cancel';
import { openArray } from './arrays';
import { RawArray } from '../core/array/ndarray';

const port = parentPort;
if (!port) throw new Error('worker.js must run in a worker thread');

function send(msg: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

function heatmapOf(raw: RawArray, p: Pick<SliceParams, 'rowAxis' | 'colAxis' | 'indices' | 'window' | 'maxCells' | 'pooling'>): HeatmapData {
  const s = extractSlice(raw, { rowAxis: p.rowAxis, colAxis: p.colAxis, indices: p.indices }, p.maxCells, p.pooling, p.window);
  let min = Infinity;
  let max = -Infinity;
  for (const v of s.values) {
    if (v - v === 0) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const finite = min <= max;
  return {
    rows: s.rows,
    cols: s.cols,
    fullRows: s.fullRows,
    fullCols: s.fullCols,
    rowAxis: p.rowAxis,
    colAxis: p.colAxis,
    indices: p.indices,
    sliceLabel: s.sliceLabel,
    rowStep: s.rowStep,
    colStep: s.colStep,
    row0: p.window?.row0 ?? 0,
    col0: p.window?.col0 ?? 0,
    min: finite ? min : null,
    max: finite ? max : null,
    values: s.values,
  };
}

async function handle(req: WorkerRequest, control: RequestControl): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  switch (req.kind) {
    case 'openArray': {
      const p = req.params;
      const opened = await openArray(p.source, p.member, p.maxBytes);
      control.tick(0.05);
      const stats = computeStats(opened.raw, (f) => control.tick(0.05 + 0.85 * f));
      const spec = defaultSlice(opened.raw.shape);
      const heatmap = heatmapOf(opened.raw, { ...spec, maxCells: p.maxCells, pooling: p.pooling });
      const view: ArrayView = {
        fileFormat: opened.format,
        entries: opened.entries,
        name: opened.name,
        shape: opened.raw.shape,
        dtype: opened.raw.dtype,
        fortranOrder: opened.raw.fortranOrder,
        byteLength: byteLength(opened.raw.dtype, opened.raw.shape),
        stats,
        summary: summaryLine(opened.raw.dtype, opened.raw.shape, stats),
        heatmap,
      };
      return { result: view, transfer: [heatmap.values.buffer as ArrayBuffer] };
    }
    case 'slice': {
      const p = req.params;
      const opened = await openArray(p.source, p.member, p.maxBytes);
      const heatmap = heatmapOf(opened.raw, p);
      return { result: heatmap, transfer: [heatmap.values.buffer as ArrayBuffer] };
    }
    case 'spin': {
      // A cancellable busy loop: the test hook for cancellation.
      const end = Date.now() + req.params.ms;
      let iterations = 0;
      let x = 0;
      while (Date.now() < end) {
        for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
        iterations++;
        control.tick((req.params.ms - (end - Date.now())) / req.params.ms);
      }
      return { result: { iterations: iterations + (x < 0 ? 1 : 0) }, transfer: [] };
    }
    case 'crash':
      // The test hook for crash recovery: the thread dies without replying.
      process.exit(70);
  }
}

port.on('message', (req: WorkerRequest) => {
  const control = new RequestControl(req.cancelFlag, (fraction) => send({ id: req.id, type: 'progress', fraction }));
  handle(req, control).then(
    ({ result, transfer }) => send({ id: req.id, type: 'result', result }, transfer),
    (e: unknown) =>
      send({
        id: req.id,
        type: 'error',
        message: isLensError(e) ? e.message : `internal error: ${errorMessage(e)}`,
        code: isLensError(e) ? e.code : 'internal',
      }),
  );
});
