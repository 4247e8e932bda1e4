import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { delta, NonFiniteTracker, StopHistory } from '../../../src/core/diff/delta';

const PY = '/usr/bin/python3';

describe('debug: Δ between stops (against NumPy)', () => {
  it('matches NumPy for changed cells, max |Δ| and the Δ values, with NaN and Inf', () => {
    const out = execFileSync(
      PY,
      [
        '-c',
        `
import numpy as np, json
rng = np.random.default_rng(11)
b = rng.standard_normal(500)
a = b.copy()
idx = rng.choice(500, 60, replace=False)
a[idx[:50]] += rng.standard_normal(50)
a[idx[50:53]] = np.nan
b[idx[53:55]] = np.nan; a[idx[53:55]] = np.nan
a[idx[55]] = np.inf
enc = lambda x: [None if np.isnan(v) else ('inf' if v == np.inf else ('-inf' if v == -np.inf else float(v))) for v in x]
with np.errstate(all='ignore'):
    d = a - b
both_nan = np.isnan(a) & np.isnan(b)
changed = int(((a != b) & ~both_nan).sum())
fin = np.isfinite(d)
print(json.dumps(dict(a=enc(a), b=enc(b), changed=changed, maxabs=float(np.abs(d[fin]).max()), d=enc(d))))
`,
      ],
      { encoding: 'utf8' },
    );
    const ref = JSON.parse(out) as {
      a: (number | string | null)[];
      b: (number | string | null)[];
      changed: number;
      maxabs: number;
      d: (number | string | null)[];
    };
    const dec = (x: number | string | null): number =>
      x === null ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : (x as number);
    const r = delta(ref.a.map(dec), ref.b.map(dec));
    assert.equal(r.stats.changed, ref.changed);
    assert.equal(r.stats.maxAbs, ref.maxabs);
    assert.deepEqual(r.stats.range, [-ref.maxabs, ref.maxabs]);
    assert.equal(r.stats.newNan, 3);
    assert.equal(r.stats.newInf, 1);
    ref.d.forEach((x, i) => {
      const want = dec(x);
      if (Number.isNaN(want)) assert.ok(Number.isNaN(r.delta[i]), `cell ${i}`);
      else assert.equal(r.delta[i], want, `cell ${i}`);
    });
  });

  it('nothing changed: zero count and a unit range', () => {
    const r = delta([1, NaN, 3], [1, NaN, 3]);
    assert.equal(r.stats.changed, 0);
    assert.deepEqual(r.stats.range, [-1, 1]);
    assert.throws(() => delta([1, 2], [1]), /shape changed/);
  });

  it('remembers the first stop with NaN/Inf and keeps the last N stops', () => {
    const t = new NonFiniteTracker();
    t.observe(1, 10, { nan: 0, posinf: 0, neginf: 0 });
    assert.equal(t.describe(), 'no NaN or Inf so far');
    t.observe(7, 42, { nan: 2, posinf: 0, neginf: 0 });
    t.observe(8, 42, { nan: 5, posinf: 1, neginf: 0 });
    assert.equal(
      t.describe(),
      'NaN first seen at stop 7, line 42; Inf first seen at stop 8, line 42',
    );
    const h = new StopHistory<number>(3);
    for (let i = 1; i <= 5; i++) h.push(i);
    assert.deepEqual(h.all(), [3, 4, 5]);
    assert.equal(h.at(-1), 5);
  });
});
