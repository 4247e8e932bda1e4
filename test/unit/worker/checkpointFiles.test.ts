/**
 * The worker opens the checkpoint files users have, as the viewer asks for them: a torch.save
 * state dict (.pt, written by PyTorch) and a sharded safetensors index whose shards are sibling
 * files (closed with the index); tensors listed from headers, values as PyTorch wrote them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { listingOf, openFile, release } from '../../../src/worker/arrays';
import { loadRef } from '../../../src/worker/analysisOps';
import { toFloat64C } from '../../../src/core/array/decode';
import { pythonJson, tempDir } from '../../helpers/python';

describe('worker: .pt and sharded checkpoints', function () {
  this.timeout(60_000);
  const dir = tempDir('matrix-lens-wck-');
  let ref: { w: number[] };

  before(() => {
    ref = pythonJson(
      `
import torch, json, struct, sys, os, numpy as np
d = sys.argv[1]
torch.manual_seed(1)
lin = torch.nn.Linear(3, 2)
torch.save(lin.state_dict(), os.path.join(d, 'lin.pth'))
def save(path, tensors):
    header, blobs, off = {}, [], 0
    for name, a in tensors.items():
        b = a.tobytes(); header[name] = dict(dtype='F32', shape=list(a.shape), data_offsets=[off, off + len(b)]); blobs.append(b); off += len(b)
    h = json.dumps(header).encode()
    open(path, 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
w = lin.weight.detach().numpy()
save(os.path.join(d, 'm-1.safetensors'), {'weight': w}); save(os.path.join(d, 'm-2.safetensors'), {'bias': lin.bias.detach().numpy()})
json.dump(dict(weight_map={'weight': 'm-1.safetensors', 'bias': 'm-2.safetensors'}), open(os.path.join(d, 'm.safetensors.index.json'), 'w'))
print(json.dumps(dict(w=w.astype(float).ravel().tolist())))
`,
      [dir],
    );
  });

  it('lists and reads a .pth state dict and a sharded index', async () => {
    for (const [file, format] of [
      ['lin.pth', 'pytorch'],
      ['m.safetensors.index.json', 'safetensors-index'],
    ]) {
      const f = await openFile({ path: join(dir, file) });
      const l = listingOf(f);
      assert.equal(l.fileFormat, format);
      assert.deepEqual(l.entries.map((e) => e.name).sort(), ['bias', 'weight']);
      const w = f.file.entries.find((e) => e.name === 'weight')!;
      assert.deepEqual(w.shape, [2, 3]);
      assert.deepEqual(Array.from(toFloat64C(await w.load())), ref.w);
      release({ path: join(dir, file) });
      // Analyze and compare load through loadRef, which opens the shards beside an index too
      const r = await loadRef({ source: { path: join(dir, file) }, member: 'weight' }, 1 << 30);
      assert.deepEqual(Array.from(toFloat64C(r.raw)), ref.w);
    }
  });
});
