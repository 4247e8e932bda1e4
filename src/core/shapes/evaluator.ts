/**
 * Expressions: names, literals, operators, attributes, subscripts and calls, evaluated to
 * abstract values. Library calls go to the rule tables in ./library; calls of the program's
 * own functions and classes are left to the interpreter (./interpreter.ts).
 */
import { resultDtype, promoteDtypes, INT_DTYPES } from './dtypes';
import { Findings } from './findings';
import {
  COMPARISONS,
  DICT,
  LIST_MUTATORS,
  MAX_ITEMS,
  MAX_NESTING,
  namespace,
  scalarArithmetic,
  symbolicShape,
} from './python';
import { BUILTIN_NAMES } from './library/builtins';
import {
  asArray,
  intOf,
  literalArray,
  makeArray,
  NO_KEYWORDS,
  operand,
  shapeFrom,
  shortText,
  type Args,
} from './library/call';
import { Library } from './library';
import { indexArray, type IndexItem } from './library/indexing';
import { callLayer, layerAttribute } from './library/nn';
import { arrayAttribute } from './library/indexing';
import { broadcast, matmul, sliceLen } from './shapeAlgebra';
import type { Node } from './syntax';
import {
  fmtShape,
  isNum,
  namedSym,
  sameValue,
  ShapeError,
  UNKNOWN,
  type Env,
  type Lib,
  type Val,
} from './values';

type FuncVal = Extract<Val, { k: 'func' }>;
type ObjVal = Extract<Val, { k: 'obj' }>;
type SymVal = Extract<Val, { k: 'sym' }>;

export abstract class Evaluator {
  /** What the analysis found (replaced by a checkpoint's copy when resuming from one). */
  findings = new Findings();
  protected readonly library = new Library();
  /** > 0 while a call is being inlined: nothing is recorded, errors name the call site. */
  protected quiet = 0;
  /** Line of the outermost call being inlined, or -1. */
  protected callSite = -1;
  /** The file imports torch: a parameter that is indexed like an array is a tensor. */
  protected torchUsed = false;
  /** Nesting of expressions and statements being evaluated. */
  protected depth = 0;
  /** > 0 during a trial pass over a loop body: nothing is reported or recorded. */
  protected silent = 0;
  /**
   * > 0 during the first iteration of a loop that surely runs, with the values it is entered
   * with: errors are reported (that iteration raises them), nothing is recorded.
   */
  protected firstIteration = 0;

  /** Calls a function of the program with these arguments (self bound for methods). */
  protected abstract callFunction(f: FuncVal, args: Args, self: Val | undefined, site: Node): Val;
  /** `Cls(args)`: a new object of a class of the program. */
  protected abstract instantiate(cls: ObjVal, args: Args, site: Node): Val;
  /** List/set/generator comprehensions (./collections.ts). */
  protected abstract comprehension(n: Node, env: Env): Val;
  /** Dict displays (./collections.ts). */
  protected abstract dictionary(n: Node, env: Env): Val;

  protected libraryOf(...vs: Val[]): Lib {
    for (const v of vs) if (v.k === 'arr') return v.lib;
    return 'np';
  }

  protected report(n: Node, e: ShapeError): void {
    if (this.silent) return;
    this.findings.error(n, e, this.quiet ? this.callSite : -1);
  }

