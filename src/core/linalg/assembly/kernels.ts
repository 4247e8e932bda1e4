// Hand-written SIMD (v128) kernels for the linear-algebra engine, compiled with AssemblyScript
// (`npm run build:wasm`, see scripts/build-wasm.mjs). All pointers are byte addresses into the
// module's own memory; lengths and leading dimensions are in elements. No runtime, no static
// mutable state: callers pass every scratch buffer.
//
// GEMM: Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication" (ACM TOMS 34,
// 2008): packed A (MC×KC) and B (KC×NC) blocks and a register-tile micro-kernel. V8 has 15
// usable 128-bit registers, so the tiles are 5×4 (f64) and 5×8 (f32): 10 accumulators, two B
// vectors and one broadcast; a larger tile spills.

export function heapBase(): usize {
  return __heap_base;
}

const KC: i32 = 256;
const MC: i32 = 120;
const NC: i32 = 2048;

/** Bytes of scratch dgemm/sgemm need (packed A block, packed B panel, one edge tile). */
export function gemmWorkBytes(): i32 {
  return (MC * KC + KC * (NC + 8) + 64) * 8;
}

// ---------------------------------------------------------------------------------------------
// f64 GEMM, 5×4 tile: C (m×n, row stride ldc) += alpha · A·B with A(i,p) at a + 8(i·ars + p·acs)
// and B(p,j) at b + 8(p·brs + j·bcs) (any strides: transposes are free).

function packA64(m: i32, k: i32, alpha: f64, a: usize, ars: i32, acs: i32, pa: usize): void {
  for (let ib = 0; ib < m; ib += 5) {
    const rows = min(5, m - ib);
    for (let r = 0; r < 5; r++) {
      let dst = pa + ((<usize>(ib * k + r)) << 3);
      if (r < rows) {
        let src = a + ((<usize>((ib + r) * ars)) << 3);
        const step = (<usize>acs) << 3;
        for (let p = 0; p < k; p++) {
          store<f64>(dst, alpha * load<f64>(src));
          dst += 40;
          src += step;
        }
      } else {
        for (let p = 0; p < k; p++) {
          store<f64>(dst, 0);
          dst += 40;
        }
      }
    }
  }
}

function packB64(k: i32, n: i32, b: usize, brs: i32, bcs: i32, pb: usize): void {
  for (let jb = 0; jb < n; jb += 4) {
    const cols = min(4, n - jb);
    let dst = pb + ((<usize>(jb * k)) << 3);
    if (cols == 4 && bcs == 1) {
      let src = b + ((<usize>jb) << 3);
      const step = (<usize>brs) << 3;
      for (let p = 0; p < k; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += 32;
        src += step;
      }
    } else {
      for (let p = 0; p < k; p++) {
        for (let c = 0; c < 4; c++)
          store<f64>(
            dst + ((<usize>c) << 3),
            c < cols ? load<f64>(b + ((<usize>(p * brs + (jb + c) * bcs)) << 3)) : 0,
          );
        dst += 32;
      }
    }
  }
}

function kernel64(
  kc: i32,
  pa: usize,
  pb: usize,
  c: usize,
  ldc: i32,
  rows: i32,
  cols: i32,
  tile: usize,
): void {
  let c00 = f64x2.splat(0);
  let c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0);
  let c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0);
  let c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0);
  let c31 = f64x2.splat(0);
  let c40 = f64x2.splat(0);
  let c41 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = f64x2.splat(load<f64>(pa));
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = f64x2.splat(load<f64>(pa, 8));
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = f64x2.splat(load<f64>(pa, 16));
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = f64x2.splat(load<f64>(pa, 24));
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    a = f64x2.splat(load<f64>(pa, 32));
    c40 = f64x2.add(c40, f64x2.mul(a, b0));
    c41 = f64x2.add(c41, f64x2.mul(a, b1));
    pa += 40;
    pb += 32;
  }
  const ld = (<usize>ldc) << 3;
  if (rows == 5 && cols == 4) {
    let q = c;
    v128.store(q, f64x2.add(v128.load(q), c00));
    v128.store(q, f64x2.add(v128.load(q, 16), c01), 16);
    q += ld;
    v128.store(q, f64x2.add(v128.load(q), c10));
    v128.store(q, f64x2.add(v128.load(q, 16), c11), 16);
    q += ld;
    v128.store(q, f64x2.add(v128.load(q), c20));
    v128.store(q, f64x2.add(v128.load(q, 16), c21), 16);
    q += ld;
    v128.store(q, f64x2.add(v128.load(q), c30));
    v128.store(q, f64x2.add(v128.load(q, 16), c31), 16);
    q += ld;
    v128.store(q, f64x2.add(v128.load(q), c40));
    v128.store(q, f64x2.add(v128.load(q, 16), c41), 16);
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  v128.store(tile, c40, 128);
  v128.store(tile, c41, 144);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++) {
      const q = c + <usize>r * ld + ((<usize>j) << 3);
      store<f64>(q, load<f64>(q) + load<f64>(tile + ((<usize>(r * 4 + j)) << 3)));
    }
}

export function dgemm(
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  a: usize,
  ars: i32,
  acs: i32,
  b: usize,
  brs: i32,
  bcs: i32,
  c: usize,
  ldc: i32,
  work: usize,
): void {
  const pa = work;
  const pb = pa + ((<usize>(MC * KC)) << 3);
  const tile = pb + ((<usize>(KC * (NC + 8))) << 3);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB64(kc, nc, b + ((<usize>(pc * brs + jc * bcs)) << 3), brs, bcs, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA64(mc, kc, alpha, a + ((<usize>(ic * ars + pc * acs)) << 3), ars, acs, pa);
        for (let jr = 0; jr < nc; jr += 4) {
          const cols = min(4, nc - jr);
          for (let ir = 0; ir < mc; ir += 5) {
            kernel64(
              kc,
              pa + ((<usize>(ir * kc)) << 3),
              pb + ((<usize>(jr * kc)) << 3),
              c + ((<usize>((ic + ir) * ldc + jc + jr)) << 3),
              ldc,
              min(5, mc - ir),
              cols,
              tile,
            );
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// f32 GEMM, 5×8 tile (float32 accumulation, like sgemm).

function packA32(m: i32, k: i32, a: usize, ars: i32, acs: i32, pa: usize): void {
  for (let ib = 0; ib < m; ib += 5) {
    const rows = min(5, m - ib);
    for (let r = 0; r < 5; r++) {
      let dst = pa + ((<usize>(ib * k + r)) << 2);
      if (r < rows) {
        let src = a + ((<usize>((ib + r) * ars)) << 2);
        const step = (<usize>acs) << 2;
        for (let p = 0; p < k; p++) {
          store<f32>(dst, load<f32>(src));
          dst += 20;
          src += step;
        }
      } else {
        for (let p = 0; p < k; p++) {
          store<f32>(dst, 0);
          dst += 20;
        }
      }
    }
  }
}

function packB32(k: i32, n: i32, b: usize, brs: i32, bcs: i32, pb: usize): void {
  for (let jb = 0; jb < n; jb += 8) {
    const cols = min(8, n - jb);
    let dst = pb + ((<usize>(jb * k)) << 2);
    if (cols == 8 && bcs == 1) {
      let src = b + ((<usize>jb) << 2);
      const step = (<usize>brs) << 2;
      for (let p = 0; p < k; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += 32;
        src += step;
      }
    } else {
      for (let p = 0; p < k; p++) {
        for (let c = 0; c < 8; c++)
          store<f32>(
            dst + ((<usize>c) << 2),
            c < cols ? load<f32>(b + ((<usize>(p * brs + (jb + c) * bcs)) << 2)) : 0,
          );
        dst += 32;
      }
    }
  }
}

function kernel32(
  kc: i32,
  pa: usize,
  pb: usize,
  c: usize,
  ldc: i32,
  rows: i32,
  cols: i32,
  tile: usize,
): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0);
  let c41 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = f32x4.splat(load<f32>(pa));
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 4));
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 8));
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 12));
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 16));
    c40 = f32x4.add(c40, f32x4.mul(a, b0));
    c41 = f32x4.add(c41, f32x4.mul(a, b1));
    pa += 20;
    pb += 32;
  }
  const ld = (<usize>ldc) << 2;
  if (rows == 5 && cols == 8) {
    let q = c;
    v128.store(q, f32x4.add(v128.load(q), c00));
    v128.store(q, f32x4.add(v128.load(q, 16), c01), 16);
    q += ld;
    v128.store(q, f32x4.add(v128.load(q), c10));
    v128.store(q, f32x4.add(v128.load(q, 16), c11), 16);
    q += ld;
    v128.store(q, f32x4.add(v128.load(q), c20));
    v128.store(q, f32x4.add(v128.load(q, 16), c21), 16);
    q += ld;
    v128.store(q, f32x4.add(v128.load(q), c30));
    v128.store(q, f32x4.add(v128.load(q, 16), c31), 16);
    q += ld;
    v128.store(q, f32x4.add(v128.load(q), c40));
    v128.store(q, f32x4.add(v128.load(q, 16), c41), 16);
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  v128.store(tile, c40, 128);
  v128.store(tile, c41, 144);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++) {
      const q = c + <usize>r * ld + ((<usize>j) << 2);
      store<f32>(q, load<f32>(q) + load<f32>(tile + ((<usize>(r * 8 + j)) << 2)));
    }
}

/** C (m×n f32, row stride ldc) += A·B, strides as in dgemm (in f32 elements). */
export function sgemm(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  ars: i32,
  acs: i32,
  b: usize,
  brs: i32,
  bcs: i32,
  c: usize,
  ldc: i32,
  work: usize,
): void {
  const pa = work;
  const pb = pa + ((<usize>(MC * KC)) << 2);
  const tile = pb + ((<usize>(KC * (NC + 8))) << 2);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB32(kc, nc, b + ((<usize>(pc * brs + jc * bcs)) << 2), brs, bcs, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA32(mc, kc, a + ((<usize>(ic * ars + pc * acs)) << 2), ars, acs, pa);
        for (let jr = 0; jr < nc; jr += 8) {
          const cols = min(8, nc - jr);
          for (let ir = 0; ir < mc; ir += 5) {
            kernel32(
              kc,
              pa + ((<usize>(ir * kc)) << 2),
              pb + ((<usize>(jr * kc)) << 2),
              c + ((<usize>((ic + ir) * ldc + jc + jr)) << 2),
              ldc,
              min(5, mc - ir),
              cols,
              tile,
            );
          }
        }
      }
    }
  }
}

/** Rows of B per packed block (sgemmPackB ranges start at multiples of it). */
export function gemmKc(): i32 {
  return KC;
}

/** Bytes of B (k×n f32) packed once by sgemmPackB for every row block of C. */
export function sgemmPackBBytes(k: i32, n: i32): i32 {
  return k * ((n + 7) & ~7) * 4;
}

/**
 * Packs rows p0..p1-1 of B (k×n f32, strides as in sgemm; p0 a multiple of KC, p1 one too or k)
 * into pb, laid out for sgemmPacked: KC-row block p at pb + 4·p·npad (npad = n rounded up to 8),
 * inside it panels of 8 columns, column j's panel at + 4·j·kc. Threads can pack disjoint ranges.
 */
export function sgemmPackB(
  p0: i32,
  p1: i32,
  k: i32,
  n: i32,
  b: usize,
  brs: i32,
  bcs: i32,
  pb: usize,
): void {
  const npad = (n + 7) & ~7;
  for (let pc = p0; pc < p1; pc += KC) {
    const kc = min(KC, k - pc);
    packB32(kc, n, b + ((<usize>(pc * brs)) << 2), brs, bcs, pb + ((<usize>pc * <usize>npad) << 2));
  }
}

/** Bytes of scratch sgemmPacked needs (packed A block, one edge tile). */
export function sgemmPackedWorkBytes(): i32 {
  return (MC * KC + 64) * 4;
}

/**
 * C (m×n f32, row stride ldc) += A·B with B packed by sgemmPackB at pb (k×n): the row blocks of
 * one product share one packed B. A strides as in sgemm. work: sgemmPackedWorkBytes().
 */
