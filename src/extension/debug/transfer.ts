/**
 * Moving a live value into a file Matrix Lens can open (exact bytes: `.npy`, or `.safetensors`
 * for bfloat16/float8 which NumPy cannot name).
 *
 * Two routes, chosen once per session:
 * - shared filesystem (local, Remote-SSH, WSL, containers; code-server): the debuggee writes
 *   the file straight into our private temp folder. Detected by a nonce file the debuggee must
 *   read back.
 * - otherwise base64 chunks through `evaluate` (~1 MB each, two in flight, far below debugpy's
 *   16 MiB reply limit), assembled here.
 * Values over the transfer budget arrive as a pooled 2-D view computed in the debuggee, with the
 * statistics of the whole value.
 */
import * as vscode from 'vscode';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { StageReply } from '../../protocol/debug';
import { safeFileStem } from '../../core/debug/describe';
import { DebugBridge, DebugLensError, pyStr } from './session';

/** Raw bytes per chunk: 768 KiB → 1 MiB of base64, the measured sweet spot. */
export const CHUNK_BYTES = 768 * 1024;
export const IN_FLIGHT = 2;

export interface TransferOptions {
  /** a name for the file and the tensor inside a .safetensors file. */
  name: string;
  /** compute statistics of the whole value in the debuggee. */
  stats?: boolean;
  /** [start, stop) per axis: only this window is sent. */
  window?: [number, number][];
  /** force a route (tests; the setting `matrixLens.debug.transfer`). */
  route?: 'auto' | 'file' | 'evaluate';
  /** values larger than this (bytes) come as a pooled view; 0 = never. */
  budget?: number;
  /** send float64 values (|z| for complex): pins diff them exactly. */
  float64?: boolean;
  /** where the file goes (without its extension): from {@link Transfers.plan}; a fresh slot if absent. */
  stem?: string;
  /** pool (block means) the (window of the) value's 2-D slice to at most [rows, cols] cells. */
  pool?: [number, number];
}

export interface TransferResult {
  path: string;
  meta: StageReply;
  route: 'file' | 'evaluate';
  ms: number;
}

/** Our private temp folder (mode 0700) and what is in it. */
export class TempFiles implements vscode.Disposable {
  private dir: string | undefined;
  private n = 0;

  root(): string {
    if (!this.dir || !existsSync(this.dir))
      this.dir = mkdtempSync(join(tmpdir(), 'matrix-lens-debug-'));
    return this.dir;
  }

  /** A fresh sub-folder for one value (names repeat across stops). */
  slot(): string {
    const d = join(this.root(), `v${++this.n}`);
    mkdirSync(d, { mode: 0o700 });
    return d;
  }

  /** Removes one value's folder (its editor closed). */
  remove(path: string): void {
    const root = this.dir;
    if (!root || !path.startsWith(root + '/')) return;
    const slot = path.slice(0, path.indexOf('/', root.length + 1));
    if (slot.length > root.length) rmSync(slot, { recursive: true, force: true });
  }

  dispose(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

export class Transfers {
  constructor(
    private readonly bridge: DebugBridge,
    private readonly temp: TempFiles,
  ) {}

  /** Does the debuggee see our temp folder? (It must read back a nonce we wrote.) */
  async sharedFilesystem(session: vscode.DebugSession, frameId: number): Promise<boolean> {
    const st = this.bridge.state(session);
    if (st.sharedFs !== undefined) return st.sharedFs;
    const nonce = randomBytes(16).toString('hex');
    const probe = join(this.temp.root(), `probe-${nonce.slice(0, 8)}`);
    writeFileSync(probe, nonce, { mode: 0o600 });
    try {
      const r = await this.bridge.call<{ shared: boolean }>(
        session,
        frameId,
        `probe(${pyStr(probe)}, ${pyStr(nonce)})`,
      );
      st.sharedFs = r.shared;
    } finally {
      rmSync(probe, { force: true });
    }
    return st.sharedFs;
  }

  /** A fresh temp slot and the file stem a value named `name` will be written to. */
  plan(name: string): string {
    return join(this.temp.slot(), safeFileStem(name));
  }

  /** Writes the value of `expr` (in `frameId`) to a temp file; cancelled by resume/stop/end. */
  async fetch(
    session: vscode.DebugSession,
    frameId: number,
    expr: string,
    opts: TransferOptions,
    token?: vscode.CancellationToken,
  ): Promise<TransferResult> {
    const t0 = performance.now();
    const st = this.bridge.state(session);
    const epoch = st.epoch;
    const cancelled = (): boolean => st.epoch !== epoch || !!token?.isCancellationRequested;
    const route =
      opts.route === 'file' || opts.route === 'evaluate'
        ? opts.route
        : (await this.sharedFilesystem(session, frameId))
          ? 'file'
          : 'evaluate';
    const stem = opts.stem ?? this.plan(opts.name);
    const pyOpts: Record<string, unknown> = {
      name: opts.name,
      stats: !!opts.stats,
      budget: opts.budget ?? 0,
    };
    if (opts.window) pyOpts.window = opts.window;
    if (opts.float64) pyOpts.float64 = true;
    if (opts.pool) pyOpts.pool = opts.pool;
    if (route === 'file') pyOpts.path = stem;
    // JSON → Python literal: true/false/null appear only as values; map them.
    const literal = JSON.stringify(pyOpts)
      .replace(/\btrue\b/g, 'True')
      .replace(/\bfalse\b/g, 'False')
      .replace(/\bnull\b/g, 'None');
    const meta = await this.bridge.call<StageReply>(
      session,
      frameId,
      `stage(globals(), locals(), ${pyStr(expr)}, ${literal})`,
    );
    if (route === 'file') {
      if (!meta.path || !existsSync(meta.path))
        throw new DebugLensError('the debuggee could not write the shared temp file');
      if (cancelled()) {
        this.temp.remove(meta.path);
        throw new DebugLensError('cancelled: the program resumed');
      }
      return { path: meta.path, meta, route, ms: performance.now() - t0 };
    }
    const path = `${stem}.${meta.format}`;
    const buf = Buffer.allocUnsafe(meta.fileBytes);
    const offsets: number[] = [];
    for (let off = 0; off < meta.fileBytes; off += CHUNK_BYTES) offsets.push(off);
    let next = 0;
    const ref = this.bridge.helperRef();
    const worker = async (): Promise<void> => {
      while (next < offsets.length) {
        if (cancelled()) throw new DebugLensError('cancelled: the program resumed');
        const off = offsets[next++];
        const size = Math.min(CHUNK_BYTES, meta.fileBytes - off);
        const b64 = await this.bridge.evaluate(
          session,
          frameId,
          `${ref}.chunk(${pyStr(meta.token ?? '')}, ${off}, ${size})`,
        );
        if (b64.startsWith('!')) throw new DebugLensError(b64.slice(1));
        const n = buf.write(b64, off, 'base64');
        if (n !== size) throw new DebugLensError(`chunk at ${off}: got ${n} of ${size} bytes`);
      }
    };
    try {
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    } catch (e) {
      st.staleStaging = true;
      if (cancelled()) throw new DebugLensError('cancelled: the program resumed');
      throw e;
    }
    if (cancelled()) {
      st.staleStaging = true;
      throw new DebugLensError('cancelled: the program resumed');
    }
    await this.bridge
      .evaluate(session, frameId, `${ref}.release(${pyStr(meta.token ?? '')})`)
      .catch(() => (st.staleStaging = true));
    writeFileSync(path, buf, { mode: 0o600 });
    return { path, meta, route, ms: performance.now() - t0 };
  }
}
