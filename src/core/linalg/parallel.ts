/**
 * Partitioned kernels and the interface of a parallel executor. Core stays single-threaded and
 * pure: an operation that can be split describes its work as a job of independent tasks, each
 * one call of a WebAssembly kernel export with byte-address arguments (rows r0..r1 of a GEMM,
 * a block of queries of one attention head). Without an executor (CLI, webview, unit tests) the
 * caller runs the tasks in order; the compute worker installs an executor (src/worker/pool.ts)
 * whose threads share the engine's memory and claim tasks dynamically.
 */
import { Engine } from './wasm/kernels';

/** Kernel exports a job may name (the helper threads look them up by this list's index). */
export const PARALLEL_KERNELS = [
  'dgemm',
  'sgemm',
  'attnPackK',
  'attnStreamF32',
  'attnWeightsF32',
  'gemvT64',
  'gemvN64',
  'symvLowerRows64',
  'sgemmPackB',
  'sgemmPacked',
  'attnPackV',
  'symvLowerRowsCol64',
  'dgemmPacked',
  'tridiagPanel64',
] as const;
export type ParallelKernel = (typeof PARALLEL_KERNELS)[number];

export interface ParallelJob {
  kernel: ParallelKernel;
  /** each task: the export's arguments (byte addresses, element counts, scalars) */
  tasks: readonly (readonly number[])[];
  /**
   * per-thread scratch (byte addresses; slot 0 is the calling thread, then the helpers): when
   * given, the running thread's entry is appended to each task's arguments
   */
  scratch?: readonly number[];
  /**
   * Called on the calling thread once per task that has finished (on whichever thread), before
   * `run` returns, while the other tasks may still be running: the caller can consume a task's
   * output (e.g. copy its rows out of the heap) in parallel with the rest of the job. Tasks come
   * in the order this thread sees them finish; none after a failure or a cancel.
   */
  done?: (task: number) => void;
}

export interface ParallelExecutor {
  /** the engine whose memory the helper threads share; jobs on other engines run serially */
  readonly engine: Engine;
  /** threads that can take tasks now (the caller included) */
  readonly threads: number;
  /** upper bound of `threads` (scratch slots to allocate) */
  readonly maxThreads: number;
  /**
   * Runs every task once, on the caller and the helpers, and returns when all are done.
   * `poll` is called between tasks and while waiting (at least every ~20 ms); if it throws,
   * no further task starts, running ones finish, and the error is rethrown. A helper failure
   * (trap, crashed or killed thread) throws a LensError after the other tasks stopped.
   */
  run(job: ParallelJob, poll?: () => void): void;
}

let executor: ParallelExecutor | undefined;

/** Installs (or with undefined removes) the parallel executor. */
export function setParallelExecutor(x: ParallelExecutor | undefined): void {
  executor = x;
}

export function parallelExecutor(): ParallelExecutor | undefined {
  return executor;
}

/** Threads a job on `e` would run on now (1 without an executor on this engine). */
export function threadsFor(e: Engine): number {
  return executor && executor.engine === e ? executor.threads : 1;
}

/** Scratch slots to allocate for a job on `e` (helpers may become ready while it runs). */
export function scratchSlotsFor(e: Engine): number {
  return executor && executor.engine === e ? executor.maxThreads : 1;
}

/** Runs a job on `e`: through the executor when it owns `e`, else task by task on this thread. */
export function runJob(e: Engine, job: ParallelJob, poll?: () => void): void {
  if (executor && executor.engine === e && executor.threads > 1) {
    executor.run(job, poll);
    return;
  }
  if (!e.call) throw new Error('runJob needs the WebAssembly engine');
  const extra = job.scratch ? [job.scratch[0]] : [];
  for (let i = 0; i < job.tasks.length; i++) {
    const t = job.tasks[i];
    e.call(job.kernel, extra.length ? [...t, ...extra] : t);
    job.done?.(i);
    poll?.();
  }
}

/**
 * Splits n rows into blocks of a multiple of `align` rows: about `perThread` blocks per thread,
 * at least `minRows` and at most `maxRows` rows each (so one task stays short enough for a
 * prompt Cancel: tasks are the unit between polls).
 */
export function rowBlocks(
  n: number,
  threads: number,
  align: number,
  minRows: number,
  perThread = 2,
  maxRows = Infinity,
): [number, number][] {
  const parts = Math.max(1, threads * perThread);
  let size = Math.min(Math.max(minRows, Math.ceil(n / parts)), Math.max(align, maxRows));
  size = Math.ceil(size / align) * align;
  const out: [number, number][] = [];
  for (let r = 0; r < n; r += size) out.push([r, Math.min(n, r + size)]);
  return out;
}

/** Flops one task should stay under (~50 ms of SIMD work). */
export const TASK_FLOPS = 1.5e9;
