import assert from 'node:assert/strict';
import { jacobiJob, roundRobin } from '../../../webview/gpu/jacobi';
import { fitsLimits } from '../../../webview/gpu/limits';
import { jacobiOnGpu } from '../../../src/protocol/compute';
import type { GpuLimits } from '../../../webview/gpu/webgpu';

/** The parts of the GPU one-sided Jacobi that need no GPU (the kernel: test/e2e/gpuJacobi). */
describe('GPU one-sided Jacobi: schedule and limits', () => {
  it('the round-robin schedule meets every pair exactly once per sweep, disjoint pairs per step, and returns to the start', () => {
    for (let N = 2; N <= 64; N += 2) {
      const { start, dest } = roundRobin(N);
      assert.deepEqual(
        Array.from(dest).sort((x, y) => x - y),
        Array.from({ length: N }, (_, i) => i),
        `N=${N}: dest is a permutation`,
      );
      let layout = Array.from(start);
      const met = new Set<string>();
      for (let step = 0; step < N - 1; step++) {
        const seen = new Set(layout);
        assert.equal(seen.size, N, 'each column once per step');
        for (let k = 0; k < N / 2; k++) {
          const [p, q] = [layout[2 * k], layout[2 * k + 1]].sort((x, y) => x - y);
          const key = `${p},${q}`;
          assert.ok(!met.has(key), `N=${N}: pair ${key} twice`);
          met.add(key);
        }
        const next = new Array<number>(N);
        for (let pos = 0; pos < N; pos++) next[dest[pos]] = layout[pos];
        layout = next;
      }
      assert.equal(met.size, (N * (N - 1)) / 2, `N=${N}: all pairs`);
      assert.deepEqual(layout, Array.from(start), `N=${N}: back to the start after N−1 steps`);
    }
    assert.throws(() => roundRobin(5), /even/);
  });

  it('sizes its job for fitsLimits: the matrix is one buffer, one workgroup per pair', () => {
    const limits: GpuLimits = {
      maxStorageBufferBindingSize: 128 * 2 ** 20,
      maxBufferSize: 256 * 2 ** 20,
      maxComputeWorkgroupStorageSize: 16384,
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupSizeX: 256,
      maxComputeWorkgroupSizeY: 256,
      maxComputeWorkgroupsPerDimension: 65535,
      maxStorageBuffersPerShaderStage: 8,
    };
    // m < n works on the rows: 300 columns of 5000
    const wide = jacobiJob(300, 5000);
    assert.equal(wide.buffers[0], 300 * 5000 * 4);
    assert.deepEqual(wide.grid, [150, 1, 1]);
    assert.equal(fitsLimits(limits, wide).ok, true);
    assert.deepEqual(jacobiJob(7, 3).grid, [2, 1, 1]);
    const big = fitsLimits(limits, jacobiJob(8192, 8192));
    assert.equal(big.ok, false);
    assert.match(
      (big as { reason: string }).reason,
      /^singular values of 8192×8192 \(one-sided Jacobi\) is too large for this GPU .*maxStorageBufferBindingSize.*using CPU$/,
    );
  });

  it('Analyze runs it up to 1024 columns on the smaller side and 4 Mi elements', () => {
    assert.equal(jacobiOnGpu(300, 200), true);
    assert.equal(jacobiOnGpu(1024, 1024), true);
    assert.equal(jacobiOnGpu(4096, 1024), true);
    assert.equal(jacobiOnGpu(1024, 4096), true);
    assert.equal(jacobiOnGpu(1025, 1025), false);
    assert.equal(jacobiOnGpu(8192, 1024), false);
    assert.equal(jacobiOnGpu(1, 100_000), true);
  });
});
