/**
 * Shape rules of NumPy/PyTorch operations over symbolic dimensions. A rule returns the
 * result dimensions or throws ShapeError when the operation provably raises; when a
 * dimension is symbolic the rule assumes the program is right (no false alarms).
 */
import {
  Dim,
  DimInfo,
  ShapeError,
  dimEq,
  dimFloorDiv,
  dimMul,
  dimProd,
  fmtDim,
  fmtShape,
  freshSym,
  isNum,
  lineRef,
} from './values';

export interface Operand {
  /** Source text of the operand, for messages. */
  name: string;
  dims: DimInfo[];
}

function dimNote(o: Operand, axis: number): string {
  const d = o.dims[axis];
  return `${o.name}.shape[${axis}] = ${fmtDim(d.v)} (from ${lineRef(d.line)})`;
}

function related(o: Operand, axis: number): { line: number; message: string } {
  const d = o.dims[axis];
  return { line: d.line, message: `${o.name}.shape[${axis}] = ${fmtDim(d.v)} comes from here` };
}

function mismatch(head: string, a: Operand, i: number, b: Operand, j: number): ShapeError {
  return new ShapeError(
    `${head}: ${a.name} ${fmtShape(a.dims)} and ${b.name} ${fmtShape(b.dims)}: ${dimNote(a, i)} ≠ ${dimNote(b, j)}`,
    [related(a, i), related(b, j)],
  );
}

/** NumPy broadcasting of any number of operands. */
export function broadcast(
  ops: Operand[],
  head = 'operands could not be broadcast together',
): DimInfo[] {
  const n = Math.max(0, ...ops.map((o) => o.dims.length));
  const out: DimInfo[] = [];
  for (let k = 0; k < n; k++) {
    // k counts from the right
    let cur: { d: DimInfo; op: number; axis: number } | undefined;
    for (let oi = 0; oi < ops.length; oi++) {
      const o = ops[oi];
      const axis = o.dims.length - n + k;
      if (axis < 0) continue;
      const d = o.dims[axis];
      if (!cur) {
        cur = { d, op: oi, axis };
        continue;
      }
      const a = cur.d.v;
      const b = d.v;
      if (b === 1) continue;
      if (a === 1) {
        cur = { d, op: oi, axis };
        continue;
      }
      const eq = dimEq(a, b);
      if (eq === false) throw mismatch(head, ops[cur.op], cur.axis, o, axis);
      // a symbol against a number: the number is the better guess
      if (!isNum(a) && isNum(b)) cur = { d, op: oi, axis };
    }
    out.push(cur ? cur.d : { v: 1, line: -1 });
  }
  return out;
}

/** np.matmul / torch.matmul / `@`. */
export function matmul(a: Operand, b: Operand): DimInfo[] {
  if (a.dims.length === 0 || b.dims.length === 0)
    throw new ShapeError(
      `matmul: ${a.dims.length === 0 ? a.name : b.name} is 0-dimensional; matmul needs at least 1 dimension`,
    );
  const ad = a.dims.length === 1 ? [{ v: 1, line: -1 }, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], { v: 1, line: -1 }] : b.dims;
  const ai = a.dims.length - 1;
  const bi = b.dims.length === 1 ? 0 : b.dims.length - 2;
  if (dimEq(a.dims[ai].v, b.dims[bi].v) === false)
    throw mismatch('matmul: inner dimensions differ', a, ai, b, bi);
  const batch = broadcast(
    [
      { name: a.name, dims: ad.slice(0, -2) },
      { name: b.name, dims: bd.slice(0, -2) },
    ],
    'matmul: batch dimensions could not be broadcast',
  );
  const out = [...batch];
  if (a.dims.length > 1) out.push(ad[ad.length - 2]);
  if (b.dims.length > 1) out.push(bd[bd.length - 1]);
  return out;
}

