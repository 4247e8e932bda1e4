/**
 * Loader for the SIMD WebAssembly kernels (assembly/kernels.ts, embedded as base64 by
 * scripts/build-wasm.mjs) and an equivalent pure-TypeScript engine for hosts without
 * WebAssembly. Both expose one interface over a private heap: callers allocate in it, write
 * through the typed-array views `f64`/`f32` (re-read them after every allocation: growing the
 * memory replaces the views), call kernels with element indices, and release in stack order.
 * Uses only the global `WebAssembly` (Node workers, browsers). By default single-threaded with a
 * private memory; {@link createSharedWasmEngine} builds the same engine over a shared memory
 * (the second build of the module) so a parallel executor's threads can run kernels by name on
 * one heap (see ../parallel.ts; the compute worker installs one with {@link installEngine}).
 */
import {
  KERNELS_SHARED_MAX_PAGES,
  KERNELS_SHARED_WASM_BASE64,
  KERNELS_WASM_BASE64,
} from './kernels.wasm';

export interface Engine {
  readonly kind: 'wasm' | 'ts';
  /** wasm only: calls the module's export `name` with raw (byte-address) arguments */
  call?(name: string, args: readonly number[]): number;
  /** views of the heap (replaced when it grows) */
  readonly f64: Float64Array;
  readonly f32: Float32Array;
  /** allocation mark, for {@link release} */
  mark(): number;
  release(mark: number): void;
  /** n float64 (resp. float32) slots, 16-byte aligned; returns the element index */
  alloc64(n: number): number;
  alloc32(n: number): number;
  /**
   * Copies f64[i, end) (resp. f32) out of the heap, into `into` at `at` when given. Use these,
   * not `f64.slice`: on a shared memory V8 copies float views element by element (~5 ms/MB)
   * while a byte copy is a memcpy.
   */
  slice64(i: number, end: number): Float64Array;
  slice32(i: number, end: number, into?: Float32Array, at?: number): Float32Array;
  /** C (m×n, row stride ldc) += alpha·A·B, A(i,p) = f64[a + i·ars + p·acs], B(p,j) = f64[b + p·brs + j·bcs] */
  dgemm(
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    ldc: number,
  ): void;
  /** the same over f32 (no alpha; float32 accumulation) */
  sgemm(
    m: number,
    n: number,
    k: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    ldc: number,
  ): void;
  dot(x: number, y: number, n: number): number;
  axpy(alpha: number, x: number, y: number, n: number): void;
  /** w[j] = Σ_r v[r]·A[r, j] */
  gemvT(a: number, ld: number, rows: number, cols: number, v: number, w: number): void;
  /** y[r] = Σ_j A[r, j]·v[j] */
  gemvN(a: number, ld: number, rows: number, cols: number, v: number, y: number): void;
  /** A[r, j] += alpha·x[r]·y[j] */
  ger(a: number, ld: number, rows: number, cols: number, alpha: number, x: number, y: number): void;
  /** each row −= tau·(row·u)·u */
  reflRight(a: number, ld: number, rows: number, cols: number, u: number, tau: number): void;
  /** each row r: row += alpha·x[r]·w, then row −= tau·(row·u)·u */
  gerReflRight(
    a: number,
    ld: number,
    rows: number,
    cols: number,
    alpha: number,
    x: number,
    w: number,
    u: number,
    tau: number,
  ): void;
  /** gerReflRight, then acc[j-1] = Σ_{r≥1} A[r,0]·A[r,j] over the updated rows (j = 1..cols-1) */
  gerReflRightAcc(
    a: number,
    ld: number,
    rows: number,
    cols: number,
    alpha: number,
    x: number,
    w: number,
    u: number,
    tau: number,
    acc: number,
  ): void;
  /** x ← c·x + s·y, y ← c·y − s·x */
  rot(x: number, y: number, n: number, c: number, s: number): void;
  /** p = A·v, A symmetric len×len stored in its lower triangle (row i: columns 0..i) */
  symvLower(a: number, ld: number, len: number, v: number, p: number): void;
  /**
   * Lower-triangle rows 1..len-1, columns 1..i: row_i[j] −= v[i]·p[j] + p[i]·v[j]; then
   * pn = A'·vn over the trailing (len-1)² block (lower triangle, vn[i-1] ↔ row i)
   */
  syr2SymvLower(
    a: number,
    ld: number,
    len: number,
    v: number,
    p: number,
    vn: number,
    pn: number,
  ): void;
  /**
   * Streaming attention over f32 (indices into f32): out [T,dv] = softmax(scale·Q·Kᵀ)·V, Q [T,d],
   * K [S,d], V [S,dv] (allocate V with 8 spare floats after it); ent (index into f64) [T] gets
   * each query's weight entropy. causal masks key j > query i.
   */
  attnF32(
    q: number,
    k: number,
    v: number,
    out: number,
    ent: number,
    T: number,
    S: number,
    d: number,
    dv: number,
    scale: number,
    causal: boolean,
  ): void;
  /**
   * One Francis double-shift sweep (hqr2's inner loop) on the nn×nn Hessenberg matrix at h,
   * with the Schur vectors at v (or v < 0 for none) and 10·nn f64 of scratch at ws; wasm only
   * (the TS driver has its own loop).
   */
  francisSweep?(
    h: number,
    nn: number,
    m: number,
    n: number,
    l: number,
    iStart: number,
    jEnd: number,
    v: number,
    p: number,
    q: number,
    r: number,
    ws: number,
  ): void;
}

