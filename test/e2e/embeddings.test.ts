import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { colorOf, colormapLut } from '../../src/core/color/colormaps';
import { pythonJson, tempDir } from '../helpers/python';
import { decodePng, pixel } from '../helpers/png';
import { driver, SCREENSHOTS, vsixUnderTest, Workbench } from './workbench';

/**
 * What a person sees: NumPy-written embeddings [60, 16] (four clusters of words, one zero row,
 * one near-duplicate pair) opened in Matrix Lens, then "Matrix Lens: Open as Embeddings" from
 * the command palette; labels typed in, a row clicked on the heatmap, the PCA scatter in 2-D
 * and 3-D. Colours are read from screenshots; the numbers are NumPy's.
 */
const N = 60;
const WORDS = [
  [
    'apple',
    'pear',
    'plum',
    'fig',
    'lime',
    'kiwi',
    'date',
    'peach',
    'grape',
    'melon',
    'mango',
    'lemon',
    'cherry',
    'guava',
    'papaya',
  ],
  [
    'cat',
    'dog',
    'fox',
    'owl',
    'bee',
    'cow',
    'pig',
    'yak',
    'elk',
    'ant',
    'bat',
    'eel',
    'hen',
    'ram',
    'ape',
  ],
  [
    'paris',
    'rome',
    'oslo',
    'lima',
    'kyiv',
    'baku',
    'doha',
    'riga',
    'bern',
    'cairo',
    'delhi',
    'tokyo',
    'seoul',
    'quito',
    'dakar',
  ],
  [
    'red',
    'blue',
    'green',
    'cyan',
    'pink',
    'gold',
    'gray',
    'teal',
    'navy',
    'plum2',
    'rose',
    'sand',
    'jade',
    'ruby',
    'lilac',
  ],
].flat();

