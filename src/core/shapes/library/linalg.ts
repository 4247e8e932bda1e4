/**
 * `np.linalg.*` / `torch.linalg.*` (and torch's older `svd`, `inverse`, `det`): the batch
 * dimensions ride along; square-matrix functions check the last two dimensions.
 */
import { INT_DTYPES, isIntOrBool, realDtype } from '../dtypes';
import { reduce } from '../shapeAlgebra';
import {
  dimEq,
  dimMin,
  fmtDim,
  fmtShape,
  isNum,
  lineRef,
  ShapeError,
  UNKNOWN,
  type ArrVal,
  type DimInfo,
  type Val,
} from '../values';
import {
  argOr,
  asArray,
  intsOf,
  keywordIsFalse,
  makeArray,
  rows,
  shortText,
  type Call,
  type Rule,
} from './call';

/** The matrix argument and the checks and constructors every linalg rule uses. */
class Matrix {
  readonly A: ArrVal;
  readonly nd: number;
  readonly name: string;
  /** Integer and bool input computes in float64. */
  readonly floatDtype: string | undefined;
  constructor(
    readonly call: Call,
    A: ArrVal,
  ) {
    this.A = A;
    this.nd = A.dims.length;
    this.name = call.args.nodes[0] ? shortText(call.args.nodes[0]) : 'A';
    this.floatDtype = isIntOrBool(A.dtype) ? 'float64' : A.dtype;
  }
  result(dims: DimInfo[], dtype = this.A.dtype): ArrVal {
    return makeArray(
      dims,
      this.call.lib,
      dtype,
      `${this.call.text}: ${fmtShape(this.A.dims)} → ${fmtShape(dims)}`,
    );
  }
  get batch(): DimInfo[] {
    return this.A.dims.slice(0, -2);
  }
  atLeast2d(): void {
    if (this.nd < 2)
      throw new ShapeError(
        `${this.call.name}: ${this.nd}-dimensional array given; ${this.name} ${fmtShape(this.A.dims)} must be at least two-dimensional`,
      );
  }
  square(): void {
    this.atLeast2d();
    const [r, c] = this.A.dims.slice(-2);
    const { name, nd } = this;
    if (dimEq(r.v, c.v) === false)
      throw new ShapeError(
        `${this.call.name}: last 2 dimensions of ${name} must be square, but ${name} is ${fmtShape(this.A.dims)} (${fmtDim(r.v)} from ${lineRef(r.line)}, ${fmtDim(c.v)} from ${lineRef(c.line)})`,
        [
          { line: r.line, message: `${name}.shape[${nd - 2}] = ${fmtDim(r.v)}` },
          { line: c.line, message: `${name}.shape[${nd - 1}] = ${fmtDim(c.v)}` },
        ],
      );
  }
}

type MatrixRule = (m: Matrix, call: Call) => Val;

/** A rule on the first argument as a matrix. */
function onMatrix(rule: MatrixRule): Rule {
  return (_ctx, call) => {
    const a = call.args.pos[0];
    const A = a ? asArray(a, call.lib, call.line) : undefined;
    return A ? rule(new Matrix(call, A), call) : UNKNOWN;
  };
}

const svd: MatrixRule = (m, call) => {
  m.atLeast2d();
  const { batch, floatDtype: fdt } = m;
  const [M, N] = m.A.dims.slice(-2);
  const K: DimInfo = {
    v: dimMin(M.v, N.v),
    line: isNum(M.v) && isNum(N.v) ? (M.v <= N.v ? M.line : N.line) : call.line,
  };
  if (call.name === 'svd_old') {
    // torch.svd(A, some=True): U, S, V (not Vh)
    const full = call.args.kw.get('some')?.k === 'bool' && keywordIsFalse(call.node, 'some');
    return {
      k: 'tuple',
      items: [
        m.result([...batch, M, full ? M : K], fdt),
        m.result([...batch, K], realDtype(fdt)),
        m.result([...batch, N, full ? N : K], fdt),
      ],
    };
  }
  const computeUv = argOr(call.args, 2, 'compute_uv');
  if (computeUv?.k === 'bool' && keywordIsFalse(call.node, 'compute_uv'))
    return m.result([...batch, K], realDtype(fdt));
  const fullMatrices = argOr(call.args, 1, 'full_matrices');
  const full = fullMatrices
    ? !(fullMatrices.k === 'bool' && keywordIsFalse(call.node, 'full_matrices'))
    : true;
  return {
    k: 'tuple',
    items: [
      m.result([...batch, M, full ? M : K], fdt),
      m.result([...batch, K], realDtype(fdt)),
      m.result([...batch, full ? N : K, N], fdt),
    ],
    names: ['U', 'S', 'Vh'],
  };
};

