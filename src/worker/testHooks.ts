/**
 * The worker's test hooks (protocol/testing.ts `WorkerTestApi`): a long cancellable
 * computation and a crash. Only in builds made with TEST_HOOKS (see esbuild.mjs).
 */
import type { Handlers } from '../protocol/rpc';
import type { WorkerTestApi } from '../protocol/testing';
import type { WorkerContext } from './worker';

export const workerTestHandlers: Handlers<WorkerTestApi, WorkerContext> = {
  spin: ({ ms }, { control }) => {
    // a cancellable busy loop
    const end = Date.now() + ms;
    let iterations = 0;
    let x = 0;
    while (Date.now() < end) {
      for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
      iterations++;
      control.tick((ms - (end - Date.now())) / ms);
    }
    return { iterations: iterations + (x < 0 ? 1 : 0) };
  },
  // the thread dies without replying (crash recovery)
  crash: () => process.exit(70),
};
