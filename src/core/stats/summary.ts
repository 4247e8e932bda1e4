/**
 * Streaming summary statistics over chunks (finite values only), merged with Chan et al.'s
 * pairwise update so that mean and σ stay accurate over hundreds of millions of elements.
 * Reference: Chan, Golub, LeVeque, "Algorithms for computing the sample variance" (1983).
 */
import { DType, isComplex } from '../array/dtype';
import { decodeRun } from '../array/decode';
import { RawArray, describeType, formatBytes, sizeOf, byteLength } from '../array/ndarray';
import { safeScaleExponent, scaleBy } from '../linalg/scaling';

export interface Stats {
  /** elements in the array. */
  count: number;
  /** finite elements the moments are over. */
  finite: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** population standard deviation (NumPy's default, ddof=0). */
  std: number | null;
  nan: number;
  posinf: number;
  neginf: number;
  zeros: number;
  /** 'value', or 'abs' for complex arrays (statistics of |z|). */
  of: 'value' | 'abs';
}

/**
 * Values whose magnitude is inside [2^-400, 2^400] are summed and squared as they are; a chunk
 * holding larger or smaller values is scaled by a power of two first (exact), so that neither
 * Σx nor Σ(x−μ)² over- or underflows: σ of np.arange(1, 10)·1e200 is 2.58e200 (NumPy's own
 * `std` overflows to inf there), and σ of values near 1e-200 is not 0.
 */
const SCALE_FREE_LIMIT = 2 ** 400;

function chunkExponent(amax: number): number {
  if (!(amax > 0) || (amax <= SCALE_FREE_LIMIT && amax >= 1 / SCALE_FREE_LIMIT)) return 0;
  return safeScaleExponent(amax) || -Math.floor(Math.log2(amax)) - 1;
}

export class StatsAccumulator {
  private n = 0;
  /** mean, in the values' own units */
  private mean = 0;
  /** Σ(x−μ)² in units of 2^(−2·scaleExp) */
  private m2 = 0;
  private scaleExp = 0;
  /** max |x| of the finite values so far */
  private amax = 0;
  private min = Infinity;
  private max = -Infinity;
  private nan = 0;
  private posinf = 0;
  private neginf = 0;
  private zeros = 0;
  private count = 0;

  constructor(private readonly of: 'value' | 'abs' = 'value') {}

  /** Adds `len` values from `v` (already magnitudes for complex input). */
  add(v: Float64Array, len = v.length): void {
    let n = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    let zeros = 0;
    for (let i = 0; i < len; i++) {
      const x = v[i];
      if (x - x === 0) {
        n++;
        sum += x;
        if (x < min) min = x;
        if (x > max) max = x;
        if (x === 0) zeros++;
      } else if (x !== x) this.nan++;
      else if (x > 0) this.posinf++;
      else this.neginf++;
    }
    this.count += len;
    this.zeros += zeros;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
    if (n === 0) return;
    const amax = Math.max(-min, max);
    // an all-zero chunk has no magnitude: it takes the exponent of what came before (so zeros
    // next to values near 2^-537 do not merge in units of 1, where (x − μ)² underflows to 0)
    const e = amax > 0 || this.n === 0 ? chunkExponent(amax) : this.scaleExp;
    let f1 = 1;
    let f2 = 1;
    if (e !== 0) {
      const h = Math.trunc(e / 2);
      f1 = 2 ** h;
      f2 = 2 ** (e - h);
      sum = 0;
      for (let i = 0; i < len; i++) {
        const x = v[i];
        if (x - x === 0) sum += x * f1 * f2;
      }
    }
    const mean = sum / n; // in units of 2^-e
    let m2 = 0;
    for (let i = 0; i < len; i++) {
      const x = v[i];
      if (x - x === 0) {
        const d = x * f1 * f2 - mean;
        m2 += d * d;
      }
    }
    if (this.n === 0) {
      this.amax = amax;
      this.mean = scaleBy(mean, -e);
      this.m2 = m2;
      this.scaleExp = e;
      this.n = n;
      return;
    }
    // merge (Chan et al.) in the units of the larger-magnitude side; zeros so far have none
    const E = this.amax > 0 ? Math.min(this.scaleExp, e) : e;
    if (amax > this.amax) this.amax = amax;
    const ma = scaleBy(this.mean, E);
    const mb = scaleBy(mean, E - e);
    const total = this.n + n;
    const delta = mb - ma;
    const merged = ma + (delta * n) / total;
    this.m2 =
      scaleBy(this.m2, 2 * (E - this.scaleExp)) +
      scaleBy(m2, 2 * (E - e)) +
      (delta * delta * this.n * n) / total;
    this.mean = scaleBy(merged, -E);
    this.scaleExp = E;
    this.n = total;
  }

