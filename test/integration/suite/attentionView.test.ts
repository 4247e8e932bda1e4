/**
 * The attention view inside the real extension host: "Show as Attention Map" on NumPy-written
 * weights files and "Attention from Q, K, V" open the view; what it rendered (tile count,
 * per-head entropy, row-sum and causal checks, the focus head) is compared with NumPy.
 * Entropies are shown with 6 significant digits: compared at 1e-5 relative. Focus cells are
 * the stored float32 values: compared exactly.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AttentionOutcome } from '../../../src/extension/attentionCommand';
import { ATTENTION_VIEW_TYPE } from '../../../src/extension/panels/attentionPanel';
import type { AttentionViewState } from '../../../src/protocol/attention';
import { api, closeAllEditors, python, workspaceDir } from './helpers';

function close(got: number, want: number, rel: number, what: string): void {
  assert.ok(Math.abs(got - want) <= rel * Math.abs(want) + 1e-12, `${what}: ${got} vs ${want}`);
}

describe('Matrix Lens attention view (inside the real extension host)', function () {
  this.timeout(180_000);
  let dir: vscode.Uri;
  let ref: { entropy: number[]; head: number[]; T: number };
  let weights: vscode.Uri;

  before(async () => {
    dir = vscode.Uri.joinPath(workspaceDir(), 'attention-view');
    await vscode.workspace.fs.createDirectory(dir);
    weights = vscode.Uri.joinPath(dir, 'weights.npy');
    ref = JSON.parse(
      python(
        `
import numpy as np, json, sys
rng = np.random.default_rng(3)
B, H, T = 2, 3, 12
s = rng.standard_normal((B, H, T, T)) * 2
s = np.where(np.triu(np.ones((T, T), bool), 1), -np.inf, s)
e = np.exp(s - s.max(-1, keepdims=True)); w = (e / e.sum(-1, keepdims=True)).astype(np.float32)
np.save(sys.argv[1], w)
w64 = w.astype(np.float64)
with np.errstate(divide='ignore', invalid='ignore'):
    ent = -np.where(w64 > 0, w64 * np.log(w64), 0).sum(-1).mean(-1)
print(json.dumps(dict(entropy=ent.ravel().tolist(), head=w64[1, 2].ravel().tolist(), T=T)))
`,
        weights.fsPath,
      ),
    );
    await api();
  });
  afterEach(closeAllEditors);

  it('registers Show as Attention Map and the view serializer activation', async () => {
    const cmds = await vscode.commands.getCommands(true);
    assert.ok(cmds.includes('matrixLens.showAttention'));
    const pkg = vscode.extensions.getExtension('matrix-lens.matrix-lens')!.packageJSON as {
      activationEvents: string[];
    };
    assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${ATTENTION_VIEW_TYPE}`));
  });

  it('opens a NumPy-written [2, 3, T, T] file: 3 head tiles, NumPy entropies, causal mask holds', async () => {
    const out = await vscode.commands.executeCommand<AttentionOutcome>('matrixLens.showAttention', {
      uri: weights,
    });
    assert.equal(out.state, 'done', out.message);
    const r = out.report!;
    assert.ok(r, 'the view reported what it rendered');
    assert.equal(r.state, 'open');
    assert.deepEqual(r.shape, [2, 3, 12, 12]);
    assert.equal(r.tiles, 3);
    assert.deepEqual(r.tileLabels, ['H0', 'H1', 'H2']);
    assert.equal(r.headEntropy.length, 6);
    r.headEntropy.forEach((s, g) => close(Number(s), ref.entropy[g], 1e-5, `head ${g} entropy`));
    assert.equal(r.causal!.holds, true);
    assert.match(r.causal!.text, /^Causal mask holds: no query attends to a later key/);
    assert.equal(r.rowSums!.passed, true);
    assert.match(r.rowSums!.text, /^Rows sum to 1: all 72 rows within 1e-4/);
    assert.deepEqual(
      [r.focus!.head, r.focus!.rows, r.focus!.cols, r.focus!.rowStep],
      [0, 12, 12, 1],
    );
    // batch 1, head 2 in focus: the worker's cells are NumPy's float32 values
    const view = out.view!;
    view.drive({ kind: 'focus', layer: 0, batch: 1, head: 2 });
    const r2 = await view.waitReport((x) => x.focus?.head === 2 && x.batch === 1);
    assert.ok(r2, 'focus moved to batch 1, head 2');
    assert.equal(r2.tiles, 3);
    const { worker } = await api();
    const f = await worker.call('attentionFocus', {
      key: out.result!.key,
      maxBytes: 2 ** 30,
      layer: 0,
      batch: 1,
      head: 2,
      maxCells: 1 << 20,
    });
    assert.deepEqual(
      Array.from(f.values),
      ref.head.map((x) => Math.fround(x)),
    );
    // token labels from a text file: one per line
    const tok = vscode.Uri.joinPath(dir, 'tokens.txt');
    const words = Array.from({ length: 12 }, (_, i) => `w${i}`);
    await vscode.workspace.fs.writeFile(tok, new TextEncoder().encode(words.join('\n') + '\n'));
    await view.tokensFromFile(tok);
    const r3 = await view.waitReport((x) => x.tokens.count === 12);
    assert.deepEqual(r3?.tokens, { count: 12, from: 'tokens.txt' });
  });

  it('a non-causal T ≠ S file: the causal check says where the mask breaks; a bad row is found', async () => {
    const file = vscode.Uri.joinPath(dir, 'cross.npy');
    const want = JSON.parse(
      python(
        `
import numpy as np, json, sys
rng = np.random.default_rng(4)
s = rng.standard_normal((2, 5, 9)); e = np.exp(s); w = e / e.sum(-1, keepdims=True)
w[1, 3] *= 0.5
np.save(sys.argv[1], w)
up = np.triu(w, 1); g, i, j = np.unravel_index(np.argmax(up), up.shape)
print(json.dumps(dict(above=float(up.max()), at=[int(g), int(i), int(j)])))
`,
        file.fsPath,
      ),
    );
    const out = await vscode.commands.executeCommand<AttentionOutcome>(
      'matrixLens.showAttention',
      file,
    );
    assert.equal(out.state, 'done', out.message);
    const r = out.report!;
    assert.equal(r.tiles, 2);
    assert.equal(r.causal!.holds, false);
    const [g, i, j] = want.at as number[];
    assert.match(
      r.causal!.text,
      new RegExp(`^Not causal: 2 of 2 heads .* at H${g} query ${i} → key ${j}\\.$`),
    );
    close(
      out.result!.diagnostics.causal.maxAbove,
      want.above,
      1e-15,
      'largest weight above the diagonal',
    );
    assert.equal(r.rowSums!.passed, false);
    assert.match(
      r.rowSums!.text,
      /^Rows do not sum to 1: 1 of 10 rows in 1 head .* the worst is H1 query 3/,
    );
  });

  it('refuses a 1-D array with one line naming the file', async () => {
    const file = vscode.Uri.joinPath(dir, 'vec.npy');
    python(`import numpy as np, sys; np.save(sys.argv[1], np.ones(5))`, file.fsPath);
    const out = await vscode.commands.executeCommand<AttentionOutcome>('matrixLens.showAttention', {
      uri: file,
    });
    assert.equal(out.state, 'error');
    assert.match(
      out.message!,
      /^vec\.npy: attention weights must be \[T, S\], .* got 1-D shape \[5\]$/,
    );
  });

  it('Attention from Q, K, V opens the view; after a reload computed weights say so and recompute', async () => {
    const q = vscode.Uri.joinPath(dir, 'q.npy');
    const k = vscode.Uri.joinPath(dir, 'k.npy');
    const want = JSON.parse(
      python(
        `
import numpy as np, json, sys
rng = np.random.default_rng(9)
T, H, d = 7, 2, 4
Q = rng.standard_normal((T, H * d)); K = rng.standard_normal((T, H * d))
np.save(sys.argv[1], Q); np.save(sys.argv[2], K)
ent = []
for h in range(H):
    s = Q[:, h*d:(h+1)*d] @ K[:, h*d:(h+1)*d].T / np.sqrt(d)
    s = np.where(np.triu(np.ones((T, T), bool), 1), -np.inf, s)
    e = np.exp(s - s.max(1, keepdims=True)); w = e / e.sum(1, keepdims=True)
    with np.errstate(divide='ignore', invalid='ignore'):
        ent.append(float(-np.where(w > 0, w * np.log(w), 0).sum(1).mean()))
print(json.dumps(dict(entropy=ent)))
`,
        q.fsPath,
        k.fsPath,
      ),
    );
    const out = await vscode.commands.executeCommand<AttentionOutcome>(
      'matrixLens.attentionFromQKV',
      { q, k, heads: 2, causal: true },
    );
    assert.equal(out.state, 'done', out.message);
    assert.equal(out.report!.tiles, 2);
    out.report!.headEntropy.forEach((s, h) => close(Number(s), want.entropy[h], 1e-5, `head ${h}`));
    assert.equal(out.report!.causal!.holds, true);
    // what the serializer gets after a window reload: the webview's state, no worker data
    const state: AttentionViewState = {
      origin: {
        kind: 'computed',
        q: { uri: q.toString() },
        k: { uri: k.toString() },
        heads: 2,
        causal: true,
      },
      title: 'Attention: q.npy, k.npy',
      layer: 0,
      batch: 0,
      head: 1,
    };
    const { attention } = await api();
    const restored = attention.restore(undefined, state)!;
    const gone = await restored.waitReport((r) => r.state === 'gone');
    assert.ok(gone, 'the restored view reported');
    assert.match(gone.message!, /computed from Q, K, V .* did not survive the window reload/);
    await restored.recompute();
    const back = await restored.waitReport((r) => r.state === 'open' && !!r.focus);
    assert.ok(back, 'recomputed');
    assert.equal(back.focus!.head, 1, 'the focus head survived the reload');
    back.headEntropy.forEach((s, h) => close(Number(s), want.entropy[h], 1e-5, `head ${h}`));
    // file-backed weights reopen from the file
    const reopened = attention.restore(undefined, {
      origin: { kind: 'file', uri: weights.toString() },
      title: 'Attention: weights.npy',
      layer: 0,
      batch: 1,
      head: 2,
      tokens: { list: ['a', 'b'], from: 'typed list' },
    } satisfies AttentionViewState)!;
    const r = await reopened.waitReport((x) => x.state === 'open' && x.tiles === 3 && !!x.focus);
    assert.ok(r, 'reopened from the file');
    assert.deepEqual([r.batch, r.focus!.head, r.tokens.count], [1, 2, 2]);
  });
});
