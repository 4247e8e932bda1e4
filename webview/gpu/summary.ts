/**
 * Summary of a huge float32 array on the GPU, for the summary line and the colour range: min,
 * max, mean, NaN/+Inf/−Inf counts and an equal-width histogram over [min, max] (numpy.histogram's
 * bins: half-open, the last closed). Two passes, each a grid-stride loop with a workgroup tree
 * reduction and per-workgroup partials finished on the CPU in float64:
 *  1. classify every value by its bits (exponent all ones: NaN or ±Inf; exact whatever the
 *     shader compiler assumes about NaN), min and max of the finite ones;
 *  2. the sum of v·2^e, with 2^e chosen from max|v| so that no partial sum can overflow or
 *     lose small values to underflow, and the histogram counts (workgroup atomics, then global).
 * Accuracy: min, max and the counts are exact (subnormal inputs may be flushed to zero by the
 * GPU); the mean's relative error is bounded by about (values per invocation + 8)·2⁻²⁴ of the
 * mean of |v|; a value within float32 rounding of a bin edge may land in the neighbouring bin.
 */
import { GpuContext, Timed } from './device';
import { GpuUnavailable } from './limits';
import type { GpuBuffer } from './webgpu';

const WG = 256;
export const MAX_BINS = 256;

export interface GpuSummary {
  count: number;
  /** finite values */
  finite: number;
  nan: number;
  posInf: number;
  negInf: number;
  /** of the finite values (undefined when there are none) */
  min?: number;
  max?: number;
  mean?: number;
  /** numpy-style edges over [min, max] (±0.5 when min = max; [0, 1] with no finite value) */
  edges: Float64Array;
  counts: Float64Array;
}

const COMMON = /* wgsl */ `
struct P { n: u32, nb: u32, pad0: u32, pad1: u32, lo: f32, hi: f32, c: f32, invw: f32, s: f32 }
@group(0) @binding(0) var<storage, read> data: array<f32>;
@group(0) @binding(1) var<storage, read_write> part: array<f32>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> p: P;
fn isFinite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u; }
`;

export const SUMMARY_STATS_WGSL = /* wgsl */ `${COMMON}
var<workgroup> smin: array<f32, ${WG}>;
var<workgroup> smax: array<f32, ${WG}>;
var<workgroup> wc: array<atomic<u32>, 3>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u,
        @builtin(local_invocation_index) li: u32) {
  if (li < 3u) { atomicStore(&wc[li], 0u); }
  workgroupBarrier();
  var lo = bitcast<f32>(0x7f7fffffu);
  var hi = bitcast<f32>(0xff7fffffu);
  var nan = 0u; var pinf = 0u; var ninf = 0u;
  let stride = nw.x * ${WG}u;
  for (var i = wg.x * ${WG}u + li; i < p.n; i += stride) {
    let v = data[i];
    let u = bitcast<u32>(v);
    if ((u & 0x7f800000u) == 0x7f800000u) {
      if ((u & 0x007fffffu) != 0u) { nan++; } else if ((u >> 31u) == 0u) { pinf++; } else { ninf++; }
    } else {
      lo = min(lo, v);
      hi = max(hi, v);
    }
  }
  smin[li] = lo;
  smax[li] = hi;
  if (nan > 0u) { atomicAdd(&wc[0], nan); }
  if (pinf > 0u) { atomicAdd(&wc[1], pinf); }
  if (ninf > 0u) { atomicAdd(&wc[2], ninf); }
  workgroupBarrier();
  for (var h = ${WG / 2}u; h > 0u; h >>= 1u) {
    if (li < h) {
      smin[li] = min(smin[li], smin[li + h]);
      smax[li] = max(smax[li], smax[li + h]);
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    part[wg.x * 2u] = smin[0];
    part[wg.x * 2u + 1u] = smax[0];
  }
  if (li < 3u) {
    let c = atomicLoad(&wc[li]);
    if (c > 0u) { atomicAdd(&counts[li], c); }
  }
}`;

