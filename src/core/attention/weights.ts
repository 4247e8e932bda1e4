/**
 * Attention weights as an array of heads: the layout of `[T, S]`, `[H, T, S]`, `[B, H, T, S]`
 * and `[L, B, H, T, S]` arrays, their values as float32, and max-pooled views of one head or
 * of every head of a (layer, batch) for drawing. Max pooling keeps a sharp weight visible
 * when thousands of keys fall into one drawn cell (a mean would wash it out).
 */
import { toFloat64C } from '../array/decode';
import { isComplex } from '../array/dtype';
import { RawArray, sizeOf } from '../array/ndarray';
import { LensError } from '../errors';
import { CellWindow, clampCellWindow } from '../view/cellWindow';

export interface AttentionLayout {
  shape: number[];
  layers: number;
  batches: number;
  heads: number;
  /** T: query rows */
  queries: number;
  /** S: key columns */
  keys: number;
}

/** Layout of a weights array; throws a one-line LensError for anything but 2- to 5-D. */
export function attentionLayout(shape: readonly number[]): AttentionLayout {
  const nd = shape.length;
  if (nd < 2 || nd > 5)
    throw new LensError(
      `attention weights must be [T, S], [H, T, S], [B, H, T, S] or [L, B, H, T, S]; got ${nd}-D shape [${shape.join(', ')}]`,
      'unsupported',
    );
  const lead = [1, 1, 1, ...shape.slice(0, -2)].slice(-3);
  const [layers, batches, heads] = lead;
  const queries = shape[nd - 2];
  const keys = shape[nd - 1];
  if (queries === 0 || keys === 0 || heads === 0 || batches === 0 || layers === 0)
    throw new LensError(`attention weights of shape [${shape.join(', ')}] are empty`, 'invalid');
  return { shape: [...shape], layers, batches, heads, queries, keys };
}

/** Flat head number of (layer, batch, head). */
export function headIndex(l: AttentionLayout, layer: number, batch: number, head: number): number {
  return (layer * l.batches + batch) * l.heads + head;
}

/** `L1·B0·H3` with only the axes the array has. */
export function headLabel(l: AttentionLayout, g: number): string {
  const head = g % l.heads;
  const batch = Math.floor(g / l.heads) % l.batches;
  const layer = Math.floor(g / (l.heads * l.batches));
  const nd = l.shape.length;
  const parts: string[] = [];
  if (nd >= 5) parts.push(`L${layer}`);
  if (nd >= 4) parts.push(`B${batch}`);
  parts.push(`H${head}`);
  return parts.join('·');
}

/**
 * The values in C order: float64 arrays as float64, everything else as float32. A
 * little-endian, C-ordered float32/float64 array whose bytes are aligned is viewed in place
 * (no copy); anything else is decoded into a new array.
 */
export function weightsValues(raw: RawArray): Float32Array | Float64Array {
  if (isComplex(raw.dtype))
    throw new LensError(`is ${raw.dtype}; attention weights must be real`, 'unsupported');
  const n = sizeOf(raw.shape);
  const inPlace = raw.littleEndian && !(raw.fortranOrder && raw.shape.length > 1);
  const off = raw.bytes.byteOffset;
  if (raw.dtype === 'float32' && inPlace && off % 4 === 0)
    return new Float32Array(raw.bytes.buffer, off, n);
  if (raw.dtype === 'float64' && inPlace && off % 8 === 0)
    return new Float64Array(raw.bytes.buffer, off, n);
  const f64 = toFloat64C(raw);
  return raw.dtype === 'float64' ? f64 : Float32Array.from(f64);
}

export interface PooledHead {
  rows: number;
  cols: number;
  fullRows: number;
  fullCols: number;
  row0: number;
  col0: number;
  /** source rows/cols per drawn cell (1 = full resolution) */
  rowStep: number;
  colStep: number;
  /** finite min/max of the values drawn (null when none are finite) */
  min: number | null;
  max: number | null;
  values: Float32Array;
}

function clampWindow(w: CellWindow | undefined, T: number, S: number): CellWindow {
  return w ? clampCellWindow(w, T, S) : { row0: 0, row1: T, col0: 0, col1: S };
}

/** Smallest steps with ceil(rows/rs)·ceil(cols/cs) ≤ maxCells, keeping cells roughly square. */
function stepsFor(rows: number, cols: number, maxCells: number): [number, number] {
  if (rows * cols <= maxCells) return [1, 1];
  let s = Math.max(1, Math.floor(Math.sqrt((rows * cols) / maxCells)));
  while (Math.ceil(rows / s) * Math.ceil(cols / s) > maxCells) s++;
  return [s, s];
}

/**
 * Max-pools `w[g, row0:row1, col0:col1]` (a [G, T, S] array) to at most `maxCells` cells.
 * A block holding a NaN is NaN.
 */
