/**
 * Whether a job fits the device: every buffer within maxBufferSize and every binding within
 * maxStorageBufferBindingSize, the dispatch grid within maxComputeWorkgroupsPerDimension, the
 * workgroup's shared memory and invocations within theirs. Pure, so that the outcome ("too large
 * for this GPU, using CPU") is decided and tested without a GPU.
 */
import type { GpuLimits } from './webgpu';

export interface GpuJobShape {
  /** what the job computes, for the message ("matmul 4096×4096·4096×4096") */
  what: string;
  /** byte size of every storage buffer it binds */
  buffers: number[];
  /** workgroups per dispatch dimension */
  grid: [number, number, number];
  /** bytes of var<workgroup> memory per workgroup */
  sharedBytes: number;
  /** invocations per workgroup */
  invocations: number;
}

export type FitResult = { ok: true } | { ok: false; reason: string };

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MiB`;
}

export function fitsLimits(l: GpuLimits, job: GpuJobShape): FitResult {
  const biggest = Math.max(0, ...job.buffers);
  const tooLarge = (detail: string): FitResult => ({
    ok: false,
    reason: `${job.what} is too large for this GPU (${detail}), using CPU`,
  });
  if (biggest > l.maxBufferSize)
    return tooLarge(`a ${mib(biggest)} buffer exceeds maxBufferSize ${mib(l.maxBufferSize)}`);
  if (biggest > l.maxStorageBufferBindingSize)
    return tooLarge(
      `a ${mib(biggest)} binding exceeds maxStorageBufferBindingSize ${mib(l.maxStorageBufferBindingSize)}`,
    );
  if (job.buffers.length > l.maxStorageBuffersPerShaderStage)
    return tooLarge(
      `${job.buffers.length} storage buffers exceed ${l.maxStorageBuffersPerShaderStage}`,
    );
  const g = Math.max(...job.grid);
  if (g > l.maxComputeWorkgroupsPerDimension)
    return tooLarge(
      `${g} workgroups exceed maxComputeWorkgroupsPerDimension ${l.maxComputeWorkgroupsPerDimension}`,
    );
  if (job.sharedBytes > l.maxComputeWorkgroupStorageSize)
    return tooLarge(
      `${job.sharedBytes} B of workgroup memory exceed ${l.maxComputeWorkgroupStorageSize} B`,
    );
  if (job.invocations > l.maxComputeInvocationsPerWorkgroup)
    return tooLarge(
      `${job.invocations} invocations per workgroup exceed ${l.maxComputeInvocationsPerWorkgroup}`,
    );
  return { ok: true };
}

/** Thrown by a kernel whose job does not fit; the router turns it into the CPU path. */
export class GpuTooLarge extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Thrown when no adapter/device is there, or the device was lost. */
export class GpuUnavailable extends Error {}
