/**
 * Activation: one compute worker, the array custom editor, and the commands. Everything
 * heavy happens in the worker; this file only wires things together.
 */
import * as vscode from 'vscode';
import {
  ArrayEditorProvider,
  ARRAY_EDITOR_VIEW_TYPE,
  RenderedRegistry,
  registerArrayCommands,
} from './arrayEditor';
import { registerInspectSelection, SelectionInspector } from './inspectSelection';
import { WorkerClient } from './workerClient';
import { registerShapeFeatures } from './shapes';
import { registerAnalysisCommands } from './analysisCommands';
import { registerAttentionCommands } from './attentionCommand';
import { registerEmbeddingsCommand } from './embeddingsCommand';
import { registerWalkthrough } from './walkthrough';
import type { AttentionViews } from './panels/attentionPanel';
import type { EmbeddingsViews } from './panels/embeddingsPanel';
import type { AnalysisPanel } from './panels/analysisPanel';
import { registerDebugFeatures, type DebugApi } from './debug';
import { registerCompareCommands } from './compareCommand';
import type { CompareViews } from './panels/comparePanel';
import { pageFaults } from './panels/panelBase';

/** What `activate` returns in builds with test hooks: the integration tests' handle. */
export interface MatrixLensApi {
  rendered: RenderedRegistry;
  worker: WorkerClient;
  /** the array editors and selection panels (`panelsOf(uri)[0].drive(...)` acts like the user). */
  arrays: ArrayEditorProvider;
  /** Inspect Selection's last error. */
  selection: SelectionInspector;
  /** the Analyze results panel (its serializer `restore` is tested directly). */
  analysisPanel: AnalysisPanel;
  /** the attention views (tests drive them and read what they rendered). */
  attention: AttentionViews;
  /** the embeddings views (tests drive them and read what they rendered). */
  embeddings: EmbeddingsViews;
  /** the debugger bridge (live values of a paused Python program). */
  debug: DebugApi;
  /** the compare views (tests read what they rendered and drive them). */
  compare: CompareViews;
  /** webview pages made to start silent (the panels' reload watchdog is tested with it). */
  pageFaults: NonNullable<typeof pageFaults>;
}

export function activate(context: vscode.ExtensionContext): MatrixLensApi | undefined {
  const worker = new WorkerClient(context.asAbsolutePath('dist/worker.js'));
  context.subscriptions.push({ dispose: () => worker.dispose() });
  const rendered = TEST_HOOKS ? new RenderedRegistry() : undefined;
  const provider = new ArrayEditorProvider(context, worker, rendered);

  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(ARRAY_EDITOR_VIEW_TYPE, provider, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: true },
    }),
    vscode.commands.registerCommand('matrixLens.openFile', async () => {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'Array files': ['npy', 'npz', 'safetensors', 'pt', 'pth', 'bin'] },
        openLabel: 'Open in Matrix Lens',
      });
      if (picked?.[0])
        await vscode.commands.executeCommand('vscode.openWith', picked[0], ARRAY_EDITOR_VIEW_TYPE);
    }),
    vscode.commands.registerCommand('matrixLens.copySummary', async () => {
      const uri = provider.activeUri;
      const summary = uri && provider.panelsOf(uri).at(-1)?.summary;
      if (!summary) {
        void vscode.window.showInformationMessage('Matrix Lens: open an array file first.');
        return;
      }
      await vscode.env.clipboard.writeText(summary);
      void vscode.window.setStatusBarMessage('Matrix Lens: summary copied', 2000);
    }),
  );
  registerShapeFeatures(context);
  const analysisPanel = registerAnalysisCommands(context, worker, provider);
  const attention = registerAttentionCommands(context, worker, provider);
  const embeddings = registerEmbeddingsCommand(context, worker, provider);
  const selection = registerInspectSelection(context, worker, provider);
  registerArrayCommands(context, provider);
  registerWalkthrough(context);
  const debug = registerDebugFeatures(
    context,
    async (uri) => (await provider.panelsOf(uri)[0]?.requestExport('csv'))?.visible?.window,
  );
  provider.liveSources = (uri) => debug.opener.liveSource(uri);
  const compare = registerCompareCommands(context, worker);
  if (!TEST_HOOKS || !rendered) return undefined;
  return {
    rendered,
    worker,
    arrays: provider,
    selection,
    analysisPanel,
    attention,
    embeddings,
    debug,
    compare,
    pageFaults: pageFaults!,
  };
}

export function deactivate(): void {
  /* subscriptions dispose the worker */
}
