/**
 * Attention against PyTorch's torch.nn.MultiheadAttention with identity in/out projections
 * (so it computes exactly softmax(Q_h K_hᵀ/√d + mask) V_h per head), per-head weights
 * (average_attn_weights=False), causal (bool triu mask) and additive float masks.
 * Tolerances: weights and outputs |Δ| ≤ 1e-12 (both computed in float64).
 */
import assert from 'node:assert/strict';
import { pythonJson } from '../../helpers/python';
import { attention } from '../../../src/core/attention/attention';

interface Ref {
  name: string;
  q: number[];
  k: number[];
  v: number[];
  T: number;
  S: number;
  E: number;
  H: number;
  /** additive mask; null entries are −∞ */
  mask: (number | null)[] | null;
  causal: boolean;
  weights: number[];
  output: number[];
}

describe('attention vs torch.nn.MultiheadAttention', function () {
  this.timeout(60_000);
  let refs: Ref[];
  before(() => {
    refs = pythonJson<Ref[]>(`
import torch, json
torch.manual_seed(0)
out = []
def run(name, T, S, H, d, causal=False, additive=False):
    E = H * d
    q = torch.randn(T, E, dtype=torch.float64); k = torch.randn(S, E, dtype=torch.float64); v = torch.randn(S, E, dtype=torch.float64)
    mha = torch.nn.MultiheadAttention(E, H, bias=False, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([torch.eye(E, dtype=torch.float64)] * 3))
        mha.out_proj.weight.copy_(torch.eye(E, dtype=torch.float64))
    mask = None
    if causal: mask = torch.triu(torch.ones(T, S, dtype=torch.bool), 1)
    if additive: mask = torch.randn(T, S, dtype=torch.float64) * 2; mask[0, 1] = float('-inf')
    o, w = mha(q[None], k[None], v[None], attn_mask=mask, need_weights=True, average_attn_weights=False)
    out.append(dict(name=name, q=q.flatten().tolist(), k=k.flatten().tolist(), v=v.flatten().tolist(), T=T, S=S, E=E, H=H,
        mask=[None if x == float('-inf') else x for x in mask.flatten().tolist()] if additive else None, causal=causal, weights=w[0].flatten().tolist(), output=o[0].flatten().tolist()))
run('1 head', 7, 9, 1, 5)
run('4 heads', 6, 11, 4, 3)
run('4 heads causal', 10, 10, 4, 4, causal=True)
run('2 heads additive', 5, 8, 2, 6, additive=True)
print(json.dumps(out))
`);
  });

  function check(r: Ref, res: ReturnType<typeof attention>, weights: boolean): void {
    if (weights) {
      assert.equal(res.weights!.length, r.weights.length);
      for (let i = 0; i < r.weights.length; i++)
        assert.ok(Math.abs(res.weights![i] - r.weights[i]) <= 1e-12, `${r.name}: weight ${i}`);
      for (const s of res.rowSums!) assert.ok(Math.abs(s - 1) <= 1e-12);
    }
    for (let i = 0; i < r.output.length; i++)
      assert.ok(Math.abs(res.output![i] - r.output[i]) <= 1e-12, `${r.name}: output ${i}`);
    // entropy per query from the reference weights
    for (let h = 0; h < r.H; h++)
      for (let t = 0; t < r.T; t++) {
        let e = 0;
        for (let j = 0; j < r.S; j++) {
          const p = r.weights[(h * r.T + t) * r.S + j];
          if (p > 0) e -= p * Math.log(p);
        }
        assert.ok(
          Math.abs(res.entropy[h * r.T + t] - e) <= 1e-10,
          `${r.name}: entropy h${h} t${t}`,
        );
      }
  }

  it('[T, H·d] inputs: weights [H, T, S], merged output, entropy; exact and streaming paths', () => {
    for (const r of refs) {
      const opts = {
        heads: r.H,
        causal: r.causal,
        mask: r.mask ? { shape: [r.T, r.S], data: r.mask.map((x) => x ?? -Infinity) } : undefined,
      };
      const q = { shape: [r.T, r.E], data: r.q };
      const k = { shape: [r.S, r.E], data: r.k };
      const v = { shape: [r.S, r.E], data: r.v };
      const full = attention(q, k, v, opts);
      assert.deepEqual(full.outputShape, [r.T, r.E]);
      check(r, full, true);
      const stream = attention(q, k, v, { ...opts, weights: false });
      assert.equal(stream.weights, undefined);
      check(r, stream, false);
    }
  });

  it('[H, T, d] inputs give the same per-head result', () => {
    const r = refs.find((x) => x.name === '4 heads causal')!;
    const d = r.E / r.H;
    const to3 = (x: number[], T: number) => {
      const out: number[] = new Array(x.length);
      for (let h = 0; h < r.H; h++)
        for (let t = 0; t < T; t++)
          for (let c = 0; c < d; c++) out[(h * T + t) * d + c] = x[t * r.E + h * d + c];
      return out;
    };
    const res = attention(
      { shape: [r.H, r.T, d], data: to3(r.q, r.T) },
      { shape: [r.H, r.S, d], data: to3(r.k, r.S) },
      { shape: [r.H, r.S, d], data: to3(r.v, r.S) },
      { causal: true },
    );
    assert.deepEqual(res.outputShape, [r.H, r.T, d]);
    for (let i = 0; i < r.weights.length; i++)
      assert.ok(Math.abs(res.weights![i] - r.weights[i]) <= 1e-12);
    const out3 = to3(r.output, r.T);
    for (let i = 0; i < out3.length; i++) assert.ok(Math.abs(res.output![i] - out3[i]) <= 1e-12);
  });

  it('rejects mismatched shapes and non-finite values', () => {
    assert.throws(
      () =>
        attention(
          { shape: [3, 4], data: new Array(12).fill(0) },
          { shape: [3, 6], data: new Array(18).fill(0) },
          undefined,
        ),
      /head size/,
    );
    assert.throws(
      () =>
        attention(
          { shape: [3, 4], data: new Array(12).fill(0) },
          { shape: [3, 4], data: new Array(12).fill(0) },
          undefined,
          { heads: 3 },
        ),
      /divisible/,
    );
    assert.throws(
      () =>
        attention({ shape: [1, 2], data: [NaN, 1] }, { shape: [1, 2], data: [0, 1] }, undefined),
      /1 NaN and 0 Inf/,
    );
  });
});
