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
  const acc = new DeltaAccumulator(shape, components, opts);
  acc.add(a, b);
  return acc.result();
}

/**
 * The same statistics fed piece by piece (consecutive runs of elements in C order), so that two
 * large arrays can be compared without holding either whole (checkpointDiff.ts streams them).
 */
export class DeltaAccumulator {
  readonly rtol: number;
  readonly atol: number;
  private n = 0;
  private maxAbs = 0;
  private maxRel = 0;
  private first = -1;
  private mismatched = 0;
  private changed = 0;
  private nanOnlyA = 0;
  private nanOnlyB = 0;
  private infOnlyA = 0;
  private infOnlyB = 0;
  private fd = 0;
  private fa = 0;
  private fb = 0;
  /** elements with a NaN or an infinity on either side */
  nonFinite = 0;

  constructor(
    private readonly shape: readonly number[],
    private readonly components = 1,
    opts: DeltaOptions = {},
  ) {
    this.rtol = opts.rtol ?? 1e-5;
    this.atol = opts.atol ?? 1e-8;
  }

  /** The next run of elements: `a` and `b` of equal length (components interleaved). */
  add(a: Float64Array, b: Float64Array): void {
    const c = this.components;
    const n = a.length / c;
    const { rtol, atol } = this;
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
      if (!same) this.changed++;
      if (nanA && !nanB) this.nanOnlyA++;
      else if (nanB && !nanA) this.nanOnlyB++;
      else if (!nanA && !nanB && infA !== infB) {
        if (infA) this.infOnlyA++;
        else this.infOnlyB++;
      }
      let close: boolean;
      if (nanA || nanB || infA || infB) this.nonFinite++;
      if (nanA || nanB) close = false;
      else if (infA || infB) close = same;
      else {
        const d = Math.sqrt(d2);
        const yb = Math.sqrt(b2);
        close = d <= atol + rtol * yb;
        if (d > this.maxAbs) this.maxAbs = d;
        if (yb > 0 && d / yb > this.maxRel) this.maxRel = d / yb;
        this.fd += d2;
        this.fa += a2;
        this.fb += b2;
      }
      if (!close) {
        this.mismatched++;
        if (this.first < 0) this.first = this.n + i;
      }
    }
    this.n += n;
  }

  result(): DeltaStats {
    return {
      count: this.n,
      maxAbs: this.maxAbs,
      maxRel: this.maxRel,
      rtol: this.rtol,
      atol: this.atol,
      allclose: this.mismatched === 0,
      firstMismatch: this.first < 0 ? null : unravel(this.first, this.shape),
      mismatched: this.mismatched,
      changed: this.changed,
      nanOnlyA: this.nanOnlyA,
      nanOnlyB: this.nanOnlyB,
      infOnlyA: this.infOnlyA,
      infOnlyB: this.infOnlyB,
      froDelta: Math.sqrt(this.fd),
      froA: Math.sqrt(this.fa),
      froB: Math.sqrt(this.fb),
    };
  }
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
