import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAllEditors, parseSummary, python, workspaceDir, EXTENSION_ID } from './helpers';

describe('Matrix Lens .npy editor (inside the real extension host)', function () {
  this.timeout(90_000);
  let dir: vscode.Uri;

  before(async () => {
    dir = vscode.Uri.joinPath(workspaceDir(), 'npy-editor');
    await vscode.workspace.fs.createDirectory(dir);
  });
  afterEach(closeAllEditors);

  it('runs the extension from the expected place (development folder or installed .vsix)', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension present');
    const expect = process.env.MATRIX_LENS_EXPECT_EXTENSION_PATH;
    if (expect) assert.equal(ext.extensionUri.fsPath, expect);
    await api();
    assert.ok(ext.isActive);
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ['matrixLens.openFile', 'matrixLens.copySummary'])
      assert.ok(cmds.includes(c), `${c} registered`);
  });

  for (const [label, expr, dtype] of [
    ['float32 C order', 'rng.standard_normal((48, 64)).astype(np.float32)', 'float32'],
    [
      'float64 Fortran order with NaN/Inf',
      'np.asfortranarray(np.where(rng.random((30, 20)) < 0.05, np.nan, rng.standard_normal((30, 20)) * 3))',
      'float64',
    ],
    ['int64 3-D', 'rng.integers(-1000, 1000, size=(3, 16, 12))', 'int64'],
    ['uint8', 'rng.integers(0, 256, size=(20, 30)).astype(np.uint8)', 'uint8'],
    ['bool', 'rng.random((10, 12)) > 0.3', 'bool'],
  ] as const) {
    it(`opens a NumPy-written ${label} array and shows NumPy's summary`, async () => {
      const file = vscode.Uri.joinPath(dir, `${label.replace(/\W+/g, '_')}.npy`);
      const ref = JSON.parse(
        python(
          `
import numpy as np, json, sys
rng = np.random.default_rng(3)
a = ${expr}
if a.dtype == np.float64 and a.size > 20: a.flat[7] = np.inf; a.flat[9] = -np.inf; a.flat[11] = 0.0
np.save(sys.argv[1], a)
f = a.astype(np.float64); fin = f[np.isfinite(f)]
print(json.dumps(dict(shape=list(a.shape), dtype=str(a.dtype), fortran=bool(a.flags.f_contiguous and not a.flags.c_contiguous and a.ndim > 1), nbytes=int(a.nbytes),
  n=int(a.size), min=float(fin.min()), max=float(fin.max()), mean=float(fin.mean()), std=float(fin.std()),
  nan=int(np.isnan(f).sum()), posinf=int(np.isposinf(f).sum()), neginf=int(np.isneginf(f).sum()), zeros=int((f == 0).sum()))))
`,
          file.fsPath,
        ),
      );
      const { rendered } = await api();
      await vscode.commands.executeCommand('vscode.openWith', file, 'matrixLens.arrayViewer');
      const report = await rendered.wait(file, (r) => r.summary !== '' || !!r.error);
      assert.equal(report.error, undefined, report.error);
      assert.ok(report.summary.startsWith(`${dtype}[${ref.shape.join(', ')}]`), report.summary);
      const got = parseSummary(report.summary);
      assert.equal(got.n, ref.n);
      for (const k of ['nan', 'posinf', 'neginf', 'zeros'])
        assert.equal(got[k], ref[k], `${k} in ${report.summary}`);
      // the summary prints 3 significant digits
      for (const k of ['min', 'max', 'mean', 'std']) {
        const tol = Math.max(Math.abs(ref[k]) * 5e-3, k === 'mean' ? 5e-3 * ref.std : 1e-12);
        assert.ok(
          Math.abs(got[k] - ref[k]) <= tol,
          `${k}: shown ${got[k]}, NumPy ${ref[k]} (${report.summary})`,
        );
      }
      assert.ok(report.heatmap, 'heatmap drawn');
      const [rows, cols] = ref.shape.length >= 2 ? ref.shape.slice(-2) : [1, ref.shape[0]];
      assert.deepEqual([report.heatmap.rows, report.heatmap.cols], [rows, cols]);
      assert.ok(report.heatmap.canvasWidth > 0 && report.heatmap.canvasHeight > 0);
    });
  }

  it('shows a clear error naming the file for a truncated .npy, and the extension keeps working', async () => {
    const good = vscode.Uri.joinPath(dir, 'good.npy');
    const bad = vscode.Uri.joinPath(dir, 'broken.npy');
    python(
      `import numpy as np, sys; np.save(sys.argv[1], np.arange(1000.0).reshape(10, 100))`,
      good.fsPath,
    );
    const bytes = await vscode.workspace.fs.readFile(good);
    await vscode.workspace.fs.writeFile(bad, bytes.subarray(0, bytes.length - 100));
    const { rendered } = await api();
    await vscode.commands.executeCommand('vscode.openWith', bad, 'matrixLens.arrayViewer');
    const report = await rendered.wait(bad, (r) => r.summary !== '' || !!r.error);
    assert.ok(report.error, 'an error is shown');
    assert.match(report.error, /^broken\.npy: /);
    assert.match(report.error, /truncated/);
    assert.doesNotMatch(report.error, /\n|at .*\.js:\d+/, 'no stack trace');
    await closeAllEditors();
    await vscode.commands.executeCommand('vscode.openWith', good, 'matrixLens.arrayViewer');
    const ok = await rendered.wait(good, (r) => r.summary !== '' || !!r.error);
    assert.match(ok.summary, /^float64\[10, 100\] n=1000/);
  });

  it('refuses an object (pickled) array without loading it', async () => {
    const file = vscode.Uri.joinPath(dir, 'objects.npy');
    python(
      `import numpy as np, sys; np.save(sys.argv[1], np.array([{'a': 1}, None], dtype=object), allow_pickle=True)`,
      file.fsPath,
    );
    const { rendered } = await api();
    await vscode.commands.executeCommand('vscode.openWith', file, 'matrixLens.arrayViewer');
    const report = await rendered.wait(file, (r) => r.summary !== '' || !!r.error);
    assert.match(report.error ?? '', /objects\.npy: .*pickle/);
  });
});
