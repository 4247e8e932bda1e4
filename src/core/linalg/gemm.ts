/**
 * Dense matrix products C = A·B (row-major), blocked over k and j so a panel of B stays in
 * cache, with a 4-row register micro-kernel. Reference: Goto & van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication" (ACM TOMS 34, 2008), loop order only.
 */
import { LensError } from '../errors';
import { Matrix } from './matrix';
import { Progress, Ticker } from './progress';
import { TASK_FLOPS, rowBlocks, runJob, scratchSlotsFor, threadsFor } from './parallel';
import { Engine, withEngine } from './wasm/kernels';

/** Bytes of f32 B packed once for all row blocks at most (larger: each task packs its own). */
const PACK_ONCE_MAX_BYTES = 256 * 2 ** 20;

/** Rows of C per task of the SIMD path at least (a multiple of the 5-row register tile). */
const MIN_ROWS = 40;

/**
 * C (m×n at ic, f64 or f32 element indices) += A·B as one partitioned job: tasks are row blocks
 * of C, run in order or by the parallel executor. f32: B is packed once into the heap (its
 * KC-row blocks split over the threads) and every row block reads that copy (up to
 * PACK_ONCE_MAX_BYTES); f64: each task packs B itself. A(i,p) at ia + i·ars + p·acs, B(p,j)
 * at ib + p·brs + j·bcs.
 */
function gemmJob(
  e: Engine,
  f32: boolean,
  m: number,
  n: number,
  k: number,
  ia: number,
  ars: number,
  acs: number,
  ib: number,
  brs: number,
  bcs: number,
  ic: number,
  t: Ticker,
): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  const bytes = f32 ? 4 : 8;
  // f32: B packed once, unless that copy would be huge next to B itself (then per task)
  const packed = f32 && e.call!('sgemmPackBBytes', [k, n]) <= PACK_ONCE_MAX_BYTES;
  const slots = scratchSlotsFor(e);
  const wb = e.call!(packed ? 'sgemmPackedWorkBytes' : 'gemmWorkBytes', []);
  const scratch: number[] = [];
  for (let s = 0; s < slots; s++) scratch.push(e.alloc64(Math.ceil(wb / 8)) * 8);
  // per-task packing: about 2 blocks per thread (each block re-packs B: more blocks cost more
  // packing); B packed once: 4, for the balance between threads
  const blocks = rowBlocks(
    m,
    threadsFor(e),
    5,
    MIN_ROWS,
    packed || threadsFor(e) === 1 ? 4 : 2,
    Math.floor(TASK_FLOPS / (2 * n * k)),
  );
  let pb = 0;
  if (packed) {
    pb = e.alloc64(Math.ceil(e.call!('sgemmPackBBytes', [k, n]) / 8)) * 8;
    const kc = e.call!('gemmKc', []);
    const per = Math.max(1, Math.ceil(Math.ceil(k / kc) / threadsFor(e))) * kc;
    const packs: number[][] = [];
    for (let p0 = 0; p0 < k; p0 += per)
      packs.push([p0, Math.min(k, p0 + per), k, n, ib * 4, brs, bcs, pb]);
    runJob(e, { kernel: 'sgemmPackB', tasks: packs });
  }
  const tasks = blocks.map(([r0, r1]) => {
    const a = (ia + r0 * ars) * bytes;
    const b = ib * bytes;
    const c = (ic + r0 * n) * bytes;
    if (packed) return [r1 - r0, n, k, a, ars, acs, pb, c, n];
    return f32
      ? [r1 - r0, n, k, a, ars, acs, b, brs, bcs, c, n]
      : [r1 - r0, n, k, 1, a, ars, acs, b, brs, bcs, c, n];
  });
  let done = 0;
  runJob(e, { kernel: packed ? 'sgemmPacked' : f32 ? 'sgemm' : 'dgemm', tasks, scratch }, () =>
    t.tick(Math.min(1, ++done / tasks.length)),
  );
}

/** One f64 product of a job: C (m×n, row stride ldc) += alpha·A·B; addresses are f64 indices. */
export interface DgemmCall {
  m: number;
  n: number;
  k: number;
  alpha: number;
  a: number;
  ars: number;
  acs: number;
  b: number;
  brs: number;
  bcs: number;
  c: number;
  ldc: number;
}

/** One f32 product of a job: C (m×n, row stride ldc) += A·B; addresses are f32 indices. */
export type SgemmCall = Omit<DgemmCall, 'alpha'>;

