/**
 * The array panel's summary on the page's GPU: the host offers a {@link SummaryJob} when
 * `matrixLens.compute` and the size allow it; the page's compute router (one device per page)
 * runs the reduction kernel (webview/gpu/summary.ts) over the values, asked from the host one
 * chunk at a time and written into one GPU buffer, or gives up with a reason (no adapter, a
 * software adapter under `auto`, too large for the device's limits, a lost device: said once).
 * Without the GPU the worker's float64 summary stands, as computed on the CPU.
 */
import type { SummaryJob } from '../../src/protocol/heatmap';
import { gpuSummaryChunked, type GpuSummary } from '../gpu/summary';
import type { ChunkedUpload } from '../gpu/summary';
import { routeJob } from '../gpu/panelRouter';
export { loseDeviceForTest } from '../gpu/panelRouter';

/** how the router's note for a GPU given up for good ends (webview/gpu/route.ts) */
const FROM_NOW_ON = 'computing on CPU from now on';

export type SummaryOutcome =
  | { where: 'gpu'; label: string; value: GpuSummary & ChunkedUpload }
  /** the worker's summary stands; `note`: why the GPU was not used (said once per reason) */
  | { where: 'cpu'; note?: string }
  /** a newer array was shown meanwhile */
  | { where: 'superseded' };

/** Chunks of values from the host: undefined once the job is superseded; throws when unreadable. */
export type ChunkSource = (start: number, count: number) => Promise<Float32Array | undefined>;

export async function runSummaryJob(job: SummaryJob, chunk: ChunkSource): Promise<SummaryOutcome> {
  if (job.refuse) return { where: 'cpu', note: job.refuse };
  // a chunk the host could not read: the GPU is not to blame (the router must not give it up)
  let unreadable: string | undefined;
  const placed = await routeJob(
    job.mode,
    job.count,
    async (ctx) => {
      const r = await gpuSummaryChunked(ctx, job.count, job.chunkValues, async (start, count) => {
        try {
          return await chunk(start, count);
        } catch (e) {
          unreadable = e instanceof Error ? e.message : String(e);
          return undefined;
        }
      });
      return r ?? { value: undefined, wallMs: 0 };
    },
    () => Promise.resolve(undefined as (GpuSummary & ChunkedUpload) | undefined),
  );
  if (unreadable !== undefined)
    return { where: 'cpu', note: `the values could not be read for the GPU (${unreadable})` };
  if (placed.where === 'gpu')
    return placed.value
      ? { where: 'gpu', label: placed.label, value: placed.value }
      : { where: 'superseded' };
  // a lost device or no adapter is said once (`fresh`); a job too large for this device's
  // limits each time (another array may fit)
  const note =
    placed.fresh ?? (placed.note && !placed.note.endsWith(FROM_NOW_ON) ? placed.note : undefined);
  return { where: 'cpu', ...(note ? { note } : {}) };
}
