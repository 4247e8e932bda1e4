/**
 * The subset of the WebGPU API this module uses, typed here because TypeScript's DOM library
 * has no WebGPU declarations and the project does not depend on `@webgpu/types`. Names and
 * shapes follow the W3C WebGPU specification (https://www.w3.org/TR/webgpu/).
 */

export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;

export const MapMode = { READ: 0x0001 } as const;

export interface GpuLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupSizeY: number;
  maxComputeWorkgroupsPerDimension: number;
  maxStorageBuffersPerShaderStage: number;
}

export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

export interface GpuAdapter {
  readonly features: ReadonlySet<string>;
  readonly limits: GpuLimits;
  readonly info: GpuAdapterInfo;
  requestDevice(d?: {
    requiredFeatures?: string[];
    requiredLimits?: Partial<Record<keyof GpuLimits, number>>;
    label?: string;
  }): Promise<GpuDevice>;
}

export interface Gpu {
  requestAdapter(o?: {
    powerPreference?: 'high-performance' | 'low-power';
  }): Promise<GpuAdapter | null>;
}

export interface GpuBuffer {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

export interface GpuDeviceLostInfo {
  reason: 'unknown' | 'destroyed';
  message: string;
}

export type GpuBindGroupLayout = object;
export type GpuBindGroup = object;
export interface GpuShaderModule {
  getCompilationInfo(): Promise<{
    messages: readonly { type: string; message: string; lineNum: number; linePos: number }[];
  }>;
}
export interface GpuComputePipeline {
  getBindGroupLayout(i: number): GpuBindGroupLayout;
}
export interface GpuQuerySet {
  destroy(): void;
}

export interface GpuComputePass {
  setPipeline(p: GpuComputePipeline): void;
  setBindGroup(i: number, g: GpuBindGroup): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

export interface GpuCommandEncoder {
  beginComputePass(d?: {
    timestampWrites?: {
      querySet: GpuQuerySet;
      beginningOfPassWriteIndex?: number;
      endOfPassWriteIndex?: number;
    };
  }): GpuComputePass;
  copyBufferToBuffer(
    src: GpuBuffer,
    srcOffset: number,
    dst: GpuBuffer,
    dstOffset: number,
    size: number,
  ): void;
  resolveQuerySet(q: GpuQuerySet, first: number, count: number, dst: GpuBuffer, off: number): void;
  finish(): object;
}

export interface GpuDevice {
  readonly limits: GpuLimits;
  readonly features: ReadonlySet<string>;
  readonly lost: Promise<GpuDeviceLostInfo>;
  readonly queue: {
    writeBuffer(b: GpuBuffer, offset: number, data: ArrayBufferView | ArrayBuffer): void;
    submit(cmds: object[]): void;
    onSubmittedWorkDone(): Promise<void>;
  };
  createBuffer(d: { size: number; usage: number; label?: string }): GpuBuffer;
  createShaderModule(d: { code: string; label?: string }): GpuShaderModule;
  createComputePipelineAsync(d: {
    layout: 'auto';
    compute: { module: GpuShaderModule; entryPoint: string };
    label?: string;
  }): Promise<GpuComputePipeline>;
  createBindGroup(d: {
    layout: GpuBindGroupLayout;
    entries: { binding: number; resource: { buffer: GpuBuffer } }[];
  }): GpuBindGroup;
  createCommandEncoder(): GpuCommandEncoder;
  createQuerySet(d: { type: 'timestamp'; count: number }): GpuQuerySet;
  pushErrorScope(f: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<{ message: string } | null>;
  destroy(): void;
}

/** navigator.gpu where the browser offers WebGPU (a secure context in a WebGPU-enabled browser). */
export function navigatorGpu(): Gpu | undefined {
  const nav = (globalThis as { navigator?: { gpu?: Gpu } }).navigator;
  return nav?.gpu;
}
