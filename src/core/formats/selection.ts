/**
 * Turns array text the user selected (a Python/JSON nested list, `np.array(...)`,
 * `torch.tensor(...)`, NumPy's repr or str output, torch's printout, or plain rows of
 * numbers) into values. It is a small hand-written parser: nothing is evaluated.
 *
 * Default dtypes follow NumPy (all ints → int64, any float → float64, all bools → bool,
 * any complex → complex128); text that is PyTorch's (`torch.tensor(...)`, `tensor(...)`)
 * follows PyTorch instead (floats → float32, complex → complex64), as its printout omits
 * the dtype exactly when it is the default.
 */
import { DType, isComplex, isInteger } from '../array/dtype';
import { LensError } from '../errors';
import { parseDescr } from './npy';

export interface ParsedArray {
  dtype: DType;
  shape: number[];
  /** C (row-major) order; complex dtypes interleave re, im. */
  values: Float64Array;
}

/** Deepest nesting accepted (NumPy allows 64 dimensions). */
const MAX_DEPTH = 64;

const SUMMARISED =
  "the text is a summarised printout ('...' stands for values that were not printed), so the array cannot be rebuilt from it: " +
  'print it in full first (np.set_printoptions(threshold=sys.maxsize), or torch.set_printoptions(profile="full")), ' +
  'or save it with np.save and open the .npy file';

const enum Kind {
  Bool = 1,
  Int = 2,
  Float = 4,
  Complex = 8,
}

export function parseArrayText(text: string): ParsedArray {
  return new Parser(text).parse();
}

class Parser {
  private i = 0;
  private re = new Float64Array(64);
  private im: Float64Array | undefined;
  private n = 0;
  private kinds = 0;
  /** list length seen first at each depth. */
  private dims: number[] = [];
  /** depth at which numbers sit (undefined until the first number). */
  private leafDepth: number | undefined;
  /** index of the current item at each depth (for error messages). */
  private path: number[] = [];
  private torch = false;
  /** an integer above int64's range was seen (NumPy then picks uint64) / a negative one. */
  private bigInt = false;
  private negInt = false;

  constructor(private readonly text: string) {}

