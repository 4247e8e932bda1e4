/**
 * Blocked Householder reduction of a symmetric matrix to tridiagonal form, T = Qᵀ A Q, for the
 * leading columns (the caller finishes the trailing block with the unblocked reduction).
 * Reference: LAPACK dsytrd (blocked driver) and dlatrd (panel, lower case); Golub & Van Loan,
 * Matrix Computations (4th ed.), §5.2.3 (WY-free rank-2k form).
 *
 * A panel of nb columns is reduced against the matrix as it stood at the start of the panel:
 * column c is first brought up to date with the panel's earlier reflectors (A −= V·Wᵀ + W·Vᵀ,
 * restricted to that column), its reflector v is generated, and w = τ·(A₂₂·v − V·Wᵀv − W·Vᵀv),
 * w −= ½τ(wᵀv)·v. After the panel the trailing lower triangle takes the whole rank-2nb update
 * A₂₂ −= V·Wᵀ + W·Vᵀ as row blocks of GEMM, so half of the flops leave the symmetric
 * matrix-vector product for GEMM. On the WebAssembly engine a panel and its update are one
 * parallel job of the kernel tridiagPanel64 (assembly/kernels.ts) that every pool thread runs:
 * one thread leads the column loop, and all of them claim row bands of each column's product
 * (partial vectors summed in band order: the same bits on any number of threads), chunks of the
 * update's packed B and its row blocks from atomic words in the shared memory — a column costs a
 * few atomic operations instead of a job hand-off (~1,000 columns at n = 1024). On the
 * TypeScript engine the loop below runs, its products through ./pooledLevel2.
 *
 * Storage (all on the engine's heap): A row-major n×n, only its lower triangle read and kept
 * (the strict upper triangle of the trailing block is used as scratch by the diagonal GEMM
 * blocks); V and W interleaved as the rows of Yt (row 2p = column p of V, row 2p+1 = column p
 * of W, indexed by global row − panel start), so the per-column products are single gemvT
 * calls over the first 2p rows.
 */
import { householder } from './householder';
import { DgemmCall, dgemmCalls } from './gemm';
import { runJob, scratchSlotsFor, threadsFor } from './parallel';
import { Ticker } from './progress';
import { Engine } from './wasm/kernels';
import { symvLowerPooled, symvScratch } from './pooledLevel2';

/** Panel width (LAPACK's ilaenv default for dsytrd). */
export const PANEL = 32;
/**
 * Rows per GEMM task of the trailing update (the diagonal block of each is the waste; a multiple
 * of the kernel's 5-row tile).
 */
const UPDATE_ROWS = 60;

/**
 * Reduces columns 0..stop-1 of the symmetric n×n matrix at heap index `a` (row-major, lower
 * triangle), stop a multiple of PANEL and ≤ n − 2. Writes d[0..stop) and e[0..stop); on return
 * the lower triangle of the trailing block A[stop:, stop:] holds the matrix still to reduce.
 */
