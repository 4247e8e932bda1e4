/**
 * Bracketed groups too large to parse cheaply. tree-sitter's time grows with the number of
 * nodes: a 4 MB list literal (10⁶ elements) took 14–36 s in `matrix-lens shapes`, although
 * no shape can come from it that a reader would check. One linear pass over the source (strings
 * and comments skipped) finds every `(…)`, `[…]` and `{…}` spanning more than `limit`
 * characters and blanks it to an unknown value before parsing, keeping every line and column:
 *
 * - a literal `[1, 2, …]` becomes `(_         )`: a parenthesised unknown name;
 * - the parentheses of a call `f(…)` or the brackets of a subscript `a[…]` stay and their
 *   contents become `_`: the callee is still seen, its argument is unknown.
 *
 * Newlines inside the group stay, inside the brackets, so the lines after it keep their
 * numbers and the statement structure around it is unchanged.
 */

/** Groups longer than this many characters are blanked. */
export const MAX_GROUP_CHARS = 100_000;

export interface BlankedGroup {
  /** 0-based line of the opening bracket */
  line: number;
  /** characters in the group, brackets included */
  chars: number;
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const KEYWORDS = new Set([
  'and',
  'as',
  'assert',
  'await',
  'del',
  'elif',
  'else',
  'for',
  'from',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'not',
  'or',
  'return',
  'while',
  'with',
  'yield',
]);

/** Whether the bracket at `i` follows a name, `)` or `]` (a call or subscript), not an operator. */
function followsOperand(src: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && (src[j] === ' ' || src[j] === '\t')) j--;
  if (j < 0) return false;
  const c = src[j];
  if (c === ')' || c === ']' || c === '"' || c === "'") return true;
  if (!/[\w]/.test(c)) return false;
  let s = j;
  while (s > 0 && /[\w]/.test(src[s - 1])) s--;
  return !KEYWORDS.has(src.slice(s, j + 1));
}

/**
 * The source with every group over `limit` characters blanked (same length, same lines), and
 * the outermost groups blanked. Unbalanced brackets are left for the parser to report.
 */
export function blankLargeGroups(
  src: string,
  limit = MAX_GROUP_CHARS,
): { text: string; blanked: BlankedGroup[] } {
  if (src.length <= limit) return { text: src, blanked: [] };
  const ranges: { start: number; end: number }[] = [];
  const stack: number[] = [];
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const c = src[i];
    if (c === '#') {
      const k = src.indexOf('\n', i);
      i = k < 0 ? n : k;
    } else if (c === '"' || c === "'") {
      const triple = src.startsWith(c + c + c, i);
      const close = triple ? c + c + c : c;
      let j = i + close.length;
      for (; j < n; j++) {
        if (src[j] === '\\') j++;
        else if (!triple && src[j] === '\n')
          break; // unterminated: the parser will say so
        else if (src.startsWith(close, j)) break;
      }
      i = j + close.length - 1;
    } else if (c in OPEN) stack.push(i);
    else if (c === ')' || c === ']' || c === '}') {
      const start = stack.pop();
      if (start === undefined || OPEN[src[start]] !== c) {
        stack.length = 0; // unbalanced: do not guess
        continue;
      }
      if (i - start + 1 > limit) {
        // an outer group swallows the inner ones found before it
        while (ranges.length && ranges[ranges.length - 1].start > start) ranges.pop();
        ranges.push({ start, end: i });
      }
    }
  }
  if (ranges.length === 0) return { text: src, blanked: [] };
  const parts: string[] = [];
  const blanked: BlankedGroup[] = [];
  let at = 0;
  let line = 0;
  let counted = 0;
  for (const { start, end } of ranges) {
    for (let k = src.indexOf('\n', counted); k >= 0 && k < start; k = src.indexOf('\n', k + 1))
      line++;
    counted = start;
    blanked.push({ line, chars: end - start + 1 });
    const keep = followsOperand(src, start);
    // the unknown name `_` goes on the first character that is not a line break
    // (line by line with repeat(): a regex replace over megabytes held ~35 bytes per character)
    const inner = src
      .slice(start + 1, end)
      .split('\n')
      .map((l) =>
        l
          .split('\r')
          .map((x) => ' '.repeat(x.length))
          .join('\r'),
      )
      .join('\n');
    const u = inner.search(/ /);
    parts.push(
      src.slice(at, start),
      keep ? src[start] : '(',
      u < 0 ? inner : `${inner.slice(0, u)}_${inner.slice(u + 1)}`,
      keep ? src[end] : ')',
    );
    at = end + 1;
  }
  parts.push(src.slice(at));
  return { text: parts.join(''), blanked };
}
