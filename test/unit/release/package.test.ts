/**
 * Release readiness (issue 12): the .vsix holds only what runs (`vsce ls`, as packaging sees
 * .vscodeignore), the icon is a real PNG of at least 128×128, the gallery banner, Restricted
 * Mode and virtual-workspace capabilities are declared, and every walkthrough step's media and
 * command links point at files and commands that exist and ship.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodePng } from '../../helpers/png';

interface Manifest {
  version: string;
  icon: string;
  galleryBanner: { color: string; theme: string };
  capabilities: {
    untrustedWorkspaces: { supported: boolean | string; description?: string };
    virtualWorkspaces: { supported: boolean | string; description?: string };
  };
  contributes: {
    commands: { command: string }[];
    walkthroughs: {
      id: string;
      steps: { id: string; description: string; media: { markdown: string } }[];
    }[];
  };
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

describe('release readiness', function () {
  this.timeout(120_000);

  it('the .vsix lists exactly what runs: bundles, wasm, icon, walkthrough, demo arrays, docs images', () => {
    const r = spawnSync(
      process.execPath,
      [resolve('node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const files = r.stdout.trim().split('\n').sort();
    const allowed = [
      /^(package\.json|README\.md|CHANGELOG\.md|LICENSE)$/,
      /^dist\/(extension|worker|cli|poolHelper|poolSupervisor)\.js$/,
      /^dist\/[\w-]+\.wasm$/,
      /^dist\/webview\/[\w-]+\.(js|css)$/,
      /^media\/icon\.png$/,
      /^media\/walkthrough\/[\w-]+\.md$/,
      /^demo\/(weights|activations|attention)\.npy$/,
      /^demo\/model\.py$/,
      /^docs\/images\/[\w-]+\.png$/,
    ];
    for (const f of files)
      assert.ok(
        allowed.some((re) => re.test(f)),
        `${f} should not ship (add it to .vscodeignore)`,
      );
    for (const must of [
      'package.json',
      'dist/extension.js',
      'dist/worker.js',
      'dist/cli.js',
      'dist/poolHelper.js',
      'dist/poolSupervisor.js',
      'dist/webview/compare.js',
      'media/icon.png',
      'demo/weights.npy',
      'demo/model.py',
      'CHANGELOG.md',
    ])
      assert.ok(files.includes(must), `${must} must ship`);
    assert.ok(
      !files.some((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/')),
    );
  });

  it('icon is a PNG of at least 128×128; gallery banner has a colour and theme', () => {
    const img = decodePng(readFileSync(pkg.icon));
    assert.ok(img.width >= 128 && img.height >= 128, `${img.width}×${img.height}`);
    assert.equal(img.width, img.height);
    assert.match(pkg.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(pkg.galleryBanner.theme));
  });

  it('Restricted Mode is supported and says why; virtual workspaces are limited and say how', () => {
    const c = pkg.capabilities;
    assert.equal(c.untrustedWorkspaces.supported, true);
    assert.match(c.untrustedWorkspaces.description ?? '', /Nothing from a file .* is executed/);
    assert.equal(c.virtualWorkspaces.supported, 'limited');
    assert.match(c.virtualWorkspaces.description ?? '', /maxArrayBytes/);
  });

  it('every walkthrough step has its markdown, and its links open shipped demo files and declared commands', () => {
    const declared = new Set(pkg.contributes.commands.map((c) => c.command));
    const steps = pkg.contributes.walkthroughs.flatMap((w) => w.steps);
    assert.ok(steps.length >= 4);
    for (const s of steps) {
      assert.ok(existsSync(s.media.markdown), s.media.markdown);
      const text = `${s.description}\n${readFileSync(s.media.markdown, 'utf8')}`;
      const links = [...text.matchAll(/\(command:([\w.]+)(?:\?([^)]*))?\)/g)];
      assert.ok(links.length > 0, `${s.id} has no command link`);
      for (const [, cmd, arg] of links) {
        assert.ok(declared.has(cmd), `${s.id}: ${cmd} is not a declared command`);
        if (cmd === 'matrixLens.openDemo') {
          const [file] = JSON.parse(decodeURIComponent(arg)) as string[];
          assert.ok(existsSync(`demo/${file}`), `${s.id}: demo/${file}`);
        }
      }
    }
  });

  it('CHANGELOG has an entry for this version', () => {
    assert.match(
      readFileSync('CHANGELOG.md', 'utf8'),
      new RegExp(`^## ${pkg.version.replace(/\./g, '\\.')}\\b`, 'm'),
    );
  });
});
