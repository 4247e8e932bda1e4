/**
 * The worker's embeddings/compare channel without VS Code: vectors opened from .npy bytes and
 * kept by key, neighbours and cosine tiles against NumPy (sklearn's cosine definition), the
 * compare op's allclose and rank of ΔW, and one-line errors naming the file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestControl } from '../../../src/worker/cancel';
import { embeddingHandlers } from '../../../src/worker/embeddingOps';
import type { EmbeddingsApi } from '../../../src/protocol/embeddings';
import type { ParamsOf } from '../../../src/protocol/rpc';
import type { CosineTileData, EmbeddingsInfo } from '../../../src/protocol/embeddings';
import type { ArrayComparison } from '../../../src/core/compare/compareArrays';
import type { Neighbor } from '../../../src/core/embeddings/neighbors';
import { pythonJson, tempDir } from '../../helpers/python';

const control = () => new RequestControl(new SharedArrayBuffer(4), () => {});

/** Calls one handler as the worker does: the result, and the buffers it handed over. */
async function embeddingOp<K extends keyof EmbeddingsApi>(
  call: { kind: K; params: ParamsOf<EmbeddingsApi, K> },
  c: RequestControl,
): Promise<{ result: unknown; transfer: ArrayBufferLike[] }> {
  const transfer: ArrayBufferLike[] = [];
  const handler = embeddingHandlers[call.kind] as (
    p: ParamsOf<EmbeddingsApi, K>,
    ctx: { control: RequestControl; transfer(b: ArrayBufferLike): void },
  ) => unknown;
  const result = await handler(call.params, { control: c, transfer: (b) => transfer.push(b) });
  return { result, transfer };
}
const MAX = 1 << 30;

describe('worker: embeddings and compare operations', function () {
  this.timeout(60_000);
  const dir = tempDir('matrix-lens-wemb-');
  let ref: { top: number[]; cos: number[]; overview: number[][]; rank: number };
  const src = (n: string) => ({
    source: { bytes: new Uint8Array(readFileSync(join(dir, n))), name: n },
  });

  before(() => {
    ref = pythonJson(
      `
import numpy as np, json, sys, os
d = sys.argv[1]
rng = np.random.default_rng(31)
x = rng.standard_normal((120, 24)).astype(np.float32); np.save(os.path.join(d, 'x.npy'), x)
X = x.astype(np.float64); U = X / np.linalg.norm(X, axis=1, keepdims=True)
c = U @ U[9]; c[9] = -np.inf; top = np.argsort(-c, kind='stable')[:5]
S = U @ U.T; st = [b * 120 // 4 for b in range(5)]
ov = [[float(S[st[i]:st[i+1], st[j]:st[j+1]].mean()) for j in range(4)] for i in range(4)]
w0 = rng.standard_normal((30, 20)); w1 = w0 + rng.standard_normal((30, 3)) @ rng.standard_normal((3, 20))
np.save(os.path.join(d, 'w0.npy'), w0); np.save(os.path.join(d, 'w1.npy'), w1)
print(json.dumps(dict(top=top.tolist(), cos=c[top].tolist(), overview=ov, rank=int(np.linalg.matrix_rank(w1 - w0)))))
`,
      [dir],
    );
  });

  it('opens vectors by key; neighbours and tiles match NumPy; release forgets them', async () => {
    const info = (
      await embeddingOp(
        { kind: 'embeddingsOpen', params: { key: 'k1', ref: src('x.npy'), maxBytes: MAX } },
        control(),
      )
    ).result as EmbeddingsInfo;
    assert.deepEqual([info.rows, info.cols], [120, 24]);
    const nb = (
      await embeddingOp(
        { kind: 'embeddingsNeighbors', params: { key: 'k1', row: 9, k: 5 } },
        control(),
      )
    ).result as { neighbors: Neighbor[] };
    assert.deepEqual(
      nb.neighbors.map((n) => n.row),
      ref.top,
    );
    nb.neighbors.forEach((n, i) => assert.ok(Math.abs(n.cosine - ref.cos[i]) < 1e-12));
    const t = await embeddingOp(
      { kind: 'embeddingsTiles', params: { key: 'k1', size: 4 } },
      control(),
    );
    const tile = t.result as CosineTileData;
    assert.equal(t.transfer[0], tile.values.buffer);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++)
        assert.ok(Math.abs(tile.values[i * 4 + j] - ref.overview[i][j]) < 1e-6); // float32 transfer
    // the clustered order: a permutation of the rows that the tiles op accepts back
    const co = await embeddingOp(
      { kind: 'embeddingsClusterOrder', params: { key: 'k1' } },
      control(),
    );
    const c = co.result as { order: Int32Array; k: number; sizes: number[] };
    assert.equal(co.transfer[0], c.order.buffer);
    assert.deepEqual(
      [...c.order].sort((a, b) => a - b),
      Array.from({ length: 120 }, (_, i) => i),
    );
    assert.equal(c.k, 8); // ⌈√(120/2)⌉
    assert.equal(
      c.sizes.reduce((a, b) => a + b, 0),
      120,
    );
    await embeddingOp(
      { kind: 'embeddingsTiles', params: { key: 'k1', size: 4, order: c.order } },
      control(),
    );
    await assert.rejects(
      embeddingOp(
        { kind: 'embeddingsTiles', params: { key: 'k1', size: 4, order: new Int32Array(120) } },
        control(),
      ),
      /not a permutation/,
    );
    await embeddingOp({ kind: 'embeddingsRelease', params: { key: 'k1' } }, control());
    await assert.rejects(
      embeddingOp({ kind: 'embeddingsNeighbors', params: { key: 'k1', row: 0 } }, control()),
      /no longer loaded/,
    );
  });

  it('compareArrays: rank of ΔW and allclose; errors name the file', async () => {
    const r = (
      await embeddingOp(
        { kind: 'compareArrays', params: { a: src('w0.npy'), b: src('w1.npy'), maxBytes: MAX } },
        control(),
      )
    ).result as ArrayComparison;
    assert.equal(r.delta!.allclose, false);
    assert.equal(r.spectrum!.deltaRank, ref.rank);
    assert.equal(ref.rank, 3);
    await assert.rejects(
      embeddingOp(
        {
          kind: 'embeddingsOpen',
          params: {
            key: 'k2',
            ref: { source: { bytes: new Uint8Array([1, 2, 3]), name: 'bad.npy' } },
            maxBytes: MAX,
          },
        },
        control(),
      ),
      /^LensError: bad\.npy: /,
    );
  });
});
