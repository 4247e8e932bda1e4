/**
 * Reductions over axes (`sum`, `mean`, `max`, `argmax`, … with `axis=`/`dim=` and
 * `keepdims`/`keepdim`), and the operations along one axis that keep the shape (`sort`,
 * `argsort`, `cumsum`, `softmax`) or shrink it (`topk`).
 */
import { dtypeOf, isIntOrBool, promoteDtypes, sumDtype } from '../dtypes';
import { broadcast, normAxis, reduce } from '../shapeAlgebra';
import { dimProd, UNKNOWN, type Lib } from '../values';
import { argOr, dimOf, intOf, intsOf, operand, rows, type ArrayCall, type ArrayRule } from './call';
import { result } from './elementwise';
import { LINALG } from './linalg';

const axisKeywords = (lib: Lib): string[] => (lib === 'torch' ? ['dim', 'axis'] : ['axis']);

/** The axes argument at position i: undefined axes = all; ok false = not known. */
function axesArg(call: ArrayCall, i: number): { axes: number[] | undefined; ok: boolean } {
  const v = argOr(call.args, i, ...axisKeywords(call.lib));
  if (!v || v.k === 'none') return { axes: undefined, ok: true };
  const ints = intsOf(v);
  return ints ? { axes: ints, ok: true } : { axes: undefined, ok: false };
}

function keepdims(call: ArrayCall, i: number): boolean {
  const v = argOr(call.args, i, ...(call.lib === 'torch' ? ['keepdim', 'keepdims'] : ['keepdims']));
  return v?.k === 'bool' && v.v === true;
}

/** torch accepts dim 0 or -1 on a 0-d tensor (as if it had one dimension of size 1). */
function torchScalarAxes(call: ArrayCall, axes: number[] | undefined): boolean {
  return (
    call.lib === 'torch' &&
    call.self.dims.length === 0 &&
    axes !== undefined &&
    axes.every((a) => a === 0 || a === -1)
  );
}

const reduction: ArrayRule = (_ctx, call) => {
  const { self: A, lib, name, args, line } = call;
  const { axes: axes0, ok } = axesArg(call, 0);
  if (!ok) return UNKNOWN;
  const axes = torchScalarAxes(call, axes0) ? undefined : axes0;
  const keep = keepdims(call, 1);
  // torch.max(a, b) is elementwise
  if (lib === 'torch' && (name === 'max' || name === 'min') && args.pos[0]?.k === 'arr') {
    const B = args.pos[0];
    const dims = broadcast([operand(call.selfName, A), operand(call.argName(0), B)]);
    return result(call, dims, promoteDtypes(A.dtype, B.dtype, lib));
  }
  const dims = reduce(A.dims, axes, keep, line);
  let dtype: string | undefined = A.dtype;
  if (name.startsWith('arg')) dtype = 'int64';
  else if (name === 'all' || name === 'any') dtype = 'bool';
  else if (name === 'count_nonzero') dtype = 'int64';
  else if (['mean', 'std', 'var', 'median', 'nanmean'].includes(name))
    dtype = isIntOrBool(A.dtype) ? (lib === 'np' ? 'float64' : undefined) : A.dtype;
  else if (name === 'sum' || name === 'prod' || name === 'nansum') dtype = sumDtype(A.dtype);
  if (lib === 'torch' && (name === 'max' || name === 'min' || name === 'median') && axes0)
    return {
      k: 'tuple',
      items: [result(call, dims, dtype), result(call, dims, 'int64')],
      names: ['values', 'indices'],
    };
  return result(call, dims, dtype);
};

const alongAxis: ArrayRule = (_ctx, call) => {
  const { self: A, lib, name, args, line } = call;
  const nd = A.dims.length;
  const { axes: axes0, ok } = axesArg(call, 0);
  if (!ok) return UNKNOWN;
  const axes = torchScalarAxes(call, axes0) ? undefined : axes0;
  const isNp = lib === 'np';
  if (name === 'sort' && lib === 'torch') {
    if (axes) normAxis(axes[0], nd, 'dim');
    return {
      k: 'tuple',
      items: [result(call, A.dims), result(call, A.dims, 'int64')],
      names: ['values', 'indices'],
    };
  }
  if (axes) normAxis(axes[0], nd, lib === 'torch' ? 'dim' : 'axis');
  const flat = [{ v: dimProd(A.dims.map((d) => d.v)), line }];
  if (isNp && (name === 'cumsum' || name === 'cumprod') && !axes)
    return result(call, flat, sumDtype(A.dtype));
  if (isNp && name === 'argsort' && args.kw.get('axis')?.k === 'none')
    return result(call, flat, 'int64');
  if (name === 'argsort') return result(call, A.dims, 'int64');
  if (name === 'cumsum' || name === 'cumprod') return result(call, A.dims, sumDtype(A.dtype));
  if (name === 'softmax' || name === 'log_softmax')
    return result(call, A.dims, dtypeOf(args.kw.get('dtype'), lib) ?? A.dtype);
  return result(call, A.dims);
};

const topk: ArrayRule = (_ctx, call) => {
  const { self: A, args, line } = call;
  const k = dimOf(argOr(args, 0, 'k') ?? UNKNOWN);
  const dimValue = argOr(args, 1, 'dim');
  const axis = dimValue ? intOf(dimValue) : -1;
  if (!k || axis === undefined) return UNKNOWN;
  const i = normAxis(axis, A.dims.length, 'dim');
  const d = A.dims.slice();
  d[i] = k.line >= 0 ? k : { v: k.v, line };
  return {
    k: 'tuple',
    items: [result(call, d), result(call, d, 'int64')],
    names: ['values', 'indices'],
  };
};

/** `x.norm(...)`: linalg's norm with x as its first argument. */
const norm: ArrayRule = (ctx, call) =>
  LINALG.norm(ctx, { ...call, args: { ...call.args, pos: [call.self, ...call.args.pos] } });

export const REDUCTIONS: Record<string, ArrayRule> = {};
rows(
  REDUCTIONS,
  [
    ...['sum', 'mean', 'max', 'min', 'prod', 'std', 'var', 'all', 'any', 'argmax', 'argmin'],
    ...['amax', 'amin', 'median', 'nansum', 'nanmean', 'logsumexp', 'count_nonzero', 'ptp'],
  ],
  reduction,
);
rows(REDUCTIONS, ['argsort', 'sort', 'cumsum', 'cumprod', 'softmax', 'log_softmax'], alongAxis);
rows(REDUCTIONS, ['topk'], topk);
rows(REDUCTIONS, ['norm'], norm);
