/**
 * Scaled dot-product attention for one head over float32 data on the SIMD kernels:
 * - streaming: out = softmax(Q·Kᵀ/√d)·V with an online softmax over key blocks (no T×S weights),
 *   plus the entropy of each query's weights (Milakov & Gimelshein 2018; Dao et al.,
 *   FlashAttention 2022);
 * - with weights: the exact row softmax W [T,S] (optionally with an additive mask), W·V, entropy
 *   and row sums.
 * Both split the queries into blocks (tasks of one partitioned job, ./parallel.ts): serial on
 * one thread, or over the compute worker's pool. Float32 scores, exp and weights; normalizer and
 * entropy sums in float64 per 64-key block. The TypeScript fallback (no WebAssembly) of the
 * streaming kernel computes in float64; the weights kernel has none (callers use their float64
 * path: {@link attentionWeightsF32} returns undefined).
 */
import { LensError } from '../errors';
import { TASK_FLOPS, rowBlocks, runJob, scratchSlotsFor, threadsFor } from './parallel';
import { Engine, withEngine } from './wasm/kernels';

export interface StreamingAttentionF32 {
  /** [T, dv] */
  output: Float32Array;
  /** entropy (nats) of each query's weights [T] (0 for a query with no keys) */
  entropy: Float64Array;
}

export interface AttentionF32Options {
  causal?: boolean;
  scale?: number;
  /** called between query blocks; may throw to cancel */
  poll?: () => void;
}

/**
 * Query blocks per thread of the kernel with weights: small enough that the copy of finished
 * blocks out of the heap (on the calling thread, between its own blocks) leaves the threads
 * balanced and only a short copy after the last block. Their rows are a multiple of the
 * kernel's 20-query block (four 5-row tiles share each Kᵀ and V panel; a short block shares
 * them among fewer).
 */
const WEIGHTS_BLOCKS_PER_THREAD = 16;

/** Query-block tasks, heaviest (latest, when causal) first. */
function queryBlocks(
  e: Engine,
  T: number,
  S: number,
  d: number,
  dv: number,
  causal: boolean,
  perThread = 4,
  align = 5,
): [number, number][] {
  const b = rowBlocks(
    T,
    threadsFor(e),
    align,
    20,
    perThread,
    Math.floor(TASK_FLOPS / (S * (2 * d + 2 * dv + 20))),
  );
  return causal ? b.reverse() : b;
}

function rowScratch(e: Engine, d: number, dv: number): number[] {
  const bytes = e.call!('attnRowWorkBytes', [d, dv]);
  const out: number[] = [];
  for (let s = scratchSlotsFor(e); s > 0; s--) out.push(e.alloc64(Math.ceil(bytes / 8)) * 8);
  return out;
}

/**
 * Copies q, k, v into the heap and packs Kᵀ and V (panels of 8 keys / 8 value columns, read by
 * every query block); returns their f32 indices (vp: packed V, 0 without V).
 */
function load(
  e: Engine,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array | undefined,
  S: number,
  d: number,
  dv: number,
): { iq: number; vp: number; kt: number } {
  const ik = e.alloc32(k.length);
  const iv = v ? e.alloc32(S * dv) : 0;
  e.f32.set(k, ik);
  if (v) e.f32.set(v, iv);
  const kt = e.alloc32(Math.ceil(e.call!('attnPackBytes', [S, d]) / 4));
  const vp = v ? e.alloc32(Math.ceil(e.call!('attnPackVBytes', [S, dv]) / 4)) : 0;
  e.call!('attnPackK', [ik * 4, S, d, kt * 4]);
  if (v) e.call!('attnPackV', [iv * 4, S, dv, vp * 4]);
  const iq = e.alloc32(q.length);
  e.f32.set(q, iq);
  return { iq, vp, kt };
}

function checkSizes(
  name: string,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array | undefined,
  T: number,
  S: number,
  d: number,
  dv: number,
): void {
  if (q.length !== T * d || k.length !== S * d || (v && v.length !== S * dv))
    throw new LensError(`${name}: sizes do not match shapes`);
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
  opts: AttentionF32Options = {},
): StreamingAttentionF32 {
  checkSizes('streamingAttentionF32', q, k, v, T, S, d, dv);
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const causal = !!opts.causal;
  return withEngine((e) => {
    const io = e.alloc32(T * dv);
    const ie = e.alloc64(T);
    if (e.kind === 'ts' || T === 0 || S === 0 || d === 0) {
      const iq = e.alloc32(T * d);
      const ik = e.alloc32(S * d);
      const iv = e.alloc32(S * dv + 8);
      e.f32.set(q, iq);
      e.f32.set(k, ik);
      e.f32.set(v, iv);
      e.f32.fill(0, iv + S * dv, iv + S * dv + 8);
      e.attnF32(iq, ik, iv, io, ie, T, S, d, dv, scale, causal);
    } else {
      const { iq, vp, kt } = load(e, q, k, v, S, d, dv);
      const scratch = rowScratch(e, d, dv);
      const tasks = queryBlocks(e, T, S, d, dv, causal).map(([r0, r1]) => [
        kt * 4,
        (iq + r0 * d) * 4,
        vp * 4,
        (io + r0 * dv) * 4,
        (ie + r0) * 8,
        r1 - r0,
        S,
        d,
        dv,
        scale,
        causal ? 1 : 0,
        r0,
      ]);
      runJob(e, { kernel: 'attnStreamF32', tasks, scratch }, opts.poll);
    }
    return { output: e.slice32(io, io + T * dv), entropy: e.slice64(ie, ie + T) };
  });
}

