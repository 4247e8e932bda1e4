import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api } from './helpers';

describe('compute worker (inside the real extension host)', function () {
  this.timeout(30_000);

  it('stops a long computation within a fraction of a second of Cancel', async () => {
    const { worker } = await api();
    const cts = new vscode.CancellationTokenSource();
    let progress = 0;
    const started = Date.now();
    const p = worker.call(
      'spin',
      { ms: 20_000 },
      { token: cts.token, onProgress: (f) => (progress = f) },
    );
    setTimeout(() => cts.cancel(), 600);
    await assert.rejects(p, (e: Error & { code?: string }) => e.code === 'cancelled');
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 600 + 500, `stopped ${elapsed - 600} ms after Cancel`);
    assert.ok(progress > 0 && progress < 0.2, `progress was reported (${progress})`);
  });

  it('keeps the extension host responsive while the worker computes', async () => {
    const { worker } = await api();
    const cts = new vscode.CancellationTokenSource();
    const p = worker.call('spin', { ms: 1500 }, { token: cts.token });
    // measure event-loop lag on the host while the worker is busy
    let worst = 0;
    let last = Date.now();
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        const now = Date.now();
        worst = Math.max(worst, now - last - 10);
        last = now;
      }, 10);
      setTimeout(() => {
        clearInterval(t);
        resolve();
      }, 1000);
    });
    cts.cancel();
    await p.catch(() => undefined);
    assert.ok(worst < 500, `host event loop stalled ${worst} ms`);
  });

  it('replaces a crashed worker: the request gets a clear error and the next one works', async () => {
    const { worker } = await api();
    const before = worker.generation;
    await worker.call('spin', { ms: 10 }); // make sure one is running
    await assert.rejects(
      worker.call('crash', {}),
      (e: Error & { code?: string }) =>
        e.code === 'crashed' && /stopped unexpectedly/.test(e.message),
    );
    const r = await worker.call('spin', { ms: 50 });
    assert.ok(r.iterations > 0);
    assert.ok(worker.generation > before, 'a new worker was started');
  });
});
