/**
 * "Attention from Q, K, V" on the view's GPU: the host sends Q, K, V per head, the page's
 * compute router runs the streaming-softmax kernel with the weights written out, and the
 * weights go back to the host, which keeps them in the worker like its own (tiles, focus and
 * the checks are computed from them there). Without a GPU the answer is "use the worker",
 * with the reason once. The weights are float32 with scores computed in float32: their
 * stated accuracy is the kernel tests' bound 4·u·(d·s_max + S + 16) (u = 2⁻²⁴, s_max the
 * largest |q|·|k|/√d), absolute, against float64.
 */
import type { GpuAttentionAnswer, GpuAttentionJob } from '../../src/protocol/attention';
import { gpuAttention } from '../gpu';
import { routeJob } from '../gpu/panelRouter';

const EPS32 = 2 ** -24;

/** The stated absolute error bound of the GPU's weights for `job`. */
export function attentionWeightBound(job: GpuAttentionJob): number {
  return 4 * EPS32 * (job.headDim * job.maxScore + job.keys + 16);
}

/** The last GPU weights (test builds read them to compare with NumPy). */
let lastWeights: Float32Array | undefined;
export function lastGpuWeights(): number[] | undefined {
  return TEST_HOOKS && lastWeights ? Array.from(lastWeights) : undefined;
}

export async function runAttentionJob(job: GpuAttentionJob): Promise<GpuAttentionAnswer> {
  const { heads: H, queries: T, keys: S, headDim: d, valueDim: dv } = job;
  const placed = await routeJob(
    job.mode,
    H * T * S,
    async (ctx) => {
      const r = await gpuAttention(ctx, job.q, job.k, job.v, H, T, S, d, dv, {
        causal: job.causal,
        weights: true,
      });
      return { ...r, value: r.value.weights! };
    },
    // the worker computes them when the page answers 'cpu'
    () => Promise.resolve(undefined),
  );
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