/** dst[at + i·stride + c] = src[i·dv + c] for i < rows, c < dv (float32 → float64). */
function widenRows(
  src: Float32Array,
  rows: number,
  dv: number,
  dst: Float64Array,
  at: number,
  stride: number,
): void {
  if (stride === dv) for (let i = 0, n = rows * dv; i < n; i++) dst[at + i] = src[i];
  else
    for (let i = 0; i < rows; i++, at += stride)
      for (let c = 0, s = i * dv; c < dv; c++) dst[at + c] = src[s + c];
}

export interface AttentionWeightsF32 {
  /** [T, S] row-stochastic (absent when written into `weightsOut`) */
  weights?: Float32Array;
  /** [T, dv] W·V (absent without V) */
  output?: Float32Array;
  /** entropy (nats) per query [T] */
  entropy: Float64Array;
  /** Σ_j w_ij per query as stored (1 up to float32 rounding; 0 for a fully masked query) */
  rowSums: Float64Array;
}

/**
 * One head with its weights: q [T,d], k [S,d], optional v [S,dv] and additive mask [T,S] (−∞
 * blocks a key), float32. The weights go to `weightsOut` at `weightsOffset` when given. Returns
 * undefined where the SIMD engine is unavailable (the caller computes in float64 instead).
 */
export function attentionWeightsF32(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array | undefined,
  T: number,
  S: number,
  d: number,
  dv: number,
  opts: AttentionF32Options & {
    mask?: Float32Array;
    weightsOut?: Float32Array;
    weightsOffset?: number;
    /**
     * Destination of W·V as float64: row i of the [T, dv] output goes to
     * outputOut[outputOffset + i·outputStride …] (stride default dv); `output` is then absent.
     * Saves the float32 copy and its conversion (fresh result memory costs page faults).
     */
    outputOut?: Float64Array;
    outputOffset?: number;
    outputStride?: number;
  } = {},
): AttentionWeightsF32 | undefined {
  checkSizes('attentionWeightsF32', q, k, v, T, S, d, dv);
  if (opts.mask && opts.mask.length !== T * S)
    throw new LensError('attentionWeightsF32: mask size does not match [T, S]');
  if (T === 0 || S === 0 || d === 0) return undefined;
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const causal = !!opts.causal;
  return withEngine((e) => {
    if (e.kind === 'ts' || !e.call) return undefined;
    const { iq, vp, kt } = load(e, q, k, v, S, d, dv);
    const iw = e.alloc32(T * S);
    const io = v ? e.alloc32(T * dv) : 0;
    const ie = e.alloc64(T);
    const irs = e.alloc64(T);
    const im = opts.mask ? e.alloc32(T * S) : 0;
    if (opts.mask) e.f32.set(opts.mask, im);
    const scratch = rowScratch(e, d, dv);
    const blocks = queryBlocks(e, T, S, d, dv, causal, WEIGHTS_BLOCKS_PER_THREAD, 20);
    const tasks = blocks.map(([r0, r1]) => [
      kt * 4,
      (iq + r0 * d) * 4,
      vp * 4,
      v ? (io + r0 * dv) * 4 : 0,
      (iw + r0 * S) * 4,
      (ie + r0) * 8,
      (irs + r0) * 8,
      r1 - r0,
      S,
      d,
      dv,
      scale,
      causal ? 1 : 0,
      r0,
      opts.mask ? (im + r0 * S) * 4 : 0,
    ]);
    // each finished query block's weights (and float64 W·V rows) leave the heap on this thread
    // while the helpers compute the others: the 4·T·S-byte copy (and the first touch of a fresh
    // result's pages) overlaps the job instead of following it
    const weights = opts.weightsOut ? undefined : new Float32Array(T * S);
    const wDest = opts.weightsOut ?? weights!;
    const wAt = opts.weightsOut ? (opts.weightsOffset ?? 0) : 0;
    const o = v ? opts.outputOut : undefined;
    const stride = opts.outputStride ?? dv;
    const oAt = opts.outputOffset ?? 0;
    const rows = o
      ? new Float32Array(blocks.reduce((m, [r0, r1]) => Math.max(m, r1 - r0), 0) * dv)
      : undefined;
    const done = (task: number): void => {
      const [r0, r1] = blocks[task];
      e.slice32(iw + r0 * S, iw + r1 * S, wDest, wAt + r0 * S);
      if (o && rows) {
        e.slice32(io + r0 * dv, io + r1 * dv, rows, 0); // a byte copy out of the shared heap
        widenRows(rows, r1 - r0, dv, o, oAt + r0 * stride, stride);
      }
    };
    runJob(e, { kernel: 'attnWeightsF32', tasks, scratch, done }, opts.poll);
    const output = v && !o ? e.slice32(io, io + T * dv) : undefined;
    return {
      weights,
      output,
      entropy: e.slice64(ie, ie + T),
      rowSums: e.slice64(irs, irs + T),
    };
  });
}
