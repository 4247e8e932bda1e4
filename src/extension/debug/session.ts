/**
 * The bridge to a paused Python program: follows debugpy sessions through a DebugAdapterTracker
 * (stops, resumes, ends), installs the helper (helper.py) once per debuggee as a private module
 * object, and runs one helper call per `evaluate`. Every reply is one JSON string.
 */
import * as vscode from 'vscode';
import helperSource from './helper.py';
import { isHelperError, type HelperMeta } from '../../protocol/debug';

/** Debug types whose adapter is debugpy (the Python extension's `debugpy`, its older `python`). */
export const PYTHON_DEBUG_TYPES = new Set(['debugpy', 'python']);

const HELPER_VERSION = 2;
const HELPER_KEY = `__matrix_lens_debug_v${HELPER_VERSION}__`;
/** Requests after which the paused frames are gone. */
const RESUMING = new Set([
  'continue',
  'next',
  'stepIn',
  'stepOut',
  'stepBack',
  'reverseContinue',
  'goto',
  'restartFrame',
  'restart',
  'disconnect',
  'terminate',
]);

/** A one-line, user-facing failure (Python's error text, "not array-like: …"). */
export class DebugLensError extends Error {}

/** What the bridge knows about one session. */
export interface SessionState {
  /** bumped on every stop, resume and end: transfers started under another epoch are cancelled. */
  epoch: number;
  paused: boolean;
  ended: boolean;
  /** thread of the last stop. */
  threadId: number | undefined;
  /** number of stops so far (1-based for the first stop). */
  stops: number;
  /** is the helper module believed to be installed in the debuggee? */
  installed: boolean;
  /** a chunked transfer was abandoned: its staging is released at the next stop. */
  staleStaging: boolean;
  /** shared-filesystem probe result, once known. */
  sharedFs: boolean | undefined;
}

export interface StopEvent {
  session: vscode.DebugSession;
  state: SessionState;
  threadId: number | undefined;
}

/** Python string literal (JSON's escapes are a subset of Python's). */
export function pyStr(s: string): string {
  return JSON.stringify(s);
}

