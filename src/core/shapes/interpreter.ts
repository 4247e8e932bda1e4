/**
 * Abstract interpreter over a tree-sitter Python tree: tracks shapes and dtypes of NumPy
 * arrays and PyTorch tensors through straight-line code (module scope, function and method
 * bodies), and reports the operations that provably raise. Statements, assignments,
 * functions and classes live here; expressions in ./evaluator.ts; the NumPy/PyTorch rules in
 * ./library.
 */
import { FLOAT_DTYPES, INT_DTYPES } from './dtypes';
import { CollectionEvaluator } from './collections';
import { changedIn, DICT, MAX_NESTING } from './python';
import { cloneEnv, type Checkpoint } from './checkpoint';
import { shortText, type Args } from './library/call';
import type { Node } from './syntax';
import {
  Env,
  fmtShape,
  freshSym,
  isFreshSym,
  isNum,
  namedSym,
  sameValue,
  setSymbolCount,
  ShapeError,
  symbolCount,
  UNKNOWN,
  type ArrVal,
  type DimInfo,
  type Val,
} from './values';

type FuncVal = Extract<Val, { k: 'func' }>;
type ObjVal = Extract<Val, { k: 'obj' }>;

/** How deep calls of the program's own functions are followed. */
const MAX_CALL_DEPTH = 4;

/** Loops nested deeper than this are not refined (each refinement re-runs the body). */
const MAX_REFINED_LOOP_DEPTH = 2;
const MAX_LOOP_PASSES = 3;

/** Thrown when the time budget of an analysis is spent. */
class OutOfTime extends Error {}

export class Interpreter extends CollectionEvaluator {
  /** Return values of the function body being interpreted (null at module level). */
  private returns: Val[] | null = null;
  private callDepth = 0;
  /** Loops being interpreted around the current statement. */
  private loopDepth = 0;
  /** > 0 while a function body is interpreted with symbolic parameters. */
  private symbolicBodies = 0;

  /**
   * Whether an assignment is recorded now: not in a silent trial pass, and not inside a call
   * made from a body with symbolic parameters (its arguments are hypothetical: only calls
   * reached from the module's own code give a function's assignments their shapes).
   */
  private get recording(): boolean {
    return !this.silent && !this.firstIteration && !(this.quiet > 0 && this.symbolicBodies > 0);
  }

  /** Set when the analysis stopped early (time budget, or input too deep for the stack). */
  incomplete: string | undefined;
  /** Date.now() after which no further statement is interpreted. */
  private deadline = Infinity;

  /**
   * Interprets the module; `budgetMs`: stop (what follows stays unknown) after this long.
   * `resume`: start at the checkpoint's statement with its state (the statements before it
   * must be the ones it was taken after, see ./checkpoint.ts). `checkpointAt`: the indices of
   * the top-level statements to take a checkpoint before (the number of statements: after the
   * last); returns the checkpoints taken.
   */
  run(
    root: Node,
    budgetMs = Infinity,
    resume?: Checkpoint,
    checkpointAt: readonly number[] = [],
  ): Checkpoint[] {
    this.deadline = Date.now() + budgetMs;
    let env = new Env();
    let from = 0;
    setSymbolCount(0);
    if (resume) {
      from = resume.index;
      env = cloneEnv(resume.env);
      this.findings = resume.findings.clone();
      this.torchUsed = resume.torchUsed;
      this.incomplete = resume.incomplete;
      setSymbolCount(resume.symbols);
    }
    const taken: Checkpoint[] = [];
    const kids = root.namedChildren;
    for (let i = from; i <= kids.length; i++) {
      if (checkpointAt.includes(i) && i > from)
        taken.push({
          index: i,
          env: cloneEnv(env),
          findings: this.findings.clone(),
          torchUsed: this.torchUsed,
          incomplete: this.incomplete,
          symbols: symbolCount(),
        });
      if (i === kids.length) break;
      const s = kids[i];
      try {
        if (this.statement(s, env)) break;
      } catch (e) {
        if (e instanceof OutOfTime) {
          this.incomplete = `analysis stopped after ${budgetMs} ms at line ${s.startRow + 1}`;
          break;
        }
        // a statement too deep for the stack: it and what it assigns stay unknown
        if (!(e instanceof RangeError)) throw e;
        this.incomplete ??= `line ${s.startRow + 1} is nested too deeply to analyse`;
        this.quiet = 0;
        this.depth = 0;
        this.callDepth = 0;
        this.callSite = -1;
        this.returns = null;
      }
    }
    this.findings.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
    return taken;
  }