export function poolHead(
  w: ArrayLike<number>,
  l: AttentionLayout,
  g: number,
  maxCells: number,
  window?: CellWindow,
): PooledHead {
  const T = l.queries;
  const S = l.keys;
  const win = clampWindow(window, T, S);
  const fullRows = win.row1 - win.row0;
  const fullCols = win.col1 - win.col0;
  const [rs, cs] = stepsFor(fullRows, fullCols, Math.max(1, maxCells));
  const rows = Math.ceil(fullRows / rs);
  const cols = Math.ceil(fullCols / cs);
  const out = new Float32Array(rows * cols).fill(-Infinity);
  const nan = new Uint8Array(rows * cols);
  const base = g * T * S;
  for (let i = win.row0; i < win.row1; i++) {
    const o = Math.floor((i - win.row0) / rs) * cols;
    const rb = base + i * S;
    if (cs === 1) {
      for (let j = win.col0, c = o; j < win.col1; j++, c++) {
        const v = w[rb + j];
        if (v > out[c]) out[c] = v;
        else if (v !== v) nan[c] = 1;
      }
    } else {
      for (let c = 0; c < cols; c++) {
        const j0 = win.col0 + c * cs;
        const j1 = Math.min(win.col1, j0 + cs);
        let m = out[o + c];
        for (let j = j0; j < j1; j++) {
          const v = w[rb + j];
          if (v > m) m = v;
          else if (v !== v) nan[o + c] = 1;
        }
        out[o + c] = m;
      }
    }
  }
  let min = Infinity;
  let max = -Infinity;
  for (let c = 0; c < out.length; c++) {
    if (nan[c]) out[c] = NaN;
    const v = out[c];
    if (v - v === 0) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return {
    rows,
    cols,
    fullRows,
    fullCols,
    row0: win.row0,
    col0: win.col0,
    rowStep: rs,
    colStep: cs,
    min: min <= max ? min : null,
    max: min <= max ? max : null,
    values: out,
  };
}

export interface PooledTiles {
  layer: number;
  batch: number;
  heads: number;
  rows: number;
  cols: number;
  rowStep: number;
  colStep: number;
  /** finite max of each tile (null when it has none) */
  max: (number | null)[];
  /** [heads, rows, cols] */
  values: Float32Array;
}

/** Every head of (layer, batch), each max-pooled to at most size × size cells. */
export function poolTiles(
  w: ArrayLike<number>,
  l: AttentionLayout,
  layer: number,
  batch: number,
  size: number,
  tick?: (fraction: number) => void,
): PooledTiles {
  if (layer < 0 || layer >= l.layers || batch < 0 || batch >= l.batches)
    throw new LensError(`layer ${layer}, batch ${batch} is outside the weights' shape`);
  const s = Math.max(1, Math.floor(size));
  const rs = Math.ceil(l.queries / s);
  const cs = Math.ceil(l.keys / s);
  const rows = Math.ceil(l.queries / rs);
  const cols = Math.ceil(l.keys / cs);
  const values = new Float32Array(l.heads * rows * cols);
  const max: (number | null)[] = [];
  for (let h = 0; h < l.heads; h++) {
    tick?.(h / l.heads);
    const t = poolWithSteps(w, l, headIndex(l, layer, batch, h), rs, cs);
    values.set(t.values, h * rows * cols);
    max.push(t.max);
  }
  return { layer, batch, heads: l.heads, rows, cols, rowStep: rs, colStep: cs, max, values };
}

function poolWithSteps(
  w: ArrayLike<number>,
  l: AttentionLayout,
  g: number,
  rs: number,
  cs: number,
): { values: Float32Array; max: number | null } {
  const T = l.queries;
  const S = l.keys;
  const rows = Math.ceil(T / rs);
  const cols = Math.ceil(S / cs);
  const out = new Float32Array(rows * cols).fill(-Infinity);
  const nan = new Uint8Array(rows * cols);
  const base = g * T * S;
  for (let i = 0; i < T; i++) {
    const o = Math.floor(i / rs) * cols;
    const rb = base + i * S;
    for (let c = 0; c < cols; c++) {
      const j1 = Math.min(S, (c + 1) * cs);
      let m = out[o + c];
      for (let j = c * cs; j < j1; j++) {
        const v = w[rb + j];
        if (v > m) m = v;
        else if (v !== v) nan[o + c] = 1;
      }
      out[o + c] = m;
    }
  }
  let max = -Infinity;
  for (let c = 0; c < out.length; c++) {
    if (nan[c]) out[c] = NaN;
    else if (out[c] > max && out[c] !== Infinity) max = out[c];
  }
  return { values: out, max: max > -Infinity ? max : null };
}
