/**
 * A plain-JavaScript copy of a tree-sitter tree, built with one cursor walk. Reading fields
 * of web-tree-sitter nodes crosses into wasm and allocates on every access; the analyzer
 * reads each node many times, so it works on this copy instead.
 *
 * The walk reads only four numbers per node from wasm (type id, field id, start and end
 * index); names come from the language's tables and rows/columns from a line table of the
 * source. Each top-level statement's nodes share one `Place` (its source text and where it
 * now starts), so a statement reused after an edit elsewhere is moved in O(1).
 */
import type { Tree } from 'web-tree-sitter';

export interface Point {
  row: number;
  column: number;
}

/** Where a copied statement currently lies: its source, and how far it moved since copied. */
class Place {
  constructor(
    public source: string,
    public index: number,
    public row: number,
  ) {}
}

const NONE: readonly Node[] = Object.freeze([]);
/** Texts up to this length are copied by V8's slice (longer ones point into the source). */
const SHORT = 12;

export class Node {
  /** All children, less comments and the punctuation in DROPPED. */
  children: readonly Node[] = NONE;
  namedChildren: readonly Node[] = NONE;
  /** Field name, child, field name, child, … */
  private fields: (string | Node)[] | undefined;
  /** For the analyzer: its short form of `text` (which does not change when the node is moved). */
  short: string | undefined;
  /** `text`, once read, when it is at most SHORT characters. */
  private shortText: string | undefined;
  /** @internal For a top-level statement: its key in copyTree's cache (column and text). */
  key: string | undefined;
  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    private place: Place,
    private sr: number,
    private sc: number,
    private er: number,
    private ec: number,
    private start: number,
    private end: number,
  ) {}
  get startPosition(): Point {
    return { row: this.sr + this.place.row, column: this.sc };
  }
  get endPosition(): Point {
    return { row: this.er + this.place.row, column: this.ec };
  }
  get startRow(): number {
    return this.sr + this.place.row;
  }
  get startColumn(): number {
    return this.sc;
  }
  get endRow(): number {
    return this.er + this.place.row;
  }
  get endColumn(): number {
    return this.ec;
  }
  /** Length of its text. */
  get length(): number {
    return this.end - this.start;
  }
  /** Index of the first character in the current source. */
  get startIndex(): number {
    return this.start + this.place.index;
  }
  get text(): string {
    if (this.shortText !== undefined) return this.shortText;
    const p = this.place;
    const t = p.source.slice(this.start + p.index, this.end + p.index);
    // names and numbers are read again and again (scope lookups): kept, which saves the copy
    // and lets the string keep its hash; longer texts would keep the whole source alive
    if (this.end - this.start <= SHORT) this.shortText = t;
    return t;
  }
  childForFieldName(name: string): Node | null {
    const f = this.fields;
    if (f) for (let i = 0; i < f.length; i += 2) if (f[i] === name) return f[i + 1] as Node;
    return null;
  }
  childrenForFieldName(name: string): Node[] {
    const out: Node[] = [];
    const f = this.fields;
    if (f) for (let i = 0; i < f.length; i += 2) if (f[i] === name) out.push(f[i + 1] as Node);
    return out;
  }
  /** @internal Moves this (top-level) node so that it starts at `index`, row `row` of `source`. */
  moveTo(source: string, index: number, row: number): void {
    const p = this.place;
    p.source = source;
    p.index = index - this.start;
    p.row = row - this.sr;
  }
  /**
   * @internal All children added: the arrays are trimmed to their length (they grew by push,
   * with room to spare, and a copied tree lives as long as its statement is unchanged).
   */
  seal(): void {
    const kids = this.children;
    if (kids.length > 1) {
      const shared = this.namedChildren === kids;
      this.children = kids.slice();
      this.namedChildren = shared ? this.children : this.namedChildren.slice();
    }
    if (this.fields) this.fields = this.fields.slice();
  }
  /** @internal */
  add(child: Node, field: string | null): void {
    // while every child is named, `namedChildren` is the same array as `children`
    const kids = this.children;
    if (kids === NONE) {
      this.children = [child];
      if (child.isNamed) this.namedChildren = this.children;
    } else {
      const shared = this.namedChildren === kids;
      (kids as Node[]).push(child);
      if (child.isNamed) {
        if (this.namedChildren === NONE) this.namedChildren = [child];
        else if (!shared) (this.namedChildren as Node[]).push(child);
      } else if (shared) this.namedChildren = kids.slice(0, -1);
    }
    if (field) (this.fields ??= []).push(field, child);
  }
}

