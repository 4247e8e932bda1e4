/**
 * Attention-weight diagnostics and pooling against NumPy/PyTorch: weights are written by
 * torch.softmax (causal and not, float32 and float64, square and T ≠ S), the references
 * (mean row entropy per head, max |row sum − 1|, largest weight above the diagonal, block
 * max-pooling) by NumPy in the same run. Tolerances: entropy 1e-9 relative (float64 sums over
 * the same float32 values), pooled values exact (a max picks one stored value).
 */
import assert from 'node:assert/strict';
import { pythonJson } from '../../helpers/python';
import {
  attentionDiagnostics,
  describeCausal,
  describeRowSums,
} from '../../../src/core/attention/diagnostics';
import {
  attentionLayout,
  headLabel,
  poolHead,
  poolTiles,
} from '../../../src/core/attention/weights';

interface Case {
  name: string;
  shape: number[];
  dtype: 'float32' | 'float64';
  w: number[];
  entropy: number[];
  rowDev: number[];
  failing: number[];
  above: number[];
  aboveAt: [number, number][];
  pooled: {
    head: number;
    maxCells: number;
    step: number;
    rows: number;
    cols: number;
    values: number[];
  };
}

describe('attention diagnostics vs NumPy/PyTorch', function () {
  this.timeout(60_000);
  let cases: Case[];
  before(() => {
    cases = pythonJson<Case[]>(`
import json, numpy as np, torch
torch.manual_seed(0)
def case(name, shape, causal, dtype, broken=False):
    T, S = shape[-2], shape[-1]
    s = torch.randn(*shape, dtype=torch.float64) * 2
    if causal:
        s = s.masked_fill(torch.triu(torch.ones(T, S, dtype=torch.bool), 1), float('-inf'))
    w = torch.softmax(s, -1).to(dtype).numpy().copy()
    g = w.reshape(-1, T, S)
    if broken:
        g[0, 1, :] *= 0.5          # a row that sums to 0.5
        g[-1, 0, S - 1] = 0.25     # weight on a later key
    w64 = g.astype(np.float64)
    with np.errstate(divide='ignore', invalid='ignore'):
        ent = -np.where(w64 > 0, w64 * np.log(w64), 0).sum(-1).mean(-1)
    dev = np.abs(w64.sum(-1) - 1)
    tol = 1e-4 if dtype == torch.float32 else 1e-9
    up = np.triu(w64, 1)
    at = [list(np.unravel_index(np.argmax(u), u.shape)) for u in up]
    # block max-pool of the last head with square steps
    head = len(g) - 1; step = 3
    x = w64[head]
    R, C = -(-T // step), -(-S // step)
    pad = np.full((R * step, C * step), -np.inf); pad[:T, :S] = x
    pooled = pad.reshape(R, step, C, step).max(axis=(1, 3))
    return dict(name=name, shape=list(shape), dtype='float32' if dtype == torch.float32 else 'float64',
        w=g.astype(np.float64).ravel().tolist(), entropy=ent.tolist(), rowDev=dev.max(-1).tolist(),
        failing=(dev > tol).sum(-1).tolist(), above=up.max(axis=(1, 2)).tolist(), aboveAt=[[int(a), int(b)] for a, b in at],
        pooled=dict(head=head, maxCells=R * C, step=step, rows=R, cols=C, values=pooled.ravel().tolist()))
print(json.dumps([
  case('causal [2, 3, 17, 17] float32', (2, 3, 17, 17), True, torch.float32),
  case('full [4, 11, 23] float64', (4, 11, 23), False, torch.float64),
  case('causal broken [2, 1, 2, 9, 9] float32', (2, 1, 2, 9, 9), True, torch.float32, True),
  case('2-D [13, 7] float32', (13, 7), False, torch.float32),
]))
`);
  });

  it('mean entropy per head matches NumPy; row sums and causal checks find what NumPy finds', () => {
    for (const c of cases) {
      const w = c.dtype === 'float32' ? Float32Array.from(c.w) : Float64Array.from(c.w);
      const d = attentionDiagnostics(w, c.shape, c.dtype);
      assert.equal(d.heads.length, c.entropy.length, c.name);
      d.heads.forEach((h, g) => {
        assert.ok(
          Math.abs(h.entropy - c.entropy[g]) <= 1e-9 * Math.abs(c.entropy[g]) + 1e-12,
          `${c.name} head ${g}: ${h.entropy} vs ${c.entropy[g]}`,
        );
        assert.ok(Math.abs(h.rowSumMaxDeviation - c.rowDev[g]) <= 1e-12, `${c.name} row dev ${g}`);
        assert.equal(h.failingRows, c.failing[g], `${c.name} failing rows, head ${g}`);
        assert.equal(h.causalMaxAbove, c.above[g], `${c.name} above diagonal, head ${g}`);
        if (c.above[g] > 0) assert.deepEqual(h.causalWorst, c.aboveAt[g]);
      });
      assert.ok(Math.abs(d.maxEntropy - Math.log(c.shape[c.shape.length - 1])) < 1e-15);
    }
  });

  it('says what it found, in words', () => {
    const [causal, full, broken] = cases.map((c) =>
      attentionDiagnostics(
        c.dtype === 'float32' ? Float32Array.from(c.w) : Float64Array.from(c.w),
        c.shape,
        c.dtype,
      ),
    );
    const lab = (d: ReturnType<typeof attentionDiagnostics>) => (g: number) =>
      headLabel(d.layout, g);
    assert.match(describeRowSums(causal, lab(causal)), /^Rows sum to 1: all 102 rows within 1e-4/);
    assert.match(describeCausal(causal, lab(causal)), /^Causal mask holds/);
    assert.equal(causal.causal.holds, true);
    assert.equal(full.causal.holds, false);
    assert.match(describeCausal(full, lab(full)), /^Not causal: 4 of 4 heads/);
    // row 1 of the first head halved; row 0 of the last head gained 0.25 on a later key
    assert.equal(broken.rowSums.failingRows, 2);
    assert.deepEqual(broken.rowSums.worst, { head: 0, row: 1 });
    assert.match(
      describeRowSums(broken, lab(broken)),
      /^Rows do not sum to 1: 2 of 36 rows in 2 heads .* the worst is L0·B0·H0 query 1 \(max \|Σⱼ wᵢⱼ − 1\| = 0\.5\)/,
    );
    assert.equal(
      describeCausal(broken, lab(broken)),
      'Not causal: 1 of 4 heads put weight on later keys; the largest is 0.25 at L1·B0·H1 query 0 → key 8.',
    );
  });

  it('max-pools a head like NumPy block max, and tiles every head of a (layer, batch)', () => {
    for (const c of cases) {
      const w = Float64Array.from(c.w);
      const l = attentionLayout(c.shape);
      const p = poolHead(w, l, c.pooled.head, c.pooled.maxCells);
      assert.equal(p.rowStep, c.pooled.step, c.name);
      assert.deepEqual([p.rows, p.cols], [c.pooled.rows, c.pooled.cols]);
      assert.deepEqual(
        Array.from(p.values),
        c.pooled.values.map((x) => Math.fround(x)),
      );
      // full resolution when it fits; a window is the exact sub-block
      const full = poolHead(w, l, 0, 1 << 20, { row0: 1, row1: 4, col0: 2, col1: 6 });
      assert.equal(full.rowStep, 1);
      const S = l.keys;
      const T = l.queries;
      assert.deepEqual(
        Array.from(full.values),
        [1, 2, 3].flatMap((i) => [2, 3, 4, 5].map((j) => Math.fround(c.w[i * S + j]))),
      );
      const t = poolTiles(w, l, l.layers - 1, l.batches - 1, 4);
      assert.equal(t.heads, l.heads);
      assert.equal(t.values.length, l.heads * t.rows * t.cols);
      assert.ok(t.rows <= 4 && t.cols <= 4);
      // each tile's max is its head's max
      for (let h = 0; h < l.heads; h++) {
        const g = ((l.layers - 1) * l.batches + l.batches - 1) * l.heads + h;
        const want = Math.fround(Math.max(...c.w.slice(g * T * S, (g + 1) * T * S)));
        assert.equal(t.max[h], want);
      }
    }
  });

  it('refuses shapes that are not attention weights with one line', () => {
    assert.throws(() => attentionLayout([5]), /must be \[T, S\], .*got 1-D shape \[5\]/);
    assert.throws(() => attentionLayout([1, 2, 3, 4, 5, 6]), /got 6-D/);
    assert.throws(() => attentionLayout([3, 0]), /empty/);
  });
});
