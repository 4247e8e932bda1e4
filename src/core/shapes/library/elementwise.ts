/**
 * Elementwise operations: unary functions and casts keep the shape; binary functions
 * (`np.add`, `torch.maximum`, comparisons) broadcast; `where`, `clip`/`clamp` and
 * `masked_fill` broadcast their operands.
 */
import { defaultFloat, dtypeOf, isIntOrBool, resultDtype } from '../dtypes';
import { broadcast, type Operand } from '../shapeAlgebra';
import { dimEq, fmtShape, ShapeError, UNKNOWN, type ArrVal, type Val } from '../values';
import {
  argOr,
  asArray,
  makeArray,
  operand,
  rows,
  shortText,
  type ArrayCall,
  type ArrayRule,
  type SequenceRule,
} from './call';

/** The array result of an array call, derived from its receiver's shape. */
export function result(call: ArrayCall, dims: ArrVal['dims'], dtype = call.self.dtype): ArrVal {
  return makeArray(
    dims,
    call.lib,
    dtype,
    `${call.text}: ${fmtShape(call.self.dims)} → ${fmtShape(dims)}`,
  );
}

/** Function name → the Python operator it computes (for the dtype rule). */
const BINARY_OPERATOR: Record<string, string> = {
  add: '+',
  subtract: '-',
  sub: '-',
  multiply: '*',
  mul: '*',
  divide: '/',
  div: '/',
  true_divide: '/',
  power: '**',
  pow: '**',
  maximum: 'max',
  minimum: 'min',
  floor_divide: '//',
  mod: '%',
  remainder: '%',
  greater: '>',
  less: '<',
  equal: '==',
  not_equal: '!=',
  greater_equal: '>=',
  less_equal: '<=',
  gt: '>',
  lt: '<',
  eq: '==',
  ne: '!=',
  ge: '>=',
  le: '<=',
  logical_and: '&',
  logical_or: '|',
  fmax: 'max',
  fmin: 'min',
  arctan2: '/',
  atan2: '/',
  hypot: '+',
  copysign: '*',
};

const binary: ArrayRule = (_ctx, call) => {
  const { args, self: A } = call;
  const b = args.pos[0] ?? args.kw.get('other') ?? args.kw.get('exponent');
  if (!b) return UNKNOWN;
  const op = BINARY_OPERATOR[call.name];
  const B = asArray(b, call.lib, call.line);
  if (!B) return UNKNOWN;
  const dims = broadcast(
    [operand(call.selfName, A), operand(call.argName(0), B)],
    `${call.name}: operands could not be broadcast together with shapes ${fmtShape(A.dims)} ${fmtShape(B.dims)}`,
  );
  const a = call.selfValue;
  const dtype = ['max', 'min'].includes(op)
    ? resultDtype(a, b, call.lib, '+')
    : ['&', '|'].includes(op)
      ? 'bool'
      : resultDtype(a, b, call.lib, op);
  return makeArray(
    dims,
    call.lib,
    dtype,
    `${call.text}: ${fmtShape(A.dims)}, ${fmtShape(B.dims)} → ${fmtShape(dims)}`,
  );
};

/** Same shape and dtype. */
const same: ArrayRule = (_ctx, call) =>
  makeArray(call.self.dims, call.lib, call.self.dtype, `${call.text}: ${fmtShape(call.self.dims)}`);

/** Same shape, bool. */
const predicate: ArrayRule = (_ctx, call) =>
  makeArray(call.self.dims, call.lib, 'bool', `${call.text}: ${fmtShape(call.self.dims)}`);

/** Same shape; integers and bools become the library's float. */
const floating: ArrayRule = (_ctx, call) => {
  const d = call.self.dtype;
  const dtype = isIntOrBool(d) ? defaultFloat(call.lib) : d;
  return makeArray(call.self.dims, call.lib, dtype, `${call.text}: ${fmtShape(call.self.dims)}`);
};

/** `x.astype(np.float32)`, `t.to(torch.long)`, `t.type(torch.float64)`; `t.to('cuda')` keeps it. */
const cast: ArrayRule = (_ctx, call) => {
  const d = argOr(call.args, 0, 'dtype');
  let dtype = d ? dtypeOf(d, call.lib) : undefined;
  if (call.name === 'to' && d && d.k !== 'ref' && d.k !== 'str') dtype = call.self.dtype;
  if (call.name === 'to' && d?.k === 'str' && !dtypeOf(d, call.lib)) dtype = call.self.dtype;
  return makeArray(call.self.dims, call.lib, dtype, `${call.text}: ${fmtShape(call.self.dims)}`);
};

