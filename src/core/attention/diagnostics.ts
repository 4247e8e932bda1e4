/**
 * Checks on attention weights `[…, T, S]` (any array of heads, see {@link attentionLayout}):
 * per-head mean entropy, whether every row sums to 1, and whether a causal mask holds (no
 * weight on a key after its query, top-left aligned as torch's `is_causal`). One pass over the
 * data; sums in float64.
 *
 * - entropy of a row: −Σ_j w_ij ln w_ij over w_ij > 0 (nats), as for a probability vector;
 *   a head's entropy is the mean over its rows (NaN if a row holds NaN).
 * - row sums: a row fails when |Σ_j w_ij − 1| > tolerance ({@link rowSumTolerance}); rows
 *   that are all zero (every key masked) are counted apart, not as failures.
 * - causal: the mask holds when every weight with j > i is ≤ {@link CAUSAL_THRESHOLD}.
 */
import type { DType } from '../array/dtype';
import { AttentionLayout, attentionLayout } from './weights';

/** largest weight above the diagonal that still counts as masked (exp underflow of −1e4 etc.) */
export const CAUSAL_THRESHOLD = 1e-6;

/** How far from 1 a row sum may be, by the dtype the weights were stored or computed in. */
export function rowSumTolerance(dtype: DType): number {
  switch (dtype) {
    case 'float64':
      return 1e-9;
    case 'float32':
      return 1e-4;
    case 'float16':
    case 'bfloat16':
      return 1e-2;
    case 'float8_e4m3fn':
    case 'float8_e5m2':
      return 1e-1;
    default:
      return 1e-9;
  }
}

export interface HeadDiagnostics {
  /** mean row entropy (nats) */
  entropy: number;
  /** largest |Σ_j w_ij − 1| over rows that are not all zero (0 when there are none) */
  rowSumMaxDeviation: number;
  /** the query row where that deviation is (-1 when none) */
  rowSumWorstRow: number;
  /** rows with |Σ − 1| > tolerance */
  failingRows: number;
  /** rows whose weights are all zero */
  zeroRows: number;
  /** largest weight with key j > query i (0 for T = 1 or S = 1) */
  causalMaxAbove: number;
  /** where it is: [i, j] (null when no weight above the diagonal is > 0) */
  causalWorst: [number, number] | null;
  /** NaN/±Inf and negative values */
  nonFinite: number;
  negative: number;
}

export interface AttentionDiagnostics {
  layout: AttentionLayout;
  /** ln S: the entropy of uniform weights over every key */
  maxEntropy: number;
  tolerance: number;
  /** one per head, in flat order (layer, batch, head) */
  heads: HeadDiagnostics[];
  rowSums: {
    maxDeviation: number;
    /** where the largest deviation is: flat head and query row (null: every row is all zero) */
    worst: { head: number; row: number } | null;
    failingRows: number;
    failingHeads: number;
    zeroRows: number;
  };
  causal: {
    holds: boolean;
    maxAbove: number;
    worst: { head: number; row: number; col: number } | null;
    /** heads whose largest weight above the diagonal is over the threshold */
    violatingHeads: number;
    threshold: number;
  };
  nonFinite: number;
  negative: number;
}