interface Exports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemmWorkBytes(): number;
  dgemm(...args: number[]): void;
  sgemm(...args: number[]): void;
  dot64(x: number, y: number, n: number): number;
  axpy64(alpha: number, x: number, y: number, n: number): void;
  gemvT64(...args: number[]): void;
  gemvN64(...args: number[]): void;
  ger64(...args: number[]): void;
  reflRight64(...args: number[]): void;
  gerReflRight64(...args: number[]): void;
  gerReflRightAcc64(...args: number[]): void;
  rot64(x: number, y: number, n: number, c: number, s: number): void;
  symvLower64(...args: number[]): void;
  syr2SymvLower64(...args: number[]): void;
  attnWorkBytes(S: number, d: number, dv: number): number;
  attnF32(...args: number[]): void;
  francisSweep(...args: number[]): void;
  attnPackBytes(S: number, d: number): number;
  attnRowWorkBytes(d: number, dv: number): number;
}

const PAGE = 65536;

/** Bump allocator state shared by both engines (byte offsets). */
abstract class Heap {
  protected top: number;
  abstract f64: Float64Array;
  abstract f32: Float32Array;
  protected base: number;
  constructor(base: number) {
    this.base = base;
    this.top = base;
  }
  protected abstract ensure(bytes: number): void;
  mark(): number {
    return this.top;
  }
  release(mark: number): void {
    this.top = mark;
  }
  protected allocBytes(bytes: number): number {
    const at = (this.top + 15) & ~15;
    const end = at + bytes;
    if (end > 0x7fff0000) throw new RangeError('linalg heap: allocation exceeds 2 GiB');
    this.ensure(end);
    this.top = end;
    return at;
  }
  alloc64(n: number): number {
    return this.allocBytes(n * 8) / 8;
  }
  alloc32(n: number): number {
    return this.allocBytes(n * 4) / 4;
  }
  slice64(i: number, end: number): Float64Array {
    const out = new Float64Array(Math.max(0, end - i));
    new Uint8Array(out.buffer).set(new Uint8Array(this.f64.buffer, i * 8, out.length * 8));
    return out;
  }
  slice32(i: number, end: number, into?: Float32Array, at = 0): Float32Array {
    const n = Math.max(0, end - i);
    const out = into ?? new Float32Array(n);
    const o = into ? at : 0;
    new Uint8Array(out.buffer, out.byteOffset + o * 4, n * 4).set(
      new Uint8Array(this.f32.buffer, i * 4, n * 4),
    );
    return out;
  }
}