export function sgemmPacked(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  ars: i32,
  acs: i32,
  pb: usize,
  c: usize,
  ldc: i32,
  work: usize,
): void {
  const pa = work;
  const tile = pa + ((<usize>(MC * KC)) << 2);
  const npad = (n + 7) & ~7;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const pbk = pb + ((<usize>pc * <usize>npad + <usize>(jc * kc)) << 2);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA32(mc, kc, a + ((<usize>(ic * ars + pc * acs)) << 2), ars, acs, pa);
        for (let jr = 0; jr < nc; jr += 8) {
          const cols = min(8, nc - jr);
          for (let ir = 0; ir < mc; ir += 5) {
            kernel32(
              kc,
              pa + ((<usize>(ir * kc)) << 2),
              pbk + ((<usize>(jr * kc)) << 2),
              c + ((<usize>((ic + ir) * ldc + jc + jr)) << 2),
              ldc,
              min(5, mc - ir),
              cols,
              tile,
            );
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// f64 level-1/2 kernels for the Householder reductions (row-major, ld in elements).

/** Σ x[i]·y[i], i < n. */
export function dot64(x: usize, y: usize, n: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 = f64x2.add(s0, f64x2.mul(v128.load(x), v128.load(y)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(x, 16), v128.load(y, 16)));
    x += 32;
    y += 32;
  }
  s0 = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
  for (; i < n; i++) {
    s += load<f64>(x) * load<f64>(y);
    x += 8;
    y += 8;
  }
  return s;
}

/** y[i] += alpha·x[i], i < n. */
export function axpy64(alpha: f64, x: usize, y: usize, n: i32): void {
  const av = f64x2.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(y, f64x2.add(v128.load(y), f64x2.mul(av, v128.load(x))));
    v128.store(y, f64x2.add(v128.load(y, 16), f64x2.mul(av, v128.load(x, 16))), 16);
    x += 32;
    y += 32;
  }
  for (; i < n; i++) {
    store<f64>(y, load<f64>(y) + alpha * load<f64>(x));
    x += 8;
    y += 8;
  }
}

/** w[j] = Σ_r v[r]·A[r, j] for an rows×cols block A at a (row stride ld). */
export function gemvT64(a: usize, ld: i32, rows: i32, cols: i32, v: usize, w: usize): void {
  memory.fill(w, 0, (<usize>cols) << 3);
  const ldb = (<usize>ld) << 3;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = a + <usize>r * ldb;
    const a1 = a0 + ldb;
    const a2 = a1 + ldb;
    const a3 = a2 + ldb;
    const s0 = load<f64>(v + ((<usize>r) << 3));
    const s1 = load<f64>(v + ((<usize>r) << 3), 8);
    const s2 = load<f64>(v + ((<usize>r) << 3), 16);
    const s3 = load<f64>(v + ((<usize>r) << 3), 24);
    const v0 = f64x2.splat(s0);
    const v1 = f64x2.splat(s1);
    const v2 = f64x2.splat(s2);
    const v3 = f64x2.splat(s3);
    let j = 0;
    for (; j + 2 <= cols; j += 2) {
      const o = (<usize>j) << 3;
      let acc = v128.load(w + o);
      acc = f64x2.add(acc, f64x2.mul(v0, v128.load(a0 + o)));
      acc = f64x2.add(acc, f64x2.mul(v1, v128.load(a1 + o)));
      acc = f64x2.add(acc, f64x2.mul(v2, v128.load(a2 + o)));
      acc = f64x2.add(acc, f64x2.mul(v3, v128.load(a3 + o)));
      v128.store(w + o, acc);
    }
    for (; j < cols; j++) {
      const o = (<usize>j) << 3;
      store<f64>(
        w + o,
        load<f64>(w + o) +
          s0 * load<f64>(a0 + o) +
          s1 * load<f64>(a1 + o) +
          s2 * load<f64>(a2 + o) +
          s3 * load<f64>(a3 + o),
      );
    }
  }
  for (; r < rows; r++) axpy64(load<f64>(v + ((<usize>r) << 3)), a + <usize>r * ldb, w, cols);
}

/**
 * y[r] = Σ_j A[r, j]·v[j] for an rows×cols block A at a (row stride ld): four rows per sweep,
 * so each v chunk is loaded once for four rows (the blocked bidiagonalization's A·u).
 */
export function gemvN64(a: usize, ld: i32, rows: i32, cols: i32, v: usize, y: usize): void {
  const ldb = (<usize>ld) << 3;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = a + <usize>r * ldb;
    const a1 = a0 + ldb;
    const a2 = a1 + ldb;
    const a3 = a2 + ldb;
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let s2 = f64x2.splat(0);
    let s3 = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= cols; j += 2) {
      const o = (<usize>j) << 3;
      const x = v128.load(v + o);
      s0 = f64x2.add(s0, f64x2.mul(x, v128.load(a0 + o)));
      s1 = f64x2.add(s1, f64x2.mul(x, v128.load(a1 + o)));
      s2 = f64x2.add(s2, f64x2.mul(x, v128.load(a2 + o)));
      s3 = f64x2.add(s3, f64x2.mul(x, v128.load(a3 + o)));
    }
    let t0 = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
    let t1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
    let t2 = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
    let t3 = f64x2.extract_lane(s3, 0) + f64x2.extract_lane(s3, 1);
    for (; j < cols; j++) {
      const o = (<usize>j) << 3;
      const x = load<f64>(v + o);
      t0 += x * load<f64>(a0 + o);
      t1 += x * load<f64>(a1 + o);
      t2 += x * load<f64>(a2 + o);
      t3 += x * load<f64>(a3 + o);
    }
    const yo = y + ((<usize>r) << 3);
    store<f64>(yo, t0);
    store<f64>(yo, t1, 8);
    store<f64>(yo, t2, 16);
    store<f64>(yo, t3, 24);
  }
  for (; r < rows; r++) store<f64>(y + ((<usize>r) << 3), dot64(a + <usize>r * ldb, v, cols));
}

/** A[r, j] += alpha·x[r]·y[j]. */
export function ger64(
  a: usize,
  ld: i32,
  rows: i32,
  cols: i32,
  alpha: f64,
  x: usize,
  y: usize,
): void {
  const ldb = (<usize>ld) << 3;
  for (let r = 0; r < rows; r++) {
    const s = alpha * load<f64>(x + ((<usize>r) << 3));
    if (s != 0) axpy64(s, y, a + <usize>r * ldb, cols);
  }
}

/** Each row of A: row −= tau·(row·u)·u (a reflector applied from the right). */
export function reflRight64(a: usize, ld: i32, rows: i32, cols: i32, u: usize, tau: f64): void {
  if (tau == 0) return;
  const ldb = (<usize>ld) << 3;
  for (let r = 0; r < rows; r++) {
    const row = a + <usize>r * ldb;
    const d = dot64(row, u, cols);
    if (d != 0) axpy64(-tau * d, u, row, cols);
  }
}

/** Fused: each row r: row += alpha·x[r]·w (left reflector), then row −= tau·(row·u)·u. */
export function gerReflRight64(
  a: usize,
  ld: i32,
  rows: i32,
  cols: i32,
  alpha: f64,
  x: usize,
  w: usize,
  u: usize,
  tau: f64,
): void {
  const ldb = (<usize>ld) << 3;
  for (let r = 0; r < rows; r++) {
    const row = a + <usize>r * ldb;
    const s = alpha * load<f64>(x + ((<usize>r) << 3));
    if (s != 0) axpy64(s, w, row, cols);
    if (tau != 0) {
      const d = dot64(row, u, cols);
      if (d != 0) axpy64(-tau * d, u, row, cols);
    }
  }
}

/**
 * gerReflRight64, and after each row r ≥ 1 is final: acc[j-1] += row[0]·row[j] (j = 1..cols-1),
 * i.e. acc = Σ_{r≥1} A[r,0]·A[r,1:] — the next bidiagonalization step's vᵀA up to the scale of v.
 */
export function gerReflRightAcc64(
  a: usize,
  ld: i32,
  rows: i32,
  cols: i32,
  alpha: f64,
  x: usize,
  w: usize,
  u: usize,
  tau: f64,
  acc: usize,
): void {
  if (cols > 1) memory.fill(acc, 0, (<usize>(cols - 1)) << 3);
  const ldb = (<usize>ld) << 3;
  for (let r = 0; r < rows; r++) {
    const row = a + <usize>r * ldb;
    const s = alpha * load<f64>(x + ((<usize>r) << 3));
    if (s != 0) axpy64(s, w, row, cols);
    if (tau != 0) {
      const d = dot64(row, u, cols);
      if (d != 0) axpy64(-tau * d, u, row, cols);
    }
    if (r >= 1 && cols > 1) {
      const c0 = load<f64>(row);
      if (c0 != 0) axpy64(c0, row + 8, acc, cols - 1);
    }
  }
}

/**
 * p = A·v for the symmetric len×len block at a stored in its lower triangle (row i holds
 * columns 0..i): p[i] += row_i[0..i]·v, p[j] += row_i[j]·v[i] (j < i).
 */
export function symvLower64(a: usize, ld: i32, len: i32, v: usize, p: usize): void {
  symvLowerRows64(a, ld, 0, len, v, p);
}

/**
 * Rows r0..r1-1 (r0 a multiple of 4) of symvLower64's sweep into their own p (zeroed on 0..r1-1):
 * the share of A·v that one thread computes; the shares of a partition of the rows sum to A·v.
 */
export function symvLowerRows64(a: usize, ld: i32, r0: i32, len: i32, v: usize, p: usize): void {
  symvRows(a, ld, r0, len, v, p, 0);
}

/** symvLowerRows64; when col ≠ 0 it also copies column 0 of the rows: col[i] = A[i, 0]. */
function symvRows(a: usize, ld: i32, r0: i32, len: i32, v: usize, p: usize, col: usize): void {
  memory.fill(p, 0, (<usize>len) << 3);
  const ldb = (<usize>ld) << 3;
  let i = r0;
  // four rows at a time: each p[j] (j < i) is loaded and stored once for the four rows
  for (; i + 4 <= len; i += 4) {
    const r0 = a + <usize>i * ldb;
    const r1 = r0 + ldb;
    const r2 = r1 + ldb;
    const r3 = r2 + ldb;
    const vo = v + ((<usize>i) << 3);
    const u0 = load<f64>(vo);
    const u1 = load<f64>(vo, 8);
    const u2 = load<f64>(vo, 16);
    const u3 = load<f64>(vo, 24);
    const w0 = f64x2.splat(u0);
    const w1 = f64x2.splat(u1);
    const w2 = f64x2.splat(u2);
    const w3 = f64x2.splat(u3);
    if (col) {
      const co = col + ((<usize>i) << 3);
      store<f64>(co, load<f64>(r0));
      store<f64>(co, load<f64>(r1), 8);
      store<f64>(co, load<f64>(r2), 16);
      store<f64>(co, load<f64>(r3), 24);
    }
    let c0 = f64x2.splat(0);
    let c1 = f64x2.splat(0);
    let c2 = f64x2.splat(0);
    let c3 = f64x2.splat(0);
    for (let j = 0; j < i; j += 2) {
      const o = (<usize>j) << 3;
      const vj = v128.load(v + o);
      const x0 = v128.load(r0 + o);
      const x1 = v128.load(r1 + o);
      const x2 = v128.load(r2 + o);
      const x3 = v128.load(r3 + o);
      c0 = f64x2.add(c0, f64x2.mul(x0, vj));
      c1 = f64x2.add(c1, f64x2.mul(x1, vj));
      c2 = f64x2.add(c2, f64x2.mul(x2, vj));
      c3 = f64x2.add(c3, f64x2.mul(x3, vj));
      let pj = v128.load(p + o);
      pj = f64x2.add(pj, f64x2.add(f64x2.mul(x0, w0), f64x2.mul(x1, w1)));
      pj = f64x2.add(pj, f64x2.add(f64x2.mul(x2, w2), f64x2.mul(x3, w3)));
      v128.store(p + o, pj);
    }
    const io = (<usize>i) << 3;
    // the 4×4 diagonal block (rows and columns i..i+3), lower triangle
    const a10 = load<f64>(r1 + io);
    const a20 = load<f64>(r2 + io);
    const a21 = load<f64>(r2 + io, 8);
    const a30 = load<f64>(r3 + io);
    const a31 = load<f64>(r3 + io, 8);
    const a32 = load<f64>(r3 + io, 16);
    const s0 = f64x2.extract_lane(c0, 0) + f64x2.extract_lane(c0, 1);
    const s1 = f64x2.extract_lane(c1, 0) + f64x2.extract_lane(c1, 1);
    const s2 = f64x2.extract_lane(c2, 0) + f64x2.extract_lane(c2, 1);
    const s3 = f64x2.extract_lane(c3, 0) + f64x2.extract_lane(c3, 1);
    const po = p + io;
    store<f64>(po, s0 + load<f64>(r0 + io) * u0 + a10 * u1 + a20 * u2 + a30 * u3);
    store<f64>(po, s1 + a10 * u0 + load<f64>(r1 + io, 8) * u1 + a21 * u2 + a31 * u3, 8);
    store<f64>(po, s2 + a20 * u0 + a21 * u1 + load<f64>(r2 + io, 16) * u2 + a32 * u3, 16);
    store<f64>(po, s3 + a30 * u0 + a31 * u1 + a32 * u2 + load<f64>(r3 + io, 24) * u3, 24);
  }
  for (; i < len; i++) {
    const row = a + <usize>i * ldb;
    if (col) store<f64>(col + ((<usize>i) << 3), load<f64>(row));
    const vi = load<f64>(v + ((<usize>i) << 3));
    const vv = f64x2.splat(vi);
    let acc = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= i; j += 2) {
      const o = (<usize>j) << 3;
      const x = v128.load(row + o);
      acc = f64x2.add(acc, f64x2.mul(x, v128.load(v + o)));
      v128.store(p + o, f64x2.add(v128.load(p + o), f64x2.mul(x, vv)));
    }
    let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; j < i; j++) {
      const o = (<usize>j) << 3;
      const x = load<f64>(row + o);
      s += x * load<f64>(v + o);
      store<f64>(p + o, load<f64>(p + o) + x * vi);
    }
    const o = (<usize>i) << 3;
    store<f64>(p + o, load<f64>(p + o) + s + load<f64>(row + o) * vi);
  }
}