const svdvals: MatrixRule = (m, call) => {
  m.atLeast2d();
  const { A, nd } = m;
  return m.result(
    [...m.batch, { v: dimMin(A.dims[nd - 2].v, A.dims[nd - 1].v), line: call.line }],
    realDtype(m.floatDtype),
  );
};

const eig: MatrixRule = (m, call) => {
  m.square();
  const { A, nd, floatDtype: fdt } = m;
  const M = A.dims[nd - 1];
  const hermitian = call.name === 'eigh';
  const complex =
    !hermitian && call.lib === 'torch'
      ? fdt === 'float64'
        ? 'complex128'
        : 'complex64'
      : undefined;
  return {
    k: 'tuple',
    items: [
      m.result([...m.batch, M], hermitian ? realDtype(fdt) : complex),
      m.result([...m.batch, A.dims[nd - 2], M], hermitian ? fdt : complex),
    ],
    names: ['eigenvalues', 'eigenvectors'],
  };
};

const eigvals: MatrixRule = (m, call) => {
  m.square();
  return m.result(
    m.A.dims.slice(0, -1),
    call.name === 'eigvalsh' ? realDtype(m.floatDtype) : undefined,
  );
};

const inverse: MatrixRule = (m, call) => {
  if (call.name === 'inv') m.square();
  else m.atLeast2d();
  const { A, nd } = m;
  return m.result(
    call.name === 'pinv' ? [...m.batch, A.dims[nd - 1], A.dims[nd - 2]] : A.dims,
    m.floatDtype,
  );
};

const determinant: MatrixRule = (m) => {
  m.square();
  return m.result(m.batch, m.floatDtype);
};

const matrixRank: MatrixRule = (m) => m.result(m.nd < 2 ? [] : m.batch, 'int64');

const qr: MatrixRule = (m, call) => {
  m.atLeast2d();
  const [M, N] = m.A.dims.slice(-2);
  const K = { v: dimMin(M.v, N.v), line: call.line };
  return {
    k: 'tuple',
    items: [m.result([...m.batch, M, K], m.floatDtype), m.result([...m.batch, K, N], m.floatDtype)],
    names: ['Q', 'R'],
  };
};

const cholesky: MatrixRule = (m) => {
  m.square();
  return m.result(m.A.dims, m.floatDtype);
};

const solve: MatrixRule = (m, call) => {
  const b = call.args.pos[1];
  const B = b ? asArray(b, call.lib, call.line) : undefined;
  m.square();
  if (!B) return UNKNOWN;
  const { A, nd } = m;
  const rows = B.dims[B.dims.length === 1 ? 0 : B.dims.length - 2];
  if (B.dims.length >= 1 && dimEq(rows.v, A.dims[nd - 1].v) === false)
    throw new ShapeError(
      `solve: ${m.name} ${fmtShape(A.dims)} and b ${fmtShape(B.dims)} are not aligned`,
    );
  return m.result(B.dims, m.floatDtype);
};

const norm: MatrixRule = (m, call) => {
  const torch = call.lib === 'torch';
  const axisValue = argOr(call.args, 2, ...(torch ? ['dim', 'axis'] : ['axis']));
  const keepValue = argOr(call.args, 3, ...(torch ? ['keepdim'] : ['keepdims']));
  const keep =
    keepValue?.k === 'bool' && !keywordIsFalse(call.node, torch ? 'keepdim' : 'keepdims');
  const rdt = realDtype(m.floatDtype);
  let axes: number[] | undefined;
  if (axisValue && axisValue.k !== 'none') {
    const ints = intsOf(axisValue);
    if (!ints) return UNKNOWN;
    axes = ints;
  } else if (call.name === 'matrix_norm') axes = [-2, -1];
  return m.result(
    reduce(m.A.dims, axes, keep, call.line),
    torch && rdt && INT_DTYPES.has(rdt) ? undefined : rdt,
  );
};

/** Keyed by the name after `linalg.`; torch's `svd` is `svd_old`, `inverse` is `inv`. */
export const LINALG: Record<string, Rule> = {};
rows(LINALG, ['svd', 'svd_old'], onMatrix(svd));
rows(LINALG, ['svdvals'], onMatrix(svdvals));
rows(LINALG, ['eig', 'eigh'], onMatrix(eig));
rows(LINALG, ['eigvals', 'eigvalsh'], onMatrix(eigvals));
rows(LINALG, ['inv', 'pinv'], onMatrix(inverse));
rows(LINALG, ['det', 'slogdet'], onMatrix(determinant));
rows(LINALG, ['matrix_rank'], onMatrix(matrixRank));
rows(LINALG, ['qr'], onMatrix(qr));
rows(LINALG, ['cholesky'], onMatrix(cholesky));
rows(LINALG, ['solve'], onMatrix(solve));
rows(LINALG, ['norm', 'vector_norm', 'matrix_norm'], onMatrix(norm));
