import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { colorRange, finiteQuantiles } from '../../../src/core/view/range';
import { pythonJson, tempDir } from '../../helpers/python';

/** The heatmap's range modes against NumPy (np.percentile over the finite values). */
describe('heatmap colour range (src/core/view/range.ts) vs NumPy', () => {
  for (const [label, expr] of [
    ['normal with NaN/±Inf', 'rng.standard_normal(200_001).astype(np.float32)'],
    ['many ties (integers)', 'rng.integers(-5, 6, size=50_000).astype(np.float32)'],
    ['heavy tail', '(rng.standard_cauchy(30_000)).astype(np.float32)'],
    ['tiny', 'np.array([3.0, -1.0, 2.0], dtype=np.float32)'],
  ] as const) {
    it(`percentiles 1/50/99 equal np.percentile: ${label}`, () => {
      const dir = tempDir('ml-range-');
      const file = join(dir, 'v.f32');
      const ref = pythonJson<{ q: number[]; min: number; max: number }>(
        `
import numpy as np, json, sys
rng = np.random.default_rng(4)
a = ${expr}
if a.size > 100: a[::997] = np.nan; a[5] = np.inf; a[6] = -np.inf
a.tofile(sys.argv[1])
f = a[np.isfinite(a)].astype(np.float64)
print(json.dumps(dict(q=[float(x) for x in np.percentile(f, [1, 50, 99])], min=float(f.min()), max=float(f.max()))))
`,
        [file],
      );
      const buf = readFileSync(file);
      const v = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      const q = finiteQuantiles(v, [0.01, 0.5, 0.99])!;
      q.forEach((x, i) =>
        assert.ok(
          Math.abs(x - ref.q[i]) <= 1e-9 * Math.max(1, Math.abs(ref.q[i])),
          `q${i}: ${x} vs NumPy ${ref.q[i]}`,
        ),
      );
      assert.deepEqual(colorRange(v, 'minmax'), { lo: ref.min, hi: ref.max });
      const m = Math.max(Math.abs(ref.min), Math.abs(ref.max));
      assert.deepEqual(colorRange(v, 'symmetric'), { lo: -m, hi: m });
      // a diverging colormap is centred at 0 whatever the mode
      const p = colorRange(v, 'percentile', true)!;
      assert.equal(p.lo, -p.hi);
      writeFileSync(file, '');
    });
  }
  it('has no range without finite values', () => {
    assert.equal(colorRange(new Float32Array([NaN, Infinity]), 'percentile'), null);
  });
});
