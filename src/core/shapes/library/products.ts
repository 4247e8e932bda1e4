/**
 * Products: `matmul`/`@`, `mm`, `bmm`, `dot`, `inner`, `outer`, `mv`, `vdot`, and `einsum`.
 */
import { promoteDtypes } from '../dtypes';
import { broadcast, dot, einsum, matmul, mmLike } from '../shapeAlgebra';
import {
  dimEq,
  dimProd,
  fmtShape,
  ShapeError,
  UNKNOWN,
  type ArrVal,
  type DimInfo,
  type Val,
} from '../values';
import {
  asArray,
  makeArray,
  operand,
  rows,
  shortText,
  type ArrayRule,
  type SequenceRule,
} from './call';

const product: ArrayRule = (_ctx, call) => {
  const { self: A, selfName, lib, name, line } = call;
  const b = call.args.pos[0] ?? call.args.kw.get('other');
  const B = b ? asArray(b, lib, line) : undefined;
  if (!B) return UNKNOWN;
  const bName = call.argName(0);
  const nd = A.dims.length;
  const ao = operand(selfName, A);
  const bo = operand(bName, B);
  let dims: DimInfo[];
  if (name === 'matmul') dims = matmul(ao, bo);
  else if (name === 'mm') dims = mmLike(ao, bo, 2, 'torch.mm');
  else if (name === 'bmm') dims = mmLike(ao, bo, 3, 'torch.bmm');
  else if (name === 'dot' && lib === 'np') dims = dot(ao, bo);
  else if (name === 'dot' || name === 'vdot') {
    if (nd !== 1 || B.dims.length !== 1)
      throw new ShapeError(
        `${lib === 'torch' ? 'torch.' : ''}dot: 1D tensors expected, but got ${nd}D and ${B.dims.length}D tensors`,
      );
    dims = matmul(ao, bo);
  } else if (name === 'mv') dims = matmul(ao, bo);
  else if (name === 'inner') {
    if (nd === 0 || B.dims.length === 0) dims = broadcast([ao, bo]);
    else {
      if (dimEq(A.dims[nd - 1].v, B.dims[B.dims.length - 1].v) === false)
        throw new ShapeError(
          `inner: last dimensions differ: ${selfName} ${fmtShape(A.dims)} and ${bName} ${fmtShape(B.dims)}`,
        );
      dims = [...A.dims.slice(0, -1), ...B.dims.slice(0, -1)];
    }
  } else {
    // outer: of the flattened operands
    if (lib === 'torch' && (nd !== 1 || B.dims.length !== 1)) return UNKNOWN;
    const flat = (x: ArrVal): DimInfo =>
      x.dims.length === 1 ? x.dims[0] : { v: dimProd(x.dims.map((d) => d.v)), line };
    dims = [flat(A), flat(B)];
  }
  return makeArray(
    dims,
    lib,
    promoteDtypes(A.dtype, B.dtype, lib),
    `${call.text}: ${fmtShape(A.dims)} ${name} ${fmtShape(B.dims)} → ${fmtShape(dims)}`,
  );
};

export const PRODUCTS: Record<string, ArrayRule> = {};
rows(PRODUCTS, ['matmul', 'mm', 'bmm', 'dot', 'inner', 'outer', 'ger', 'mv', 'vdot'], product);

/** `np.einsum('bij,bjk->bik', a, b)` (also with the operands in one list). */
export const einsumRule: SequenceRule = (_ctx, call) => {
  const { first: spec, lib, line } = call;
  if (spec?.k !== 'str') return UNKNOWN;
  const argNodes = call.node.childForFieldName('arguments')?.namedChildren ?? [];
  let rest: Val[] = call.args.pos;
  let names = argNodes.slice(1).map(shortText);
  if (rest.length === 1 && rest[0].k === 'tuple') {
    rest = rest[0].items;
    names = rest.map((_, i) => `operand ${i}`);
  }
  const arrays = rest.map((x) => asArray(x, lib, line));
  if (arrays.some((x) => !x) || !spec.v) return UNKNOWN;
  const as = arrays as ArrVal[];
  const dims = einsum(
    spec.v,
    as.map((x, i) => operand(names[i] ?? `operand ${i}`, x)),
    line,
  );
  const dtype = as.reduce<string | undefined>(
    (d, x, i) => (i === 0 ? x.dtype : promoteDtypes(d, x.dtype, lib)),
    undefined,
  );
  return makeArray(
    dims,
    lib,
    dtype,
    `${call.text}: ${as.map((x) => fmtShape(x.dims)).join(', ')} → ${fmtShape(dims)}`,
  );
};
