// Builds every bundle: extension host, worker, CLI, webviews, and the tests.
//   node esbuild.mjs [--production] [--test-hooks] [--no-typecheck] [--no-tests] [--watch] [--outdir DIR]
// Test hooks (the worker's `spin`/`crash`, the pool's test kernels, the host's handling of the
// webviews' rendered reports) are in the development build; a production build drops them
// unless `--test-hooks` (the .vsix the integration tests install) asks for them.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import {
  readdirSync,
  statSync,
  mkdirSync,
  copyFileSync,
  existsSync,
  rmSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const withTests = !args.has('--no-tests') && !production;
const testHooks = !production || args.has('--test-hooks');
const outIndex = process.argv.indexOf('--outdir');
/** where the bundles go (tests build a production copy elsewhere to inspect it) */
const dist = outIndex > 0 ? process.argv[outIndex + 1] : 'dist';
if (outIndex > 0) args.delete(dist);

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
  legalComments: 'none',
  define: { TEST_HOOKS: String(testHooks) },
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

/** Files under dir (recursive) matching pred. */
function walk(dir, pred) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, pred));
    else if (pred(p)) out.push(p);
  }
  return out;
}

const webviewEntries = walk('webview', (p) => /webview\/[^/]+\/main\.ts$/.test(p));

const builds = [
  {
    ...node,
    entryPoints: ['src/extension/extension.ts'],
    outfile: join(dist, 'extension.js'),
    external: ['vscode'],
    loader: { '.py': 'text' }, // the debuggee helper (src/extension/debug/helper.py)
  },
  { ...node, entryPoints: ['src/worker/worker.ts'], outfile: join(dist, 'worker.js') },
  // the worker pool's threads, started by path next to worker.js (src/worker/pool.ts)
  ...['poolSupervisor', 'poolHelper'].map((name) => ({
    ...node,
    entryPoints: [`src/worker/${name}.ts`],
    outfile: join(dist, `${name}.js`),
  })),
  {
    ...node,
    entryPoints: ['src/cli/cli.ts'],
    outfile: join(dist, 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
  },
  ...webviewEntries.map((entry) => ({
    ...common,
    platform: 'browser',
    format: 'iife',
    entryPoints: [entry],
    outfile: join(dist, 'webview', `${entry.split('/')[1]}.js`),
    loader: { '.css': 'text' },
  })),
];

if (withTests) {
  const unit = walk('test/unit', (p) => p.endsWith('.test.ts'));
  if (unit.length)
    builds.push({
      ...node,
      entryPoints: unit,
      outdir: 'out/test/unit',
      outbase: 'test/unit',
      external: ['mocha', 'fast-check'],
    });
  const integration = walk('test/integration', (p) => p.endsWith('.ts'));
  if (integration.length)
    builds.push({
      ...node,
      entryPoints: integration,
      outdir: 'out/test/integration',
      outbase: 'test/integration',
      external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron'],
    });
  // the WebGPU kernels' test page, loaded into headless Chromium (test/e2e/gpuKernels.test.ts)
  builds.push({
    ...common,
    platform: 'browser',
    format: 'iife',
    entryPoints: ['test/browser/gpuHarness.ts'],
    outfile: 'out/test/browser/gpuHarness.js',
  });
  const e2e = walk('test/e2e', (p) => p.endsWith('.ts'));
  if (e2e.length)
    builds.push({
      ...node,
      entryPoints: e2e,
      outdir: 'out/test/e2e',
      outbase: 'test/e2e',
      external: ['mocha', 'playwright-core'],
    });
}

// Only a clean (packaging) build wipes the output: parallel test builds must not delete each other's files.
if (args.has('--clean')) {
  rmSync('dist', { recursive: true, force: true });
  rmSync('out', { recursive: true, force: true });
}

if (args.has('--watch')) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log('watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // Static webview assets that are loaded by URL rather than bundled.
  mkdirSync(join(dist, 'webview'), { recursive: true });
  // Codicons with the font embedded as a data: URL. Webviews inline this stylesheet so that
  // they fetch nothing: in code-server a webview fetch left pending when a panel closes holds up
  // the next webview's start for 30 s (see src/extension/webviewHtml.ts).
  const font = readFileSync('node_modules/@vscode/codicons/dist/codicon.ttf').toString('base64');
  const codiconCss = readFileSync('node_modules/@vscode/codicons/dist/codicon.css', 'utf8').replace(
    /url\("\.\/codicon\.ttf[^"]*"\)/,
    `url("data:font/ttf;base64,${font}")`,
  );
  if (!codiconCss.includes('data:font/ttf')) throw new Error('codicon.css: font URL not found');
  writeFileSync(join(dist, 'webview', 'codicon-inline.css'), codiconCss);
  // Shape checker: tree-sitter runtime and Python grammar, loaded next to dist/extension.js and dist/cli.js.
  copyFileSync(
    'node_modules/web-tree-sitter/web-tree-sitter.wasm',
    join(dist, 'web-tree-sitter.wasm'),
  );
  copyFileSync(
    'node_modules/tree-sitter-python/tree-sitter-python.wasm',
    join(dist, 'tree-sitter-python.wasm'),
  );
  for (const f of walk(dist, () => true)) if (f.endsWith('cli.js')) spawnSync('chmod', ['+x', f]);
  if (!args.has('--no-typecheck')) {
    const r = spawnSync(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.'],
      { stdio: 'inherit' },
    );
    if (r.status !== 0) {
      console.error('type check failed');
      process.exit(1);
    }
  }
  console.log(
    `built ${builds.length} bundles${withTests ? ' (with tests)' : ''}${testHooks ? ' (test hooks)' : ''} in ${relative(process.cwd(), dist)}/`,
  );
}
