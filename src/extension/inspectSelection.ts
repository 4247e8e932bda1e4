/**
 * "Matrix Lens: Inspect Selection": parses the selected array text (a nested list,
 * `np.array(...)`, NumPy/PyTorch printouts, rows of numbers) in the worker and shows its
 * summary and heatmap in a panel beside the editor. Nothing is evaluated.
 */
import * as vscode from 'vscode';
import { ArrayEditorProvider, userMessage } from './arrayEditor';
import { WorkerClient } from './workerClient';
import { readSettings } from './settings';
import { basename } from './paths';

/** Selections longer than this are refused (the text is copied to the worker). */
const MAX_SELECTION_CHARS = 64 << 20;

export interface SelectionInspector {
  /** the last error shown for a selection (tests read it; the user sees a notification). */
  lastError?: string;
}

let counter = 0;

export function registerInspectSelection(
  context: vscode.ExtensionContext,
  worker: WorkerClient,
  provider: ArrayEditorProvider,
): SelectionInspector {
  const state: SelectionInspector = {};
  const fail = (message: string): undefined => {
    state.lastError = `Matrix Lens: ${message}`;
    void vscode.window.showErrorMessage(state.lastError);
    return undefined;
  };
  context.subscriptions.push(
    /** Returns the URI its rendered reports are filed under, or undefined when nothing was shown. */
    vscode.commands.registerCommand(
      'matrixLens.inspectSelection',
      async (): Promise<vscode.Uri | undefined> => {
        state.lastError = undefined;
        const editor = vscode.window.activeTextEditor;
        if (!editor) return fail('open a text editor and select an array first.');
        const sel = editor.selection;
        if (sel.isEmpty)
          return fail(
            'select the text of an array first (a nested list, np.array(...), or a printed array).',
          );
        const text = editor.document.getText(sel);
        if (text.length > MAX_SELECTION_CHARS)
          return fail(
            `the selection has ${text.length.toLocaleString('en-US')} characters; at most ${MAX_SELECTION_CHARS.toLocaleString('en-US')} are inspected. Save the array with np.save and open the .npy file instead.`,
          );
        const settings = readSettings(editor.document.uri);
        const key = `selection-${process.pid}-${++counter}`;
        let view;
        try {
          view = await worker.call('inspectText', {
            text,
            key,
            maxCells: settings.maxCells,
            pooling: settings.pooling,
          });
        } catch (e) {
          return fail(`cannot read the selection as an array: ${userMessage(e)}`);
        }
        const where = `${basename(editor.document.uri)}:${sel.start.line + 1}`;
        const panel = provider.openHeld(key, `Selection (${where})`, view);
        return panel.reportUri;
      },
    ),
  );
  return state;
}
