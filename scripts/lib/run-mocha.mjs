// Runs mocha over compiled test files in this process and writes {passed, failed, pending}
// to the file named by argv[2]. Used by scripts/test.mjs for the unit and e2e suites.
import Mocha from 'mocha';
import { writeFileSync } from 'node:fs';

const [resultsFile, timeout, ...files] = process.argv.slice(2);
const mocha = new Mocha({ ui: 'bdd', timeout: Number(timeout), color: true, reporter: 'spec' });
if (process.env.MATRIX_LENS_TEST_GREP) mocha.grep(process.env.MATRIX_LENS_TEST_GREP);
for (const f of files) mocha.addFile(f);
await mocha.loadFilesAsync();
const counts = { passed: 0, failed: 0, pending: 0, failures: [] };
const runner = mocha.run((failures) => {
  writeFileSync(resultsFile, JSON.stringify(counts));
  process.exitCode = failures ? 1 : 0;
});
runner.on('pass', () => counts.passed++);
runner.on('fail', (t) => {
  counts.failed++;
  counts.failures.push(t.fullTitle());
});
runner.on('pending', () => counts.pending++);