class WasmEngine extends Heap implements Engine {
  readonly kind = 'wasm' as const;
  f64: Float64Array;
  f32: Float32Array;
  private work = -1;
  private readonly memory: WebAssembly.Memory;
  constructor(
    private readonly x: Exports,
    memory?: WebAssembly.Memory,
  ) {
    super((x.heapBase() + 15) & ~15);
    this.memory = memory ?? x.memory;
    this.f64 = new Float64Array(this.memory.buffer);
    this.f32 = new Float32Array(this.memory.buffer);
  }
  protected ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        throw new RangeError('linalg heap: cannot grow the WebAssembly memory');
      }
    }
    // a shared memory's buffer object may be new on every read: compare sizes
    if (this.f64.byteLength !== this.memory.buffer.byteLength) {
      this.f64 = new Float64Array(this.memory.buffer);
      this.f32 = new Float32Array(this.memory.buffer);
    }
  }
  call(name: string, args: readonly number[]): number {
    const f = (this.x as unknown as Record<string, (...a: number[]) => number>)[name];
    if (typeof f !== 'function') throw new Error(`no kernel named ${name}`);
    return f(...args);
  }
  /** The GEMM scratch, kept at the bottom of the heap once allocated. */
  private gemmWork(): number {
    if (this.work < 0) {
      if (this.top !== this.base) {
        // not at the bottom: take a transient block (released by the caller's mark)
        return this.allocBytes(this.x.gemmWorkBytes());
      }
      this.work = this.allocBytes(this.x.gemmWorkBytes());
      this.base = this.top;
    }
    return this.work;
  }
  override release(mark: number): void {
    this.top = Math.max(mark, this.base);
  }
  dgemm(
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    ldc: number,
  ): void {
    if (m <= 0 || n <= 0 || k <= 0) return;
    const mk = this.mark();
    const w = this.gemmWork();
    this.x.dgemm(m, n, k, alpha, a * 8, ars, acs, b * 8, brs, bcs, c * 8, ldc, w);
    this.release(Math.max(mk, this.base));
  }
  sgemm(
    m: number,
    n: number,
    k: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    ldc: number,
  ): void {
    if (m <= 0 || n <= 0 || k <= 0) return;
    const mk = this.mark();
    const w = this.gemmWork();
    this.x.sgemm(m, n, k, a * 4, ars, acs, b * 4, brs, bcs, c * 4, ldc, w);
    this.release(Math.max(mk, this.base));
  }
  dot(x: number, y: number, n: number): number {
    return this.x.dot64(x * 8, y * 8, n);
  }
  axpy(alpha: number, x: number, y: number, n: number): void {
    this.x.axpy64(alpha, x * 8, y * 8, n);
  }
  gemvT(a: number, ld: number, rows: number, cols: number, v: number, w: number): void {
    this.x.gemvT64(a * 8, ld, rows, cols, v * 8, w * 8);
  }
  gemvN(a: number, ld: number, rows: number, cols: number, v: number, y: number): void {
    this.x.gemvN64(a * 8, ld, rows, cols, v * 8, y * 8);
  }
  ger(
    a: number,
    ld: number,
    rows: number,
    cols: number,
    alpha: number,
    x: number,
    y: number,
  ): void {
    this.x.ger64(a * 8, ld, rows, cols, alpha, x * 8, y * 8);
  }
  reflRight(a: number, ld: number, rows: number, cols: number, u: number, tau: number): void {
    this.x.reflRight64(a * 8, ld, rows, cols, u * 8, tau);
  }
  gerReflRight(
    a: number,
    ld: number,
    rows: number,
    cols: number,
    alpha: number,
    x: number,
    w: number,
    u: number,
    tau: number,
  ): void {
    this.x.gerReflRight64(a * 8, ld, rows, cols, alpha, x * 8, w * 8, u * 8, tau);
  }
  gerReflRightAcc(
    a: number,
    ld: number,
    rows: number,
    cols: number,
    alpha: number,
    x: number,
    w: number,
    u: number,
    tau: number,
    acc: number,
  ): void {
    this.x.gerReflRightAcc64(a * 8, ld, rows, cols, alpha, x * 8, w * 8, u * 8, tau, acc * 8);
  }
  rot(x: number, y: number, n: number, c: number, s: number): void {
    this.x.rot64(x * 8, y * 8, n, c, s);
  }
  symvLower(a: number, ld: number, len: number, v: number, p: number): void {
    this.x.symvLower64(a * 8, ld, len, v * 8, p * 8);
  }
  syr2SymvLower(
    a: number,
    ld: number,
    len: number,
    v: number,
    p: number,
    vn: number,
    pn: number,
  ): void {
    this.x.syr2SymvLower64(a * 8, ld, len, v * 8, p * 8, vn * 8, pn * 8);
  }
  francisSweep(
    h: number,
    nn: number,
    m: number,
    n: number,
    l: number,
    iStart: number,
    jEnd: number,
    v: number,
    p: number,
    q: number,
    r: number,
    ws: number,
  ): void {
    this.x.francisSweep(h * 8, nn, m, n, l, iStart, jEnd, v < 0 ? 0 : v * 8, p, q, r, ws * 8);
  }
  attnF32(
    q: number,
    k: number,
    v: number,
    out: number,
    ent: number,
    T: number,
    S: number,
    d: number,
    dv: number,
    scale: number,
    causal: boolean,
  ): void {
    const mk = this.mark();
    const w = this.allocBytes(this.x.attnWorkBytes(S, d, dv));
    this.x.attnF32(q * 4, k * 4, v * 4, out * 4, ent * 8, T, S, d, dv, scale, causal ? 1 : 0, w);
    this.release(mk);
  }
}

