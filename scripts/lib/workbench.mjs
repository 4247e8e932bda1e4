// Drives a real VS Code workbench (code-server) in headless Chromium like a person would:
// used by the end-to-end tests and by `npm start`.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startCodeServer } from './code-server.mjs';
import { launchChromium } from './browser.mjs';
import { installHostStub, installVsix, makeRunDir } from './vscode-runner.mjs';

/**
 * Starts code-server with Matrix Lens (the .vsix when given, else the source folder as a
 * development extension) on `workspace`, and opens the workbench page.
 */
export async function openWorkbench({
  label = 'e2e',
  vsix,
  workspaceFrom,
  theme,
  viewport = { width: 1400, height: 900 },
  // WebGPU in the page's webviews (SwiftShader on machines without a GPU): the panels' GPU
  // path (matrixLens.compute) gets an adapter; `auto` still never picks a software one
  webgpu = true,
  debugAdapter = false,
} = {}) {
  const { runDir, workspace } = makeRunDir(label);
  if (workspaceFrom) cpSync(workspaceFrom, workspace, { recursive: true });
  let extensionsDir = join(runDir, 'extensions');
  const payload = [];
  if (vsix) ({ extensionsDir } = installVsix(vsix, runDir));
  else mkdirSync(extensionsDir, { recursive: true });
  // the test host extension: Debian's debugpy as debug type `debugpy` (users have the Python extension)
  if (debugAdapter) installHostStub(extensionsDir);
  const server = await startCodeServer({
    runDir,
    folder: workspace,
    extensionsDir,
    env: theme ? { MATRIX_LENS_THEME: theme } : {},
  });
  if (!vsix)
    payload.push(['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${ROOT}`]);
  const browser = await launchChromium({ webgpu });
  const page = await browser.newPage({ viewport });
  let url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
  if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // Let the extension scan finish: the status bar appears once the workbench is restored.
  await page.waitForSelector('.statusbar', { timeout: 60_000 });
  return {
    page,
    workspace,
    runDir,
    async close() {
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}

/** Opens a workspace file by name through Quick Open (Ctrl+P), as a person would. */
export async function quickOpen(page, name) {
  await page
    .locator('.monaco-workbench')
    .click({ position: { x: 700, y: 400 } })
    .catch(() => {});
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
    } catch {
      continue;
    }
    await input.fill(name);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    try {
      await row.waitFor({ timeout: 10_000 });
    } catch {
      await page.keyboard.press('Escape');
      continue;
    }
    await page.keyboard.press('Enter');
    return;
  }
  throw new Error(`could not open ${name} with Quick Open`);
}

/** Runs a command from the command palette by its title. Retries until the extension's commands are listed. */
export async function runCommand(page, title) {
  for (let attempt = 0; attempt < 10; attempt++) {
    // F1 on every other try: a page that is loading (a webview taking the focus) may swallow
    // one keystroke; CI once lost a run here after 5 s
    await page.keyboard.press(attempt % 2 ? 'F1' : 'Control+Shift+P');
    const input = page.locator('.quick-input-widget input');
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
      continue;
    }
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 3000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  throw new Error(`command '${title}' never appeared in the palette`);
}

/** The innermost webview frame whose document has `selector`, waiting up to timeoutMs. */
export async function webviewFrame(page, selector, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      try {
        if (await f.$(selector)) return f;
      } catch {
        /* frame detached */
      }
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no webview frame with ${selector} within ${timeoutMs} ms`);
}
