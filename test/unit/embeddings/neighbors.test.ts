/**
 * Embeddings: cosine similarity and top-k neighbours against scikit-learn's definition
 * (cosine_similarity: X·qᵀ/(‖x‖‖q‖), zero rows → 0) computed with NumPy, through the core
 * and `matrix-lens neighbors`; rows with NaN are left out and named.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openArrayFile } from '../../../src/core/formats/open';
import { MemorySource } from '../../../src/core/io/source';
import { vectorsOf } from '../../../src/core/embeddings/vectors';
import { rowOf, topNeighbors } from '../../../src/core/embeddings/neighbors';
import { buildCli, runCli } from '../../helpers/cli';
import { pythonJson, tempDir } from '../../helpers/python';

interface Nb {
  row: number;
  cosine: number;
  dot: number;
}

describe('embeddings: neighbours by cosine and dot', function () {
  this.timeout(120_000);
  const dir = tempDir('matrix-lens-emb-');
  let cli: string;
  let ref: { row7: Nb[]; query: Nb[]; queryDot: Nb[]; zero: number[]; nan: number[] };

  before(() => {
    cli = buildCli(dir);
    ref = pythonJson(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(21)
x = rng.standard_normal((500, 32)).astype(np.float32)
x[40] = 0; x[41, 3] = np.nan
np.save(os.path.join(d, 'emb.npy'), x)
q = rng.standard_normal(32).astype(np.float32); np.save(os.path.join(d, 'q.npy'), q)
X = x.astype(np.float64)
def top(qv, k, exclude=None, by='cosine'):
    qv = qv.astype(np.float64)
    n = np.linalg.norm(X, axis=1); dot = X @ qv
    den = n * np.linalg.norm(qv)
    cos = np.where(den > 0, dot / np.where(den > 0, den, 1), 0.0)  # sklearn: zero rows give 0
    ok = np.isfinite(n)
    if exclude is not None: ok[exclude] = False
    score = cos if by == 'cosine' else dot
    idx = [i for i in np.argsort(-np.where(ok, score, -np.inf), kind='stable')[:k]]
    return [dict(row=int(i), cosine=float(cos[i]), dot=float(dot[i])) for i in idx]
print(json.dumps(dict(row7=top(X[7], 10, exclude=7), query=top(q, 5), queryDot=top(q, 5, by='dot'), zero=[40], nan=[41])))
`,
      [dir],
    );
  });

  const same = (got: Nb[], want: Nb[]) => {
    assert.deepEqual(
      got.map((n) => n.row),
      want.map((n) => n.row),
    );
    got.forEach((n, i) => {
      assert.ok(Math.abs(n.cosine - want[i].cosine) < 1e-12, `cos ${n.row}`);
      assert.ok(
        Math.abs(n.dot - want[i].dot) < 1e-10 * Math.max(1, Math.abs(want[i].dot)),
        `dot ${n.row}`,
      );
    });
  };

  it('top-k by cosine of a row (itself left out) matches NumPy; zero and NaN rows named', async () => {
    const path = join(dir, 'emb.npy');
    const f = await openArrayFile(path, new MemorySource(new Uint8Array(readFileSync(path))));
    const v = vectorsOf(await f.entries[0].load());
    assert.deepEqual(v.zeroRows, ref.zero);
    assert.deepEqual(v.nonFiniteRows, ref.nan);
    same(topNeighbors(v, rowOf(v, 7), { k: 10, exclude: 7 }), ref.row7);
  });

  it('matrix-lens neighbors --row / --query (cosine and dot) prints best first', () => {
    let r = runCli(cli, 'neighbors', join(dir, 'emb.npy'), '--row', '7', '--json');
    assert.equal(r.status, 0, r.stderr);
    let j = JSON.parse(r.stdout);
    same(j.neighbors, ref.row7);
    assert.deepEqual(j.skippedRows, [41]);
    r = runCli(
      cli,
      'neighbors',
      join(dir, 'emb.npy'),
      '--query',
      join(dir, 'q.npy'),
      '--k',
      '5',
      '--json',
    );
    assert.equal(r.status, 0, r.stderr);
    same(JSON.parse(r.stdout).neighbors, ref.query);
    r = runCli(
      cli,
      'neighbors',
      join(dir, 'emb.npy'),
      '--query',
      join(dir, 'q.npy'),
      '--k',
      '5',
      '--by',
      'dot',
      '--json',
    );
    j = JSON.parse(r.stdout);
    same(j.neighbors, ref.queryDot);
    r = runCli(cli, 'neighbors', join(dir, 'emb.npy'), '--row', '41');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /row 41 holds NaN or Inf values/);
    r = runCli(cli, 'neighbors', join(dir, 'emb.npy'), '--query', join(dir, 'emb.npy'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /the query must be one vector of length 32, got shape \[500, 32\]/);
  });
});
