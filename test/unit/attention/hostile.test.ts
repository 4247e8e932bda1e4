/**
 * Issue 12 items 6 and 8: attention whose scores leave float64's range (Q = K = 1e200) gets the
 * right weights (against mpmath with an unbounded exponent), a head size of 0 is refused, and
 * the CLI without --out streams (no T×S weights) with the entropies PyTorch gives.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { pythonJson, tempDir } from '../../helpers/python';
import { LensError } from '../../../src/core/errors';
import { attention } from '../../../src/core/attention/attention';
import { scaleBy } from '../../../src/core/linalg/scaling';

const CLI = resolve(process.env.MATRIX_LENS_CLI ?? 'dist/cli.js');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('attention on hostile magnitudes and shapes', function () {
  this.timeout(120_000);
  const dir = tempDir('ml-attn-hostile-');
  let ref: { w: number[][]; entropy: number[] };

  before(() => {
    ref = pythonJson(
      `
import json, sys, os, numpy as np, torch, mpmath
d = sys.argv[1]
# magnitudes 2^665 ≈ 1e200 times small integers: scores are exact, so the true softmax is known
S = 2.0 ** 665
q = np.array([[1, 2], [1, -1], [3, 1]]) * S
k = np.array([[1, 2], [1, -1], [3, 1], [-2, 0.5]]) * S
np.save(os.path.join(d, 'q.npy'), q); np.save(os.path.join(d, 'k.npy'), k)
np.save(os.path.join(d, 'full.npy'), np.full((3, 4), 1e200))
np.save(os.path.join(d, 'q0.npy'), np.zeros((4, 0)))
mpmath.mp.dps = 30
w = []
for qi in q:
    s = [sum(mpmath.mpf(float(a)) * mpmath.mpf(float(b)) for a, b in zip(qi, kj)) / mpmath.sqrt(2) for kj in k]
    m = max(s); e = [mpmath.exp(x - m) for x in s]; z = sum(e)
    w.append([float(x / z) for x in e])
rng = np.random.default_rng(4)
qs = rng.standard_normal((300, 8)).astype(np.float32); ks = rng.standard_normal((500, 8)).astype(np.float32)
np.save(os.path.join(d, 'qs.npy'), qs); np.save(os.path.join(d, 'ks.npy'), ks)
p = torch.softmax(torch.from_numpy(qs).double() @ torch.from_numpy(ks).double().T / np.sqrt(8), dim=-1)
ent = -(p * torch.log(p.clamp_min(1e-300))).sum(-1)
print(json.dumps(dict(w=w, entropy=ent.tolist())))
`,
      [dir],
    );
  });

  it('Q = K = 1e200 (scores ~1e400) gives the exact softmax, not NaN, in the engine and the CLI', () => {
    const S = 2 ** 665;
    const q = [1, 2, 1, -1, 3, 1].map((x) => x * S);
    const k = [...q, -2 * S, 0.5 * S];
    const r = attention({ shape: [3, 2], data: q }, { shape: [4, 2], data: k }, undefined);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 4; j++)
        assert.ok(Math.abs(r.weights![i * 4 + j] - ref.w[i][j]) <= 1e-15, `w[${i}][${j}]`);
    const out = join(dir, 'w.npy');
    const c = cli(
      'attention',
      '--q',
      join(dir, 'q.npy'),
      '--k',
      join(dir, 'k.npy'),
      '--out',
      out,
      '--json',
    );
    assert.equal(c.status, 0, c.stderr);
    const got = pythonJson<number[][]>(
      `import sys, json, numpy as np; print(json.dumps(np.load(sys.argv[1])[0].tolist()))`,
      [out],
    );
    assert.deepEqual(got, ref.w);
    // the case: Q = K = np.full(…, 1e200): every score is the same, weights uniform
    const u = join(dir, 'wu.npy');
    const f = join(dir, 'full.npy');
    assert.equal(cli('attention', '--q', f, '--k', f, '--out', u).status, 0);
    const wu = pythonJson<number[][]>(
      `import sys, json, numpy as np; print(json.dumps(np.load(sys.argv[1])[0].tolist()))`,
      [u],
    );
    assert.deepEqual(
      wu,
      Array.from({ length: 3 }, () => [1 / 3, 1 / 3, 1 / 3]),
    );
    // streaming (no weights) gives the same entropies
    const s = attention({ shape: [3, 2], data: q }, { shape: [4, 2], data: k }, undefined, {
      weights: false,
    });
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(s.entropy[i] - r.entropy[i]) < 1e-12);
  });

  it('head size 0 is refused with one line (2-D and 3-D, engine and CLI)', () => {
    for (const shape of [
      [4, 0],
      [2, 4, 0],
    ])
      assert.throws(
        () => attention({ shape, data: [] }, { shape, data: [] }, undefined),
        (e: unknown) => e instanceof LensError && /head size is 0/.test(e.message),
      );
    const c = cli('attention', '--q', join(dir, 'q0.npy'), '--k', join(dir, 'q0.npy'));
    assert.equal(c.status, 2);
    assert.match(c.stderr, /^matrix-lens: .*head size is 0.*\n$/);
  });

  it('CLI without --out streams: no weights, entropies equal PyTorch', () => {
    const c = cli('attention', '--q', join(dir, 'qs.npy'), '--k', join(dir, 'ks.npy'), '--json');
    assert.equal(c.status, 0, c.stderr);
    const j = JSON.parse(c.stdout) as {
      weightsFile: null;
      rowSumMaxDeviation: null;
      entropy: number[][];
    };
    assert.equal(j.weightsFile, null);
    assert.equal(j.rowSumMaxDeviation, null);
    j.entropy[0].forEach((e, i) => assert.ok(Math.abs(e - ref.entropy[i]) < 1e-4, `entropy ${i}`));
  });

  it('property: weights of (Q·2^a, K·2^b) are the softmax of the exact integer scores for any magnitudes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: -600, max: 600 }),
        fc.integer({ min: -600, max: 600 }),
        fc.boolean(),
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 27, maxLength: 27 }),
        (T, S, d, a, b, stream, ints) => {
          const qi = ints.slice(0, T * d);
          const ki = ints.slice(12, 12 + S * d);
          const r = attention(
            { shape: [T, d], data: qi.map((x) => scaleBy(x, a)) },
            { shape: [S, d], data: ki.map((x) => scaleBy(x, b)) },
            undefined,
            { weights: !stream },
          );
          for (let i = 0; i < T; i++) {
            // reference: exact integer scores, differences scaled by 2^(a+b)/√d
            const x = Array.from({ length: S }, (_, j) => {
              let s = 0;
              for (let c = 0; c < d; c++) s += qi[i * d + c] * ki[j * d + c];
              return s;
            });
            const mx = Math.max(...x);
            const e = x.map((v) => Math.exp(scaleBy(v - mx, a + b) / Math.sqrt(d)));
            const z = e.reduce((p, v) => p + v, 0);
            const w = e.map((v) => v / z);
            let ent = 0;
            for (const p of w) if (p > 0) ent -= p * Math.log(p);
            assert.ok(Math.abs(r.entropy[i] - ent) < 1e-9, `entropy row ${i}`);
            if (!stream)
              for (let j = 0; j < S; j++)
                assert.ok(Math.abs(r.weights![i * S + j] - w[j]) < 1e-12, `w[${i}][${j}]`);
          }
        },
      ),
      { numRuns: 400, seed: 6 },
    );
  });
});
