import assert from 'node:assert/strict';
import type { GpuContext } from '../../../webview/gpu/device';
import { adapterName } from '../../../webview/gpu/device';
import { GpuTooLarge, GpuUnavailable, fitsLimits } from '../../../webview/gpu/limits';
import { ComputeRouter, RouterOptions } from '../../../webview/gpu/route';
import { histogramRange, sumScale, summaryWorkgroups } from '../../../webview/gpu/summary';
import type { GpuLimits } from '../../../webview/gpu/webgpu';

/** The WebGPU path's decisions that need no GPU (the kernels: test/e2e/gpuKernels.test.ts). */
const LIMITS: GpuLimits = {
  maxStorageBufferBindingSize: 128 * 2 ** 20,
  maxBufferSize: 256 * 2 ** 20,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBuffersPerShaderStage: 8,
};
const JOB = {
  what: 'matmul 4×4·4×4',
  buffers: [64, 64, 64],
  grid: [1, 1, 1] as [number, number, number],
  sharedBytes: 8192,
  invocations: 256,
};

describe('webview/gpu limits', () => {
  it('accepts a job within every limit', () => {
    assert.deepEqual(fitsLimits(LIMITS, JOB), { ok: true });
  });
  it('names the limit a job exceeds and says the CPU is used', () => {
    const cases: [Partial<typeof JOB>, RegExp][] = [
      [{ buffers: [300 * 2 ** 20] }, /300 MiB buffer exceeds maxBufferSize 256 MiB/],
      [{ buffers: [200 * 2 ** 20] }, /200 MiB binding exceeds maxStorageBufferBindingSize 128 MiB/],
      [{ buffers: new Array(9).fill(16) }, /9 storage buffers exceed 8/],
      [{ grid: [70000, 1, 1] }, /70000 workgroups exceed maxComputeWorkgroupsPerDimension 65535/],
      [{ sharedBytes: 32768 }, /32768 B of workgroup memory exceed 16384 B/],
      [{ invocations: 512 }, /512 invocations per workgroup exceed 256/],
    ];
    for (const [over, re] of cases) {
      const r = fitsLimits(LIMITS, { ...JOB, ...over });
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.match(r.reason, re);
        assert.match(r.reason, /^matmul 4×4·4×4 is too large for this GPU \(.*\), using CPU$/);
      }
    }
  });
  it('names the adapter by description, else vendor and architecture, marking software fallbacks', () => {
    assert.equal(
      adapterName({
        vendor: 'nvidia',
        architecture: 'hopper',
        device: '',
        description: 'NVIDIA H200',
      }),
      'NVIDIA H200',
    );
    assert.equal(
      adapterName({
        vendor: 'google',
        architecture: 'swiftshader',
        device: '',
        description: '',
        isFallbackAdapter: true,
      }),
      'google swiftshader, software fallback',
    );
  });
});

describe('webview/gpu summary arithmetic', () => {
  it('scales sums by a power of two that keeps every float32 partial sum finite', () => {
    for (const maxAbs of [3.4e38, 1e30, 1, 1e-30, 1.4e-45]) {
      const s = sumScale(maxAbs, 512);
      assert.equal(Math.log2(s), Math.round(Math.log2(s)), 'a power of two (exact scaling)');
      assert.ok(maxAbs * s * 512 < 3.4e38, `no overflow for ${maxAbs}`);
      // as large as float32 allows: near its top, or the largest float32 power of two
      assert.ok(maxAbs * s * 512 > 2 ** 100 || s === 2 ** 127, `no needless shrinking: ${maxAbs}`);
    }
    assert.equal(sumScale(0, 512), 1);
  });
  it('uses numpy.histogram’s default range rules', () => {
    assert.deepEqual(histogramRange(-1, 3), [-1, 3]);
    assert.deepEqual(histogramRange(2, 2), [1.5, 2.5]);
    assert.deepEqual(histogramRange(undefined, undefined), [0, 1]);
  });
  it('keeps the grid within 4096 workgroups and at least one', () => {
    assert.equal(summaryWorkgroups(0), 1);
    assert.equal(summaryWorkgroups(4096), 1);
    assert.equal(summaryWorkgroups(4097), 2);
    assert.equal(summaryWorkgroups(2 ** 28), 4096);
  });
});

