/**
 * Analyze's GPU half: the top-k singular values of the analyzed matrix through the webview's
 * ComputeRouter (`matrixLens.compute`), next to the worker's float64 analysis that stays the
 * authority for rank, condition number and every other precision-critical number. The GPU's
 * float32 values come with their stated accuracy and with the error measured against the
 * worker's float64 values of the same matrix. Without a GPU (mode, adapter, limits or a lost
 * device) the top-k are the worker's own values and the panel says why, once. Up to
 * GPU_JACOBI_MAX_COLS columns (src/protocol/compute.ts says why) all singular values follow,
 * by one-sided Jacobi on the GPU, with their measured error against the worker's.
 */
import type { ComputeMode } from '../../src/protocol/compute';
import { gpuJacobiSingularValues, gpuTopSingularValues } from '../gpu';
import { routeJob } from '../gpu/panelRouter';
export { loseDeviceForTest } from '../gpu/panelRouter';

/** The float32 part of the error bound, relative to σ₁ (the kernels' tests hold it). */
export const GPU_SV_TOLERANCE = 1e-5;
const POWER_ITERATIONS = 2;

export interface SpectrumJob {
  mode: ComputeMode;
  k: number;
  rows: number;
  cols: number;
  data?: Float32Array;
}

export interface SpectrumOutcome {
  where: 'gpu' | 'cpu';
  /** "computed on GPU (adapter) in N ms" / "computed on CPU (2 threads)…" */
  label: string;
  values: number[];
  /** max |σ_gpu − σ_cpu| / σ₁ over the top k (GPU results only) */
  measured?: number;
  /** said once: why the GPU is not used from now on */
  note?: string;
}

/** The job through the router; `cpu` are the worker's float64 singular values (descending). */
export async function runSpectrum(
  job: SpectrumJob,
  cpu: readonly number[],
  cpuThreads: number,
  cpuMs: number,
): Promise<SpectrumOutcome> {
  const k = Math.min(job.k, cpu.length);
  const top = cpu.slice(0, k);
  const data = job.data;
  // NaN/Inf have no singular values: the worker's analysis already says what it found
  const finite = !!data && data.every((v) => Number.isFinite(v));
  const placed = finite
    ? await routeJob(
        job.mode,
        job.rows * job.cols,
        async (ctx) =>
          gpuTopSingularValues(ctx, data!, job.rows, job.cols, k, {
            powerIterations: POWER_ITERATIONS,
          }),
        () => Promise.resolve(Float64Array.from(top)),
      )
    : { value: Float64Array.from(top), where: 'cpu' as const, fresh: undefined };
  const values = Array.from(placed.value);
  const threads = `${cpuThreads} thread${cpuThreads === 1 ? '' : 's'}`;
  if (placed.where === 'cpu')
    return {
      where: 'cpu',
      // the worker computed them with the analysis: its time, not the router's hand-over
      label: `computed on CPU (${threads}, float64) in ${Math.round(cpuMs)} ms with the analysis`,
      values,
      ...(placed.fresh ? { note: placed.fresh } : {}),
    };
  let measured = 0;
  const s1 = top[0] || 1;
  for (let i = 0; i < k; i++) measured = Math.max(measured, Math.abs(values[i] - top[i]) / s1);
  return { where: 'gpu', label: placed.label, values, measured };
}

export { POWER_ITERATIONS };

/** The stated accuracy of the GPU's full spectrum, relative to σ₁ (test/e2e/gpuJacobi). */
export const GPU_JACOBI_TOLERANCE = 1e-5;
/** Relative errors per σ are reported over σᵢ ≥ this·σ₁ (below it float32 has no digits left). */
export const RELATIVE_FLOOR = 1e-3;

export interface FullSpectrumOutcome {
  where: 'gpu' | 'cpu';
  /** "computed on GPU (adapter) in N ms" */
  label: string;
  values: number[];
  sweeps?: number;
  converged?: boolean;
  /** max |σ_gpu − σ_cpu| / σ₁ over all σ */
  measured?: number;
  /** max |σ_gpu − σ_cpu| / σ_cpu over σ_cpu ≥ RELATIVE_FLOOR·σ₁ */
  measuredRelative?: number;
  note?: string;
}

/**
 * All singular values by one-sided Jacobi on the GPU (the matrix must be finite and
 * {@link jacobiOnGpu} true), measured against the worker's float64 values `cpu`.
 */
export async function runFullSpectrum(
  job: SpectrumJob,
  cpu: readonly number[],
): Promise<FullSpectrumOutcome> {
  const data = job.data!;
  const placed = await routeJob(
    job.mode,
    job.rows * job.cols,
    (ctx) => gpuJacobiSingularValues(ctx, data, job.rows, job.cols),
    () => Promise.resolve(undefined),
  );
  const r = placed.value;
  if (placed.where === 'cpu' || !r)
    return {
      where: 'cpu',
      label: placed.label,
      values: cpu.slice(),
      ...(placed.fresh ? { note: placed.fresh } : {}),
    };
  const values = Array.from(r.values);
  const s1 = cpu[0] || 1;
  let measured = 0;
  let measuredRelative = 0;
  for (let i = 0; i < Math.min(values.length, cpu.length); i++) {
    const d = Math.abs(values[i] - cpu[i]);
    measured = Math.max(measured, d / s1);
    if (cpu[i] >= RELATIVE_FLOOR * s1) measuredRelative = Math.max(measuredRelative, d / cpu[i]);
  }
  return {
    where: 'gpu',
    label: placed.label,
    values,
    sweeps: r.sweeps,
    converged: r.converged,
    measured,
    measuredRelative,
  };
}
