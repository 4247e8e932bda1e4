/**
 * Block-mean pooling of a C-order 2-D slice for the pin panel: NaN/Inf propagate (a block with
 * a NaN is NaN), so a NaN that appeared stays visible however small the drawing.
 */
export function pool2d(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  maxRows: number,
  maxCols: number,
): { values: Float32Array; rows: number; cols: number; factors: [number, number] } {
  const fr = Math.max(1, Math.ceil(rows / maxRows));
  const fc = Math.max(1, Math.ceil(cols / maxCols));
  const nr = Math.ceil(rows / fr);
  const nc = Math.ceil(cols / fc);
  const out = new Float32Array(nr * nc);
  for (let i = 0; i < nr; i++)
    for (let j = 0; j < nc; j++) {
      let sum = 0;
      let n = 0;
      for (let r = i * fr; r < Math.min(rows, (i + 1) * fr); r++)
        for (let c = j * fc; c < Math.min(cols, (j + 1) * fc); c++) {
          sum += values[r * cols + c];
          n++;
        }
      out[i * nc + j] = sum / n;
    }
  return { values: out, rows: nr, cols: nc, factors: [fr, fc] };
}

/** [min, max] over finite values ([0, 1] when there are none; widened when flat). */
export function finiteRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}
