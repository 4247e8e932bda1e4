/**
 * A vs B for two arrays: the shape check, element-wise Δ statistics (delta.ts) and, for real
 * 2-D arrays, the spectrum of ΔW = B − A (deltaSpectrum.ts) and optionally the principal
 * angles between their top-k singular subspaces (principalAngles.ts).
 */
import { DType, isComplex, storageEpsilon } from '../array/dtype';
import { RawArray, componentsOf } from '../array/ndarray';
import { toFloat64C } from '../array/decode';
import { Matrix } from '../linalg/matrix';
import { DeltaOptions, DeltaStats, compareValues } from './delta';
import { DeltaSpectrum, deltaSpectrum } from './deltaSpectrum';
import { PrincipalAngles, principalAngles } from './principalAngles';

export interface CompareOptions extends DeltaOptions {
  /** spectrum of ΔW for 2-D arrays (default true) */
  spectrum?: boolean;
  /** principal angles between the top-k singular subspaces (default 0: none) */
  anglesK?: number;
  /** exact SVD of ΔW up to this min(m, n); randomized top-k above (default 1024) */
  exactLimit?: number;
  /** sees both arrays as decoded here (float64, C order), so a caller need not decode them again */
  visit?(a: Float64Array, b: Float64Array, components: number): void;
}

export interface ArrayComparison {
  shapeEqual: boolean;
  shapeA: number[];
  shapeB: number[];
  dtypeA: string;
  dtypeB: string;
  /** why the values were not compared (shapes differ) */
  message?: string;
  delta?: DeltaStats;
  /** ‖B − A‖_F / ‖A‖_F (Infinity when A is zero and B is not) */
  relFro?: number;
  spectrum?: DeltaSpectrum;
  angles?: PrincipalAngles;
}

/** The shapes and dtypes of A and B, and whether their values can be compared. */
export function compareShapes(
  a: { shape: readonly number[]; dtype: DType },
  b: { shape: readonly number[]; dtype: DType },
): ArrayComparison {
  const shapeEqual = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  const out: ArrayComparison = {
    shapeEqual,
    shapeA: a.shape.slice(),
    shapeB: b.shape.slice(),
    dtypeA: a.dtype,
    dtypeB: b.dtype,
  };
  if (!shapeEqual)
    out.message = `shapes differ: [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`;
  return out;
}

/** ‖B − A‖_F / ‖A‖_F from the Δ statistics (Infinity when A is zero and B is not). */
export function relativeFrobenius(delta: DeltaStats): number {
  return delta.froA > 0 ? delta.froDelta / delta.froA : delta.froDelta > 0 ? Infinity : 0;
}

/** The spectrum of ΔW (row-major m × n, B − A) with the rank tolerance of both dtypes. */
export function spectrumOfDelta(
  d: Float64Array,
  m: number,
  n: number,
  dtypes: [DType, DType],
  delta: DeltaStats,
  opts: CompareOptions,
): DeltaSpectrum {
  const eps = Math.max(storageEpsilon(dtypes[0]), storageEpsilon(dtypes[1]));
  return deltaSpectrum({ rows: m, cols: n, data: d }, eps, delta.froA, delta.froB, {
    exactLimit: opts.exactLimit,
  });
}

export function compareArrays(
  a: RawArray,
  b: RawArray,
  opts: CompareOptions = {},
): ArrayComparison {
  const out = compareShapes(a, b);
  if (!out.shapeEqual) return out;
  const complex = isComplex(a.dtype) || isComplex(b.dtype);
  const va = widen(toFloat64C(a), componentsOf(a.dtype), complex);
  const vb = widen(toFloat64C(b), componentsOf(b.dtype), complex);
  const delta = compareValues(va, vb, a.shape, complex ? 2 : 1, opts);
  opts.visit?.(va, vb, complex ? 2 : 1);
  out.delta = delta;
  out.relFro = relativeFrobenius(delta);
  const finite =
    delta.nanOnlyA + delta.nanOnlyB + delta.infOnlyA + delta.infOnlyB === 0 &&
    allFinite(va) &&
    allFinite(vb);
  if (a.shape.length === 2 && !complex && finite && (opts.spectrum ?? true)) {
    const [m, n] = a.shape;
    const d = new Float64Array(m * n);
    for (let i = 0; i < d.length; i++) d[i] = vb[i] - va[i];
    out.spectrum = spectrumOfDelta(d, m, n, [a.dtype, b.dtype], delta, opts);
    if (opts.anglesK) {
      const ma: Matrix = { rows: m, cols: n, data: va };
      const mb: Matrix = { rows: m, cols: n, data: vb };
      out.angles = principalAngles(ma, mb, opts.anglesK);
    }
  }
  return out;
}

/** Real values as complex (im = 0) when the other side is complex. */
export function widen(v: Float64Array, components: number, complex: boolean): Float64Array {
  if (!complex || components === 2) return v;
  const out = new Float64Array(v.length * 2);
  for (let i = 0; i < v.length; i++) out[2 * i] = v[i];
  return out;
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] - v[i] !== 0) return false;
  return true;
}