/** np.dot. */
export function dot(a: Operand, b: Operand): DimInfo[] {
  if (a.dims.length === 0 || b.dims.length === 0) return broadcast([a, b]);
  if (a.dims.length <= 2 && b.dims.length <= 2) return matmul(a, b);
  const ai = a.dims.length - 1;
  const bi = b.dims.length === 1 ? 0 : b.dims.length - 2;
  if (dimEq(a.dims[ai].v, b.dims[bi].v) === false)
    throw mismatch('dot: shapes not aligned', a, ai, b, bi);
  if (b.dims.length === 1) return a.dims.slice(0, -1);
  return [...a.dims.slice(0, -1), ...b.dims.slice(0, -2), b.dims[b.dims.length - 1]];
}

/** torch.mm (2-D only) and torch.bmm (3-D, equal batch). */
export function mmLike(a: Operand, b: Operand, rank: 2 | 3, fn: string): DimInfo[] {
  for (const o of [a, b])
    if (o.dims.length !== rank)
      throw new ShapeError(`${fn}: ${o.name} must be ${rank}-D but has shape ${fmtShape(o.dims)}`);
  if (rank === 3 && dimEq(a.dims[0].v, b.dims[0].v) === false)
    throw mismatch(`${fn}: batch sizes differ`, a, 0, b, 0);
  const ai = rank - 1;
  const bi = rank - 2;
  if (dimEq(a.dims[ai].v, b.dims[bi].v) === false)
    throw mismatch(`${fn}: inner dimensions differ`, a, ai, b, bi);
  return rank === 3 ? [a.dims[0], a.dims[1], b.dims[2]] : [a.dims[0], b.dims[1]];
}

/** Normalises an axis; throws when provably out of range. */
export function normAxis(axis: number, ndim: number, what = 'axis'): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim)
    throw new ShapeError(`${what} ${axis} is out of bounds for array of dimension ${ndim}`);
  return a;
}

/** Reshape with at most one -1; checks the total size when it is known. */
export function reshape(src: Operand, target: DimInfo[], line: number): DimInfo[] {
  const total = dimProd(src.dims.map((d) => d.v));
  const neg = target.findIndex((d) => d.v === -1);
  const known = target.filter((_, i) => i !== neg).map((d) => d.v);
  const prod = dimProd(known);
  const shapeText = `(${target.map((d) => fmtDim(d.v)).join(', ')}${target.length === 1 ? ',' : ''})`;
  const fail = (): ShapeError => {
    const rel = src.dims.map((d, i) => ({
      line: d.line,
      message: `${src.name}.shape[${i}] = ${fmtDim(d.v)} comes from here`,
    }));
    const lines = [...new Set(src.dims.map((d) => d.line + 1))].join(', ');
    return new ShapeError(
      `cannot reshape ${src.name} of shape ${fmtShape(src.dims)} (size ${fmtDim(total)}) into shape ${shapeText}${
        neg < 0 ? ` (size ${fmtDim(prod)})` : ''
      }; ${src.name}'s dimensions come from line${lines.includes(',') ? 's' : ''} ${lines}`,
      rel.filter((r) => r.line >= 0),
    );
  };
  if (neg < 0) {
    if (isNum(total) && isNum(prod) && total !== prod) throw fail();
    if (!isNum(total) || !isNum(prod)) {
      const q = cancel(total, prod);
      if (q && q.syms.length === 0 && q.num !== q.den) throw fail();
    }
    return target;
  }
  let inferred: Dim;
  if (isNum(total) && isNum(prod)) {
    if (prod === 0 || total % prod !== 0) throw fail();
    inferred = total / prod;
  } else {
    const q = cancel(total, prod);
    if (q) {
      if (q.syms.length === 0 && q.den !== 1) throw fail();
      const n = dimMul(dimProd(q.syms), q.num);
      inferred = q.den === 1 ? n : dimFloorDiv(n, q.den);
    } else inferred = freshSym();
  }
  const out = target.slice();
  out[neg] = { v: inferred, line };
  return out;
}

