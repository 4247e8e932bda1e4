/**
 * Checkpoint comparison streams: two safetensors checkpoints (written from NumPy following the
 * format) compared tensor by tensor without any read larger than a piece, with results equal
 * to NumPy's (isclose, ‖Δ‖_F/‖A‖_F, matrix_rank of ΔW = P·Q built of rank exactly r) and to the
 * whole-array comparison; and a .npz opens with one read of its ZIP central directory.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareCheckpoints, compareEntries } from '../../../src/core/compare/checkpointDiff';
import { compareArrays } from '../../../src/core/compare/compareArrays';
import { openArrayFile } from '../../../src/core/formats/open';
import { ByteSource, MemorySource } from '../../../src/core/io/source';
import { pythonJson, tempDir } from '../../helpers/python';

/** A file in memory that records every read. */
class CountingSource implements ByteSource {
  readonly reads: { offset: number; length: number }[] = [];
  private readonly inner: MemorySource;
  constructor(path: string) {
    this.inner = new MemorySource(new Uint8Array(readFileSync(path)));
  }
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push({ offset, length });
    return this.inner.read(offset, length);
  }
}

interface Want {
  allclose: boolean;
  first: number[] | null;
  maxAbs: number;
  changed: number;
  relFro: number;
  rank: number | null;
  nanOnlyB: number;
}

