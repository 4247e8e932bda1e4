/**
 * One WebGPU device and one ComputeRouter per panel page (a webview is its own page): the
 * router is rebuilt when `matrixLens.compute` changes, the device is shared, and a note (no
 * adapter, software fallback under `auto`, lost device) is handed out once, on the run it
 * happened in. Test builds can lose the device as a driver reset would.
 */
import type { ComputeMode } from '../../src/protocol/compute';
import { GpuContext } from './device';
import { ComputeRouter, Placed } from './route';
import type { Timed } from './device';

let context: Promise<GpuContext> | undefined;
let routed: { mode: ComputeMode; router: ComputeRouter } | undefined;
let fresh: string | undefined;

function acquire(): Promise<GpuContext> {
  context ??= GpuContext.acquire();
  return context;
}

/**
 * Runs `gpu` where `mode` says so (the host only sends `auto` jobs that are large enough),
 * else `cpu`; `note` is set only on the run where the GPU was given up.
 */
export async function routeJob<T>(
  mode: ComputeMode,
  elements: number,
  gpu: (ctx: GpuContext) => Promise<Timed<T>>,
  cpu: () => Promise<T>,
): Promise<Placed<T> & { fresh?: string }> {
  if (routed?.mode !== mode)
    routed = {
      mode,
      router: new ComputeRouter({
        mode,
        autoMinElements: 0,
        acquire,
        cpuDescription: 'the worker',
        onNote: (n) => (fresh = n),
      }),
    };
  fresh = undefined;
  const placed = await routed.router.run(elements, gpu, cpu);
  return fresh ? { ...placed, fresh } : placed;
}

/** Test builds: destroys the device; resolves once the context has seen the loss. */
export async function loseDeviceForTest(): Promise<boolean> {
  if (!TEST_HOOKS || !context) return false;
  const ctx = await context.catch(() => undefined);
  if (!ctx) return false;
  ctx.device.destroy();
  // the context's own handler (registered first) has marked it lost once this resolves
  await ctx.device.lost;
  return true;
}
