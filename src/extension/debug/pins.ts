/**
 * Pinned live values: a panel per pin that refreshes on every stop of the session and shows
 * what changed since the previous stop (Δ heatmap with its own symmetric range, changed-cell
 * count, max |Δ|), where NaN/Inf first appeared, and the last N stops to step through. The
 * value crosses as float64 so Δ is exact; Δ statistics are over the whole value, the drawing
 * is the leading 2-D slice pooled to at most 256 × 256.
 */
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { readNpy } from '../../core/formats/npy';
import { toFloat64C } from '../../core/array/decode';
import { delta, NonFiniteTracker, StopHistory } from '../../core/diff/delta';
import { finiteRange, pool2d } from '../../core/diff/pool';
import { healthLine } from '../../core/debug/describe';
import type { PinFromWebview, PinSnapshot, PinToWebview } from '../../protocol/debug';
import { PanelHost } from '../panels/panelBase';
import { webviewRoots } from '../panels/webviewHtml';
import { DebugBridge, DebugLensError, oneLine } from './session';
import type { TempFiles, Transfers } from './transfer';

export const PIN_VIEW_TYPE = 'matrixLens.debugPin';
const HISTORY = 20;
const DRAW = 256;

export class Pin {
  readonly history = new StopHistory<PinSnapshot>(HISTORY);
  readonly nonFinite = new NonFiniteTracker();
  /** last error (the expression raised at this stop, …). */
  status: string | undefined;
  private prev: { values: Float64Array; shape: number[] } | undefined;
  private index = -1;
  private ready = false;
  private readonly updated = new vscode.EventEmitter<void>();
  /** fired after each capture (tests wait on it). */
  readonly onDidUpdate = this.updated.event;

  private readonly host: PanelHost<PinToWebview, PinFromWebview>;

  constructor(
    readonly expression: string,
    readonly sessionId: string,
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
  ) {
    this.host = new PanelHost<PinToWebview, PinFromWebview>(panel, {
      bundle: 'debug',
      pageTitle: `${expression} (pinned)`,
      extensionUri,
      onMessage: (m) => {
        if (m.type === 'ready') {
          this.ready = true;
          this.post();
        } else if (m.type === 'pinShow') {
          this.index = Math.max(0, Math.min(this.history.length - 1, m.index));
          this.post();
        }
      },
    });
  }

  private post(): void {
    if (!this.ready) return;
    const msg: PinToWebview = {
      type: 'pinHistory',
      snapshots: [...this.history.all()],
      index: this.index,
    };
    void this.host.post(msg);
  }

  ended(message: string): void {
    void this.host.post({ type: 'pinEnded', message });
  }

  async capture(
    transfers: Transfers,
    temp: TempFiles,
    session: vscode.DebugSession,
    frameId: number,
    stop: number,
    line: number,
  ): Promise<void> {
    try {
      const r = await transfers.fetch(session, frameId, this.expression, {
        name: this.expression,
        float64: true,
        stats: true,
        budget: vscode.workspace
          .getConfiguration('matrixLens.debug')
          .get<number>('maxTransferBytes', 128 << 20),
      });
      let values: Float64Array;
      let shape: number[];
      try {
        const raw = readNpy(readFileSync(r.path));
        values = toFloat64C(raw);
        shape = [...raw.shape]; // what crossed: the value, or its pooled 2-D view
      } finally {
        temp.remove(r.path);
      }
      const m = r.meta;
      const stats = m.stats;
      if (stats) this.nonFinite.observe(stop, line, stats);
      const cols = shape.length >= 1 ? (shape[shape.length - 1] ?? 1) : 1;
      const rows = shape.length >= 2 ? (shape[shape.length - 2] ?? 1) : 1;
      const slice = values.subarray(0, rows * cols);
      const now = pool2d(slice, rows, cols, DRAW, DRAW);
      const snap: PinSnapshot = {
        expression: this.expression,
        stop,
        line,
        shape: m.shape,
        dtype: m.dtype,
        health: stats ? healthLine(stats) : '',
        rows: now.rows,
        cols: now.cols,
        pooled: now.factors,
        now: now.values,
        nowRange: finiteRange(now.values),
        firstSeen: this.nonFinite.describe(),
      };
      const before = this.prev;
      if (!before) snap.deltaNote = 'first stop: nothing to compare yet';
      else if (before.shape.join() !== shape.join())
        snap.deltaNote = `shape changed: ${before.shape.join('×')} → ${shape.join('×')}`;
      else {
        const d = delta(values, before.values);
        const dv = pool2d(d.delta.subarray(0, rows * cols), rows, cols, DRAW, DRAW);
        snap.delta = dv.values;
        snap.changed = d.stats.changed;
        snap.maxAbs = d.stats.maxAbs;
        snap.deltaRange = d.stats.range;
        if (m.pooled)
          snap.deltaNote = 'Δ of the pooled view (the value is over the transfer budget)';
      }
      this.prev = { values, shape };
      this.history.push(snap);
      this.index = this.history.length - 1;
      this.status = undefined;
      this.panel.title = `${this.expression} · stop ${stop}`;
      this.post();
    } catch (e) {
      this.status = `stop ${stop}, line ${line}: ${e instanceof DebugLensError ? e.message : oneLine(e)}`;
      void this.host.post({ type: 'pinEnded', message: this.status });
    }
    this.updated.fire();
  }

  dispose(): void {
    this.updated.dispose();
  }
}

export class PinManager implements vscode.Disposable {
  readonly pins = new Map<string, Pin>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly bridge: DebugBridge,
    private readonly transfers: Transfers,
    private readonly temp: TempFiles,
  ) {
    this.disposables.push(
      bridge.onDidStop(({ session, state, threadId }) => {
        const pins = [...this.pins.values()].filter((p) => p.sessionId === session.id);
        if (!pins.length || threadId === undefined) return;
        void (async () => {
          try {
            const loc = await bridge.stopLocation(session, threadId);
            for (const p of pins)
              await p.capture(
                this.transfers,
                this.temp,
                session,
                loc.frameId,
                state.stops,
                loc.line,
              );
          } catch {
            /* the program resumed before we got there: the next stop refreshes */
          }
        })();
      }),
      bridge.onDidEnd((session) => {
        const gone = [...this.pins.values()].filter((p) => p.sessionId === session.id);
        if (!gone.length) return;
        for (const p of gone) p.panel.dispose();
        void vscode.window.showInformationMessage(
          `Matrix Lens: the debug session ended; closed the pinned ${gone.map((p) => p.expression).join(', ')}.`,
        );
      }),
    );
  }

  dispose(): void {
    for (const p of this.pins.values()) p.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }

  /** Pins `expression` of the active session and captures the current stop. */
  async pin(expression: string): Promise<Pin> {
    const session = this.bridge.activeSession();
    const key = `${session.id}\u0000${expression}`;
    let pin = this.pins.get(key);
    if (pin) {
      pin.panel.reveal();
      return pin;
    }
    const panel = vscode.window.createWebviewPanel(
      PIN_VIEW_TYPE,
      `${expression} (pinned)`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: webviewRoots(this.extensionUri),
      },
    );
    pin = new Pin(expression, session.id, panel, this.extensionUri);
    this.pins.set(key, pin);
    panel.onDidDispose(() => {
      this.pins.delete(key);
      pin?.dispose();
    });
    const st = this.bridge.state(session);
    const threadId = st.threadId;
    if (threadId !== undefined && st.paused) {
      const loc = await this.bridge.stopLocation(session, threadId);
      await pin.capture(this.transfers, this.temp, session, loc.frameId, st.stops, loc.line);
    }
    return pin;
  }
}
