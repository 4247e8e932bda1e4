/**
 * The Tensors view (Run and Debug): every array-like name of the selected frame, one level of
 * attributes/keys deep, plus expressions the user typed, each with shape, dtype, device and a
 * health line computed in the debuggee. One `evaluate` per refresh; its cost is shown.
 */
import * as vscode from 'vscode';
import { healthLine, placement, shapeLabel } from '../../core/debug/describe';
import type { ScanItem, ScanReply } from '../../protocol/debug';
import { DebugBridge, DebugLensError, oneLine, pyStr } from './session';

export const TENSORS_VIEW_ID = 'matrixLens.tensors';
const EXPRESSIONS_KEY = 'matrixLens.debug.expressions';

export class TensorRow extends vscode.TreeItem {
  constructor(readonly item: ScanItem) {
    super(item.name, vscode.TreeItemCollapsibleState.None);
    if ('error' in item) {
      this.description = item.error;
      this.iconPath = new vscode.ThemeIcon('error');
    } else {
      const health = item.stats ? healthLine(item.stats) : 'statistics skipped (large value)';
      this.description = `${shapeLabel(item)} ${placement(item)} · ${health}`;
      this.tooltip = new vscode.MarkdownString(
        `**${item.name}** \`${shapeLabel(item)}\` on ${placement(item)}\n\n${health}`,
      );
      this.iconPath = new vscode.ThemeIcon('symbol-array');
      this.command = {
        command: 'matrixLens.debug.openTensor',
        title: 'Open in Matrix Lens',
        arguments: [this],
      };
    }
    this.contextValue = item.typed ? 'matrixLens.typedTensor' : 'matrixLens.tensor';
  }
}

export class TensorsView implements vscode.TreeDataProvider<TensorRow>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<TensorRow>;
  rows: TensorRow[] = [];
  /** last refresh: total ms (request → reply) and the helper's own ms (tests, benchmark). */
  lastCost: { totalMs: number; helperMs: number; count: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;
  private pending: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly bridge: DebugBridge,
    private readonly memento: vscode.Memento,
  ) {
    this.view = vscode.window.createTreeView(TENSORS_VIEW_ID, { treeDataProvider: this });
    this.disposables.push(
      this.view,
      this.changed,
      vscode.debug.onDidChangeActiveStackItem(() => this.schedule()),
      bridge.onDidResume(() => this.schedule()),
      bridge.onDidEnd(() => this.schedule()),
      this.view.onDidChangeVisibility((e) => e.visible && this.schedule()),
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }

  get expressions(): string[] {
    return this.memento.get<string[]>(EXPRESSIONS_KEY, []);
  }

  async addExpression(expr: string): Promise<void> {
    const list = this.expressions.filter((e) => e !== expr);
    list.push(expr);
    await this.memento.update(EXPRESSIONS_KEY, list);
    await this.refresh();
  }

  async removeExpression(expr: string): Promise<void> {
    await this.memento.update(
      EXPRESSIONS_KEY,
      this.expressions.filter((e) => e !== expr),
    );
    await this.refresh();
  }

  getTreeItem(row: TensorRow): TensorRow {
    return row;
  }

  getChildren(row?: TensorRow): TensorRow[] {
    return row ? [] : this.rows;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 80);
  }

  /** Re-reads the selected frame (one evaluate). Resolves when the view has the new rows. */
  refresh(): Promise<void> {
    const gen = ++this.generation;
    this.pending = this.pending.then(() => (gen === this.generation ? this.load(gen) : undefined));
    return this.pending;
  }

  private async load(gen: number): Promise<void> {
    const session = vscode.debug.activeDebugSession;
    const set = (rows: TensorRow[], message: string | undefined): void => {
      if (gen !== this.generation) return;
      this.rows = rows;
      this.view.message = message;
      this.changed.fire();
    };
    if (!session) return set([], 'Start debugging a Python program to see its arrays.');
    let frameId: number;
    try {
      this.bridge.activeSession(session.id);
      frameId = await this.bridge.frameId(session);
    } catch (e) {
      return set([], e instanceof DebugLensError ? capitalize(e.message) + '.' : oneLine(e));
    }
    const t0 = performance.now();
    try {
      const limit = vscode.workspace
        .getConfiguration('matrixLens.debug')
        .get<number>('tensorsLimit', 200);
      const exprs = `[${this.expressions.map(pyStr).join(', ')}]`;
      const reply = await this.bridge.call<ScanReply>(
        session,
        frameId,
        `scan_frame(globals(), locals(), ${exprs}, ${Math.max(1, Math.floor(limit))})`,
      );
      const totalMs = performance.now() - t0;
      const arrays = reply.items.filter((i) => !('error' in i)).length;
      this.lastCost = { totalMs, helperMs: reply.ms, count: arrays };
      set(
        reply.items.map((i) => new TensorRow(i)),
        `${arrays} array${arrays === 1 ? '' : 's'} · refreshed in ${Math.round(totalMs)} ms (${Math.round(reply.ms)} ms in the program)`,
      );
    } catch (e) {
      set([], `Could not list arrays: ${e instanceof DebugLensError ? e.message : oneLine(e)}`);
    }
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
