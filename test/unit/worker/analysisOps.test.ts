/**
 * The worker's 'analyze' and 'attentionCompute' operations without VS Code: inputs from .npy bytes
 * and from array text, the errors users see (numeric / unsupported, naming Q/K/V files), the
 * attention diagnostics, and cooperative cancellation through RequestControl's shared flag.
 */
import assert from 'node:assert/strict';
import { writeNpy } from '../../../src/core/formats/npyWrite';
import { RequestControl } from '../../../src/worker/cancel';
import { analyzeOp } from '../../../src/worker/analysisOps';
import {
  attentionComputeOp,
  attentionFocusOp,
  attentionReleaseOp,
} from '../../../src/worker/attentionOps';
import type { AttentionComputeParams } from '../../../src/protocol/worker';
import type { ArrayRef } from '../../../src/protocol/common';

const MAX = 1 << 30;

function control(onPost: (f: number, flag: Int32Array) => void = () => {}): {
  control: RequestControl;
  flag: Int32Array;
} {
  const buf = new SharedArrayBuffer(4);
  const flag = new Int32Array(buf);
  return { control: new RequestControl(buf, (f) => onPost(f, flag)), flag };
}

function npy(
  name: string,
  data: number[] | Float64Array,
  shape: number[],
  dtype: 'float64' | 'float32' = 'float64',
): ArrayRef {
  return { source: { bytes: writeNpy(data, shape, dtype), name } };
}

