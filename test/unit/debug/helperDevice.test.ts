import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const PY = '/usr/bin/python3';

/**
 * The debuggee helper's on-device paths (statistics and pooling with torch reductions, used for
 * CUDA/MPS tensors, where only scalars and the pooled view come back) run here on CPU tensors
 * and must agree with the NumPy paths the CPU tensors take; a window sends only the window.
 * No GPU here: this checks the arithmetic of the device path, not a device.
 */
describe('debug: helper statistics and pooling on the tensor’s device (torch path vs NumPy path)', () => {
  it('agree for float32 with NaN/±Inf, float16, bfloat16, int, bool, complex and strided tensors; windows only send the window', () => {
    const out = execFileSync(
      PY,
      [
        '-c',
        `
import json, sys
import numpy as np, torch
h = {}
exec(open(sys.argv[1]).read(), h)
torch.manual_seed(0)
nanny = torch.randn(50, 40)
nanny[1, 4], nanny[2, 5], nanny[3, 6] = float('nan'), float('inf'), -float('inf')
cases = {
    "f32": torch.randn(300, 77), "f32nan": nanny, "f16": torch.randn(64, 33).half(),
    "bf16": (torch.randn(64, 33) * 3).bfloat16(),
    "int": torch.arange(-50, 50, dtype=torch.int32).reshape(10, 10),
    "bool": torch.randn(10, 10) > 0, "cplx": torch.complex(torch.randn(8, 9), torch.randn(8, 9)),
    "strided": torch.randn(40, 30, 20).transpose(0, 2),
}
bad = []
for name, t in cases.items():
    a, b = h["_torch_stats"](t), h["_torch_cpu_stats"](t)
    for k in ("n", "nan", "posinf", "neginf", "zeros", "finite"):
        if a[k] != b[k]: bad.append((name, k, a[k], b[k]))
    for k in ("min", "max", "sum"):
        if not ((a[k] is None and b[k] is None) or abs(a[k] - b[k]) <= 1e-6 * max(1, abs(b[k]))):
            bad.append((name, k, a[k], b[k]))
x = torch.randn(1000, 999)
p1, f1 = h["_pool2d_torch"](x, 64, 64)
p2, f2 = h["_pool2d_numpy"](x.numpy(), 64, 64)
header, arr, info = h["_prepare"](torch.randn(6, 500, 400), "torch", "w", [[2, 3], [10, 20], [0, 7]], None)
print(json.dumps(dict(bad=[list(map(str, b)) for b in bad], f1=f1, f2=f2, diff=float(np.abs(p1 - p2).max()),
                      shape=list(p1.shape), window=list(arr.shape))))
`,
        resolve('src/extension/debug/helper.py'),
      ],
      { encoding: 'utf8' },
    );
    const r = JSON.parse(out) as {
      bad: string[][];
      f1: number[];
      f2: number[];
      diff: number;
      shape: number[];
      window: number[];
    };
    assert.deepEqual(r.bad, []);
    assert.deepEqual(r.f1, [16, 16]);
    assert.deepEqual(r.f1, r.f2);
    assert.deepEqual(r.shape, [63, 63]);
    assert.ok(r.diff <= 1e-6, `pooled views differ by ${r.diff}`);
    assert.deepEqual(r.window, [1, 10, 7]);
  });
});
