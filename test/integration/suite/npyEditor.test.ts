import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAllEditors, parseSummary, python, workspaceDir, EXTENSION_ID } from './helpers';
import { colorOf, colormapLut, SPECIAL_COLORS } from '../../../src/core/color/colormaps';
import { decodePng, pixel } from '../../helpers/png';

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

  it('a page that never says ready is reloaded (twice here), and shows the array the panel read meanwhile', async () => {
    // code-server occasionally gives a webview that never says `ready`: the watchdog reloads
    // it, and what the panel read and posted meanwhile must reach the reloaded page
    const file = vscode.Uri.joinPath(dir, 'silent-first-page.npy');
    const ref = JSON.parse(
      python(
        `import numpy as np, json, sys
a = np.arange(35, dtype=np.float32).reshape(5, 7) - 10
np.save(sys.argv[1], a)
print(json.dumps(dict(min=float(a.min()), max=float(a.max()))))`,
        file.fsPath,
      ),
    ) as { min: number; max: number };
    const { rendered, arrays, pageFaults } = await api();
    pageFaults.silentPages = 2; // the first page and its first reload stay silent
    const t0 = Date.now();
    await vscode.commands.executeCommand('vscode.openWith', file, 'matrixLens.arrayViewer');
    const report = await rendered.wait(file, (r) => r.summary !== '' || !!r.error, 60_000);
    assert.equal(pageFaults.silentPages, 0, 'both silent pages were this panel’s');
    assert.equal(arrays.panelsOf(file)[0].reloads, 2, 'the watchdog reloaded it twice');
    assert.ok(
      Date.now() - t0 >= 29_000,
      'shown only after the second reload (10 s, then 20 s more)',
    );
    assert.equal(report.error, undefined, report.error);
    assert.match(report.summary, /^float32\[5, 7\]/);
    assert.deepEqual([report.heatmap?.rows, report.heatmap?.cols], [5, 7]);
    assert.deepEqual([report.heatmap?.min, report.heatmap?.max], [ref.min, ref.max]);
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
  it('reports which renderer drew the heatmap and the colour range of each range mode', async () => {
    const file = vscode.Uri.joinPath(dir, 'ranges.npy');
    const ref = JSON.parse(
      python(
        `import numpy as np, json, sys
rng = np.random.default_rng(8)
a = (rng.standard_normal((30, 40)) * 2 + 0.5).astype(np.float32)
a[0, 0] = 40.0
np.save(sys.argv[1], a)
f = a.astype(np.float64)
print(json.dumps(dict(min=float(f.min()), max=float(f.max()), p1=float(np.percentile(f, 1)), p99=float(np.percentile(f, 99)))))`,
        file.fsPath,
      ),
    );
    const { rendered, arrays } = await api();
    await vscode.commands.executeCommand('vscode.openWith', file, 'matrixLens.arrayViewer');
    const r0 = await rendered.wait(file, (r) => !!r.heatmap?.renderer);
    assert.ok(['webgl2', 'canvas'].includes(r0.heatmap!.renderer!));
    assert.equal(r0.heatmap?.rangeMode, 'minmax');
    assert.ok(
      Math.abs(r0.heatmap!.lo! - ref.min) < 1e-6 && Math.abs(r0.heatmap!.hi! - ref.max) < 1e-6,
    );
    const panel = arrays.panelsOf(file)[0];
    panel.drive({ kind: 'setRangeMode', mode: 'percentile' });
    const rp = await rendered.wait(file, (r) => r.heatmap?.rangeMode === 'percentile');
    // exact percentiles (NumPy's linear interpolation), computed from the float32 values
    assert.ok(Math.abs(rp.heatmap!.lo! - ref.p1) < 1e-5, `p1 ${rp.heatmap!.lo} vs ${ref.p1}`);
    assert.ok(Math.abs(rp.heatmap!.hi! - ref.p99) < 1e-5, `p99 ${rp.heatmap!.hi} vs ${ref.p99}`);
    panel.drive({ kind: 'setRangeMode', mode: 'symmetric' });
    const rs = await rendered.wait(file, (r) => r.heatmap?.rangeMode === 'symmetric');
    const m = Math.max(Math.abs(ref.min), Math.abs(ref.max));
    assert.ok(Math.abs(rs.heatmap!.hi! - m) < 1e-6 && Math.abs(rs.heatmap!.lo! + m) < 1e-6);
    assert.ok(rs.heatmap!.ticks!.includes('0'), `ticks ${rs.heatmap!.ticks}`);
    panel.drive({ kind: 'setRangeMode', mode: 'minmax' });
    await rendered.wait(file, (r) => r.heatmap?.rangeMode === 'minmax');
  });

  it('exports the zoomed view as PNG and the visible values as CSV equal to NumPy (commands with a target)', async () => {
    const file = vscode.Uri.joinPath(dir, 'export.npy');
    const win = { row0: 5, row1: 25, col0: 10, col1: 40 };
    const ref = JSON.parse(
      python(
        `import numpy as np, json, sys
rng = np.random.default_rng(5)
a = rng.standard_normal((40, 50))
a[7, 12] = np.nan; a[8, 13] = np.inf; a[9, 14] = -np.inf
np.save(sys.argv[1], a)
w = a[${win.row0}:${win.row1}, ${win.col0}:${win.col1}]
fin = a[np.isfinite(a)]
print(json.dumps(dict(window=[[repr(float(v)) for v in row] for row in w], min=float(fin.min()), max=float(fin.max()))))`,
        file.fsPath,
      ),
    );
    const { rendered, arrays } = await api();
    await vscode.commands.executeCommand('vscode.openWith', file, 'matrixLens.arrayViewer');
    await rendered.wait(file, (r) => !!r.heatmap?.renderer);
    arrays.panelsOf(file)[0].drive({ kind: 'zoom', window: win });
    const z = await rendered.wait(file, (r) => r.slice?.zoomed === true);
    assert.deepEqual(z.slice?.visible, win);

    const csvUri = vscode.Uri.joinPath(dir, 'export-view.csv');
    const written = await vscode.commands.executeCommand<vscode.Uri | string>(
      'matrixLens.exportCsv',
      csvUri,
    );
    assert.ok(written instanceof vscode.Uri, `exportCsv: ${String(written)}`);
    const lines = new TextDecoder()
      .decode(await vscode.workspace.fs.readFile(csvUri))
      .trimEnd()
      .split('\n');
    assert.equal(lines.length, 1 + win.row1 - win.row0);
    assert.deepEqual(lines[0].split(','), [
      'row\\col',
      ...Array.from({ length: win.col1 - win.col0 }, (_, k) => String(win.col0 + k)),
    ]);
    const py = (s: string) =>
      s === 'nan' ? NaN : s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s);
    lines.slice(1).forEach((line, i) => {
      const cells = line.split(',');
      assert.equal(cells[0], String(win.row0 + i));
      cells.slice(1).forEach((cell, j) => {
        const want = py(ref.window[i][j]);
        const got = py(cell);
        assert.ok(
          Object.is(got, want) || got === want,
          `[${win.row0 + i}, ${win.col0 + j}]: ${cell} vs NumPy ${ref.window[i][j]}`,
        );
      });
    });

    const pngUri = vscode.Uri.joinPath(dir, 'export-view.png');
    const wrotePng = await vscode.commands.executeCommand<vscode.Uri | string>(
      'matrixLens.exportPng',
      pngUri,
    );
    assert.ok(wrotePng instanceof vscode.Uri, `exportPng: ${String(wrotePng)}`);
    const img = decodePng(await vscode.workspace.fs.readFile(pngUri));
    assert.ok(
      img.width >= z.heatmap!.canvasWidth && img.height >= z.heatmap!.canvasHeight,
      `${img.width}×${img.height}`,
    );
    const lut = colormapLut('viridis');
    const H = win.row1 - win.row0;
    const W = win.col1 - win.col0;
    for (const [r, c] of [
      [5, 10],
      [12, 22],
      [24, 39],
      [7, 12],
      [8, 13],
      [9, 14],
    ]) {
      const got = pixel(
        img,
        ((c - win.col0 + 0.5) / W) * img.width,
        ((r - win.row0 + 0.5) / H) * img.height,
      );
      const v = py(ref.window[r - win.row0][c - win.col0]);
      const want = Number.isNaN(v)
        ? SPECIAL_COLORS.nan
        : v === Infinity
          ? SPECIAL_COLORS.posinf
          : v === -Infinity
            ? SPECIAL_COLORS.neginf
            : colorOf(v, ref.min, ref.max, lut);
      for (let k = 0; k < 3; k++)
        assert.ok(
          Math.abs(got[k] - want[k]) <= 3,
          `PNG [${r}, ${c}] = ${v}: ${got} vs ${[...want]}`,
        );
    }
  });

  it('refuses a CSV export over the size limit with a clear message, writing nothing', async () => {
    const file = vscode.Uri.joinPath(dir, 'big-export.npy');
    python(
      `import numpy as np, sys; np.save(sys.argv[1], np.zeros((1200, 1000), dtype=np.float32))`,
      file.fsPath,
    );
    const { rendered } = await api();
    await vscode.commands.executeCommand('vscode.openWith', file, 'matrixLens.arrayViewer');
    await rendered.wait(file, (r) => !!r.heatmap?.renderer);
    const target = vscode.Uri.joinPath(dir, 'big-export.csv');
    const res = await vscode.commands.executeCommand<vscode.Uri | string>(
      'matrixLens.exportCsv',
      target,
    );
    assert.equal(typeof res, 'string');
    assert.match(
      res as string,
      /big-export\.npy: cannot export: the visible window is 1,200 × 1,000 = 1,200,000 values; CSV export is limited to 1,000,000: zoom in first/,
    );
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(target)));
  });
  it('opens a 4096×4096 float32 array at each maxCells (times logged for BENCHMARKS.md, not asserted)', async () => {
    const file = vscode.Uri.joinPath(dir, 'big4096.npy');
    python(
      `import numpy as np, sys
a = np.sin(np.arange(4096, dtype=np.float32)[:, None] / 97) * np.cos(np.arange(4096, dtype=np.float32)[None, :] / 61)
np.save(sys.argv[1], a.astype(np.float32))`,
      file.fsPath,
    );
    const config = vscode.workspace.getConfiguration('matrixLens');
    const { rendered } = await api();
    try {
      for (const side of [1024, 2048, 4096]) {
        await config.update('heatmap.maxCells', side * side, vscode.ConfigurationTarget.Workspace);
        await closeAllEditors();
        const t0 = Date.now();
        await vscode.commands.executeCommand('vscode.openWith', file, 'matrixLens.arrayViewer');
        const r = await rendered.wait(file, (x) => x.heatmap?.rows === side, 60_000);
        console.log(
          `[bench] 4096² float32 with maxCells ${side}²: open → first rendered report ${Date.now() - t0} ms (${r.heatmap?.renderer})`,
        );
        assert.equal(r.slice?.rowStep, 4096 / side);
      }
    } finally {
      await config.update('heatmap.maxCells', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
