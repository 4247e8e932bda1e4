/**
 * The lines under the array panel's summary that say where it was computed: the worker's
 * ("computed on CPU (1 thread) in N ms") or the page's GPU ("computed on GPU (adapter) in N
 * ms"), the GPU's own numbers with their stated accuracy, and how they compare with the
 * worker's float64 summary, which stays the authority (it also has σ and the zero count, which
 * the kernel does not compute). Pure: unit-tested without a DOM or a GPU.
 */
import type { Stats } from '../../src/core/stats/summary';
import { formatNumber } from '../../src/core/stats/summary';
import { formatBytes } from '../../src/core/array/ndarray';
import { summaryWorkgroups, type GpuSummary } from '../gpu/summary';

const EPS32 = 2 ** -24;
const WG = 256;

/** The GPU's numbers (webview/gpu/summary.ts GpuSummary, without the histogram). */
export type GpuSummaryNumbers = Omit<GpuSummary, 'edges' | 'counts'>;

/** One line of the panel: its test key, text and whether it is a warning. */
export interface ComputeLine {
  key: string;
  text: string;
  warn?: boolean;
}

/** "computed on CPU (1 thread) in 12 ms" for the worker's summary. */
export function cpuSummaryLine(c: { ms: number; threads: number; streamed?: boolean }): string {
  const threads = `${c.threads} thread${c.threads === 1 ? '' : 's'}`;
  const ms = c.ms < 10 ? c.ms.toFixed(1) : String(Math.round(c.ms));
  return `Summary computed on CPU (${threads}, float64${c.streamed ? ', streamed from the file' : ''}) in ${ms} ms`;
}

/**
 * The stated bound on |μ_gpu − μ| (absolute): float32 sums of (values per invocation) terms,
 * then a tree of 8 levels, each rounding by at most 2⁻²⁴ of the partial sums of |v| (so of the
 * mean of |v| ≤ max|v| once divided by the count); one more 2⁻²⁴ when the values were rounded
 * to float32 on the way.
 */
export function gpuMeanBound(n: number, maxAbs: number, exactInFloat32: boolean): number {
  const perInvocation = Math.ceil(n / (summaryWorkgroups(n) * WG));
  return (perInvocation + 8 + (exactInFloat32 ? 0 : 1)) * EPS32 * maxAbs;
}

/** How the GPU's numbers compare with the worker's: the CPU's min/max rounded to float32. */
export function compareWithCpu(
  g: GpuSummaryNumbers,
  cpu: Stats,
): { countsAgree: boolean; rangeAgrees: boolean; meanError: number | undefined } {
  const countsAgree =
    g.nan === cpu.nan &&
    g.posInf === cpu.posinf &&
    g.negInf === cpu.neginf &&
    g.finite === cpu.finite &&
    g.count === cpu.count;
  const f = (x: number | null | undefined) =>
    x === null || x === undefined ? undefined : Math.fround(x);
  const rangeAgrees = f(cpu.min) === f(g.min) && f(cpu.max) === f(g.max);
  const meanError =
    g.mean !== undefined && cpu.mean !== null ? Math.abs(g.mean - cpu.mean) : undefined;
  return { countsAgree, rangeAgrees, meanError };
}

/** The lines for a summary computed on the GPU. */
export function gpuSummaryLines(
  label: string,
  g: GpuSummaryNumbers,
  cpu: Stats,
  opts: { exactInFloat32: boolean; uploadMs: number; chunks: number },
): ComputeLine[] {
  const x = cpu.of === 'abs' ? '|x|' : 'x';
  const range =
    g.finite > 0
      ? `${x}∈[${formatNumber(g.min ?? null)}, ${formatNumber(g.max ?? null)}] μ=${formatNumber(g.mean ?? null)}`
      : 'no finite values';
  const upload = `${formatBytes(g.count * 4)} moved to the GPU in ${opts.chunks} chunk${opts.chunks === 1 ? '' : 's'} (${Math.round(opts.uploadMs)} ms)`;
  const lines: ComputeLine[] = [
    { key: 'summary-where', text: `Summary (min, max, mean, NaN/Inf counts): ${label}` },
    {
      key: 'summary-gpu',
      text: `GPU, float32: ${range} NaN ${g.nan} +Inf ${g.posInf} −Inf ${g.negInf}; ${upload}`,
    },
  ];
  const maxAbs = Math.max(Math.abs(g.min ?? 0), Math.abs(g.max ?? 0));
  const bound = gpuMeanBound(g.count, maxAbs, opts.exactInFloat32);
  const c = compareWithCpu(g, cpu);
  const meanOk = c.meanError === undefined || c.meanError <= bound;
  const ok = c.countsAgree && c.rangeAgrees && meanOk;
  const rounding = opts.exactInFloat32 ? '' : ' of the values rounded to float32';
  const measured = c.meanError === undefined ? '' : `, |Δμ| = ${c.meanError.toExponential(1)}`;
  lines.push({
    key: 'summary-gpu-accuracy',
    text:
      `Stated accuracy: min, max and counts exact${rounding}; |Δμ| ≤ ${bound.toExponential(1)} (float32 sums, scaled). ` +
      `Against the CPU's float64 summary: ${c.countsAgree ? 'counts agree' : 'counts DIFFER'}, ${c.rangeAgrees ? 'min and max agree' : 'min or max DIFFER'}${measured}` +
      (ok ? '.' : ' — outside the stated accuracy: the CPU summary above stands.'),
    ...(ok ? {} : { warn: true }),
  });
  return lines;
}
