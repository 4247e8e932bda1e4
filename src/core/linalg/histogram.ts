/**
 * Histogram with equal-width bins, following numpy.histogram: `bins` bins over [lo, hi]
 * (default the finite data range), every bin half-open [a, b) except the last, which is
 * closed. Non-finite values and values outside the range are not counted.
 */
export interface Histogram {
  edges: Float64Array;
  counts: Float64Array;
  /** values left out: NaN/Inf or outside the range */
  skipped: number;
}

export function histogram(data: ArrayLike<number>, bins = 50, range?: [number, number]): Histogram {
  let lo = range ? range[0] : Infinity;
  let hi = range ? range[1] : -Infinity;
  if (!range)
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v - v === 0) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  if (lo > hi) {
    lo = 0;
    hi = 1;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const nb = Math.max(1, Math.floor(bins));
  const edges = new Float64Array(nb + 1);
  for (let i = 0; i <= nb; i++) edges[i] = lo + ((hi - lo) * i) / nb;
  const counts = new Float64Array(nb);
  let skipped = 0;
  const scale = nb / (hi - lo);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= lo && v <= hi)) {
      skipped++;
      continue;
    }
    let b = Math.floor((v - lo) * scale);
    if (b >= nb) b = nb - 1;
    // correct for rounding at the edges (numpy compares against the edges)
    if (b > 0 && v < edges[b]) b--;
    else if (b < nb - 1 && v >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { edges, counts, skipped };
}
