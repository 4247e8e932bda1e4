/**
 * The Matrix Lens (Alt) hover while a Python program is paused: the live shape of the name under
 * the cursor next to the statically inferred one (read from the shape hover's own text, so this
 * stays independent of src/extension/shapes), saying when they disagree.
 */
import * as vscode from 'vscode';
import { expressionAt } from '../../core/debug/expression';
import { pyShape, shapeLabel, shapesAgree } from '../../core/debug/describe';
import type { HelperMeta } from '../../protocol/debug';
import { DebugBridge, PYTHON_DEBUG_TYPES } from './session';

export function registerLiveShapeHover(bridge: DebugBridge): vscode.Disposable {
  let inner = false;
  return vscode.languages.registerHoverProvider('python', {
    provideHover: async (doc, pos) => {
      if (inner) return undefined;
      const session = vscode.debug.activeDebugSession;
      if (!session || !PYTHON_DEBUG_TYPES.has(session.type)) return undefined;
      const st = bridge.state(session);
      if (!st.paused || st.ended) return undefined;
      const span = expressionAt(doc.lineAt(pos.line).text, pos.character);
      if (!span) return undefined;
      let meta: HelperMeta | null | undefined;
      try {
        meta = await bridge.meta(session, span.expression);
      } catch {
        return undefined;
      }
      if (!meta) return undefined;
      let inferred: string | undefined;
      inner = true;
      try {
        const hovers =
          (await vscode.commands.executeCommand<vscode.Hover[]>(
            'vscode.executeHoverProvider',
            doc.uri,
            pos,
          )) ?? [];
        for (const h of hovers)
          for (const c of h.contents) {
            const text = typeof c === 'string' ? c : 'value' in c ? c.value : '';
            const m = /shape \(([^)]*)\)/.exec(text);
            if (m && inferred === undefined) inferred = m[1];
          }
      } finally {
        inner = false;
      }
      const live = `live \`${span.expression}\`: \`${shapeLabel(meta)}\` on ${meta.device}`;
      const verdict =
        inferred === undefined
          ? ''
          : shapesAgree(inferred, meta.shape)
            ? ` — agrees with the inferred shape (${inferred})`
            : ` — **differs from the inferred shape (${inferred})**: live ${pyShape(meta.shape)}`;
      const range = new vscode.Range(pos.line, span.start, pos.line, span.end);
      return new vscode.Hover(new vscode.MarkdownString(live + verdict), range);
    },
  });
}
