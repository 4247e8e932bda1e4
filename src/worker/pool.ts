/**
 * The compute worker's thread pool: one helper thread per extra core
 * (`os.availableParallelism() − 1`), all running the shared-memory build of the SIMD kernels over
 * one `WebAssembly.Memory` (shared) that is also the heap of this thread's engine. Core describes
 * splittable work as jobs of kernel calls (src/core/linalg/parallel.ts); {@link WorkerPool.run}
 * publishes a job in shared control words, the helpers wake (`Atomics.wait` on a generation
 * word) and every thread, this one included, claims tasks with a compare-exchange until none is
 * left. Dynamic claiming keeps a shared machine busy: if the other core is taken, this thread
 * simply runs more of the tasks.
 *
 * A supervisor thread owns the helpers, so a helper's exit is seen while this thread blocks:
 * it marks the helper dead (and the job lost if it held a task), wakes this thread, and
 * respawns it. The job then fails with a clear error after the other tasks stopped; the
 * next job runs (on this thread alone until the new helper is ready). Cancellation: `poll`
 * (the request's tick) runs between tasks and every 20 ms while waiting; when it throws, no
 * task starts any more and the running ones (a few ms each) finish before the error propagates.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  PARALLEL_KERNELS,
  ParallelExecutor,
  ParallelJob,
  setParallelExecutor,
} from '../core/linalg/parallel';
import {
  Engine,
  createSharedWasmEngine,
  installEngine,
  newSharedKernelsMemory,
  sharedKernelsModule,
} from '../core/linalg/wasm/kernels';
import {
  CTL,
  MAX_ARGS,
  MAX_HELPERS,
  MAX_TASKS,
  MSG_BYTES,
  PoolTestKernel,
  PoolThreadData,
  SPIN_MS,
  SupervisorMessage,
  TEST_KERNELS,
  spinFor,
} from './poolThreads';

const WAIT_SLICE_MS = 20;

/** Kernel names by index, as the helpers get them (test kernels only in test builds). */
const KERNEL_NAMES: readonly string[] = TEST_HOOKS
  ? [...PARALLEL_KERNELS, ...TEST_KERNELS]
  : PARALLEL_KERNELS;

/** A job the pool runs: a parallel job of core, or (test builds) one of the test kernels. */
export type PoolJob = Omit<ParallelJob, 'kernel'> & {
  kernel: ParallelJob['kernel'] | PoolTestKernel;
};

export class WorkerPool implements ParallelExecutor {
  readonly engine: Engine;
  readonly maxThreads: number;
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly msg: Uint8Array;
  private readonly done: Int32Array;
  private readonly supervisor: Worker;
  private gen = 0;
  private closed = false;

  /**
   * @param helpers helper threads to start
   * @param scripts the folder of poolSupervisor.js and poolHelper.js (next to worker.js)
   */
  constructor(helpers: number, scripts: string = __dirname) {
    const n = Math.max(0, Math.min(MAX_HELPERS, Math.floor(helpers)));
    const memory = newSharedKernelsMemory();
    this.engine = createSharedWasmEngine(memory);
    this.maxThreads = n + 1;
    const ctlBuf = new SharedArrayBuffer(CTL.SIZE * 4);
    const argsBuf = new SharedArrayBuffer(MAX_TASKS * MAX_ARGS * 8);
    const msgBuf = new SharedArrayBuffer(MSG_BYTES);
    const doneBuf = new SharedArrayBuffer(MAX_TASKS * 4);
    this.ctl = new Int32Array(ctlBuf);
    this.args = new Float64Array(argsBuf);
    this.msg = new Uint8Array(msgBuf);
    this.done = new Int32Array(doneBuf);
    this.ctl[CTL.JOB] = 0xffff;
    for (let i = 0; i < n; i++) this.ctl[CTL.CUR0 + 2 * i] = -1;
    const workerData: PoolThreadData = {
      helpers: n,
      helperScript: join(scripts, 'poolHelper.js'),
      module: sharedKernelsModule(),
      memory,
      ctl: ctlBuf,
      args: argsBuf,
      msg: msgBuf,
      done: doneBuf,
      names: [...KERNEL_NAMES],
    };
    this.supervisor = new Worker(join(scripts, 'poolSupervisor.js'), { workerData });
    this.supervisor.unref();
    this.supervisor.on('error', () => {
      // the supervisor itself failed: helpers may be gone; jobs run on this thread alone
      for (let i = 0; i < n; i++) Atomics.store(this.ctl, CTL.STATE0 + 2 * i, 3);
    });
  }

