/**
 * `matrix-lens analyze` and `matrix-lens attention` end to end: the CLI bundle (env
 * MATRIX_LENS_CLI, else built here with esbuild from src/cli/cli.ts) run as a child process
 * on .npy files written by NumPy; results compared with NumPy (σ: |Δ| ≤ 8·n·eps·σ_max,
 * rank exact, attention weights |Δ| ≤ 1e-6 for float32 inputs).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildCli } from '../../helpers/cli';
import { pythonJson, tempDir } from '../../helpers/python';

const EPS = 2 ** -52;

describe('CLI: analyze and attention', function () {
  this.timeout(60_000);
  const dir = tempDir('matrix-lens-cli-');
  let cli = process.env.MATRIX_LENS_CLI ?? '';
  let ref: {
    sv: number[];
    rank: number;
    eig: [number, number][];
    sv3: number[];
    symEig: number[];
    symSv: number[];
  };

  before(() => {
    cli ||= buildCli(dir);
    ref = pythonJson(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(3)
a = rng.standard_normal((6, 4)) @ rng.standard_normal((4, 6))
np.save(os.path.join(d, 'a.npy'), a)
np.save(os.path.join(d, 't3.npy'), rng.standard_normal((2, 3, 5)).astype(np.float32))
np.save(os.path.join(d, 'v1.npy'), np.arange(5.0))
np.save(os.path.join(d, 'c.npy'), np.ones((2, 2), dtype=np.complex128))
T, E, H = 6, 8, 2
q = rng.standard_normal((T, E)).astype(np.float32); k = rng.standard_normal((T, E)).astype(np.float32)
np.save(os.path.join(d, 'q.npy'), q); np.save(os.path.join(d, 'k.npy'), k)
t3 = np.load(os.path.join(d, 't3.npy')).astype(np.float64)
b = rng.standard_normal((37, 37)); s = b + b.T
np.save(os.path.join(d, 's.npy'), s)
np.save(os.path.join(d, 'r.npy'), rng.standard_normal((7, 5)))
print(json.dumps(dict(sv=np.linalg.svd(a, compute_uv=False).tolist(), rank=int(np.linalg.matrix_rank(a)),
  eig=[[float(x.real), float(x.imag)] for x in np.linalg.eigvals(a)], sv3=np.linalg.svd(t3[0], compute_uv=False).tolist(),
  symEig=np.linalg.eigvalsh(s).tolist(), symSv=np.linalg.svd(s, compute_uv=False).tolist())))
`,
      [dir],
    );
  });

  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

  it('analyze --json: rank, singular values, eigenvalues match NumPy', () => {
    const r = run('analyze', join(dir, 'a.npy'), '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const a = j.arrays[0];
    assert.deepEqual(a.shape, [6, 6]);
    assert.equal(a.dtype, 'float64');
    assert.equal(a.rank, ref.rank);
    assert.equal(a.rank, 4);
    for (let i = 0; i < 6; i++)
      assert.ok(Math.abs(a.singularValues[i] - ref.sv[i]) <= 8 * 6 * EPS * ref.sv[0]);
    assert.equal(a.eigenvalues.length, 6);
    for (const key of ['fro', 'nuc', 'spectral', 'one', 'inf'])
      assert.equal(typeof a.norms[key], 'number');
    assert.ok(a.cond === null || a.cond > 1e14); // numerically singular: huge or infinite (null in JSON)
  });

  it('analyze --ops limits the output; N-D arrays use the first 2-D slice and say so', () => {
    const r = run('analyze', join(dir, 't3.npy'), '--json', '--ops', 'rank,svd');
    assert.equal(r.status, 0, r.stderr);
    const a = JSON.parse(r.stdout).arrays[0];
    assert.match(a.note, /first 2-D slice \[0, :, :\]/);
    assert.equal(a.eigenvalues, undefined);
    assert.equal(a.norms, undefined);
    for (let i = 0; i < 3; i++)
      assert.ok(Math.abs(a.singularValues[i] - ref.sv3[i]) <= 8 * 5 * EPS * ref.sv3[0] + 1e-6);
    const text = run('analyze', join(dir, 'a.npy'));
    assert.equal(text.status, 0);
    assert.match(text.stdout, /rank 4/);
  });

  it('analyze --ops eig computes only the eigenvalues (symmetric path), --ops svd only σ', () => {
    const e = run('analyze', join(dir, 's.npy'), '--json', '--ops', 'eig');
    assert.equal(e.status, 0, e.stderr);
    const a = JSON.parse(e.stdout).arrays[0];
    assert.deepEqual(Object.keys(a).sort(), [
      'dtype',
      'eigenvalues',
      'name',
      'shape',
      'spectralRadius',
      'symmetric',
    ]);
    assert.equal(a.symmetric, true);
    // by descending |λ|; the symmetric path gives exactly real eigenvalues
    const want = [...ref.symEig].sort((x, y) => Math.abs(y) - Math.abs(x));
    const lmax = Math.abs(want[0]);
    assert.equal(a.eigenvalues.length, 37);
    a.eigenvalues.forEach(([re, im]: [number, number], i: number) => {
      assert.equal(im, 0);
      assert.ok(Math.abs(re - want[i]) <= 8 * 37 * EPS * lmax, `λ${i} ${re} vs ${want[i]}`);
    });
    assert.equal(a.spectralRadius, Math.abs(a.eigenvalues[0][0]));
    const s = run('analyze', join(dir, 's.npy'), '--json', '--ops', 'svd');
    assert.equal(s.status, 0, s.stderr);
    const b = JSON.parse(s.stdout).arrays[0];
    assert.deepEqual(Object.keys(b).sort(), ['cond', 'dtype', 'name', 'shape', 'singularValues']);
    for (let i = 0; i < 37; i++)
      assert.ok(Math.abs(b.singularValues[i] - ref.symSv[i]) <= 8 * 37 * EPS * ref.symSv[0]);
    const text = run('analyze', join(dir, 's.npy'), '--ops', 'eig');
    assert.equal(text.status, 0, text.stderr);
    assert.match(
      text.stdout,
      /eigenvalues \(37, by \|λ\|\).*\n {2}spectral radius .* \(symmetric\)/,
    );
    assert.doesNotMatch(text.stdout, /singular|rank|norms/);
  });

  it('bad input exits 2 with one line on stderr', () => {
    for (const args of [
      ['analyze', join(dir, 'v1.npy')],
      ['analyze', join(dir, 'c.npy')],
      ['analyze', join(dir, 'missing.npy')],
      ['analyze', join(dir, 'a.npy'), '--ops', 'bogus'],
      ['analyze', join(dir, 'r.npy'), '--ops', 'eig'],
      ['attention', '--q', join(dir, 'q.npy')],
      ['attention', '--q', join(dir, 'q.npy'), '--k', join(dir, 'k.npy'), '--heads', '3'],
    ]) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^matrix-lens: /);
    }
    assert.match(run('analyze', join(dir, 'v1.npy')).stderr, /2-D/);
    assert.match(run('analyze', join(dir, 'c.npy')).stderr, /complex128/);
    assert.match(run('analyze', join(dir, 'r.npy'), '--ops', 'eig').stderr, /square.*\[7, 5\]/);
  });

  it('attention --causal --out W.npy writes [H, T, S] weights equal to NumPy softmax', () => {
    const w = join(dir, 'w.npy');
    const r = run(
      'attention',
      '--q',
      join(dir, 'q.npy'),
      '--k',
      join(dir, 'k.npy'),
      '--heads',
      '2',
      '--causal',
      '--out',
      w,
      '--json',
    );
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.weightsShape, [2, 6, 6]);
    assert.ok(j.rowSumMaxDeviation <= 1e-12);
    const diff = pythonJson<{ maxdiff: number; dtype: string; shape: number[] }>(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
q = np.load(os.path.join(d, 'q.npy')).astype(np.float64); k = np.load(os.path.join(d, 'k.npy')).astype(np.float64)
W = np.load(os.path.join(d, 'w.npy'))
T, E = q.shape; H = 2; dh = E // H
ref = np.zeros((H, T, T))
for h in range(H):
    s = q[:, h*dh:(h+1)*dh] @ k[:, h*dh:(h+1)*dh].T / np.sqrt(dh)
    s[np.triu(np.ones((T, T), bool), 1)] = -np.inf
    s = np.exp(s - s.max(1, keepdims=True)); ref[h] = s / s.sum(1, keepdims=True)
print(json.dumps(dict(maxdiff=float(np.abs(W - ref).max()), dtype=str(W.dtype), shape=list(W.shape))))
`,
      [dir],
    );
    assert.equal(diff.dtype, 'float32');
    assert.deepEqual(diff.shape, [2, 6, 6]);
    assert.ok(diff.maxdiff <= 1e-6, `max |ΔW| ${diff.maxdiff}`);
  });
});
