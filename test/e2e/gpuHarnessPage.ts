/**
 * The GPU kernel harness (test/browser/gpuHarness.ts, built to out/test/browser) in a headless
 * Chromium with --enable-unsafe-webgpu: one page, and `call` for the harness's functions.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';

export interface GpuHarnessPage {
  browser: Browser;
  page: Page;
  /** runs `gpuHarness[name](...args)` in the page */
  call<T>(name: string, ...args: unknown[]): Promise<T>;
}

export async function openGpuHarness(tmpPrefix: string): Promise<GpuHarnessPage> {
  const { launchChromium } = (await import(
    pathToFileURL(join(process.cwd(), 'scripts/lib/browser.mjs')).href
  )) as { launchChromium(o: { webgpu: boolean }): Promise<Browser> };
  const browser = await launchChromium({ webgpu: true });
  const page = await browser.newPage();
  page.on('console', (m) => console.log(`      [page] ${m.text()}`));
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const script = pathToFileURL(join(process.cwd(), 'out/test/browser/gpuHarness.js')).href;
  writeFileSync(join(dir, 'index.html'), `<!doctype html><script src="${script}"></script>`);
  // a file: page is a secure context, which navigator.gpu requires
  await page.goto(pathToFileURL(join(dir, 'index.html')).href);
  const call = <T>(name: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(
      ([n, a]) =>
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        (globalThis as any).gpuHarness[n as string](...(a as unknown[])),
      [name, args] as const,
    ) as Promise<T>;
  return { browser, page, call };
}
