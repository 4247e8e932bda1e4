/**
 * Streaming scaled dot-product attention for one head over float32 data on the SIMD kernel:
 * out = softmax(Q·Kᵀ/√d)·V with an online softmax over key blocks (no T×S weights), plus the
 * entropy of each query's weights. Reference: Milakov & Gimelshein (2018); Dao et al.,
 * FlashAttention (2022). Float32 arithmetic (exp and the normalizer sums in float32 per key block,
 * the running normalizer in float64); the TypeScript fallback computes in float64.
 */
import { LensError } from '../errors';
import { withEngine } from './wasm/kernels';

export interface StreamingAttentionF32 {
  /** [T, dv] */
  output: Float32Array;
  /** entropy (nats) of each query's weights [T] (0 for a query with no keys) */
  entropy: Float64Array;
}

/** One head: q [T,d], k [S,d], v [S,dv] row-major float32. */
export function streamingAttentionF32(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  T: number,
  S: number,
  d: number,
  dv: number,
  opts: { causal?: boolean; scale?: number } = {},
): StreamingAttentionF32 {
  if (q.length !== T * d || k.length !== S * d || v.length !== S * dv)
    throw new LensError('streamingAttentionF32: sizes do not match shapes');
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  return withEngine((e) => {
    const iq = e.alloc32(T * d);
    const ik = e.alloc32(S * d);
    const iv = e.alloc32(S * dv + 8);
    const io = e.alloc32(T * dv);
    const ie = e.alloc64(T);
    e.f32.set(q, iq);
    e.f32.set(k, ik);
    e.f32.set(v, iv);
    e.f32.fill(0, iv + S * dv, iv + S * dv + 8);
    e.attnF32(iq, ik, iv, io, ie, T, S, d, dv, scale, !!opts.causal);
    return { output: e.f32.slice(io, io + T * dv), entropy: e.f64.slice(ie, ie + T) };
  });
}
