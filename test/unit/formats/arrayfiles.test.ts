import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toFloat64C } from '../../../src/core/array/decode';
import { LensError } from '../../../src/core/errors';
import { MemorySource, ByteSource } from '../../../src/core/io/source';
import { openArrayFile } from '../../../src/core/formats/open';
import { computeEntryStats } from '../../../src/core/formats/entryStats';
import { openNpy } from '../../../src/core/formats/npy';
import { crc32, openNpz } from '../../../src/core/formats/npz';
import { FileSource } from '../../../src/node/fileSource';
import { pythonJson, tempDir } from '../../helpers/python';
import {
  Num,
  PY_ENCODE,
  RefStats,
  decodeNum,
  npyFile,
  sameValues,
  statsMatch,
  zipFile,
} from './helpers';

interface Ref {
  file: string;
  name: string;
  dtype: string;
  shape: number[];
  fortran: boolean;
  version: number;
  values: Num[];
  stats: RefStats;
}

const isLens = (re?: RegExp) => (e: unknown) =>
  e instanceof LensError && (!re || re.test(e.message));

describe('npy and npz files written by NumPy', function () {
  this.timeout(120_000);
  const dir = tempDir('ml-formats-');
  let npy: Ref[];
  let npz: Ref[];

  before(() => {
    const out = pythonJson<{ npy: Ref[]; npz: Ref[] }>(
      PY_ENCODE +
        `
import sys, os, io, json, zipfile
from numpy.lib import format as fmt
d = sys.argv[1]
rng = np.random.default_rng(11)
def sample(code, shape):
    dt = np.dtype(code).newbyteorder('=')
    if dt.kind == 'b': return rng.random(shape) > 0.5
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        a = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
        if a.size > 2: a.flat[0] = info.min; a.flat[1] = info.max; a.flat[2] = 0
        return a
    if dt.kind == 'f':
        a = (rng.standard_normal(shape) * 100).astype(dt)
        if a.size > 4: a.flat[0] = np.nan; a.flat[1] = np.inf; a.flat[2] = -np.inf; a.flat[3] = 0
        return a
    a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)
    if a.size > 2: a.flat[0] = complex(np.nan, 1); a.flat[1] = 0
    return a
codes = ['?', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f2', 'f4', 'f8', 'c8', 'c16']
shapes = [(), (7,), (3, 4), (2, 3, 4), (0,), (3, 0, 2), (1, 1, 5)]
def ref(path, name, a, version):
    return dict(file=path, name=name, dtype=str(a.dtype.newbyteorder('=')), shape=list(a.shape),
        fortran=bool(a.flags.f_contiguous and not a.flags.c_contiguous), version=version, values=values(a), stats=stats(a))
npy = []
k = 0
for code in codes:
    for bo in (['<', '>'] if np.dtype(code).itemsize > 1 else ['|']):
        for order in 'CF':
            for shape in shapes:
                a = sample(code, shape).astype(np.dtype(code).newbyteorder(bo))
                a = np.asfortranarray(a) if order == 'F' else np.ascontiguousarray(a)
                v = (k % 3) + 1
                path = os.path.join(d, 'a%d.npy' % k); k += 1
                with open(path, 'wb') as f: fmt.write_array(f, a, version=(v, 0))
                npy.append(ref(path, '', a, v))
arrays = {'w': sample('f4', (5, 6)), 'b': sample('i2', (3,)).astype('>i2'), 'c': np.asfortranarray(sample('c16', (2, 3))),
          'empty': np.zeros((0, 4)), 'scalar': np.array(2.5), 'flags': sample('?', (4, 4)), 'ünï': sample('u8', (2, 2))}
npz = []
for kind in ('savez', 'savez_compressed'):
    path = os.path.join(d, kind + '.npz')
    getattr(np, kind)(path, **arrays)
    for name, a in arrays.items(): npz.append(ref(path, name, a, 1))
# ZIP64 records everywhere: patch zipfile's limits so every size/offset takes the ZIP64 form.
path = os.path.join(d, 'zip64.npz')
zipfile.ZIP64_LIMIT = 0
zipfile.ZIP_FILECOUNT_LIMIT = 0
with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_DEFLATED) as z:
    for name, a in list(arrays.items())[:3]:
        buf = io.BytesIO(); fmt.write_array(buf, a)
        with z.open(name + '.npy', 'w', force_zip64=True) as f: f.write(buf.getvalue())
        npz.append(ref(path, name, a, 1))
with np.load(path) as check: assert sorted(check.files) == sorted(list(arrays)[:3])
print(json.dumps(dict(npy=npy, npz=npz)))
`,
      [dir],
    );
    npy = out.npy;
    npz = out.npz;
  });

  async function check(r: Ref, source: ByteSource, name = r.file): Promise<void> {
    const f = await openArrayFile(name, source);
    const e = f.entries.find((x) => x.name === r.name);
    assert.ok(e, `${r.file}: no entry '${r.name}' in ${f.entries.map((x) => x.name).join(', ')}`);
    const what = `${r.file}#${r.name} (${r.dtype}${JSON.stringify(r.shape)} v${r.version})`;
    assert.equal(e.dtype, r.dtype, what);
    assert.deepEqual(e.shape, r.shape, what);
    assert.equal(e.fortranOrder, r.fortran, what);
    const raw = await e.load();
    assert.equal(raw.bytes.length, e.byteLength, what);
    assert.ok(sameValues(toFloat64C(raw), r.values.map(decodeNum)), `${what}: values differ`);
    const bad = statsMatch(await computeEntryStats(e), r.stats, what);
    assert.equal(bad, undefined);
  }

  it('reads every dtype × byte order × C/F order × shape × version 1.0/2.0/3.0 like NumPy', async () => {
    assert.ok(npy.length > 300);
    const versions = new Set(npy.map((r) => r.version));
    assert.deepEqual([...versions].sort(), [1, 2, 3]);
    for (const r of npy) await check(r, new MemorySource(readFileSync(r.file)));
  });

  it('reads through a file source with small pieces (streamed stats equal NumPy)', async () => {
    for (const r of npy.filter((_, i) => i % 7 === 0)) {
      const src = await FileSource.open(r.file);
      try {
        await check(r, src);
        const e = await openNpy(src);
        // chunks of a few elements cover the data exactly
        let n = 0;
        for await (const p of e.chunks({ chunkBytes: 24 })) n += p.length;
        assert.equal(n, e.byteLength);
        if (e.byteLength >= 2)
          assert.deepEqual(await e.readRange(1, 1), (await e.load()).bytes.subarray(1, 2));
      } finally {
        await src.close();
      }
    }
  });

  it('reads np.savez, np.savez_compressed and ZIP64 archives like NumPy', async () => {
    for (const r of npz) await check(r, new MemorySource(readFileSync(r.file)));
    const f = await openNpz(new MemorySource(readFileSync(join(dir, 'savez_compressed.npz'))));
    assert.ok(f.entries.every((e) => e.compressed));
    assert.deepEqual(
      f.entries.map((e) => e.name),
      ['w', 'b', 'c', 'empty', 'scalar', 'flags', 'ünï'],
    );
  });

  it('lists a compressed member by inflating only its first bytes', async () => {
    const bytes = readFileSync(join(dir, 'savez_compressed.npz'));
    let read = 0;
    const counting: ByteSource = {
      size: bytes.length,
      read: (o, l) => ((read += l), Promise.resolve(bytes.subarray(o, o + l))),
    };
    await openArrayFile('x.npz', counting);
    // the tail record read dominates; member data is barely touched
    assert.ok(read < bytes.length + 70_000, `read ${read}`);
  });

  it('refuses truncated, corrupt and over-limit files with LensErrors', async () => {
    const good = readFileSync(npy.find((r) => r.dtype === 'float64' && r.shape.length === 2)!.file);
    for (const cut of [0, 5, 11, 60, good.length - 1]) {
      await assert.rejects(
        openArrayFile('t.npy', new MemorySource(good.subarray(0, cut))),
        isLens(),
        `cut ${cut}`,
      );
    }
    const e = (await openArrayFile('t.npy', new MemorySource(good))).entries[0];
    await assert.rejects(
      e.load({ maxBytes: 10 }),
      (err: unknown) =>
        err instanceof LensError && err.code === 'too-large' && /96 bytes.*limit/.test(err.message),
    );
    const z = readFileSync(join(dir, 'savez.npz'));
    for (const cut of [10, z.length - 30, z.length - 1]) {
      await assert.rejects(
        openArrayFile('t.npz', new MemorySource(z.subarray(0, cut))),
        isLens(),
        `npz cut ${cut}`,
      );
    }
    await assert.rejects(
      openArrayFile('x.bin', new MemorySource(new Uint8Array([1, 2, 3, 4, 5]))),
      isLens(/not a \.npy, \.npz or \.safetensors/),
    );
  });

  it('refuses decompression bombs, size lies and CRC mismatches', async () => {
    const data = new Uint8Array(800);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 0xff;
    const member = npyFile('<f8', [100], data);
    const padded = new Uint8Array(member.length + (4 << 20)); // inflates to 4 MiB more than declared
    padded.set(member);
    const open = (b: Uint8Array) => openArrayFile('x.npz', new MemorySource(b));
    // A bomb: the deflate stream holds 4 MiB of zeros past the member's declared size.
    const bomb = zipFile([
      {
        name: 'a.npy',
        content: padded,
        deflate: true,
        declaredSize: member.length,
        declaredCrc: crc32(member),
      },
    ]);
    assert.ok(bomb.length < 20_000);
    const f = await open(bomb);
    await assert.rejects(f.entries[0].load(), isLens(/more than the \d+ bytes it declares/));
    // The declared size disagrees with the npy header's shape.
    await assert.rejects(
      open(
        zipFile([
          { name: 'a.npy', content: member, deflate: true, declaredSize: member.length + 8 },
        ]),
      ),
      isLens(/header implies/),
    );
    // Inflates to less than declared (trailing garbage in the npy makes header and size agree).
    const short = zipFile([
      {
        name: 'a.npy',
        content: member.subarray(0, member.length - 8),
        deflate: true,
        declaredSize: member.length,
      },
    ]);
    const s = await open(short);
    await assert.rejects(s.entries[0].load(), isLens(/inflates to \d+ bytes but declares/));
    // CRC mismatches, stored and deflated.
    for (const deflate of [false, true]) {
      const g = await open(
        zipFile([{ name: 'a.npy', content: member, deflate, declaredCrc: 1234 }]),
      );
      await assert.rejects(g.entries[0].load(), isLens(/CRC-32/));
      await assert.rejects(computeEntryStats(g.entries[0]), isLens(/CRC-32/));
    }
    // Encrypted and unknown methods, duplicate names.
    await assert.rejects(
      open(zipFile([{ name: 'a.npy', content: member, flags: 1 }])),
      isLens(/encrypted/),
    );
    await assert.rejects(
      open(
        zipFile([
          { name: 'a.npy', content: member },
          { name: 'a.npy', content: member },
        ]),
      ),
      isLens(/two members/),
    );
    // An honest crafted archive reads back.
    const ok = await open(
      zipFile([
        { name: 'x.npy', content: member, deflate: true },
        { name: 'readme.txt', content: new Uint8Array(3) },
      ]),
    );
    assert.deepEqual(
      ok.entries.map((e) => e.name),
      ['x'],
    );
    assert.deepEqual((await ok.entries[0].load()).bytes, data);
  });

  it('file source errors are LensErrors', async () => {
    await assert.rejects(FileSource.open(join(dir, 'missing.npy')), isLens(/no such file/));
    await assert.rejects(FileSource.open(dir), isLens());
    const p = join(dir, 'small.bin');
    writeFileSync(p, new Uint8Array([1, 2, 3]));
    const s = await FileSource.open(p);
    await assert.rejects(s.read(2, 5), isLens(/truncated/));
    assert.deepEqual(await s.read(1, 2), new Uint8Array([2, 3]));
    await s.close();
  });
});
