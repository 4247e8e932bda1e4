/** Python builtins that carry sizes: `len`, `int`, `float`, `min`, `max`, `list`, `tuple`, `round`. */
import { dimMin, freshSym, isNum, UNKNOWN, type Dim } from '../values';
import { rows, type Rule } from './call';

const len: Rule = (_ctx, call) => {
  const a = call.args.pos[0];
  if (a?.k === 'arr' && a.dims.length) return { k: 'int', v: a.dims[0].v, line: a.dims[0].line };
  if (a?.k === 'tuple' && !a.names && !a.open)
    return { k: 'int', v: a.items.length, line: call.line };
  if (a?.k === 'sym') return { k: 'int', v: `${a.name}.0`, line: a.line };
  // whatever it measures, len() gives an int (or raises)
  return a ? { k: 'int', v: freshSym(), line: call.line } : UNKNOWN;
};

const int: Rule = (_ctx, call) => {
  const a = call.args.pos[0];
  if (a?.k === 'int') return a;
  if (a?.k === 'float' && a.v !== undefined)
    return { k: 'int', v: Math.trunc(a.v), line: call.line };
  return UNKNOWN;
};

const float: Rule = (_ctx, call) => {
  const a = call.args.pos[0];
  return { k: 'float', v: a?.k === 'float' ? a.v : a?.k === 'int' && isNum(a.v) ? a.v : undefined };
};

const minMax: Rule = (_ctx, call) => {
  const { pos } = call.args;
  if (pos.length !== 2 || !pos.every((x) => x.k === 'int')) return UNKNOWN;
  const [x, y] = pos as { k: 'int'; v: Dim; line: number }[];
  const isMin = call.name === 'min';
  if (isNum(x.v) && isNum(y.v))
    return { k: 'int', v: isMin ? Math.min(x.v, y.v) : Math.max(x.v, y.v), line: call.line };
  return { k: 'int', v: isMin ? dimMin(x.v, y.v) : `max(${x.v}, ${y.v})`, line: call.line };
};

const sequence: Rule = (_ctx, call) => {
  const a = call.args.pos[0];
  if (a?.k === 'tuple') return { ...a, names: undefined, list: call.name === 'list' };
  return UNKNOWN;
};

const abs: Rule = (_ctx, call) => {
  const a = call.args.pos[0];
  return a?.k === 'arr' || a?.k === 'int' || a?.k === 'float' ? a : UNKNOWN;
};

const round: Rule = (_ctx, call) => {
  const a = call.args.pos[0];
  if (a?.k === 'int') return { k: 'int', v: a.v, line: call.line };
  if (a?.k === 'float')
    return { k: 'int', v: a.v !== undefined ? Math.round(a.v) : freshSym(), line: call.line };
  return UNKNOWN;
};

export const BUILTINS: Record<string, Rule> = {};
rows(BUILTINS, ['len'], len);
rows(BUILTINS, ['int'], int);
rows(BUILTINS, ['float'], float);
rows(BUILTINS, ['min', 'max'], minMax);
rows(BUILTINS, ['list', 'tuple'], sequence);
rows(BUILTINS, ['abs'], abs);
rows(BUILTINS, ['round'], round);

/** Builtin names the evaluator resolves when nothing shadows them. */
export const BUILTIN_NAMES = new Set([
  ...['float', 'int', 'bool', 'len', 'range', 'min', 'max', 'abs', 'round', 'list', 'tuple'],
  'sum',
  'dict',
]);
