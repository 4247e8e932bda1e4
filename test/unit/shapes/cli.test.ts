/**
 * `matrix-lens shapes`: JSON shape and exit codes. Runs the bundle named by MATRIX_LENS_CLI
 * (default dist/cli.js), which must have web-tree-sitter.wasm and tree-sitter-python.wasm
 * next to it. Build a private copy with:
 *   npx esbuild src/cli/cli.ts --bundle --platform=node --format=cjs --outfile=/tmp/ml-shapes-cli/cli.js
 *   cp node_modules/web-tree-sitter/web-tree-sitter.wasm node_modules/tree-sitter-python/tree-sitter-python.wasm /tmp/ml-shapes-cli/
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { notebookJson } from './notebook.test';
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

describe('matrix-lens shapes (CLI) on hostile input', function () {
  this.timeout(60_000);
  const dir = tempDir('ml-shapes-hostile-');
  const ok = join(dir, 'ok.py');
  writeFileSync(ok, 'import numpy as np\nx = np.zeros((2, 3))\n');

  it('refuses a FIFO and a device without blocking, with one line naming the file', () => {
    const fifo = join(dir, 'x.py');
    spawnSync('mkfifo', [fifo]);
    const zero = join(dir, 'zero.py');
    symlinkSync('/dev/zero', zero);
    for (const f of [fifo, zero]) {
      const r = cli(['shapes', f]);
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err.trim().split('\n').length, 1);
      assert.match(r.err, /not a regular file/);
      assert.ok(r.err.includes(f));
    }
    unlinkSync(fifo);
    unlinkSync(zero);
  });

  it('refuses a source over the size cap (512 KiB, the memory bound), and --max-bytes raises it', () => {
    const big = join(dir, 'big.py');
    writeFileSync(big, 'import numpy as np\n' + 'x = np.zeros((3, 4))\n'.repeat(30_000)); // 630 KB
    const r = cli(['shapes', big]);
    assert.equal(r.code, 2);
    assert.match(r.err, /too large to analyse .*limit is 512 KiB, --max-bytes raises it/);
    const raised = cli(['shapes', big, '--max-bytes', '1M']);
    assert.equal(raised.code, 0, raised.err);
    assert.match(raised.out, /\(3, 4\)/);
    unlinkSync(big);
  });

  it('a 4 MB one-line list literal: analysed as an unknown value, with a one-line note naming the file', () => {
    const f = join(dir, 'literal.py');
    const lit = '[' + Array.from({ length: 1_400_000 }, (_, i) => String(i % 10)).join(', ') + ']';
    writeFileSync(f, `import numpy as np\nx = np.array(${lit})\ny = np.zeros((3, 4))\n`);
    const r = cli(['shapes', f]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.ok(
      r.err.startsWith(
        `matrix-lens shapes: ${f}: line 2: a bracketed group of ${lit.length + 2} characters`,
      ),
      r.err,
    );
    assert.match(r.err, /analysed as an unknown value/);
    assert.match(r.out, /^2: x: \?$/m);
    assert.match(r.out, /^3: y: \(3, 4\) float64$/m);
    // memory in proportion: with the V8 heap capped at 64 MB the same file still goes through
    // (blanking the literal by regex once held ~35 bytes per character: 290 MB of heap here)
    const capped = spawnSync(process.execPath, ['--max-old-space-size=64', CLI, 'shapes', f], {
      encoding: 'utf8',
    });
    assert.equal(capped.status, 0, capped.stderr);
    assert.match(capped.stdout, /^3: y: \(3, 4\) float64$/m);
    unlinkSync(f);
  });

  it('a glob survives dangling symlinks, symlink loops and a bad file; the others are analysed', () => {
    const g = join(dir, 'glob');
    mkdirSync(join(g, 'sub'), { recursive: true });
    writeFileSync(join(g, 'a.py'), 'import numpy as np\na = np.zeros((4, 5))\n');
    writeFileSync(join(g, 'sub', 'b.py'), 'import numpy as np\nb = np.ones((6,))\n');
    writeFileSync(join(g, 'deep.py'), `y = ${'('.repeat(50_000)}1${')'.repeat(50_000)}\n`);
    writeFileSync(join(g, 'broken.py'), 'import numpy as np\nq = (\nc = np.zeros((7, 1))\n');
    symlinkSync(join(g, 'nowhere.py'), join(g, 'dangling.py'));
    symlinkSync(g, join(g, 'sub', 'loop'));
    const r = cli(['shapes', '**/*.py', '--json'], g);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { shapes: { file: string; name: string; shape: unknown }[] };
    const got = j.shapes.map((s) => [s.file, s.name, s.shape]);
    assert.deepEqual(
      got.filter(([, n]) => ['a', 'b', 'c'].includes(n as string)),
      [
        ['a.py', 'a', [4, 5]],
        ['broken.py', 'c', [7, 1]],
        ['sub/b.py', 'b', [6]],
      ],
    );
    // a glob skips a dangling symlink, as a shell does; named alone it is one line
    assert.ok(!got.some(([f]) => f === 'dangling.py'));
    const notes = r.err.trim().split('\n');
    assert.equal(notes.length, 2, r.err);
    assert.match(notes[0], /broken\.py: line 2:\d+: syntax error/);
    // 10⁵ nested parentheses are one group too large to parse: an unknown value, said so
    assert.match(notes[1], /deep\.py: line 1: a bracketed group of 100001 characters/);
    const dangling = cli(['shapes', 'dangling.py'], g);
    assert.equal(dangling.code, 2);
    assert.match(dangling.err, /dangling\.py: no such file \(or a dangling symlink\)/);
    const strict = cli(['shapes', '**/*.py', '--strict'], g);
    assert.equal(strict.code, 1);
  });

  it('a syntax error is one stderr line and exit 0 (1 with --strict)', () => {
    const f = join(dir, 'syntax.py');
    writeFileSync(f, 'import numpy as np\nx = np.zeros((2, 3)\ny = np.ones((3, 4))\n');
    const r = cli(['shapes', f]);
    assert.equal(r.code, 0);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.match(r.out, /^3: y: \(3, 4\)/m);
    assert.equal(cli(['shapes', f, '--strict']).code, 1);
  });

  it('escapes control characters and elides huge text in messages', () => {
    const f = join(dir, 'esc.py');
    const long = 'v'.repeat(100_000);
    writeFileSync(
      f,
      `import numpy as np\nx = np.zeros((2, 3))\ny = x.reshape(5, 7) + "\x1b[2J\x9b"\n${long} = np.zeros((4, 4))\n`,
    );
    for (const args of [[f], [f, '--json']]) {
      const r = cli(['shapes', ...args]);
      assert.equal(r.code, 1);
      assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(r.out + r.err), JSON.stringify(r.out));
      assert.ok(r.out.length < 5000, `${r.out.length} characters of output`);
    }
  });

  it('analyses a notebook top to bottom and names the cell', () => {
    const f = join(dir, 'nb.ipynb');
    writeFileSync(
      f,
      notebookJson([
        ['code', 'import numpy as np\nx = np.zeros((3, 4))'],
        ['markdown', 'text'],
        ['code', 'W = np.ones((5, 2))\ny = x @ W'],
      ]),
    );
    const r = cli(['shapes', f]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /^cell 1:2: x: \(3, 4\)/m);
    assert.match(r.out, /^cell 3:2:5: error: /m);
  });
});
