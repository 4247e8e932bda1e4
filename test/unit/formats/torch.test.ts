/**
 * PyTorch checkpoints: files written by the real torch.save (torch 1.13) in this run, read by
 * our restricted unpickler and compared byte for byte with the tensors' contiguous bytes as
 * NumPy dumps them; hostile pickles (code-running globals, refused opcodes, bad memo use,
 * deep nesting) are refused with one line and nothing they name runs.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { MemorySource } from '../../../src/core/io/source';
import { openArrayFile } from '../../../src/core/formats/open';
import { unpickle } from '../../../src/core/formats/pickle';
import { pythonJson } from '../../helpers/python';
import { tempDir } from '../../helpers/python';

interface Ref {
  name: string;
  dtype: string;
  shape: number[];
  hex: string;
}

const open = (path: string) =>
  openArrayFile(path, new MemorySource(new Uint8Array(readFileSync(path))));

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

describe('PyTorch checkpoints (restricted unpickler)', function () {
  this.timeout(120_000);
  const dir = tempDir('matrix-lens-torch-');
  let refs: { tensors: Ref[]; meta: Record<string, string>; hostile: [string, string][] };

  before(() => {
    refs = pythonJson(
      `
import sys, os, json, pickle, zipfile, collections, builtins
import numpy as np, torch
d = sys.argv[1]
torch.manual_seed(0)
sd = collections.OrderedDict()
for name, dt in [('f32', torch.float32), ('f64', torch.float64), ('f16', torch.float16), ('bf16', torch.bfloat16),
                 ('u8', torch.uint8), ('i8', torch.int8), ('i16', torch.int16), ('i32', torch.int32), ('i64', torch.int64),
                 ('c64', torch.complex64), ('c128', torch.complex128)]:
    x = torch.randn(3, 5, dtype=torch.float64) * 100
    if dt.is_complex: x = torch.complex(x, -x / 3)
    sd[name] = x.to(dt)
sd['f32'][0, 0] = float('nan'); sd['f32'][1, 1] = float('inf')
sd['b'] = torch.randn(4, 3) > 0
base = torch.arange(60, dtype=torch.float32).reshape(6, 10)
sd['base'] = base
sd['view_t'] = base.t()
sd['view_slice'] = base[1:5:2, 3:9]
sd['view_row'] = base[2]
sd['view_expand'] = base[:, 4:5].expand(6, 3)
sd['scalar'] = torch.tensor(2.5, dtype=torch.float64)
sd['empty'] = torch.zeros(0, 3)
sd['lin'] = torch.nn.Linear(4, 3).state_dict()
ck = {'model': {'enc': {'w': torch.randn(2, 3)}, 'param': torch.nn.Parameter(torch.randn(3))},
      'layers': [torch.ones(2), torch.full((2, 2), 7, dtype=torch.int32)], 'epoch': 3, 'name': 'run-1', 'sd': sd}
torch.save(ck, os.path.join(d, 'ck.pt'))
torch.save(sd, os.path.join(d, 'legacy.pt'), _use_new_zipfile_serialization=False)
tensors = []
def add(name, t):
    t = t.contiguous()
    raw = t.view(torch.int16).numpy() if t.dtype == torch.bfloat16 else t.numpy()
    tensors.append(dict(name=name, dtype=str(t.dtype).replace('torch.', ''), shape=list(t.shape), hex=np.ascontiguousarray(raw).tobytes().hex()))
def walk(v, name):
    if isinstance(v, torch.Tensor): add(name, v.detach())
    elif isinstance(v, dict):
        for k, x in v.items(): walk(x, (name + '.' if name else '') + str(k))
    elif isinstance(v, (list, tuple)):
        for i, x in enumerate(v): walk(x, name + '.' + str(i))
walk(ck, '')

# hostile pickles, each the data.pkl of an otherwise well-formed archive
sentinel = os.path.join(d, 'PWNED')
class Sys:
    def __reduce__(self): return (os.system, ('touch ' + sentinel,))
class Ev:
    def __reduce__(self): return (builtins.eval, ("open(%r, 'w')" % sentinel,))
class Plain: pass
deep = []
cur = deep
for i in range(200):
    nxt = []; cur.append(nxt); cur = nxt
P = b'\\x80\\x02'
hostile = [
  ('system', pickle.dumps({'w': Sys()}, protocol=2), 'refused pickle global .posix\\\\.system|os\\\\.system'),
  ('eval4', pickle.dumps(Ev(), protocol=4), "refused pickle global 'builtins\\\\.eval'"),
  ('plain-object', pickle.dumps(Plain(), protocol=2), "refused pickle global '__main__\\\\.Plain'"),
  ('getattr', P + b'cbuiltins\\ngetattr\\n.', "refused pickle global 'builtins\\\\.getattr'"),
  ('inst', b'(i__main__\\nPlain\\n.', 'refused pickle opcode INST'),
  ('obj', P + b'(ccollections\\nOrderedDict\\no.', 'refused pickle opcode OBJ'),
  ('newobj', P + b'ccollections\\nOrderedDict\\n)\\x81.', 'refused pickle opcode NEWOBJ'),
  ('newobj-ex', P + b'ccollections\\nOrderedDict\\n)}\\x92.', 'refused pickle opcode NEWOBJ_EX'),
  ('ext1', P + b'\\x82\\x01.', 'refused pickle opcode EXT1'),
  ('ext2', P + b'\\x83\\x01\\x00.', 'refused pickle opcode EXT2'),
  ('persid-text', b'P0\\n.', 'refused pickle opcode PERSID'),
  ('string-proto0', b"S'x'\\n.", 'refused pickle opcode STRING'),
  ('int-proto0', b'I1\\n.', 'refused pickle opcode INT'),
  ('reduce-on-string', P + b'X\\x01\\x00\\x00\\x00a)R.', 'refused pickle opcode REDUCE on a "a"'),
  ('reduce-bad-args', P + b'ctorch\\nSize\\nK\\x01\\x85R.', 'refused pickle call torch\\\\.Size'),
  ('build-on-list', P + b']}b.', 'refused pickle opcode BUILD on a list'),
  ('huge-memo', P + b']r\\xff\\xff\\xff\\xff.', 'memo index 4294967295 is out of range'),
  ('unset-memo', P + b'h\\x07.', 'memo index 7 was never set'),
  ('deep-marks', P + b'(' * 20000 + b'.', 'nests deeper than 10000 MARKs'),
  ('deep-lists', pickle.dumps(deep, protocol=2), 'nests deeper than 64 levels'),
  ('truncated', P + b'X\\xff\\xff\\x00\\x00ab', 'truncated inside BINUNICODE'),
  ('no-stop', P + b'N', 'ends without STOP'),
  ('bad-persid', P + b'X\\x03\\x00\\x00\\x00abcQ.', 'refused persistent id'),
]
out = []
for name, data, msg in hostile:
    with zipfile.ZipFile(os.path.join(d, 'h-' + name + '.pt'), 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', data)
    out.append([name, msg])
print(json.dumps(dict(tensors=tensors, meta={'epoch': '3', 'name': 'run-1'}, hostile=out)))
`,
      [dir],
    );
  });

  it('reads every dtype, views sharing a storage and nested dicts byte-exactly', async () => {
    const f = await open(join(dir, 'ck.pt'));
    assert.equal(f.format, 'pytorch');
    assert.deepEqual(
      f.entries.map((e) => e.name),
      refs.tensors.map((t) => t.name),
    );
    const dtypeName: Record<string, string> = {
      float: 'float32',
      double: 'float64',
      half: 'float16',
      long: 'int64',
      int: 'int32',
      short: 'int16',
      cfloat: 'complex64',
      cdouble: 'complex128',
    };
    for (const ref of refs.tensors) {
      const e = f.entries.find((x) => x.name === ref.name)!;
      assert.equal(e.dtype, dtypeName[ref.dtype] ?? ref.dtype, ref.name);
      assert.deepEqual(e.shape, ref.shape, ref.name);
      const raw = await e.load();
      assert.equal(hex(raw.bytes), ref.hex, ref.name);
      let streamed = '';
      for await (const p of e.chunks({ chunkBytes: 16 })) streamed += hex(p);
      assert.equal(streamed, ref.hex, `${ref.name} (chunks)`);
    }
    // the five views and the base share one storage
    const sharing = f.entries.filter((e) => e.name.startsWith('sd.view_') || e.name === 'sd.base');
    assert.equal(sharing.length, 5);
    assert.equal(
      new Set(sharing.map((e) => (e as unknown as { storage: string }).storage)).size,
      1,
    );
    assert.deepEqual({ ...f.metadata }, refs.meta);
  });

  it('reads the legacy (pre-1.6) format too, views and all, byte-exactly', async () => {
    const f = await open(join(dir, 'legacy.pt'));
    const want = refs.tensors.filter((t) => t.name.startsWith('sd.'));
    assert.ok(want.length >= 15);
    assert.deepEqual(
      f.entries.map((e) => e.name),
      want.map((t) => t.name.slice(3)),
    );
    for (const ref of want) {
      const e = f.entries.find((x) => x.name === ref.name.slice(3))!;
      assert.deepEqual(e.shape, ref.shape, ref.name);
      assert.equal(hex((await e.load()).bytes), ref.hex, ref.name);
    }
  });

  it('refuses hostile pickles with one line naming the global or opcode; nothing runs', async () => {
    assert.ok(refs.hostile.length >= 20);
    for (const [name, msg] of refs.hostile) {
      await assert.rejects(
        open(join(dir, `h-${name}.pt`)),
        (e: unknown) => {
          assert.ok(e instanceof LensError, `${name}: ${String(e)}`);
          assert.match(e.message, new RegExp(msg), name);
          assert.ok(!e.message.includes('\n'), name);
          return true;
        },
        name,
      );
    }
    assert.ok(!existsSync(join(dir, 'PWNED')));
  });

  it('reads plain pickled values as Python wrote them', () => {
    const hexes = pythonJson<[number, string][]>(`
import pickle, json
vals = [None, True, False, 0, 255, 65535, -1, 2**31 - 1, -2**31, 2**40, -2**63, 2**70, 1.5, -0.0,
        'héllo', b'\\x00\\x01', (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), [1, [2, 3]], {'a': 1, 2: 'b'}]
# protocol 2 writes bytes through _codecs.encode, which a weights-only load refuses
print(json.dumps([[i, pickle.dumps(v, protocol=p).hex()] for p in (2, 4) for i, v in enumerate(vals) if p == 4 or type(v) is not bytes]))
`);
    const want = (i: number): unknown => {
      const vals: unknown[] = [
        null,
        true,
        false,
        0,
        255,
        65535,
        -1,
        2 ** 31 - 1,
        -(2 ** 31),
        2 ** 40,
        -(2n ** 63n),
        2n ** 70n,
        1.5,
        -0,
        'héllo',
        new Uint8Array([0, 1]),
        { kind: 'tuple', items: [] },
        { kind: 'tuple', items: [1] },
        { kind: 'tuple', items: [1, 2] },
        { kind: 'tuple', items: [1, 2, 3] },
        { kind: 'tuple', items: [1, 2, 3, 4] },
        [1, [2, 3]],
        {
          kind: 'dict',
          entries: [
            ['a', 1],
            [2, 'b'],
          ],
        },
      ];
      return vals[i % vals.length];
    };
    assert.equal(hexes.length, 45);
    hexes.forEach(([i, h]) => {
      const { value } = unpickle(new Uint8Array(Buffer.from(h, 'hex')));
      assert.deepEqual(value, want(i), `value ${i}`);
    });
  });
});
