/**
 * f32 GEMM on the GPU: C = op(A)·B with op(A) = A (m×k, row-major) or Aᵀ (A stored k×m), so
 * that the Gram matrix AᵀA is the same kernel with B = A. Tiled and register-blocked in the
 * classic shape (Volkov & Demmel 2008; the CUTLASS/"SGEMM tiling" scheme): a 16×16 workgroup
 * computes a 64×64 block of C, each invocation a 4×4 register block on a strided lattice, over
 * k-tiles of 16 staged in workgroup memory. Edges (sizes not multiples of 64/16) are zero-padded
 * on load and masked on store. Accumulation is float32 with fma, in k order.
 */
import { GpuContext, Timed } from './device';
import { GpuBuffer } from './webgpu';

const BM = 64;
const BN = 64;
const BK = 16;

export function matmulWgsl(transA: boolean): string {
  // A-tile load: 1024 values by 256 invocations, 4 each, consecutive invocations on consecutive
  // addresses in A's storage order.
  const loadA = transA
    ? `let kk = idx / BM; let mm = idx % BM; let gm = row0 + mm; let gk = k0 + kk;
       var v = 0.0; if (gm < d.M && gk < d.K) { v = A[gk * d.M + gm]; }`
    : `let mm = idx / BK; let kk = idx % BK; let gm = row0 + mm; let gk = k0 + kk;
       var v = 0.0; if (gm < d.M && gk < d.K) { v = A[gm * d.K + gk]; }`;
  return /* wgsl */ `
struct Dims { M: u32, N: u32, K: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<storage, read> d: Dims;
const BM = ${BM}u;
const BN = ${BN}u;
const BK = ${BK}u;
var<workgroup> As: array<f32, ${BK * BM}>;
var<workgroup> Bs: array<f32, ${BK * BN}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let row0 = wg.y * BM;
  let col0 = wg.x * BN;
  var acc: array<f32, 16>;
  for (var i = 0u; i < 16u; i++) { acc[i] = 0.0; }
  for (var k0 = 0u; k0 < d.K; k0 += BK) {
    for (var t = 0u; t < 4u; t++) {
      let idx = li + t * 256u;
      ${loadA}
      As[kk * BM + mm] = v;
    }
    for (var t = 0u; t < 4u; t++) {
      let idx = li + t * 256u;
      let kk = idx / BN; let nn = idx % BN; let gk = k0 + kk; let gn = col0 + nn;
      var v = 0.0; if (gk < d.K && gn < d.N) { v = B[gk * d.N + gn]; }
      Bs[kk * BN + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        a[i] = As[kk * BM + lid.y + 16u * i];
        b[i] = Bs[kk * BN + lid.x + 16u * i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i * 4u + j] = fma(a[i], b[j], acc[i * 4u + j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid.y + 16u * i;
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid.x + 16u * j;
      if (r < d.M && c < d.N) { C[r * d.N + c] = acc[i * 4u + j]; }
    }
  }
}`;
}

export function matmulGrid(m: number, n: number): [number, number, number] {
  return [Math.max(1, Math.ceil(n / BN)), Math.max(1, Math.ceil(m / BM)), 1];
}

/** The pass for C (m×n) = op(A)·B on buffers already on the device. */
export async function matmulPass(
  ctx: GpuContext,
  a: GpuBuffer,
  b: GpuBuffer,
  c: GpuBuffer,
  m: number,
  k: number,
  n: number,
  transA: boolean,
) {
  const pipeline = await ctx.pipeline(`matmul${transA ? 'T' : 'N'}`, matmulWgsl(transA));
  const dims = ctx.upload(new Uint32Array([m, n, k, 0]));
  return { pipeline, buffers: [a, b, c, dims], grid: matmulGrid(m, n) };
}

function checkShape(
  ctx: GpuContext,
  what: string,
  aLen: number,
  bLen: number,
  m: number,
  n: number,
) {
  ctx.check({
    what,
    buffers: [aLen * 4, bLen * 4, m * n * 4],
    grid: matmulGrid(m, n),
    sharedBytes: BK * (BM + BN) * 4,
    invocations: 256,
  });
}

/** A (m×k) · B (k×n), float32 row-major; with transA, `a` holds Aᵀ stored k×m. */
export async function gpuMatmul(
  ctx: GpuContext,
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transA = false,
): Promise<Timed<Float32Array>> {
  if (a.length !== m * k || b.length !== k * n)
    throw new Error('gpuMatmul: sizes do not match shapes');
  checkShape(ctx, `matmul ${m}×${k}·${k}×${n}`, a.length, b.length, m, n);
  const ga = ctx.upload(a);
  const gb = ctx.upload(b);
  const gc = ctx.storage(m * n * 4);
  try {
    const pass = await matmulPass(ctx, ga, gb, gc, m, k, n, transA);
    const r = await ctx.run([pass], [{ buffer: gc, bytes: m * n * 4 }]);
    pass.buffers[3].destroy();
    return { ...r, value: new Float32Array(r.value[0]) };
  } finally {
    ga.destroy();
    gb.destroy();
    gc.destroy();
  }
}

/** The Gram matrix AᵀA (n×n) of A (m×n, row-major float32). */
export async function gpuGram(
  ctx: GpuContext,
  a: Float32Array,
  m: number,
  n: number,
): Promise<Timed<Float32Array>> {
  if (a.length !== m * n) throw new Error('gpuGram: size does not match shape');
  checkShape(ctx, `Gram AᵀA of ${m}×${n}`, a.length, 0, n, n);
  const ga = ctx.upload(a);
  const gc = ctx.storage(n * n * 4);
  try {
    const pass = await matmulPass(ctx, ga, ga, gc, n, m, n, true);
    const r = await ctx.run([pass], [{ buffer: gc, bytes: n * n * 4 }]);
    pass.buffers[3].destroy();
    return { ...r, value: new Float32Array(r.value[0]) };
  } finally {
    ga.destroy();
    gc.destroy();
  }
}
