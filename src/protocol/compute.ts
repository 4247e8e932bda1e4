/**
 * Where heavy numbers run: the `matrixLens.compute` setting and what a panel is told to route
 * through the webview's ComputeRouter (webview/gpu/route.ts). `auto` takes the GPU from
 * {@link GPU_AUTO_MIN_ELEMENTS} elements of input on, and only on a hardware adapter (a
 * software fallback such as SwiftShader is a CPU too, slower than the worker); `gpu` takes any
 * adapter, fallback included; `cpu` always uses the worker.
 */
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
