import assert from 'node:assert/strict';
import { toFloat64C } from '../../../src/core/array/decode';
import { LensError } from '../../../src/core/errors';
import { ByteSource, MemorySource } from '../../../src/core/io/source';
import { openArrayFile } from '../../../src/core/formats/open';
import { computeEntryStats } from '../../../src/core/formats/entryStats';
import { openSafetensors } from '../../../src/core/formats/safetensors';
import { pythonJson } from '../../helpers/python';
import {
  Num,
  PY_ENCODE,
  RefStats,
  decodeNum,
  safetensorsFile,
  sameValues,
  statsMatch,
} from './helpers';

const isLens = (re?: RegExp) => (e: unknown) =>
  e instanceof LensError && (!re || re.test(e.message));

interface Ref {
  name: string;
  st: string;
  dtype: string;
  shape: number[];
  hex: string;
  values: Num[];
  stats: RefStats;
}

function fromHex(h: string): Uint8Array {
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

describe('safetensors reader', function () {
  this.timeout(60_000);
  let refs: Ref[];

  before(() => {
    // References computed in Python from the bit patterns, independently of our decoders:
    // bf16 is the top half of a float32; F8 values come from exact rational arithmetic.
    refs = pythonJson<Ref[]>(
      PY_ENCODE +
        `
import json
from fractions import Fraction
rng = np.random.default_rng(5)
out = []
def add(name, st, dtype, a, vals=None, st_stats=None):
    f = np.asarray(vals if vals is not None else a.astype(np.float64), dtype=np.float64)
    out.append(dict(name=name, st=st, dtype=dtype, shape=list(a.shape), hex=np.ascontiguousarray(a).tobytes().hex(),
        values=values(f.reshape(a.shape)), stats=stats(f)))
for st, code in [('F64','<f8'),('F32','<f4'),('F16','<f2'),('I8','i1'),('I16','<i2'),('I32','<i4'),('I64','<i8'),
                 ('U8','u1'),('U16','<u2'),('U32','<u4'),('U64','<u8')]:
    dt = np.dtype(code)
    if dt.kind == 'f':
        a = (rng.standard_normal((4, 5)) * 10).astype(dt); a[0, 0] = np.nan; a[1, 1] = np.inf; a[2, 2] = 0
    else:
        info = np.iinfo(dt); a = rng.integers(info.min, info.max, size=(3, 7), dtype=dt, endpoint=True)
    add('t_' + st, st, str(dt.newbyteorder('=')), a)
add('t_BOOL', 'BOOL', 'bool', rng.random((2, 9)) > 0.5)
# bf16: random bit patterns (NaN and Inf patterns included); value = float32 with these as the top 16 bits
bits = rng.integers(0, 65536, size=(6, 11), dtype=np.uint16); bits.flat[:4] = [0x7f80, 0xff80, 0x7fc1, 0x8000]
add('t_BF16', 'BF16', 'bfloat16', bits.astype('<u2'), (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64))
def f8(b, ebits, mbits, bias, fn):
    s = -1 if b & 0x80 else 1; e = (b >> mbits) & ((1 << ebits) - 1); m = b & ((1 << mbits) - 1)
    if fn and e == (1 << ebits) - 1 and m == (1 << mbits) - 1: return float('nan')
    if not fn and e == (1 << ebits) - 1: return float('nan') if m else s * float('inf')
    if e == 0: return s * float(Fraction(m, 1 << mbits) * Fraction(2) ** (1 - bias))
    return s * float((1 + Fraction(m, 1 << mbits)) * Fraction(2) ** (e - bias))
allb = np.arange(256, dtype=np.uint8).reshape(16, 16)
add('t_F8_E4M3', 'F8_E4M3', 'float8_e4m3fn', allb, [f8(int(b), 4, 3, 7, True) for b in allb.ravel()])
add('t_F8_E5M2', 'F8_E5M2', 'float8_e5m2', allb, [f8(int(b), 5, 2, 15, False) for b in allb.ravel()])
add('t_empty', 'F32', 'float32', np.zeros((0, 3), np.float32))
add('t_scalar', 'F64', 'float64', np.array(-1.25))
print(json.dumps(out))
`,
    );
  });

  const file = () =>
    safetensorsFile(
      refs.map((r) => ({ name: r.name, dtype: r.st, shape: r.shape, data: fromHex(r.hex) })),
      { format: 'pt', note: 'ünï' },
      7,
    );

  it('reads every safetensors dtype (bf16, F8 checked against Python references) and __metadata__', async () => {
    const f = await openArrayFile('m.safetensors', new MemorySource(file()));
    assert.equal(f.format, 'safetensors');
    assert.deepEqual({ ...f.metadata }, { format: 'pt', note: 'ünï' });
    assert.equal(f.entries.length, refs.length);
    for (const r of refs) {
      const e = f.entries.find((x) => x.name === r.name)!;
      assert.equal(e.dtype, r.dtype, r.name);
      assert.deepEqual(e.shape, r.shape, r.name);
      const got = toFloat64C(await e.load());
      assert.ok(sameValues(got, r.values.map(decodeNum)), `${r.name}: values differ`);
      assert.equal(statsMatch(await computeEntryStats(e), r.stats, r.name), undefined);
    }
  });

  it('lists a 2 GB file from its header alone', async () => {
    const n = 1 << 29; // float32 × 2^29 = 2 GiB
    const json = JSON.stringify({ big: { dtype: 'F32', shape: [n], data_offsets: [0, 4 * n] } });
    const h = new TextEncoder().encode(json);
    let read = 0;
    const source: ByteSource = {
      size: 8 + h.length + 4 * n,
      read(offset, length) {
        read += length;
        const out = new Uint8Array(length);
        for (let i = 0; i < length; i++) {
          const p = offset + i;
          out[i] =
            p < 8
              ? Number((BigInt(h.length) >> BigInt(8 * p)) & 0xffn)
              : p < 8 + h.length
                ? h[p - 8]
                : 0;
        }
        return Promise.resolve(out);
      },
    };
    const f = await openArrayFile('big.safetensors', source);
    assert.deepEqual(f.entries[0].shape, [n]);
    assert.equal(f.entries[0].byteLength, 4 * n);
    assert.ok(read < 1000, `read ${read} bytes`);
    await assert.rejects(
      f.entries[0].load({ maxBytes: 256 << 20 }),
      (e: unknown) => e instanceof LensError && e.code === 'too-large',
    );
  });

  it('streams statistics in bounded pieces (never one read of the whole tensor)', async () => {
    const n = 16 << 20; // 64 MiB of float32 ones
    const h = new TextEncoder().encode(
      JSON.stringify({ x: { dtype: 'F32', shape: [n], data_offsets: [0, 4 * n] } }),
    );
    const one = new Uint8Array(new Float32Array(1 << 20).fill(1).buffer);
    let largest = 0;
    const source: ByteSource = {
      size: 8 + h.length + 4 * n,
      read(offset, length) {
        largest = Math.max(largest, length);
        if (offset === 0)
          return Promise.resolve(new Uint8Array(new BigUint64Array([BigInt(h.length)]).buffer));
        if (offset === 8) return Promise.resolve(h);
        assert.equal((offset - 8 - h.length) % 4, 0);
        return Promise.resolve(one.subarray(0, length));
      },
    };
    const f = await openArrayFile('s.safetensors', source);
    const s = await computeEntryStats(f.entries[0]);
    assert.deepEqual([s.count, s.min, s.max, s.mean, s.std], [n, 1, 1, 1, 0]);
    assert.ok(largest <= 4 << 20, `largest read ${largest}`);
  });

  it('refuses malformed headers with clear messages', async () => {
    const t = (dtype: string, shape: number[], offsets: number[]) => ({
      dtype,
      shape,
      data_offsets: offsets,
    });
    const mk = (header: unknown, dataLen: number, rawJson?: string) => {
      const h = new TextEncoder().encode(rawJson ?? JSON.stringify(header));
      const out = new Uint8Array(8 + h.length + dataLen);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      return openSafetensors(new MemorySource(out));
    };
    await assert.rejects(
      mk({ a: t('F32', [2], [0, 8]), b: t('F32', [1], [12, 16]) }, 16),
      isLens(/gap/),
    );
    await assert.rejects(
      mk({ a: t('F32', [2], [0, 8]), b: t('F32', [1], [4, 8]) }, 8),
      isLens(/overlaps/),
    );
    await assert.rejects(mk({ a: t('F32', [3], [0, 8]) }, 8), isLens(/12 bytes.*span 8/));
    await assert.rejects(
      mk({ a: t('F32', [2], [0, 8]) }, 12),
      isLens(/4 bytes that no tensor covers/),
    );
    await assert.rejects(mk({ a: t('F32', [2], [0, 8]) }, 4), isLens(/truncated/));
    await assert.rejects(mk({ a: t('F32', [2], [8, 0]) }, 8), isLens(/backwards/));
    await assert.rejects(
      mk({ a: t('Q4', [2], [0, 2]) }, 2),
      isLens(/unsupported safetensors dtype "Q4"/),
    );
    await assert.rejects(mk({ a: t('F32', [-1], [0, 0]) }, 0), isLens(/invalid dimension/));
    await assert.rejects(mk({ __metadata__: { a: 1 } }, 0), isLens(/not a string/));
    await assert.rejects(mk({}, 0, '{"a": '), isLens(/not valid JSON/));
    await assert.rejects(mk({}, 0, '[1, 2]'), isLens(/not a JSON object/));
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    huge[8] = 0x7b;
    await assert.rejects(
      openSafetensors(new MemorySource(huge)),
      (e: unknown) => e instanceof LensError && e.code === 'too-large',
    );
    await assert.rejects(openSafetensors(new MemorySource(new Uint8Array(5))), isLens(/truncated/));
    // the data section can be empty
    const empty = await mk({ __metadata__: { k: 'v' } }, 0);
    assert.equal(empty.entries.length, 0);
  });
});