describe('compare: checkpoints streamed tensor by tensor', function () {
  this.timeout(120_000);
  const dir = tempDir('matrix-lens-ckstream-');
  let ref: { want: Record<string, Want>; r: number; cd: { offset: number; size: number } };

  before(() => {
    ref = pythonJson(
      `
import numpy as np, json, struct, sys, os, zipfile
d = sys.argv[1]
rng = np.random.default_rng(14)
def save(path, tensors):
    header, blobs, off = {}, [], 0
    for name, a in tensors.items():
        b = np.ascontiguousarray(a).tobytes()
        header[name] = dict(dtype={'float32': 'F32', 'float16': 'F16', 'float64': 'F64'}[str(a.dtype)], shape=list(a.shape), data_offsets=[off, off + len(b)])
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode()
    with open(path, 'wb') as f: f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
r = 3
w0 = rng.standard_normal((300, 200)).astype(np.float32)
dw = (rng.standard_normal((300, r)) @ rng.standard_normal((r, 200)) * 0.01).astype(np.float32)
w1 = w0 + dw
v0 = rng.standard_normal(5000).astype(np.float16); v1 = v0.copy(); v1[4321] = np.float16(7.0)
n0 = rng.standard_normal((20, 30)); n1 = n0.copy(); n1[7, 11] = np.nan
a = {'w': w0, 'v': v0, 'n': n0, 'same': w0[:10], 'shape': np.zeros((3, 4), np.float32), 'onlyA': np.ones(2, np.float32)}
b = {'w': w1, 'v': v1, 'n': n1, 'same': w0[:10].copy(), 'shape': np.zeros((4, 3), np.float32), 'onlyB': np.ones(2, np.float32)}
save(os.path.join(d, 'a.safetensors'), a); save(os.path.join(d, 'b.safetensors'), b)
def rep(x, y, rank):
    x = x.astype(np.float64); y = y.astype(np.float64)
    close = np.isclose(x, y); fin = np.isfinite(x) & np.isfinite(y)
    return dict(allclose=bool(close.all()), first=[int(i) for i in np.argwhere(~close)[0]] if (~close).any() else None,
        maxAbs=float(np.abs(y - x)[fin].max()), changed=int((~((x == y) | (np.isnan(x) & np.isnan(y)))).sum()),
        relFro=float(np.linalg.norm((y - x)[fin]) / np.linalg.norm(x[fin])), rank=rank,
        nanOnlyB=int((np.isnan(y) & ~np.isnan(x)).sum()))
want = {'w': rep(w0, w1, int(np.linalg.matrix_rank(w1.astype(np.float64) - w0.astype(np.float64), tol=1e-3))),
        'v': rep(v0, v1, None), 'n': rep(n0, n1, None), 'same': rep(w0[:10], w0[:10], 0)}
np.savez(os.path.join(d, 'z.npz'), p=np.arange(6.0), q=np.eye(3), big=np.zeros(60000))
z = zipfile.ZipFile(os.path.join(d, 'z.npz'))
print(json.dumps(dict(want=want, r=r, cd=dict(offset=z.start_dir, size=os.path.getsize(os.path.join(d, 'z.npz')) - 22 - z.start_dir))))
`,
      [dir],
    );
  });

  it('matches NumPy per tensor, lists one-sided tensors, and never reads more than a piece', async () => {
    const sa = new CountingSource(join(dir, 'a.safetensors'));
    const sb = new CountingSource(join(dir, 'b.safetensors'));
    const fa = await openArrayFile('a.safetensors', sa);
    const fb = await openArrayFile('b.safetensors', sb);
    const seen: string[] = [];
    const diff = await compareCheckpoints(fa.entries, fb.entries, {
      chunkBytes: 4096,
      onRow: (row, i, n) => seen.push(`${row.name} ${i + 1}/${n}`),
    });
    assert.deepEqual(diff.onlyA, ['onlyA']);
    assert.deepEqual(diff.onlyB, ['onlyB']);
    assert.equal(seen.length, 5);
    const rows = new Map(diff.rows.map((x) => [x.name, x]));
    assert.equal(rows.get('shape')!.shapeEqual, false);
    assert.match(rows.get('shape')!.message!, /shapes differ: \[3, 4\] vs \[4, 3\]/);
    for (const [name, want] of Object.entries(ref.want)) {
      const row = rows.get(name)!;
      const d = row.delta!;
      assert.equal(d.allclose, want.allclose, name);
      assert.deepEqual(d.firstMismatch, want.first, name);
      assert.equal(d.maxAbs, want.maxAbs, name);
      assert.equal(d.changed, want.changed, name);
      assert.equal(d.nanOnlyB, want.nanOnlyB, name);
      assert.ok(Math.abs(row.relFro! - want.relFro) <= 1e-12 * Math.max(1, want.relFro), name);
      assert.equal(row.spectrum?.deltaRank ?? null, want.rank, name);
    }
    assert.equal(ref.want.w.rank, ref.r);
    // 240 KB of 'w' on each side came in pieces of 4 KiB (the header is one read)
    const header = 8 + Number(new DataView((await sa.read(0, 8)).buffer).getBigUint64(0, true));
    for (const s of [sa, sb])
      for (const x of s.reads.filter((x) => x.offset >= header))
        assert.ok(x.length <= 4096, `read of ${x.length} bytes at ${x.offset}`);
  });

  it('a streamed pair equals the whole-array comparison', async () => {
    const fa = await openArrayFile('a', new MemorySource(readFileSync(join(dir, 'a.safetensors'))));
    const fb = await openArrayFile('b', new MemorySource(readFileSync(join(dir, 'b.safetensors'))));
    for (const name of ['w', 'v', 'n']) {
      const ea = fa.entries.find((e) => e.name === name)!;
      const eb = fb.entries.find((e) => e.name === name)!;
      const s = await compareEntries(ea, eb, { chunkBytes: 1000 });
      const w = compareArrays(await ea.load(), await eb.load());
      assert.deepEqual(s.delta, w.delta, name);
      assert.equal(s.spectrum?.deltaRank, w.spectrum?.deltaRank, name);
      assert.deepEqual(s.spectrum?.singularValues, w.spectrum?.singularValues, name);
    }
  });

  it('ΔW over the delta budget is compared without its spectrum', async () => {
    const fa = await openArrayFile('a', new MemorySource(readFileSync(join(dir, 'a.safetensors'))));
    const fb = await openArrayFile('b', new MemorySource(readFileSync(join(dir, 'b.safetensors'))));
    const [ea, eb] = [fa, fb].map((f) => f.entries.find((e) => e.name === 'w')!);
    const s = await compareEntries(ea, eb, { deltaBytes: 1 << 16 });
    assert.equal(s.spectrum, undefined);
    assert.equal(s.delta!.maxAbs, ref.want.w.maxAbs);
  });

  it('a .npz opens with one read of its central directory', async () => {
    const s = new CountingSource(join(dir, 'z.npz'));
    const f = await openArrayFile('z.npz', s);
    assert.deepEqual(f.entries.map((e) => e.name).sort(), ['big', 'p', 'q']);
    const { offset, size } = ref.cd;
    // the end-of-directory search reads the tail once; the directory itself is read once
    assert.equal(s.reads.filter((x) => x.offset + x.length === s.size).length, 1);
    const covering = s.reads.filter(
      (x) => x.offset <= offset && x.offset + x.length >= offset + size,
    );
    assert.ok(covering.length <= 2, JSON.stringify(s.reads));
  });
});