  // ---------------------------------------------------------------- statements

  /** Returns true when the block returns (what follows is unreachable). */
  private block(stmts: readonly Node[], env: Env): boolean {
    for (const s of stmts) if (this.statement(s, env)) return true;
    return false;
  }

  /** Returns true when the statement returns. */
  private statement(s: Node, env: Env): boolean {
    if (Date.now() > this.deadline) throw new OutOfTime();
    if (this.depth >= MAX_NESTING) return false;
    this.depth++;
    try {
      return this.statementAtDepth(s, env);
    } finally {
      this.depth--;
    }
  }

  private statementAtDepth(s: Node, env: Env): boolean {
    switch (s.type) {
      case 'expression_statement':
        for (const c of s.namedChildren) {
          if (c.type === 'assignment') this.assignment(c, env);
          else if (c.type === 'augmented_assignment') this.augmentedAssignment(c, env);
          else this.evaluate(c, env);
        }
        return false;
      case 'import_statement':
      case 'import_from_statement':
        this.importStatement(s, env);
        return false;
      case 'function_definition':
        this.functionDefinition(s, env, undefined);
        return false;
      case 'decorated_definition': {
        const d = s.childForFieldName('definition');
        if (d) this.statement(d, env);
        return false;
      }
      case 'class_definition':
        this.classDefinition(s, env);
        return false;
      case 'return_statement': {
        const e = s.namedChildren[0];
        this.returns?.push(e ? this.evaluate(e, env) : { k: 'none' });
        return true;
      }
      case 'if_statement':
        this.ifStatement(s, env);
        return false;
      case 'for_statement':
      case 'while_statement':
        this.loop(s, env);
        return false;
      case 'with_statement': {
        const body = s.childForFieldName('body');
        for (const c of s.namedChildren) if (c.type === 'with_clause') this.evaluate(c, env);
        return body ? this.block(body.namedChildren, env) : false;
      }
      case 'try_statement':
        this.tryStatement(s, env);
        return false;
      case 'delete_statement':
        for (const t of s.namedChildren.flatMap((c) =>
          c.type === 'expression_list' ? c.namedChildren : [c],
        ))
          if (t.type === 'identifier') env.set(t.text, UNKNOWN);
        return false;
      default:
        return false;
    }
  }

