/**
 * What the compute thread (pool.ts), the supervisor (poolSupervisor.ts) and the helpers
 * (poolHelper.ts) share: the layout of the control words and what each thread is given.
 *
 * Control words (Int32Array over `ctl`):
 *   JOB   (gen15 << 16) | next task index; claimed by compareExchange; closed = index 0xffff
 *   NTASKS, KERNEL (index into names), ARGC, GEN (bumped per job; helpers Atomics.wait on it),
 *   WAKE (bumped + notified when a helper leaves a job or dies), ERR (first failure wins),
 *   LOST (a helper died inside a job), EXIT (its exit code),
 *   STATE0 + 2i: helper i 0 starting, 1 ready, 2 dead, 3 given up; CUR0 + 2i: 1 inside a job, -1 not
 *   SCRATCH0 + s: scratch byte address of thread slot s (0 = the compute thread)
 *   TAKEN0 + s: tasks thread slot s has run (diagnostics and tests)
 *   DONEFLAGS: 1 when the job wants per-task completions: a helper then sets `done`[t] = 1 after
 *   task t ran without error and wakes the compute thread
 * Task arguments: Float64Array `args`, MAX_ARGS per task. Error text: Uint8Array `msg` (UTF-8).
 * Completions: Int32Array `done`, MAX_TASKS words (cleared by the compute thread per job).
 */

export const CTL = {
  JOB: 0,
  NTASKS: 1,
  KERNEL: 2,
  ARGC: 3,
  GEN: 4,
  WAKE: 5,
  ERR: 6,
  LOST: 7,
  EXIT: 8,
  MSGLEN: 9,
  DONEFLAGS: 10,
  STATE0: 16,
  CUR0: 17,
  SCRATCH0: 80,
  TAKEN0: 112,
  SIZE: 144,
} as const;
export const MAX_HELPERS = 31;
export const MAX_ARGS = 20;
export const MAX_TASKS = 4096;
export const MSG_BYTES = 1024;
/** ms a thread spins (instead of sleeping in Atomics.wait) around a job: a sleeping thread
 *  waits for a time slice to wake up, which on a busy machine costs milliseconds per job */
export const SPIN_MS = 0.5;

/**
 * Test kernels (builds with TEST_HOOKS): `__sleep` busy-waits `ms` on any thread;
 * `__crashHelper` exits a helper thread (and sleeps on the compute thread). Their indices
 * follow the real kernels'.
 */
export const TEST_KERNELS = ['__sleep', '__crashHelper'] as const;
export type PoolTestKernel = (typeof TEST_KERNELS)[number];

/** What the supervisor is given (`workerData`); a helper gets the same plus its `slot`. */
export interface PoolThreadData {
  helpers: number;
  /** the helper's script (dist/poolHelper.js) */
  helperScript: string;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: SharedArrayBuffer;
  args: SharedArrayBuffer;
  msg: SharedArrayBuffer;
  /** per-task completion words (CTL.DONEFLAGS) */
  done: SharedArrayBuffer;
  /** kernel names by index: PARALLEL_KERNELS, then TEST_KERNELS in test builds */
  names: string[];
  /** 1 + the helper's index (slot 0 is the compute thread) */
  slot?: number;
}

/** Messages the compute thread sends the supervisor. */
export type SupervisorMessage = { close: true } | { kill: number; afterMs: number };

/** Bumps WAKE and wakes the compute thread. */
export function wake(ctl: Int32Array): void {
  Atomics.add(ctl, CTL.WAKE, 1);
  Atomics.notify(ctl, CTL.WAKE);
}

/** Busy-waits (the test kernels). */
export function spinFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}
