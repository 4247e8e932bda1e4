/**
 * A 2-D view of an N-D array for the heatmap: two chosen axes become rows and columns, every
 * other axis is fixed at an index, and the result is pooled down (mean or max-|x|) when it is
 * larger than the panel can show. Reads row by row, never decoding more than one row at a time
 * beyond the output.
 *
 * The output is float32 (half the bytes to move and what the GPU takes), unless a float64
 * array holds finite values that float32 cannot (beyond ±3.4e38, or nonzero below its smallest
 * normal 1.2e-38): then it is float64, so that they keep their colours and exact tooltips
 * instead of turning into ±Inf or 0.
 */
import { decodeRun } from '../array/decode';
import { isComplex } from '../array/dtype';
import { RawArray, stridesOf } from '../array/ndarray';
import { LensError } from '../errors';
import type { CellWindow } from './cellWindow';

export type Pooling = 'mean' | 'maxabs';

export interface SliceSpec {
  rowAxis: number;
  colAxis: number;
  /** index for each axis (entries for rowAxis/colAxis are ignored). */
  indices: number[];
}

export interface Slice2D {
  rows: number;
  cols: number;
  rowStep: number;
  colStep: number;
  /** size of the full-resolution slice. */
  fullRows: number;
  fullCols: number;
  sliceLabel: string;
  /** float64 only when float32 would change a finite value's magnitude class (see above). */
  values: Float32Array | Float64Array;
}

/** The largest float32 and its smallest normal. */
const F32_MAX = 3.4028234663852886e38;
const F32_MIN_NORMAL = 1.1754943508222875e-38;

/** Whether a finite `v` turns into ±Inf, 0 or a subnormal when narrowed to float32. */
export function outsideFloat32(v: number): boolean {
  return (
    (v > F32_MAX || v < -F32_MAX || (v < F32_MIN_NORMAL && v > -F32_MIN_NORMAL && v !== 0)) &&
    v - v === 0
  );
}

/** The first 2-D slice: last two axes, every other index 0 (a 1-D array is one row). */
export function defaultSlice(shape: readonly number[]): SliceSpec {
  const nd = shape.length;
  if (nd < 2) return { rowAxis: -1, colAxis: nd === 1 ? 0 : -1, indices: new Array(nd).fill(0) };
  return { rowAxis: nd - 2, colAxis: nd - 1, indices: new Array(nd).fill(0) };
}

export function sliceLabel(shape: readonly number[], spec: SliceSpec): string {
  if (shape.length <= 2 && spec.rowAxis !== spec.colAxis && spec.rowAxis <= 0) return '';
  return `[${shape.map((_, i) => (i === spec.rowAxis || i === spec.colAxis ? ':' : String(spec.indices[i] ?? 0))).join(', ')}]`;
}

/**
 * Where slice `spec` of `a` lies in its element data: the first element, and the steps (in
 * elements) between rows and between columns. Throws when a fixed index is out of range.
 */
export function sliceLayout(
  a: RawArray,
  spec: SliceSpec,
): { base: number; rs: number; cs: number } {
  const nd = a.shape.length;
  for (let i = 0; i < nd; i++) {
    if (i === spec.rowAxis || i === spec.colAxis) continue;
    const idx = spec.indices[i] ?? 0;
    if (!Number.isInteger(idx) || idx < 0 || idx >= a.shape[i])
      throw new LensError(`index ${idx} is out of range for axis ${i} of size ${a.shape[i]}`);
  }
  const strides = stridesOf(a);
  let base = 0;
  for (let i = 0; i < nd; i++)
    if (i !== spec.rowAxis && i !== spec.colAxis) base += (spec.indices[i] ?? 0) * strides[i];
  const rs = spec.rowAxis >= 0 ? strides[spec.rowAxis] : 0;
  const cs = spec.colAxis >= 0 ? strides[spec.colAxis] : 0;
  return { base, rs, cs };
}

/**
 * Extracts (and pools) a slice. `maxCells` bounds rows×cols of the output; pooling steps are
 * chosen as the smallest integer factors that fit. Complex arrays show |z|.
 */
