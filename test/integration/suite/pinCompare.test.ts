/**
 * "Compare two stops" of a pinned value against the real debugpy: a NumPy program changes a
 * float32 array in known ways over three stops and np.saves it at each; the pin keeps each
 * stop's bytes as they crossed, and stop 1 vs stop 3 through `matrixLens.debug.compareStops`
 * shows NumPy's max |Δ|, changed count, allclose verdict and first mismatch (computed on the
 * program's own files). The temp files hold exactly the program's bytes and go with the view.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, closeAllEditors, python, sleep, workspaceDir } from './helpers';
import { launchToFirstStop } from './debugSession';
import type { DebugApi } from '../../../src/extension/debug';
import type { StopsCompare } from '../../../src/extension/debug/pins';

const PROGRAM = String.raw`
import os, sys
import numpy as np

REF = sys.argv[1]


def main():
    rng = np.random.default_rng(5)
    w = rng.standard_normal((24, 16)).astype(np.float32)
    for step in range(3):
        if step == 1:
            w[3, 5] += 0.5           # one clear change
            w[7, :] += np.float32(1e-6)  # changed, but within rtol=1e-5 for most cells
        if step == 2:
            w[20, 2] = -w[20, 2]
            w[:, 11] *= np.float32(1.5)
        np.save(os.path.join(REF, "stop%d.npy" % (step + 1)), w)
        marker = step  # BREAK
    print("done", marker)


main()
`;

/** Data bytes of an .npy file (after its header). */
function npyData(path: string): Buffer {
  const b = readFileSync(path);
  const major = b[6];
  const hl = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  return b.subarray((major === 1 ? 10 : 12) + hl);
}

function near(got: string | number, want: number, rel: number, what: string): void {
  const g = Number(got);
  assert.ok(Math.abs(g - want) <= rel * Math.abs(want) + 1e-300, `${what}: ${got} vs ${want}`);
}

