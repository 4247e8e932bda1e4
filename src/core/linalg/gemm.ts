/**
 * Dense matrix products C = A·B (row-major), blocked over k and j so a panel of B stays in
 * cache, with a 4-row register micro-kernel. Reference: Goto & van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication" (ACM TOMS 34, 2008), loop order only.
 */
import { LensError } from '../errors';
import { Matrix } from './matrix';
import { Progress, Ticker } from './progress';
import { withEngine } from './wasm/kernels';

/** Row chunk between progress ticks of the SIMD path. */
const CHUNK = 240;

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
    for (let i0 = 0; i0 < m; i0 += CHUNK) {
      const rows = Math.min(CHUNK, m - i0);
      e.dgemm(rows, n, k, 1, ia + i0 * k, k, 1, ib, n, 1, ic + i0 * n, n);
      t.tick((i0 + rows) / m);
    }
    return e.f64.slice(ic, ic + m * n);
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
    for (let i0 = 0; i0 < m; i0 += CHUNK) {
      const rows = Math.min(CHUNK, m - i0);
      e.sgemm(rows, n, k, ia + i0 * k, k, 1, ib, n, 1, ic + i0 * n, n);
      t.tick((i0 + rows) / m);
    }
    return e.f32.slice(ic, ic + m * n);
  });
}

/** A·Bᵀ (rows of A against rows of B), float64. */
export function matmulTransB(a: Matrix, b: Matrix): Matrix {
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
    e.dgemm(m, n, k, 1, ia, k, 1, ib, 1, k, ic, n);
    return e.f64.slice(ic, ic + m * n);
  });
  return { rows: m, cols: n, data };
}

export type { F as AnyFloatArray };
