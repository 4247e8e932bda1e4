/**
 * .npz / .safetensors / N-D .npy in the real extension host: fixtures are written by NumPy
 * (and by a small spec-following safetensors writer) during the test, and what the panel
 * shows is compared with NumPy's numbers.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenderedReport } from '../../../src/protocol/testing';
import { api, closeAllEditors, parseSummary, python, sleep, workspaceDir } from './helpers';

/** Statistics NumPy computes for `expr` (printed as JSON). */
const STATS_PY = `
import numpy as np, json
def stats(a):
    f = a.astype(np.float64); fin = f[np.isfinite(f)]
    return dict(shape=list(a.shape), dtype=str(a.dtype), n=int(a.size), min=float(fin.min()), max=float(fin.max()), mean=float(fin.mean()), std=float(fin.std()),
        nan=int(np.isnan(f).sum()), posinf=int(np.isposinf(f).sum()), neginf=int(np.isneginf(f).sum()), zeros=int((f == 0).sum()))
`;

/** The safetensors format: u64 LE header length, JSON header, then the tensors' bytes back to back. */
const SAFETENSORS_PY = `
import numpy as np, json, struct
CODES = {np.dtype('float32'): 'F32', np.dtype('float64'): 'F64', np.dtype('int64'): 'I64', np.dtype('int32'): 'I32', np.dtype('float16'): 'F16', np.dtype('uint8'): 'U8', np.dtype('bool'): 'BOOL'}
def write_safetensors(path, tensors, metadata=None):
    header, blobs, at = {}, [], 0
    for name, a in tensors:
        b = np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': CODES[a.dtype], 'shape': list(a.shape), 'data_offsets': [at, at + len(b)]}
        blobs.append(b); at += len(b)
    if metadata: header['__metadata__'] = metadata
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h))); f.write(h)
        for b in blobs: f.write(b)
`;

/**
 * Opens `uri` in Matrix Lens and waits for its first report. In code-server a webview created
 * right after another was closed sometimes never starts its script (no 'ready' at all); such
 * a panel is closed and opened again (at most twice), which is logged.
 */
async function openShown(uri: vscode.Uri): Promise<RenderedReport> {
  const { rendered } = await api();
  for (let attempt = 1; ; attempt++) {
    await vscode.commands.executeCommand('vscode.openWith', uri, 'matrixLens.arrayViewer');
    try {
      return await rendered.wait(uri, isShown, 15_000);
    } catch (e) {
      if (attempt >= 3) throw e;
      console.log(`the webview for ${uri.path} did not start (attempt ${attempt}); reopening`);
      await closeAllEditors();
      await sleep(1000);
    }
  }
}

function isShown(r: RenderedReport): boolean {
  return r.summary !== '' || !!r.error;
}

function checkSummary(summary: string, ref: Record<string, number | number[] | string>): void {
  const shape = ref.shape as number[];
  assert.ok(summary.startsWith(`${ref.dtype as string}[${shape.join(', ')}]`), summary);
  const got = parseSummary(summary);
  assert.equal(got.n, ref.n);
  for (const k of ['nan', 'posinf', 'neginf', 'zeros'])
    assert.equal(got[k], ref[k], `${k} in ${summary}`);
  for (const k of ['min', 'max', 'mean', 'std']) {
    const want = ref[k] as number;
    const tol = Math.max(Math.abs(want) * 5e-3, k === 'mean' ? 5e-3 * (ref.std as number) : 1e-12);
    assert.ok(Math.abs(got[k] - want) <= tol, `${k}: shown ${got[k]}, NumPy ${want} (${summary})`);
  }
}