export const SUMMARY_SUM_HIST_WGSL = /* wgsl */ `${COMMON}
var<workgroup> ssum: array<f32, ${WG}>;
var<workgroup> wb: array<atomic<u32>, ${MAX_BINS}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u,
        @builtin(local_invocation_index) li: u32) {
  atomicStore(&wb[li], 0u);
  workgroupBarrier();
  var sum = 0.0;
  let stride = nw.x * ${WG}u;
  for (var i = wg.x * ${WG}u + li; i < p.n; i += stride) {
    let v = data[i];
    if (isFinite(v)) {
      sum += v * p.s;
      if (p.nb > 0u && v >= p.lo && v <= p.hi) {
        let t = (v * p.c - p.lo * p.c) * p.invw;
        let b = min(u32(max(floor(t), 0.0)), p.nb - 1u);
        atomicAdd(&wb[b], 1u);
      }
    }
  }
  ssum[li] = sum;
  workgroupBarrier();
  for (var h = ${WG / 2}u; h > 0u; h >>= 1u) {
    if (li < h) { ssum[li] = ssum[li] + ssum[li + h]; }
    workgroupBarrier();
  }
  if (li == 0u) { part[wg.x] = ssum[0]; }
  if (li < p.nb) {
    let c = atomicLoad(&wb[li]);
    if (c > 0u) { atomicAdd(&counts[3u + li], c); }
  }
}`;

/** Workgroups for n values: 16 values per invocation, at most 4096 workgroups (256 values per
 *  invocation at 2^28 values). */
export function summaryWorkgroups(n: number): number {
  return Math.max(1, Math.min(4096, Math.ceil(n / (WG * 16))));
}

/** 2^e such that max|v|·2^e·(values summed in float32) stays below float32's max. */
export function sumScale(maxAbs: number, perSum: number): number {
  if (!(maxAbs > 0)) return 1;
  const e = Math.floor(126 - Math.log2(perSum)) - Math.ceil(Math.log2(maxAbs));
  return 2 ** Math.max(-126, Math.min(127, e));
}