  parse(): ParsedArray {
    const t = this.text;
    if (/\.\.\.|…/.test(t)) throw new LensError(SUMMARISED);
    // Console decorations: IPython's `Out[3]:`, a `>>> ` prompt, nn.Parameter's first line.
    const lead = /^\s*(?:Out\[\d+\]:|>>>|Parameter containing:)?\s*/.exec(t);
    this.i = lead ? lead[0].length : 0;
    if (this.i >= t.length) throw new LensError('no numbers in the text');
    let dtype: DType | undefined;
    let kwShape: number[] | undefined;
    const call = /[A-Za-z_][\w.]*(?=\s*\()/y;
    call.lastIndex = this.i;
    const c = t[this.i];
    if (call.test(t)) {
      const name = t.slice(this.i, call.lastIndex);
      this.torch = /(^|\.)(tensor|as_tensor|Tensor)$/.test(name) || name.startsWith('torch.');
      this.i = call.lastIndex;
      this.ws();
      this.i++; // (
      this.value(0);
      ({ dtype, shape: kwShape } = this.arguments());
      this.ws();
      if (this.i < t.length) this.fail('unexpected text after the array');
    } else if (c === '[' || c === '(') {
      this.value(0);
      this.ws();
      if (this.i < t.length) this.fail('unexpected text after the array');
    } else {
      this.rows();
    }
    return this.finish(dtype, kwShape);
  }

  private finish(dtype: DType | undefined, kwShape: number[] | undefined): ParsedArray {
    let shape =
      this.leafDepth === undefined ? this.dims.slice() : this.dims.slice(0, this.leafDepth);
    if (kwShape) {
      if (this.n !== 0) this.fail('shape= is only understood for empty arrays');
      if (kwShape.reduce((a, b) => a * b, 1) !== 0)
        throw new LensError(`shape (${kwShape.join(', ')}) does not match the empty value list`);
      shape = kwShape;
    }
    const k = this.kinds;
    const natural: DType =
      k & Kind.Complex
        ? this.torch
          ? 'complex64'
          : 'complex128'
        : k & Kind.Float || k === 0
          ? this.torch
            ? 'float32'
            : 'float64'
          : k & Kind.Int
            ? this.bigInt && !this.negInt
              ? 'uint64'
              : 'int64'
            : 'bool';
    const target = dtype ?? natural;
    return { dtype: target, shape, values: this.cast(target) };
  }

  /** Values converted to what `dtype` can hold (as NumPy/PyTorch would store them). */
  private cast(dtype: DType): Float64Array {
    const n = this.n;
    const re = this.re;
    const im = this.im;
    if (isComplex(dtype)) {
      const out = new Float64Array(2 * n);
      const f = dtype === 'complex64' ? Math.fround : (x: number) => x;
      for (let j = 0; j < n; j++) {
        out[2 * j] = f(re[j]);
        out[2 * j + 1] = im ? f(im[j]) : 0;
      }
      return out;
    }
    if (im) {
      for (let j = 0; j < n; j++) {
        if (im[j] !== 0) throw new LensError(`complex values cannot be stored as ${dtype}`);
      }
    }
    const out = re.slice(0, n);
    if (dtype === 'bool') {
      for (let j = 0; j < n; j++) out[j] = out[j] !== 0 ? 1 : 0;
    } else if (isInteger(dtype)) {
      const bits = Number(/\d+/.exec(dtype)![0]);
      const unsigned = dtype.startsWith('u');
      const lo = unsigned ? 0 : -(2 ** (bits - 1));
      const hi = unsigned ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
      for (let j = 0; j < n; j++) {
        const v = Math.trunc(out[j]);
        if (!Number.isFinite(v)) throw new LensError(`${out[j]} cannot be stored as ${dtype}`);
        if (v < lo || v > hi) throw new LensError(`${v} is out of range for ${dtype}`);
        out[j] = v === 0 ? 0 : v;
      }
    } else if (dtype !== 'float64') {
      const round = ROUNDERS[dtype];
      for (let j = 0; j < n; j++) out[j] = round(out[j]);
    }
    return out;
  }

  // ---- syntax -------------------------------------------------------------------------

  private fail(what: string): never {
    const before = this.text.slice(0, this.i);
    const line = before.split('\n').length;
    const col = this.i - before.lastIndexOf('\n');
    const found =
      this.i < this.text.length
        ? ` near ${JSON.stringify(this.text.slice(this.i, this.i + 12))}`
        : ' at the end';
    throw new LensError(`${what} (line ${line}, column ${col}${found})`);
  }

  private ws(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 11 || c === 0xa0)
        this.i++;
      else break;
    }
  }

  /** A list, a tuple, or a number, at nesting `depth`. */
  private value(depth: number): void {
    this.ws();
    const c = this.text[this.i];
    if (c === '(') {
      // `(1+2j)` is a parenthesised number; `(1, 2)` is a tuple.
      const save = this.i;
      this.i++;
      this.ws();
      const v = this.scalarToken();
      if (v) {
        this.ws();
        if (this.text[this.i] === ')') {
          this.i++;
          this.leaf(depth, v);
          return;
        }
      }
      this.i = save;
      this.sequence(depth, ')');
      return;
    }
    if (c === '[') {
      this.sequence(depth, ']');
      return;
    }
    const v = this.scalarToken();
    if (!v)
      this.fail(
        this.i >= this.text.length ? 'unexpected end of text' : 'expected a number or a list',
      );
    this.leaf(depth, v);
  }

  private sequence(depth: number, close: string): void {
    if (depth >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    if (this.leafDepth !== undefined && depth >= this.leafDepth) this.mixed(depth);
    this.i++; // opener
    const t = this.text;
    let count = 0;
    let needSep = false;
    for (;;) {
      this.ws();
      if (this.i >= t.length) this.fail(`missing '${close}'`);
      const c = t[this.i];
      if (c === close) {
        this.i++;
        break;
      }
      if (c === ',') {
        if (!needSep) this.fail('unexpected comma');
        this.i++;
        needSep = false;
        continue;
      }
      if (c === ']' || c === ')') this.fail(`expected '${close}'`);
      // Space-separated items (NumPy's str form) need no comma.
      this.path[depth] = count;
      this.value(depth + 1);
      count++;
      needSep = true;
    }
    this.closeList(depth, count);
  }

  private closeList(depth: number, count: number): void {
    const want = this.dims[depth];
    if (want === undefined) {
      this.dims[depth] = count;
    } else if (want !== count) {
      if (depth === 1)
        throw new LensError(
          `ragged rows: row ${this.path[0] + 1} has ${count} values, row 1 has ${want}`,
        );
      const at = this.path
        .slice(0, depth)
        .map((p) => `[${p}]`)
        .join('');
      const first = '[0]'.repeat(depth);
      throw new LensError(
        `ragged nesting: the list at ${at} has ${count} items, the one at ${first} has ${want}`,
      );
    }
  }

  private mixed(depth: number): never {
    const at = this.path
      .slice(0, depth)
      .map((p) => `[${p}]`)
      .join('');
    throw new LensError(
      `ragged nesting: numbers and lists are mixed at the same level (at ${at || 'the top'})`,
    );
  }

  private leaf(depth: number, v: Scalar): void {
    if (this.leafDepth === undefined) {
      if (depth < this.dims.length) this.mixed(depth);
      this.leafDepth = depth;
    } else if (depth !== this.leafDepth) this.mixed(depth);
    this.push(v);
  }

  private push(v: Scalar): void {
    if (this.n === this.re.length) {
      const grow = new Float64Array(this.re.length * 2);
      grow.set(this.re);
      this.re = grow;
      if (this.im) {
        const g = new Float64Array(this.re.length);
        g.set(this.im);
        this.im = g;
      }
    }
    this.re[this.n] = v.re;
    if (v.im !== 0 || v.kind === Kind.Complex) {
      if (!this.im) this.im = new Float64Array(this.re.length);
      this.im[this.n] = v.im;
    }
    this.n++;
    this.kinds |= v.kind;
  }

  /** Reads a number/bool at the cursor, or returns undefined (cursor unchanged). */
  private scalarToken(): Scalar | undefined {
    const t = this.text;
    const start = this.i;
    WORD.lastIndex = start;
    const w = WORD.exec(t);
    if (w) {
      const word = w[1];
      if (word === 'True' || word === 'true') {
        this.i = WORD.lastIndex;
        return { re: 1, im: 0, kind: Kind.Bool };
      }
      if (word === 'False' || word === 'false') {
        this.i = WORD.lastIndex;
        return { re: 0, im: 0, kind: Kind.Bool };
      }
      if (word === 'None' || word === 'null') this.fail(`${word} is not a number`);
    }
    const a = this.real();
    if (!a) {
      this.i = start;
      return undefined;
    }
    if (t[this.i] === 'j' || t[this.i] === 'J') {
      this.i++;
      return { re: 0, im: a.value, kind: Kind.Complex };
    }
    const s = t[this.i];
    if (s === '+' || s === '-') {
      const b = this.real();
      if (!b || (t[this.i] !== 'j' && t[this.i] !== 'J')) this.fail('malformed complex number');
      this.i++;
      return { re: a.value, im: b.value, kind: Kind.Complex };
    }
    return { re: a.value, im: 0, kind: a.kind };
  }

  /** `[+-]` then digits, or inf/nan words (optionally `np.`/`math.`-qualified). */
  private real(): { value: number; kind: Kind } | undefined {
    REAL.lastIndex = this.i;
    const m = REAL.exec(this.text);
    if (!m) return undefined;
    // A number must not run into letters/digits (`12abc`, `nanx`), except a complex `j`.
    const next = this.text[REAL.lastIndex];
    if (next !== undefined && /[A-Za-z0-9_.]/.test(next) && next !== 'j' && next !== 'J')
      return undefined;
    this.i = REAL.lastIndex;
    const sign = m[1] === '-' ? -1 : 1;
    if (m[2] !== undefined) {
      const body = m[2].replace(/_/g, '');
      const isFloat = /[.eE]/.test(body);
      if (!isFloat) {
        if (sign < 0 && /[1-9]/.test(body)) this.negInt = true;
        if (sign > 0 && body.length >= 19 && BigInt(body) > INT64_MAX) this.bigInt = true;
      }
      return { value: sign * Number(body), kind: isFloat ? Kind.Float : Kind.Int };
    }
    const word = m[3].replace(/^(?:np|numpy|math|torch|jnp)\./, '').toLowerCase();
    return { value: word.startsWith('nan') ? NaN : sign * Infinity, kind: Kind.Float };
  }

  /** `, dtype=..., shape=(...), device='cuda:0', requires_grad=True, grad_fn=<...>)` */
  private arguments(): { dtype?: DType; shape?: number[] } {
    const t = this.text;
    const out: { dtype?: DType; shape?: number[] } = {};
    for (;;) {
      this.ws();
      if (t[this.i] === ')') {
        this.i++;
        return out;
      }
      if (t[this.i] !== ',') this.fail("expected ',' or ')'");
      this.i++;
      this.ws();
      if (t[this.i] === ')') continue;
      KWARG.lastIndex = this.i;
      const k = KWARG.exec(t);
      const key = k ? k[1] : 'dtype'; // numpy's second positional argument is the dtype
      if (k) this.i = KWARG.lastIndex;
      this.ws();
      if (key === 'dtype') out.dtype = this.dtypeArg();
      else if (key === 'shape' || key === 'size') out.shape = this.shapeArg();
      else this.skipArg();
    }
  }

  private dtypeArg(): DType {
    const t = this.text;
    const m = /(?:'([^'\n]*)'|"([^"\n]*)"|([A-Za-z_][\w.]*))/y;
    m.lastIndex = this.i;
    const r = m.exec(t);
    if (!r) this.fail('expected a dtype');
    this.i = m.lastIndex;
    const name = r[1] ?? r[2] ?? r[3];
    this.ws();
    if (r[3] !== undefined && t[this.i] === '(') {
      // np.dtype('float32')
      this.i++;
      this.ws();
      const inner = this.dtypeArg();
      this.ws();
      if (t[this.i] !== ')') this.fail("expected ')'");
      this.i++;
      return inner;
    }
    return dtypeFromName(name, this.torch);
  }

  private shapeArg(): number[] {
    const t = this.text;
    const m = /(?:[A-Za-z_][\w.]*\s*\(\s*)?[[(]([\d\s,]*)[\])]\s*\)?/y;
    m.lastIndex = this.i;
    const r = m.exec(t);
    if (!r) this.fail('expected a shape tuple');
    // torch.Size([0, 3]) has a closing paren of its own; keep the call's.
    let end = m.lastIndex;
    const opened = (r[0].match(/\(/g) ?? []).length;
    const closed = (r[0].match(/\)/g) ?? []).length;
    if (closed > opened) end = r.index + r[0].lastIndexOf(')');
    this.i = end;
    return r[1]
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => Number(s));
  }

  /** Skips a keyword argument's value we have no use for. */
  private skipArg(): void {
    const t = this.text;
    let depth = 0;
    while (this.i < t.length) {
      const c = t[this.i];
      if (c === "'" || c === '"') {
        const end = t.indexOf(c, this.i + 1);
        if (end < 0) this.fail('unterminated string');
        this.i = end + 1;
        continue;
      }
      if (c === '(' || c === '[' || c === '<' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '>' || c === '}') {
        if (depth === 0) return;
        depth--;
      } else if (c === ',' && depth === 0) return;
      this.i++;
    }
  }

  /** Plain rows: numbers separated by spaces/commas/semicolons, one row per line. */
  private rows(): void {
    const lines = this.text.slice(this.i).split('\n'); // a '\r' left at a line's end is whitespace
    let base = this.i;
    let row = 0;
    for (const line of lines) {
      const lineStart = base;
      base += line.length + 1;
      if (line.trim() === '') continue;
      this.i = lineStart;
      let count = 0;
      this.path[0] = row;
      const end = lineStart + line.length;
      for (;;) {
        while (this.i < end && /[\s,;]/.test(this.text[this.i])) this.i++;
        if (this.i >= end) break;
        const v = this.scalarToken();
        if (!v || this.i > end || (this.i < end && !/[\s,;]/.test(this.text[this.i]))) {
          this.fail(`row ${row + 1} holds something that is not a number`);
        }
        this.push(v);
        count++;
      }
      if (row === 0) this.dims = [0, count];
      else if (count !== this.dims[1])
        throw new LensError(
          `ragged rows: row ${row + 1} has ${count} values, row 1 has ${this.dims[1]}`,
        );
      row++;
    }
    if (row === 0) throw new LensError('no numbers in the text');
    this.dims[0] = row;
    this.leafDepth = 2;
    if (row === 1) {
      // one line: a vector, or a lone number (0-d, like np.array(3.5))
      this.dims = this.n === 1 ? [] : [this.dims[1]];
      this.leafDepth = this.dims.length;
    }
  }
}

