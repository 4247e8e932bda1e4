// Runs mocha over compiled test files in this process and writes {passed, failed, pending,
// failures, retried} to the file named by argv[2]. Used by scripts/test.mjs for the unit and e2e
// suites (`failures`: each failed test's title and the first line of its error, for the summary
// that ends a CI log). MATRIX_LENS_TEST_RETRIES (default 0) lets a failed test run again; a test that passed
// only on a later try is named in `retried`, with its first error, so a flaky test stays visible.
import Mocha from 'mocha';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';

const [resultsFile, timeout, ...files] = process.argv.slice(2);
const retries = Number(process.env.MATRIX_LENS_TEST_RETRIES ?? 0);
// every property runs from a fixed seed here (most name their own): a CI run must not draw a
// new counterexample; `npm run test:hunt` looks with fresh ones
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: 20261205 });
const mocha = new Mocha({
  ui: 'bdd',
  timeout: Number(timeout),
  color: true,
  reporter: 'spec',
  retries,
});
if (process.env.MATRIX_LENS_TEST_GREP) mocha.grep(process.env.MATRIX_LENS_TEST_GREP);
for (const f of files) mocha.addFile(f);
await mocha.loadFilesAsync();
const counts = { passed: 0, failed: 0, pending: 0, failures: [], retried: [] };
const runner = mocha.run((failures) => {
  writeFileSync(resultsFile, JSON.stringify(counts));
  process.exitCode = failures ? 1 : 0;
});
// a test's first error while it is tried again; it is named in `retried` only if it then passes
const firstTry = new Map();
runner.on('pass', (t) => {
  counts.passed++;
  if (firstTry.has(t.fullTitle()))
    counts.retried.push(`${t.fullTitle()} — first try: ${firstTry.get(t.fullTitle())}`);
});
runner.on('fail', (t, err) => {
  counts.failed++;
  counts.failures.push(`${t.fullTitle()} — ${String(err?.message ?? err).split('\n')[0]}`);
});
runner.on('pending', () => counts.pending++);
runner.on(Mocha.Runner.constants.EVENT_TEST_RETRY, (t, err) => {
  const first = String(err?.message ?? err).split('\n')[0];
  firstTry.set(t.fullTitle(), first);
  console.log(`\n  ↻ trying again: ${t.fullTitle()}\n    (first try: ${first})\n`);
});