/** Splits a product into its numeric part and symbolic factors. */
function factors(d: Dim): { num: number; syms: string[] } {
  if (isNum(d)) return { num: d, syms: [] };
  // only split plain products `a*b*3`
  const parts = splitTop(d, '*');
  let num = 1;
  const syms: string[] = [];
  for (const p of parts) {
    const t = p.replace(/^\((.*)\)$/, '$1');
    if (/^-?\d+$/.test(t)) num *= Number(t);
    else syms.push(p);
  }
  return { num, syms };
}

function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** total / prod over symbolic products as syms * num / den; undefined when prod has symbols that total lacks. */
function cancel(total: Dim, prod: Dim): { syms: string[]; num: number; den: number } | undefined {
  const t = factors(total);
  const p = factors(prod);
  const left = t.syms.slice();
  for (const s of p.syms) {
    const i = left.indexOf(s);
    if (i < 0) return undefined;
    left.splice(i, 1);
  }
  if (p.num === 0 || t.num === 0) return undefined;
  const g = gcd(t.num, p.num);
  return { syms: left, num: t.num / g, den: p.num / g };
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

/** np.concatenate / torch.cat. */
export function concat(ops: Operand[], axis: number, fn: string): DimInfo[] {
  if (ops.length === 0) return [];
  const nd = ops[0].dims.length;
  if (nd === 0) throw new ShapeError(`${fn}: zero-dimensional arrays cannot be concatenated`);
  for (let i = 1; i < ops.length; i++)
    if (ops[i].dims.length !== nd)
      throw new ShapeError(
        `${fn}: all the input arrays must have the same number of dimensions, but ${ops[0].name} has ${nd} dimension(s) ${fmtShape(ops[0].dims)} and ${ops[i].name} has ${ops[i].dims.length} ${fmtShape(ops[i].dims)}`,
      );
  const ax = normAxis(axis, nd);
  const out = ops[0].dims.slice();
  let sum: Dim = 0;
  for (let i = 0; i < ops.length; i++) {
    for (let d = 0; d < nd; d++) {
      if (d === ax) continue;
      if (dimEq(ops[0].dims[d].v, ops[i].dims[d].v) === false)
        throw mismatch(
          `${fn}: all the input array dimensions except for the concatenation axis (${ax}) must match exactly, but along dimension ${d} they differ`,
          ops[0],
          d,
          ops[i],
          d,
        );
      if (!isNum(out[d].v) && isNum(ops[i].dims[d].v)) out[d] = ops[i].dims[d];
    }
    const s = ops[i].dims[ax].v;
    sum = isNum(sum) && isNum(s) ? sum + s : sum === 0 ? s : `${sum}+${s}`;
  }
  out[ax] = { v: sum, line: ops.length === 1 ? ops[0].dims[ax].line : -1 };
  return out;
}

/** np.stack / torch.stack. */
export function stack(ops: Operand[], axis: number, fn: string, line: number): DimInfo[] {
  if (ops.length === 0) return [];
  const nd = ops[0].dims.length;
  for (let i = 1; i < ops.length; i++) {
    const o = ops[i];
    const bad =
      o.dims.length !== nd
        ? -1
        : o.dims.findIndex((d, j) => dimEq(d.v, ops[0].dims[j].v) === false);
    if (o.dims.length !== nd || bad >= 0) {
      const why = bad >= 0 ? `: ${dimNote(ops[0], bad)} ≠ ${dimNote(o, bad)}` : '';
      throw new ShapeError(
        `${fn}: all input arrays must have the same shape, but ${ops[0].name} is ${fmtShape(ops[0].dims)} and ${o.name} is ${fmtShape(o.dims)}${why}`,
        bad >= 0 ? [related(ops[0], bad), related(o, bad)] : [],
      );
    }
  }
  const ax = normAxis(axis, nd + 1);
  const out = ops[0].dims.slice();
  out.splice(ax, 0, { v: ops.length, line });
  return out;
}

/** einsum: subscripts over operands; returns the output dims. */
export function einsum(spec: string, ops: Operand[], line: number): DimInfo[] {
  const s = spec.replace(/\s+/g, '');
  const [lhs, rhs] = s.includes('->') ? s.split('->') : [s, undefined];
  const terms = lhs.split(',');
  if (terms.length !== ops.length)
    throw new ShapeError(`einsum: ${terms.length} operand subscripts but ${ops.length} operands`);
  const sizes = new Map<string, { d: DimInfo; op: number; axis: number }>();
  let ell: DimInfo[] = [];
  const counts = new Map<string, number>();
  terms.forEach((t, oi) => {
    const o = ops[oi];
    const hasEll = t.includes('...');
    const letters = t.replace('...', '').split('');
    const nEll = o.dims.length - letters.length;
    if (hasEll ? nEll < 0 : nEll !== 0)
      throw new ShapeError(
        `einsum: operand ${oi} (${o.name}) has ${o.dims.length} dimensions ${fmtShape(o.dims)} but subscripts '${t}' name ${letters.length}`,
      );
    let axis = 0;
    const pre = hasEll ? t.split('...')[0].length : letters.length;
    for (let i = 0; i < letters.length; i++) {
      if (i === pre) {
        const e = o.dims.slice(axis, axis + nEll);
        ell = broadcast([
          { name: 'ellipsis', dims: ell },
          { name: o.name, dims: e },
        ]);
        axis += nEll;
      }
      const c = letters[i];
      counts.set(c, (counts.get(c) ?? 0) + 1);
      const d = o.dims[axis];
      const prev = sizes.get(c);
      if (!prev || prev.d.v === 1) sizes.set(c, { d, op: oi, axis });
      else if (d.v !== 1 && dimEq(prev.d.v, d.v) === false)
        throw mismatch(`einsum: size of label '${c}' differs`, ops[prev.op], prev.axis, o, axis);
      axis++;
    }
    if (hasEll && pre === letters.length) {
      ell = broadcast([
        { name: 'ellipsis', dims: ell },
        { name: o.name, dims: o.dims.slice(axis, axis + nEll) },
      ]);
    }
  });
  let outSpec: string;
  if (rhs === undefined)
    outSpec =
      '...' +
      [...counts.entries()]
        .filter(([, n]) => n === 1)
        .map(([c]) => c)
        .sort()
        .join('');
  else outSpec = rhs;
  const out: DimInfo[] = [];
  const parts = outSpec.split('...');
  parts.forEach((p, i) => {
    if (i > 0) out.push(...ell);
    for (const c of p) {
      const z = sizes.get(c);
      if (!z) throw new ShapeError(`einsum: output subscript '${c}' does not appear in the inputs`);
      out.push(z.d);
    }
  });
  void line;
  return out;
}

/** Python slice length over a dimension. */
export function sliceLen(n: Dim, start?: number, stop?: number, step = 1): Dim {
  if (step === 0) throw new ShapeError('slice step cannot be zero');
  if (!isNum(n)) {
    if (start === undefined && stop === undefined && step === 1) return n;
    return freshSym();
  }
  const lower = step > 0 ? 0 : -1;
  const upper = step > 0 ? n : n - 1;
  const clamp = (v: number | undefined, dflt: number): number =>
    v === undefined ? dflt : v < 0 ? Math.max(v + n, lower) : Math.min(v, upper);
  const s = clamp(start, step < 0 ? upper : lower);
  const e = clamp(stop, step < 0 ? lower : upper);
  return step > 0
    ? Math.max(0, Math.ceil((e - s) / step))
    : Math.max(0, Math.ceil((s - e) / -step));
}

/** Reduction over axes with keepdims. */
export function reduce(
  dims: DimInfo[],
  axes: number[] | undefined,
  keep: boolean,
  line: number,
): DimInfo[] {
  if (axes === undefined) return keep ? dims.map(() => ({ v: 1, line })) : [];
  const norm = axes.map((a) => normAxis(a, dims.length));
  const out: DimInfo[] = [];
  dims.forEach((d, i) => {
    if (norm.includes(i)) {
      if (keep) out.push({ v: 1, line });
    } else out.push(d);
  });
  return out;
}
