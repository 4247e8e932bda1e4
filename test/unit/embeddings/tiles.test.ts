/**
 * Cosine-similarity tiles (mean-pooled overview and full-resolution windows, in a permuted
 * display order), near-duplicate pairs and the embeddings PCA against scikit-learn's
 * definitions written out in NumPy: cosine_similarity (zero rows → 0) and PCA
 * (explained_variance_ = σ²/(n−1), components' largest entry positive as svd_flip with
 * u_based_decision=False).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../../../src/core/formats/npy';
import { fromFloat32 } from '../../../src/core/embeddings/vectors';
import { cosineOverview, cosineWindow } from '../../../src/core/embeddings/cosineTiles';
import { nearDuplicates } from '../../../src/core/embeddings/nearDuplicates';
import { embeddingPca } from '../../../src/core/embeddings/pcaProjection';
import { cosineSimilarity } from '../../../src/core/linalg';
import { pythonJson, tempDir } from '../../helpers/python';

describe('embeddings: cosine tiles, near-duplicates, PCA', function () {
  this.timeout(120_000);
  const dir = tempDir('matrix-lens-tiles-');
  let ref: {
    overview: number[][];
    window: number[][];
    order: number[];
    full: number[][];
    dups: [number, number, number][];
    ev: number[];
    ratio: number[];
    comps: number[][];
    proj: number[][];
  };

  before(() => {
    ref = pythonJson(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(6)
x = (rng.standard_normal((300, 16)) @ np.diag(np.linspace(3, 0.2, 16))).astype(np.float32)
x[5] = 0; x[20] = 2 * x[3]; x[21] = x[3] + np.float32(1e-3)
np.save(os.path.join(d, 'x.npy'), x)
X = x.astype(np.float64)
n = np.linalg.norm(X, axis=1, keepdims=True); U = X / np.where(n == 0, 1, n)  # sklearn.preprocessing.normalize
S = U @ U.T                                                                    # sklearn cosine_similarity
T = 7; st = [int(np.floor(b * 300 / T)) for b in range(T + 1)]
ov = [[float(S[st[i]:st[i+1], st[j]:st[j+1]].mean()) for j in range(T)] for i in range(T)]
order = rng.permutation(300)
win = S[order][:, order][40:52, 100:109]
iu = np.triu_indices(300, 1); c = S[iu]; sel = np.where(c > 0.99)[0]
dups = sorted([[int(iu[0][k]), int(iu[1][k]), float(c[k])] for k in sel], key=lambda p: (-p[2], p[0], p[1]))
Xc = X - X.mean(0); u, s, vt = np.linalg.svd(Xc, full_matrices=False)
signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)]); vt = vt * signs[:, None]
k = 3
print(json.dumps(dict(overview=ov, window=win.tolist(), order=order.tolist(), full=S[:6, :6].tolist(), dups=dups,
  ev=(s[:k]**2 / 299).tolist(), ratio=(s[:k]**2 / (s**2).sum()).tolist(), comps=vt[:k].tolist(), proj=(Xc @ vt[:k].T)[:10].tolist())))
`,
      [dir],
    );
  });

  const vectors = () => {
    const r = readNpy(readFileSync(join(dir, 'x.npy')));
    const f = new Float32Array(new Uint8Array(r.bytes).buffer); // a copy: Buffer.slice is a view
    return fromFloat32(f, r.shape[0], r.shape[1]);
  };

  it('mean-pooled overview and permuted windows equal the blocks of sklearn cosine_similarity', () => {
    const v = vectors();
    const ov = cosineOverview(v, 7);
    assert.equal(ov.rows, 7);
    for (let i = 0; i < 7; i++)
      for (let j = 0; j < 7; j++)
        assert.ok(Math.abs(ov.data[i * 7 + j] - ref.overview[i][j]) < 1e-12, `block ${i},${j}`);
    const w = cosineWindow(v, 40, 12, 100, 9, Int32Array.from(ref.order));
    for (let i = 0; i < 12; i++)
      for (let j = 0; j < 9; j++) assert.ok(Math.abs(w.data[i * 9 + j] - ref.window[i][j]) < 1e-12);
    // the engine's whole-matrix cosineSimilarity agrees too (zero row 5 → 0)
    const six = { rows: 6, cols: 16, data: Float64Array.from(v.data.subarray(0, 96)) };
    const s = cosineSimilarity(six);
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 6; j++) assert.ok(Math.abs(s.data[i * 6 + j] - ref.full[i][j]) < 1e-12);
    assert.throws(() => cosineWindow(v, 295, 10, 0, 1), /outside 300×300/);
  });

  it('near-duplicate pairs above a threshold are the upper-triangle pairs NumPy finds', () => {
    const r = nearDuplicates(vectors(), 0.99);
    assert.ok(ref.dups.length >= 3);
    assert.equal(r.count, ref.dups.length);
    assert.deepEqual(
      r.pairs.map(([i, j]) => [i, j]),
      ref.dups.map(([i, j]) => [i, j]),
    );
    r.pairs.forEach((p, k) => assert.ok(Math.abs(p[2] - ref.dups[k][2]) < 1e-12));
  });

  it('PCA: explained variance, ratio, sign-normalised axes and projections as sklearn', () => {
    const p = embeddingPca(vectors(), 3);
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(p.explainedVariance[c] / ref.ev[c] - 1) < 1e-10, `ev ${c}`);
      assert.ok(Math.abs(p.explainedVarianceRatio[c] / ref.ratio[c] - 1) < 1e-10, `ratio ${c}`);
      for (let j = 0; j < 16; j++)
        assert.ok(Math.abs(p.components[c * 16 + j] - ref.comps[c][j]) < 1e-8);
      for (let i = 0; i < 10; i++)
        assert.ok(
          Math.abs(p.projections[i * 3 + c] - ref.proj[i][c]) <
            1e-8 * Math.max(1, Math.abs(ref.proj[i][c])),
        );
    }
  });
});
