/**
 * Scaled dot-product attention on the GPU for many heads: out = softmax(Q·Kᵀ·scale)·V per head,
 * with a streaming (online) softmax over key tiles so that the T×S weights never have to exist
 * (Milakov & Gimelshein 2018, "Online normalizer calculation for softmax"; Dao et al. 2022,
 * FlashAttention). A workgroup owns a block of 64 queries of one head (one invocation per query,
 * q and the output row in registers); key/value tiles of 16 rows are staged in workgroup memory;
 * per tile the running max m, normalizer l = Σe^(s−m) and t = Σe^(s−m)(s−m) are rescaled once,
 * giving the output, and each query's weight entropy log l − t/l. The causal mask is top-left
 * aligned (key j > query i masked; torch's is_causal) and whole tiles past a block's last query
 * are skipped. Optionally a second pass writes the weights exp(s − m)/l from the saved m and l,
 * recomputing each score with the same float32 operations in the same order.
 * Layouts: q [H,T,d], k [H,S,d], v [H,S,dv], out [H,T,dv], weights [H,T,S], row-major float32.
 */
import { GpuContext, Timed } from './device';
import { GpuBuffer } from './webgpu';

const BQ = 64;
const BS = 16;

export interface GpuAttentionOptions {
  causal?: boolean;
  /** default 1/√d */
  scale?: number;
  /** also return the weights [H,T,S] */
  weights?: boolean;
}

export interface GpuAttention {
  output: Float32Array;
  /** entropy (nats) of each query's weights [H,T] */
  entropy: Float32Array;
  weights?: Float32Array;
}

const HEADER = (d: number, dv: number) => /* wgsl */ `
struct P { T: u32, S: u32, causal: u32, H: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> Q: array<f32>;
@group(0) @binding(1) var<storage, read> K: array<f32>;
@group(0) @binding(2) var<storage, read> V: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read> p: P;
const D = ${d}u;
const DV = ${dv}u;
`;

export function attentionWgsl(d: number, dv: number): string {
  return /* wgsl */ `${HEADER(d, dv)}
const BQ = ${BQ}u;
const BS = ${BS}u;
var<workgroup> Ks: array<f32, ${BS * d}>;
var<workgroup> Vs: array<f32, ${BS * dv}>;

@compute @workgroup_size(${BQ})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let h = wg.y;
  let q0 = wg.x * BQ;
  let i = q0 + li;
  let live = i < p.T;
  var q: array<f32, D>;
  var acc: array<f32, DV>;
  for (var c = 0u; c < DV; c++) { acc[c] = 0.0; }
  if (live) {
    for (var c = 0u; c < D; c++) { q[c] = Q[(h * p.T + i) * D + c] * p.scale; }
  }
  var m = 0.0;
  var l = 0.0;
  var t = 0.0;
  var kEnd = p.S;
  if (p.causal != 0u) { kEnd = min(p.S, q0 + BQ); }
  for (var j0 = 0u; j0 < kEnd; j0 += BS) {
    workgroupBarrier();
    for (var x = li; x < BS * D; x += BQ) {
      let j = j0 + x / D;
      var v = 0.0;
      if (j < p.S) { v = K[(h * p.S + j) * D + x % D]; }
      Ks[x] = v;
    }
    for (var x = li; x < BS * DV; x += BQ) {
      let j = j0 + x / DV;
      var v = 0.0;
      if (j < p.S) { v = V[(h * p.S + j) * DV + x % DV]; }
      Vs[x] = v;
    }
    workgroupBarrier();
    if (live) {
      var sc: array<f32, ${BS}>;
      var ok: array<bool, ${BS}>;
      var mt = 0.0;
      var any = false;
      for (var jj = 0u; jj < BS; jj++) {
        let j = j0 + jj;
        ok[jj] = j < p.S && (p.causal == 0u || j <= i);
        var s = 0.0;
        if (ok[jj]) {
          for (var c = 0u; c < D; c++) { s = fma(q[c], Ks[jj * D + c], s); }
          if (!any || s > mt) { mt = s; }
          any = true;
        }
        sc[jj] = s;
      }
      if (any) {
        if (l == 0.0) {
          m = mt;
        } else if (mt > m) {
          let corr = exp(m - mt);
          t = corr * (t + l * (m - mt));
          l = l * corr;
          for (var c = 0u; c < DV; c++) { acc[c] = acc[c] * corr; }
          m = mt;
        }
        for (var jj = 0u; jj < BS; jj++) {
          if (ok[jj]) {
            let e = exp(sc[jj] - m);
            l += e;
            t += e * (sc[jj] - m);
            for (var c = 0u; c < DV; c++) { acc[c] = fma(e, Vs[jj * DV + c], acc[c]); }
          }
        }
      }
    }
  }
  if (live) {
    let r = h * p.T + i;
    var inv = 0.0;
    if (l > 0.0) { inv = 1.0 / l; }
    for (var c = 0u; c < DV; c++) { O[r * DV + c] = acc[c] * inv; }
    stats[r * 3u] = m;
    stats[r * 3u + 1u] = l;
    var ent = 0.0;
    if (l > 0.0) { ent = log(l) - t * inv; }
    stats[r * 3u + 2u] = ent;
  }
}`;
}

