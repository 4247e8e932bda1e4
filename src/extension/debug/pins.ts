/**
 * Pinned live values: a panel per pin that refreshes on every stop of the session and shows
 * what changed since the previous stop (Δ heatmap with its own symmetric range, changed-cell
 * count, max |Δ|), where NaN/Inf first appeared, and the last N stops to step through. The
 * value crosses in its own dtype and its file bytes are kept per stop within a byte budget
 * (src/core/debug/retention.ts), so two stops can be compared at full resolution in the
 * compare view; Δ is computed in float64 from those bytes. Δ statistics are over the whole
 * value, the drawing is the leading 2-D slice pooled to at most 256 × 256.
 */
import * as vscode from 'vscode';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { float64Of, rawOf, valuesOf, type CrossedValue } from '../../core/debug/crossed';
import { defaultPair, StopRetention } from '../../core/debug/retention';
import type { CompareOutcome } from '../compareCommand';
import { delta, NonFiniteTracker, StopHistory } from '../../core/diff/delta';
import { finiteRange, pool2d } from '../../core/diff/pool';
import { healthLine, safeFileStem } from '../../core/debug/describe';
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
  /** full values of recent stops, as they crossed (released with the pin). */
  readonly retention = new StopRetention<CrossedValue>();
  /** the previous stop: its values come from `retention`, or `pooled` when only a view crossed. */
  private prev: { stop: number; shape: number[]; pooled?: Float64Array } | undefined;
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
        } else if (m.type === 'pinCompare') {
          void vscode.commands.executeCommand('matrixLens.debug.compareStops', {
            expression: this.expression,
            sessionId: this.sessionId,
          });
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
        stats: true,
        budget: vscode.workspace
          .getConfiguration('matrixLens.debug')
          .get<number>('maxTransferBytes', 128 << 20),
      });
      let crossed: CrossedValue;
      let values: Float64Array;
      try {
        const file = readFileSync(r.path);
        const format = r.meta.format;
        const raw = await rawOf({ file, format });
        // what crossed: the value, or its pooled 2-D view
        crossed = { file, format, shape: [...raw.shape] };
        values = float64Of(raw);
      } finally {
        temp.remove(r.path);
      }
      const shape = crossed.shape;
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
        retained: !m.pooled,
      };
      const before = this.prev;
      const beforeValues = !before
        ? undefined
        : (before.pooled ?? (await this.retainedValues(before.stop)));
      if (!before) snap.deltaNote = 'first stop: nothing to compare yet';
      else if (before.shape.join() !== shape.join())
        snap.deltaNote = `shape changed: ${before.shape.join('×')} → ${shape.join('×')}`;
      else if (!beforeValues || beforeValues.length !== values.length)
        snap.deltaNote = 'the previous stop was pooled differently: nothing to compare';
      else {
        const d = delta(values, beforeValues);
        const dv = pool2d(d.delta.subarray(0, rows * cols), rows, cols, DRAW, DRAW);
        snap.delta = dv.values;
        snap.changed = d.stats.changed;
        snap.maxAbs = d.stats.maxAbs;
        snap.deltaRange = d.stats.range;
        if (m.pooled)
          snap.deltaNote = 'Δ of the pooled view (the value is over the transfer budget)';
      }
      this.prev = { stop, shape, ...(m.pooled ? { pooled: values } : {}) };
      if (!m.pooled) this.retention.add(stop, crossed.file.length, crossed);
      this.history.push(snap);
      this.retention.keepOnly(this.history.all().map((h) => h.stop));
      for (const h of this.history.all()) h.retained = this.retention.has(h.stop);
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

  /** The stops whose full values are kept, oldest first. */
  retainedStops(): PinSnapshot[] {
    return this.history.all().filter((h) => this.retention.has(h.stop));
  }

  private async retainedValues(stop: number): Promise<Float64Array | undefined> {
    const r = this.retention.get(stop);
    return r ? valuesOf(r.value) : undefined;
  }

  /** Writes stop `stop`'s bytes as they crossed to a private temp file; its path. */
  writeStop(temp: TempFiles, stop: number): string {
    const r = this.retention.get(stop);
    if (!r)
      throw new DebugLensError(
        `the values of ${this.expression} at stop ${stop} are no longer kept (over the ${Math.round(this.retention.budget / 2 ** 20)} MiB per pin, or pooled)`,
      );
    const path = join(
      temp.slot(),
      `${safeFileStem(this.expression)}-stop${stop}.${r.value.format}`,
    );
    writeFileSync(path, r.value.file, { mode: 0o600 });
    return path;
  }

  dispose(): void {
    this.retention.clear();
    this.prev = undefined;
    this.updated.dispose();
  }
}