/** The same kernels in plain TypeScript over a growable ArrayBuffer (fallback and test oracle). */
class TsEngine extends Heap implements Engine {
  readonly kind = 'ts' as const;
  f64 = new Float64Array(0);
  f32 = new Float32Array(0);
  constructor() {
    super(16);
    this.ensure(PAGE);
  }
  protected ensure(end: number): void {
    if (end <= this.f64.byteLength) return;
    const buf = new ArrayBuffer(Math.max(end, 2 * this.f64.byteLength));
    new Uint8Array(buf).set(new Uint8Array(this.f64.buffer));
    this.f64 = new Float64Array(buf);
    this.f32 = new Float32Array(buf);
  }
  dgemm(
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    ldc: number,
  ): void {
    const h = this.f64;
    for (let i = 0; i < m; i++)
      for (let p = 0; p < k; p++) {
        const s = alpha * h[a + i * ars + p * acs];
        if (s === 0) continue;
        const bp = b + p * brs;
        const ci = c + i * ldc;
        for (let j = 0; j < n; j++) h[ci + j] += s * h[bp + j * bcs];
      }
  }
  sgemm(
    m: number,
    n: number,
    k: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    ldc: number,
  ): void {
    const h = this.f32;
    const row = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const s = h[a + i * ars + p * acs];
        const bp = b + p * brs;
        for (let j = 0; j < n; j++) row[j] += s * h[bp + j * bcs];
      }
      const ci = c + i * ldc;
      for (let j = 0; j < n; j++) h[ci + j] += row[j];
    }
  }
  dot(x: number, y: number, n: number): number {
    const h = this.f64;
    let s = 0;
    for (let i = 0; i < n; i++) s += h[x + i] * h[y + i];
    return s;
  }
  axpy(alpha: number, x: number, y: number, n: number): void {
    const h = this.f64;
    for (let i = 0; i < n; i++) h[y + i] += alpha * h[x + i];
  }
  gemvT(a: number, ld: number, rows: number, cols: number, v: number, w: number): void {
    const h = this.f64;
    h.fill(0, w, w + cols);
    for (let r = 0; r < rows; r++) this.axpy(h[v + r], a + r * ld, w, cols);
  }
  gemvN(a: number, ld: number, rows: number, cols: number, v: number, y: number): void {
    const h = this.f64;
    for (let r = 0; r < rows; r++) h[y + r] = this.dot(a + r * ld, v, cols);
  }
  ger(
    a: number,
    ld: number,
    rows: number,
    cols: number,
    alpha: number,
    x: number,
    y: number,
  ): void {
    for (let r = 0; r < rows; r++) {
      const s = alpha * this.f64[x + r];
      if (s !== 0) this.axpy(s, y, a + r * ld, cols);
    }
  }
  reflRight(a: number, ld: number, rows: number, cols: number, u: number, tau: number): void {
    if (tau === 0) return;
    for (let r = 0; r < rows; r++) {
      const d = this.dot(a + r * ld, u, cols);
      if (d !== 0) this.axpy(-tau * d, u, a + r * ld, cols);
    }
  }
  gerReflRight(
    a: number,
    ld: number,
    rows: number,
    cols: number,
    alpha: number,
    x: number,
    w: number,
    u: number,
    tau: number,
  ): void {
    for (let r = 0; r < rows; r++) {
      const row = a + r * ld;
      const s = alpha * this.f64[x + r];
      if (s !== 0) this.axpy(s, w, row, cols);
      if (tau !== 0) {
        const d = this.dot(row, u, cols);
        if (d !== 0) this.axpy(-tau * d, u, row, cols);
      }
    }
  }
  gerReflRightAcc(
    a: number,
    ld: number,
    rows: number,
    cols: number,
    alpha: number,
    x: number,
    w: number,
    u: number,
    tau: number,
    acc: number,
  ): void {
    if (cols > 1) this.f64.fill(0, acc, acc + cols - 1);
    for (let r = 0; r < rows; r++) {
      this.gerReflRight(a + r * ld, ld, 1, cols, alpha, x + r, w, u, tau);
      const c0 = this.f64[a + r * ld];
      if (r >= 1 && cols > 1 && c0 !== 0) this.axpy(c0, a + r * ld + 1, acc, cols - 1);
    }
  }

  attnF32(
    q: number,
    k: number,
    v: number,
    out: number,
    ent: number,
    T: number,
    S: number,
    d: number,
    dv: number,
    scale: number,
    causal: boolean,
  ): void {
    attnTs(this, q, k, v, out, ent, T, S, d, dv, scale, causal);
  }
  symvLower(a: number, ld: number, len: number, v: number, p: number): void {
    const h = this.f64;
    h.fill(0, p, p + len);
    for (let i = 0; i < len; i++) {
      const row = a + i * ld;
      let s = 0;
      for (let j = 0; j < i; j++) {
        s += h[row + j] * h[v + j];
        h[p + j] += h[row + j] * h[v + i];
      }
      h[p + i] += s + h[row + i] * h[v + i];
    }
  }
  syr2SymvLower(
    a: number,
    ld: number,
    len: number,
    v: number,
    p: number,
    vn: number,
    pn: number,
  ): void {
    if (len <= 1) return;
    const h = this.f64;
    h.fill(0, pn, pn + len - 1);
    for (let i = 1; i < len; i++) {
      const row = a + i * ld;
      const vi = h[v + i];
      const pi = h[p + i];
      const wi = h[vn + i - 1];
      let s = 0;
      for (let j = 1; j < i; j++) {
        const x = h[row + j] - vi * h[p + j] - pi * h[v + j];
        h[row + j] = x;
        s += x * h[vn + j - 1];
        h[pn + j - 1] += x * wi;
      }
      const x = h[row + i] - vi * pi - pi * vi;
      h[row + i] = x;
      h[pn + i - 1] += s + x * wi;
    }
  }
  rot(x: number, y: number, n: number, c: number, s: number): void {
    const h = this.f64;
    for (let i = 0; i < n; i++) {
      const xs = h[x + i];
      const ys = h[y + i];
      h[x + i] = c * xs + s * ys;
      h[y + i] = c * ys - s * xs;
    }
  }
}

