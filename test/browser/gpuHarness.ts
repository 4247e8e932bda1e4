/**
 * Test page for the WebGPU kernels (bundled to out/test/browser/gpuHarness.js, loaded by
 * test/e2e/gpuKernels.test.ts and scripts/bench-gpu.mjs in headless Chromium). Arrays cross the
 * page boundary as base64 of their float32 bytes; the CPU references are computed in Node.
 */
import {
  ComputeRouter,
  GpuContext,
  gpuAttention,
  gpuGram,
  gpuMatmul,
  gpuSummary,
  gpuJacobiSingularValues,
  gpuTopSingularValues,
} from '../../webview/gpu';
import { fitsLimits } from '../../webview/gpu/limits';
import { matmulF32 } from '../../src/core/linalg';

function f32(b64: string): Float32Array {
  const s = atob(b64);
  const u = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return new Float32Array(u.buffer);
}

function b64(a: Float32Array): string {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < u.length; i += 0x8000)
    s += String.fromCharCode(...u.subarray(i, Math.min(u.length, i + 0x8000)));
  return btoa(s);
}

let ctx: GpuContext | undefined;
const notes: string[] = [];

const harness = {
  async init() {
    ctx = await GpuContext.acquire({ onLost: (m) => notes.push(`lost: ${m}`) });
    const l = ctx.limits;
    return {
      name: ctx.name,
      fallback: ctx.fallbackAdapter,
      timestamps: ctx.timestamps,
      limits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      },
    };
  },
  async matmul(a: string, b: string, m: number, k: number, n: number, transA: boolean) {
    const r = await gpuMatmul(ctx!, f32(a), f32(b), m, k, n, transA);
    return { c: b64(r.value), wallMs: r.wallMs, gpuMs: r.gpuMs };
  },
  async gram(a: string, m: number, n: number) {
    const r = await gpuGram(ctx!, f32(a), m, n);
    return { c: b64(r.value), wallMs: r.wallMs, gpuMs: r.gpuMs };
  },
  /** values generated in the page (for sizes too big to ship as base64) */
  async matmulRandom(m: number, k: number, n: number) {
    const a = new Float32Array(m * k).map((_, i) => Math.sin(i));
    const b = new Float32Array(k * n).map((_, i) => Math.cos(i));
    const r = await gpuMatmul(ctx!, a, b, m, k, n);
    return { wallMs: r.wallMs, gpuMs: r.gpuMs };
  },
  async summary(data: string, bins: number) {
    const r = await gpuSummary(ctx!, f32(data), bins);
    const s = r.value;
    return {
      ...s,
      edges: Array.from(s.edges),
      counts: Array.from(s.counts),
      wallMs: r.wallMs,
      gpuMs: r.gpuMs,
    };
  },
  async summaryRandom(n: number) {
    const a = new Float32Array(n).map((_, i) => Math.sin(i) * 1e3);
    const r = await gpuSummary(ctx!, a, 50);
    return { wallMs: r.wallMs, gpuMs: r.gpuMs, mean: r.value.mean };
  },
  async attention(
    q: string,
    k: string,
    v: string,
    H: number,
    T: number,
    S: number,
    d: number,
    dv: number,
    causal: boolean,
    weights: boolean,
  ) {
    const r = await gpuAttention(ctx!, f32(q), f32(k), f32(v), H, T, S, d, dv, {
      causal,
      weights,
    });
    return {
      output: b64(r.value.output),
      entropy: b64(r.value.entropy),
      weights: r.value.weights ? b64(r.value.weights) : undefined,
      wallMs: r.wallMs,
      gpuMs: r.gpuMs,
    };
  },
  async attentionRandom(H: number, T: number, d: number, weights: boolean) {
    const q = new Float32Array(H * T * d).map((_, i) => Math.sin(i));
    const k = new Float32Array(H * T * d).map((_, i) => Math.cos(i * 0.7));
    const v = new Float32Array(H * T * d).map((_, i) => Math.sin(i * 1.3));
    const r = await gpuAttention(ctx!, q, k, v, H, T, T, d, d, { causal: true, weights });
    return { wallMs: r.wallMs, gpuMs: r.gpuMs };
  },
  /** The "too large" outcome on this device's real limits, without allocating anything. */
  tooLarge(elements: number) {
    return fitsLimits(ctx!.limits, {
      what: `matmul of ${elements} values`,
      buffers: [elements * 4],
      grid: [1, 1, 1],
      sharedBytes: 0,
      invocations: 1,
    });
  },
  /**
   * Routes a matmul through ComputeRouter in `mode`; `lose` destroys the device first (what a
   * driver reset looks like to the page). Returns where each of two calls ran and the notes.
   */
  async routed(mode: 'auto' | 'gpu' | 'cpu', lose: boolean) {
    const local = await GpuContext.acquire({ onLost: (m) => notes.push(`lost: ${m}`) });
    const said: string[] = [];
    const router = new ComputeRouter({
      mode,
      autoMinElements: 1,
      acquire: async () => local,
      cpuDescription: 'test CPU',
      onNote: (n) => said.push(n),
    });
    const a = new Float32Array(12).map((_, i) => i - 5);
    const b = new Float32Array(12).map((_, i) => 2 * i + 1);
    const runs = [];
    if (lose) {
      local.device.destroy();
      await local.device.lost;
    }
    for (let i = 0; i < 2; i++) {
      const r = await router.run(
        24,
        (c) => gpuMatmul(c, a, b, 3, 4, 3),
        async () => matmulF32(a, b, 3, 4, 3),
      );
      runs.push({ where: r.where, label: r.label, note: r.note, value: Array.from(r.value) });
    }
    if (!lose) local.close();
    return { runs, said, cpu: Array.from(matmulF32(a, b, 3, 4, 3)) };
  },
  async topSingularValues(a: string, m: number, n: number, k: number) {
    const r = await gpuTopSingularValues(ctx!, f32(a), m, n, k);
    return { s: Array.from(r.value), wallMs: r.wallMs, gpuMs: r.gpuMs };
  },
  async topSingularValuesRandom(m: number, n: number, k: number) {
    const a = new Float32Array(m * n).map((_, i) => Math.sin(i * 0.37) + Math.cos(i * 0.011));
    const r = await gpuTopSingularValues(ctx!, a, m, n, k);
    return { wallMs: r.wallMs, gpuMs: r.gpuMs };
  },
  async jacobi(a: string, m: number, n: number) {
    const r = await gpuJacobiSingularValues(ctx!, f32(a), m, n);
    const v = r.value;
    return {
      s: Array.from(v.values),
      sweeps: v.sweeps,
      converged: v.converged,
      wallMs: r.wallMs,
      gpuMs: r.gpuMs,
    };
  },
  async jacobiRandom(m: number, n: number) {
    const a = new Float32Array(m * n).map((_, i) => Math.sin(i * 0.37) + Math.cos(i * 0.011));
    const r = await gpuJacobiSingularValues(ctx!, a, m, n);
    return {
      wallMs: r.wallMs,
      gpuMs: r.gpuMs,
      sweeps: r.value.sweeps,
      converged: r.value.converged,
    };
  },
  notes: () => notes,
};

(globalThis as unknown as { gpuHarness: typeof harness }).gpuHarness = harness;
