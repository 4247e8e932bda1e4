/**
 * The compare view inside the real extension host, on files NumPy, PyTorch and the
 * safetensors layout (written from NumPy) produce in this run: what the panel shows (verdict,
 * first offending index, max |Δ|, changed cells, NaN/Inf on one side, rank of ΔW, r99,
 * principal angles, Δ map range) against numpy.isclose/allclose and np.linalg.svd of
 * ΔW = P·Q built of rank exactly r; checkpoint tables of two .safetensors and two .pt files;
 * recompute with new tolerances; a table row opens that tensor's own comparison; the shape
 * check; and the explorer's two-file "Compare with…".
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompareOutcome } from '../../../src/extension/compareCommand';
import { api, closeAllEditors, python, sleep, workspaceDir } from './helpers';

interface Ref {
  ab: {
    allclose: boolean;
    first: number[] | null;
    mismatched: number;
    maxAbs: number;
    maxRel: number;
    changed: number;
    rank: number;
    rank99: number;
    sv: number[];
    angles: number[];
    looseAllclose: boolean;
  };
  cd: { nanOnlyB: number; infOnlyA: number; first: number[] };
  ck: Record<string, { maxAbs: number; relFro: number; rank: number | null; allclose: boolean }>;
  pt: Record<string, { maxAbs: number; rank: number | null }>;
}

function near(got: string | number, want: number, rel: number, what: string): void {
  const g = Number(got);
  assert.ok(Math.abs(g - want) <= rel * Math.abs(want) + 1e-300, `${what}: ${got} vs ${want}`);
}

describe('Matrix Lens compare view (inside the real extension host)', function () {
  this.timeout(180_000);
  let dir: vscode.Uri;
  let ref: Ref;
  const f = (name: string) => vscode.Uri.joinPath(dir, name);

  before(async () => {
    dir = vscode.Uri.joinPath(workspaceDir(), 'compare-view');
    await vscode.workspace.fs.createDirectory(dir);
    ref = JSON.parse(
      python(
        `
import numpy as np, json, struct, sys, os, torch, collections
d = sys.argv[1]
rng = np.random.default_rng(41)
def rep(x, y, rtol=1e-5, atol=1e-8):
    x = x.astype(np.float64); y = y.astype(np.float64)
    close = np.isclose(x, y, rtol=rtol, atol=atol); fin = np.isfinite(x) & np.isfinite(y)
    err = np.abs(y - x)[fin]; bb = np.abs(y)[fin]
    return dict(allclose=bool(np.allclose(x, y, rtol=rtol, atol=atol)),
        first=[int(i) for i in np.argwhere(~close)[0]] if (~close).any() else None, mismatched=int((~close).sum()),
        maxAbs=float(err.max()), maxRel=float((err[bb > 0] / bb[bb > 0]).max()),
        changed=int((~((x == y) | (np.isnan(x) & np.isnan(y)))).sum()))
# A vs B: B = A + P Q with rank exactly 3
r = 3
a = rng.standard_normal((60, 40)); dw = rng.standard_normal((60, r)) @ rng.standard_normal((r, 40)) * 1e-3
b = a + dw
np.save(os.path.join(d, 'a.npy'), a); np.save(os.path.join(d, 'b.npy'), b)
ab = rep(a, b)
s = np.linalg.svd(b - a, compute_uv=False); e = np.cumsum(s**2) / (s**2).sum()
k = 8
ua = np.linalg.svd(a)[0][:, :k]; ub = np.linalg.svd(b)[0][:, :k]
ab.update(rank=int(np.linalg.matrix_rank(b - a)), rank99=int(np.argmax(e >= 0.99) + 1), sv=s.tolist(),
    angles=np.sort(np.degrees(np.arccos(np.clip(np.linalg.svd(ua.T @ ub, compute_uv=False), -1, 1)))).tolist(),
    looseAllclose=bool(np.allclose(a, b, rtol=0, atol=0.1)))
np.save(os.path.join(d, 'wide.npy'), rng.standard_normal((40, 60)))
# NaN only in B, Inf only in A
c = rng.standard_normal(50).astype(np.float32); e2 = c.copy(); e2[7] = np.nan; c[30] = np.inf
np.save(os.path.join(d, 'c.npy'), c); np.save(os.path.join(d, 'd.npy'), e2)
cd = dict(nanOnlyB=1, infOnlyA=1, first=[7])
# two safetensors checkpoints
def save(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        by = np.ascontiguousarray(t).tobytes()
        header[name] = dict(dtype={'float32': 'F32', 'float16': 'F16'}[str(t.dtype)], shape=list(t.shape), data_offsets=[off, off + len(by)])
        blobs.append(by); off += len(by)
    h = json.dumps(header).encode()
    with open(path, 'wb') as fh: fh.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
w0 = rng.standard_normal((64, 48)).astype(np.float32)
w1 = (w0 + rng.standard_normal((64, 2)) @ rng.standard_normal((2, 48)) * 0.01).astype(np.float32)
q0 = rng.standard_normal((32, 32)).astype(np.float32); q1 = q0.copy(); q1[5, 9] += 0.5
e0 = rng.standard_normal(100).astype(np.float16); e1 = e0.copy(); e1[3] = np.float16(2.0)
A = {'layer.0.w': w0, 'layer.0.q': q0, 'emb': e0, 'bias': np.ones(48, np.float32), 'shape': np.zeros((3, 4), np.float32), 'dropped': np.ones(2, np.float32)}
B = {'layer.0.w': w1, 'layer.0.q': q1, 'emb': e1, 'bias': np.ones(48, np.float32), 'shape': np.zeros((4, 3), np.float32), 'added': np.ones(2, np.float32)}
save(os.path.join(d, 'ckA.safetensors'), A); save(os.path.join(d, 'ckB.safetensors'), B)
def row(x, y, rank):
    x = x.astype(np.float64); y = y.astype(np.float64)
    return dict(maxAbs=float(np.abs(y - x).max()), relFro=float(np.linalg.norm(y - x) / np.linalg.norm(x)), rank=rank, allclose=bool(np.allclose(x, y)))
ck = {'layer.0.w': row(w0, w1, 2), 'layer.0.q': row(q0, q1, 1), 'emb': row(e0, e1, None), 'bias': row(A['bias'], B['bias'], None)}
# two torch.save state dicts
sa = collections.OrderedDict(); sb = collections.OrderedDict()
sa['fc.weight'] = torch.tensor(w0); sb['fc.weight'] = torch.tensor(w1)
sa['fc.bias'] = torch.zeros(64); sb['fc.bias'] = torch.full((64,), 0.25)
torch.save(sa, os.path.join(d, 'A.pt')); torch.save(sb, os.path.join(d, 'B.pt'))
pt = {'fc.weight': dict(maxAbs=ck['layer.0.w']['maxAbs'], rank=2), 'fc.bias': dict(maxAbs=0.25, rank=None)}
# two members of one .npz
np.savez(os.path.join(d, 'pair.npz'), before=a, after=b)
print(json.dumps(dict(ab=ab, cd=cd, ck=ck, pt=pt)))
`,
        dir.fsPath,
      ),
    ) as Ref;
    await api();
  });
  afterEach(closeAllEditors);

  it('registers Compare Arrays… and Compare with… (explorer, two array files)', async () => {
    const cmds = await vscode.commands.getCommands(true);
    assert.ok(cmds.includes('matrixLens.compareArrays'));
    assert.ok(cmds.includes('matrixLens.compareWith'));
    const pkg = vscode.extensions.getExtension('matrix-lens.matrix-lens')!.packageJSON as {
      contributes: { menus: Record<string, { command: string; when?: string }[]> };
    };
    const item = pkg.contributes.menus['explorer/context'].find(
      (m) => m.command === 'matrixLens.compareWith',
    );
    assert.ok(item?.when?.includes('safetensors'));
  });

  it('A vs B: the verdict, Δ statistics, rank of ΔW = P·Q, r99 and angles match NumPy', async () => {
    const out = await vscode.commands.executeCommand<CompareOutcome>('matrixLens.compareArrays', {
      a: f('a.npy'),
      b: f('b.npy'),
    });
    assert.equal(out.state, 'done', out.message);
    assert.equal(out.kind, 'arrays');
    const r = out.report!;
    assert.equal(r.state, 'arrays', r.message);
    const want = ref.ab;
    assert.equal(want.allclose, false);
    assert.match(
      r.fields.verdict,
      new RegExp(`^no — first at \\[${want.first!.join(', ')}\\]; ${want.mismatched} of 2400`),
    );
    near(r.fields.maxAbs, want.maxAbs, 1e-5, 'max |Δ|');
    near(r.fields.maxRel, want.maxRel, 1e-5, 'max rel');
    assert.match(r.fields.changed, new RegExp(`^${want.changed} of 2400 `));
    assert.equal(r.fields.nonFinite, 'none');
    assert.equal(want.rank, 3);
    assert.equal(r.fields.deltaRank, '3');
    assert.equal(r.fields.deltaRank99, `r = ${want.rank99}`);
    assert.equal(r.svPoints, 40);
    r.angles!.forEach((t, i) => near(t, want.angles[i], 1e-3, `θ${i}`));
    assert.equal(r.angles!.length, 8);
    // the map's range is symmetric about zero, ±max |Δ|
    assert.equal(r.heatmap!.lo, -r.heatmap!.hi);
    near(r.heatmap!.hi, want.maxAbs, 1e-6, 'map range');
    assert.deepEqual([r.heatmap!.rows, r.heatmap!.cols], [60, 40]);
    // exact numbers from the same worker call the panel uses
    const w = (await api()).worker;
    const res = await w.call('compareView', {
      a: { source: { path: f('a.npy').fsPath } },
      b: { source: { path: f('b.npy').fsPath } },
      maxBytes: 1 << 30,
      maxSide: 512,
      rtol: 1e-5,
      atol: 1e-8,
      k: 8,
    });
    const c = res.comparison;
    assert.equal(c.delta!.maxAbs, want.maxAbs);
    assert.deepEqual(c.delta!.firstMismatch, want.first);
    c.spectrum!.singularValues.slice(0, 3).forEach((s, i) => near(s, want.sv[i], 1e-10, `σ${i}`));
  });

  it('recompute with looser tolerances turns the verdict to allclose', async () => {
    const out = await vscode.commands.executeCommand<CompareOutcome>('matrixLens.compareArrays', {
      a: f('a.npy'),
      b: f('b.npy'),
    });
    const view = out.view!;
    await view.drive({ type: 'recompute', tolerances: { rtol: 0, atol: 0.1, k: 4 } });
    const r = await view.waitReport((x) => x.state === 'arrays' && x.angles?.length === 4);
    assert.ok(ref.ab.looseAllclose);
    assert.match(r!.fields.verdict, /^yes/);
    assert.match(Object.keys(r!.fields).join(','), /verdict/);
  });

  it('NaN and Inf on one side only are counted and the first offending index named', async () => {
    const out = await vscode.commands.executeCommand<CompareOutcome>('matrixLens.compareArrays', {
      a: f('c.npy'),
      b: f('d.npy'),
    });
    const r = out.report!;
    assert.equal(r.state, 'arrays', r.message);
    assert.equal(r.fields.nonFinite, 'NaN only in A 0, only in B 1; Inf only in A 1, only in B 0');
    assert.match(r.fields.verdict, /^no — first at \[7\]; 2 of 50/);
    assert.equal(r.fields.deltaRank, undefined); // a vector has no ΔW spectrum
    assert.deepEqual([r.heatmap!.rows, r.heatmap!.cols], [1, 50]);
  });

  it('shapes that differ are said in one line, with nothing else compared', async () => {
    const out = await vscode.commands.executeCommand<CompareOutcome>('matrixLens.compareArrays', {
      a: f('a.npy'),
      b: f('wide.npy'),
    });
    const r = out.report!;
    assert.equal(r.state, 'arrays');
    assert.match(r.message!, /^shapes differ: \[60, 40\] vs \[40, 60\]: A is float64\[60, 40\]/);
    assert.equal(r.heatmap, undefined);
    assert.equal(r.svPoints, undefined);
  });

  it('two members of one .npz compare as arrays', async () => {
    const out = await vscode.commands.executeCommand<CompareOutcome>('matrixLens.compareArrays', {
      a: { uri: f('pair.npz'), member: 'before' },
      b: { uri: f('pair.npz'), member: 'after' },
    });
    assert.equal(out.kind, 'arrays');
    assert.equal(out.report!.fields.deltaRank, '3');
    near(out.report!.fields.maxAbs, ref.ab.maxAbs, 1e-5, 'max |Δ|');
  });

  it('two .safetensors checkpoints: a sortable table of shared tensors; one-sided tensors listed; a row opens its comparison', async () => {
    const api_ = await api();
    const out = await vscode.commands.executeCommand<CompareOutcome>('matrixLens.compareArrays', {
      a: f('ckA.safetensors'),
      b: f('ckB.safetensors'),
    });
    assert.equal(out.state, 'done', out.message);
    assert.equal(out.kind, 'checkpoints');
    const r = out.report!;
    assert.equal(r.state, 'checkpoints', r.message);
    assert.deepEqual(r.table!.onlyA, ['dropped']);
    assert.deepEqual(r.table!.onlyB, ['added']);
    assert.equal(r.fields.shared, '5');
    // default order: largest relative Frobenius change first
    const rel = Object.entries(ref.ck).sort((x, y) => y[1].relFro - x[1].relFro);
    assert.deepEqual(
      r.table!.names.slice(0, 4),
      rel.map(([n]) => n),
    );
    assert.equal(r.table!.sort, 'relFro desc');
    // the numbers behind the table, from the same worker call
    const diff = await api_.worker.call('compareCheckpointFiles', {
      a: { path: f('ckA.safetensors').fsPath },
      b: { path: f('ckB.safetensors').fsPath },
      maxBytes: 1 << 30,
      rtol: 1e-5,
      atol: 1e-8,
    });
    for (const row of diff.rows.filter((x) => x.name in ref.ck)) {
      const want = ref.ck[row.name];
      assert.equal(row.delta!.maxAbs, want.maxAbs, row.name);
      near(row.relFro!, want.relFro, 1e-12, `${row.name} relFro`);
      assert.equal(row.spectrum?.deltaRank ?? null, want.rank, row.name);
      assert.equal(row.delta!.allclose, want.allclose, row.name);
    }
    assert.match(diff.rows.find((x) => x.name === 'shape')!.message!, /shapes differ/);
    // a row's click opens that tensor's compare panel
    const before = api_.compare.views.length;
    await out.view!.drive({ type: 'openRow', name: 'layer.0.w' });
    let opened = api_.compare.views[before];
    for (let i = 0; i < 100 && !opened; i++) {
      await sleep(100);
      opened = api_.compare.views[before];
    }
    assert.ok(opened, 'a view opened for the row');
    assert.equal(opened.kind, 'arrays');
    const rr = await opened.waitReport((x) => x.state === 'arrays');
    assert.equal(rr!.fields.deltaRank, '2');
    near(rr!.fields.maxAbs, ref.ck['layer.0.w'].maxAbs, 1e-5, 'row max |Δ|');
  });

  it('two PyTorch .pt state dicts compare as checkpoints (explorer: two selected files)', async () => {
    const out = await vscode.commands.executeCommand<CompareOutcome>(
      'matrixLens.compareWith',
      f('A.pt'),
      [f('A.pt'), f('B.pt')],
    );
    assert.equal(out.state, 'done', out.message);
    assert.equal(out.kind, 'checkpoints');
    const r = out.report!;
    assert.deepEqual(r.table!.names.slice().sort(), ['fc.bias', 'fc.weight']);
    assert.deepEqual(r.table!.onlyA, []);
    assert.equal(r.fields.notClose, '2');
  });
});
