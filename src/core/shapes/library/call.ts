/**
 * What a library rule is given: the evaluated arguments of one call and where it is, plus the
 * small readers every rule uses (an int, a shape, an axis list, a keyword-or-positional
 * argument) and the constructors of array values.
 */
import type { Node } from '../syntax';
import { defaultFloat, FLOAT_DTYPES, INT_DTYPES } from '../dtypes';
import type { Operand } from '../shapeAlgebra';
import { isNum, type ArrVal, type DimInfo, type Lib, type Val } from '../values';

/** Evaluated arguments of a call; `nodes[i]` is the syntax of `pos[i]`. */
export interface Args {
  pos: Val[];
  /** Keyword arguments (never changed once the call is evaluated; most calls share NO_KEYWORDS). */
  kw: ReadonlyMap<string, Val>;
  nodes: Node[];
  /** An argument the checker cannot spread (`*unknown`): the call is not interpreted. */
  bad: boolean;
}

/** The keywords of a call without any (one shared map: most calls have none). */
export const NO_KEYWORDS: ReadonlyMap<string, Val> = new Map();

/** A call of a NumPy/PyTorch function or array method. */
export interface Call {
  name: string;
  lib: Lib;
  args: Args;
  /** The call expression. */
  node: Node;
  /** 0-based line of the call. */
  line: number;
  /** The call's source text, shortened, for derivations. */
  text: string;
}

/** A call whose first operand is an array: `x.sum(1)` or `np.sum(x, 1)`. */
export interface ArrayCall extends Call {
  self: ArrVal;
  /** Source text of the array operand. */
  selfName: string;
  /** The operand as written, before it was turned into an array (a list literal, a scalar). */
  selfValue: Val;
  /** Source text of the i-th argument after the array operand. */
  argName(i: number): string;
}

/** A call whose first argument is a sequence or a spec (`np.stack([a, b])`, `einsum('ij', a)`). */
export interface SequenceCall extends Call {
  first: Val | undefined;
}

/** What rules ask of the interpreter. */
export interface RuleContext {
  /** Runs the array rule `name` (one rule delegating to another: `x.norm()` → linalg). */
  arrayRule(name: string, call: ArrayCall): Val;
}

export type ArrayRule = (ctx: RuleContext, call: ArrayCall) => Val;
export type SequenceRule = (ctx: RuleContext, call: SequenceCall) => Val;
export type Rule = (ctx: RuleContext, call: Call) => Val;

/** Adds `rule` under every name (tables list aliases in one row). */
export function rows<R>(table: Record<string, R>, names: string[], rule: R): void {
  for (const n of names) table[n] = rule;
}

/** The node's text on one line, at most 48 characters (kept on the node: its text never changes). */
export function shortText(n: Node): string {
  let s = n.short;
  if (s === undefined) {
    const t = n.text;
    s = /\s/.test(t) ? t.replace(/\s+/g, ' ') : t;
    if (s.length > 48) s = s.slice(0, 45) + '…';
    n.short = s;
  }
  return s;
}

export function makeArray(
  dims: DimInfo[],
  lib: Lib,
  dtype: string | undefined,
  derivation: string,
): ArrVal {
  return { k: 'arr', dims, lib, dtype, deriv: derivation };
}

export function operand(name: string, a: ArrVal): Operand {
  return { name, dims: a.dims };
}

/** Keyword argument (first of `names` given) or else the i-th positional. */
export function argOr(args: Args, i: number, ...names: string[]): Val | undefined {
  for (const k of names) {
    const v = args.kw.get(k);
    if (v) return v;
  }
  return args.pos[i];
}

/** True when the keyword argument `name` of call n is literally False. */
export function keywordIsFalse(n: Node, name: string): boolean {
  const list = n.childForFieldName('arguments');
  for (const c of list?.namedChildren ?? [])
    if (c.type === 'keyword_argument' && c.childForFieldName('name')?.text === name)
      return c.childForFieldName('value')?.type === 'false';
  return false;
}

/** A dimension given as an argument: a known or symbolic int. */
export function dimOf(v: Val): DimInfo | undefined {
  if (v.k === 'int') return { v: v.v, line: v.line };
  if (v.k === 'sym') return { v: v.name, line: v.line };
  return undefined;
}

