/**
 * Where a computation runs: the `matrixLens.compute` setting (`auto` = GPU at or above a size
 * threshold when an adapter exists, `gpu`, `cpu`), with every way the GPU path can fail leading
 * to the CPU path and a note saying why: no adapter, a job too large for the device's limits,
 * or a lost device (said once; the GPU is not tried again in this webview). The result carries
 * the line the panel shows (`auto` never picks a software fallback adapter): "computed on GPU (adapter) in N ms" or "computed on CPU (…) in N ms".
 */
import type { GpuContext, Timed } from './device';
import { GpuTooLarge, GpuUnavailable } from './limits';

export type ComputeMode = 'auto' | 'gpu' | 'cpu';

export interface Placed<T> {
  value: T;
  where: 'gpu' | 'cpu';
  /** "computed on GPU (SwiftShader …) in 12 ms" / "computed on CPU (2 threads) in 40 ms" */
  label: string;
  /** why the GPU was not used, when it was asked for or would have been chosen */
  note?: string;
}

export interface RouterOptions {
  mode: ComputeMode;
  /** `auto` uses the GPU from this many elements of input on */
  autoMinElements: number;
  /** the device, or a rejection saying why there is none */
  acquire: () => Promise<GpuContext>;
  /** how the CPU path is described, e.g. "2 threads" */
  cpuDescription: string;
  /** told once per distinct note (device lost, no adapter) */
  onNote?: (note: string) => void;
  now?: () => number;
}

function ms(x: number): string {
  return x < 10 ? x.toFixed(1) : String(Math.round(x));
}

export class ComputeRouter {
  private ctx: Promise<GpuContext> | undefined;
  private dead: string | undefined;
  private readonly told = new Set<string>();

  constructor(private readonly o: RouterOptions) {}

  private note(n: string): string {
    if (!this.told.has(n)) {
      this.told.add(n);
      this.o.onNote?.(n);
    }
    return n;
  }

  /** Runs `gpu` where the mode and size say so and the device can; otherwise `cpu`. */
  async run<T>(
    elements: number,
    gpu: (ctx: GpuContext) => Promise<Timed<T>>,
    cpu: () => Promise<T>,
  ): Promise<Placed<T>> {
    const now = this.o.now ?? (() => performance.now());
    const wantGpu =
      this.o.mode === 'gpu' || (this.o.mode === 'auto' && elements >= this.o.autoMinElements);
    let note: string | undefined;
    if (wantGpu && this.dead) note = this.dead;
    else if (wantGpu) {
      try {
        this.ctx ??= this.o.acquire();
        const ctx = await this.ctx;
        if (ctx.lost) throw new GpuUnavailable(ctx.lost);
        // a software adapter (SwiftShader, llvmpipe) is a CPU too, and a slower one than the
        // worker's engine: `auto` does not choose it; `gpu` still may (tests, comparisons)
        if (this.o.mode === 'auto' && ctx.fallbackAdapter)
          throw new GpuUnavailable(
            `the WebGPU adapter (${ctx.name}) is not a hardware GPU ('auto' skips it)`,
          );
        const r = await gpu(ctx);
        const t = r.gpuMs ?? r.wallMs;
        return {
          value: r.value,
          where: 'gpu',
          label: `computed on GPU (${ctx.name}) in ${ms(t)} ms`,
        };
      } catch (e) {
        if (e instanceof GpuTooLarge) note = e.reason;
        else {
          // no adapter, a lost device, a rejected job: the GPU path is off for this webview
          const ctx = await this.ctx?.catch(() => undefined);
          const why = ctx?.lost ?? (e instanceof Error ? e.message : String(e));
          this.dead = this.note(`${why}; computing on CPU from now on`);
          note = this.dead;
        }
      }
    }
    const t0 = now();
    const value = await cpu();
    return {
      value,
      where: 'cpu',
      label: `computed on CPU (${this.o.cpuDescription}) in ${ms(now() - t0)} ms`,
      ...(note ? { note } : {}),
    };
  }
}