/** Second pass: W[h,i,j] = exp(q_i·k_j·scale − m_i)/l_i (0 where masked); O is the weights. */
export function attentionWeightsWgsl(d: number): string {
  return /* wgsl */ `${HEADER(d, 1)}
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  let i = g.y;
  let h = g.z;
  if (i >= p.T || j >= p.S) { return; }
  let r = h * p.T + i;
  var w = 0.0;
  if (p.causal == 0u || j <= i) {
    var s = 0.0;
    for (var c = 0u; c < D; c++) {
      s = fma(Q[r * D + c] * p.scale, K[(h * p.S + j) * D + c], s);
    }
    w = exp(s - stats[r * 3u]) / stats[r * 3u + 1u];
  }
  O[r * p.S + j] = w;
}`;
}

export function attentionShape(
  H: number,
  T: number,
  S: number,
  d: number,
  dv: number,
  weights: boolean,
) {
  return {
    what: `attention ${H}×${T}×${S} (d=${d})${weights ? ' with weights' : ''}`,
    buffers: [H * T * d * 4, H * S * d * 4, H * S * dv * 4, H * T * dv * 4, H * T * 12, 32].concat(
      weights ? [H * T * S * 4] : [],
    ),
    grid: [Math.ceil(T / BQ), H, 1] as [number, number, number],
    sharedBytes: BS * (d + dv) * 4,
    invocations: BQ,
  };
}

export async function gpuAttention(
  ctx: GpuContext,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  H: number,
  T: number,
  S: number,
  d: number,
  dv: number,
  opts: GpuAttentionOptions = {},
): Promise<Timed<GpuAttention>> {
  if (!(d >= 1 && dv >= 1 && H >= 1 && T >= 1 && S >= 1))
    throw new Error('gpuAttention: every size must be at least 1');
  if (q.length !== H * T * d || k.length !== H * S * d || v.length !== H * S * dv)
    throw new Error('gpuAttention: sizes do not match shapes');
  const weights = !!opts.weights;
  const shape = attentionShape(H, T, S, d, dv, weights);
  ctx.check(shape);
  if (weights) ctx.check({ ...shape, grid: [Math.ceil(S / 16), Math.ceil(T / 16), H] });
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const pbuf = new ArrayBuffer(32);
  new Uint32Array(pbuf, 0, 4).set([T, S, opts.causal ? 1 : 0, H]);
  new Float32Array(pbuf, 16, 1)[0] = scale;
  const bufs: GpuBuffer[] = [];
  const keep = (b: GpuBuffer) => (bufs.push(b), b);
  try {
    const gq = keep(ctx.upload(q));
    const gk = keep(ctx.upload(k));
    const gv = keep(ctx.upload(v));
    const go = keep(ctx.storage(H * T * dv * 4));
    const gs = keep(ctx.storage(H * T * 12));
    const gp = keep(ctx.upload(new Uint8Array(pbuf)));
    const passes: Parameters<GpuContext['run']>[0] = [
      {
        pipeline: await ctx.pipeline(`attention${d}x${dv}`, attentionWgsl(d, dv)),
        buffers: [gq, gk, gv, go, gs, gp],
        grid: shape.grid,
      },
    ];
    const reads = [
      { buffer: go, bytes: H * T * dv * 4 },
      { buffer: gs, bytes: H * T * 12 },
    ];
    if (weights) {
      const gw = keep(ctx.storage(H * T * S * 4));
      passes.push({
        pipeline: await ctx.pipeline(`attentionWeights${d}`, attentionWeightsWgsl(d)),
        buffers: [gq, gk, undefined, gw, gs, gp],
        grid: [Math.ceil(S / 16), Math.ceil(T / 16), H],
      });
      reads.push({ buffer: gw, bytes: H * T * S * 4 });
    }
    const r = await ctx.run(passes, reads);
    const st = new Float32Array(r.value[1]);
    const entropy = new Float32Array(H * T);
    for (let x = 0; x < H * T; x++) entropy[x] = st[3 * x + 2];
    return {
      ...r,
      value: {
        output: new Float32Array(r.value[0]),
        entropy,
        weights: weights ? new Float32Array(r.value[2]) : undefined,
      },
    };
  } finally {
    for (const b of bufs) b.destroy();
  }
}
