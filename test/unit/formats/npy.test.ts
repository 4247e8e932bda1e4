import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../../../src/core/formats/npy';
import { toFloat64C } from '../../../src/core/array/decode';
import { computeStats } from '../../../src/core/stats/summary';
import { LensError } from '../../../src/core/errors';
import { pythonJson, tempDir } from '../../helpers/python';

describe('npy reader (files written by NumPy)', function () {
  this.timeout(60_000);
  const dir = tempDir();
  type Ref = {
    name: string;
    dtype: string;
    shape: number[];
    fortran: boolean;
    values: (number | null)[];
    stats: Record<string, number | null>;
  };
  let refs: Ref[];

  before(() => {
    refs = pythonJson<Ref[]>(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(7)
cases = {
  'f64': rng.standard_normal((5, 7)),
  'f32': rng.standard_normal((6, 3)).astype(np.float32),
  'i64': rng.integers(-2**40, 2**40, size=(4, 4)),
  'u8': rng.integers(0, 256, size=(3, 9)).astype(np.uint8),
  'bool': rng.random((4, 5)) > 0.5,
  'f64_fortran': np.asfortranarray(rng.standard_normal((3, 4, 5))),
  'f32_fortran': np.asfortranarray(rng.standard_normal((8, 2)).astype(np.float32)),
  'scalar': np.array(3.5),
  'empty': np.zeros((0, 3)),
  'nonfinite': np.array([[1.0, np.nan, np.inf], [-np.inf, 0.0, -2.5]]),
  'f64_be': rng.standard_normal((2, 3)).astype('>f8'),
}
out = []
for name, a in cases.items():
    np.save(os.path.join(d, name + '.npy'), a)
    f = a.astype(np.float64)
    fin = f[np.isfinite(f)]
    out.append(dict(name=name, dtype=str(a.dtype.newbyteorder('=')), shape=list(a.shape), fortran=bool(a.flags.f_contiguous and not a.flags.c_contiguous),
      values=[None if not np.isfinite(v) else float(v) for v in f.ravel(order='C')],
      stats=dict(min=float(fin.min()) if fin.size else None, max=float(fin.max()) if fin.size else None,
        mean=float(fin.mean()) if fin.size else None, std=float(fin.std()) if fin.size else None,
        nan=int(np.isnan(f).sum()), posinf=int(np.isposinf(f).sum()), neginf=int(np.isneginf(f).sum()), zeros=int((f == 0).sum()))))
print(json.dumps(out))
`,
      [dir],
    );
  });

  it('reads dtype, shape, order and every value as NumPy wrote them', () => {
    assert.ok(refs.length >= 10);
    for (const r of refs) {
      const a = readNpy(readFileSync(join(dir, `${r.name}.npy`)));
      assert.equal(a.dtype, r.dtype, r.name);
      assert.deepEqual(a.shape, r.shape, r.name);
      assert.equal(a.fortranOrder, r.fortran, r.name);
      const v = Array.from(toFloat64C(a), (x) => (Number.isFinite(x) ? x : null));
      assert.deepEqual(v, r.values, r.name);
    }
  });

  it('computes the same statistics as NumPy (finite values, population σ)', () => {
    for (const r of refs) {
      const s = computeStats(readNpy(readFileSync(join(dir, `${r.name}.npy`))));
      for (const k of ['nan', 'posinf', 'neginf', 'zeros'] as const)
        assert.equal(s[k], r.stats[k], `${r.name}.${k}`);
      for (const k of ['min', 'max', 'mean', 'std'] as const) {
        const want = r.stats[k];
        if (want === null) assert.equal(s[k], null, `${r.name}.${k}`);
        else
          assert.ok(
            Math.abs((s[k] as number) - want) <= 1e-12 * Math.max(1, Math.abs(want)),
            `${r.name}.${k}: ${s[k]} vs ${want}`,
          );
      }
    }
  });

  it('refuses truncated files, object arrays and structured dtypes with clear messages', () => {
    const good = readFileSync(join(dir, 'f64.npy'));
    assert.throws(
      () => readNpy(good.subarray(0, good.length - 8)),
      (e: unknown) => e instanceof LensError && /truncated/.test(e.message),
    );
    assert.throws(
      () => readNpy(good.subarray(0, 20)),
      (e: unknown) => e instanceof LensError && /truncated/.test(e.message),
    );
    assert.throws(
      () => readNpy(new Uint8Array([1, 2, 3])),
      (e: unknown) => e instanceof LensError && /not a \.npy/.test(e.message),
    );
    const header = (h: string) => {
      const text = h.padEnd(118) + '\n';
      const b = new Uint8Array(10 + text.length);
      b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
      for (let i = 0; i < text.length; i++) b[10 + i] = text.charCodeAt(i);
      return b;
    };
    assert.throws(
      () => readNpy(header("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }")),
      /pickle/,
    );
    assert.throws(
      () =>
        readNpy(
          header(
            "{'descr': [('x', '<f4'), ('y', '<i4')], 'fortran_order': False, 'shape': (2,), }",
          ),
        ),
      /'x', 'y'/,
    );
    assert.throws(
      () =>
        readNpy(
          header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), '__import__': os.system('x')}",
          ),
        ),
      LensError,
    );
  });
});