type Cursor = ReturnType<Tree['walk']>;
type Language = Tree['language'];

/**
 * Punctuation that the analyzer never reads: not copied (operators, keywords, `:` of slices
 * and everything named are kept).
 */
const DROPPED = new Set(['(', ')', '[', ']', '{', '}', ',', '.', '=']);
/** Named node types that never have children. */
const LEAVES = new Set(['identifier', 'integer', 'float', 'true', 'false', 'none']);

/** What the copy does with a node type. */
const enum Kind {
  /** may have children */
  Inner,
  /** never has children */
  Leaf,
  /** skipped with its subtree */
  Skip,
}

/** Per-language tables: type names, namedness, kinds, field names (read once from wasm). */
interface Tables {
  types: string[];
  named: boolean[];
  kinds: Kind[];
  fields: (string | null)[];
}
const TABLES = new WeakMap<Language, Tables>();
/**
 * The same string, internalized: the names read from wasm are fresh strings, and comparing
 * them with the analyzer's literals would compare characters instead of pointers.
 */
function intern<T extends string | null>(s: T): T {
  return (s === null ? s : Object.keys({ [s]: 0 })[0]) as T;
}

function tables(lang: Language): Tables {
  let t = TABLES.get(lang);
  if (!t) {
    const types = lang.types.map(intern);
    const named = types.map((_, i) => lang.nodeTypeIsNamed(i));
    // (an anonymous node can have children: `not in` has `not` and `in`)
    const kinds = types.map((ty, i) =>
      ty === 'comment' || (!named[i] && DROPPED.has(ty))
        ? Kind.Skip
        : named[i] && LEAVES.has(ty)
          ? Kind.Leaf
          : Kind.Inner,
    );
    t = { types, named, kinds, fields: lang.fields.map(intern) };
    TABLES.set(lang, t);
  }
  return t;
}

/** Start index of every line of `source`. */
function lineStarts(source: string): number[] {
  const out = [0];
  for (let k = source.indexOf('\n'); k >= 0; k = source.indexOf('\n', k + 1)) out.push(k + 1);
  return out;
}

