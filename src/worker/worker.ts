/**
 * The compute worker (worker_threads). Every computation on array data runs here, never on
 * the extension host's thread. Requests carry a shared cancel flag; long loops call
 * `ctx.tick()` which throws once it is set. {@link handlers} is the worker: one function per
 * method of {@link WorkerApi}.
 */
import { parentPort } from 'node:worker_threads';
import { answer, type Handlers } from '../protocol/rpc';
import type { WorkerApi, WorkerRequest, WorkerResponse } from '../protocol/worker';
import { RequestControl } from './cancel';
import {
  csvView,
  inspectText,
  listingOf,
  openArrayView,
  openFile,
  release,
  sliceView,
  summaryValues,
} from './arrays';
import { analysisMatrixOp, analyzeOp } from './analysisOps';
import { ensurePool } from './pool';
import {
  attentionAdoptOp,
  attentionComputeOp,
  attentionFocusOp,
  attentionInputsOp,
  attentionOpenOp,
  attentionReleaseOp,
  attentionTilesOp,
} from './attentionOps';
import { workerTestHandlers } from './testHooks';
import { embeddingHandlers } from './embeddingOps';
import { compareHandlers } from './compareOps';

/** What a handler gets besides its parameters. */
export interface WorkerContext {
  control: RequestControl;
  /** hands `buffer` over with the reply instead of copying it */
  transfer(buffer: ArrayBufferLike): void;
}

/**
 * Runs `op` once the thread pool is up: the first call starts it and waits (≤ 3 s) for its
 * helpers to finish starting, so that the first analysis does not run on one thread alone.
 */
async function pooled<T>(op: () => T | Promise<T>): Promise<T> {
  await ensurePool()?.started();
  return op();
}

const handlers: Handlers<WorkerApi, WorkerContext> = {
  openArray: async (p, { control, transfer }) => {
    const view = await openArrayView(p, control.tick);
    if (view.heatmap) transfer(view.heatmap.values.buffer);
    if (view.preview) transfer(view.preview.values.buffer);
    return view;
  },
  slice: async (p, { transfer }) => {
    const heatmap = await sliceView(p);
    transfer(heatmap.values.buffer);
    return heatmap;
  },
  csv: (p) => csvView(p),
  summaryValues: async (p, { transfer }) => {
    const data = await summaryValues(p);
    transfer(data.buffer);
    return { data };
  },
  listArrays: async (p) => listingOf(await openFile(p.source)),
  inspectText: (p, { control, transfer }) => {
    const view = inspectText(p, control.tick);
    if (view.heatmap) transfer(view.heatmap.values.buffer);
    return view;
  },
  releaseArrays: (p) => {
    release(p.source);
    return {};
  },
  // the linear algebra of these runs on the thread pool (started on the first of them)
  analyze: (p, { control }) => pooled(() => analyzeOp(p, control)),
  analysisMatrix: async (p, { control, transfer }) => {
    const r = await analysisMatrixOp(p, control);
    transfer(r.data.buffer);
    return r;
  },
  attentionCompute: (p, { control }) => pooled(() => attentionComputeOp(p, control)),
  attentionOpen: (p, { control }) => attentionOpenOp(p, control),
  attentionInputs: async (p, { transfer }) => {
    const r = await attentionInputsOp(p);
    // each buffer once (a transfer list with a duplicate fails to post)
    for (const b of new Set([r.q.buffer, r.k.buffer, r.v.buffer])) transfer(b);
    return r;
  },
  attentionAdopt: (p, { control }) => attentionAdoptOp(p, control),
  attentionTiles: (p, { control, transfer }) => attentionTilesOp(p, control, transfer),
  attentionFocus: (p, { transfer }) => attentionFocusOp(p, transfer),
  attentionRelease: (p) => attentionReleaseOp(p.key),
  ...embeddingHandlers,
  embeddingsTiles: (p, ctx) => pooled(() => embeddingHandlers.embeddingsTiles(p, ctx)),
  embeddingsPca: (p, ctx) => pooled(() => embeddingHandlers.embeddingsPca(p, ctx)),
  embeddingsClusterOrder: (p, ctx) =>
    pooled(() => embeddingHandlers.embeddingsClusterOrder(p, ctx)),
  embeddingsDuplicates: (p, ctx) => pooled(() => embeddingHandlers.embeddingsDuplicates(p, ctx)),
  compareArrays: (p, ctx) => pooled(() => embeddingHandlers.compareArrays(p, ctx)),
  compareView: (p, ctx) => pooled(() => compareHandlers.compareView(p, ctx)),
  compareCheckpointFiles: (p, ctx) => pooled(() => compareHandlers.compareCheckpointFiles(p, ctx)),
};

const port = parentPort;
if (!port) throw new Error('worker.js must run in a worker thread');
const send = (msg: WorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
const all = TEST_HOOKS ? { ...handlers, ...workerTestHandlers } : handlers;

port.on('message', (req: WorkerRequest) => {
  const buffers: ArrayBuffer[] = [];
  const ctx: WorkerContext = {
    control: new RequestControl(req.cancelFlag, (fraction) =>
      send({ id: req.id, type: 'progress', fraction }),
    ),
    transfer: (b) => void buffers.push(b as ArrayBuffer),
  };
  void answer(all, req.id, req.method, req.params, ctx).then((reply) =>
    send(reply, reply.type === 'result' ? buffers : []),
  );
});
