// `npm start`: builds Matrix Lens, installs the .vsix into a browser-based VS Code (the same
// code-server the tests use) and serves the demo workspace. Open the printed URL; Ctrl+C stops.
//   PORT=8080 npm start      (default 8080; 0 picks a free port)
import { spawnSync } from 'node:child_process';
import { mkdirSync, cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startCodeServer, codeServerCli, ensureCodeServer } from './lib/code-server.mjs';

const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT) || undefined;
const run = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

console.log('▸ building and packaging Matrix Lens');
run(['esbuild.mjs', '--production', '--no-typecheck']);
const vsix = join(ROOT, 'matrix-lens.vsix');
run([
  join(ROOT, 'node_modules/@vscode/vsce/vsce'),
  'package',
  '--no-dependencies',
  '--no-rewrite-relative-links',
  '--skip-license',
  '--out',
  vsix,
]);

ensureCodeServer((m) => console.log(`▸ ${m}`));
const runDir = join(ROOT, '.vscode-test', 'start');
const extensionsDir = join(runDir, 'extensions');
const workspace = join(runDir, 'demo');
mkdirSync(extensionsDir, { recursive: true });
if (!existsSync(workspace)) cpSync(join(ROOT, 'demo'), workspace, { recursive: true });
codeServerCli(['--install-extension', vsix, '--force'], {
  userDataDir: join(runDir, 'user-data'),
  extensionsDir,
});

const server = await startCodeServer({ runDir, folder: workspace, extensionsDir, port });
console.log(
  `\nMatrix Lens is running in VS Code for the browser:\n\n  ${server.url}/?folder=${encodeURIComponent(workspace)}\n`,
);
console.log(
  'Open weights.npy, activations.npy or attention.npy from the Explorer; hover names in model.py.',
);
console.log('Press Ctrl+C to stop.');
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
