/**
 * "Attention from Q, K, V" on the view's GPU: the host sends Q, K, V per head, the page's
 * compute router runs the streaming-softmax kernel with the weights written out, and the
 * weights go back to the host, which keeps them in the worker like its own (tiles, focus and
 * the checks are computed from them there). Without a GPU the answer is "use the worker",
 * with the reason once. The weights are float32 with scores computed in float32: their
 * stated accuracy is the kernel tests' bound 4·u·(d·s_max + S + 16) (u = 2⁻²⁴, s_max the
 * largest |q|·|k|/√d), absolute, against float64. The heads go to the GPU in groups of about
 * {@link GROUP_WEIGHTS} weights, one submit each: the view shows the progress between groups and
 * its Cancel button stops before the next one (the weights are then not computed at all).
 */
import type { GpuAttentionAnswer, GpuAttentionJob } from '../../src/protocol/attention';
import { gpuAttention } from '../gpu';
import { routeJob } from '../gpu/panelRouter';

const EPS32 = 2 ** -24;
/** weights per submit (64 MiB of float32): a group of heads, at least one */
export const GROUP_WEIGHTS = 1 << 24;

/** The heads [h0, h1) of each submit: whole heads, about {@link GROUP_WEIGHTS} weights each. */
export function headGroups(H: number, T: number, S: number): [number, number][] {
  const per = Math.max(1, Math.floor(GROUP_WEIGHTS / Math.max(1, T * S)));
  const out: [number, number][] = [];
  for (let h = 0; h < H; h += per) out.push([h, Math.min(H, h + per)]);
  return out;
}

export interface AttentionJobControl {
  /** heads done so far, of `total` */
  onProgress?(done: number, total: number): void;
  /** true once the user cancelled: no further submit starts */
  cancelled?(): boolean;
}

/** The stated absolute error bound of the GPU's weights for `job`. */
export function attentionWeightBound(job: GpuAttentionJob): number {
  return 4 * EPS32 * (job.headDim * job.maxScore + job.keys + 16);
}

/** The last GPU weights (test builds read them to compare with NumPy). */
let lastWeights: Float32Array | undefined;
export function lastGpuWeights(): number[] | undefined {
  return TEST_HOOKS && lastWeights ? Array.from(lastWeights) : undefined;
}

export async function runAttentionJob(
  job: GpuAttentionJob,
  control: AttentionJobControl = {},
): Promise<GpuAttentionAnswer> {
  const { heads: H, queries: T, keys: S, headDim: d, valueDim: dv } = job;
  let cancelled = false;
  const placed = await routeJob(
    job.mode,
    H * T * S,
    async (ctx) => {
      const weights = new Float32Array(H * T * S);
      let wallMs = 0;
      let gpuMs: number | undefined = 0;
      control.onProgress?.(0, H);
      for (const [h0, h1] of headGroups(H, T, S)) {
        if (control.cancelled?.()) {
          cancelled = true;
          return { value: undefined, wallMs };
        }
        const r = await gpuAttention(
          ctx,
          job.q.subarray(h0 * T * d, h1 * T * d),
          job.k.subarray(h0 * S * d, h1 * S * d),
          job.v.subarray(h0 * S * dv, h1 * S * dv),
          h1 - h0,
          T,
          S,
          d,
          dv,
          { causal: job.causal, weights: true },
        );
        weights.set(r.value.weights!, h0 * T * S);
        wallMs += r.wallMs;
        gpuMs = gpuMs !== undefined && r.gpuMs !== undefined ? gpuMs + r.gpuMs : undefined;
        control.onProgress?.(h1, H);
      }
      return { value: weights, wallMs, ...(gpuMs !== undefined ? { gpuMs } : {}) };
    },
    // the worker computes them when the page answers 'cpu'
    () => Promise.resolve(undefined),
  );
  if (cancelled) return { type: 'gpuAttentionResult', seq: job.seq, where: 'cpu', cancelled: true };
  if (placed.where === 'cpu' || !placed.value)
    return {
      type: 'gpuAttentionResult',
      seq: job.seq,
      where: 'cpu',
      ...(placed.fresh ? { note: placed.fresh } : {}),
    };
  lastWeights = TEST_HOOKS ? placed.value : undefined;
  const ms = Number(/in ([\d.]+) ms$/.exec(placed.label)?.[1] ?? NaN);
  return {
    type: 'gpuAttentionResult',
    seq: job.seq,
    where: 'gpu',
    label: placed.label,
    accuracy: `float32; stated accuracy |Δw| ≤ ${attentionWeightBound(job).toExponential(1)} (absolute, against float64)`,
    weights: placed.value,
    ms,
  };
}
