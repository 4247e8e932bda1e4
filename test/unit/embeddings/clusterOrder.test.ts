/**
 * The clustered heatmap order (spherical k-means): on NumPy-drawn Gaussian clusters around
 * four different directions, each true cluster ends up as one run of the order; the order is a
 * permutation, the same on every run, and puts zero and NaN rows last.
 */
import assert from 'node:assert/strict';
import { clusterCount, clusterOrder } from '../../../src/core/embeddings/clusterOrder';
import { pythonJson } from '../../helpers/python';

function isPermutation(order: ArrayLike<number>, n: number): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < order.length; i++) {
    const v = order[i];
    if (!Number.isInteger(v) || v < 0 || v >= n) return false;
    seen.add(v);
  }
  return order.length === n && seen.size === n;
}

/** How many runs of equal true labels the order makes, per label. */
function runsPerLabel(order: ArrayLike<number>, truth: number[]): Map<number, number> {
  const runs = new Map<number, number>();
  for (let p = 0; p < order.length; p++) {
    const t = truth[order[p]];
    if (p === 0 || truth[order[p - 1]] !== t) runs.set(t, (runs.get(t) ?? 0) + 1);
  }
  return runs;
}

describe('embeddings: clustered order (spherical k-means)', function () {
  this.timeout(60_000);
  let x: Float32Array;
  let truth: number[];
  const d = 16;

  before(() => {
    const r = pythonJson<{ x: number[]; truth: number[] }>(`
import json, numpy as np
rng = np.random.default_rng(14)
d = 16
q, _ = np.linalg.qr(rng.standard_normal((d, d)))
dirs = q[:4]                     # four orthonormal directions
sizes = [60, 45, 30, 25]
xs, ts = [], []
for c, m in enumerate(sizes):
    pts = dirs[c] + 0.15 * rng.standard_normal((m, d))
    pts *= rng.uniform(0.3, 4.0, (m, 1))      # norms vary; cosine ignores them
    xs.append(pts); ts += [c] * m
x = np.concatenate(xs).astype(np.float32)
t = np.array(ts)
p = rng.permutation(len(t))
print(json.dumps({"x": x[p].ravel().tolist(), "truth": t[p].tolist()}))
`);
    x = Float32Array.from(r.x);
    truth = r.truth;
  });

  it('keeps each true cluster contiguous, deterministically', () => {
    const n = truth.length;
    const a = clusterOrder(x, n, d);
    assert.ok(isPermutation(a.order, n));
    assert.equal(a.k, clusterCount(n)); // 9 clusters for 160 rows: true clusters are split
    assert.equal(a.setAside, 0);
    assert.equal(
      a.sizes.reduce((s, v) => s + v, 0),
      n,
    );
    for (const [label, runs] of runsPerLabel(a.order, truth))
      assert.equal(runs, 1, `true cluster ${label} is split into ${runs} runs`);
    // every k-means cluster lies inside one true cluster
    for (let c = 0; c < a.k; c++) {
      const t = new Set(truth.filter((_, i) => a.labels[i] === c));
      assert.equal(t.size, 1, `cluster ${c} mixes true clusters ${[...t].join(', ')}`);
    }
    // rows inside a cluster: labels in display order are non-decreasing
    for (let p = 1; p < n; p++) assert.ok(a.labels[a.order[p]] >= a.labels[a.order[p - 1]]);
    const b = clusterOrder(x, n, d);
    assert.deepEqual(Array.from(b.order), Array.from(a.order));
    assert.deepEqual(Array.from(b.labels), Array.from(a.labels));
  });

  it('finds the four clusters exactly when k = 4', () => {
    const n = truth.length;
    const a = clusterOrder(x, n, d, { k: 4 });
    assert.equal(a.k, 4);
    assert.deepEqual(
      [...a.sizes].sort((p, q) => q - p),
      [60, 45, 30, 25],
    );
    assert.equal(a.sizes[0], 60, 'the chain starts at the largest cluster');
    for (const [, runs] of runsPerLabel(a.order, truth)) assert.equal(runs, 1);
  });

  it('puts zero and NaN rows last, in their original order', () => {
    const n0 = truth.length;
    const n = n0 + 3;
    const y = new Float32Array(n * d);
    y.set(x.subarray(0, 10 * d), 0); // rows 0..9
    // row 10: zeros; row 11: NaN
    y[11 * d + 3] = NaN;
    y.set(x.subarray(10 * d), 12 * d); // rows 12..n0+1
    // last row: Inf
    y[(n - 1) * d] = Infinity;
    const a = clusterOrder(y, n, d);
    assert.ok(isPermutation(a.order, n));
    assert.equal(a.setAside, 3);
    assert.deepEqual(Array.from(a.order.slice(n - 3)), [10, 11, n - 1]);
    assert.equal(a.labels[10], -1);
    assert.equal(a.labels[11], -1);
    assert.equal(a.labels[n - 1], -1);
  });

  it('handles one row, two rows, identical rows and all-zero input', () => {
    const one = clusterOrder(Float32Array.from([1, 2, 3]), 1, 3);
    assert.deepEqual(Array.from(one.order), [0]);
    assert.equal(one.k, 1);
    const two = clusterOrder(Float32Array.from([1, 0, 0, 1]), 2, 2);
    assert.ok(isPermutation(two.order, 2));
    assert.equal(two.k, 1); // ⌈√(2/2)⌉ = 1
    const same = new Float32Array(50 * 4);
    for (let i = 0; i < 50; i++) same.set([1, -2, 0.5, 3], i * 4);
    const s = clusterOrder(same, 50, 4);
    assert.ok(isPermutation(s.order, 50));
    assert.equal(s.k, 1, 'identical rows make one cluster');
    assert.deepEqual(
      Array.from(s.order),
      Array.from({ length: 50 }, (_, i) => i),
    );
    const zeros = clusterOrder(new Float32Array(12), 4, 3);
    assert.deepEqual(Array.from(zeros.order), [0, 1, 2, 3]);
    assert.equal(zeros.k, 0);
    assert.deepEqual(Array.from(clusterOrder(new Float32Array(0), 0, 5).order), []);
  });
});
