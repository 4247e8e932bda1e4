/**
 * Abstract values tracked by the shape checker, and the dimension algebra they use.
 * A dimension is a number when known and a string symbol otherwise (`x.0`, `n`, `x.2//4`).
 * Every dimension remembers the (0-based) source line it came from.
 */

export type Dim = number | string;

export interface DimInfo {
  v: Dim;
  /** 0-based line where this dimension was introduced. */
  line: number;
}

export type Lib = 'np' | 'torch';

export interface ArrVal {
  k: 'arr';
  dims: DimInfo[];
  dtype?: string;
  lib: Lib;
  deriv: string;
}

export interface LayerVal {
  k: 'layer';
  kind: string;
  /** Linear: [in, out]; Embedding: [num, dim]; LayerNorm: normalized shape. */
  dims: DimInfo[];
  layers?: LayerVal[];
  bias?: boolean;
  /** Conv/pool layers: the sliding window over the trailing spatial dims (see library/conv.ts). */
  window?: { kernel: number[]; stride: number[]; padding: number[] | 'same'; dilation: number[] };
  line: number;
}

export type Val =
  | ArrVal
  | LayerVal
  /**
   * A Python int. `unsure`: computed from a parameter of unknown type next to a number
   * (`4 * n`): an int when used as a size, but it may be an array, so it is never taken
   * as a 0-d array operand.
   */
  | { k: 'int'; v: Dim; line: number; unsure?: boolean }
  | { k: 'float'; v?: number }
  | { k: 'bool'; v?: boolean }
  | { k: 'str'; v: string }
  | { k: 'none' }
  | { k: 'ellipsis' }
  /**
   * A tuple or list. `open`: more items may exist than are known (a list that was appended to
   * in a loop): its length and items past `items` are unknown.
   */
  | { k: 'tuple'; items: Val[]; names?: string[]; list?: boolean; open?: boolean }
  /** A parameter or other name of unknown type: an int symbol or an array of unknown rank. */
  | { k: 'sym'; name: string; line: number; rank?: number }
  /** A module, function or constant reached through imports: `numpy.linalg.svd`. */
  | { k: 'ref'; path: string }
  | { k: 'rng' }
  | { k: 'func'; node: unknown; env: Env; name: string }
  | { k: 'obj'; attrs: Map<string, Val> }
  | { k: 'unknown' };

export const UNKNOWN: Val = { k: 'unknown' };

export class Env {
  readonly vars = new Map<string, Val>();
  constructor(readonly parent?: Env) {}
  get(name: string): Val | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }
  set(name: string, v: Val): void {
    this.vars.set(name, v);
  }
  /** Rebinds a name in the scope that defines it (a mutation seen from an inner scope). */
  update(name: string, v: Val): void {
    if (this.vars.has(name)) this.vars.set(name, v);
    else this.parent?.update(name, v);
  }
  clone(): Env {
    const e = new Env(this.parent);
    for (const [k, v] of this.vars) e.vars.set(k, v);
    return e;
  }
}

/** A shape error found by a rule; the evaluator turns it into a diagnostic on the raising line. */
export class ShapeError {
  constructor(
    readonly message: string,
    readonly related: { line: number; message: string }[] = [],
  ) {}
}

let fresh = 0;
/**
 * How many fresh symbols were made, and resetting it: each analysis starts the count at 0 (so
 * its results do not depend on earlier analyses), and one resumed from a checkpoint starts
 * where the checkpoint was taken (so it names its symbols as an analysis from scratch would).
 */
export function symbolCount(): number {
  return fresh;
}
export function setSymbolCount(n: number): void {
  fresh = n;
}
/** A new symbol that is equal to nothing else (an unknowable size). */
export function freshSym(hint = '?'): string {
  fresh = (fresh + 1) % 1_000_000;
  return `${hint}#${fresh}`;
}

/**
 * A symbol shown as `display` (`B`, `n_embd`) whose identity is `key` (`x.0`, `cfg.n_embd`):
 * the key's hash is a hidden `#` suffix (7 digits, never a fresh symbol's number), so two
 * names for different sizes stay different and the same size read twice stays equal.
 */
