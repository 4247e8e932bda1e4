import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { colorOf, colormapLut, SPECIAL_COLORS } from '../../src/core/color/colormaps';
import { pythonJson, tempDir } from '../helpers/python';
import { decodePng, pixel } from '../helpers/png';
import { driver, SCREENSHOTS, vsixUnderTest, Workbench } from './workbench';

/**
 * Issue 12 item 7: a float64 `.npy` of `np.arange(1, 10).reshape(3, 3) * 1e200` (all finite)
 * was painted entirely in the +Inf colour with a 0–1 colorbar, because the slice was narrowed
 * to float32 before it was mapped. It must paint the viridis gradient of its values, with
 * colorbar ticks in its range and exact values in the tooltip, with either renderer.
 */
describe('heatmap of float64 values beyond float32 in the real VS Code page (e2e)', function () {
  this.timeout(300_000);
  let wb: Workbench;
  let frame: Frame;
  let ref: { values: number[][]; repr: string[][]; lo: number; hi: number };

  function settings(s: Record<string, unknown>): void {
    mkdirSync(join(wb.workspace, '.vscode'), { recursive: true });
    writeFileSync(join(wb.workspace, '.vscode', 'settings.json'), JSON.stringify(s));
  }

  before(async () => {
    const dir = tempDir('ml-e2e-wide-');
    ref = pythonJson(
      `
import numpy as np, json, sys
a = np.arange(1, 10).reshape(3, 3) * 1e200
assert a.dtype == np.float64 and np.isfinite(a).all()
np.save(sys.argv[1] + '/huge.npy', a)
print(json.dumps(dict(values=a.tolist(), repr=[[repr(float(v)) for v in r] for r in a],
  lo=float(a.min()), hi=float(a.max()))))
`,
      [dir],
    );
    const drv = await driver();
    wb = await drv.openWorkbench({ label: 'e2e-wide', vsix: vsixUnderTest(), workspaceFrom: dir });
    settings({ 'matrixLens.heatmap.renderer': 'webgl2' });
    await drv.quickOpen(wb.page, 'huge.npy');
    frame = await drv.webviewFrame(wb.page, '#heatmap', 60_000);
    await frame.waitForSelector('#heatmap[data-renderer]');
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await wb?.close();
  });

  for (const renderer of ['webgl2', 'canvas'] as const) {
    it(`${renderer}: paints the gradient of 1e200 … 9e200, no cell in the +Inf colour`, async () => {
      settings({ 'matrixLens.heatmap.renderer': renderer });
      await frame.waitForSelector(`#heatmap[data-renderer="${renderer}"]`, { timeout: 30_000 });
      await wb.page.waitForTimeout(300);
      const box = (await frame.locator('#heatmap').boundingBox())!;
      const img = decodePng(
        await wb.page.screenshot({ path: join(SCREENSHOTS, `heatmap-1e200-${renderer}.png`) }),
      );
      const lut = colormapLut('viridis');
      const seen = new Set<string>();
      for (let r = 0; r < 3; r++)
        for (let c = 0; c < 3; c++) {
          const got = pixel(
            img,
            box.x + ((c + 0.5) / 3) * box.width,
            box.y + ((r + 0.5) / 3) * box.height,
          );
          const want = colorOf(ref.values[r][c], ref.lo, ref.hi, lut);
          assert.notDeepEqual(got, [...SPECIAL_COLORS.posinf], `cell [${r}, ${c}] drawn as +Inf`);
          for (let k = 0; k < 3; k++)
            assert.ok(
              Math.abs(got[k] - want[k]) <= 3,
              `cell [${r}, ${c}] = ${ref.repr[r][c]}: pixel ${got} vs viridis ${want}`,
            );
          seen.add(got.join(','));
        }
      assert.equal(seen.size, 9, 'nine values, nine colours');
      // the colorbar's ticks are values of the array's range, not 0–1
      const ticks = (await frame.locator('#ticks span').allTextContents()).map(Number);
      assert.ok(ticks.length >= 2, `ticks ${ticks}`);
      for (const t of ticks)
        assert.ok(t >= ref.lo && t <= ref.hi * (1 + 1e-9), `tick ${t} outside [1e200, 9e200]`);
    });
  }

  it('the tooltip shows the exact float64 value of the hovered cell', async () => {
    const box = (await frame.locator('#heatmap').boundingBox())!;
    for (const [r, c] of [
      [1, 1],
      [2, 2],
    ] as const) {
      await wb.page.mouse.move(
        box.x + ((c + 0.5) / 3) * box.width,
        box.y + ((r + 0.5) / 3) * box.height,
      );
      const want = `[${r}, ${c}] = ${ref.repr[r][c]}`;
      await frame
        .waitForFunction((w) => document.getElementById('tooltip')?.textContent === w, want, {
          timeout: 10_000,
        })
        .catch(async () => {
          throw new Error(`tooltip "${await frame.textContent('#tooltip')}", wanted "${want}"`);
        });
    }
    await wb.page.screenshot({ path: join(SCREENSHOTS, 'heatmap-1e200-tooltip.png') });
    await wb.page.mouse.move(5, 5);
  });
});
