import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { colormapLut, lutIndex } from '../../../src/core/color/colormaps';
import { readNpy } from '../../../src/core/formats/npy';
import { colorRange } from '../../../src/core/view/range';
import { extractSlice, defaultSlice } from '../../../src/core/view/slice2d';
import { niceTicks } from '../../../src/core/view/ticks';
import { narrowScaled, rangeScale, unitMap } from '../../../src/core/view/valueScale';
import { pythonJson, tempDir } from '../../helpers/python';

/** The LUT index the renderers give v: t = (v·pre)·scale − offset (valueScale.ts). */
function lutIndexOf(v: number, lo: number, hi: number): number {
  const pre = rangeScale(lo, hi);
  const m = unitMap(lo * pre, hi * pre)!;
  const t = v * pre * m.scale - m.offset;
  return t <= 0 ? 0 : t >= 1 ? 255 : Math.round(t * 255);
}

/**
 * Finite float64 values that float32 cannot hold (issue 12 item 7): `np.arange(1, 10) * 1e200`
 * was drawn all +Inf with a 0–1 colorbar because the slice was narrowed to float32 first.
 */
describe('float64 values beyond float32 in the heatmap slice (src/core/view) vs NumPy', () => {
  const dir = tempDir('ml-wide-');
  const ref = pythonJson<Record<string, { values: number[]; repr: string[]; means?: number[] }>>(
    `
import numpy as np, json, sys
out = {}
for name, a in [('huge', np.arange(1, 10).reshape(3, 3) * 1e200),
                ('tiny', np.arange(1, 10).reshape(3, 3) * 1e-300),
                ('subnormal', np.arange(1, 10).reshape(3, 3) * 5e-324),
                ('mixed', np.array([[-1.7e308, 0.0, 1.7e308], [np.nan, np.inf, 1e-320]])),
                ('normal', np.arange(1, 10).reshape(3, 3) * 0.5),
                ('hugepool', np.array([[1.5e308, 1.7e308, -1e308, 2.0], [1.6e308, 1.7e308, -1e308, -2.0]]))]:
    np.save(sys.argv[1] + '/' + name + '.npy', a)
    out[name] = dict(values=[float(x) for x in a.ravel()], repr=[repr(float(x)) for x in a.ravel()])
# 2×2 means without overflow (NumPy's own mean overflows here): the mean of quarters
q = np.array([[1.5e308, 1.7e308, -1e308, 2.0], [1.6e308, 1.7e308, -1e308, -2.0]]) / 4
out['hugepool']['means'] = [float(q[:, 0:2].sum()), float(q[:, 2:4].sum())]
print(json.dumps(out).replace('NaN', 'null').replace('Infinity', '1e999'))
`,
    [dir],
  );
  const slice = (name: string) => {
    const raw = readNpy(readFileSync(join(dir, `${name}.npy`)));
    return extractSlice(raw, defaultSlice(raw.shape), 1 << 20);
  };

  for (const name of ['huge', 'tiny', 'subnormal'] as const) {
    it(`${name}: the slice holds NumPy's exact values and maps them to a gradient`, () => {
      const s = slice(name);
      assert.ok(s.values instanceof Float64Array, 'kept as float64');
      assert.deepEqual([...s.values], ref[name].values);
      const r = colorRange(s.values, 'minmax')!;
      assert.deepEqual([r.lo, r.hi], [ref[name].values[0], ref[name].values[8]]);
      const idx = [...s.values].map((v) => lutIndexOf(v, r.lo, r.hi));
      // 1…9 evenly spaced: a LUT index each (none +Inf, none the same), as float64 maths gives
      const want = ref[name].values.map((v) => lutIndex(v, r.lo, r.hi));
      // (a value exactly between two colours may round either way)
      assert.ok(
        idx.every((k, i) => Math.abs(k - want[i]) <= 1),
        `${idx} vs ${want}`,
      );
      assert.equal(new Set(idx).size, 9);
      assert.deepEqual([idx[0], idx[8]], [0, 255]);
      // what the GPU gets: values and range scaled into float32 by the same power of two
      const scale = rangeScale(r.lo, r.hi);
      const f32 = narrowScaled(s.values, scale);
      const m = unitMap(Math.fround(r.lo * scale), Math.fround(r.hi * scale))!;
      const gpu = [...f32].map((v) =>
        Math.round(Math.min(1, Math.max(0, v * m.scale - m.offset)) * 255),
      );
      assert.ok(
        gpu.every((k, i) => Math.abs(k - idx[i]) <= 1),
        `${gpu} vs ${idx}`,
      );
    });
  }

  it('colorbar ticks of 1e200 … 9e200 are finite values in the range', () => {
    const t = niceTicks(1e200, 9e200, 5);
    assert.ok(t.length >= 3, JSON.stringify(t));
    assert.ok(t.every((x) => x >= 1e200 && x <= 9e200 * (1 + 1e-12)));
  });

  it('a range wider than the float64 maximum still maps and ticks', () => {
    const s = slice('mixed');
    assert.ok(s.values instanceof Float64Array);
    assert.ok(Number.isNaN(s.values[3]));
    assert.equal(s.values[4], Infinity);
    assert.equal(s.values[5], 1e-320);
    const r = colorRange(s.values, 'minmax')!;
    assert.equal(lutIndexOf(-1.7e308, r.lo, r.hi), 0);
    assert.equal(lutIndexOf(0, r.lo, r.hi), 128);
    assert.equal(lutIndexOf(1.7e308, r.lo, r.hi), 255);
    const t = niceTicks(r.lo, r.hi, 4);
    assert.ok(t.length >= 2 && t.every(Number.isFinite), JSON.stringify(t));
    const p = colorRange(s.values, 'percentile')!;
    assert.ok(Number.isFinite(p.lo) && Number.isFinite(p.hi) && p.lo < p.hi, JSON.stringify(p));
    assert.equal(colormapLut('viridis').length, 768);
  });

  it('pooled means of values near the float64 maximum do not overflow', () => {
    const raw = readNpy(readFileSync(join(dir, 'hugepool.npy')));
    const s = extractSlice(raw, defaultSlice(raw.shape), 2);
    assert.deepEqual([s.rows, s.cols, s.rowStep, s.colStep], [1, 2, 2, 2]);
    const want = ref.hugepool.means!;
    s.values.forEach((v, i) =>
      assert.ok(Math.abs(v - want[i]) <= Math.abs(want[i]) * 1e-15, `${v} vs ${want[i]}`),
    );
  });

  it('float64 values float32 can hold still travel as float32 (half the bytes)', () => {
    const s = slice('normal');
    assert.ok(s.values instanceof Float32Array);
    assert.deepEqual([...s.values], ref.normal.values);
  });
});