describe('embeddings view in the real VS Code page (e2e)', function () {
  this.timeout(300_000);
  let wb: Workbench;
  let frame: Frame;
  let ref: { cos: number[][]; top3: { row: number; cos: number }[] };

  before(async () => {
    const dir = tempDir('ml-e2e-emb-');
    ref = pythonJson(
      `
import numpy as np, json, sys
rng = np.random.default_rng(5)
centres = rng.standard_normal((4, 16)) * 3
x = np.repeat(centres, 15, axis=0) + rng.standard_normal((${N}, 16))
x[7] = 0                      # a zero row
x[21] = x[20] * 1.001         # a near-duplicate pair
x = x.astype(np.float32)
np.save(sys.argv[1] + '/emb.npy', x)
x64 = x.astype(np.float64)
n = np.linalg.norm(x64, axis=1, keepdims=True)
u = np.divide(x64, n, out=np.zeros_like(x64), where=n > 0)
cos = u @ u.T
c3 = cos[3].copy(); c3[3] = -np.inf
top = np.argsort(-c3, kind='stable')[:3]
print(json.dumps(dict(cos=cos.tolist(), top3=[dict(row=int(i), cos=float(cos[3, i])) for i in top])))
`,
      [dir],
    );
    const d = await driver();
    wb = await d.openWorkbench({
      label: 'e2e-embeddings',
      vsix: vsixUnderTest(),
      workspaceFrom: dir,
    });
    await d.quickOpen(wb.page, 'emb.npy');
    await d.webviewFrame(wb.page, '#heatmap', 60_000);
    await d.runCommand(wb.page, 'Matrix Lens: Open as Embeddings');
    frame = await d.webviewFrame(wb.page, '#similarity', 90_000);
    await frame.waitForFunction(
      () =>
        (document.getElementById('similarity') as HTMLCanvasElement | null)?.dataset.cells ===
        '60×60',
    );
    await frame.waitForSelector('#variance .vbar');
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await wb?.close();
  });

  it('paints each cell of the heatmap in the RdBu colour of its NumPy cosine', async () => {
    const box = (await frame.locator('#similarity').boundingBox())!;
    assert.ok(box.width > 200, `heatmap ${box.width} px wide`);
    const img = decodePng(await wb.page.screenshot());
    const lut = colormapLut('rdbu');
    const inner = { x: box.x + 1, y: box.y + 1, w: box.width - 2, h: box.height - 2 };
    for (const [i, j] of [
      [3, 3],
      [3, 40],
      [20, 21],
      [7, 30],
      [50, 10],
      [33, 36],
    ]) {
      const want = colorOf(ref.cos[i][j], -1, 1, lut);
      const got = pixel(
        img,
        inner.x + ((j + 0.5) / N) * inner.w,
        inner.y + ((i + 0.5) / N) * inner.h,
      );
      for (let k = 0; k < 3; k++)
        assert.ok(
          Math.abs(got[k] - want[k]) <= 3,
          `cell [${i}, ${j}] cos ${ref.cos[i][j]}: pixel ${got} vs ${want}`,
        );
    }
  });

  it('names the zero row and finds the near-duplicate pair', async () => {
    await frame.waitForFunction(() =>
      /pair/.test(document.getElementById('dup-note')?.textContent ?? ''),
    );
    assert.match(
      (await frame.textContent('#bad-rows')) ?? '',
      /^1 zero row \(cosine 0 with every row\): row 7\./,
    );
    assert.match(
      (await frame.textContent('#dup-note')) ?? '',
      /^\d+ pairs? of rows with cosine > 0\.99/,
    );
    assert.match((await frame.locator('#dup-list li').first().textContent()) ?? '', /^20 ~ 21: 1$/);
  });

  it('typed labels name the rows; a click on the heatmap lists that row’s NumPy neighbours', async () => {
    const input = frame.locator('#labels-input input');
    await input.fill(WORDS.join(','));
    await input.press('Enter');
    await frame.waitForFunction(() =>
      /^60 labels from typed list/.test(document.getElementById('labels-note')?.textContent ?? ''),
    );
    const box = (await frame.locator('#similarity').boundingBox())!;
    await wb.page.mouse.click(
      box.x + ((40 + 0.5) / N) * box.width,
      box.y + ((3 + 0.5) / N) * box.height,
    );
    await frame.waitForFunction(
      () => document.querySelectorAll('#neighbors tbody tr').length === 10,
    );
    assert.match(
      (await frame.textContent('#neighbors-note')) ?? '',
      /nearest to row 3 “fig” by cosine/,
    );
    const rows = await frame
      .locator('#neighbors tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    ref.top3.forEach((t, i) => {
      assert.equal(Number(rows[i][1]), t.row);
      assert.equal(rows[i][2], WORDS[t.row]);
      assert.ok(Math.abs(Number(rows[i][3]) - t.cos) <= 1e-5, `${rows[i][3]} vs ${t.cos}`);
    });
    // hover a cell: the tooltip names both rows by label
    await wb.page.mouse.move(
      box.x + ((1 + 0.5) / N) * box.width,
      box.y + ((16 + 0.5) / N) * box.height,
    );
    await frame.waitForSelector('#similarity-tooltip:not([hidden])');
    assert.match(
      (await frame.textContent('#similarity-tooltip')) ?? '',
      /^row 16 “dog” · row 1 “pear”: cos -?[\d.e-]+$/,
    );
    await wb.page.screenshot({ path: join(SCREENSHOTS, 'embeddings-heatmap-neighbours.png') });
  });

  it('draws the PCA scatter with labels, hover names a point; the 3-D view turns', async () => {
    await frame.locator('#pca-section').scrollIntoViewIfNeeded();
    await frame.waitForFunction(() =>
      /^60 rows on PC 1 and PC 2/.test(document.getElementById('pca-note')?.textContent ?? ''),
    );
    const ratios = await frame.locator('#variance .pct').allTextContents();
    assert.ok(ratios.length >= 3, ratios.join());
    const box = (await frame.locator('#scatter').boundingBox())!;
    // find a point: scan the canvas for the tooltip
    let found = '';
    for (let y = 0.1; y < 0.95 && !found; y += 0.04)
      for (let x = 0.1; x < 0.95 && !found; x += 0.04) {
        await wb.page.mouse.move(box.x + x * box.width, box.y + y * box.height);
        if (await frame.locator('#pca-tooltip:not([hidden])').count())
          found = (await frame.textContent('#pca-tooltip')) ?? '';
      }
    assert.match(found, /^row \d+ “[a-z0-9]+” · PC1 \S+, PC2 \S+, PC3 \S+ · norm \S+$/);
    await wb.page.screenshot({ path: join(SCREENSHOTS, 'embeddings-pca-labels.png') });
    await frame.evaluate(() => {
      const s = document.getElementById('pca-mode') as HTMLSelectElement;
      s.value = '3d';
      s.dispatchEvent(new Event('change'));
    });
    await frame.waitForFunction(() =>
      /PC 1–3/.test(document.getElementById('pca-note')?.textContent ?? ''),
    );
    const before = await frame.locator('#scatter').screenshot();
    await wb.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await wb.page.mouse.down();
    await wb.page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 20, { steps: 5 });
    await wb.page.mouse.up();
    const after = await frame.locator('#scatter').screenshot();
    assert.notDeepEqual(before, after, 'dragging turns the 3-D view');
    await wb.page.screenshot({ path: join(SCREENSHOTS, 'embeddings-pca-3d.png') });
  });
});
