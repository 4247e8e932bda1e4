/**
 * The colour range of a heatmap: min–max, symmetric around 0, or clipped to the 1st–99th
 * percentiles. Percentiles are exact (NumPy's default linear interpolation) and found in
 * O(n) by histogram selection rather than sorting, so 16 M values take tens of ms.
 */
export type RangeMode = 'minmax' | 'symmetric' | 'percentile';
export const RANGE_MODES: RangeMode[] = ['minmax', 'symmetric', 'percentile'];

export interface ColorRange {
  lo: number;
  hi: number;
}

/** Finite min and max (null when nothing is finite). */
export function finiteMinMax(values: ArrayLike<number>): ColorRange | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v === 0) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? { lo, hi } : null;
}

/**
 * Exact quantiles (q in [0, 1]) of the finite values, like `np.percentile(x[np.isfinite(x)],
 * 100 q)` (linear interpolation between the order statistics around (n − 1)·q).
 */
export function finiteQuantiles(values: ArrayLike<number>, qs: readonly number[]): number[] | null {
  const mm = finiteMinMax(values);
  if (!mm) return null;
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] - values[i] === 0) n++;
  const out: number[] = [];
  for (const q of qs) {
    const pos = (n - 1) * Math.min(1, Math.max(0, q));
    const k = Math.floor(pos);
    const f = pos - k;
    const a = kth(values, k, mm, n);
    out.push(f > 0 && k + 1 < n ? a + (kth(values, k + 1, mm, n) - a) * f : a);
  }
  return out;
}

/** The k-th smallest finite value (0-based), by narrowing a histogram until few values remain. */
function kth(values: ArrayLike<number>, k: number, mm: ColorRange, n: number): number {
  let lo = mm.lo;
  let hi = mm.hi;
  let rank = k; // rank within [lo, hi]
  let count = n;
  const BINS = 4096;
  const hist = new Uint32Array(BINS);
  for (let pass = 0; pass < 8 && count > 2048 && hi > lo; pass++) {
    hist.fill(0);
    // in halves: hi − lo overflows for ranges wider than 1.8e308
    const scale = BINS / (hi * 0.5 - lo * 0.5);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v >= lo && v <= hi) {
        const b = Math.min(BINS - 1, Math.floor((v * 0.5 - lo * 0.5) * scale));
        hist[b]++;
      }
    }
    let acc = 0;
    let b = 0;
    while (b < BINS - 1 && acc + hist[b] <= rank) acc += hist[b++];
    const edge = (k: number) => lo + k / scale + k / scale;
    const nlo = edge(b);
    const nhi = b === BINS - 1 ? hi : edge(b + 1);
    rank -= acc;
    count = hist[b];
    // values exactly at the bin's upper edge belong to the next bin: keep [nlo, nhi)
    if (nhi === hi && nlo === lo) break;
    lo = nlo;
    hi = b === BINS - 1 ? hi : Math.max(nlo, prevFloat(nhi));
  }
  const rest: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v >= lo && v <= hi) rest.push(v);
  }
  rest.sort((x, y) => x - y);
  return rest[Math.min(rest.length - 1, Math.max(0, rank))];
}

function prevFloat(x: number): number {
  // the largest double below x (bins are half-open)
  if (x === 0) return -Number.MIN_VALUE;
  const buf = new Float64Array([x]);
  const bits = new BigInt64Array(buf.buffer);
  bits[0] += x > 0 ? -1n : 1n;
  return buf[0];
}

/**
 * The range a mode gives for `values`. A diverging colormap is always centred at 0: the
 * range is made symmetric (±max(|lo|, |hi|)) whatever the mode.
 */
export function colorRange(
  values: ArrayLike<number>,
  mode: RangeMode,
  diverging = false,
): ColorRange | null {
  let r: ColorRange | null;
  if (mode === 'percentile') {
    const q = finiteQuantiles(values, [0.01, 0.99]);
    r = q ? { lo: q[0], hi: q[1] } : null;
  } else r = finiteMinMax(values);
  if (!r) return null;
  if (mode === 'symmetric' || diverging) {
    const m = Math.max(Math.abs(r.lo), Math.abs(r.hi));
    r = { lo: -m, hi: m };
  }
  return r;
}