interface Scalar {
  re: number;
  im: number;
  kind: Kind;
}

const INT64_MAX = (1n << 63n) - 1n;
const WORD = /([A-Za-z_]\w*)\b/y;
const REAL =
  /([+-]?)(?:(\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?)|((?:(?:np|numpy|math|torch|jnp)\.)?(?:[Ii]nfinity|[Ii]nf|INF|[Nn]a[Nn]|NAN)))/y;
const KWARG = /([A-Za-z_]\w*)\s*=(?!=)/y;

const NUMPY_NAMES: Record<string, DType> = {
  bool: 'bool',
  bool_: 'bool',
  bool8: 'bool',
  int8: 'int8',
  byte: 'int8',
  int16: 'int16',
  short: 'int16',
  int32: 'int32',
  intc: 'int32',
  int64: 'int64',
  int: 'int64',
  int_: 'int64',
  intp: 'int64',
  long: 'int64',
  longlong: 'int64',
  uint8: 'uint8',
  ubyte: 'uint8',
  uint16: 'uint16',
  ushort: 'uint16',
  uint32: 'uint32',
  uintc: 'uint32',
  uint64: 'uint64',
  uint: 'uint64',
  uintp: 'uint64',
  ulonglong: 'uint64',
  float16: 'float16',
  half: 'float16',
  float32: 'float32',
  single: 'float32',
  float64: 'float64',
  float: 'float64',
  float_: 'float64',
  double: 'float64',
  complex64: 'complex64',
  csingle: 'complex64',
  complex128: 'complex128',
  complex: 'complex128',
  complex_: 'complex128',
  cdouble: 'complex128',
  cfloat: 'complex128',
  bfloat16: 'bfloat16',
  float8_e4m3fn: 'float8_e4m3fn',
  float8_e5m2: 'float8_e5m2',
};

