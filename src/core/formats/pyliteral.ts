import { LensError } from '../errors';

/**
 * A tiny parser for the Python literal in a `.npy` header: dicts, tuples, lists, strings,
 * integers, True/False/None. It is data only: nothing is evaluated.
 */
export type PyValue =
  string | number | boolean | null | PyValue[] | PyTuple | { [k: string]: PyValue };
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new LensError(`header is not a valid Python literal: ${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < n && /\s/.test(text[i])) i++;
  };
  const value = (depth: number): PyValue => {
    if (depth > 32) fail('nesting too deep');
    ws();
    if (i >= n) fail('unexpected end');
    const ch = text[i];
    if (ch === '{') {
      i++;
      const obj: { [k: string]: PyValue } = Object.create(null);
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return obj;
        }
        const k = value(depth + 1);
        if (typeof k !== 'string') fail('dict key must be a string');
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        obj[k as string] = value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
      }
    }
    if (ch === '(' || ch === '[') {
      const close = ch === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      let sawComma = false;
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          if (ch === '[') return items;
          // `(3)` is just 3 in Python; `(3,)` is a tuple.
          if (items.length === 1 && !sawComma) return items[0];
          return new PyTuple(items);
        }
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          sawComma = true;
          i++;
        } else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (ch === "'" || ch === '"') {
      i++;
      let s = '';
      while (i < n && text[i] !== ch) {
        if (text[i] === '\\') {
          i++;
          if (i >= n) break;
        }
        s += text[i++];
      }
      if (i >= n) fail('unterminated string');
      i++;
      return s;
    }
    const m = /^[-+]?\d+L?/.exec(text.slice(i, i + 40));
    if (m) {
      i += m[0].length;
      const v = Number(m[0].replace('L', ''));
      if (!Number.isSafeInteger(v)) fail('integer out of range');
      return v;
    }
    for (const [word, v] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(`unexpected character ${JSON.stringify(ch)}`);
  };
  const v = value(0);
  ws();
  if (i < n) fail('trailing characters');
  return v;
}
