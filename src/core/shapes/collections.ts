/**
 * Collection displays of the expression evaluator: comprehensions (a list whose items are known
 * when they do not depend on the iteration) and dict displays (a dict with string keys is an
 * object of those attributes, so config dicts reach the modules that read them).
 */
import { Evaluator } from './evaluator';
import { DICT, MAX_ITEMS } from './python';
import { intOf } from './library/call';
import type { Node } from './syntax';
import { Env as EnvClass, freshSym, isNum, sameValue, UNKNOWN, type Env, type Val } from './values';

export abstract class CollectionEvaluator extends Evaluator {
  /**
   * `[f(x) for x in range(3)]` with one `for` and no `if`: the element is evaluated once, the
   * variable an unknown int (range) or the common item of a uniform sequence. The items are
   * known only when the element does not depend on which iteration made it (no symbolic
   * dimension); otherwise the list is open.
   */
  protected comprehension(n: Node, env: Env): Val {
    const clauses = n.namedChildren.filter((c) => c.type === 'for_in_clause');
    const body = n.childForFieldName('body');
    const list = n.type === 'list_comprehension';
    const open: Val = { k: 'tuple', items: [], list, open: true };
    if (!body || clauses.length !== 1 || n.namedChildren.some((c) => c.type === 'if_clause'))
      return open;
    const left = clauses[0].childForFieldName('left');
    const right = clauses[0].childForFieldName('right');
    if (left?.type !== 'identifier' || !right) return open;
    const iterable = this.evaluate(right, env);
    const inner = new EnvClass(env);
    let count: number | undefined;
    if (right.type === 'call' && right.childForFieldName('function')?.text === 'range') {
      const args = right.childForFieldName('arguments')?.namedChildren ?? [];
      const bounds = args.map((a) => intOf(this.evaluate(a, env)));
      if (bounds.length === 1 && bounds[0] !== undefined) count = Math.max(0, bounds[0]);
      else if (bounds.length === 2 && bounds.every((b) => b !== undefined))
        count = Math.max(0, (bounds[1] as number) - (bounds[0] as number));
      inner.set(left.text, { k: 'int', v: freshSym(), line: left.startRow });
    } else if (iterable.k === 'tuple' && !iterable.open) {
      count = iterable.items.length;
      const first = iterable.items[0];
      inner.set(
        left.text,
        first && iterable.items.every((x) => sameValue(x, first)) ? first : UNKNOWN,
      );
    } else inner.set(left.text, UNKNOWN);
    this.quiet++;
    let element: Val;
    try {
      element = this.evaluate(body, inner);
    } finally {
      this.quiet--;
    }
    const dependent =
      element.k === 'unknown' ||
      (element.k === 'arr' && element.dims.some((d) => !isNum(d.v))) ||
      (element.k === 'int' && !isNum(element.v));
    if (count === undefined || count > MAX_ITEMS || dependent) return open;
    return { k: 'tuple', items: Array.from({ length: count }, () => element), list };
  }

  /** `{'n_embd': 64, ...}`: a dict with string keys is an object of those attributes. */
  protected dictionary(n: Node, env: Env): Val {
    const attrs = new Map<string, Val>([[DICT, UNKNOWN]]);
    for (const c of n.namedChildren) {
      if (c.type === 'pair') {
        const k = c.childForFieldName('key');
        const v = c.childForFieldName('value');
        const key = k ? this.evaluate(k, env) : UNKNOWN;
        const value = v ? this.evaluate(v, env) : UNKNOWN;
        if (key.k !== 'str') return UNKNOWN;
        attrs.set(key.v, value);
      } else if (c.type === 'dictionary_splat') {
        const v = c.namedChildren[0] ? this.evaluate(c.namedChildren[0], env) : UNKNOWN;
        if (v.k !== 'obj' || !v.attrs.has(DICT)) return UNKNOWN;
        for (const [k, x] of v.attrs) attrs.set(k, x);
      } else if (c.type !== 'comment') return UNKNOWN;
    }
    return { k: 'obj', attrs };
  }
}
