/**
 * Abstract interpreter over a tree-sitter Python tree: tracks shapes and dtypes of NumPy
 * arrays and PyTorch tensors through straight-line code (module scope, function and
 * method bodies), and reports the operations that provably raise.
 */
import type { Node, Point } from './syntax';
import {
  ArrVal,
  Dim,
  DimInfo,
  Env,
  LayerVal,
  Lib,
  ShapeError,
  UNKNOWN,
  Val,
  describe,
  dimAdd,
  dimFloorDiv,
  dimMin,
  dimMul,
  dimProd,
  dimSub,
  dimEq,
  fmtDim,
  fmtShape,
  freshSym,
  isNum,
  L,
} from './values';
import {
  Operand,
  broadcast,
  concat,
  dot,
  einsum,
  matmul,
  mmLike,
  normAxis,
  reduce,
  reshape,
  sliceLen,
  stack,
} from './rules';

/** One inferred value of an assigned name. Lines and columns are 0-based. */
export interface ShapeEntry {
  line: number;
  column: number;
  name: string;
  /** dims (numbers, or strings for symbols); [] for scalars; null when unknown or not an array. */
  shape: (number | string)[] | null;
  dtype?: string;
  /** For integer scalars: the value (number or symbol). */
  value?: number | string;
  derivation: string;
  /** 0-based line each dimension came from (-1 when not tied to a line). */
  dimLines?: number[];
}

/** Lines and columns 0-based; related lines 0-based. */
export interface ShapeDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning';
  message: string;
  related: { line: number; message: string }[];
}

export interface HoverInfo {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  name: string;
  shape: (number | string)[] | null;
  dtype?: string;
  value?: number | string;
  derivation: string;
  /** Markdown-free one-liner: `shape (32, 3072) · float64`. */
  text: string;
}

type Args = { pos: Val[]; kw: Map<string, Val>; nodes: Node[]; bad: boolean };

const FLOAT_DT = new Set(['float16', 'bfloat16', 'float32', 'float64']);
const INT_DT = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64']);
const DTYPE_NAMES = new Set([
  ...FLOAT_DT,
  ...INT_DT,
  'bool',
  'bool_',
  'complex64',
  'complex128',
  'double',
  'half',
  'long',
  'float',
  'int',
  'short',
  'cfloat',
]);

