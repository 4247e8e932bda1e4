// Activation cost of the extension bundle: loading dist/extension.js and running activate()
// against a stand-in `vscode` module (every API call is a no-op that returns another
// stand-in). This is the part of activation Matrix Lens controls (the bundle's top level and
// its registrations); VS Code's own extension-host work is not included. The installed-.vsix
// integration run logs the real activation (`[bench] Matrix Lens activation`).
//   node scripts/bench-activation.mjs [dist/extension.js] [runs]
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const bundle = resolve(process.argv[2] ?? 'dist/extension.js');
const runs = Number(process.argv[3] ?? 5);

function standIn() {
  const fn = function () {};
  return new Proxy(fn, {
    get: (_t, key) =>
      key === Symbol.toPrimitive ? () => '' : key === 'then' ? undefined : standIn(),
    apply: () => standIn(),
    construct: () => standIn(),
  });
}
// esbuild's __toESM copies the module's own keys, and a minified bundle renames the module:
// give the stand-in every property name the bundle reads anywhere (extra ones are harmless)
const vscode = {};
for (const m of readFileSync(bundle, 'utf8').matchAll(/\.([A-Za-z_$][\w$]*)/g))
  vscode[m[1]] ??= standIn();
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolveFilename.call(this, request, ...rest);
};
const require = Module.createRequire(import.meta.url);
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };

const times = [];
for (let i = 0; i < runs; i++) {
  delete require.cache[bundle];
  const context = {
    subscriptions: [],
    extensionUri: standIn(),
    extensionPath: resolve('.'),
    asAbsolutePath: (p) => resolve(p),
    globalState: standIn(),
    workspaceState: standIn(),
  };
  const t0 = performance.now();
  const ext = require(bundle);
  const api = ext.activate(context);
  times.push(performance.now() - t0);
  for (const d of context.subscriptions) d?.dispose?.();
  api?.worker?.dispose?.();
}
const cold = times[0];
times.sort((a, b) => a - b);
console.log(
  `activation (load + activate, stand-in vscode): cold ${cold.toFixed(1)} ms, median ${times[Math.floor(times.length / 2)].toFixed(1)} ms over ${runs} runs`,
);
process.exit(0);
