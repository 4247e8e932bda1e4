// `npm test`: builds, packages the .vsix, then runs every suite and fails loudly if any test
// failed or none ran.
//   node scripts/test.mjs [unit|integration|e2e ...]   (default: all)
// Integration runner: code-server + headless Chromium when Chromium is present, else
// @vscode/test-electron (downloads VS Code). Override with MATRIX_LENS_RUNNER=code-server|electron.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ROOT } from './lib/code-server.mjs';
import { chromiumPath } from './lib/browser.mjs';
import { walk } from './lib/walk.mjs';

const wanted = new Set(process.argv.slice(2));
const all = wanted.size === 0;
const want = (s) => all || wanted.has(s);
const totals = { passed: 0, failed: 0 };
const lines = [];
const VSIX = join(ROOT, 'matrix-lens.vsix');

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(' ')} failed (exit ${r.status})`);
    process.exit(1);
  }
}

const started = Date.now();
let phaseStart = started;
const minutes = (ms) => `${(ms / 60_000).toFixed(1)} min`;

/** One summary line per suite: counts, its time, each failure (title — first line of its error)
 *  and each test that passed only on a second try. The summary ends the CI log, which is often
 *  all that is kept of it, so a failure must be named there. */
function record(label, { passed, failed, retried = [], failures = [] }) {
  totals.passed += passed;
  totals.failed += failed;
  const now = Date.now();
  let line = `${label}: ${passed} passed, ${failed} failed (${minutes(now - phaseStart)})`;
  phaseStart = now;
  for (const f of failures) line += `\n  ✗ ${f}`;
  if (retried.length)
    line += `; ${retried.length} passed only on a second try:${retried.map((r) => `\n  ↻ ${r}`).join('')}`;
  lines.push(line);
  console.log(`\n${line}\n`);
}

/** Runs mocha over `files`; `retries` > 0 gives a failed test that many more tries (named). */
function mochaSuite(label, files, timeout, retries = 0) {
  if (files.length === 0) {
    record(label, { passed: 0, failed: 1 });
    console.error(`no ${label} test files found`);
    return;
  }
  const results = join(mkdtempSync(join(tmpdir(), 'ml-mocha-')), 'results.json');
  spawnSync(
    process.execPath,
    [join(ROOT, 'scripts/lib/run-mocha.mjs'), results, String(timeout), ...files],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, MATRIX_LENS_VSIX: VSIX, MATRIX_LENS_TEST_RETRIES: String(retries) },
    },
  );
  const r = existsSync(results)
    ? JSON.parse(readFileSync(results, 'utf8'))
    : { passed: 0, failed: 1 };
  if (r.passed === 0 && r.failed === 0) r.failed = 1; // a suite that ran nothing is a failure
  record(label, r);
}

// 1. Build: the .vsix from a production build with test hooks (the shipped one, `npm run package`,
//    has none), then the development build with tests.
console.log('▸ building');
const needVsix = want('integration') || want('e2e') || wanted.has('package');
if (needVsix) {
  sh(process.execPath, ['esbuild.mjs', '--production', '--test-hooks', '--no-typecheck']);
  sh(
    process.execPath,
    [
      join(ROOT, 'node_modules/@vscode/vsce/vsce'),
      'package',
      '--no-dependencies',
      '--no-rewrite-relative-links',
      '--skip-license',
      '--out',
      VSIX,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
}
sh(process.execPath, ['esbuild.mjs']);
console.log(`built in ${minutes(Date.now() - started)}`);
phaseStart = Date.now();

// 2. Unit tests (plain Node).
if (want('unit')) {
  console.log('▸ unit tests');
  mochaSuite(
    'unit',
    walk(join(ROOT, 'out/test/unit'), (p) => p.endsWith('.test.js')).sort(),
    120_000,
  );
}

// 3. Integration suite inside a real VS Code extension host, in development and installed-.vsix mode.
//    Like e2e, a failed test gets one more try, named in the summary (the extension host and the
//    page share the machine's timing with everything else; a bug fails both tries).
//    MATRIX_LENS_INTEGRATION_RETRIES=0 turns this off.
if (want('integration')) {
  process.env.MATRIX_LENS_TEST_RETRIES = String(process.env.MATRIX_LENS_INTEGRATION_RETRIES ?? 1);
  const runner = process.env.MATRIX_LENS_RUNNER ?? (chromiumPath() ? 'code-server' : 'electron');
  const { runWithCodeServer, runWithElectron } = await import('./lib/vscode-runner.mjs');
  if (runner === 'code-server') {
    console.log('▸ integration tests: code-server + headless Chromium, development mode');
    record('integration (code-server, development)', await runWithCodeServer({ mode: 'dev' }));
    // Restricted Mode for real: workspace trust on and the folder untrusted (its own suite)
    const grep = process.env.MATRIX_LENS_TEST_GREP;
    if (!grep || new RegExp(grep).test('Restricted Mode in an untrusted window')) {
      console.log('▸ integration tests: code-server, untrusted folder (Restricted Mode)');
      record(
        'integration (code-server, untrusted folder)',
        await runWithCodeServer({
          mode: 'dev',
          label: 'integration-untrusted',
          untrusted: true,
          env: { MATRIX_LENS_UNTRUSTED: '1', MATRIX_LENS_TEST_GREP: 'untrusted window' },
        }),
      );
    }
    console.log('▸ integration tests: code-server + headless Chromium, installed .vsix');
    record(
      'integration (code-server, installed vsix)',
      await runWithCodeServer({ mode: 'vsix', vsix: VSIX }),
    );
  } else {
    console.log('▸ integration tests: @vscode/test-electron');
    record('integration (electron, development)', await runWithElectron({}));
  }
}

// 4. End-to-end: what a person sees in the webviews (Playwright in the real VS Code page).
if (want('e2e')) {
  if (!chromiumPath()) {
    console.error('e2e tests need Chromium (apt-get install chromium)');
    record('e2e', { passed: 0, failed: 1 });
  } else {
    console.log('▸ end-to-end tests (installed .vsix in code-server, headless Chromium)');
    // A real page on a shared machine has timing no test controls (a page taking the focus,
    // a theme switch repainting every chart): two CI runs failed on one such e2e each, which
    // passed when rerun. A failed e2e test gets one more try and the summary names it; a bug
    // fails both. MATRIX_LENS_E2E_RETRIES=0 turns this off.
    mochaSuite(
      'e2e',
      walk(join(ROOT, 'out/test/e2e'), (p) => p.endsWith('.test.js')).sort(),
      180_000,
      Number(process.env.MATRIX_LENS_E2E_RETRIES ?? 1),
    );
  }
}

console.log('\n──────── summary');
for (const l of lines) console.log(l);
console.log(
  `${totals.passed} passed, ${totals.failed} failed, in ${minutes(Date.now() - started)}`,
);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
