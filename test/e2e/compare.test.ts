import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { colorOf, colormapLut } from '../../src/core/color/colormaps';
import { pythonJson, tempDir } from '../helpers/python';
import { decodePng, pixel } from '../helpers/png';
import { driver, SCREENSHOTS, vsixUnderTest, Workbench } from './workbench';

/**
 * What a person sees: two NumPy-written arrays open in Matrix Lens, then "Matrix Lens: Compare
 * Arrays…" from the command palette, A and B picked from the open editors; then two
 * safetensors checkpoints the same way ("all tensors"). The Δ map's pixels are the rdbu colours
 * of NumPy's B − A on the symmetric range ±max |Δ|.
 */
const M = 24;
const N = 16;

/** Picks the quick-pick row whose label contains `text` (typed into the filter). */
async function pick(page: Page, text: string, timeout = 30_000): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout });
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
  await input.fill(text);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: text })
    .first()
    .waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/**
 * Compare Arrays… picking A then B. An editor page that finishes loading takes the focus; the
 * picks stay open through that (they are one multi-step command). `moveFocus`, when given, is
 * called while the A pick is shown: it puts the focus elsewhere, and the pick must stay.
 */
async function compareVia(
  page: Page,
  a: string,
  b: string,
  moveFocus?: () => Promise<void>,
): Promise<void> {
  await (await driver()).runCommand(page, 'Matrix Lens: Compare Arrays…');
  if (moveFocus) {
    const widget = page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible', timeout: 15_000 });
    await moveFocus();
    await page.waitForTimeout(500);
    assert.ok(await widget.isVisible(), 'the A pick is still open after the focus moved away');
  }
  await pick(page, a, 15_000);
  await pick(page, b, 15_000);
}

