/**
 * Benchmark, not a test (loaded only by `npm run bench:debug-ui`, scripts/bench-debug-ui.mjs):
 * request → heatmap painted for live values of the real debugpy inside code-server, as a
 * person gets it: `matrixLens.debug.openExpression` (transfer through the shared temp file,
 * the array editor opening, the worker reading and pooling, the webview drawing) until the
 * page reports its first heatmap. 64 MiB float32 (4096²) is sent whole; 256 MiB (8192²) is over
 * the 128 MiB budget and comes as the debuggee's pooled 1024² view with whole-value statistics.
 * Times go to the JSON file named by MATRIX_LENS_BENCH_OUT; nothing is asserted about them.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, closeAllEditors, sleep, workspaceDir, PYTHON } from './helpers';
import { nextStop } from './debugSession';

const PROGRAM = String.raw`
import numpy as np

def main():
    rng = np.random.default_rng(0)
    x64 = rng.standard_normal((4096, 4096), dtype=np.float32)
    x256 = rng.standard_normal((8192, 8192), dtype=np.float32)
    marker = 1  # BREAK
    print(marker)

main()
`;

const RUNS = Number(process.env.MATRIX_LENS_BENCH_RUNS ?? 5);

describe('bench: live value request → heatmap painted in code-server', function () {
  this.timeout(15 * 60_000);

  it('bench: 64 MiB float32 whole and 256 MiB pooled', async () => {
    const { debug: dbg, rendered } = await api();
    const dir = join(workspaceDir().fsPath, 'bench-debug');
    mkdirSync(dir, { recursive: true });
    const program = join(dir, 'prog.py');
    writeFileSync(program, PROGRAM);
    const line = PROGRAM.split('\n').findIndex((l) => l.endsWith('# BREAK'));
    vscode.debug.addBreakpoints([
      new vscode.SourceBreakpoint(
        new vscode.Location(vscode.Uri.file(program), new vscode.Position(line, 0)),
      ),
    ]);
    const stopped = nextStop(dbg);
    assert.ok(
      await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], {
        type: 'debugpy',
        name: 'bench',
        request: 'launch',
        program,
        python: PYTHON,
        console: 'internalConsole',
      }),
    );
    await stopped;
    const rows: Record<string, unknown>[] = [];
    for (const expr of ['x64', 'x256'])
      for (let run = 0; run < RUNS; run++) {
        const t0 = performance.now();
        await vscode.commands.executeCommand('matrixLens.debug.openExpression', expr);
        const rec = dbg.opener.last;
        assert.ok(rec && rec.expression === expr, dbg.opener.lastError);
        const tOpened = performance.now();
        // the first paint: a coarse preview when the drawn level is large (the full one follows)
        const first = rendered
          .firstPaint(vscode.Uri.file(rec.path), 120_000)
          .then(() => performance.now());
        const report = await rendered.wait(
          vscode.Uri.file(rec.path),
          (r) => !!r.error || (r.heatmap?.rows ?? 0) > 0,
          120_000,
        );
        const tPainted = performance.now();
        assert.ok(!report.error, report.error);
        rows.push({
          expression: expr,
          run,
          bytes: rec.meta.nbytes,
          pooled: rec.meta.pooled ?? null,
          route: rec.route,
          transferMs: Math.round(rec.transferMs),
          openedMs: Math.round(tOpened - t0),
          firstPaintMs: Math.round((await first) - t0),
          paintedMs: Math.round(tPainted - t0),
          drawn: `${report.heatmap?.rows}×${report.heatmap?.cols}`,
        });
        await closeAllEditors();
        await sleep(2500); // the temp file goes 2 s after its tab closes
      }
    writeFileSync(process.env.MATRIX_LENS_BENCH_OUT!, JSON.stringify(rows, null, 2));
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.debug.stopDebugging();
  });
});