/** What a job of products may be given besides its calls. */
export interface GemmCallsOptions {
  /** per-thread scratch (byte addresses, `gemmWorkBytes` each) of a caller that runs many jobs */
  scratch?: readonly number[];
  /** runs between tasks (the request's cancellation tick) */
  poll?: () => void;
}

/**
 * Runs independent f64 products on `e` as one job (through the parallel executor when it owns
 * `e`), e.g. the row blocks of a triangular update. Each call packs its own B.
 */
export function dgemmCalls(
  e: Engine,
  calls: readonly DgemmCall[],
  opts: GemmCallsOptions = {},
): void {
  productCalls(e, false, calls, opts);
}

/** The same for f32 products (float32 accumulation). */
export function sgemmCalls(
  e: Engine,
  calls: readonly SgemmCall[],
  opts: GemmCallsOptions = {},
): void {
  productCalls(e, true, calls, opts);
}

function productCalls(
  e: Engine,
  f32: boolean,
  calls: readonly (SgemmCall & { alpha?: number })[],
  { scratch, poll }: GemmCallsOptions,
): void {
  const live = calls.filter((c) => c.m > 0 && c.n > 0 && c.k > 0);
  if (!live.length) return;
  if (e.kind === 'ts' || !e.call) {
    for (const c of live) {
      if (f32) e.sgemm(c.m, c.n, c.k, c.a, c.ars, c.acs, c.b, c.brs, c.bcs, c.c, c.ldc);
      else e.dgemm(c.m, c.n, c.k, c.alpha ?? 1, c.a, c.ars, c.acs, c.b, c.brs, c.bcs, c.c, c.ldc);
      poll?.();
    }
    return;
  }
  const mk = e.mark();
  try {
    let slots = scratch;
    if (!slots) {
      const wb = e.call('gemmWorkBytes', []);
      const own: number[] = [];
      for (let s = scratchSlotsFor(e); s > 0; s--) own.push(e.alloc64(Math.ceil(wb / 8)) * 8);
      slots = own;
    }
    const b = f32 ? 4 : 8;
    const tasks = live.map((c) => [
      c.m,
      c.n,
      c.k,
      ...(f32 ? [] : [c.alpha ?? 1]),
      c.a * b,
      c.ars,
      c.acs,
      c.b * b,
      c.brs,
      c.bcs,
      c.c * b,
      c.ldc,
    ]);
    runJob(e, { kernel: f32 ? 'sgemm' : 'dgemm', tasks, scratch: [...slots] }, poll);
  } finally {
    e.release(mk);
  }
}

const KC = 128;
const NC = 512;

type F = Float64Array | Float32Array;

function check(m: number, k: number, k2: number, n: number): void {
  if (k !== k2) throw new LensError(`matmul shape mismatch: ${m}×${k} · ${k2}×${n}`);
}

/** c (m×n) += a (m×k) · b (k×n), all row-major. Monomorphic per array type via the callers. */
function kernel64(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  m: number,
  k: number,
  n: number,
  t: Ticker,
): void {
  for (let j0 = 0; j0 < n; j0 += NC) {
    const j1 = Math.min(n, j0 + NC);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const p1 = Math.min(k, p0 + KC);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const c0 = i * n;
        const c1 = c0 + n;
        const c2 = c1 + n;
        const c3 = c2 + n;
        for (let p = p0; p < p1; p++) {
          const a0 = a[i * k + p];
          const a1 = a[(i + 1) * k + p];
          const a2 = a[(i + 2) * k + p];
          const a3 = a[(i + 3) * k + p];
          const bp = p * n;
          for (let j = j0; j < j1; j++) {
            const bv = b[bp + j];
            c[c0 + j] += a0 * bv;
            c[c1 + j] += a1 * bv;
            c[c2 + j] += a2 * bv;
            c[c3 + j] += a3 * bv;
          }
        }
        t.tick(((j0 / n) * k + p0 + ((p1 - p0) * i) / m) / k);
      }
      for (; i < m; i++) {
        const c0 = i * n;
        for (let p = p0; p < p1; p++) {
          const a0 = a[i * k + p];
          const bp = p * n;
          for (let j = j0; j < j1; j++) c[c0 + j] += a0 * b[bp + j];
        }
      }
    }
  }
}