/**
 * Lower-triangle rank-2 update of rows 1..len-1 of the len×len block at a, columns 1..i
 * (column 0 and row 0 are done by the caller): row_i[j] −= v[i]·p[j] + p[i]·v[j]; fused with
 * the next step's product pn = A'·vn over the trailing (len-1)×(len-1) block (vn[i-1] belongs to
 * row/column i), using the updated lower triangle only.
 */
export function syr2SymvLower64(
  a: usize,
  ld: i32,
  len: i32,
  v: usize,
  p: usize,
  vn: usize,
  pn: usize,
): void {
  if (len <= 1) return;
  memory.fill(pn, 0, (<usize>(len - 1)) << 3);
  const ldb = (<usize>ld) << 3;
  // shifted views so that index j (1-based in the block) addresses vn[j-1], pn[j-1]
  const vs = vn - 8;
  const ps = pn - 8;
  for (let i = 1; i < len; i++) {
    const row = a + <usize>i * ldb;
    const vi = load<f64>(v + ((<usize>i) << 3));
    const pi = load<f64>(p + ((<usize>i) << 3));
    const wi = load<f64>(vs + ((<usize>i) << 3));
    const vvi = f64x2.splat(-vi);
    const ppi = f64x2.splat(-pi);
    const wwi = f64x2.splat(wi);
    let acc = f64x2.splat(0);
    let j = 1;
    for (; j + 2 <= i; j += 2) {
      const o = (<usize>j) << 3;
      let x = v128.load(row + o);
      x = f64x2.add(x, f64x2.mul(vvi, v128.load(p + o)));
      x = f64x2.add(x, f64x2.mul(ppi, v128.load(v + o)));
      v128.store(row + o, x);
      acc = f64x2.add(acc, f64x2.mul(x, v128.load(vs + o)));
      v128.store(ps + o, f64x2.add(v128.load(ps + o), f64x2.mul(x, wwi)));
    }
    let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; j < i; j++) {
      const o = (<usize>j) << 3;
      const x = load<f64>(row + o) - vi * load<f64>(p + o) - pi * load<f64>(v + o);
      store<f64>(row + o, x);
      s += x * load<f64>(vs + o);
      store<f64>(ps + o, load<f64>(ps + o) + x * wi);
    }
    const o = (<usize>i) << 3;
    const x = load<f64>(row + o) - vi * pi - pi * vi;
    store<f64>(row + o, x);
    store<f64>(ps + o, load<f64>(ps + o) + s + x * wi);
  }
}

/** Plane rotation of two rows: x ← c·x + s·y, y ← c·y − s·x. */
export function rot64(x: usize, y: usize, n: i32, c: f64, s: f64): void {
  const cv = f64x2.splat(c);
  const sv = f64x2.splat(s);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const xv = v128.load(x);
    const yv = v128.load(y);
    v128.store(x, f64x2.add(f64x2.mul(cv, xv), f64x2.mul(sv, yv)));
    v128.store(y, f64x2.sub(f64x2.mul(cv, yv), f64x2.mul(sv, xv)));
    x += 16;
    y += 16;
  }
  for (; i < n; i++) {
    const xs = load<f64>(x);
    const ys = load<f64>(y);
    store<f64>(x, c * xs + s * ys);
    store<f64>(y, c * ys - s * xs);
    x += 8;
    y += 8;
  }
}

/**
 * A queued sequence of plane rotations applied in order to columns c0..c0+w-1 of a row-major
 * block at a (row stride ld elements): entry r of rots is (p, q, c, s) as f64 and does
 * row_p ← c·row_p + s·row_q, row_q ← c·row_q − s·row_p (the same arithmetic as rot64, so any
 * split of the columns gives identical bits).
 */
export function rotSeq64(a: usize, ld: i32, c0: i32, w: i32, rots: usize, count: i32): void {
  const base = a + ((<usize>c0) << 3);
  for (let r = 0; r < count; r++) {
    const e = rots + ((<usize>r) << 5);
    const p = <i32>load<f64>(e);
    const q = <i32>load<f64>(e, 8);
    const c = load<f64>(e, 16);
    const s = load<f64>(e, 24);
    rot64(base + ((<usize>(p * ld)) << 3), base + ((<usize>(q * ld)) << 3), w, c, s);
  }
}

// ---------------------------------------------------------------------------------------------
// Attention, f32: out = softmax(scale·Q·Kᵀ)·V in blocks of 5 queries. Kᵀ (attnPackK: panels of 8
// keys) and V (attnPackV: panels of 8 value columns) are packed once per head, so the 5×8
// register tiles of both products read contiguous memory; exp is a vectorized f32x4 kernel
// (expNeg4). The row-range entry points (attnStreamF32, attnWeightsF32) take the packed Kᵀ and V
// and the global index g0 of their first query (for the causal mask), so threads can split the
// queries of one head.
// - streaming: key blocks of 64 with the online softmax (Milakov & Gimelshein 2018;
//   FlashAttention), never materializing the T×S scores; output and entropy only.
// - with weights: per block of 5 queries the scores go straight into their rows of W (the only
//   pass over W in memory), the softmax runs on those rows while they are in cache, and W·V
//   reads them back from cache.

const BC: i32 = 64;
/** Queries per block of attnWeightsF32 (four 5-row register tiles share each Kᵀ and V panel). */
const QB: i32 = 20;
/** Keys per chunk of its W·V (an 8-column V panel chunk of 4 KB stays in L1 for the 4 tiles). */
const KCH: i32 = 128;

/** Bytes of Kᵀ packed in panels of 8 keys (attnPackK). */
export function attnPackBytes(S: i32, d: i32): i32 {
  return d * (S + 8) * 4;
}

/** Bytes of V [S,dv] packed in panels of 8 columns (attnPackV). */
export function attnPackVBytes(S: i32, dv: i32): i32 {
  return ((dv + 7) & ~7) * S * 4 + 32;
}

/** Bytes of per-thread scratch for attnStreamF32 / attnWeightsF32. */
export function attnRowWorkBytes(d: i32, dv: i32): i32 {
  const dvp = (dv + 7) & ~7;
  return (QB * d + QB * BC + QB * dvp + 40) * 4 + 4 * QB * 8 + 64;
}

export function attnWorkBytes(S: i32, d: i32, dv: i32): i32 {
  return attnPackBytes(S, d) + attnPackVBytes(S, dv) + attnRowWorkBytes(d, dv);
}

/** Packs Kᵀ [S,d] into panels of 8 keys ([S/8][d][8], zero-padded) at kt. */
export function attnPackK(k: usize, S: i32, d: i32, kt: usize): void {
  for (let jb = 0; jb < S; jb += 8) {
    const cols = min(8, S - jb);
    let dst = kt + ((<usize>(jb * d)) << 2);
    for (let c = 0; c < d; c++) {
      for (let j = 0; j < 8; j++)
        store<f32>(
          dst + ((<usize>j) << 2),
          j < cols ? load<f32>(k + ((<usize>((jb + j) * d + c)) << 2)) : 0,
        );
      dst += 32;
    }
  }
}

/** Packs V [S,dv] into panels of 8 columns ([dvp/8][S][8], zero-padded) at vp. */
export function attnPackV(v: usize, S: i32, dv: i32, vp: usize): void {
  const vrow = (<usize>dv) << 2;
  for (let c0 = 0; c0 < dv; c0 += 8) {
    const cols = min(8, dv - c0);
    let dst = vp + ((<usize>(c0 * S)) << 2);
    let src = v + ((<usize>c0) << 2);
    for (let j = 0; j < S; j++) {
      if (cols == 8) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      } else {
        for (let c = 0; c < 8; c++)
          store<f32>(dst + ((<usize>c) << 2), c < cols ? load<f32>(src + ((<usize>c) << 2)) : 0);
      }
      dst += 32;
      src += vrow;
    }
  }
}

// exp(x) for x ≤ 0 on four lanes: 2^n·e^r with n = round(x·log2 e), r = x − n·ln 2 (two-part
// ln 2, Cody & Waite), e^r by its degree-6 Taylor polynomial (|r| ≤ 0.347: relative error
// ≤ 2e-7, about 2 ulp with the roundings), 2^n built in the exponent bits. The rounding adds
// 1.5·2^23, which leaves n in the low bits of the sum (no float→int conversion). x < −87 gives
// 0 (expf would give a subnormal below 1.7e-38), −∞ gives 0, NaN stays NaN.
const EXP_LOG2E: f32 = 1.44269504;
const EXP_LN2_HI: f32 = 0.693359375;
const EXP_LN2_LO: f32 = -2.1219444e-4;
const EXP_LOW: f32 = -87.0;
const EXP_ROUND: f32 = 12582912.0; // 1.5·2^23, bits 0x4B400000

// The softmax passes of both attention kernels (streaming and with weights). WebAssembly's
// f32x4.max is not one instruction on x86 (V8 emits a sequence for its NaN and ±0 rules);
// f32x4.pmax (a < b ? b : a) is one `maxps`. A NaN is then not carried by the maximum, but it is
// by the exp that follows: exp(NaN − m) is NaN, so the row's sum and every weight become NaN.
// Only a row of −∞ and NaN needs care (its maximum would read as "fully masked"): that case is
// looked up.

/** Maximum of n ≥ 1 floats at p (NaN if any is NaN and the others are −∞; see above). */
function rowMax(p: usize, n: i32): f32 {
  let j = 0;
  let m0 = f32x4.splat(-Infinity);
  let m1 = m0;
  let m2 = m0;
  let m3 = m0;
  for (; j + 16 <= n; j += 16) {
    const q = p + ((<usize>j) << 2);
    m0 = f32x4.pmax(m0, v128.load(q));
    m1 = f32x4.pmax(m1, v128.load(q, 16));
    m2 = f32x4.pmax(m2, v128.load(q, 32));
    m3 = f32x4.pmax(m3, v128.load(q, 48));
  }
  for (; j + 4 <= n; j += 4) m0 = f32x4.pmax(m0, v128.load(p + ((<usize>j) << 2)));
  m0 = f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3));
  const x1 = f32x4.extract_lane(m0, 1);
  const x2 = f32x4.extract_lane(m0, 2);
  const x3 = f32x4.extract_lane(m0, 3);
  let m: f32 = f32x4.extract_lane(m0, 0);
  if (x1 > m) m = x1;
  if (x2 > m) m = x2;
  if (x3 > m) m = x3;
  for (; j < n; j++) {
    const x = load<f32>(p + ((<usize>j) << 2));
    if (x > m) m = x;
  }
  if (m == -Infinity)
    for (let i = 0; i < n; i++) {
      const x = load<f32>(p + ((<usize>i) << 2));
      if (x != x) return x;
    }
  return m;
}

