// Runs the integration mocha suite inside a real VS Code extension host.
//  - code-server + headless Chromium (works here: npm + Debian only)
//  - @vscode/test-electron (machines that can download VS Code)
import { mkdirSync, rmSync, existsSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { format } from 'node:util';
import { ROOT, startCodeServer, codeServerCli } from './code-server.mjs';
import { launchChromium } from './browser.mjs';

export const SUITE = join(ROOT, 'out', 'test', 'integration', 'suite', 'index.js');
export const HOST_STUB = join(ROOT, 'test', 'integration', 'host-extension');

function summarize(resultsFile, label) {
  if (!existsSync(resultsFile)) return { passed: 0, failed: 0, results: [], missing: true };
  const { results } = JSON.parse(readFileSync(resultsFile, 'utf8'));
  const passed = results.filter((r) => r.state === 'passed').length;
  const failed = results.filter((r) => r.state === 'failed').length;
  for (const r of results.filter((x) => x.state === 'failed'))
    console.log(`  ✗ [${label}] ${r.title}\n    ${r.error.split('\n').slice(0, 6).join('\n    ')}`);
  // tests that passed only on a second try (MATRIX_LENS_TEST_RETRIES), with their first error
  const retried = results
    .filter((r) => r.state === 'passed' && r.firstTry !== undefined)
    .map((r) => `${r.title} — first try: ${r.firstTry}`);
  for (const r of retried) console.log(`  ↻ [${label}] ${r}`);
  // the same shape as scripts/lib/run-mocha.mjs: title — first line of the error
  const failures = results
    .filter((r) => r.state === 'failed')
    .map((r) => `${r.title} — ${String(r.error ?? '').split('\n')[0]}`);
  return { passed, failed, results, retried, failures };
}

/** A fresh run folder with an empty workspace. */
export function makeRunDir(label) {
  // Outside the repo (no git prompt, short IPC socket paths), unique per process (parallel runs).
  const runDir = join(tmpdir(), `ml-${label}-${process.pid}`);
  rmSync(runDir, { recursive: true, force: true });
  const workspace = join(runDir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  return { runDir, workspace };
}

/** Installs a .vsix into a fresh extensions folder; returns the folder and the extension's install path. */
export function installVsix(vsix, runDir) {
  const extensionsDir = join(runDir, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  codeServerCli(['--install-extension', vsix, '--force'], {
    userDataDir: join(runDir, 'user-data'),
    extensionsDir,
  });
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const installed = join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  if (!existsSync(join(installed, 'package.json')))
    throw new Error(`the .vsix did not install to ${installed}`);
  return { extensionsDir, installed };
}

/**
 * In development mode the repo is the (only) development extension, so the test host extension
 * (debugpy adapter for the debugger-bridge tests) is installed as a user extension instead:
 * copied into the extensions folder and listed in its extensions.json manifest.
 */
export function installHostStub(extensionsDir) {
  const pkg = JSON.parse(readFileSync(join(HOST_STUB, 'package.json'), 'utf8'));
  const rel = `${pkg.publisher}.${pkg.name}-${pkg.version}`;
  const dest = join(extensionsDir, rel);
  cpSync(HOST_STUB, dest, { recursive: true });
  const manifest = join(extensionsDir, 'extensions.json');
  const list = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')) : [];
  list.push({
    identifier: { id: `${pkg.publisher}.${pkg.name}` },
    version: pkg.version,
    location: { $mid: 1, scheme: 'file', path: dest },
    relativeLocation: rel,
    metadata: { installedTimestamp: Date.now(), source: 'resource' },
  });
  writeFileSync(manifest, JSON.stringify(list));
}

/**
 * mode 'dev': the repo is the development extension. mode 'vsix': the .vsix is installed and an
 * empty stub is the development extension, so the suite exercises the packaged build.
 */
export async function runWithCodeServer({
  mode,
  vsix,
  label = `integration-${mode}`,
  env = {},
  timeoutMs = 15 * 60_000,
  verbose = false,
  untrusted = false,
}) {
  const { runDir, workspace } = makeRunDir(label);
  let extensionsDir = join(runDir, 'extensions');
  let devPath = ROOT;
  const extraEnv = { ...env };
  if (mode === 'vsix') {
    const inst = installVsix(vsix, runDir);
    extensionsDir = inst.extensionsDir;
    devPath = join(runDir, 'host-extension');
    cpSync(HOST_STUB, devPath, { recursive: true });
    extraEnv.MATRIX_LENS_EXPECT_EXTENSION_PATH = inst.installed;
  } else {
    mkdirSync(extensionsDir, { recursive: true });
    installHostStub(extensionsDir);
    extraEnv.MATRIX_LENS_EXPECT_EXTENSION_PATH = ROOT;
  }
  const resultsFile = join(runDir, 'results.json');
  extraEnv.MATRIX_LENS_TEST_RESULTS = resultsFile;
  const logFile = join(runDir, 'host.log');
  writeFileSync(logFile, '');
  const server = await startCodeServer({
    runDir,
    folder: workspace,
    extensionsDir,
    env: extraEnv,
    untrusted,
  });
  const browser = await launchChromium();
  let exitCode;
  const logs = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const exited = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (code) => resolve(code));
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      logs.push(line);
      if (verbose || process.env.MATRIX_LENS_VERBOSE) console.log(`  [host] ${line}`);
    });
    // Errors inside the workbench and webview frames go into the host log: a webview that never
    // starts is otherwise silent.
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        logs.push(`[page ${m.type()}] ${m.text()}`.slice(0, 2000));
    });
    page.on('pageerror', (e) => logs.push(`[page exception] ${e.message}`));
    const authority = `127.0.0.1:${server.port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${devPath}`],
      ['extensionTestsPath', `vscode-remote://${authority}${SUITE}`],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    let timer;
    exitCode = await Promise.race([
      exited,
      new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
  } finally {
    writeFileSync(logFile, logs.join('\n'));
    await browser.close().catch(() => {});
    await server.stop();
  }
  const s = summarize(resultsFile, label);
  if (exitCode === 'timeout')
    console.log(
      `  [${label}] the extension host did not finish within ${timeoutMs / 1000} s (log: ${logFile})`,
    );
  else if (s.missing)
    console.log(
      `  [${label}] no results were written (host exit code ${exitCode}); log: ${logFile}\n${logs.slice(-30).join('\n')}`,
    );
  const ok = exitCode === 0 && s.failed === 0 && s.passed > 0;
  return { ...s, ok, exitCode, label };
}

/** The same suite through @vscode/test-electron (downloads VS Code desktop). */
export async function runWithElectron({ env = {}, label = 'integration-electron' }) {
  const { runTests } = await import('@vscode/test-electron');
  const { runDir, workspace } = makeRunDir(label);
  const resultsFile = join(runDir, 'results.json');
  let exitCode = 0;
  try {
    await runTests({
      // the test host extension beside the repo: it registers the debugpy adapter
      extensionDevelopmentPath: [ROOT, HOST_STUB],
      extensionTestsPath: SUITE,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: {
        ...env,
        MATRIX_LENS_TEST_RESULTS: resultsFile,
        MATRIX_LENS_EXPECT_EXTENSION_PATH: ROOT,
      },
      version: process.env.MATRIX_LENS_VSCODE_VERSION ?? '1.100.3',
      vscodeExecutablePath: process.env.MATRIX_LENS_VSCODE_PATH,
    });
  } catch (e) {
    exitCode = 1;
    console.log(`  [${label}] ${e.message}`);
  }
  const s = summarize(resultsFile, label);
  return { ...s, ok: exitCode === 0 && s.failed === 0 && s.passed > 0, exitCode, label };
}
