import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { colorOf, colormapLut } from '../../src/core/color/colormaps';
import { pythonJson, tempDir } from '../helpers/python';
import { decodePng, pixel } from '../helpers/png';
import { driver, SCREENSHOTS, vsixUnderTest, Workbench } from './workbench';

/**
 * What a person sees: NumPy-written attention weights [4, 16, 16] opened in Matrix Lens, then
 * "Matrix Lens: Show as Attention Map" from the command palette; in the dark theme, then the
 * light and high-contrast ones (workspace settings: VS Code applies them to the open page).
 */
const H = 4;
const T = 16;
const TOKENS = 'The quick brown fox jumps over the lazy dog and then runs far away from here';

function setTheme(workspace: string, theme: string): void {
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'workbench.colorTheme': theme }),
  );
}

{
  const shot = 'attention-dark.png';
  describe('attention view in the real VS Code page (e2e)', function () {
    this.timeout(300_000);
    let wb: Workbench;
    let frame: Frame;
    let ref: { head0: number[][]; max0: number };

    before(async () => {
      const dir = tempDir('ml-e2e-attn-');
      ref = pythonJson(
        `
import numpy as np, json, sys
rng = np.random.default_rng(21)
s = rng.standard_normal((${H}, ${T}, ${T})) * 1.5
s[0, 9, 4] = 12.0   # a sharp weight: query 9 looks at key 4
s = np.where(np.triu(np.ones((${T}, ${T}), bool), 1), -np.inf, s)
e = np.exp(s - s.max(-1, keepdims=True)); w = (e / e.sum(-1, keepdims=True)).astype(np.float32)
np.save(sys.argv[1] + '/attn.npy', w)
h0 = w[0].astype(np.float64)
print(json.dumps(dict(head0=h0.tolist(), max0=float(h0.max()))))
`,
        [dir],
      );
      const d = await driver();
      wb = await d.openWorkbench({
        label: 'e2e-attention',
        vsix: vsixUnderTest(),
        workspaceFrom: dir,
      });
      setTheme(wb.workspace, 'Default Dark Modern');
      await d.quickOpen(wb.page, 'attn.npy');
      await d.webviewFrame(wb.page, '#heatmap', 60_000);
      await d.runCommand(wb.page, 'Matrix Lens: Show as Attention Map');
      frame = await d.webviewFrame(wb.page, '#tiles .tile', 90_000);
      // the focus head shows all 16×16 cells
      await frame.waitForFunction(
        () =>
          (document.getElementById('focus') as HTMLCanvasElement | null)?.dataset.cells === '16×16',
      );
      mkdirSync(SCREENSHOTS, { recursive: true });
    });

    after(async () => {
      await wb?.close();
    });

    it('shows one tile per head and says what the checks found', async () => {
      await frame.waitForFunction(() => {
        const m = /(\d+), (\d+), (\d+)/.exec(getComputedStyle(document.body).backgroundColor);
        return !!m && (Number(m[1]) + Number(m[2]) + Number(m[3])) / 3 < 60;
      });
      assert.equal(await frame.locator('#tiles .tile').count(), H);
      assert.deepEqual(await frame.locator('#tiles .tile .name').allTextContents(), [
        'H0',
        'H1',
        'H2',
        'H3',
      ]);
      assert.match((await frame.textContent('#causal .text')) ?? '', /^Causal mask holds/);
      assert.match((await frame.textContent('#rowsum .text')) ?? '', /^Rows sum to 1/);
    });

    it('paints the focus head in the colormap colour of each weight (read from a screenshot)', async () => {
      const box = (await frame.locator('#focus').boundingBox())!;
      assert.ok(box.width > 200, `focus canvas ${box.width} px wide`);
      const img = decodePng(await wb.page.screenshot());
      const lut = colormapLut('viridis');
      // 1px border around the canvas content
      const inner = { x: box.x + 1, y: box.y + 1, w: box.width - 2, h: box.height - 2 };
      for (const [i, j] of [
        [9, 4],
        [0, 0],
        [15, 15],
        [3, 12],
        [12, 7],
      ]) {
        const want = colorOf(ref.head0[i][j], 0, ref.max0, lut);
        const got = pixel(
          img,
          inner.x + ((j + 0.5) / T) * inner.w,
          inner.y + ((i + 0.5) / T) * inner.h,
        );
        for (let k = 0; k < 3; k++)
          assert.ok(
            Math.abs(got[k] - want[k]) <= 3,
            `cell [${i}, ${j}] = ${ref.head0[i][j]}: pixel ${got} vs viridis ${want}`,
          );
      }
    });

    it('token labels typed in show on the axes and in the tooltip of a hovered cell', async () => {
      const input = frame.locator('#tokens-input input');
      await input.fill(TOKENS);
      await input.press('Enter');
      await frame.waitForFunction(() =>
        /16 labels from typed list/.test(document.getElementById('tokens-note')?.textContent ?? ''),
      );
      const words = TOKENS.split(' ');
      assert.equal(await frame.locator('#ylabels span').first().textContent(), words[0]);
      const box = (await frame.locator('#focus').boundingBox())!;
      await wb.page.mouse.move(
        box.x + ((4 + 0.5) / T) * box.width,
        box.y + ((9 + 0.5) / T) * box.height,
      );
      await frame.waitForSelector('#tooltip:not([hidden])');
      const text = (await frame.textContent('#tooltip')) ?? '';
      const m = /^query 9 "(\S+)" → key 4 "(\S+)" = (\S+)$/.exec(text);
      assert.ok(m, `tooltip "${text}"`);
      assert.deepEqual([m[1], m[2]], [words[9], words[4]]);
      assert.ok(Math.abs(Number(m[3]) - ref.head0[9][4]) <= 1e-5, `${m[3]} vs ${ref.head0[9][4]}`);
      await wb.page.screenshot({ path: join(SCREENSHOTS, shot) });
    });

    it('follows the light and high-contrast themes; the weights keep their colours', async () => {
      const lut = colormapLut('viridis');
      for (const [theme, file, light] of [
        ['Default Light Modern', 'attention-light.png', true],
        ['Default High Contrast', 'attention-high-contrast.png', false],
      ] as const) {
        setTheme(wb.workspace, theme);
        await frame.waitForFunction((wantLight) => {
          const m = /(\d+), (\d+), (\d+)/.exec(getComputedStyle(document.body).backgroundColor);
          const lum = m ? (Number(m[1]) + Number(m[2]) + Number(m[3])) / 3 : -1;
          return wantLight ? lum > 200 : lum >= 0 && lum < 40;
        }, light);
        const fg = await frame.evaluate(
          () => getComputedStyle(document.getElementById('title')!).color,
        );
        const box = (await frame.locator('#focus').boundingBox())!;
        await wb.page.mouse.move(
          box.x + ((4 + 0.5) / T) * box.width,
          box.y + ((9 + 0.5) / T) * box.height,
        );
        await frame.waitForSelector('#tooltip:not([hidden])');
        await wb.page.waitForTimeout(300);
        const img = decodePng(await wb.page.screenshot({ path: join(SCREENSHOTS, file) }));
        const want = colorOf(ref.head0[15][15], 0, ref.max0, lut);
        const got = pixel(
          img,
          box.x + 1 + (15.5 / T) * (box.width - 2),
          box.y + 1 + (15.5 / T) * (box.height - 2),
        );
        for (let k = 0; k < 3; k++)
          assert.ok(
            Math.abs(got[k] - want[k]) <= 3,
            `${theme}: cell [15, 15] pixel ${got} vs ${want}`,
          );
        // text in the theme's foreground: dark on light, light on dark
        const m = /(\d+), (\d+), (\d+)/.exec(fg)!;
        const lum = (Number(m[1]) + Number(m[2]) + Number(m[3])) / 3;
        assert.equal(lum < 128, light, `${theme}: title colour ${fg}`);
      }
      setTheme(wb.workspace, 'Default Dark Modern');
    });

    it('a click on another tile puts that head in focus; keyboard zoom fetches a window', async () => {
      await frame.locator('#tiles .tile').nth(2).click();
      await frame.waitForFunction(() =>
        /^H2 /.test(document.getElementById('focus-title')?.textContent ?? ''),
      );
      assert.equal(
        await frame.locator('#tiles .tile[aria-pressed="true"] .name').textContent(),
        'H2',
      );
      await frame.locator('#focus').focus();
      await wb.page.keyboard.press('+');
      await frame.waitForFunction(
        () =>
          (document.getElementById('focus') as HTMLCanvasElement | null)?.dataset.cells === '8×8',
      );
      assert.match(
        (await frame.textContent('#focus-note')) ?? '',
        /queries 4–11 × keys 4–11 · full resolution/,
      );
    });
  });
}