describe('Compare two stops of a pinned value (real debugpy, NumPy references)', function () {
  this.timeout(180_000);
  let dbg: DebugApi;
  let refDir: string;

  const nextStop = async (): Promise<void> => {
    const pin = [...dbg.pins.pins.values()][0];
    const updated = new Promise<void>((resolve) => {
      const d = pin.onDidUpdate(() => {
        d.dispose();
        resolve();
      });
    });
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await updated;
  };

  before(async function () {
    dbg = (await api()).debug;
    const dir = join(workspaceDir().fsPath, 'pin-compare');
    refDir = join(dir, 'ref');
    mkdirSync(refDir, { recursive: true });
    const program = join(dir, 'prog.py');
    await vscode.workspace.fs.writeFile(vscode.Uri.file(program), Buffer.from(PROGRAM));
    const line = PROGRAM.split('\n').findIndex((l) => l.includes('# BREAK'));
    vscode.debug.addBreakpoints([
      new vscode.SourceBreakpoint(
        new vscode.Location(vscode.Uri.file(program), new vscode.Position(line, 0)),
      ),
    ]);
    await launchToFirstStop(dbg, { name: 'matrix lens pin compare test', program, args: [refDir] });
  });

  after(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    await closeAllEditors();
  });

  it('stop 1 vs stop 3 through the command shows NumPy’s Δ statistics, verdict and first mismatch', async () => {
    await sleep(300);
    const pin = await dbg.pins.pin('w');
    assert.equal(pin.history.at(-1)?.stop, 1, pin.status);
    const cmds = await vscode.commands.getCommands(true);
    assert.ok(cmds.includes('matrixLens.debug.compareStops'));
    // one stop kept: nothing to compare yet, said in one line
    const early = await vscode.commands.executeCommand<StopsCompare>(
      'matrixLens.debug.compareStops',
      { expression: 'w', a: 1, b: 1 },
    );
    assert.match(early.message ?? '', /^w: two stops with kept values are needed \(kept: 1\)$/);
    await nextStop();
    await nextStop();
    assert.deepEqual(
      pin.history.all().map((h) => [h.stop, h.retained]),
      [
        [1, true],
        [2, true],
        [3, true],
      ],
      pin.status,
    );
    // kept as they crossed: float32 .npy files, not float64 copies
    const fileBytes = readFileSync(join(refDir, 'stop1.npy')).length;
    assert.ok(
      Math.abs(pin.retention.totalBytes - 3 * fileBytes) < 3 * 128,
      `${pin.retention.totalBytes} vs 3 × ${fileBytes}`,
    );

    const ref = JSON.parse(
      python(
        `
import numpy as np, json, sys, os
d = sys.argv[1]
x = np.load(os.path.join(d, 'stop1.npy')).astype(np.float64)
y = np.load(os.path.join(d, 'stop3.npy')).astype(np.float64)
close = np.isclose(x, y, rtol=1e-5, atol=1e-8)
print(json.dumps(dict(allclose=bool(np.allclose(x, y, rtol=1e-5, atol=1e-8)),
    first=[int(i) for i in np.argwhere(~close)[0]], mismatched=int((~close).sum()),
    maxAbs=float(np.abs(y - x).max()), changed=int((x != y).sum()), n=int(x.size))))
`,
        refDir,
      ),
    ) as {
      allclose: boolean;
      first: number[];
      mismatched: number;
      maxAbs: number;
      changed: number;
      n: number;
    };
    assert.equal(ref.allclose, false);
    assert.ok(ref.changed > ref.mismatched, 'the 1e-6 row changed but stays within tolerance');

    const out = await vscode.commands.executeCommand<StopsCompare>(
      'matrixLens.debug.compareStops',
      { expression: 'w', a: 1, b: 3 },
    );
    assert.equal(out.message, undefined);
    assert.equal(out.outcome?.state, 'done', out.outcome?.message);
    const r = out.outcome!.report!;
    assert.equal(r.state, 'arrays', r.message);
    assert.equal(out.outcome!.view!.panel.title, 'Compare: w @ stop 1 ↔ w @ stop 3');
    assert.match(
      r.fields.verdict,
      new RegExp(`^no — first at \\[${ref.first.join(', ')}\\]; ${ref.mismatched} of ${ref.n}`),
    );
    near(r.fields.maxAbs, ref.maxAbs, 1e-5, 'max |Δ|');
    assert.match(r.fields.changed, new RegExp(`^${ref.changed} of ${ref.n} `));
    assert.deepEqual([r.heatmap!.rows, r.heatmap!.cols], [24, 16]);

    // the two temp files hold exactly the program's bytes for those stops
    assert.equal(out.paths.length, 2);
    assert.ok(npyData(out.paths[0]).equals(npyData(join(refDir, 'stop1.npy'))), 'stop 1 bytes');
    assert.ok(npyData(out.paths[1]).equals(npyData(join(refDir, 'stop3.npy'))), 'stop 3 bytes');

    // a stop that is not kept is refused in one line
    const missing = await vscode.commands.executeCommand<StopsCompare>(
      'matrixLens.debug.compareStops',
      { expression: 'w', a: 1, b: 9 },
    );
    assert.match(missing.message ?? '', /^the values of w at stop 9 are no longer kept/);

    // the temp files go when the compare view closes
    out.outcome!.view!.panel.dispose();
    for (let i = 0; i < 50 && out.paths.some(existsSync); i++) await sleep(100);
    assert.ok(!out.paths.some(existsSync), 'temp files removed with the compare view');
  });

  it('ending the session closes the pin and releases its kept values', async () => {
    const pin = [...dbg.pins.pins.values()][0];
    const ended = new Promise<void>((resolve) => {
      const d = dbg.bridge.onDidEnd(() => {
        d.dispose();
        resolve();
      });
    });
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await ended;
    await sleep(500);
    assert.equal(dbg.pins.pins.size, 0, 'the pin closed with the session');
    assert.equal(pin.retention.totalBytes, 0, 'its kept values were released');
  });
});