  result(): Stats {
    const has = this.n > 0;
    return {
      count: this.count,
      finite: this.n,
      min: has ? this.min : null,
      max: has ? this.max : null,
      mean: has ? this.mean : null,
      std: has ? scaleBy(Math.sqrt(this.m2 / this.n), -this.scaleExp) : null,
      nan: this.nan,
      posinf: this.posinf,
      neginf: this.neginf,
      zeros: this.zeros,
      of: this.of,
    };
  }
}

export const STATS_CHUNK = 1 << 16;

/**
 * Statistics of a raw array, decoding `STATS_CHUNK` elements at a time. `onChunk` is
 * called after each chunk with the fraction done; it may throw to cancel.
 */
export function computeStats(a: RawArray, onChunk?: (done: number) => void): Stats {
  const complex = isComplex(a.dtype);
  const acc = new StatsAccumulator(complex ? 'abs' : 'value');
  const n = sizeOf(a.shape);
  const run = Math.max(1, Math.min(STATS_CHUNK, n)); // no bigger than the array
  const buf = new Float64Array(run * (complex ? 2 : 1));
  const mags = complex ? new Float64Array(run) : buf;
  for (let start = 0; start < n; start += run) {
    const len = Math.min(run, n - start);
    decodeRun(a, start, len, buf);
    if (complex) for (let i = 0; i < len; i++) mags[i] = Math.hypot(buf[2 * i], buf[2 * i + 1]);
    acc.add(mags, len);
    onChunk?.((start + len) / n);
  }
  return acc.result();
}

/** Three significant digits, no trailing zeros, exponent form for very large/small values. */
export function formatNumber(x: number | null): string {
  if (x === null) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '−Inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2).replace(/\.?0+e/, 'e');
  if (Number.isInteger(x) && a < 1e5) return String(x);
  return String(Number(x.toPrecision(3)));
}

/**
 * One line in the spirit of lovely-tensors, with counts instead of flags:
 * `float32[512, 768] n=393216 (1.5 MiB) x∈[-3.21, 3.05] μ=0.002 σ=0.998 NaN 0 +Inf 0 −Inf 0 zeros 12`
 */
export function summaryLine(dtype: DType, shape: readonly number[], s: Stats): string {
  const x = s.of === 'abs' ? '|x|' : 'x';
  const parts = [
    describeType(dtype, shape),
    `n=${sizeOf(shape)}`,
    `(${formatBytes(byteLength(dtype, shape))})`,
  ];
  if (s.finite > 0) {
    parts.push(
      `${x}∈[${formatNumber(s.min)}, ${formatNumber(s.max)}]`,
      `μ=${formatNumber(s.mean)}`,
      `σ=${formatNumber(s.std)}`,
    );
  } else if (s.count > 0) {
    parts.push('no finite values');
  } else {
    parts.push('empty');
  }
  parts.push(`NaN ${s.nan}`, `+Inf ${s.posinf}`, `−Inf ${s.neginf}`, `zeros ${s.zeros}`);
  return parts.join(' ');
}
