/**
 * Array creation: `np.zeros((m, n))`, `torch.randn(b, t, c)`, `np.arange(n)`, `np.eye(n)`,
 * `torch.tensor([[1, 2]])`, `*_like`. NumPy takes a shape tuple; torch also takes varargs.
 */
import { defaultFloat, dtypeOf } from '../dtypes';
import { fmtDim, fmtShape, freshSym, isNum, UNKNOWN, type Dim, type Val } from '../values';
import {
  argOr,
  dimOf,
  literalArray,
  makeArray,
  rows,
  shapeFrom,
  type Call,
  type Rule,
} from './call';

/** The `dtype=` argument, or `fallback`. */
function dtypeArg(call: Call, fallback: string | undefined): string | undefined {
  const d = call.args.kw.get('dtype');
  return d ? dtypeOf(d, call.lib) : fallback;
}

/** An array of the shape given by `shapeVals`. */
function sized(call: Call, shapeVals: Val[] | undefined, dtype: string | undefined): Val {
  if (!shapeVals) return UNKNOWN;
  const shape = shapeFrom(shapeVals);
  if (!shape) return UNKNOWN;
  const dims = shape.map((d) => (isNum(d.v) || d.line >= 0 ? d : { v: d.v, line: call.line }));
  return makeArray(dims, call.lib, dtype, `${call.text}: ${fmtShape(dims)}`);
}

/** The shape arguments from position `first`: a tuple (NumPy) or varargs (torch), or size=. */
function shapeArgs(call: Call, first: number): Val[] | undefined {
  const { args } = call;
  const s = args.kw.get('size') ?? args.kw.get('shape');
  if (s) return [s];
  if (call.lib === 'torch') return args.pos.slice(first).filter((v) => v.k !== 'str');
  return args.pos.length > first ? [args.pos[first]] : undefined;
}

const filled: Rule = (_ctx, call) =>
  sized(call, shapeArgs(call, 0), dtypeArg(call, defaultFloat(call.lib)));

/** `torch.rand(2, 3)`; NumPy's `rand` lives in np.random. */
const torchRandom: Rule = (ctx, call) => (call.lib === 'np' ? UNKNOWN : filled(ctx, call));

const full: Rule = (_ctx, call) => {
  const s = argOr(call.args, 0, 'shape', 'size');
  const fill = argOr(call.args, 1, 'fill_value');
  const d =
    fill?.k === 'int'
      ? 'int64'
      : fill?.k === 'bool'
        ? 'bool'
        : fill?.k === 'float'
          ? defaultFloat(call.lib)
          : undefined;
  return sized(call, s ? [s] : undefined, dtypeArg(call, d));
};

const like: Rule = (_ctx, call) => {
  const a = call.args.pos[0];
  if (a?.k !== 'arr') return UNKNOWN;
  return makeArray(
    a.dims,
    call.lib,
    dtypeArg(call, a.dtype),
    `${call.text}: like ${fmtShape(a.dims)}`,
  );
};

const eye: Rule = (_ctx, call) => {
  const N = dimOf(argOr(call.args, 0, 'N', 'n') ?? UNKNOWN);
  const mArg = argOr(call.args, 1, 'M', 'm');
  const M = mArg && mArg.k !== 'none' && call.name === 'eye' ? dimOf(mArg) : N;
  if (!N || !M) return UNKNOWN;
  return makeArray(
    [N, M],
    call.lib,
    dtypeArg(call, defaultFloat(call.lib)),
    `${call.text}: ${fmtShape([N, M])}`,
  );
};