describe('compare view in the real VS Code page (e2e)', function () {
  this.timeout(300_000);
  let wb: Workbench;
  let ref: { delta: number[][]; maxAbs: number; rank: number; first: number[] };

  before(async () => {
    const dir = tempDir('ml-e2e-compare-');
    ref = pythonJson(
      `
import numpy as np, json, struct, sys, os
d = sys.argv[1]
rng = np.random.default_rng(5)
a = rng.standard_normal((${M}, ${N}))
dw = np.outer(np.sin(np.arange(${M})), np.cos(np.arange(${N}) / 3)) * 0.2 + np.outer(np.arange(${M}) / ${M}, np.ones(${N})) * 0.05
b = a + dw
np.save(os.path.join(d, 'before.npy'), a); np.save(os.path.join(d, 'after.npy'), b)
delta = b - a
close = np.isclose(a, b)
def save(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        by = np.ascontiguousarray(t).tobytes()
        header[name] = dict(dtype='F32', shape=list(t.shape), data_offsets=[off, off + len(by)])
        blobs.append(by); off += len(by)
    h = json.dumps(header).encode()
    with open(path, 'wb') as fh: fh.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
A, B = {}, {}
for i in range(4):
    w = rng.standard_normal((32, 32)).astype(np.float32)
    A[f'layers.{i}.attn.w'] = w
    B[f'layers.{i}.attn.w'] = (w + (i + 1) * 0.01 * np.outer(rng.standard_normal(32), rng.standard_normal(32))).astype(np.float32)
    A[f'layers.{i}.norm'] = np.ones(32, np.float32); B[f'layers.{i}.norm'] = np.ones(32, np.float32)
A['lm_head.w'] = rng.standard_normal((16, 32)).astype(np.float32); B['lm_head.w'] = A['lm_head.w'].copy()
A['old.bias'] = np.zeros(4, np.float32); B['new.bias'] = np.zeros(4, np.float32)
save(os.path.join(d, 'base.safetensors'), A); save(os.path.join(d, 'tuned.safetensors'), B)
print(json.dumps(dict(delta=delta.tolist(), maxAbs=float(np.abs(delta).max()), rank=int(np.linalg.matrix_rank(delta)),
    first=[int(i) for i in np.argwhere(~close)[0]])))
`,
      [dir],
    );
    const d = await driver();
    wb = await d.openWorkbench({ label: 'e2e-compare', vsix: vsixUnderTest(), workspaceFrom: dir });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await wb?.close();
  });

  it('A vs B: the verdict, rank of ΔW and the Δ map in the rdbu colours of NumPy’s B − A', async () => {
    const d = await driver();
    await d.quickOpen(wb.page, 'before.npy');
    await d.webviewFrame(wb.page, '#heatmap', 60_000);
    await d.quickOpen(wb.page, 'after.npy');
    // a click into the editor's page (below the pick) while A is being picked: the pick stays
    await compareVia(wb.page, 'before.npy', 'after.npy', async () => {
      const box = (await wb.page
        .locator('.editor-group-container .editor-container')
        .first()
        .boundingBox())!;
      await wb.page.mouse.click(box.x + 40, box.y + box.height - 40);
    });
    const frame: Frame = await d.webviewFrame(wb.page, '#delta', 90_000);
    await frame.waitForSelector('tr[data-key="deltaRank"]');
    const verdict = (await frame.textContent('tr[data-key="verdict"] td')) ?? '';
    assert.match(verdict, new RegExp(`^no — first at \\[${ref.first.join(', ')}\\]`));
    assert.equal(ref.rank, 2);
    assert.equal(await frame.textContent('tr[data-key="deltaRank"] td'), '2');
    assert.match((await frame.textContent('#cb-max')) ?? '', /^0\.\d+/);
    await frame.waitForSelector('#plot-dsv canvas');
    await wb.page.waitForTimeout(300);
    const img = decodePng(
      await wb.page.screenshot({ path: join(SCREENSHOTS, 'compare-arrays.png') }),
    );
    const box = (await frame.locator('#delta').boundingBox())!;
    assert.ok(box.width > 150, `Δ canvas ${box.width} px wide`);
    const lut = colormapLut('rdbu');
    for (const [i, j] of [
      [0, 0],
      [3, 5],
      [12, 1],
      [20, 10],
      [23, 15],
    ]) {
      const want = colorOf(ref.delta[i][j], -ref.maxAbs, ref.maxAbs, lut);
      const got = pixel(
        img,
        box.x + ((j + 0.5) / N) * box.width,
        box.y + ((i + 0.5) / M) * box.height,
      );
      for (let k = 0; k < 3; k++)
        assert.ok(
          Math.abs(got[k] - want[k]) <= 4,
          `Δ[${i}, ${j}] = ${ref.delta[i][j]}: pixel ${got} vs rdbu ${want}`,
        );
    }
  });

  it('two checkpoints: the table of shared tensors, largest change first, one-sided tensors named', async () => {
    const d = await driver();
    await d.quickOpen(wb.page, 'base.safetensors');
    await d.webviewFrame(wb.page, '#heatmap', 60_000);
    await d.quickOpen(wb.page, 'tuned.safetensors');
    await compareVia(wb.page, 'base.safetensors', 'tuned.safetensors');
    const frame: Frame = await d.webviewFrame(wb.page, '#checkpoint-table', 90_000);
    await frame.waitForSelector('#checkpoint-table tbody tr');
    const names = await frame.locator('#checkpoint-table tbody td.name').allTextContents();
    assert.equal(names.length, 9);
    assert.deepEqual(names.slice(0, 4), [
      'layers.3.attn.w',
      'layers.2.attn.w',
      'layers.1.attn.w',
      'layers.0.attn.w',
    ]);
    assert.equal(await frame.textContent('tr[data-key="onlyA"] td'), 'old.bias');
    assert.equal(await frame.textContent('tr[data-key="onlyB"] td'), 'new.bias');
    await wb.page.waitForTimeout(300);
    await wb.page.screenshot({ path: join(SCREENSHOTS, 'compare-checkpoints.png') });
    // a click on a header sorts by it
    await frame.locator('#checkpoint-table th[data-key="name"]').click();
    const sorted = await frame.locator('#checkpoint-table tbody td.name').allTextContents();
    assert.deepEqual(
      sorted,
      [...sorted].sort((x, y) => x.localeCompare(y)),
    );
  });
});
