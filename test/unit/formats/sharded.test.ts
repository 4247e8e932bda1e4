/**
 * Sharded safetensors checkpoints: an index.json and its shards (written from NumPy arrays
 * following the safetensors format) open as one model through `matrix-lens info` and
 * `compare`; values match NumPy's; bad weight maps are refused with one line.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildCli, runCli } from '../../helpers/cli';
import { pythonJson, tempDir } from '../../helpers/python';

describe('sharded safetensors index', function () {
  this.timeout(120_000);
  const dir = tempDir('matrix-lens-shards-');
  let cli: string;
  let ref: { names: string[]; maxAbs: number };

  before(() => {
    cli = buildCli(dir);
    ref = pythonJson(
      `
import numpy as np, json, struct, sys, os
d = sys.argv[1]
rng = np.random.default_rng(2)
def save(path, tensors):
    header, blobs, off = {}, [], 0
    for name, a in tensors.items():
        b = np.ascontiguousarray(a).tobytes()
        header[name] = dict(dtype={'float32': 'F32', 'float16': 'F16', 'int64': 'I64'}[str(a.dtype)], shape=list(a.shape), data_offsets=[off, off + len(b)])
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode()
    with open(path, 'wb') as f: f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
t = {'embed.weight': rng.standard_normal((10, 4)).astype(np.float32), 'layer.0.w': rng.standard_normal((4, 4)).astype(np.float32),
     'layer.1.w': rng.standard_normal((4, 4)).astype(np.float16), 'step': np.array([7], dtype=np.int64)}
def write(prefix, t):
    s1 = {k: t[k] for k in ['embed.weight', 'layer.0.w']}; s2 = {k: t[k] for k in ['layer.1.w', 'step']}
    save(os.path.join(d, prefix + '-00001-of-00002.safetensors'), s1); save(os.path.join(d, prefix + '-00002-of-00002.safetensors'), s2)
    wm = {k: prefix + ('-00001-of-00002.safetensors' if k in s1 else '-00002-of-00002.safetensors') for k in t}
    json.dump(dict(metadata=dict(total_size=sum(a.nbytes for a in t.values())), weight_map=wm), open(os.path.join(d, prefix + '.safetensors.index.json'), 'w'))
    return wm
write('a', t)
t2 = dict(t); t2['layer.0.w'] = t['layer.0.w'] + np.float32(0.5) * np.outer(np.arange(4), np.ones(4)).astype(np.float32)
write('b', t2)
wm = write('c', t)
bad = dict(wm); bad['layer.0.w'] = '../a-00001-of-00002.safetensors'
json.dump(dict(weight_map=bad), open(os.path.join(d, 'bad.safetensors.index.json'), 'w'))
missing = dict(wm); missing['ghost'] = 'c-00001-of-00002.safetensors'
json.dump(dict(weight_map=missing), open(os.path.join(d, 'missing.safetensors.index.json'), 'w'))
json.dump(dict(weight_map={'x': 'nowhere.safetensors'}), open(os.path.join(d, 'noshard.safetensors.index.json'), 'w'))
print(json.dumps(dict(names=list(t), maxAbs=float(np.abs(t2['layer.0.w'].astype(np.float64) - t['layer.0.w']).max()))))
`,
      [dir],
    );
  });

  it('lists every tensor across the shards as one model', () => {
    const r = runCli(cli, 'info', join(dir, 'a.safetensors.index.json'), '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.arrays.map((a: { name: string }) => a.name).sort(), [...ref.names].sort());
    const w = j.arrays.find((a: { name: string }) => a.name === 'layer.1.w');
    assert.equal(w.dtype, 'float16');
    assert.deepEqual(w.shape, [4, 4]);
  });

  it('compares two sharded checkpoints tensor by tensor', () => {
    const r = runCli(
      cli,
      'compare',
      join(dir, 'a.safetensors.index.json'),
      join(dir, 'b.safetensors.index.json'),
      '--json',
    );
    assert.equal(r.status, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    const rows = new Map(j.arrays.map((x: { name: string }) => [x.name, x]));
    const w = rows.get('layer.0.w') as { allclose: boolean; maxAbs: number; deltaRank: number };
    assert.equal(w.allclose, false);
    assert.equal(w.maxAbs, ref.maxAbs);
    assert.equal(w.deltaRank, 1);
    assert.equal((rows.get('embed.weight') as { allclose: boolean }).allclose, true);
    assert.equal(
      runCli(
        cli,
        'compare',
        join(dir, 'a.safetensors.index.json'),
        join(dir, 'c.safetensors.index.json'),
      ).status,
      0,
    );
  });

  it('refuses weight maps that leave the folder, name missing tensors or missing shards', () => {
    for (const [file, msg] of [
      ['bad', /names "\.\.\/a-00001-of-00002\.safetensors", not a file in the same folder/],
      ['missing', /puts 'ghost' in c-00001-of-00002\.safetensors, which has no such tensor/],
      ['noshard', /shard nowhere\.safetensors: cannot open/],
    ] as const) {
      const r = runCli(cli, 'info', join(dir, `${file}.safetensors.index.json`));
      assert.equal(r.status, 2, file);
      assert.match(r.stderr, msg);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});