  get helpers(): number {
    return this.maxThreads - 1;
  }

  /** helper states: 0 starting, 1 ready, 2 dead (respawning), 3 given up */
  helperStates(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.helpers; i++) out.push(Atomics.load(this.ctl, CTL.STATE0 + 2 * i));
    return out;
  }

  get threads(): number {
    if (this.closed) return 1;
    return 1 + this.helperStates().filter((s) => s === 1).length;
  }

  /** Tasks each thread has run since the pool started (slot 0: this thread, then the helpers). */
  tasksTaken(): number[] {
    return Array.from({ length: this.maxThreads }, (_, s) =>
      Atomics.load(this.ctl, CTL.TAKEN0 + s),
    );
  }

  /** Resolves once every helper is ready (or after timeoutMs). */
  async ready(timeoutMs = 10000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.threads === this.maxThreads) return true;
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.threads === this.maxThreads;
  }

  /**
   * Resolves once no helper is still starting (each is ready, or dead, or given up), or after
   * `timeoutMs`: the first job after the pool starts then runs on every thread there is.
   */
  async started(timeoutMs = 3000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end && this.helperStates().includes(0))
      await new Promise((r) => setTimeout(r, 5));
  }

  /** Test hook (test builds): the supervisor terminates helper i after `afterMs`. */
  killHelper(i: number, afterMs = 0): void {
    const m: SupervisorMessage = { kill: i, afterMs };
    if (TEST_HOOKS) this.supervisor.postMessage(m);
  }

  async close(): Promise<void> {
    this.closed = true;
    const m: SupervisorMessage = { close: true };
    this.supervisor.postMessage(m);
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => void this.supervisor.terminate().then(() => resolve()), 2000);
      this.supervisor.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private runLocal(kernel: string, args: readonly number[]): void {
    if (TEST_HOOKS && (kernel === '__sleep' || kernel === '__crashHelper')) spinFor(args[0] ?? 0);
    else this.engine.call!(kernel, args);
  }

  run(job: PoolJob, poll?: () => void): void {
    const c = this.ctl;
    const kernel = KERNEL_NAMES.indexOf(job.kernel);
    if (kernel < 0) throw new Error(`unknown parallel kernel ${job.kernel}`);
    const n = job.tasks.length;
    if (n === 0) return;
    if (n > MAX_TASKS) {
      // more tasks than the table holds: consecutive sub-jobs
      for (let t0 = 0; t0 < n; t0 += MAX_TASKS) {
        const done = job.done;
        this.run(
          {
            ...job,
            tasks: job.tasks.slice(t0, t0 + MAX_TASKS),
            done: done && ((t: number) => done(t0 + t)),
          },
          poll,
        );
      }
      return;
    }
    const argc = job.tasks[0].length;
    if (argc > MAX_ARGS || job.tasks.some((t) => t.length !== argc))
      throw new Error('parallel job tasks need the same number of arguments (≤ 20)');
    // publish: tables first, then the open JOB word, then the generation helpers wait on
    for (let t = 0; t < n; t++) this.args.set(job.tasks[t], t * MAX_ARGS);
    // per-task completions: helpers flag their finished tasks, this thread hands each one to
    // job.done as it sees it (its own at once, the helpers' between its tasks and while waiting)
    const onDone = job.done;
    const seen = onDone ? new Uint8Array(n) : undefined;
    let lo = 0; // tasks below lo are all handed over
    if (onDone) this.done.fill(0, 0, n);
    Atomics.store(c, CTL.DONEFLAGS, onDone ? 1 : 0);
    const drain = (): void => {
      if (!onDone || !seen) return;
      const claimed = Math.min(n, Atomics.load(c, CTL.JOB) & 0xffff);
      for (let t = lo; t < claimed; t++) {
        if (seen[t] || Atomics.load(this.done, t) !== 1) continue;
        seen[t] = 1;
        onDone(t);
      }
      while (lo < n && seen[lo]) lo++;
    };
    for (let s = 0; s < this.maxThreads; s++)
      Atomics.store(c, CTL.SCRATCH0 + s, job.scratch ? (job.scratch[s] ?? -1) : -1);
    Atomics.store(c, CTL.KERNEL, kernel);
    Atomics.store(c, CTL.ARGC, argc);
    Atomics.store(c, CTL.ERR, 0);
    Atomics.store(c, CTL.LOST, 0);
    Atomics.store(c, CTL.NTASKS, n);
    const gen15 = (this.gen = (this.gen + 1) & 0x7fff);
    Atomics.store(c, CTL.JOB, gen15 << 16);
    Atomics.add(c, CTL.GEN, 1);
    Atomics.notify(c, CTL.GEN);

    const scratch0 = job.scratch ? [job.scratch[0]] : [];
    let failure: unknown;
    // 1. this thread claims tasks like a helper
    for (;;) {
      const v = Atomics.load(c, CTL.JOB);
      if ((v & 0xffff) >= n) break;
      if (Atomics.compareExchange(c, CTL.JOB, v, v + 1) !== v) continue;
      const t = job.tasks[v & 0xffff];
      Atomics.add(c, CTL.TAKEN0, 1);
      try {
        this.runLocal(job.kernel, scratch0.length ? [...t, ...scratch0] : t);
        if (onDone && seen) {
          seen[v & 0xffff] = 1;
          onDone(v & 0xffff);
          drain();
        }
        poll?.();
        if (Atomics.load(c, CTL.LOST) || Atomics.load(c, CTL.ERR)) break; // a helper failed: stop early
      } catch (e) {
        failure = e;
        break;
      }
    }
    // 2. close the job (no task starts any more), then wait for the helpers to leave it
    Atomics.store(c, CTL.JOB, (gen15 << 16) | 0xffff);
    const spinUntil = performance.now() + SPIN_MS;
    for (;;) {
      const w = Atomics.load(c, CTL.WAKE);
      if (failure === undefined && !Atomics.load(c, CTL.LOST) && !Atomics.load(c, CTL.ERR))
        try {
          drain();
        } catch (e) {
          failure = e;
        }
      let busy = false;
      for (let i = 0; i < this.helpers; i++) {
        const st = Atomics.load(c, CTL.STATE0 + 2 * i);
        if (st !== 2 && st !== 3 && Atomics.load(c, CTL.CUR0 + 2 * i) !== -1) busy = true;
      }
      if (!busy) break;
      if (performance.now() < spinUntil) continue;
      Atomics.wait(c, CTL.WAKE, w, WAIT_SLICE_MS);
      if (failure === undefined && poll) {
        try {
          poll();
        } catch (e) {
          failure = e; // cancelled: nothing new starts (the job is closed); running tasks finish
        }
      }
    }
    if (failure === undefined && !Atomics.load(c, CTL.LOST) && !Atomics.load(c, CTL.ERR))
      try {
        drain();
      } catch (e) {
        failure = e;
      }
    if (failure !== undefined) throw failure;
    if (Atomics.load(c, CTL.LOST)) {
      const code = Atomics.load(c, CTL.EXIT);
      throw new Error(
        `a helper thread of the compute worker stopped during the computation (exit code ${code}); run it again`,
      );
    }
    if (Atomics.load(c, CTL.ERR)) {
      const len = Atomics.load(c, CTL.MSGLEN);
      const text = new TextDecoder().decode(this.msg.slice(0, len));
      throw new Error(`a helper thread of the compute worker failed: ${text}`);
    }
  }
}

let pool: WorkerPool | null | undefined;

/**
 * Starts the pool once (helpers join as they become ready) and installs its engine and executor
 * for core's kernels. Returns null (single-threaded, default engine) where shared WebAssembly
 * memory is unavailable or there is no extra core.
 */
export function ensurePool(
  helpers = availableParallelism() - 1,
  scripts = __dirname,
): WorkerPool | null {
  if (pool !== undefined) return pool;
  pool = null;
  if (helpers < 1) return pool;
  try {
    pool = new WorkerPool(helpers, scripts);
  } catch {
    return (pool = null); // no shared memory / SIMD: stay on the single-threaded engine
  }
  installEngine(pool.engine);
  setParallelExecutor(pool);
  return pool;
}

/** Stops the pool and restores the single-threaded engine (tests). */
export async function closePool(): Promise<void> {
  const p = pool;
  pool = undefined;
  installEngine(undefined);
  setParallelExecutor(undefined);
  if (p) await p.close();
}
