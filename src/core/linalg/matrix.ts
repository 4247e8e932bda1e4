/**
 * The dense matrix the linear-algebra engine works on: float64, row-major (C order), plus the
 * conversion from a decoded file array. Every decomposition here reads `Matrix` and never
 * mutates its input.
 */
import { RawArray } from '../array/ndarray';
import { decodeRun, toFloat64C } from '../array/decode';
import { DType, isComplex } from '../array/dtype';
import { LensError } from '../errors';

export interface Matrix {
  rows: number;
  cols: number;
  /** rows*cols values, row-major: element (i, j) is data[i*cols + j]. */
  data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0)
    throw new LensError(`bad matrix shape ${rows}×${cols}`);
  const d = new Float64Array(rows * cols);
  if (data) {
    if (data.length !== rows * cols)
      throw new LensError(`matrix ${rows}×${cols} needs ${rows * cols} values, got ${data.length}`);
    d.set(data);
  }
  return { rows, cols, data: d };
}

/** Nested arrays (rows) → Matrix. */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const m = rows.length;
  const n = m ? rows[0].length : 0;
  const out = matrix(m, n);
  for (let i = 0; i < m; i++) {
    if (rows[i].length !== n) throw new LensError('ragged rows');
    for (let j = 0; j < n; j++) out.data[i * n + j] = rows[i][j];
  }
  return out;
}

export function toRows(a: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++)
    out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

export function identity(n: number): Matrix {
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function clone(a: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() };
}

export function transpose(a: Matrix): Matrix {
  const { rows: m, cols: n, data } = a;
  const out = new Float64Array(m * n);
  const B = 32; // cache blocking
  for (let i0 = 0; i0 < m; i0 += B)
    for (let j0 = 0; j0 < n; j0 += B) {
      const i1 = Math.min(m, i0 + B);
      const j1 = Math.min(n, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * m + i] = data[i * n + j];
    }
  return { rows: n, cols: m, data: out };
}

/** Counts of NaN and ±Inf values. */
export function countNonFinite(data: ArrayLike<number>): { nan: number; inf: number } {
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) {
      if (v !== v) nan++;
      else inf++;
    }
  }
  return { nan, inf };
}

/** Throws LensError('numeric') unless every value is finite. */
export function assertFinite(a: Matrix, what = 'matrix'): void {
  const { nan, inf } = countNonFinite(a.data);
  if (nan || inf)
    throw new LensError(
      `${what} contains ${nan} NaN and ${inf} Inf values; decompositions need finite numbers`,
      'numeric',
    );
}

/**
 * A 2-D (or 1-D, as a single row) file array → float64 Matrix. Integer, bool and float types
 * of any width convert exactly as `astype(np.float64)` does; complex arrays are refused.
 * N-D arrays (N > 2) are refused here; callers pick a 2-D slice with {@link sliceToMatrix}.
 * Non-finite values are kept (use {@link assertFinite} before decomposing).
 */
export function fromRawArray(raw: RawArray): Matrix {
  if (isComplex(raw.dtype))
    throw new LensError(
      `${raw.dtype} matrices are not supported by the linear-algebra engine (real dtypes only)`,
      'unsupported',
    );
  const shape = raw.shape;
  if (shape.length > 2)
    throw new LensError(
      `expected a 2-D array, got shape [${shape.join(', ')}]; pick a 2-D slice first`,
      'unsupported',
    );
  const rows = shape.length === 2 ? shape[0] : 1;
  const cols = shape.length === 2 ? shape[1] : shape.length === 1 ? shape[0] : 1;
  return { rows, cols, data: toFloat64C(raw) };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Like {@link fromRawArray} for a 2-D array whose bytes are the caller's to give up: float64
 * in this machine's byte order, C order and 8-byte aligned are viewed in place (no second
 * copy of the array beside its bytes); anything else is converted. The matrix may share
 * `raw.bytes`: neither may be written while the other is in use (analyzeMatrix and the
 * decompositions only read their input: they work on copies in the engine's heap).
 */
export function adoptRawArray(raw: RawArray): Matrix {
  const { shape, bytes } = raw;
  if (
    shape.length === 2 &&
    raw.dtype === 'float64' &&
    raw.littleEndian === LITTLE_ENDIAN &&
    (!raw.fortranOrder || shape[0] <= 1 || shape[1] <= 1) &&
    bytes.byteOffset % 8 === 0 &&
    bytes.byteLength === shape[0] * shape[1] * 8
  )
    return {
      rows: shape[0],
      cols: shape[1],
      data: new Float64Array(bytes.buffer, bytes.byteOffset, shape[0] * shape[1]),
    };
  return sliceToMatrix(raw);
}

/**
 * The 2-D slice `a[index..., :, :]` of an N-D array (index over the leading axes, default all
 * zeros: the first slice).
 */
export function sliceToMatrix(raw: RawArray, index?: readonly number[]): Matrix {
  if (raw.shape.length <= 2) return fromRawArray(raw);
  if (isComplex(raw.dtype)) return fromRawArray(raw); // throws 'unsupported'
  const lead = raw.shape.slice(0, -2);
  const idx = index ?? lead.map(() => 0);
  if (
    idx.length !== lead.length ||
    idx.some((v, i) => !Number.isInteger(v) || v < 0 || v >= lead[i])
  )
    throw new LensError(
      `slice index [${idx.join(', ')}] is outside leading shape [${lead.join(', ')}]`,
    );
  const rows = raw.shape[raw.shape.length - 2];
  const cols = raw.shape[raw.shape.length - 1];
  let off = 0;
  for (let i = 0; i < lead.length; i++) off = off * lead[i] + idx[i];
  if (!raw.fortranOrder) {
    // C order: the slice is one contiguous run; decode only it (not the whole N-D array)
    const data = new Float64Array(rows * cols);
    decodeRun(raw, off * rows * cols, rows * cols, data);
    return { rows, cols, data };
  }
  const all = toFloat64C(raw);
  return { rows, cols, data: all.slice(off * rows * cols, (off + 1) * rows * cols) };
}

/** The dtype a Matrix came from, for dtype-aware tolerances. */
export type SourceDType = DType;
