/**
 * attentionWeightsF32's `outputOut`: W·V written as float64 straight into a strided destination
 * (what attention() uses for [T, H·dv] and [H, T, dv] results) must hold exactly the float32
 * output of the plain call, and leave every other element of the destination untouched; and
 * attention() on float32 heads must give the same output bits through it for 2-D and 3-D inputs.
 */
import assert from 'node:assert/strict';
import { attention } from '../../../src/core/attention/attention';
import { attentionWeightsF32 } from '../../../src/core/linalg/attentionKernel';

function rand(n: number, seed: number, scale = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647 - 0.5) * 2 * scale;
  });
}

describe('attention with weights: W·V written into the float64 result', function () {
  this.timeout(60_000);

  for (const [T, S, d, dv, causal, masked] of [
    [7, 9, 5, 3, false, false],
    [37, 41, 8, 13, true, false],
    [263, 301, 64, 64, false, true],
    [23, 23, 16, 7, true, true],
  ] as const) {
    it(`T=${T} S=${S} d=${d} dv=${dv}${causal ? ' causal' : ''}${masked ? ' −∞ mask' : ''}: same bits as the float32 output, strided`, () => {
      const q = rand(T * d, 3, 4);
      const k = rand(S * d, 5, 4);
      const v = rand(S * dv, 7);
      let mask: Float32Array | undefined;
      if (masked) {
        mask = rand(T * S, 11, 3);
        mask.fill(-Infinity, S, 2 * S); // query 1 fully masked: zero output
        mask[0] = -Infinity;
      }
      const plain = attentionWeightsF32(q, k, v, T, S, d, dv, { causal, mask })!;
      assert.ok(plain?.output, 'SIMD engine available');
      const stride = dv + 5;
      const offset = 3;
      const dst = new Float64Array(offset + T * stride + 4).fill(-7.25);
      const r = attentionWeightsF32(q, k, v, T, S, d, dv, {
        causal,
        mask,
        outputOut: dst,
        outputOffset: offset,
        outputStride: stride,
      })!;
      assert.equal(r.output, undefined);
      assert.deepEqual(r.weights, plain.weights);
      for (let i = 0; i < dst.length; i++) {
        const row = Math.floor((i - offset) / stride);
        const c = (i - offset) % stride;
        const inside = i >= offset && row < T && c < dv;
        const want = inside ? plain.output![row * dv + c] : -7.25;
        assert.ok(Object.is(dst[i], want), `dst[${i}] = ${dst[i]}, want ${want}`);
      }
    });
  }

  it('attention(): 2-D [T, H·dv] and 3-D [H, T, dv] float32 inputs give the kernel’s output bits per head', () => {
    const T = 29;
    const H = 3;
    const d = 8;
    const q = rand(T * H * d, 13, 3);
    const k = rand(T * H * d, 17, 3);
    const v = rand(T * H * d, 19);
    const r2 = attention(
      { shape: [T, H * d], data: q },
      { shape: [T, H * d], data: k },
      { shape: [T, H * d], data: v },
      { heads: H, causal: true },
    );
    assert.ok(r2.weights instanceof Float32Array, 'float32 kernel ran');
    const head = (x: Float32Array, h: number): Float32Array => {
      const out = new Float32Array(T * d);
      for (let t = 0; t < T; t++)
        for (let c = 0; c < d; c++) out[t * d + c] = x[t * H * d + h * d + c];
      return out;
    };
    const q3 = new Float32Array(H * T * d);
    const k3 = new Float32Array(H * T * d);
    const v3 = new Float32Array(H * T * d);
    for (let h = 0; h < H; h++) {
      q3.set(head(q, h), h * T * d);
      k3.set(head(k, h), h * T * d);
      v3.set(head(v, h), h * T * d);
    }
    const r3 = attention(
      { shape: [H, T, d], data: q3 },
      { shape: [H, T, d], data: k3 },
      { shape: [H, T, d], data: v3 },
      { causal: true },
    );
    assert.deepEqual(r2.outputShape, [T, H * d]);
    assert.deepEqual(r3.outputShape, [H, T, d]);
    for (let h = 0; h < H; h++) {
      const o = attentionWeightsF32(head(q, h), head(k, h), head(v, h), T, T, d, d, {
        causal: true,
      })!.output!;
      for (let t = 0; t < T; t++)
        for (let c = 0; c < d; c++) {
          assert.equal(r2.output![t * H * d + h * d + c], o[t * d + c]);
          assert.equal(r3.output![(h * T + t) * d + c], o[t * d + c]);
        }
    }
  });

  for (const f32 of [true, false])
    it(`output: false (${f32 ? 'float32 kernel' : 'float64 path'}): the same weights bits, no W·V, V still checked and shaped`, () => {
      const T = 33;
      const H = 2;
      const d = 8;
      const dv = 5;
      const arr = (n: number, seed: number, scale = 1): Float32Array | Float64Array =>
        f32 ? rand(n, seed, scale) : Float64Array.from(rand(n, seed, scale));
      const q = { shape: [T, H * d], data: arr(T * H * d, 23, 2) };
      const k = { shape: [T, H * d], data: arr(T * H * d, 29, 2) };
      const v = { shape: [T, H * dv], data: arr(T * H * dv, 31) };
      const full = attention(q, k, v, { heads: H, causal: true });
      const only = attention(q, k, v, { heads: H, causal: true, output: false });
      assert.equal(full.weights instanceof Float32Array, f32, 'the kernel the inputs ask for ran');
      assert.ok(full.output && full.output.length === T * H * dv);
      assert.equal(only.output, undefined, 'no W·V');
      assert.deepEqual(only.outputShape, [T, H * dv]);
      assert.equal(only.valueDim, dv);
      assert.deepEqual(Array.from(only.weights!), Array.from(full.weights!));
      assert.deepEqual(Array.from(only.entropy), Array.from(full.entropy));
      // V is still checked although it is not multiplied
      const bad = { shape: v.shape, data: arr(T * H * dv, 31) };
      bad.data[17] = NaN;
      assert.throws(() => attention(q, k, bad, { heads: H, output: false }), /V .*NaN|NaN.* V/);
      assert.throws(
        () =>
          attention(
            q,
            k,
            { shape: [T - 1, H * dv], data: v.data.subarray(0, (T - 1) * H * dv) },
            { heads: H, output: false },
          ),
        /V shape/,
      );
    });
});