function attnTs(
  e: Engine,
  q: number,
  k: number,
  v: number,
  out: number,
  ent: number,
  T: number,
  S: number,
  d: number,
  dv: number,
  scale: number,
  causal: boolean,
): void {
  const h = e.f32;
  const sc = new Float64Array(S);
  const acc = new Float64Array(dv);
  for (let i = 0; i < T; i++) {
    const lim = causal ? Math.min(S, i + 1) : S;
    let mx = -Infinity;
    for (let j = 0; j < lim; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += h[q + i * d + c] * h[k + j * d + c];
      sc[j] = s * scale;
      if (sc[j] > mx) mx = sc[j];
    }
    let l = 0;
    let u = 0;
    acc.fill(0);
    for (let j = 0; j < lim; j++) {
      const x = sc[j] - mx;
      const p = Math.exp(x);
      l += p;
      u += p * x;
      for (let c = 0; c < dv; c++) acc[c] += p * h[v + j * dv + c];
    }
    for (let c = 0; c < dv; c++) h[out + i * dv + c] = l > 0 ? acc[c] / l : 0;
    e.f64[ent + i] = l > 0 ? Math.log(l) - u / l : 0;
  }
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let wasmEngine: WasmEngine | null | undefined;
let tsEngine: TsEngine | undefined;
let preferWasm = true;
let installed: Engine | undefined;
let sharedModule: WebAssembly.Module | undefined;

/** The compiled shared-memory build (imports `env.memory`: shared, maximum KERNELS_SHARED_MAX_PAGES). */
export function sharedKernelsModule(): WebAssembly.Module {
  return (sharedModule ??= new WebAssembly.Module(decodeBase64(KERNELS_SHARED_WASM_BASE64)));
}

/** A new shared WebAssembly memory the shared build accepts. */
export function newSharedKernelsMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 2, maximum: KERNELS_SHARED_MAX_PAGES, shared: true });
}

