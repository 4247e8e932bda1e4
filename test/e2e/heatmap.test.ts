import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { colorOf, colormapLut, SPECIAL_COLORS } from '../../src/core/color/colormaps';
import { pythonJson, tempDir } from '../helpers/python';
import { decodePng, pixel, type Image } from '../helpers/png';
import { driver, SCREENSHOTS, vsixUnderTest, Workbench } from './workbench';

type Box = { x: number; y: number; width: number; height: number };

/** What a person sees: a NumPy-written .npy opened from Quick Open in the real VS Code page. */
describe('heatmap panel in the real VS Code page (e2e)', function () {
  this.timeout(300_000);
  let wb: Workbench;
  let frame: Frame;
  let ref: {
    values: (number | null)[][];
    min: number;
    max: number;
    p1: number;
    p99: number;
    nanCell: [number, number];
    posInfCell: [number, number];
    negInfCell: [number, number];
  };
  const ROWS = 24;
  const COLS = 32;
  const d = () => driver();

  /** Workspace settings (renderer, theme): VS Code picks the file up and the panel redraws. */
  function settings(s: Record<string, unknown>): void {
    mkdirSync(join(wb.workspace, '.vscode'), { recursive: true });
    writeFileSync(join(wb.workspace, '.vscode', 'settings.json'), JSON.stringify(s));
  }

  async function canvasBox(): Promise<Box> {
    const box = await frame.locator('#heatmap').boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, 'the heatmap is visible and sized');
    return box;
  }

  /** Screen position of the centre of full-resolution cell (r, c) for the view [r0, r1)×[c0, c1). */
  function cellPos(box: Box, r: number, c: number, v = { r0: 0, r1: ROWS, c0: 0, c1: COLS }) {
    return {
      x: box.x + ((c + 0.5 - v.c0) / (v.c1 - v.c0)) * box.width,
      y: box.y + ((r + 0.5 - v.r0) / (v.r1 - v.r0)) * box.height,
    };
  }

  function assertColor(got: number[], want: readonly number[], what: string, tol = 3): void {
    for (let k = 0; k < 3; k++)
      assert.ok(Math.abs(got[k] - want[k]) <= tol, `${what}: pixel ${got} vs expected ${want}`);
  }

  async function shot(name: string): Promise<Image> {
    return decodePng(await wb.page.screenshot({ path: join(SCREENSHOTS, name) }));
  }

  /** Picks an option of a vscode-single-select like a person: open it, click the option. */
  async function choose(id: string, label: string): Promise<void> {
    await frame.locator(`#${id}`).click();
    const opt = frame.locator(`#${id}`).getByText(label, { exact: true }).last();
    await opt.click();
    await frame.waitForFunction(
      ([i, l]) =>
        (document.getElementById(i) as HTMLSelectElement | null)?.value !== undefined &&
        [...document.querySelectorAll(`#${i} vscode-option`)].some(
          (o) =>
            o.textContent === l &&
            (document.getElementById(i) as HTMLSelectElement).value === o.getAttribute('value'),
        ),
      [id, label] as const,
    );
  }

  before(async () => {
    const dir = tempDir('ml-e2e-');
    ref = pythonJson(
      `
import numpy as np, json, sys
rng = np.random.default_rng(11)
a = rng.standard_normal((${ROWS}, ${COLS})).astype(np.float32)
a[5, 7] = np.nan
a[1, 2] = np.inf
a[2, 1] = -np.inf
np.save(sys.argv[1] + '/weights.npy', a)
f = a.astype(np.float64)
fin = f[np.isfinite(f)]
def j(v): return None if not np.isfinite(v) else float(v)
print(json.dumps(dict(values=[[j(v) for v in row] for row in f], min=float(fin.min()), max=float(fin.max()),
  p1=float(np.percentile(fin, 1)), p99=float(np.percentile(fin, 99)), nanCell=[5, 7], posInfCell=[1, 2], negInfCell=[2, 1])))
`,
      [dir],
    );
    const drv = await d();
    wb = await drv.openWorkbench({
      label: 'e2e-heatmap',
      vsix: vsixUnderTest(),
      workspaceFrom: dir,
    });
    settings({ 'matrixLens.heatmap.renderer': 'webgl2' });
    await drv.quickOpen(wb.page, 'weights.npy');
    frame = await drv.webviewFrame(wb.page, '#heatmap', 60_000);
    await frame.waitForSelector('#heatmap[data-renderer]');
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
    assert.match(summary, /NaN 1 \+Inf 1 −Inf 1/);
  });

  for (const renderer of ['webgl2', 'canvas'] as const) {
    it(`${renderer}: paints each cell in the colormap colour of its value, NaN and ±Inf in theirs (from a real screenshot)`, async () => {
      settings({ 'matrixLens.heatmap.renderer': renderer });
      await frame.waitForSelector(`#heatmap[data-renderer="${renderer}"]`, { timeout: 30_000 });
      await wb.page.waitForTimeout(300);
      const box = await canvasBox();
      const img = await shot(`heatmap-${renderer}-dark.png`);
      if (renderer === 'webgl2') {
        copyFileSync(
          join(SCREENSHOTS, 'heatmap-webgl2-dark.png'),
          join(SCREENSHOTS, 'heatmap.png'),
        );
        copyFileSync(join(SCREENSHOTS, 'heatmap.png'), join(SCREENSHOTS, 'npy-editor.png'));
      }
      const lut = colormapLut('viridis');
      const at = (r: number, c: number) => {
        const p = cellPos(box, r, c);
        return pixel(img, p.x, p.y);
      };
      for (const [r, c] of [
        [0, 0],
        [3, 17],
        [12, 31],
        [23, 0],
        [23, 31],
      ]) {
        const v = ref.values[r][c] as number;
        assertColor(
          at(r, c),
          colorOf(v, ref.min, ref.max, lut),
          `${renderer} cell [${r}, ${c}] = ${v}`,
        );
      }
      const flat = ref.values.flat();
      const iMax = flat.indexOf(ref.max);
      assertColor(
        at(Math.floor(iMax / COLS), iMax % COLS),
        [...lut.subarray(765, 768)],
        'max cell',
      );
      assert.deepEqual(at(...ref.nanCell), [...SPECIAL_COLORS.nan], 'NaN is magenta');
      assert.deepEqual(at(...ref.posInfCell), [...SPECIAL_COLORS.posinf], '+Inf is white');
      assert.deepEqual(at(...ref.negInfCell), [...SPECIAL_COLORS.neginf], '−Inf is black');
      if (renderer === 'canvas') {
        // the tests below run on WebGL2
        settings({ 'matrixLens.heatmap.renderer': 'webgl2' });
        await frame.waitForSelector('#heatmap[data-renderer="webgl2"]', { timeout: 30_000 });
      }
    });
  }

  it('draws a colorbar from the top (max) to the bottom (min) of the colormap, with ticks', async () => {
    const bar = await frame.locator('#colorbar').boundingBox();
    assert.ok(bar);
    const img = await shot('heatmap-colorbar.png');
    const lut = colormapLut('viridis');
    assertColor(pixel(img, bar.x + bar.width / 2, bar.y + 1), [...lut.subarray(765)], 'top', 6);
    assertColor(
      pixel(img, bar.x + bar.width / 2, bar.y + bar.height - 2),
      [...lut.subarray(0, 3)],
      'bottom',
      6,
    );
    const ticks = await frame.locator('#ticks span').allTextContents();
    assert.ok(ticks.length >= 3, `ticks: ${ticks}`);
    const nums = ticks.map((t) => Number(t.replace('−', '-')));
    assert.ok(
      nums.every((t) => t >= ref.min - 1e-9 && t <= ref.max + 1e-9),
      `ticks within range: ${ticks}`,
    );
  });

  it('hovering a cell shows [row, col] = value', async () => {
    const box = await canvasBox();
    for (const [r, c] of [
      [2, 9],
      [20, 30],
      [5, 7],
    ]) {
      const p = cellPos(box, r, c);
      await wb.page.mouse.move(p.x, p.y);
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
    await wb.page.mouse.move(5, 5);
  });

  it('range modes change the colour of a known cell as predicted, and the colorbar ticks follow', async () => {
    const [r, c] = [3, 17];
    const v = ref.values[r][c] as number;
    const m = Math.max(Math.abs(ref.min), Math.abs(ref.max));
    for (const [label, lo, hi, file] of [
      ['symmetric ±', -m, m, 'heatmap-range-symmetric.png'],
      ['1–99 percentile', ref.p1, ref.p99, 'heatmap-range-percentile.png'],
      ['min – max', ref.min, ref.max, 'heatmap-range-minmax.png'],
    ] as const) {
      await choose('range-mode', label);
      await wb.page.waitForTimeout(200);
      const box = await canvasBox();
      const img = await shot(file);
      const p = cellPos(box, r, c);
      assertColor(
        pixel(img, p.x, p.y),
        colorOf(v, lo, hi, colormapLut('viridis')),
        `${label}: [${r}, ${c}]`,
      );
      const ticks = (await frame.locator('#ticks span').allTextContents()).map((t) =>
        Number(t.replace('−', '-')),
      );
      assert.ok(
        ticks.length >= 2 && ticks.every((t) => t >= lo - 1e-9 && t <= hi + 1e-9),
        `${label} ticks ${ticks}`,
      );
      if (label === 'symmetric ±') assert.ok(ticks.includes(0), `0 is a tick: ${ticks}`);
    }
  });

  it('colormaps: magma, and RdBu centred at 0 (from a screenshot)', async () => {
    const [r, c] = [3, 17];
    const v = ref.values[r][c] as number;
    const m = Math.max(Math.abs(ref.min), Math.abs(ref.max));
    for (const [label, name, lo, hi] of [
      ['magma', 'magma', ref.min, ref.max],
      ['RdBu (diverging)', 'rdbu', -m, m],
      ['viridis', 'viridis', ref.min, ref.max],
    ] as const) {
      await choose('colormap', label);
      await wb.page.waitForTimeout(200);
      const box = await canvasBox();
      const img = await shot(`heatmap-colormap-${name}.png`);
      const p = cellPos(box, r, c);
      assertColor(
        pixel(img, p.x, p.y),
        colorOf(v, lo, hi, colormapLut(name)),
        `${name}: [${r}, ${c}]`,
      );
    }
  });

  it('zooms with the wheel around the cursor: the scale, the note and the cell under the cursor follow', async () => {
    const box = await canvasBox();
    const [r, c] = [6, 10];
    const p = cellPos(box, r, c);
    await wb.page.mouse.move(p.x, p.y);
    await wb.page.mouse.wheel(0, -100); // one notch: the view halves around the cursor
    // the point under the cursor stays put: R' = R − (R − 0)·½
    const R = r + 0.5;
    const C = c + 0.5;
    const v = { r0: R / 2, r1: R / 2 + ROWS / 2, c0: C / 2, c1: C / 2 + COLS / 2 };
    const want = `showing rows ${Math.floor(v.r0)}–${Math.ceil(v.r1) - 1}, columns ${Math.floor(v.c0)}–${Math.ceil(v.c1) - 1} of ${ROWS}×${COLS}`;
    await frame.waitForFunction(
      (w) => document.getElementById('slice-note')?.textContent?.includes(w),
      want,
    );
    await wb.page.waitForTimeout(200);
    const img = await shot('heatmap-zoomed.png');
    // tooltip under the cursor: still cell (r, c)
    await wb.page.mouse.move(p.x + 1, p.y);
    await frame.waitForFunction(
      (t) => document.getElementById('tooltip')?.textContent?.startsWith(t),
      `[${r}, ${c}] =`,
    );
    // axis labels: integers inside the new window, fewer rows than before
    const rowTicks = (await frame.locator('#row-ticks span').allTextContents()).map(Number);
    const colTicks = (await frame.locator('#col-ticks span').allTextContents()).map(Number);
    assert.ok(
      rowTicks.length >= 2 && rowTicks.every((t) => t >= Math.floor(v.r0) && t < v.r1),
      `rows ${rowTicks}`,
    );
    assert.ok(
      colTicks.length >= 2 && colTicks.every((t) => t >= Math.floor(v.c0) && t < v.c1),
      `cols ${colTicks}`,
    );
    // known cells in the zoomed view get their colours where the new scale puts them
    const lut = colormapLut('viridis');
    for (const [rr, cc] of [
      [5, 8],
      [10, 14],
      [5, 7],
    ]) {
      const q = cellPos(box, rr, cc, v);
      const val = ref.values[rr][cc];
      const wantColor =
        val === null ? [...SPECIAL_COLORS.nan] : colorOf(val, ref.min, ref.max, lut);
      assertColor(pixel(img, q.x, q.y), wantColor, `zoomed [${rr}, ${cc}]`);
    }
  });

  it('pans by dragging and with the arrow keys; 0 resets', async () => {
    const box = await canvasBox();
    const note = async () => (await frame.textContent('#slice-note')) ?? '';
    const before = await note();
    const m = /rows (\d+)–(\d+), columns (\d+)–(\d+)/.exec(before);
    assert.ok(m, before);
    // drag left by a quarter of the canvas: the view moves right by a quarter of its width (4 columns)
    await wb.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await wb.page.mouse.down();
    await wb.page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.5, { steps: 5 });
    await wb.page.mouse.up();
    await frame.waitForFunction(
      (b) => document.getElementById('slice-note')?.textContent !== b,
      before,
    );
    const after = /columns (\d+)–(\d+)/.exec(await note());
    assert.ok(after);
    assert.ok(Number(after[1]) >= Number(m[3]) + 3, `moved right: ${before} → ${await note()}`);
    // keyboard: the canvas is focusable; ArrowUp pans, 0 resets
    await frame.locator('#heatmap').focus();
    const label = await frame.getAttribute('#heatmap', 'aria-label');
    assert.match(label ?? '', /heatmap of float32 24×32/);
    await wb.page.keyboard.press('0');
    await frame.waitForFunction(() => !document.getElementById('slice-note')?.textContent);
    await wb.page.keyboard.press('+');
    await frame.waitForFunction(() =>
      /showing rows 6–17, columns 8–23/.test(
        document.getElementById('slice-note')?.textContent ?? '',
      ),
    );
    await wb.page.keyboard.press('ArrowUp');
    await frame.waitForFunction(() =>
      /showing rows 4–16/.test(document.getElementById('slice-note')?.textContent ?? ''),
    );
  });

  it('keeps colormap, range mode and zoom across a window reload', async () => {
    await choose('colormap', 'magma');
    await frame.locator('#heatmap').focus();
    await wb.page.keyboard.press('0');
    await wb.page.keyboard.press('+');
    await wb.page.keyboard.press('ArrowRight');
    await frame.waitForTimeout(600); // the state is saved when the view settles
    const note = (await frame.textContent('#slice-note')) ?? '';
    assert.match(note, /showing rows 6–17, columns 9–25/);
    // Developer: Reload Window (saves the workbench state, then reloads the page)
    await (await d()).runCommand(wb.page, 'Developer: Reload Window');
    await wb.page.waitForTimeout(3000);
    await wb.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    frame = await (
      await d()
    )
      .webviewFrame(wb.page, '#heatmap[data-renderer]', 90_000)
      .catch(async (e: unknown) => {
        await wb.page.screenshot({ path: join(SCREENSHOTS, 'heatmap-reload-failed.png') });
        const texts = await Promise.all(
          wb.page
            .frames()
            .map((f) => f.evaluate(() => document.body?.innerText?.slice(0, 200)).catch(() => '')),
        );
        throw new Error(`${String(e)}; frames: ${JSON.stringify(texts.filter(Boolean))}`);
      });
    await frame
      .waitForFunction((n) => document.getElementById('slice-note')?.textContent === n, note, {
        timeout: 30_000,
      })
      .catch(async (e: unknown) => {
        await shot('heatmap-restored-after-reload.png');
        throw new Error(
          `after the reload the note is "${await frame.textContent('#slice-note')}" (wanted "${note}"): ${String(e)}`,
        );
      });
    assert.equal(
      await frame.locator('#colormap').evaluate((e) => (e as HTMLSelectElement).value),
      'magma',
    );
    await shot('heatmap-restored-after-reload.png');
    await choose('colormap', 'viridis');
    await frame.locator('#heatmap').focus();
    await wb.page.keyboard.press('0');
  });

  for (const [theme, file] of [
    ['Default Light Modern', 'heatmap-light.png'],
    ['Default High Contrast', 'heatmap-high-contrast.png'],
    ['Default Dark Modern', 'heatmap-dark.png'],
  ] as const) {
    it(`looks right in ${theme}: theme colours on the page, the heatmap's own colours unchanged`, async () => {
      settings({ 'matrixLens.heatmap.renderer': 'webgl2', 'workbench.colorTheme': theme });
      await wb.page.waitForTimeout(1500);
      const bg = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const fg = await frame.evaluate(
        () => getComputedStyle(document.getElementById('summary')!).color,
      );
      assert.notEqual(bg, fg);
      const box = await canvasBox();
      const img = await shot(file);
      const p = cellPos(box, ...ref.nanCell);
      assert.deepEqual(pixel(img, p.x, p.y), [...SPECIAL_COLORS.nan]);
      const light = theme.includes('Light');
      const lum = (s: string) => {
        const [r, g, b] = (s.match(/\d+/g) ?? []).map(Number);
        return 0.3 * r + 0.59 * g + 0.11 * b;
      };
      assert.equal(lum(bg) > 128, light, `${theme}: background ${bg}`);
    });
  }
});