  private loop(s: Node, env: Env): void {
    let iterated: Val = UNKNOWN;
    if (s.type === 'for_statement') {
      const right = s.childForFieldName('right');
      if (right) iterated = this.evaluate(right, env);
    } else {
      const c = s.childForFieldName('condition');
      if (c) this.evaluate(c, env);
    }
    const body = s.childForFieldName('body');
    const left = s.childForFieldName('left');
    const changed = changedIn(s);
    // `for block in self.blocks`: the loop variable is the common item of a uniform sequence;
    // `for t in range(n)`: an int
    let item: Val = UNKNOWN;
    /** Whether the body surely runs at least once. */
    let runs = false;
    if (s.type === 'for_statement') {
      const right = s.childForFieldName('right');
      const seq = right ? iterated : UNKNOWN;
      const count = right ? this.rangeCount(right, env) : undefined;
      if (count !== undefined) {
        if (left?.type === 'identifier') item = { k: 'int', v: freshSym(), line: left.startRow };
        runs = typeof count === 'number' && count > 0;
      } else if (seq.k === 'tuple' && !seq.open && seq.items.length) {
        runs = true;
        const first = seq.items[0];
        if (seq.items.every((x) => sameValue(x, first))) item = first;
      }
    }
    // the first iteration sees the values the loop is entered with: its errors are certain
    if (runs && body && this.loopDepth < MAX_REFINED_LOOP_DEPTH && !this.silent) {
      const first = env.clone();
      if (left) this.bind(left, item, first, left, false);
      this.loopDepth++;
      this.firstIteration++;
      try {
        this.block(body.namedChildren, first);
      } finally {
        this.firstIteration--;
        this.loopDepth--;
      }
    }
    // On entry the body sees what any earlier iteration left: what it changes is unknown,
    // except the names it provably gives back unchanged (`W -= lr * dW` keeps W's shape):
    // trial passes, silent, find the largest such set that is a fixpoint.
    // A name the body changes but keeps the rank of is entered widened (see widenValue):
    // `idx = torch.cat((idx, nxt), dim=1)` enters as (1, ?), `b -= lr * np.sum(g)` as ().
    const widened = new Map<string, Val>();
    const entry = (keep: Set<string>): Env => {
      const e = env.clone();
      for (const t of changed)
        if (!(t.type === 'identifier' && keep.has(t.text))) this.assignTo(t, UNKNOWN, e, true);
        else {
          const w = widened.get(t.text);
          if (w) e.set(t.text, w);
        }
      if (left) this.bind(left, item, e, left, false);
      return e;
    };
    let keep = new Set<string>();
    if (body && this.loopDepth < MAX_REFINED_LOOP_DEPTH) {
      for (const t of changed) if (t.type === 'identifier' && env.get(t.text)) keep.add(t.text);
      this.loopDepth++;
      this.silent++;
      try {
        for (let pass = 0; keep.size; pass++) {
          if (pass === MAX_LOOP_PASSES) {
            keep = new Set();
            break;
          }
          const trial = entry(keep);
          this.block(body.namedChildren, trial);
          let grew = false;
          const next = new Set(
            [...keep].filter((n) => {
              const before = widened.get(n) ?? env.get(n);
              const after = trial.get(n);
              if (!before || !after) return false;
              if (sameValue(before, after)) return true;
              const w = widenValue(before, after);
              if (!w) return false;
              if (!sameValue(w, before)) {
                widened.set(n, w);
                grew = true;
              }
              return true;
            }),
          );
          if (next.size === keep.size && !grew) break;
          keep = next;
        }
      } finally {
        this.silent--;
        this.loopDepth--;
      }
    }
    const inner = entry(keep);
    this.loopDepth++;
    try {
      if (body) this.block(body.namedChildren, inner);
    } finally {
      this.loopDepth--;
    }
    this.merge(env, [inner, env], true);
  }

  /**
   * `range(…)` or `reversed(range(…))` as a loop's iterable: its length (a number when the
   * bounds are known, else 'unknown'); undefined when the iterable is something else.
   */
  private rangeCount(n: Node, env: Env): number | 'unknown' | undefined {
    let call = n;
    const fn = (c: Node): string | undefined =>
      c.type === 'call' ? c.childForFieldName('function')?.text : undefined;
    if (fn(call) === 'reversed') {
      const inner = call.childForFieldName('arguments')?.namedChildren[0];
      if (!inner) return undefined;
      call = inner;
    }
    if (fn(call) !== 'range' || env.get('range')) return undefined;
    const args = call.childForFieldName('arguments')?.namedChildren ?? [];
    if (args.some((a) => a.type !== 'integer' && a.type !== 'identifier' && a.type !== 'attribute'))
      return 'unknown';
    const b = args.map((a) => {
      const v = this.evaluate(a, env);
      return v.k === 'int' && isNum(v.v) ? v.v : undefined;
    });
    if (b.some((x) => x === undefined)) return 'unknown';
    const [start, stop, step] =
      b.length === 1 ? [0, b[0] ?? 0, 1] : [b[0] ?? 0, b[1] ?? 0, b[2] ?? 1];
    if (step === 0) return 'unknown';
    return Math.max(0, Math.ceil((stop - start) / step));
  }

