/**
 * All singular values of a float32 matrix on the GPU by one-sided Jacobi: Hestenes' method
 * (M. R. Hestenes, J. SIAM 6 (1958)) as analysed by Demmel & Veselić (SIAM J. Matrix Anal. Appl.
 * 13 (1992)) and implemented in LAPACK's dgesvj (Drmač & Veselić, 2008). Plane rotations
 * orthogonalize the columns of A pairwise; at convergence the singular values are the column
 * norms. The pairs follow the Brent–Luk round-robin ("chess tournament", circle method) ordering
 * (R. P. Brent & F. T. Luk, SIAM J. Sci. Stat. Comput. 6 (1985)): each of the N−1 steps of a
 * sweep (N = columns rounded up to even, the odd one out paired with a phantom zero column) is one
 * dispatch of N/2 workgroups, one per disjoint column pair; a workgroup computes ‖aₚ‖², ‖a_q‖²,
 * aₚ·a_q with a tree reduction in workgroup memory and applies the rotation, and moves its two
 * column indices to their places for the next step (a fixed permutation of positions, so the
 * shader needs no step number; two index buffers ping-pong). A pair rotates only when
 * |aₚ·a_q| > tol·‖aₚ‖‖a_q‖ (the relative test of de Rijk, SIAM J. Sci. Stat. Comput. 10 (1989),
 * and dgesvj) with tol = max(√m, 8)·2⁻²⁴; a sweep is one command-buffer submission whose
 * rotation counter (and timestamp ticks) are read back once; the iteration stops after a sweep
 * without rotations (or after MAX_SWEEPS).
 *
 * Why the columns of A and not the Gram matrix from gpuGram: in float32, forming AᵀA squares the
 * condition number, so every σᵢ below about √(2⁻²⁴)·σ₁ ≈ 2.4e-4·σ₁ drowns in the Gram's rounding
 * (its eigenvalues are only accurate to ~2⁻²⁴·σ₁²), and columns scaled by 1e±30 overflow or
 * underflow in the products. One-sided Jacobi on A keeps Demmel–Veselić's relative accuracy:
 * σᵢ to about (sweeps·√n·2⁻²⁴)·κ(B) relative, where A = B·D with D the column norms — the same
 * for 1e±30 column scales as for unit ones. Measured on SwiftShader (test/e2e/gpuJacobi), a
 * 60×30 spectrum from σ₁ down to 1e-5·σ₁: Jacobi |Δσ|/σ₁ 4.4e-7, |Δσᵢ|/σᵢ 3.4e-4; the Gram
 * route (gpuGram, then float64 eigenvalues on the CPU) |Δσ|/σ₁ 6.3e-5, |Δσᵢ|/σᵢ 1.0 (the
 * smallest σ are lost). The price: 6·m·n² flops per sweep instead of the Gram's 2·m·n² once.
 *
 * No float64 in WGSL, so each column is kept as 2^eⱼ·uⱼ with an integer exponent eⱼ (a second
 * buffer) and uⱼ renormalized to ‖uⱼ‖² ∈ [1, 4) at every step; the rotation is computed in the
 * frame of the column with the smaller exponent (ζ̂ = ζ·2^−d, τ = t·2^d, d the exponent gap),
 * so that graded columns 1e±30 apart neither overflow nor lose the rotation to underflow. The
 * columns come back and their norms are finished in float64 on the CPU.
 * Accuracy (measured in test/e2e/gpuJacobi.test.ts against the CPU engine's float64 values,
 * SwiftShader, up to 90×41): |Δσ| ≤ 1.1e-6·σ₁ for every σ, |Δσᵢ|/σᵢ ≤ 1.1e-6 on well-
 * conditioned and clustered/repeated spectra, 8.8e-8 on columns graded 1e-30…1e30; the stated
 * bound the panels show is 1e-5·σ₁ (the error grows like sweeps·√n·2⁻²⁴).
 *
 * m < n is handled by transposing (Jacobi on the rows, the smaller side). NaN/±Inf are refused
 * with an Error (the caller's CPU path then runs); zero columns stay zero (σ = 0).
 */
import { GpuContext, Timed } from './device';
import { GpuJobShape, GpuUnavailable, GpuTooLarge } from './limits';
import { BufferUsage, GpuBuffer, GpuQuerySet, MapMode } from './webgpu';

/** Sweeps before giving up (5–17 measured in the tests, 300×200 with a slow tail included). */
export const MAX_SWEEPS = 30;

