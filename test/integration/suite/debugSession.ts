/** Starting the real debugpy on a test program and waiting for its stops (debugger suites). */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DebugApi } from '../../../src/extension/debug';
import { PYTHON, sleep } from './helpers';

/** Resolves at the bridge's next stop event. Create it before the action that stops. */
export function nextStop(dbg: DebugApi): Promise<void> {
  return new Promise<void>((resolve) => {
    const d = dbg.bridge.onDidStop(() => {
      d.dispose();
      resolve();
    });
  });
}

/** Launches `program` under debugpy (Debian's python3) and waits for its first stop. */
export async function launchToFirstStop(
  dbg: DebugApi,
  opts: { name: string; program: string; args?: string[] },
): Promise<vscode.DebugSession> {
  const stopped = nextStop(dbg);
  const ok = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], {
    type: 'debugpy',
    name: opts.name,
    request: 'launch',
    program: opts.program,
    args: opts.args ?? [],
    python: PYTHON,
    console: 'internalConsole',
    justMyCode: true,
  });
  assert.ok(ok, 'debug session started');
  await Promise.race([
    stopped,
    sleep(90_000).then(() => Promise.reject(new Error('no stop within 90 s'))),
  ]);
  const s = vscode.debug.activeDebugSession;
  assert.ok(s, 'active session');
  return s;
}