const UNARY_SAME = new Set([
  'exp',
  'log',
  'log2',
  'log10',
  'log1p',
  'expm1',
  'sqrt',
  'abs',
  'absolute',
  'sin',
  'cos',
  'tan',
  'tanh',
  'sinh',
  'cosh',
  'arctan',
  'arcsin',
  'arccos',
  'sign',
  'floor',
  'ceil',
  'round',
  'negative',
  'square',
  'relu',
  'gelu',
  'silu',
  'sigmoid',
  'softplus',
  'elu',
  'leaky_relu',
  'dropout',
  'tril',
  'triu',
  'clone',
  'copy',
  'contiguous',
  'detach',
  'cpu',
  'cuda',
  'neg',
  'reciprocal',
  'rsqrt',
  'clip',
  'clamp',
  'nan_to_num',
  'fliplr',
  'flipud',
  'conj',
  'real',
  'imag',
  'sort',
  'requires_grad_',
  'exp_',
  'relu_',
  'zero_',
  'fill_',
  'normal_',
  'uniform_',
  'mul_',
  'add_',
  'div_',
  'sub_',
  'masked_fill_',
  'softmax',
  'log_softmax',
  'cumsum',
  'cumprod',
  'flip',
  'roll',
  'erf',
  'deg2rad',
  'rad2deg',
  'logical_not',
  'isnan',
  'isinf',
  'isfinite',
  'astype',
  'to',
  'type',
  'float',
  'double',
  'long',
  'int',
  'half',
  'bool',
  'numpy',
  'bfloat16',
  'tanh_',
]);
const BOOL_OUT = new Set(['isnan', 'isinf', 'isfinite', 'logical_not', 'bool']);
const REDUCE = new Set([
  'sum',
  'mean',
  'max',
  'min',
  'prod',
  'std',
  'var',
  'all',
  'any',
  'argmax',
  'argmin',
  'amax',
  'amin',
  'median',
  'nansum',
  'nanmean',
  'logsumexp',
  'count_nonzero',
  'ptp',
]);
const BINARY_FN: Record<string, string> = {
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
const LAYER_SAME = new Set([
  'ReLU',
  'GELU',
  'Dropout',
  'Tanh',
  'Sigmoid',
  'SiLU',
  'Identity',
  'Softmax',
  'LogSoftmax',
  'LeakyReLU',
  'ELU',
  'Softplus',
  'Mish',
  'Hardtanh',
]);

function same(a: Val, b: Val): boolean {
  if (a === b) return true;
  if (a.k !== b.k) return false;
  if (a.k === 'arr' && b.k === 'arr')
    return (
      a.dtype === b.dtype &&
      a.dims.length === b.dims.length &&
      a.dims.every((d, i) => d.v === b.dims[i].v)
    );
  if (a.k === 'int' && b.k === 'int') return a.v === b.v;
  if (a.k === 'tuple' && b.k === 'tuple')
    return a.items.length === b.items.length && a.items.every((x, i) => same(x, b.items[i]));
  if (a.k === 'ref' && b.k === 'ref') return a.path === b.path;
  return a.k === 'float' || a.k === 'bool' || a.k === 'none' || a.k === 'str';
}

interface HoverRec {
  n: Node;
  v: Val;
  name: string;
  sp: Point;
  ep: Point;
}

/** The node's text on one line, at most 48 characters (kept on the node: its text never changes). */
function shortText(n: Node): string {
  let s = n.short;
  if (s === undefined) {
    const t = n.text;
    s = /\s/.test(t) ? t.replace(/\s+/g, ' ') : t;
    if (s.length > 48) s = s.slice(0, 45) + '…';
    n.short = s;
  }
  return s;
}

export class Analyzer {
  readonly shapes: ShapeEntry[] = [];
  readonly diagnostics: ShapeDiagnostic[] = [];
  private quiet = 0;
  private depth = 0;
  private returns: Val[] | null = null;
  private callSite = -1;
  private torchUsed = false;

  run(root: Node): void {
    const env = new Env();
    this.block(root.namedChildren, env);
    this.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  // ---------------------------------------------------------------- statements

  private block(stmts: readonly Node[], env: Env): boolean {
    for (const s of stmts) {
      if (this.stmt(s, env)) return true;
    }
    return false;
  }

  /** Returns true when the statement returns (rest of block unreachable). */
  private stmt(s: Node, env: Env): boolean {
    switch (s.type) {
      case 'expression_statement':
        for (const c of s.namedChildren) {
          if (c.type === 'assignment') this.assignment(c, env);
          else if (c.type === 'augmented_assignment') this.augmented(c, env);
          else this.ev(c, env);
        }
        return false;
      case 'import_statement':
      case 'import_from_statement':
        this.importStmt(s, env);
        return false;
      case 'function_definition':
        this.funcDef(s, env, undefined);
        return false;
      case 'decorated_definition': {
        const d = s.childForFieldName('definition');
        if (d) this.stmt(d, env);
        return false;
      }
      case 'class_definition':
        this.classDef(s, env);
        return false;
      case 'return_statement': {
        const e = s.namedChildren[0];
        const v = e ? this.ev(e, env) : { k: 'none' as const };
        this.returns?.push(v);
        return true;
      }
      case 'if_statement':
        this.ifStmt(s, env);
        return false;
      case 'for_statement':
      case 'while_statement': {
        if (s.type === 'for_statement') {
          const right = s.childForFieldName('right');
          if (right) this.ev(right, env);
        } else {
          const c = s.childForFieldName('condition');
          if (c) this.ev(c, env);
        }
        const body = s.childForFieldName('body');
        const inner = env.clone();
        const left = s.childForFieldName('left');
        if (left) this.bindTarget(left, UNKNOWN, inner, left, false);
        if (body) this.block(body.namedChildren, inner);
        this.merge(env, [inner, env]);
        return false;
      }
      case 'with_statement': {
        const body = s.childForFieldName('body');
        for (const c of s.namedChildren) if (c.type === 'with_clause') this.ev(c, env);
        if (body) return this.block(body.namedChildren, env);
        return false;
      }
      case 'try_statement': {
        const body = s.childForFieldName('body');
        if (body) this.block(body.namedChildren, env);
        return false;
      }
      default:
        return false;
    }
  }

  private merge(target: Env, branches: Env[]): void {
    const names = new Set<string>();
    for (const b of branches) for (const k of b.vars.keys()) names.add(k);
    for (const n of names) {
      const vals = branches.map((b) => b.vars.get(n) ?? b.get(n));
      const first = vals[0];
      if (first && vals.every((v) => v && same(v, first))) target.set(n, first);
      else target.set(n, UNKNOWN);
    }
  }

  private ifStmt(s: Node, env: Env): void {
    const branches: Env[] = [];
    let hasElse = false;
    const cond = s.childForFieldName('condition');
    if (cond) this.ev(cond, env);
    const cons = s.childForFieldName('consequence');
    const e1 = env.clone();
    const r1 = cons ? this.block(cons.namedChildren, e1) : false;
    if (!r1) branches.push(e1);
    for (const alt of s.childrenForFieldName('alternative')) {
      const e = env.clone();
      let r = false;
      if (alt.type === 'elif_clause') {
        const c = alt.childForFieldName('condition');
        if (c) this.ev(c, e);
        const b = alt.childForFieldName('consequence');
        if (b) r = this.block(b.namedChildren, e);
      } else {
        hasElse = true;
        const b = alt.childForFieldName('body');
        if (b) r = this.block(b.namedChildren, e);
      }
      if (!r) branches.push(e);
    }
    if (!hasElse) branches.push(env.clone());
    if (branches.length) this.merge(env, branches);
  }

  private importStmt(s: Node, env: Env): void {
    const canon = (p: string): string => p;
    if (s.type === 'import_statement') {
      for (const n of s.childrenForFieldName('name')) {
        if (n.type === 'aliased_import') {
          const name = n.childForFieldName('name')?.text ?? '';
          const alias = n.childForFieldName('alias')?.text ?? name;
          env.set(alias, { k: 'ref', path: canon(name) });
          if (name.startsWith('torch')) this.torchUsed = true;
        } else {
          const name = n.text;
          const head = name.split('.')[0];
          env.set(head, { k: 'ref', path: head });
          if (head === 'torch') this.torchUsed = true;
        }
      }
    } else {
      const mod = s.childForFieldName('module_name')?.text ?? '';
      if (mod.startsWith('torch')) this.torchUsed = true;
      for (const n of s.childrenForFieldName('name')) {
        if (n.type === 'aliased_import') {
          const name = n.childForFieldName('name')?.text ?? '';
          const alias = n.childForFieldName('alias')?.text ?? name;
          env.set(alias, { k: 'ref', path: `${mod}.${name}` });
        } else env.set(n.text, { k: 'ref', path: `${mod}.${n.text}` });
      }
    }
  }

  private params(fn: Node, env: Env, self: Val | undefined, args?: Args): void {
    const ps = fn.childForFieldName('parameters')?.namedChildren ?? [];
    let i = 0;
    for (const p of ps) {
      let name = '';
      let dflt: Node | null = null;
      if (p.type === 'identifier') name = p.text;
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
        name = p.childForFieldName('name')?.text ?? '';
        dflt = p.childForFieldName('value');
      } else if (p.type === 'typed_parameter') name = p.namedChildren[0]?.text ?? '';
      else {
        // *args, **kw, /, *
        const id = p.namedChildren.find((c) => c.type === 'identifier');
        if (id) env.set(id.text, UNKNOWN);
        continue;
      }
      if (!name) continue;
      if (i === 0 && self) {
        env.set(name, self);
        i++;
        continue;
      }
      const idx = self ? i - 1 : i;
      i++;
      if (args) {
        const v = args.kw.get(name) ?? args.pos[idx] ?? (dflt ? this.ev(dflt, env) : UNKNOWN);
        env.set(name, v);
      } else {
        env.set(name, { k: 'sym', name, line: p.startPosition.row });
      }
    }
  }

  private funcDef(s: Node, env: Env, self: Val | undefined): Val {
    const name = s.childForFieldName('name')?.text ?? '';
    const f: Val = { k: 'func', node: s, env, name };
    if (!self) env.set(name, f);
    // analyse the body once with symbolic parameters (this is what hover and shapes show)
    const inner = new Env(env);
    this.params(s, inner, self);
    const saved = this.returns;
    this.returns = [];
    const body = s.childForFieldName('body');
    if (body) this.block(body.namedChildren, inner);
    this.returns = saved;
    return f;
  }

  private classDef(s: Node, env: Env): void {
    const name = s.childForFieldName('name')?.text ?? '';
    const self: Val = { k: 'obj', attrs: new Map() };
    const methods = new Map<string, Node>();
    const body = s.childForFieldName('body');
    const defs = (body?.namedChildren ?? []).map((c) =>
      c.type === 'decorated_definition' ? c.childForFieldName('definition') : c,
    );
    for (const d of defs)
      if (d?.type === 'function_definition')
        methods.set(d.childForFieldName('name')?.text ?? '', d);
    // __init__ first so that forward sees the layers
    const order = [...methods.entries()].sort((a, b) =>
      a[0] === '__init__' ? -1 : b[0] === '__init__' ? 1 : 0,
    );
    if (self.k === 'obj') {
      for (const [m, d] of order) self.attrs.set(m, { k: 'func', node: d, env, name: m });
      for (const [, d] of order) this.funcDef(d, env, self);
    }
    const cls: Val = {
      k: 'obj',
      attrs: new Map([['__class_methods__', { k: 'tuple', items: [] }]]),
    };
    if (cls.k === 'obj')
      for (const [m, d] of methods) cls.attrs.set(m, { k: 'func', node: d, env, name: m });
    env.set(name, cls);
  }

  /** Inlines a call of a user function with concrete arguments. */
  private callFunc(
    f: Extract<Val, { k: 'func' }>,
    args: Args,
    self: Val | undefined,
    site: Node,
  ): Val {
    if (this.depth > 4 || args.bad) return UNKNOWN;
    const node = f.node as Node;
    const inner = new Env(f.env);
    this.depth++;
    this.quiet++;
    const savedSite = this.callSite;
    if (this.callSite < 0) this.callSite = site.startPosition.row;
    const saved = this.returns;
    this.returns = [];
    try {
      this.params(node, inner, self, args);
      const body = node.childForFieldName('body');
      if (body) this.block(body.namedChildren, inner);
      const rs = this.returns;
      if (rs.length === 0) return { k: 'none' };
      return rs.every((r) => same(r, rs[0])) ? rs[0] : UNKNOWN;
    } finally {
      this.returns = saved;
      this.quiet--;
      this.depth--;
      this.callSite = savedSite;
    }
  }

  private instantiate(cls: Extract<Val, { k: 'obj' }>, args: Args, site: Node): Val {
    const obj: Val = { k: 'obj', attrs: new Map() };
    for (const [k, v] of cls.attrs) if (v.k === 'func') obj.attrs.set(k, v);
    const init = cls.attrs.get('__init__');
    if (init?.k === 'func') this.callFunc(init, args, obj, site);
    return obj;
  }

  // ---------------------------------------------------------------- assignment

  private assignment(a: Node, env: Env): Val {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!right) return UNKNOWN;
    const v = right.type === 'assignment' ? this.assignment(right, env) : this.ev(right, env);
    if (left) {
      // `B, T, C = x.shape` fixes the rank of a parameter x
      if (
        (left.type === 'pattern_list' || left.type === 'tuple_pattern') &&
        v.k === 'tuple' &&
        v.names?.[0] === '__symshape__'
      ) {
        const src = v.names[1];
        const n = left.namedChildren.length;
        const line = Number(v.names[2]);
        const dims = Array.from({ length: n }, (_, i) => ({ v: `${src}.${i}`, line }));
        const cur = env.get(src);
        if (cur?.k === 'sym') env.set(src, this.symArray(cur, dims));
        this.bindTarget(
          left,
          { k: 'tuple', items: dims.map((d) => ({ k: 'int', v: d.v, line: d.line })) },
          env,
          right,
          true,
        );
      } else this.bindTarget(left, v, env, right, true);
    }
    return v;
  }

  private symArray(s: Extract<Val, { k: 'sym' }>, dims: DimInfo[]): ArrVal {
    return { k: 'arr', dims, lib: this.torchUsed ? 'torch' : 'np', deriv: `parameter ${s.name}` };
  }

  private augmented(a: Node, env: Env): void {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    const opNode = a.childForFieldName('operator');
    if (!left || !right) return;
    const op = (opNode?.text ?? a.children[1]?.text ?? '+=').replace('=', '');
    const lv = this.ev(left, env);
    const rv = this.ev(right, env);
    const v = this.guard(a, () => {
      const r = this.binop(op, lv, rv, left, right, a);
      return lv.k === 'arr' && r.k === 'arr' && op !== '@' ? this.inPlace(lv, r, op, a) : r;
    });
    this.bindTarget(left, v, env, a, true);
  }

  /**
   * `a op= b` on an array writes into `a`: the broadcast result must have a's shape, and keeps
   * a's dtype, which must be able to hold the result (no float into an integer array).
   */
  private inPlace(l: ArrVal, r: ArrVal, op: string, n: Node): Val {
    const bad =
      r.dims.length !== l.dims.length ||
      r.dims.some((d, i) => isNum(d.v) && isNum(l.dims[i].v) && d.v !== l.dims[i].v);
    if (bad)
      throw new ShapeError(
        `non-broadcastable output operand: ${shortText(n)} would give shape ${fmtShape(r.dims)}, but the array it writes into has shape ${fmtShape(l.dims)}`,
        [{ line: l.dims[0]?.line ?? -1, message: `shape ${fmtShape(l.dims)}` }],
      );
    if (l.dtype && INT_DT.has(l.dtype) && r.dtype && FLOAT_DT.has(r.dtype))
      throw new ShapeError(
        `cannot cast the ${r.dtype} result of ${shortText(n)} to ${l.dtype}, the dtype of the array it writes into (${op}= is in place)`,
      );
    return { ...r, dims: r.dims.map((d, i) => (isNum(d.v) ? d : l.dims[i])), dtype: l.dtype };
  }

  private bindTarget(t: Node, v: Val, env: Env, src: Node, record: boolean): void {
    switch (t.type) {
      case 'identifier':
        env.set(t.text, v);
        if (record) this.record(t, t.text, v, src);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
      case 'parenthesized_expression': {
        const kids = t.namedChildren;
        if (t.type === 'parenthesized_expression') {
          if (kids[0]) this.bindTarget(kids[0], v, env, src, record);
          return;
        }
        let items: Val[] | undefined;
        if (v.k === 'tuple' && v.items.length === kids.length) items = v.items;
        else if (v.k === 'arr' && v.dims.length > 0 && v.dims[0].v === kids.length)
          items = kids.map(() => ({ ...v, dims: v.dims.slice(1), deriv: `row of ${v.deriv}` }));
        kids.forEach((k, i) => this.bindTarget(k, items?.[i] ?? UNKNOWN, env, src, record));
        return;
      }
      case 'attribute': {
        const obj = t.childForFieldName('object');
        const attr = t.childForFieldName('attribute')?.text ?? '';
        if (obj) {
          const o = this.ev(obj, env);
          if (o.k === 'obj') o.attrs.set(attr, v);
        }
        if (record) this.record(t, t.text, v, src);
        return;
      }
      default:
        return;
    }
  }

  private record(t: Node, name: string, v: Val, src: Node): void {
    this.addHover(t, v, name);
    if (this.quiet) return;
    const e: ShapeEntry = {
      line: t.startPosition.row,
      column: t.startPosition.column,
      name,
      shape: null,
      derivation: this.derivOf(v, src),
    };
    if (v.k === 'arr') {
      e.shape = v.dims.map((d) => d.v);
      e.dimLines = v.dims.map((d) => d.line);
      if (v.dtype) e.dtype = v.dtype;
    } else if (v.k === 'int') {
      e.shape = [];
      e.value = v.v;
    } else if (v.k === 'float' || v.k === 'bool') e.shape = [];
    this.shapes.push(e);
  }

  private derivOf(v: Val, src: Node): string {
    if (v.k === 'arr') return v.deriv;
    if (v.k === 'int') return `${shortText(src)} = ${fmtDim(v.v)}`;
    return shortText(src);
  }

  private addHover(n: Node, v: Val, name: string): void {
    if (this.quiet) return;
    if (v.k !== 'arr' && v.k !== 'int' && v.k !== 'float' && v.k !== 'tuple' && v.k !== 'layer')
      return;
    // positions are read now: the next analysis may move the (shared) nodes; their text stays
    this.hoverRecs.push({ n, v, name, sp: n.startPosition, ep: n.endPosition });
  }

  /** Hover records are kept raw; the text is built only for the one asked for. */
  private readonly hoverRecs: HoverRec[] = [];

  hoverAt(line: number, column: number): HoverInfo | undefined {
    let best: HoverRec | undefined;
    let bestSize = Infinity;
    for (const h of this.hoverRecs) {
      const { sp, ep } = h;
      const after = line > sp.row || (line === sp.row && column >= sp.column);
      const before = line < ep.row || (line === ep.row && column <= ep.column);
      if (!after || !before) continue;
      const size = (ep.row - sp.row) * 10_000 + (ep.column - sp.column);
      // the smallest range wins; on ties the later record (the assignment target)
      if (size <= bestSize) {
        best = h;
        bestSize = size;
      }
    }
    return best && this.hoverInfo(best);
  }

  private hoverInfo({ n, v, name, sp, ep }: HoverRec): HoverInfo {
    let shape: (number | string)[] | null = null;
    let text: string;
    let dtype: string | undefined;
    let value: number | string | undefined;
    if (v.k === 'arr') {
      shape = v.dims.map((d) => d.v);
      dtype = v.dtype;
      text = `shape ${fmtShape(v.dims)}${dtype ? ` · ${dtype}` : ''}`;
    } else if (v.k === 'int') {
      shape = [];
      value = v.v;
      text = `int = ${fmtDim(v.v)}`;
    } else if (v.k === 'layer') {
      text = `${v.kind}(${v.dims.map((d) => fmtDim(d.v)).join(', ')})`;
    } else if (v.k === 'float') {
      shape = [];
      text = 'float';
    } else text = `tuple ${describe(v)}`;
    return {
      line: sp.row,
      column: sp.column,
      endLine: ep.row,
      endColumn: ep.column,
      name: name || shortText(n),
      shape,
      dtype,
      value,
      derivation: v.k === 'arr' ? v.deriv : '',
      text,
    };
  }

  // ---------------------------------------------------------------- expressions

  private guard(n: Node, f: () => Val): Val {
    try {
      return f();
    } catch (e) {
      if (e instanceof ShapeError) {
        this.diag(n, e);
        return UNKNOWN;
      }
      throw e;
    }
  }

  private diag(n: Node, e: ShapeError): void {
    const line = n.startPosition.row;
    if (this.diagnostics.some((d) => d.line === line && d.column === n.startPosition.column))
      return;
    const msg =
      this.quiet && this.callSite >= 0
        ? `${e.message} (when called from ${L(this.callSite)})`
        : e.message;
    const rel = e.related.filter((r) => r.line >= 0 && r.line !== line);
    if (this.quiet && this.callSite >= 0)
      rel.push({ line: this.callSite, message: 'called from here' });
    this.diagnostics.push({
      line,
      column: n.startPosition.column,
      endLine: n.endPosition.row,
      endColumn: n.endPosition.column,
      severity: 'error',
      message: msg,
      related: rel,
    });
  }

  ev(n: Node, env: Env): Val {
    // guard() inlined: this runs for every expression
    let v: Val;
    try {
      v = this.ev0(n, env);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      this.diag(n, e);
      v = UNKNOWN;
    }
    if (
      n.type === 'identifier' ||
      n.type === 'call' ||
      n.type === 'attribute' ||
      n.type === 'subscript'
    )
      this.addHover(n, v, '');
    return v;
  }

  private ev0(n: Node, env: Env): Val {
    switch (n.type) {
      case 'identifier': {
        const v = env.get(n.text);
        if (v) return v;
        if (
          [
            'float',
            'int',
            'bool',
            'len',
            'range',
            'min',
            'max',
            'abs',
            'round',
            'list',
            'tuple',
            'sum',
          ].includes(n.text)
        )
          return { k: 'ref', path: `builtins.${n.text}` };
        return UNKNOWN;
      }
      case 'integer': {
        const t = n.text.replace(/_/g, '').toLowerCase();
        const v =
          t.startsWith('0x') || t.startsWith('0o') || t.startsWith('0b')
            ? Number(t)
            : parseInt(t, 10);
        return Number.isFinite(v) ? { k: 'int', v, line: n.startPosition.row } : UNKNOWN;
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
        const c = n.namedChildren.find((x) => x.type === 'string_content');
        if (n.namedChildren.some((x) => x.type === 'interpolation')) return { k: 'str', v: '' };
        return { k: 'str', v: c?.text ?? '' };
      }
      case 'parenthesized_expression':
        return n.namedChildren[0] ? this.ev(n.namedChildren[0], env) : UNKNOWN;
      case 'tuple':
      case 'expression_list':
        return { k: 'tuple', items: n.namedChildren.map((c) => this.ev(c, env)) };
      case 'list':
        return { k: 'tuple', items: n.namedChildren.map((c) => this.ev(c, env)), list: true };
      case 'unary_operator': {
        const arg = n.childForFieldName('argument');
        const op = n.childForFieldName('operator')?.text ?? n.children[0]?.text;
        if (!arg) return UNKNOWN;
        const v = this.ev(arg, env);
        if (op === '-' && v.k === 'int')
          return { k: 'int', v: isNum(v.v) ? -v.v : `-${v.v}`, line: v.line };
        if (op === '-' && v.k === 'float')
          return { k: 'float', v: v.v === undefined ? undefined : -v.v };
        if (v.k === 'arr') return { ...v, deriv: `${shortText(n)}: ${op}${fmtShape(v.dims)}` };
        return v.k === 'int' || v.k === 'float' ? v : UNKNOWN;
      }
      case 'binary_operator': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator')?.text ?? n.children[1]?.text ?? '';
        if (!l || !r) return UNKNOWN;
        const lv = this.ev(l, env);
        const rv = this.ev(r, env);
        return this.binop(op, lv, rv, l, r, n);
      }
      case 'comparison_operator': {
        const kids = n.namedChildren;
        const ops = n.children.filter((c) => !c.isNamed);
        const vals = kids.map((k) => this.ev(k, env));
        if (kids.length === 2 && ['<', '>', '<=', '>=', '==', '!='].includes(ops[0]?.text ?? ''))
          return this.binop(ops[0].text, vals[0], vals[1], kids[0], kids[1], n);
        return { k: 'bool' };
      }
      case 'not_operator':
      case 'boolean_operator':
        for (const c of n.namedChildren) this.ev(c, env);
        return UNKNOWN;
      case 'conditional_expression': {
        const vs = n.namedChildren.map((c) => this.ev(c, env));
        return vs.length === 3 && same(vs[0], vs[2]) ? vs[0] : UNKNOWN;
      }
      case 'attribute':
        return this.attribute(n, env);
      case 'subscript':
        return this.subscript(n, env);
      case 'call':
        return this.call(n, env);
      default:
        return UNKNOWN;
    }
  }

  // ---------------------------------------------------------------- helpers on values

  private dimOf(v: Val): DimInfo | undefined {
    if (v.k === 'int') return { v: v.v, line: v.line };
    if (v.k === 'sym') return { v: v.name, line: v.line };
    return undefined;
  }

  /** A shape argument: int, tuple/list of ints, or varargs of ints. */
  private shapeFrom(vals: Val[]): DimInfo[] | undefined {
    if (vals.length === 1 && vals[0].k === 'tuple') return this.shapeFrom(vals[0].items);
    if (vals.length === 1 && vals[0].k === 'arr' && vals[0].dims.length === 1) return undefined;
    const out: DimInfo[] = [];
    for (const v of vals) {
      const d = this.dimOf(v);
      if (!d) return undefined;
      out.push(d);
    }
    return out;
  }

  private intOf(v: Val | undefined): number | undefined {
    return v?.k === 'int' && isNum(v.v) ? v.v : undefined;
  }

  private intsOf(v: Val | undefined): number[] | undefined {
    if (!v) return undefined;
    if (v.k === 'int') return isNum(v.v) ? [v.v] : undefined;
    if (v.k === 'tuple') {
      const r = v.items.map((x) => this.intOf(x));
      return r.every((x) => x !== undefined) ? (r as number[]) : undefined;
    }
    return undefined;
  }

  private dtypeOf(v: Val | undefined, lib: Lib): string | undefined {
    if (!v) return undefined;
    let name: string | undefined;
    if (v.k === 'ref') {
      const parts = v.path.split('.');
      name = parts[parts.length - 1];
      const isTorch = parts[0] === 'torch';
      if (parts[0] === 'builtins') {
        if (name === 'float') return lib === 'torch' ? 'float32' : 'float64';
        if (name === 'int') return 'int64';
        if (name === 'bool') return 'bool';
      }
      if (parts[0] === 'dtype') return parts.slice(1).join('.');
      if (!DTYPE_NAMES.has(name)) return undefined;
      if (isTorch) {
        const m: Record<string, string> = {
          float: 'float32',
          double: 'float64',
          half: 'float16',
          long: 'int64',
          int: 'int32',
          short: 'int16',
          bool: 'bool',
        };
        return m[name] ?? name;
      }
    } else if (v.k === 'str') name = v.v;
    if (!name) return undefined;
    const m: Record<string, string> = {
      bool_: 'bool',
      double: 'float64',
      float: 'float64',
      int: 'int64',
      half: 'float16',
      long: 'int64',
    };
    name = m[name] ?? name;
    return FLOAT_DT.has(name) || INT_DT.has(name) || name === 'bool' || name.startsWith('complex')
      ? name
      : undefined;
  }

  /** Python scalar or literal → array operand (0-d for scalars). */
  private asArr(v: Val, lib: Lib, line: number): ArrVal | undefined {
    if (v.k === 'arr') return v;
    if (v.k === 'int') return { k: 'arr', dims: [], lib, dtype: 'int64', deriv: 'int' };
    if (v.k === 'float')
      return {
        k: 'arr',
        dims: [],
        lib,
        dtype: lib === 'torch' ? 'float32' : 'float64',
        deriv: 'float',
      };
    if (v.k === 'bool') return { k: 'arr', dims: [], lib, dtype: 'bool', deriv: 'bool' };
    if (v.k === 'tuple') return this.literal(v, lib, line);
    return undefined;
  }

  /** Nested list/tuple literal → array. */
  private literal(v: Val, lib: Lib, line: number): ArrVal | undefined {
    if (v.k === 'int') return { k: 'arr', dims: [], lib, dtype: 'int64', deriv: '' };
    if (v.k === 'float')
      return { k: 'arr', dims: [], lib, dtype: lib === 'torch' ? 'float32' : 'float64', deriv: '' };
    if (v.k === 'bool') return { k: 'arr', dims: [], lib, dtype: 'bool', deriv: '' };
    if (v.k === 'arr') return v;
    if (v.k !== 'tuple') return undefined;
    const subs = v.items.map((x) => this.literal(x, lib, line));
    if (subs.some((s) => !s)) return undefined;
    const ss = subs as ArrVal[];
    const first = ss[0];
    if (
      first &&
      !ss.every(
        (s) =>
          s.dims.length === first.dims.length && s.dims.every((d, i) => d.v === first.dims[i].v),
      )
    )
      return undefined;
    let dtype: string | undefined = ss.length ? 'bool' : lib === 'torch' ? 'float32' : 'float64';
    for (const s of ss) {
      if (!s.dtype || !dtype) dtype = undefined;
      else if (s.dtype === dtype) continue;
      else if (dtype === 'bool') dtype = s.dtype;
      else if (s.dtype === 'bool') continue;
      else if (FLOAT_DT.has(s.dtype) && INT_DT.has(dtype)) dtype = s.dtype;
      else if (FLOAT_DT.has(dtype) && INT_DT.has(s.dtype)) continue;
      else dtype = undefined;
    }
    return {
      k: 'arr',
      dims: [{ v: ss.length, line }, ...(first ? first.dims.map((d) => ({ v: d.v, line })) : [])],
      lib,
      dtype,
      deriv: '',
    };
  }

  private promote(a: Val, b: Val, lib: Lib, op: string): string | undefined {
    const da = a.k === 'arr' ? a.dtype : undefined;
    const db = b.k === 'arr' ? b.dtype : undefined;
    const cmp = ['<', '>', '<=', '>=', '==', '!='].includes(op);
    if (cmp) return 'bool';
    const weak = (v: Val): string | undefined =>
      v.k === 'int' ? 'int' : v.k === 'float' ? 'float' : v.k === 'bool' ? 'bool' : undefined;
    let r: string | undefined;
    if (a.k === 'arr' && b.k === 'arr') {
      if (a.dims.length === 0 && b.dims.length > 0 && lib === 'torch')
        r = this.promoteWeak(db, da && FLOAT_DT.has(da) ? 'float' : 'int', lib);
      else if (b.dims.length === 0 && a.dims.length > 0 && lib === 'torch')
        r = this.promoteWeak(da, db && FLOAT_DT.has(db) ? 'float' : 'int', lib);
      else r = this.promote2(da, db, lib);
    } else if (a.k === 'arr') r = this.promoteWeak(da, weak(b), lib);
    else if (b.k === 'arr') r = this.promoteWeak(db, weak(a), lib);
    if (!r) return undefined;
    if (op === '/' && (INT_DT.has(r) || r === 'bool'))
      return lib === 'torch' ? 'float32' : 'float64';
    if (op === '**' && lib === 'np' && INT_DT.has(r) && (a.k === 'float' || b.k === 'float'))
      return 'float64';
    return r;
  }

  private promoteWeak(d: string | undefined, w: string | undefined, lib: Lib): string | undefined {
    if (!d || !w) return undefined;
    if (w === 'bool') return d;
    if (w === 'int') return d === 'bool' ? 'int64' : d;
    // float scalar
    if (FLOAT_DT.has(d)) return d;
    return lib === 'torch' ? 'float32' : 'float64';
  }

  private promote2(a: string | undefined, b: string | undefined, lib: Lib): string | undefined {
    if (!a || !b) return undefined;
    if (a === b) return a;
    if (a === 'bool') return b;
    if (b === 'bool') return a;
    const rank: Record<string, number> = {
      float16: 1,
      bfloat16: 1,
      float32: 2,
      float64: 3,
      int8: 1,
      uint8: 1,
      int16: 2,
      int32: 3,
      int64: 4,
    };
    const fa = FLOAT_DT.has(a);
    const fb = FLOAT_DT.has(b);
    if (fa && fb) return rank[a] >= rank[b] ? a : b;
    if (!fa && !fb) {
      if (lib === 'np' && a.startsWith('u') !== b.startsWith('u')) return undefined;
      return (rank[a] ?? 0) >= (rank[b] ?? 0) ? a : b;
    }
    const f = fa ? a : b;
    const i = fa ? b : a;
    if (lib === 'torch') return f;
    if (f === 'float64') return 'float64';
    if (f === 'float32')
      return ['int8', 'uint8', 'int16', 'uint16'].includes(i) ? 'float32' : 'float64';
    return undefined;
  }

  private libOf(...vs: Val[]): Lib {
    for (const v of vs) if (v.k === 'arr') return v.lib;
    return 'np';
  }

  private op(name: string, a: ArrVal): Operand {
    return { name, dims: a.dims };
  }

  private mk(dims: DimInfo[], lib: Lib, dtype: string | undefined, deriv: string): ArrVal {
    return { k: 'arr', dims, lib, dtype, deriv };
  }

  // ---------------------------------------------------------------- operators

  private binop(op: string, a0: Val, b0: Val, ln: Node, rn: Node, n: Node): Val {
    const line = n.startPosition.row;
    const asInt = (v: Val, o: Val): Val =>
      v.k === 'sym' && (o.k === 'int' || o.k === 'float' || o.k === 'sym')
        ? { k: 'int', v: v.name, line: v.line }
        : v;
    const a = asInt(a0, b0);
    const b = asInt(b0, a0);
    if ((a.k === 'int' || a.k === 'float') && (b.k === 'int' || b.k === 'float'))
      return this.scalarOp(op, a, b, line);
    if (a.k === 'tuple' && b.k === 'tuple' && op === '+')
      return { k: 'tuple', items: [...a.items, ...b.items] };
    if (a.k === 'tuple' && b.k === 'int' && op === '*' && isNum(b.v))
      return { k: 'tuple', items: Array.from({ length: b.v }, () => a.items).flat() };
    if (a.k !== 'arr' && b.k !== 'arr') return UNKNOWN;
    const lib = this.libOf(a, b);
    const A = this.asArr(a, lib, line);
    const B = this.asArr(b, lib, line);
    if (!A || !B) return UNKNOWN;
    const an = shortText(ln);
    const bn = shortText(rn);
    if (op === '@') {
      const dims = matmul(this.op(an, A), this.op(bn, B));
      return this.mk(
        dims,
        lib,
        this.promote2(A.dtype, B.dtype, lib),
        `${shortText(n)}: ${fmtShape(A.dims)} @ ${fmtShape(B.dims)}`,
      );
    }
    const dims = broadcast(
      [this.op(an, A), this.op(bn, B)],
      `operands could not be broadcast together with shapes ${fmtShape(A.dims)} ${fmtShape(B.dims)}`,
    );
    return this.mk(
      dims,
      lib,
      this.promote(a, b, lib, op),
      `${shortText(n)}: ${fmtShape(A.dims)} ${op} ${fmtShape(B.dims)}`,
    );
  }

  private scalarOp(op: string, a: Val, b: Val, line: number): Val {
    if (a.k === 'int' && b.k === 'int') {
      const x = a.v;
      const y = b.v;
      const ln = isNum(x) ? (isNum(y) ? line : b.line) : a.line;
      switch (op) {
        case '+':
          return { k: 'int', v: dimAdd(x, y), line: ln };
        case '-':
          return { k: 'int', v: dimSub(x, y), line: ln };
        case '*':
          return { k: 'int', v: dimMul(x, y), line: ln };
        case '//':
          return { k: 'int', v: dimFloorDiv(x, y), line: ln };
        case '%':
          return isNum(x) && isNum(y) && y !== 0
            ? { k: 'int', v: ((x % y) + y) % y, line }
            : { k: 'int', v: `${x}%${y}`, line };
        case '**':
          return isNum(x) && isNum(y) && y >= 0 ? { k: 'int', v: x ** y, line } : { k: 'float' };
        case '/':
          return { k: 'float', v: isNum(x) && isNum(y) && y !== 0 ? x / y : undefined };
        case '<':
        case '>':
        case '<=':
        case '>=':
        case '==':
        case '!=':
          return { k: 'bool' };
        default:
          return UNKNOWN;
      }
    }
    if (['<', '>', '<=', '>=', '==', '!='].includes(op)) return { k: 'bool' };
    const fx = a.k === 'int' ? (isNum(a.v) ? a.v : undefined) : a.k === 'float' ? a.v : undefined;
    const fy = b.k === 'int' ? (isNum(b.v) ? b.v : undefined) : b.k === 'float' ? b.v : undefined;
    let v: number | undefined;
    if (fx !== undefined && fy !== undefined) {
      v =
        op === '+'
          ? fx + fy
          : op === '-'
            ? fx - fy
            : op === '*'
              ? fx * fy
              : op === '/'
                ? fx / fy
                : op === '**'
                  ? fx ** fy
                  : undefined;
    }
    return { k: 'float', v };
  }

  // ---------------------------------------------------------------- attributes

  private attribute(n: Node, env: Env): Val {
    const objN = n.childForFieldName('object');
    const name = n.childForFieldName('attribute')?.text ?? '';
    if (!objN) return UNKNOWN;
    const o = this.ev(objN, env);
    const line = n.startPosition.row;
    switch (o.k) {
      case 'ref': {
        const path = `${o.path}.${name}`;
        if (path === 'numpy.newaxis') return { k: 'none' };
        if (
          path === 'numpy.pi' ||
          path === 'numpy.e' ||
          path === 'math.pi' ||
          path === 'numpy.inf' ||
          path === 'math.inf'
        )
          return { k: 'float' };
        return { k: 'ref', path };
      }
      case 'arr':
        switch (name) {
          case 'shape':
            return { k: 'tuple', items: o.dims.map((d) => ({ k: 'int', v: d.v, line: d.line })) };
          case 'ndim':
            return { k: 'int', v: o.dims.length, line };
          case 'size':
            if (o.lib === 'np') return { k: 'int', v: dimProd(o.dims.map((d) => d.v)), line };
            return UNKNOWN;
          case 'T':
            return this.mk(
              o.dims.slice().reverse(),
              o.lib,
              o.dtype,
              `${shortText(n)}: ${fmtShape(o.dims)}.T`,
            );
          case 'mT':
            if (o.dims.length < 2) return UNKNOWN;
            return this.mk(
              [...o.dims.slice(0, -2), o.dims[o.dims.length - 1], o.dims[o.dims.length - 2]],
              o.lib,
              o.dtype,
              `${shortText(n)}`,
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
      case 'sym':
        if (name === 'shape')
          return { k: 'tuple', items: [], names: ['__symshape__', o.name, String(o.line)] };
        if (name === 'T' || name === 'ndim') return UNKNOWN;
        return UNKNOWN;
      case 'layer': {
        const lib: Lib = 'torch';
        if (o.kind === 'Linear') {
          if (name === 'weight')
            return this.mk(
              [o.dims[1], o.dims[0]],
              lib,
              'float32',
              `${shortText(n)}: Linear weight (out_features, in_features)`,
            );
          if (name === 'bias')
            return o.bias === false
              ? { k: 'none' }
              : this.mk([o.dims[1]], lib, 'float32', `${shortText(n)}: Linear bias`);
          if (name === 'in_features') return { k: 'int', v: o.dims[0].v, line: o.dims[0].line };
          if (name === 'out_features') return { k: 'int', v: o.dims[1].v, line: o.dims[1].line };
        }
        if (o.kind === 'Embedding') {
          if (name === 'weight')
            return this.mk(
              [o.dims[0], o.dims[1]],
              lib,
              'float32',
              `${shortText(n)}: Embedding weight (num_embeddings, embedding_dim)`,
            );
          if (name === 'num_embeddings') return { k: 'int', v: o.dims[0].v, line: o.dims[0].line };
          if (name === 'embedding_dim') return { k: 'int', v: o.dims[1].v, line: o.dims[1].line };
        }
        if (o.kind === 'LayerNorm' && (name === 'weight' || name === 'bias'))
          return this.mk(o.dims, lib, 'float32', `${shortText(n)}: LayerNorm ${name}`);
        return UNKNOWN;
      }
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
    const valN = n.childForFieldName('value');
    if (!valN) return UNKNOWN;
    const v = this.ev(valN, env);
    const subs = n.childrenForFieldName('subscript');
    const line = n.startPosition.row;
    if (v.k === 'tuple') {
      if (v.names?.[0] === '__symshape__' && subs.length === 1) {
        const i = this.ev(subs[0], env);
        if (i.k === 'int' && isNum(i.v))
          return { k: 'int', v: `${v.names[1]}.${i.v}`, line: Number(v.names[2]) };
        return UNKNOWN;
      }
      if (subs.length !== 1) return UNKNOWN;
      if (subs[0].type === 'slice') {
        const [s, e, st] = this.sliceParts(subs[0], env);
        const len = v.items.length;
        const out: Val[] = [];
        const count = sliceLen(len, s, e, st ?? 1);
        if (!isNum(count)) return UNKNOWN;
        const step = st ?? 1;
        let start =
          s === undefined
            ? step > 0
              ? 0
              : len - 1
            : s < 0
              ? Math.max(s + len, step > 0 ? 0 : -1)
              : Math.min(s, step > 0 ? len : len - 1);
        for (let k = 0; k < count; k++, start += step) out.push(v.items[start]);
        return { k: 'tuple', items: out };
      }
      const i = this.ev(subs[0], env);
      if (i.k === 'int' && isNum(i.v)) {
        const idx = i.v < 0 ? i.v + v.items.length : i.v;
        return v.items[idx] ?? UNKNOWN;
      }
      return UNKNOWN;
    }
    if (v.k === 'layer' && v.kind === 'Sequential' && subs.length === 1) {
      const i = this.intOf(this.ev(subs[0], env));
      if (i !== undefined && v.layers) return v.layers[i < 0 ? i + v.layers.length : i] ?? UNKNOWN;
      return UNKNOWN;
    }
    if (v.k !== 'arr') {
      for (const s of subs) if (s.type !== 'slice') this.ev(s, env);
      return UNKNOWN;
    }
    return this.index(v, subs, env, n, line);
  }

  private sliceParts(
    s: Node,
    env: Env,
  ): [number | undefined, number | undefined, number | undefined, boolean] {
    const parts: (Node | undefined)[] = [undefined, undefined, undefined];
    let k = 0;
    for (const c of s.children) {
      if (c.type === ':') k++;
      else if (c.isNamed) parts[k] = c;
    }
    let ok = true;
    const val = (p: Node | undefined): number | undefined => {
      if (!p) return undefined;
      const v = this.ev(p, env);
      if (v.k === 'none') return undefined;
      const i = this.intOf(v);
      if (i === undefined) ok = false;
      return i;
    };
    const r: [number | undefined, number | undefined, number | undefined, boolean] = [
      val(parts[0]),
      val(parts[1]),
      val(parts[2]),
      true,
    ];
    r[3] = ok;
    return r;
  }

  private index(v: ArrVal, subs: Node[], env: Env, n: Node, line: number): Val {
    // flatten a single tuple subscript `x[(0, 1)]` is rare; ignore
    type Ix =
      | { t: 'int'; i: number | undefined }
      | { t: 'slice'; s?: number; e?: number; st?: number; ok: boolean }
      | { t: 'none' }
      | { t: 'ell' }
      | { t: 'adv'; dims: DimInfo[] | undefined; bool: boolean; rank: number };
    const ix: Ix[] = [];
    for (const s of subs) {
      if (s.type === 'slice') {
        const [a, b, c, ok] = this.sliceParts(s, env);
        ix.push({ t: 'slice', s: a, e: b, st: c, ok });
        continue;
      }
      const x = this.ev(s, env);
      if (x.k === 'int') ix.push({ t: 'int', i: isNum(x.v) ? x.v : undefined });
      else if (x.k === 'none') ix.push({ t: 'none' });
      else if (x.k === 'ellipsis') ix.push({ t: 'ell' });
      else if (x.k === 'arr' || x.k === 'tuple') {
        const a = x.k === 'arr' ? x : this.literal(x, v.lib, line);
        if (!a) return UNKNOWN;
        const isBool = a.dtype === 'bool';
        if (!isBool && a.dtype && !INT_DT.has(a.dtype)) return UNKNOWN;
        if (!a.dtype) return UNKNOWN;
        ix.push({
          t: 'adv',
          dims: isBool ? undefined : a.dims,
          bool: isBool,
          rank: isBool ? a.dims.length : 1,
        });
      } else return UNKNOWN;
    }
    const consumed = ix.reduce(
      (s, x) =>
        s + (x.t === 'int' || x.t === 'slice' ? 1 : x.t === 'adv' ? (x.bool ? x.rank : 1) : 0),
      0,
    );
    const nd = v.dims.length;
    if (consumed > nd)
      throw new ShapeError(
        `too many indices: ${shortText(n)} indexes ${consumed} dimensions but the array has shape ${fmtShape(v.dims)}`,
      );
    const ellAt = ix.findIndex((x) => x.t === 'ell');
    const full: Ix[] = ix.filter((x) => x.t !== 'ell');
    const fill: Ix[] = Array.from({ length: nd - consumed }, () => ({
      t: 'slice' as const,
      ok: true,
    }));
    if (ellAt >= 0) full.splice(ellAt, 0, ...fill);
    else full.push(...fill);
    const out: DimInfo[] = [];
    let axis = 0;
    const advs = full.filter((x) => x.t === 'adv');
    if (advs.length > 1) return UNKNOWN;
    for (const x of full) {
      if (x.t === 'none') out.push({ v: 1, line });
      else if (x.t === 'int') {
        const d = v.dims[axis];
        if (x.i !== undefined && isNum(d.v) && (x.i >= d.v || x.i < -d.v))
          throw new ShapeError(
            `index ${x.i} is out of bounds for axis ${axis} with size ${d.v}: ${shortText(n)} on shape ${fmtShape(v.dims)}`,
            [{ line: d.line, message: `size ${d.v}` }],
          );
        axis++;
      } else if (x.t === 'slice') {
        const d = v.dims[axis++];
        if (!x.ok) out.push({ v: freshSym(), line });
        else {
          const len = sliceLen(d.v, x.s, x.e, x.st ?? 1);
          out.push(len === d.v ? d : { v: len, line });
        }
      } else if (x.t === 'adv') {
        if (x.bool) {
          out.push({ v: freshSym('mask'), line });
          axis += x.rank;
        } else {
          out.push(...(x.dims ?? []));
          axis++;
        }
      }
    }
    return this.mk(out, v.lib, v.dtype, `${shortText(n)}: ${fmtShape(v.dims)} → ${fmtShape(out)}`);
  }

  // ---------------------------------------------------------------- calls

  private args(n: Node, env: Env): Args {
    const a: Args = { pos: [], kw: new Map(), nodes: [], bad: false };
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
        a.kw.set(k, vn ? this.ev(vn, env) : UNKNOWN);
      } else if (c.type === 'list_splat') {
        const v = c.namedChildren[0] ? this.ev(c.namedChildren[0], env) : UNKNOWN;
        if (v.k === 'tuple') {
          a.pos.push(...v.items);
          for (let i = 0; i < v.items.length; i++) a.nodes.push(c);
        } else a.bad = true;
      } else if (c.type === 'dictionary_splat') {
        a.bad = true;
      } else if (c.type === 'comment') {
        continue;
      } else {
        a.pos.push(this.ev(c, env));
        a.nodes.push(c);
      }
    }
    return a;
  }

  private call(n: Node, env: Env): Val {
    const fnN = n.childForFieldName('function');
    if (!fnN) return UNKNOWN;
    if (fnN.type === 'attribute') {
      const objN = fnN.childForFieldName('object');
      const name = fnN.childForFieldName('attribute')?.text ?? '';
      if (!objN) return UNKNOWN;
      const o = this.ev(objN, env);
      const args = this.args(n, env);
      if (args.bad) return UNKNOWN;
      switch (o.k) {
        case 'ref':
          return this.callRef(`${o.path}.${name}`, args, n);
        case 'arr':
          return this.arrayOp(name, o.lib, o, shortText(objN), args, n, false);
        case 'sym':
          return this.symMethod(o, name, args, n);
        case 'rng':
          return this.rngMethod(name, args, n);
        case 'obj': {
          const f = o.attrs.get(name);
          if (f?.k === 'func')
            return this.callFunc(f, args, o.attrs.has('__class_methods__') ? undefined : o, n);
          if (f?.k === 'layer') return this.callLayer(f, args, n);
          return UNKNOWN;
        }
        case 'layer':
          if (name === 'forward') return this.callLayer(o, args, n);
          return UNKNOWN;
        default:
          return UNKNOWN;
      }
    }
    const f = this.ev(fnN, env);
    const args = this.args(n, env);
    if (args.bad) return UNKNOWN;
    switch (f.k) {
      case 'ref':
        return this.callRef(f.path, args, n);
      case 'layer':
        return this.callLayer(f, args, n);
      case 'func':
        return this.callFunc(f, args, undefined, n);
      case 'obj': {
        if (f.attrs.has('__class_methods__')) return this.instantiate(f, args, n);
        const m = f.attrs.get('forward') ?? f.attrs.get('__call__');
        if (m?.k === 'func') return this.callFunc(m, args, f, n);
        return UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }

  private symMethod(o: Extract<Val, { k: 'sym' }>, name: string, args: Args, n: Node): Val {
    if (name === 'size' || name === 'shape') {
      if (args.pos.length === 0)
        return { k: 'tuple', items: [], names: ['__symshape__', o.name, String(o.line)] };
      const i = this.intOf(args.pos[0]);
      if (i !== undefined) return { k: 'int', v: `${o.name}.${i}`, line: o.line };
      return UNKNOWN;
    }
    if (name === 'view' || name === 'reshape') {
      const shape = this.shapeFrom(args.pos);
      if (shape && !shape.some((d) => d.v === -1))
        return this.mk(
          shape,
          this.torchUsed ? 'torch' : 'np',
          undefined,
          `${shortText(n)}: ${fmtShape(shape)}`,
        );
    }
    return UNKNOWN;
  }

  private callRef(path0: string, args: Args, n: Node): Val {
    let path = path0;
    if (path.startsWith('builtins.')) return this.builtin(path.slice(9), args, n);
    if (path.startsWith('numpy.')) path = 'np.' + path.slice(6);
    if (path.startsWith('torch.nn.functional.')) return this.functional(path.slice(20), args, n);
    if (path.startsWith('torch.nn.') && !path.startsWith('torch.nn.init'))
      return this.layer(path.slice(9), args, n);
    if (path.startsWith('np.')) return this.npCall(path.slice(3), args, n);
    if (path.startsWith('torch.')) return this.torchCall(path.slice(6), args, n);
    return UNKNOWN;
  }

  private builtin(name: string, args: Args, n: Node): Val {
    const a = args.pos[0];
    const line = n.startPosition.row;
    switch (name) {
      case 'len':
        if (a?.k === 'arr' && a.dims.length)
          return { k: 'int', v: a.dims[0].v, line: a.dims[0].line };
        if (a?.k === 'tuple' && !a.names) return { k: 'int', v: a.items.length, line };
        if (a?.k === 'sym') return { k: 'int', v: `${a.name}.0`, line: a.line };
        return UNKNOWN;
      case 'int':
        if (a?.k === 'int') return a;
        if (a?.k === 'float' && a.v !== undefined) return { k: 'int', v: Math.trunc(a.v), line };
        return UNKNOWN;
      case 'float':
        return {
          k: 'float',
          v: a?.k === 'float' ? a.v : a?.k === 'int' && isNum(a.v) ? a.v : undefined,
        };
      case 'min':
      case 'max':
        if (args.pos.length === 2 && args.pos.every((x) => x.k === 'int')) {
          const [x, y] = args.pos as { k: 'int'; v: Dim; line: number }[];
          if (isNum(x.v) && isNum(y.v))
            return { k: 'int', v: name === 'min' ? Math.min(x.v, y.v) : Math.max(x.v, y.v), line };
          return { k: 'int', v: name === 'min' ? dimMin(x.v, y.v) : `max(${x.v}, ${y.v})`, line };
        }
        return UNKNOWN;
      case 'tuple':
      case 'list':
        if (a?.k === 'tuple') return { k: 'tuple', items: a.items, list: name === 'list' };
        return UNKNOWN;
      case 'abs':
        return a?.k === 'arr' ? a : a?.k === 'int' || a?.k === 'float' ? a : UNKNOWN;
      case 'round':
        return a?.k === 'float' || a?.k === 'int'
          ? {
              k: 'int',
              v: a.k === 'int' ? a.v : a.v !== undefined ? Math.round(a.v) : freshSym(),
              line,
            }
          : UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  private kwOr(args: Args, i: number, ...names: string[]): Val | undefined {
    for (const k of names) {
      const v = args.kw.get(k);
      if (v) return v;
    }
    return args.pos[i];
  }

  // ---------------------------------------------------------------- creation

  private creation(name: string, lib: Lib, args: Args, n: Node): Val | undefined {
    const line = n.startPosition.row;
    const text = shortText(n);
    const defF = lib === 'torch' ? 'float32' : 'float64';
    const dt = (fallback: string | undefined): string | undefined => {
      const d = args.kw.get('dtype');
      return d ? this.dtypeOf(d, lib) : fallback;
    };
    const sized = (shapeVals: Val[] | undefined, dtype: string | undefined): Val => {
      if (!shapeVals) return UNKNOWN;
      const shape = this.shapeFrom(shapeVals);
      if (!shape) return UNKNOWN;
      const dims = shape.map((d) => (isNum(d.v) || d.line >= 0 ? d : { v: d.v, line }));
      return this.mk(dims, lib, dtype, `${text}: ${fmtShape(dims)}`);
    };
    // shape: np takes a tuple (or int) as first arg; torch takes varargs or a tuple
    const shapeArgs = (first: number): Val[] | undefined => {
      const s = args.kw.get('size') ?? args.kw.get('shape');
      if (s) return [s];
      if (lib === 'torch') return args.pos.slice(first).filter((v) => v.k !== 'str');
      return args.pos.length > first ? [args.pos[first]] : undefined;
    };
    switch (name) {
      case 'zeros':
      case 'ones':
      case 'empty':
      case 'rand':
      case 'randn':
        if (lib === 'np' && (name === 'rand' || name === 'randn')) return undefined;
        return sized(shapeArgs(0), dt(defF));
      case 'full': {
        const s = this.kwOr(args, 0, 'shape', 'size');
        const fill = this.kwOr(args, 1, 'fill_value');
        const d =
          fill?.k === 'int'
            ? 'int64'
            : fill?.k === 'bool'
              ? 'bool'
              : fill?.k === 'float'
                ? defF
                : undefined;
        return sized(s ? [s] : undefined, dt(d));
      }
      case 'zeros_like':
      case 'ones_like':
      case 'empty_like':
      case 'full_like':
      case 'rand_like':
      case 'randn_like': {
        const a = args.pos[0];
        if (a?.k !== 'arr') return UNKNOWN;
        return this.mk(a.dims, lib, dt(a.dtype), `${text}: like ${fmtShape(a.dims)}`);
      }
      case 'eye':
      case 'identity': {
        const N = this.dimOf(this.kwOr(args, 0, 'N', 'n') ?? UNKNOWN);
        const Mv = this.kwOr(args, 1, 'M', 'm');
        const M = Mv && Mv.k !== 'none' && name === 'eye' ? this.dimOf(Mv) : N;
        if (!N || !M) return UNKNOWN;
        return this.mk([N, M], lib, dt(defF), `${text}: ${fmtShape([N, M])}`);
      }
      case 'arange': {
        const ps = args.pos.filter((v) => v.k === 'int' || v.k === 'float');
        const kw = ['start', 'end', 'stop', 'step'].some((k) => args.kw.has(k));
        if (kw || ps.length !== args.pos.length || ps.length === 0) return UNKNOWN;
        const isF = ps.some((v) => v.k === 'float');
        const nums = ps.map((v) => (v.k === 'int' ? v.v : v.k === 'float' ? v.v : undefined));
        let len: Dim;
        if (nums.every((x) => typeof x === 'number')) {
          const [a, b, c] =
            nums.length === 1
              ? [0, nums[0] as number, 1]
              : [nums[0] as number, nums[1] as number, (nums[2] as number | undefined) ?? 1];
          len = Math.max(0, Math.ceil((b - a) / c));
        } else if (nums.length === 1 && typeof nums[0] === 'string') len = nums[0];
        else len = freshSym();
        const d0 =
          nums.length === 1 && ps[0].k === 'int' ? { v: len, line: ps[0].line } : { v: len, line };
        return this.mk([d0], lib, dt(isF ? defF : 'int64'), `${text}: (${fmtDim(len)},)`);
      }
      case 'linspace':
      case 'logspace': {
        const num = this.kwOr(args, 2, lib === 'torch' ? 'steps' : 'num');
        if (!num && lib === 'np')
          return this.mk([{ v: 50, line }], lib, dt('float64'), `${text}: (50,)`);
        const d = num ? this.dimOf(num) : undefined;
        if (!d) return UNKNOWN;
        return this.mk([d], lib, dt(defF), `${text}: (${fmtDim(d.v)},)`);
      }
      case 'randint': {
        if (lib === 'torch') {
          const s = args.kw.get('size') ?? args.pos.find((v) => v.k === 'tuple');
          return sized(s ? [s] : undefined, dt('int64'));
        }
        return undefined;
      }
      case 'array':
      case 'asarray':
      case 'tensor':
      case 'as_tensor':
      case 'from_numpy': {
        const a = args.pos[0];
        if (!a) return UNKNOWN;
        if (a.k === 'arr')
          return this.mk(
            a.dims,
            lib,
            dt(a.dtype === 'float64' && name === 'tensor' && a.lib === 'torch' ? a.dtype : a.dtype),
            `${text}: ${fmtShape(a.dims)}`,
          );
        const lit = this.literal(a, lib, line);
        if (!lit) return UNKNOWN;
        return this.mk(lit.dims, lib, dt(lit.dtype), `${text}: literal ${fmtShape(lit.dims)}`);
      }
      default:
        return undefined;
    }
  }

  private npRandom(name: string, args: Args, n: Node, rng: boolean): Val {
    const text = shortText(n);
    const line = n.startPosition.row;
    let sizeV: Val | undefined;
    let dtype = 'float64';
    switch (name) {
      case 'rand':
      case 'randn':
        if (rng) return UNKNOWN;
        sizeV = args.pos.length ? { k: 'tuple', items: args.pos } : undefined;
        if (!sizeV) return { k: 'float' };
        break;
      case 'random':
      case 'random_sample':
      case 'standard_normal':
      case 'sample':
        sizeV = this.kwOr(args, 0, 'size');
        break;
      case 'normal':
      case 'uniform':
      case 'laplace':
      case 'logistic':
      case 'lognormal':
        sizeV = this.kwOr(args, 2, 'size');
        break;
      case 'exponential':
      case 'poisson':
      case 'standard_t':
      case 'chisquare':
        sizeV = this.kwOr(args, 1, 'size');
        if (name === 'poisson') dtype = 'int64';
        break;
      case 'randint':
      case 'integers':
        sizeV = this.kwOr(args, 2, 'size');
        dtype = 'int64';
        break;
      case 'binomial':
        sizeV = this.kwOr(args, 2, 'size');
        dtype = 'int64';
        break;
      case 'choice': {
        sizeV = this.kwOr(args, 1, 'size');
        const a = args.pos[0];
        dtype = a?.k === 'int' ? 'int64' : a?.k === 'arr' && a.dtype ? a.dtype : '';
        break;
      }
      case 'permutation': {
        const a = args.pos[0];
        if (a?.k === 'int') return this.mk([{ v: a.v, line: a.line }], 'np', 'int64', `${text}`);
        if (a?.k === 'arr') return this.mk(a.dims, 'np', a.dtype, text);
        return UNKNOWN;
      }
      case 'seed':
      case 'shuffle':
        return { k: 'none' };
      default:
        return UNKNOWN;
    }
    if (args.kw.get('dtype')) dtype = this.dtypeOf(args.kw.get('dtype'), 'np') ?? '';
    if (!sizeV || sizeV.k === 'none')
      return name === 'randint' || name === 'integers' || name === 'poisson' || name === 'binomial'
        ? { k: 'int', v: freshSym(), line }
        : { k: 'float' };
    const shape = this.shapeFrom([sizeV]);
    if (!shape) return UNKNOWN;
    return this.mk(shape, 'np', dtype || undefined, `${text}: ${fmtShape(shape)}`);
  }

  private rngMethod(name: string, args: Args, n: Node): Val {
    return this.npRandom(name, args, n, true);
  }

  private npCall(name: string, args: Args, n: Node): Val {
    if (name.startsWith('random.')) {
      const m = name.slice(7);
      if (m === 'default_rng' || m === 'RandomState' || m === 'Generator') return { k: 'rng' };
      return this.npRandom(m, args, n, false);
    }
    const c = this.creation(name, 'np', args, n);
    if (c) return c;
    const a0 = args.pos[0];
    if (name.startsWith('linalg.')) return this.linalg(name.slice(7), 'np', args, n);
    if (
      name === 'diag' ||
      name === 'diagonal' ||
      name === 'trace' ||
      name === 'outer' ||
      name === 'einsum' ||
      name === 'dot' ||
      name === 'matmul' ||
      [
        'concatenate',
        'stack',
        'hstack',
        'vstack',
        'dstack',
        'column_stack',
        'where',
        'clip',
        'expand_dims',
        'moveaxis',
        'swapaxes',
      ].includes(name)
    ) {
      return this.arrayOp(
        name,
        'np',
        a0,
        args.nodes[0] ? shortText(args.nodes[0]) : 'a',
        { ...args, pos: args.pos.slice(1) },
        n,
        true,
      );
    }
    if (!a0) return UNKNOWN;
    const A = this.asArr(a0, 'np', n.startPosition.row);
    if (!A) return UNKNOWN;
    return this.arrayOp(
      name,
      'np',
      A,
      args.nodes[0] ? shortText(args.nodes[0]) : 'a',
      { ...args, pos: args.pos.slice(1) },
      n,
      true,
    );
  }

  private torchCall(name: string, args: Args, n: Node): Val {
    const c = this.creation(name, 'torch', args, n);
    if (c) return c;
    if (name.startsWith('linalg.')) return this.linalg(name.slice(7), 'torch', args, n);
    const a0 = args.pos[0];
    if (
      [
        'cat',
        'concat',
        'concatenate',
        'stack',
        'einsum',
        'where',
        'hstack',
        'vstack',
        'dstack',
      ].includes(name)
    )
      return this.arrayOp(
        name,
        'torch',
        a0,
        args.nodes[0] ? shortText(args.nodes[0]) : 'a',
        { ...args, pos: args.pos.slice(1) },
        n,
        true,
      );
    if (name === 'svd' || name === 'inverse' || name === 'det')
      return this.linalg(
        name === 'inverse' ? 'inv' : name === 'svd' ? 'svd_old' : name,
        'torch',
        args,
        n,
      );
    if (!a0) return UNKNOWN;
    const A = this.asArr(a0, 'torch', n.startPosition.row);
    if (!A) return UNKNOWN;
    return this.arrayOp(
      name,
      'torch',
      A,
      args.nodes[0] ? shortText(args.nodes[0]) : 'a',
      { ...args, pos: args.pos.slice(1) },
      n,
      true,
    );
  }

  // ---------------------------------------------------------------- array operations

  /**
   * A function or method on an array. `a` is the receiver (method) or first argument
   * (function form); `args.pos` are the remaining positionals.
   */
  private arrayOp(
    name: string,
    lib: Lib,
    a: Val | undefined,
    aName: string,
    args: Args,
    n: Node,
    fnForm: boolean,
  ): Val {
    const line = n.startPosition.row;
    const text = shortText(n);
    const argName = (i: number): string =>
      args.nodes[i + (fnForm ? 1 : 0)] ? shortText(args.nodes[i + (fnForm ? 1 : 0)]) : `arg${i}`;
    const axisKw = lib === 'torch' ? ['dim', 'axis'] : ['axis'];
    const keepKw = lib === 'torch' ? ['keepdim', 'keepdims'] : ['keepdims'];

    // operations whose first argument is a sequence or string
    switch (name) {
      case 'concatenate':
      case 'cat':
      case 'concat':
      case 'stack':
      case 'hstack':
      case 'vstack':
      case 'dstack':
      case 'column_stack': {
        if (a?.k !== 'tuple') return UNKNOWN;
        const arrs = a.items.map((x) => this.asArr(x, lib, line));
        if (arrs.some((x) => !x)) return UNKNOWN;
        const as = arrs as ArrVal[];
        const seqNode = args.nodes[0] ? undefined : undefined;
        void seqNode;
        const listNode = n.childForFieldName('arguments')?.namedChildren[0];
        const itemNames =
          listNode && (listNode.type === 'list' || listNode.type === 'tuple')
            ? listNode.namedChildren.map(shortText)
            : as.map((_, i) => `array ${i}`);
        let ops: Operand[] = as.map((x, i) => this.op(itemNames[i] ?? `array ${i}`, x));
        const axV = this.kwOr(args, 0, ...axisKw);
        const axis = axV === undefined ? 0 : this.intOf(axV);
        if (axV?.k === 'none') {
          const sizes = as.map((x) => dimProd(x.dims.map((d) => d.v)));
          const total = sizes.reduce((s, x) => dimAdd(s, x), 0 as Dim);
          return this.mk([{ v: total, line }], lib, as[0]?.dtype, text);
        }
        if (axis === undefined) return UNKNOWN;
        let dims: DimInfo[];
        const fn = lib === 'torch' ? `torch.${name}` : name;
        const dt = as.reduce<string | undefined>(
          (d, x, i) => (i === 0 ? x.dtype : this.promote2(d, x.dtype, lib)),
          undefined,
        );
        if (name === 'stack') dims = stack(ops, axis, fn, line);
        else if (name === 'hstack')
          dims = concat(ops, ops.every((o) => o.dims.length === 1) ? 0 : 1, fn);
        else if (name === 'vstack') {
          ops = ops.map((o) =>
            o.dims.length === 1 ? { name: o.name, dims: [{ v: 1, line }, ...o.dims] } : o,
          );
          dims = concat(ops, 0, fn);
        } else if (name === 'dstack') {
          // 1D (N,) → (1, N, 1); 2D (M, N) → (M, N, 1)
          ops = ops.map((o) =>
            o.dims.length === 1
              ? { name: o.name, dims: [{ v: 1, line }, ...o.dims, { v: 1, line }] }
              : o.dims.length === 2
                ? { name: o.name, dims: [...o.dims, { v: 1, line }] }
                : o,
          );
          dims = concat(ops, 2, fn);
        } else if (name === 'column_stack') {
          ops = ops.map((o) =>
            o.dims.length === 1 ? { name: o.name, dims: [...o.dims, { v: 1, line }] } : o,
          );
          dims = concat(ops, 1, fn);
        } else dims = concat(ops, axis, fn);
        if (dims.length && dims.some((d) => d.line < 0))
          dims = dims.map((d) => (d.line < 0 ? { v: d.v, line } : d));
        return this.mk(
          dims,
          lib,
          dt,
          `${text}: ${as.map((x) => fmtShape(x.dims)).join(', ')} → ${fmtShape(dims)}`,
        );
      }
      case 'einsum': {
        let spec: string | undefined;
        let rest: Val[];
        let names: string[];
        const argNodes = n.childForFieldName('arguments')?.namedChildren ?? [];
        if (a?.k === 'str') {
          spec = a.v;
          rest = args.pos;
          names = argNodes.slice(1).map(shortText);
          if (rest.length === 1 && rest[0].k === 'tuple') {
            rest = (rest[0] as { items: Val[] }).items;
            names = rest.map((_, i) => `operand ${i}`);
          }
        } else return UNKNOWN;
        const arrs = rest.map((x) => this.asArr(x, lib, line));
        if (arrs.some((x) => !x) || !spec) return UNKNOWN;
        const as = arrs as ArrVal[];
        const dims = einsum(
          spec,
          as.map((x, i) => this.op(names[i] ?? `operand ${i}`, x)),
          line,
        );
        const dt = as.reduce<string | undefined>(
          (d, x, i) => (i === 0 ? x.dtype : this.promote2(d, x.dtype, lib)),
          undefined,
        );
        return this.mk(
          dims,
          lib,
          dt,
          `${text}: ${as.map((x) => fmtShape(x.dims)).join(', ')} → ${fmtShape(dims)}`,
        );
      }
      case 'where': {
        if (args.pos.length !== 2) return UNKNOWN;
        const vs = [a, ...args.pos].map((x) => (x ? this.asArr(x, lib, line) : undefined));
        if (vs.some((x) => !x)) return UNKNOWN;
        const as = vs as ArrVal[];
        const an = n.childForFieldName('arguments')?.namedChildren.map(shortText) ?? [];
        const dims = broadcast(as.map((x, i) => this.op(an[i] ?? `arg${i}`, x)));
        const [, x, y] = [a, args.pos[0], args.pos[1]];
        return this.mk(
          dims,
          lib,
          this.promote(x, y, lib, '+'),
          `${text}: ${as.map((q) => fmtShape(q.dims)).join(', ')} → ${fmtShape(dims)}`,
        );
      }
    }

    const A = a ? this.asArr(a, lib, line) : undefined;
    if (!A) return UNKNOWN;
    const nd = A.dims.length;
    const mk = (dims: DimInfo[], dtype: string | undefined = A.dtype): ArrVal =>
      this.mk(dims, lib, dtype, `${text}: ${fmtShape(A.dims)} → ${fmtShape(dims)}`);
    const second = (): { v: ArrVal; name: string } | undefined => {
      const b = args.pos[0] ?? args.kw.get('other');
      if (!b) return undefined;
      const B = this.asArr(b, lib, line);
      return B ? { v: B, name: argName(0) } : undefined;
    };

    if (name in BINARY_FN) {
      const b = args.pos[0] ?? args.kw.get('other') ?? args.kw.get('exponent');
      if (!b) return UNKNOWN;
      const op = BINARY_FN[name];
      const B = this.asArr(b, lib, line);
      if (!B) return UNKNOWN;
      const dims = broadcast(
        [this.op(aName, A), this.op(argName(0), B)],
        `${name}: operands could not be broadcast together with shapes ${fmtShape(A.dims)} ${fmtShape(B.dims)}`,
      );
      const dt = ['max', 'min'].includes(op)
        ? this.promote(a as Val, b, lib, '+')
        : ['&', '|'].includes(op)
          ? 'bool'
          : this.promote(a as Val, b, lib, op);
      return this.mk(
        dims,
        lib,
        dt,
        `${text}: ${fmtShape(A.dims)}, ${fmtShape(B.dims)} → ${fmtShape(dims)}`,
      );
    }

    const axisArg = (i: number): { axes: number[] | undefined; ok: boolean } => {
      const v = this.kwOr(args, i, ...axisKw);
      if (!v || v.k === 'none') return { axes: undefined, ok: true };
      const ints = this.intsOf(v);
      return ints ? { axes: ints, ok: true } : { axes: undefined, ok: false };
    };
    const keep = (i: number): boolean => {
      const v = this.kwOr(args, i, ...keepKw);
      return v?.k === 'bool' && v.v === true;
    };

    switch (name) {
      case 'matmul':
      case 'mm':
      case 'bmm':
      case 'dot':
      case 'inner':
      case 'outer':
      case 'ger':
      case 'mv':
      case 'vdot': {
        const B = second();
        if (!B) return UNKNOWN;
        const ao = this.op(aName, A);
        const bo = this.op(B.name, B.v);
        let dims: DimInfo[];
        if (name === 'matmul') dims = matmul(ao, bo);
        else if (name === 'mm') dims = mmLike(ao, bo, 2, 'torch.mm');
        else if (name === 'bmm') dims = mmLike(ao, bo, 3, 'torch.bmm');
        else if (name === 'dot' && lib === 'np') dims = dot(ao, bo);
        else if (name === 'dot' || name === 'vdot') {
          if (nd !== 1 || B.v.dims.length !== 1)
            throw new ShapeError(
              `${lib === 'torch' ? 'torch.' : ''}dot: 1D tensors expected, but got ${nd}D and ${B.v.dims.length}D tensors`,
            );
          dims = matmul(ao, bo);
        } else if (name === 'mv') dims = matmul(ao, bo);
        else if (name === 'inner') {
          if (nd === 0 || B.v.dims.length === 0) dims = broadcast([ao, bo]);
          else {
            if (dimEq(A.dims[nd - 1].v, B.v.dims[B.v.dims.length - 1].v) === false)
              throw new ShapeError(
                `inner: last dimensions differ: ${aName} ${fmtShape(A.dims)} and ${B.name} ${fmtShape(B.v.dims)}`,
              );
            dims = [...A.dims.slice(0, -1), ...B.v.dims.slice(0, -1)];
          }
        } else {
          // outer: flattened
          if (lib === 'torch' && (nd !== 1 || B.v.dims.length !== 1)) return UNKNOWN;
          const p = (x: ArrVal): DimInfo =>
            x.dims.length === 1 ? x.dims[0] : { v: dimProd(x.dims.map((d) => d.v)), line };
          dims = [p(A), p(B.v)];
        }
        return this.mk(
          dims,
          lib,
          this.promote2(A.dtype, B.v.dtype, lib),
          `${text}: ${fmtShape(A.dims)} ${name} ${fmtShape(B.v.dims)} → ${fmtShape(dims)}`,
        );
      }
      case 'reshape':
      case 'view': {
        if (
          name === 'view' &&
          args.pos.length === 1 &&
          (args.pos[0].k === 'ref' || args.pos[0].k === 'str')
        )
          return UNKNOWN;
        const sv = args.kw.get('shape') ?? args.kw.get('newshape');
        const shape = this.shapeFrom(sv ? [sv] : args.pos);
        if (!shape) return UNKNOWN;
        const tgt = shape.map((d) => ({ v: d.v, line: d.line >= 0 ? d.line : line }));
        const dims = reshape(this.op(aName, A), tgt, line);
        return mk(dims);
      }
      case 'flatten':
      case 'ravel': {
        if (lib === 'torch' && name === 'flatten') {
          const s = this.intOf(this.kwOr(args, 0, 'start_dim')) ?? 0;
          const e = this.intOf(this.kwOr(args, 1, 'end_dim')) ?? -1;
          if (nd === 0) return mk([{ v: 1, line }]);
          const si = normAxis(s, nd, 'dim');
          const ei = normAxis(e, nd, 'dim');
          if (si > ei) return UNKNOWN;
          const mid = A.dims.slice(si, ei + 1);
          const merged = mid.length === 1 ? mid[0] : { v: dimProd(mid.map((d) => d.v)), line };
          return mk([...A.dims.slice(0, si), merged, ...A.dims.slice(ei + 1)]);
        }
        return mk([nd === 1 ? A.dims[0] : { v: dimProd(A.dims.map((d) => d.v)), line }]);
      }
      case 'transpose':
      case 'permute':
      case 'swapaxes':
      case 'swapdims':
      case 't': {
        if (name === 't') {
          if (nd > 2)
            throw new ShapeError(
              `t() expects a tensor with <= 2 dimensions, but ${aName} has shape ${fmtShape(A.dims)}`,
            );
          return mk(A.dims.slice().reverse());
        }
        if (
          (lib === 'torch' && name === 'transpose') ||
          name === 'swapaxes' ||
          name === 'swapdims'
        ) {
          const i = this.intOf(this.kwOr(args, 0, 'dim0', 'axis1'));
          const j = this.intOf(this.kwOr(args, 1, 'dim1', 'axis2'));
          if (i === undefined || j === undefined) return UNKNOWN;
          const ii = normAxis(i, nd, 'dim');
          const jj = normAxis(j, nd, 'dim');
          const d = A.dims.slice();
          [d[ii], d[jj]] = [d[jj], d[ii]];
          return mk(d);
        }
        const axV = args.kw.get('axes') ?? args.kw.get('dims');
        const vals = axV ? [axV] : args.pos;
        if (vals.length === 0 || (vals.length === 1 && vals[0].k === 'none'))
          return mk(A.dims.slice().reverse());
        const axes =
          vals.length === 1 ? this.intsOf(vals[0]) : this.intsOf({ k: 'tuple', items: vals });
        if (!axes) return UNKNOWN;
        if (axes.length !== nd)
          throw new ShapeError(
            `${name}: axes ${JSON.stringify(axes)} don't match ${aName} of shape ${fmtShape(A.dims)} (${nd} dimensions)`,
          );
        return mk(axes.map((x) => A.dims[normAxis(x, nd)]));
      }
      case 'moveaxis':
      case 'movedim': {
        const s = this.intsOf(this.kwOr(args, 0, 'source'));
        const d = this.intsOf(this.kwOr(args, 1, 'destination'));
        if (!s || !d || s.length !== d.length) return UNKNOWN;
        const src = s.map((x) => normAxis(x, nd));
        const dst = d.map((x) => normAxis(x, nd));
        const order = A.dims.map((_, i) => i).filter((i) => !src.includes(i));
        const pairs = dst.map((x, i) => [x, src[i]]).sort((p, q) => p[0] - q[0]);
        for (const [dd, ss] of pairs) order.splice(dd, 0, ss);
        return mk(order.map((i) => A.dims[i]));
      }
      case 'expand_dims':
      case 'unsqueeze': {
        const ax = this.intsOf(this.kwOr(args, 0, ...axisKw));
        if (!ax) return UNKNOWN;
        const outN = nd + ax.length;
        const norm = ax.map((x) => normAxis(x, outN));
        const dims: DimInfo[] = [];
        let k = 0;
        for (let i = 0; i < outN; i++) dims.push(norm.includes(i) ? { v: 1, line } : A.dims[k++]);
        return mk(dims);
      }
      case 'squeeze': {
        const axV = this.kwOr(args, 0, ...axisKw);
        if (!axV || axV.k === 'none') {
          if (A.dims.some((d) => !isNum(d.v))) return mk(A.dims.filter((d) => d.v !== 1));
          return mk(A.dims.filter((d) => d.v !== 1));
        }
        const ax = this.intsOf(axV);
        if (!ax) return UNKNOWN;
        const norm = ax.map((x) => normAxis(x, nd));
        for (const i of norm) {
          if (isNum(A.dims[i].v) && A.dims[i].v !== 1) {
            if (lib === 'np')
              throw new ShapeError(
                `cannot select an axis to squeeze out which has size not equal to one: ${aName}.shape[${i}] = ${A.dims[i].v} (from ${L(A.dims[i].line)})`,
              );
          }
        }
        return mk(
          A.dims.filter(
            (d, i) => !(norm.includes(i) && (d.v === 1 || lib === 'np' || !isNum(d.v))),
          ),
        );
      }
      case 'expand':
      case 'expand_as':
      case 'broadcast_to': {
        let shape: DimInfo[] | undefined;
        if (name === 'expand_as') {
          const B = second();
          shape = B?.v.dims;
        } else
          shape = this.shapeFrom(
            args.pos.length ? args.pos : args.kw.get('shape') ? [args.kw.get('shape') as Val] : [],
          );
        if (!shape) return UNKNOWN;
        if (shape.length < nd)
          throw new ShapeError(
            `expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in ${aName} ${fmtShape(A.dims)}`,
          );
        const out: DimInfo[] = [];
        const off = shape.length - nd;
        for (let i = 0; i < shape.length; i++) {
          const t = shape[i];
          const s = i >= off ? A.dims[i - off] : undefined;
          if (t.v === -1) {
            out.push(s ?? { v: freshSym(), line });
            continue;
          }
          if (s && s.v !== 1 && dimEq(s.v, t.v) === false)
            throw new ShapeError(
              `${name}: the expanded size ${fmtDim(t.v)} (from ${L(t.line >= 0 ? t.line : line)}) must match the existing size ${fmtDim(s.v)} of ${aName} at non-singleton dimension ${i - off} (from ${L(s.line)}); ${aName} is ${fmtShape(A.dims)}`,
              [
                {
                  line: s.line,
                  message: `${aName}.shape[${i - off}] = ${fmtDim(s.v)} comes from here`,
                },
              ],
            );
          out.push(t.line >= 0 ? t : { v: t.v, line });
        }
        return mk(out);
      }
      case 'repeat':
      case 'tile': {
        if (lib === 'np' && name === 'repeat') {
          const r = this.kwOr(args, 0, 'repeats');
          const ax = this.kwOr(args, 1, 'axis');
          const rv = this.dimOf(r ?? UNKNOWN);
          if (!rv) return UNKNOWN;
          if (!ax || ax.k === 'none')
            return mk([{ v: dimMul(dimProd(A.dims.map((d) => d.v)), rv.v), line }]);
          const i = this.intOf(ax);
          if (i === undefined) return UNKNOWN;
          const ii = normAxis(i, nd);
          const d = A.dims.slice();
          d[ii] = { v: dimMul(d[ii].v, rv.v), line };
          return mk(d);
        }
        const reps = this.shapeFrom(
          args.pos.length ? args.pos : args.kw.get('reps') ? [args.kw.get('reps') as Val] : [],
        );
        if (!reps) return UNKNOWN;
        if (lib === 'torch' && reps.length < nd)
          throw new ShapeError(
            `repeat: number of repeat dims (${reps.length}) can not be smaller than number of dimensions of ${aName} ${fmtShape(A.dims)}`,
          );
        const n2 = Math.max(reps.length, nd);
        const src = [...Array.from({ length: n2 - nd }, () => ({ v: 1, line })), ...A.dims];
        const rr = [...Array.from({ length: n2 - reps.length }, () => ({ v: 1, line })), ...reps];
        return mk(src.map((d, i) => (rr[i].v === 1 ? d : { v: dimMul(d.v, rr[i].v), line })));
      }
      case 'masked_fill':
      case 'masked_fill_': {
        const m = args.pos[0] ?? args.kw.get('mask');
        const M = m ? this.asArr(m, lib, line) : undefined;
        if (!M) return UNKNOWN;
        const dims = broadcast(
          [this.op(aName, A), this.op(argName(0), M)],
          `masked_fill: the mask ${fmtShape(M.dims)} must be broadcastable to ${aName} ${fmtShape(A.dims)}`,
        );
        if (dims.length !== nd || dims.some((d, i) => dimEq(d.v, A.dims[i].v) === false))
          throw new ShapeError(
            `masked_fill: the mask ${argName(0)} ${fmtShape(M.dims)} must be broadcastable to ${aName} ${fmtShape(A.dims)} without growing it`,
          );
        return mk(A.dims);
      }
      case 'size': {
        if (lib !== 'torch') return UNKNOWN;
        const i = this.intOf(this.kwOr(args, 0, 'dim'));
        if (args.pos.length === 0 && !args.kw.size)
          return { k: 'tuple', items: A.dims.map((d) => ({ k: 'int', v: d.v, line: d.line })) };
        if (i === undefined) return UNKNOWN;
        const d = A.dims[normAxis(i, nd, 'dim')];
        return { k: 'int', v: d.v, line: d.line };
      }
      case 'dim':
      case 'ndimension':
        return { k: 'int', v: nd, line };
      case 'numel':
        return { k: 'int', v: dimProd(A.dims.map((d) => d.v)), line };
      case 'item':
      case 'tolist':
        return name === 'item'
          ? A.dtype && INT_DT.has(A.dtype)
            ? { k: 'int', v: freshSym(), line }
            : { k: 'float' }
          : UNKNOWN;
      case 'diag':
      case 'diagonal': {
        const k = this.intOf(this.kwOr(args, 0, 'k', 'offset', 'diagonal')) ?? 0;
        if (nd === 1 && name === 'diag') {
          const d = dimAdd(A.dims[0].v, Math.abs(k));
          return mk([
            { v: d, line },
            { v: d, line },
          ]);
        }
        if (nd === 2 || (name === 'diagonal' && nd >= 2)) {
          const [r, c] = A.dims.slice(-2).map((d) => d.v);
          let len: Dim;
          if (isNum(r) && isNum(c))
            len = Math.max(0, k >= 0 ? Math.min(r, c - k) : Math.min(r + k, c));
          else len = k === 0 ? dimMin(r, c) : freshSym();
          return mk([...A.dims.slice(0, -2), { v: len, line }]);
        }
        return UNKNOWN;
      }
      case 'trace':
        return mk([]);
      case 'argsort':
      case 'sort':
      case 'cumsum':
      case 'cumprod':
      case 'softmax':
      case 'log_softmax': {
        const { axes, ok } = axisArg(0);
        if (!ok) return UNKNOWN;
        const isNp = lib === 'np';
        if (name === 'sort' && lib === 'torch') {
          if (axes) normAxis(axes[0], nd, 'dim');
          return {
            k: 'tuple',
            items: [mk(A.dims), mk(A.dims, 'int64')],
            names: ['values', 'indices'],
          };
        }
        if (axes) normAxis(axes[0], nd, lib === 'torch' ? 'dim' : 'axis');
        if (isNp && (name === 'cumsum' || name === 'cumprod') && !axes)
          return mk([{ v: dimProd(A.dims.map((d) => d.v)), line }], this.sumType(A.dtype, lib));
        if (isNp && name === 'argsort' && args.kw.has('axis') && args.kw.get('axis')?.k === 'none')
          return mk([{ v: dimProd(A.dims.map((d) => d.v)), line }], 'int64');
        if (name === 'argsort') return mk(A.dims, 'int64');
        if (name === 'cumsum' || name === 'cumprod') return mk(A.dims, this.sumType(A.dtype, lib));
        if (name === 'softmax' || name === 'log_softmax') {
          const d = this.dtypeOf(args.kw.get('dtype'), lib);
          return mk(A.dims, d ?? A.dtype);
        }
        return mk(A.dims);
      }
      case 'topk': {
        const k = this.dimOf(this.kwOr(args, 0, 'k') ?? UNKNOWN);
        const dimV = this.kwOr(args, 1, 'dim');
        const ax = dimV ? this.intOf(dimV) : -1;
        if (!k || ax === undefined) return UNKNOWN;
        const i = normAxis(ax, nd, 'dim');
        const d = A.dims.slice();
        d[i] = k.line >= 0 ? k : { v: k.v, line };
        return { k: 'tuple', items: [mk(d), mk(d, 'int64')], names: ['values', 'indices'] };
      }
      case 'split':
      case 'chunk': {
        const sz = this.intOf(
          this.kwOr(args, 0, name === 'split' ? 'split_size_or_sections' : 'chunks'),
        );
        const ax = this.intOf(this.kwOr(args, 1, 'dim')) ?? 0;
        if (lib !== 'torch' || sz === undefined || sz <= 0) return UNKNOWN;
        const i = normAxis(ax, nd, 'dim');
        const len = A.dims[i].v;
        if (!isNum(len)) return UNKNOWN;
        const size = name === 'split' ? sz : Math.ceil(len / sz);
        const items: Val[] = [];
        for (let s = 0; s < len; s += size) {
          const d = A.dims.slice();
          d[i] = { v: Math.min(size, len - s), line };
          items.push(mk(d));
        }
        return { k: 'tuple', items };
      }
      case 'norm':
        return this.linalg('norm', lib, { ...args, pos: [A, ...args.pos] }, n);
      case 'clip':
      case 'clamp': {
        const ops: Operand[] = [this.op(aName, A)];
        args.pos.forEach((v, i) => {
          const X = this.asArr(v, lib, line);
          if (X) ops.push(this.op(argName(i), X));
        });
        return mk(broadcast(ops));
      }
    }

    if (REDUCE.has(name)) {
      const { axes, ok } = axisArg(0);
      if (!ok) return UNKNOWN;
      const kd = keep(1);
      if (
        lib === 'torch' &&
        (name === 'max' || name === 'min') &&
        args.pos[0] &&
        args.pos[0].k === 'arr'
      ) {
        const B = this.asArr(args.pos[0], lib, line) as ArrVal;
        const dims = broadcast([this.op(aName, A), this.op(argName(0), B)]);
        return mk(dims, this.promote2(A.dtype, B.dtype, lib));
      }
      const dims = reduce(A.dims, axes, kd, line);
      let dt: string | undefined = A.dtype;
      if (name.startsWith('arg')) dt = 'int64';
      else if (name === 'all' || name === 'any') dt = 'bool';
      else if (name === 'count_nonzero') dt = 'int64';
      else if (['mean', 'std', 'var', 'median', 'nanmean'].includes(name))
        dt =
          A.dtype && (INT_DT.has(A.dtype) || A.dtype === 'bool')
            ? lib === 'np'
              ? 'float64'
              : undefined
            : A.dtype;
      else if (name === 'sum' || name === 'prod' || name === 'nansum')
        dt = this.sumType(A.dtype, lib);
      if (lib === 'torch' && (name === 'max' || name === 'min' || name === 'median') && axes) {
        return {
          k: 'tuple',
          items: [mk(dims, dt), mk(dims, 'int64')],
          names: ['values', 'indices'],
        };
      }
      return mk(dims, dt);
    }

    if (UNARY_SAME.has(name)) {
      let dt = A.dtype;
      if (BOOL_OUT.has(name)) dt = 'bool';
      else if (name === 'astype' || name === 'to' || name === 'type') {
        const d = this.kwOr(args, 0, 'dtype');
        dt = d ? this.dtypeOf(d, lib) : undefined;
        if (name === 'to' && d && d.k !== 'ref' && d.k !== 'str') dt = A.dtype;
        if (name === 'to' && d?.k === 'str' && !this.dtypeOf(d, lib)) dt = A.dtype;
      } else if (['float', 'double', 'long', 'int', 'half', 'bfloat16'].includes(name)) {
        dt = {
          float: 'float32',
          double: 'float64',
          long: 'int64',
          int: 'int32',
          half: 'float16',
          bfloat16: 'bfloat16',
        }[name];
      } else if (
        [
          'exp',
          'log',
          'log2',
          'log10',
          'sqrt',
          'sin',
          'cos',
          'tan',
          'tanh',
          'sigmoid',
          'log1p',
          'expm1',
          'arctan',
          'arcsin',
          'arccos',
          'sinh',
          'cosh',
          'rsqrt',
          'erf',
          'reciprocal',
        ].includes(name)
      ) {
        if (dt && (INT_DT.has(dt) || dt === 'bool')) dt = lib === 'np' ? 'float64' : 'float32';
      }
      const out = this.mk(
        A.dims,
        name === 'numpy' ? 'np' : lib,
        dt,
        `${text}: ${fmtShape(A.dims)}`,
      );
      return out;
    }
    return UNKNOWN;
  }

  private sumType(d: string | undefined, lib: Lib): string | undefined {
    if (!d) return undefined;
    if (d === 'bool' || (INT_DT.has(d) && !d.startsWith('u'))) return 'int64';
    void lib;
    if (INT_DT.has(d)) return 'uint64';
    return d;
  }

  // ---------------------------------------------------------------- linalg

  private linalg(name: string, lib: Lib, args: Args, n: Node): Val {
    const line = n.startPosition.row;
    const text = shortText(n);
    const a = args.pos[0];
    const A = a ? this.asArr(a, lib, line) : undefined;
    if (!A) return UNKNOWN;
    const nd = A.dims.length;
    const aName = args.nodes[0] ? shortText(args.nodes[0]) : 'A';
    const mk = (dims: DimInfo[], dt = A.dtype): ArrVal =>
      this.mk(dims, lib, dt, `${text}: ${fmtShape(A.dims)} → ${fmtShape(dims)}`);
    const need2 = (): void => {
      if (nd < 2)
        throw new ShapeError(
          `${name}: ${nd}-dimensional array given; ${aName} ${fmtShape(A.dims)} must be at least two-dimensional`,
        );
    };
    const square = (): void => {
      need2();
      const [r, c] = A.dims.slice(-2);
      if (dimEq(r.v, c.v) === false)
        throw new ShapeError(
          `${name}: last 2 dimensions of ${aName} must be square, but ${aName} is ${fmtShape(A.dims)} (${fmtDim(r.v)} from ${L(r.line)}, ${fmtDim(c.v)} from ${L(c.line)})`,
          [
            { line: r.line, message: `${aName}.shape[${nd - 2}] = ${fmtDim(r.v)}` },
            { line: c.line, message: `${aName}.shape[${nd - 1}] = ${fmtDim(c.v)}` },
          ],
        );
    };
    const fdt = A.dtype && (INT_DT.has(A.dtype) || A.dtype === 'bool') ? 'float64' : A.dtype;
    switch (name) {
      case 'svd':
      case 'svd_old': {
        need2();
        const batch = A.dims.slice(0, -2);
        const [M, N] = A.dims.slice(-2);
        const K: DimInfo = {
          v: dimMin(M.v, N.v),
          line: isNum(M.v) && isNum(N.v) ? (M.v <= N.v ? M.line : N.line) : line,
        };
        if (name === 'svd_old') {
          const some = args.kw.get('some');
          const full = some?.k === 'bool' && this.isFalse(n, 'some');
          const cuv = args.kw.get('compute_uv');
          void cuv;
          return {
            k: 'tuple',
            items: [
              mk([...batch, M, full ? M : K], fdt),
              mk([...batch, K], this.realOf(fdt)),
              mk([...batch, N, full ? N : K], fdt),
            ],
          };
        }
        const cuvV = this.kwOr(args, 2, 'compute_uv');
        if (cuvV && cuvV.k === 'bool' && this.isFalse(n, 'compute_uv'))
          return mk([...batch, K], this.realOf(fdt));
        const fmV = this.kwOr(args, 1, 'full_matrices');
        const full = fmV ? !(fmV.k === 'bool' && this.isFalse(n, 'full_matrices')) : true;
        return {
          k: 'tuple',
          items: [
            mk([...batch, M, full ? M : K], fdt),
            mk([...batch, K], this.realOf(fdt)),
            mk([...batch, full ? N : K, N], fdt),
          ],
          names: ['U', 'S', 'Vh'],
        };
      }
      case 'svdvals':
        need2();
        return mk(
          [...A.dims.slice(0, -2), { v: dimMin(A.dims[nd - 2].v, A.dims[nd - 1].v), line }],
          this.realOf(fdt),
        );
      case 'eigh':
      case 'eig': {
        square();
        const batch = A.dims.slice(0, -2);
        const M = A.dims[nd - 1];
        const cdt =
          name === 'eig'
            ? lib === 'torch'
              ? fdt === 'float64'
                ? 'complex128'
                : 'complex64'
              : undefined
            : undefined;
        const wdt = name === 'eigh' ? this.realOf(fdt) : cdt;
        return {
          k: 'tuple',
          items: [
            mk([...batch, M], wdt),
            mk([...batch, A.dims[nd - 2], M], name === 'eigh' ? fdt : cdt),
          ],
          names: ['eigenvalues', 'eigenvectors'],
        };
      }
      case 'eigvalsh':
      case 'eigvals':
        square();
        return mk(A.dims.slice(0, -1), name === 'eigvalsh' ? this.realOf(fdt) : undefined);
      case 'inv':
      case 'pinv': {
        if (name === 'inv') square();
        else need2();
        return mk(
          name === 'pinv' ? [...A.dims.slice(0, -2), A.dims[nd - 1], A.dims[nd - 2]] : A.dims,
          fdt,
        );
      }
      case 'det':
      case 'slogdet':
        square();
        return mk(A.dims.slice(0, -2), fdt);
      case 'matrix_rank':
        if (nd < 2) return mk([], 'int64');
        return mk(A.dims.slice(0, -2), 'int64');
      case 'qr': {
        need2();
        const [M, N] = A.dims.slice(-2);
        const K = { v: dimMin(M.v, N.v), line };
        const b = A.dims.slice(0, -2);
        return {
          k: 'tuple',
          items: [mk([...b, M, K], fdt), mk([...b, K, N], fdt)],
          names: ['Q', 'R'],
        };
      }
      case 'cholesky':
        square();
        return mk(A.dims, fdt);
      case 'solve': {
        const b = args.pos[1];
        const B = b ? this.asArr(b, lib, line) : undefined;
        square();
        if (!B) return UNKNOWN;
        if (
          B.dims.length >= 1 &&
          dimEq(B.dims[B.dims.length === 1 ? 0 : B.dims.length - 2].v, A.dims[nd - 1].v) === false
        )
          throw new ShapeError(
            `solve: ${aName} ${fmtShape(A.dims)} and b ${fmtShape(B.dims)} are not aligned`,
          );
        return mk(B.dims, fdt);
      }
      case 'norm':
      case 'vector_norm':
      case 'matrix_norm': {
        const axKey = lib === 'torch' ? ['dim', 'axis'] : ['axis'];
        const axV = this.kwOr(args, 2, ...axKey);
        const keepV = this.kwOr(args, 3, ...(lib === 'torch' ? ['keepdim'] : ['keepdims']));
        const kd =
          keepV?.k === 'bool' && !this.isFalse(n, lib === 'torch' ? 'keepdim' : 'keepdims');
        const rdt = this.realOf(fdt);
        let axes: number[] | undefined;
        if (axV && axV.k !== 'none') {
          const ints = this.intsOf(axV);
          if (!ints) return UNKNOWN;
          axes = ints;
        } else if (name === 'matrix_norm') axes = [-2, -1];
        return mk(
          reduce(A.dims, axes, kd, line),
          lib === 'torch' && rdt && INT_DT.has(rdt) ? undefined : rdt,
        );
      }
      default:
        return UNKNOWN;
    }
  }

  private realOf(d: string | undefined): string | undefined {
    if (d === 'complex128') return 'float64';
    if (d === 'complex64') return 'float32';
    return d;
  }

  /** True when the keyword argument `name` of call n is literally False. */
  private isFalse(n: Node, name: string): boolean {
    const list = n.childForFieldName('arguments');
    for (const c of list?.namedChildren ?? [])
      if (c.type === 'keyword_argument' && c.childForFieldName('name')?.text === name)
        return c.childForFieldName('value')?.type === 'false';
    return false;
  }

  // ---------------------------------------------------------------- torch.nn

  private layer(name: string, args: Args, n: Node): Val {
    const line = n.startPosition.row;
    const d = (i: number, ...kw: string[]): DimInfo | undefined => {
      const v = this.kwOr(args, i, ...kw);
      return v ? this.dimOf(v) : undefined;
    };
    switch (name) {
      case 'Linear': {
        const i = d(0, 'in_features');
        const o = d(1, 'out_features');
        if (!i || !o) return UNKNOWN;
        return { k: 'layer', kind: 'Linear', dims: [i, o], bias: !this.isFalse(n, 'bias'), line };
      }
      case 'Embedding': {
        const a = d(0, 'num_embeddings');
        const b = d(1, 'embedding_dim');
        if (!a || !b) return UNKNOWN;
        return { k: 'layer', kind: 'Embedding', dims: [a, b], line };
      }
      case 'LayerNorm': {
        const s = this.kwOr(args, 0, 'normalized_shape');
        const shape = s ? this.shapeFrom([s]) : undefined;
        if (!shape) return UNKNOWN;
        return { k: 'layer', kind: 'LayerNorm', dims: shape, line };
      }
      case 'Sequential': {
        const layers = args.pos.filter((v): v is LayerVal => v.k === 'layer');
        if (layers.length !== args.pos.length) return UNKNOWN;
        return { k: 'layer', kind: 'Sequential', dims: [], layers, line };
      }
      case 'Flatten':
        return { k: 'layer', kind: 'Flatten', dims: [], line };
      default:
        if (LAYER_SAME.has(name)) return { k: 'layer', kind: name, dims: [], line };
        return UNKNOWN;
    }
  }

  private callLayer(l: LayerVal, args: Args, n: Node): Val {
    const x = args.pos[0];
    if (x?.k !== 'arr') return UNKNOWN;
    const argN = n.childForFieldName('arguments')?.namedChildren[0];
    return this.applyLayer(
      l,
      x,
      argN ? shortText(argN) : 'input',
      n,
      shortText(n.childForFieldName('function') ?? n),
    );
  }

  private applyLayer(l: LayerVal, x: ArrVal, xName: string, n: Node, lName: string): Val {
    const text = shortText(n);
    const nd = x.dims.length;
    const mk = (dims: DimInfo[], dt = x.dtype): ArrVal =>
      this.mk(dims, 'torch', dt, `${text}: ${l.kind} ${fmtShape(x.dims)} → ${fmtShape(dims)}`);
    switch (l.kind) {
      case 'Linear': {
        const [inF, outF] = l.dims;
        if (nd === 0) throw new ShapeError(`${lName} (Linear): input ${xName} is 0-dimensional`);
        const last = x.dims[nd - 1];
        if (dimEq(last.v, inF.v) === false) {
          const rows = dimProd(x.dims.slice(0, -1).map((d) => d.v));
          throw new ShapeError(
            `mat1 and mat2 shapes cannot be multiplied (${fmtDim(rows)}x${fmtDim(last.v)} and ${fmtDim(inF.v)}x${fmtDim(outF.v)}): ${lName} is nn.Linear(in_features=${fmtDim(inF.v)} (from ${L(inF.line)}), out_features=${fmtDim(outF.v)}) but ${xName} ${fmtShape(x.dims)} has last dimension ${fmtDim(last.v)} (from ${L(last.line)})`,
            [
              { line: inF.line, message: `in_features = ${fmtDim(inF.v)} comes from here` },
              {
                line: last.line,
                message: `${xName}.shape[${nd - 1}] = ${fmtDim(last.v)} comes from here`,
              },
            ],
          );
        }
        return mk([...x.dims.slice(0, -1), outF]);
      }
      case 'Embedding':
        return mk([...x.dims, l.dims[1]], 'float32');
      case 'LayerNorm': {
        const k = l.dims.length;
        const tail = x.dims.slice(nd - k);
        if (nd < k || tail.some((d, i) => dimEq(d.v, l.dims[i].v) === false))
          throw new ShapeError(
            `${lName} (LayerNorm): expected input with shape [*, ${l.dims.map((d) => fmtDim(d.v)).join(', ')}] (normalized_shape from ${L(l.dims[0]?.line ?? l.line)}), but ${xName} has shape ${fmtShape(x.dims)}`,
            [{ line: l.dims[0]?.line ?? l.line, message: 'normalized_shape comes from here' }],
          );
        return mk(x.dims);
      }
      case 'Sequential': {
        let cur: Val = x;
        const layers = l.layers ?? [];
        for (let i = 0; i < layers.length; i++) {
          if (cur.k !== 'arr') return UNKNOWN;
          cur = this.applyLayer(
            layers[i],
            cur,
            i === 0 ? xName : `the output of ${lName}[${i - 1}]`,
            n,
            `${lName}[${i}]`,
          );
        }
        return cur.k === 'arr'
          ? { ...cur, deriv: `${text}: Sequential ${fmtShape(x.dims)} → ${fmtShape(cur.dims)}` }
          : cur;
      }
      case 'Flatten':
        if (nd < 2) return UNKNOWN;
        return mk([
          x.dims[0],
          { v: dimProd(x.dims.slice(1).map((d) => d.v)), line: n.startPosition.row },
        ]);
      default:
        return mk(x.dims);
    }
  }

  private functional(name: string, args: Args, n: Node): Val {
    const line = n.startPosition.row;
    const x = args.pos[0];
    if (x?.k !== 'arr') return UNKNOWN;
    const xName = args.nodes[0] ? shortText(args.nodes[0]) : 'input';
    switch (name) {
      case 'linear': {
        const W = args.pos[1] ?? args.kw.get('weight');
        if (W?.k !== 'arr' || W.dims.length !== 2) return UNKNOWN;
        const l: LayerVal = { k: 'layer', kind: 'Linear', dims: [W.dims[1], W.dims[0]], line };
        return this.applyLayer(l, x, xName, n, args.nodes[1] ? shortText(args.nodes[1]) : 'weight');
      }
      case 'embedding': {
        const W = args.pos[1];
        if (W?.k !== 'arr' || W.dims.length !== 2) return UNKNOWN;
        return this.mk([...x.dims, W.dims[1]], 'torch', W.dtype, `${shortText(n)}`);
      }
      case 'layer_norm': {
        const s = this.kwOr(args, 1, 'normalized_shape');
        const shape = s ? this.shapeFrom([s]) : undefined;
        if (!shape) return UNKNOWN;
        return this.applyLayer(
          { k: 'layer', kind: 'LayerNorm', dims: shape, line },
          x,
          xName,
          n,
          'layer_norm',
        );
      }
      case 'one_hot': {
        const c = this.kwOr(args, 1, 'num_classes');
        const d = c ? this.dimOf(c) : undefined;
        if (!d) return UNKNOWN;
        return this.mk([...x.dims, d], 'torch', 'int64', shortText(n));
      }
      case 'cross_entropy':
      case 'mse_loss':
      case 'nll_loss':
      case 'l1_loss':
      case 'binary_cross_entropy':
      case 'binary_cross_entropy_with_logits':
        return this.mk([], 'torch', x.dtype, shortText(n));
      case 'scaled_dot_product_attention': {
        const q = x;
        const v = args.pos[2];
        if (v?.k !== 'arr' || v.dims.length === 0) return UNKNOWN;
        return this.mk(
          [...q.dims.slice(0, -1), v.dims[v.dims.length - 1]],
          'torch',
          q.dtype,
          shortText(n),
        );
      }
      case 'normalize':
      case 'pad':
        return name === 'normalize' ? this.mk(x.dims, 'torch', x.dtype, shortText(n)) : UNKNOWN;
      default:
        return this.arrayOp(name, 'torch', x, xName, { ...args, pos: args.pos.slice(1) }, n, true);
    }
  }
}