/** `t.float()`, `t.long()`: torch's casting methods. */
function castTo(dtype: string): ArrayRule {
  return (_ctx, call) =>
    makeArray(call.self.dims, call.lib, dtype, `${call.text}: ${fmtShape(call.self.dims)}`);
}

/** `t.numpy()`: the same shape as a NumPy array. */
const toNumpy: ArrayRule = (_ctx, call) =>
  makeArray(call.self.dims, 'np', call.self.dtype, `${call.text}: ${fmtShape(call.self.dims)}`);

const clip: ArrayRule = (_ctx, call) => {
  const ops: Operand[] = [operand(call.selfName, call.self)];
  call.args.pos.forEach((v, i) => {
    const X = asArray(v, call.lib, call.line);
    if (X) ops.push(operand(call.argName(i), X));
  });
  return result(call, broadcast(ops));
};

const maskedFill: ArrayRule = (_ctx, call) => {
  const { self: A, selfName } = call;
  const m = call.args.pos[0] ?? call.args.kw.get('mask');
  const M = m ? asArray(m, call.lib, call.line) : undefined;
  if (!M) return UNKNOWN;
  const dims = broadcast(
    [operand(selfName, A), operand(call.argName(0), M)],
    `masked_fill: the mask ${fmtShape(M.dims)} must be broadcastable to ${selfName} ${fmtShape(A.dims)}`,
  );
  if (dims.length !== A.dims.length || dims.some((d, i) => dimEq(d.v, A.dims[i].v) === false))
    throw new ShapeError(
      `masked_fill: the mask ${call.argName(0)} ${fmtShape(M.dims)} must be broadcastable to ${selfName} ${fmtShape(A.dims)} without growing it`,
    );
  return result(call, A.dims);
};

/** `np.where(cond, x, y)`: the three broadcast. */
export const where: SequenceRule = (_ctx, call) => {
  const { args, line, lib } = call;
  if (args.pos.length !== 2) return UNKNOWN;
  const a = call.first;
  const vs = [a, ...args.pos].map((x) => (x ? asArray(x, lib, line) : undefined));
  if (vs.some((x) => !x)) return UNKNOWN;
  const arrays = vs as ArrVal[];
  const names = call.node.childForFieldName('arguments')?.namedChildren.map(shortText) ?? [];
  const dims = broadcast(arrays.map((x, i) => operand(names[i] ?? `arg${i}`, x)));
  const [x, y] = args.pos as [Val, Val];
  return makeArray(
    dims,
    lib,
    resultDtype(x, y, lib, '+'),
    `${call.text}: ${arrays.map((q) => fmtShape(q.dims)).join(', ')} → ${fmtShape(dims)}`,
  );
};

export const ELEMENTWISE: Record<string, ArrayRule> = {};
rows(
  ELEMENTWISE,
  [
    ...['abs', 'absolute', 'sign', 'floor', 'ceil', 'round', 'negative', 'square', 'neg'],
    ...['relu', 'gelu', 'silu', 'softplus', 'elu', 'leaky_relu', 'dropout', 'tril', 'triu'],
    ...['clone', 'copy', 'contiguous', 'detach', 'cpu', 'cuda', 'nan_to_num', 'fliplr', 'flipud'],
    ...['conj', 'requires_grad_', 'exp_', 'relu_', 'zero_', 'fill_', 'normal_', 'uniform_'],
    ...['mul_', 'add_', 'div_', 'sub_', 'masked_fill_', 'flip', 'roll', 'deg2rad', 'rad2deg'],
    ...['tanh_'],
  ],
  same,
);
rows(ELEMENTWISE, ['real', 'imag'], same);
rows(
  ELEMENTWISE,
  [
    ...['exp', 'log', 'log2', 'log10', 'sqrt', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'log1p'],
    ...['expm1', 'arctan', 'arcsin', 'arccos', 'sinh', 'cosh', 'rsqrt', 'erf', 'reciprocal'],
  ],
  floating,
);
rows(ELEMENTWISE, ['isnan', 'isinf', 'isfinite', 'logical_not', 'bool'], predicate);
rows(ELEMENTWISE, ['astype', 'to', 'type'], cast);
ELEMENTWISE.float = castTo('float32');
ELEMENTWISE.double = castTo('float64');
ELEMENTWISE.long = castTo('int64');
ELEMENTWISE.int = castTo('int32');
ELEMENTWISE.half = castTo('float16');
ELEMENTWISE.bfloat16 = castTo('bfloat16');
ELEMENTWISE.numpy = toNumpy;
rows(ELEMENTWISE, Object.keys(BINARY_OPERATOR), binary);
rows(ELEMENTWISE, ['clip', 'clamp'], clip);
rows(ELEMENTWISE, ['masked_fill', 'masked_fill_'], maskedFill);