export function blockedTridiagonalHead(
  eng: Engine,
  a: number,
  n: number,
  stop: number,
  d: Float64Array,
  e: Float64Array,
  ticker: Ticker,
): void {
  const nb = PANEL;
  const ld = n; // row stride of Yt and St (columns = global row − panel start)
  const Yt = eng.alloc64(2 * nb * ld);
  const St = eng.alloc64(2 * nb * ld);
  const V = eng.alloc64(n); // current reflector, contiguous
  const P = eng.alloc64(n); // A₂₂·v, then w
  const C = eng.alloc64(n); // products of the panel so far
  const Col = eng.alloc64(n); // the current column, contiguous (copied out by the product)
  const S = eng.alloc64(2 * nb); // coefficients
  const T = eng.alloc64(8 * nb); // (the wasm panel: one 2nb share per band)
  if (eng.kind === 'wasm' && eng.call) {
    spmdHead(eng, a, n, stop, d, e, ticker, { Yt, V, P, C, Col, S, T });
    return;
  }
  const sv = symvScratch(eng, n);
  let w = eng.f64; // re-read after the GEMM job (its scratch may grow the heap)
  for (let k = 0; k < stop; k += nb) {
    const L = n - k;
    w.fill(0, Yt, Yt + 2 * nb * ld);
    for (let i = 0; i < nb; i++) {
      const c = k + i;
      const len = n - c; // rows c..n-1 of column c
      const col = a + c * n + c; // A(c, c); A(c + j, c) at col + j·n
      // column c below the diagonal into Col: the panel's first column is gathered, the others
      // were copied out by the previous column's symmetric product (which reads them anyway)
      if (i === 0) for (let j = 0; j < len; j++) w[Col + j] = w[col + j * n];
      else {
        // Col −= V(c:, :i)·W(c, :i)ᵀ + W(c:, :i)·V(c, :i)ᵀ (A itself is not written back: the
        // panel's columns are not read again)
        for (let p = 0; p < i; p++) {
          w[S + 2 * p] = w[Yt + (2 * p + 1) * ld + i];
          w[S + 2 * p + 1] = w[Yt + 2 * p * ld + i];
        }
        eng.gemvT(Yt + i, ld, 2 * i, len, S, C);
        eng.axpy(-1, C, Col, len);
      }
      d[c] = w[Col];
      // reflector from A(c+1:, c)
      const m = len - 1;
      w.copyWithin(V, Col + 1, Col + len);
      const tau = householder(w, V, m);
      e[c] = w[V];
      w[V] = 1;
      const y0 = i + 1; // Yt column of row c+1
      w.copyWithin(Yt + 2 * i * ld + y0, V, V + m);
      // w = τ·(A₂₂·v − V·(Wᵀv) − W·(Vᵀv)), A₂₂ as it stood at the start of the panel
      // (and column c+1 into Col, unless it is the panel's last)
      symvLowerPooled(eng, col + n + 1, n, m, V, P, sv, i + 1 < nb ? Col : undefined);
      w = eng.f64;
      if (i > 0) {
        eng.gemvN(Yt + y0, ld, 2 * i, m, V, T);
        for (let p = 0; p < i; p++) {
          w[S + 2 * p] = w[T + 2 * p + 1];
          w[S + 2 * p + 1] = w[T + 2 * p];
        }
        eng.gemvT(Yt + y0, ld, 2 * i, m, S, C);
        eng.axpy(-1, C, P, m);
      }
      let pv = 0;
      for (let j = 0; j < m; j++) {
        const pj = tau * w[P + j];
        w[P + j] = pj;
        pv += pj * w[V + j];
      }
      eng.axpy(-0.5 * tau * pv, V, P, m);
      w.copyWithin(Yt + (2 * i + 1) * ld + y0, P, P + m);
    }
    // trailing A(k+nb:, k+nb:) −= V·Wᵀ + W·Vᵀ, lower triangle by row blocks
    const t0 = nb; // Yt column of the first trailing row
    const rest = L - nb;
    for (let p = 0; p < nb; p++) {
      w.copyWithin(St + 2 * p * ld + t0, Yt + (2 * p + 1) * ld + t0, Yt + (2 * p + 1) * ld + L);
      w.copyWithin(St + (2 * p + 1) * ld + t0, Yt + 2 * p * ld + t0, Yt + 2 * p * ld + L);
    }
    trailingUpdate(eng, Yt + t0, St + t0, ld, a + (k + nb) * n + (k + nb), n, rest, 2 * nb);
    w = eng.f64;
    ticker.tick(1 - ((n - k - nb) / n) ** 3);
  }
}

/**
 * blockedTridiagonalHead on the wasm engine: each panel and its trailing update is one job of
 * tridiagPanel64 (assembly/kernels.ts), run by every thread of the pool: one leads the column
 * loop, all claim row bands of each column's symmetric product, chunks of the update's packed B
 * and its row blocks from atomic words in the shared memory (a column costs a few atomic
 * operations, not a job hand-off; a helper that is not there leaves its share to the others).
 */