/** PyTorch's names where they differ from NumPy's (`torch.float` is float32, `torch.int` int32). */
const TORCH_NAMES: Record<string, DType> = {
  ...NUMPY_NAMES,
  float: 'float32',
  int: 'int32',
  cfloat: 'complex64',
  cdouble: 'complex128',
  half: 'float16',
  double: 'float64',
  long: 'int64',
  short: 'int16',
};

/** `np.float32`, `'float32'`, `'<f4'`, `torch.float16`, `float`… → our dtype name. */
export function dtypeFromName(raw: string, torchContext = false): DType {
  let name = raw.trim();
  let torch = false;
  const m = /^(np|numpy|torch|jnp|jax\.numpy|tf|builtins)\./.exec(name);
  if (m) {
    torch = m[1] === 'torch';
    name = name.slice(m[0].length);
  } else if (torchContext && !/^(float|int|bool|complex)$/.test(name)) {
    torch = true; // bare names inside torch text (`tensor(..., dtype=float16)`)
  }
  const table = torch ? TORCH_NAMES : NUMPY_NAMES;
  if (Object.prototype.hasOwnProperty.call(table, name)) return table[name];
  if (/^[<>|=]?[biufc]\d+$/.test(name)) {
    try {
      return parseDescr(name).dtype;
    } catch {
      // fall through to the message below
    }
  }
  throw new LensError(`unsupported dtype ${JSON.stringify(raw.slice(0, 40))}`, 'unsupported');
}

/** Rounds to a binary float format with `mant` fraction bits and minimum normal exponent `emin`. */
function rounder(mant: number, emin: number, max: number, overflow: number): (x: number) => number {
  return (x: number) => {
    if (x === 0 || Number.isNaN(x)) return x;
    if (!Number.isFinite(x)) return Number.isNaN(overflow) ? NaN : x;
    const a = Math.abs(x);
    let e = Math.floor(Math.log2(a));
    if (2 ** e > a) e--;
    else if (2 ** (e + 1) <= a) e++;
    const q = 2 ** (Math.max(e, emin) - mant);
    const y = a / q;
    const f = Math.floor(y);
    const d = y - f;
    const r = (d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f) * q;
    const s = x < 0 ? -1 : 1;
    return r > max ? s * overflow : s * r;
  };
}

const ROUNDERS: Record<string, (x: number) => number> = {
  float32: Math.fround,
  float16: rounder(10, -14, 65504, Infinity),
  bfloat16: rounder(7, -126, (2 - 2 ** -7) * 2 ** 127, Infinity),
  float8_e4m3fn: rounder(3, -6, 448, NaN),
  float8_e5m2: rounder(2, -14, 57344, Infinity),
};
