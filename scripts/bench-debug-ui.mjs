// Request → heatmap painted for live debugger values, measured inside code-server (the real
// extension host, debugpy, worker and webview; headless Chromium): 64 MiB float32 sent whole
// and 256 MiB pooled in the debuggee. Runs test/integration/suite/debugPaint.bench.ts.
//   npm run bench:debug-ui          (MATRIX_LENS_BENCH_RUNS=5 by default)
// Prints one line per run and the medians (ms). `npm run bench:debug` times the bridge alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { runWithCodeServer } from './lib/vscode-runner.mjs';

execFileSync(process.execPath, ['esbuild.mjs', '--no-typecheck'], { stdio: 'inherit' });
const out = join(mkdtempSync(join(tmpdir(), 'ml-bench-debug-ui-')), 'bench.json');
const load = loadavg()[0].toFixed(2);
const r = await runWithCodeServer({
  mode: 'dev',
  label: 'bench-debug-ui',
  env: { MATRIX_LENS_BENCH_OUT: out, MATRIX_LENS_TEST_GREP: '^bench: ' },
});
if (!existsSync(out)) {
  console.error('the benchmark wrote no results', r);
  process.exit(1);
}
const rows = JSON.parse(readFileSync(out, 'utf8'));
for (const x of rows)
  console.log(
    `${x.expression.padEnd(5)} run ${x.run}: first paint ${String(x.firstPaintMs ?? x.paintedMs).padStart(5)} ms, full level ${String(x.paintedMs).padStart(5)} ms ` +
      `(transfer ${x.transferMs} ms, editor opened at ${x.openedMs} ms) ${x.route}, ${x.drawn}` +
      (x.pooled ? `, pooled ${x.pooled.join('×')}` : ''),
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const e of [...new Set(rows.map((x) => x.expression))]) {
  const mine = rows.filter((x) => x.expression === e);
  console.log(
    `${e}: median request → first paint ${median(mine.map((x) => x.firstPaintMs ?? x.paintedMs))} ms, full drawn level ${median(mine.map((x) => x.paintedMs))} ms, transfer ${median(mine.map((x) => x.transferMs))} ms (${mine.length} runs)`,
  );
}
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; 1-min load before: ${load}`);
process.exit(r.ok ? 0 : 1);
