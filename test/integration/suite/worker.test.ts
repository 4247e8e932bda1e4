import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, python, workspaceDir } from './helpers';

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

  it('keeps the extension host responsive while our worker runs a long analysis', async function () {
    this.timeout(120_000);
    // a real request through our client and worker: the full analysis (SVD, eigenvalues of a
    // non-symmetric matrix) of a 1000² float64 file, with its progress messages
    const { worker } = await api();
    const file = vscode.Uri.joinPath(workspaceDir(), 'responsive-1000.npy');
    python(
      'import numpy as np, sys; np.save(sys.argv[1], np.random.default_rng(3).standard_normal((1000, 1000)))',
      file.fsPath,
    );
    let progress = 0;
    let done = false;
    const started = Date.now();
    const run = worker
      .call(
        'analyze',
        { input: { source: { path: file.fsPath } }, maxBytes: 1 << 30 },
        { onProgress: () => progress++ },
      )
      .finally(() => (done = true));
    // event-loop lag on the host, sampled every 10 ms for as long as the analysis runs
    let worst = 0;
    let samples = 0;
    let last = Date.now();
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        const now = Date.now();
        worst = Math.max(worst, now - last - 10);
        last = now;
        samples++;
        if (done) {
          clearInterval(t);
          resolve();
        }
      }, 10);
    });
    const result = await run;
    const ms = Date.now() - started;
    assert.equal(result.shape.join('×'), '1000×1000');
    assert.ok(result.analysis.eigenvalues?.length === 1000, 'eigenvalues computed');
    // the measurement means something only if it overlapped the computation
    assert.ok(
      samples >= 20 && progress >= 2,
      `${samples} samples, ${progress} progress messages over ${ms} ms`,
    );
    assert.ok(worst < 500, `host event loop stalled ${worst} ms during a ${ms} ms analysis`);
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
