/**
 * Opening a live value in the same editor as a `.npy`: transfer it to a temp file, then
 * `vscode.openWith(…, matrixLens.arrayViewer)` so heatmap, N-D picker, zoom, export, Analyze and
 * Show as Attention Map work unchanged. The temp file goes when its editor tab closes.
 */
import * as vscode from 'vscode';
import { bytesLabel, healthLine, shapeLabel } from '../../core/debug/describe';
import type { StageReply } from '../../protocol/debug';
import { DebugBridge, DebugLensError, oneLine } from './session';
import { TempFiles, Transfers, type TransferResult } from './transfer';

const ARRAY_VIEWER = 'matrixLens.arrayViewer';

/** What the last open did (read by the integration tests and the benchmark). */
export interface OpenRecord {
  expression: string;
  path: string;
  meta: StageReply;
  route: 'file' | 'evaluate';
  transferMs: number;
  /** a note shown with the value (pooled view, whole-value statistics). */
  note?: string;
}

export function transferSettings(): { route: 'auto' | 'file' | 'evaluate'; budget: number } {
  const c = vscode.workspace.getConfiguration('matrixLens.debug');
  const route = c.get<string>('transfer', 'auto');
  return {
    route: route === 'file' || route === 'evaluate' ? route : 'auto',
    budget: c.get<number>('maxTransferBytes', 128 * 1024 * 1024),
  };
}

export class LiveOpener implements vscode.Disposable {
  readonly transfers: Transfers;
  /** most recent successful open, and last error line (tests). */
  last: OpenRecord | undefined;
  lastError: string | undefined;
  private readonly paths = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly bridge: DebugBridge,
    readonly temp: TempFiles,
  ) {
    this.transfers = new Transfers(bridge, temp);
    this.disposables.push(
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const input = tab.input;
          if (input instanceof vscode.TabInputCustom && this.paths.has(input.uri.fsPath)) {
            const p = input.uri.fsPath;
            const stillOpen = vscode.window.tabGroups.all.some((g) =>
              g.tabs.some(
                (t) => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath === p,
              ),
            );
            if (!stillOpen) {
              this.paths.delete(p);
              // Give the editor a moment to release the file before it goes.
              setTimeout(() => this.temp.remove(p), 2000);
            }
          }
        }
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** Transfers `expression` from the session's current frame and opens it. */
  async open(
    expression: string,
    opts: { sessionId?: string; frameId?: number; name?: string } = {},
  ): Promise<OpenRecord | undefined> {
    try {
      const session = this.bridge.activeSession(opts.sessionId);
      const frameId = opts.frameId ?? (await this.bridge.frameId(session));
      const settings = transferSettings();
      const result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Matrix Lens: fetching ${expression}`,
          cancellable: true,
        },
        (_p, token) =>
          this.transfers.fetch(
            session,
            frameId,
            expression,
            {
              name: opts.name ?? expression,
              route: settings.route,
              budget: settings.budget,
            },
            token,
          ),
      );
      const rec = this.record(expression, result);
      this.paths.add(result.path);
      await vscode.commands.executeCommand(
        'vscode.openWith',
        vscode.Uri.file(result.path),
        ARRAY_VIEWER,
        {
          preview: false,
        },
      );
      if (rec.note) void vscode.window.showInformationMessage(`Matrix Lens: ${rec.note}`);
      this.last = rec;
      this.lastError = undefined;
      return rec;
    } catch (e) {
      this.fail(expression, e);
      return undefined;
    }
  }

  fail(expression: string, e: unknown): void {
    const line = e instanceof DebugLensError ? e.message : oneLine(e);
    this.lastError = `${expression}: ${line}`;
    void vscode.window.showErrorMessage(`Matrix Lens: ${this.lastError}`);
  }

  private record(expression: string, r: TransferResult): OpenRecord {
    const m = r.meta;
    let note: string | undefined;
    if (m.pooled) {
      const lead = m.lead?.length ? `[${m.lead.join(', ')}, :, :] ` : '';
      note =
        `${expression} is ${shapeLabel(m)} (${bytesLabel(m.nbytes)}), over matrixLens.debug.maxTransferBytes: ` +
        `showing ${lead}pooled ${m.pooled[0]}×${m.pooled[1]} (mean). Whole value: ${m.stats ? healthLine(m.stats) : ''}`;
    }
    return { expression, path: r.path, meta: m, route: r.route, transferMs: r.ms, note };
  }
}
