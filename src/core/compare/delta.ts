/**
 * Element-wise comparison of two arrays of the same shape, in the terms of NumPy's
 * `numpy.isclose`/`allclose` (|a − b| ≤ atol + rtol·|b|, b the reference; infinities close only
 * to themselves; NaN never close) and `numpy.testing.assert_allclose`'s report (max absolute
 * difference, max relative difference over the nonzero b). Complex values compare by modulus
 * of the difference, as NumPy does.
 * Reference: numpy/core/numeric.py (isclose), numpy/testing/_private/utils.py.
 */
export interface DeltaOptions {
  /** default 1e-5 (numpy.allclose) */
  rtol?: number;
  /** default 1e-8 (numpy.allclose) */
  atol?: number;
}

export interface DeltaStats {
  count: number;
  /** max |a − b| over elements finite on both sides (0 if none) */
  maxAbs: number;
  /** max |a − b|/|b| over elements finite on both sides with b ≠ 0 (0 if none) */
  maxRel: number;
  rtol: number;
  atol: number;
  allclose: boolean;
  /** C-order index of the first element that is not close, or null */
  firstMismatch: number[] | null;
  /** elements that are not close */
  mismatched: number;
  /** elements with a ≠ b (NaN equal to NaN here) */
  changed: number;
  nanOnlyA: number;
  nanOnlyB: number;
  infOnlyA: number;
  infOnlyB: number;
  /** ‖a − b‖_F over finite pairs, and ‖a‖_F, ‖b‖_F over finite values */
  froDelta: number;
  froA: number;
  froB: number;
}

/**
 * Compares `a` with the reference `b`, both float64 in C order (`components` = 2 for
 * interleaved complex), of the given shape.
 */
export function compareValues(
  a: Float64Array,
  b: Float64Array,
  shape: readonly number[],
  components = 1,
  opts: DeltaOptions = {},
): DeltaStats {
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-8;
  const c = components;
  const n = a.length / c;
  let maxAbs = 0;
  let maxRel = 0;
  let first = -1;
  let mismatched = 0;
  let changed = 0;
  let nanOnlyA = 0;
  let nanOnlyB = 0;
  let infOnlyA = 0;
  let infOnlyB = 0;
  let fd = 0;
  let fa = 0;
  let fb = 0;
  for (let i = 0; i < n; i++) {
    let nanA = false;
    let nanB = false;
    let infA = false;
    let infB = false;
    let d2 = 0;
    let b2 = 0;
    let a2 = 0;
    let same = true;
    for (let k = 0; k < c; k++) {
      const x = a[i * c + k];
      const y = b[i * c + k];
      if (x !== x) nanA = true;
      else if (x === Infinity || x === -Infinity) infA = true;
      if (y !== y) nanB = true;
      else if (y === Infinity || y === -Infinity) infB = true;
      if (x !== y && !(x !== x && y !== y)) same = false;
      d2 += (x - y) * (x - y);
      a2 += x * x;
      b2 += y * y;
    }
    if (!same) changed++;
    if (nanA && !nanB) nanOnlyA++;
    else if (nanB && !nanA) nanOnlyB++;
    else if (!nanA && !nanB && infA !== infB) {
      if (infA) infOnlyA++;
      else infOnlyB++;
    }
    let close: boolean;
    if (nanA || nanB) close = false;
    else if (infA || infB) close = same;
    else {
      const d = Math.sqrt(d2);
      const yb = Math.sqrt(b2);
      close = d <= atol + rtol * yb;
      if (d > maxAbs) maxAbs = d;
      if (yb > 0 && d / yb > maxRel) maxRel = d / yb;
      fd += d2;
      fa += a2;
      fb += b2;
    }
    if (!close) {
      mismatched++;
      if (first < 0) first = i;
    }
  }
  return {
    count: n,
    maxAbs,
    maxRel,
    rtol,
    atol,
    allclose: mismatched === 0,
    firstMismatch: first < 0 ? null : unravel(first, shape),
    mismatched,
    changed,
    nanOnlyA,
    nanOnlyB,
    infOnlyA,
    infOnlyB,
    froDelta: Math.sqrt(fd),
    froA: Math.sqrt(fa),
    froB: Math.sqrt(fb),
  };
}

/** C-order flat index → multi-index. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}
