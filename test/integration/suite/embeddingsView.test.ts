/**
 * The embeddings view inside the real extension host. The worker's results on a NumPy-written
 * [N, d] float32 file are compared with NumPy computing scikit-learn's definitions: cosine =
 * the dot product of the rows scaled to unit length (0 for a zero row), PCA = the SVD of the
 * centred rows with svd_flip's signs (the largest-magnitude entry of each axis positive),
 * explained_variance_ratio_ = the eigenvalues' shares. Then "Open as Embeddings" with a
 * labels file: what the view rendered (neighbours table, explained variance, histogram,
 * zero row, near-duplicates) against the same NumPy numbers.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { EmbeddingsOutcome } from '../../../src/extension/embeddingsCommand';
import { api, closeAllEditors, python, workspaceDir } from './helpers';

interface Ref {
  N: number;
  d: number;
  cos: number[][];
  pooled: number[][];
  starts: number[];
  proj: number[][];
  ratio: number[];
  var: number[];
  top5: { row: number; cos: number; dot: number; norm: number }[];
  qtop: number[];
  dup: number;
  bestPair: [number, number];
  norms: number[];
}

function near(got: number, want: number, tol: number, what: string): void {
  assert.ok(
    Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)),
    `${what}: ${got} vs ${want}`,
  );
}

describe('Matrix Lens embeddings view (inside the real extension host)', function () {
  this.timeout(180_000);
  let file: vscode.Uri;
  let labelsFile: vscode.Uri;
  let bad: vscode.Uri;
  let ref: Ref;

  before(async () => {
    const dir = vscode.Uri.joinPath(workspaceDir(), 'embeddings-view');
    await vscode.workspace.fs.createDirectory(dir);
    file = vscode.Uri.joinPath(dir, 'emb.npy');
    labelsFile = vscode.Uri.joinPath(dir, 'labels.tsv');
    bad = vscode.Uri.joinPath(dir, 'cube.npy');
    ref = JSON.parse(
      python(
        `
import numpy as np, json, sys
rng = np.random.default_rng(11)
N, d = 300, 24
centres = rng.standard_normal((5, d)) * 2
x = centres[rng.integers(0, 5, N)] + rng.standard_normal((N, d)) * 0.7
x[4] = 0
x[101] = x[100] * 1.0005 + 1e-4
x = x.astype(np.float32)
np.save(sys.argv[1], x)
np.save(sys.argv[3], np.zeros((2, 3, 4), np.float32))
with open(sys.argv[2], 'w') as f:
    for i in range(N): f.write(f"w{i}\\tgroup{i % 3}\\n")
X = x.astype(np.float64)
n = np.linalg.norm(X, axis=1)
U = np.divide(X, n[:, None], out=np.zeros_like(X), where=n[:, None] > 0)
cos = U @ U.T
# pooled overview, 7 blocks: means of unit rows, then their products
T = 7
starts = [b * N // T for b in range(T + 1)]
M = np.stack([U[starts[b]:starts[b + 1]].mean(0) for b in range(T)])
# PCA as sklearn: centred SVD, svd_flip(u_based_decision=False)
Xc = X - X.mean(0)
_, s, Vt = np.linalg.svd(Xc, full_matrices=False)
big = np.argmax(np.abs(Vt), axis=1)
Vt *= np.sign(Vt[np.arange(len(Vt)), big])[:, None]
ev = s ** 2 / (N - 1)
c = cos[17].copy(); c[17] = -np.inf
top = np.argsort(-c, kind='stable')[:5]
q = np.linspace(-1, 1, d)
qc = X @ q / (n * np.linalg.norm(q) + 0.0); qc[n == 0] = 0
iu = np.triu_indices(N, 1)
pairs = cos[iu] > 0.99
bi = np.argmax(np.where(pairs, cos[iu], -2))
print(json.dumps(dict(N=N, d=d, cos=cos.tolist(), pooled=(M @ M.T).tolist(), starts=starts,
  proj=(Xc @ Vt[:3].T).tolist(), ratio=(ev / ev.sum())[:10].tolist(), var=ev[:10].tolist(),
  top5=[dict(row=int(i), cos=float(cos[17, i]), dot=float(X[17] @ X[i]), norm=float(n[i])) for i in top],
  qtop=[int(i) for i in np.argsort(-qc, kind='stable')[:3]],
  dup=int(pairs.sum()), bestPair=[int(iu[0][bi]), int(iu[1][bi])], norms=n.tolist())))
`,
        file.fsPath,
        labelsFile.fsPath,
        bad.fsPath,
      ),
    ) as Ref;
    await api();
  });
  afterEach(closeAllEditors);

  it('worker: cosine tiles, PCA, neighbours and duplicates equal NumPy (sklearn definitions)', async () => {
    const { worker } = await api();
    const key = 'it-embeddings';
    const info = await worker.call('embeddingsOpen', {
      key,
      ref: { source: { path: file.fsPath } },
      maxBytes: 2 ** 30,
    });
    assert.deepEqual(
      [info.rows, info.cols, info.zeroRows, info.nonFiniteRows],
      [ref.N, ref.d, [4], []],
    );
    try {
      const full = await worker.call('embeddingsTiles', {
        key,
        window: { row0: 0, rows: ref.N, col0: 0, cols: ref.N },
      });
      let worst = 0;
      for (let i = 0; i < ref.N; i++)
        for (let j = 0; j < ref.N; j++)
          worst = Math.max(worst, Math.abs(full.values[i * ref.N + j] - ref.cos[i][j]));
      assert.ok(worst <= 2e-6, `max |cos − NumPy| = ${worst}`);
      const pooled = await worker.call('embeddingsTiles', { key, size: 7 });
      assert.deepEqual(pooled.rowStarts, ref.starts);
      for (let i = 0; i < 7; i++)
        for (let j = 0; j < 7; j++)
          near(pooled.values[i * 7 + j], ref.pooled[i][j], 2e-6, `block ${i},${j}`);
      // a display order: the window shows the permuted rows
      const order = Int32Array.from({ length: ref.N }, (_, i) => ref.N - 1 - i);
      const win = await worker.call('embeddingsTiles', {
        key,
        order,
        window: { row0: 0, rows: 2, col0: 10, cols: 3 },
      });
      near(win.values[1 * 3 + 2], ref.cos[ref.N - 2][ref.N - 13], 2e-6, 'ordered window');

      const pca = await worker.call('embeddingsPca', { key });
      assert.equal(pca.k, 3);
      pca.explainedVarianceRatio.forEach((r, c) => near(r, ref.ratio[c], 1e-6, `ratio ${c}`));
      pca.explainedVariance.forEach((v, c) => near(v, ref.var[c], 1e-6, `variance ${c}`));
      for (let i = 0; i < ref.N; i++)
        for (let c = 0; c < 3; c++)
          near(pca.projections[i * 3 + c], ref.proj[i][c], 1e-4, `projection ${i},${c}`);
      pca.norms.forEach((v, i) => near(v, ref.norms[i], 1e-6, `norm ${i}`));

      const nb = await worker.call('embeddingsNeighbors', { key, row: 17, k: 5 });
      assert.deepEqual(
        nb.neighbors.map((x) => x.row),
        ref.top5.map((x) => x.row),
      );
      nb.neighbors.forEach((x, i) => {
        near(x.cosine, ref.top5[i].cos, 1e-6, 'cosine');
        near(x.dot, ref.top5[i].dot, 1e-5, 'dot');
        near(x.norm, ref.top5[i].norm, 1e-6, 'norm');
      });
      const q = Float32Array.from({ length: ref.d }, (_, j) => -1 + (2 * j) / (ref.d - 1));
      const qn = await worker.call('embeddingsNeighbors', { key, query: q, k: 3 });
      assert.deepEqual(
        qn.neighbors.map((x) => x.row),
        ref.qtop,
      );

      const dup = await worker.call('embeddingsDuplicates', { key, threshold: 0.99 });
      assert.equal(dup.count, ref.dup);
      assert.deepEqual(dup.pairs[0].slice(0, 2), ref.bestPair);
      await assert.rejects(
        worker.call('embeddingsDuplicates', { key, threshold: 2 }),
        /outside −1…1/,
      );
    } finally {
      await worker.call('embeddingsRelease', { key });
    }
  });

  it('Open as Embeddings with a labels file: the view shows NumPy’s numbers by label', async () => {
    const out = await vscode.commands.executeCommand<EmbeddingsOutcome>(
      'matrixLens.openEmbeddings',
      {
        uri: file,
        labels: labelsFile,
      },
    );
    assert.equal(out.state, 'done', out.message);
    const r = out.report!;
    assert.ok(r, 'the view reported what it rendered');
    assert.deepEqual([r.state, r.rows, r.cols], ['open', ref.N, ref.d]);
    assert.deepEqual(r.labels, { count: ref.N, from: 'labels.tsv' });
    assert.deepEqual([r.heatmap!.rows, r.heatmap!.rowStep], [ref.N, 1]);
    assert.equal(r.pca!.points, ref.N);
    assert.deepEqual(
      r.pca!.ratios,
      ref.ratio.map((x) => `${(x * 100).toFixed(1)} %`),
    );
    assert.equal(
      r.histogram!.reduce((a, b) => a + b, 0),
      ref.N,
    );
    assert.match(r.zeroText!, /^1 zero row \(cosine 0 with every row\): row 4 “w4”\.$/);
    const view = out.view!;
    const d = await view.waitReport((x) => !!x.duplicates);
    assert.equal(d!.duplicates!.count, ref.dup);

    view.drive({ kind: 'pickRow', row: 17 });
    const n = await view.waitReport(
      (x) => x.neighbors?.rows.length === 10 && x.neighbors.query === 'row 17 “w17”',
    );
    const rows = n!.neighbors!.rows;
    ref.top5.forEach((t, i) => {
      assert.equal(rows[i].row, t.row);
      assert.equal(rows[i].label, `w${t.row}`);
      near(Number(rows[i].cosine), t.cos, 1e-5, 'cosine as shown');
      near(Number(rows[i].dot), t.dot, 1e-5, 'dot as shown');
    });

    view.drive({ kind: 'colorBy', by: 'label', column: 1 });
    const c = await view.waitReport((x) => x.pca?.colorBy === 'col:1');
    assert.ok(c);
    view.drive({ kind: 'order', order: 'norm' });
    const o = await view.waitReport((x) => x.order === 'norm' && !!x.heatmap);
    assert.equal(o!.heatmap!.rows, ref.N);

    // the clustered order (spherical k-means in the worker) reorders the drawn cells: the first
    // drawn row is the order's first row, against NumPy's cosine of the rows it names
    const { worker } = await api();
    const key = 'it-embeddings-cluster';
    await worker.call('embeddingsOpen', {
      key,
      ref: { source: { path: file.fsPath } },
      maxBytes: 2 ** 30,
    });
    const clusters = await worker.call('embeddingsClusterOrder', { key });
    await worker.call('embeddingsRelease', { key });
    assert.deepEqual(
      [...clusters.order].sort((a, b) => a - b),
      Array.from({ length: ref.N }, (_, i) => i),
    );
    view.drive({ kind: 'order', order: 'cluster' });
    const k = await view.waitReport((x) => x.order === 'cluster' && !!x.heatmap && !!x.sample);
    const o0 = clusters.order[0];
    k!.sample!.forEach((v, j) =>
      near(v, ref.cos[o0][clusters.order[j]], 2e-6, `clustered cell [0, ${j}]`),
    );
  });

  it('above 512 rows the overview is pooled and a zoom window comes at full resolution', async () => {
    const big = vscode.Uri.joinPath(workspaceDir(), 'embeddings-view', 'big.npy');
    const want = JSON.parse(
      python(
        `
import numpy as np, json, sys
x = np.random.default_rng(2).standard_normal((700, 8)).astype(np.float32)
np.save(sys.argv[1], x)
u = x.astype(np.float64); u /= np.linalg.norm(u, axis=1, keepdims=True)
print(json.dumps((u[100:200] @ u[300:400].T)[0, :3].tolist()))
`,
        big.fsPath,
      ),
    ) as number[];
    const out = await vscode.commands.executeCommand<EmbeddingsOutcome>(
      'matrixLens.openEmbeddings',
      { uri: big },
    );
    assert.equal(out.state, 'done', out.message);
    const h = out.report!.heatmap!;
    assert.deepEqual([h.rows, h.cols, h.fullRows], [512, 512, 700]);
    near(h.rowStep, 700 / 512, 1e-12, 'pooled block');
    out.view!.drive({ kind: 'zoom', window: { row0: 100, row1: 200, col0: 300, col1: 400 } });
    const z = await out.view!.waitReport((r) => r.heatmap?.rowStep === 1);
    const zh = z!.heatmap!;
    assert.deepEqual([zh.rows, zh.cols, zh.row0, zh.col0], [100, 100, 100, 300]);
    assert.deepEqual(z!.sample!.length, 3);
    z!.sample!.forEach((v, j) => near(v, want[j], 2e-6, `S[100, ${300 + j}]`));
  });

  it('a 3-D array gets one line naming the file and the problem', async () => {
    const out = await vscode.commands.executeCommand<EmbeddingsOutcome>(
      'matrixLens.openEmbeddings',
      { uri: bad },
    );
    assert.equal(out.state, 'error');
    assert.match(
      out.message!,
      /^cube\.npy: embeddings need a 2-D \[N, d\] array, got shape \[2, 3, 4\]$/,
    );
  });
});
