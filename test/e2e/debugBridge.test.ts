import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { tempDir } from '../helpers/python';
import { driver, SCREENSHOTS, vsixUnderTest, Workbench } from './workbench';

/**
 * The debugger bridge as a person uses it: a breakpoint (F9), Start Debugging (F5), right-click a NumPy array in
 * the Variables view → Open in Matrix Lens, then Pin in Matrix Lens, Step Over, and the pinned
 * panel shows what the step changed; then right-click attention weights → Show Live Value as
 * Attention Map, pick the frame's token list. The real debugpy (Debian) runs the program.
 */
const PROGRAM = `import numpy as np


def main():
    scores = np.sin(np.arange(2 * 4 * 6 * 6, dtype=np.float32)).reshape(2, 4, 6, 6) * 3
    attn = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)
    tokens = ["the", "cat", "sat", "on", "a", "mat"]
    w = np.linspace(-1, 1, 48 * 64, dtype=np.float32).reshape(48, 64)
    for step in range(5):
        w[step * 8 : (step + 1) * 8] *= 2  # BREAK
        if step == 2:
            w[30, 30] = np.nan


main()
`;
const BREAK_LINE = PROGRAM.split('\n').findIndex((l) => l.includes('# BREAK')) + 1;

async function variablesMenu(page: Page, name: string, item: string): Promise<void> {
  // a row reads `w = array([[-1. …` (a run reached the breakpoint, but `.name` did not match)
  const row = page
    .locator('.debug-variables .monaco-list-row', {
      hasText: new RegExp(`^\\s*${name}(?![\\w.[])`),
    })
    .first();
  await row.waitFor({ timeout: 60_000 });
  await row.click({ button: 'right' });
  const entry = page.locator('.monaco-menu .action-label', { hasText: item }).first();
  await entry.waitFor({ timeout: 10_000 });
  await page.waitForTimeout(400); // a click right after the menu appears is ignored
  await entry.click();
}

describe('debugger bridge in the real VS Code page (e2e)', function () {
  this.timeout(300_000);
  let wb: Workbench;

  before(async () => {
    const dir = tempDir('ml-e2e-debug-');
    writeFileSync(join(dir, 'prog.py'), PROGRAM);
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    writeFileSync(
      join(dir, '.vscode', 'launch.json'),
      JSON.stringify({
        version: '0.2.0',
        configurations: [
          {
            type: 'debugpy',
            request: 'launch',
            name: 'Run prog.py',
            program: '${workspaceFolder}/prog.py',
            python: '/usr/bin/python3',
            console: 'internalConsole',
          },
        ],
      }),
    );
    const d = await driver();
    wb = await d.openWorkbench({
      label: 'e2e-debug',
      vsix: vsixUnderTest(),
      workspaceFrom: dir,
      debugAdapter: true,
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await wb?.close();
  });

  it('breakpoint, F5, Open in Matrix Lens from Variables, Pin, step: the Δ view shows the change', async () => {
    const d = await driver();
    const page = wb.page;
    try {
      await scenario(d, page);
    } catch (e) {
      await page.screenshot({ path: join(SCREENSHOTS, 'debug-failure.png') });
      throw e;
    }
  });
});

async function scenario(d: Awaited<ReturnType<typeof driver>>, page: Page): Promise<void> {
  {
    await d.quickOpen(page, 'prog.py');
    await page.locator('.monaco-editor .view-line').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+G');
    await page.keyboard.type(String(BREAK_LINE));
    await page.keyboard.press('Enter');
    await page.keyboard.press('F9');
    await page.locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
    // Run and Debug's "Start Debugging" (F5); the palette entry is the same action and does not
    // depend on where the keyboard focus is after Go to Line.
    await d.runCommand(page, 'Debug: Start Debugging');
    // code-server may offer the launch configurations first: pick ours, as a person would
    const config = page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Run prog.py' })
      .first();
    if (
      await config.waitFor({ timeout: 5000 }).then(
        () => true,
        () => false,
      )
    )
      await config.click();
    await page.locator('.debug-toolbar').first().waitFor({ timeout: 60_000 });

    await variablesMenu(page, 'w', 'Open in Matrix Lens');
    const heat = await d.webviewFrame(page, '#heatmap', 90_000);
    await heat.waitForFunction(() => /float32\[48, 64\]/.test(document.body.innerText), undefined, {
      timeout: 60_000,
    });
    await page.screenshot({ path: join(SCREENSHOTS, 'debug-open-variable.png') });

    await variablesMenu(page, 'w', 'Pin in Matrix Lens');
    const pin = await d.webviewFrame(page, '.figs', 60_000);
    await pin.waitForFunction(
      () => /stop 1 · line \d+/.test(document.querySelector('.where')?.textContent ?? ''),
      undefined,
      {
        timeout: 60_000,
      },
    );
    await d.runCommand(page, 'Debug: Step Over');
    await pin.waitForFunction(() => /512 cells changed/.test(document.body.innerText), undefined, {
      timeout: 60_000,
    });
    const caption = await pin.locator('figure:not([hidden]) figcaption').allTextContents();
    assert.ok(
      caption.some((c) => /Δ since the previous stop: 512 cells changed, max \|Δ\| 1\b/.test(c)),
      caption.join(' | '),
    );
    assert.match(
      (await pin.locator('.where').textContent()) ?? '',
      /^stop 2 · line \d+ · float32\[48, 64\]/,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'debug-pin-delta.png') });

    // [B, H, T, T] weights into the attention view, labels from the frame's list[str] of length T
    await variablesMenu(page, 'attn', 'Show Live Value as Attention Map');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'tokens' }).first();
    await pick.waitFor({ timeout: 60_000 });
    await page.waitForTimeout(400);
    await pick.click();
    const att = await d.webviewFrame(page, '#tokens-note', 90_000);
    await att.waitForFunction(
      () => /6 labels from tokens/.test(document.querySelector('#tokens-note')?.textContent ?? ''),
      undefined,
      { timeout: 60_000 },
    );
    const text = await att.locator('body').innerText();
    assert.ok(text.includes('mat'), 'token labels drawn on the focus head');
    assert.match(text, /live value attn of Run prog\.py, stop 2/);
    await page.screenshot({ path: join(SCREENSHOTS, 'debug-attention.png') });
    await d.runCommand(page, 'Debug: Stop');
  }
}
