/**
 * Top-k singular values of a large float32 matrix with the GEMM on the GPU: randomized subspace
 * iteration (Halko, Martinsson & Tropp, SIAM Review 53 (2011), Algorithm 4.4) with q power
 * iterations, each basis re-orthonormalized by SVQB (Stathopoulos & Wu, SIAM J. Sci. Comput. 23
 * (2002)): the small Gram matrix YᵀY comes back to the CPU, its eigen-decomposition V Λ Vᵀ is
 * taken in float64 by the CPU engine, and Y·V·Λ^(−1/2) (dropping directions with λ below
 * (l·2⁻²⁴)²·λ_max, so rank-deficient matrices are fine) goes back to the GPU; applied twice,
 * as float32 loses orthogonality in one pass. The projected l×n matrix B = QᵀA is read back and
 * its singular values computed in float64 by the CPU engine — the part that decides precision.
 * A is scaled by a power of two so that its largest entry is near 1 (float32 Gram products of
 * 1e±30 entries would overflow or underflow) and σ scaled back.
 * Accuracy: about 1e-6·σ₁ absolute from float32 products, plus the randomized method's error,
 * which shrinks with the gap σ_k/σ_(l+1) raised to 2q+1 (exact for a matrix of rank ≤ l).
 */
import { matrix, singularValues, symmetricEigen } from '../../src/core/linalg';
import { gaussianSource } from '../../src/core/linalg/randomizedSvd';
import { GpuContext, Timed } from './device';
import { matmulPass } from './matmul';
import { GpuBuffer } from './webgpu';

export interface GpuSvdOptions {
  /** extra sample columns (default 10) */
  oversample?: number;
  /** power iterations q (default 2) */
  powerIterations?: number;
  seed?: number;
}

export async function gpuTopSingularValues(
  ctx: GpuContext,
  a: Float32Array,
  m: number,
  n: number,
  k: number,
  opts: GpuSvdOptions = {},
): Promise<Timed<Float64Array>> {
  if (a.length !== m * n) throw new Error('gpuTopSingularValues: size does not match shape');
  const l = Math.min(k + (opts.oversample ?? 10), m, n);
  const kk = Math.max(0, Math.min(k, l));
  const q = opts.powerIterations ?? 2;
  ctx.check({
    what: `top-${k} singular values of ${m}×${n}`,
    buffers: [m * n * 4, Math.max(m, n) * l * 4, l * n * 4],
    grid: [Math.ceil(Math.max(n, l) / 64), Math.ceil(Math.max(m, n) / 64), 1],
    sharedBytes: 8192,
    invocations: 256,
  });
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (!(v <= 3.5e38)) throw new Error('gpuTopSingularValues: the matrix has NaN or Inf values');
    if (v > maxAbs) maxAbs = v;
  }
  const t0 = performance.now();
  if (kk === 0 || maxAbs === 0) return { value: new Float64Array(kk), wallMs: 0 };
  const e = -Math.ceil(Math.log2(maxAbs));
  const s = 2 ** e;
  const scaled = e === 0 ? a : a.map((v) => v * s);
  let gpuMs = 0;
  const live = new Set<GpuBuffer>();
  const own = (b: GpuBuffer) => (live.add(b), b);
  const drop = (b: GpuBuffer) => (live.delete(b), b.destroy());

  /** C = op(X)·Y (M×N), left on the device, or read back */
  async function mm(x: GpuBuffer, y: GpuBuffer, M: number, K: number, N: number, tA: boolean) {
    const c = own(ctx.storage(M * N * 4));
    const pass = await matmulPass(ctx, x, y, c, M, K, N, tA);
    const r = await ctx.run([pass], []);
    pass.buffers[3]?.destroy();
    gpuMs += r.gpuMs ?? 0;
    return c;
  }
  async function read(b: GpuBuffer, len: number): Promise<Float32Array> {
    const r = await ctx.run([], [{ buffer: b, bytes: len * 4 }]);
    return new Float32Array(r.value[0]);
  }
  /** Y (rows×l) → orthonormal columns spanning it (SVQB, twice); Y is consumed. */
  async function orth(y: GpuBuffer, rows: number): Promise<GpuBuffer> {
    for (let pass = 0; pass < 2; pass++) {
      const g32 = await read(await mm(y, y, l, rows, l, true), l * l);
      const g = matrix(l, l, g32);
      for (let i = 0; i < l; i++)
        for (let j = 0; j < i; j++)
          g.data[i * l + j] = g.data[j * l + i] = 0.5 * (g32[i * l + j] + g32[j * l + i]);
      const { values, vectors } = symmetricEigen(g, { vectors: true });
      const lmax = Math.max(0, values[l - 1]);
      const w = new Float32Array(l * l);
      for (let j = 0; j < l; j++)
        if (values[j] > lmax * (l * 2 ** -24) ** 2) {
          const f = 1 / Math.sqrt(values[j]);
          for (let i = 0; i < l; i++) w[i * l + j] = vectors!.data[i * l + j] * f;
        }
      const gw = own(ctx.upload(w));
      const next = await mm(y, gw, rows, l, l, false);
      drop(gw);
      drop(y);
      y = next;
    }
    return y;
  }

  try {
    const ga = own(ctx.upload(scaled));
    const rnd = gaussianSource(opts.seed ?? 1);
    const omega = own(ctx.upload(Float32Array.from({ length: n * l }, rnd)));
    let qm = await orth(await mm(ga, omega, m, n, l, false), m);
    drop(omega);
    for (let it = 0; it < q; it++) {
      const z = await orth(await mm(ga, qm, n, m, l, true), n);
      drop(qm);
      qm = await orth(await mm(ga, z, m, n, l, false), m);
      drop(z);
    }
    const b = await read(await mm(qm, ga, l, m, n, true), l * n);
    const sv = singularValues(matrix(l, n, b));
    const out = new Float64Array(kk);
    for (let i = 0; i < kk; i++) out[i] = sv[i] / s;
    return { value: out, wallMs: performance.now() - t0, gpuMs: gpuMs || undefined };
  } finally {
    for (const b of live) b.destroy();
  }
}
