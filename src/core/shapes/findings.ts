/**
 * What an analysis reports: the inferred value of every assigned name, the diagnostics, and
 * the hover text of any name or expression. Lines and columns are 0-based.
 */
import type { Node } from './syntax';
import { shortText } from './library/call';
import {
  describe,
  fmtDim,
  fmtShape,
  freshSym,
  isFreshSym,
  lineRef,
  type ShapeError,
  type Val,
} from './values';

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

interface HoverRecord {
  n: Node;
  v: Val;
  name: string;
  /** The place, read when recorded: the next analysis may move the (shared) node. */
  sr: number;
  sc: number;
  er: number;
  ec: number;
}

export class Findings {
  readonly shapes: ShapeEntry[] = [];
  readonly diagnostics: ShapeDiagnostic[] = [];
  /** Kept raw; the text is built only for the one asked for. */
  private readonly hovers: HoverRecord[] = [];

  /**
   * Entries by place: 2 × the entry's index in `shapes`, + 1 when it came from an inlined call
   * (see `assigned`). Entries are replaced, never changed in place, so that a copy of these
   * arrays (a checkpoint) is independent of what is recorded later.
   */
  private readonly byPlace = new Map<string, number>();

  constructor(from?: Findings) {
    if (!from) return;
    this.shapes = from.shapes.slice();
    this.diagnostics = from.diagnostics.slice();
    this.hovers = from.hovers.slice();
    this.byPlace = new Map(from.byPlace);
  }

  /** An independent copy (for a checkpoint). */
  clone(): Findings {
    return new Findings(this);
  }

  /**
   * `name` (target node t) was assigned v by the expression src. `inlined`: while a call of
   * the function holding t was followed with the caller's arguments. The analysis of the body
   * on its own (symbolic parameters) wins where it knows the shape; otherwise the calls' value
   * is reported when all calls agree, and no shape when they differ.
   */
  assigned(t: Node, name: string, v: Val, src: Node, inlined = false): void {
    const e = entry(t, name, v, src);
    const key = `${e.line}:${e.column}:${name}`;
    const prev = this.byPlace.get(key);
    if (!inlined) {
      this.hover(t, v, name);
      this.byPlace.set(key, 2 * this.shapes.length);
      this.shapes.push(e);
      return;
    }
    if (prev === undefined) {
      this.byPlace.set(key, 2 * this.shapes.length + 1);
      this.shapes.push(e);
      return;
    }
    const i = prev >> 1;
    const old = this.shapes[i];
    if (!(prev & 1)) {
      if (old.shape !== null) return;
      this.shapes[i] = e;
      this.byPlace.set(key, prev | 1);
    } else if (!sameEntry(old, e)) this.shapes[i] = generalize(old, e);
  }

  hover(n: Node, v: Val, name: string): void {
    if (v.k !== 'arr' && v.k !== 'int' && v.k !== 'float' && v.k !== 'tuple' && v.k !== 'layer')
      return;
    if (v.k === 'int' && v.unsure) return;
    // positions are read now: the next analysis may move the (shared) nodes; their text stays
    this.hovers.push({
      n,
      v,
      name,
      sr: n.startRow,
      sc: n.startColumn,
      er: n.endRow,
      ec: n.endColumn,
    });
  }

  /**
   * A shape error at node n. `callSite`: the line of the outermost call being inlined
   * (-1 at top level), named in the message and as a related location.
   */
  error(n: Node, e: ShapeError, callSite: number): void {
    const line = n.startPosition.row;
    if (this.diagnostics.some((d) => d.line === line && d.column === n.startPosition.column))
      return;
    const message =
      callSite >= 0 ? `${e.message} (when called from ${lineRef(callSite)})` : e.message;
    const related = e.related.filter((r) => r.line >= 0 && r.line !== line);
    if (callSite >= 0) related.push({ line: callSite, message: 'called from here' });
    this.diagnostics.push({
      line,
      column: n.startPosition.column,
      endLine: n.endPosition.row,
      endColumn: n.endPosition.column,
      severity: 'error',
      message,
      related,
    });
  }

  /** The innermost recorded range containing the 0-based position. */
  hoverAt(line: number, column: number): HoverInfo | undefined {
    let best: HoverRecord | undefined;
    let bestSize = Infinity;
    for (const h of this.hovers) {
      const { sr, sc, er, ec } = h;
      const after = line > sr || (line === sr && column >= sc);
      const before = line < er || (line === er && column <= ec);
      if (!after || !before) continue;
      const size = (er - sr) * 10_000 + (ec - sc);
      // the smallest range wins; on ties the later record (the assignment target)
      if (size <= bestSize) {
        best = h;
        bestSize = size;
      }
    }
    return best && hoverInfo(best);
  }
}

function entry(t: Node, name: string, v: Val, src: Node): ShapeEntry {
  const e: ShapeEntry = {
    line: t.startRow,
    column: t.startColumn,
    name,
    shape: null,
    derivation: derivation(v, src),
  };
  if (v.k === 'arr') {
    e.shape = v.dims.map((d) => d.v);
    e.dimLines = v.dims.map((d) => d.line);
    if (v.dtype) e.dtype = v.dtype;
  } else if (v.k === 'int' && !v.unsure) {
    e.shape = [];
    e.value = v.v;
  } else if (v.k === 'float' || v.k === 'bool') e.shape = [];
  return e;
}

/**
 * What two calls that left different values both satisfy: the same rank keeps the dims they
 * agree on and an unnamed size where they differ (`(16, 6, 12, 12)` and `(64, 6, 12, 12)` →
 * `(?, 6, 12, 12)`); different ranks or kinds give no shape.
 */
function generalize(a: ShapeEntry, b: ShapeEntry): ShapeEntry {
  const out: ShapeEntry = { ...b, shape: null };
  delete out.dtype;
  delete out.value;
  delete out.dimLines;
  if (!a.shape || !b.shape || a.shape.length !== b.shape.length || a.shape.length === 0) return out;
  const bs = b.shape;
  out.shape = a.shape.map((d, i) => (d === bs[i] || isFreshSym(d) ? d : freshSym()));
  if (a.dtype !== undefined && a.dtype === b.dtype) out.dtype = a.dtype;
  out.derivation = `${b.derivation} (other calls differ)`;
  return out;
}

function sameEntry(a: ShapeEntry, b: ShapeEntry): boolean {
  return (
    a.dtype === b.dtype &&
    a.value === b.value &&
    a.shape !== null &&
    b.shape !== null &&
    a.shape.length === b.shape.length &&
    a.shape.every((d, i) => d === b.shape?.[i])
  );
}

function derivation(v: Val, src: Node): string {
  if (v.k === 'arr') return v.deriv;
  if (v.k === 'int') return `${shortText(src)} = ${fmtDim(v.v)}`;
  return shortText(src);
}

function hoverInfo({ n, v, name, sr, sc, er, ec }: HoverRecord): HoverInfo {
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
    line: sr,
    column: sc,
    endLine: er,
    endColumn: ec,
    name: name || shortText(n),
    shape,
    dtype,
    value,
    derivation: v.k === 'arr' ? v.deriv : '',
    text,
  };
}
