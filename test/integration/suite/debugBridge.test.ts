/**
 * The debugger bridge against the real debugpy (Debian python3-debugpy, registered as type
 * `debugpy` by the test host extension) with real NumPy and PyTorch programs, inside the real
 * extension host. References (bytes via np.save, statistics) are written by the program itself
 * before the breakpoint.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { api, closeAllEditors, sleep, workspaceDir } from './helpers';
import { launchToFirstStop, nextStop } from './debugSession';
import type { DebugApi } from '../../../src/extension/debug';
import type { HelperMeta, ScanItem, StageReply } from '../../../src/protocol/debug';
import { jsonNumber } from '../../../src/protocol/debug';

/** Data bytes of an .npy or .safetensors file (after the header) and its header fields. */
function payload(path: string): { data: Buffer; header: string } {
  const b = readFileSync(path);
  if (b[0] === 0x93) {
    const major = b[6];
    const hl = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
    const start = (major === 1 ? 10 : 12) + hl;
    return { data: b.subarray(start), header: b.subarray(0, start).toString('latin1') };
  }
  const hl = Number(b.readBigUInt64LE(0));
  return { data: b.subarray(8 + hl), header: b.subarray(8, 8 + hl).toString('utf8') };
}

/** {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } → fields. */
function npyFields(header: string): { descr: string; fortran: boolean; shape: string } {
  const descr = /'descr': '([^']+)'/.exec(header)?.[1] ?? '';
  const fortran = /'fortran_order': True/.test(header);
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '')
    .replace(/[\s,]+$/, '')
    .replace(/\s/g, '');
  return { descr, fortran, shape };
}

const PROGRAM = String.raw`
import json, os, sys
import numpy as np
import torch

REF = sys.argv[1]
g_only = np.arange(6, dtype=np.int16).reshape(2, 3)
shadow = np.zeros(3)
print("program start")


class Layer:
    def __init__(self):
        self.weight = torch.full((3, 4), 0.5)
        self.note = "not an array"


def reference(name, value):
    """np.save of what Matrix Lens must transfer, and NumPy's statistics."""
    if isinstance(value, torch.Tensor):
        t = value.detach()
        if t.dtype == torch.bfloat16:
            arr = t.contiguous().view(torch.int16).numpy().view(np.uint16)
            stat = t.float().numpy()
        else:
            arr = t.resolve_conj().numpy().copy(order="C")  # tensors cross in C order
            stat = arr
    else:
        arr = np.asarray(value)
        stat = arr
    np.save(os.path.join(REF, name + ".npy"), arr)
    f = np.abs(stat) if stat.dtype.kind == "c" else stat.astype(np.float64)
    fin = f[np.isfinite(f)]
    return dict(
        n=int(f.size), nan=int(np.isnan(f).sum()), posinf=int(np.isposinf(f).sum()),
        neginf=int(np.isneginf(f).sum()), zeros=int((f == 0).sum()),
        min=float(fin.min()) if fin.size else None, max=float(fin.max()) if fin.size else None,
        mean=float(fin.mean()) if fin.size else None, shape=list(arr.shape),
    )


def main():
    rng = np.random.default_rng(7)
    f32 = rng.standard_normal((33, 17)).astype(np.float32)
    f32[0, 0] = np.nan
    f32[1, 1] = np.inf
    f32[2, 2] = -np.inf
    f32[3, 3] = -0.0
    f64 = rng.standard_normal((20, 30)) * 1e3
    f16 = f64.astype(np.float16)
    i8 = rng.integers(-128, 128, size=(7, 9)).astype(np.int8)
    i16 = rng.integers(-30000, 30000, size=(7, 9)).astype(np.int16)
    i32 = rng.integers(-2**31, 2**31, size=(7, 9)).astype(np.int32)
    i64 = rng.integers(-2**62, 2**62, size=(7, 9))
    u8 = rng.integers(0, 256, size=(7, 9)).astype(np.uint8)
    u16 = rng.integers(0, 65536, size=(7, 9)).astype(np.uint16)
    u32 = rng.integers(0, 2**32, size=(7, 9)).astype(np.uint32)
    u64 = rng.integers(0, 2**63, size=(7, 9)).astype(np.uint64)
    b = rng.random((6, 5)) > 0.5
    c64 = (rng.standard_normal((4, 6)) + 1j * rng.standard_normal((4, 6))).astype(np.complex64)
    c128 = rng.standard_normal((4, 6)) + 1j * rng.standard_normal((4, 6))
    big_endian = f64.astype(">f8")
    fortran = np.asfortranarray(f64)
    strided = f64[::2, ::3]
    zero_d = np.array(3.5, dtype=np.float32)
    empty = np.zeros((0, 4), dtype=np.float32)
    nd4 = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    big = rng.standard_normal(16 * 1024 * 1024).astype(np.float32)
    t32 = torch.randn(8, 16, 64, generator=torch.Generator().manual_seed(1))
    t16 = t32.half()
    tbf = (t32 * 3).bfloat16()
    tint = torch.arange(-50, 50, dtype=torch.int32).reshape(10, 10)
    tlong = torch.arange(24, dtype=torch.int64).reshape(4, 6) * 10**12
    tbool = tint > 0
    tcomplex = torch.complex(t32[0], t32[1])
    tgrad = torch.randn(5, 7, requires_grad=True) * 2
    tstrided = t32.transpose(0, 2)
    t0 = torch.tensor(1.5)
    nested = [[1.0, 2.0, 3.0], [4.0, 5.5, -6.0]]
    shadow = np.ones(4)
    layer = Layer()
    batch = {"x": np.eye(3, dtype=np.float32), "label": "cat"}
    text = "not an array"
    objects = np.array([object(), 1], dtype=object)
    refs = {}
    for name in ["f32", "f64", "f16", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "b",
                 "c64", "c128", "big_endian", "fortran", "strided", "zero_d", "empty", "nd4", "big",
                 "t32", "t16", "tbf", "tint", "tlong", "tbool", "tcomplex", "tgrad", "tstrided", "t0",
                 "nested", "shadow"]:
        refs[name] = reference(name, locals()[name])
    refs["g_only"] = reference("g_only", g_only)
    refs["layer.weight"] = reference("layer.weight", layer.weight)
    refs["batch['x']"] = reference("batch_x", batch["x"])
    with open(os.path.join(REF, "refs.json"), "w") as fh:
        json.dump(refs, fh)
    print("before the breakpoint")
    marker = 1  # BREAK
    w = np.ones((4, 5), dtype=np.float32)
    for step in range(3):
        f32 += 1  # STEP
        w[step, :2] *= 3
        if step == 1:
            w[0, 0] = np.nan
    print("after the breakpoint", marker)


main()
print("program end")
`;