function spmdHead(
  eng: Engine,
  a: number,
  n: number,
  stop: number,
  d: Float64Array,
  e: Float64Array,
  ticker: Ticker,
  h: { Yt: number; V: number; P: number; C: number; Col: number; S: number; T: number },
): void {
  const nb = PANEL;
  const call = (name: string, args: number[]): number => eng.call!(name, args);
  const ctl = eng.alloc64(Math.ceil(call('tridiagPanelCtlBytes', []) / 8));
  const part = eng.alloc64(4 * n); // the bands' partial vectors
  const D = eng.alloc64(n);
  const E = eng.alloc64(n);
  const pb = eng.alloc64(Math.ceil(call('dgemmPackBBytes', [2 * nb, n]) / 8));
  const wb = call('dgemmPackedWorkBytes', []);
  const scratch: number[] = [];
  for (let t = scratchSlotsFor(eng); t > 0; t--) scratch.push(eng.alloc64(Math.ceil(wb / 8)) * 8);
  const ctlWords = call('tridiagPanelCtlBytes', []) / 8;
  for (let k = 0; k < stop; k += nb) {
    // (Yt needs no zeroing: the panel reads only what it wrote, each row from its reflector's
    // first entry on)
    let w = eng.f64;
    w.fill(0, ctl, ctl + ctlWords);
    const task = [ctl, a, n, k, nb, h.Yt, n, h.V, h.P, h.C, h.Col, h.S, h.T, part, D, E, pb].map(
      (x, j) => (j === 2 || j === 3 || j === 4 || j === 6 ? x : x * 8),
    );
    const threads = threadsFor(eng);
    runJob(eng, {
      kernel: 'tridiagPanel64',
      tasks: Array.from({ length: threads }, () => task),
      scratch,
    });
    w = eng.f64;
    const words = new Int32Array(w.buffer, ctl * 8, 8);
    if (words[4] === 2 && words[3] < Math.ceil((n - k - nb) / UPDATE_ROWS))
      // (as the pool reports a lost helper: src/worker/pool.ts)
      throw new Error(
        'a helper thread of the compute worker stopped during the computation; run it again',
      );
    if (words[4] === 1) {
      // a helper held a share of a column's product for ~1 s (it has left the job by now; A is
      // written only by the update, which had not started): the panel again, on this thread
      w.fill(0, h.Yt, h.Yt + 2 * nb * n);
      w.fill(0, ctl, ctl + ctlWords);
      call('tridiagPanel64', [...task, scratch[0]]);
    }
    ticker.tick(1 - ((n - k - nb) / n) ** 3);
  }
  const w = eng.f64;
  d.set(w.subarray(D, D + stop));
  e.set(w.subarray(E, E + stop));
}

/**
 * C −= Yᵀ·S over the lower triangle of the rest×rest block at c (row stride ldc), Y and S the
 * k×rest row blocks at y and s (row stride ld): row blocks of UPDATE_ROWS as one job, each
 * block its rectangle left of the diagonal and its diagonal block (whose strict upper triangle
 * is scratch). On the wasm engine S is packed once for all blocks and the register tiles wholly
 * above the diagonal are skipped (dgemmPacked), otherwise each block is a plain GEMM call.
 */
export function trailingUpdate(
  eng: Engine,
  y: number,
  s: number,
  ld: number,
  c: number,
  ldc: number,
  rest: number,
  k: number,
): void {
  if (rest <= 0) return;
  if (eng.kind !== 'wasm' || !eng.call) {
    const calls: DgemmCall[] = [];
    for (let r0 = 0; r0 < rest; r0 += UPDATE_ROWS) {
      const r1 = Math.min(rest, r0 + UPDATE_ROWS);
      calls.push({
        m: r1 - r0,
        n: r1,
        k,
        alpha: -1,
        a: y + r0,
        ars: 1,
        acs: ld,
        b: s,
        brs: ld,
        bcs: 1,
        c: c + r0 * ldc,
        ldc,
      });
    }
    dgemmCalls(eng, calls);
    return;
  }
  const mk = eng.mark();
  try {
    const pb = eng.alloc64(Math.ceil(eng.call('dgemmPackBBytes', [k, rest]) / 8)) * 8;
    eng.call('dgemmPackB', [0, k, k, rest, s * 8, ld, 1, pb]);
    const wb = eng.call('dgemmPackedWorkBytes', []);
    const scratch: number[] = [];
    for (let t = scratchSlotsFor(eng); t > 0; t--) scratch.push(eng.alloc64(Math.ceil(wb / 8)) * 8);
    const tasks: number[][] = [];
    // the longest rows first (dynamic claiming then evens out the end)
    for (let r0 = Math.floor((rest - 1) / UPDATE_ROWS) * UPDATE_ROWS; r0 >= 0; r0 -= UPDATE_ROWS) {
      const r1 = Math.min(rest, r0 + UPDATE_ROWS);
      tasks.push([r1 - r0, r1, k, -1, (y + r0) * 8, 1, ld, pb, rest, (c + r0 * ldc) * 8, ldc, r0]);
    }
    runJob(eng, { kernel: 'dgemmPacked', tasks, scratch });
  } finally {
    eng.release(mk);
  }
}