  /**
   * Each name keeps its value where all branches agree, else becomes unknown. `loop`: a name
   * only the loop body binds keeps the body's value (used after the loop, the loop ran).
   */
  private merge(target: Env, branches: Env[], loop = false): void {
    const names = new Set<string>();
    for (const b of branches) for (const k of b.vars.keys()) names.add(k);
    for (const n of names) {
      let vals = branches.map((b) => b.vars.get(n) ?? b.get(n));
      if (loop && vals[1] === undefined) vals = [vals[0]];
      const first = vals[0];
      if (first && vals.every((v) => v && sameValue(v, first))) target.set(n, first);
      else target.set(n, UNKNOWN);
    }
  }

  private ifStatement(s: Node, env: Env): void {
    const branches: Env[] = [];
    let hasElse = false;
    const cond = s.childForFieldName('condition');
    if (cond) this.evaluate(cond, env);
    const consequence = s.childForFieldName('consequence');
    const first = env.clone();
    if (!(consequence && this.block(consequence.namedChildren, first))) branches.push(first);
    for (const alt of s.childrenForFieldName('alternative')) {
      const e = env.clone();
      let returned = false;
      if (alt.type === 'elif_clause') {
        const c = alt.childForFieldName('condition');
        if (c) this.evaluate(c, e);
        const b = alt.childForFieldName('consequence');
        if (b) returned = this.block(b.namedChildren, e);
      } else {
        hasElse = true;
        const b = alt.childForFieldName('body');
        if (b) returned = this.block(b.namedChildren, e);
      }
      if (!returned) branches.push(e);
    }
    if (!hasElse) branches.push(env.clone());
    if (branches.length) this.merge(env, branches);
  }

  /** The body, then each handler as an alternative; `else` and `finally` after. */
  private tryStatement(s: Node, env: Env): void {
    const body = s.childForFieldName('body');
    const afterBody = env.clone();
    const bodyReturned = body ? this.block(body.namedChildren, afterBody) : false;
    const branches = bodyReturned ? [] : [afterBody];
    let finallyBody: Node | null = null;
    for (const c of s.namedChildren) {
      if (c.type === 'except_clause' || c.type === 'except_group_clause') {
        // an exception may come from any point of the body: start from what it changes widened
        const e = env.clone();
        if (body) for (const t of changedIn(body)) this.assignTo(t, UNKNOWN, e, true);
        const block = c.namedChildren.find((k) => k.type === 'block');
        if (!(block && this.block(block.namedChildren, e))) branches.push(e);
      } else if (c.type === 'else_clause') {
        const block = c.childForFieldName('body');
        if (block && !bodyReturned) this.block(block.namedChildren, afterBody);
      } else if (c.type === 'finally_clause')
        finallyBody = c.namedChildren.find((k) => k.type === 'block') ?? null;
    }
    if (branches.length) this.merge(env, branches);
    if (finallyBody) this.block(finallyBody.namedChildren, env);
  }

  private importStatement(s: Node, env: Env): void {
    if (s.type === 'import_statement') {
      for (const n of s.childrenForFieldName('name')) {
        if (n.type === 'aliased_import') {
          const name = n.childForFieldName('name')?.text ?? '';
          const alias = n.childForFieldName('alias')?.text ?? name;
          env.set(alias, { k: 'ref', path: name });
          if (name.startsWith('torch')) this.torchUsed = true;
        } else {
          const head = n.text.split('.')[0];
          env.set(head, { k: 'ref', path: head });
          if (head === 'torch') this.torchUsed = true;
        }
      }
      return;
    }
    const module = s.childForFieldName('module_name')?.text ?? '';
    if (module.startsWith('torch')) this.torchUsed = true;
    for (const n of s.childrenForFieldName('name')) {
      if (n.type === 'aliased_import') {
        const name = n.childForFieldName('name')?.text ?? '';
        const alias = n.childForFieldName('alias')?.text ?? name;
        env.set(alias, { k: 'ref', path: `${module}.${name}` });
      } else env.set(n.text, { k: 'ref', path: `${module}.${n.text}` });
    }
  }

  // ---------------------------------------------------------------- functions and classes