/** First line of an error, without DAP/adapter noise. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const first =
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? 'unknown error';
  return first.length > 300 ? `${first.slice(0, 297)}…` : first;
}

export class DebugBridge implements vscode.Disposable {
  private readonly states = new Map<string, SessionState>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly stopEmitter = new vscode.EventEmitter<StopEvent>();
  private readonly resumeEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly endEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  /** fired after a Python session stops (breakpoint, step, pause, exception). */
  readonly onDidStop = this.stopEmitter.event;
  /** fired when a paused Python session resumes. */
  readonly onDidResume = this.resumeEmitter.event;
  /** fired when a Python session ends. */
  readonly onDidEnd = this.endEmitter.event;

  constructor() {
    this.disposables.push(
      this.stopEmitter,
      this.resumeEmitter,
      this.endEmitter,
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) =>
          PYTHON_DEBUG_TYPES.has(session.type) ? this.tracker(session) : undefined,
      }),
      vscode.debug.onDidTerminateDebugSession((s) => this.ended(s)),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  state(session: vscode.DebugSession): SessionState {
    let s = this.states.get(session.id);
    if (!s) {
      s = {
        epoch: 0,
        paused: false,
        ended: false,
        threadId: undefined,
        stops: 0,
        installed: false,
        staleStaging: false,
        sharedFs: undefined,
      };
      this.states.set(session.id, s);
    }
    return s;
  }

  private tracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const st = this.state(session);
    return {
      onWillReceiveMessage: (m: { type?: string; command?: string }) => {
        if (m.type === 'request' && m.command && RESUMING.has(m.command) && st.paused) {
          st.epoch++;
          st.paused = false;
          this.resumeEmitter.fire(session);
        }
      },
      onDidSendMessage: (m: {
        type?: string;
        event?: string;
        body?: { threadId?: number; allThreadsContinued?: boolean };
      }) => {
        if (m.type !== 'event') return;
        if (m.event === 'stopped') {
          st.epoch++;
          st.paused = true;
          st.stops++;
          st.threadId = m.body?.threadId ?? st.threadId;
          this.stopEmitter.fire({ session, state: st, threadId: st.threadId });
        } else if (m.event === 'continued') {
          if (st.paused || m.body?.threadId !== st.threadId) {
            st.epoch++;
            st.paused = false;
            this.resumeEmitter.fire(session);
          }
        } else if (m.event === 'terminated' || m.event === 'exited') {
          this.ended(session);
        }
      },
    };
  }

  private ended(session: vscode.DebugSession): void {
    const st = this.state(session);
    if (st.ended) return;
    st.ended = true;
    st.paused = false;
    st.epoch++;
    this.endEmitter.fire(session);
  }

  /** The Python session commands act on (the active one), or a clear error. */
  activeSession(sessionId?: string): vscode.DebugSession {
    const session =
      (sessionId && vscode.debug.activeDebugSession?.id !== sessionId
        ? undefined
        : vscode.debug.activeDebugSession) ?? undefined;
    if (!session) throw new DebugLensError('no debug session is active');
    if (!PYTHON_DEBUG_TYPES.has(session.type))
      throw new DebugLensError(
        `the debug session "${session.name}" is a ${session.type} session, not Python (debugpy)`,
      );
    return session;
  }

  /** The frame the user is looking at (selected in Call Stack), else the stopped thread's top. */
  async frameId(session: vscode.DebugSession): Promise<number> {
    const st = this.state(session);
    if (st.ended) throw new DebugLensError('the debugged program has ended');
    const item = vscode.debug.activeStackItem;
    if (item instanceof vscode.DebugStackFrame && item.session.id === session.id)
      return item.frameId;
    if (!st.paused) throw new DebugLensError('the program is running: stop at a breakpoint first');
    const threadId =
      item instanceof vscode.DebugThread && item.session.id === session.id
        ? item.threadId
        : st.threadId;
    if (threadId === undefined) throw new DebugLensError('no stopped thread');
    return this.topFrame(session, threadId);
  }

  async topFrame(session: vscode.DebugSession, threadId: number): Promise<number> {
    const r = (await session.customRequest('stackTrace', {
      threadId,
      startFrame: 0,
      levels: 1,
    })) as {
      stackFrames: { id: number }[];
    };
    const f = r.stackFrames[0];
    if (!f) throw new DebugLensError('the stopped thread has no frames');
    return f.id;
  }

  /** The line of the top frame of the stopped thread (1-based), for "first seen at stop 7, line 42". */
  async stopLocation(
    session: vscode.DebugSession,
    threadId: number,
  ): Promise<{ frameId: number; line: number; name: string }> {
    const r = (await session.customRequest('stackTrace', {
      threadId,
      startFrame: 0,
      levels: 1,
    })) as {
      stackFrames: { id: number; line: number; name: string }[];
    };
    const f = r.stackFrames[0];
    if (!f) throw new DebugLensError('the stopped thread has no frames');
    return { frameId: f.id, line: f.line, name: f.name };
  }

  /** Plain string result of `expression` in `frameId` (rawString: no quotes, no 64 KiB cut). */
  async evaluate(
    session: vscode.DebugSession,
    frameId: number,
    expression: string,
  ): Promise<string> {
    const st = this.state(session);
    if (st.ended) throw new DebugLensError('the debugged program has ended');
    try {
      const r = (await session.customRequest('evaluate', {
        expression,
        frameId,
        context: 'watch',
        format: { rawString: true },
      })) as { result: string };
      return r.result;
    } catch (e) {
      if (st.ended) throw new DebugLensError('the debugged program has ended');
      const msg = oneLine(e);
      if (/Unable to find thread|not suspended|Invalid frame/i.test(msg) || !st.paused)
        throw new DebugLensError('the program is no longer paused there');
      throw new DebugLensError(msg);
    }
  }

  /** Shape, dtype, device and health of one expression of the top frame; null when it is not array-like. */
  async meta(session: vscode.DebugSession, expression: string): Promise<HelperMeta | null> {
    const frameId = await this.frameId(session);
    const r = await this.call<Record<string, HelperMeta | null>>(
      session,
      frameId,
      `shapes(globals(), locals(), [${pyStr(expression)}])`,
    );
    return r[expression] ?? null;
  }

  /**
   * Calls `helper.<call>` in the frame and parses its JSON reply. `call` is Python source such
   * as `describe(globals(), locals(), "x", True)` built with pyStr(); installs the helper first
   * when needed. A helper-level error becomes a DebugLensError with Python's one line.
   */
  async call<T>(session: vscode.DebugSession, frameId: number, call: string): Promise<T> {
    const st = this.state(session);
    if (!st.installed) await this.install(session, frameId);
    if (st.staleStaging) {
      st.staleStaging = false;
      await this.evaluate(session, frameId, `${this.helperRef()}.release()`).catch(() => undefined);
    }
    let text: string;
    try {
      text = await this.evaluate(session, frameId, `${this.helperRef()}.${call}`);
    } catch (e) {
      if (!(e instanceof DebugLensError) || !e.message.includes(HELPER_KEY)) throw e;
      // A new process (or a reload) without the helper: install and try once more.
      await this.install(session, frameId);
      text = await this.evaluate(session, frameId, `${this.helperRef()}.${call}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new DebugLensError(`unexpected reply from the debuggee: ${text.slice(0, 120)}`);
    }
    if (isHelperError(parsed)) throw new DebugLensError(parsed.error);
    return parsed as T;
  }

  helperRef(): string {
    return `__import__('sys').modules[${pyStr(HELPER_KEY)}]`;
  }

  /** Runs the helper source into a fresh module object kept only in sys.modules. */
  private async install(session: vscode.DebugSession, frameId: number): Promise<void> {
    const expr =
      `(lambda s, t: None if getattr(s.modules.get(${pyStr(HELPER_KEY)}), 'VERSION', 0) == ${HELPER_VERSION} ` +
      `else s.modules.__setitem__(${pyStr(HELPER_KEY)}, (lambda m: (exec(${pyStr(helperSource)}, m.__dict__), m)[1])(t.ModuleType(${pyStr(HELPER_KEY)}))))` +
      `(__import__('sys'), __import__('types'))`;
    await this.evaluate(session, frameId, expr);
    this.state(session).installed = true;
  }
}
