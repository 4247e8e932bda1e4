/**
 * Matrix-vector products of the blocked reductions split over the parallel executor's threads
 * (./parallel): the half of a blocked panel reduction's flops that stays in level-2 products.
 * Only the symmetric product is split by default ({@link setLevel2Pooling}); unsplit products
 * are the plain single call. (The blocked tridiagonal reduction on the WebAssembly engine no
 * longer comes here: its panels split their products inside one job, see blockedTridiagonal.ts.)
 * Each product is one job of independent kernel calls; without helper threads (or on the
 * TypeScript engine, or for small sizes where a hand-off costs more than it saves) the plain
 * single-call kernel runs.
 *
 * - gemvT (w = Aᵀv over row-major A): the output columns are split; each task reads its column
 *   range of every row.
 * - gemvN (y = A·v): the rows are split.
 * - symvLower (p = A·v, A symmetric in its lower triangle): a fixed number of row bands of
 *   about equal triangle area; each band writes its own partial vector (its rows' dots and their transposed share
 *   into the earlier entries), and the partial vectors are summed (as in a reduction over
 *   per-thread accumulators).
 */
import { runJob, threadsFor } from './parallel';
import type { Engine } from './wasm/kernels';

let enabled = false;
let symvEnabled = true;

/**
 * Turns the per-step splitting of every product on or off. By default only the symmetric
 * product is split. Measured on the 2-core machine (BENCHMARKS.md): on a quiet machine
 * splitting the symmetric product takes symmetric eigenvalues 1024² from 94 to 86 ms, while
 * splitting the bidiagonalization's Aᵀv and A·u gave nothing (193 vs 204 ms for singular
 * values); under heavy load (6 sessions on 2 cores) a helper descheduled mid-task stalls each
 * step. `node scripts/bench.mjs --pool-level2` (all on) and `--no-pool-level2` (all off)
 * measure the other choices; `setLevel2Pooling(false, true)` is the default.
 */
export function setLevel2Pooling(on: boolean, symmetric = on): void {
  enabled = on;
  symvEnabled = symmetric;
}

/** Elements below which a product runs as one call (a hand-off costs ~10–50 µs). */
const MIN_POOLED = 64 * 1024;

/** Tasks per thread (dynamic claiming evens out a busy core). */
const PER_THREAD = 2;

function poolable(eng: Engine, elements: number): number {
  if (!enabled || eng.kind !== 'wasm' || !eng.call || elements < MIN_POOLED) return 1;
  return threadsFor(eng);
}

/** w[j] = Σ_r v[r]·A[r, j] (heap indices), split by columns over the pool. */
export function gemvTPooled(
  eng: Engine,
  a: number,
  ld: number,
  rows: number,
  cols: number,
  v: number,
  w: number,
): void {
  const threads = poolable(eng, rows * cols);
  if (threads < 2) return eng.gemvT(a, ld, rows, cols, v, w);
  const parts = threads * PER_THREAD;
  const step = Math.max(16, Math.ceil(cols / parts / 2) * 2);
  const tasks: number[][] = [];
  for (let c0 = 0; c0 < cols; c0 += step) {
    const c = Math.min(step, cols - c0);
    tasks.push([(a + c0) * 8, ld, rows, c, v * 8, (w + c0) * 8]);
  }
  runJob(eng, { kernel: 'gemvT64', tasks });
}

/** y[r] = Σ_j A[r, j]·v[j] (heap indices), split by rows over the pool. */
export function gemvNPooled(
  eng: Engine,
  a: number,
  ld: number,
  rows: number,
  cols: number,
  v: number,
  y: number,
): void {
  const threads = poolable(eng, rows * cols);
  if (threads < 2) return eng.gemvN(a, ld, rows, cols, v, y);
  const parts = threads * PER_THREAD;
  const step = Math.max(8, Math.ceil(rows / parts / 4) * 4);
  const tasks: number[][] = [];
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r = Math.min(step, rows - r0);
    tasks.push([(a + r0 * ld) * 8, ld, r, cols, v * 8, (y + r0) * 8]);
  }
  runJob(eng, { kernel: 'gemvN64', tasks });
}

/**
 * Row bands of a symmetric product. Fixed, not the thread count: the partial vectors are summed
 * in the same order on any machine, so the eigenvalues do not depend on how many threads ran.
 */
const SYMV_BANDS = 4;

/** Scratch for {@link symvLowerPooled}: one partial vector of n per band. */
export interface SymvScratch {
  /** heap index of SYMV_BANDS × n partial vectors (0 on the TypeScript engine) */
  at: number;
  n: number;
}

/** Allocates the partial vectors for symmetric products of size ≤ n on `eng`. */
export function symvScratch(eng: Engine, n: number): SymvScratch {
  return { at: eng.kind === 'wasm' && eng.call ? eng.alloc64(SYMV_BANDS * n) : 0, n };
}

/**
 * p = A·v for the symmetric len×len block at a (lower triangle, row stride ld): row bands (on
 * the pool when it has threads), partial vectors summed; one symvLower call when small. With
 * `col`, column 0 of the block is also copied to col[0..len) (read in the same sweep).
 */
export function symvLowerPooled(
  eng: Engine,
  a: number,
  ld: number,
  len: number,
  v: number,
  p: number,
  s: SymvScratch,
  col?: number,
): void {
  if (!symvEnabled || !s.at || (len * len) / 2 < MIN_POOLED || len > s.n) {
    if (col === undefined) return eng.symvLower(a, ld, len, v, p);
    if (eng.call) {
      eng.call('symvLowerRowsCol64', [a * 8, ld, 0, len, v * 8, p * 8, col * 8]);
      return;
    }
    eng.symvLower(a, ld, len, v, p);
    const f = eng.f64;
    for (let j = 0; j < len; j++) f[col + j] = f[a + j * ld];
    return;
  }
  // band b ends at len·√((b+1)/bands) (equal triangle areas), multiples of 4
  const ends: number[] = [];
  for (let b = 1; b < SYMV_BANDS; b++)
    ends.push(Math.floor((len * Math.sqrt(b / SYMV_BANDS)) / 4) * 4);
  ends.push(len);
  const tasks: number[][] = [];
  const used: [number, number][] = [];
  let r0 = 0;
  for (const r1 of ends) {
    if (r1 <= r0) continue;
    const out = s.at + used.length * s.n;
    tasks.push(
      col === undefined
        ? [a * 8, ld, r0, r1, v * 8, out * 8]
        : [a * 8, ld, r0, r1, v * 8, out * 8, col * 8],
    );
    used.push([out, r1]);
    r0 = r1;
  }
  // the band with the longest rows first
  tasks.reverse();
  runJob(eng, {
    kernel: col === undefined ? 'symvLowerRows64' : 'symvLowerRowsCol64',
    tasks,
  });
  const f = eng.f64;
  const [o0, l0] = used[used.length - 1];
  f.copyWithin(p, o0, o0 + l0);
  for (let b = 0; b < used.length - 1; b++) eng.axpy(1, used[b][0], p, used[b][1]);
}