export function namedSym(display: string, key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return `${display}#${1_000_000 + (h % 9_000_000)}`;
}

/** A symbol made by freshSym() and nothing else (`?#12`): a size nobody named. */
export function isFreshSym(d: Dim): boolean {
  return typeof d === 'string' && /^\?#\d+$/.test(d);
}

/** The name a symbol is shown by (`n_embd#1234567` → `n_embd`). */
export function symbolName(d: string): string {
  return d.replace(/#\d+/g, '');
}

export function isNum(d: Dim): d is number {
  return typeof d === 'number';
}

/** true: equal; false: provably different; undefined: cannot tell. */
export function dimEq(a: Dim, b: Dim): boolean | undefined {
  if (isNum(a) && isNum(b)) return a === b;
  if (a === b) return true;
  return undefined;
}

function paren(d: Dim, productOk = false): string {
  const s = String(d);
  return /^[\w.#?]+$/.test(s) || (productOk && /^[\w.#?*]+$/.test(s)) ? s : `(${s})`;
}

/** Symbolic dimensions longer than this become a fresh symbol (long chains stay cheap). */
const MAX_SYMBOL_LENGTH = 96;

function bounded(s: string): Dim {
  return s.length > MAX_SYMBOL_LENGTH ? freshSym() : s;
}

export function dimMul(a: Dim, b: Dim): Dim {
  if (isNum(a) && isNum(b)) return a * b;
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === 0 || b === 0) return 0;
  return bounded(`${paren(a, true)}*${paren(b, true)}`);
}

export function dimAdd(a: Dim, b: Dim): Dim {
  if (isNum(a) && isNum(b)) return a + b;
  if (a === 0) return b;
  if (b === 0) return a;
  return bounded(`${paren(a)}+${paren(b)}`);
}

export function dimSub(a: Dim, b: Dim): Dim {
  if (isNum(a) && isNum(b)) return a - b;
  if (b === 0) return a;
  if (a === b) return 0;
  return bounded(`${paren(a)}-${paren(b)}`);
}

export function dimFloorDiv(a: Dim, b: Dim): Dim {
  if (isNum(a) && isNum(b)) return b === 0 ? freshSym() : Math.floor(a / b);
  if (b === 1) return a;
  return bounded(`${paren(a)}//${paren(b)}`);
}

export function dimMin(a: Dim, b: Dim): Dim {
  if (isNum(a) && isNum(b)) return Math.min(a, b);
  if (a === b) return a;
  return bounded(`min(${a}, ${b})`);
}

export function dimProd(ds: Dim[]): Dim {
  let p: Dim = 1;
  for (const d of ds) p = dimMul(p, d);
  return p;
}

export function fmtDim(d: Dim): string {
  if (isNum(d)) return String(d);
  // fresh symbols print as `?`
  return d.replace(/\?#\d+/g, '?').replace(/#\d+/g, '');
}

export function fmtShape(dims: DimInfo[] | Dim[]): string {
  const ds = dims.map((d) => (typeof d === 'object' ? d.v : d));
  if (ds.length === 1) return `(${fmtDim(ds[0])},)`;
  return `(${ds.map(fmtDim).join(', ')})`;
}

export function describe(v: Val): string {
  switch (v.k) {
    case 'arr':
      return fmtShape(v.dims);
    case 'int':
      return `int ${fmtDim(v.v)}`;
    case 'float':
      return 'float';
    case 'tuple':
      return `(${v.items.map(describe).join(', ')}${v.items.length === 1 ? ',' : ''})`;
    default:
      return v.k;
  }
}

/** "line N" (1-based) for messages. */
export function lineRef(line: number): string {
  return `line ${line + 1}`;
}

/** Structurally the same abstract value (what two branches may both leave in a name). */
export function sameValue(a: Val, b: Val): boolean {
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
    return (
      a.items.length === b.items.length &&
      !a.open === !b.open &&
      a.items.every((x, i) => sameValue(x, b.items[i]))
    );
  if (a.k === 'ref' && b.k === 'ref') return a.path === b.path;
  return a.k === 'float' || a.k === 'bool' || a.k === 'none' || a.k === 'str';
}