export interface JacobiResult {
  /** all min(m, n) singular values, descending, float64 (the float32 iteration's result) */
  values: Float64Array;
  sweeps: number;
  converged: boolean;
  /** the de Rijk threshold used, relative */
  tol: number;
}

/**
 * The round-robin schedule for N (even) players on positions 0..N−1, pairs (2k, 2k+1): the
 * start layout (identity) and `dest`, where the column at position p moves for the next step.
 * Circle method: c-index 0 is fixed, the others rotate by one; c-index j sits at position 2j
 * (j < N/2) or 2(N−1−j)+1. After N−1 steps every pair has met exactly once and the layout is
 * back to the start.
 */
export function roundRobin(N: number): { start: Uint32Array; dest: Uint32Array } {
  if (N < 2 || N % 2) throw new Error('roundRobin: N must be even and at least 2');
  const pos = (j: number) => (j < N / 2 ? 2 * j : 2 * (N - 1 - j) + 1);
  const dest = new Uint32Array(N);
  for (let j = 0; j < N; j++) {
    const next = j === 0 ? 0 : j === N - 1 ? 1 : j + 1;
    dest[pos(j)] = pos(next);
  }
  const start = new Uint32Array(N);
  for (let j = 0; j < N; j++) start[pos(j)] = j;
  return { start, dest };
}

/** The device resources of the job for A (m×n), for {@link fitsLimits}. */
export function jacobiJob(m: number, n: number): GpuJobShape {
  const rows = Math.max(m, n);
  const cols = Math.min(m, n);
  const N = cols + (cols % 2);
  const wg = workgroupSize(rows);
  return {
    what: `singular values of ${m}×${n} (one-sided Jacobi)`,
    buffers: [rows * cols * 4, cols * 4, N * 4, N * 4, N * 4, 4],
    grid: [Math.max(1, N / 2), 1, 1],
    sharedBytes: 3 * wg * 4,
    invocations: wg,
  };
}

function workgroupSize(rows: number): number {
  return rows >= 2048 ? 256 : rows >= 512 ? 128 : 64;
}

export function jacobiWgsl(wg: number): string {
  return /* wgsl */ `
struct Params { m: u32, n: u32, pad: u32, tol: f32 }
@group(0) @binding(0) var<storage, read_write> A: array<f32>;
@group(0) @binding(1) var<storage, read_write> E: array<i32>;
@group(0) @binding(2) var<storage, read> pin: array<u32>;
@group(0) @binding(3) var<storage, read_write> pout: array<u32>;
@group(0) @binding(4) var<storage, read> dest: array<u32>;
@group(0) @binding(5) var<storage, read_write> rotations: atomic<u32>;
@group(0) @binding(6) var<uniform> P: Params;
const WG = ${wg}u;
var<workgroup> sa: array<f32, ${wg}>;
var<workgroup> sb: array<f32, ${wg}>;
var<workgroup> sc: array<f32, ${wg}>;

// the exponent k with x·2^(−2k) in [1, 4) for x > 0 (x = a squared norm)
fn halfExp(x: f32) -> i32 {
  if (x <= 0.0) { return 0; }
  return i32(floor(0.5 * log2(x)));
}

@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let k = wid.x;
  let c0 = pin[2u * k];
  let c1 = pin[2u * k + 1u];
  if (li == 0u) {
    pout[dest[2u * k]] = c0;
    pout[dest[2u * k + 1u]] = c1;
  }
  let live = c0 < P.n && c1 < P.n;
  let m = P.m;
  let o0 = select(0u, c0 * m, live);
  let o1 = select(0u, c1 * m, live);
  let e0 = E[select(0u, c0, live)];
  let e1 = E[select(0u, c1, live)];
  var a = 0.0;
  var b = 0.0;
  var g = 0.0;
  if (live) {
    for (var i = li; i < m; i += WG) {
      let x = A[o0 + i];
      let y = A[o1 + i];
      a = fma(x, x, a);
      b = fma(y, y, b);
      g = fma(x, y, g);
    }
  }
  sa[li] = a;
  sb[li] = b;
  sc[li] = g;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (li < s) {
      sa[li] += sa[li + s];
      sb[li] += sb[li + s];
      sc[li] += sc[li + s];
    }
    workgroupBarrier();
  }
  // normalize both columns (exactly, by powers of two): ‖u‖², ‖v‖² in [1, 4)
  let k0 = halfExp(sa[0]);
  let k1 = halfExp(sb[0]);
  let aa = ldexp(sa[0], -2 * k0);
  let bb = ldexp(sb[0], -2 * k1);
  let gg = ldexp(ldexp(sc[0], -k0), -k1);
  if (!live || !(abs(gg) > P.tol * sqrt(aa * bb))) { return; }
  let f0 = e0 + k0;
  let f1 = e1 + k1;
  // x: the column with the smaller exponent, y the other, d = gap ≥ 0
  let sw = f0 > f1;
  let xa = select(aa, bb, sw);
  let ya = select(bb, aa, sw);
  let d = abs(f0 - f1);
  let w = ldexp(1.0, -2 * min(d, 100));
  let zh = (ya - w * xa) / (2.0 * gg);
  let tau = select(1.0, -1.0, zh < 0.0) / (abs(zh) + sqrt(w + zh * zh));
  let t = ldexp(tau, -min(d, 200));
  // c = 1/√(1 + t²), one Newton step on top of inverseSqrt (whose few-ulp bias would otherwise
  // inflate every norm a little with each rotation: 4e-6 after 16 sweeps, measured)
  let q = fma(t, t, 1.0);
  let c0r = inverseSqrt(q);
  let c = fma(0.5 * c0r, fma(-q * c0r, c0r, 1.0), c0r);
  let ct = c * tau;
  // x' = c·ux − cτ·vy, y' = c·vy + cτw·ux, with ux, vy the normalized columns
  let kx = select(k0, k1, sw);
  let ky = select(k1, k0, sw);
  let ox = select(o0, o1, sw);
  let oy = select(o1, o0, sw);
  let xx = ldexp(c, -kx);
  let xy = -ldexp(ct, -ky);
  let yy = ldexp(c, -ky);
  let yx = ldexp(ct * w, -kx);
  for (var i = li; i < m; i += WG) {
    let x = A[ox + i];
    let y = A[oy + i];
    A[ox + i] = fma(xx, x, xy * y);
    A[oy + i] = fma(yy, y, yx * x);
  }
  if (li == 0u) {
    E[c0] = f0;
    E[c1] = f1;
    atomicAdd(&rotations, 1u);
  }
}`;
}

