import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { colorOf, colormapLut, SPECIAL_COLORS } from '../../src/core/color/colormaps';
import { pythonJson, tempDir } from '../helpers/python';
import { decodePng, pixel } from '../helpers/png';
import { driver, SCREENSHOTS, vsixUnderTest, Workbench } from './workbench';

/** What a person sees: a NumPy-written .npy opened from Quick Open in the real VS Code page. */
describe('heatmap panel in the real VS Code page (e2e)', function () {
  this.timeout(240_000);
  let wb: Workbench;
  let frame: Frame;
  let ref: { values: (number | null)[][]; min: number; max: number; nanCell: [number, number] };
  const ROWS = 24;
  const COLS = 32;

  before(async () => {
    const dir = tempDir('ml-e2e-');
    ref = pythonJson(
      `
import numpy as np, json, sys
rng = np.random.default_rng(11)
a = rng.standard_normal((${ROWS}, ${COLS})).astype(np.float32)
a[5, 7] = np.nan
np.save(sys.argv[1] + '/weights.npy', a)
f = a.astype(np.float64)
print(json.dumps(dict(values=[[None if np.isnan(v) else float(v) for v in row] for row in f], min=float(np.nanmin(f)), max=float(np.nanmax(f)), nanCell=[5, 7])))
`,
      [dir],
    );
    const d = await driver();
    wb = await d.openWorkbench({ label: 'e2e-heatmap', vsix: vsixUnderTest(), workspaceFrom: dir });
    await d.quickOpen(wb.page, 'weights.npy');
    frame = await d.webviewFrame(wb.page, '#heatmap', 60_000);
    await frame.waitForFunction(
      () => (document.getElementById('heatmap') as HTMLCanvasElement | null)?.width === 32,
    );
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await wb?.close();
  });

  it('shows dtype, shape, order, size and the summary line', async () => {
    assert.equal(await frame.textContent('#meta-dtype'), 'float32');
    assert.equal(await frame.textContent('#meta-shape'), `(${ROWS}, ${COLS})`);
    assert.equal(await frame.textContent('#meta-order'), 'C (row-major)');
    assert.match((await frame.textContent('#meta-bytes')) ?? '', /3,072 bytes/);
    const summary = (await frame.textContent('#summary')) ?? '';
    assert.match(summary, /^float32\[24, 32\] n=768 \(3 KiB\) x∈\[/);
    assert.match(summary, /NaN 1 \+Inf 0 −Inf 0/);
  });

  it('paints each cell in the colormap colour of its value (read from a real screenshot)', async () => {
    const canvas = frame.locator('#heatmap');
    const box = await canvas.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, 'the heatmap is visible and sized');
    const shot = await wb.page.screenshot({ path: join(SCREENSHOTS, 'heatmap.png') });
    copyFileSync(join(SCREENSHOTS, 'heatmap.png'), join(SCREENSHOTS, 'npy-editor.png'));
    const img = decodePng(shot);
    const lut = colormapLut('viridis');
    const at = (r: number, c: number) =>
      pixel(img, box.x + ((c + 0.5) / COLS) * box.width, box.y + ((r + 0.5) / ROWS) * box.height);
    let checked = 0;
    for (const [r, c] of [
      [0, 0],
      [3, 17],
      [12, 31],
      [23, 0],
      [23, 31],
    ]) {
      const v = ref.values[r][c] as number;
      const want = colorOf(v, ref.min, ref.max, lut);
      const got = at(r, c);
      for (let k = 0; k < 3; k++)
        assert.ok(
          Math.abs(got[k] - want[k]) <= 3,
          `cell [${r}, ${c}] = ${v}: pixel ${got} vs viridis ${want}`,
        );
      checked++;
    }
    assert.equal(checked, 5);
    // the minimum and maximum cells get the two ends of the colormap
    const flat = ref.values.flat();
    const iMax = flat.indexOf(ref.max);
    const top = at(Math.floor(iMax / COLS), iMax % COLS);
    assert.deepEqual(
      top.map((x, k) => Math.abs(x - lut[255 * 3 + k]) <= 3),
      [true, true, true],
      `max cell ${top}`,
    );
    // NaN is magenta, distinct from every colormap colour
    const nan = at(ref.nanCell[0], ref.nanCell[1]);
    assert.deepEqual(nan, [...SPECIAL_COLORS.nan]);
  });

  it('draws a colorbar from the top (max) to the bottom (min) of the colormap, with ticks', async () => {
    const bar = await frame.locator('#colorbar').boundingBox();
    assert.ok(bar);
    const img = decodePng(await wb.page.screenshot());
    const lut = colormapLut('viridis');
    const top = pixel(img, bar.x + bar.width / 2, bar.y + 1);
    const bottom = pixel(img, bar.x + bar.width / 2, bar.y + bar.height - 2);
    for (let k = 0; k < 3; k++) {
      assert.ok(Math.abs(top[k] - lut[255 * 3 + k]) <= 6, `top ${top}`);
      assert.ok(Math.abs(bottom[k] - lut[k]) <= 6, `bottom ${bottom}`);
    }
    const ticks = await frame.locator('#ticks span').allTextContents();
    assert.ok(ticks.length >= 3, `ticks: ${ticks}`);
    const nums = ticks.map((t) => Number(t.replace('−', '-')));
    assert.ok(
      nums.every((t) => t >= ref.min - 1e-9 && t <= ref.max + 1e-9),
      `ticks within range: ${ticks}`,
    );
  });

  it('hovering a cell shows [row, col] = value', async () => {
    const box = (await frame.locator('#heatmap').boundingBox())!;
    for (const [r, c] of [
      [2, 9],
      [20, 30],
      [5, 7],
    ]) {
      await wb.page.mouse.move(
        box.x + ((c + 0.5) / COLS) * box.width,
        box.y + ((r + 0.5) / ROWS) * box.height,
      );
      await frame.waitForSelector('#tooltip:not([hidden])');
      const text = (await frame.textContent('#tooltip')) ?? '';
      const v = ref.values[r][c];
      const m = /^\[(\d+), (\d+)\] = (\S+)$/.exec(text);
      assert.ok(m, `tooltip "${text}"`);
      assert.deepEqual([Number(m[1]), Number(m[2])], [r, c]);
      if (v === null) assert.equal(m[3], 'NaN');
      else
        assert.ok(
          Math.abs(Number(m[3]) - v) <= 1e-5 * Math.max(1, Math.abs(v)),
          `tooltip value ${m[3]} vs ${v}`,
        );
    }
    await wb.page.screenshot({ path: join(SCREENSHOTS, 'heatmap-tooltip.png') });
  });
});
