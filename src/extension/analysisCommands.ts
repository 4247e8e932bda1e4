/**
 * "Matrix Lens: Analyze" ("Attention from Q, K, V" is in attentionCommand.ts). The host only picks
 * inputs and moves results: the numbers are computed in the worker (cancellable, with
 * progress in a notification) and shown in the results panel.
 *
 * The command takes an optional argument so tests and other extensions can skip the
 * pickers: `matrixLens.analyze` `{ uri, member?, index?, text?, randomized?, token? }` (or a
 * Uri, as the editor title menu passes). It resolves with a {@link CommandOutcome}: the state, the worker's result and what the
 * panel rendered.
 */
import * as vscode from 'vscode';
import type { AnalysisRenderedReport } from '../protocol/testing';
import type { AnalyzeParams, AnalyzeResult } from '../protocol/worker';
import type { ArrayRef } from '../protocol/common';
import { ArrayEditorProvider } from './arrayEditor';
import { ANALYSIS_PANEL_VIEW_TYPE, AnalysisPanel, PanelState } from './panels/analysisPanel';
import { CallOptions, WorkerClient, WorkerError } from './workerClient';
import { readSettings } from './settings';
import { ComputeMode, GPU_TOP_K, mayUseGpu } from '../protocol/compute';
import { basename } from './paths';
import {
  ARRAY_FILTERS,
  ArrayArg,
  UriLike,
  describeEntry,
  isUri,
  runWithProgress,
  listEntries,
  sourceOf,
  userMessage,
  toUri,
} from './arrayRefs';

export type { ArrayArg };

export interface AnalyzeArgs {
  uri?: UriLike;
  member?: string;
  /** leading indices of an N-D array (default: the first 2-D slice). */
  index?: number[];
  /** array text to analyze instead of a file. */
  text?: string;
  randomized?: boolean;
  token?: vscode.CancellationToken;
}

export interface CommandOutcome<R> {
  /** 'aborted': the user dismissed a picker before anything ran. */
  state: 'done' | 'cancelled' | 'error' | 'aborted';
  /** cancelled: milliseconds from the Cancel request until the worker had stopped. */
  stopMs?: number;
  result?: R;
  report?: AnalysisRenderedReport;
  message?: string;
}

interface Target {
  ref?: ArrayRef;
  text?: string;
  label: string;
}

function isSingleArrayFile(uri: vscode.Uri): boolean {
  return /\.npy$/i.test(uri.path);
}

