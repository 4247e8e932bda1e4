/**
 * "Matrix Lens: Inspect Selection": parses the selected array text (a nested list,
 * `np.array(...)`, NumPy/PyTorch printouts, rows of numbers) in the worker and shows its
 * summary and heatmap in a panel beside the editor. Nothing is evaluated.
 */
import * as vscode from 'vscode';
import { ArrayEditorProvider, SELECTION_VIEW_TYPE } from './arrayEditor';
import { userMessage } from './arrayRefs';
import { WorkerClient } from './workerClient';
import { readSettings } from './settings';
import { basename } from './paths';

/** Selections longer than this are refused (the text is copied to the worker). */
const MAX_SELECTION_CHARS = 64 << 20;
/** Selections up to this size are kept in workspace state so the panel survives a window reload. */
const MAX_RESTORABLE_CHARS = 4 << 20;
const RESTORE_PREFIX = 'matrixLens.selection.';

/** What workspace state keeps of an Inspect Selection panel (under RESTORE_PREFIX + token). */
interface KeptSelection {
  text: string;
  title: string;
}

export interface SelectionInspector {
  /** the last error shown for a selection (tests read it; the user sees a notification). */
  lastError?: string;
  /** the token the last inspected selection is kept under for a window reload (tests). */
  lastRestoreToken?: string;
  /** what the serializer does after a window reload: returns the revived panel's report URI,
   *  or undefined when the selection was not kept (the panel then says so). Without a panel,
   *  one is created as VS Code creates it for the serializer (tests). */
  revive(panel: vscode.WebviewPanel | undefined, saved: unknown): Promise<vscode.Uri | undefined>;
}

let counter = 0;

export function registerInspectSelection(
  context: vscode.ExtensionContext,
  worker: WorkerClient,
  provider: ArrayEditorProvider,
): SelectionInspector {
  const state: SelectionInspector = {
    revive: (panel, saved) =>
      revive(
        panel ??
          vscode.window.createWebviewPanel(SELECTION_VIEW_TYPE, 'Selection', {
            viewColumn: vscode.ViewColumn.Beside,
            preserveFocus: true,
          }),
        saved,
      ),
  };
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
        const title = `Selection (${where})`;
        let restoreToken: string | undefined;
        if (text.length <= MAX_RESTORABLE_CHARS) {
          restoreToken = `${Date.now().toString(36)}-${key}`;
          const kept: KeptSelection = { text, title };
          await context.workspaceState.update(RESTORE_PREFIX + restoreToken, kept);
        }
        state.lastRestoreToken = restoreToken;
        const panel = provider.openHeld(key, title, view, {
          restoreToken,
          onDispose: forget(restoreToken),
        });
        return panel.reportUri;
      },
    ),
    // After a window reload: parse the kept selection text again into the revived panel.
    vscode.window.registerWebviewPanelSerializer(SELECTION_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, saved: unknown) => {
        void revive(panel, saved);
        return Promise.resolve(); // never await the webview here: VS Code holds the page meanwhile
      },
    }),
  );

  /** Drops the kept text when its panel is closed (not when the window reloads). */
  function forget(token: string | undefined): (() => void) | undefined {
    if (token === undefined) return undefined;
    return () => void context.workspaceState.update(RESTORE_PREFIX + token, undefined);
  }

  async function revive(
    panel: vscode.WebviewPanel,
    saved: unknown,
  ): Promise<vscode.Uri | undefined> {
    const token = (saved as { restoreToken?: unknown } | undefined)?.restoreToken;
    const kept =
      typeof token === 'string'
        ? context.workspaceState.get<KeptSelection>(RESTORE_PREFIX + token)
        : undefined;
    if (!kept) {
      panel.webview.html = goneHtml(
        'This selection was not kept across the window reload (it was larger than 4 MiB, or its panel predates this version). Select the array text and run Matrix Lens: Inspect Selection again.',
      );
      return undefined;
    }
    const key = `selection-${process.pid}-${++counter}`;
    try {
      const settings = readSettings();
      const view = await worker.call('inspectText', {
        text: kept.text,
        key,
        maxCells: settings.maxCells,
        pooling: settings.pooling,
      });
      return provider.openHeld(key, kept.title, view, {
        restoreToken: token as string,
        panel,
        onDispose: forget(token as string),
      }).reportUri;
    } catch (e) {
      panel.webview.html = goneHtml(`Cannot read the selection again: ${userMessage(e)}`);
      return undefined;
    }
  }
  return state;
}

/** A static page (no script) for a selection panel that cannot be restored. */
function goneHtml(message: string): string {
  const text = message.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p id="gone">${text}</p></body></html>`;
}
