/**
 * One WebGPU device for the webview: adapter selection (high-performance first), the limits
 * the kernels need requested up to what the adapter offers, timestamp queries where the adapter
 * has them, pipeline cache, upload/readback helpers, and device loss: once `device.lost`
 * resolves (other than through {@link GpuContext.close}) the context is dead, every later call
 * throws {@link GpuUnavailable}, and `onLost` is told once.
 */
import { GpuTooLarge, GpuUnavailable, GpuJobShape, fitsLimits } from './limits';
import {
  BufferUsage,
  Gpu,
  GpuBuffer,
  GpuComputePipeline,
  GpuDevice,
  GpuLimits,
  MapMode,
  navigatorGpu,
} from './webgpu';

export interface GpuAcquireOptions {
  /** called once when the device is lost after acquisition */
  onLost?: (message: string) => void;
  /** navigator.gpu by default */
  gpu?: Gpu;
}

export interface Timed<T> {
  value: T;
  /** wall time from submit to readback, ms */
  wallMs: number;
  /** GPU time of the compute passes from timestamp queries, ms (where the adapter has them) */
  gpuMs?: number;
}

/** Human name of the adapter: description, else vendor + architecture (+ "fallback"). */
export function adapterName(info: {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}): string {
  const base =
    info.description ||
    [info.vendor, info.architecture, info.device].filter((s) => s).join(' ') ||
    'unknown adapter';
  return info.isFallbackAdapter ? `${base}, software fallback` : base;
}

const WANTED_LIMITS: (keyof GpuLimits)[] = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxStorageBuffersPerShaderStage',
];

export class GpuContext {
  private lostMessage: string | undefined;
  private closing = false;
  private readonly pipelines = new Map<string, Promise<GpuComputePipeline>>();

  private constructor(
    readonly device: GpuDevice,
    readonly name: string,
    readonly fallbackAdapter: boolean,
    readonly timestamps: boolean,
  ) {}

  /** The device, or a GpuUnavailable that says why not. */
  static async acquire(opts: GpuAcquireOptions = {}): Promise<GpuContext> {
    const gpu = opts.gpu ?? navigatorGpu();
    if (!gpu) throw new GpuUnavailable('WebGPU is not available in this webview');
    const adapter =
      (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ??
      (await gpu.requestAdapter());
    if (!adapter) throw new GpuUnavailable('no WebGPU adapter');
    const requiredLimits: Partial<Record<keyof GpuLimits, number>> = {};
    for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
    const timestamps = adapter.features.has('timestamp-query');
    const device = await adapter.requestDevice({
      requiredFeatures: timestamps ? ['timestamp-query'] : [],
      requiredLimits,
      label: 'matrix-lens',
    });
    const info = adapter.info;
    const ctx = new GpuContext(device, adapterName(info), !!info.isFallbackAdapter, timestamps);
    void device.lost.then((l) => {
      if (ctx.closing) return;
      ctx.lostMessage = `GPU device lost (${l.reason}${l.message ? `: ${l.message}` : ''})`;
      opts.onLost?.(ctx.lostMessage);
    });
    return ctx;
  }

  get lost(): string | undefined {
    return this.lostMessage;
  }

  get limits(): GpuLimits {
    return this.device.limits;
  }

  /** Throws GpuUnavailable after loss and GpuTooLarge when the job does not fit. */
  check(job: GpuJobShape): void {
    if (this.lostMessage) throw new GpuUnavailable(this.lostMessage);
    const fit = fitsLimits(this.device.limits, job);
    if (!fit.ok) throw new GpuTooLarge(fit.reason);
  }

  close(): void {
    this.closing = true;
    this.device.destroy();
  }

  pipeline(key: string, code: string): Promise<GpuComputePipeline> {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code, label: key });
      p = this.device
        .createComputePipelineAsync({
          layout: 'auto',
          compute: { module, entryPoint: 'main' },
          label: key,
        })
        .catch(async (e: unknown) => {
          // name the WGSL error (line:column: message) rather than "invalid due to a previous error"
          const info = await module.getCompilationInfo();
          const errs = info.messages
            .filter((m) => m.type === 'error')
            .map((m) => `${m.lineNum}:${m.linePos}: ${m.message}`);
          throw new GpuUnavailable(
            `WGSL ${key} failed: ${errs.join('; ') || (e instanceof Error ? e.message : String(e))}`,
          );
        });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** A storage buffer holding `data` (padded to 4 bytes, at least 16). */
  upload(data: ArrayBufferView, extraUsage = 0): GpuBuffer {
    const size = Math.max(16, Math.ceil(data.byteLength / 4) * 4);
    const b = this.device.createBuffer({
      size,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC | extraUsage,
    });
    if (data.byteLength % 4 === 0) this.device.queue.writeBuffer(b, 0, data);
    else {
      const padded = new Uint8Array(size);
      padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      this.device.queue.writeBuffer(b, 0, padded);
    }
    return b;
  }

