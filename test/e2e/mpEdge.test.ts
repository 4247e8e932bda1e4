import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { tempDir } from '../helpers/python';
import { decodePng, pixel } from '../helpers/png';
import { driver, SCREENSHOTS, vsixUnderTest, Workbench } from './workbench';

/** The analysis panel's test hook (webview/analysis/main.ts), the part used here. */
type W = {
  __matrixLens?: {
    charts(): Record<
      string,
      { u: { valToPos(v: number, s: string): number }; markers: Record<string, number> }
    >;
    theme(): Record<string, string>;
  };
};

/**
 * The demo's weights.npy (rank 8 plus 1 % noise) analysed as a person does: the singular-value
 * chart draws the Marchenko–Pastur edge where uPlot's scale puts the fitted edge, in the
 * guide colour, and says signal rank 8 with a noise level near 0.01.
 */
describe('analysis: Marchenko–Pastur edge on the demo weights (e2e)', function () {
  this.timeout(300_000);
  let wb: Workbench;

  before(async () => {
    const dir = tempDir('ml-e2e-mp-');
    copyFileSync(join(process.cwd(), 'demo', 'weights.npy'), join(dir, 'weights.npy'));
    wb = await (
      await driver()
    ).openWorkbench({ label: 'e2e-mp-edge', vsix: vsixUnderTest(), workspaceFrom: dir });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await wb?.close();
  });

  it('draws the edge line at valToPos(mpEdge) and names signal rank 8', async () => {
    const d = await driver();
    await d.quickOpen(wb.page, 'weights.npy');
    await d.webviewFrame(wb.page, '#heatmap', 60_000);
    await wb.page.waitForTimeout(2000);
    await d.runCommand(wb.page, 'Matrix Lens: Analyze');
    const f: Frame = await d.webviewFrame(wb.page, '#plot-sv .u-over', 90_000);
    const hint = (await f.textContent('[data-key="readout-sv"]')) ?? '';
    const m = /Marchenko–Pastur noise edge (\S+) \(noise σ ≈ (\S+), signal rank ≈ (\d+)\)/.exec(
      hint,
    );
    assert.ok(m, `readout "${hint}"`);
    const [edge, sigma, rank] = [Number(m[1]), Number(m[2]), Number(m[3])];
    assert.equal(rank, 8);
    assert.ok(sigma > 0.008 && sigma < 0.012, `noise σ ${sigma}`);
    const over = f.locator('#plot-sv .u-over');
    await over.scrollIntoViewIfNeeded();
    await wb.page.waitForTimeout(300);
    const box = (await over.boundingBox())!;
    const at = await f.evaluate((e) => {
      const hook = (window as unknown as W).__matrixLens!;
      const c = hook.charts().sv;
      return { y: c.u.valToPos(e, 'y'), marker: c.markers.mpEdgeY, guide: hook.theme().guide };
    }, edge);
    assert.ok(at.marker !== undefined, 'the edge line was drawn');
    assert.ok(Math.abs(at.marker - at.y) <= 1, `edge line at ${at.marker}, scale says ${at.y}`);
    const img = decodePng(
      await wb.page.screenshot({ path: join(SCREENSHOTS, 'analysis-mp-edge.png') }),
    );
    const g = /(\d+)[,\s]+(\d+)[,\s]+(\d+)/.exec(at.guide)!.slice(1).map(Number);
    // a dashed line: some of the samples along it are in the guide colour
    let hits = 0;
    for (let k = 1; k < 40; k++) {
      const x = box.x + (k / 40) * box.width;
      for (const dy of [-1, 0, 1]) {
        const p = pixel(img, x, box.y + at.y + dy);
        if (p.every((v, i) => Math.abs(v - g[i]) <= 40)) {
          hits++;
          break;
        }
      }
    }
    assert.ok(
      hits >= 8,
      `${hits} of 39 samples along the edge line in the guide colour ${at.guide}`,
    );
  });
});
