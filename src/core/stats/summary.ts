/**
 * Streaming summary statistics over chunks (finite values only), merged with Chan et al.'s
 * pairwise update so that mean and σ stay accurate over hundreds of millions of elements.
 * Reference: Chan, Golub, LeVeque, "Algorithms for computing the sample variance" (1983).
 */
import { DType, isComplex } from '../array/dtype';
import { decodeRun } from '../array/decode';
import { RawArray, describeType, formatBytes, sizeOf, byteLength } from '../array/ndarray';

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

export class StatsAccumulator {
  private n = 0;
  private mean = 0;
  private m2 = 0;
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
    let min = this.min;
    let max = this.max;
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
    this.min = min;
    this.max = max;
    if (n === 0) return;
    const mean = sum / n;
    let m2 = 0;
    for (let i = 0; i < len; i++) {
      const x = v[i];
      if (x - x === 0) {
        const d = x - mean;
        m2 += d * d;
      }
    }
    const total = this.n + n;
    const delta = mean - this.mean;
    this.mean += (delta * n) / total;
    this.m2 += m2 + (delta * delta * this.n * n) / total;
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
      std: has ? Math.sqrt(this.m2 / this.n) : null,
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
  const buf = new Float64Array(STATS_CHUNK * (complex ? 2 : 1));
  const mags = complex ? new Float64Array(STATS_CHUNK) : buf;
  for (let start = 0; start < n; start += STATS_CHUNK) {
    const len = Math.min(STATS_CHUNK, n - start);
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
