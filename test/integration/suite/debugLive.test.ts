/**
 * Live values beyond the array editor, against the real debugpy with a real PyTorch program:
 * attention weights computed by torch open in the attention view with token labels from a
 * list-of-str variable of the frame; a pooled (over-budget) value zooms into a window fetched
 * at full resolution (exact bytes vs NumPy), stale after Continue; temp files go when their tab
 * or panel closes and when the session ends; the debuggee's memory and staging are released.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { api, closeAllEditors, python, sleep, workspaceDir } from './helpers';
import { launchToFirstStop, nextStop } from './debugSession';
import type { DebugApi } from '../../../src/extension/debug';
import { fmt } from '../../../src/core/debug/describe';
import type { LiveAttention, OpenRecord } from '../../../src/extension/debug/open';
import type { TensorRow } from '../../../src/extension/debug/tensorsView';

const PROGRAM = String.raw`
import os, sys
import numpy as np
import torch

REF = sys.argv[1]


def main():
    torch.manual_seed(0)
    B, H, T, d = 2, 3, 7, 8
    q = torch.randn(B, H, T, d)
    k = torch.randn(B, H, T, d)
    attn = torch.softmax(q @ k.transpose(-1, -2) / d ** 0.5, dim=-1)
    np.save(os.path.join(REF, "attn.npy"), attn.numpy())
    tokens = ["The", "cat", "sat", "on", "the", "mat", "."]
    words = ["too", "short"]
    labels2 = tuple("t%d" % i for i in range(T))
    head = attn[1, 2]
    heads = attn[0]
    rng = np.random.default_rng(3)
    big = rng.standard_normal((4096, 4096), dtype=np.float32)
    np.save(os.path.join(REF, "big.npy"), big)
    big3 = big.reshape(2, 2048, 4096)
    tall = rng.standard_normal((8192, 1536), dtype=np.float32)
    np.save(os.path.join(REF, "tall.npy"), tall)
    marker = 1  # BREAK
    big += 1
    marker = 2  # BREAK2
    print("done", marker)


main()
`;

/** Data bytes of an .npy file (after its header). */
function npyData(path: string): Buffer {
  const b = readFileSync(path);
  const major = b[6];
  const hl = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  return b.subarray((major === 1 ? 10 : 12) + hl);
}