/**
 * A WebAssembly engine whose heap is `memory` (shared), for a parallel executor: other threads
 * instantiate {@link sharedKernelsModule} over the same memory and call kernels on this heap.
 * Throws where shared memory or SIMD is unavailable.
 */
export function createSharedWasmEngine(memory: WebAssembly.Memory): Engine {
  const inst = new WebAssembly.Instance(sharedKernelsModule(), { env: { memory } });
  return new WasmEngine(inst.exports as unknown as Exports, memory);
}

/** Makes `e` the engine {@link engine} returns while WebAssembly is preferred (undefined: the default). */
export function installEngine(e: Engine | undefined): void {
  installed = e;
}

function loadWasm(): WasmEngine | null {
  if (wasmEngine !== undefined) return wasmEngine;
  wasmEngine = null;
  try {
    if (typeof WebAssembly === 'object' && typeof WebAssembly.Module === 'function') {
      const mod = new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
      const inst = new WebAssembly.Instance(mod, {});
      wasmEngine = new WasmEngine(inst.exports as unknown as Exports);
    }
  } catch {
    wasmEngine = null; // no SIMD support, or WebAssembly disabled (e.g. by a CSP): TS path
  }
  return wasmEngine;
}

/** The WebAssembly engine when available (and not switched off), else the TypeScript one. */
export function engine(): Engine {
  if (preferWasm) {
    if (installed) return installed;
    const w = loadWasm();
    if (w) return w;
  }
  return tsEngine ?? (tsEngine = new TsEngine());
}

/** The TypeScript engine (for tests, and as the fallback when the wasm heap cannot grow). */
export function tsKernels(): Engine {
  return tsEngine ?? (tsEngine = new TsEngine());
}

/** The WebAssembly engine (the installed one if any), or undefined where WebAssembly (SIMD) is unavailable. */
export function wasmKernels(): Engine | undefined {
  return installed ?? loadWasm() ?? undefined;
}

/** Switches the engine the decompositions use (tests compare both); returns the previous setting. */
export function useWasmKernels(on: boolean): boolean {
  const prev = preferWasm;
  preferWasm = on;
  return prev;
}

/** Runs fn with a heap mark released afterwards; retries on the TS engine if wasm memory is exhausted. */
export function withEngine<T>(fn: (e: Engine) => T): T {
  const e = engine();
  const mk = e.mark();
  try {
    return fn(e);
  } catch (err) {
    if (e.kind === 'wasm' && err instanceof RangeError) {
      e.release(mk);
      const t = tsKernels();
      const m2 = t.mark();
      try {
        return fn(t);
      } finally {
        t.release(m2);
      }
    }
    throw err;
  } finally {
    e.release(mk);
  }
}
