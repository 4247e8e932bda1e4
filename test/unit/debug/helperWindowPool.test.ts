import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const PY = '/usr/bin/python3';

/**
 * A zoom into a pooled live value whose window still has more cells than the heatmap draws:
 * the debuggee cuts the window first, then pools it (NumPy and torch paths), and sends only
 * that; without statistics of the whole value (the pooled view already has them).
 */
describe('debug: helper pools a window of a value (zoom wider than the heatmap draws)', () => {
  it('equals block means of NumPy’s slice, for NumPy arrays and torch tensors, 2-D and N-D', () => {
    const out = execFileSync(
      PY,
      [
        '-c',
        `
import json, sys
import numpy as np, torch
h = {}
exec(open(sys.argv[1]).read(), h)
rng = np.random.default_rng(1)
a = rng.standard_normal((3, 700, 500)).astype(np.float32)
bad = []
for kind, obj in (("numpy", a), ("torch", torch.from_numpy(a.copy()))):
    window = [[1, 2], [37, 637], [11, 490]]
    header, got, info = h["_prepare"](obj, kind, "x", window, [100, 60])
    ref = a[1, 37:637, 11:490].astype(np.float64)
    fr, fc = info["pooled"]
    nr, nc = -(-600 // fr), -(-479 // fc)
    want = np.empty((nr, nc))
    for i in range(nr):
        for j in range(nc):
            want[i, j] = ref[i * fr:(i + 1) * fr, j * fc:(j + 1) * fc].mean()
    if got.shape != want.shape:
        bad.append((kind, "shape", got.shape, want.shape))
    elif not np.allclose(got, want.astype(np.float32), rtol=1e-6, atol=1e-6):
        bad.append((kind, "values", float(np.abs(got - want).max())))
    if got.shape[0] > 100 or got.shape[1] > 60:
        bad.append((kind, "over the target", got.shape))
# a zoom window comes without whole-value statistics; a budget-pooled view with them
g = {"big": a}
m = json.loads(h["stage"](g, g, "big", {"window": [[0, 1], [0, 700], [0, 500]], "pool": [50, 50], "name": "w"}))
m2 = json.loads(h["stage"](g, g, "big", {"budget": 1024, "name": "p"}))
h["release"]()
print(json.dumps({"bad": bad, "zoomStats": "stats" in m, "pooledStats": "stats" in m2, "pooled": m.get("pooled")}))
`,
        resolve('src/extension/debug/helper.py'),
      ],
      { encoding: 'utf8' },
    );
    const r = JSON.parse(out) as {
      bad: unknown[];
      zoomStats: boolean;
      pooledStats: boolean;
      pooled: number[];
    };
    assert.deepEqual(r.bad, []);
    assert.equal(r.zoomStats, false);
    assert.equal(r.pooledStats, true);
    assert.deepEqual(r.pooled, [14, 10]);
  });
});
