/**
 * Rearranging dimensions: `reshape`/`view`, `flatten`/`ravel`, `transpose`/`permute`/`T`,
 * `swapaxes`, `moveaxis`, `expand_dims`/`unsqueeze`, `squeeze`, `expand`/`broadcast_to`,
 * `repeat`/`tile`.
 */
import { normAxis, reshape } from '../shapeAlgebra';
import {
  dimEq,
  dimMul,
  dimProd,
  fmtDim,
  fmtShape,
  freshSym,
  isNum,
  lineRef,
  ShapeError,
  UNKNOWN,
  type DimInfo,
  type Val,
} from '../values';
import {
  argOr,
  asArray,
  dimOf,
  intOf,
  intsOf,
  operand,
  rows,
  shapeFrom,
  type ArrayRule,
} from './call';
import { result } from './elementwise';

const reshapeRule: ArrayRule = (_ctx, call) => {
  const { args, line } = call;
  // NumPy's `a.view(np.float32)` reinterprets the dtype; it is not torch's view(shape)
  if (
    call.name === 'view' &&
    (call.lib === 'np' ||
      args.kw.has('dtype') ||
      (args.pos.length === 1 && (args.pos[0].k === 'ref' || args.pos[0].k === 'str')))
  )
    return UNKNOWN;
  const shapeKw = args.kw.get('shape') ?? args.kw.get('newshape');
  const shape = shapeFrom(shapeKw ? [shapeKw] : args.pos);
  if (!shape) return UNKNOWN;
  const target = shape.map((d) => ({ v: d.v, line: d.line >= 0 ? d.line : line }));
  return result(call, reshape(operand(call.selfName, call.self), target, line));
};

const flatten: ArrayRule = (_ctx, call) => {
  const { self: A, line } = call;
  const nd = A.dims.length;
  if (call.lib === 'torch' && call.name === 'flatten') {
    const start = intOf(argOr(call.args, 0, 'start_dim')) ?? 0;
    const end = intOf(argOr(call.args, 1, 'end_dim')) ?? -1;
    if (nd === 0) return result(call, [{ v: 1, line }]);
    const si = normAxis(start, nd, 'dim');
    const ei = normAxis(end, nd, 'dim');
    if (si > ei) return UNKNOWN;
    const mid = A.dims.slice(si, ei + 1);
    const merged = mid.length === 1 ? mid[0] : { v: dimProd(mid.map((d) => d.v)), line };
    return result(call, [...A.dims.slice(0, si), merged, ...A.dims.slice(ei + 1)]);
  }
  return result(call, [nd === 1 ? A.dims[0] : { v: dimProd(A.dims.map((d) => d.v)), line }]);
};

const transpose: ArrayRule = (_ctx, call) => {
  const { self: A, selfName, args, lib, name } = call;
  const nd = A.dims.length;
  if (name === 't') {
    if (nd > 2)
      throw new ShapeError(
        `t() expects a tensor with <= 2 dimensions, but ${selfName} has shape ${fmtShape(A.dims)}`,
      );
    return result(call, A.dims.slice().reverse());
  }
  if ((lib === 'torch' && name === 'transpose') || name === 'swapaxes' || name === 'swapdims') {
    const i = intOf(argOr(args, 0, 'dim0', 'axis1'));
    const j = intOf(argOr(args, 1, 'dim1', 'axis2'));
    if (i === undefined || j === undefined) return UNKNOWN;
    const ii = normAxis(i, nd, 'dim');
    const jj = normAxis(j, nd, 'dim');
    const d = A.dims.slice();
    [d[ii], d[jj]] = [d[jj], d[ii]];
    return result(call, d);
  }
  const axesKw = args.kw.get('axes') ?? args.kw.get('dims');
  const vals = axesKw ? [axesKw] : args.pos;
  if (vals.length === 0 || (vals.length === 1 && vals[0].k === 'none'))
    return result(call, A.dims.slice().reverse());
  const axes = vals.length === 1 ? intsOf(vals[0]) : intsOf({ k: 'tuple', items: vals });
  if (!axes) return UNKNOWN;
  if (axes.length !== nd)
    throw new ShapeError(
      `${name}: axes ${JSON.stringify(axes)} don't match ${selfName} of shape ${fmtShape(A.dims)} (${nd} dimensions)`,
    );
  return result(
    call,
    axes.map((x) => A.dims[normAxis(x, nd)]),
  );
};

const moveaxis: ArrayRule = (_ctx, call) => {
  const { self: A } = call;
  const nd = A.dims.length;
  const s = intsOf(argOr(call.args, 0, 'source'));
  const d = intsOf(argOr(call.args, 1, 'destination'));
  if (!s || !d || s.length !== d.length) return UNKNOWN;
  const src = s.map((x) => normAxis(x, nd));
  const dst = d.map((x) => normAxis(x, nd));
  const order = A.dims.map((_, i) => i).filter((i) => !src.includes(i));
  const pairs = dst.map((x, i) => [x, src[i]]).sort((p, q) => p[0] - q[0]);
  for (const [to, from] of pairs) order.splice(to, 0, from);
  return result(
    call,
    order.map((i) => A.dims[i]),
  );
};

const axisKeywords = (lib: string): string[] => (lib === 'torch' ? ['dim', 'axis'] : ['axis']);