/** A stand-in device: only the router's view of it (name, lost). */
function fakeCtx(
  name = 'Test GPU',
  fallbackAdapter = false,
): GpuContext & { lose(m: string): void } {
  const c = {
    name,
    fallbackAdapter,
    lost: undefined as string | undefined,
    lose: (m: string) => (c.lost = m),
  };
  return c as unknown as GpuContext & { lose(m: string): void };
}

function router(over: Partial<RouterOptions>, notes: string[] = []) {
  let t = 0;
  return new ComputeRouter({
    mode: 'auto',
    autoMinElements: 1000,
    acquire: async () => fakeCtx(),
    cpuDescription: '2 threads',
    onNote: (n) => notes.push(n),
    now: () => (t += 5),
    ...over,
  });
}
const gpuOk = async () => ({ value: 'gpu', wallMs: 12.3, gpuMs: 4.56 });
const cpu = async () => 'cpu';

describe('webview/gpu ComputeRouter (matrixLens.compute)', () => {
  it('auto: GPU at or above the threshold, CPU below; the label says where and how long', async () => {
    const r = router({});
    const big = await r.run(1000, gpuOk, cpu);
    assert.deepEqual(big, {
      value: 'gpu',
      where: 'gpu',
      label: 'computed on GPU (Test GPU) in 4.6 ms',
    });
    const small = await r.run(999, gpuOk, cpu);
    assert.deepEqual(small, {
      value: 'cpu',
      where: 'cpu',
      label: 'computed on CPU (2 threads) in 5.0 ms',
    });
  });
  it('cpu forces the CPU; gpu uses the GPU at any size', async () => {
    assert.equal((await router({ mode: 'cpu' }).run(1e9, gpuOk, cpu)).where, 'cpu');
    assert.equal((await router({ mode: 'gpu' }).run(1, gpuOk, cpu)).where, 'gpu');
  });
  it('auto never picks a software fallback adapter (it is slower than the CPU engine); gpu may', async () => {
    const notes: string[] = [];
    const soft = async () => fakeCtx('google swiftshader, software fallback', true);
    const auto = router({ acquire: soft }, notes);
    const p = await auto.run(1e6, gpuOk, cpu);
    assert.equal(p.where, 'cpu');
    assert.deepEqual(notes, [
      "the WebGPU adapter (google swiftshader, software fallback) is not a hardware GPU ('auto' skips it); computing on CPU from now on",
    ]);
    assert.equal((await router({ mode: 'gpu', acquire: soft }).run(1, gpuOk, cpu)).where, 'gpu');
  });
  it('a job too large for the device runs on the CPU with the reason, and the GPU stays on', async () => {
    const r = router({ mode: 'gpu' });
    const p = await r.run(
      1,
      async () => {
        throw new GpuTooLarge('x is too large for this GPU (…), using CPU');
      },
      cpu,
    );
    assert.equal(p.where, 'cpu');
    assert.equal(p.note, 'x is too large for this GPU (…), using CPU');
    assert.equal((await r.run(1, gpuOk, cpu)).where, 'gpu');
  });
  it('no adapter: CPU, said once', async () => {
    const notes: string[] = [];
    const r = router(
      {
        mode: 'gpu',
        acquire: async () => {
          throw new GpuUnavailable('no WebGPU adapter');
        },
      },
      notes,
    );
    for (let i = 0; i < 3; i++) assert.equal((await r.run(1, gpuOk, cpu)).where, 'cpu');
    assert.deepEqual(notes, ['no WebGPU adapter; computing on CPU from now on']);
  });
  it('a lost device: CPU from then on, said once, the GPU not called again', async () => {
    const notes: string[] = [];
    const ctx = fakeCtx();
    let gpuCalls = 0;
    const r = router({ mode: 'gpu', acquire: async () => ctx }, notes);
    const g = async () => (gpuCalls++, gpuOk());
    assert.equal((await r.run(1, g, cpu)).where, 'gpu');
    ctx.lose('GPU device lost (unknown: reset)');
    const after = [await r.run(1, g, cpu), await r.run(1, g, cpu)];
    assert.deepEqual(
      after.map((p) => p.where),
      ['cpu', 'cpu'],
    );
    assert.equal(gpuCalls, 1);
    assert.deepEqual(notes, ['GPU device lost (unknown: reset); computing on CPU from now on']);
  });
});
