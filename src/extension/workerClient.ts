/**
 * The extension host's handle on the compute worker: an {@link RpcClient} over
 * {@link WorkerCalls}. Requests are cancellable (a shared flag the worker polls; if it does
 * not answer within CANCEL_GRACE_MS the thread is terminated and replaced) and a crashed
 * worker is replaced on the next request.
 */
import { Worker } from 'node:worker_threads';
import {
  RpcClient,
  RpcError,
  type CallOptions,
  type ParamsOf,
  type ResultOf,
} from '../protocol/rpc';
import type { WorkerCalls, WorkerRequest, WorkerResponse } from '../protocol/worker';

export const CANCEL_GRACE_MS = 400;

/** A failed worker call (`code`: 'cancelled', 'crashed', or the worker's LensError code). */
export const WorkerError = RpcError;
export type WorkerError = RpcError;
export type { CallOptions };

export class WorkerClient {
  private worker: Worker | undefined;
  /** each waiting call's cancel flag */
  private readonly flags = new Map<number, Int32Array>();
  private readonly rpc = new RpcClient<WorkerCalls>({
    send: (id, method, params) => {
      const cancelFlag = new SharedArrayBuffer(4);
      this.flags.set(id, new Int32Array(cancelFlag));
      const req: WorkerRequest = { id, method, params, cancelFlag };
      this.ensure().postMessage(req);
    },
    cancel: (id) => this.cancel(id),
    settled: (id) => this.flags.delete(id),
  });
  /** how many workers were started (tests check that a crash leads to a replacement). */
  generation = 0;

  constructor(private readonly scriptPath: string) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.scriptPath, { resourceLimits: { maxOldGenerationSizeMb: 4096 } });
    this.generation++;
    w.on('message', (m: WorkerResponse) => this.rpc.receive(m));
    w.on('error', (e) => this.fail(w, `the compute worker failed: ${e.message}`));
    w.on('exit', (code) =>
      this.fail(
        w,
        `the compute worker stopped unexpectedly (exit code ${code}); it has been restarted, try again`,
      ),
    );
    w.unref();
    this.worker = w;
    return w;
  }

  private fail(w: Worker, message: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.rpc.rejectAll(() => new RpcError(message, 'crashed'));
  }

  call<K extends keyof WorkerCalls>(
    method: K,
    params: ParamsOf<WorkerCalls, K>,
    opts: CallOptions = {},
  ): Promise<ResultOf<WorkerCalls, K>> {
    return this.rpc.call(method, params, opts);
  }

  /** Asks the worker to stop request `id`; replaces the worker if it does not stop in time. */
  private cancel(id: number): void {
    const flag = this.flags.get(id);
    if (!flag) return;
    Atomics.store(flag, 0, 1);
    const w = this.worker;
    setTimeout(() => {
      if (!this.rpc.has(id) || this.worker !== w || !w) return;
      // it did not notice the flag: a stuck loop. Replace the thread.
      this.worker = undefined;
      void w.terminate();
      this.rpc.rejectAll((pid) =>
        pid === id
          ? new RpcError('cancelled', 'cancelled')
          : new RpcError('the compute worker was restarted; try again', 'crashed'),
      );
    }, CANCEL_GRACE_MS).unref();
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    this.rpc.rejectAll(() => new RpcError('Matrix Lens is shutting down', 'cancelled'));
    void w?.terminate();
  }
}