/** Row of index `i`, searching forward from row `from` (which must start at or before `i`). */
function rowAt(ls: number[], i: number, from: number): number {
  let r = from;
  if (r + 64 < ls.length && ls[r + 64] <= i) {
    // far away: binary search
    let lo = r + 64;
    let hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ls[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  while (r + 1 < ls.length && ls[r + 1] <= i) r++;
  return r;
}

/**
 * Copies the subtree at the cursor (comments dropped); leaves the cursor where it was. Its
 * positions are stored relative to a fresh Place at offset 0.
 */
function copyAt(c: Cursor, source: string, ls: number[], row0: number, t: Tables): Node {
  const place = new Place(source, 0, 0);
  let row = row0;
  const mk = (id: number): Node => {
    const s = c.startIndex;
    const e = c.endIndex;
    const sr = (row = rowAt(ls, s, row));
    const er = e === s ? sr : rowAt(ls, e, sr);
    return new Node(
      t.types[id] ?? 'ERROR',
      t.named[id] ?? true,
      place,
      sr,
      s - ls[sr],
      er,
      e - ls[er],
      s,
      e,
    );
  };
  const root = mk(c.nodeTypeId);
  const stack: Node[] = [root];
  if (!c.gotoFirstChild()) return root;
  for (;;) {
    const parent = stack[stack.length - 1];
    const id = c.nodeTypeId;
    const kind = t.kinds[id] ?? Kind.Inner;
    if (kind !== Kind.Skip) {
      const fid = c.currentFieldId;
      const n = mk(id);
      parent.add(n, fid ? (t.fields[fid] ?? null) : null);
      if (kind === Kind.Inner && c.gotoFirstChild()) {
        stack.push(n);
        continue;
      }
    }
    while (!c.gotoNextSibling()) {
      c.gotoParent();
      (stack.pop() as Node).seal();
      if (stack.length === 0) return root;
    }
  }
}

/**
 * Where the text changed since the tree that `previous` was copied from: [start, oldEnd) of the
 * old text became [start, newEnd) of the new one; everything else is the same.
 */
export interface TextEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/**
 * Copies the tree. Top-level statements whose text (and column) is unchanged since the last
 * call with the same `cache` are reused, moved to their new place, so that re-analysing an
 * edited file only copies the statements that changed.
 *
 * With `previous` (the top-level statements of the last copy, still at their old places) and
 * the `edit` that turned the old text into this one, a statement wholly before the edit or
 * wholly after it is found by position: same length at the same (or shifted) index and the
 * same column means the same text. Only the statements around the edit are looked up by text.
 *
 * A reused node is shared with the trees of earlier calls: read positions and text from a
 * copied tree only until the next call.
 */
export function copyTree(
  tree: Tree,
  source: string,
  cache?: Map<string, Node>,
  previous?: readonly Node[],
  edit?: TextEdit,
): Node {
  const t = tables(tree.language);
  const ls = lineStarts(source);
  const c = tree.walk();
  const used = new Map<string, Node>();
  const seen = new Map<string, number>();
  const placed = new Set<Node>();
  let byStart: Map<number, Node> | undefined;
  if (previous && edit) {
    byStart = new Map();
    for (const n of previous) byStart.set(n.startIndex, n);
  }
  const delta = edit ? edit.newEnd - edit.oldEnd : 0;
  try {
    const last = ls.length - 1;
    const root = new Node(
      'module',
      true,
      new Place(source, 0, 0),
      0,
      0,
      last,
      source.length - ls[last],
      0,
      source.length,
    );
    let row = 0;
    if (c.gotoFirstChild()) {
      do {
        if (t.kinds[c.nodeTypeId] === Kind.Skip) continue;
        const si = c.startIndex;
        const ei = c.endIndex;
        row = rowAt(ls, si, row);
        const column = si - ls[row];
        let n: Node | undefined;
        if (byStart && edit) {
          const old =
            ei <= edit.start
              ? byStart.get(si)
              : si >= edit.newEnd
                ? byStart.get(si - delta)
                : undefined;
          if (old && old.length === ei - si && old.startColumn === column && old.key) n = old;
        }
        const base = n?.key ?? `${column}:${source.slice(si, ei)}`;
        const k = seen.get(base) ?? 0;
        seen.set(base, k + 1);
        const key = k === 0 ? base : `${k + 1}#${base}`;
        // (a node found by text may be one that a later statement finds by position, or
        // the other way round: each node goes to one place)
        if (!n) {
          const hit = cache?.get(key);
          if (hit && !placed.has(hit)) n = hit;
        } else if (placed.has(n)) n = undefined;
        if (n) n.moveTo(source, si, row);
        else {
          n = copyAt(c, source, ls, row, t);
          n.key = base;
        }
        used.set(key, n);
        placed.add(n);
        root.add(n, null);
      } while (c.gotoNextSibling());
    }
    if (cache) {
      cache.clear();
      for (const [k, v] of used) cache.set(k, v);
    }
    return root;
  } finally {
    c.delete();
  }
}