/** exp of four lanes x ≤ 0 (above); the clamp is one `maxps` (pmax keeps a NaN x: NaN < LOW is false). */
function expNeg4(x: v128): v128 {
  const xc = f32x4.pmax(x, f32x4.splat(EXP_LOW));
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(EXP_LOG2E)), f32x4.splat(EXP_ROUND));
  const n = f32x4.sub(t, f32x4.splat(EXP_ROUND));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(EXP_LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(EXP_LN2_LO)));
  let p = f32x4.splat(<f32>(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 120.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 24.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 6.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1.0));
  // bits(t) = 0x4B400000 + n: 2^n has exponent bits n + 127
  const two = i32x4.shl(i32x4.add(t, i32x4.splat(127 - 0x4b400000)), 23);
  return v128.andnot(f32x4.mul(p, two), f32x4.lt(x, f32x4.splat(EXP_LOW)));
}

/**
 * p[j] = e_j = exp(p[j] − m) for j < n, in place; returns Σ e_j in ls and Σ e_j·(p[j] − m) (terms
 * with e_j = 0 add −0: x is clamped at EXP_LOW, so never 0·−∞) in us, both f64 (f32 partial sums
 * of at most BC keys).
 */
function expRow(p: usize, n: i32, m: f32, lsus: usize): void {
  const mv = f32x4.splat(m);
  const zero = f32x4.splat(0);
  let l: f64 = 0;
  let u: f64 = 0;
  let j = 0;
  while (j < n) {
    const jend = min(n, j + BC);
    let l4 = zero;
    let u4 = zero;
    for (; j + 4 <= jend; j += 4) {
      const q = p + ((<usize>j) << 2);
      const x = f32x4.sub(v128.load(q), mv);
      const e = expNeg4(x);
      v128.store(q, e);
      l4 = f32x4.add(l4, e);
      // e·x with x clamped at EXP_LOW: where e = 0 the term is −0 (never 0·−∞ = NaN), so no
      // mask is needed
      u4 = f32x4.add(u4, f32x4.mul(e, f32x4.pmax(x, f32x4.splat(EXP_LOW))));
    }
    let lb: f32 =
      f32x4.extract_lane(l4, 0) +
      f32x4.extract_lane(l4, 1) +
      (f32x4.extract_lane(l4, 2) + f32x4.extract_lane(l4, 3));
    let ub: f32 =
      f32x4.extract_lane(u4, 0) +
      f32x4.extract_lane(u4, 1) +
      (f32x4.extract_lane(u4, 2) + f32x4.extract_lane(u4, 3));
    for (; j < jend; j++) {
      const q = p + ((<usize>j) << 2);
      const x = load<f32>(q) - m;
      const e = expNegF32(x);
      store<f32>(q, e);
      lb += e;
      if (e > 0) ub += e * x;
    }
    l += <f64>lb;
    u += <f64>ub;
  }
  store<f64>(lsus, l);
  store<f64>(lsus, u, 8);
}

/** expNeg4 of one value. */
export function expNegF32(x: f32): f32 {
  return f32x4.extract_lane(expNeg4(f32x4.splat(x)), 0);
}

/** Vectorized exp for tests: y[i] = expNegF32(x[i]), i < n. */
export function expNegF32Array(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4)
    v128.store(y + ((<usize>i) << 2), expNeg4(v128.load(x + ((<usize>i) << 2))));
  for (; i < n; i++) store<f32>(y + ((<usize>i) << 2), expNegF32(load<f32>(x + ((<usize>i) << 2))));
}

export function attnF32(
  q: usize,
  k: usize,
  v: usize,
  out: usize,
  ent: usize,
  T: i32,
  S: i32,
  d: i32,
  dv: i32,
  scale: f32,
  causal: i32,
  work: usize,
): void {
  const vp = work + <usize>attnPackBytes(S, d);
  attnPackK(k, S, d, work);
  attnPackV(v, S, dv, vp);
  attnStreamF32(
    work,
    q,
    vp,
    out,
    ent,
    T,
    S,
    d,
    dv,
    scale,
    causal,
    0,
    vp + <usize>attnPackVBytes(S, dv),
  );
}

/** Copies rows×8 scaled queries into qa as [d][5] (rows beyond `rows` are zero). */

function packQ5(q: usize, i0: i32, rows: i32, d: i32, scale: f32, qa: usize): void {
  for (let c = 0; c < d; c++)
    for (let r = 0; r < 5; r++)
      store<f32>(
        qa + ((<usize>(c * 5 + r)) << 2),
        r < rows ? scale * load<f32>(q + ((<usize>((i0 + r) * d + c)) << 2)) : 0,
      );
}

/** st [5][ldst] (+ offset jb) = qa (5×d) · Kᵀ panel at pb (d×8): one 5×8 tile. */

function scoreTile(d: i32, qa: usize, pb: usize, st: usize, RB: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0);
  let c41 = f32x4.splat(0);
  let pa = qa;
  for (let c = 0; c < d; c++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = f32x4.splat(load<f32>(pa));
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 4));
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 8));
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 12));
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 16));
    c40 = f32x4.add(c40, f32x4.mul(a, b0));
    c41 = f32x4.add(c41, f32x4.mul(a, b1));
    pa += 20;
    pb += 32;
  }
  v128.store(st, c00);
  v128.store(st, c01, 16);
  v128.store(st + RB, c10);
  v128.store(st + RB, c11, 16);
  v128.store(st + 2 * RB, c20);
  v128.store(st + 2 * RB, c21, 16);
  v128.store(st + 3 * RB, c30);
  v128.store(st + 3 * RB, c31, 16);
  v128.store(st + 4 * RB, c40);
  v128.store(st + 4 * RB, c41, 16);
}

/**
 * ob (5 rows, stride RO bytes) += E (5 rows at e0..e4, f32 per key) · V[j0:j0+jn] over dvp
 * columns in 5×8 tiles, V packed by attnPackV (S keys per panel).
 */

function accumulateEV(
  ob: usize,
  RO: usize,
  dvp: i32,
  vp: usize,
  S: i32,
  j0: i32,
  jn: i32,
  e0: usize,
  e1: usize,
  e2: usize,
  e3: usize,
  e4: usize,
): void {
  for (let c = 0; c < dvp; c += 8) {
    const o0 = ob + ((<usize>c) << 2);
    let c00 = v128.load(o0);
    let c01 = v128.load(o0, 16);
    let c10 = v128.load(o0 + RO);
    let c11 = v128.load(o0 + RO, 16);
    let c20 = v128.load(o0 + 2 * RO);
    let c21 = v128.load(o0 + 2 * RO, 16);
    let c30 = v128.load(o0 + 3 * RO);
    let c31 = v128.load(o0 + 3 * RO, 16);
    let c40 = v128.load(o0 + 4 * RO);
    let c41 = v128.load(o0 + 4 * RO, 16);
    let pb = vp + ((<usize>(c * S + j0 * 8)) << 2);
    let o: usize = 0;
    for (let j = 0; j < jn; j++) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let a = f32x4.splat(load<f32>(e0 + o));
      c00 = f32x4.add(c00, f32x4.mul(a, b0));
      c01 = f32x4.add(c01, f32x4.mul(a, b1));
      a = f32x4.splat(load<f32>(e1 + o));
      c10 = f32x4.add(c10, f32x4.mul(a, b0));
      c11 = f32x4.add(c11, f32x4.mul(a, b1));
      a = f32x4.splat(load<f32>(e2 + o));
      c20 = f32x4.add(c20, f32x4.mul(a, b0));
      c21 = f32x4.add(c21, f32x4.mul(a, b1));
      a = f32x4.splat(load<f32>(e3 + o));
      c30 = f32x4.add(c30, f32x4.mul(a, b0));
      c31 = f32x4.add(c31, f32x4.mul(a, b1));
      a = f32x4.splat(load<f32>(e4 + o));
      c40 = f32x4.add(c40, f32x4.mul(a, b0));
      c41 = f32x4.add(c41, f32x4.mul(a, b1));
      pb += 32;
      o += 4;
    }
    v128.store(o0, c00);
    v128.store(o0, c01, 16);
    v128.store(o0 + RO, c10);
    v128.store(o0 + RO, c11, 16);
    v128.store(o0 + 2 * RO, c20);
    v128.store(o0 + 2 * RO, c21, 16);
    v128.store(o0 + 3 * RO, c30);
    v128.store(o0 + 3 * RO, c31, 16);
    v128.store(o0 + 4 * RO, c40);
    v128.store(o0 + 4 * RO, c41, 16);
  }
}

/**
 * One 8-column panel: ob (5 rows, stride RO bytes, 8 floats each) += E (5 rows at e0..e4) ·
 * V chunk (jn keys of the panel at pv, 32 bytes per key).
 */
function accumulatePanel(
  ob: usize,
  RO: usize,
  pv: usize,
  jn: i32,
  e0: usize,
  e1: usize,
  e2: usize,
  e3: usize,
  e4: usize,
): void {
  let c00 = v128.load(ob);
  let c01 = v128.load(ob, 16);
  let c10 = v128.load(ob + RO);
  let c11 = v128.load(ob + RO, 16);
  let c20 = v128.load(ob + 2 * RO);
  let c21 = v128.load(ob + 2 * RO, 16);
  let c30 = v128.load(ob + 3 * RO);
  let c31 = v128.load(ob + 3 * RO, 16);
  let c40 = v128.load(ob + 4 * RO);
  let c41 = v128.load(ob + 4 * RO, 16);
  let o: usize = 0;
  for (let j = 0; j < jn; j++) {
    const b0 = v128.load(pv);
    const b1 = v128.load(pv, 16);
    let a = f32x4.splat(load<f32>(e0 + o));
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(e1 + o));
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(e2 + o));
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(e3 + o));
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(e4 + o));
    c40 = f32x4.add(c40, f32x4.mul(a, b0));
    c41 = f32x4.add(c41, f32x4.mul(a, b1));
    pv += 32;
    o += 4;
  }
  v128.store(ob, c00);
  v128.store(ob, c01, 16);
  v128.store(ob + RO, c10);
  v128.store(ob + RO, c11, 16);
  v128.store(ob + 2 * RO, c20);
  v128.store(ob + 2 * RO, c21, 16);
  v128.store(ob + 3 * RO, c30);
  v128.store(ob + 3 * RO, c31, 16);
  v128.store(ob + 4 * RO, c40);
  v128.store(ob + 4 * RO, c41, 16);
}

/**
 * Streaming attention for queries g0..g0+T-1 (q, out, ent point at the first of them) with Kᵀ
 * packed by attnPackK at kt and V packed by attnPackV at vp. work: attnRowWorkBytes(d, dv).
 */