async function until(what: string, pred: () => boolean, ms = 8000): Promise<void> {
  for (let waited = 0; !pred(); waited += 100) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('Live values from the real debugpy: attention view, zoom, temp files', function () {
  this.timeout(180_000);
  let dbg: DebugApi;
  let session: vscode.DebugSession;
  let refDir: string;
  let program: string;
  let frameId: number;

  const userView = async (expr: string): Promise<string> =>
    (
      (await session.customRequest('evaluate', {
        expression: expr,
        frameId: await dbg.bridge.frameId(session),
        context: 'watch',
      })) as { result: string }
    ).result;
  const config = () => vscode.workspace.getConfiguration('matrixLens.debug');

  /** Runs a command that opens the token picker and accepts its first item. */
  async function acceptingFirstPick<T>(run: Thenable<T>): Promise<T> {
    let done = false;
    const p = Promise.resolve(run).finally(() => (done = true));
    for (let i = 0; i < 30 && !done; i++) {
      await sleep(1000);
      if (!done)
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    return p;
  }

  before(async function () {
    dbg = (await api()).debug;
    const dir = join(workspaceDir().fsPath, 'debug-live');
    refDir = join(dir, 'ref');
    mkdirSync(refDir, { recursive: true });
    program = join(dir, 'prog.py');
    await vscode.workspace.fs.writeFile(vscode.Uri.file(program), Buffer.from(PROGRAM));
    const lines = PROGRAM.split('\n');
    for (const tag of ['# BREAK', '# BREAK2'])
      vscode.debug.addBreakpoints([
        new vscode.SourceBreakpoint(
          new vscode.Location(
            vscode.Uri.file(program),
            new vscode.Position(
              lines.findIndex((l) => l.endsWith(tag)),
              0,
            ),
          ),
        ),
      ]);
    session = await launchToFirstStop(dbg, {
      name: 'matrix lens live test',
      program,
      args: [refDir],
    });
    frameId = await dbg.bridge.frameId(session);
  });

  after(async () => {
    await config().update('maxTransferBytes', undefined, vscode.ConfigurationTarget.Global);
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await closeAllEditors();
  });

  it('Show as Attention Map: torch-computed [B, H, T, T] weights and token labels from a list[str] of the frame', async () => {
    const { worker } = await api();
    const found = await dbg.bridge.call<{ name: string; length: number }[]>(
      session,
      frameId,
      'str_lists(globals(), locals(), 7)',
    );
    assert.deepEqual(
      found.map((f) => f.name),
      ['tokens', 'labels2'],
      'the picker offers the list[str] names of length T only',
    );
    const r = await vscode.commands.executeCommand<LiveAttention | undefined>(
      'matrixLens.debug.showAttention',
      { expression: 'attn', tokens: 'tokens' },
    );
    assert.equal(dbg.opener.lastError, undefined);
    assert.ok(r, 'opened');
    assert.equal(r.outcome.state, 'done', r.outcome.message);
    assert.deepEqual(r.outcome.report?.shape, [2, 3, 7, 7]);
    assert.equal(r.outcome.report?.tiles, 3);
    assert.equal(r.outcome.report?.rowSums?.passed, true);
    const view = r.outcome.view!;
    assert.equal(view.panel.title, 'Attention: attn');
    assert.equal(r.outcome.report?.title, 'Attention: attn');
    // every head of every batch: the worker holds torch's float32 weights exactly
    const want = npyData(join(refDir, 'attn.npy'));
    for (let b = 0; b < 2; b++)
      for (let h = 0; h < 3; h++) {
        const f = await worker.call('attentionFocus', {
          key: r.outcome.result!.key,
          maxBytes: 2 ** 30,
          layer: 0,
          batch: b,
          head: h,
          maxCells: 1 << 20,
        });
        const got = Buffer.from(Float32Array.from(f.values).buffer);
        const off = (b * 3 + h) * 49 * 4;
        assert.ok(got.equals(want.subarray(off, off + 49 * 4)), `batch ${b} head ${h}`);
      }
    const shown = await view.waitReport((x) => x.tokens.count === 7);
    assert.deepEqual(shown?.tokens, { count: 7, from: 'tokens' });
    await until('the view to keep the labels', () => view.state.tokens?.list.length === 7);
    assert.deepEqual(view.state.tokens?.list, ['The', 'cat', 'sat', 'on', 'the', 'mat', '.']);
    // the panel's temp file goes with the panel
    assert.ok(existsSync(r.path));
    view.panel.dispose();
    await until('the attention temp file to go', () => !existsSync(r.path));
  });

  it('[T, T] from the Variables menu and [H, T, T] from the Tensors view, labels picked in the token picker', async () => {
    const scopes = (await session.customRequest('scopes', { frameId })) as {
      scopes: { name: string; variablesReference: number; expensive: boolean }[];
    };
    const locals = scopes.scopes.find((s) => s.name === 'Locals')!;
    const vars = (
      (await session.customRequest('variables', {
        variablesReference: locals.variablesReference,
      })) as { variables: { name: string; evaluateName?: string; variablesReference: number }[] }
    ).variables;
    const head = vars.find((v) => v.name === 'head');
    assert.ok(head);
    const r = await acceptingFirstPick(
      vscode.commands.executeCommand<LiveAttention | undefined>('matrixLens.debug.showAttention', {
        sessionId: session.id,
        container: locals,
        variable: head,
      }),
    );
    assert.equal(dbg.opener.lastError, undefined);
    assert.equal(r?.outcome.state, 'done');
    assert.deepEqual(r?.outcome.report?.shape, [7, 7]);
    assert.equal(r?.tokensFrom, 'tokens');
    const want = npyData(join(refDir, 'attn.npy')).subarray(5 * 49 * 4, 6 * 49 * 4);
    const { worker } = await api();
    const f = await worker.call('attentionFocus', {
      key: r!.outcome.result!.key,
      maxBytes: 2 ** 30,
      layer: 0,
      batch: 0,
      head: 0,
      maxCells: 1 << 20,
    });
    assert.ok(Buffer.from(Float32Array.from(f.values).buffer).equals(want), 'attn[1, 2]');

    await dbg.tensors.refresh();
    const row: TensorRow | undefined = dbg.tensors.rows.find((x) => x.item.name === 'heads');
    assert.ok(row, 'heads is listed in the Tensors view');
    const r2 = await acceptingFirstPick(
      vscode.commands.executeCommand<LiveAttention | undefined>(
        'matrixLens.debug.showAttention',
        row,
      ),
    );
    assert.equal(r2?.outcome.state, 'done', dbg.opener.lastError);
    assert.deepEqual(r2?.outcome.report?.shape, [3, 7, 7]);
    assert.equal(r2?.outcome.report?.tiles, 3);
    assert.equal(r2?.tokensFrom, 'tokens');

    // not attention weights: one clear line each
    await vscode.commands.executeCommand('matrixLens.debug.showAttention', {
      expression: 'attn[0, 0, 0]',
      tokens: null,
    });
    assert.equal(
      dbg.opener.lastError,
      'attn[0, 0, 0]: attention weights must be [T, S] … [L, B, H, T, S]; got shape [7]',
    );
    await vscode.commands.executeCommand('matrixLens.debug.showAttention', {
      expression: 'tokens',
      tokens: null,
    });
    assert.equal(dbg.opener.lastError, 'tokens: not array-like: list');
    await closeAllEditors();
  });

  const zoomed: OpenRecord[] = [];
  it('a pooled (over-budget) value zooms into a window fetched at full resolution: exact bytes vs NumPy', async () => {
    await config().update('maxTransferBytes', 16 << 20, vscode.ConfigurationTarget.Global);
    const { rendered, arrays } = await api();
    const rec = await dbg.opener.open('big');
    assert.ok(rec, dbg.opener.lastError);
    assert.deepEqual(rec.meta.pooled, [4, 4]);
    const base = vscode.Uri.file(rec.path);
    await rendered.wait(base, (x) => x.summary !== '' || !!x.error);
    const check = (z: OpenRecord | undefined, slice: string, file: string): void => {
      assert.ok(z, dbg.opener.lastError);
      const ref = join(refDir, file);
      python(
        `import numpy as np, sys\na = np.load(sys.argv[1])\nnp.save(sys.argv[2], np.ascontiguousarray(a${slice}))`,
        join(refDir, 'big.npy'),
        ref,
      );
      const got = npyData(z.path);
      const want = npyData(ref);
      assert.equal(got.length, want.length, `${slice}: byte count`);
      assert.ok(got.equals(want), `${slice}: bytes differ`);
      zoomed.push(z);
    };
    // drawn (pooled) cells 10…41 × 100…163 are source rows 40…167, columns 400…655
    const z = await dbg.opener.zoom(rec.path, { row0: 10, row1: 42, col0: 100, col1: 164 });
    assert.deepEqual(z?.window, [
      [40, 168],
      [400, 656],
    ]);
    assert.equal(z?.expression, 'big[40:168, 400:656]');
    check(z, '[40:168, 400:656]', 'zoom2d.npy');
    await rendered.wait(vscode.Uri.file(z!.path), (x) => x.summary !== '' || !!x.error);
    assert.match(rendered.get(vscode.Uri.file(z!.path))!.summary, /^float32\[128, 256\]/);

    // the heatmap's own zoom: the command reads the visible window from the panel
    arrays.panelsOf(base)[0].drive({
      kind: 'zoom',
      window: { row0: 512, row1: 640, col0: 256, col1: 384 },
    });
    await rendered
      .wait(base, (x) => JSON.stringify(x).includes('"row0":512'), 10_000)
      .catch(() => undefined);
    await sleep(500);
    const z2 = await vscode.commands.executeCommand<OpenRecord | undefined>(
      'matrixLens.debug.zoomLive',
      base,
    );
    assert.ok(z2?.window, dbg.opener.lastError);
    const [[r0, r1], [c0, c1]] = z2.window;
    // the view's centre (pooled 576, 320 → source 2304, 1280) is inside, and it is a zoom
    assert.ok(r0 <= 2304 && 2304 < r1 && c0 <= 1280 && 1280 < c1, JSON.stringify(z2.window));
    assert.ok((r1 - r0) * (c1 - c0) <= (4096 * 4096) / 16, JSON.stringify(z2.window));
    check(z2, `[${r0}:${r1}, ${c0}:${c1}]`, 'zoomview.npy');

    // N-D: the pooled slice is [0, :, :]; its zoom keeps the leading index
    const rec3 = await dbg.opener.open('big3');
    assert.deepEqual(rec3?.meta.lead, [0]);
    assert.deepEqual(rec3?.meta.pooled, [2, 4]);
    const z3 = await dbg.opener.zoom(rec3!.path, { row0: 3, row1: 9, col0: 0, col1: 5 });
    assert.equal(z3?.expression, 'big3[0, 6:18, 0:20]');
    check(z3, '.reshape(2, 2048, 4096)[0:1, 6:18, 0:20]', 'zoom3d.npy');
    // over the budget even at full resolution: zoom in further
    assert.equal(
      await dbg.opener.zoom(rec.path, { row0: 0, row1: 1024, col0: 0, col1: 1024 }),
      undefined,
    );
    assert.match(dbg.opener.lastError ?? '', /the window is 64 MiB, over .*: zoom in further$/);
  });

  let tallPath = '';
  it('the heatmap’s own zoom into a pooled value fetches the window from the paused program and draws it in place (= NumPy’s slice)', async () => {
    await config().update('maxTransferBytes', 16 << 20, vscode.ConfigurationTarget.Global);
    const { rendered, arrays } = await api();
    const rec = await dbg.opener.open('tall');
    assert.ok(rec, dbg.opener.lastError);
    assert.deepEqual(rec.meta.pooled, [8, 2]);
    tallPath = rec.path;
    const uri = vscode.Uri.file(rec.path);
    // drawn in the value's own cells: 8192 × 1536, each drawn cell the mean of 8 × 2
    const first = await rendered.wait(uri, (x) => !!x.error || !!x.slice, 60_000);
    assert.equal(first.error, undefined);
    assert.equal(first.slice?.fullRows, 8192);
    assert.equal(first.slice?.fullCols, 1536);
    assert.equal(first.slice?.rowStep, 8);
    assert.equal(first.slice?.colStep, 2);
    assert.match(first.summary, /^float32\[8192, 1536\] \(48 MiB\), whole value: min /);
    const stats = JSON.parse(
      python(
        `import numpy as np, sys, json\na = np.load(sys.argv[1]).astype(np.float64)\nprint(json.dumps([a.min(), a.max()]))`,
        join(refDir, 'tall.npy'),
      ),
    ) as number[];
    assert.ok(first.summary.includes(`min ${fmt(stats[0])} max ${fmt(stats[1])}`), first.summary);

    const check = async (win: { row0: number; row1: number; col0: number; col1: number }) => {
      arrays.panelsOf(uri)[0].drive({ kind: 'zoom', window: win });
      const r = await rendered.wait(
        uri,
        (x) =>
          !!x.detailError ||
          (x.slice?.rowStep === 1 && x.slice.row0 === win.row0 && x.slice.col0 === win.col0),
        60_000,
      );
      assert.equal(r.detailError, undefined);
      assert.equal(r.heatmap?.rows, win.row1 - win.row0);
      assert.equal(r.heatmap?.cols, win.col1 - win.col0);
      assert.match(r.note ?? '', /full resolution/);
      const want = JSON.parse(
        python(
          `import numpy as np, sys, json\na = np.load(sys.argv[1])[${win.row0}:${win.row1}, ${win.col0}:${win.col1}]\n` +
            `s = 0.0\nfor v in a.astype(np.float64).ravel().tolist(): s += v\n` +
            `print(json.dumps({"sample": a.ravel()[:8].astype(np.float64).tolist(), "min": float(a.min()), "max": float(a.max()), "sum": s}))`,
          join(refDir, 'tall.npy'),
        ),
      ) as { sample: number[]; min: number; max: number; sum: number };
      // every drawn value: the first ones, the extremes and the sum in drawing order, exactly
      assert.deepEqual(r.sample, want.sample);
      assert.equal(r.heatmap?.min, want.min);
      assert.equal(r.heatmap?.max, want.max);
      assert.equal(r.sum, want.sum);
    };
    await check({ row0: 5000, row1: 5120, col0: 700, col1: 860 });
    // another window (pans into a region no pooled cell boundary aligns with)
    await check({ row0: 8100, row1: 8192, col0: 3, col1: 131 });
  });

  it('temp files go when their tab closes; the debuggee’s staging and memory are released', async () => {
    const rss = async () =>
      Number(await userView(`int(open('/proc/self/statm').read().split()[1])`));
    const before = await rss();
    // a 64 MiB transposed copy is made in the debuggee for the transfer, then dropped
    await config().update('maxTransferBytes', undefined, vscode.ConfigurationTarget.Global);
    const rec = await dbg.opener.open('big3.transpose(1, 0, 2)');
    assert.ok(rec, dbg.opener.lastError);
    assert.equal(rec.route, 'file');
    const pageBytes = 4096;
    const grown = ((await rss()) - before) * pageBytes;
    assert.ok(grown < 16 << 20, `debuggee RSS grew by ${grown} bytes after the transfer`);
    const viaChunks = await dbg.opener.transfers.fetch(session, frameId, 'head', {
      name: 'head',
      route: 'evaluate',
    });
    assert.equal(
      await userView(`len(__import__('sys').modules['__matrix_lens_debug_v2__']._staged)`),
      '0',
      'nothing left staged after a chunked transfer',
    );
    dbg.temp.remove(viaChunks.path);
    assert.ok(existsSync(rec.path));
    const tabs = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath === rec.path);
    assert.equal(tabs.length, 1);
    await vscode.window.tabGroups.close(tabs);
    await until('the temp folder to go after the tab closed', () => !existsSync(dirname(rec.path)));
    assert.ok(!dbg.opener.live.has(rec.path));
  });

  it('after Continue a pooled view is stale: the zoom says so instead of fetching', async () => {
    await config().update('maxTransferBytes', 16 << 20, vscode.ConfigurationTarget.Global);
    const rec = await dbg.opener.open('big');
    assert.ok(rec?.meta.pooled, dbg.opener.lastError);
    const stopped = nextStop(dbg);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await stopped;
    assert.equal(
      await dbg.opener.zoom(rec.path, { row0: 0, row1: 8, col0: 0, col1: 8 }),
      undefined,
    );
    assert.equal(
      dbg.opener.lastError,
      'big: stale: the program has moved on since stop 1, where this pooled view was taken; open it again to zoom',
    );
    // the heatmap's own zoom of the pooled view taken at stop 1 says so too, and draws nothing new
    const { rendered, arrays } = await api();
    for (const path of [rec.path, tallPath].filter((p) => dbg.opener.live.has(p))) {
      const uri = vscode.Uri.file(path);
      await rendered.wait(uri, (x) => !!x.slice, 60_000);
      arrays.panelsOf(uri)[0].drive({
        kind: 'zoom',
        window: { row0: 16, row1: 80, col0: 32, col1: 96 },
      });
      const r = await rendered.wait(uri, (x) => !!x.detailError, 60_000);
      assert.match(
        r.detailError ?? '',
        /: stale: the program has moved on since stop 1, where this pooled view was taken; open it again to zoom$/,
      );
      assert.notEqual(r.slice?.rowStep, 1, 'still the pooled view, not a window of another stop');
    }
  });

  it('ends: the session’s live editors and attention panels close and their temp files go', async () => {
    await config().update('maxTransferBytes', undefined, vscode.ConfigurationTarget.Global);
    const rec = await dbg.opener.open('head');
    assert.ok(rec, dbg.opener.lastError);
    const a = await vscode.commands.executeCommand<LiveAttention | undefined>(
      'matrixLens.debug.showAttention',
      { expression: 'heads', tokens: null },
    );
    assert.equal(a?.outcome.state, 'done', dbg.opener.lastError);
    let panelClosed = false;
    a!.outcome.view!.panel.onDidDispose(() => (panelClosed = true));
    const files = [rec.path, a!.path, ...zoomed.map((z) => z.path)].filter((p) => existsSync(p));
    assert.ok(files.length >= 2);
    const ended = new Promise<void>((resolve) => {
      const d = dbg.bridge.onDidEnd(() => {
        d.dispose();
        resolve();
      });
    });
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await ended;
    await until('live temp files to go', () => files.every((p) => !existsSync(p)));
    assert.equal(dbg.opener.live.size, 0);
    const stillOpen = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter(
        (t) => t.input instanceof vscode.TabInputCustom && files.includes(t.input.uri.fsPath),
      );
    assert.equal(stillOpen.length, 0, 'live editors closed');
    assert.ok(panelClosed, 'the live attention panel closed');
  });
});