const arange: Rule = (_ctx, call) => {
  const { args, line } = call;
  const nums = args.pos.filter((v) => v.k === 'int' || v.k === 'float');
  const keywords = ['start', 'end', 'stop', 'step'].some((k) => args.kw.has(k));
  if (keywords || nums.length !== args.pos.length || nums.length === 0) return UNKNOWN;
  const isFloat = nums.some((v) => v.k === 'float');
  const values = nums.map((v) => (v.k === 'int' ? v.v : v.k === 'float' ? v.v : undefined));
  let len: Dim;
  if (values.every((x) => typeof x === 'number')) {
    const [start, stop, step] =
      values.length === 1
        ? [0, values[0] as number, 1]
        : [values[0] as number, values[1] as number, (values[2] as number | undefined) ?? 1];
    len = Math.max(0, Math.ceil((stop - start) / step));
  } else if (values.length === 1 && typeof values[0] === 'string') len = values[0];
  else if (
    values[0] === 0 &&
    typeof values[1] === 'string' &&
    !(nums[1].k === 'int' && nums[1].unsure) &&
    (values.length === 2 || values[2] === 1)
  )
    len = values[1]; // `arange(0, T)`: T items (T is a size, never negative)
  else len = freshSym();
  const first = nums[0];
  const dim =
    values.length === 1 && first.k === 'int' ? { v: len, line: first.line } : { v: len, line };
  return makeArray(
    [dim],
    call.lib,
    dtypeArg(call, isFloat ? defaultFloat(call.lib) : 'int64'),
    `${call.text}: (${fmtDim(len)},)`,
  );
};

const linspace: Rule = (_ctx, call) => {
  const num = argOr(call.args, 2, call.lib === 'torch' ? 'steps' : 'num');
  if (!num && call.lib === 'np')
    return makeArray(
      [{ v: 50, line: call.line }],
      call.lib,
      dtypeArg(call, 'float64'),
      `${call.text}: (50,)`,
    );
  const d = num ? dimOf(num) : undefined;
  if (!d) return UNKNOWN;
  return makeArray(
    [d],
    call.lib,
    dtypeArg(call, defaultFloat(call.lib)),
    `${call.text}: (${fmtDim(d.v)},)`,
  );
};

/** `torch.randint(low, high, (n,))`; NumPy's lives in np.random. */
const torchRandint: Rule = (_ctx, call) => {
  if (call.lib !== 'torch') return UNKNOWN;
  const s = call.args.kw.get('size') ?? call.args.pos.find((v) => v.k === 'tuple');
  return sized(call, s ? [s] : undefined, dtypeArg(call, 'int64'));
};

/** `np.array(x)`, `torch.tensor([[1, 2], [3, 4]])`. */
const fromData: Rule = (_ctx, call) => {
  const a = call.args.pos[0];
  if (!a) return UNKNOWN;
  if (a.k === 'arr')
    return makeArray(
      a.dims,
      call.lib,
      dtypeArg(call, a.dtype),
      `${call.text}: ${fmtShape(a.dims)}`,
    );
  const lit = literalArray(a, call.lib, call.line);
  if (!lit) return UNKNOWN;
  return makeArray(
    lit.dims,
    call.lib,
    dtypeArg(call, lit.dtype),
    `${call.text}: literal ${fmtShape(lit.dims)}`,
  );
};

/** np.* and torch.* functions that make a new array from sizes or data. */
export const CREATION: Record<string, Rule> = {};
rows(CREATION, ['zeros', 'ones', 'empty'], filled);
rows(CREATION, ['rand', 'randn'], torchRandom);
rows(CREATION, ['full'], full);
rows(
  CREATION,
  ['zeros_like', 'ones_like', 'empty_like', 'full_like', 'rand_like', 'randn_like'],
  like,
);
rows(CREATION, ['eye', 'identity'], eye);
rows(CREATION, ['arange'], arange);
rows(CREATION, ['linspace', 'logspace'], linspace);
rows(CREATION, ['randint'], torchRandint);
rows(CREATION, ['array', 'asarray', 'tensor', 'as_tensor', 'from_numpy'], fromData);
/** `torch.randperm(n)`: a permutation of n indices. */
rows(CREATION, ['randperm'], (_ctx, call) => {
  const n = call.args.pos[0];
  if (call.lib !== 'torch' || n?.k !== 'int') return UNKNOWN;
  return makeArray([{ v: n.v, line: n.line }], 'torch', dtypeArg(call, 'int64'), call.text);
});
