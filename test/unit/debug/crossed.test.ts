import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawOf, valuesOf } from '../../../src/core/debug/crossed';

const PY = '/usr/bin/python3';

describe('debug: a pinned stop kept as it crossed decodes to NumPy’s float64 values', () => {
  let dir: string;
  let ref: Record<string, number[]>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-crossed-'));
    ref = JSON.parse(
      execFileSync(
        PY,
        [
          '-c',
          `
import numpy as np, torch, json, struct, sys, os
d = sys.argv[1]
rng = np.random.default_rng(2)
f32 = np.asfortranarray(rng.standard_normal((3, 5)).astype(np.float32))
c64 = (rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))).astype(np.complex64)
i64 = rng.integers(-2**40, 2**40, size=7)
np.save(os.path.join(d, 'f32.npy'), f32); np.save(os.path.join(d, 'c64.npy'), c64)
np.save(os.path.join(d, 'i64.npy'), i64)
t = torch.randn(4, 6, generator=torch.Generator().manual_seed(3)).bfloat16()
by = t.contiguous().view(torch.int16).numpy().tobytes()
h = json.dumps({'t': dict(dtype='BF16', shape=[4, 6], data_offsets=[0, len(by)])}).encode()
open(os.path.join(d, 'bf16.safetensors'), 'wb').write(struct.pack('<Q', len(h)) + h + by)
print(json.dumps(dict(f32=f32.astype(np.float64).ravel().tolist(),
    c64=np.abs(c64).astype(np.float64).ravel().tolist(), i64=i64.astype(np.float64).tolist(),
    bf16=t.double().numpy().ravel().tolist())))
`,
          dir,
        ],
        { encoding: 'utf8' },
      ),
    ) as Record<string, number[]>;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string) => readFileSync(join(dir, name));

  it('npy in its own dtype: float32 (Fortran order → C order), int64, complex64 as |z|', async () => {
    assert.deepEqual([...(await valuesOf({ file: file('f32.npy'), format: 'npy' }))], ref.f32);
    assert.deepEqual([...(await valuesOf({ file: file('i64.npy'), format: 'npy' }))], ref.i64);
    const c = await valuesOf({ file: file('c64.npy'), format: 'npy' });
    assert.equal(c.length, 6, 'one number per complex element');
    c.forEach((v, i) => assert.ok(Math.abs(v - ref.c64[i]) <= 1e-6 * ref.c64[i], `|z|[${i}]`));
    assert.equal((await rawOf({ file: file('c64.npy'), format: 'npy' })).dtype, 'complex64');
  });

  it('bfloat16 from torch crosses as .safetensors and decodes exactly', async () => {
    const f = file('bf16.safetensors');
    const raw = await rawOf({ file: f, format: 'safetensors' });
    assert.equal(raw.dtype, 'bfloat16');
    assert.deepEqual(raw.shape, [4, 6]);
    assert.equal(raw.bytes.length, 48, 'kept at 2 bytes an element, not as float64');
    assert.deepEqual([...(await valuesOf({ file: f, format: 'safetensors' }))], ref.bf16);
  });
});
