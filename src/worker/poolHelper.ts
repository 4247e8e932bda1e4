/**
 * One helper thread of the compute worker's pool (dist/poolHelper.js, started by the
 * supervisor): instantiates the shared-memory kernel module over the pool's memory, then
 * claims tasks of each published job with a compare-exchange until none is left.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CTL, MAX_ARGS, PoolThreadData, SPIN_MS, spinFor, wake } from './poolThreads';

if (!parentPort) throw new Error('poolHelper.js must run in a worker thread');
const data = workerData as PoolThreadData;
const slot = data.slot ?? 1;
const ctl = new Int32Array(data.ctl);
const ST = CTL.STATE0 + 2 * (slot - 1);
const CUR = ST + 1;
const args = new Float64Array(data.args);
const msg = new Uint8Array(data.msg);
const done = new Int32Array(data.done);
const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
const kernels = data.names.map(
  (n) => instance.exports[n] as ((...a: number[]) => unknown) | undefined,
);

/** Records the first failure of the job (its text for the compute thread's error). */
function fail(e: unknown): void {
  if (Atomics.compareExchange(ctl, CTL.ERR, 0, 1) !== 0) return;
  const text = new TextEncoder()
    .encode(String((e as Error | undefined)?.message ?? e))
    .subarray(0, msg.length);
  msg.set(text);
  Atomics.store(ctl, CTL.MSGLEN, text.length);
}

function runTask(kernel: number, a: number[]): void {
  const name = data.names[kernel];
  if (TEST_HOOKS && name === '__sleep') spinFor(a[0]);
  else if (TEST_HOOKS && name === '__crashHelper') process.exit(70);
  else {
    const fn = kernels[kernel];
    if (!fn) throw new Error(`the kernel module has no export '${name}'`);
    fn(...a);
  }
}

/** Claims and runs tasks of job `gen15` until none is left. */
function work(gen15: number): void {
  for (;;) {
    Atomics.store(ctl, CUR, 1);
    const v = Atomics.load(ctl, CTL.JOB);
    const n = Atomics.load(ctl, CTL.NTASKS);
    if (v >>> 16 !== gen15 || (v & 0xffff) >= n) break;
    if (Atomics.compareExchange(ctl, CTL.JOB, v, v + 1) !== v) continue;
    const t = v & 0xffff;
    Atomics.add(ctl, CTL.TAKEN0 + slot, 1);
    const argc = Atomics.load(ctl, CTL.ARGC);
    const a = Array.from(args.subarray(t * MAX_ARGS, t * MAX_ARGS + argc));
    const scratch = Atomics.load(ctl, CTL.SCRATCH0 + slot);
    if (scratch >= 0) a.push(scratch >>> 0);
    try {
      runTask(Atomics.load(ctl, CTL.KERNEL), a);
      if (Atomics.load(ctl, CTL.DONEFLAGS)) {
        Atomics.store(done, t, 1);
        wake(ctl);
      }
    } catch (e) {
      fail(e);
    }
  }
  Atomics.store(ctl, CUR, -1);
  wake(ctl);
}

Atomics.store(ctl, CUR, -1);
Atomics.store(ctl, ST, 1);
wake(ctl);
let seen = Atomics.load(ctl, CTL.GEN);
let spinUntil = 0;
for (;;) {
  const g = Atomics.load(ctl, CTL.GEN);
  if (g === seen) {
    // spin a moment after a job (back-to-back jobs skip the futex wake-up), then sleep
    if (performance.now() < spinUntil) continue;
    Atomics.wait(ctl, CTL.GEN, g);
    continue;
  }
  spinUntil = performance.now() + SPIN_MS;
  seen = g;
  if (g < 0) break;
  work(g & 0x7fff);
  spinUntil = performance.now() + SPIN_MS;
}