  /** Binds the parameters of fn: to `args` when called, else to symbols. */
  private parameters(fn: Node, env: Env, self: Val | undefined, args?: Args): void {
    const ps = fn.childForFieldName('parameters')?.namedChildren ?? [];
    let i = 0;
    for (const p of ps) {
      let name = '';
      let defaultValue: Node | null = null;
      if (p.type === 'identifier') name = p.text;
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
        name = p.childForFieldName('name')?.text ?? '';
        defaultValue = p.childForFieldName('value');
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
      const position = self ? i - 1 : i;
      i++;
      if (args) {
        const v =
          args.kw.get(name) ??
          args.pos[position] ??
          (defaultValue ? this.evaluate(defaultValue, env) : UNKNOWN);
        env.set(name, v);
      } else env.set(name, { k: 'sym', name, line: p.startRow });
    }
  }

  private functionDefinition(s: Node, env: Env, self: Val | undefined): Val {
    const name = s.childForFieldName('name')?.text ?? '';
    const f: Val = { k: 'func', node: s, env, name };
    if (!self) env.set(name, f);
    // the body once with symbolic parameters (this is what hover and shapes show)
    const inner = new Env(env);
    this.parameters(s, inner, self);
    const saved = this.returns;
    this.returns = [];
    const body = s.childForFieldName('body');
    this.symbolicBodies++;
    try {
      if (body) this.block(body.namedChildren, inner);
    } finally {
      this.symbolicBodies--;
      this.returns = saved;
    }
    return f;
  }

  private classDefinition(s: Node, env: Env): void {
    const name = s.childForFieldName('name')?.text ?? '';
    const self: ObjVal = { k: 'obj', attrs: new Map() };
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
    // class attributes and (dataclass, NamedTuple) annotated fields with their defaults
    const fields: Val[] = [];
    const classAttrs = new Map<string, Val>();
    for (const c of body?.namedChildren ?? []) {
      const a = c.type === 'expression_statement' ? c.namedChildren[0] : undefined;
      const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
      if (!a || left?.type !== 'identifier') continue;
      const right = a.childForFieldName('right');
      if (a.childForFieldName('type')) fields.push({ k: 'str', v: left.text });
      if (!right) continue;
      const value = this.evaluate(right, env);
      classAttrs.set(left.text, value);
      if (this.recording) this.findings.assigned(left, left.text, value, right, this.quiet > 0);
    }
    for (const [k, v] of classAttrs) self.attrs.set(k, v);
    for (const [m, d] of order) self.attrs.set(m, { k: 'func', node: d, env, name: m });
    for (const [, d] of order) this.functionDefinition(d, env, self);
    const cls: ObjVal = {
      k: 'obj',
      attrs: new Map([['__class_methods__', { k: 'tuple', items: [] }]]),
    };
    if (fields.length && !methods.has('__init__'))
      cls.attrs.set('__fields__', { k: 'tuple', items: fields });
    for (const [k, v] of classAttrs) cls.attrs.set(k, v);
    for (const [m, d] of methods) cls.attrs.set(m, { k: 'func', node: d, env, name: m });
    env.set(name, cls);
  }

  /** Inlines a call of a program function with concrete arguments. */
  protected callFunction(f: FuncVal, args: Args, self: Val | undefined, site: Node): Val {
    if (this.callDepth > MAX_CALL_DEPTH || args.bad) return UNKNOWN;
    const node = f.node as Node;
    const inner = new Env(f.env);
    this.callDepth++;
    this.quiet++;
    const savedSite = this.callSite;
    if (this.callSite < 0) this.callSite = site.startRow;
    const saved = this.returns;
    this.returns = [];
    try {
      this.parameters(node, inner, self, args);
      const body = node.childForFieldName('body');
      if (body) this.block(body.namedChildren, inner);
      const rs = this.returns;
      if (rs.length === 0) return { k: 'none' };
      return rs.every((r) => sameValue(r, rs[0])) ? rs[0] : UNKNOWN;
    } finally {
      this.returns = saved;
      this.quiet--;
      this.callDepth--;
      this.callSite = savedSite;
    }
  }