/** Diagnostics of `w`, C-ordered with `shape`; `tick(fraction)` is called once per head. */
export function attentionDiagnostics(
  w: ArrayLike<number>,
  shape: readonly number[],
  dtype: DType,
  tick?: (fraction: number) => void,
): AttentionDiagnostics {
  const l = attentionLayout(shape);
  const T = l.queries;
  const S = l.keys;
  const G = l.layers * l.batches * l.heads;
  const tol = rowSumTolerance(dtype);
  const heads: HeadDiagnostics[] = [];
  for (let g = 0; g < G; g++) {
    tick?.(g / G);
    let entSum = 0;
    let maxDev = 0;
    let worstRow = -1;
    let failing = 0;
    let zero = 0;
    let above = 0;
    let worst: [number, number] | null = null;
    let nonFinite = 0;
    let negative = 0;
    for (let i = 0; i < T; i++) {
      const base = (g * T + i) * S;
      let sum = 0;
      let ent = 0;
      let rowAbove = 0;
      let rowAboveJ = -1;
      for (let j = 0; j < S; j++) {
        const v = w[base + j];
        sum += v;
        if (v > 0) {
          if (v !== Infinity) ent -= v * Math.log(v);
          else nonFinite++;
          if (j > i && v > rowAbove) {
            rowAbove = v;
            rowAboveJ = j;
          }
        } else if (v < 0) {
          negative++;
          if (v === -Infinity) nonFinite++;
        } else if (v !== v) nonFinite++;
      }
      entSum += ent;
      if (rowAbove > above) {
        above = rowAbove;
        worst = [i, rowAboveJ];
      }
      if (sum === 0) {
        zero++;
        continue;
      }
      const dev = Math.abs(sum - 1);
      // NaN sums fail the check but do not take the place of the largest finite deviation
      if (dev === dev && (dev > maxDev || worstRow < 0)) {
        maxDev = dev;
        worstRow = i;
      }
      if (!(dev <= tol)) failing++;
    }
    heads.push({
      entropy: entSum / T,
      rowSumMaxDeviation: maxDev,
      rowSumWorstRow: worstRow,
      failingRows: failing,
      zeroRows: zero,
      causalMaxAbove: above,
      causalWorst: worst,
      nonFinite,
      negative,
    });
  }
  tick?.(1);
  let maxDev = 0;
  let worstRs: AttentionDiagnostics['rowSums']['worst'] = null;
  let failingRows = 0;
  let failingHeads = 0;
  let zeroRows = 0;
  let maxAbove = 0;
  let worstC: AttentionDiagnostics['causal']['worst'] = null;
  let violating = 0;
  let nonFinite = 0;
  let negative = 0;
  heads.forEach((h, g) => {
    if (h.rowSumWorstRow >= 0 && (worstRs === null || h.rowSumMaxDeviation > maxDev)) {
      maxDev = h.rowSumMaxDeviation;
      worstRs = { head: g, row: h.rowSumWorstRow };
    }
    failingRows += h.failingRows;
    if (h.failingRows) failingHeads++;
    zeroRows += h.zeroRows;
    if (h.causalWorst && h.causalMaxAbove > maxAbove) {
      maxAbove = h.causalMaxAbove;
      worstC = { head: g, row: h.causalWorst[0], col: h.causalWorst[1] };
    }
    if (h.causalMaxAbove > CAUSAL_THRESHOLD) violating++;
    nonFinite += h.nonFinite;
    negative += h.negative;
  });
  return {
    layout: l,
    maxEntropy: Math.log(S),
    tolerance: tol,
    heads,
    rowSums: { maxDeviation: maxDev, worst: worstRs, failingRows, failingHeads, zeroRows },
    causal: {
      holds: maxAbove <= CAUSAL_THRESHOLD,
      maxAbove,
      worst: worstC,
      violatingHeads: violating,
      threshold: CAUSAL_THRESHOLD,
    },
    nonFinite,
    negative,
  };
}

/** What the row-sum check found, in words. `label(g)` names a flat head. */
export function describeRowSums(d: AttentionDiagnostics, label: (g: number) => string): string {
  const r = d.rowSums;
  const rows = d.layout.queries * d.heads.length;
  const tol = d.tolerance.toExponential(0);
  const zero = r.zeroRows
    ? ` ${r.zeroRows} row${r.zeroRows === 1 ? ' is' : 's are'} all zero (every key masked).`
    : '';
  if (!r.worst) return `Every row is all zero (every key masked).`;
  const dev = `max |Σⱼ wᵢⱼ − 1| = ${fmtSmall(r.maxDeviation)}`;
  if (r.failingRows === 0)
    return `Rows sum to 1: all ${rows - r.zeroRows} rows within ${tol} (${dev}).${zero}`;
  return `Rows do not sum to 1: ${r.failingRows} of ${rows} rows in ${r.failingHeads} head${r.failingHeads === 1 ? '' : 's'} are off by more than ${tol}; the worst is ${label(r.worst.head)} query ${r.worst.row} (${dev}).${zero}`;
}

/** What the causal-mask check found, in words. */
export function describeCausal(d: AttentionDiagnostics, label: (g: number) => string): string {
  const c = d.causal;
  if (d.layout.keys < 2)
    return 'Causal mask: nothing above the diagonal to check (one key per query).';
  if (c.holds)
    return `Causal mask holds: no query attends to a later key (largest weight above the diagonal ${fmtSmall(c.maxAbove)} ≤ ${c.threshold.toExponential(0)}).`;
  const w = c.worst!;
  return `Not causal: ${c.violatingHeads} of ${d.heads.length} head${d.heads.length === 1 ? '' : 's'} put weight on later keys; the largest is ${fmtSmall(c.maxAbove)} at ${label(w.head)} query ${w.row} → key ${w.col}.`;
}

/** 0, or 3 significant digits (exponent form below 1e-3). */
export function fmtSmall(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(3)));
}
