/**
 * Indexing and what an array says about itself: `x[i, 1:3, None, ...]` (basic and one
 * advanced index), `diag`/`diagonal`/`trace`, and `size()`, `dim()`, `numel()`, `item()`.
 */
import { INT_DTYPES } from '../dtypes';
import { normAxis, sliceLen } from '../shapeAlgebra';
import {
  dimAdd,
  dimMin,
  dimProd,
  fmtShape,
  freshSym,
  isNum,
  ShapeError,
  UNKNOWN,
  type ArrVal,
  type Dim,
  type DimInfo,
  type Val,
} from '../values';
import { argOr, intOf, makeArray, rows, type ArrayRule } from './call';
import { result } from './elementwise';

/** One evaluated subscript item. */
export type IndexItem =
  | { t: 'int'; i: number | undefined }
  | { t: 'slice'; start?: number; stop?: number; step?: number; known: boolean }
  | { t: 'newaxis' }
  | { t: 'ellipsis' }
  /** An integer index array (its dims) or a boolean mask (of `rank` dimensions). */
  | { t: 'array'; dims: DimInfo[] | undefined; mask: boolean; rank: number };

/** `v[items]`: the result shape, or ShapeError for too many indices or a known out-of-range int. */
export function indexArray(
  v: ArrVal,
  items: IndexItem[],
  text: string,
  line: number,
): ArrVal | undefined {
  // an element of an array of unknown dtype may be a string or an object, not a 0-d array
  if (v.dims.length === 0 && !v.dtype) return undefined;
  const consumed = items.reduce(
    (s, x) =>
      s + (x.t === 'int' || x.t === 'slice' ? 1 : x.t === 'array' ? (x.mask ? x.rank : 1) : 0),
    0,
  );
  const nd = v.dims.length;
  if (consumed > nd)
    throw new ShapeError(
      `too many indices: ${text} indexes ${consumed} dimensions but the array has shape ${fmtShape(v.dims)}`,
    );
  const ellipsisAt = items.findIndex((x) => x.t === 'ellipsis');
  const full: IndexItem[] = items.filter((x) => x.t !== 'ellipsis');
  const fill: IndexItem[] = Array.from({ length: nd - consumed }, () => ({
    t: 'slice' as const,
    known: true,
  }));
  if (ellipsisAt >= 0) full.splice(ellipsisAt, 0, ...fill);
  else full.push(...fill);
  // more than one advanced index moves dimensions around: not modelled
  if (full.filter((x) => x.t === 'array').length > 1) return undefined;
  const out: DimInfo[] = [];
  let axis = 0;
  for (const x of full) {
    if (x.t === 'newaxis') out.push({ v: 1, line });
    else if (x.t === 'int') {
      const d = v.dims[axis];
      if (x.i !== undefined && isNum(d.v) && (x.i >= d.v || x.i < -d.v))
        throw new ShapeError(
          `index ${x.i} is out of bounds for axis ${axis} with size ${d.v}: ${text} on shape ${fmtShape(v.dims)}`,
          [{ line: d.line, message: `size ${d.v}` }],
        );
      axis++;
    } else if (x.t === 'slice') {
      const d = v.dims[axis++];
      if (!x.known) out.push({ v: freshSym(), line });
      else {
        const len = sliceLen(d.v, x.start, x.stop, x.step ?? 1);
        out.push(len === d.v ? d : { v: len, line });
      }
    } else if (x.t === 'array') {
      if (x.mask) {
        out.push({ v: freshSym('mask'), line });
        axis += x.rank;
      } else {
        out.push(...(x.dims ?? []));
        axis++;
      }
    }
  }
  return makeArray(out, v.lib, v.dtype, `${text}: ${fmtShape(v.dims)} → ${fmtShape(out)}`);
}