export function extractSlice(
  a: RawArray,
  spec: SliceSpec,
  maxCells: number,
  pooling: Pooling = 'mean',
  range?: CellWindow,
): Slice2D {
  const wide = a.dtype === 'float64' || a.dtype === 'complex128';
  // float32 first; a float64 array with values float32 cannot hold is read again as float64
  return (
    extract(a, spec, maxCells, pooling, range, wide ? 'check' : 'f32') ??
    (extract(a, spec, maxCells, pooling, range, 'f64') as Slice2D)
  );
}

/** One pass; 'check' gives up (undefined) at the first value float32 cannot hold. */
function extract(
  a: RawArray,
  spec: SliceSpec,
  maxCells: number,
  pooling: Pooling,
  range: CellWindow | undefined,
  out: 'f32' | 'check' | 'f64',
): Slice2D | undefined {
  const fullRows = spec.rowAxis >= 0 ? a.shape[spec.rowAxis] : 1;
  const fullCols = spec.colAxis >= 0 ? a.shape[spec.colAxis] : 1;
  const r0 = range?.row0 ?? 0;
  const r1 = Math.min(range?.row1 ?? fullRows, fullRows);
  const c0 = range?.col0 ?? 0;
  const c1 = Math.min(range?.col1 ?? fullCols, fullCols);
  const nr = Math.max(0, r1 - r0);
  const nc = Math.max(0, c1 - c0);
  let rowStep = 1;
  let colStep = 1;
  while (Math.ceil(nr / rowStep) * Math.ceil(nc / colStep) > maxCells) {
    // shrink the longer side first, keeping cells roughly square
    if (Math.ceil(nr / rowStep) >= Math.ceil(nc / colStep)) rowStep++;
    else colStep++;
  }
  const rows = Math.ceil(nr / rowStep);
  const cols = Math.ceil(nc / colStep);
  const values = out === 'f64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  const check = out === 'check';
  const running = out === 'f64';
  const counts =
    pooling === 'mean' && (rowStep > 1 || colStep > 1) ? new Float64Array(rows * cols) : undefined;
  const acc = counts ? new Float64Array(rows * cols) : undefined;
  if (pooling === 'maxabs') values.fill(NaN);

  const { base, rs, cs } = sliceLayout(a, spec);
  const complex = isComplex(a.dtype);
  const comps = complex ? 2 : 1;
  const rowBuf = new Float64Array(nc * comps);
  const one = new Float64Array(2);
  // pooled cells where a non-finite value was seen: the cell shows it (NaN wins, then ±Inf)
  const special = rowStep > 1 || colStep > 1 ? new Float32Array(rows * cols) : undefined;

  for (let r = 0; r < nr; r++) {
    const start = base + (r0 + r) * rs + c0 * cs;
    if (cs === 1 || nc === 1) decodeRun(a, start, nc, rowBuf);
    else
      for (let c = 0; c < nc; c++) {
        decodeRun(a, start + c * cs, 1, one);
        rowBuf[c * comps] = one[0];
        if (complex) rowBuf[c * comps + 1] = one[1];
      }
    const outRow = Math.floor(r / rowStep) * cols;
    for (let c = 0; c < nc; c++) {
      const v = complex ? Math.hypot(rowBuf[2 * c], rowBuf[2 * c + 1]) : rowBuf[c];
      if (check && outsideFloat32(v)) return undefined;
      const o = outRow + Math.floor(c / colStep);
      if (!special) {
        values[o] = v;
      } else if (v - v !== 0) {
        const s = special[o];
        if (!Number.isNaN(s)) special[o] = Number.isNaN(v) ? NaN : s === 0 ? v : s;
      } else if (acc && counts) {
        if (running) {
          // a running mean: a sum of values near the float64 maximum would overflow
          const n = ++counts[o];
          acc[o] += v / n - acc[o] / n;
        } else {
          acc[o] += v;
          counts[o]++;
        }
      } else if (!(Math.abs(values[o]) >= Math.abs(v))) values[o] = v;
    }
  }
  if (special) {
    for (let o = 0; o < values.length; o++) {
      if (special[o] !== 0) values[o] = special[o];
      else if (acc && counts)
        values[o] = counts[o] > 0 ? (running ? acc[o] : acc[o] / counts[o]) : NaN;
    }
  }
  return {
    rows,
    cols,
    rowStep,
    colStep,
    fullRows,
    fullCols,
    sliceLabel: sliceLabel(a.shape, spec),
    values,
  };
}