const unsqueeze: ArrayRule = (_ctx, call) => {
  const { self: A, line } = call;
  const axes = intsOf(argOr(call.args, 0, ...axisKeywords(call.lib)));
  if (!axes) return UNKNOWN;
  const outRank = A.dims.length + axes.length;
  const norm = axes.map((x) => normAxis(x, outRank));
  const dims: DimInfo[] = [];
  let k = 0;
  for (let i = 0; i < outRank; i++) dims.push(norm.includes(i) ? { v: 1, line } : A.dims[k++]);
  return result(call, dims);
};

const squeeze: ArrayRule = (_ctx, call) => {
  const { self: A, selfName, lib } = call;
  const axisValue = argOr(call.args, 0, ...axisKeywords(lib));
  if (!axisValue || axisValue.k === 'none')
    return result(
      call,
      A.dims.filter((d) => d.v !== 1),
    );
  const axes = intsOf(axisValue);
  if (!axes) return UNKNOWN;
  const norm = axes.map((x) => normAxis(x, A.dims.length));
  for (const i of norm)
    if (lib === 'np' && isNum(A.dims[i].v) && A.dims[i].v !== 1)
      throw new ShapeError(
        `cannot select an axis to squeeze out which has size not equal to one: ${selfName}.shape[${i}] = ${A.dims[i].v} (from ${lineRef(A.dims[i].line)})`,
      );
  // torch leaves a dimension that is not 1 in place
  return result(
    call,
    A.dims.filter((d, i) => !(norm.includes(i) && (d.v === 1 || lib === 'np' || !isNum(d.v)))),
  );
};

const expand: ArrayRule = (_ctx, call) => {
  const { self: A, selfName, args, name, line } = call;
  const nd = A.dims.length;
  let shape: DimInfo[] | undefined;
  if (name === 'expand_as') {
    const b = args.pos[0] ?? args.kw.get('other');
    shape = b ? asArray(b, call.lib, line)?.dims : undefined;
  } else
    shape = shapeFrom(
      args.pos.length ? args.pos : args.kw.get('shape') ? [args.kw.get('shape') as Val] : [],
    );
  if (!shape) return UNKNOWN;
  if (shape.length < nd)
    throw new ShapeError(
      `expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in ${selfName} ${fmtShape(A.dims)}`,
    );
  const out: DimInfo[] = [];
  const offset = shape.length - nd;
  for (let i = 0; i < shape.length; i++) {
    const t = shape[i];
    const s = i >= offset ? A.dims[i - offset] : undefined;
    if (t.v === -1) {
      out.push(s ?? { v: freshSym(), line });
      continue;
    }
    if (s && s.v !== 1 && dimEq(s.v, t.v) === false)
      throw new ShapeError(
        `${name}: the expanded size ${fmtDim(t.v)} (from ${lineRef(t.line >= 0 ? t.line : line)}) must match the existing size ${fmtDim(s.v)} of ${selfName} at non-singleton dimension ${i - offset} (from ${lineRef(s.line)}); ${selfName} is ${fmtShape(A.dims)}`,
        [
          {
            line: s.line,
            message: `${selfName}.shape[${i - offset}] = ${fmtDim(s.v)} comes from here`,
          },
        ],
      );
    out.push(t.line >= 0 ? t : { v: t.v, line });
  }
  return result(call, out);
};

const repeat: ArrayRule = (_ctx, call) => {
  const { self: A, selfName, args, lib, line } = call;
  const nd = A.dims.length;
  if (lib === 'np' && call.name === 'repeat') {
    const reps = dimOf(argOr(args, 0, 'repeats') ?? UNKNOWN);
    const axis = argOr(args, 1, 'axis');
    if (!reps) return UNKNOWN;
    if (!axis || axis.k === 'none')
      return result(call, [{ v: dimMul(dimProd(A.dims.map((d) => d.v)), reps.v), line }]);
    const i = intOf(axis);
    if (i === undefined) return UNKNOWN;
    const ii = normAxis(i, nd);
    const d = A.dims.slice();
    d[ii] = { v: dimMul(d[ii].v, reps.v), line };
    return result(call, d);
  }
  const reps = shapeFrom(
    args.pos.length ? args.pos : args.kw.get('reps') ? [args.kw.get('reps') as Val] : [],
  );
  if (!reps) return UNKNOWN;
  if (lib === 'torch' && reps.length < nd)
    throw new ShapeError(
      `repeat: number of repeat dims (${reps.length}) can not be smaller than number of dimensions of ${selfName} ${fmtShape(A.dims)}`,
    );
  const rank = Math.max(reps.length, nd);
  const src = [...Array.from({ length: rank - nd }, () => ({ v: 1, line })), ...A.dims];
  const rr = [...Array.from({ length: rank - reps.length }, () => ({ v: 1, line })), ...reps];
  return result(
    call,
    src.map((d, i) => (rr[i].v === 1 ? d : { v: dimMul(d.v, rr[i].v), line })),
  );
};

export const RESHAPE: Record<string, ArrayRule> = {};
rows(RESHAPE, ['reshape', 'view'], reshapeRule);
rows(RESHAPE, ['flatten', 'ravel'], flatten);
rows(RESHAPE, ['transpose', 'permute', 'swapaxes', 'swapdims', 't'], transpose);
rows(RESHAPE, ['moveaxis', 'movedim'], moveaxis);
rows(RESHAPE, ['expand_dims', 'unsqueeze'], unsqueeze);
rows(RESHAPE, ['squeeze'], squeeze);
rows(RESHAPE, ['expand', 'expand_as', 'broadcast_to'], expand);
rows(RESHAPE, ['repeat', 'tile'], repeat);