  protected instantiate(cls: ObjVal, args: Args, site: Node): Val {
    const obj: ObjVal = { k: 'obj', attrs: new Map() };
    for (const [k, v] of cls.attrs)
      if (k !== '__class_methods__' && k !== '__fields__') obj.attrs.set(k, v);
    const fields = cls.attrs.get('__fields__');
    if (fields?.k === 'tuple') {
      // a dataclass: fields by position, then by keyword, else their defaults
      fields.items.forEach((f, i) => {
        if (f.k !== 'str') return;
        const v = args.kw.get(f.v) ?? args.pos[i];
        if (v) obj.attrs.set(f.v, v);
        else if (!obj.attrs.has(f.v)) obj.attrs.set(f.v, UNKNOWN);
      });
      return obj;
    }
    const init = cls.attrs.get('__init__');
    if (init?.k === 'func') this.callFunction(init, args, obj, site);
    return obj;
  }

  // ---------------------------------------------------------------- assignment

  private assignment(a: Node, env: Env): Val {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!right) return UNKNOWN;
    const v = right.type === 'assignment' ? this.assignment(right, env) : this.evaluate(right, env);
    if (!left) return v;
    // `B, T, C = x.shape` fixes the rank of a parameter x and names its dims B, T, C
    if (
      (left.type === 'pattern_list' || left.type === 'tuple_pattern') &&
      v.k === 'tuple' &&
      v.names?.[0] === '__symshape__'
    ) {
      const source = v.names[1];
      const line = Number(v.names[2]);
      const dims = left.namedChildren.map((t, i) => ({
        v:
          t.type === 'identifier' && t.text !== '_'
            ? namedSym(t.text, `${source}.${i}`)
            : `${source}.${i}`,
        line,
      }));
      const current = env.get(source);
      if (current?.k === 'sym') env.set(source, this.parameterArray(source, dims));
      this.bind(
        left,
        { k: 'tuple', items: dims.map((d) => ({ k: 'int', v: d.v, line: d.line })) },
        env,
        right,
        true,
      );
    } else if (left.type === 'identifier' && v.k === 'int' && isFreshSym(v.v)) {
      // `vocab_size = len(chars)`: an unknown size is named after the variable holding it
      this.bind(left, { ...v, v: namedSym(left.text, String(v.v)) }, env, right, true);
    } else this.bind(left, v, env, right, true);
    return v;
  }

  /** A parameter whose rank became known. */
  private parameterArray(name: string, dims: DimInfo[]): ArrVal {
    return { k: 'arr', dims, lib: this.torchUsed ? 'torch' : 'np', deriv: `parameter ${name}` };
  }

  private augmentedAssignment(a: Node, env: Env): void {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right) return;
    const opNode = a.childForFieldName('operator');
    const op = (opNode?.text ?? a.children[1]?.text ?? '+=').replace('=', '');
    const lv = this.evaluate(left, env);
    const rv = this.evaluate(right, env);
    const v = this.guard(a, () => {
      const r = this.binary(op, lv, rv, left, right, a);
      return lv.k === 'arr' && r.k === 'arr' && op !== '@' ? inPlace(lv, r, op, a) : r;
    });
    this.bind(left, v, env, a, true);
  }

  /** Binds target t to v; `record`: report the assignment (shapes and hover). */
  private bind(t: Node, v: Val, env: Env, src: Node, record: boolean): void {
    switch (t.type) {
      case 'identifier':
        env.set(t.text, v);
        if (record && this.recording) this.findings.assigned(t, t.text, v, src, this.quiet > 0);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
      case 'parenthesized_expression': {
        const kids = t.namedChildren;
        if (t.type === 'parenthesized_expression') {
          if (kids[0]) this.bind(kids[0], v, env, src, record);
          return;
        }
        let items: Val[] | undefined;
        if (v.k === 'tuple' && !v.open && v.items.length === kids.length) items = v.items;
        else if (v.k === 'arr' && v.dims.length > 0 && v.dims[0].v === kids.length)
          items = kids.map(() => ({ ...v, dims: v.dims.slice(1), deriv: `row of ${v.deriv}` }));
        kids.forEach((k, i) => this.bind(k, items?.[i] ?? UNKNOWN, env, src, record));
        return;
      }
      case 'attribute': {
        const obj = t.childForFieldName('object');
        const attr = t.childForFieldName('attribute')?.text ?? '';
        if (obj) {
          const o = this.evaluate(obj, env);
          if (o.k === 'obj') o.attrs.set(attr, v);
        }
        if (record && this.recording) this.findings.assigned(t, t.text, v, src, this.quiet > 0);
        return;
      }
      case 'subscript': {
        // `xs[i] = v` changes a list (an array keeps its shape)
        const obj = t.childForFieldName('value');
        if (!obj) return;
        this.quiet++;
        try {
          const o = this.evaluate(obj, env);
          if (o.k === 'tuple')
            this.assignTo(obj, { k: 'tuple', items: [], list: true, open: true }, env);
          else if (o.k === 'obj' && o.attrs.has(DICT)) {
            const subs = t.childrenForFieldName('subscript');
            const key = subs.length === 1 ? this.evaluate(subs[0], env) : UNKNOWN;
            if (key.k === 'str' && key.v !== DICT) o.attrs.set(key.v, v);
            else this.assignTo(obj, UNKNOWN, env);
          }
        } finally {
          this.quiet--;
        }
        return;
      }
      default:
        return;
    }
  }
}

