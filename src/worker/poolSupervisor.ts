/**
 * The pool's supervisor thread (dist/poolSupervisor.js): spawns the helpers and owns them, so
 * a helper's exit is seen while the compute thread is busy (blocked in `Atomics.wait`). It
 * marks a dead helper (and the job lost if it held a task), wakes the compute thread, and
 * respawns it — five failed starts in a row and it gives up on that helper.
 */
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { CTL, PoolThreadData, SupervisorMessage, wake } from './poolThreads';

const port = parentPort;
if (!port) throw new Error('poolSupervisor.js must run in a worker thread');
const data = workerData as PoolThreadData;
const ctl = new Int32Array(data.ctl);
const workers: Worker[] = [];
const failures: number[] = [];
let closing = false;

function spawn(i: number): void {
  const ST = CTL.STATE0 + 2 * i;
  const CUR = ST + 1;
  const w = new Worker(data.helperScript, { workerData: { ...data, slot: i + 1 } });
  workers[i] = w;
  w.on('error', () => {});
  w.on('exit', (code) => {
    if (workers[i] !== w) return;
    if (Atomics.load(ctl, CUR) !== -1) Atomics.store(ctl, CTL.LOST, 1);
    Atomics.store(ctl, CTL.EXIT, code);
    const ready = Atomics.load(ctl, ST) === 1;
    Atomics.store(ctl, ST, 2);
    wake(ctl);
    failures[i] = ready ? 0 : (failures[i] ?? 0) + 1;
    if (closing) return;
    if (failures[i] >= 5) {
      Atomics.store(ctl, ST, 3);
      wake(ctl);
      return;
    }
    spawn(i);
  });
}

for (let i = 0; i < data.helpers; i++) spawn(i);

port.on('message', (m: SupervisorMessage) => {
  if ('kill' in m) {
    if (TEST_HOOKS) setTimeout(() => void workers[m.kill]?.terminate(), m.afterMs);
  } else if (m.close) {
    closing = true;
    void Promise.all(workers.map((w) => w.terminate())).then(() => process.exit(0));
  }
});
