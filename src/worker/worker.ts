/**
 * The compute worker (worker_threads). Every computation on array data runs here, never on
 * the extension host's thread. Requests carry a shared cancel flag; long loops call
 * `control.tick()` which throws once it is set.
 */
import { embeddingOp } from './embeddingOps';
import { parentPort } from 'node:worker_threads';
import { errorMessage, isLensError } from '../core/errors';
import { WorkerRequest, WorkerResponse } from '../protocol/messages';
import { RequestControl } from './cancel';
import {
  csvView,
  inspectText,
  listingOf,
  openArrayView,
  openFile,
  release,
  sliceView,
} from './arrays';
import { analyzeOp } from './analysisOps';
import { ensurePool } from './pool';
import {
  attentionComputeOp,
  attentionFocusOp,
  attentionOpenOp,
  attentionReleaseOp,
  attentionTilesOp,
} from './attentionOps';

const port = parentPort;
if (!port) throw new Error('worker.js must run in a worker thread');

function send(msg: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

/** Requests whose linear algebra runs on the thread pool (started on the first of them). */
const POOLED = new Set<WorkerRequest['kind']>([
  'analyze',
  'attentionCompute',
  'embeddingsTiles',
  'compareArrays',
]);

async function handle(
  req: WorkerRequest,
  control: RequestControl,
): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  if (POOLED.has(req.kind)) ensurePool();
  switch (req.kind) {
    case 'openArray': {
      const view = await openArrayView(req.params, control.tick);
      return {
        result: view,
        transfer: view.heatmap ? [view.heatmap.values.buffer as ArrayBuffer] : [],
      };
    }
    case 'slice': {
      const heatmap = await sliceView(req.params);
      return { result: heatmap, transfer: [heatmap.values.buffer as ArrayBuffer] };
    }
    case 'csv':
      return { result: await csvView(req.params), transfer: [] };
    case 'listArrays':
      return { result: listingOf(await openFile(req.params.source)), transfer: [] };
    case 'inspectText': {
      const view = inspectText(req.params, control.tick);
      return {
        result: view,
        transfer: view.heatmap ? [view.heatmap.values.buffer as ArrayBuffer] : [],
      };
    }
    case 'releaseArrays':
      release(req.params.source);
      return { result: {}, transfer: [] };
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
    case 'analyze':
      return analyzeOp(req.params, control);
    case 'attentionOpen':
      return attentionOpenOp(req.params, control);
    case 'attentionCompute':
      return attentionComputeOp(req.params, control);
    case 'attentionTiles':
      return attentionTilesOp(req.params, control);
    case 'attentionFocus':
      return attentionFocusOp(req.params);
    case 'attentionRelease':
      return attentionReleaseOp(req.params.key);
    case 'embeddingsOpen':
    case 'embeddingsNeighbors':
    case 'embeddingsTiles':
    case 'embeddingsRelease':
    case 'compareArrays':
      return embeddingOp(req, control);
    case 'crash':
      // The test hook for crash recovery: the thread dies without replying.
      process.exit(70);
  }
}

port.on('message', (req: WorkerRequest) => {
  const control = new RequestControl(req.cancelFlag, (fraction) =>
    send({ id: req.id, type: 'progress', fraction }),
  );
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