  uniform(words: ArrayBufferView): GpuBuffer {
    const size = Math.max(16, Math.ceil(words.byteLength / 16) * 16);
    const b = this.device.createBuffer({
      size,
      usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
    });
    this.device.queue.writeBuffer(b, 0, words);
    return b;
  }

  storage(bytes: number): GpuBuffer {
    return this.device.createBuffer({
      size: Math.max(16, Math.ceil(bytes / 4) * 4),
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
  }

  /**
   * Runs the passes (each: pipeline, buffers bound at 0..n-1 of group 0, grid) in one submit and
   * reads back `reads` (buffer, byte length). Wall time covers submit to readback; GPU time
   * comes from timestamp queries around the first and last pass where available. Validation
   * and out-of-memory errors become GpuUnavailable/GpuTooLarge instead of silent garbage.
   */
  async run(
    passes: {
      pipeline: GpuComputePipeline;
      /** bound at 0..n−1 of group 0; undefined for a binding the shader does not use */
      buffers: (GpuBuffer | undefined)[];
      grid: [number, number, number];
    }[],
    reads: { buffer: GpuBuffer; bytes: number }[],
  ): Promise<Timed<ArrayBuffer[]>> {
    if (this.lostMessage) throw new GpuUnavailable(this.lostMessage);
    const d = this.device;
    d.pushErrorScope('out-of-memory');
    d.pushErrorScope('validation');
    const t0 = performance.now();
    const enc = d.createCommandEncoder();
    const qs = this.timestamps ? d.createQuerySet({ type: 'timestamp', count: 2 }) : undefined;
    passes.forEach((p, i) => {
      const tw =
        qs && (i === 0 || i === passes.length - 1)
          ? {
              querySet: qs,
              ...(i === 0 ? { beginningOfPassWriteIndex: 0 } : {}),
              ...(i === passes.length - 1 ? { endOfPassWriteIndex: 1 } : {}),
            }
          : undefined;
      const pass = enc.beginComputePass(tw ? { timestampWrites: tw } : undefined);
      pass.setPipeline(p.pipeline);
      pass.setBindGroup(
        0,
        d.createBindGroup({
          layout: p.pipeline.getBindGroupLayout(0),
          entries: p.buffers.flatMap((buffer, binding) =>
            buffer ? [{ binding, resource: { buffer } }] : [],
          ),
        }),
      );
      pass.dispatchWorkgroups(...p.grid);
      pass.end();
    });
    let tsBuf: GpuBuffer | undefined;
    let tsRead: GpuBuffer | undefined;
    if (qs) {
      tsBuf = d.createBuffer({ size: 16, usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC });
      tsRead = d.createBuffer({ size: 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
      enc.resolveQuerySet(qs, 0, 2, tsBuf, 0);
      enc.copyBufferToBuffer(tsBuf, 0, tsRead, 0, 16);
    }
    const staging = reads.map((r) => {
      const size = Math.max(16, Math.ceil(r.bytes / 4) * 4);
      const s = d.createBuffer({ size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
      enc.copyBufferToBuffer(r.buffer, 0, s, 0, size);
      return s;
    });
    d.queue.submit([enc.finish()]);
    const validation = await d.popErrorScope();
    const oom = await d.popErrorScope();
    if (oom) throw new GpuTooLarge(`the GPU ran out of memory (${oom.message}), using CPU`);
    if (validation) throw new GpuUnavailable(`WebGPU rejected the job: ${validation.message}`);
    const out: ArrayBuffer[] = [];
    try {
      for (let i = 0; i < staging.length; i++) {
        await staging[i].mapAsync(MapMode.READ);
        out.push(staging[i].getMappedRange().slice(0, reads[i].bytes));
        staging[i].unmap();
      }
    } catch (e) {
      if (this.lostMessage) throw new GpuUnavailable(this.lostMessage);
      throw e;
    }
    const wallMs = performance.now() - t0;
    let gpuMs: number | undefined;
    if (tsRead) {
      await tsRead.mapAsync(MapMode.READ);
      const t = new BigUint64Array(tsRead.getMappedRange());
      const ns = Number(t[1] - t[0]);
      tsRead.unmap();
      if (ns > 0) gpuMs = ns / 1e6;
    }
    for (const s of staging) s.destroy();
    tsBuf?.destroy();
    tsRead?.destroy();
    qs?.destroy();
    return { value: out, wallMs, gpuMs };
  }
}
