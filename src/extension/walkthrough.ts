/**
 * The Getting Started walkthrough's one command: opens a demo file that ships with the
 * extension (arrays in the Matrix Lens editor, the Python file in a text editor).
 */
import * as vscode from 'vscode';
import { ARRAY_EDITOR_VIEW_TYPE } from './arrayEditor';

/** The files under demo/ a walkthrough link may open (nothing else: links carry arguments). */
export const DEMO_FILES = ['weights.npy', 'activations.npy', 'attention.npy', 'model.py'] as const;

export function registerWalkthrough(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('matrixLens.openDemo', async (name?: unknown) => {
      const file = DEMO_FILES.find((f) => f === name) ?? 'weights.npy';
      const uri = vscode.Uri.joinPath(context.extensionUri, 'demo', file);
      if (file.endsWith('.py')) await vscode.window.showTextDocument(uri);
      else await vscode.commands.executeCommand('vscode.openWith', uri, ARRAY_EDITOR_VIEW_TYPE);
    }),
  );
}
