/**
 * An [N, d] array read as N vectors of dimension d, stored as float32 (what embeddings are
 * saved as; 50,000 × 768 is 154 MB instead of 307 MB in float64), with its row norms and the
 * rows that cannot be compared: zero rows (cosine 0 with everything, as scikit-learn's
 * `cosine_similarity` defines it) and rows holding NaN or ±Inf (left out of every ranking).
 */
import { RawArray } from '../array/ndarray';
import { isComplex } from '../array/dtype';
import { decodeRun, toFloat64C } from '../array/decode';
import { LensError } from '../errors';

export interface Vectors {
  rows: number;
  cols: number;
  /** rows·cols values, row-major */
  data: Float32Array;
  /** ‖xᵢ‖₂ in float64 (NaN for rows with non-finite values) */
  norms: Float64Array;
  zeroRows: number[];
  nonFiniteRows: number[];
}

/** The N×d vectors of a 2-D array (1-D: one vector). */
export function vectorsOf(raw: RawArray): Vectors {
  if (isComplex(raw.dtype))
    throw new LensError('embeddings need real values; this array is complex', 'unsupported');
  if (raw.shape.length !== 2 && raw.shape.length !== 1)
    throw new LensError(
      `embeddings need a 2-D [N, d] array, got shape [${raw.shape.join(', ')}]`,
      'unsupported',
    );
  const rows = raw.shape.length === 2 ? raw.shape[0] : 1;
  const cols = raw.shape[raw.shape.length - 1];
  const data = new Float32Array(rows * cols);
  if (raw.fortranOrder && raw.shape.length === 2) data.set(toFloat64C(raw));
  else {
    const buf = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      decodeRun(raw, i * cols, cols, buf);
      data.set(buf, i * cols);
    }
  }
  return fromFloat32(data, rows, cols);
}

export function fromFloat32(data: Float32Array, rows: number, cols: number): Vectors {
  const norms = new Float64Array(rows);
  const zeroRows: number[] = [];
  const nonFiniteRows: number[] = [];
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += data[o + j] * data[o + j];
    const n = Math.sqrt(s);
    if (!Number.isFinite(n)) {
      // an Inf row squared overflows to Inf too; both are unusable for cosine
      nonFiniteRows.push(i);
      norms[i] = NaN;
    } else {
      norms[i] = n;
      if (n === 0) zeroRows.push(i);
    }
  }
  return { rows, cols, data, norms, zeroRows, nonFiniteRows };
}
