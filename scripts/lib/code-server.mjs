// Installs code-server (VS Code server + web workbench, from npm) into a git-ignored folder,
// idempotently, and starts it. Facts behind each step: ../shared/notes/vscode-in-ci.md.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  writeFileSync,
  symlinkSync,
  rmSync,
  readFileSync,
  lstatSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

export const CODE_SERVER_VERSION = '4.100.3'; // VS Code 1.100.3; later versions need Node 22+
export const ROOT = resolve(import.meta.dirname, '..', '..');
export const INSTALL_DIR = join(ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
const PKG = join(INSTALL_DIR, 'node_modules', 'code-server');
const VSCODE = join(PKG, 'lib', 'vscode');
const STAMP = join(INSTALL_DIR, '.installed');

function run(cmd, args, cwd, extraEnv = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: {
      ...process.env,
      npm_config_yes: 'true',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      ...extraEnv,
    },
  });
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) failed with ${r.status}:\n${(r.stdout ?? '').slice(-2000)}\n${(r.stderr ?? '').slice(-4000)}`,
    );
  }
  return r.stdout;
}

function link(target, path) {
  try {
    lstatSync(path);
    rmSync(path, { force: true, recursive: true });
  } catch {
    /* absent */
  }
  symlinkSync(target, path);
}

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Path of the code-server entry script; installs it first when missing. */
export function ensureCodeServer(log = console.log) {
  const entry = join(PKG, 'out', 'node', 'entry.js');
  if (existsSync(STAMP) && existsSync(entry)) return entry;
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep (rg) is missing: apt-get install ripgrep');
  log(`installing code-server ${CODE_SERVER_VERSION} into ${INSTALL_DIR} (a few minutes, once)…`);
  mkdirSync(INSTALL_DIR, { recursive: true });
  writeFileSync(
    join(INSTALL_DIR, 'package.json'),
    JSON.stringify({ name: 'matrix-lens-code-server', private: true }),
  );
  // Its postinstall refuses root and downloads ripgrep from a code host: skip it and finish by hand.
  run(
    'npm',
    [
      'install',
      '--no-save',
      '--ignore-scripts',
      '--no-package-lock',
      `code-server@${CODE_SERVER_VERSION}`,
    ],
    INSTALL_DIR,
  );
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], VSCODE);
  const rgDir = join(VSCODE, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  link(rg, join(rgDir, 'rg'));
  run(
    'npm',
    [
      'rebuild',
      '--build-from-source',
      '@vscode/spdlog',
      'node-pty',
      'native-watchdog',
      '@vscode/deviceid',
    ],
    VSCODE,
  );
  link('node_modules', join(VSCODE, 'node_modules.asar'));
  link('code-linux.sh', join(VSCODE, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', join(VSCODE, 'bin', 'helpers', 'browser.sh'));
  // code-server loads argon2 even with --auth none.
  run('npm', ['rebuild', '--build-from-source', 'argon2'], INSTALL_DIR);
  writeFileSync(STAMP, new Date().toISOString());
  log('code-server installed');
  return entry;
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/** Runs `code-server` CLI subcommands (e.g. --install-extension) with the given dirs. */
export function codeServerCli(args, { userDataDir, extensionsDir }) {
  const entry = ensureCodeServer();
  return run(
    process.execPath,
    [entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, ...args],
    ROOT,
    {
      EXTENSIONS_GALLERY: '{}',
    },
  );
}

/**
 * Starts code-server on a free loopback port with throw-away state under runDir.
 * Resolves once it answers HTTP; returns { url, port, stop() }.
 */
export async function startCodeServer({
  runDir,
  folder,
  extensionsDir,
  env = {},
  port,
  log = () => {},
  untrusted = false,
}) {
  const entry = ensureCodeServer();
  const userDataDir = join(runDir, 'user-data');
  const tmp = join(runDir, 'tmp');
  for (const d of [
    userDataDir,
    tmp,
    extensionsDir,
    join(runDir, 'xdg-config'),
    join(runDir, 'xdg-data'),
    join(runDir, 'xdg-runtime'),
  ])
    mkdirSync(d, { recursive: true });
  const configFile = join(runDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  // Quiet, deterministic workbench: no welcome page, no trust prompt, no telemetry.
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      // untrusted: workspace trust on, the folder not trusted, no prompt: Restricted Mode
      'security.workspace.trust.enabled': untrusted,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.emptyWindow': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'workbench.enableExperiments': false,
      'window.commandCenter': false,
      'chat.disableAIFeatures': true,
      'git.openRepositoryInParentFolders': 'never',
      'git.enabled': false,
      'workbench.colorTheme': env.MATRIX_LENS_THEME ?? 'Default Dark Modern',
    }),
  );
  port ??= await freePort();
  const child = spawn(
    process.execPath,
    [
      entry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--config',
      configFile,
      '--disable-telemetry',
      '--disable-update-check',
      ...(untrusted ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      folder,
    ],
    {
      cwd: runDir,
      env: {
        ...process.env,
        EXTENSIONS_GALLERY: '{}',
        XDG_CONFIG_HOME: join(runDir, 'xdg-config'),
        XDG_DATA_HOME: join(runDir, 'xdg-data'),
        XDG_RUNTIME_DIR: join(runDir, 'xdg-runtime'),
        TMPDIR: tmp,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  const collect = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
    log(String(d));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`code-server exited with ${child.exitCode}:\n${output.slice(-3000)}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      process.kill(-child.pid, 'SIGKILL');
      throw new Error(`code-server did not answer within 120 s:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      await Promise.race([
        new Promise((r) => child.once('exit', r)),
        new Promise((r) => setTimeout(r, 3000)),
      ]);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    },
  };
}

export function readJson(p) {
  return JSON.parse(readFileSync(p, 'utf8'));
}