  /** Evaluates f(); a ShapeError becomes a diagnostic at n and the value unknown. */
  protected guard(n: Node, f: () => Val): Val {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      this.report(n, e);
      return UNKNOWN;
    }
  }

  evaluate(n: Node, env: Env): Val {
    // deeper than any real program nests (CPython stops at ~200 parentheses): unknown
    if (this.depth >= MAX_NESTING) return UNKNOWN;
    this.depth++;
    // guard() inlined: this runs for every expression
    let v: Val;
    try {
      v = this.evaluateNode(n, env);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      this.report(n, e);
      v = UNKNOWN;
    } finally {
      this.depth--;
    }
    if (
      !this.quiet &&
      !this.silent &&
      !this.firstIteration &&
      (n.type === 'identifier' ||
        n.type === 'call' ||
        n.type === 'attribute' ||
        n.type === 'subscript')
    )
      this.findings.hover(n, v, '');
    return v;
  }

  private evaluateNode(n: Node, env: Env): Val {
    switch (n.type) {
      case 'identifier': {
        const v = env.get(n.text);
        if (v) return v;
        if (BUILTIN_NAMES.has(n.text)) return { k: 'ref', path: `builtins.${n.text}` };
        return UNKNOWN;
      }
      case 'integer': {
        const t = n.text.replace(/_/g, '').toLowerCase();
        const v =
          t.startsWith('0x') || t.startsWith('0o') || t.startsWith('0b')
            ? Number(t)
            : parseInt(t, 10);
        return Number.isFinite(v) ? { k: 'int', v, line: n.startRow } : UNKNOWN;
      }
      case 'float':
        return /j$/i.test(n.text) ? UNKNOWN : { k: 'float', v: Number(n.text.replace(/_/g, '')) };
      case 'true':
      case 'false':
        return { k: 'bool', v: n.type === 'true' };
      case 'none':
        return { k: 'none' };
      case 'ellipsis':
        return { k: 'ellipsis' };
      case 'string': {
        if (n.namedChildren.some((x) => x.type === 'interpolation')) return { k: 'str', v: '' };
        const content = n.namedChildren.find((x) => x.type === 'string_content');
        return { k: 'str', v: content?.text ?? '' };
      }
      case 'parenthesized_expression':
        return n.namedChildren[0] ? this.evaluate(n.namedChildren[0], env) : UNKNOWN;
      case 'tuple':
      case 'expression_list':
      case 'list': {
        const list = n.type === 'list';
        if (n.namedChildren.length > MAX_ITEMS) return { k: 'tuple', items: [], list, open: true };
        return { k: 'tuple', items: n.namedChildren.map((c) => this.evaluate(c, env)), list };
      }
      case 'unary_operator':
        return this.unary(n, env);
      case 'binary_operator': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator')?.text ?? n.children[1]?.text ?? '';
        if (!l || !r) return UNKNOWN;
        const lv = this.evaluate(l, env);
        const rv = this.evaluate(r, env);
        return this.binary(op, lv, rv, l, r, n);
      }
      case 'comparison_operator': {
        const kids = n.namedChildren;
        const ops = n.children.filter((c) => !c.isNamed);
        const vals = kids.map((k) => this.evaluate(k, env));
        if (kids.length === 2 && COMPARISONS.includes(ops[0]?.text ?? ''))
          return this.binary(ops[0].text, vals[0], vals[1], kids[0], kids[1], n);
        return { k: 'bool' };
      }
      case 'not_operator':
      case 'boolean_operator':
        for (const c of n.namedChildren) this.evaluate(c, env);
        return UNKNOWN;
      case 'conditional_expression': {
        const vs = n.namedChildren.map((c) => this.evaluate(c, env));
        return vs.length === 3 && sameValue(vs[0], vs[2]) ? vs[0] : UNKNOWN;
      }
      case 'attribute':
        return this.attribute(n, env);
      case 'subscript':
        return this.subscript(n, env);
      case 'call':
        return this.call(n, env);
      case 'dictionary':
        return this.dictionary(n, env);
      case 'list_comprehension':
      case 'generator_expression':
        return this.comprehension(n, env);
      default:
        return UNKNOWN;
    }
  }

  private unary(n: Node, env: Env): Val {
    const arg = n.childForFieldName('argument');
    const op = n.childForFieldName('operator')?.text ?? n.children[0]?.text;
    if (!arg) return UNKNOWN;
    const v = this.evaluate(arg, env);
    if (op === '-' && v.k === 'int')
      return { k: 'int', v: isNum(v.v) ? -v.v : `-${v.v}`, line: v.line };
    if (op === '-' && v.k === 'float')
      return { k: 'float', v: v.v === undefined ? undefined : -v.v };
    if (v.k === 'arr') return { ...v, deriv: `${shortText(n)}: ${op}${fmtShape(v.dims)}` };
    return v.k === 'int' || v.k === 'float' ? v : UNKNOWN;
  }

  // ---------------------------------------------------------------- operators

  /** `a op b` (nodes ln, rn; whole expression n). */
  protected binary(op: string, a0: Val, b0: Val, ln: Node, rn: Node, n: Node): Val {
    const line = n.startRow;
    // a parameter next to a number may be an int (`4 * n`), or an array: an unsure int
    const asInt = (v: Val, o: Val): Val =>
      v.k === 'sym' && (o.k === 'int' || o.k === 'float')
        ? { k: 'int', v: v.name, line: v.line, unsure: true }
        : v;
    const a = asInt(a0, b0);
    const b = asInt(b0, a0);
    if ((a.k === 'int' || a.k === 'float') && (b.k === 'int' || b.k === 'float')) {
      const r = scalarArithmetic(op, a, b, line);
      const unsure = (a.k === 'int' && a.unsure) || (b.k === 'int' && b.unsure);
      if (!unsure) return r;
      return r.k === 'int' ? { ...r, unsure: true } : UNKNOWN;
    }
    if (a.k === 'tuple' && b.k === 'tuple' && op === '+')
      return a.open || b.open
        ? { k: 'tuple', items: [], list: a.list, open: true }
        : { k: 'tuple', items: [...a.items, ...b.items], list: a.list };
    if (a.k === 'tuple' && b.k === 'int' && op === '*' && isNum(b.v) && !a.open)
      return b.v * a.items.length <= MAX_ITEMS
        ? { k: 'tuple', items: Array.from({ length: b.v }, () => a.items).flat(), list: a.list }
        : { k: 'tuple', items: [], list: a.list, open: true };
    if (a.k !== 'arr' && b.k !== 'arr') return UNKNOWN;
    const lib = this.libraryOf(a, b);
    const A = asArray(a, lib, line);
    const B = asArray(b, lib, line);
    if (!A || !B) return UNKNOWN;
    const aName = shortText(ln);
    const bName = shortText(rn);
    if (op === '@') {
      const dims = matmul(operand(aName, A), operand(bName, B));
      return makeArray(
        dims,
        lib,
        promoteDtypes(A.dtype, B.dtype, lib),
        `${shortText(n)}: ${fmtShape(A.dims)} @ ${fmtShape(B.dims)}`,
      );
    }
    const dims = broadcast(
      [operand(aName, A), operand(bName, B)],
      `operands could not be broadcast together with shapes ${fmtShape(A.dims)} ${fmtShape(B.dims)}`,
    );
    return makeArray(
      dims,
      lib,
      resultDtype(a, b, lib, op),
      `${shortText(n)}: ${fmtShape(A.dims)} ${op} ${fmtShape(B.dims)}`,
    );
  }

  // ---------------------------------------------------------------- attributes

  private attribute(n: Node, env: Env): Val {
    const objectNode = n.childForFieldName('object');
    const name = n.childForFieldName('attribute')?.text ?? '';
    if (!objectNode) return UNKNOWN;
    const o = this.evaluate(objectNode, env);
    const line = n.startRow;
    switch (o.k) {
      case 'ref': {
        const path = `${o.path}.${name}`;
        if (path === 'numpy.newaxis') return { k: 'none' };
        if (['numpy.pi', 'numpy.e', 'math.pi', 'numpy.inf', 'math.inf'].includes(path))
          return { k: 'float' };
        return { k: 'ref', path };
      }
      case 'arr':
        return arrayAttribute(o, name, shortText(n), line);
      case 'sym':
        if (name === 'shape') return symbolicShape(o);
        // `config.n_embd` of a parameter: as unknown as the parameter, named after the attribute
        return { k: 'sym', name: namedSym(name, `${o.name}.${name}`), line };
      case 'layer':
        return layerAttribute(o, name, shortText(n));
      case 'obj':
        return o.attrs.get(name) ?? UNKNOWN;
      case 'tuple':
        if (o.names && name !== '__symshape__') {
          const i = o.names.indexOf(name);
          if (i >= 0) return o.items[i] ?? UNKNOWN;
        }
        return UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  // ---------------------------------------------------------------- indexing

  private subscript(n: Node, env: Env): Val {
    const valueNode = n.childForFieldName('value');
    if (!valueNode) return UNKNOWN;
    const v = this.evaluate(valueNode, env);
    const subs = n.childrenForFieldName('subscript');
    if (v.k === 'tuple') return this.tupleItem(v, subs, env);
    if (v.k === 'layer' && v.kind === 'Sequential' && subs.length === 1) {
      const i = intOf(this.evaluate(subs[0], env));
      if (i !== undefined && v.layers) return v.layers[i < 0 ? i + v.layers.length : i] ?? UNKNOWN;
      return UNKNOWN;
    }
    if (v.k === 'obj' && v.attrs.has(DICT) && subs.length === 1) {
      const key = this.evaluate(subs[0], env);
      return key.k === 'str' && key.v !== DICT ? (v.attrs.get(key.v) ?? UNKNOWN) : UNKNOWN;
    }
    if (v.k === 'ref' && v.path === 'numpy.c_') {
      // `np.c_[ones, X]`: 1-D and 2-D arrays side by side as columns (np.column_stack)
      const items = subs.map((s) => (s.type === 'slice' ? UNKNOWN : this.evaluate(s, env)));
      if (
        !items.length ||
        !items.every((x) => x.k === 'arr' && x.dims.length >= 1 && x.dims.length <= 2)
      )
        return UNKNOWN;
      const args = {
        pos: [{ k: 'tuple' as const, items }],
        kw: NO_KEYWORDS,
        nodes: [n],
        bad: false,
      };
      return this.guard(n, () => this.library.callPath('numpy.column_stack', args, n));
    }
    if (v.k !== 'arr') {
      for (const s of subs) if (s.type !== 'slice') this.evaluate(s, env);
      return UNKNOWN;
    }
    const items: IndexItem[] = [];
    for (const s of subs) {
      const item = this.indexItem(s, env, v.lib, n.startRow);
      if (!item) return UNKNOWN;
      items.push(item);
    }
    return indexArray(v, items, shortText(n), n.startRow) ?? UNKNOWN;
  }

  /** `t[i]`, `t[a:b]` on a tuple/list; `x.shape[i]` of a parameter. */
  private tupleItem(v: Extract<Val, { k: 'tuple' }>, subs: Node[], env: Env): Val {
    if (v.names?.[0] === '__symshape__' && subs.length === 1) {
      const i = this.evaluate(subs[0], env);
      if (i.k === 'int' && isNum(i.v))
        return { k: 'int', v: `${v.names[1]}.${i.v}`, line: Number(v.names[2]) };
      return UNKNOWN;
    }
    if (subs.length !== 1 || v.open) return UNKNOWN;
    if (subs[0].type === 'slice') {
      const { start: s, stop: e, step: st } = this.sliceBounds(subs[0], env);
      const len = v.items.length;
      const out: Val[] = [];
      const count = sliceLen(len, s, e, st ?? 1);
      if (!isNum(count)) return UNKNOWN;
      const step = st ?? 1;
      let at =
        s === undefined
          ? step > 0
            ? 0
            : len - 1
          : s < 0
            ? Math.max(s + len, step > 0 ? 0 : -1)
            : Math.min(s, step > 0 ? len : len - 1);
      for (let k = 0; k < count; k++, at += step) out.push(v.items[at]);
      return { k: 'tuple', items: out };
    }
    const i = this.evaluate(subs[0], env);
    if (i.k === 'int' && isNum(i.v)) {
      const idx = i.v < 0 ? i.v + v.items.length : i.v;
      return v.items[idx] ?? UNKNOWN;
    }
    return UNKNOWN;
  }

  /** start:stop:step as known ints; `known` false when a bound is not a known int. */
  private sliceBounds(
    s: Node,
    env: Env,
  ): { start?: number; stop?: number; step?: number; known: boolean } {
    const parts: (Node | undefined)[] = [undefined, undefined, undefined];
    let k = 0;
    for (const c of s.children) {
      if (c.type === ':') k++;
      else if (c.isNamed) parts[k] = c;
    }
    let known = true;
    const bound = (p: Node | undefined): number | undefined => {
      if (!p) return undefined;
      const v = this.evaluate(p, env);
      if (v.k === 'none') return undefined;
      const i = intOf(v);
      if (i === undefined) known = false;
      return i;
    };
    const start = bound(parts[0]);
    const stop = bound(parts[1]);
    const step = bound(parts[2]);
    return { start, stop, step, known };
  }

  private indexItem(s: Node, env: Env, lib: Lib, line: number): IndexItem | undefined {
    if (s.type === 'slice') return { t: 'slice', ...this.sliceBounds(s, env) };
    const x = this.evaluate(s, env);
    if (x.k === 'int') return { t: 'int', i: isNum(x.v) ? x.v : undefined };
    if (x.k === 'none') return { t: 'newaxis' };
    if (x.k === 'ellipsis') return { t: 'ellipsis' };
    if (x.k !== 'arr' && x.k !== 'tuple') return undefined;
    const a = x.k === 'arr' ? x : literalArray(x, lib, line);
    if (!a?.dtype) return undefined;
    const mask = a.dtype === 'bool';
    if (!mask && !INT_DTYPES.has(a.dtype)) return undefined;
    return { t: 'array', dims: mask ? undefined : a.dims, mask, rank: mask ? a.dims.length : 1 };
  }

  // ---------------------------------------------------------------- calls

  private evaluateArguments(n: Node, env: Env): Args {
    const a: Args = { pos: [], kw: NO_KEYWORDS, nodes: [], bad: false };
    let kw: Map<string, Val> | undefined;
    const list = n.childForFieldName('arguments');
    if (!list) return a;
    if (list.type !== 'argument_list') {
      a.bad = true;
      return a;
    }
    for (const c of list.namedChildren) {
      if (c.type === 'keyword_argument') {
        const k = c.childForFieldName('name')?.text ?? '';
        const vn = c.childForFieldName('value');
        (kw ??= new Map()).set(k, vn ? this.evaluate(vn, env) : UNKNOWN);
      } else if (c.type === 'list_splat') {
        const v = c.namedChildren[0] ? this.evaluate(c.namedChildren[0], env) : UNKNOWN;
        if (v.k === 'tuple') {
          a.pos.push(...v.items);
          for (let i = 0; i < v.items.length; i++) a.nodes.push(c);
        } else a.bad = true;
      } else if (c.type === 'dictionary_splat') {
        // `f(**config)`: a dict of known keys spreads into keywords
        const v = c.namedChildren[0] ? this.evaluate(c.namedChildren[0], env) : UNKNOWN;
        if (v.k === 'obj' && v.attrs.has(DICT)) {
          for (const [k, x] of v.attrs) if (k !== DICT) (kw ??= new Map()).set(k, x);
        } else a.bad = true;
      } else if (c.type !== 'comment') {
        a.pos.push(this.evaluate(c, env));
        a.nodes.push(c);
      }
    }
    if (kw) a.kw = kw;
    return a;
  }

  private call(n: Node, env: Env): Val {
    const fnNode = n.childForFieldName('function');
    if (!fnNode) return UNKNOWN;
    if (fnNode.type === 'attribute') {
      const objectNode = fnNode.childForFieldName('object');
      const name = fnNode.childForFieldName('attribute')?.text ?? '';
      if (!objectNode) return UNKNOWN;
      const o = this.evaluate(objectNode, env);
      const args = this.evaluateArguments(n, env);
      if ((o.k === 'tuple' || (o.k === 'obj' && o.attrs.has(DICT))) && LIST_MUTATORS.has(name)) {
        if (o.k === 'obj') {
          this.assignTo(objectNode, UNKNOWN, env);
          return UNKNOWN;
        }
        this.mutateList(objectNode, o, name, args, env);
        return UNKNOWN;
      }
      if (args.bad) return UNKNOWN;
      return this.methodCall(o, name, shortText(objectNode), args, n);
    }
    const f = this.evaluate(fnNode, env);
    const args = this.evaluateArguments(n, env);
    if (args.bad) return UNKNOWN;
    switch (f.k) {
      case 'ref':
        if (f.path === 'types.SimpleNamespace' || f.path === 'builtins.dict')
          return namespace(args, f.path === 'builtins.dict');
        return this.library.callPath(f.path, args, n);
      case 'layer':
        return callLayer(f, args, n);
      case 'func':
        return this.callFunction(f, args, undefined, n);
      case 'obj': {
        if (f.attrs.has('__class_methods__')) return this.instantiate(f, args, n);
        const m = f.attrs.get('forward') ?? f.attrs.get('__call__');
        if (m?.k === 'func') return this.callFunction(m, args, f, n);
        return UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }

  private methodCall(o: Val, name: string, objectText: string, args: Args, n: Node): Val {
    switch (o.k) {
      case 'ref':
        return this.library.callPath(`${o.path}.${name}`, args, n);
      case 'arr':
        return this.library.arrayCall(name, o.lib, o, objectText, args, n, false);
      case 'sym':
        return this.parameterMethod(o, name, args, n);
      case 'rng':
        return this.library.generatorMethod(name, args, n);
      case 'obj': {
        // nn.Module.register_buffer('mask', t) / register_parameter: an attribute
        if (
          (name === 'register_buffer' || name === 'register_parameter') &&
          args.pos[0]?.k === 'str'
        ) {
          o.attrs.set(args.pos[0].v, args.pos[1] ?? UNKNOWN);
          return { k: 'none' };
        }
        const f = o.attrs.get(name);
        if (f?.k === 'func')
          return this.callFunction(f, args, o.attrs.has('__class_methods__') ? undefined : o, n);
        if (f?.k === 'layer') return callLayer(f, args, n);
        if (f?.k === 'obj' && !f.attrs.has('__class_methods__')) {
          // `self.attn(x)`: a submodule called
          const m = f.attrs.get('forward') ?? f.attrs.get('__call__');
          if (m?.k === 'func') return this.callFunction(m, args, f, n);
        }
        return UNKNOWN;
      }
      case 'layer':
        return name === 'forward' ? callLayer(o, args, n) : UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  /**
   * `xs.append(v)` and friends: the list named by `target` gets its new value (append of a
   * known item to a known list), or becomes open: its length and items are then unknown.
   */
  private mutateList(
    target: Node,
    list: Extract<Val, { k: 'tuple' }>,
    name: string,
    args: Args,
    env: Env,
  ): void {
    const known = !list.open && !args.bad && list.items.length < MAX_ITEMS;
    let next: Val;
    if (name === 'append' && known && args.pos.length === 1)
      next = { ...list, items: [...list.items, args.pos[0]] };
    else if (name === 'extend' && known && args.pos[0]?.k === 'tuple' && !args.pos[0].open)
      next = { ...list, items: [...list.items, ...args.pos[0].items] };
    else next = { k: 'tuple', items: [], list: true, open: true };
    this.assignTo(target, next, env);
  }

  /** Stores v where the expression `target` (a name or `obj.attr`) lives, if it can be found. */
  protected assignTo(target: Node, v: Val, env: Env, local = false): void {
    if (target.type === 'identifier') {
      if (local) env.set(target.text, v);
      else env.update(target.text, v);
    } else if (target.type === 'attribute') {
      const objectNode = target.childForFieldName('object');
      const attr = target.childForFieldName('attribute')?.text ?? '';
      this.quiet++;
      try {
        const o = objectNode ? this.evaluate(objectNode, env) : UNKNOWN;
        if (o.k === 'obj') o.attrs.set(attr, v);
      } finally {
        this.quiet--;
      }
    }
  }

  /** `x.size()`, `x.size(1)`, `x.view(a, b)` on a parameter x of unknown type. */
  private parameterMethod(o: SymVal, name: string, args: Args, n: Node): Val {
    if (name === 'size' || name === 'shape') {
      if (args.pos.length === 0) return symbolicShape(o);
      const i = intOf(args.pos[0]);
      if (i !== undefined) return { k: 'int', v: `${o.name}.${i}`, line: o.line };
      return UNKNOWN;
    }
    if (name === 'view' || name === 'reshape') {
      const shape = shapeFrom(args.pos);
      if (shape && !shape.some((d) => d.v === -1))
        return makeArray(
          shape,
          this.torchUsed ? 'torch' : 'np',
          undefined,
          `${shortText(n)}: ${fmtShape(shape)}`,
        );
    }
    return UNKNOWN;
  }
}
