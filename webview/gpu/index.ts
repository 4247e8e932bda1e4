/** The webview's WebGPU path: device, limits, and the f32 kernels (see each file's header). */
export { GpuContext, adapterName } from './device';
export type { Timed, GpuAcquireOptions } from './device';
export { GpuTooLarge, GpuUnavailable, fitsLimits } from './limits';
export { gpuMatmul, gpuGram } from './matmul';
export { gpuSummary } from './summary';
export type { GpuSummary } from './summary';
export { gpuAttention } from './attention';
export type { GpuAttention, GpuAttentionOptions } from './attention';
export { ComputeRouter } from './route';
export type { ComputeMode, Placed, RouterOptions } from './route';
export { gpuTopSingularValues } from './randomizedSvd';
export type { GpuSvdOptions } from './randomizedSvd';
export { gpuJacobiSingularValues } from './jacobi';
export type { JacobiResult } from './jacobi';
