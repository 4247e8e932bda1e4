/**
 * Joining and splitting: `concatenate`/`cat`, `stack`, `hstack`, `vstack`, `dstack`,
 * `column_stack`; torch's `split` and `chunk`.
 */
import { promoteDtypes } from '../dtypes';
import { concat, normAxis, stack, type Operand } from '../shapeAlgebra';
import {
  dimAdd,
  dimProd,
  fmtShape,
  isNum,
  UNKNOWN,
  type ArrVal,
  type Dim,
  type DimInfo,
  type Val,
} from '../values';
import {
  argOr,
  asArray,
  dimOf,
  intOf,
  makeArray,
  operand,
  rows,
  shortText,
  type ArrayRule,
  type SequenceRule,
} from './call';
import { result } from './elementwise';

const join: SequenceRule = (_ctx, call) => {
  const { first: seq, lib, line, name, args } = call;
  if (seq?.k !== 'tuple' || seq.open) return UNKNOWN;
  const arrays = seq.items.map((x) => asArray(x, lib, line));
  if (arrays.some((x) => !x)) return UNKNOWN;
  const as = arrays as ArrVal[];
  const listNode = call.node.childForFieldName('arguments')?.namedChildren[0];
  const itemNames =
    listNode && (listNode.type === 'list' || listNode.type === 'tuple')
      ? listNode.namedChildren.map(shortText)
      : as.map((_, i) => `array ${i}`);
  let ops: Operand[] = as.map((x, i) => operand(itemNames[i] ?? `array ${i}`, x));
  const axisValue = argOr(args, 0, ...(lib === 'torch' ? ['dim', 'axis'] : ['axis']));
  const axis = axisValue === undefined ? 0 : intOf(axisValue);
  if (axisValue?.k === 'none') {
    const sizes = as.map((x) => dimProd(x.dims.map((d) => d.v)));
    const total = sizes.reduce((s, x) => dimAdd(s, x), 0 as Dim);
    return makeArray([{ v: total, line }], lib, as[0]?.dtype, call.text);
  }
  if (axis === undefined) return UNKNOWN;
  let dims: DimInfo[];
  const fn = lib === 'torch' ? `torch.${name}` : name;
  const dtype = as.reduce<string | undefined>(
    (d, x, i) => (i === 0 ? x.dtype : promoteDtypes(d, x.dtype, lib)),
    undefined,
  );
  const one = { v: 1, line };
  if (name === 'stack') dims = stack(ops, axis, fn, line);
  else if (name === 'hstack') dims = concat(ops, ops.every((o) => o.dims.length === 1) ? 0 : 1, fn);
  else if (name === 'vstack') {
    ops = ops.map((o) => (o.dims.length === 1 ? { name: o.name, dims: [one, ...o.dims] } : o));
    dims = concat(ops, 0, fn);
  } else if (name === 'dstack') {
    // 1-D (N,) → (1, N, 1); 2-D (M, N) → (M, N, 1)
    ops = ops.map((o) =>
      o.dims.length === 1
        ? { name: o.name, dims: [one, ...o.dims, one] }
        : o.dims.length === 2
          ? { name: o.name, dims: [...o.dims, one] }
          : o,
    );
    dims = concat(ops, 2, fn);
  } else if (name === 'column_stack') {
    ops = ops.map((o) => (o.dims.length === 1 ? { name: o.name, dims: [...o.dims, one] } : o));
    dims = concat(ops, 1, fn);
  } else dims = concat(ops, axis, fn);
  if (dims.length && dims.some((d) => d.line < 0))
    dims = dims.map((d) => (d.line < 0 ? { v: d.v, line } : d));
  return makeArray(
    dims,
    lib,
    dtype,
    `${call.text}: ${as.map((x) => fmtShape(x.dims)).join(', ')} → ${fmtShape(dims)}`,
  );
};

export const JOIN: Record<string, SequenceRule> = {};
rows(
  JOIN,
  ['concatenate', 'cat', 'concat', 'stack', 'hstack', 'vstack', 'dstack', 'column_stack'],
  join,
);

/** torch `x.split(size, dim)` / `x.chunk(n, dim)`: a tuple of pieces. */
const split: ArrayRule = (_ctx, call) => {
  const { self: A, args, name, line } = call;
  const sizeArg = argOr(args, 0, name === 'split' ? 'split_size_or_sections' : 'chunks');
  const size0 = intOf(sizeArg);
  const axis = intOf(argOr(args, 1, 'dim')) ?? 0;
  if (call.lib === 'torch' && name === 'split' && size0 === undefined && sizeArg)
    return symbolicSplit(call, sizeArg, axis);
  if (call.lib !== 'torch' || size0 === undefined || size0 <= 0) return UNKNOWN;
  const i = normAxis(axis, A.dims.length, 'dim');
  const len = A.dims[i].v;
  if (!isNum(len)) return UNKNOWN;
  const size = name === 'split' ? size0 : Math.ceil(len / size0);
  const items: Val[] = [];
  for (let s = 0; s < len; s += size) {
    const d = A.dims.slice();
    d[i] = { v: Math.min(size, len - s), line };
    items.push(result(call, d));
  }
  return { k: 'tuple', items };
};

/**
 * `qkv.split(n_embd, dim=2)` on a dimension `3*n_embd`: three pieces of `n_embd` (the symbolic
 * size divides the symbolic length by its own text, so the count is exact).
 */
function symbolicSplit(call: Parameters<ArrayRule>[1], sizeArg: Val, axis: number): Val {
  const size = dimOf(sizeArg);
  if (!size || isNum(size.v) || (sizeArg.k === 'int' && sizeArg.unsure)) return UNKNOWN;
  const i = normAxis(axis, call.self.dims.length, 'dim');
  const len = call.self.dims[i].v;
  const m = isNum(len) ? null : /^(\d+)\*(.+)$/.exec(len);
  const count = len === size.v ? 1 : m && m[2] === size.v ? Number(m[1]) : 0;
  if (count < 1 || count > 64) return UNKNOWN;
  return {
    k: 'tuple',
    items: Array.from({ length: count }, () => {
      const d = call.self.dims.slice();
      d[i] = { v: size.v, line: call.line };
      return result(call, d);
    }),
  };
}

export const SPLIT: Record<string, ArrayRule> = {};
rows(SPLIT, ['split', 'chunk'], split);
