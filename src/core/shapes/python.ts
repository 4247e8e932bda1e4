/**
 * Python's own values as the checker sees them: int/float arithmetic, comparisons, dicts and
 * namespaces as objects, list mutation, and the limits on what is tracked.
 */
import type { Args } from './library/call';
import type { Node } from './syntax';
import { dimAdd, dimFloorDiv, dimMul, dimSub, isNum, UNKNOWN, type Val } from './values';

type SymVal = Extract<Val, { k: 'sym' }>;

export const COMPARISONS = ['<', '>', '<=', '>=', '==', '!='];

/** `x.shape` of a parameter x: a marker the unpacking `B, T = x.shape` turns into dims. */
export function symbolicShape(o: SymVal): Val {
  return { k: 'tuple', items: [], names: ['__symshape__', o.name, String(o.line)], open: true };
}

/** Marks an object that is a dict (its attributes are its string keys). */
export const DICT = '__dict__';

/** `SimpleNamespace(n_embd=64)` or `dict(n_embd=64)`: an object of the keyword arguments. */
export function namespace(args: Args, dict: boolean): Val {
  if (args.pos.length) return UNKNOWN;
  const attrs = new Map<string, Val>(args.kw);
  if (dict) attrs.set(DICT, UNKNOWN);
  return { k: 'obj', attrs };
}

/** Methods that change a list in place. */
export const LIST_MUTATORS = new Set([
  ...['append', 'extend', 'insert', 'pop', 'remove', 'clear', 'sort', 'reverse'],
  ...['update', 'setdefault', 'popitem', '__setitem__', 'add', 'discard'],
]);

/** Lists longer than this are not tracked item by item. */
export const MAX_ITEMS = 10_000;
/** Expressions and statements nested deeper than this are not evaluated. */
export const MAX_NESTING = 200;

/** Arithmetic on Python ints (known or symbolic) and floats. */
export function scalarArithmetic(op: string, a: Val, b: Val, line: number): Val {
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
      default:
        return COMPARISONS.includes(op) ? { k: 'bool' } : UNKNOWN;
    }
  }
  if (COMPARISONS.includes(op)) return { k: 'bool' };
  const number = (v: Val): number | undefined =>
    v.k === 'int' ? (isNum(v.v) ? v.v : undefined) : v.k === 'float' ? v.v : undefined;
  const x = number(a);
  const y = number(b);
  if (x === undefined || y === undefined) return { k: 'float' };
  const ops: Record<string, (p: number, q: number) => number> = {
    '+': (p, q) => p + q,
    '-': (p, q) => p - q,
    '*': (p, q) => p * q,
    '/': (p, q) => p / q,
    '**': (p, q) => p ** q,
  };
  return { k: 'float', v: ops[op]?.(x, y) };
}

/**
 * The places a statement's body may change: assigned names and attributes, loop targets,
 * lists mutated by method or item assignment. Nested function and class bodies are not
 * entered (they only bind their name). An explicit stack: bodies may nest deeply.
 */
export function changedIn(s: Node): Node[] {
  const out: Node[] = [];
  const targets = (t: Node): void => {
    if (t.type === 'identifier' || t.type === 'attribute') out.push(t);
    else if (t.type === 'subscript') {
      const v = t.childForFieldName('value');
      if (v) out.push(v);
    } else for (const c of t.namedChildren) targets(c);
  };
  const stack: Node[] = [...s.namedChildren];
  while (stack.length) {
    const n = stack.pop() as Node;
    switch (n.type) {
      case 'function_definition':
      case 'class_definition': {
        const name = n.childForFieldName('name');
        if (name) out.push(name);
        continue;
      }
      case 'assignment':
      case 'augmented_assignment': {
        const left = n.childForFieldName('left');
        if (left) targets(left);
        break;
      }
      case 'for_statement':
      case 'for_in_clause': {
        const left = n.childForFieldName('left');
        if (left) targets(left);
        break;
      }
      case 'call': {
        const fn = n.childForFieldName('function');
        const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : '';
        const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
        if (object && method && LIST_MUTATORS.has(method)) out.push(object);
        break;
      }
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  return out;
}
