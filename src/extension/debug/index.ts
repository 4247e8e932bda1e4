/**
 * The debugger bridge's VS Code side: commands (Variables view menu, editor selection,
 * palette), the Tensors view, the debug hover's expression and inline values for Python.
 */
import * as vscode from 'vscode';
import { expressionAt } from '../../core/debug/expression';
import { shapeLabel } from '../../core/debug/describe';
import type { HelperMeta } from '../../protocol/debug';
import { DebugBridge, DebugLensError, PYTHON_DEBUG_TYPES, pyStr } from './session';
import { LiveOpener, type LiveAttentionOptions, type VisibleWindow } from './open';
import type { CellWindow } from '../../protocol/common';
import { TempFiles } from './transfer';
import { TensorRow, TensorsView } from './tensorsView';
import { PinManager, type CompareStopsArgs } from './pins';
import { registerLiveShapeHover } from './liveHover';

/** What the integration tests reach through the extension's API. */
export interface DebugApi {
  bridge: DebugBridge;
  opener: LiveOpener;
  tensors: TensorsView;
  temp: TempFiles;
  pins: PinManager;
  /** the debug-hover expression and inline-values providers (tests call them directly). */
  evaluatable: vscode.EvaluatableExpressionProvider;
  inlineValues: vscode.InlineValuesProvider;
}

/** The argument VS Code passes to a `debug/variables/context` command. */
interface VariablesMenuArg {
  sessionId?: string;
  container?: { name?: string; expensive?: boolean; evaluateName?: string };
  variable?: { name?: string; evaluateName?: string };
}

/** The expression for a Variables-view item: its evaluateName; Globals → `globals()['name']`. */
export function variableExpression(arg: VariablesMenuArg): string | undefined {
  const v = arg.variable;
  if (!v?.name && !v?.evaluateName) return undefined;
  const isScope = arg.container && 'expensive' in arg.container;
  if (isScope && arg.container?.name === 'Globals' && v.name) return `globals()[${pyStr(v.name)}]`;
  return v.evaluateName ?? v.name;
}

function pausedPythonSession(): vscode.DebugSession | undefined {
  const s = vscode.debug.activeDebugSession;
  return s && PYTHON_DEBUG_TYPES.has(s.type) ? s : undefined;
}

/** Selection text, else the expression under the cursor. */
function editorExpression(editor: vscode.TextEditor | undefined): string | undefined {
  if (!editor) return undefined;
  const sel = editor.selection;
  if (!sel.isEmpty) return editor.document.getText(sel).trim() || undefined;
  const line = editor.document.lineAt(sel.active.line).text;
  return expressionAt(line, sel.active.character)?.expression;
}

/** `matrixLens.debug.showAttention`'s argument: a Variables item, a Tensors row, or an expression. */
type AttentionArg =
  VariablesMenuArg | TensorRow | string | ({ expression: string } & LiveAttentionOptions);

