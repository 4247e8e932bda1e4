/**
 * Where heavy numbers run: the `matrixLens.compute` setting and what a panel is told to route
 * through the webview's ComputeRouter (webview/gpu/route.ts). `auto` takes the GPU from
 * {@link GPU_AUTO_MIN_ELEMENTS} elements of input on, and only on a hardware adapter (a
 * software fallback such as SwiftShader is a CPU too, slower than the worker); `gpu` takes any
 * adapter, fallback included; `cpu` always uses the worker.
 */
import type { Stats } from '../core/stats/summary';

export type ComputeMode = 'auto' | 'gpu' | 'cpu';

export const COMPUTE_MODES: readonly ComputeMode[] = ['auto', 'gpu', 'cpu'];

/** `auto` sends a job to the GPU from this many input elements on (a 1024 × 1024 matrix). */
export const GPU_AUTO_MIN_ELEMENTS = 1024 * 1024;

/** How many of the largest singular values Analyze asks the GPU for. */
export const GPU_TOP_K = 32;

export function computeModeOf(v: unknown): ComputeMode {
  return v === 'gpu' || v === 'cpu' ? v : 'auto';
}

/** Whether the host should hand a job of `elements` inputs to the webview at all. */
export function mayUseGpu(mode: ComputeMode, elements: number): boolean {
  return mode === 'gpu' || (mode === 'auto' && elements >= GPU_AUTO_MIN_ELEMENTS);
}

/**
 * Analyze's full spectrum on the GPU (one-sided Jacobi, webview/gpu/jacobi.ts) up to this many
 * columns on the smaller side. Why: a sweep is N−1 dependent dispatches (N = columns) and
 * 6·m·N² flops over 8·m·N² bytes of column traffic, ~10 sweeps in float32. At m = N = 1024 that
 * is ~10k dispatches (~0.1 s of launch latency at ~10 µs each) and ~86 GB of traffic, mostly
 * from L2 (the 4 MiB matrix stays there on discrete GPUs): ~0.1–0.3 s (estimated, no GPU
 * measured yet: `npm run bench:gpu -- --real --only jacobi`) against the worker's
 * 0.45–0.67 s (float64, 2 threads). Jacobi does ~20× the CPU's flops (60·m·N² vs ~4·m·N²), so
 * each doubling of N needs a GPU 8× faster again while the dispatch chain doubles: beyond 1024
 * the CPU's bidiagonal path is the better bet on anything but the largest GPUs.
 */
export const GPU_JACOBI_MAX_COLS = 1024;
/** ...and up to this many elements (16 MiB of float32; e.g. 1024 × 4096). */
export const GPU_JACOBI_MAX_ELEMENTS = 4 * 1024 * 1024;

/** Whether Analyze also runs all singular values by Jacobi on the GPU for a rows×cols matrix. */
export function jacobiOnGpu(rows: number, cols: number): boolean {
  return Math.min(rows, cols) <= GPU_JACOBI_MAX_COLS && rows * cols <= GPU_JACOBI_MAX_ELEMENTS;
}

/**
 * Values per message when the host feeds an array's summary to the page's GPU (4 MiB of
 * float32): the host, the worker and the page hold one chunk at a time, the GPU the array.
 */
export const SUMMARY_CHUNK_VALUES = 1 << 20;

/** float32's largest finite value */
const F32_MAX = 3.4028234663852886e38;

/**
 * Why an array's summary cannot run on the GPU (undefined: it can), from what the worker
 * found: an array not held in memory (streamed from the file), an empty one, or finite values
 * float32 cannot hold (they would turn into ±Inf there and change the counts).
 */
export function summaryGpuRefusal(stats: Stats, loaded: boolean): string | undefined {
  if (!loaded)
    return 'the array is not held in memory (its summary was streamed from the file), so the GPU does not get it';
  if (stats.count === 0) return 'the array is empty';
  const big = Math.max(Math.abs(stats.min ?? 0), Math.abs(stats.max ?? 0));
  if (big > F32_MAX)
    return `values up to ${big.toExponential(2)} are beyond float32's range (±3.4e38): the GPU would see ±Inf`;
  return undefined;
}
