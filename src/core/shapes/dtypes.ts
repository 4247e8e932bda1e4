/**
 * Dtypes of NumPy arrays and PyTorch tensors: names, how a dtype argument is read, and how
 * operations promote them (NumPy 1.24 and PyTorch 1.13 rules, as far as the checker claims).
 */
import type { Lib, Val } from './values';

export const FLOAT_DTYPES = new Set(['float16', 'bfloat16', 'float32', 'float64']);
export const INT_DTYPES = new Set([
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
]);
const DTYPE_NAMES = new Set([
  ...FLOAT_DTYPES,
  ...INT_DTYPES,
  'bool',
  'bool_',
  'complex64',
  'complex128',
  'double',
  'half',
  'long',
  'float',
  'int',
  'short',
  'cfloat',
]);
const TORCH_ALIASES: Record<string, string> = {
  float: 'float32',
  double: 'float64',
  half: 'float16',
  long: 'int64',
  int: 'int32',
  short: 'int16',
  bool: 'bool',
};
const NUMPY_ALIASES: Record<string, string> = {
  bool_: 'bool',
  double: 'float64',
  float: 'float64',
  int: 'int64',
  half: 'float16',
  long: 'int64',
};

/** The default floating dtype of a library. */
export function defaultFloat(lib: Lib): string {
  return lib === 'torch' ? 'float32' : 'float64';
}

export function isIntOrBool(d: string | undefined): boolean {
  return d !== undefined && (INT_DTYPES.has(d) || d === 'bool');
}

/** The dtype a `dtype=` argument names: `np.float32`, `torch.long`, `'int64'`, `float`, `x.dtype`. */
export function dtypeOf(v: Val | undefined, lib: Lib): string | undefined {
  if (!v) return undefined;
  let name: string | undefined;
  if (v.k === 'ref') {
    const parts = v.path.split('.');
    name = parts[parts.length - 1];
    if (parts[0] === 'builtins') {
      if (name === 'float') return defaultFloat(lib);
      if (name === 'int') return 'int64';
      if (name === 'bool') return 'bool';
    }
    if (parts[0] === 'dtype') return parts.slice(1).join('.');
    if (!DTYPE_NAMES.has(name)) return undefined;
    if (parts[0] === 'torch') return TORCH_ALIASES[name] ?? name;
  } else if (v.k === 'str') name = v.v;
  if (!name) return undefined;
  name = NUMPY_ALIASES[name] ?? name;
  return FLOAT_DTYPES.has(name) ||
    INT_DTYPES.has(name) ||
    name === 'bool' ||
    name.startsWith('complex')
    ? name
    : undefined;
}

/** The dtype of `a op b` where a or b is an array and the other may be a Python scalar. */
export function resultDtype(a: Val, b: Val, lib: Lib, op: string): string | undefined {
  if (['<', '>', '<=', '>=', '==', '!='].includes(op)) return 'bool';
  const da = a.k === 'arr' ? a.dtype : undefined;
  const db = b.k === 'arr' ? b.dtype : undefined;
  const scalarKind = (v: Val): string | undefined =>
    v.k === 'int' ? 'int' : v.k === 'float' ? 'float' : v.k === 'bool' ? 'bool' : undefined;
  let r: string | undefined;
  if (a.k === 'arr' && b.k === 'arr') {
    // torch: a 0-d tensor takes part like a Python scalar of its kind
    if (a.dims.length === 0 && b.dims.length > 0 && lib === 'torch')
      r = promoteWithScalar(db, da && FLOAT_DTYPES.has(da) ? 'float' : 'int', lib);
    else if (b.dims.length === 0 && a.dims.length > 0 && lib === 'torch')
      r = promoteWithScalar(da, db && FLOAT_DTYPES.has(db) ? 'float' : 'int', lib);
    else r = promoteDtypes(da, db, lib);
  } else if (a.k === 'arr') r = promoteWithScalar(da, scalarKind(b), lib);
  else if (b.k === 'arr') r = promoteWithScalar(db, scalarKind(a), lib);
  if (!r) return undefined;
  if (op === '/' && isIntOrBool(r)) return defaultFloat(lib);
  if (op === '**' && lib === 'np' && INT_DTYPES.has(r) && (a.k === 'float' || b.k === 'float'))
    return 'float64';
  return r;
}

/** An array dtype combined with a Python scalar of kind 'bool' | 'int' | 'float'. */
function promoteWithScalar(
  d: string | undefined,
  scalar: string | undefined,
  lib: Lib,
): string | undefined {
  if (!d || !scalar) return undefined;
  if (scalar === 'bool') return d;
  if (scalar === 'int') return d === 'bool' ? 'int64' : d;
  if (FLOAT_DTYPES.has(d)) return d;
  return defaultFloat(lib);
}

const PROMOTION_RANK: Record<string, number> = {
  float16: 1,
  bfloat16: 1,
  float32: 2,
  float64: 3,
  int8: 1,
  uint8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
};

/** The common dtype of two arrays (undefined where the checker does not claim one). */
export function promoteDtypes(
  a: string | undefined,
  b: string | undefined,
  lib: Lib,
): string | undefined {
  if (!a || !b) return undefined;
  if (a === b) return a;
  if (a === 'bool') return b;
  if (b === 'bool') return a;
  const aFloat = FLOAT_DTYPES.has(a);
  const bFloat = FLOAT_DTYPES.has(b);
  if (aFloat && bFloat) return PROMOTION_RANK[a] >= PROMOTION_RANK[b] ? a : b;
  if (!aFloat && !bFloat) {
    if (lib === 'np' && a.startsWith('u') !== b.startsWith('u')) return undefined;
    return (PROMOTION_RANK[a] ?? 0) >= (PROMOTION_RANK[b] ?? 0) ? a : b;
  }
  const f = aFloat ? a : b;
  const i = aFloat ? b : a;
  if (lib === 'torch') return f;
  if (f === 'float64') return 'float64';
  if (f === 'float32')
    return ['int8', 'uint8', 'int16', 'uint16'].includes(i) ? 'float32' : 'float64';
  return undefined;
}

/** The dtype of a sum or product: small integers and bools widen to 64 bits. */
export function sumDtype(d: string | undefined): string | undefined {
  if (!d) return undefined;
  if (d === 'bool' || (INT_DTYPES.has(d) && !d.startsWith('u'))) return 'int64';
  if (INT_DTYPES.has(d)) return 'uint64';
  return d;
}

/** The real dtype of a complex one (singular values, eigh eigenvalues). */
export function realDtype(d: string | undefined): string | undefined {
  if (d === 'complex128') return 'float64';
  if (d === 'complex64') return 'float32';
  return d;
}