export function registerDebugFeatures(
  context: vscode.ExtensionContext,
  visibleWindow?: VisibleWindow,
): DebugApi {
  const bridge = new DebugBridge();
  const temp = new TempFiles();
  const opener = new LiveOpener(bridge, temp, visibleWindow);
  const tensors = new TensorsView(bridge, context.workspaceState);
  const pins = new PinManager(context.extensionUri, bridge, opener.transfers, temp);
  context.subscriptions.push(bridge, temp, opener, tensors, pins, registerLiveShapeHover(bridge));
  const pinExpression = async (expr: string | undefined): Promise<void> => {
    if (!expr) return;
    try {
      await pins.pin(expr);
    } catch (e) {
      opener.fail(expr, e);
    }
  };

  const openFromEditor = async (): Promise<void> => {
    const expr = editorExpression(vscode.window.activeTextEditor);
    if (!expr) {
      void vscode.window.showErrorMessage(
        'Matrix Lens: select an expression of the paused program first.',
      );
      return;
    }
    await opener.open(expr);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(
      'matrixLens.debug.openVariable',
      async (arg: VariablesMenuArg) => {
        const expr = arg && variableExpression(arg);
        if (!expr) {
          void vscode.window.showErrorMessage(
            'Matrix Lens: this item has no expression to evaluate.',
          );
          return;
        }
        await opener.open(expr, { sessionId: arg.sessionId, name: arg.variable?.name ?? expr });
      },
    ),
    vscode.commands.registerCommand('matrixLens.debug.openSelection', openFromEditor),
    vscode.commands.registerCommand('matrixLens.debug.openExpression', async (given?: string) => {
      const expr = await askExpression(
        given,
        'Open in Matrix Lens',
        'A Python expression of the paused frame (NumPy array, torch tensor, …)',
      );
      if (expr) await opener.open(expr);
    }),
    vscode.commands.registerCommand('matrixLens.debug.openTensor', async (row?: TensorRow) => {
      if (row?.item) await opener.open(row.item.name);
    }),
    vscode.commands.registerCommand('matrixLens.debug.addExpression', async (given?: string) => {
      const expr = await askExpression(
        given,
        'Add Expression to Tensors',
        'A Python expression to list in the Tensors view (like a watch)',
      );
      if (expr) await tensors.addExpression(expr);
    }),
    vscode.commands.registerCommand(
      'matrixLens.debug.removeExpression',
      async (row?: TensorRow) => {
        if (row?.item) await tensors.removeExpression(row.item.name);
      },
    ),
    vscode.commands.registerCommand('matrixLens.debug.refreshTensors', () => tensors.refresh()),
    vscode.commands.registerCommand('matrixLens.debug.pin', async (arg?: TensorRow | string) => {
      const expr =
        typeof arg === 'string'
          ? arg
          : arg?.item
            ? arg.item.name
            : await vscode.window.showInputBox({
                title: 'Pin in Matrix Lens',
                prompt: 'A Python expression to follow from stop to stop',
                value: editorExpression(vscode.window.activeTextEditor) ?? '',
              });
      await pinExpression(expr?.trim());
    }),
    vscode.commands.registerCommand('matrixLens.debug.pinVariable', async (arg: VariablesMenuArg) =>
      pinExpression(arg && variableExpression(arg)),
    ),
    vscode.commands.registerCommand('matrixLens.debug.compareStops', (arg?: CompareStopsArgs) =>
      pins.compareStops(arg && typeof arg === 'object' ? arg : {}),
    ),
    vscode.commands.registerCommand(
      'matrixLens.debug.showAttention',
      async (arg?: AttentionArg) => {
        let expr: string | undefined;
        let opts: LiveAttentionOptions = {};
        if (typeof arg === 'string') expr = arg;
        else if (arg instanceof TensorRow) expr = arg.item.name;
        else if (arg && 'expression' in arg) {
          expr = arg.expression;
          opts = { sessionId: arg.sessionId, tokens: arg.tokens };
        } else if (arg && 'variable' in arg) {
          expr = variableExpression(arg);
          opts = { sessionId: arg.sessionId };
        } else
          expr = await askExpression(
            undefined,
            'Show Live Value as Attention Map',
            'A Python expression of the paused frame: weights [T, S] … [L, B, H, T, S]',
          );
        if (expr) return opener.showAttention(expr, opts);
        return undefined;
      },
    ),
    vscode.commands.registerCommand(
      'matrixLens.debug.zoomLive',
      async (arg?: vscode.Uri | { path: string; window?: CellWindow }) => {
        let path: string | undefined;
        let window: CellWindow | undefined;
        if (arg instanceof vscode.Uri) path = arg.fsPath;
        else if (arg) ({ path, window } = arg);
        else {
          const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
          if (input instanceof vscode.TabInputCustom) path = input.uri.fsPath;
        }
        if (!path) {
          void vscode.window.showErrorMessage(
            'Matrix Lens: open a pooled live value (over the transfer budget) first.',
          );
          return undefined;
        }
        return opener.zoom(path, window);
      },
    ),
  );

  // Debug hover: for array-like names, VS Code's hover shows shape, dtype, device and health.
  const evaluatable: vscode.EvaluatableExpressionProvider = {
    provideEvaluatableExpression: async (doc, pos) => {
      const span = expressionAt(doc.lineAt(pos.line).text, pos.character);
      if (!span) return undefined;
      const range = new vscode.Range(pos.line, span.start, pos.line, span.end);
      const session = pausedPythonSession();
      if (!session) return new vscode.EvaluatableExpression(range, span.expression);
      try {
        if (await bridge.meta(session, span.expression))
          return new vscode.EvaluatableExpression(
            range,
            `${bridge.helperRef()}.hover(globals(), locals(), ${pyStr(span.expression)})`,
          );
      } catch (e) {
        if (!(e instanceof DebugLensError)) throw e;
      }
      return new vscode.EvaluatableExpression(range, span.expression);
    },
  };
  context.subscriptions.push(
    vscode.languages.registerEvaluatableExpressionProvider('python', evaluatable),
  );

  // Inline values: `x: float32[8, 16, 64]` after assignments in the visible lines.
  const inlineValues: vscode.InlineValuesProvider = {
    provideInlineValues: async (doc, viewPort, ctx) => {
      if (!vscode.workspace.getConfiguration('matrixLens.debug').get<boolean>('inlineValues', true))
        return [];
      const session = pausedPythonSession();
      if (!session) return [];
      const last = Math.min(viewPort.end.line, ctx.stoppedLocation.end.line);
      const targets = new Map<string, number>();
      for (let l = viewPort.start.line; l <= last; l++) {
        const m = /^\s*([A-Za-z_][\w.]*)\s*(?::[^=]*)?=(?!=)/.exec(doc.lineAt(l).text);
        if (m) targets.set(m[1], l);
      }
      if (!targets.size) return [];
      try {
        const names = [...targets.keys()];
        const r = await bridge.call<Record<string, HelperMeta | null>>(
          session,
          ctx.frameId,
          `shapes(globals(), locals(), [${names.map(pyStr).join(', ')}])`,
        );
        const out: vscode.InlineValue[] = [];
        for (const [name, line] of targets) {
          const meta = r[name];
          if (!meta) continue;
          const end = doc.lineAt(line).range.end;
          out.push(
            new vscode.InlineValueText(new vscode.Range(end, end), `${name}: ${shapeLabel(meta)}`),
          );
        }
        return out;
      } catch {
        return [];
      }
    },
  };
  context.subscriptions.push(vscode.languages.registerInlineValuesProvider('python', inlineValues));

  return { bridge, opener, tensors, temp, pins, evaluatable, inlineValues };
}

/** The expression a command was given, else one typed in an input box (prefilled from the editor). */
async function askExpression(
  given: string | undefined,
  title: string,
  prompt: string,
): Promise<string | undefined> {
  const expr =
    typeof given === 'string'
      ? given
      : await vscode.window.showInputBox({
          title,
          prompt,
          value: editorExpression(vscode.window.activeTextEditor) ?? '',
        });
  return expr?.trim() || undefined;
}