export function registerAnalysisCommands(
  context: vscode.ExtensionContext,
  worker: WorkerClient,
  provider: ArrayEditorProvider,
): AnalysisPanel {
  const panel = new AnalysisPanel(context.extensionUri);
  context.subscriptions.push(
    panel,
    // after a window reload the panel comes back with the last result it showed
    vscode.window.registerWebviewPanelSerializer(ANALYSIS_PANEL_VIEW_TYPE, panel),
  );

  /** A member of `uri`: the given one, the only one, or the user's pick (undefined: dismissed). */
  async function refOf(
    uri: vscode.Uri,
    member: string | undefined,
    role: string,
    /** list even a .npy (one array) to learn its shape */
    needShape = false,
  ): Promise<{ ref: ArrayRef; label: string; shape?: number[] } | undefined> {
    const source = await sourceOf(uri);
    const file = basename(uri);
    const entries =
      member === undefined && isSingleArrayFile(uri) && !needShape
        ? undefined
        : await listEntries(worker, source);
    if (member !== undefined || !entries || entries.length <= 1) {
      const e =
        entries?.find((x) => x.name === member) ??
        (member === undefined ? entries?.[0] : undefined);
      return {
        ref: { source, member },
        label: member ? `${file}#${member}` : file,
        shape: e?.shape,
      };
    }
    const picked = await vscode.window.showQuickPick(
      entries.map((e) => ({ label: e.name, description: describeEntry(e), entry: e })),
      {
        title: `Matrix Lens: ${role} — ${file} holds ${entries.length} arrays`,
        placeHolder: 'Pick an array',
      },
    );
    if (!picked) return undefined;
    return {
      ref: { source, member: picked.entry.name },
      label: `${file}#${picked.entry.name}`,
      shape: picked.entry.shape,
    };
  }

  async function analyzeTarget(
    arg: AnalyzeArgs | vscode.Uri | undefined,
  ): Promise<Target | undefined> {
    const editor = vscode.window.activeTextEditor;
    const selected =
      editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
    if (isUri(arg)) {
      // from a menu: the editor's resource. A text editor with a selection means the selection.
      if (selected && editor!.document.uri.toString() === arg.toString())
        return { text: selected, label: `selection in ${basename(arg)}` };
      const r = await refOf(arg, undefined, 'Analyze');
      return r && { ref: r.ref, label: r.label };
    }
    if (arg?.text !== undefined) return { text: arg.text, label: 'text' };
    if (arg?.uri !== undefined) {
      const r = await refOf(toUri(arg.uri), arg.member, 'Analyze');
      return r && { ref: r.ref, label: r.label };
    }
    if (selected)
      return { text: selected, label: `selection in ${basename(editor!.document.uri)}` };
    const uri = provider.activeArray()?.uri;
    if (uri) {
      const r = await refOf(uri, undefined, 'Analyze');
      return r && { ref: r.ref, label: r.label };
    }
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: ARRAY_FILTERS,
      openLabel: 'Analyze',
      title: 'Matrix Lens: Analyze — select text with an array, open an array file, or pick one',
    });
    if (!picked?.[0]) return undefined;
    const r = await refOf(picked[0], undefined, 'Analyze');
    return r && { ref: r.ref, label: r.label };
  }

  /**
   * Runs a worker call under a cancellable progress notification; `tokens` (the caller's, the
   * panel's Cancel button) cancel it too. Progress also goes to `onProgress` (the panel's bar).
   */

  /** Runs, then shows the result / "cancelled" / the error (one line, one dialog) in the panel. */
  async function runAndShow<R>(
    title: string,
    detail: string,
    /** errors start with this (the array's name) unless they already do; '' for none. */
    errorPrefix: string,
    call: (opts: CallOptions) => Promise<R>,
    token: vscode.CancellationToken | undefined,
    present: (r: R) => PanelState,
  ): Promise<CommandOutcome<R>> {
    const seq = panel.begin();
    const cancelledAt: { t?: number } = {};
    void panel.show(seq, { type: 'running', title, detail });
    // the panel's Cancel button cancels this run
    const fromPanel = new vscode.CancellationTokenSource();
    const panelCancel = panel.onDidRequestCancel((s) => {
      if (s === seq) fromPanel.cancel();
    });
    let result: R;
    try {
      result = await runWithProgress(
        `Matrix Lens: ${detail}`,
        call,
        cancelledAt,
        [token, fromPanel.token],
        (f) => panel.progress(seq, f),
      );
    } catch (e) {
      if (e instanceof WorkerError && e.code === 'cancelled') {
        const stopMs = cancelledAt.t === undefined ? undefined : Date.now() - cancelledAt.t;
        void vscode.window.setStatusBarMessage('Matrix Lens: cancelled', 3000);
        const report = await panel.show(seq, { type: 'cancelled', title });
        return { state: 'cancelled', report, message: 'cancelled', stopMs };
      }
      let message = userMessage(e);
      if (errorPrefix && !message.startsWith(errorPrefix)) message = `${errorPrefix}: ${message}`;
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      const report = await panel.show(seq, { type: 'error', title, message });
      return { state: 'error', report, message };
    } finally {
      panelCancel.dispose();
      fromPanel.dispose();
    }
    const report = await panel.show(seq, present(result));
    return { state: 'done', result, report };
  }

  async function analyze(arg?: AnalyzeArgs | vscode.Uri): Promise<CommandOutcome<AnalyzeResult>> {
    let target: Target | undefined;
    try {
      target = await analyzeTarget(arg);
    } catch (e) {
      const message = userMessage(e);
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      return { state: 'error', message };
    }
    if (!target) return { state: 'aborted' };
    const opts = isUri(arg) ? undefined : arg;
    const settings = readSettings();
    const params: AnalyzeParams = {
      input: target.text !== undefined ? { text: target.text, name: target.label } : target.ref!,
      maxBytes: settings.maxArrayBytes,
      index: opts?.index,
      randomized: opts?.randomized,
    };
    const label = target.label;
    const outcome = await runAndShow<AnalyzeResult>(
      `Analysis: ${label}`,
      `analyzing ${label}`,
      label,
      (o) => worker.call('analyze', params, o),
      opts?.token,
      (result) => ({
        type: 'analysis',
        title: `Analysis: ${label}`,
        result,
      }),
    );
    if (outcome.state === 'done' && outcome.result)
      await routeSpectrum(panel.latest, params, outcome.result, settings.compute);
    return outcome;
  }

  /**
   * After the worker's float64 analysis is shown: the top-k singular values of the same
   * matrix go to the panel's compute router when the setting and the size allow the GPU (the
   * panel then shows the GPU's values with their accuracy beside the CPU's, or says why not).
   */
  async function routeSpectrum(
    seq: number,
    params: AnalyzeParams,
    result: AnalyzeResult,
    mode: ComputeMode,
  ): Promise<void> {
    const [rows, cols] = result.analysis.shape;
    const k = Math.min(GPU_TOP_K, result.analysis.singularValues.length);
    if (k === 0 || !mayUseGpu(mode, rows * cols)) return;
    try {
      const m = await worker.call('analysisMatrix', params);
      panel.gpuSpectrum(seq, { mode, k, rows: m.rows, cols: m.cols, data: m.data });
    } catch (e) {
      // the analysis is shown already; the GPU copy is an extra that may fail quietly
      void vscode.window.setStatusBarMessage(`Matrix Lens: no GPU run (${userMessage(e)})`, 5000);
    }
  }

  context.subscriptions.push(vscode.commands.registerCommand('matrixLens.analyze', analyze));
  return panel;
}
