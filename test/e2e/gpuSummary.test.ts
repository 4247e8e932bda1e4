import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { pythonJson, tempDir } from '../helpers/python';
import {
  driver,
  hookedFrame,
  paletteCommand,
  pickRows,
  SCREENSHOTS,
  openComputeWorkbench,
  setComputeSetting,
  Workbench,
} from './workbench';

/** The array panel's test hook (webview/heatmap/main.ts, test builds). */
interface Hook {
  loseGpu(): Promise<boolean>;
  gpuSummary():
    | {
        count: number;
        finite: number;
        nan: number;
        posInf: number;
        negInf: number;
        min?: number;
        max?: number;
        mean?: number;
      }
    | undefined;
}
type W = { __matrixLensHeatmap?: Hook };

interface Ref {
  count: number;
  finite: number;
  nan: number;
  posinf: number;
  neginf: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * Issue 15 in the real VS Code page: the array editor's summary (min, max, mean, NaN/Inf
 * counts) computed by the page's WebGPU reduction kernel (SwiftShader here) from values the
 * host sends in chunks, matching NumPy; `cpu` keeps it on the worker and the panel says so;
 * a lost device falls back to the worker and says so once.
 */
describe('array summary on the GPU in the real VS Code page (e2e)', function () {
  this.timeout(600_000);
  let wb: Workbench;
  let page: Page;
  let frame: Frame;
  let ref: Record<string, Ref>;

  before(async () => {
    const dir = tempDir('ml-e2e-gpusum-');
    ref = pythonJson(
      `
import numpy as np, json, sys
d = sys.argv[1]
rng = np.random.default_rng(15)
# over one chunk (1 048 576 values): two messages to the page's GPU
big = (rng.standard_normal((1030, 1050)) * 3 + 0.5).astype(np.float32)
big.flat[::997] = np.nan
big.flat[5::10007] = np.inf
big.flat[9::20011] = -np.inf
other = rng.standard_normal((300, 400)) * 1e3   # float64: the GPU sees it rounded to float32
other[7, 9] = np.nan
other[8, 1] = -np.inf
third = np.arange(12, dtype=np.float32).reshape(3, 4)
np.save(d + '/spec.npy', rng.standard_normal((60, 40)).astype(np.float32))
# attention big enough for several submits of heads on SwiftShader (16 × 2048 × 2048 weights)
for n in ('aq', 'ak', 'av'):
    np.save(d + '/' + n + '.npy', rng.standard_normal((16, 2048, 16)).astype(np.float32))
np.savez(d + '/arrays.npz', big=big, other=other, third=third)
def ref(a):
    f = a[np.isfinite(a)].astype(np.float64)
    return dict(count=int(a.size), finite=int(f.size), nan=int(np.isnan(a).sum()),
      posinf=int(np.isposinf(a).sum()), neginf=int(np.isneginf(a).sum()),
      min=float(np.nanmin(f)), max=float(np.nanmax(f)), mean=float(f.mean()))
print(json.dumps(dict(big=ref(big), other=ref(other))))
`,
      [dir],
    );
    wb = await openComputeWorkbench('e2e-gpusum', dir, { width: 1400, height: 900 });
    page = wb.page;
    const d = await driver();
    await d.quickOpen(page, 'arrays.npz');
    frame = await d.webviewFrame(page, '#summary-compute', 120_000);
  });

  after(async () => {
    await wb?.close();
  });

  const setCompute = (mode: string): Promise<void> => setComputeSetting(wb, mode);

  /**
   * Waits until the summary of entry `name` says it ran where `where` says ('GPU' or 'CPU')
   * and no GPU run is pending.
   */
  async function settled(name: string, where: 'GPU' | 'CPU'): Promise<void> {
    await frame.waitForFunction(
      ([n, w]) =>
        (document.querySelector('.meta .file')?.textContent ?? '').includes(n) &&
        (
          document.querySelector('#summary-compute [data-key="summary-where"]')?.textContent ?? ''
        ).includes(`computed on ${w}`) &&
        !document.querySelector('#summary-compute .pending'),
      [name, where] as const,
      { timeout: 240_000 },
    );
  }

  /** Picks entry `name` in the side list; waits until its summary ran where `where` says. */
  async function select(name: string, where: 'GPU' | 'CPU'): Promise<void> {
    await frame.locator('.sidebar li', { hasText: name }).first().click();
    await settled(name, where);
  }

  async function text(key: string): Promise<string> {
    return (await frame.locator(`[data-key="${key}"]`).textContent()) ?? '';
  }

  const hook = () =>
    frame.evaluate(() => (window as unknown as W).__matrixLensHeatmap!.gpuSummary());

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, name) });
  }

  /** The GPU's numbers against NumPy's: counts and min/max exact (as float32), μ within bound. */
  async function checkGpu(r: Ref, f32: boolean): Promise<void> {
    const g = await hook();
    assert.ok(g, 'the GPU summary');
    assert.deepEqual(
      [g.count, g.finite, g.nan, g.posInf, g.negInf],
      [r.count, r.finite, r.nan, r.posinf, r.neginf],
    );
    assert.equal(g.min, Math.fround(r.min));
    assert.equal(g.max, Math.fround(r.max));
    const acc = await text('summary-gpu-accuracy');
    assert.match(acc, f32 ? /counts exact;/ : /counts exact of the values rounded to float32;/);
    const bound = Number(/\|Δμ\| ≤ ([\d.]+e[+-]\d+)/.exec(acc)?.[1]);
    assert.ok(bound > 0 && bound < 1e-3 * Math.max(Math.abs(r.min), Math.abs(r.max)), acc);
    assert.ok(
      Math.abs(g.mean! - r.mean) <= bound,
      `GPU mean ${g.mean} vs NumPy ${r.mean} (${acc})`,
    );
    assert.match(acc, /counts agree, min and max agree, \|Δμ\| = /);
    assert.equal(await frame.locator('#summary-compute .warn').count(), 0);
  }

  it("'gpu': the summary of a NumPy array with NaN/±Inf comes from the GPU, in chunks, and matches NumPy", async () => {
    await settled('big', 'GPU');
    assert.match(
      await text('summary-where'),
      /^Summary \(min, max, mean, NaN\/Inf counts\): computed on GPU \(.*swiftshader.*\) in [\d.]+ ms$/i,
    );
    const line = await text('summary-gpu');
    const r = ref.big;
    assert.ok(
      line.startsWith('GPU, float32: x∈[') &&
        line.includes(` NaN ${r.nan} +Inf ${r.posinf} −Inf ${r.neginf}; `) &&
        / [\d.]+ MiB moved to the GPU in 2 chunks \(\d+ ms\)$/.test(line),
      line,
    );
    await checkGpu(ref.big, true);
    // the worker's float64 summary line is still there (σ, zeros)
    assert.ok(
      ((await frame.textContent('#summary')) ?? '').includes(
        `NaN ${r.nan} +Inf ${r.posinf} −Inf ${r.neginf}`,
      ),
    );
    await shot('gpu-summary-gpu.png');
  });

  it("'gpu': a float64 array goes as float32 and says so", async () => {
    await select('other', 'GPU');
    assert.match(await text('summary-where'), /computed on GPU \(.*swiftshader.*\)/i);
    await checkGpu(ref.other, false);
  });

  it("'cpu': the worker's summary, and the panel says it ran on the CPU", async () => {
    await setCompute('cpu');
    await select('big', 'CPU');
    // no GPU job follows
    await page.waitForTimeout(2000);
    assert.match(
      await text('summary-where'),
      /^Summary computed on CPU \(1 thread, float64\) in [\d.]+ ms$/,
    );
    assert.equal(await frame.locator('[data-key^="summary-gpu"]').count(), 0);
    assert.equal(await frame.locator('[data-key="summary-note"]').count(), 0);
    await shot('gpu-summary-cpu.png');
  });

  it('a lost device: the worker summary, said once', async () => {
    await setCompute('gpu');
    await select('other', 'GPU');
    assert.equal(
      await frame.evaluate(() => (window as unknown as W).__matrixLensHeatmap!.loseGpu()),
      true,
    );
    await select('big', 'CPU');
    assert.match(await text('summary-where'), /^Summary computed on CPU \(1 thread, float64\)/);
    await frame.locator('[data-key="summary-note"]').waitFor({ timeout: 60_000 });
    assert.match(
      await text('summary-note'),
      /GPU device lost \(destroyed.*computing on CPU from now on/,
    );
    assert.equal(await frame.locator('[data-key^="summary-gpu"]').count(), 0);
    await shot('gpu-summary-lost.png');
    // the next array: on the CPU again, and the note is not repeated
    await select('third', 'CPU');
    await page.waitForTimeout(1000);
    assert.match(await text('summary-where'), /^Summary computed on CPU/);
    assert.equal(await frame.locator('[data-key="summary-note"]').count(), 0);
  });

  /** The array editor page showing `file` (several may be open). */
  async function summaryFrame(file: string, timeoutMs = 120_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const f of page.frames()) {
        try {
          const t = await f.evaluate(() => document.querySelector('.meta .file')?.textContent);
          if (t?.includes(file)) return f;
        } catch {
          /* detached or not ours */
        }
      }
      await page.waitForTimeout(300);
    }
    throw new Error(`no array editor shows ${file}`);
  }

  it('a window reload: the summary and Analyze say again where they were computed', async () => {
    await paletteCommand(page, 'spec.npy', undefined, true);
    await page.locator('.tab', { hasText: 'spec.npy' }).first().waitFor({ timeout: 30_000 });
    frame = await summaryFrame('spec.npy');
    await settled('spec.npy', 'GPU');
    await page.waitForTimeout(500);
    await paletteCommand(page, 'Matrix Lens: Analyze', 'spec.npy');
    let analysis = await hookedFrame(page, 'the analysis panel', 120_000);
    const top = analysis.locator('[data-key="compute-gpu-top"]');
    await top.waitFor({ timeout: 240_000 });
    const before = (await top.textContent()) ?? '';
    assert.match(before, /^Top 32 singular values: computed on GPU \(.*swiftshader.*\)/i);
    await page.waitForTimeout(1000);
    // Developer: Reload Window (saves the workbench state, webviews' included, then reloads)
    await (await driver()).runCommand(page, 'Developer: Reload Window');
    await page.waitForTimeout(3000);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    try {
      const tab = page.locator('.tab', { hasText: 'Analysis: ' }).first();
      await tab.waitFor({ timeout: 60_000 });
      await tab.click();
      analysis = await hookedFrame(page, 'the analysis panel', 60_000);
      await analysis.locator('[data-key="compute-gpu-top"]').waitFor({ timeout: 60_000 });
    } catch (e) {
      await shot('gpu-summary-reload-failed.png');
      throw e;
    }
    // the saved line, not a new GPU run (the restored panel gets no GPU job)
    assert.equal(await analysis.locator('[data-key="compute-gpu-top"]').textContent(), before);
    assert.match(
      (await analysis.locator('[data-key="compute-gpu-accuracy"]').textContent()) ?? '',
      /stated accuracy \|Δσ\| ≤ 1e-5·σ₁/,
    );
    await page.locator('.tab', { hasText: 'spec.npy' }).first().click();
    frame = await summaryFrame('spec.npy');
    // the editor reads the array again and its new page runs the summary on its GPU again
    await settled('spec.npy', 'GPU');
    assert.match(await text('summary-gpu-accuracy'), /counts agree, min and max agree/);
    await shot('gpu-summary-reloaded.png');
  });

  it('attention on the GPU: progress between groups of heads, and Cancel stops it (nothing is computed)', async () => {
    for (const file of ['aq.npy', 'ak.npy', 'av.npy']) {
      await paletteCommand(page, file, undefined, true);
      await page.locator('.tab', { hasText: file }).first().waitFor({ timeout: 30_000 });
    }
    const before = new Set(page.frames());
    await paletteCommand(page, 'Matrix Lens: Attention from Q, K, V', 'av.npy');
    await pickRows(page, ['aq.npy', 'ak.npy', 'av.npy', 'Causal']);
    let view: Frame | undefined;
    const deadline = Date.now() + 240_000;
    while (!view && Date.now() < deadline) {
      for (const f of page.frames()) {
        if (before.has(f)) continue;
        try {
          if ((await f.locator('#cancel-gpu').count()) > 0) view = f;
        } catch {
          /* detached */
        }
      }
      await page.waitForTimeout(200);
    }
    assert.ok(view, 'the attention view shows its GPU run with a Cancel button');
    await view.waitForFunction(
      () =>
        /^on the GPU: \d+ of 16 heads$/.test(
          document.getElementById('gpu-progress')?.textContent ?? '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    await shot('gpu-attention-progress.png');
    await view.locator('#cancel-gpu').click();
    // the message, then the Recompute button's label
    await view.waitForFunction(
      () =>
        (document.getElementById('message')?.textContent ?? '').startsWith(
          'Cancelled: the attention weights were not computed.',
        ),
      undefined,
      { timeout: 240_000 },
    );
    assert.equal(await view.locator('#recompute').count(), 1, 'Recompute is offered');
    assert.equal(
      await view.locator('[data-key^="compute-"]').count(),
      0,
      "no weights, not even the worker's",
    );
    await shot('gpu-attention-cancelled.png');
  });
});
