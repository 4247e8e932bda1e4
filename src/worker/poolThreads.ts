/**
 * Sources of the pool's threads, run with `new Worker(source, { eval: true })` so they need no
 * bundle entry of their own. Plain JavaScript (CommonJS `require`), no imports from the project:
 * a helper only instantiates the shared-memory kernel module over the pool's memory and calls
 * kernel exports by name; the supervisor owns the helpers so their `exit` events are seen while
 * the compute thread is busy (blocked in `Atomics.wait`), and respawns them.
 *
 * Control words (Int32Array over `ctl`), shared with pool.ts:
 *   JOB   (gen15 << 16) | next task index; claimed by compareExchange; closed = index 0xffff
 *   NTASKS, KERNEL (index into names), ARGC, GEN (bumped per job; helpers Atomics.wait on it),
 *   WAKE (bumped + notified when a helper leaves a job or dies), ERR (first failure wins),
 *   LOST (a helper died inside a job), EXIT (its exit code),
 *   STATE0 + 2i: helper i 0 starting, 1 ready, 2 dead, 3 given up; CUR0 + 2i: 1 inside a job, -1 not
 *   SCRATCH0 + s: scratch byte address of thread slot s (0 = the compute thread)
 * Task arguments: Float64Array `args`, MAX_ARGS per task. Error text: Uint8Array `msg` (UTF-8).
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
  STATE0: 16,
  CUR0: 17,
  SCRATCH0: 80,
  SIZE: 128,
} as const;
export const MAX_HELPERS = 31;
export const MAX_ARGS = 20;
export const MAX_TASKS = 4096;
export const MSG_BYTES = 1024;
/** ms a thread spins (instead of sleeping in Atomics.wait) around a job: a sleeping thread
 *  waits for a time slice to wake up, which on a busy machine costs milliseconds per job */
export const SPIN_MS = 0.5;

const COMMON = `
const { workerData, parentPort } = require('node:worker_threads');
const C = ${JSON.stringify(CTL)};
const ctl = new Int32Array(workerData.ctl);
function wake() { Atomics.add(ctl, C.WAKE, 1); Atomics.notify(ctl, C.WAKE); }
`;

/** One helper thread: claims tasks of each job until none is left. */
export const HELPER_SOURCE = `${COMMON}
const slot = workerData.slot;
const ST = C.STATE0 + 2 * (slot - 1), CUR = ST + 1;
const args = new Float64Array(workerData.args);
const msg = new Uint8Array(workerData.msg);
const inst = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } });
const names = workerData.names;
const fns = names.map((n) => inst.exports[n]);
function spin(ms) { const end = Date.now() + ms; while (Date.now() < end); }
function fail(e) {
  if (Atomics.compareExchange(ctl, C.ERR, 0, 1) !== 0) return;
  const text = new TextEncoder().encode(String((e && e.message) || e)).subarray(0, msg.length);
  msg.set(text);
  Atomics.store(ctl, C.MSGLEN, text.length);
}
function work(gen15) {
  for (;;) {
    Atomics.store(ctl, CUR, 1);
    const v = Atomics.load(ctl, C.JOB);
    const n = Atomics.load(ctl, C.NTASKS);
    if (v >>> 16 !== gen15 || (v & 0xffff) >= n) break;
    if (Atomics.compareExchange(ctl, C.JOB, v, v + 1) !== v) continue;
    const t = v & 0xffff;
    const kernel = names[Atomics.load(ctl, C.KERNEL)];
    const argc = Atomics.load(ctl, C.ARGC);
    const a = Array.from(args.subarray(t * ${MAX_ARGS}, t * ${MAX_ARGS} + argc));
    const scratch = Atomics.load(ctl, C.SCRATCH0 + slot);
    if (scratch >= 0) a.push(scratch >>> 0);
    try {
      if (kernel === '__sleep') spin(a[0]);
      else if (kernel === '__crashHelper') process.exit(70);
      else fns[Atomics.load(ctl, C.KERNEL)](...a);
    } catch (e) {
      fail(e);
    }
  }
  Atomics.store(ctl, CUR, -1);
  wake();
}
Atomics.store(ctl, CUR, -1);
Atomics.store(ctl, ST, 1);
wake();
let seen = Atomics.load(ctl, C.GEN);
let spinUntil = 0;
for (;;) {
  const g = Atomics.load(ctl, C.GEN);
  if (g === seen) {
    // spin a moment after a job (back-to-back jobs skip the futex wake-up), then sleep
    if (performance.now() < spinUntil) continue;
    Atomics.wait(ctl, C.GEN, g);
    continue;
  }
  spinUntil = performance.now() + ${SPIN_MS};
  seen = g;
  if (g < 0) break;
  work(g & 0x7fff);
  spinUntil = performance.now() + ${SPIN_MS};
}
`;

/** The supervisor: spawns the helpers, marks them dead on exit, respawns (5 tries in a row). */
export const SUPERVISOR_SOURCE = `${COMMON}
const { Worker } = require('node:worker_threads');
const { helpers, helperSource } = workerData;
const workers = [];
const failures = [];
let closing = false;
function spawn(i) {
  const ST = C.STATE0 + 2 * i, CUR = ST + 1;
  const w = new Worker(helperSource, {
    eval: true,
    workerData: { ...workerData, helperSource: undefined, slot: i + 1 },
  });
  workers[i] = w;
  w.on('online', () => {});
  w.on('error', () => {});
  w.on('exit', (code) => {
    if (workers[i] !== w) return;
    if (Atomics.load(ctl, CUR) !== -1) Atomics.store(ctl, C.LOST, 1);
    Atomics.store(ctl, C.EXIT, code);
    const ready = Atomics.load(ctl, ST) === 1;
    Atomics.store(ctl, ST, 2);
    wake();
    failures[i] = ready ? 0 : (failures[i] || 0) + 1;
    if (closing) return;
    if (failures[i] >= 5) { Atomics.store(ctl, ST, 3); wake(); return; }
    spawn(i);
  });
}
for (let i = 0; i < helpers; i++) spawn(i);
parentPort.on('message', (m) => {
  if (m && typeof m.kill === 'number') {
    setTimeout(() => { const w = workers[m.kill]; if (w) w.terminate(); }, m.afterMs || 0);
  } else if (m && m.close) {
    closing = true;
    Promise.all(workers.map((w) => w.terminate())).then(() => process.exit(0));
  }
});
`;