/** A shape argument: int, tuple/list of ints, or varargs of ints. */
export function shapeFrom(vals: Val[]): DimInfo[] | undefined {
  if (vals.length === 1 && vals[0].k === 'tuple') {
    if (vals[0].open) return undefined;
    return shapeFrom(vals[0].items);
  }
  if (vals.length === 1 && vals[0].k === 'arr' && vals[0].dims.length === 1) return undefined;
  // a lone parameter may be a tuple as well as an int: its rank is unknown
  if (vals.length === 1 && vals[0].k === 'sym') return undefined;
  // NumPy allows 32 (64 since 2.0) dimensions, torch 64
  if (vals.length > 64) return undefined;
  const out: DimInfo[] = [];
  for (const v of vals) {
    const d = dimOf(v);
    if (!d) return undefined;
    out.push(d);
  }
  return out;
}

export function intOf(v: Val | undefined): number | undefined {
  return v?.k === 'int' && isNum(v.v) ? v.v : undefined;
}

/** An int or a tuple of known ints (an axis list). */
export function intsOf(v: Val | undefined): number[] | undefined {
  if (!v) return undefined;
  if (v.k === 'int') return isNum(v.v) ? [v.v] : undefined;
  if (v.k === 'tuple' && !v.open) {
    const r = v.items.map((x) => intOf(x));
    return r.every((x) => x !== undefined) ? (r as number[]) : undefined;
  }
  return undefined;
}

/** Python scalar or literal → array operand (0-d for scalars). */
export function asArray(v: Val, lib: Lib, line: number): ArrVal | undefined {
  if (v.k === 'arr') return v;
  if (v.k === 'int' && v.unsure) return undefined;
  if (v.k === 'int') return { k: 'arr', dims: [], lib, dtype: 'int64', deriv: 'int' };
  if (v.k === 'float') return { k: 'arr', dims: [], lib, dtype: defaultFloat(lib), deriv: 'float' };
  if (v.k === 'bool') return { k: 'arr', dims: [], lib, dtype: 'bool', deriv: 'bool' };
  if (v.k === 'tuple') return literalArray(v, lib, line);
  return undefined;
}

/** Nested list/tuple literal → array (undefined when ragged, open or not numeric). */
export function literalArray(v: Val, lib: Lib, line: number): ArrVal | undefined {
  if (v.k === 'int' && v.unsure) return undefined;
  if (v.k === 'int') return { k: 'arr', dims: [], lib, dtype: 'int64', deriv: '' };
  if (v.k === 'float') return { k: 'arr', dims: [], lib, dtype: defaultFloat(lib), deriv: '' };
  if (v.k === 'bool') return { k: 'arr', dims: [], lib, dtype: 'bool', deriv: '' };
  if (v.k === 'arr') return v;
  if (v.k !== 'tuple' || v.open) return undefined;
  const subs = v.items.map((x) => literalArray(x, lib, line));
  if (subs.some((s) => !s)) return undefined;
  const items = subs as ArrVal[];
  const first = items[0];
  if (
    first &&
    !items.every(
      (s) => s.dims.length === first.dims.length && s.dims.every((d, i) => d.v === first.dims[i].v),
    )
  )
    return undefined;
  let dtype: string | undefined = items.length ? 'bool' : defaultFloat(lib);
  for (const s of items) {
    if (!s.dtype || !dtype) dtype = undefined;
    else if (s.dtype === dtype) continue;
    else if (dtype === 'bool') dtype = s.dtype;
    else if (s.dtype === 'bool') continue;
    else if (FLOAT_DTYPES.has(s.dtype) && INT_DTYPES.has(dtype)) dtype = s.dtype;
    else if (FLOAT_DTYPES.has(dtype) && INT_DTYPES.has(s.dtype)) continue;
    else dtype = undefined;
  }
  return {
    k: 'arr',
    dims: [{ v: items.length, line }, ...(first ? first.dims.map((d) => ({ v: d.v, line })) : [])],
    lib,
    dtype,
    deriv: '',
  };
}