function close(
  a: readonly (number | null)[] | undefined,
  b: readonly number[],
  what: string,
): void {
  assert.ok(a, `${what}: no sample`);
  assert.equal(a.length, b.length, `${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  a.forEach((x, i) =>
    assert.ok(
      x !== null && Math.abs(x - b[i]) <= 1e-6 * Math.max(1, Math.abs(b[i])),
      `${what}[${i}]: shown ${x}, NumPy ${b[i]}`,
    ),
  );
}

describe('array files: .npz, .safetensors, N-D slices, zoom (inside the real extension host)', function () {
  this.timeout(120_000);
  let dir: vscode.Uri;

  before(async () => {
    dir = vscode.Uri.joinPath(workspaceDir(), 'formats');
    await vscode.workspace.fs.createDirectory(dir);
  });
  afterEach(closeAllEditors);

  it('lists an .npz, shows its first array, and shows a second one picked from the list', async () => {
    const file = vscode.Uri.joinPath(dir, 'multi.npz');
    const ref = JSON.parse(
      python(
        `${STATS_PY}
import sys
rng = np.random.default_rng(5)
a = rng.standard_normal((8, 10)).astype(np.float32)
b = rng.integers(-50, 50, size=(3, 4, 5))
c = np.where(rng.random((6, 7)) < 0.1, np.nan, rng.standard_normal((6, 7)))
np.savez(sys.argv[1], alpha=a, beta=b, gamma=c)
print(json.dumps(dict(alpha=stats(a), beta=stats(b), gamma=stats(c))))
`,
        file.fsPath,
      ),
    );
    const { rendered } = await api();
    const first = await openShown(file);
    assert.equal(first.error, undefined, first.error);
    assert.deepEqual(first.entries, ['alpha', 'beta', 'gamma']);
    assert.equal(first.entry, 'alpha');
    checkSummary(first.summary, ref.alpha);

    // the command a keybinding or the palette uses; it clicks the list item in the webview
    assert.equal(await vscode.commands.executeCommand('matrixLens.selectEntry', 'gamma'), true);
    const third = await rendered.wait(file, (r) => r.entry === 'gamma' && isShown(r));
    assert.equal(third.error, undefined, third.error);
    checkSummary(third.summary, ref.gamma);
    assert.deepEqual([third.heatmap?.rows, third.heatmap?.cols], [6, 7]);

    const { arrays } = await api();
    arrays.panelsOf(file)[0].drive({ kind: 'selectEntry', name: 'beta' });
    const second = await rendered.wait(file, (r) => r.entry === 'beta' && isShown(r));
    checkSummary(second.summary, ref.beta);
    assert.equal(second.slice?.label, '[0, :, :]');
  });

  it('reads a compressed .npz (np.savez_compressed)', async () => {
    const file = vscode.Uri.joinPath(dir, 'compressed.npz');
    const ref = JSON.parse(
      python(
        `${STATS_PY}
import sys
a = np.linspace(-3, 7, 50 * 40).reshape(50, 40)
np.savez_compressed(sys.argv[1], weights=a, other=np.zeros(3))
print(json.dumps(stats(a)))
`,
        file.fsPath,
      ),
    );
    const r = await openShown(file);
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.entry, 'weights');
    checkSummary(r.summary, ref);
  });

  it('lists a .safetensors file with its __metadata__ and shows each tensor', async () => {
    const file = vscode.Uri.joinPath(dir, 'model.safetensors');
    const ref = JSON.parse(
      python(
        `${STATS_PY}${SAFETENSORS_PY}
import sys
rng = np.random.default_rng(9)
w = rng.standard_normal((16, 24)).astype(np.float32)
b = rng.integers(-7, 7, size=(24,)).astype(np.int32)
h = (rng.standard_normal((4, 5)) * 10).astype(np.float16)
write_safetensors(sys.argv[1], [('layer.weight', w), ('layer.bias', b), ('half', h)], {'format': 'pt', 'source': 'matrix-lens test'})
print(json.dumps({'layer.weight': stats(w), 'layer.bias': stats(b), 'half': stats(h)}))
`,
        file.fsPath,
      ),
    );
    const { rendered } = await api();
    const first = await openShown(file);
    assert.equal(first.error, undefined, first.error);
    assert.deepEqual(first.entries, ['layer.weight', 'layer.bias', 'half']);
    assert.deepEqual(first.metadataKeys, ['format', 'source']);
    checkSummary(first.summary, ref['layer.weight']);
    for (const name of ['layer.bias', 'half']) {
      await vscode.commands.executeCommand('matrixLens.selectEntry', name);
      const r = await rendered.wait(file, (x) => x.entry === name && isShown(x));
      assert.equal(r.error, undefined, r.error);
      checkSummary(r.summary, ref[name]);
    }
  });

  for (const [label, name, script, pattern] of [
    [
      'a truncated .npz',
      'broken.npz',
      `import numpy as np, sys, io\nb = io.BytesIO(); np.savez(b, a=np.arange(100.0)); d = b.getvalue()\nopen(sys.argv[1], 'wb').write(d[: len(d) - 40])`,
      /truncated|central directory|end of central/i,
    ],
    [
      'a .safetensors whose offsets do not match its shape',
      'broken.safetensors',
      `${SAFETENSORS_PY}\nimport json, struct, sys\nh = json.dumps({'t': {'dtype': 'F32', 'shape': [4, 4], 'data_offsets': [0, 60]}}).encode()\nopen(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h + bytes(60))`,
      /data_offsets/,
    ],
  ] as const) {
    it(`shows a clear error naming the file for ${label}`, async () => {
      const file = vscode.Uri.joinPath(dir, name);
      python(script, file.fsPath);
      const r = await openShown(file);
      assert.ok(r.error, 'an error is shown');
      assert.ok(r.error.startsWith(`${name}: `), r.error);
      assert.match(r.error, pattern);
      assert.doesNotMatch(r.error, /\n|at .*\.js:\d+/, 'no stack trace');
    });
  }

  it('changes the slice of a 4-D array through the dimension picker', async () => {
    const file = vscode.Uri.joinPath(dir, 'four.npy');
    const ref = JSON.parse(
      python(
        `import numpy as np, json, sys
a = np.random.default_rng(2).standard_normal((3, 4, 5, 6)).astype(np.float32)
np.save(sys.argv[1], a)
s = a[2, :, 4, :]
print(json.dumps(dict(first=a[0, 0].ravel()[:8].tolist(), slice=s.ravel()[:8].tolist(), min=float(s.min()), max=float(s.max()))))
`,
        file.fsPath,
      ),
    );
    const { rendered, arrays } = await api();
    const r0 = await openShown(file);
    assert.equal(r0.error, undefined, r0.error);
    assert.equal(r0.slice?.label, '[0, 0, :, :]');
    close(r0.sample, ref.first, 'first slice');
    arrays
      .panelsOf(file)[0]
      .drive({ kind: 'setSlice', rowAxis: 1, colAxis: 3, indices: [2, 0, 4, 0] });
    const r1 = await rendered.wait(file, (r) => r.slice?.label === '[2, :, 4, :]');
    assert.deepEqual([r1.heatmap?.rows, r1.heatmap?.cols], [4, 6]);
    close(r1.sample, ref.slice, 'slice [2, :, 4, :]');
    assert.ok(
      Math.abs((r1.heatmap?.min ?? NaN) - ref.min) < 1e-6 &&
        Math.abs((r1.heatmap?.max ?? NaN) - ref.max) < 1e-6,
      JSON.stringify(r1.heatmap),
    );
  });

  it('pools a large slice (saying which pooling), and zooms into a full-resolution region', async () => {
    const file = vscode.Uri.joinPath(dir, 'wide.npy');
    const ref = JSON.parse(
      python(
        `import numpy as np, json, sys
a = np.arange(256 * 256, dtype=np.float64).reshape(256, 256) % 1000
np.save(sys.argv[1], a)
print(json.dumps(dict(window=a[10, 20:28].tolist())))
`,
        file.fsPath,
      ),
    );
    const config = vscode.workspace.getConfiguration('matrixLens');
    await config.update('heatmap.maxCells', 4096, vscode.ConfigurationTarget.Workspace);
    try {
      const { rendered, arrays } = await api();
      await openShown(file);
      const pooled = await rendered.wait(file, (r) => isShown(r) && r.heatmap?.rows === 64);
      assert.equal(pooled.slice?.rowStep, 4);
      assert.match(pooled.note ?? '', /mean pooling/);
      // a settings reload still in flight (the maxCells change above, whose event may arrive
      // after the first draw) redraws the panel unzoomed: drive the zoom again if it was undone
      let zoomed: Awaited<ReturnType<typeof rendered.wait>> | undefined;
      for (let attempt = 0; attempt < 3 && !zoomed; attempt++) {
        arrays
          .panelsOf(file)[0]
          .drive({ kind: 'zoom', window: { row0: 10, row1: 42, col0: 20, col1: 52 } });
        zoomed = await rendered
          .wait(file, (r) => r.slice?.zoomed === true, 10_000)
          .catch(() => undefined);
      }
      assert.ok(zoomed, `the zoom was never drawn (last: ${JSON.stringify(rendered.get(file))})`);
      assert.deepEqual(
        [
          zoomed.heatmap?.rows,
          zoomed.heatmap?.cols,
          zoomed.slice?.rowStep,
          zoomed.slice?.row0,
          zoomed.slice?.col0,
        ],
        [32, 32, 1, 10, 20],
      );
      assert.match(zoomed.note ?? '', /full resolution/);
      close(zoomed.sample, ref.window, 'zoomed window');
      arrays.panelsOf(file)[0].drive({ kind: 'resetZoom' });
      const reset = await rendered.wait(file, (r) => r.slice?.zoomed === false);
      assert.equal(reset.heatmap?.rows, 64);
      await config.update('heatmap.pooling', 'maxabs', vscode.ConfigurationTarget.Workspace);
      const maxabs = await rendered.wait(file, (r) => /max-\|x\| pooling/.test(r.note ?? ''));
      assert.equal(maxabs.heatmap?.rows, 64);
    } finally {
      await config.update('heatmap.maxCells', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('heatmap.pooling', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('lists a 2 GB .safetensors at once without reading its tensors, and opens its small tensor', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ml-sparse-'));
    try {
      const path = join(tmp, 'huge.safetensors');
      // a sparse file: the header and the small tensor are written, the 2 GiB tensor is a hole
      python(
        `import json, struct, sys, numpy as np
big = 32768 * 16384 * 4
h = json.dumps({'small': {'dtype': 'F32', 'shape': [4, 4], 'data_offsets': [0, 64]}, 'big': {'dtype': 'F32', 'shape': [32768, 16384], 'data_offsets': [64, 64 + big]}, '__metadata__': {'format': 'pt'}}).encode()
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<Q', len(h)) + h + np.arange(16, dtype='<f4').tobytes())
    f.truncate(8 + len(h) + 64 + big)
`,
        path,
      );
      const { worker } = await api();
      const t0 = Date.now();
      const listing = await worker.call('listArrays', { source: { path } });
      const ms = Date.now() - t0;
      console.log(`listing a 2 GiB .safetensors took ${ms} ms`);
      assert.ok(ms < 500, `listing took ${ms} ms`);
      assert.deepEqual(
        listing.entries.map((e) => [e.name, e.byteLength]),
        [
          ['small', 64],
          ['big', 2 ** 31],
        ],
      );
      const uri = vscode.Uri.file(path);
      const r = await openShown(uri);
      assert.equal(r.error, undefined, r.error);
      assert.equal(r.entry, 'small');
      assert.match(r.summary, /^float32\[4, 4\] n=16 .*x∈\[0, 15\]/);
      await closeAllEditors();
      await worker.call('releaseArrays', { source: { path } });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('opens a 64 MB float32 4096×4096 .npy in about a second (worker: request to array)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ml-big-'));
    try {
      const path = join(tmp, 'big.npy');
      python(
        `import numpy as np, sys; np.save(sys.argv[1], np.random.default_rng(0).standard_normal((4096, 4096)).astype(np.float32))`,
        path,
      );
      const { worker } = await api();
      const t0 = Date.now();
      const view = await worker.call('openArray', {
        source: { path },
        maxBytes: 2 ** 30,
        maxCells: 1 << 20,
        pooling: 'mean',
      });
      const ms = Date.now() - t0;
      console.log(`opening a 64 MiB float32[4096, 4096] .npy took ${ms} ms`);
      assert.match(view.summary, /^float32\[4096, 4096\] n=16777216 /);
      assert.deepEqual(
        [view.heatmap?.rows, view.heatmap?.cols, view.heatmap?.rowStep],
        [1024, 1024, 4],
      );
      assert.ok(ms < 5000, `took ${ms} ms`);
      // zooming reads nothing again: the array is cached
      const t1 = Date.now();
      const z = await worker.call('slice', {
        source: { path },
        maxBytes: 2 ** 30,
        maxCells: 1 << 20,
        pooling: 'mean',
        rowAxis: 0,
        colAxis: 1,
        indices: [0, 0],
        window: { row0: 0, row1: 512, col0: 0, col1: 512 },
      });
      assert.equal(z.rowStep, 1);
      assert.ok(Date.now() - t1 < 2000);
      await worker.call('releaseArrays', { source: { path } });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
