/**
 * Issue 4 inside the real extension host: "Matrix Lens: Analyze" and "Attention from Q, K, V"
 * compute in the worker and the results panel shows NumPy's numbers; Cancel stops a large
 * analysis within a fraction of a second.
 *
 * Tolerances: the panel prints 6 significant digits, so shown values are compared with
 * NumPy at a relative 1e-5 (plus an absolute 1e-12·σ_max for singular values that are zero
 * up to rounding). The attention weights (float32, held by the worker for the attention view)
 * are compared with a float64 NumPy softmax at 1e-6 absolute.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AnalyzeResult } from '../../../src/protocol/worker';
import type { CommandOutcome } from '../../../src/extension/analysisCommands';
import type { AttentionOutcome } from '../../../src/extension/attentionCommand';
import { api, closeAllEditors, python, sleep, workspaceDir } from './helpers';

function num(s: string | undefined): number {
  assert.ok(s !== undefined, 'value shown');
  return Number(s.replace(' (estimate)', '').replace('-∞', '-Infinity').replace('∞', 'Infinity'));
}

function close(got: number, want: number, rel: number, abs = 0, what = ''): void {
  assert.ok(
    Math.abs(got - want) <= rel * Math.abs(want) + abs,
    `${what}: shown ${got}, NumPy ${want}`,
  );
}

describe('Matrix Lens analysis and attention (inside the real extension host)', function () {
  this.timeout(120_000);
  let dir: vscode.Uri;

  before(async () => {
    dir = vscode.Uri.joinPath(workspaceDir(), 'analysis');
    await vscode.workspace.fs.createDirectory(dir);
    await api();
  });
  afterEach(closeAllEditors);

  it('registers the commands', async () => {
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ['matrixLens.analyze', 'matrixLens.attentionFromQKV'])
      assert.ok(cmds.includes(c), `${c} registered`);
  });

  it('analyzes the array in the active Matrix Lens editor: rank, tolerance and singular values match numpy.linalg', async () => {
    const file = vscode.Uri.joinPath(dir, 'lowrank.npy');
    const ref = JSON.parse(
      python(
        `
import numpy as np, json, sys
rng = np.random.default_rng(7)
a = rng.standard_normal((40, 12)) @ rng.standard_normal((12, 30))
np.save(sys.argv[1], a)
s = np.linalg.svd(a, compute_uv=False)
print(json.dumps(dict(rank=int(np.linalg.matrix_rank(a)), tol=float(s.max() * max(a.shape) * np.finfo(a.dtype).eps), s=s.tolist(),
  fro=float(np.linalg.norm(a, 'fro')), nuc=float(np.linalg.norm(a, 'nuc')), one=float(np.linalg.norm(a, 1)), inf=float(np.linalg.norm(a, np.inf)))))
`,
        file.fsPath,
      ),
    );
    const { rendered } = await api();
    await vscode.commands.executeCommand('vscode.openWith', file, 'matrixLens.arrayViewer');
    await rendered.wait(file, (r) => r.summary !== '' || !!r.error);
    const out =
      await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>('matrixLens.analyze');
    assert.equal(out.state, 'done', out.message);
    const rep = out.report;
    assert.ok(rep, 'the panel reported what it rendered');
    assert.equal(rep.state, 'analysis');
    const f = rep.fields;
    assert.equal(f.shape, '(40, 30)');
    assert.equal(f.dtype, 'float64');
    assert.equal(num(f.rank), ref.rank);
    assert.equal(ref.rank, 12);
    const tol = /tol (\S+)/.exec(f['rank-note'])?.[1];
    close(num(tol), ref.tol, 1e-5, 0, 'rank tolerance');
    assert.match(f['rank-note'], /max\(M, N\)|eps/i, 'the rule is stated');
    assert.ok(f['dtype-rank'] !== undefined && /tol/.test(f['dtype-rank-note']));
    // first 10 and last 5 singular values
    const got = rep.singularValues!;
    assert.equal(got.length, 15, 'first 10 and last 5');
    const s: number[] = ref.s;
    const want = [...s.slice(0, 10), ...s.slice(-5)];
    got.forEach((x, i) => close(num(x), want[i], 1e-5, 1e-12 * s[0], `σ#${i}`));
    close(num(f['norm-fro']), ref.fro, 1e-5, 0, 'fro');
    close(num(f['norm-nuc']), ref.nuc, 1e-5, 0, 'nuc');
    close(num(f['norm-spectral']), s[0], 1e-5, 0, 'spectral');
    close(num(f['norm-one']), ref.one, 1e-5, 0, 'one');
    close(num(f['norm-inf']), ref.inf, 1e-5, 0, 'inf');
    // full precision in the result (what "copy all" copies)
    out.result!.analysis.singularValues.forEach((x, i) =>
      close(x, s[i], 1e-9, 1e-12 * s[0], `σ#${i}`),
    );
    assert.equal(f.approximate, undefined, 'exact path');
    // the charts: one point per singular value; energy and Eckart–Young over k = 0…30
    assert.equal(rep.plots?.sv?.points, s.length);
    assert.equal(rep.plots?.sv?.clamped, 0);
    assert.equal(rep.plots?.energy?.points, s.length + 1);
    assert.equal(rep.plots?.error?.points, s.length + 1);
    assert.equal(rep.plots?.eig, undefined, 'no eigenvalue chart for a 40 × 30 matrix');
    assert.equal(f['stat-rank'], String(ref.rank));
  });

  it('square float32 matrix: condition number, norms, eigenvalues and spectral radius match NumPy', async () => {
    const file = vscode.Uri.joinPath(dir, 'square32.npy');
    const ref = JSON.parse(
      python(
        `
import numpy as np, json, sys
rng = np.random.default_rng(11)
a = rng.standard_normal((24, 24)).astype(np.float32)
np.save(sys.argv[1], a)
f = a.astype(np.float64)
ev = np.linalg.eigvals(f)
ev = ev[np.argsort(-np.abs(ev), kind='stable')]
print(json.dumps(dict(rank=int(np.linalg.matrix_rank(f)), cond=float(np.linalg.cond(f)), rho=float(np.abs(ev).max()), mods=np.abs(ev).tolist())))
`,
        file.fsPath,
      ),
    );
    const out = await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>(
      'matrixLens.analyze',
      { uri: file },
    );
    assert.equal(out.state, 'done', out.message);
    const f = out.report!.fields;
    assert.equal(f.dtype, 'float32');
    assert.equal(num(f.rank), ref.rank);
    close(num(f.cond), ref.cond, 1e-5, 0, 'cond');
    close(num(f['spectral-radius']), ref.rho, 1e-5, 0, 'spectral radius');
    const ev = out.report!.eigenvalues!;
    assert.equal(ev.length, 10, 'first 10 eigenvalues listed');
    const mods = out.result!.analysis.eigenvalues!.map(([re, im]) => Math.hypot(re, im));
    mods.forEach((m, i) => close(m, ref.mods[i], 1e-8, 1e-10, `|λ#${i}|`));
  });

  it('analyzes a chosen 2-D slice of a 3-D array', async () => {
    const file = vscode.Uri.joinPath(dir, 'stack.npy');
    const ref = JSON.parse(
      python(
        `
import numpy as np, json, sys
a = np.stack([np.eye(5), np.outer(np.arange(1, 6.0), np.arange(1, 6.0))])
np.save(sys.argv[1], a)
print(json.dumps(dict(r0=int(np.linalg.matrix_rank(a[0])), r1=int(np.linalg.matrix_rank(a[1])))))
`,
        file.fsPath,
      ),
    );
    const out = await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>(
      'matrixLens.analyze',
      { uri: file, index: [1] },
    );
    assert.equal(out.state, 'done', out.message);
    assert.equal(num(out.report!.fields.rank), ref.r1);
    assert.match(out.report!.fields['shape-note'], /\[1, :, :\]/);
    // rank-deficient: σ_min = 0 exactly is not guaranteed, but the condition number is huge or ∞
    const cond = num(out.report!.fields.cond);
    assert.ok(cond > 1e12, `cond ${out.report!.fields.cond}`);
    assert.notEqual(ref.r0, ref.r1);
  });

  it('analyzes a named member of an .npz (no picker when the member is given)', async () => {
    const file = vscode.Uri.joinPath(dir, 'pair.npz');
    python(
      `import numpy as np, sys; np.savez(sys.argv[1], a=np.eye(3), b=np.outer([1.0, 2, 3, 4], [1.0, 0, 2, 1]) + np.outer([0, 1.0, 0, 1], [1.0, 1, 1, 1]))`,
      file.fsPath,
    );
    const out = await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>(
      'matrixLens.analyze',
      { uri: file, member: 'b' },
    );
    assert.equal(out.state, 'done', out.message);
    assert.equal(out.result!.name, 'b');
    assert.equal(num(out.report!.fields.rank), 2);
    assert.match(out.report!.title, /pair\.npz#b/);
  });

  it('asks which array to analyze when the active editor shows an .npz with several', async () => {
    const file = vscode.Uri.joinPath(dir, 'pick.npz');
    python(
      `import numpy as np, sys; np.savez(sys.argv[1], first=np.eye(3), second=np.ones((2, 2)))`,
      file.fsPath,
    );
    const { rendered } = await api();
    await vscode.commands.executeCommand('vscode.openWith', file, 'matrixLens.arrayViewer');
    await rendered.wait(file, (r) => r.summary !== '' || !!r.error);
    const run = vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>('matrixLens.analyze');
    // the QuickPick lists the members; accept the second one
    await sleep(1500);
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const out = await run;
    assert.equal(out.state, 'done', out.message);
    assert.equal(out.result!.name, 'second');
    assert.equal(num(out.report!.fields.rank), 1);
  });

  it('analyzes the array text selected in a text editor', async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: 'python',
      content: 'x = np.array([[2.0, 1.0], [1.0, 3.0]])\n',
    });
    const editor = await vscode.window.showTextDocument(doc);
    const start = doc.getText().indexOf('np.array');
    editor.selection = new vscode.Selection(
      doc.positionAt(start),
      doc.positionAt(doc.getText().trimEnd().length),
    );
    const out =
      await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>('matrixLens.analyze');
    assert.equal(out.state, 'done', out.message);
    const f = out.report!.fields;
    assert.equal(f.shape, '(2, 2)');
    assert.equal(num(f.rank), 2);
    // eigenvalues of [[2,1],[1,3]]: (5 ± √5)/2; cond = λmax/λmin for SPD
    close(num(f.cond), (5 + Math.sqrt(5)) / (5 - Math.sqrt(5)), 1e-5, 0, 'cond');
    close(num(f['spectral-radius']), (5 + Math.sqrt(5)) / 2, 1e-5, 0, 'spectral radius');
  });

  it('NaN/Inf input and complex input give one clear line naming the file', async () => {
    const bad = vscode.Uri.joinPath(dir, 'with_nan.npy');
    const cplx = vscode.Uri.joinPath(dir, 'complex.npy');
    python(
      `
import numpy as np, sys
a = np.ones((4, 4)); a[1, 2] = np.nan; a[3, 3] = np.inf
np.save(sys.argv[1], a)
np.save(sys.argv[2], np.ones((3, 3), dtype=np.complex128))
`,
      bad.fsPath,
      cplx.fsPath,
    );
    const o1 = await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>(
      'matrixLens.analyze',
      { uri: bad },
    );
    assert.equal(o1.state, 'error');
    assert.match(o1.message!, /^with_nan\.npy: .*1 NaN and 1 Inf/);
    assert.ok(
      !o1.message!.includes('\n') && !/\bat \S+:\d+/.test(o1.message!),
      'one line, no stack',
    );
    assert.equal(o1.report?.state, 'error');
    const o2 = await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>(
      'matrixLens.analyze',
      { uri: cplx },
    );
    assert.equal(o2.state, 'error');
    assert.match(o2.message!, /^complex\.npy: complex128 .*not supported/);
  });

  it('attention from NumPy-written Q, K, V matches a NumPy softmax reference (2 heads; causal)', async () => {
    const q = vscode.Uri.joinPath(dir, 'q.npy');
    const k = vscode.Uri.joinPath(dir, 'k.npy');
    const v = vscode.Uri.joinPath(dir, 'v.npy');
    const refs = JSON.parse(
      python(
        `
import numpy as np, json, sys
rng = np.random.default_rng(5)
T, H, d, dv = 9, 2, 4, 3
Q = rng.standard_normal((T, H * d)).astype(np.float32)
K = rng.standard_normal((T, H * d)).astype(np.float32)
V = rng.standard_normal((T, H * dv)).astype(np.float32)
for p, x in zip(sys.argv[1:], (Q, K, V)): np.save(p, x)
out = {}
for causal in (False, True):
    W = []
    for h in range(H):
        q = Q[:, h*d:(h+1)*d].astype(np.float64); k = K[:, h*d:(h+1)*d].astype(np.float64)
        s = q @ k.T / np.sqrt(d)
        if causal: s = np.where(np.triu(np.ones((T, T), bool), 1), -np.inf, s)
        s = s - s.max(axis=1, keepdims=True); e = np.exp(s); W.append(e / e.sum(axis=1, keepdims=True))
    W = np.stack(W)
    with np.errstate(divide='ignore', invalid='ignore'):
        ent = -np.where(W > 0, W * np.log(W), 0).sum(-1)
    out[str(causal).lower()] = dict(w=W.ravel().tolist(), headEntropy=ent.mean(-1).tolist())
print(json.dumps(out))
`,
        q.fsPath,
        k.fsPath,
        v.fsPath,
      ),
    );
    for (const causal of [false, true]) {
      const ref = refs[String(causal)];
      const out = await vscode.commands.executeCommand<AttentionOutcome>(
        'matrixLens.attentionFromQKV',
        { q, k, v, heads: 2, causal },
      );
      assert.equal(out.state, 'done', out.message);
      const r = out.result!;
      assert.deepEqual(r.shape, [2, 9, 9]);
      // the weights stay in the worker (the attention view draws from there): read them back
      // at full resolution, head by head
      const { worker } = await api();
      const w: number[] = [];
      for (let h = 0; h < 2; h++) {
        const f = await worker.call('attentionFocus', {
          key: r.key,
          maxBytes: 2 ** 30,
          layer: 0,
          batch: 0,
          head: h,
          maxCells: 1 << 20,
        });
        assert.equal(f.rowStep, 1);
        w.push(...f.values);
      }
      assert.equal(w.length, ref.w.length);
      // float32 inputs run the float32 SIMD kernel: weights within 2e-6 of NumPy's float64
      w.forEach((x, i) => close(x, ref.w[i], 0, 2e-6, `w[${i}]`));
      assert.equal(r.computed!.heads, 2);
      assert.equal(r.computed!.causal, causal);
      assert.deepEqual(r.computed!.outputShape, [9, 6]);
      const rep = out.report!;
      assert.equal(rep.state, 'open');
      assert.equal(rep.tiles, 2);
      assert.equal(rep.rowSums!.passed, true);
      assert.equal(rep.causal!.holds, causal);
      const he = rep.headEntropy;
      assert.equal(he.length, 2);
      he.forEach((x, h) => close(num(x), ref.headEntropy[h], 1e-5, 1e-9, `head ${h} entropy`));
    }
    // a head count that does not divide the width: one clear line
    const bad = await vscode.commands.executeCommand<AttentionOutcome>(
      'matrixLens.attentionFromQKV',
      { q, k, heads: 3 },
    );
    assert.equal(bad.state, 'error');
    assert.match(bad.message!, /not divisible by 3 heads \(Q = q\.npy, K = k\.npy\)$/);
  });

  it('attention through the pickers: Q, K, V from an open .npz, heads, causal mask', async () => {
    const file = vscode.Uri.joinPath(dir, 'qkv.npz');
    python(
      `import numpy as np, sys; r = np.random.default_rng(2); np.savez(sys.argv[1], q=r.standard_normal((5, 4)), k=r.standard_normal((5, 4)), v=r.standard_normal((5, 3)))`,
      file.fsPath,
    );
    const { rendered } = await api();
    await vscode.commands.executeCommand('vscode.openWith', file, 'matrixLens.arrayViewer');
    await rendered.wait(file, (r) => r.summary !== '' || !!r.error);
    const run = vscode.commands.executeCommand<AttentionOutcome>('matrixLens.attentionFromQKV');
    const step = async (next: number) => {
      await sleep(1200);
      for (let i = 0; i < next; i++)
        await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    };
    await step(0); // Q = q
    await step(1); // K = k
    await step(2); // V = v
    await step(0); // heads: the default 1
    await step(1); // mask: causal
    const out = await run;
    assert.equal(out.state, 'done', out.message);
    assert.deepEqual(out.result!.shape, [1, 5, 5]);
    assert.deepEqual(out.result!.computed!.vShape, [5, 3]);
    assert.equal(out.result!.computed!.causal, true);
    assert.equal(out.report!.tiles, 1);
    assert.equal(out.report!.causal!.holds, true);
  });

  it('Cancel stops a 1500×1500 analysis within a fraction of a second and the panel says "cancelled"', async () => {
    const file = vscode.Uri.joinPath(dir, 'big.npy');
    python(
      `import numpy as np, sys; np.save(sys.argv[1], np.random.default_rng(1).standard_normal((1500, 1500)))`,
      file.fsPath,
    );
    const { worker } = await api();
    await worker.call('spin', { ms: 1 }); // a worker is running before we count generations
    const generation = worker.generation;
    const cts = new vscode.CancellationTokenSource();
    const started = Date.now();
    const run = vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>(
      'matrixLens.analyze',
      { uri: file, token: cts.token },
    );
    // early enough that even a much faster engine is still busy (reading 18 MB, then SVD + eig)
    await new Promise((r) => setTimeout(r, 600));
    const cancelledAt = Date.now();
    cts.cancel();
    const out = await run;
    const stoppedAfter = Date.now() - cancelledAt;
    assert.equal(
      out.state,
      'cancelled',
      `state ${out.state}: ${out.message} (ran ${Date.now() - started} ms)`,
    );
    assert.equal(out.report?.state, 'cancelled');
    assert.match(out.report!.fields.status, /Cancelled/);
    // the worker stopped within a fraction of a second of Cancel (CANCEL_GRACE_MS = 400 is the
    // worst case: a phase that does not tick is cut off by replacing the worker); the panel's
    // report comes on top of that: not timed here, as a webview in code-server can take
    // seconds to load when the machine is busy (logged below)
    assert.ok(
      out.stopMs !== undefined && out.stopMs < 700,
      `worker stopped ${out.stopMs} ms after Cancel`,
    );
    // every phase reports progress, which is where the flag is seen: the worker stops by itself
    // instead of being terminated after the grace period
    assert.equal(worker.generation, generation, 'the worker noticed Cancel itself (not replaced)');
    const small = vscode.Uri.joinPath(dir, 'small.npy');
    python(`import numpy as np, sys; np.save(sys.argv[1], np.eye(3))`, small.fsPath);
    const again = await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>(
      'matrixLens.analyze',
      { uri: small },
    );
    assert.equal(again.state, 'done', again.message);
    assert.equal(num(again.report!.fields.rank), 3);
    console.log(
      `    cancel → worker stopped in ${out.stopMs} ms, panel said so in ${stoppedAfter} ms; worker replaced (it did not see the flag in time): ${worker.generation !== generation}`,
    );
  });

  it('exact zero singular values are drawn at a floor on the log axis and the chart says so', async () => {
    const file = vscode.Uri.joinPath(dir, 'zeros.npy');
    const ref = JSON.parse(
      python(
        `
import numpy as np, json, sys
a = np.diag([3.0, 2.0, 1.0, 0.0, 0.0])
np.save(sys.argv[1], a)
print(json.dumps(dict(rank=int(np.linalg.matrix_rank(a)), s=np.linalg.svd(a, compute_uv=False).tolist())))
`,
        file.fsPath,
      ),
    );
    const out = await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>(
      'matrixLens.analyze',
      { uri: file },
    );
    assert.equal(out.state, 'done', out.message);
    const rep = out.report!;
    assert.equal(num(rep.fields.rank), ref.rank);
    const zeros = (ref.s as number[]).filter((x) => x === 0).length;
    assert.equal(zeros, 2, 'NumPy: two exact zeros');
    assert.equal(rep.plots?.sv?.points, 5);
    assert.equal(rep.plots?.sv?.clamped, zeros);
    assert.match(rep.fields['note-sv'], /^2 singular values below \S+ .*drawn at that floor$/);
    // symmetric input: the sorted real eigenvalue chart, not the complex plane
    assert.equal(rep.plots?.['eig-real']?.points, 5);
    assert.equal(rep.plots?.eig, undefined);
  });

  it('the serializer restores a panel from saved state (as after a window reload)', async () => {
    const file = vscode.Uri.joinPath(dir, 'restore.npy');
    python(
      `import numpy as np, sys; np.save(sys.argv[1], np.random.default_rng(3).standard_normal((6, 6)))`,
      file.fsPath,
    );
    const first = await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>(
      'matrixLens.analyze',
      { uri: file },
    );
    assert.equal(first.state, 'done', first.message);
    await closeAllEditors();
    // what the webview kept with setState, through JSON as VS Code stores it
    const saved = JSON.parse(
      JSON.stringify({
        last: { type: 'analysis', seq: 1, title: 'Analysis: restore.npy', result: first.result },
        histogram: true,
      }),
    );
    const { analysisPanel } = await api();
    const webviewPanel = vscode.window.createWebviewPanel(
      'matrixLens.analysis',
      'Analysis: restore.npy',
      vscode.ViewColumn.One,
    );
    const rep = await analysisPanel.restore(webviewPanel, saved);
    assert.ok(rep, 'the restored panel rendered');
    assert.equal(rep.state, 'analysis');
    assert.equal(rep.title, 'Analysis: restore.npy');
    for (const key of ['rank', 'cond', 'norm-fro', 'spectral-radius'])
      assert.equal(rep.fields[key], first.report!.fields[key], key);
    assert.deepEqual(rep.singularValues, first.report!.singularValues);
    assert.equal(rep.plots?.eig?.points, 6, 'eigenvalue chart back');
    assert.equal(rep.plots?.hist?.points !== undefined, true, 'the histogram setting came back');
    // the restored panel is the one the next analysis uses
    assert.equal(analysisPanel.webviewPanel, webviewPanel);
    const again = await vscode.commands.executeCommand<CommandOutcome<AnalyzeResult>>(
      'matrixLens.analyze',
      { uri: file },
    );
    assert.equal(again.state, 'done', again.message);
    assert.equal(analysisPanel.webviewPanel, webviewPanel);
    // nothing saved: nothing to show, and no error
    const empty = vscode.window.createWebviewPanel(
      'matrixLens.analysis',
      'x',
      vscode.ViewColumn.One,
    );
    assert.equal(await analysisPanel.restore(empty, undefined), undefined);
    empty.dispose();
  });
});