export function attnStreamF32(
  kt: usize,
  q: usize,
  vp: usize,
  out: usize,
  ent: usize,
  T: i32,
  S: i32,
  d: i32,
  dv: i32,
  scale: f32,
  causal: i32,
  g0: i32,
  work: usize,
): void {
  const dvp = (dv + 7) & ~7;
  const qa = (work + 15) & ~15; // QB/5 × [d][5]
  const st = qa + ((<usize>(QB * d)) << 2); // [QB][BC]
  const ob = st + ((<usize>(QB * BC)) << 2); // [QB][dvp]
  const ms = (ob + ((<usize>(QB * dvp)) << 2) + 15) & ~15; // m, l, u per row (f64)
  const ls = ms + ((<usize>QB) << 3);
  const us = ls + ((<usize>QB) << 3);
  const lu = us + ((<usize>QB) << 3); // expRow's two sums
  const vrow = (<usize>dv) << 2;
  const RB: usize = (<usize>BC) << 2;
  const RO: usize = (<usize>dvp) << 2;
  for (let i0 = 0; i0 < T; i0 += QB) {
    const rows = min(QB, T - i0);
    const tiles = (rows + 4) / 5;
    for (let t = 0; t < tiles; t++)
      packQ5(q, i0 + 5 * t, min(5, rows - 5 * t), d, scale, qa + ((<usize>(5 * t * d)) << 2));
    memory.fill(ob, 0, (<usize>(QB * dvp)) << 2);
    for (let r = 0; r < QB; r++) {
      store<f64>(ms + ((<usize>r) << 3), -Infinity);
      store<f64>(ls + ((<usize>r) << 3), 0);
      store<f64>(us + ((<usize>r) << 3), 0);
    }
    const limit = causal ? min(S, g0 + i0 + rows) : S;
    for (let j0 = 0; j0 < limit; j0 += BC) {
      const jn = min(BC, limit - j0);
      // scores: 5×8 tiles over d, each 5-row tile up to its own limit (the key block's Kᵀ
      // panels stay in L1 for the block's tiles)
      for (let t = 0; t < tiles; t++) {
        const tlim = causal ? min(S, g0 + i0 + 5 * t + min(5, rows - 5 * t)) : S;
        const jt = min(jn, tlim - j0);
        const qt = qa + ((<usize>(5 * t * d)) << 2);
        for (let jb = 0; jb < jt; jb += 8)
          scoreTile(
            d,
            qt,
            kt + ((<usize>((j0 + jb) * d)) << 2),
            st + <usize>(5 * t) * RB + ((<usize>jb) << 2),
            RB,
          );
      }
      // online softmax per row: st becomes e = exp(s − m) (zeros past the row's keys)
      for (let r = 0; r < 5 * tiles; r++) {
        const srow = st + <usize>r * RB;
        let rlim = r < rows ? jn : 0;
        if (causal) rlim = min(rlim, g0 + i0 + r + 1 - j0);
        if (rlim <= 0) {
          memory.fill(srow, 0, RB);
          continue;
        }
        const bm = rowMax(srow, rlim);
        let m = load<f64>(ms + ((<usize>r) << 3));
        let l = load<f64>(ls + ((<usize>r) << 3));
        let u = load<f64>(us + ((<usize>r) << 3));
        if (<f64>bm > m) {
          if (m == -Infinity) {
            u = 0;
            l = 0;
          } else {
            const al = Math.exp(m - <f64>bm);
            u = al * (u - (<f64>bm - m) * l);
            l *= al;
            const av = f32x4.splat(<f32>al);
            const orow = ob + <usize>r * RO;
            for (let c = 0; c < dvp; c += 4) {
              const o = orow + ((<usize>c) << 2);
              v128.store(o, f32x4.mul(av, v128.load(o)));
            }
          }
          m = <f64>bm;
        }
        expRow(srow, rlim, <f32>m, lu);
        if (rlim < BC) memory.fill(srow + ((<usize>rlim) << 2), 0, (<usize>(BC - rlim)) << 2);
        store<f64>(ms + ((<usize>r) << 3), m);
        store<f64>(ls + ((<usize>r) << 3), l + load<f64>(lu));
        store<f64>(us + ((<usize>r) << 3), u + load<f64>(lu, 8));
      }
      // ob += E·V[j0:j0+jn], tile by tile (the key block's V rows stay in L1)
      for (let t = 0; t < tiles; t++) {
        const tlim = causal ? min(S, g0 + i0 + 5 * t + min(5, rows - 5 * t)) : S;
        const jt = min(jn, tlim - j0);
        if (jt <= 0) continue;
        const et = st + <usize>(5 * t) * RB;
        accumulateEV(
          ob + <usize>(5 * t) * RO,
          RO,
          dvp,
          vp,
          S,
          j0,
          jt,
          et,
          et + RB,
          et + 2 * RB,
          et + 3 * RB,
          et + 4 * RB,
        );
      }
    }
    for (let r = 0; r < rows; r++) {
      const l = load<f64>(ls + ((<usize>r) << 3));
      const u = load<f64>(us + ((<usize>r) << 3));
      const inv: f32 = l > 0 ? <f32>(1 / l) : 0;
      const orow = ob + <usize>r * RO;
      const dst = out + <usize>(i0 + r) * vrow;
      for (let c = 0; c < dv; c++)
        store<f32>(dst + ((<usize>c) << 2), inv * load<f32>(orow + ((<usize>c) << 2)));
      store<f64>(ent + ((<usize>(i0 + r)) << 3), l > 0 ? Math.log(l) - u / l : 0);
    }
  }
}

/**
 * Attention with weights for queries g0..g0+T-1: w [T,S] f32 (row stride S) gets the exact
 * softmax of scale·Q·Kᵀ (+ mask [T,S] f32 when mask != 0; −∞ blocks a key; causal blocks keys
 * j > g0+i), rowSum [T] f64 Σ_j w_ij as stored, ent [T] f64 the entropy (nats), and, when
 * out != 0, out [T,dv] = W·V (V packed by attnPackV at vp). A fully masked query gets zero
 * weights, output, sum and entropy. Kᵀ packed by attnPackK at kt; q, w, out, ent, rowSum and
 * mask point at the first of the T queries. work: attnRowWorkBytes(d, dv).
 * Float32 scores, exp and weights; the normalizer and entropy sums in f64 per 64-key block.
 */
