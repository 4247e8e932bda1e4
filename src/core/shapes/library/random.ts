/**
 * `np.random.*` and the methods of a `np.random.default_rng()` generator: the `size=` argument
 * (at the position each function takes it) gives the shape; without it the result is a scalar.
 */
import { dtypeOf } from '../dtypes';
import { fmtShape, freshSym, UNKNOWN, type Val } from '../values';
import { argOr, makeArray, rows, shapeFrom, type Call, type Rule } from './call';

/** A sampler whose `size` is the argument at `sizeAt` (or `size=`) and whose dtype is `dtype`. */
function sampler(sizeAt: number, dtype: string): Rule {
  return (_ctx, call) => sample(call, argOr(call.args, sizeAt, 'size'), dtype, dtype === 'int64');
}

/** Without a size: a Python int (`intScalar`) or float. */
function sample(call: Call, sizeValue: Val | undefined, dtype0: string, intScalar = false): Val {
  let dtype = dtype0;
  const dtypeKw = call.args.kw.get('dtype');
  if (dtypeKw) dtype = dtypeOf(dtypeKw, 'np') ?? '';
  if (!sizeValue || sizeValue.k === 'none')
    return intScalar ? { k: 'int', v: freshSym(), line: call.line } : { k: 'float' };
  const shape = shapeFrom([sizeValue]);
  if (!shape) return UNKNOWN;
  return makeArray(shape, 'np', dtype || undefined, `${call.text}: ${fmtShape(shape)}`);
}

/** `np.random.rand(2, 3)`: sizes as varargs (not on a Generator). */
const legacyVarargs: Rule = (_ctx, call) => {
  if (call.name.startsWith('rng.')) return UNKNOWN;
  if (!call.args.pos.length) return { k: 'float' };
  return sample(call, { k: 'tuple', items: call.args.pos }, 'float64');
};

const choice: Rule = (_ctx, call) => {
  const a = call.args.pos[0];
  const dtype = a?.k === 'int' ? 'int64' : a?.k === 'arr' && a.dtype ? a.dtype : '';
  return sample(call, argOr(call.args, 1, 'size'), dtype);
};

const permutation: Rule = (_ctx, call) => {
  const a = call.args.pos[0];
  if (a?.k === 'int') return makeArray([{ v: a.v, line: a.line }], 'np', 'int64', call.text);
  if (a?.k === 'arr') return makeArray(a.dims, 'np', a.dtype, call.text);
  return UNKNOWN;
};

const nothing: Rule = () => ({ k: 'none' });

/**
 * Keyed by the function name; a Generator method is looked up with the same name (its call has
 * `name` prefixed `rng.` so that the legacy-only forms can refuse it).
 */
export const RANDOM: Record<string, Rule> = {};
rows(RANDOM, ['rand', 'randn'], legacyVarargs);
rows(RANDOM, ['random', 'random_sample', 'standard_normal', 'sample'], sampler(0, 'float64'));
rows(RANDOM, ['normal', 'uniform', 'laplace', 'logistic', 'lognormal'], sampler(2, 'float64'));
rows(RANDOM, ['exponential', 'standard_t', 'chisquare'], sampler(1, 'float64'));
rows(RANDOM, ['poisson'], sampler(1, 'int64'));
rows(RANDOM, ['randint', 'integers', 'binomial'], sampler(2, 'int64'));
rows(RANDOM, ['choice'], choice);
rows(RANDOM, ['permutation'], permutation);
rows(RANDOM, ['seed', 'shuffle'], nothing);