describe('Debugger bridge against the real debugpy (NumPy + PyTorch program)', function () {
  this.timeout(180_000);
  let dbg: DebugApi;
  let session: vscode.DebugSession;
  let refDir: string;
  let program: string;
  let refs: Record<
    string,
    {
      n: number;
      nan: number;
      posinf: number;
      neginf: number;
      zeros: number;
      min: number | null;
      max: number | null;
      mean: number | null;
      shape: number[];
    }
  >;
  let frameId: number;
  let dirBefore: string;
  let globalsBefore: string;
  const output: string[] = [];
  let trackerReg: vscode.Disposable;

  const userView = async (expr: string): Promise<string> =>
    (
      (await session.customRequest('evaluate', {
        expression: expr,
        frameId,
        context: 'watch',
      })) as {
        result: string;
      }
    ).result;

  before(async function () {
    dbg = (await api()).debug;
    const ws = workspaceDir();
    const dir = join(ws.fsPath, 'debug-bridge');
    refDir = join(dir, 'ref');
    mkdirSync(refDir, { recursive: true });
    program = join(dir, 'prog.py');
    await vscode.workspace.fs.writeFile(vscode.Uri.file(program), Buffer.from(PROGRAM));
    const line = PROGRAM.split('\n').findIndex((l) => l.includes('# BREAK'));
    vscode.debug.addBreakpoints([
      new vscode.SourceBreakpoint(
        new vscode.Location(vscode.Uri.file(program), new vscode.Position(line, 0)),
      ),
    ]);
    trackerReg = vscode.debug.registerDebugAdapterTrackerFactory('debugpy', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: {
          type?: string;
          event?: string;
          body?: { category?: string; output?: string };
        }) => {
          if (m.type === 'event' && m.event === 'output' && m.body?.category === 'stdout')
            output.push(m.body.output ?? '');
        },
      }),
    });
    session = await launchToFirstStop(dbg, {
      name: 'matrix lens bridge test',
      program,
      args: [refDir],
    });
    refs = JSON.parse(readFileSync(join(refDir, 'refs.json'), 'utf8'));
    frameId = await dbg.bridge.frameId(session);
    dirBefore = await userView('sorted(dir())');
    globalsBefore = await userView('sorted(globals())');
  });

  after(async () => {
    trackerReg?.dispose();
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await closeAllEditors();
  });

  /** the user's namespace is untouched (checked after every test). */
  afterEach(async function () {
    if (!session || this.currentTest?.title.includes('ends')) return;
    if (!dbg.bridge.state(session).paused) return;
    frameId = await dbg.bridge.frameId(session);
    assert.equal(await userView('sorted(dir())'), dirBefore, 'dir() unchanged');
    assert.equal(await userView('sorted(globals())'), globalsBefore, 'globals() unchanged');
  });

  const bytesOf = (name: string, file: string): void => {
    const got = payload(file);
    const want = payload(join(refDir, `${name}.npy`));
    assert.equal(got.data.length, want.data.length, `${name}: byte count`);
    assert.ok(got.data.equals(want.data), `${name}: bytes differ`);
  };

  const numpyNames = [
    'f32',
    'f64',
    'f16',
    'i8',
    'i16',
    'i32',
    'i64',
    'u8',
    'u16',
    'u32',
    'u64',
    'b',
    'c64',
    'c128',
    'big_endian',
    'fortran',
    'strided',
    'zero_d',
    'empty',
    'nd4',
    'nested',
  ];
  const torchNames = [
    't32',
    't16',
    'tint',
    'tlong',
    'tbool',
    'tcomplex',
    'tgrad',
    'tstrided',
    't0',
  ];

  for (const route of ['file', 'evaluate'] as const) {
    it(`transfers every NumPy dtype and layout byte for byte (${route} route)`, async () => {
      for (const name of numpyNames) {
        const r = await dbg.opener.transfers.fetch(session, frameId, name, { name, route });
        assert.equal(r.route, route);
        bytesOf(name, r.path);
        const fields = npyFields(payload(r.path).header);
        const want = npyFields(payload(join(refDir, `${name}.npy`)).header);
        assert.deepEqual(fields, want, `${name}: header`);
        dbg.temp.remove(r.path);
      }
    });

    it(`transfers torch float32/float16/int/bool/complex, requires_grad, strided and 0-d tensors, and bfloat16 bits (${route} route)`, async () => {
      for (const name of torchNames) {
        const r = await dbg.opener.transfers.fetch(session, frameId, name, { name, route });
        assert.equal(r.meta.format, 'npy', name);
        bytesOf(name, r.path);
        if (name === 'tgrad') assert.equal(r.meta.requiresGrad, true);
        dbg.temp.remove(r.path);
      }
      const r = await dbg.opener.transfers.fetch(session, frameId, 'tbf', { name: 'tbf', route });
      assert.equal(r.meta.format, 'safetensors');
      assert.equal(r.meta.dtype, 'bfloat16');
      const h = JSON.parse(payload(r.path).header) as Record<
        string,
        { dtype: string; shape: number[] }
      >;
      assert.deepEqual(h.tbf, { ...h.tbf, dtype: 'BF16', shape: [8, 16, 64] });
      bytesOf('tbf', r.path);
    });
  }

  it('transfers a 64 MiB float32 array byte for byte (shared temp file)', async () => {
    const r = await dbg.opener.transfers.fetch(session, frameId, 'big', { name: 'big' });
    assert.equal(r.route, 'file', 'code-server shares the filesystem: the nonce probe must say so');
    bytesOf('big', r.path);
    dbg.temp.remove(r.path);
  });

  it('Tensors view lists the frame’s array-like names with NumPy-computed statistics', async () => {
    await dbg.tensors.addExpression('f32[1:3]');
    await dbg.tensors.addExpression('1/0');
    await dbg.tensors.refresh();
    const items = new Map<string, ScanItem>(dbg.tensors.rows.map((r) => [r.item.name, r.item]));
    for (const name of [
      'f32',
      'f64',
      'tbf',
      'tgrad',
      'nested',
      'shadow',
      'layer.weight',
      "batch['x']",
      'big',
      'c128',
    ]) {
      const it = items.get(name);
      assert.ok(it && !('error' in it), `${name} listed`);
      const meta = it as HelperMeta;
      const ref = refs[name];
      assert.deepEqual(meta.shape, name === 'tbf' ? [8, 16, 64] : ref.shape, `${name} shape`);
      const s = meta.stats;
      assert.ok(s, `${name} has stats`);
      for (const k of ['n', 'nan', 'posinf', 'neginf', 'zeros'] as const)
        assert.equal(s[k], ref[k], `${name}.${k}`);
      for (const k of ['min', 'max', 'mean'] as const) {
        const want = ref[k];
        if (want === null) assert.equal(s[k], null);
        else
          assert.ok(
            Math.abs(jsonNumber(s[k]) - want) <=
              1e-6 * Math.max(1, Math.abs(want)) + (name === 'f16' ? 1e-2 : 0),
            `${name}.${k}: ${s[k]} vs ${want}`,
          );
      }
    }
    for (const absent of ['text', 'objects', 'layer.note', "batch['label']", 'g_only'])
      assert.ok(!items.has(absent), `${absent} is not listed`);
    const typed = items.get('f32[1:3]');
    assert.ok(typed && !('error' in typed) && (typed as HelperMeta).shape.join() === '2,17');
    const raised = items.get('1/0');
    assert.ok(
      raised && 'error' in raised && raised.error === 'ZeroDivisionError: division by zero',
    );
    assert.match(String(dbg.tensors.view.message), /^\d+ arrays · refreshed in \d+ ms/);
    await dbg.tensors.removeExpression('f32[1:3]');
    await dbg.tensors.removeExpression('1/0');
  });

  it('Variables view menu opens the right value (locals, a shadowed global, a child) in the array editor', async () => {
    const { rendered } = await api();
    const scopes = (await session.customRequest('scopes', { frameId })) as {
      scopes: { name: string; variablesReference: number; expensive: boolean }[];
    };
    const scope = (n: string) => {
      const s = scopes.scopes.find((x) => x.name === n);
      assert.ok(s, `scope ${n}`);
      return s;
    };
    const vars = async (ref: number) =>
      (
        (await session.customRequest('variables', { variablesReference: ref })) as {
          variables: { name: string; evaluateName?: string; variablesReference: number }[];
        }
      ).variables;
    const locals = await vars(scope('Locals').variablesReference);
    const f64 = locals.find((v) => v.name === 'f64');
    assert.ok(f64);
    await vscode.commands.executeCommand('matrixLens.debug.openVariable', {
      sessionId: session.id,
      container: scope('Locals'),
      variable: f64,
    });
    assert.equal(dbg.opener.lastError, undefined);
    assert.equal(dbg.opener.last?.expression, 'f64');
    const uri = vscode.Uri.file(dbg.opener.last.path);
    const report = await rendered.wait(uri, (r) => r.summary !== '' || !!r.error);
    assert.ok(!report.error, report.error);
    assert.match(report.summary, /^float64\[20, 30\]/);

    const globals = await vars(scope('Globals').variablesReference);
    const shadow = globals.find((v) => v.name === 'shadow');
    assert.ok(shadow);
    await vscode.commands.executeCommand('matrixLens.debug.openVariable', {
      sessionId: session.id,
      container: scope('Globals'),
      variable: shadow,
    });
    assert.equal(dbg.opener.last?.expression, `globals()["shadow"]`);
    assert.deepEqual(
      dbg.opener.last?.meta.shape,
      [3],
      'the global (3 zeros), not the local of the same name',
    );

    const layer = locals.find((v) => v.name === 'layer');
    assert.ok(layer);
    const children = await vars(layer.variablesReference);
    const weight = children.find((v) => v.name === 'weight');
    assert.ok(weight?.evaluateName);
    await vscode.commands.executeCommand('matrixLens.debug.openVariable', {
      sessionId: session.id,
      container: {
        name: 'layer',
        variablesReference: layer.variablesReference,
        evaluateName: 'layer',
      },
      variable: weight,
    });
    assert.equal(dbg.opener.last?.expression, 'layer.weight');
    bytesOf('layer.weight', dbg.opener.last.path);
    await closeAllEditors();
  });

  it('editor selection and typed expression entry points open the selected value', async () => {
    const doc = await vscode.workspace.openTextDocument(program);
    const editor = await vscode.window.showTextDocument(doc);
    const lineNo = PROGRAM.split('\n').findIndex((l) => l.includes('nd4 = rng'));
    const col = doc.lineAt(lineNo).text.indexOf('nd4');
    editor.selection = new vscode.Selection(lineNo, col, lineNo, col + 3);
    await vscode.commands.executeCommand('matrixLens.debug.openSelection');
    assert.equal(dbg.opener.lastError, undefined);
    assert.equal(dbg.opener.last?.expression, 'nd4');
    assert.deepEqual(dbg.opener.last?.meta.shape, [2, 3, 5, 5]);
    // the cursor inside `batch["x"]`-style code picks the whole subscript expression
    await vscode.commands.executeCommand('matrixLens.debug.openExpression', "batch['x']");
    assert.equal(dbg.opener.last?.expression, "batch['x']");
    bytesOf('batch_x', dbg.opener.last.path);
    await closeAllEditors();
  });

  it('errors are one clear line: raising expression, not array-like, object array; the session keeps working', async () => {
    const cases: [string, RegExp][] = [
      ['1/0', /^1\/0: ZeroDivisionError: division by zero$/],
      [
        'undefined_name_zz',
        /^undefined_name_zz: NameError: name 'undefined_name_zz' is not defined$/,
      ],
      ['text', /^text: not array-like: str$/],
      ['layer', /^layer: not array-like: __main__\.Layer$/],
      ['objects', /^objects: object array \(dtype object\)/],
    ];
    for (const [expr, re] of cases) {
      const rec = await dbg.opener.open(expr);
      assert.equal(rec, undefined);
      assert.match(dbg.opener.lastError ?? '', re);
    }
    const ok = await dbg.opener.transfers.fetch(session, frameId, 'i8', { name: 'i8' });
    bytesOf('i8', ok.path);
  });

  it('over the budget, a pooled view and the whole value’s statistics come from the debuggee', async () => {
    const r = await dbg.opener.transfers.fetch(session, frameId, 'big.reshape(4096, 4096)', {
      name: 'big',
      budget: 16 << 20,
    });
    const m: StageReply = r.meta;
    assert.deepEqual(m.pooled, [4, 4]);
    assert.equal(m.stats?.n, 16 * 1024 * 1024);
    assert.ok(Math.abs(jsonNumber(m.stats?.mean ?? null) - (refs.big.mean ?? NaN)) < 1e-9);
    assert.ok(payload(r.path).data.length === 1024 * 1024 * 4);
  });

  it('debug hover, Alt hover and inline values show the live shape', async () => {
    const doc = await vscode.workspace.openTextDocument(program);
    const lines = PROGRAM.split('\n');
    const f32Line = lines.findIndex((l) => l.includes('f32 = rng'));
    const pos = new vscode.Position(f32Line, lines[f32Line].indexOf('f32') + 1);
    const tok = new vscode.CancellationTokenSource().token;
    const ee = await dbg.evaluatable.provideEvaluatableExpression(doc, pos, tok);
    assert.ok(ee?.expression, 'an expression for the debug hover');
    const shown = await userView(ee.expression);
    assert.match(
      shown,
      /^float32\[33, 17\] cpu · min -?[\d.]+ max [\d.]+ mean -?[\d.e-]+ · NaN 1 \+Inf 1 -Inf 1 zeros 1$/,
    );
    const plain = await dbg.evaluatable.provideEvaluatableExpression(
      doc,
      new vscode.Position(
        lines.findIndex((l) => l.includes('text = ')),
        6,
      ),
      tok,
    );
    assert.equal(plain?.expression, 'text', 'non-arrays keep the ordinary debug hover');

    const hovers =
      (await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        pos,
      )) ?? [];
    const texts = hovers.flatMap((h) =>
      h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')),
    );
    const live = texts.find((t) => t.startsWith('live `f32`'));
    assert.ok(live, `live shape hover among: ${texts.join(' | ')}`);
    assert.match(live, /^live `f32`: `float32\[33, 17\]` on cpu/);
    if (live.includes('inferred')) assert.match(live, /agrees with the inferred shape/);

    const breakLine = lines.findIndex((l) => l.includes('# BREAK'));
    const values = ((await dbg.inlineValues.provideInlineValues(
      doc,
      new vscode.Range(0, 0, lines.length - 1, 0),
      { frameId, stoppedLocation: new vscode.Range(breakLine, 4, breakLine, 4) },
      tok,
    )) ?? []) as vscode.InlineValueText[];
    const byLine = new Map(values.map((v) => [v.range.start.line, v.text]));
    assert.equal(byLine.get(f32Line), 'f32: float32[33, 17]');
    assert.equal(
      byLine.get(lines.findIndex((l) => l.includes('tbf = '))),
      'tbf: bfloat16[8, 16, 64]',
    );
    assert.equal(byLine.get(lines.findIndex((l) => l.includes('text = '))), undefined);
    await closeAllEditors();
  });

  it('Continue in the middle of a chunked transfer cancels it cleanly; the next stop works', async () => {
    const stoppedAgain = nextStop(dbg);
    const stepLine = PROGRAM.split('\n').findIndex((l) => l.includes('# STEP'));
    vscode.debug.addBreakpoints([
      new vscode.SourceBreakpoint(
        new vscode.Location(vscode.Uri.file(program), new vscode.Position(stepLine, 0)),
      ),
    ]);
    const transfer = dbg.opener.transfers.fetch(session, frameId, 'big', {
      name: 'big',
      route: 'evaluate',
    });
    await sleep(300);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await assert.rejects(transfer, /cancelled: the program resumed|no longer paused/);
    await stoppedAgain;
    await sleep(300);
    frameId = await dbg.bridge.frameId(session);
    // a new line ran (`marker`, `step` exist now): the namespace baseline moves with it
    dirBefore = await userView('sorted(dir())');
    globalsBefore = await userView('sorted(globals())');
    const r = await dbg.opener.transfers.fetch(session, frameId, 'i16', { name: 'i16' });
    bytesOf('i16', r.path);
    const staged = await userView(
      `len(__import__('sys').modules['__matrix_lens_debug_v2__']._staged)`,
    );
    assert.equal(staged, '0', 'nothing left staged in the debuggee');
  });

  it('a pinned array shows Δ since the previous stop and the stop where NaN first appeared', async () => {
    const pin = await dbg.pins.pin('w');
    assert.equal(pin.history.length, 1);
    assert.equal(pin.history.at(-1)?.stop, 2);
    assert.equal(pin.history.at(-1)?.delta, undefined, 'nothing to compare at the first stop');
    const next = async () => {
      const updated = new Promise<void>((resolve) => {
        const d = pin.onDidUpdate(() => {
          d.dispose();
          resolve();
        });
      });
      await vscode.commands.executeCommand('workbench.action.debug.continue');
      await updated;
    };
    await next();
    let snap = pin.history.at(-1);
    assert.ok(snap?.delta, pin.status);
    assert.equal(snap.stop, 3);
    assert.equal(snap.changed, 2);
    assert.equal(snap.maxAbs, 2);
    assert.deepEqual(snap.deltaRange, [-2, 2]);
    assert.equal(snap.firstSeen, 'no NaN or Inf so far');
    assert.equal(snap.delta[0], 2);
    assert.equal(snap.delta[2], 0);
    await next();
    snap = pin.history.at(-1);
    assert.ok(snap?.delta, pin.status);
    const stepLine = PROGRAM.split('\n').findIndex((l) => l.includes('# STEP')) + 1;
    assert.equal(snap.changed, 3, 'two tripled cells and one that became NaN');
    assert.equal(snap.maxAbs, 2);
    assert.equal(snap.firstSeen, `NaN first seen at stop 4, line ${stepLine}`);
    assert.ok(Number.isNaN(snap.delta[0]));
    assert.equal(pin.history.length, 3, 'history keeps every stop so far');
    frameId = await dbg.bridge.frameId(session);
    dirBefore = await userView('sorted(dir())');
    globalsBefore = await userView('sorted(globals())');
  });

  it('the program’s own output is unchanged', async () => {
    const text = output.join('');
    assert.equal(text, 'program start\nbefore the breakpoint\n');
  });

  it('ends: the session terminates and its state says so', async () => {
    const ended = new Promise<void>((resolve) => {
      const d = dbg.bridge.onDidEnd(() => {
        d.dispose();
        resolve();
      });
    });
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await ended;
    await sleep(500);
    assert.equal(
      output.join(''),
      'program start\nbefore the breakpoint\nafter the breakpoint 1\nprogram end\n',
    );
    assert.ok(existsSync(refDir));
    assert.equal(dbg.pins.pins.size, 0, 'the ended session closed its pinned panels');
  });
});
