/**
 * The Python expression under the cursor, as a person would select it: a dotted name with
 * subscripts (`self.layers[0].weight`, `batch['x']`), cut at the hovered segment so hovering
 * `layers` in `self.layers[0].weight` gives `self.layers`. Pure text scanning, no evaluation.
 */

const ID = /[A-Za-z0-9_]/;

/** Index just past the bracket group that opens at `open` (`[`), or -1. */
function closeBracket(text: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Index of the `[` that matches the `]` at `close`, or -1. */
function openBracket(text: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const c = text[i];
    if (c === ']') depth++;
    else if (c === '[' && --depth === 0) return i;
  }
  return -1;
}

export interface ExpressionSpan {
  expression: string;
  start: number;
  end: number;
}

/** The expression around column `col` of `line`, or undefined when the cursor is not on a name. */
export function expressionAt(line: string, col: number): ExpressionSpan | undefined {
  let s = col;
  let e = col;
  if (!ID.test(line[col] ?? '')) {
    if (col > 0 && ID.test(line[col - 1] ?? '')) s = e = col - 1;
    else return undefined;
  }
  while (s > 0 && ID.test(line[s - 1])) s--;
  while (e < line.length && ID.test(line[e])) e++;
  if (/^\d/.test(line.slice(s, e))) return undefined;
  // Extend left over `.name` and `[...]` segments (never over calls: hovering must not run code).
  for (;;) {
    if (line[s - 1] === '.' && (ID.test(line[s - 2] ?? '') || line[s - 2] === ']')) {
      s -= 1;
      while (s > 0 && ID.test(line[s - 1])) s--;
    } else if (line[s - 1] === ']') {
      const o = openBracket(line, s - 1);
      if (o <= 0 || (!ID.test(line[o - 1] ?? '') && line[o - 1] !== ']')) break;
      s = o;
      while (s > 0 && ID.test(line[s - 1])) s--;
    } else break;
  }
  // Extend right over subscripts directly after the hovered name (`x[0]`, `batch['x']`).
  while (line[e] === '[') {
    const c = closeBracket(line, e);
    if (c < 0) break;
    e = c;
  }
  const expression = line.slice(s, e);
  if (!/^[A-Za-z_]/.test(expression)) return undefined;
  if (
    /^(if|else|elif|for|while|in|is|not|and|or|def|class|return|import|from|as|with|lambda|yield|True|False|None|pass|break|continue|try|except|finally|raise|assert|del|global|nonlocal)$/.test(
      expression,
    )
  )
    return undefined;
  return { expression, start: s, end: e };
}
