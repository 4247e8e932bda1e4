/**
 * Attention *with weights* on float32 inputs: the SIMD kernel (attnWeightsF32, float32
 * arithmetic) against PyTorch's torch.nn.MultiheadAttention (identity projections, per-head
 * weights) run in float64 on the same float32-rounded inputs, so the check measures our float32
 * arithmetic. Tolerances (float32: eps = 1.2e-7): weights |Δw| ≤ 2e-6, row sums |Σw − 1| ≤ 1e-5,
 * outputs |Δo| ≤ 1e-5·max|V|, entropy |ΔH| ≤ 1e-4 nats. PyTorch's own float32 MHA is checked
 * against the same reference with the same bounds, so they are float32-accurate, not loose.
 * Also: the weights are the same bits whatever the query blocks (serial path vs rowBlocks).
 */
import assert from 'node:assert/strict';
import { pythonJson } from '../../helpers/python';
import { attention } from '../../../src/core/attention/attention';
import { attentionWeightsF32 } from '../../../src/core/linalg/attentionKernel';

interface Ref {
  name: string;
  q: number[];
  k: number[];
  v: number[];
  T: number;
  S: number;
  E: number;
  H: number;
  mask: (number | null)[] | null;
  causal: boolean;
  weights: number[];
  output: number[];
  torch32: { weights: number; output: number };
}