/** The numpy-style range and edges for the histogram (the CPU engine's rules). */
export function histogramRange(min: number | undefined, max: number | undefined): [number, number] {
  let lo = min ?? 0;
  let hi = max ?? 1;
  if (min === undefined || max === undefined) {
    lo = 0;
    hi = 1;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  return [lo, hi];
}

function params(n: number, nb: number, lo: number, hi: number, s: number): ArrayBuffer {
  const buf = new ArrayBuffer(48);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  u[0] = n;
  u[1] = nb;
  // (v·c − lo·c)·invw keeps the difference finite when hi − lo exceeds float32's range
  const c = hi - lo > 1e38 ? 2 ** -8 : 1;
  f[4] = lo;
  f[5] = hi;
  f[6] = c;
  f[7] = nb / ((hi - lo) * c);
  f[8] = s;
  return buf;
}

function checkSummary(ctx: GpuContext, n: number, W: number): void {
  ctx.check({
    what: `summary of ${n} values`,
    buffers: [n * 4, W * 8, (3 + MAX_BINS) * 4, 48],
    grid: [W, 1, 1],
    sharedBytes: WG * 8 + 12,
    invocations: WG,
  });
}

export async function gpuSummary(
  ctx: GpuContext,
  data: Float32Array,
  bins = 50,
): Promise<Timed<GpuSummary>> {
  const n = data.length;
  const W = summaryWorkgroups(n);
  checkSummary(ctx, n, W);
  const t0 = performance.now();
  const gd = ctx.upload(data);
  try {
    const r = await summarize(ctx, gd, n, bins, W);
    return { ...r, wallMs: performance.now() - t0 };
  } finally {
    gd.destroy();
  }
}

/** What {@link gpuSummaryChunked} adds: how the values reached the GPU. */
export interface ChunkedUpload {
  /** wall time of asking for and writing the chunks, ms */
  uploadMs: number;
  chunks: number;
}

/**
 * The summary of `n` values that arrive in chunks: `chunk(start, count)` gives values
 * [start, start + count) as float32, or undefined when the job was superseded (then nothing
 * more is asked and the result is undefined). Only one chunk is held at a time on this side;
 * each is written into the one GPU buffer of n float32 values, whose size is checked against
 * the device's limits before the first chunk is asked for (GpuTooLarge: nothing is fetched).
 * The time returned is the two passes' (GPU time where timestamps exist), not the upload's.
 */
export async function gpuSummaryChunked(
  ctx: GpuContext,
  n: number,
  chunkValues: number,
  chunk: (start: number, count: number) => Promise<Float32Array | undefined>,
  bins = 50,
): Promise<Timed<GpuSummary & ChunkedUpload> | undefined> {
  const W = summaryWorkgroups(n);
  checkSummary(ctx, n, W);
  const step = Math.max(1, Math.floor(chunkValues));
  const t0 = performance.now();
  const gd = ctx.storage(n * 4);
  try {
    let chunks = 0;
    for (let start = 0; start < n; start += step) {
      const count = Math.min(step, n - start);
      const data = await chunk(start, count);
      if (!data) return undefined;
      if (data.length !== count)
        throw new Error(`chunk at ${start} has ${data.length} values, not ${count}`);
      if (ctx.lost) throw new GpuUnavailable(ctx.lost);
      ctx.device.queue.writeBuffer(gd, start * 4, data);
      chunks++;
    }
    const uploadMs = performance.now() - t0;
    const r = await summarize(ctx, gd, n, bins, W);
    return { ...r, value: { ...r.value, uploadMs, chunks } };
  } finally {
    gd.destroy();
  }
}

/** The two passes over `n` values in `gd`. */
async function summarize(
  ctx: GpuContext,
  gd: GpuBuffer,
  n: number,
  bins: number,
  W: number,
): Promise<Timed<GpuSummary>> {
  const nb = Math.max(1, Math.min(MAX_BINS, Math.floor(bins)));
  const t0 = performance.now();
  const part = ctx.storage(W * 8);
  const counts = ctx.upload(new Uint32Array(3 + MAX_BINS));
  const p1 = ctx.upload(new Uint8Array(params(n, 0, 0, 1, 1)));
  let p2: GpuBuffer | undefined;
  try {
    const stats = await ctx.pipeline('summaryStats', SUMMARY_STATS_WGSL);
    const r1 = await ctx.run(
      [{ pipeline: stats, buffers: [gd, part, counts, p1], grid: [W, 1, 1] }],
      [
        { buffer: part, bytes: W * 8 },
        { buffer: counts, bytes: 12 },
      ],
    );
    const mm = new Float32Array(r1.value[0]);
    const [nan, posInf, negInf] = new Uint32Array(r1.value[1]);
    const finite = n - nan - posInf - negInf;
    let min: number | undefined;
    let max: number | undefined;
    if (finite > 0) {
      min = Infinity;
      max = -Infinity;
      for (let w = 0; w < W; w++) {
        if (mm[2 * w] < min) min = mm[2 * w];
        if (mm[2 * w + 1] > max) max = mm[2 * w + 1];
      }
    }
    const [lo, hi] = histogramRange(min, max);
    const perSum = Math.ceil(n / (W * WG)) + WG;
    const s = sumScale(Math.max(Math.abs(min ?? 0), Math.abs(max ?? 0)), perSum);
    p2 = ctx.upload(new Uint8Array(params(n, finite > 0 ? nb : 0, lo, hi, s)));
    const sumHist = await ctx.pipeline('summarySumHist', SUMMARY_SUM_HIST_WGSL);
    const r2 = await ctx.run(
      [{ pipeline: sumHist, buffers: [gd, part, counts, p2], grid: [W, 1, 1] }],
      [
        { buffer: part, bytes: W * 4 },
        { buffer: counts, bytes: (3 + nb) * 4 },
      ],
    );
    const sums = new Float32Array(r2.value[0]);
    let sum = 0;
    for (let w = 0; w < W; w++) sum += sums[w];
    const binCounts = Float64Array.from(new Uint32Array(r2.value[1]).subarray(3, 3 + nb));
    const edges = new Float64Array(nb + 1);
    for (let i = 0; i <= nb; i++) edges[i] = lo + ((hi - lo) * i) / nb;
    const gpuMs =
      r1.gpuMs !== undefined && r2.gpuMs !== undefined ? r1.gpuMs + r2.gpuMs : undefined;
    return {
      wallMs: performance.now() - t0,
      gpuMs,
      value: {
        count: n,
        finite,
        nan,
        posInf,
        negInf,
        min,
        max,
        mean: finite > 0 ? sum / s / finite : undefined,
        edges,
        counts: finite > 0 ? binCounts : new Float64Array(nb),
      },
    };
  } finally {
    for (const b of [part, counts, p1, p2]) b?.destroy();
  }
}
