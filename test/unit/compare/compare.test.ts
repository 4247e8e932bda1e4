/**
 * A vs B: Δ statistics and allclose against NumPy's isclose/assert_allclose definitions,
 * ranks of constructed ΔW = P·Q exactly r (float64 and float32 storage), principal angles
 * against the same formula in NumPy, and two PyTorch checkpoints through `matrix-lens compare`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareArrays } from '../../../src/core/compare/compareArrays';
import { openArrayFile } from '../../../src/core/formats/open';
import { MemorySource } from '../../../src/core/io/source';
import { buildCli, runCli } from '../../helpers/cli';
import { pythonJson, tempDir } from '../../helpers/python';

const load = async (path: string, name?: string) => {
  const f = await openArrayFile(path, new MemorySource(new Uint8Array(readFileSync(path))));
  return (name === undefined ? f.entries[0] : f.entries.find((e) => e.name === name)!).load();
};

interface Ref {
  allclose: boolean;
  first: number[] | null;
  maxAbs: number;
  maxRel: number;
  changed: number;
  mismatched: number;
}

describe('compare: A vs B and checkpoint diffs', function () {
  this.timeout(120_000);
  const dir = tempDir('matrix-lens-compare-');
  let cli: string;
  let ref: Record<string, Ref> & {
    rank: { r: number; rank99: number; angles: number[] };
    ck: Record<string, Ref & { relFro: number; rank: number | null }>;
  };

  before(() => {
    cli = buildCli(dir);
    ref = pythonJson(
      `
import numpy as np, json, sys, os, torch, collections
d = sys.argv[1]
rng = np.random.default_rng(8)
def rep(a, b, rtol=1e-5, atol=1e-8):
    a = a.astype(np.float64); b = b.astype(np.float64)
    close = np.isclose(a, b, rtol=rtol, atol=atol)
    fin = np.isfinite(a) & np.isfinite(b)
    err = np.abs(a - b)[fin]; bb = np.abs(b)[fin]
    return dict(allclose=bool(np.allclose(a, b, rtol=rtol, atol=atol)),
        first=[int(i) for i in np.argwhere(~close)[0]] if (~close).any() else None,
        maxAbs=float(err.max()) if err.size else 0.0, maxRel=float((err[bb > 0] / bb[bb > 0]).max()) if (bb > 0).any() else 0.0,
        changed=int((~((a == b) | (np.isnan(a) & np.isnan(b)))).sum()), mismatched=int((~close).sum()))
out = {}
a = rng.standard_normal((6, 5)); b = a.copy(); b[2, 3] += 1e-3; b[4, 1] *= 1 + 1e-7; b[5, 4] = 0.0
np.save(os.path.join(d, 'a.npy'), a); np.save(os.path.join(d, 'b.npy'), b)
out['ab'] = rep(a, b)
out['ab_loose'] = rep(a, b, rtol=1e-2, atol=1e-1)
c = a.copy(); c[1, 1] = np.nan; c[3, 2] = np.inf; e = a.copy(); e[3, 2] = np.inf
np.save(os.path.join(d, 'c.npy'), c); np.save(os.path.join(d, 'e.npy'), e)
out['ce'] = rep(c, e)
np.save(os.path.join(d, 'wide.npy'), rng.standard_normal((5, 6)))
# a LoRA-like update: W1 = W0 + P Q with rank r
r = 5
w0 = rng.standard_normal((64, 48)); dw = rng.standard_normal((64, r)) @ rng.standard_normal((r, 48)) * 0.05
w1 = w0 + dw
np.save(os.path.join(d, 'w0.npy'), w0); np.save(os.path.join(d, 'w1.npy'), w1)
np.save(os.path.join(d, 'w0f.npy'), w0.astype(np.float32)); np.save(os.path.join(d, 'w1f.npy'), w1.astype(np.float32))
s = np.linalg.svd(w1 - w0, compute_uv=False); e2 = np.cumsum(s**2) / (s**2).sum()
k = 4
ua = np.linalg.svd(w0)[0][:, :k]; ub = np.linalg.svd(w1)[0][:, :k]
ang = np.sort(np.degrees(np.arccos(np.clip(np.linalg.svd(ua.T @ ub, compute_uv=False), -1, 1))))
out['rank'] = dict(r=int(np.linalg.matrix_rank(w1 - w0)), rank99=int(np.argmax(e2 >= 0.99) + 1), angles=ang.tolist())
# two checkpoints
sa = collections.OrderedDict(); sb = collections.OrderedDict()
sa['enc.w'] = torch.tensor(w0, dtype=torch.float32); sb['enc.w'] = torch.tensor(w1, dtype=torch.float32)
sa['enc.b'] = torch.ones(48); sb['enc.b'] = torch.ones(48)
sa['head'] = torch.zeros(3, 3); sb['head'] = torch.zeros(4, 3)
sa['old'] = torch.ones(2); sb['new'] = torch.ones(2)
torch.save(sa, os.path.join(d, 'A.pt')); torch.save(sb, os.path.join(d, 'B.pt'))
wa = sa['enc.w'].numpy().astype(np.float64); wb = sb['enc.w'].numpy().astype(np.float64)
ck = {'enc.w': dict(rep(wa, wb), relFro=float(np.linalg.norm(wb - wa) / np.linalg.norm(wa)), rank=r),
      'enc.b': dict(rep(np.ones(48), np.ones(48)), relFro=0.0, rank=None)}
out['ck'] = ck
print(json.dumps(out))
`,
      [dir],
    );
  });

  it('Δ statistics and allclose follow numpy.isclose / assert_allclose', async () => {
    for (const [x, y, key, rtol, atol] of [
      ['a', 'b', 'ab', 1e-5, 1e-8],
      ['a', 'b', 'ab_loose', 1e-2, 1e-1],
      ['c', 'e', 'ce', 1e-5, 1e-8],
    ] as const) {
      const c = compareArrays(
        await load(join(dir, `${x}.npy`)),
        await load(join(dir, `${y}.npy`)),
        {
          rtol,
          atol,
        },
      );
      const want = ref[key];
      const d = c.delta!;
      assert.equal(d.allclose, want.allclose, key);
      assert.deepEqual(d.firstMismatch, want.first, key);
      assert.equal(d.maxAbs, want.maxAbs, key);
      assert.ok(Math.abs(d.maxRel - want.maxRel) <= 1e-15 * want.maxRel, key);
      assert.equal(d.changed, want.changed, key);
      assert.equal(d.mismatched, want.mismatched, key);
    }
    const ce = compareArrays(await load(join(dir, 'c.npy')), await load(join(dir, 'e.npy')));
    assert.equal(ce.delta!.nanOnlyA, 1);
    assert.equal(ce.delta!.infOnlyA + ce.delta!.infOnlyB, 0); // Inf on both sides at [3, 2]
    assert.equal(ce.spectrum, undefined); // no SVD of non-finite values
  });

  it('ΔW = P·Q of rank r has rank exactly r (float64 and float32 storage); angles match NumPy', async () => {
    for (const sfx of ['', 'f']) {
      const c = compareArrays(
        await load(join(dir, `w0${sfx}.npy`)),
        await load(join(dir, `w1${sfx}.npy`)),
        { anglesK: 4 },
      );
      assert.equal(c.spectrum!.deltaRank, ref.rank.r, `rank (${sfx || 'f64'})`);
      assert.equal(c.spectrum!.deltaRank99, ref.rank.rank99);
      if (!sfx)
        c.angles!.left.forEach((t, i) =>
          assert.ok(Math.abs(t - ref.rank.angles[i]) < 1e-6, `θ${i}`),
        );
    }
    assert.equal(ref.rank.r, 5);
  });

  it('matrix-lens compare: arrays (exit 0/1), shape mismatch, and two checkpoints', () => {
    let r = runCli(cli, 'compare', join(dir, 'w0.npy'), join(dir, 'w1.npy'), '--json');
    assert.equal(r.status, 1, r.stderr);
    let j = JSON.parse(r.stdout);
    for (const key of [
      'shapeEqual',
      'maxAbs',
      'maxRel',
      'allclose',
      'firstMismatch',
      'changed',
      'deltaRank',
      'deltaRank99',
    ])
      assert.ok(key in j, key);
    assert.equal(j.deltaRank, 5);
    r = runCli(
      cli,
      'compare',
      join(dir, 'a.npy'),
      join(dir, 'b.npy'),
      '--rtol',
      '1e-2',
      '--atol',
      '10',
      '--json',
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).allclose, true);
    r = runCli(cli, 'compare', join(dir, 'a.npy'), join(dir, 'wide.npy'));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /shapes differ: \[6, 5\] vs \[5, 6\]/);
    r = runCli(cli, 'compare', join(dir, 'A.pt'), join(dir, 'B.pt'), '--json');
    assert.equal(r.status, 1, r.stderr);
    j = JSON.parse(r.stdout);
    assert.deepEqual(j.onlyA, ['old']);
    assert.deepEqual(j.onlyB, ['new']);
    assert.deepEqual(
      j.arrays.map((x: { name: string }) => x.name),
      ['enc.w', 'enc.b', 'head'],
    );
    for (const x of j.arrays.slice(0, 2)) {
      const want = ref.ck[x.name];
      assert.equal(x.allclose, want.allclose, x.name);
      assert.equal(x.maxAbs, want.maxAbs, x.name);
      assert.ok(Math.abs(x.relFro - want.relFro) <= 1e-12 * Math.max(1, want.relFro), x.name);
      assert.equal(x.deltaRank, want.rank, x.name);
    }
    assert.equal(j.arrays[2].shapeEqual, false);
    r = runCli(cli, 'compare', join(dir, 'A.pt'), join(dir, 'B.pt'));
    assert.match(r.stdout, /only in .*A\.pt: old/);
    assert.match(r.stdout, /enc\.w: .*NOT allclose/);
    assert.match(r.stdout, /rank of Δ 5; 99 % of/);
  });
});