function kernel32(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
  t: Ticker,
): void {
  // accumulate a KC-deep slice in float64 rows, then add into the float32 result
  const acc = new Float64Array(4 * NC);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const j1 = Math.min(n, j0 + NC);
    const w = j1 - j0;
    for (let p0 = 0; p0 < k; p0 += KC) {
      const p1 = Math.min(k, p0 + KC);
      for (let i = 0; i < m; i += 4) {
        const rows = Math.min(4, m - i);
        acc.fill(0);
        for (let p = p0; p < p1; p++) {
          const a0 = a[i * k + p];
          const a1 = rows > 1 ? a[(i + 1) * k + p] : 0;
          const a2 = rows > 2 ? a[(i + 2) * k + p] : 0;
          const a3 = rows > 3 ? a[(i + 3) * k + p] : 0;
          const bp = p * n + j0;
          for (let j = 0; j < w; j++) {
            const bv = b[bp + j];
            acc[j] += a0 * bv;
            acc[NC + j] += a1 * bv;
            acc[2 * NC + j] += a2 * bv;
            acc[3 * NC + j] += a3 * bv;
          }
        }
        for (let r = 0; r < rows; r++) {
          const cb = (i + r) * n + j0;
          for (let j = 0; j < w; j++) c[cb + j] += acc[r * NC + j];
        }
        t.tick(((j0 / n) * k + p0 + ((p1 - p0) * i) / m) / k);
      }
    }
  }
}

/** A·B in float64. */
export function matmul(a: Matrix, b: Matrix, progress?: Progress): Matrix {
  check(a.rows, a.cols, b.rows, b.cols);
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  const t = new Ticker(progress);
  const data = withEngine((e) => {
    if (e.kind === 'ts') {
      const c = new Float64Array(m * n);
      kernel64(a.data, b.data, c, m, k, n, t);
      return c;
    }
    const ia = e.alloc64(m * k);
    const ib = e.alloc64(k * n);
    const ic = e.alloc64(m * n);
    e.f64.set(a.data, ia);
    e.f64.set(b.data, ib);
    e.f64.fill(0, ic, ic + m * n);
    gemmJob(e, false, m, n, k, ia, k, 1, ib, n, 1, ic, t);
    return e.slice64(ic, ic + m * n);
  });
  return { rows: m, cols: n, data };
}

/** A·B for float32 data (m×k times k×n), float32 result (float32 SIMD accumulation; the
 *  TypeScript fallback accumulates each k-panel in float64). */
export function matmulF32(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  progress?: Progress,
): Float32Array {
  if (a.length !== m * k || b.length !== k * n)
    throw new LensError('matmulF32: sizes do not match shapes');
  const t = new Ticker(progress);
  return withEngine((e) => {
    if (e.kind === 'ts') {
      const c = new Float32Array(m * n);
      kernel32(a, b, c, m, k, n, t);
      return c;
    }
    const ia = e.alloc32(m * k);
    const ib = e.alloc32(k * n);
    const ic = e.alloc32(m * n);
    e.f32.set(a, ia);
    e.f32.set(b, ib);
    e.f32.fill(0, ic, ic + m * n);
    gemmJob(e, true, m, n, k, ia, k, 1, ib, n, 1, ic, t);
    return e.slice32(ic, ic + m * n);
  });
}

/** A·Bᵀ (rows of A against rows of B), float64. */
export function matmulTransB(a: Matrix, b: Matrix, progress?: Progress): Matrix {
  check(a.rows, a.cols, b.cols, b.rows);
  const m = a.rows;
  const n = b.rows;
  const k = a.cols;
  const data = withEngine((e) => {
    if (e.kind === 'ts') {
      const c = new Float64Array(m * n);
      for (let i = 0; i < m; i++) {
        const ai = i * k;
        for (let j = 0; j < n; j++) {
          const bj = j * k;
          let s = 0;
          for (let p = 0; p < k; p++) s += a.data[ai + p] * b.data[bj + p];
          c[i * n + j] = s;
        }
      }
      return c;
    }
    const ia = e.alloc64(m * k);
    const ib = e.alloc64(k * n);
    const ic = e.alloc64(m * n);
    e.f64.set(a.data, ia);
    e.f64.set(b.data, ib);
    e.f64.fill(0, ic, ic + m * n);
    gemmJob(e, false, m, n, k, ia, k, 1, ib, 1, k, ic, new Ticker(progress));
    return e.slice64(ic, ic + m * n);
  });
  return { rows: m, cols: n, data };
}

export type { F as AnyFloatArray };
