/**
 * "Matrix Lens: Open as Embeddings": reads a 2-D array [N, d] as N vectors into the worker
 * (cancellable progress notification) and opens the embeddings view on them
 * (src/extension/panels/embeddingsPanel.ts). The editor title button runs it on the array
 * shown, which includes a live debugger value (the debugger bridge opens those in the same
 * editor).
 *
 * Argument, so that tests and other extensions can skip the pickers: a Uri (the editor title
 * menu) or `{ uri, member?, labels?, token? }`, `labels` a list (one per row) or a text file
 * (one label per line). Resolves with an {@link EmbeddingsOutcome}.
 */
import * as vscode from 'vscode';
import type { ArrayRef } from '../protocol/common';
import type { EmbeddingsInfo } from '../protocol/embeddings';
import type { EmbeddingsRenderedReport } from '../protocol/testing';
import { ArrayEditorProvider } from './arrayEditor';
import {
  ARRAY_FILTERS,
  isUri,
  runWithProgress,
  sourceOf,
  toUri,
  userMessage,
  type UriLike,
} from './arrayRefs';
import {
  EmbeddingsView,
  EmbeddingsViews,
  newEmbeddingsKey,
  readLabelFile,
} from './panels/embeddingsPanel';
import { basename } from './paths';
import { readSettings } from './settings';
import { WorkerClient, WorkerError } from './workerClient';

export interface OpenEmbeddingsArgs {
  uri: UriLike;
  member?: string;
  labels?: string[] | UriLike;
  token?: vscode.CancellationToken;
}

export interface EmbeddingsOutcome {
  state: 'done' | 'cancelled' | 'error' | 'aborted';
  info?: EmbeddingsInfo;
  /** what the view rendered once its heatmap and PCA were drawn (test builds) */
  report?: EmbeddingsRenderedReport;
  message?: string;
  view?: EmbeddingsView;
}

export function registerEmbeddingsCommand(
  context: vscode.ExtensionContext,
  worker: WorkerClient,
  provider: ArrayEditorProvider,
): EmbeddingsViews {
  const views = new EmbeddingsViews(context.extensionUri, worker);
  context.subscriptions.push(views);

  async function openEmbeddings(arg?: OpenEmbeddingsArgs | vscode.Uri): Promise<EmbeddingsOutcome> {
    let target: { uri: vscode.Uri; member?: string } | undefined;
    if (isUri(arg)) {
      const a = provider.activeArray();
      target = { uri: arg, member: a?.uri.toString() === arg.toString() ? a.member : undefined };
    } else if (arg?.uri !== undefined) target = { uri: toUri(arg.uri), member: arg.member };
    else target = provider.activeArray();
    if (!target) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: ARRAY_FILTERS,
        openLabel: 'Open as Embeddings',
        title: 'Matrix Lens: Open as Embeddings — a 2-D array [N, d]: N vectors of dimension d',
      });
      if (!picked?.[0]) return { state: 'aborted' };
      target = { uri: picked[0] };
    }
    const name = basename(target.uri) + (target.member ? `#${target.member}` : '');
    const key = newEmbeddingsKey();
    let info: EmbeddingsInfo;
    let labels: { list: string[]; from: string } | undefined;
    try {
      const ref: ArrayRef = { source: await sourceOf(target.uri), member: target.member };
      const maxBytes = readSettings().maxArrayBytes;
      info = await runWithProgress(
        `Matrix Lens: reading embeddings ${name}`,
        (o) => worker.call('embeddingsOpen', { key, ref, maxBytes }, o),
        {},
        [isUri(arg) ? undefined : arg?.token],
      );
      const l = isUri(arg) ? undefined : arg?.labels;
      if (Array.isArray(l)) labels = { list: l.map(String), from: 'list' };
      else if (l !== undefined) labels = await readLabelFile(toUri(l));
    } catch (e) {
      if (e instanceof WorkerError && e.code === 'cancelled') {
        void vscode.window.setStatusBarMessage('Matrix Lens: cancelled', 3000);
        return { state: 'cancelled', message: 'cancelled' };
      }
      const message = userMessage(e);
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      return { state: 'error', message };
    }
    const view = views.create(`Embeddings: ${name}`, key, info);
    const source = target.uri.scheme === 'file' ? target.uri.fsPath : target.uri.toString();
    view.show(`Embeddings: ${name}`, source + (target.member ? ` · ${target.member}` : ''), labels);
    const report = await view.waitReport(
      (r) => r.state === 'error' || (r.state === 'open' && !!r.heatmap && !!r.pca),
    );
    return { state: 'done', info, report, view };
  }

  context.subscriptions.push(
    vscode.commands.registerCommand('matrixLens.openEmbeddings', openEmbeddings),
  );
  return views;
}