function rand(n: number, seed = 1): Float64Array {
  const out = new Float64Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 16807) % 2147483647;
    out[i] = x / 2147483647 - 0.5;
  }
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error & { code?: string }) => {
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

describe('worker analysis operations', function () {
  this.timeout(60_000);

  it('analyzes a rank-2 matrix from .npy bytes', async () => {
    // rows: r0, r1, r0 + r1, 2·r0
    const r0 = [1, 2, 3, 4];
    const r1 = [0, 1, 0, -1];
    const rows = [r0, r1, r0.map((v, j) => v + r1[j]), r0.map((v) => 2 * v)];
    const r = await analyzeOp(
      { input: npy('m.npy', rows.flat(), [4, 4]), maxBytes: MAX },
      control().control,
    );
    assert.deepEqual(r.shape, [4, 4]);
    assert.equal(r.dtype, 'float64');
    assert.equal(r.analysis.rank, 2);
    assert.equal(r.analysis.singularValues.length, 4);
    assert.ok(r.analysis.eigenvalues && r.analysis.eigenvalues.length === 4);
    assert.equal(r.sliceLabel, '');
  });

  it('analyzes array text and a chosen slice of a 3-D array', async () => {
    const t = await analyzeOp(
      { input: { text: '[[2, 1], [1, 3]]', name: 'sel' }, maxBytes: MAX },
      control().control,
    );
    assert.equal(t.dtype, 'int64');
    assert.equal(t.analysis.rank, 2);
    assert.ok(Math.abs(t.analysis.spectralRadius! - (5 + Math.sqrt(5)) / 2) < 1e-12);
    const data = [...[1, 0, 0, 1], ...[1, 2, 2, 4]];
    const n = await analyzeOp(
      { input: npy('s.npy', data, [2, 2, 2]), maxBytes: MAX, index: [1] },
      control().control,
    );
    assert.equal(n.sliceLabel, '[1, :, :]');
    assert.equal(n.analysis.rank, 1);
    // parsed text obeys matrixLens.maxArrayBytes like a file's array: 4 values are 32 bytes
    await rejectsWith(
      analyzeOp(
        { input: { text: '[[2, 1], [1, 3]]', name: 'sel' }, maxBytes: 31 },
        control().control,
      ),
      'too-large',
      /array of 32 B .* is larger than the limit of 31 B/,
    );
  });

  it('refuses NaN/Inf (numeric), complex and 1-D input (unsupported) in one line', async () => {
    await rejectsWith(
      analyzeOp(
        { input: npy('n.npy', [1, NaN, Infinity, 2], [2, 2]), maxBytes: MAX },
        control().control,
      ),
      'numeric',
      /1 NaN and 1 Inf/,
    );
    await rejectsWith(
      analyzeOp(
        { input: { text: '[[1+2j, 3], [0, 1]]', name: 't' }, maxBytes: MAX },
        control().control,
      ),
      'unsupported',
      /complex128/,
    );
    await rejectsWith(
      analyzeOp({ input: npy('v.npy', [1, 2, 3], [3]), maxBytes: MAX }, control().control),
      'unsupported',
      /2-D/,
    );
    await rejectsWith(
      analyzeOp({ input: npy('big.npy', [1, 2, 3, 4], [2, 2]), maxBytes: 16 }, control().control),
      'too-large',
      /maxArrayBytes/,
    );
  });

  it('stops at the next progress tick once the cancel flag is set', async () => {
    let setAt = 0;
    let postsAfter = 0;
    const { control: c } = control((f, flag) => {
      if (setAt) postsAfter++;
      else if (f > 0.7) {
        setAt = f;
        Atomics.store(flag, 0, 1);
      }
    });
    const n = 400;
    await rejectsWith(
      analyzeOp({ input: npy('c.npy', rand(n * n), [n, n]), maxBytes: MAX }, c),
      'cancelled',
      /cancelled/,
    );
    assert.ok(setAt > 0, 'progress was reported');
    assert.equal(postsAfter, 0, 'no progress after the flag was set');
  });

  it('attention: weights [H, T, S] held in the worker, row sums, causal check and entropy', async () => {
    const T = 6;
    const H = 2;
    const d = 3;
    const q = npy('q.npy', rand(T * H * d, 3), [T, H * d]);
    const k = npy('k.npy', rand(T * H * d, 5), [T, H * d]);
    const v = npy('v.npy', rand(T * H * 2, 7), [T, H * 2]);
    const params = (over: Partial<AttentionComputeParams>): AttentionComputeParams => ({
      key: 'unit-attn',
      q,
      k,
      v,
      heads: H,
      causal: true,
      maxBytes: MAX,
      ...over,
    });
    const r = await attentionComputeOp(params({}), control().control);
    assert.deepEqual(r.shape, [H, T, T]);
    assert.equal(r.dtype, 'float32');
    assert.ok(r.diagnostics.rowSums.maxDeviation < 1e-6);
    assert.equal(r.diagnostics.rowSums.failingRows, 0);
    assert.equal(r.diagnostics.causal.holds, true);
    assert.equal(r.diagnostics.causal.maxAbove, 0);
    assert.deepEqual(r.computed?.outputShape, [T, H * 2]);
    assert.ok(Math.abs(r.diagnostics.maxEntropy - Math.log(T)) < 1e-15);
    assert.ok(r.diagnostics.heads.every((h) => h.entropy > 0 && h.entropy <= Math.log(T)));
    // the weights stay in the worker: the first query of a causal head sees only key 0
    const focus = await attentionFocusOp({
      key: 'unit-attn',
      maxBytes: MAX,
      layer: 0,
      batch: 0,
      head: 1,
      maxCells: 1 << 20,
    });
    assert.equal(focus.rowStep, 1);
    assert.deepEqual(Array.from(focus.values.subarray(0, T)), [1, 0, 0, 0, 0, 0]);
    attentionReleaseOp('unit-attn');

    // float32 inputs take the SIMD float32 kernel: same weights to float32 accuracy
    const q32 = npy('q32.npy', rand(T * H * d, 3), [T, H * d], 'float32');
    const k32 = npy('k32.npy', rand(T * H * d, 5), [T, H * d], 'float32');
    const r32 = await attentionComputeOp(
      params({ key: 'unit-attn-32', q: q32, k: k32, v: undefined }),
      control().control,
    );
    assert.ok(r32.diagnostics.rowSums.maxDeviation < 1e-5);
    for (let h = 0; h < H; h++)
      assert.ok(
        Math.abs(r32.diagnostics.heads[h].entropy - r.diagnostics.heads[h].entropy) < 1e-5,
        `head ${h} entropy ${r32.diagnostics.heads[h].entropy} vs ${r.diagnostics.heads[h].entropy}`,
      );
    attentionReleaseOp('unit-attn-32');

    await rejectsWith(
      attentionComputeOp(params({ v: undefined, heads: 4, causal: false }), control().control),
      'invalid',
      /not divisible by 4 heads \(Q = q\.npy, K = k\.npy\)$/,
    );
    await rejectsWith(
      attentionComputeOp(
        params({ q: npy('bad.npy', [NaN, 1], [1, 2]), v: undefined, causal: false }),
        control().control,
      ),
      'numeric',
      /^Q \(bad\.npy\): contains 1 NaN/,
    );
    await rejectsWith(
      attentionComputeOp(params({ maxBytes: H * T * T * 8 - 1 }), control().control),
      'too-large',
      /attention weights \[2, 6, 6\] would take .* over the .* limit set by matrixLens\.maxArrayBytes$/,
    );
  });
  it('attention memory estimate (hostile input): float32 inputs routed to float64 count 8 + 4 bytes a weight', async () => {
    const T = 16;
    const H = 2;
    const d = 4;
    const weights = H * T * T;
    const base = (q: ArrayRef, k: ArrayRef, maxBytes: number): AttentionComputeParams => ({
      key: 'unit-attn-est',
      q,
      k,
      heads: H,
      causal: false,
      maxBytes,
    });
    // ordinary float32 inputs: the float32 kernel, 4 bytes a weight, fits exactly
    const q32 = npy('q32.npy', rand(T * H * d, 3), [T, H * d], 'float32');
    const k32 = npy('k32.npy', rand(T * H * d, 5), [T, H * d], 'float32');
    const ok = await attentionComputeOp(base(q32, k32, weights * 4), control().control);
    assert.deepEqual(ok.shape, [H, T, T]);
    attentionReleaseOp('unit-attn-est');
    // float32 values near 1e16: scores ~2^107 leave the float32 kernel's safe range, so the
    // weights are float64 (8 bytes) and then narrowed to a float32 copy (4 more): the limit
    // that admitted 4 bytes a weight must refuse, and 12 bytes a weight must admit
    const bigQ = npy(
      'bigq.npy',
      Float64Array.from(rand(T * H * d, 3), (x) => x * 4e16),
      [T, H * d],
      'float32',
    );
    const bigK = npy(
      'bigk.npy',
      Float64Array.from(rand(T * H * d, 5), (x) => x * 4e16),
      [T, H * d],
      'float32',
    );
    await rejectsWith(
      attentionComputeOp(base(bigQ, bigK, weights * 4), control().control),
      'too-large',
      /would take 6 KiB while computing/,
    );
    await rejectsWith(
      attentionComputeOp(base(bigQ, bigK, weights * 12 - 1), control().control),
      'too-large',
      /limit set by matrixLens\.maxArrayBytes$/,
    );
    const r = await attentionComputeOp(base(bigQ, bigK, weights * 12), control().control);
    assert.ok(r.diagnostics.rowSums.maxDeviation < 1e-6);
    attentionReleaseOp('unit-attn-est');
  });
});
