/**
 * The Δ = B − A heatmap of the compare view: the array read as a matrix (1-D as one row, N-D
 * as [product of the leading axes, last axis]) pooled to at most `maxSide` cells a side. A
 * pooled cell keeps the Δ of largest magnitude in its block, with its sign, so that a single
 * changed element stays visible however far the map is reduced; a block holding a NaN Δ (NaN
 * on either side, or ∞ − ∞) is NaN. Complex values show |Δ|. The colour range is symmetric,
 * ±max |Δ| over the finite cells, so that zero is the colormap's middle.
 */
export interface DeltaMap {
  rows: number;
  cols: number;
  fullRows: number;
  fullCols: number;
  rowStep: number;
  colStep: number;
  /** how the array was laid out as a matrix, e.g. `[2·3, 4]`; '' for 1-D and 2-D arrays */
  layout: string;
  /** the symmetric range's half-width: max |Δ| over finite cells (0 when Δ is all zero) */
  maxAbs: number;
  /** true when |Δ| of complex values is shown (range 0…max) */
  magnitude: boolean;
  values: Float32Array;
}

export function matrixLayout(shape: readonly number[]): {
  rows: number;
  cols: number;
  layout: string;
} {
  if (shape.length === 0) return { rows: 1, cols: 1, layout: '' };
  if (shape.length === 1) return { rows: 1, cols: shape[0], layout: '' };
  const lead = shape.slice(0, -1);
  const rows = lead.reduce((x, y) => x * y, 1);
  return {
    rows,
    cols: shape[shape.length - 1],
    layout: shape.length > 2 ? `[${lead.join('·')}, ${shape[shape.length - 1]}]` : '',
  };
}

/**
 * `a`, `b`: float64 in C order (`components` = 2 for interleaved complex) of `shape`.
 */
export function deltaMap(
  a: Float64Array,
  b: Float64Array,
  shape: readonly number[],
  components = 1,
  maxSide = 512,
): DeltaMap {
  const { rows: R, cols: C, layout } = matrixLayout(shape);
  const rowStep = Math.max(1, Math.ceil(R / maxSide));
  const colStep = Math.max(1, Math.ceil(C / maxSide));
  const rows = Math.ceil(R / rowStep);
  const cols = Math.ceil(C / colStep);
  const values = new Float32Array(rows * cols);
  // |best| per cell; -1 marks a NaN cell
  const mag = new Float64Array(rows * cols);
  const c = components;
  for (let i = 0; i < R; i++) {
    const ci = Math.floor(i / rowStep) * cols;
    for (let j = 0; j < C; j++) {
      const k = i * C + j;
      let d: number;
      if (c === 2) {
        const re = b[2 * k] - a[2 * k];
        const im = b[2 * k + 1] - a[2 * k + 1];
        d = Math.hypot(re, im);
      } else d = b[k] - a[k];
      const cell = ci + Math.floor(j / colStep);
      if (mag[cell] < 0) continue;
      if (d !== d) {
        mag[cell] = -1;
        values[cell] = NaN;
        continue;
      }
      const m = Math.abs(d);
      if (m > mag[cell] || (m === mag[cell] && values[cell] === 0)) {
        mag[cell] = m;
        values[cell] = d;
      }
    }
  }
  let maxAbs = 0;
  for (let i = 0; i < mag.length; i++) if (mag[i] > maxAbs && mag[i] !== Infinity) maxAbs = mag[i];
  return {
    rows,
    cols,
    fullRows: R,
    fullCols: C,
    rowStep,
    colStep,
    layout,
    maxAbs,
    magnitude: c === 2,
    values,
  };
}