/** `matrixLens.debug.compareStops` arguments (all optional: pickers ask for what is missing). */
export interface CompareStopsArgs {
  expression?: string;
  sessionId?: string;
  /** stop numbers (the session's 1-based stop count, as the pin panel shows them). */
  a?: number;
  b?: number;
  rtol?: number;
  atol?: number;
}

/** What a compare of two stops did (tests). */
export interface StopsCompare {
  outcome?: CompareOutcome;
  paths: string[];
  message?: string;
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

  /** `matrixLens.debug.hasPin`: "Compare Two Stops…" is in the palette while a pin is open. */
  private async updateContext(): Promise<void> {
    await vscode.commands.executeCommand(
      'setContext',
      'matrixLens.debug.hasPin',
      this.pins.size > 0,
    );
  }

  /**
   * "Compare two stops…": the retained values of stop A and stop B of a pin go to private
   * temp files (bytes as they crossed) and open in the compare view; the files go when that
   * view closes. Pickers ask for the pin and the stops not given (default: previous vs latest).
   */
  async compareStops(args: CompareStopsArgs = {}): Promise<StopsCompare> {
    const paths: string[] = [];
    try {
      const pin = await this.pickPin(args);
      if (!pin) return { paths };
      const kept = pin.retainedStops();
      if (kept.length < 2)
        throw new DebugLensError(
          `${pin.expression}: two stops with kept values are needed (kept: ${kept.length ? kept.map((k) => k.stop).join(', ') : 'none'})`,
        );
      const pair = defaultPair(kept.map((k) => k.stop))!;
      const a = args.a ?? (await this.pickStop(pin, kept, 'A', pair[0]));
      if (a === undefined) return { paths };
      const b =
        args.b ??
        (await this.pickStop(
          pin,
          kept.filter((k) => k.stop !== a),
          'B',
          a === pair[1] ? pair[0] : pair[1],
        ));
      if (b === undefined) return { paths };
      paths.push(pin.writeStop(this.temp, a), pin.writeStop(this.temp, b));
      const release = (): void => {
        for (const p of paths) this.temp.remove(p);
      };
      const outcome = await vscode.commands.executeCommand<CompareOutcome>(
        'matrixLens.compareArrays',
        {
          a: vscode.Uri.file(paths[0]),
          b: vscode.Uri.file(paths[1]),
          labels: [`${pin.expression} @ stop ${a}`, `${pin.expression} @ stop ${b}`],
          rtol: args.rtol,
          atol: args.atol,
        },
      );
      const panel = outcome?.view?.panel;
      if (panel) panel.onDidDispose(() => setTimeout(release, 500));
      else release();
      return { outcome, paths };
    } catch (e) {
      const message = e instanceof DebugLensError ? e.message : oneLine(e);
      for (const p of paths) this.temp.remove(p);
      void vscode.window.showErrorMessage(`Matrix Lens: ${message}`);
      return { paths: [], message };
    }
  }

  private async pickPin(args: CompareStopsArgs): Promise<Pin | undefined> {
    const all = [...this.pins.values()];
    const match = all.filter(
      (p) =>
        (args.expression === undefined || p.expression === args.expression) &&
        (args.sessionId === undefined || p.sessionId === args.sessionId),
    );
    if (!match.length)
      throw new DebugLensError(
        args.expression
          ? `${args.expression} is not pinned`
          : 'pin a value first (Pin in Matrix Lens)',
      );
    if (match.length === 1) return match[0];
    const picked = await vscode.window.showQuickPick(
      match.map((p) => ({ label: p.expression, description: `${p.history.length} stops`, pin: p })),
      { title: 'Matrix Lens: Compare two stops of which pinned value?' },
    );
    return picked?.pin;
  }

  private async pickStop(
    pin: Pin,
    kept: readonly PinSnapshot[],
    role: 'A' | 'B',
    preferred: number,
  ): Promise<number | undefined> {
    const items = [...kept]
      .reverse()
      .map((k) => ({
        label: `stop ${k.stop}`,
        description: `line ${k.line} · ${k.dtype}[${k.shape.join(', ')}]`,
        detail: k.health,
        stop: k.stop,
      }))
      .sort((x, y) => Number(y.stop === preferred) - Number(x.stop === preferred));
    const picked = await vscode.window.showQuickPick(items, {
      title: `Matrix Lens: Compare ${pin.expression} — stop ${role}`,
      placeHolder: role === 'A' ? 'The stop to compare from' : 'The stop to compare with',
    });
    return picked?.stop;
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
      void this.updateContext();
    });
    void this.updateContext();
    const st = this.bridge.state(session);
    const threadId = st.threadId;
    if (threadId !== undefined && st.paused) {
      const loc = await this.bridge.stopLocation(session, threadId);
      await pin.capture(this.transfers, this.temp, session, loc.frameId, st.stops, loc.line);
    }
    return pin;
  }
}
