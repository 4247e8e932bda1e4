/**
 * Mapping float64 values onto the colour range without losing them to float32. The heatmap
 * maps v ∈ [lo, hi] to t = (v − lo) / (hi − lo); done naively in float32 (the GPU) a finite
 * float64 beyond ±3.4e38 is +Inf and one below 1.2e-38 is 0, and in float64 `hi − lo`
 * itself overflows once the range is wider than 1.8e308. Here: t as v·scale − offset with
 * both factors finite for any finite range, and a power-of-two scale that brings a range into
 * float32 exactly (powers of two only move the exponent), as LAPACK's dlascl scales a matrix
 * into the safe range before working on it.
 */

/** t = v·scale − offset maps lo → 0 and hi → 1; undefined when the range is empty. */
export function unitMap(lo: number, hi: number): { scale: number; offset: number } | undefined {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
  // halves first: hi/2 − lo/2 never overflows
  const scale = 0.5 / (hi * 0.5 - lo * 0.5);
  return { scale, offset: lo * scale };
}

/**
 * 2^−e for the range [lo, hi] such that max(|lo|, |hi|)·2^−e lies in [0.5, 1) (at most 2^1000
 * for subnormal ranges): values scaled by it and narrowed to float32 keep 24 bits relative to
 * the range. 1 for an empty or zero range.
 */
export function rangeScale(lo: number, hi: number): number {
  const m = Math.max(Math.abs(lo), Math.abs(hi));
  if (!(m > 0) || !Number.isFinite(m)) return 1;
  let e = Math.floor(Math.log2(m)) + 1;
  // log2 is not exact near powers of two: settle the exponent on the value itself
  while (m * pow2(-e) >= 1) e++;
  while (m * pow2(-e) < 0.5) e--;
  // a subnormal range would need more than 2^1023: 2^1000 lifts it to ≥ 2^-74, a float32 normal
  return pow2(Math.min(1000, -e));
}

/** 2^k for any k in the float64 exponent range (2 ** k alone underflows below −1074 + 52). */
function pow2(k: number): number {
  // split so that each factor is a normal double
  const a = Math.trunc(k / 2);
  return 2 ** a * 2 ** (k - a);
}

/** The largest float32. */
const F32_MAX = 3.4028234663852886e38;

/**
 * `values`·scale narrowed to float32, finite values clamped to ±float32-max (a value far
 * above the range still draws in the top colour, not as +Inf); NaN and ±Inf are kept.
 */
export function narrowScaled(values: ArrayLike<number>, scale: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) {
      out[i] = v;
      continue;
    }
    const x = v * scale;
    out[i] = x > F32_MAX ? F32_MAX : x < -F32_MAX ? -F32_MAX : x;
  }
  return out;
}
