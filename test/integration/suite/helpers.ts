import * as vscode from 'vscode';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { MatrixLensApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'matrix-lens.matrix-lens';
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export async function api(): Promise<MatrixLensApi> {
  const ext = vscode.extensions.getExtension<MatrixLensApi | undefined>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  const a = await ext.activate();
  if (!a) throw new Error('this build has no test hooks: build it with esbuild.mjs --test-hooks');
  return a;
}

export function workspaceDir(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test host was started without a workspace folder');
  return folder.uri;
}

/** Runs Python (Debian's, which sees numpy/torch) and returns stdout. */
export function python(script: string, ...args: string[]): string {
  return execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/**
 * Closes every editor and waits for their webviews to be torn down: in code-server a webview
 * created while another is being disposed can stall for 30 s (its service-worker requests go
 * unanswered), which a person never hits but back-to-back tests do.
 */
export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await sleep(750);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Numbers in a summary line, by label: `x∈[a, b]`, `μ=`, `σ=`, `NaN n`, … */
export function parseSummary(line: string): Record<string, number> {
  const num = '([-−+]?(?:\\d+\\.?\\d*(?:e[-+]?\\d+)?|Inf|NaN))';
  const fix = (s: string) =>
    Number(
      s
        .replace('−', '-')
        .replace(/^\+?Inf$/, 'Infinity')
        .replace(/^-Inf$/, '-Infinity'),
    );
  const out: Record<string, number> = {};
  const range = new RegExp(`x∈\\[${num}, ${num}\\]`).exec(line);
  if (range) {
    out.min = fix(range[1]);
    out.max = fix(range[2]);
  }
  for (const [key, re] of [
    ['n', /n=(\d+)/],
    ['mean', new RegExp(`μ=${num}`)],
    ['std', new RegExp(`σ=${num}`)],
    ['nan', /NaN (\d+)/],
    ['posinf', /\+Inf (\d+)/],
    ['neginf', /−Inf (\d+)/],
    ['zeros', /zeros (\d+)/],
  ] as const) {
    const m = re.exec(line);
    if (m) out[key] = fix(m[1]);
  }
  return out;
}
