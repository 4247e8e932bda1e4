/**
 * `matrix-lens shapes`: JSON shape and exit codes. Runs the bundle named by MATRIX_LENS_CLI
 * (default dist/cli.js), which must have web-tree-sitter.wasm and tree-sitter-python.wasm
 * next to it. Build a private copy with:
 *   npx esbuild src/cli/cli.ts --bundle --platform=node --format=cjs --outfile=/tmp/ml-shapes-cli/cli.js
 *   cp node_modules/web-tree-sitter/web-tree-sitter.wasm node_modules/tree-sitter-python/tree-sitter-python.wasm /tmp/ml-shapes-cli/
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../../helpers/python';

const CLI = resolve(process.env.MATRIX_LENS_CLI ?? 'dist/cli.js');

function cli(args: string[], cwd?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('matrix-lens shapes (CLI)', function () {
  this.timeout(30_000);
  const dir = tempDir('ml-shapes-');
  const good = join(dir, 'good.py');
  const bad = join(dir, 'bad.py');
  writeFileSync(
    good,
    [
      'import numpy as np',
      'x = np.zeros((32, 768))',
      'W = np.ones((768, 3072))',
      'y = x @ W',
      'y = y.T',
      '',
    ].join('\n'),
  );
  writeFileSync(
    bad,
    [
      'import numpy as np',
      'x = np.zeros((32, 768))',
      'W = np.ones((512, 3072))',
      'y = x @ W',
      '',
    ].join('\n'),
  );

  it('prints 1-based shapes per assignment line and exits 0 when clean', () => {
    const r = cli(['shapes', good, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as {
      shapes: { line: number; name: string; shape: unknown; file?: string }[];
      diagnostics: unknown[];
    };
    assert.deepEqual(
      j.shapes.map((s) => [s.line, s.name, s.shape]),
      [
        [2, 'x', [32, 768]],
        [3, 'W', [768, 3072]],
        [4, 'y', [32, 3072]],
        [5, 'y', [3072, 32]],
      ],
    );
    assert.equal(j.shapes[0].file, undefined);
    assert.deepEqual(j.diagnostics, []);
  });

  it('exits 1 with the error on the raising line', () => {
    const r = cli(['shapes', bad, '--json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out) as {
      diagnostics: { line: number; column: number; severity: string; message: string }[];
    };
    assert.equal(j.diagnostics.length, 1);
    assert.equal(j.diagnostics[0].line, 4);
    assert.equal(j.diagnostics[0].column, 5);
    assert.equal(j.diagnostics[0].severity, 'error');
    assert.match(j.diagnostics[0].message, /768 \(from line 2\).*512 \(from line 3\)/);
    const text = cli(['shapes', bad]);
    assert.equal(text.code, 1);
    assert.match(text.out, /^4:5: error: /m);
  });

  it('expands globs and adds "file" to every entry', () => {
    const r = cli(['shapes', '*.py', '--json'], dir);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out) as { shapes: { file: string }[]; diagnostics: { file: string }[] };
    assert.deepEqual([...new Set(j.shapes.map((s) => s.file))].sort(), ['bad.py', 'good.py']);
    assert.equal(j.diagnostics[0].file, 'bad.py');
  });

  it('exits 2 with one stderr line on bad input', () => {
    for (const args of [
      ['shapes'],
      ['shapes', join(dir, 'missing.py')],
      ['shapes', good, '--nope'],
    ]) {
      const r = cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.err.trim().split('\n').length, 1);
    }
  });
});