export function attnWeightsF32(
  kt: usize,
  q: usize,
  vp: usize,
  out: usize,
  w: usize,
  ent: usize,
  rowSum: usize,
  T: i32,
  S: i32,
  d: i32,
  dv: i32,
  scale: f32,
  causal: i32,
  g0: i32,
  mask: usize,
  work: usize,
): void {
  const dvp = (dv + 7) & ~7;
  const qa = (work + 15) & ~15; // QB/5 × [d][5]
  const st = qa + ((<usize>(QB * d)) << 2); // [5][8] score tile (stride 8)
  const ob = st + 160; // [QB][dvp]
  const lu = (ob + ((<usize>(QB * dvp)) << 2) + 15) & ~15; // expRow's two sums
  const wrow = (<usize>S) << 2;
  const vrow = (<usize>dv) << 2;
  const RO = (<usize>dvp) << 2;
  for (let i0 = 0; i0 < T; i0 += QB) {
    const rows = min(QB, T - i0);
    const tiles = (rows + 4) / 5;
    for (let t = 0; t < tiles; t++)
      packQ5(q, i0 + 5 * t, min(5, rows - 5 * t), d, scale, qa + ((<usize>(5 * t * d)) << 2));
    const limit = causal ? min(S, g0 + i0 + rows) : S;
    const w0 = w + <usize>i0 * wrow;
    // 1. scores straight into the rows of w (full tiles), else through st; each Kᵀ panel is
    // used by the block's 5-row tiles in turn while it is in L1
    for (let jb = 0; jb < limit; jb += 8) {
      const kp = kt + ((<usize>(jb * d)) << 2);
      for (let t = 0; t < tiles; t++) {
        const tr = min(5, rows - 5 * t);
        const tlim = causal ? min(S, g0 + i0 + 5 * t + tr) : S;
        if (jb >= tlim) continue;
        const wt = w0 + <usize>(5 * t) * wrow;
        const qt = qa + ((<usize>(5 * t * d)) << 2);
        if (tr == 5 && jb + 8 <= S) {
          scoreTile(d, qt, kp, wt + ((<usize>jb) << 2), wrow);
          continue;
        }
        scoreTile(d, qt, kp, st, 32);
        const cols = min(8, tlim - jb);
        for (let r = 0; r < tr; r++) {
          const dst = wt + <usize>r * wrow + ((<usize>jb) << 2);
          const src = st + ((<usize>r) << 5);
          for (let j = 0; j < cols; j++)
            store<f32>(dst + ((<usize>j) << 2), load<f32>(src + ((<usize>j) << 2)));
        }
      }
    }
    // 2. exact softmax per row (mask added), entropy, row sum; keys past the row's limit → 0
    for (let r = 0; r < rows; r++) {
      const gi = g0 + i0 + r;
      const wr = w0 + <usize>r * wrow;
      const rlim = causal ? min(S, gi + 1) : S;
      if (mask != 0) {
        const mr = mask + <usize>(i0 + r) * wrow;
        let j = 0;
        for (; j + 4 <= rlim; j += 4) {
          const o = (<usize>j) << 2;
          v128.store(wr + o, f32x4.add(v128.load(wr + o), v128.load(mr + o)));
        }
        for (; j < rlim; j++) {
          const o = (<usize>j) << 2;
          store<f32>(wr + o, load<f32>(wr + o) + load<f32>(mr + o));
        }
      }
      if (rlim < S) memory.fill(wr + ((<usize>rlim) << 2), 0, (<usize>(S - rlim)) << 2);
      const mx = rlim > 0 ? rowMax(wr, rlim) : -Infinity;
      if (mx == -Infinity) {
        memory.fill(wr, 0, (<usize>rlim) << 2);
        store<f64>(ent + ((<usize>(i0 + r)) << 3), 0);
        store<f64>(rowSum + ((<usize>(i0 + r)) << 3), 0);
        continue;
      }
      expRow(wr, rlim, mx, lu);
      const l = load<f64>(lu);
      const u = load<f64>(lu, 8);
      const inv = <f32>(1 / l);
      const iv = f32x4.splat(inv);
      let j = 0;
      let rs0 = f32x4.splat(0);
      for (; j + 4 <= rlim; j += 4) {
        const p = wr + ((<usize>j) << 2);
        const x = f32x4.mul(iv, v128.load(p));
        v128.store(p, x);
        rs0 = f32x4.add(rs0, x);
      }
      let rs: f64 =
        <f64>f32x4.extract_lane(rs0, 0) +
        <f64>f32x4.extract_lane(rs0, 1) +
        <f64>f32x4.extract_lane(rs0, 2) +
        <f64>f32x4.extract_lane(rs0, 3);
      for (; j < rlim; j++) {
        const p = wr + ((<usize>j) << 2);
        const x = inv * load<f32>(p);
        store<f32>(p, x);
        rs += <f64>x;
      }
      store<f64>(ent + ((<usize>(i0 + r)) << 3), Math.log(l) - u / l);
      store<f64>(rowSum + ((<usize>(i0 + r)) << 3), rs);
    }
    // 3. out = W·V, the rows of w still in cache: per 8-column V panel and chunk of KCH keys,
    // each 5-row tile in turn (keys up to its own limit; rows past the tile read its row 0 and
    // are dropped)
    if (out != 0) {
      memory.fill(ob, 0, (<usize>(QB * dvp)) << 2);
      for (let c = 0; c < dvp; c += 8) {
        for (let j0 = 0; j0 < limit; j0 += KCH) {
          const pv = vp + ((<usize>(c * S + j0 * 8)) << 2);
          for (let t = 0; t < tiles; t++) {
            const tr = min(5, rows - 5 * t);
            const tlim = causal ? min(S, g0 + i0 + 5 * t + tr) : S;
            const jn = min(KCH, tlim - j0);
            if (jn <= 0) continue;
            const e0 = w0 + <usize>(5 * t) * wrow + ((<usize>j0) << 2);
            accumulatePanel(
              ob + <usize>(5 * t) * RO + ((<usize>c) << 2),
              RO,
              pv,
              jn,
              e0,
              tr > 1 ? e0 + wrow : e0,
              tr > 2 ? e0 + 2 * wrow : e0,
              tr > 3 ? e0 + 3 * wrow : e0,
              tr > 4 ? e0 + 4 * wrow : e0,
            );
          }
        }
      }
      for (let r = 0; r < rows; r++) {
        const orow = ob + <usize>r * RO;
        const dst = out + <usize>(i0 + r) * vrow;
        for (let c = 0; c < dv; c++)
          store<f32>(dst + ((<usize>c) << 2), load<f32>(orow + ((<usize>c) << 2)));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One Francis double-shift QR sweep (EISPACK hqr2's inner k loop) on the nn×nn row-major
// Hessenberg matrix at h: the bulge from row m is chased to row n; rows get SIMD 3-row
// reflector updates over columns k..jEnd. Column updates (columns k..k+2) are applied at once
// only to the bulge rows k+1..k+3 that later steps read; rows iStart..k, and every row of the
// Schur vectors at vm (when vm != 0), get theirs after the sweep, row by row (contiguous), in
// the same order per element as hqr2 (identical results, no column-strided passes).
// Row updates run in blocks of SWEEP_BLOCK steps: at once on the columns the block's column
// updates touch, then in one register-rolling pass over the remaining columns.
// p, q, r: the first column of the shift polynomial, normalized. ws: 10·nn f64 of scratch.

function colRefl(b: usize, x: f64, y: f64, z: f64, q: f64, r: f64, three: bool): void {
  const b0 = load<f64>(b);
  const b1 = load<f64>(b, 8);
  let t = x * b0 + y * b1;
  if (three) {
    const b2 = load<f64>(b, 16);
    t += z * b2;
    store<f64>(b, b2 - t * r, 16);
  }
  store<f64>(b, b0 - t);
  store<f64>(b, b1 - t * q, 8);
}

export function francisSweep(
  h: usize,
  nn: i32,
  m: i32,
  n: i32,
  l: i32,
  iStart: i32,
  jEnd: i32,
  vm: usize,
  p: f64,
  q: f64,
  r: f64,
  ws: usize,
): void {
  const ld = (<usize>nn) << 3;
  let x: f64 = 0;
  for (let k0 = m; k0 <= n - 1; k0 += SWEEP_BLOCK) {
    const k1 = min(n - 1, k0 + SWEEP_BLOCK - 1);
    // columns ≤ nearEnd are the ones this block's column updates touch: row updates there
    // happen at once; the columns after it get the block's row updates in one pass below
    const nearEnd = min(jEnd, k1 + 2);
    sweepBlock(h, ld, m, n, l, iStart, nearEnd, k0, k1, p, q, r, x, ws);
    p = load<f64>(ws + <usize>(k1 * 6) * 8, 48);
    q = load<f64>(ws + <usize>(k1 * 6) * 8, 56);
    r = load<f64>(ws + <usize>(k1 * 6) * 8, 64);
    x = load<f64>(ws + <usize>(k1 * 6) * 8, 72);
    farRows(h, ld, k0, k1, nearEnd + 1, jEnd, ws);
  }
  deferredColumns(h, ld, nn, m, n, iStart, vm, ws);
}

const SWEEP_BLOCK: i32 = 32;

/**
 * 3-row (kind 3) or 2-row (kind 2) reflectors k0..k1 applied in order to columns j0..j1, in
 * chunks of 64 columns so the block's rows stay in L1 while every reflector passes over them.
 */
function farRows(h: usize, ld: usize, k0: i32, k1: i32, j0: i32, j1: i32, ws: usize): void {
  for (let c0 = j0; c0 <= j1; c0 += 64) {
    const c1 = min(j1, c0 + 63);
    for (let k = k0; k <= k1; k++) {
      const wk = ws + <usize>(k * 10) * 8;
      const kind = load<f64>(wk, 40);
      if (kind == 0) continue;
      rowRefl(h + <usize>k * ld, ld, c0, c1, wk, kind == 3);
    }
  }
}

/** Rows r, r+1 (, r+2) at rk (row stride ld), columns j0..j1: the step's reflector from wk. */
function rowRefl(rk: usize, ld: usize, j0: i32, j1: i32, wk: usize, three: bool): void {
  const x = load<f64>(wk);
  const y = load<f64>(wk, 8);
  const z = load<f64>(wk, 16);
  const q = load<f64>(wk, 24);
  const r = load<f64>(wk, 32);
  const rk1 = rk + ld;
  const rk2 = rk1 + ld;
  let j = j0;
  const qv = f64x2.splat(q);
  const rv = f64x2.splat(r);
  const xv = f64x2.splat(x);
  const yv = f64x2.splat(y);
  const zv = f64x2.splat(z);
  if (three) {
    for (; j + 1 <= j1; j += 2) {
      const o = (<usize>j) << 3;
      const a0 = v128.load(rk + o);
      const a1 = v128.load(rk1 + o);
      const a2 = v128.load(rk2 + o);
      const t = f64x2.add(f64x2.add(a0, f64x2.mul(qv, a1)), f64x2.mul(rv, a2));
      v128.store(rk + o, f64x2.sub(a0, f64x2.mul(t, xv)));
      v128.store(rk1 + o, f64x2.sub(a1, f64x2.mul(t, yv)));
      v128.store(rk2 + o, f64x2.sub(a2, f64x2.mul(t, zv)));
    }
    for (; j <= j1; j++) {
      const o = (<usize>j) << 3;
      const a0 = load<f64>(rk + o);
      const a1 = load<f64>(rk1 + o);
      const a2 = load<f64>(rk2 + o);
      const t = a0 + q * a1 + r * a2;
      store<f64>(rk + o, a0 - t * x);
      store<f64>(rk1 + o, a1 - t * y);
      store<f64>(rk2 + o, a2 - t * z);
    }
  } else {
    for (; j + 1 <= j1; j += 2) {
      const o = (<usize>j) << 3;
      const a0 = v128.load(rk + o);
      const a1 = v128.load(rk1 + o);
      const t = f64x2.add(a0, f64x2.mul(qv, a1));
      v128.store(rk + o, f64x2.sub(a0, f64x2.mul(t, xv)));
      v128.store(rk1 + o, f64x2.sub(a1, f64x2.mul(t, yv)));
    }
    for (; j <= j1; j++) {
      const o = (<usize>j) << 3;
      const a0 = load<f64>(rk + o);
      const a1 = load<f64>(rk1 + o);
      const t = a0 + q * a1;
      store<f64>(rk + o, a0 - t * x);
      store<f64>(rk1 + o, a1 - t * y);
    }
  }
}

/** Steps k0..k1 of the sweep; row updates over columns k..jEnd (jEnd = the block's nearEnd). */
function sweepBlock(
  h: usize,
  ld: usize,
  m: i32,
  n: i32,
  l: i32,
  iStart: i32,
  jEnd: i32,
  k0: i32,
  k1: i32,
  p: f64,
  q: f64,
  r: f64,
  x: f64,
  ws: usize,
): void {
  for (let k = k0; k <= k1; k++) {
    const notlast = k != n - 1;
    const rk = h + <usize>k * ld;
    const wk = ws + <usize>(k * 10) * 8;
    store<f64>(wk, 0, 40); // skipped unless set below
    if (k != m) {
      p = load<f64>(rk + ((<usize>(k - 1)) << 3));
      q = load<f64>(rk + ld + ((<usize>(k - 1)) << 3));
      r = notlast ? load<f64>(rk + 2 * ld + ((<usize>(k - 1)) << 3)) : 0;
      x = Math.abs(p) + Math.abs(q) + Math.abs(r);
      if (x == 0) continue;
      p /= x;
      q /= x;
      r /= x;
    }
    let s = Math.sqrt(p * p + q * q + r * r);
    if (p < 0) s = -s;
    if (s == 0) continue;
    if (k != m) store<f64>(rk + ((<usize>(k - 1)) << 3), -s * x);
    else if (l != m)
      store<f64>(rk + ((<usize>(k - 1)) << 3), -load<f64>(rk + ((<usize>(k - 1)) << 3)));
    p += s;
    x = p / s;
    const y = q / s;
    const z = r / s;
    q /= p;
    r /= p;
    store<f64>(wk, x);
    store<f64>(wk, y, 8);
    store<f64>(wk, z, 16);
    store<f64>(wk, q, 24);
    store<f64>(wk, r, 32);
    store<f64>(wk, notlast ? 3 : 2, 40);
    // rows k..k+2, columns k..jEnd
    const rk1 = rk + ld;
    const rk2 = rk1 + ld;
    let j = k;
    const qv = f64x2.splat(q);
    const rv = f64x2.splat(r);
    const xv = f64x2.splat(x);
    const yv = f64x2.splat(y);
    const zv = f64x2.splat(z);
    if (notlast) {
      for (; j + 1 <= jEnd; j += 2) {
        const o = (<usize>j) << 3;
        const a0 = v128.load(rk + o);
        const a1 = v128.load(rk1 + o);
        const a2 = v128.load(rk2 + o);
        const t = f64x2.add(f64x2.add(a0, f64x2.mul(qv, a1)), f64x2.mul(rv, a2));
        v128.store(rk + o, f64x2.sub(a0, f64x2.mul(t, xv)));
        v128.store(rk1 + o, f64x2.sub(a1, f64x2.mul(t, yv)));
        v128.store(rk2 + o, f64x2.sub(a2, f64x2.mul(t, zv)));
      }
      for (; j <= jEnd; j++) {
        const o = (<usize>j) << 3;
        const a0 = load<f64>(rk + o);
        const a1 = load<f64>(rk1 + o);
        const a2 = load<f64>(rk2 + o);
        const t = a0 + q * a1 + r * a2;
        store<f64>(rk + o, a0 - t * x);
        store<f64>(rk1 + o, a1 - t * y);
        store<f64>(rk2 + o, a2 - t * z);
      }
    } else {
      for (; j + 1 <= jEnd; j += 2) {
        const o = (<usize>j) << 3;
        const a0 = v128.load(rk + o);
        const a1 = v128.load(rk1 + o);
        const t = f64x2.add(a0, f64x2.mul(qv, a1));
        v128.store(rk + o, f64x2.sub(a0, f64x2.mul(t, xv)));
        v128.store(rk1 + o, f64x2.sub(a1, f64x2.mul(t, yv)));
      }
      for (; j <= jEnd; j++) {
        const o = (<usize>j) << 3;
        const a0 = load<f64>(rk + o);
        const a1 = load<f64>(rk1 + o);
        const t = a0 + q * a1;
        store<f64>(rk + o, a0 - t * x);
        store<f64>(rk1 + o, a1 - t * y);
      }
    }
    // columns k..k+2 of the bulge rows max(iStart, k+1)..min(n, k+3) now
    const ck = (<usize>k) << 3;
    const iEnd = min(n, k + 3);
    for (let i = max(iStart, k + 1); i <= iEnd; i++)
      colRefl(h + <usize>i * ld + ck, x, y, z, q, r, notlast);
  }
  // the loop state the next block continues from
  const wl = ws + <usize>(k1 * 10) * 8;
  store<f64>(wl, p, 48);
  store<f64>(wl, q, 56);
  store<f64>(wl, r, 64);
  store<f64>(wl, x, 72);
}

/** The sweep's deferred column updates: rows iStart..n-1 of h, and all rows of the Schur vectors. */
function deferredColumns(
  h: usize,
  ld: usize,
  nn: i32,
  m: i32,
  n: i32,
  iStart: i32,
  vm: usize,
  ws: usize,
): void {
  // row i of h gets reflectors k = max(i, m)..n-1 (i ≤ k), in order; the Schur vectors all of them
  deferredRows(h, ld, iStart, n - 1, m, n - 1, true, ws);
  if (vm != 0) deferredRows(vm, ld, 0, nn - 1, m, n - 1, false, ws);
}

/**
 * Rows i0..i1 at base: reflectors k = (tri ? max(i, m) : m)..k1 on columns k..k+2, four rows at
 * a time so the four per-row dependency chains overlap.
 */
function deferredRows(
  base: usize,
  ld: usize,
  i0: i32,
  i1: i32,
  m: i32,
  k1: i32,
  tri: bool,
  ws: usize,
): void {
  let i = i0;
  for (; i + 3 <= i1; i += 4) {
    const ks = tri ? max(i + 3, m) : m;
    // the leading reflectors of the upper rows of the group, one row at a time
    if (tri)
      for (let rr = 0; rr < 3; rr++)
        for (let k = max(i + rr, m); k < ks && k <= k1; k++)
          colStep(base + <usize>(i + rr) * ld, k, ws);
    const r0 = base + <usize>i * ld;
    const r1 = r0 + ld;
    const r2 = r1 + ld;
    const r3 = r2 + ld;
    for (let k = ks; k <= k1; k++) {
      const wk = ws + <usize>(k * 10) * 8;
      const kind = load<f64>(wk, 40);
      if (kind == 0) continue;
      const x = load<f64>(wk);
      const y = load<f64>(wk, 8);
      const z = load<f64>(wk, 16);
      const q = load<f64>(wk, 24);
      const r = load<f64>(wk, 32);
      const ck = (<usize>k) << 3;
      const three = kind == 3;
      colRefl(r0 + ck, x, y, z, q, r, three);
      colRefl(r1 + ck, x, y, z, q, r, three);
      colRefl(r2 + ck, x, y, z, q, r, three);
      colRefl(r3 + ck, x, y, z, q, r, three);
    }
  }
  for (; i <= i1; i++) {
    const row = base + <usize>i * ld;
    for (let k = tri ? max(i, m) : m; k <= k1; k++) colStep(row, k, ws);
  }
}

function colStep(row: usize, k: i32, ws: usize): void {
  const wk = ws + <usize>(k * 10) * 8;
  const kind = load<f64>(wk, 40);
  if (kind == 0) return;
  colRefl(
    row + ((<usize>k) << 3),
    load<f64>(wk),
    load<f64>(wk, 8),
    load<f64>(wk, 16),
    load<f64>(wk, 24),
    load<f64>(wk, 32),
    kind == 3,
  );
}

// ---------------------------------------------------------------------------------------------
// Symmetric eigenvalues (blocked tridiagonalization, ../blockedTridiagonal.ts)

/**
 * symvLowerRows64 (rows r0..r1-1 into their own p, zeroed on 0..r1-1) that also copies column 0
 * of those rows, col[i] = A[i, 0]: the first column of the block, which the blocked reduction
 * needs next (the next reflector's column), contiguous and without a strided second pass.
 */
export function symvLowerRowsCol64(
  a: usize,
  ld: i32,
  r0: i32,
  r1: i32,
  v: usize,
  p: usize,
  col: usize,
): void {
  symvRows(a, ld, r0, r1, v, p, col);
}

/** Bytes of B (k×n f64) packed once by dgemmPackB for every row block of C. */
export function dgemmPackBBytes(k: i32, n: i32): i32 {
  return k * ((n + 3) & ~3) * 8;
}

/**
 * Packs rows p0..p1-1 of B (k×n f64, strides as in dgemm; p0 a multiple of KC, p1 one too or k)
 * into pb for dgemmPacked: KC-row block pc at pb + 8·pc·npad (npad = n rounded up to 4), inside
 * it panels of 4 columns, column j's panel at + 8·j·kc.
 */
export function dgemmPackB(
  p0: i32,
  p1: i32,
  k: i32,
  n: i32,
  b: usize,
  brs: i32,
  bcs: i32,
  pb: usize,
): void {
  const npad = (n + 3) & ~3;
  for (let pc = p0; pc < p1; pc += KC) {
    const kc = min(KC, k - pc);
    packB64(kc, n, b + ((<usize>(pc * brs)) << 3), brs, bcs, pb + ((<usize>pc * <usize>npad) << 3));
  }
}

/** Bytes of scratch dgemmPacked needs (packed A block, one edge tile). */
export function dgemmPackedWorkBytes(): i32 {
  return (MC * KC + 64) * 8;
}

/**
 * C (m×n f64, row stride ldc) += alpha·A·B[:, 0..n) with B (k×nb, nb ≥ n) packed by dgemmPackB
 * at pb: the row blocks of one product share one packed B, and a block may use only its first n
 * columns (the lower-triangle updates). With diag ≥ 0, row i's diagonal is column diag + i and
 * register tiles wholly right of the diagonal are skipped (what they would write there is
 * undefined: callers keep only the lower triangle). A strides as in dgemm.
 * work: dgemmPackedWorkBytes().
 */
export function dgemmPacked(
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  a: usize,
  ars: i32,
  acs: i32,
  pb: usize,
  nb: i32,
  c: usize,
  ldc: i32,
  diag: i32,
  work: usize,
): void {
  const pa = work;
  const tile = pa + ((<usize>(MC * KC)) << 3);
  const npad = (nb + 3) & ~3;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const pbk = pb + ((<usize>pc * <usize>npad + <usize>(jc * kc)) << 3);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA64(mc, kc, alpha, a + ((<usize>(ic * ars + pc * acs)) << 3), ars, acs, pa);
        for (let jr = 0; jr < nc; jr += 4) {
          const cols = min(4, nc - jr);
          for (let ir = 0; ir < mc; ir += 5) {
            const rows = min(5, mc - ir);
            if (diag >= 0 && jc + jr > diag + ic + ir + rows - 1) continue;
            kernel64(
              kc,
              pa + ((<usize>(ir * kc)) << 3),
              pbk + ((<usize>(jr * kc)) << 3),
              c + ((<usize>((ic + ir) * ldc + jc + jr)) << 3),
              ldc,
              rows,
              cols,
              tile,
            );
          }
        }
      }
    }
  }
}

// One panel of the blocked tridiagonal reduction (LAPACK dlatrd, lower) run SPMD by every
// thread of a pool job: the first thread to arrive leads (the O(n) reflector work of each
// column), and all of them claim row bands of each column's symmetric product from control
// words in this memory, so a column costs a few atomic operations instead of a job hand-off.
// A thread that never arrives (descheduled, or no helper) leaves its bands to the others.
// The single-memory build has no atomics: there a panel only ever runs on one thread.

/** Control words (i32, byte offsets from ctl) of tridiagPanel64. */
const TP_LEADER: usize = 0; // 0 until a thread takes the lead
const TP_COL: usize = 4; // the published phase (column i: i + 1); -1 when the panel is over
const TP_CLAIM: usize = 8; // phase << 12 | items claimed of the phase
const TP_DONE: usize = 12; // items of the published phase finished
const TP_ABORT: usize = 16; // 1: the leader gave up waiting on a band (the caller reruns)
/** Bytes of tridiagPanel64's control block. */
export function tridiagPanelCtlBytes(): i32 {
  return 32;
}
/** Busy-wait rounds before sleeping, and the sleep slice (ns); ~1 s of slices is "stuck". */
const TP_SPIN: i32 = 20000;
const TP_SLICE: i64 = 1000000;
const TP_STUCK: i32 = 1000;

function tpLoad(p: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.load<i32>(p);
  return load<i32>(p);
}
function tpStore(p: usize, v: i32): void {
  if (ASC_FEATURE_THREADS) atomic.store<i32>(p, v);
  else store<i32>(p, v);
}
function tpCas(p: usize, expected: i32, v: i32): i32 {
  if (ASC_FEATURE_THREADS) return atomic.cmpxchg<i32>(p, expected, v);
  const o = load<i32>(p);
  if (o === expected) store<i32>(p, v);
  return o;
}
function tpAdd(p: usize, v: i32): void {
  if (ASC_FEATURE_THREADS) atomic.add<i32>(p, v);
  else store<i32>(p, load<i32>(p) + v);
}
/** Sleeps (≤ one slice) while *p = expected; false where threads cannot wait (one thread). */
function tpWait(p: usize, expected: i32): bool {
  if (ASC_FEATURE_THREADS) {
    atomic.wait<i32>(p, expected, TP_SLICE);
    return true;
  }
  return false;
}
function tpNotify(p: usize): void {
  if (ASC_FEATURE_THREADS) atomic.notify(p, 1);
}

/** ‖x[0..len)‖₂ without overflow or harmful underflow (as householder.ts norm2). */
function norm2At(x: usize, len: i32): f64 {
  const s = dot64(x, x, len);
  if (s > 1e-280 && s < 1e280) return Math.sqrt(s);
  let scale: f64 = 0;
  for (let i = 0; i < len; i++) scale = max(scale, Math.abs(load<f64>(x + ((<usize>i) << 3))));
  if (scale === 0 || !isFinite(scale)) return scale;
  let t: f64 = 0;
  for (let i = 0; i < len; i++) {
    const v = load<f64>(x + ((<usize>i) << 3)) / scale;
    t += v * v;
  }
  return scale * Math.sqrt(t);
}

function hypotAt(a: f64, b: f64): f64 {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const mx = max(x, y);
  if (mx === 0) return 0;
  if (mx > 1e-150 && mx < 1e150) return Math.sqrt(x * x + y * y);
  const r = min(x, y) / mx;
  return mx * Math.sqrt(1 + r * r);
}

/**
 * Reflector of x[0..len) in place (LAPACK dlarfg, as householder.ts): x[0] ← β, x[1..] ← v[1..],
 * returns τ (0 when x[1..] is zero). Tiny β is generated after scaling by 2^969 (at most 20×).
 */
function householderAt(x: usize, len: i32): f64 {
  if (len <= 1) return 0;
  const SAFMIN_EPS: f64 = reinterpret<f64>(0x0360000000000000); // 2^-969
  const RSAFMIN_EPS: f64 = reinterpret<f64>(0x7c80000000000000); // 2^969
  let alpha = load<f64>(x);
  let xnorm = norm2At(x + 8, len - 1);
  if (xnorm === 0) return 0;
  let beta = -(alpha >= 0 ? 1.0 : -1.0) * hypotAt(alpha, xnorm);
  let knt = 0;
  if (Math.abs(beta) < SAFMIN_EPS) {
    do {
      knt++;
      for (let i = 1; i < len; i++) {
        const p = x + ((<usize>i) << 3);
        store<f64>(p, load<f64>(p) * RSAFMIN_EPS);
      }
      beta *= RSAFMIN_EPS;
      alpha *= RSAFMIN_EPS;
    } while (Math.abs(beta) < SAFMIN_EPS && knt < 20);
    xnorm = norm2At(x + 8, len - 1);
    beta = -(alpha >= 0 ? 1.0 : -1.0) * hypotAt(alpha, xnorm);
  }
  const tau = (beta - alpha) / beta;
  const scale = 1 / (alpha - beta);
  for (let i = 1; i < len; i++) {
    const p = x + ((<usize>i) << 3);
    store<f64>(p, load<f64>(p) * scale);
  }
  for (let j = 0; j < knt; j++) beta *= SAFMIN_EPS;
  store<f64>(x, beta);
  return tau;
}

/** Row bands of column i's product (1 below 128 rows, else 4 of about equal triangle area). */
function tpBands(m: i32): i32 {
  return m >= 128 ? 4 : 1;
}
/** End row of band b of an m-row product split in `bands`. */
function tpBandEnd(m: i32, b: i32, bands: i32): i32 {
  if (b + 1 >= bands) return m;
  return <i32>Math.floor((<f64>m * Math.sqrt(<f64>(b + 1) / <f64>bands)) / 4) * 4;
}
/** Rows per block of the trailing update (a multiple of the 5-row register tile). */
const TP_UPDATE_ROWS: i32 = 60;
/** Columns per packing item of the trailing update's B. */
const TP_PACK_COLS: i32 = 64;

/**
 * Items of phase `ph` of a panel (ph = i + 1 ≤ nb: the bands of column i's product; nb + 1: the
 * packing of B for the trailing update; nb + 2: the update's row blocks), for n, k, nb.
 */
function tpItems(ph: i32, n: i32, k: i32, nb: i32): i32 {
  const rest = n - k - nb;
  if (ph <= nb) return tpBands(n - (k + ph - 1) - 1);
  if (ph === nb + 1) return (rest + TP_PACK_COLS - 1) / TP_PACK_COLS;
  return (rest + TP_UPDATE_ROWS - 1) / TP_UPDATE_ROWS;
}

/**
 * Packs columns j0..j1-1 of the trailing update's B into pb in dgemmPackB's layout (k = 2nb
 * rows, one KC block): B row q is Yt row q ^ 1 (W for V and V for W) from column t0 on.
 */
function tpPack(yt: usize, ld: i32, t0: i32, k2: i32, j0: i32, j1: i32, pb: usize): void {
  const ldb = (<usize>ld) << 3;
  for (let jb = j0; jb < j1; jb += 4) {
    const cols = min(4, j1 - jb);
    let dst = pb + ((<usize>(jb * k2)) << 3);
    const src = yt + ((<usize>(t0 + jb)) << 3);
    for (let q = 0; q < k2; q++) {
      const row = src + <usize>(q ^ 1) * ldb;
      if (cols === 4) {
        v128.store(dst, v128.load(row));
        v128.store(dst, v128.load(row, 16), 16);
      } else
        for (let c = 0; c < 4; c++)
          store<f64>(dst + ((<usize>c) << 3), c < cols ? load<f64>(row + ((<usize>c) << 3)) : 0);
      dst += 32;
    }
  }
}

/**
 * Claims and runs items of phase ph until none is left (see tpItems): band b of column i's
 * product (rows of A(c+1:, c+1:), c = k + i) into its partial vector part + b·n (one band:
 * straight into p), copying column c+1 into col unless i is the panel's last; a packing chunk;
 * a row block of the update A(k+nb:, k+nb:) −= Y·Sᵀ (the longest rows first).
 */
function tpClaim(
  ctl: usize,
  ph: i32,
  a: usize,
  n: i32,
  k: i32,
  nb: i32,
  yt: usize,
  ld: i32,
  v: usize,
  p: usize,
  col: usize,
  part: usize,
  pb: usize,
  work: usize,
  s: usize,
  t: usize,
  cv: usize,
): void {
  const items = tpItems(ph, n, k, nb);
  const tag = ph << 12;
  const rest = n - k - nb;
  for (;;) {
    const w = tpLoad(ctl + TP_CLAIM);
    if ((w & ~4095) !== tag || (w & 4095) >= items) return;
    if (tpCas(ctl + TP_CLAIM, w, w + 1) !== w) continue;
    const b = w & 4095;
    if (ph <= nb) {
      const c = k + ph - 1;
      const m = n - c - 1;
      const blk = a + ((<usize>(c + 1) * <usize>n + <usize>(c + 1)) << 3);
      const cc = ph < nb ? col : 0;
      const i = ph - 1;
      const r0 = items === 1 || b === 0 ? 0 : tpBandEnd(m, b - 1, items);
      const r1 = items === 1 ? m : tpBandEnd(m, b, items);
      const tb = t + ((<usize>(b * 2 * nb)) << 3);
      if (r1 > r0) {
        symvRows(blk, n, r0, r1, v, items === 1 ? p : part + ((<usize>b * <usize>n) << 3), cc);
        if (i > 0) {
          // this band's share of (Vᵀv; Wᵀv) over its rows (summed by the leader)
          const y = yt + ((<usize>(i + 1 + r0)) << 3);
          gemvN64(y, ld, 2 * i, r1 - r0, v + ((<usize>r0) << 3), tb);
          // and the next column's update by the panel's reflectors before this one, on these
          // rows (the leader adds this column's pair once w is known); s holds the coefficients
          if (cc) {
            const o = (<usize>r0) << 3;
            gemvT64(y, ld, 2 * i, r1 - r0, s, cv + o);
            axpy64(-1, cv + o, col + o, r1 - r0);
          }
        }
      } else if (i > 0) memory.fill(tb, 0, (<usize>(2 * i)) << 3);
    } else if (ph === nb + 1) {
      const j0 = b * TP_PACK_COLS;
      tpPack(yt, ld, nb, 2 * nb, j0, min(rest, j0 + TP_PACK_COLS), pb);
    } else {
      const r0 = (items - 1 - b) * TP_UPDATE_ROWS;
      const r1 = min(rest, r0 + TP_UPDATE_ROWS);
      const c0 = a + ((<usize>(k + nb) * <usize>n + <usize>(k + nb)) << 3);
      dgemmPacked(
        r1 - r0,
        r1,
        2 * nb,
        -1,
        yt + ((<usize>(nb + r0)) << 3),
        1,
        ld,
        pb,
        rest,
        c0 + ((<usize>r0 * <usize>n) << 3),
        n,
        r0,
        work,
      );
    }
    tpAdd(ctl + TP_DONE, 1);
    tpNotify(ctl + TP_DONE);
  }
}

/**
 * The leader's side of phase ph: publishes it, claims items like the others, and waits until
 * every item is done. False when a helper held an item for ~1 s (the panel is then abandoned:
 * ABORT set to `abort`, the helpers told to leave).
 */
function tpPhase(
  ctl: usize,
  ph: i32,
  a: usize,
  n: i32,
  k: i32,
  nb: i32,
  yt: usize,
  ld: i32,
  v: usize,
  p: usize,
  col: usize,
  part: usize,
  pb: usize,
  work: usize,
  s: usize,
  t: usize,
  cv: usize,
  abort: i32 = 1,
): bool {
  const items = tpItems(ph, n, k, nb);
  tpStore(ctl + TP_CLAIM, ph << 12);
  tpStore(ctl + TP_DONE, 0);
  tpStore(ctl + TP_COL, ph);
  tpNotify(ctl + TP_COL);
  tpClaim(ctl, ph, a, n, k, nb, yt, ld, v, p, col, part, pb, work, s, t, cv);
  let spins = 0;
  let stuck = 0;
  for (;;) {
    const done = tpLoad(ctl + TP_DONE);
    if (done >= items) return true;
    if (++spins < TP_SPIN) continue;
    if (!tpWait(ctl + TP_DONE, done) || ++stuck > TP_STUCK) {
      tpStore(ctl + TP_ABORT, abort);
      tpStore(ctl + TP_COL, -1);
      tpNotify(ctl + TP_COL);
      return false;
    }
  }
  return true;
}

/**
 * One panel of the blocked tridiagonal reduction of the symmetric n×n matrix at a (row-major,
 * lower triangle), columns k..k+nb-1, and then its trailing update — exactly the TypeScript
 * loop of blockedTridiagonal.ts plus trailingUpdate. For each column c: its update by the
 * panel's earlier reflectors, its reflector v (into Yt row 2i, from column i + 1 = global row
 * c + 1), d[c], e[c], and w = τ·(A₂₂·v − V·Wᵀv − W·Vᵀv) − ½τ²(…)·v into Yt row 2i + 1, with
 * A₂₂ as it stood at the start of the panel (the panel reads A, it writes only Yt). Then
 * A(k+nb:, k+nb:) −= V·Wᵀ + W·Vᵀ over the lower triangle by row blocks with B packed once.
 * Yt: 2nb rows of stride ld ≥ n − k, zeroed by the caller; vv, p, cv, col: f64 of n; s, t: of
 * 2nb; part: 4 partial vectors of n; d, e: f64 of n; pb: dgemmPackBBytes(2nb, n − k − nb);
 * ctl: tridiagPanelCtlBytes() zeroed by the caller; work: dgemmPackedWorkBytes(), one per
 * thread (the pool appends each thread's own). Every thread of the job calls it with the same
 * arguments; the first leads, the others claim bands, packing chunks and update blocks until
 * the panel is over. ABORT (i32 at ctl + 16) on return, once every thread has left the job:
 * 1 — the leader gave up before the update (A untouched): run the panel again (ctl zeroed);
 * 2 — it gave up during the update: the panel stands if DONE (ctl + 12) counts every row block
 * (the helper finished them), else the reduction has failed.
 */
export function tridiagPanel64(
  ctl: usize,
  a: usize,
  n: i32,
  k: i32,
  nb: i32,
  yt: usize,
  ld: i32,
  vv: usize,
  p: usize,
  cv: usize,
  col: usize,
  s: usize,
  t: usize,
  part: usize,
  d: usize,
  e: usize,
  pb: usize,
  work: usize,
): void {
  if (tpCas(ctl + TP_LEADER, 0, 1) !== 0) {
    // a helper: the items of each published phase, until the panel is over
    let seen = 0;
    let spins = 0;
    let idle = 0;
    for (;;) {
      const cur = tpLoad(ctl + TP_COL);
      if (cur < 0) return;
      if (cur === seen) {
        if (++spins < TP_SPIN) continue;
        // the leader is slow (or descheduled): sleep in slices; after ~1 s leave it alone
        if (!tpWait(ctl + TP_COL, cur) || ++idle > TP_STUCK) return;
        continue;
      }
      seen = cur;
      spins = 0;
      idle = 0;
      tpClaim(ctl, cur, a, n, k, nb, yt, ld, vv, p, col, part, pb, work, s, t, cv);
    }
  }
  const ldb = (<usize>ld) << 3;
  for (let i = 0; i < nb; i++) {
    const c = k + i;
    const len = n - c;
    const colc = a + ((<usize>c * <usize>n + <usize>c) << 3);
    if (i === 0) {
      const nbytes = (<usize>n) << 3;
      for (let j = 0; j < len; j++)
        store<f64>(col + ((<usize>j) << 3), load<f64>(colc + <usize>j * nbytes));
    } else {
      // col −= V(c:, :i)·W(c, :i)ᵀ + W(c:, :i)·V(c, :i)ᵀ: the pairs before i − 1 were done by the
      // previous column's bands, the last pair (v, w of column i − 1) here
      const rv = yt + <usize>(2 * i - 2) * ldb + ((<usize>i) << 3);
      axpy64(-load<f64>(rv + ldb), rv, col, len);
      axpy64(-load<f64>(rv), rv + ldb, col, len);
    }
    store<f64>(d + ((<usize>c) << 3), load<f64>(col));
    const m = len - 1;
    memory.copy(vv, col + 8, (<usize>m) << 3);
    const tau = householderAt(vv, m);
    store<f64>(e + ((<usize>c) << 3), load<f64>(vv));
    store<f64>(vv, 1);
    const y0 = <usize>(i + 1);
    memory.copy(yt + <usize>(2 * i) * ldb + (y0 << 3), vv, (<usize>m) << 3);
    // the coefficients of the next column's update by pairs 0..i-1 (its row c + 1 of W and V)
    for (let q = 0; q < i; q++) {
      const r = yt + <usize>(2 * q) * ldb + (y0 << 3);
      store<f64>(s + ((<usize>(2 * q)) << 3), load<f64>(r + ldb));
      store<f64>(s + ((<usize>(2 * q + 1)) << 3), load<f64>(r));
    }
    // the product A₂₂·v by bands, shared with the helpers
    if (!tpPhase(ctl, i + 1, a, n, k, nb, yt, ld, vv, p, col, part, pb, work, s, t, cv)) return;
    const bands = tpBands(m);
    if (bands > 1) {
      // p = Σ partial vectors, the last band's first (fixed order: any thread count, same bits)
      memory.copy(p, part + ((<usize>(bands - 1) * <usize>n) << 3), (<usize>m) << 3);
      for (let b = 0; b < bands - 1; b++) {
        const r1 = tpBandEnd(m, b, bands);
        if (r1 > (b === 0 ? 0 : tpBandEnd(m, b - 1, bands)))
          axpy64(1, part + ((<usize>b * <usize>n) << 3), p, r1);
      }
    }
    if (i > 0) {
      if (bands > 1)
        // (Vᵀv; Wᵀv) = the bands' shares, in band order
        for (let b = 1; b < bands; b++) axpy64(1, t + ((<usize>(b * 2 * nb)) << 3), t, 2 * i);
      for (let q = 0; q < i; q++) {
        store<f64>(s + ((<usize>(2 * q)) << 3), load<f64>(t + ((<usize>(2 * q + 1)) << 3)));
        store<f64>(s + ((<usize>(2 * q + 1)) << 3), load<f64>(t + ((<usize>(2 * q)) << 3)));
      }
      gemvT64(yt + (y0 << 3), ld, 2 * i, m, s, cv);
      axpy64(-1, cv, p, m);
    }
    let pv: f64 = 0;
    for (let j = 0; j < m; j++) {
      const o = (<usize>j) << 3;
      const pj = tau * load<f64>(p + o);
      store<f64>(p + o, pj);
      pv += pj * load<f64>(vv + o);
    }
    axpy64(-0.5 * tau * pv, vv, p, m);
    memory.copy(yt + <usize>(2 * i + 1) * ldb + (y0 << 3), p, (<usize>m) << 3);
  }
  // the trailing update: B packed by chunks, then the row blocks
  if (n - k - nb > 0) {
    if (!tpPhase(ctl, nb + 1, a, n, k, nb, yt, ld, vv, p, col, part, pb, work, s, t, cv)) return;
    tpUpdate(ctl, nb + 2, a, n, k, nb, yt, ld, vv, p, col, part, pb, work, s, t, cv);
  }
  tpStore(ctl + TP_COL, -1);
  tpNotify(ctl + TP_COL);
}

/**
 * tpPhase for the update, which A is written by: nothing can be redone when a helper holds a
 * block for ~1 s (descheduled, or killed), as A is half updated. ABORT = 2 then; a live helper
 * still finishes every block it can claim before it leaves, so the caller checks DONE once the
 * job is over (a dead one fails it).
 */
function tpUpdate(
  ctl: usize,
  ph: i32,
  a: usize,
  n: i32,
  k: i32,
  nb: i32,
  yt: usize,
  ld: i32,
  v: usize,
  p: usize,
  col: usize,
  part: usize,
  pb: usize,
  work: usize,
  s: usize,
  t: usize,
  cv: usize,
): void {
  tpPhase(ctl, ph, a, n, k, nb, yt, ld, v, p, col, part, pb, work, s, t, cv, 2);
}