const diagonal: ArrayRule = (_ctx, call) => {
  const { self: A, line } = call;
  const nd = A.dims.length;
  const k = intOf(argOr(call.args, 0, 'k', 'offset', 'diagonal')) ?? 0;
  if (nd === 1 && call.name === 'diag') {
    const d = dimAdd(A.dims[0].v, Math.abs(k));
    return result(call, [
      { v: d, line },
      { v: d, line },
    ]);
  }
  if (nd === 2 || (call.name === 'diagonal' && nd >= 2)) {
    const [r, c] = A.dims.slice(-2).map((d) => d.v);
    let len: Dim;
    if (isNum(r) && isNum(c)) len = Math.max(0, k >= 0 ? Math.min(r, c - k) : Math.min(r + k, c));
    else len = k === 0 ? dimMin(r, c) : freshSym();
    return result(call, [...A.dims.slice(0, -2), { v: len, line }]);
  }
  return UNKNOWN;
};

const trace: ArrayRule = (_ctx, call) => result(call, []);

/** torch `x.size()` (a tuple) and `x.size(d)` (an int). */
const size: ArrayRule = (_ctx, call) => {
  const { self: A, args } = call;
  if (call.lib !== 'torch') return UNKNOWN;
  if (args.pos.length === 0 && !args.kw.size)
    return { k: 'tuple', items: A.dims.map((d) => ({ k: 'int', v: d.v, line: d.line })) };
  const i = intOf(argOr(args, 0, 'dim'));
  if (i === undefined) return UNKNOWN;
  const d = A.dims[normAxis(i, A.dims.length, 'dim')];
  return { k: 'int', v: d.v, line: d.line };
};

const rank: ArrayRule = (_ctx, call) => ({ k: 'int', v: call.self.dims.length, line: call.line });

const numel: ArrayRule = (_ctx, call) => ({
  k: 'int',
  v: dimProd(call.self.dims.map((d) => d.v)),
  line: call.line,
});

const item: ArrayRule = (_ctx, call) =>
  call.self.dtype && INT_DTYPES.has(call.self.dtype)
    ? { k: 'int', v: freshSym(), line: call.line }
    : { k: 'float' };

export const INDEXING: Record<string, ArrayRule> = {};
rows(INDEXING, ['diag', 'diagonal'], diagonal);
rows(INDEXING, ['trace'], trace);
rows(INDEXING, ['size'], size);
rows(INDEXING, ['dim', 'ndimension'], rank);
rows(INDEXING, ['numel'], numel);
rows(INDEXING, ['item'], item);
rows(INDEXING, ['tolist'], () => UNKNOWN);

/** `x.shape`, `x.ndim`, `x.size` (NumPy), `x.T`, `x.mT`, `x.real`, `x.dtype`, … */
export function arrayAttribute(o: ArrVal, name: string, text: string, line: number): Val {
  switch (name) {
    case 'shape':
      return { k: 'tuple', items: o.dims.map((d) => ({ k: 'int', v: d.v, line: d.line })) };
    case 'ndim':
      return { k: 'int', v: o.dims.length, line };
    case 'size':
      if (o.lib === 'np') return { k: 'int', v: dimProd(o.dims.map((d) => d.v)), line };
      return UNKNOWN;
    case 'T':
      return makeArray(o.dims.slice().reverse(), o.lib, o.dtype, `${text}: ${fmtShape(o.dims)}.T`);
    case 'mT':
      if (o.dims.length < 2) return UNKNOWN;
      return makeArray(
        [...o.dims.slice(0, -2), o.dims[o.dims.length - 1], o.dims[o.dims.length - 2]],
        o.lib,
        o.dtype,
        text,
      );
    case 'real':
    case 'imag':
    case 'data':
    case 'grad':
      return { ...o, dtype: name === 'real' || name === 'imag' ? undefined : o.dtype };
    case 'dtype':
      return o.dtype ? { k: 'ref', path: `dtype.${o.dtype}` } : UNKNOWN;
    default:
      return UNKNOWN;
  }
}
