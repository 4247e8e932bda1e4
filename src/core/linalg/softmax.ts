/**
 * Numerically stable softmax along the last axis (subtract the row maximum), and the
 * online (streaming) softmax recurrence used for attention without materializing scores.
 * Reference: Milakov & Gimelshein, "Online normalizer calculation for softmax" (2018).
 * Rows whose entries are all −∞ (fully masked) give all zeros rather than NaN.
 */
export function softmaxRows(
  x: Float64Array,
  rows: number,
  cols: number,
  out: Float64Array = new Float64Array(rows * cols),
): Float64Array {
  for (let i = 0; i < rows; i++) {
    const b = i * cols;
    let mx = -Infinity;
    for (let j = 0; j < cols; j++) if (x[b + j] > mx) mx = x[b + j];
    if (mx === -Infinity) {
      for (let j = 0; j < cols; j++) out[b + j] = 0;
      continue;
    }
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[b + j] - mx);
      out[b + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < cols; j++) out[b + j] *= inv;
  }
  return out;
}

/** Entropy −Σ p log p (natural log) of each row of a row-stochastic matrix. */
export function rowEntropy(p: Float64Array, rows: number, cols: number): Float64Array {
  const h = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = p[i * cols + j];
      if (v > 0) s -= v * Math.log(v);
    }
    h[i] = s;
  }
  return h;
}
