/**
 * The weights buffer reused across attention computations (core `weightsInto`, and the
 * worker's attentionCompute that recycles a superseded computation's float32 weights): results
 * are identical to fresh storage, every weight is overwritten (causal zeros, masks), and float64
 * weights or too-small buffers leave the storage alone.
 */
import assert from 'node:assert/strict';
import { attention } from '../../../src/core/attention/attention';
import { writeNpy } from '../../../src/core/formats/npyWrite';
import { RequestControl } from '../../../src/worker/cancel';
import {
  attentionComputeOp,
  attentionFocusOp,
  attentionReleaseOp,
} from '../../../src/worker/attentionOps';
import type { ArrayRef } from '../../../src/protocol/common';

function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 16807) % 2147483647;
    out[i] = (x / 2147483647 - 0.5) * 3;
  }
  return out;
}

const control = (): RequestControl => new RequestControl(new SharedArrayBuffer(4), () => {});
const npy = (name: string, data: Float32Array, shape: number[]): ArrayRef => ({
  source: { bytes: writeNpy(Array.from(data), shape, 'float32'), name },
});

describe('attention weights written into reused storage', function () {
  this.timeout(60_000);
  const T = 37;
  const S = 37;
  const H = 3;
  const d = 8;

  it('core attention: weightsInto gives the same weights, output and entropy, in the given buffer', () => {
    const q = { shape: [T, H * d], data: rand(T * H * d, 3) };
    const k = { shape: [S, H * d], data: rand(S * H * d, 5) };
    const v = { shape: [S, H * 4], data: rand(S * H * 4, 7) };
    for (const causal of [false, true]) {
      const fresh = attention(q, k, v, { heads: H, causal });
      assert.ok(fresh.weights instanceof Float32Array);
      // stale contents (NaN, then a previous result) must not survive anywhere
      const buf = new Float32Array(H * T * S + 11).fill(NaN);
      for (let round = 0; round < 2; round++) {
        const r = attention(q, k, v, { heads: H, causal, weightsInto: buf });
        assert.equal(r.weights!.buffer, buf.buffer);
        assert.equal(r.weights!.length, H * T * S);
        assert.deepEqual(Array.from(r.weights!), Array.from(fresh.weights!));
        assert.deepEqual(Array.from(r.output!), Array.from(fresh.output!));
        assert.deepEqual(Array.from(r.entropy), Array.from(fresh.entropy));
        buf.fill(7);
      }
      // too small: fresh storage, buffer untouched
      const small = new Float32Array(H * T * S - 1).fill(3);
      const r2 = attention(q, k, v, { heads: H, causal, weightsInto: small });
      assert.notEqual(r2.weights!.buffer, small.buffer);
      assert.ok(small.every((x) => x === 3));
    }
    // float64 inputs: float64 weights, the float32 buffer is not used
    const q64 = { shape: q.shape, data: Float64Array.from(q.data) };
    const k64 = { shape: k.shape, data: Float64Array.from(k.data) };
    const buf = new Float32Array(H * T * S).fill(5);
    const r64 = attention(q64, k64, undefined, { heads: H, weightsInto: buf });
    assert.ok(r64.weights instanceof Float64Array);
    assert.ok(buf.every((x) => x === 5));
  });

  it('worker: recomputing a key, or a new key after a release, gives what fresh storage gives', async () => {
    const shape = [T, H * d];
    const inputs = (seed: number) => ({
      q: npy('q.npy', rand(T * H * d, seed), shape),
      k: npy('k.npy', rand(S * H * d, seed + 1), shape),
    });
    const focus = async (key: string, head: number) =>
      Array.from(
        (
          await attentionFocusOp({
            key,
            maxBytes: 1 << 30,
            layer: 0,
            batch: 0,
            head,
            maxCells: 1 << 20,
          })
        ).values,
      );
    const compute = (key: string, seed: number, causal: boolean) =>
      attentionComputeOp({ key, ...inputs(seed), heads: H, causal, maxBytes: 1 << 30 }, control());
    // reference: each configuration on a key of its own
    await compute('ref-a', 11, false);
    await compute('ref-b', 21, true);
    const refA = await Promise.all([0, 1, 2].map((h) => focus('ref-a', h)));
    const refB = await Promise.all([0, 1, 2].map((h) => focus('ref-b', h)));
    attentionReleaseOp('ref-a');
    attentionReleaseOp('ref-b');
    // the same key recomputed with other inputs (its storage is reused)
    await compute('reuse', 11, false);
    for (let h = 0; h < H; h++) assert.deepEqual(await focus('reuse', h), refA[h]);
    await compute('reuse', 21, true);
    for (let h = 0; h < H; h++) assert.deepEqual(await focus('reuse', h), refB[h]);
    // released, then another key of the same size takes the storage
    attentionReleaseOp('reuse');
    await compute('other', 11, false);
    for (let h = 0; h < H; h++) assert.deepEqual(await focus('other', h), refA[h]);
    attentionReleaseOp('other');
  });
});
