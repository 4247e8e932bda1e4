/**
 * Activation: one compute worker, the array custom editor, and the commands. Everything
 * heavy happens in the worker; this file only wires things together.
 */
import * as vscode from 'vscode';
import { ArrayEditorProvider, ARRAY_EDITOR_VIEW_TYPE, RenderedRegistry } from './arrayEditor';
import { WorkerClient } from './workerClient';

/** What `activate` returns: used by the integration tests (and harmless otherwise). */
export interface MatrixLensApi {
  rendered: RenderedRegistry;
  worker: WorkerClient;
}

export function activate(context: vscode.ExtensionContext): MatrixLensApi {
  const worker = new WorkerClient(context.asAbsolutePath('dist/worker.js'));
  context.subscriptions.push({ dispose: () => worker.dispose() });
  const rendered = new RenderedRegistry();
  const provider = new ArrayEditorProvider(context, worker, rendered);

  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(ARRAY_EDITOR_VIEW_TYPE, provider, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.commands.registerCommand('matrixLens.openFile', async () => {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'NumPy arrays': ['npy'] },
        openLabel: 'Open in Matrix Lens',
      });
      if (picked?.[0]) await vscode.commands.executeCommand('vscode.openWith', picked[0], ARRAY_EDITOR_VIEW_TYPE);
    }),
    vscode.commands.registerCommand('matrixLens.copySummary', async () => {
      const uri = provider.activeUri;
      const report = uri && rendered.get(uri);
      if (!report?.summary) {
        void vscode.window.showInformationMessage('Matrix Lens: open an array file first.');
        return;
      }
      await vscode.env.clipboard.writeText(report.summary);
      void vscode.window.setStatusBarMessage('Matrix Lens: summary copied', 2000);
    }),
  );
  return { rendered, worker };
}

export function deactivate(): void {
  /* subscriptions dispose the worker */
}
