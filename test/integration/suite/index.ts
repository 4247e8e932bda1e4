/**
 * Entry point loaded by the VS Code extension host (`extensionTestsPath`): runs every
 * `*.test.js` next to this file with mocha and writes per-test results to
 * $MATRIX_LENS_TEST_RESULTS for the runner, which fails when any test failed or none ran.
 */
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface TestRecord {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
  /** passed only on a later try: the first try's error (first line) */
  firstTry?: string;
}

export function run(): Promise<void> {
  // MATRIX_LENS_TEST_RETRIES: a failed test is tried again that many times; one that passes
  // only then is reported with its first error (scripts/test.mjs names it in the summary)
  const retries = Number(process.env.MATRIX_LENS_TEST_RETRIES ?? 0);
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', retries });
  const grep = process.env.MATRIX_LENS_TEST_GREP;
  if (grep) mocha.grep(grep);
  // benchmarks (`*.bench.js`) run only when a bench script asks for them (never in `npm test`)
  const bench = !!process.env.MATRIX_LENS_BENCH_OUT;
  for (const f of readdirSync(__dirname).sort())
    if (f.endsWith('.test.js') || (bench && f.endsWith('.bench.js')))
      mocha.addFile(join(__dirname, f));
  const results: TestRecord[] = [];
  const firstTry = new Map<string, string>();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const out = process.env.MATRIX_LENS_TEST_RESULTS;
      if (out) writeFileSync(out, JSON.stringify({ results, failures }, null, 2));
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else if (!results.some((r) => r.state === 'passed')) reject(new Error('no test ran'));
      else resolve();
    });
    runner.on('pass', (t) => {
      const first = firstTry.get(t.fullTitle());
      results.push({
        title: t.fullTitle(),
        state: 'passed',
        durationMs: t.duration,
        ...(first !== undefined ? { firstTry: first } : {}),
      });
    });
    runner.on(Mocha.Runner.constants.EVENT_TEST_RETRY, (t: Mocha.Test, err: unknown) => {
      const first = String(err instanceof Error ? err.message : err).split('\n')[0];
      firstTry.set(t.fullTitle(), first);
      console.log(`\n  ↻ trying again: ${t.fullTitle()}\n    (first try: ${first})\n`);
    });
    runner.on('fail', (t, err: Error) =>
      results.push({
        title: t.fullTitle(),
        state: 'failed',
        error: `${err.message}\n${err.stack ?? ''}`.slice(0, 4000),
      }),
    );
    runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending' }));
  });
}