describe('attention with weights, float32 SIMD vs torch.nn.MultiheadAttention', function () {
  this.timeout(120_000);
  let refs: Ref[];
  before(() => {
    refs = pythonJson<Ref[]>(`
import torch, json
torch.manual_seed(1)
out = []
def mha(q, k, v, H, mask, dtype):
    E = q.shape[1]
    m = torch.nn.MultiheadAttention(E, H, bias=False, batch_first=True, dtype=dtype)
    with torch.no_grad():
        m.in_proj_weight.copy_(torch.cat([torch.eye(E, dtype=dtype)] * 3))
        m.out_proj.weight.copy_(torch.eye(E, dtype=dtype))
        o, w = m(q[None].to(dtype), k[None].to(dtype), v[None].to(dtype), attn_mask=None if mask is None else mask.to(dtype) if mask.dtype != torch.bool else mask, need_weights=True, average_attn_weights=False)
    return o[0], w[0]
def run(name, T, S, H, d, causal=False, additive=False, scale=1.0, qs=1.0, ks=1.0):
    E = H * d
    q = (torch.randn(T, E) * scale * qs).float(); k = (torch.randn(S, E) * scale * ks).float(); v = torch.randn(S, E).float()
    mask = None
    if causal: mask = torch.triu(torch.ones(T, S, dtype=torch.bool), 1)
    if additive:
        mask = (torch.randn(T, S) * 2).float(); mask[0, 1] = float('-inf'); mask[2, :S - 1] = float('-inf')
        if causal:  # both: −∞ above the diagonal too (row 2 keeps keys 0 and 2: torch gives NaN for a fully masked row)
            mask[2, :S - 1] = 0.0; mask[2, 1] = float('-inf')
            mask = mask.masked_fill(torch.triu(torch.ones(T, S, dtype=torch.bool), 1), float('-inf'))
    o, w = mha(q.double(), k.double(), v.double(), H, mask, torch.float64)
    o32, w32 = mha(q, k, v, H, mask, torch.float32)
    out.append(dict(name=name, q=q.flatten().tolist(), k=k.flatten().tolist(), v=v.flatten().tolist(), T=T, S=S, E=E, H=H,
        mask=[None if x == float('-inf') else x for x in mask.flatten().tolist()] if additive else None, causal=causal,
        weights=w.flatten().tolist(), output=o.flatten().tolist(),
        torch32=dict(weights=(w32.double() - w).abs().max().item(), output=(o32.double() - o).abs().max().item())))
run('1 head', 7, 9, 1, 5)
run('4 heads causal', 37, 37, 4, 8, causal=True)
run('2 heads additive (−∞ entries)', 11, 13, 2, 6, additive=True)
run('causal T < S', 5, 70, 2, 16, causal=True)
run('3 heads d=64, 263 queries (several blocks)', 263, 301, 3, 64, scale=2.0)
run('2 heads d=64 causal, 300 queries', 300, 300, 2, 64, causal=True)
run('12 heads d=16, T and S not multiples of the 5×8 tile', 29, 43, 12, 16)
run('12 heads d=8 causal additive', 23, 23, 12, 8, causal=True, additive=True)
run('Q×1e30, K×1e−30 (float32 products near 1)', 17, 21, 2, 8, qs=1e30, ks=1e-30)
run('Q, K ×1e−30 (scores underflow: uniform weights)', 9, 14, 1, 8, qs=1e-30, ks=1e-30)
run('scores up to ±80 (exp over its whole float32 range)', 13, 19, 1, 8, scale=3.2)
print(json.dumps(out))
`);
  });

  it('weights, outputs, row sums and entropy within float32 tolerances', () => {
    for (const r of refs) {
      const t = (data: number[], rows: number) => ({
        shape: [rows, r.E],
        data: Float32Array.from(data),
      });
      const mask = r.mask
        ? { shape: [r.T, r.S], data: r.mask.map((x) => (x === null ? -Infinity : x)) }
        : undefined;
      const res = attention(t(r.q, r.T), t(r.k, r.S), t(r.v, r.S), {
        heads: r.H,
        causal: r.causal,
        mask,
      });
      assert.ok(res.weights instanceof Float32Array, `${r.name}: float32 weights`);
      let vmax = 0;
      for (const x of r.v) vmax = Math.max(vmax, Math.abs(x));
      let dw = 0;
      for (let i = 0; i < r.weights.length; i++)
        dw = Math.max(dw, Math.abs(res.weights![i] - r.weights[i]));
      assert.ok(dw <= 2e-6, `${r.name}: max |Δw| ${dw} (torch float32: ${r.torch32.weights})`);
      let dout = 0;
      for (let i = 0; i < r.output.length; i++)
        dout = Math.max(dout, Math.abs(res.output![i] - r.output[i]));
      assert.ok(
        dout <= 1e-5 * vmax,
        `${r.name}: max |Δo| ${dout} (torch float32: ${r.torch32.output})`,
      );
      for (let h = 0; h < r.H; h++)
        for (let i = 0; i < r.T; i++) {
          const row = (h * r.T + i) * r.S;
          let e = 0;
          let sum = 0;
          for (let j = 0; j < r.S; j++) {
            const p = r.weights[row + j];
            sum += p;
            if (p > 0) e -= p * Math.log(p);
          }
          const rs = res.rowSums![h * r.T + i];
          assert.ok(Math.abs(rs - sum) <= 1e-5, `${r.name}: row sum h${h} q${i} ${rs}`);
          assert.ok(
            Math.abs(res.entropy[h * r.T + i] - e) <= 1e-4,
            `${r.name}: entropy h${h} q${i}`,
          );
          if (r.causal)
            for (let j = i + 1; j < r.S; j++)
              assert.equal(res.weights![row + j], 0, `${r.name}: causal h${h} q${i} k${j}`);
        }
    }
  });

  it('NaN or +∞ in the additive mask makes that query NaN, as torch.softmax does; others are finite', () => {
    const T = 3;
    const S = 5;
    const d = 4;
    const q = Float32Array.from({ length: T * d }, (_, i) => Math.sin(i));
    const k = Float32Array.from({ length: S * d }, (_, i) => Math.cos(i));
    const v = Float32Array.from({ length: S * d }, (_, i) => i / 7);
    const mask = new Float32Array(T * S);
    mask[2] = NaN;
    mask[S + 3] = Infinity;
    const r = attentionWeightsF32(q, k, v, T, S, d, d, { mask })!;
    for (const row of [0, 1]) {
      assert.ok(
        Array.from(r.weights!.subarray(row * S, (row + 1) * S)).every(Number.isNaN),
        `query ${row}: all weights NaN`,
      );
      assert.ok(Number.isNaN(r.rowSums[row]) && Number.isNaN(r.output![row * d]));
    }
    const w2 = Array.from(r.weights!.subarray(2 * S));
    assert.ok(w2.every((x) => x > 0 && x < 1) && Math.abs(r.rowSums[2] - 1) <= 1e-6);
  });

  it('NaN anywhere in a row (vector part, 16-key blocks, tail; alone among −∞) makes the whole query NaN', () => {
    // the row maximum skips NaN (one maxps); the exp after it must carry the NaN to every weight
    const S = 37;
    const d = 3;
    const nanAt = [0, 5, 16, 31, 33, 36];
    const T = 2 * nanAt.length + 1;
    const q = Float32Array.from({ length: T * d }, (_, i) => Math.sin(i + 1));
    const k = Float32Array.from({ length: S * d }, (_, i) => Math.cos(i));
    const v = Float32Array.from({ length: S * d }, (_, i) => i / 9);
    const mask = new Float32Array(T * S);
    nanAt.forEach((j, n) => {
      mask[2 * n * S + j] = NaN; // finite scores around it
      mask.fill(-Infinity, (2 * n + 1) * S, (2 * n + 2) * S); // −∞ everywhere but one NaN
      mask[(2 * n + 1) * S + j] = NaN;
    });
    const r = attentionWeightsF32(q, k, v, T, S, d, d, { mask })!;
    for (let row = 0; row < T - 1; row++) {
      const w = Array.from(r.weights!.subarray(row * S, (row + 1) * S));
      assert.ok(w.every(Number.isNaN), `query ${row}: all weights NaN`);
      assert.ok(Number.isNaN(r.rowSums[row]) && Number.isNaN(r.entropy[row]), `query ${row}`);
      assert.ok(Array.from(r.output!.subarray(row * d, (row + 1) * d)).every(Number.isNaN));
    }
    const last = Array.from(r.weights!.subarray((T - 1) * S));
    assert.ok(last.every((x) => x > 0 && x < 1) && Math.abs(r.rowSums[T - 1] - 1) <= 1e-6);
  });

  it('a fully masked query gets zero weights, output, row sum and entropy', () => {
    const T = 3;
    const S = 4;
    const d = 2;
    const q = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const k = Float32Array.from([1, 0, 0, 1, 1, 1, -1, 0]);
    const v = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const mask = new Float32Array(T * S);
    mask.fill(-Infinity, S, 2 * S);
    const r = attentionWeightsF32(q, k, v, T, S, d, d, { mask })!;
    assert.ok(r, 'SIMD engine available');
    assert.deepEqual(Array.from(r.weights!.subarray(S, 2 * S)), [0, 0, 0, 0]);
    assert.deepEqual(Array.from(r.output!.subarray(d, 2 * d)), [0, 0]);
    assert.equal(r.rowSums[1], 0);
    assert.equal(r.entropy[1], 0);
    assert.ok(Math.abs(r.rowSums[0] - 1) <= 1e-6 && Math.abs(r.rowSums[2] - 1) <= 1e-6);
  });
});
