/**
 * The extension host's handle on the compute worker. Requests are cancellable (a shared flag
 * the worker polls; if it does not answer within CANCEL_GRACE_MS the thread is terminated and
 * replaced) and a crashed worker is replaced on the next request.
 */
import { Worker } from 'node:worker_threads';
import { WorkerCall, WorkerRequest, WorkerResponse, WorkerResultMap } from '../protocol/messages';

export const CANCEL_GRACE_MS = 400;

export class WorkerError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (fraction: number) => void;
  flag: Int32Array;
}

export interface CallOptions {
  onProgress?: (fraction: number) => void;
  /** anything with `isCancellationRequested` + `onCancellationRequested` (a vscode CancellationToken). */
  token?: {
    isCancellationRequested: boolean;
    onCancellationRequested(cb: () => void): { dispose(): void };
  };
}

export class WorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** how many workers were started (tests check that a crash leads to a replacement). */
  generation = 0;

  constructor(private readonly scriptPath: string) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.scriptPath, { resourceLimits: { maxOldGenerationSizeMb: 4096 } });
    this.generation++;
    w.on('message', (m: WorkerResponse) => this.onMessage(m));
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
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new WorkerError(message, 'crashed'));
  }

  private onMessage(m: WorkerResponse): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.(m.fraction);
      return;
    }
    this.pending.delete(m.id);
    if (m.type === 'result') p.resolve(m.result);
    else p.reject(new WorkerError(m.message, m.code));
  }

  call<K extends WorkerCall['kind']>(
    kind: K,
    params: Extract<WorkerCall, { kind: K }>['params'],
    opts: CallOptions = {},
  ): Promise<WorkerResultMap[K]> {
    const w = this.ensure();
    const id = this.nextId++;
    const cancelFlag = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancelFlag);
    return new Promise<WorkerResultMap[K]>((resolve, reject) => {
      let sub: { dispose(): void } | undefined;
      const done = () => sub?.dispose();
      this.pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v as WorkerResultMap[K]);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        onProgress: opts.onProgress,
        flag,
      });
      if (opts.token) {
        const cancel = () => this.cancel(id);
        if (opts.token.isCancellationRequested) cancel();
        else sub = opts.token.onCancellationRequested(cancel);
      }
      w.postMessage({ id, kind, params, cancelFlag } as WorkerRequest);
    });
  }

  /** Asks the worker to stop request `id`; replaces the worker if it does not stop in time. */
  cancel(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    Atomics.store(p.flag, 0, 1);
    const w = this.worker;
    setTimeout(() => {
      if (!this.pending.has(id) || this.worker !== w || !w) return;
      // it did not notice the flag: a stuck loop. Replace the thread.
      this.worker = undefined;
      void w.terminate();
      const pending = [...this.pending.entries()];
      this.pending.clear();
      for (const [pid, q] of pending)
        q.reject(
          new WorkerError(
            pid === id ? 'cancelled' : 'the compute worker was restarted; try again',
            pid === id ? 'cancelled' : 'crashed',
          ),
        );
    }, CANCEL_GRACE_MS).unref();
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values())
      p.reject(new WorkerError('Matrix Lens is shutting down', 'cancelled'));
    this.pending.clear();
    void w?.terminate();
  }
}
