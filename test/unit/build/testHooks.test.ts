/**
 * Test hooks stay out of what ships: a production build (as `npm run package` makes it) must
 * not contain the worker's `spin`/`crash` requests, the pool's test kernels, or the host's
 * handling of the webviews' rendered reports; a build with `--test-hooks` (the .vsix the
 * integration tests install) must contain them, so the check cannot pass by looking at the
 * wrong thing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/python';

const ROOT = join(__dirname, '../../../..');
/** the bundles of the host, worker, pool threads and CLI (the webviews are checked by their own tests) */
const BUNDLES = ['extension.js', 'worker.js', 'poolHelper.js', 'poolSupervisor.js', 'cli.js'];
const HOOKS: [string, RegExp][] = [
  ['the worker test request spin', /\bspin\b/],
  ['the crash test request (exit code 70)', /exit\(70\)/],
  ['the pool test kernels', /__sleep|__crashHelper/],
  ["the host's handling of rendered reports", /["'`]rendered["'`]/],
  ['the silent webview pages (the panel watchdog test)', /silentPages/],
];

function build(extra: string[]): Record<string, string> {
  const out = tempDir();
  const r = spawnSync(
    process.execPath,
    ['esbuild.mjs', '--production', '--no-typecheck', ...extra, '--outdir', out],
    { cwd: ROOT, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const files = readdirSync(out).filter((f) => f.endsWith('.js'));
  for (const b of BUNDLES) assert.ok(files.includes(b), `${b} built`);
  return Object.fromEntries(BUNDLES.map((b) => [b, readFileSync(join(out, b), 'utf8')]));
}

describe('test hooks are absent from the production bundles', function () {
  this.timeout(120_000);

  it('a production build has none of them', () => {
    const bundles = build([]);
    for (const [what, re] of HOOKS)
      for (const [name, text] of Object.entries(bundles))
        assert.doesNotMatch(text, re, `${what} found in ${name}`);
  });

  it('a build with --test-hooks has every one of them', () => {
    const all = Object.values(build(['--test-hooks'])).join('\n');
    for (const [what, re] of HOOKS) assert.match(all, re, `${what} missing from the test build`);
  });
});