/**
 * `a op= b` on an array writes into `a`: the broadcast result must have a's shape, and keeps
 * a's dtype, which must be able to hold the result (no float into an integer array).
 */
/**
 * What a loop-carried value is on entry to any iteration, given its value before one iteration
 * and after it: a float that became a 0-d array is a 0-d array of unknown dtype; an array that
 * kept its rank keeps the dims both agree on and gets an unnamed size where they differ (a size
 * already unnamed stays). Undefined when the rank or the kind changed. The caller re-runs the
 * body from the result until it is stable, so the result holds on every iteration.
 */
function widenValue(before: Val, after: Val): Val | undefined {
  const zeroD = (v: Val): boolean =>
    v.k === 'float' || (v.k === 'arr' && v.dims.length === 0 && v.lib === 'np');
  if (zeroD(before) && zeroD(after))
    return { k: 'arr', dims: [], lib: 'np', deriv: 'a number the loop changes' };
  if (before.k !== 'arr' || after.k !== 'arr') return undefined;
  if (before.dims.length !== after.dims.length || before.lib !== after.lib) return undefined;
  const dims = before.dims.map((d, i) =>
    d.v === after.dims[i].v || isFreshSym(d.v) ? d : { v: freshSym(), line: d.line },
  );
  const w: ArrVal = {
    k: 'arr',
    dims,
    lib: before.lib,
    deriv: `changed by the loop: ${fmtShape(dims)}`,
  };
  if (before.dtype !== undefined && before.dtype === after.dtype) w.dtype = before.dtype;
  return w;
}

function inPlace(l: ArrVal, r: ArrVal, op: string, n: Node): Val {
  const grows =
    r.dims.length !== l.dims.length ||
    r.dims.some((d, i) => isNum(d.v) && isNum(l.dims[i].v) && d.v !== l.dims[i].v);
  if (grows)
    throw new ShapeError(
      `non-broadcastable output operand: ${shortText(n)} would give shape ${fmtShape(r.dims)}, but the array it writes into has shape ${fmtShape(l.dims)}`,
      [{ line: l.dims[0]?.line ?? -1, message: `shape ${fmtShape(l.dims)}` }],
    );
  if (l.dtype && INT_DTYPES.has(l.dtype) && r.dtype && FLOAT_DTYPES.has(r.dtype))
    throw new ShapeError(
      `cannot cast the ${r.dtype} result of ${shortText(n)} to ${l.dtype}, the dtype of the array it writes into (${op}= is in place)`,
    );
  return { ...r, dims: r.dims.map((d, i) => (isNum(d.v) ? d : l.dims[i])), dtype: l.dtype };
}