/**
 * The singular values of A (m×n, float32 row-major). Throws GpuTooLarge when the job does not fit
 * the device, GpuUnavailable when the device is lost or rejects it, and an Error for NaN/±Inf.
 */
export async function gpuJacobiSingularValues(
  ctx: GpuContext,
  a: Float32Array,
  m: number,
  n: number,
  opts: { maxSweeps?: number } = {},
): Promise<Timed<JacobiResult>> {
  if (a.length !== m * n) throw new Error('gpuJacobiSingularValues: size does not match shape');
  // Jacobi on the columns of the taller side: rows (length) × cols (count), cols ≤ rows
  const rows = Math.max(m, n);
  const cols = Math.min(m, n);
  const N = cols + (cols % 2);
  const wg = workgroupSize(rows);
  const tol = Math.max(Math.sqrt(rows), 8) * 2 ** -24;
  ctx.check(jacobiJob(m, n));
  for (let i = 0; i < a.length; i++)
    if (!Number.isFinite(a[i]))
      throw new Error('gpuJacobiSingularValues: the matrix has NaN or Inf values');
  const t0 = performance.now();
  if (cols === 0)
    return { value: { values: new Float64Array(0), sweeps: 0, converged: true, tol }, wallMs: 0 };
  // column j (length rows) contiguous; each scaled by 2^−eⱼ to a largest entry in [½, 1)
  const u = new Float32Array(rows * cols);
  const ex = new Int32Array(cols);
  const at = (i: number, j: number) => (m >= n ? a[i * n + j] : a[j * n + i]);
  for (let j = 0; j < cols; j++) {
    let mx = 0;
    for (let i = 0; i < rows; i++) mx = Math.max(mx, Math.abs(at(i, j)));
    const e = mx > 0 ? Math.floor(Math.log2(mx)) + 1 : 0;
    ex[j] = e;
    const s = 2 ** -e;
    for (let i = 0; i < rows; i++) u[j * rows + i] = at(i, j) * s;
  }
  const { start, dest } = roundRobin(N);
  const d = ctx.device;
  const pipeline = await ctx.pipeline(`jacobi${wg}`, jacobiWgsl(wg));
  const live: GpuBuffer[] = [];
  const own = (b: GpuBuffer) => (live.push(b), b);
  let qs: GpuQuerySet | undefined;
  try {
    const gA = own(ctx.upload(u));
    const gE = own(ctx.upload(ex));
    const gP0 = own(ctx.upload(start));
    const gP1 = own(ctx.storage(N * 4));
    const gDest = own(ctx.upload(dest));
    const gRot = own(ctx.storage(4));
    const params = new ArrayBuffer(16);
    new Uint32Array(params, 0, 3).set([rows, cols, 0]);
    new Float32Array(params, 12, 1)[0] = tol;
    const gParams = own(ctx.uniform(new Uint8Array(params)));
    // per sweep: the rotation count (bytes 0–3) and, where the adapter has timestamp queries,
    // the sweep's begin/end ticks (bytes 16–31), read back with one map
    const staging = own(
      d.createBuffer({ size: 32, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST }),
    );
    qs = ctx.timestamps ? d.createQuerySet({ type: 'timestamp', count: 2 }) : undefined;
    const tsBuf = qs
      ? own(d.createBuffer({ size: 16, usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC }))
      : undefined;
    let gpuNs = 0;
    const group = (pin: GpuBuffer, pout: GpuBuffer) =>
      d.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [gA, gE, pin, pout, gDest, gRot, gParams].map((buffer, binding) => ({
          binding,
          resource: { buffer },
        })),
      });
    const groups = [group(gP0, gP1), group(gP1, gP0)];
    const zero = new Uint32Array(4);
    const maxSweeps = opts.maxSweeps ?? MAX_SWEEPS;
    let sweeps = 0;
    let converged = false;
    let step = 0;
    while (sweeps < maxSweeps) {
      if (ctx.lost) throw new GpuUnavailable(ctx.lost);
      d.pushErrorScope('out-of-memory');
      d.pushErrorScope('validation');
      d.queue.writeBuffer(gRot, 0, zero);
      const enc = d.createCommandEncoder();
      const pass = enc.beginComputePass(
        qs
          ? {
              timestampWrites: {
                querySet: qs,
                beginningOfPassWriteIndex: 0,
                endOfPassWriteIndex: 1,
              },
            }
          : undefined,
      );
      pass.setPipeline(pipeline);
      for (let s = 0; s < N - 1; s++, step++) {
        pass.setBindGroup(0, groups[step % 2]);
        pass.dispatchWorkgroups(N / 2);
      }
      pass.end();
      enc.copyBufferToBuffer(gRot, 0, staging, 0, 16);
      if (qs && tsBuf) {
        enc.resolveQuerySet(qs, 0, 2, tsBuf, 0);
        enc.copyBufferToBuffer(tsBuf, 0, staging, 16, 16);
      }
      d.queue.submit([enc.finish()]);
      const validation = await d.popErrorScope();
      const oom = await d.popErrorScope();
      if (oom) throw new GpuTooLarge(`the GPU ran out of memory (${oom.message}), using CPU`);
      if (validation) throw new GpuUnavailable(`WebGPU rejected the job: ${validation.message}`);
      let rotated: number;
      try {
        await staging.mapAsync(MapMode.READ);
        const got = staging.getMappedRange();
        rotated = new Uint32Array(got, 0, 1)[0];
        if (qs) {
          const t = new BigUint64Array(got, 16, 2);
          if (t[1] > t[0]) gpuNs += Number(t[1] - t[0]);
        }
        staging.unmap();
      } catch (e) {
        if (ctx.lost) throw new GpuUnavailable(ctx.lost);
        throw e;
      }
      sweeps++;
      if (rotated === 0) {
        converged = true;
        break;
      }
    }
    const r = await ctx.run(
      [],
      [
        { buffer: gA, bytes: rows * cols * 4 },
        { buffer: gE, bytes: cols * 4 },
      ],
    );
    const cf = new Float32Array(r.value[0]);
    const ce = new Int32Array(r.value[1]);
    const values = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) {
        const v = cf[j * rows + i];
        s += v * v;
      }
      values[j] = Math.sqrt(s) * 2 ** ce[j];
    }
    values.sort((x, y) => y - x);
    return {
      value: { values, sweeps, converged, tol },
      wallMs: performance.now() - t0,
      // the sweeps' compute passes only (not the upload, the per-sweep readbacks, the norms)
      gpuMs: gpuNs > 0 ? gpuNs / 1e6 : undefined,
    };
  } finally {
    for (const b of live) b.destroy();
    qs?.destroy();
  }
}
