/** Loads the workbench driver (plain ESM under scripts/lib) at run time. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Frame, Page } from 'playwright-core';

export interface Workbench {
  page: Page;
  workspace: string;
  runDir: string;
  close(): Promise<void>;
}

interface Driver {
  openWorkbench(o: {
    label?: string;
    vsix?: string;
    workspaceFrom?: string;
    theme?: string;
    viewport?: { width: number; height: number };
    debugAdapter?: boolean;
    webgpu?: boolean;
  }): Promise<Workbench>;
  quickOpen(page: Page, name: string): Promise<void>;
  runCommand(page: Page, title: string): Promise<void>;
  webviewFrame(page: Page, selector: string, timeoutMs?: number): Promise<Frame>;
}

export async function driver(): Promise<Driver> {
  return (await import(
    pathToFileURL(join(process.cwd(), 'scripts/lib/workbench.mjs')).href
  )) as Driver;
}

/** The installed .vsix when `npm test` built one, else the source folder (development mode). */
export function vsixUnderTest(): string | undefined {
  const v = process.env.MATRIX_LENS_VSIX;
  return v && existsSync(v) ? v : undefined;
}

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

/**
 * Runs a command from the palette (F1), retrying while a late-loading page steals the focus.
 * The workbench, not a webview, must have the keyboard: the first group's active tab (or the
 * tab named `tab`) is clicked first. With `file`, the same box is used as Quick Open.
 */
export async function paletteCommand(
  page: Page,
  title: string,
  tab?: string,
  file = false,
): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 0; attempt < 12; attempt++) {
    await (
      tab
        ? page.locator('.tab', { hasText: tab })
        : page.locator('.editor-group-container').first().locator('.tab.active')
    )
      .first()
      .click({ position: { x: 5, y: 5 } })
      .catch(() => undefined);
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 4000 });
      // F1 opens the palette at '>'; without it the same box is Quick Open (files)
      await input.fill(file ? title : `>${title}`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      // the command list can take seconds while the page re-renders (a theme switch redraws
      // every chart of the open panels; a CI run timed out at 8 × 4 s here)
      await row.waitFor({ timeout: 8000 });
      await row.click();
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1500);
    }
  }
  throw new Error(`could not run '${title}' from the command palette`);
}

/** Picks one row of each quick pick in turn (a multi-step command's steps), by their text. */
export async function pickRows(page: Page, picks: string[]): Promise<void> {
  for (const pick of picks) {
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.waitForTimeout(400);
  }
}

/** The first webview frame that exposes the test build's `__matrixLens` hook. */
export async function hookedFrame(page: Page, what: string, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      try {
        if (await f.evaluate(() => !!(window as { __matrixLens?: unknown }).__matrixLens)) return f;
      } catch {
        /* detached or not ours */
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`${what} did not appear`);
}

/** Writes the workspace's `matrixLens.compute` (`gpu`, `cpu`, `auto`) into .vscode/settings.json. */
function writeComputeSetting(workspace: string, mode: string): void {
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'matrixLens.compute': mode }),
  );
}

/** A workbench over a copy of `dir` with WebGPU on and `matrixLens.compute` set to `compute`. */
export async function openComputeWorkbench(
  label: string,
  dir: string,
  viewport: { width: number; height: number },
  compute = 'gpu',
): Promise<Workbench> {
  writeComputeSetting(dir, compute);
  const wb = await (
    await driver()
  ).openWorkbench({ label, vsix: vsixUnderTest(), workspaceFrom: dir, viewport, webgpu: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return wb;
}

/** Changes `matrixLens.compute` of an open workbench; its configuration watcher picks it up. */
export async function setComputeSetting(wb: Workbench, mode: string): Promise<void> {
  writeComputeSetting(wb.workspace, mode);
  await wb.page.waitForTimeout(3000);
}
