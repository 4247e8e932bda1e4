/**
 * Back-transformation of a bidiagonal SVD's vectors by the Householder reflectors of the
 * bidiagonalization, blocked: nb reflectors at a time in compact WY form
 * H_{i0}···H_{i1−1} = I − V·T·Vᵀ (T upper triangular, forward accumulation), so the work is
 * GEMMs on the engine's pool instead of one rank-1 sweep per reflector.
 * Reference: LAPACK dormbr/dormqr/dlarfb (blocked application) and dlarft (forming T);
 * R. Schreiber & C. Van Loan, "A storage-efficient WY representation for products of
 * Householder transformations", SIAM J. Sci. Stat. Comput. 10 (1989).
 */
import { dgemmCalls, DgemmCall } from './gemm';
import { Ticker, noTicker } from './progress';
import type { Engine } from './wasm/kernels';

/** Reflectors per block (LAPACK's default for dormqr). */
const NB = 32;
/** Rows of C per task at least, and tasks per product at most. */
const MIN_ROWS = 32;
const TASKS = 4;

/**
 * Where the reflectors are: reflector i (0 ≤ i < count) acts on columns s_i = i + shift …
 * cols−1 with v(s_i) = 1 and v(c) = f64[base + i·is + c·cs] for c > s_i, and H_i = I − τ_i·v·vᵀ.
 */
export interface ReflectorSet {
  count: number;
  shift: number;
  base: number;
  is: number;
  cs: number;
  tau: Float64Array;
}

/**
 * C ← C·H_{count−1}···H_1·H_0 in place (C: rows×cols row-major at heap index c), e.g.
 * Uᵀ = U_bᵀ·Qᵀ with Qᵀ = H_{n−1}···H_0. Blocks run from the last; each is
 * C[:, s:] −= (C[:, s:]·V·Tᵀ)·Vᵀ, split into row blocks over the pool.
 */
export function applyReflectorsRight(
  eng: Engine,
  c: number,
  rows: number,
  cols: number,
  r: ReflectorSet,
  ticker: Ticker = noTicker,
): void {
  if (rows === 0 || r.count === 0) return;
  const mk = eng.mark();
  try {
    const maxLen = cols - r.shift;
    const Vb = eng.alloc64(maxLen * NB);
    const Y = eng.alloc64(maxLen * NB);
    const W = eng.alloc64(rows * NB);
    const Gh = eng.alloc64(NB * NB);
    const Th = eng.alloc64(NB * NB);
    const T = new Float64Array(NB * NB);
    const step = Math.max(MIN_ROWS, Math.ceil(rows / TASKS));
    const nBlocks = Math.ceil(r.count / NB);
    for (let blk = nBlocks - 1; blk >= 0; blk--) {
      const i0 = blk * NB;
      const nb = Math.min(NB, r.count - i0);
      const s0 = i0 + r.shift;
      const len = cols - s0;
      if (len <= 0) continue;
      let f = eng.f64;
      // V (len×nb, row-major): unit lower trapezoidal
      for (let q = 0; q < len; q++) {
        const col = s0 + q;
        const row = Vb + q * nb;
        for (let j = 0; j < nb; j++) {
          const si = s0 + j;
          f[row + j] = col < si ? 0 : col === si ? 1 : f[r.base + (i0 + j) * r.is + col * r.cs];
        }
      }
      // T (dlarft, forward): T_jj = τ_j, T[0:j, j] = −τ_j·T[0:j, 0:j]·(V[:, 0:j]ᵀ·v_j), from the
      // Gram matrix VᵀV (a small GEMM)
      f.fill(0, Gh, Gh + nb * nb);
      eng.dgemm(nb, nb, len, 1, Vb, 1, nb, Vb, nb, 1, Gh, nb);
      f = eng.f64;
      T.fill(0);
      for (let j = 0; j < nb; j++) {
        const tj = r.tau[i0 + j];
        T[j * nb + j] = tj;
        for (let p = 0; p < j; p++) {
          let s = 0;
          for (let q = p; q < j; q++) s += T[p * nb + q] * f[Gh + q * nb + j];
          T[p * nb + j] = -tj * s;
        }
      }
      f.set(T.subarray(0, nb * nb), Th);
      // Y = V·Tᵀ (len×nb)
      f.fill(0, Y, Y + len * nb);
      eng.dgemm(len, nb, nb, 1, Vb, nb, 1, Th, 1, nb, Y, nb);
      f = eng.f64;
      f.fill(0, W, W + rows * nb);
      const first: DgemmCall[] = [];
      const second: DgemmCall[] = [];
      for (let r0 = 0; r0 < rows; r0 += step) {
        const m = Math.min(step, rows - r0);
        // W = C[:, s0:]·Y
        first.push({
          m,
          n: nb,
          k: len,
          alpha: 1,
          a: c + r0 * cols + s0,
          ars: cols,
          acs: 1,
          b: Y,
          brs: nb,
          bcs: 1,
          c: W + r0 * nb,
          ldc: nb,
        });
        // C[:, s0:] −= W·Vᵀ
        second.push({
          m,
          n: len,
          k: nb,
          alpha: -1,
          a: W + r0 * nb,
          ars: nb,
          acs: 1,
          b: Vb,
          brs: 1,
          bcs: nb,
          c: c + r0 * cols + s0,
          ldc: cols,
        });
      }
      dgemmCalls(eng, first);
      dgemmCalls(eng, second);
      f = eng.f64;
      ticker.tick((nBlocks - blk) / nBlocks);
    }
  } finally {
    eng.release(mk);
  }
}
