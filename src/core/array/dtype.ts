/**
 * Element types Matrix Lens understands, named the way NumPy names them
 * (`float64`, `uint8`, `bool`, `complex128`, …). `bfloat16` and the float8 types
 * come from safetensors; NumPy has no native name for them.
 */
export type DType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64'
  | 'complex64'
  | 'complex128'
  | 'float8_e4m3fn'
  | 'float8_e5m2';

const ITEM_SIZE: Record<DType, number> = {
  bool: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  float16: 2,
  bfloat16: 2,
  float32: 4,
  float64: 8,
  complex64: 8,
  complex128: 16,
  float8_e4m3fn: 1,
  float8_e5m2: 1,
};

export const ALL_DTYPES = Object.keys(ITEM_SIZE) as DType[];

/** Bytes per element. */
export function itemSize(dtype: DType): number {
  return ITEM_SIZE[dtype];
}

export function isComplex(dtype: DType): boolean {
  return dtype === 'complex64' || dtype === 'complex128';
}

export function isFloat(dtype: DType): boolean {
  return (
    dtype === 'float16' ||
    dtype === 'bfloat16' ||
    dtype === 'float32' ||
    dtype === 'float64' ||
    dtype === 'float8_e4m3fn' ||
    dtype === 'float8_e5m2'
  );
}

export function isInteger(dtype: DType): boolean {
  return dtype.startsWith('int') || dtype.startsWith('uint');
}

/**
 * Machine epsilon of the storage type (spacing of numbers at 1.0). Integers and bool
 * are exact, so they get float64's epsilon (the precision they are computed in).
 */
export function storageEpsilon(dtype: DType): number {
  switch (dtype) {
    case 'float16':
      return 2 ** -10;
    case 'bfloat16':
      return 2 ** -7;
    case 'float32':
    case 'complex64':
      return 2 ** -23;
    case 'float8_e4m3fn':
      return 2 ** -3;
    case 'float8_e5m2':
      return 2 ** -2;
    default:
      return 2 ** -52;
  }
}
