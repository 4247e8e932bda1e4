/**
 * Issue 15: what the worker hands the panels' GPU path and takes back from it — the analyzed
 * matrix as float32 (the same slice `analyze` uses), Q/K/V split into heads exactly as
 * `attention` splits them, and GPU weights kept with diagnostics equal to the worker's own —
 * plus the `matrixLens.compute` routing rule the host applies before sending anything.
 */
import assert from 'node:assert/strict';
import { writeNpy } from '../../../src/core/formats/npyWrite';
import { RequestControl } from '../../../src/worker/cancel';
import { analysisMatrixOp, analyzeOp } from '../../../src/worker/analysisOps';
import {
  attentionAdoptOp,
  attentionComputeOp,
  attentionInputsOp,
  attentionTilesOp,
} from '../../../src/worker/attentionOps';
import type { ArrayRef } from '../../../src/protocol/common';
import { GPU_AUTO_MIN_ELEMENTS, computeModeOf, mayUseGpu } from '../../../src/protocol/compute';

const MAX = 1 << 30;
const control = () => new RequestControl(new SharedArrayBuffer(4), () => {});

function npy(name: string, data: Float64Array, shape: number[]): ArrayRef {
  return { source: { bytes: writeNpy(data, shape, 'float32'), name } };
}

function rand(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 16807) % 2147483647;
    out[i] = Math.fround(x / 2147483647 - 0.5);
  }
  return out;
}

describe('the GPU path: worker inputs and adopted results', function () {
  this.timeout(60_000);

  it('matrixLens.compute: auto needs 1024² elements, gpu any size, cpu never; unknown → auto', () => {
    assert.equal(GPU_AUTO_MIN_ELEMENTS, 1024 * 1024);
    assert.equal(mayUseGpu('auto', 1024 * 1024 - 1), false);
    assert.equal(mayUseGpu('auto', 1024 * 1024), true);
    assert.equal(mayUseGpu('gpu', 1), true);
    assert.equal(mayUseGpu('cpu', 1e9), false);
    assert.equal(computeModeOf('gpu'), 'gpu');
    assert.equal(computeModeOf('cpu'), 'cpu');
    assert.equal(computeModeOf('GPU'), 'auto');
    assert.equal(computeModeOf(undefined), 'auto');
  });

  it('analysisMatrix is the slice analyze analyzes, as float32, and analyze names its threads', async () => {
    const a = rand(2 * 5 * 3, 7);
    const ref = npy('a.npy', a, [2, 5, 3]);
    const m = await analysisMatrixOp({ input: ref, maxBytes: MAX, index: [1] }, control());
    assert.deepEqual([m.rows, m.cols], [5, 3]);
    assert.ok(m.data instanceof Float32Array);
    assert.deepEqual(Array.from(m.data), Array.from(a.subarray(15, 30)));
    const r = await analyzeOp({ input: ref, maxBytes: MAX, index: [1] }, control());
    assert.ok(Number.isInteger(r.threads) && r.threads >= 1);
    await assert.rejects(
      analysisMatrixOp({ input: npy('v.npy', a, [30]), maxBytes: MAX }, control()),
      /2-D/,
    );
  });

  it('attentionInputs splits [T, H·d] into heads like attention, and the score bound holds', async () => {
    const T = 6;
    const H = 2;
    const d = 4;
    const q = rand(T * H * d, 3);
    const k = rand(T * H * d, 5);
    const r = await attentionInputsOp({
      q: npy('q.npy', q, [T, H * d]),
      k: npy('k.npy', k, [T, H * d]),
      heads: H,
      causal: false,
      maxBytes: MAX,
    });
    assert.deepEqual(
      [r.heads, r.queries, r.keys, r.headDim, r.valueDim, r.hasV],
      [2, 6, 6, 4, 1, false],
    );
    // head 1, token 2, column 3 of [T, H·d] is q[2·8 + 4 + 3]
    assert.equal(r.q[1 * T * d + 2 * d + 3], q[2 * H * d + d + 3]);
    assert.equal(r.v.length, H * T);
    let worst = 0;
    for (let h = 0; h < H; h++)
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) {
          let s = 0;
          for (let c = 0; c < d; c++) s += r.q[(h * T + i) * d + c] * r.k[(h * T + j) * d + c];
          worst = Math.max(worst, Math.abs(s) / Math.sqrt(d));
        }
    assert.ok(worst <= r.maxScore * (1 + 1e-12) && r.maxScore < 4 * worst + 1);
    // below `minWeights` (auto's threshold): sizes from the headers, nothing converted
    const small = await attentionInputsOp({
      q: npy('q.npy', q, [T, H * d]),
      k: npy('k.npy', k, [T, H * d]),
      heads: H,
      causal: false,
      maxBytes: MAX,
      minWeights: H * T * T + 1,
    });
    assert.deepEqual([small.heads, small.queries, small.keys, small.q.length], [2, 6, 6, 0]);
    await assert.rejects(
      attentionInputsOp({
        q: npy('q.npy', q, [T, H * d]),
        k: npy('k.npy', k, [T, H * d]),
        heads: 3,
        causal: false,
        maxBytes: MAX,
      }),
      /not divisible by 3 heads/,
    );
  });

  it('attentionAdopt keeps weights like the worker keeps its own: same diagnostics and tiles', async () => {
    const T = 8;
    const q = npy('q.npy', rand(2 * T * 4, 11), [2, T, 4]);
    const k = npy('k.npy', rand(2 * T * 4, 13), [2, T, 4]);
    const own = await attentionComputeOp(
      { key: 'own', q, k, causal: true, maxBytes: MAX },
      control(),
    );
    const ownTiles = await attentionTilesOp(
      { key: 'own', maxBytes: MAX, layer: 0, batch: 0, size: 64 },
      control(),
    );
    const adopted = attentionAdoptOp(
      {
        key: 'adopted',
        weights: Float32Array.from(ownTiles.values),
        ms: 3,
        computed: own.computed!,
        computedOn: { where: 'gpu', label: 'computed on GPU (test) in 3 ms', accuracy: 'x' },
      },
      control(),
    );
    assert.deepEqual(adopted.shape, [2, T, T]);
    assert.deepEqual(adopted.diagnostics, own.diagnostics);
    assert.equal(adopted.computedOn?.where, 'gpu');
    assert.match(own.computedOn!.label, /^computed on CPU \(\d+ threads?\) in \d+ ms$/);
    const tiles = await attentionTilesOp(
      { key: 'adopted', maxBytes: MAX, layer: 0, batch: 0, size: 64 },
      control(),
    );
    assert.deepEqual(Array.from(tiles.values), Array.from(ownTiles.values));
    assert.throws(
      () =>
        attentionAdoptOp(
          {
            key: 'bad',
            weights: new Float32Array(5),
            ms: 0,
            computed: own.computed!,
            computedOn: { where: 'gpu', label: '' },
          },
          control(),
        ),
      /5 attention weights do not make \[2, 8, 8\]/,
    );
  });
});
