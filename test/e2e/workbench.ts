/** Loads the workbench driver (plain ESM under scripts/lib) at run time. */
import { existsSync } from 'node:fs';
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
